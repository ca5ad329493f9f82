// Gate kernels: small lambdas handed to one shared index loop (for_each_group).
// Kernels know nothing of circuits, JSON or errors: callers pass valid, distinct qubits.
// Matrices are row-major, and basis index bit k of a k-qubit matrix is the gate's k-th qubit.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <complex>
#include <cstdint>
#include <span>
#include <vector>

#include "core/parallel.hpp"
#include "core/simd.hpp"
#include "core/state_vector.hpp"

namespace vqsim::core {

using cplx = std::complex<double>;
using Mat2 = std::array<cplx, 4>;

// i with a zero bit inserted at position q: the bits at q and above move up by one.
inline std::uint64_t insert_zero(std::uint64_t i, int q) {
  const std::uint64_t low = (std::uint64_t{1} << q) - 1;
  return ((i & ~low) << 1) | (i & low);
}

// Calls fn(base) for every basis index whose bits at `qubits` are all zero.
// `sorted` must be ascending; the iteration count is 2^(n - |qubits|).
template <class Fn>
void for_each_group(int num_qubits, std::span<const int> sorted, Fn&& fn) {
  const std::uint64_t count = std::uint64_t{1} << (num_qubits - static_cast<int>(sorted.size()));
  parallel_for(count, [&](std::uint64_t i) {
    for (int q : sorted) i = insert_zero(i, q);
    fn(i);
  });
}

template <class Fn>
std::complex<double> sum_over_groups(int num_qubits, std::span<const int> sorted, Fn&& fn) {
  const std::uint64_t count = std::uint64_t{1} << (num_qubits - static_cast<int>(sorted.size()));
  return parallel_sum(count, [&](std::uint64_t i) {
    for (int q : sorted) i = insert_zero(i, q);
    return fn(i);
  });
}

// The ascending positions of the set bits of mask, plus `extra` qubits.
inline std::vector<int> sorted_qubits(std::uint64_t mask, std::initializer_list<int> extra = {}) {
  for (int q : extra) mask |= std::uint64_t{1} << q;
  std::vector<int> out;
  while (mask != 0) {
    out.push_back(std::countr_zero(mask));
    mask &= mask - 1;
  }
  return out;
}

// A 2x2 matrix on `target`, applied where every qubit of control_mask is 1.
template <class R>
void apply_controlled_matrix1(StateVector<R>& sv, std::uint64_t control_mask, int target, const Mat2& m) {
  using C = std::complex<R>;
  const C m00(m[0]), m01(m[1]), m10(m[2]), m11(m[3]);
  const std::uint64_t tmask = std::uint64_t{1} << target;
  C* p = sv.data();
  const auto qubits = sorted_qubits(control_mask, {target});
  if (m01 == C(0) && m10 == C(0)) {  // diagonal: no mixing between the pair
    for_each_group(sv.num_qubits(), qubits, [&](std::uint64_t base) {
      base |= control_mask;
      p[base] *= m00;
      p[base | tmask] *= m11;
    });
    return;
  }
  for_each_group(sv.num_qubits(), qubits, [&](std::uint64_t base) {
    base |= control_mask;
    const C a0 = p[base], a1 = p[base | tmask];
    p[base] = m00 * a0 + m01 * a1;
    p[base | tmask] = m10 * a0 + m11 * a1;
  });
}

template <class R>
void apply_matrix1(StateVector<R>& sv, int target, const Mat2& m) {
  apply_controlled_matrix1(sv, 0, target, m);
}

// Controlled X (X, CX, CCX): a pure permutation, no arithmetic.
template <class R>
void apply_controlled_x(StateVector<R>& sv, std::uint64_t control_mask, int target) {
  const std::uint64_t tmask = std::uint64_t{1} << target;
  auto* p = sv.data();
  for_each_group(sv.num_qubits(), sorted_qubits(control_mask, {target}), [&](std::uint64_t base) {
    base |= control_mask;
    std::swap(p[base], p[base | tmask]);
  });
}

// Controlled SWAP of qubits a and b (SWAP, CSWAP).
template <class R>
void apply_controlled_swap(StateVector<R>& sv, std::uint64_t control_mask, int a, int b) {
  const std::uint64_t amask = std::uint64_t{1} << a, bmask = std::uint64_t{1} << b;
  auto* p = sv.data();
  for_each_group(sv.num_qubits(), sorted_qubits(control_mask, {a, b}), [&](std::uint64_t base) {
    base |= control_mask;
    std::swap(p[base | amask], p[base | bmask]);
  });
}

// A Pauli string P = i^y_count X^x_mask Z^z_mask (Y sets both masks), so that
// P|x> = i^y_count (-1)^popcount(x & z_mask) |x ^ x_mask>.
struct PauliMasks {
  std::uint64_t x_mask = 0;
  std::uint64_t z_mask = 0;
  int y_count = 0;
};

inline cplx i_power(int k) {
  switch (k & 3) {
    case 0: return {1, 0};
    case 1: return {0, 1};
    case 2: return {-1, 0};
    default: return {0, -1};
  }
}

// __builtin_parityll inlines (xor folding and the parity flag) on any x86-64, where
// std::popcount without -mpopcnt is a libgcc call. Arithmetic, not a choice between -1 and 1:
// written as a choice, GCC branches on the parity flag, and in a Pauli sum's phase loops the
// parity of x & z is as good as random, so the branch mispredicts every other time.
inline double parity_sign(std::uint64_t x) {
  return 1.0 - 2.0 * static_cast<double>(__builtin_parityll(x));
}

// exp(-i theta/2 P) = cos(theta/2) - i sin(theta/2) P, in one pass without a matrix.
template <class R>
void apply_pauli_rotation(StateVector<R>& sv, const PauliMasks& pm, double theta) {
  using C = std::complex<R>;
  const double c = std::cos(theta / 2), s = std::sin(theta / 2);
  C* p = sv.data();
  if (pm.x_mask == 0) {  // diagonal: a phase e^{-i s(x) theta/2} per amplitude
    const C plus(static_cast<R>(c), static_cast<R>(-s)), minus(static_cast<R>(c), static_cast<R>(s));
    parallel_for(sv.size(),
                 [&](std::uint64_t x) { p[x] *= (std::popcount(x & pm.z_mask) & 1) ? minus : plus; });
    return;
  }
  // Pairs (x, y = x ^ x_mask) with x's top flipped bit clear; -i s i^y_count is the pair factor.
  const cplx f = cplx(0, -s) * i_power(pm.y_count);
  const int top = 63 - std::countl_zero(pm.x_mask);
  const R cr = static_cast<R>(c);
  parallel_for(sv.size() >> 1, [&](std::uint64_t i) {
    const std::uint64_t x = insert_zero(i, top), y = x ^ pm.x_mask;
    // <x|P|y> = i^ny (-1)^{|y & z|}, <y|P|x> = i^ny (-1)^{|x & z|}
    const C fx = C(f * parity_sign(y & pm.z_mask)), fy = C(f * parity_sign(x & pm.z_mask));
    const C ax = p[x], ay = p[y];
    p[x] = cr * ax + fx * ay;
    p[y] = cr * ay + fy * ax;
  });
}

// A dense 2^k x 2^k matrix on `qubits` (any order; matrix bit j is qubits[j]).
template <class R>
void apply_matrix(StateVector<R>& sv, std::span<const int> qubits, std::span<const cplx> m) {
  using C = std::complex<R>;
  const int k = static_cast<int>(qubits.size());
  const std::size_t dim = std::size_t{1} << k;
  assert(m.size() == dim * dim);
  std::vector<std::uint64_t> offsets(dim, 0);
  for (std::size_t j = 0; j < dim; ++j)
    for (int b = 0; b < k; ++b)
      if ((j >> b) & 1) offsets[j] |= std::uint64_t{1} << qubits[b];
  std::vector<C> mc(m.begin(), m.end());
  std::vector<int> sorted(qubits.begin(), qubits.end());
  std::sort(sorted.begin(), sorted.end());
  C* p = sv.data();
  for_each_group(sv.num_qubits(), sorted, [&](std::uint64_t base) {
    C in[64], out[64];  // k <= 6
    for (std::size_t j = 0; j < dim; ++j) in[j] = p[base | offsets[j]];
    for (std::size_t r = 0; r < dim; ++r) {
      C acc(0);
      for (std::size_t j = 0; j < dim; ++j) acc += mc[r * dim + j] * in[j];
      out[r] = acc;
    }
    for (std::size_t j = 0; j < dim; ++j) p[base | offsets[j]] = out[j];
  });
}

// <a|b>
template <class R>
cplx inner_product(const StateVector<R>& a, const StateVector<R>& b) {
  const auto* pa = a.data();
  const auto* pb = b.data();
  return parallel_sum(a.size(), [&](std::uint64_t i) { return cplx(std::conj(pa[i]) * pb[i]); });
}

// <a|a>, one read of the state with the dispatched SIMD kernel (in slot order, so the same
// answer whichever thread ran which range). The kernel sums in R: called on 4096 amplitudes at a
// time, its sums meet in double, so single precision keeps double's accuracy here.
template <class R>
double norm_squared(const StateVector<R>& a) {
  constexpr std::uint64_t kPiece = 4096;
  const R* const p = reinterpret_cast<const R*>(a.data());
  const auto norms = simd::kernels<R>().weighted_norms;
  return parallel_ranges_sum(a.size(), kPiece, [&](std::uint64_t begin, std::uint64_t end) {
    double out = 0.0;
    for (std::uint64_t b = begin; b < end; b += kPiece)
      norms(p + 2 * b, std::min(kPiece, end - b), nullptr, 0, &out);
    return out;
  });
}

// <bra| (controlled M) |ket>, counting only the subspace where the controls are 1:
// the derivative of a controlled gate vanishes elsewhere.
template <class R>
cplx controlled_matrix1_element(const StateVector<R>& bra, const StateVector<R>& ket,
                                std::uint64_t control_mask, int target, const Mat2& m) {
  const std::uint64_t tmask = std::uint64_t{1} << target;
  const auto* l = bra.data();
  const auto* r = ket.data();
  return sum_over_groups(ket.num_qubits(), sorted_qubits(control_mask, {target}), [&](std::uint64_t base) {
    base |= control_mask;
    const cplx a0(r[base]), a1(r[base | tmask]);
    return std::conj(cplx(l[base])) * (m[0] * a0 + m[1] * a1) +
           std::conj(cplx(l[base | tmask])) * (m[2] * a0 + m[3] * a1);
  });
}

// <bra|P|ket> for a Pauli string.
template <class R>
cplx pauli_element(const StateVector<R>& bra, const StateVector<R>& ket, const PauliMasks& pm) {
  const auto* l = bra.data();
  const auto* r = ket.data();
  const cplx ph = i_power(pm.y_count);
  return ph * parallel_sum(ket.size(), [&](std::uint64_t x) {
           return std::conj(cplx(l[x ^ pm.x_mask])) * cplx(r[x]) * parity_sign(x & pm.z_mask);
         });
}

}  // namespace vqsim::core
