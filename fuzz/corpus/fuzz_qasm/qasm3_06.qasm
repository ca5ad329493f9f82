OPENQASM 3;
include "stdgates.inc";
input float t;
gate a(x) p, q { h p; rz(x) q; cx p, q; s q; }
gate b(x) p, q { a(2*x) q, p; ry(x/3) p; gphase(x); t q; }
qubit[3] r;
