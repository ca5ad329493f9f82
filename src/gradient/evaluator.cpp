#include "gradient/evaluator.hpp"

#include <array>
#include <cmath>
#include <numbers>

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

template <class Real>
BasicEvaluator<Real>::BasicEvaluator(const circuit::Circuit& circuit, const observable::PauliSum& observable,
                                     int block_bits)
    : circuit_(circuit),
      observable_(observable),
      program_(circuit, block_bits, true, circuit::Start::Zero),
      psi_(circuit.num_qubits) {
  backward_bits_ = block_bits > 0 ? std::max(1, block_bits - 1) : circuit::default_block_bits<Real>(2);
  if (block_bits <= 0 && circuit.num_qubits <= circuit::kSingleBlockQubits)
    backward_bits_ = std::max(1, circuit.num_qubits);
  std::vector<std::size_t> reversed(circuit.gates.size());
  for (std::size_t i = 0; i < reversed.size(); ++i) reversed[i] = reversed.size() - 1 - i;
  for (auto& plan : circuit::schedule_stages(circuit, reversed, backward_bits_, 4)) {
    BackwardStage st;
    st.whole_state = plan.whole_state;
    st.gates = std::move(plan.gates);
    if (!st.whole_state) st.layout = core::BlockLayout(circuit.num_qubits, plan.qubits);
    backward_.push_back(std::move(st));
  }
}

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
// un-applies each gate to both vectors; the derivative elements are taken in the same pass
// (core::simd adjoint_matrix1), and the sweep is cache-blocked like the forward pass: each stage
// gathers a block of psi and of lambda and un-applies all of its gates while they sit in L2.
template <class Real>
void BasicEvaluator<Real>::adjoint_step_whole(std::size_t k, std::vector<double>& gradient) {
  core::StateVector<Real>& lam = *lambda_;
  const auto& g = circuit_.gates[k];
  const auto& a = angles_[k];
  std::array<core::cplx, 3> d{};  // <lambda_k| dU/da_j |phi_{k-1}>, at most 3 angles
  if (g.is_parameterised()) {
    if (circuit::is_pauli_kind(g.kind)) {
      d[0] = core::cplx(0, -0.5) * core::pauli_element(lam, psi_, circuit::pauli_masks(g));
      circuit::apply_gate(psi_, g, a, true);
    } else {
      circuit::apply_gate(psi_, g, a, true);
      const std::uint64_t cmask = circuit::control_mask(g);
      for (std::size_t j = 0; j < g.angles.size(); ++j) {
        if (g.angles[j].is_constant()) continue;
        const core::Mat2 dm = circuit::target_matrix_derivative(g.kind, a, static_cast<int>(j));
        d[j] = core::controlled_matrix1_element(lam, psi_, cmask, g.qubits.back(), dm);
      }
    }
    for (std::size_t j = 0; j < g.angles.size(); ++j)
      for (const auto& [p, coef] : g.angles[j].terms)
        gradient[static_cast<std::size_t>(p)] += 2.0 * coef * d[j].real();
  } else {
    circuit::apply_gate(psi_, g, a, true);
  }
  circuit::apply_gate(lam, g, a, true);
}

