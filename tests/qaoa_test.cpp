// QAOA: cost Hamiltonians against brute force, and the published p = 1 values.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <numbers>
#include <random>

#include "circuit/executor.hpp"
#include "qaoa/qaoa.hpp"
#include "simulate/simulate.hpp"
#include "vqe/vqe.hpp"

namespace vqsim::qaoa {
namespace {

double energy_at(const CostProblem& p, int layers, const std::vector<double>& angles) {
  const circuit::Circuit c = circuit(p, layers);
  core::StateVector<double> psi(c.num_qubits);
  circuit::AngleTable a;
  a.fill(c, angles);
  circuit::run_circuit(psi, c, a);
  return p.hamiltonian.expectation(psi);
}

std::vector<Edge> ring(int n) {
  std::vector<Edge> e;
  for (int i = 0; i < n; ++i) e.push_back({i, (i + 1) % n, 1.0});
  return e;
}

// Farhi, Goldstone, Gutmann (2014): on the ring of disagrees, p = 1 gives 3/4 of the edges at
// gamma = pi/4, beta = pi/8 (with exp(-i gamma C) exp(-i beta B), C the cut).
TEST(Qaoa, RingOfDisagreesP1GivesThreeQuartersOfTheEdges) {
  for (int n : {6, 8, 10}) {
    const CostProblem p = maxcut(n, ring(n));
    const double cut = p.objective_of_energy(energy_at(p, 1, {std::numbers::pi / 4, std::numbers::pi / 8}));
    EXPECT_NEAR(cut, 0.75 * n, 1e-12) << n;
  }
}

// Wang, Hadfield, Jiang, Rieffel, PRA 97, 022304 (2018): triangle-free 3-regular graphs at p = 1,
// gamma = arctan(1/sqrt 2), beta = pi/8: each edge contributes 0.6924500869; the 3-cube gives 8.3094010431.
TEST(Qaoa, ThreeRegularTriangleFreeP1) {
  const std::vector<Edge> cube{{0, 1, 1}, {1, 3, 1}, {3, 2, 1}, {2, 0, 1}, {4, 5, 1}, {5, 7, 1},
                               {7, 6, 1}, {6, 4, 1}, {0, 4, 1}, {1, 5, 1}, {2, 6, 1}, {3, 7, 1}};
  const CostProblem p = maxcut(8, cube);
  const double gamma = std::atan(1 / std::numbers::sqrt2), beta = std::numbers::pi / 8;
  const double cut = p.objective_of_energy(energy_at(p, 1, {gamma, beta}));
  // The published figures are rounded: the closed form gives 1/2 + 1/(3 sqrt 3) = 0.69245008973 per edge.
  EXPECT_NEAR(cut, 8.3094010431, 1e-7);
  EXPECT_NEAR(cut / 12, 0.6924500869, 1e-8);
  EXPECT_NEAR(cut / 12, 0.5 + 1 / (3 * std::sqrt(3.0)), 1e-12);
  // The closed form 1/2 + 1/2 sin(4 beta) sin(gamma) cos^2(gamma) per edge, at other angles too.
  for (double g : {0.3, 0.9}) {
    for (double b : {0.2, 0.5}) {
      const double per_edge = 0.5 + 0.5 * std::sin(4 * b) * std::sin(g) * std::cos(g) * std::cos(g);
      EXPECT_NEAR(p.objective_of_energy(energy_at(p, 1, {g, b})), 12 * per_edge, 1e-12);
    }
  }
}

TEST(Qaoa, CostHamiltoniansAreTheObjectivesOnEveryBitString) {
  std::mt19937_64 rng(2024);
  std::uniform_real_distribution<double> u(-2, 2);
  const int n = 5;
  std::vector<std::vector<double>> q(n, std::vector<double>(n));
  for (auto& row : q)
    for (auto& v : row) v = u(rng);
  std::vector<double> h(n);
  for (auto& v : h) v = u(rng);
  const std::vector<IsingTerm> j{
      {0, 1, u(rng)}, {1, 3, u(rng)}, {2, 4, u(rng)}, {4, 0, u(rng)}, {2, 2, u(rng)}};
  const std::vector<Edge> edges{{0, 1, 1.5}, {1, 2, 1}, {2, 3, 0.5}, {3, 4, 2}, {0, 4, 1}};
  const CostProblem pq = qubo(q), pi = ising(h, j), pm = maxcut(n, edges);
  for (std::uint64_t x = 0; x < (1u << n); ++x) {
    auto bit = [&](int i) { return static_cast<double>((x >> i) & 1); };
    auto spin = [&](int i) { return 1 - 2 * bit(i); };
    double fq = 0, fi = 0, fm = 0;
    for (int a = 0; a < n; ++a)
      for (int b = 0; b < n; ++b)
        fq += q[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)] * bit(a) * bit(b);
    for (int a = 0; a < n; ++a) fi += h[static_cast<std::size_t>(a)] * spin(a);
    for (const auto& t : j) fi += t.coupling * spin(t.i) * spin(t.j);
    for (const auto& e : edges) fm += e.weight * (bit(e.u) != bit(e.v));
    EXPECT_NEAR(pq.objective(x), fq, 1e-12);
    EXPECT_NEAR(pi.objective(x), fi, 1e-12);
    EXPECT_NEAR(pm.objective(x), fm, 1e-12);
    // The Hamiltonian's diagonal is the objective in the minimised sense.
    core::StateVector<double> basis(n);
    basis.set_basis_state(x);
    EXPECT_NEAR(pm.hamiltonian.expectation(basis), -fm, 1e-12);
    EXPECT_NEAR(pq.hamiltonian.expectation(basis), fq, 1e-12);
  }
  // The odd cycle's best cut leaves out one edge: the lightest (0.5) of the 6.0 total.
  EXPECT_DOUBLE_EQ(enumerate_optimum(pm).objective, 5.5);
}

// The Gray-code enumeration (threads over chunks) against a plain scan of every bit string:
// random weighted MaxCut, QUBO and Ising problems of 6 to 16 variables (the threaded path from
// 14), 1 and 2 threads; the optimum's objective exactly, its bits the smallest of the best.
TEST(Qaoa, EnumeratedOptimumMatchesAPlainScan) {
  const int saved = omp_get_max_threads();
  std::mt19937_64 rng(1201);
  std::uniform_real_distribution<double> w(-2.0, 2.0);
  for (int n : {6, 11, 14, 16}) {
    std::vector<Edge> edges;
    std::vector<std::vector<double>> q(static_cast<std::size_t>(n),
                                       std::vector<double>(static_cast<std::size_t>(n), 0.0));
    std::vector<double> h(static_cast<std::size_t>(n));
    std::vector<IsingTerm> j;
    for (int a = 0; a < n; ++a) {
      h[static_cast<std::size_t>(a)] = w(rng);
      for (int b = a + 1; b < n; ++b)
        if (std::uniform_int_distribution<int>(0, 2)(rng) == 0) {
          edges.push_back({a, b, std::round(2 * std::abs(w(rng))) + 1});  // integer weights: ties happen
          q[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)] = w(rng);
          j.push_back({a, b, w(rng)});
        }
      q[static_cast<std::size_t>(a)][static_cast<std::size_t>(a)] = w(rng);
    }
    for (const CostProblem& p : {maxcut(n, edges), qubo(q), ising(h, j)}) {
      Optimum scan{p.objective(0), 0};
      for (std::uint64_t x = 1; x < (std::uint64_t{1} << n); ++x) {
        const double v = p.objective(x);
        if (p.maximise() ? v > scan.objective + 1e-9 : v < scan.objective - 1e-9) scan = {v, x};
      }
      for (int threads : {1, 2}) {
        omp_set_num_threads(threads);
        const Optimum got = enumerate_optimum(p);
        EXPECT_NEAR(got.objective, scan.objective, 1e-12) << n << " " << threads;
        EXPECT_EQ(got.bits, scan.bits) << n << " " << threads;
      }
    }
  }
  omp_set_num_threads(saved);
}

