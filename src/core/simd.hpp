// SIMD block kernels with run-time dispatch: one kernel body (simd_impl.inc) compiled three times,
// for AVX-512, AVX2+FMA and baseline x86-64 (or the host's baseline elsewhere), and chosen once
// from the CPU at start-up.
//
// Why this way: GCC vector extensions let a single body serve every vector width, with the width
// a compile-time constant so all shuffles become immediates; per-file ISA flags (set in
// src/CMakeLists.txt) keep the rest of the library on the baseline ISA, so no AVX instruction can
// leak into code that runs on an older CPU. The ISA files include no code-bearing standard
// header and define everything in an ISA-specific namespace, so no inline function compiled for
// AVX-512 can be picked by the linker for the baseline build (the ODR trap of per-file flags).
// Highway would do the same with more machinery; target_clones cannot clone the inlined helpers.
//
// Every kernel works on a contiguous block of 2^bits interleaved complex amplitudes (re, im),
// with block-local qubit indices; the caller (circuit::Program, observable::PauliSum) arranges
// blocks and threads. Matrices are row-major, complex entries as (re, im) pairs.
#pragma once

#include <cstdint>

namespace vqsim::core::simd {

template <class Real>
struct Kernels {
  // p <- M p on qubit q, M a complex 2x2 (8 reals), applied where (index & cmask) == cmask.
  void (*matrix1)(Real* p, int bits, std::uint64_t cmask, int q, const Real* m);
  // p <- M p on qubit q, M a real 2x2 (4 reals), e.g. RY or H.
  void (*real_matrix1)(Real* p, int bits, int q, const Real* m);
  // p[x] *= row[x & (row_len - 1)] * high[x >> log2(row_len)], row_len = 2^min(bits, 8);
  // row and high are complex tables (interleaved).
  void (*diagonal)(Real* p, int bits, const Real* row, const Real* high);
  // Swaps p[x] and p[x ^ (1 << q)] where (x & cmask) == cmask and bit q of x is 0 (X, CX, CCX).
  void (*controlled_x)(Real* p, int bits, std::uint64_t cmask, int q);
  // out[t] += sum_x |p[x]|^2 w_t[x] for t < num_weights, out[num_weights] += sum_x |p[x]|^2;
  // each weight table holds every weight twice (w[2x] = w[2x+1]), so no shuffle is needed.
  void (*weighted_norms)(const Real* p, std::uint64_t count, const Real* const* weights, int num_weights,
                         double* out);
  // sum over pairs (x, x | 1<<q), bit q of x clear, of 2 Re(conj(p[x | 1<<q]) p[x]) = <p|X_q|p>.
  double (*flip_sum)(const Real* p, int bits, int q);
  // The adjoint step of a (controlled) one-qubit gate U on target q: for j < num_m,
  // acc[j] += <lam| M_j |psi> (complex, restricted to the control subspace), then
  // psi <- Udag psi and lam <- Udag lam on the control subspace.
  void (*adjoint_matrix1)(Real* psi, Real* lam, int bits, std::uint64_t cmask, int q, const Real* udag,
                          const Real* m, int num_m, double* acc);
  const char* isa;

