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

// A prefetch cursor for the expectation's read-only passes, so memory keeps streaming while a
// sweep computes on cached data: for every 16 vectors a sweep visits, `rate` lines of
// [next, end) are prefetched (next advances; nothing past end).
struct Ahead {
  const char* next = nullptr;
  const char* end = nullptr;
  unsigned rate = 0;    // lines per 16 vectors visited
  unsigned credit = 0;  // sixteenths of a line not yet prefetched
};

// One contiguous block's diagonal and single-flip terms, for Kernels::stream_terms.
constexpr int kMaxStreamTables = 3;
template <class Real>
struct StreamTerms {
  const double* flip = nullptr;  // flip[q]: the coefficient of X_q, for every q < bits (0: none)
  // The diagonal, as in diagonal_rows (num_tables = 0: none): rows of 2^row_bits amplitudes,
  // d(x) = T_0[x] + a_r0 + sum_{j >= 1} a_rj T_j[x] with a_rj = coef[r * num_tables + j]; each
  // table holds 2^row_bits weights, each twice. Bit j of tile_constant: T_j is constant over
  // every tile (2^stream_tile_log2 amplitudes), so it joins a_r0 once per tile. row_bits is at
  // least stream_tile_log2 and at most bits.
  int num_tables = 0;
  int row_bits = 0;
  unsigned tile_constant = 0;
  const Real* tables[kMaxStreamTables] = {};
  const double* coef = nullptr;
  const Real* prefetch_end = nullptr;  // the state is prefetched ahead of the block up to here
};

