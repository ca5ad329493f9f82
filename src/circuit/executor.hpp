// Runs circuit IR on a state vector: each gate kind dispatched to its kernel.
#pragma once

#include <vector>

#include "circuit/circuit.hpp"
#include "core/kernels.hpp"

namespace vqsim::circuit {

inline std::uint64_t control_mask(const Gate& g) {
  std::uint64_t mask = 0;
  for (int c = 0; c < num_controls(g.kind); ++c)
    mask |= std::uint64_t{1} << g.qubits[static_cast<std::size_t>(c)];
  return mask;
}

inline bool is_pauli_kind(GateKind k) {
  return k == GateKind::RXX || k == GateKind::RYY || k == GateKind::RZZ || k == GateKind::PauliRotation;
}

inline core::Mat2 dagger(const core::Mat2& m) {
  return {std::conj(m[0]), std::conj(m[2]), std::conj(m[1]), std::conj(m[3])};
}

// a * b for 2x2 matrices, with the products written on re/im (no __muldc3 NaN checks).
inline core::Mat2 mat2_product(const core::Mat2& a, const core::Mat2& b) {
  auto mul = [](core::cplx x, core::cplx y) {
    return core::cplx(x.real() * y.real() - x.imag() * y.imag(), x.real() * y.imag() + x.imag() * y.real());
  };
  return {mul(a[0], b[0]) + mul(a[1], b[2]), mul(a[0], b[1]) + mul(a[1], b[3]),
          mul(a[2], b[0]) + mul(a[3], b[2]), mul(a[2], b[1]) + mul(a[3], b[3])};
}

// Applies the gate (or its inverse) with the given angle values.
template <class R>
void apply_gate(core::StateVector<R>& sv, const Gate& g, const std::vector<double>& angles,
                bool inverse = false) {
  const std::uint64_t cmask = control_mask(g);
  switch (g.kind) {
    case GateKind::I: return;
    case GateKind::X:
    case GateKind::CX:
    case GateKind::CCX: core::apply_controlled_x(sv, cmask, g.qubits.back()); return;
    case GateKind::Swap:
    case GateKind::CSwap: {
      const std::size_t n = g.qubits.size();
      core::apply_controlled_swap(sv, cmask, g.qubits[n - 2], g.qubits[n - 1]);
      return;
    }
    case GateKind::RXX:
    case GateKind::RYY:
    case GateKind::RZZ:
    case GateKind::PauliRotation:
      core::apply_pauli_rotation(sv, pauli_masks(g), inverse ? -angles[0] : angles[0]);
      return;
    default: {
      const core::Mat2 m = target_matrix(g.kind, angles);
      core::apply_controlled_matrix1(sv, cmask, g.qubits.back(), inverse ? dagger(m) : m);
      return;
    }
  }
}

// Evaluates every gate's angles for one parameter vector (reused buffers, no allocation
// after the first call).
class AngleTable {
 public:
  void fill(const Circuit& c, const std::vector<double>& theta) {
    values_.resize(c.gates.size());
    for (std::size_t i = 0; i < c.gates.size(); ++i) {
      const auto& g = c.gates[i];
      values_[i].resize(g.angles.size());
      for (std::size_t j = 0; j < g.angles.size(); ++j) values_[i][j] = g.angles[j].value(theta);
    }
  }
  const std::vector<double>& operator[](std::size_t gate) const { return values_[gate]; }
  std::vector<double>& at(std::size_t gate) { return values_[gate]; }

 private:
  std::vector<std::vector<double>> values_;
};

template <class R>
void run_circuit(core::StateVector<R>& sv, const Circuit& c, const AngleTable& angles) {
  for (std::size_t i = 0; i < c.gates.size(); ++i) apply_gate(sv, c.gates[i], angles[i]);
}

}  // namespace vqsim::circuit
