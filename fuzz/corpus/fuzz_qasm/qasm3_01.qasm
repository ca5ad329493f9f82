OPENQASM 3;
include "stdgates.inc";
input float[64] a;
input float[64] b;
gate inner(t) x { rz(2*t - pi) x; }
gate outer(s, u) x, y { inner(s/4 + u) y; cx x, y; inner(-s) x; }
qubit[2] q;
outer(3*a + 1, b - a) q[0], q[1];