// The row-dependent part of a merged diagonal (Kernels::diagonal_phase): Walsh terms
// exp(i a_j chi(l & u_j) chi(r & row_j)) over a block of rows r of 2^rb columns l (rb =
// min(bits, 8)), grouped in classes by their column mask u (u = 0: a factor per row). Terms
// entirely inside the columns or entirely above them belong in the static row and high tables.
struct RowPhase {
  int num_classes = 0;
  const std::uint64_t* column = nullptr;  // per class: its column mask u (bits < rb)
  const int* first = nullptr;             // class k's terms: [first[k], first[k + 1])
  const std::uint64_t* row = nullptr;     // per term: its row bits (local bits >= rb, shifted down by rb)
  // per term: cos a_j and sin a_j, the sign of its bits outside the block folded into the sine
  const double* cs = nullptr;
  double* scratch = nullptr;  // 5 doubles per class, the kernels' own
};

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
  // One sweep for several one-qubit gates on distinct qubits, held in registers: tile_q[j]
  // (k of them, sorted, each >= lanes_log2) gets tile_m[j]; lane qubit b < lanes_log2 gets the
  // complex 2x2 lane_m[b] unless it is null (lane_m itself may be null). `kind` (TileKind):
  // 0: tile_m are complex 2x2s (8 reals); 1: the same, all real (imaginary parts ignored);
  // 2: rotations [[c, -s], [s, c]] in scaled form, tile_m[j] = {t, 0} for the matrix
  // [[1, -t], [t, 1]] (t = s/c) or {u, 1} for [[u, -1], [1, u]] (u = c/s): the caller applies the
  // dropped factors c or s elsewhere (two FMAs per pair instead of four multiplies); 3: RX-type
  // rotations [[c, -is], [-is, c]] in the same scaled form ([[1, -it], [-it, 1]] or
  // [[u, -i], [-i, u]]), lane slots complex 2x2s.
  void (*tile)(Real* p, int bits, int k, const int* tile_q, const Real* const* tile_m,
               const Real* const* lane_m, int kind);
  // out[w] = in[src(w)] for every vector w (2^lanes_log2 amplitudes) of a block, with
  // src(w) = lo[w & (2^lo_bits - 1)] ^ hi[w >> lo_bits] in vectors: affine permutations (X and CX
  // runs on qubits >= lanes_log2) in one out-of-place copy. in and out must not overlap.
  void (*permute_vectors)(const Real* in, Real* out, int bits, const std::uint64_t* lo, int lo_bits,
                          const std::uint64_t* hi);
  // The adjoint step of a tile of RY gates on distinct qubits: k vector-level slots tile_q with
  // coef[j] ({t, mode} scaled as tile() kind 2 if `scaled`, else {c, s}), nl lane slots lane_q
  // with lane_cs[i] = {c, s} of the inverse rotation to apply. First acc[j] (vector slots, then
  // lane slots) += sum over pairs (a, b) of Re(conj(lam_b) psi_a - conj(lam_a) psi_b), which is
  // 2 Re<lam| -i/2 Y |psi> (times the square of any scale both vectors carry); then both vectors
  // get the rotations. At most 3 vector-level slots and 3 lane slots.
  void (*adjoint_rotations)(Real* psi, Real* lam, int bits, int k, const int* tile_q, const Real* const* coef,
                            int nl, const int* lane_q, const Real* const* lane_cs, bool scaled, double* acc);
  // The adjoint step of a merged diagonal, tables as for `diagonal` (pass the conjugated ones):
  // wrow[x mod row_len] and whigh[x / row_len] accumulate Im(conj(lam[x]) psi[x]), then psi and lam
  // are multiplied by the tables.
  void (*adjoint_diagonal)(Real* psi, Real* lam, int bits, const Real* row, const Real* high, double* wrow,
                           double* whigh);
  int lanes_log2;  // amplitudes per vector = 2^lanes_log2; lower qubits live inside a vector
  int tile_max;    // tile qubits one register tile holds
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
  // out[x] += sum_j tile_c[j] in[x ^ (1 << tile_q[j])] + sum_i lane_c[i] in[x ^ (1 << lane_q[i])]
  // over a block, in one sweep: k <= 3 vector-level qubits (sorted, >= lanes_log2), nl <= 3 lane
  // qubits. The X terms of H|psi>. bits must be at least lanes_log2 + k.
  void (*add_flips)(Real* out, const Real* in, int bits, int k, const int* tile_q, const Real* tile_c, int nl,
                    const int* lane_q, const Real* lane_c) = nullptr;
  // permute_vectors for maps that also move amplitudes between and across lanes (X/CX runs that
  // touch qubits inside a vector): out vector w takes its lane j from lane lane_src[j] mod
  // 2^lanes_log2 of in[src(w)] (lane_src[j] < 2^lanes_log2) or of in[src(w) ^ delta] (otherwise).
  void (*permute_lanes)(const Real* in, Real* out, int bits, const std::uint64_t* lo, int lo_bits,
                        const std::uint64_t* hi, std::uint64_t delta, const int* lane_src) = nullptr;
  // sum_i a[i] b[i] over `reals` reals (Re<a|b> for interleaved complex vectors), summed in
  // double every few hundred terms.
  double (*dot)(const Real* a, const Real* b, std::size_t reals) = nullptr;
  // sum_x |p[x]|^2 d(x) + sum_q flip[q] <p|X_q|p> over a contiguous block of 2^bits amplitudes
  // (bits >= stream_tile_log2), in one read: tile by tile (2^stream_tile_log2 amplitudes held
  // in registers), each tile meeting the earlier tiles it differs from in one flip qubit (in L1
  // or L2, prefetched two tiles ahead) while memory streams in the tiles ahead. One read with
  // the arithmetic spread evenly over it, so the two overlap (sweeping a cached block between
  // reads left memory idle).
  double (*stream_terms)(const Real* p, int bits, const StreamTerms<Real>& terms) = nullptr;
  // The flips of stream_terms over a gathered block of 2^bits amplitudes: chunk j (2^chunk_bits
  // amplitudes, chunk_bits >= stream_tile_log2) at state + 2 (base + chunk_offset[j]), read once,
  // so the gather and the arithmetic are one pass. buffer (room for 2^bits amplitudes) is scratch:
  // the tiles read are kept there, in a ring, for the later tiles that pair with them.
  double (*gather_stream_terms)(const Real* state, std::uint64_t base, const std::uint64_t* chunk_offset,
                                int chunk_bits, int bits, Real* buffer, const double* flip) = nullptr;
  int stream_tile_log2 = 0;
  // Contraction of a state with a product state over rows h in [h0, h1) of 2^row_bits
  // amplitudes p[h, l] (row_bits >= lanes_log2): with high[h] complex (interleaved) and low[l]
  // given as low_re[2l] = low_re[2l+1] = re(low[l]), low_im likewise, it adds
  // a_re += p[h, l] re(high[h]) and a_im += p[h, l] im(high[h]) (interleaved like p, so
  // sum_h conj(p[h, l]) high[h] = (a_re[2l] + a_im[2l+1], a_im[2l] - a_re[2l+1])) and sets
  // b[h] = sum_l conj(p[h, l]) low[l] (complex, two doubles per row).
  void (*contract_rows)(const Real* p, int row_bits, std::uint64_t h0, std::uint64_t h1, const Real* high,
                        const Real* low_re, const Real* low_im, Real* a_re, Real* a_im, double* b) = nullptr;
  void (*flip_sums)(const Real* p, int bits, const int* qubits, int num, double* out) = nullptr;
  // The diagonal part of <p|H|p> by factorised tables, over `rows` rows of 2^row_bits amplitudes:
  // sum_r sum_x |p[r 2^row_bits + x]|^2 (T_0[x] + a_r0 + sum_{0<j<num_tables} a_rj T_j[x]) with
  // a_r = coef + r num_tables; tables as in weighted_norms (each weight twice), 1 to 9 of them.
  // Accumulates in vectors across rows (a row's coefficients cost one FMA per table).
  double (*diagonal_rows)(const Real* p, std::uint64_t rows, int row_bits, const Real* const* tables,
                          int num_tables, const double* coef) = nullptr;
  // flip_sums and diagonal_rows that also advance `ahead` (may be null) as they go; the
  // diagonal keeps more partial sums in flight (its rows are long FMA chains otherwise).
  void (*paced_flip_sums)(const Real* p, int bits, const int* qubits, int num, double* out,
                          Ahead* ahead) = nullptr;
  double (*paced_diagonal_rows)(const Real* p, std::uint64_t rows, int row_bits, const Real* const* tables,
                                int num_tables, const double* coef, Ahead* ahead) = nullptr;

  // ---- Diagonals and Pauli rotations anywhere in a block (gate and adjoint families) ----
  // A merged diagonal whose terms straddle the row split: p[r 2^rb + l] *= row[l] high[r] times
  // the RowPhase terms of row r (tables as for `diagonal`). Per row, the terms' factors are built
  // into a table over the low 4 columns and one over the rest (single-column terms by doubling),
  // so a row costs three complex products per vector however many terms straddle.
  void (*diagonal_phase)(Real* p, int bits, const Real* row, const Real* high, const RowPhase& rp) = nullptr;
  // Its adjoint step (tables and sines already conjugated): psi and lam get the phase; with
  // w(x) = Im(conj(lam[x]) psi[x]), wrow[x mod 2^rb] and whigh[x / 2^rb] accumulate w as for
  // adjoint_diagonal, and wterm[j] += sum_x chi(l & u_j) chi(r & row_j) w(x) for every RowPhase
  // term j (its derivative, up to the sign of the bits outside the block).
  void (*adjoint_diagonal_phase)(Real* psi, Real* lam, int bits, const Real* row, const Real* high,
                                 const RowPhase& rp, double* wrow, double* whigh, double* wterm) = nullptr;
  // adjoint_rotations for RX gates on 1 to 3 vector-level qubits (no lane slots): acc[j] += the
  // sum over pairs of Im(conj(lam_a) psi_b + conj(lam_b) psi_a) (= 2 Re<lam| -i/2 X |psi>), then
  // both vectors get the inverse rotations [[c, -is], [-is, c]], coef as tile() kind 3 when scaled.
  void (*adjoint_xrotations)(Real* psi, Real* lam, int bits, int k, const int* tile_q,
                             const Real* const* coef, bool scaled, double* acc) = nullptr;
  // Pauli rotations sharing the X mask `xmask` and the parity of their Y counts, on a block: for
  // every pair (y, y ^ xmask), y's top xmask bit clear, k = the bits of y at `dmask` (in order;
  // at most 6, none at the top xmask bit), c = cs[2k], s = cs[2k + 1] (-1)^{|y & zmask|}:
  // (a, b) <- (c a - s b, s a + c b) if sigma_y, else (c a - i s b, c b - i s a). With
  // z_t = zmask ^ d_t and cs[k] = (cos, sin) of sum_t (theta_t / 2) s_t (-1)^{|k & d_t|}, that is
  // the product of exp(-i theta_t / 2 P_t) (s_t = +-1 the string's phase relative to sigma).
  void (*pauli_family)(Real* p, int bits, std::uint64_t xmask, std::uint64_t zmask, std::uint64_t dmask,
                       const double* cs, bool sigma_y) = nullptr;
  // Its adjoint step (cs for the inverse: sines negated): g[k] += sum over pairs of pattern k of
  // (-1)^{|y & zmask|} Re(conj(lam_a) psi_b - conj(lam_b) psi_a) (sigma_y) or
  // (-1)^{|y & zmask|} Im(conj(lam_a) psi_b + conj(lam_b) psi_a) (sigma_x), a = y, b = y ^ xmask;
  // then psi and lam get the rotations.
  void (*adjoint_pauli_family)(Real* psi, Real* lam, int bits, std::uint64_t xmask, std::uint64_t zmask,
                               std::uint64_t dmask, const double* cs, bool sigma_y, double* g) = nullptr;
};

// The most bits of a Pauli family's pattern mask (Kernels::pauli_family): 64 patterns.
inline constexpr int kMaxFamilyPatternBits = 6;

// How flip_sums groups its qubits: of `left` vector-level qubits still to do, the next sweep
// takes four (three when that leaves fewer sweeps short of four; all when fewer than three).
int flip_group_size(int left);
// The sweeps flip_sums makes over a block for these qubits (the in-vector ones, below
// lanes_log2, ride along with the first), for callers that pace work by sweeps.
int flip_sweep_count(const int* qubits, int num, int lanes_log2);

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
