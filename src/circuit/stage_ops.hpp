// Two stage operations shared by the compiled circuit (Program) and its backward sweep
// (gradient::Backward): every diagonal gate of a stage merged into one phase, and the Pauli
// rotations that share an X mask fused into one pass. Neither needs its qubits in the block:
// a diagonal reads the index bits wherever they are, and a Pauli rotation only needs its X/Y
// qubits local (its Z string is a sign read from the index). So RZZ on a graph's edges, CP, CRZ,
// RZ and Z-only rotations join any stage, and the 8 strings of a Jordan-Wigner double excitation
// cost one sweep of a block instead of 8 passes over the state.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "circuit/circuit.hpp"
#include "circuit/executor.hpp"
#include "core/blocks.hpp"
#include "core/simd.hpp"

namespace vqsim::circuit {

// The diagonal gates of a stage as one phase exp(i sum_t a_t chi_{z_t}(x)), chi_z(x) =
// (-1)^{|x & z|}, each a_t affine in the gates' angles (Walsh terms, circuit::diagonal_walsh,
// merged by z). For blocks of a layout with rows of 2^rb columns (rb = min(bits, 8)), the terms on
// the columns alone make a row table and those on the bits above them alone a high table (both
// fixed per parameter vector, the form core::simd `diagonal` reads); the rest (terms that reach
// both, or bits outside the block) go to the kernel as RowPhase terms, whose signs outside the
// block are set per block.
class MergedDiagonal {
 public:
  void add(const Gate& gate, std::size_t index);
  bool empty() const { return terms_.empty(); }
  // The global qubits of every term.
  std::uint64_t qubits() const { return qubits_; }
  const std::vector<std::size_t>& gates() const { return gates_; }
  // Classifies the terms for blocks of this layout (after the last add).
  void plan(const core::BlockLayout& layout);
  int block_bits() const { return bits_; }
  // Reals of the packed tables: the row table (4 per column), then the high table (2 per row).
  std::size_t table_reals() const;
  // The packed tables and the RowPhase angles for one parameter vector; `inverse` gives the
  // conjugate phase (the backward sweep), and the high table is multiplied by `scale`.
  template <class Real>
  void refill(const AngleTable& angles, bool inverse, double scale, Real* tables);
  bool has_row_phase() const { return !row_terms_.empty(); }
  // The RowPhase terms for the block whose local index 0 is the global index `base`, in `buffer`
  // (row_phase_doubles() doubles).
  core::simd::RowPhase row_phase(std::uint64_t base, double* buffer) const;
  std::size_t row_phase_doubles() const;
  int num_row_terms() const { return static_cast<int>(row_terms_.size()); }
  // Each gate's Re<lam| i dPhase/d(angle) Phase^-1 |psi> on block `base`, from the adjoint
  // kernel's sums of w = Im(conj(lam) psi): wrow by column, whigh by row, wterm per RowPhase term.
  // Calls add(gate, value) once per gate and term.
  template <class Add>
  void derivatives(std::uint64_t base, const double* wrow, const double* whigh, const double* wterm,
                   Add&& add) const;

 private:
  struct Term {
    std::uint64_t z = 0;  // global
    double constant = 0.0;
    std::vector<std::pair<std::size_t, double>> sources;  // (gate, d a / d angle)
    // From plan(): the term's columns, its row bits (shifted down by rb) and its bits outside.
    std::uint64_t column = 0, row = 0, outside = 0;
    double value = 0.0;  // a_t, from refill
  };
  std::vector<Term> terms_;
  std::vector<std::size_t> gates_;
  std::uint64_t qubits_ = 0;
  int bits_ = 0, rb_ = 0;
  std::vector<int> low_terms_, high_terms_;  // indices into terms_ (high: the global phase too)
  // RowPhase terms by class (column mask): row_terms_[first_[k]..first_[k + 1]) share column_[k].
  std::vector<int> row_terms_;
  std::vector<std::uint64_t> column_, row_of_;
  std::vector<int> first_;
  std::vector<double> cs_;  // per RowPhase term: cos, sin (refill)
};

// Pauli rotations that share an X mask and the parity of their Y counts, applied in one pass
// (core::simd pauli_family): on each pair (y, y ^ X) every one of them acts as +-Sigma (sigma_x
// for even Y counts, sigma_y for odd), so together they are exp(-i phi(y) Sigma) with phi a sum of
// their half-angles, signed by the parities of y on their Z strings. The rotations need not
// commute with gates between them in the circuit: a family only grows from consecutive ops.
class PauliFamily {
 public:
  // Whether the Pauli rotation `gate` (X mask not empty) can join this family in a block of
  // this layout: same X mask and Y parity, and at most kMaxFamilyPatternBits pattern bits.
  bool accepts(const Gate& gate, const core::BlockLayout& layout) const;
  void add(const Gate& gate, std::size_t index, const core::BlockLayout& layout);
  const std::vector<std::size_t>& gates() const { return gates_; }
  std::uint64_t x_local() const { return x_; }
  std::uint64_t z_local() const { return z_; }
  std::uint64_t pattern_mask() const { return d_; }
  bool sigma_y() const { return sigma_y_; }
  // Each member's half-angle for one parameter vector (negated with `inverse`), and the pattern
  // table when no member's sign changes from block to block.
  void refill(const AngleTable& angles, bool inverse);
  // The (cos, sin) pattern table of block `base`: precomputed, or computed into `buffer`
  // (table_doubles() doubles).
  const double* table(std::uint64_t base, double* buffer) const;
  std::size_t table_doubles() const { return std::size_t{2} << std::popcount(d_); }
  // Each member's Re<lam| -i/2 P_t |psi> on block `base` from the adjoint kernel's pattern sums g:
  // calls add(gate, value).
  template <class Add>
  void derivatives(std::uint64_t base, const double* g, Add&& add) const;

