// Energies and gradients of <psi(theta)|H|psi(theta)> for one circuit and observable.
// The evaluator owns its state vectors, so an evaluation allocates nothing.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "circuit/circuit.hpp"
#include "circuit/executor.hpp"
#include "observable/pauli_sum.hpp"

namespace vqsim::gradient {

enum class Method { Adjoint, ParameterShift, FiniteDifference };

std::string_view method_name(Method m);

class Evaluator {
 public:
  Evaluator(const circuit::Circuit& circuit, const observable::PauliSum& observable);

  double energy(const std::vector<double>& theta);
  // Returns the energy and writes dE/dtheta into gradient (resized to num_parameters).
  double energy_and_gradient(const std::vector<double>& theta, std::vector<double>& gradient, Method method);

  // The state after the last energy() call.
  const core::StateVector<double>& state() const { return psi_; }
  // Circuit executions so far (an adjoint gradient counts as one forward and one backward).
  long evaluations() const { return evaluations_; }
  // Number of state vectors this evaluator holds (for memory estimates).
  static constexpr int kStateVectors = 2;

 private:
  double adjoint(const std::vector<double>& theta, std::vector<double>& gradient);
  double parameter_shift(const std::vector<double>& theta, std::vector<double>& gradient);
  double finite_difference(const std::vector<double>& theta, std::vector<double>& gradient);
  // Energy with the angles in `angles_` (possibly shifted), not counting as an evaluation.
  double energy_from_angles();

  const circuit::Circuit& circuit_;
  const observable::PauliSum& observable_;
  core::StateVector<double> psi_;
  core::StateVector<double> lambda_;
  circuit::AngleTable angles_;
  long evaluations_ = 0;
};

}  // namespace vqsim::gradient