  // ---- Whole-state kernels (circuit::apply_gate) ----
  // p holds all 2^n amplitudes; one call does the slice [begin, end) of the kernel's iteration
  // space, so a caller can split one gate between threads. Slice ends that are multiples of
  // kRangeAlign (or the end of the space) take the vector path; any other slice is still right.
  // Controls on qubits >= kRangeLowBits are compressed out of the space (so every index of it does
  // work); controls below it are checked per lane.
  //
  // Pair kernels, space pair_range_size(n, cmask): the pairs (x, x | 1 << q) with bit q of x clear
  // and every control of cmask set. (a, b) <- M (a, b) for a complex 2x2 M (8 reals) ...
  void (*matrix1_range)(Real* p, int n, std::uint64_t cmask, int q, const Real* m, std::uint64_t begin,
                        std::uint64_t end) = nullptr;
  // ... for a real 2x2 M (4 reals: RY, H, CRY) ...
  void (*real_matrix1_range)(Real* p, int n, std::uint64_t cmask, int q, const Real* m, std::uint64_t begin,
                             std::uint64_t end) = nullptr;
  // ... or swaps a and b (X, CX, CCX).
  void (*controlled_x_range)(Real* p, int n, std::uint64_t cmask, int q, std::uint64_t begin,
                             std::uint64_t end) = nullptr;
  // Space diagonal_range_size(n, cmask), the indices x with every control set:
  // p[x] *= d[parity(x & zmask)], d two complex numbers (RZ, P, CZ, CRZ, RZZ, Z-only rotations).
  void (*diagonal_range)(Real* p, int n, std::uint64_t cmask, std::uint64_t zmask, const Real* d,
                         std::uint64_t begin, std::uint64_t end) = nullptr;
  // Space 2^(n-1), the pairs (y, y ^ xmask) with the top bit of xmask clear in y (xmask != 0):
  // p[y] <- c p[y] + f (-1)^{|(y ^ xmask) & zmask|} p[y ^ xmask] for both members, cf = (c, Re f, Im f),
  // c real (f pure real or pure imaginary is fastest). With c = cos(t/2), f = -i sin(t/2) i^{#Y}
  // it is exp(-i t/2 P) for the Pauli string P = (xmask, zmask); RX and RY are such strings.
  void (*pauli_rotation_range)(Real* p, int n, std::uint64_t xmask, std::uint64_t zmask, const Real* cf,
                               std::uint64_t begin, std::uint64_t end) = nullptr;

  // out[j] += sum over the block of Re(conj(p[x]) p[x ^ 1 << qubits[j]]) (<p|X_q|p> on the block)
  // for j < num, qubits distinct and < bits: flip_sum for many qubits at once, up to four per sweep
  // over the block (tiles of vectors that differ in those qubits stay in registers).
  void (*flip_sums)(const Real* p, int bits, const int* qubits, int num, double* out) = nullptr;
  // The diagonal part of <p|H|p> by factorised tables, over `rows` rows of 2^row_bits amplitudes:
  // sum_r sum_x |p[r 2^row_bits + x]|^2 (T_0[x] + a_r0 + sum_{0<j<num_tables} a_rj T_j[x]) with
  // a_r = coef + r num_tables; tables as in weighted_norms (each weight twice), 1 to 9 of them.
  // Accumulates in vectors across rows (a row's coefficients cost one FMA per table).
  double (*diagonal_rows)(const Real* p, std::uint64_t rows, int row_bits, const Real* const* tables,
                          int num_tables, const double* coef) = nullptr;
};

// The range kernels' conventions (see Kernels): controls on qubits >= kRangeLowBits leave the
// iteration space, and slices aligned to kRangeAlign take the vector path.
inline constexpr int kRangeLowBits = 3;
inline constexpr std::uint64_t kRangeAlign = 64;
// 2^(n - 1 - #controls at or above kRangeLowBits).
std::uint64_t pair_range_size(int n, std::uint64_t cmask);
// 2^(n - #controls at or above kRangeLowBits).
std::uint64_t diagonal_range_size(int n, std::uint64_t cmask);

// The kernels for this CPU (chosen once: AVX-512, else AVX2+FMA, else baseline).
const Kernels<double>& kernels_f64();
const Kernels<float>& kernels_f32();
template <class Real>
const Kernels<Real>& kernels();
template <>
inline const Kernels<double>& kernels<double>() {
  return kernels_f64();
}
template <>
inline const Kernels<float>& kernels<float>() {
  return kernels_f32();
}

// Every compiled variant, for tests that check them against each other (the baseline first;
// variants the CPU cannot run are left out).
int num_variants();
const Kernels<double>& variant_f64(int i);
const Kernels<float>& variant_f32(int i);

}  // namespace vqsim::core::simd
