#include "qaoa/qaoa.hpp"

#include <bit>
#include <cmath>
#include <map>

#include "core/parallel.hpp"
#include "measure/sampling.hpp"

namespace vqsim::qaoa {
namespace {

observable::PauliTerm z_term(std::uint64_t z_mask, double coefficient) {
  observable::PauliTerm t;
  t.masks.z_mask = z_mask;
  t.coefficient = coefficient;
  return t;
}

std::uint64_t bit(int i) {
  return std::uint64_t{1} << i;
}

}  // namespace

double CostProblem::objective(std::uint64_t bits) const {
  double e = 0.0;
  for (const auto& t : hamiltonian.terms())
    e += t.coefficient * ((std::popcount(bits & t.masks.z_mask) & 1) ? -1.0 : 1.0);
  return sign * e;
}

CostProblem maxcut(int num_nodes, const std::vector<Edge>& edges) {
  std::vector<observable::PauliTerm> terms;
  double constant = 0.0;
  for (const auto& e : edges) {
    // -w (1 - Z_u Z_v) / 2 = -w/2 + (w/2) Z_u Z_v
    constant -= e.weight / 2;
    terms.push_back(z_term(bit(e.u) | bit(e.v), e.weight / 2));
  }
  terms.push_back(z_term(0, constant));
  return {Kind::MaxCut, num_nodes, observable::PauliSum(num_nodes, terms), -1.0};
}

CostProblem qubo(const std::vector<std::vector<double>>& q) {
  const int n = static_cast<int>(q.size());
  std::vector<observable::PauliTerm> terms;
  double constant = 0.0;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      const double c = q[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
      if (c == 0.0) continue;
      if (i == j) {  // c x_i = c (1 - Z_i) / 2
        constant += c / 2;
        terms.push_back(z_term(bit(i), -c / 2));
      } else {  // c x_i x_j = c (1 - Z_i - Z_j + Z_i Z_j) / 4
        constant += c / 4;
        terms.push_back(z_term(bit(i), -c / 4));
        terms.push_back(z_term(bit(j), -c / 4));
        terms.push_back(z_term(bit(i) | bit(j), c / 4));
      }
    }
  }
  terms.push_back(z_term(0, constant));
  return {Kind::Qubo, n, observable::PauliSum(n, terms), 1.0};
}

CostProblem ising(const std::vector<double>& h, const std::vector<IsingTerm>& j) {
  const int n = static_cast<int>(h.size());
  std::vector<observable::PauliTerm> terms;
  for (int i = 0; i < n; ++i)
    if (h[static_cast<std::size_t>(i)] != 0.0)
      terms.push_back(z_term(bit(i), h[static_cast<std::size_t>(i)]));
  for (const auto& t : j) {
    if (t.i == t.j)
      terms.push_back(z_term(0, t.coupling));  // s_i^2 = 1
    else
      terms.push_back(z_term(bit(t.i) | bit(t.j), t.coupling));
  }
  if (terms.empty()) terms.push_back(z_term(0, 0.0));
  return {Kind::Ising, n, observable::PauliSum(n, terms), 1.0};
}

circuit::Circuit circuit(const CostProblem& problem, int layers) {
  using circuit::AffineAngle;
  using circuit::GateKind;
  circuit::Circuit c;
  const int n = problem.num_variables;
  c.num_qubits = n;
  for (int q = 0; q < n; ++q) c.gates.push_back({GateKind::H, {q}, {}, {}});
  auto angle = [](int parameter, double coefficient) {
    AffineAngle a;
    a.terms.emplace_back(parameter, coefficient);
    return a;
  };
  for (int k = 0; k < layers; ++k) {
    const int gamma = 2 * k, beta = 2 * k + 1;
    c.parameter_names.push_back("gamma[" + std::to_string(k) + "]");
    c.parameter_names.push_back("beta[" + std::to_string(k) + "]");
    // exp(-i gamma O) with O = sign * H the objective operator (the cut for MaxCut, as in
    // Farhi et al.); each term exp(-i gamma c Z...) is a Pauli rotation by angle 2 c gamma.
    for (const auto& t : problem.hamiltonian.terms()) {
      const std::uint64_t z = t.masks.z_mask;
      if (z == 0 || t.coefficient == 0.0) continue;  // the constant is a global phase
      const double coefficient = problem.sign * t.coefficient;
      std::vector<int> qubits;
      for (std::uint64_t m = z; m; m &= m - 1) qubits.push_back(std::countr_zero(m));
      if (qubits.size() == 1)
        c.gates.push_back({GateKind::RZ, qubits, {angle(gamma, 2 * coefficient)}, {}});
      else if (qubits.size() == 2)
        c.gates.push_back({GateKind::RZZ, qubits, {angle(gamma, 2 * coefficient)}, {}});
      else
        c.gates.push_back({GateKind::PauliRotation,
                           qubits,
                           {angle(gamma, 2 * coefficient)},
                           std::string(qubits.size(), 'Z')});
    }
    for (int q = 0; q < n; ++q) c.gates.push_back({GateKind::RX, {q}, {angle(beta, 2.0)}, {}});
  }
  return c;
}

