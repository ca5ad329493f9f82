OPENQASM 2.0;
include "qelib1.inc";
qreg q[1];
rz(-pi^2/4 + sin(pi/6) + cos(0)*2 - tan(pi/4) + exp(1) - ln(exp(2)) + sqrt(16) + 2^-1) q[0];
u1(-(-1.5e-1)) q[0];
U(.5, 1E1, 3) q;
