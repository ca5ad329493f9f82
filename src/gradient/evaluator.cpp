#include "gradient/evaluator.hpp"

#include <array>
#include <cmath>
#include <numbers>

#include "core/parallel.hpp"
#include "core/simd.hpp"

namespace vqsim::gradient {

using circuit::GateKind;

std::string_view method_name(Method m) {
  switch (m) {
    case Method::Adjoint: return "adjoint";
    case Method::ParameterShift: return "parameter_shift";
    default: return "finite_difference";
  }
}

namespace {
// The backward sweep holds two vectors per block: one qubit less than the forward pass.
template <class Real>
int backward_bits(const circuit::Circuit& circuit, int block_bits) {
  if (block_bits > 0) return std::max(1, block_bits - 1);
  if (circuit.num_qubits <= circuit::kSingleBlockQubits) return std::max(1, circuit.num_qubits);
  return circuit::default_block_bits<Real>(2);
}
}  // namespace

template <class Real>
BasicEvaluator<Real>::BasicEvaluator(const circuit::Circuit& circuit, const observable::PauliSum& observable,
                                     int block_bits)
    : circuit_(circuit),
      observable_(observable),
      program_(circuit, block_bits, true, circuit::Start::Zero),
      backward_(circuit, backward_bits<Real>(circuit, block_bits),
                block_bits <= 0 && circuit.num_qubits > circuit::kSingleBlockQubits, circuit::Start::Zero),
      psi_(circuit.num_qubits) {}

template <class Real>
core::StateVector<Real>& BasicEvaluator<Real>::lambda() {
  if (!lambda_) lambda_ = std::make_unique<core::StateVector<Real>>(circuit_.num_qubits);
  return *lambda_;
}

template <class Real>
double BasicEvaluator<Real>::energy_from_angles() {
  program_.refill(angles_);  // the program starts from |0...0> itself
  program_.run(psi_);
  return observable_.expectation(psi_);
}

template <class Real>
double BasicEvaluator<Real>::energy(const std::vector<double>& theta) {
  ++evaluations_;
  angles_.fill(circuit_, theta);
  return energy_from_angles();
}

template <class Real>
double BasicEvaluator<Real>::energy_and_gradient(const std::vector<double>& theta,
                                                 std::vector<double>& gradient, Method method) {
  gradient.assign(theta.size(), 0.0);
  switch (method) {
    case Method::Adjoint: return adjoint(theta, gradient);
    case Method::ParameterShift: return parameter_shift(theta, gradient);
    default: return finite_difference(theta, gradient);
  }
}

// Adjoint differentiation (Jones & Gacon 2020): with phi_k the state after gate k and
// lambda_k = U_{k+1}^+ ... U_N^+ H psi, dE/da = 2 Re <lambda_k| dU_k/da |phi_{k-1}>
// = 2 Re <lambda_k| (dU_k/da U_k^+) |phi_k>. One forward pass, then one backward sweep that
// un-applies each gate to both vectors, with the derivatives read in the same pass and the
// sweep cache-blocked and fused like the forward pass (gradient::Backward).
template <class Real>
double BasicEvaluator<Real>::adjoint(const std::vector<double>& theta, std::vector<double>& gradient) {
  ++evaluations_;
  angles_.fill(circuit_, theta);
  program_.refill(angles_);  // the program starts from |0...0> itself
  program_.run(psi_);
  core::StateVector<Real>& lam = lambda();
  observable_.apply(psi_, lam);
  // E = <psi|H|psi> = Re<psi|lambda>, which the backward sweep reads from its first blocks:
  // not a second pass over H's terms, nor a separate read of the two vectors.
  backward_.refill(angles_);
  return backward_.run(psi_, lam, gradient);
}

// Shift rules per angle occurrence, chained through the affine coefficients. Generators with
// eigenvalues {+-1/2} or {0, 1} take the two-term rule; controlled rotations ({0, +-1/2})
// the four-term rule of Anselmetti et al., New J. Phys. 23, 113010 (2021).
template <class Real>
double BasicEvaluator<Real>::parameter_shift(const std::vector<double>& theta,
                                             std::vector<double>& gradient) {
  const double energy = this->energy(theta);
  angles_.fill(circuit_, theta);
  auto shifted = [&](std::size_t k, std::size_t j, double shift) {
    auto& values = angles_.at(k);
    const double saved = values[j];
    values[j] = saved + shift;
    ++evaluations_;
    const double e = energy_from_angles();
    values[j] = saved;
    return e;
  };
  const double pi = std::numbers::pi;
  for (std::size_t k = 0; k < circuit_.gates.size(); ++k) {
    const auto& g = circuit_.gates[k];
    for (std::size_t j = 0; j < g.angles.size(); ++j) {
      if (g.angles[j].is_constant()) continue;
      double da = 0.0;
      if (circuit::needs_four_term_shift(g.kind, static_cast<int>(j))) {
        const double d1 = (std::numbers::sqrt2 + 1) / (4 * std::numbers::sqrt2);
        const double d2 = (std::numbers::sqrt2 - 1) / (4 * std::numbers::sqrt2);
        da = d1 * (shifted(k, j, pi / 2) - shifted(k, j, -pi / 2)) -
             d2 * (shifted(k, j, 3 * pi / 2) - shifted(k, j, -3 * pi / 2));
      } else {
        da = 0.5 * (shifted(k, j, pi / 2) - shifted(k, j, -pi / 2));
      }
      for (const auto& [p, coef] : g.angles[j].terms) gradient[static_cast<std::size_t>(p)] += coef * da;
    }
  }
  return energy;
}

// Central differences; the step balances truncation (h^2) against round-off (eps / h).
template <class Real>
double BasicEvaluator<Real>::finite_difference(const std::vector<double>& theta,
                                               std::vector<double>& gradient) {
  const double energy = this->energy(theta);
  const double h = 1e-5;
  std::vector<double> t = theta;
  for (std::size_t p = 0; p < theta.size(); ++p) {
    t[p] = theta[p] + h;
    const double up = this->energy(t);
    t[p] = theta[p] - h;
    const double down = this->energy(t);
    t[p] = theta[p];
    gradient[p] = (up - down) / (2 * h);
  }
  // Leave the evaluator's state at theta, as after the other methods.
  this->energy(theta);
  --evaluations_;
  return energy;
}

template class BasicEvaluator<double>;
template class BasicEvaluator<float>;

}  // namespace vqsim::gradient