std::vector<double> ramp_start(int layers) {
  const double dt = 0.75;
  std::vector<double> x;
  for (int k = 0; k < layers; ++k) {
    const double f = (k + 0.5) / layers;
    x.push_back(f * dt);
    x.push_back((1 - f) * dt);
  }
  return x;
}

// Every bit string in Gray-code order, in chunks shared by the threads: a step flips one bit,
// which changes only the terms on that bit, so a step costs its bit's degree, not every term
// (2^24 strings of a 3-regular graph: about 50 million term updates instead of 600 million).
// Values within a relative 1e-9 of the best count as ties, and ties go to the smallest bit
// string, so rounding in the running sums cannot pick a different optimum for another thread
// count; the optimum's objective is recomputed directly.
Optimum enumerate_optimum(const CostProblem& problem) {
  const int n = problem.num_variables;
  const std::uint64_t count = std::uint64_t{1} << n;
  const auto& terms = problem.hamiltonian.terms();
  std::vector<std::vector<std::size_t>> on_bit(static_cast<std::size_t>(n));
  for (std::size_t t = 0; t < terms.size(); ++t)
    for (std::uint64_t m = terms[t].masks.z_mask; m != 0; m &= m - 1)
      on_bit[static_cast<std::size_t>(std::countr_zero(m))].push_back(t);
  const double scale = [&] {
    double s = 0.0;
    for (const auto& t : terms) s += std::abs(t.coefficient);
    return s > 0.0 ? s : 1.0;
  }();
  const double tie = 1e-9 * scale;
  auto better = [&](double v, std::uint64_t x, double bv, std::uint64_t bx) {
    const double d = problem.maximise() ? v - bv : bv - v;
    return d > tie || (d >= -tie && x < bx);
  };
  const core::BlockSplit split = core::block_split(count, count);
  std::vector<Optimum> best(static_cast<std::size_t>(split.slots), Optimum{0.0, ~std::uint64_t{0}});
  core::parallel_ranges_slotted(
      count, count, 1, [&](std::uint64_t begin, std::uint64_t end, std::uint64_t slot, int) {
        std::vector<double> chi(terms.size());
        std::uint64_t g = begin ^ (begin >> 1);
        double e = 0.0;
        for (std::size_t t = 0; t < terms.size(); ++t) {
          chi[t] = (std::popcount(g & terms[t].masks.z_mask) & 1) ? -1.0 : 1.0;
          e += terms[t].coefficient * chi[t];
        }
        Optimum b{problem.sign * e, g};
        for (std::uint64_t i = begin + 1; i < end; ++i) {
          const int flipped = std::countr_zero(i);  // gray(i) = gray(i - 1) ^ (1 << flipped)
          g ^= std::uint64_t{1} << flipped;
          for (std::size_t t : on_bit[static_cast<std::size_t>(flipped)]) {
            e -= 2.0 * terms[t].coefficient * chi[t];
            chi[t] = -chi[t];
          }
          const double v = problem.sign * e;
          if (better(v, g, b.objective, b.bits)) b = {v, g};
        }
        best[slot] = b;
      });
  Optimum out = best.front();  // the first slot always holds a range
  for (const Optimum& b : best)
    if (b.bits != ~std::uint64_t{0} && better(b.objective, b.bits, out.objective, out.bits)) out = b;
  out.objective = problem.objective(out.bits);
  return out;
}

}  // namespace vqsim::qaoa

namespace vqsim::qaoa {

template <class Real>
Analysis analyse(const CostProblem& problem, const core::StateVector<Real>& state, double energy,
                 std::size_t top_k, bool enumerate) {
  Analysis a;
  a.expected_objective = problem.objective_of_energy(energy);
  for (const auto& [p, bits] : measure::most_likely(state, top_k))
    a.best_solutions.push_back({bits, p, problem.objective(bits)});
  a.solution = a.best_solutions.front();
  for (const auto& s : a.best_solutions)
    if (problem.maximise() ? s.objective > a.solution.objective : s.objective < a.solution.objective)
      a.solution = s;
  if (enumerate) {
    a.optimum = enumerate_optimum(problem);
    if (a.optimum->objective != 0.0) a.approximation_ratio = a.expected_objective / a.optimum->objective;
  }
  return a;
}

template Analysis analyse(const CostProblem&, const core::StateVector<double>&, double, std::size_t, bool);
template Analysis analyse(const CostProblem&, const core::StateVector<float>&, double, std::size_t, bool);

}  // namespace vqsim::qaoa
