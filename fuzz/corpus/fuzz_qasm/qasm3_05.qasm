OPENQASM 2.0;
include "qelib1.inc";
gate rzx(param0) q0,q1 { h q1; cx q0,q1; rz(param0) q1; cx q0,q1; h q1; }
gate ecr q0,q1 { rzx(pi/4) q0,q1; x q0; rzx(-pi/4) q0,q1; }
gate ccz q0,q1,q2 { h q2; ccx q0,q1,q2; h q2; }
gate cs q0,q1 { p(pi/4) q0; cx q0,q1; p(-pi/4) q1; cx q0,q1; p(pi/4) q1; }
gate nG0(param0,param1) q0,q1 { h q0; h q1; }
qreg q[3];
qreg r[1];
creg c[3];
ecr q[1],q[0];
ccz q[0],q[2],r[0];
cs q[2],q[1];
nG0(pi,pi/2) q[0],r[0];
barrier q[0],q[1],q[2],r[0];
measure q[0] -> c[0];
measure q[1] -> c[1];