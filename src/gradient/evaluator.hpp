// Energies and gradients of <psi(theta)|H|psi(theta)> for one circuit and observable.
// The evaluator owns its state vectors, so an evaluation allocates nothing; the second state
// (for adjoint gradients) is allocated on the first gradient request only.
// BasicEvaluator<float> runs the whole simulation in single precision (energies within ~1e-6 of
// double); Evaluator is the double-precision one.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "circuit/circuit.hpp"
#include "circuit/executor.hpp"
#include "circuit/program.hpp"
#include "gradient/backward.hpp"
#include "observable/pauli_sum.hpp"

namespace vqsim::gradient {

enum class Method { Adjoint, ParameterShift, FiniteDifference };

std::string_view method_name(Method m);

template <class Real>
class BasicEvaluator {
 public:
  // block_bits (0 = the default for Real) sets the cache-block size of the forward pass; the
  // backward sweep, holding two vectors, uses one qubit less. Tests set it small.
  BasicEvaluator(const circuit::Circuit& circuit, const observable::PauliSum& observable, int block_bits = 0);

  double energy(const std::vector<double>& theta);
  // Returns the energy and writes dE/dtheta into gradient (resized to num_parameters).
  double energy_and_gradient(const std::vector<double>& theta, std::vector<double>& gradient, Method method);

  // The state after the last energy() call.
  const core::StateVector<Real>& state() const { return psi_; }
  // Circuit executions so far (an adjoint gradient counts as one forward and one backward).
  long evaluations() const { return evaluations_; }
  // Number of state vectors this evaluator holds at most (for memory estimates): one for
  // energies, a second one from the first adjoint gradient on.
  static constexpr int kStateVectors = 2;
  static constexpr int kStateVectorsEnergyOnly = 1;

 private:
  double adjoint(const std::vector<double>& theta, std::vector<double>& gradient);
  double parameter_shift(const std::vector<double>& theta, std::vector<double>& gradient);
  double finite_difference(const std::vector<double>& theta, std::vector<double>& gradient);
  // Energy with the angles in `angles_` (possibly shifted), not counting as an evaluation.
  double energy_from_angles();

  const circuit::Circuit& circuit_;
  const observable::PauliSum& observable_;
  core::StateVector<Real>& lambda();

  circuit::Program<Real> program_;
  Backward<Real> backward_;  // the compiled backward sweep of adjoint gradients
  core::StateVector<Real> psi_;
  std::unique_ptr<core::StateVector<Real>> lambda_;
  circuit::AngleTable angles_;
  long evaluations_ = 0;
};

using Evaluator = BasicEvaluator<double>;
using FloatEvaluator = BasicEvaluator<float>;

extern template class BasicEvaluator<double>;
extern template class BasicEvaluator<float>;

}  // namespace vqsim::gradient
