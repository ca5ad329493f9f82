OPENQASM 2.0;
include "qelib1.inc";
gate inner(a) x, y { cx x, y; rz(a/2) y; }
gate middle(a, b) x, y, z { inner(a + b) x, y; ry(-b) z; inner(2*a) z, x; }
gate outer(a) x, y, z { h x; middle(a, pi/3) z, y, x; }
qreg q[3];
outer(0.4) q[0], q[1], q[2];
