// Generated circuits: Qiskit's TwoLocal / EfficientSU2 hardware-efficient shape.
#pragma once

#include <string>
#include <vector>

#include "circuit/circuit.hpp"

namespace vqsim::circuit {

enum class Entanglement { Linear, Circular, Full };

struct HardwareEfficientSpec {
  int num_qubits = 0;
  int layers = 1;
  std::vector<GateKind> rotations{GateKind::RY, GateKind::RZ};  // rx, ry, rz or p
  Entanglement entanglement = Entanglement::Linear;
  std::string initial_bits;  // qubit 0 rightmost; empty = all zero
};

// layers x (rotation layer, CX entangler) then a final rotation layer; parameters are named
// theta[k] in the order rotation layer, rotation kind, qubit.
Circuit hardware_efficient(const HardwareEfficientSpec& spec);

}  // namespace vqsim::circuit
