// Circuits shared by several tests.
#pragma once

#include <string>

#include "circuit/circuit.hpp"

namespace vqsim::test {

// The benchmark shape: layers of RY and RZ on every qubit, then a CX chain; one parameter a rotation.
inline circuit::Circuit hea(int n, int layers) {
  using circuit::GateKind;
  circuit::Circuit c;
  c.num_qubits = n;
  int p = 0;
  for (int l = 0; l < layers; ++l) {
    for (int q = 0; q < n; ++q)
      for (GateKind k : {GateKind::RY, GateKind::RZ}) {
        c.parameter_names.push_back(std::string("t").append(std::to_string(p)));
        c.gates.push_back({k, {q}, {circuit::AffineAngle{0.0, {{p, 1.0}}}}, {}});
        ++p;
      }
    for (int q = 0; q + 1 < n; ++q) c.gates.push_back({GateKind::CX, {q, q + 1}, {}, {}});
  }
  return c;
}

}  // namespace vqsim::test
