#include "circuit/ansatz.hpp"

namespace vqsim::circuit {

Circuit hardware_efficient(const HardwareEfficientSpec& spec) {
  Circuit c;
  c.num_qubits = spec.num_qubits;
  c.initial_bits = spec.initial_bits;
  const int n = spec.num_qubits;
  const std::size_t nb = spec.initial_bits.size();
  for (std::size_t i = 0; i < nb; ++i)
    if (spec.initial_bits[nb - 1 - i] == '1') c.gates.push_back({GateKind::X, {static_cast<int>(i)}, {}, {}});

  auto rotation_layer = [&] {
    for (GateKind kind : spec.rotations) {
      for (int q = 0; q < n; ++q) {
        const int index = c.num_parameters();
        c.parameter_names.push_back("theta[" + std::to_string(index) + "]");
        AffineAngle a;
        a.terms.emplace_back(index, 1.0);
        c.gates.push_back({kind, {q}, {a}, {}});
      }
    }
  };
  auto cx = [&](int control, int target) { c.gates.push_back({GateKind::CX, {control, target}, {}, {}}); };

  for (int layer = 0; layer < spec.layers; ++layer) {
    rotation_layer();
    switch (spec.entanglement) {
      case Entanglement::Linear:
        for (int q = 0; q + 1 < n; ++q) cx(q, q + 1);
        break;
      case Entanglement::Circular:
        if (n > 2) cx(n - 1, 0);
        for (int q = 0; q + 1 < n; ++q) cx(q, q + 1);
        break;
      case Entanglement::Full:
        for (int a = 0; a < n; ++a)
          for (int b = a + 1; b < n; ++b) cx(a, b);
        break;
    }
  }
  rotation_layer();
  return c;
}

}  // namespace vqsim::circuit
