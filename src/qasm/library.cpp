#include "qasm/library.hpp"

#include <array>

#include "circuit/gate.hpp"

namespace vqsim::qasm {
namespace {

// The decompositions follow Qiskit's qelib1.inc (qiskit/qasm/libs/qelib1.inc) and OpenQASM 3's
// stdgates.inc; cu carries Qiskit's CUGate phase gamma as a phase on the control. c3sqrtx uses
// the phase signs that make it an exact controlled-SX (Qiskit's C3SXGate), and c4x is
// C-SX / C3X / C-SXdg / C3X / C3-SX (Barenco et al. 1995, lemma 7.5), exact without ancillas.
// Every one is checked against a dense multi-controlled matrix in tests/qasm_test.cpp.
constexpr std::string_view kDefinitions = R"(
gate u0(gamma) q { id q; }
gate phase(lambda) q { p(lambda) q; }
gate cphase(lambda) a, b { cp(lambda) a, b; }
gate cu(theta, phi, lambda, gamma) c, t { p(gamma) c; cu3(theta, phi, lambda) c, t; }
gate csx a, b { h b; cp(pi/2) a, b; h b; }
gate rccx a, b, c {
  u2(0, pi) c; u1(pi/4) c; cx b, c; u1(-pi/4) c; cx a, c; u1(pi/4) c; cx b, c; u1(-pi/4) c; u2(0, pi) c;
}
gate rc3x a, b, c, d {
  u2(0, pi) d; u1(pi/4) d; cx c, d; u1(-pi/4) d; u2(0, pi) d;
  cx a, d; u1(pi/4) d; cx b, d; u1(-pi/4) d; cx a, d; u1(pi/4) d; cx b, d; u1(-pi/4) d;
  u2(0, pi) d; u1(pi/4) d; cx c, d; u1(-pi/4) d; u2(0, pi) d;
}
gate c3x a, b, c, d {
  h d; cu1(pi/4) a, d; h d; cx a, b;
  h d; cu1(-pi/4) b, d; h d; cx a, b;
  h d; cu1(pi/4) b, d; h d; cx b, c;
  h d; cu1(-pi/4) c, d; h d; cx a, c;
  h d; cu1(pi/4) c, d; h d; cx b, c;
  h d; cu1(-pi/4) c, d; h d; cx a, c;
  h d; cu1(pi/4) c, d; h d;
}
gate c3sqrtx a, b, c, d {
  h d; cu1(pi/8) a, d; h d; cx a, b;
  h d; cu1(-pi/8) b, d; h d; cx a, b;
  h d; cu1(pi/8) b, d; h d; cx b, c;
  h d; cu1(-pi/8) c, d; h d; cx a, c;
  h d; cu1(pi/8) c, d; h d; cx b, c;
  h d; cu1(-pi/8) c, d; h d; cx a, c;
  h d; cu1(pi/8) c, d; h d;
}
gate c4x a, b, c, d, e {
  h e; cu1(pi/2) d, e; h e;
  c3x a, b, c, d;
  h e; cu1(-pi/2) d, e; h e;
  c3x a, b, c, d;
  c3sqrtx a, b, c, e;
}
gate rcccx a, b, c, d { rc3x a, b, c, d; }
gate cccx a, b, c, d { c3x a, b, c, d; }
gate cccsqrtx a, b, c, d { c3sqrtx a, b, c, d; }
gate ccccx a, b, c, d, e { c4x a, b, c, d, e; }
)";

constexpr std::array<std::string_view, 14> kDefinedNames{"u0",    "phase", "cphase",   "cu",      "csx",
                                                         "rccx",  "rc3x",  "c3x",      "c3sqrtx", "c4x",
                                                         "rcccx", "cccx",  "cccsqrtx", "ccccx"};

}  // namespace

std::string_view library_definitions() {
  return kDefinitions;
}

bool is_library_gate(std::string_view name) {
  for (auto n : kDefinedNames)
    if (n == name) return true;
  return name != "pauli_rotation" && circuit::gate_from_name(name).has_value();
}

}  // namespace vqsim::qasm
