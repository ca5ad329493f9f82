#include "gradient/evaluator.hpp"

#include <array>
#include <cmath>
#include <numbers>

namespace vqsim::gradient {

using circuit::GateKind;

std::string_view method_name(Method m) {
  switch (m) {
    case Method::Adjoint: return "adjoint";
    case Method::ParameterShift: return "parameter_shift";
    default: return "finite_difference";
  }
}

Evaluator::Evaluator(const circuit::Circuit& circuit, const observable::PauliSum& observable)
    : circuit_(circuit), observable_(observable), psi_(circuit.num_qubits), lambda_(circuit.num_qubits) {}

double Evaluator::energy_from_angles() {
  psi_.set_basis_state(0);
  circuit::run_circuit(psi_, circuit_, angles_);
  return observable_.expectation(psi_);
}

double Evaluator::energy(const std::vector<double>& theta) {
  ++evaluations_;
  angles_.fill(circuit_, theta);
  return energy_from_angles();
}

double Evaluator::energy_and_gradient(const std::vector<double>& theta, std::vector<double>& gradient,
                                      Method method) {
  gradient.assign(theta.size(), 0.0);
  switch (method) {
    case Method::Adjoint: return adjoint(theta, gradient);
    case Method::ParameterShift: return parameter_shift(theta, gradient);
    default: return finite_difference(theta, gradient);
  }
}

// Adjoint differentiation (Jones & Gacon 2020): with phi_k the state after gate k and
// lambda_k = U_{k+1}^+ ... U_N^+ H psi, dE/da = 2 Re <lambda_k| dU_k/da |phi_{k-1}>.
// One forward pass, then one backward sweep that un-applies each gate to both vectors.
double Evaluator::adjoint(const std::vector<double>& theta, std::vector<double>& gradient) {
  ++evaluations_;
  angles_.fill(circuit_, theta);
  psi_.set_basis_state(0);
  circuit::run_circuit(psi_, circuit_, angles_);
  observable_.apply(psi_, lambda_);
  const double energy = core::inner_product(psi_, lambda_).real();

  for (std::size_t k = circuit_.gates.size(); k-- > 0;) {
    const auto& g = circuit_.gates[k];
    const auto& a = angles_[k];
    if (!g.is_parameterised()) {
      circuit::apply_gate(psi_, g, a, true);
      circuit::apply_gate(lambda_, g, a, true);
      continue;
    }
    std::array<core::cplx, 3> d{};  // <lambda_k| dU/da_j |phi_{k-1}>, at most 3 angles
    if (circuit::is_pauli_kind(g.kind)) {
      // dU/da = -i/2 P U, so the element needs phi_k, before un-applying.
      d[0] = core::cplx(0, -0.5) * core::pauli_element(lambda_, psi_, circuit::pauli_masks(g));
      circuit::apply_gate(psi_, g, a, true);
    } else {
      circuit::apply_gate(psi_, g, a, true);
      const std::uint64_t cmask = circuit::control_mask(g);
      for (std::size_t j = 0; j < g.angles.size(); ++j) {
        if (g.angles[j].is_constant()) continue;
        const core::Mat2 dm = circuit::target_matrix_derivative(g.kind, a, static_cast<int>(j));
        d[j] = core::controlled_matrix1_element(lambda_, psi_, cmask, g.qubits.back(), dm);
      }
    }
    for (std::size_t j = 0; j < g.angles.size(); ++j)
      for (const auto& [p, coef] : g.angles[j].terms)
        gradient[static_cast<std::size_t>(p)] += 2.0 * coef * d[j].real();
    circuit::apply_gate(lambda_, g, a, true);
  }
  return energy;
}

// Shift rules per angle occurrence, chained through the affine coefficients. Generators with
// eigenvalues {+-1/2} or {0, 1} take the two-term rule; controlled rotations ({0, +-1/2})
// the four-term rule of Anselmetti et al., New J. Phys. 23, 113010 (2021).
double Evaluator::parameter_shift(const std::vector<double>& theta, std::vector<double>& gradient) {
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
double Evaluator::finite_difference(const std::vector<double>& theta, std::vector<double>& gradient) {
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

}  // namespace vqsim::gradient
