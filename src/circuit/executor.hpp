// Runs circuit IR on a state vector: each gate kind dispatched to its kernel.
#pragma once

#include <vector>

#include "circuit/circuit.hpp"
#include "core/kernels.hpp"
#include "core/simd.hpp"

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

// Whole-state gate application with the SIMD range kernels (core/simd.hpp), each gate in one pass
// over the state split between the threads: the vector counterparts of core::apply_controlled_x,
// core::apply_pauli_rotation and core::apply_controlled_matrix1 (their references in the tests).
namespace fast {

template <class R>
R* reals(core::StateVector<R>& sv) {
  return reinterpret_cast<R*>(sv.data());
}

template <class R>
void controlled_x(core::StateVector<R>& sv, std::uint64_t cmask, int target) {
  const auto& k = core::simd::kernels<R>();
  const int n = sv.num_qubits();
  R* p = reals(sv);
  core::parallel_ranges(
      core::simd::pair_range_size(n, cmask), core::simd::kRangeAlign,
      [&](std::uint64_t b, std::uint64_t e) { k.controlled_x_range(p, n, cmask, target, b, e); });
}

// p[x] *= d0 or d1 by the parity of x & zmask, where every control is set.
template <class R>
void diagonal(core::StateVector<R>& sv, std::uint64_t cmask, std::uint64_t zmask, core::cplx d0,
              core::cplx d1) {
  const auto& k = core::simd::kernels<R>();
  const int n = sv.num_qubits();
  R* p = reals(sv);
  const R d[4] = {static_cast<R>(d0.real()), static_cast<R>(d0.imag()), static_cast<R>(d1.real()),
                  static_cast<R>(d1.imag())};
  core::parallel_ranges(
      core::simd::diagonal_range_size(n, cmask), core::simd::kRangeAlign,
      [&](std::uint64_t b, std::uint64_t e) { k.diagonal_range(p, n, cmask, zmask, d, b, e); });
}

// p[y] <- c p[y] + f (-1)^{|(y ^ xmask) & zmask|} p[y ^ xmask], xmask != 0.
template <class R>
void pauli_pairs(core::StateVector<R>& sv, std::uint64_t xmask, std::uint64_t zmask, double c, core::cplx f) {
  const auto& k = core::simd::kernels<R>();
  const int n = sv.num_qubits();
  R* p = reals(sv);
  const R cf[3] = {static_cast<R>(c), static_cast<R>(f.real()), static_cast<R>(f.imag())};
  core::parallel_ranges(sv.size() >> 1, core::simd::kRangeAlign, [&](std::uint64_t b, std::uint64_t e) {
    k.pauli_rotation_range(p, n, xmask, zmask, cf, b, e);
  });
}

// exp(-i theta/2 P) in one pass: a phase per amplitude when P is diagonal, else pairs.
template <class R>
void pauli_rotation(core::StateVector<R>& sv, const core::PauliMasks& pm, double theta) {
  const double c = std::cos(theta / 2), s = std::sin(theta / 2);
  if (pm.x_mask == 0) return diagonal(sv, 0, pm.z_mask, core::cplx(c, -s), core::cplx(c, s));
  // -i s i^y_count, exactly (no rounding in the power of i)
  const core::cplx i_y = core::i_power(pm.y_count);
  pauli_pairs(sv, pm.x_mask, pm.z_mask, c, core::cplx(s * i_y.imag(), -s * i_y.real()));
}

// A 2x2 matrix on `target` where every control is set, by the cheapest kernel its form allows.
template <class R>
void controlled_matrix1(core::StateVector<R>& sv, std::uint64_t cmask, int target, const core::Mat2& m) {
  const std::uint64_t t = std::uint64_t{1} << target;
  if (m[1] == 0.0 && m[2] == 0.0) return diagonal(sv, cmask, t, m[0], m[3]);
  // c on the diagonal, f or -f off it (RX, RY, Y): a Pauli rotation's pair update.
  if (cmask == 0 && m[0] == m[3] && m[0].imag() == 0.0 && (m[1] == m[2] || m[1] == -m[2]))
    return pauli_pairs(sv, t, m[1] == m[2] ? 0 : t, m[0].real(), m[2]);
  const auto& k = core::simd::kernels<R>();
  const int n = sv.num_qubits();
  R* p = reals(sv);
  const std::uint64_t count = core::simd::pair_range_size(n, cmask);
  if (m[0].imag() == 0.0 && m[1].imag() == 0.0 && m[2].imag() == 0.0 && m[3].imag() == 0.0) {
    const R r[4] = {static_cast<R>(m[0].real()), static_cast<R>(m[1].real()), static_cast<R>(m[2].real()),
                    static_cast<R>(m[3].real())};
    core::parallel_ranges(count, core::simd::kRangeAlign, [&](std::uint64_t b, std::uint64_t e) {
      k.real_matrix1_range(p, n, cmask, target, r, b, e);
    });
    return;
  }
  R c[8];
  for (std::size_t j = 0; j < 4; ++j) {
    c[2 * j] = static_cast<R>(m[j].real());
    c[2 * j + 1] = static_cast<R>(m[j].imag());
  }
  core::parallel_ranges(count, core::simd::kRangeAlign, [&](std::uint64_t b, std::uint64_t e) {
    k.matrix1_range(p, n, cmask, target, c, b, e);
  });
}

}  // namespace fast

// Applies the gate (or its inverse) with the given angle values.
template <class R>
void apply_gate(core::StateVector<R>& sv, const Gate& g, const std::vector<double>& angles,
                bool inverse = false) {
  const std::uint64_t cmask = control_mask(g);
  switch (g.kind) {
    case GateKind::I: return;
    case GateKind::X:
    case GateKind::CX:
    case GateKind::CCX: fast::controlled_x(sv, cmask, g.qubits.back()); return;
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
      fast::pauli_rotation(sv, pauli_masks(g), inverse ? -angles[0] : angles[0]);
      return;
    default: {
      const core::Mat2 m = target_matrix(g.kind, angles);
      fast::controlled_matrix1(sv, cmask, g.qubits.back(), inverse ? dagger(m) : m);
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
