// Measurement as on hardware: sampled bit strings, the most likely outcomes, and finite-shot
// energy estimates measured basis by basis over qubit-wise commuting groups.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/state_vector.hpp"
#include "observable/pauli_sum.hpp"

namespace vqsim::measure {

// "0101" for index 5 on 4 qubits: qubit 0 is the rightmost character.
std::string bit_string(std::uint64_t index, int num_qubits);

// `shots` samples of the computational-basis measurement of psi, as index -> count.
// One pass over the state after sorting the uniforms: no state-sized memory. Probabilities are
// summed in double whatever Real is (double and float are instantiated).
template <class Real>
std::map<std::uint64_t, std::uint64_t> sample(const core::StateVector<Real>& psi, std::uint64_t shots,
                                              std::mt19937_64& rng);

// The k most likely basis states (probability, index), most likely first; ties by index.
template <class Real>
std::vector<std::pair<double, std::uint64_t>> most_likely(const core::StateVector<Real>& psi, std::size_t k);

// Estimates <H> from `shots` measurements per qubit-wise commuting group of terms, each group
// measured in its own product basis (H for X, S^dagger H for Y) on a copy of psi.
template <class Real>
class BasicShotEstimator {
 public:
  explicit BasicShotEstimator(const observable::PauliSum& h);
  double estimate(const core::StateVector<Real>& psi, std::uint64_t shots, std::mt19937_64& rng);
  std::size_t num_groups() const { return groups_.size(); }

 private:
  struct Group {
    std::vector<observable::PauliTerm> terms;
    std::uint64_t x_basis = 0;  // qubits measured in the X basis
    std::uint64_t y_basis = 0;  // qubits measured in the Y basis
  };
  std::vector<Group> groups_;
  double identity_ = 0.0;
  std::unique_ptr<core::StateVector<Real>> work_;
};

using ShotEstimator = BasicShotEstimator<double>;

extern template class BasicShotEstimator<double>;
extern template class BasicShotEstimator<float>;

}  // namespace vqsim::measure