template <class Real>
double BasicEvaluator<Real>::adjoint(const std::vector<double>& theta, std::vector<double>& gradient) {
  ++evaluations_;
  angles_.fill(circuit_, theta);
  program_.refill(angles_);  // the program starts from |0...0> itself
  program_.run(psi_);
  core::StateVector<Real>& lam = lambda();
  observable_.apply(psi_, lam);
  const double energy = observable_.expectation(psi_);

  const std::size_t num_params = gradient.size();
  const std::size_t stride = (num_params + 7) / 8 * 8 + 8;  // padded: no false sharing
  const int threads = std::max(1, core::max_threads());
  if (thread_gradients_.size() < stride * static_cast<std::size_t>(threads))
    thread_gradients_.resize(stride * static_cast<std::size_t>(threads));
  std::fill(thread_gradients_.begin(), thread_gradients_.end(), 0.0);
  scratch_.reserve(backward_bits_, 2);
  Real* ps = reinterpret_cast<Real*>(psi_.data());
  Real* ls = reinterpret_cast<Real*>(lam.data());
  const auto& kern = core::simd::kernels<Real>();

  // One gate's adjoint step on a block; derivative contributions go to this thread's gradient.
  auto step = [&](const core::BlockLayout& l, Real* p, Real* q, std::size_t k, double* grad) {
    const auto& g = circuit_.gates[k];
    const auto& a = angles_[k];
    if (!g.is_parameterised()) {
      circuit::apply_gate_in_block(p, l, g, a, true);
      circuit::apply_gate_in_block(q, l, g, a, true);
      return;
    }
    double re[3] = {0, 0, 0};
    if (circuit::is_pauli_kind(g.kind)) {
      const core::PauliMasks pm = circuit::pauli_masks(g);
      const core::PauliMasks local{l.local_mask(pm.x_mask), l.local_mask(pm.z_mask), pm.y_count};
      re[0] = 0.5 * circuit::pauli_element_in_block(q, p, l.bits, local).imag();  // Re(-i/2 z)
      circuit::apply_gate_in_block(p, l, g, a, true);
      circuit::apply_gate_in_block(q, l, g, a, true);
    } else {
      const core::Mat2 u = circuit::target_matrix(g.kind, a);
      const core::Mat2 ud = circuit::dagger(u);
      Real udag[8], m[24];
      int num_m = 0;
      int which[3] = {0, 0, 0};
      for (int j = 0; j < 4; ++j) {
        udag[2 * j] = static_cast<Real>(ud[static_cast<std::size_t>(j)].real());
        udag[2 * j + 1] = static_cast<Real>(ud[static_cast<std::size_t>(j)].imag());
      }
      for (std::size_t j = 0; j < g.angles.size(); ++j) {
        if (g.angles[j].is_constant()) continue;
        const core::Mat2 dm = circuit::target_matrix_derivative(g.kind, a, static_cast<int>(j));
        const core::Mat2 mj = circuit::mat2_product(dm, ud);
        for (int e = 0; e < 4; ++e) {
          m[8 * num_m + 2 * e] = static_cast<Real>(mj[static_cast<std::size_t>(e)].real());
          m[8 * num_m + 2 * e + 1] = static_cast<Real>(mj[static_cast<std::size_t>(e)].imag());
        }
        which[num_m++] = static_cast<int>(j);
      }
      double acc[3] = {0, 0, 0};
      kern.adjoint_matrix1(p, q, l.bits, l.local_mask(circuit::control_mask(g)),
                           l.local_qubit(g.qubits.back()), udag, m, num_m, acc);
      for (int j = 0; j < num_m; ++j) re[which[j]] = acc[j];
    }
    for (std::size_t j = 0; j < g.angles.size(); ++j)
      for (const auto& [pi, coef] : g.angles[j].terms) grad[pi] += 2.0 * coef * re[j];
  };

  for (const BackwardStage& st : backward_) {
    if (st.whole_state) {
      adjoint_step_whole(st.gates.front(), gradient);
      continue;
    }
    const core::BlockLayout& l = st.layout;
    core::parallel_blocks(l.num_blocks, psi_.size(), [&](std::uint64_t b, int t) {
      double* grad = thread_gradients_.data() + stride * static_cast<std::size_t>(t);
      if (l.contiguous) {
        Real* p = ps + 2 * (b << l.bits);
        Real* q = ls + 2 * (b << l.bits);
        for (std::size_t k : st.gates) step(l, p, q, k, grad);
        return;
      }
      Real* p = scratch_.buffer(t, 0);
      Real* q = scratch_.buffer(t, 1);
      core::gather_block(l, ps, b, p);
      core::gather_block(l, static_cast<const Real*>(ls), b, q);
      for (std::size_t k : st.gates) step(l, p, q, k, grad);
      core::scatter_block(l, ps, b, p);
      core::scatter_block(l, ls, b, q);
    });
  }
  for (int t = 0; t < threads; ++t)
    for (std::size_t i = 0; i < num_params; ++i)
      gradient[i] += thread_gradients_[stride * static_cast<std::size_t>(t) + i];
  return energy;
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