TEST(Qaoa, AnalyseReportsTheLikelyAndTheOptimum) {
  const CostProblem p = maxcut(4, ring(4));
  const circuit::Circuit c = circuit(p, 1);
  core::StateVector<double> psi(4);
  circuit::AngleTable a;
  a.fill(c, {std::numbers::pi / 4, std::numbers::pi / 8});
  circuit::run_circuit(psi, c, a);
  const Analysis an = analyse(p, psi, p.hamiltonian.expectation(psi), 3, true);
  ASSERT_EQ(an.best_solutions.size(), 3u);
  EXPECT_GE(an.best_solutions[0].probability, an.best_solutions[1].probability);
  ASSERT_TRUE(an.optimum);
  EXPECT_DOUBLE_EQ(an.optimum->objective, 4.0);
  EXPECT_NEAR(*an.approximation_ratio, 0.75, 1e-12);
  EXPECT_EQ(c.parameter_names, (std::vector<std::string>{"gamma[0]", "beta[0]"}));
}

const std::vector<Edge> kCube{{0, 1, 1}, {1, 3, 1}, {3, 2, 1}, {2, 0, 1}, {4, 5, 1}, {5, 7, 1},
                              {7, 6, 1}, {6, 4, 1}, {0, 4, 1}, {1, 5, 1}, {2, 6, 1}, {3, 7, 1}};