 private:
  struct Member {
    std::size_t gate = 0;
    double sign = 1.0;          // s_t: the string's phase relative to Sigma
    std::uint64_t z_diff = 0;   // its Z string's difference from the first member's (local bits)
    std::uint64_t pattern = 0;  // the same as pattern bits (refill)
    std::uint64_t outside = 0;  // its Z string outside the block
    double half = 0.0;          // s_t theta_t / 2 (refill)
  };
  void fill_table(std::uint64_t base, double* out) const;

  std::vector<Member> members_;
  std::vector<std::size_t> gates_;
  std::uint64_t x_global_ = 0, x_ = 0, z_ = 0, d_ = 0, top_ = 0;
  bool sigma_y_ = false;
  bool uniform_ = true;        // every member's sign outside the block is the same
  std::vector<double> table_;  // uniform: the table for an even (first half) and odd outside sign
};

template <class Add>
void MergedDiagonal::derivatives(std::uint64_t base, const double* wrow, const double* whigh,
                                 const double* wterm, Add&& add) const {
  // Re<lam| i chi_t |psi> = -sum_x chi_t(x) w(x).
  auto emit = [&](const Term& t, double sum) {
    for (const auto& [gate, per_angle] : t.sources)
      if (per_angle != 0.0) add(gate, -per_angle * sum);
  };
  const std::size_t columns = std::size_t{1} << rb_, rows = std::size_t{1} << (bits_ - rb_);
  for (int i : low_terms_) {
    const Term& t = terms_[static_cast<std::size_t>(i)];
    double sum = 0.0;
    for (std::size_t l = 0; l < columns; ++l) sum += (__builtin_parityll(l & t.column) ? -wrow[l] : wrow[l]);
    emit(t, sum);
  }
  for (int i : high_terms_) {
    const Term& t = terms_[static_cast<std::size_t>(i)];
    double sum = 0.0;
    for (std::size_t r = 0; r < rows; ++r) sum += (__builtin_parityll(r & t.row) ? -whigh[r] : whigh[r]);
    emit(t, sum);
  }
  for (std::size_t j = 0; j < row_terms_.size(); ++j) {
    const Term& t = terms_[static_cast<std::size_t>(row_terms_[j])];
    emit(t, __builtin_parityll(base & t.outside) ? -wterm[j] : wterm[j]);
  }
}

template <class Add>
void PauliFamily::derivatives(std::uint64_t base, const double* g, Add&& add) const {
  const std::size_t patterns = std::size_t{1} << std::popcount(d_);
  // sigma_y: <lam|P_t|psi> = -i s_t sum chi g, so Re<lam| -i/2 P_t |psi> = -s_t / 2 sum chi g;
  // sigma_x: <lam|P_t|psi> = s_t sum chi (Re + i g), so it is s_t / 2 sum chi g.
  const double half = sigma_y_ ? -0.5 : 0.5;
  for (const Member& m : members_) {
    double sum = 0.0;
    for (std::size_t k = 0; k < patterns; ++k) sum += (__builtin_parityll(k & m.pattern) ? -g[k] : g[k]);
    if (__builtin_parityll(base & m.outside)) sum = -sum;
    add(m.gate, half * m.sign * sum);
  }
}

}  // namespace vqsim::circuit
