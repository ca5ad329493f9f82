// Observables as sums of Pauli strings with real coefficients, and their expectation values
// in read-only passes over the state: terms are grouped by X/Y mask, so each group costs one
// pass whatever its size, and no term ever copies the state.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/kernels.hpp"

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
    core::cplx acc = 0;
    for (const auto& e : g.entries) acc += e.factor * core::parity_sign(x & e.z_mask);
    return acc;
  }

  int num_qubits_;
  std::vector<PauliTerm> terms_;
  std::vector<Group> groups_;
};

template <class R>
double PauliSum::expectation(const core::StateVector<R>& psi) const {
  const auto* p = psi.data();
  double total = 0.0;
  for (const Group& g : groups_) {
    if (g.x_mask == 0) {
      total += core::parallel_sum(psi.size(), [&](std::uint64_t x) {
                 return core::cplx(std::norm(p[x]) * group_phase(g, x).real());
               }).real();
      continue;
    }
    // Each pair (x, y = x ^ x_mask) once: <psi|P|psi> = 2 Re sum conj(psi_y) <y|P|x> psi_x.
    const int top = 63 - std::countl_zero(g.x_mask);
    total += 2.0 * core::parallel_sum(psi.size() >> 1, [&](std::uint64_t i) {
                     const std::uint64_t x = core::insert_zero(i, top), y = x ^ g.x_mask;
                     return std::conj(core::cplx(p[y])) * core::cplx(p[x]) * group_phase(g, x);
                   }).real();
  }
  return total;
}

template <class R>
void PauliSum::apply(const core::StateVector<R>& in, core::StateVector<R>& out) const {
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