// The float engine at the published p = 1 angles (Wang et al., above): the same cut to ~1e-7.
TEST(Qaoa, SinglePrecisionReachesThePublishedP1Value) {
  const CostProblem p = maxcut(8, kCube);
  const circuit::Circuit c = circuit(p, 1);
  const auto psi = simulate::prepare<float>(c, {std::atan(1 / std::numbers::sqrt2), std::numbers::pi / 8});
  EXPECT_NEAR(p.objective_of_energy(p.hamiltonian.expectation(psi)), 8.3094010431, 1e-5);
}

// QAOA optimised in float (examples/maxcut-ring, examples/maxcut-3cube-p2): the same optimum as in
// double within 1e-5, and the final states rank the same bit strings.
TEST(Qaoa, SinglePrecisionOptimisationAgreesWithDouble) {
  for (const auto& [problem, layers] : {std::pair{maxcut(8, ring(8)), 1}, std::pair{maxcut(8, kCube), 2}}) {
    const vqe::Problem job{circuit(problem, layers), problem.hamiltonian};
    vqe::Settings s;
    s.initial = vqe::InitialKind::Given;
    s.initial_parameters = ramp_start(layers);
    s.exact = vqe::ExactMode::Never;
    const auto d = vqe::run(job, s, nullptr);
    s.precision = circuit::Precision::Single;
    const auto f = vqe::run(job, s, nullptr);
    EXPECT_NEAR(f.energy, d.energy, 1e-5) << layers;
    const auto psi_d = simulate::prepare<double>(job.circuit, d.parameters);
    const auto psi_f = simulate::prepare<float>(job.circuit, f.parameters);
    EXPECT_NEAR(problem.hamiltonian.expectation(psi_f), f.energy, 1e-6);
    const Analysis ad = analyse(problem, psi_d, d.energy, 4, true);
    const Analysis af = analyse(problem, psi_f, f.energy, 4, true);
    EXPECT_NEAR(af.expected_objective, ad.expected_objective, 1e-5);
    EXPECT_NEAR(*af.approximation_ratio, *ad.approximation_ratio, 1e-5);
    EXPECT_EQ(af.solution.objective, ad.solution.objective);
    EXPECT_NEAR(af.best_solutions[0].probability, ad.best_solutions[0].probability, 1e-4);
  }
}

}  // namespace
}  // namespace vqsim::qaoa
