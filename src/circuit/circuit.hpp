// A parameterised circuit: gates over num_qubits with named variational parameters.
#pragma once

#include <string>
#include <vector>

#include "circuit/gate.hpp"

namespace vqsim::circuit {

struct Circuit {
  int num_qubits = 0;
  std::vector<std::string> parameter_names;
  std::vector<Gate> gates;
  // Set by the generated ansätze (hardware-efficient, UCCSD): the bits their X gates prepare.
  std::string initial_bits;

  int num_parameters() const { return static_cast<int>(parameter_names.size()); }
};

}  // namespace vqsim::circuit
