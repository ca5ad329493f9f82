// Observables as sums of Pauli strings with real coefficients, and their expectation values
// in read-only passes over the state: terms are grouped by X/Y mask, so each group costs one
// pass whatever its size, and no term ever copies the state.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/blocks.hpp"
#include "core/kernels.hpp"
#include "core/simd.hpp"

namespace vqsim::observable {

struct PauliTerm {
  core::PauliMasks masks;
  double coefficient = 0.0;
};

// Raised for a label that is neither a dense nor a sparse Pauli label for n qubits.
class LabelError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Dense ("IXZY", qubit 0 rightmost, exactly n characters) or sparse ("X0 Z3", "" = identity).
core::PauliMasks parse_pauli_label(std::string_view label, int num_qubits);
// The dense label of a Pauli string (qubit 0 rightmost).
std::string dense_label(const core::PauliMasks& m, int num_qubits);

class PauliSum {
 public:
  // Terms with the same Pauli string are added together.
  PauliSum(int num_qubits, const std::vector<PauliTerm>& terms);

  int num_qubits() const { return num_qubits_; }
  const std::vector<PauliTerm>& terms() const { return terms_; }
  // True when H has only real matrix elements (no term with an odd number of Y).
  bool is_real() const;

  template <class R>
  double expectation(const core::StateVector<R>& psi) const;

  // out = H in
  template <class R>
  void apply(const core::StateVector<R>& in, core::StateVector<R>& out) const;

  // Plain one-pass-per-group versions (references for tests).
  template <class R>
  double expectation_reference(const core::StateVector<R>& psi) const;
  template <class R>
  void apply_reference(const core::StateVector<R>& in, core::StateVector<R>& out) const;

 private:
  struct Entry {
    std::uint64_t z_mask;
    core::cplx factor;  // coefficient * i^y_count
  };
  struct Group {
    std::uint64_t x_mask;
    std::vector<Entry> entries;
  };

  // sum_t factor_t (-1)^{|x & z_t|}
  static core::cplx group_phase(const Group& g, std::uint64_t x) {
    double re = 0.0, im = 0.0;
    for (const auto& e : g.entries) {
      const double s = core::parity_sign(x & e.z_mask);
      re += s * e.factor.real();
      im += s * e.factor.imag();
    }
    return {re, im};
  }

  template <class R>
  static double group_expectation(const Group& g, const std::complex<R>* p, std::uint64_t size);
  template <class R>
  static double pair_runs_expectation(const Group& g, const R* p, std::uint64_t size);
  template <class R>
  double expectation_blocked(const R* p) const;
  template <class R>
  void apply_blocked(const R* in, R* out) const;
  void build_plan();

  int num_qubits_;
  std::vector<PauliTerm> terms_;
  std::vector<Group> groups_;

