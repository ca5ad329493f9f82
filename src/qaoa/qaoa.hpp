// QAOA for combinatorial problems: MaxCut, QUBO and Ising models become a diagonal cost
// Hamiltonian H (whose minimum is the best solution) and the alternating circuit
// |+>^n, then per layer exp(-i gamma_k O) and exp(-i beta_k sum X_i), where O is the objective
// operator in the user's sense (the cut for MaxCut, H itself for QUBO and Ising).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "circuit/circuit.hpp"
#include "core/state_vector.hpp"
#include "observable/pauli_sum.hpp"

namespace vqsim::qaoa {

enum class Kind { MaxCut, Qubo, Ising };

struct Edge {
  int u = 0, v = 0;
  double weight = 1.0;
};

struct IsingTerm {
  int i = 0, j = 0;
  double coupling = 0.0;
};

// A problem over n binary variables; bit i of a basis index is variable i (qubit i).
struct CostProblem {
  Kind kind = Kind::MaxCut;
  int num_variables = 0;
  observable::PauliSum hamiltonian{1, {}};  // to be minimised
  // objective(x) = sign * energy(x): maximise the cut (sign -1), minimise QUBO/Ising (sign +1).
  double sign = 1.0;

  bool maximise() const { return sign < 0; }
  // The objective in the user's sense for a basis state.
  double objective(std::uint64_t bits) const;
  // The expected objective in the user's sense for an energy <H>.
  double objective_of_energy(double energy) const { return sign * energy; }
};

// The cut: sum over edges w (1 - Z_u Z_v) / 2; H = -cut.
CostProblem maxcut(int num_nodes, const std::vector<Edge>& edges);
// x^T Q x over x in {0,1}^n with x_i = (1 - Z_i) / 2.
CostProblem qubo(const std::vector<std::vector<double>>& q);
// sum h_i s_i + sum J_ij s_i s_j with spin s_i = +1 for bit 0 and -1 for bit 1 (s_i = Z_i).
CostProblem ising(const std::vector<double>& h, const std::vector<IsingTerm>& j);

// p layers; parameters gamma[k] and beta[k], in the order gamma[0], beta[0], gamma[1], ...
circuit::Circuit circuit(const CostProblem& problem, int layers);

// The linear ramp start (a discretised annealing path): gamma_k = (k + 1/2) / p * dt and
// beta_k = (1 - (k + 1/2) / p) * dt with dt = 0.75, in circuit() order.
std::vector<double> ramp_start(int layers);

// Up to this many variables the optimum is found by enumerating every bit string.
inline constexpr int kMaxEnumerate = 24;

struct Optimum {
  double objective = 0.0;
  std::uint64_t bits = 0;
};
Optimum enumerate_optimum(const CostProblem& problem);

}  // namespace vqsim::qaoa

namespace vqsim::qaoa {

struct Solution {
  std::uint64_t bits = 0;
  double probability = 0.0;
  double objective = 0.0;
};

struct Analysis {
  double expected_objective = 0.0;
  std::vector<Solution> best_solutions;  // the most likely bit strings, most likely first
  Solution solution;                     // the best objective among best_solutions
  std::optional<Optimum> optimum;        // when enumerated
  std::optional<double> approximation_ratio;
};

// What the final QAOA state says about the problem: its top_k outcomes, and, when `enumerate`,
// the true optimum and expected_objective / optimum. For double and float states.
template <class Real>
Analysis analyse(const CostProblem& problem, const core::StateVector<Real>& state, double energy,
                 std::size_t top_k, bool enumerate);

}  // namespace vqsim::qaoa