  // The blocked plan (built once). Diagonal terms: for x = (high, low) with `low_bits_` low
  // bits, d(x) = T0[low] + sum_j a_j(high) S_j[low] + a_0(high), with T0 the terms inside the low
  // bits, S_j the sign tables of the distinct low parts of straddling terms, and a_j(high) the
  // straddling and high terms' coefficients with their high signs (computed once per block).
  // Single-flip terms c X_q are evaluated in blocks, several qubits per pass.
  struct HighTerm {
    std::uint64_t z_high;
    double coefficient;
    int table;  // 0: multiplies the block norm; j >= 1: multiplies sum |psi|^2 S_j
  };
  struct Flip {
    int qubit;
    double coefficient;
  };
  // The flips for one precision's block size: those on qubits below it in the contiguous pass,
  // the others in gathered passes, each block holding a few low qubits (contiguous chunks) and
  // as many flip qubits as fit. Within a block, the flips on local qubits below sub_bits are
  // taken per L1-sized sub-block (several sweeps while it is hot), the others in sweeps over the
  // whole block.
  struct Flips {
    std::vector<int> inner, outer;  // local qubits below and above sub_bits
    std::vector<double> inner_coefficient, outer_coefficient;
    void add(int local, int sub_bits, double coefficient);
    bool empty() const { return inner.empty() && outer.empty(); }
  };
  struct FlipPass {
    core::BlockLayout layout;
    Flips flips;
    std::vector<double> local_flip;  // by local qubit (0: none), for gather_stream_terms
  };
  struct FlipPlan {
    int block_bits = 0;
    int sub_bits = 0;
    Flips low;
    std::vector<FlipPass> high;
    // The diagonal's rows in a contiguous block: row_signs[h * rows + r] is high_terms_[h]'s
    // coefficient times its sign on row r's bits inside the block, so a block's row
    // coefficients take one sign per term for the bits above it.
    int rows = 1;
    std::vector<double> row_signs;
    std::vector<double> low_flip;  // the contiguous pass's flips by qubit (0: none), for stream_terms
  };
  template <class R>
  const FlipPlan& flip_plan() const {
    return flip_plans_[sizeof(R) == sizeof(double) ? 0 : 1];
  }
  FlipPlan make_flip_plan(int block_bits, int sub_bits) const;
  // Sweeps over the contiguous pass's blocks: the diagonal's, the inner flips' (per sub-block)
  // and the outer flips', counted in blocks (for the prefetch rate).
  template <class R>
  int contiguous_sweeps() const;
  // The diagonal's table j (T0, then the S_j) in precision R.
  template <class R>
  const R* table(int j) const;
  // a_rj for the rows of the contiguous block at global index `base`: coef[r * num_tables_ + j].
  void row_coefficients(const FlipPlan& plan, std::uint64_t base, double* coef) const;
  // Whether the contiguous pass goes through Kernels::stream_terms, one read per block (the
  // kernel has it, blocks hold a tile, and the diagonal needs at most three tables); otherwise
  // block_terms sweeps each block.
  template <class R>
  bool streams() const;
  // The diagonal terms and the flips of one block (contiguous or gathered) of 2^bits amplitudes;
  // `base` is the block's global index for the diagonal (diagonal = false in gathered blocks).
  // Every sweep advances `ahead` (may be null), which prefetches the state further on.
  template <class R>
  double block_terms(const R* blk, int bits, std::uint64_t base, bool diagonal, const Flips& flips,
                     int sub_bits, core::simd::Ahead* ahead) const;
  FlipPlan flip_plans_[2];  // double, float
  bool has_diagonal_ = false;
  int low_bits_ = 0;
  int num_tables_ = 0;              // T0 and the S_j
  std::vector<double> tables_f64_;  // num_tables_ x 2^low_bits_ x 2 (each weight twice)
  std::vector<float> tables_f32_;
  std::vector<HighTerm> high_terms_;
  std::vector<std::uint64_t> table_low_;  // the low bits table j >= 1 depends on (index j - 1)
  std::vector<Flip> flips_;
  std::vector<std::size_t> general_;  // groups left to the plain path
};

template <class R>
double PauliSum::expectation(const core::StateVector<R>& psi) const {
  return expectation_blocked(reinterpret_cast<const R*>(psi.data()));
}

template <class R>
void PauliSum::apply(const core::StateVector<R>& in, core::StateVector<R>& out) const {
  apply_blocked(reinterpret_cast<const R*>(in.data()), reinterpret_cast<R*>(out.data()));
}

// The plain versions (every group, one pass each): the reference the blocked paths are tested
// against, and the path for groups the blocked plan does not cover.
template <class R>
double PauliSum::expectation_reference(const core::StateVector<R>& psi) const {
  double total = 0.0;
  for (const Group& g : groups_) total += group_expectation(g, psi.data(), psi.size());
  return total;
}

template <class R>
double PauliSum::group_expectation(const Group& g, const std::complex<R>* p, std::uint64_t size) {
  if (g.x_mask == 0) {
    return core::parallel_sum(
               size, [&](std::uint64_t x) { return core::cplx(std::norm(p[x]) * group_phase(g, x).real()); })
        .real();
  }
  // Each pair (x, y = x ^ x_mask) once: <psi|P|psi> = 2 Re sum conj(psi_y) <y|P|x> psi_x.
  const int top = 63 - std::countl_zero(g.x_mask);
  return 2.0 * core::parallel_sum(size >> 1, [&](std::uint64_t i) {
                 const std::uint64_t x = core::insert_zero(i, top), y = x ^ g.x_mask;
                 return std::conj(core::cplx(p[y])) * core::cplx(p[x]) * group_phase(g, x);
               }).real();
}

template <class R>
void PauliSum::apply_reference(const core::StateVector<R>& in, core::StateVector<R>& out) const {
  const auto* p = in.data();
  auto* o = out.data();
  core::parallel_for(in.size(), [&](std::uint64_t y) {
    core::cplx acc = 0;
    for (const Group& g : groups_) {
      const std::uint64_t x = y ^ g.x_mask;
      acc += group_phase(g, x) * core::cplx(p[x]);
    }
    o[y] = std::complex<R>(acc);
  });
}

}  // namespace vqsim::observable
