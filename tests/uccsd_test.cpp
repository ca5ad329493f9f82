// UCCSD against independent references: every excitation's circuit against exp(theta (T - T^dagger))
// built densely from Jordan-Wigner creation and annihilation matrices (Kronecker products written
// here, not our Pauli-string generator), the excitation lists and counts against brute force and
// the combinatorial formulas, and H2 from Hartree-Fock to FCI through the real VQE path.
#include <gtest/gtest.h>

#include <Eigen/Sparse>

#include <algorithm>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "chem/excitations.hpp"
#include "chem/jordan_wigner.hpp"
#include "chem/uccsd.hpp"
#include "dense_reference.hpp"
#include "gradient/evaluator.hpp"
#include "io/input.hpp"
#include "simulate/simulate.hpp"
#include "vqe/vqe.hpp"

namespace vqsim::test {
namespace {

using chem::SpinOrdering;
using io::json;

// H2 / STO-3G / 0.7414 A, Jordan-Wigner, interleaved (OpenFermion test data).
constexpr double kH2Fci = -1.137270174625328;
constexpr double kH2HartreeFock = -1.116684386906734;

// ---- the dense reference: a_p = Z_0 ... Z_{p-1} (|0><1|)_p, qubit 0 the lowest index bit ----

using Sparse = Eigen::SparseMatrix<Cd>;

MatrixXcd annihilation(int p, int n) {
  const MatrixXcd lower = mat2(0, 1, 0, 0);  // |0><1|: removes the particle of an occupied |1>
  MatrixXcd m = MatrixXcd::Identity(1, 1);
  for (int q = n - 1; q >= 0; --q) m = kron(m, q < p ? pauli('Z') : q == p ? lower : pauli('I'));
  return m;
}

// a_p and a+_p of an n-qubit register as sparse matrices (built densely once, then kept).
const Sparse& ladder(int p, int n, bool creation) {
  static std::map<std::tuple<int, int, bool>, Sparse> cache;
  auto it = cache.find({p, n, creation});
  if (it == cache.end()) {
    const MatrixXcd a = annihilation(p, n);
    it = cache.emplace(std::make_tuple(p, n, creation), (creation ? MatrixXcd(a.adjoint()) : a).sparseView())
             .first;
  }
  return it->second;
}

// T of a parameter name: "s[i,a]" is a+_a a_i, "d[i,j,a,b]" is a+_a a+_b a_j a_i (the documented
// convention; "@rep" suffixes ignored).
Sparse excitation_operator(const std::string& name, int n) {
  // "s[" or "d[", comma-separated integers, "]", then an optional "@rep".
  const auto close = name.find(']');
  if (name.size() < 4 || name[1] != '[' || close == std::string::npos)
    throw std::invalid_argument("not an excitation name: " + name);
  std::vector<int> idx;
  std::istringstream in(name.substr(2, close - 2));
  for (std::string part; std::getline(in, part, ',');) idx.push_back(std::stoi(part));
  if (name[0] == 's' && idx.size() == 2) return ladder(idx[1], n, true) * ladder(idx[0], n, false);
  if (name[0] == 'd' && idx.size() == 4) {
    const int i = idx[0], j = idx[1], a = idx[2], b = idx[3];
    return Sparse(Sparse(ladder(a, n, true) * ladder(b, n, true)) * ladder(j, n, false)) *
           ladder(i, n, false);
  }
  throw std::invalid_argument("not an excitation name: " + name);
}

Sparse generator(const std::string& name, int n) {
  const Sparse t = excitation_operator(name, n);
  return t - Sparse(t.adjoint());
}

// exp(theta G) v by its Taylor series: ||G|| <= 1 for an excitation's T - T^dagger (its
// eigenvalues are 0 and +-i), so at |theta| <= 1.5 forty terms leave less than 1.5^40 / 40!.
VectorXcd exp_times(const Sparse& g, double theta, const VectorXcd& v) {
  VectorXcd sum = v, term = v;
  for (int k = 1; k <= 40; ++k) {
    term = (theta / k) * (g * term);
    sum += term;
  }
  return sum;
}

// exp(theta G) for anti-Hermitian G from the eigendecomposition of the Hermitian i G:
// exp(theta G) = V exp(-i theta L) V^dagger. Cross-checks exp_times on small registers.
MatrixXcd exp_anti_hermitian(const MatrixXcd& g, double theta) {
  const MatrixXcd h = kI * g;
  Eigen::SelfAdjointEigenSolver<MatrixXcd> es(0.5 * (h + h.adjoint()));
  const VectorXcd phases = (-kI * theta * es.eigenvalues().cast<Cd>()).array().exp();
  return es.eigenvectors() * phases.asDiagonal() * es.eigenvectors().adjoint();
}

// The whole ansatz without its Hartree-Fock X gates applied to v: the excitations' exponentials
// in parameter order (the first applied first).
VectorXcd dense_apply(const std::vector<Sparse>& generators, const std::vector<double>& theta, VectorXcd v) {
  for (std::size_t k = 0; k < generators.size(); ++k) v = exp_times(generators[k], theta[k], v);
  return v;
}

// Hartree-Fock qubits written out for each ordering (not chem::hartree_fock_qubits).
std::vector<int> hf_qubits(int n, int na, int nb, SpinOrdering o) {
  const int m = n / 2;
  std::vector<int> q;
  for (int p = 0; p < na; ++p) q.push_back(o == SpinOrdering::Interleaved ? 2 * p : p);
  for (int p = 0; p < nb; ++p) q.push_back(o == SpinOrdering::Interleaved ? 2 * p + 1 : m + p);
  return q;
}

chem::UccsdSpec spec_of(int n, int na, int nb, SpinOrdering o, int reps = 1) {
  chem::UccsdSpec s;
  s.occupation = {n, na, nb, o};
  s.reps = reps;
  return s;
}

std::string ordering_name(SpinOrdering o) {
  return o == SpinOrdering::Interleaved ? "interleaved" : "blocked";
}

struct Case {
  int n, na, nb, reps;
  int sampled_columns = 0;  // 0: every column; else this many seeded random ones (kept fast under ASan)
};

// Every column of the circuit's unitary (the X gates replaced by the column's basis state) and
// its Hartree-Fock state against the dense exponentials, at random seeded angles.
TEST(Uccsd, CircuitIsTheProductOfDenseExponentials) {
  std::mt19937_64 rng(2026);
  std::uniform_real_distribution<double> angle(-1.5, 1.5);
  for (SpinOrdering o : {SpinOrdering::Interleaved, SpinOrdering::Blocked})
    for (const Case& k : {Case{4, 1, 1, 1}, Case{4, 1, 0, 2}, Case{6, 1, 1, 1}, Case{6, 2, 1, 1},
                          Case{8, 2, 2, 1}, Case{8, 3, 1, 1, 48}, Case{8, 1, 2, 2, 48}}) {
      SCOPED_TRACE(ordering_name(o) + " n=" + std::to_string(k.n) + " Na=" + std::to_string(k.na) +
                   " Nb=" + std::to_string(k.nb) + " reps=" + std::to_string(k.reps));
      const circuit::Circuit c = chem::uccsd(spec_of(k.n, k.na, k.nb, o, k.reps));
      std::vector<double> theta(c.parameter_names.size());
      for (double& t : theta) t = angle(rng);
      std::vector<Sparse> generators;
      for (const auto& name : c.parameter_names) generators.push_back(generator(name, k.n));
      const Eigen::Index dim = Eigen::Index{1} << k.n;
      auto basis = [&](std::uint64_t b) {
        VectorXcd e = VectorXcd::Zero(dim);
        e(static_cast<Eigen::Index>(b)) = 1;
        return e;
      };

      // The Hartree-Fock state: X gates first, then the excitations.
      std::uint64_t hf = 0;
      for (int q : hf_qubits(k.n, k.na, k.nb, o)) hf |= std::uint64_t{1} << q;
      const auto electrons = static_cast<std::size_t>(k.na + k.nb);
      for (std::size_t g = 0; g < electrons; ++g) ASSERT_EQ(c.gates[g].kind, circuit::GateKind::X);
      const auto psi = simulate::prepare(c, theta);
      const VectorXcd want = dense_apply(generators, theta, basis(hf));
      for (Eigen::Index x = 0; x < dim; ++x)
        ASSERT_NEAR(std::abs(Cd(psi[static_cast<std::uint64_t>(x)]) - want(x)), 0.0, kTol)
            << "HF state, amplitude " << x;

      // Every column (or a seeded sample), from its own basis state.
      std::vector<std::uint64_t> columns;
      std::uniform_int_distribution<std::uint64_t> pick(0, (std::uint64_t{1} << k.n) - 1);
      for (std::uint64_t b = 0; b < (std::uint64_t{1} << k.n); ++b)
        columns.push_back(k.sampled_columns == 0 ? b : pick(rng));
      if (k.sampled_columns > 0) columns.resize(static_cast<std::size_t>(k.sampled_columns));
      for (std::uint64_t b : columns) {
        circuit::Circuit col = c;
        col.gates.erase(col.gates.begin(), col.gates.begin() + static_cast<std::ptrdiff_t>(electrons));
        for (int q = 0; q < k.n; ++q)
          if ((b >> q) & 1)
            col.gates.insert(col.gates.begin(), circuit::Gate{circuit::GateKind::X, {q}, {}, {}});
        const auto out = simulate::prepare(col, theta);
        const VectorXcd column = dense_apply(generators, theta, basis(b));
        for (Eigen::Index x = 0; x < dim; ++x)
          ASSERT_NEAR(std::abs(Cd(out[static_cast<std::uint64_t>(x)]) - column(x)), 0.0, kTol)
              << "column " << b << ", row " << x;
      }
    }
}

// The test's Taylor exponential against the eigendecomposition, on every excitation of 4 and 6
// qubits at a large angle.
TEST(Uccsd, TaylorExponentialAgreesWithEigendecomposition) {
  for (int n : {4, 6}) {
    const circuit::Circuit c = chem::uccsd(spec_of(n, 1, 1, SpinOrdering::Interleaved));
    for (const auto& name : c.parameter_names) {
      const Sparse g = generator(name, n);
      const MatrixXcd exact = exp_anti_hermitian(MatrixXcd(g), 1.5);
      for (Eigen::Index b = 0; b < exact.cols(); ++b) {
        VectorXcd e = VectorXcd::Zero(exact.rows());
        e(b) = 1;
        EXPECT_LT((exp_times(g, 1.5, e) - exact.col(b)).norm(), 1e-13) << name << " column " << b;
      }
      // Not a vacuous comparison: the rotation moves states at this angle.
      EXPECT_GT((exact - MatrixXcd::Identity(exact.rows(), exact.cols())).norm(), 1.0) << name;
    }
  }
}

// One sign pinned by hand: on H2's |0011>, exp(theta (a+_2 a_0 - a+_0 a_2)) gives
// cos(theta) |0011> + sin(theta) a+_2 a_0 |0011>, and a+_2 passes the occupied qubit 1: -|0110>.
TEST(Uccsd, SingleExcitationSignByHand) {
  chem::UccsdSpec s = spec_of(4, 1, 1, SpinOrdering::Interleaved);
  s.kinds.doubles = false;
  const circuit::Circuit c = chem::uccsd(s);
  ASSERT_EQ(c.parameter_names, (std::vector<std::string>{"s[0,2]", "s[1,3]"}));
  const double t = 0.37;
  const auto psi = simulate::prepare(c, {t, 0.0});
  EXPECT_NEAR(std::abs(Cd(psi[0b0011]) - std::cos(t)), 0.0, kTol);
  EXPECT_NEAR(std::abs(Cd(psi[0b0110]) + std::sin(t)), 0.0, kTol);
  EXPECT_EQ(c.initial_bits, "0011");
}

// The gates: X on Hartree-Fock, then 2 rotations a single and 8 a double, each angle a multiple of
// its excitation's own parameter only.
TEST(Uccsd, GateShape) {
  const auto spec = spec_of(8, 2, 2, SpinOrdering::Blocked, 2);
  const circuit::Circuit c = chem::uccsd(spec);
  EXPECT_EQ(static_cast<std::int64_t>(c.gates.size()), chem::uccsd_num_gates(spec));
  EXPECT_EQ(c.num_parameters(), chem::uccsd_num_parameters(spec));
  std::vector<int> per_parameter(static_cast<std::size_t>(c.num_parameters()), 0);
  for (std::size_t g = 4; g < c.gates.size(); ++g) {
    const auto& gate = c.gates[g];
    ASSERT_EQ(gate.kind, circuit::GateKind::PauliRotation);
    ASSERT_EQ(gate.angles.size(), 1u);
    ASSERT_EQ(gate.angles[0].terms.size(), 1u);
    EXPECT_EQ(gate.angles[0].constant, 0.0);
    ++per_parameter[static_cast<std::size_t>(gate.angles[0].terms[0].first)];
  }
  for (int k = 0; k < c.num_parameters(); ++k) {
    const std::string& name = c.parameter_names[static_cast<std::size_t>(k)];
    EXPECT_EQ(per_parameter[static_cast<std::size_t>(k)], name[0] == 's' ? 2 : 8) << name;
  }
  // Names are unique; each repetition has its own.
  EXPECT_EQ(std::set<std::string>(c.parameter_names.begin(), c.parameter_names.end()).size(),
            c.parameter_names.size());
  EXPECT_EQ(c.parameter_names.front(), "s[0,2]@0");
  EXPECT_EQ(c.parameter_names[static_cast<std::size_t>(c.num_parameters() / 2)], "s[0,2]@1");
}

std::int64_t choose(std::int64_t n, std::int64_t k) {
  if (k < 0 || k > n) return 0;
  std::int64_t r = 1;
  for (std::int64_t i = 1; i <= k; ++i) r = r * (n - k + i) / i;
  return r;
}

// The number of parameters against the combinatorial count, and the excitation set against a
// brute-force list of every spin-conserving occupied -> virtual single and double.
TEST(Uccsd, ExcitationsAgainstBruteForceAndCounts) {
  struct Occ {
    int m, na, nb;
  };
  for (SpinOrdering o : {SpinOrdering::Interleaved, SpinOrdering::Blocked})
    for (const Occ& k : {Occ{2, 1, 1}, Occ{3, 1, 1}, Occ{3, 2, 1}, Occ{4, 2, 2}, Occ{4, 3, 1}, Occ{5, 2, 2},
                         Occ{6, 3, 3}, Occ{6, 4, 2}, Occ{4, 0, 2}, Occ{3, 3, 3}, Occ{8, 4, 3}}) {
      const int n = 2 * k.m;
      SCOPED_TRACE(ordering_name(o) + " M=" + std::to_string(k.m) + " Na=" + std::to_string(k.na) +
                   " Nb=" + std::to_string(k.nb));
      const auto spec = spec_of(n, k.na, k.nb, o);
      const std::int64_t singles = k.na * (k.m - k.na) + k.nb * (k.m - k.nb);
      const std::int64_t doubles = choose(k.na, 2) * choose(k.m - k.na, 2) +
                                   choose(k.nb, 2) * choose(k.m - k.nb, 2) +
                                   std::int64_t{k.na} * (k.m - k.na) * k.nb * (k.m - k.nb);
      EXPECT_EQ(chem::uccsd_num_parameters(spec), singles + doubles);
      const circuit::Circuit c = chem::uccsd(spec);
      EXPECT_EQ(c.num_parameters(), singles + doubles);

      // Brute force: spin of each qubit, occupied set, every spin-conserving combination.
      std::set<int> occupied;
      for (int q : hf_qubits(n, k.na, k.nb, o)) occupied.insert(q);
      auto spin = [&](int q) { return o == SpinOrdering::Interleaved ? q % 2 : q / k.m; };
      std::set<std::string> expected;
      for (int i = 0; i < n; ++i)
        for (int a = 0; a < n; ++a)
          if (occupied.count(i) && !occupied.count(a) && spin(i) == spin(a))
            expected.insert("s[" + std::to_string(i) + "," + std::to_string(a) + "]");
      for (int i = 0; i < n; ++i)
        for (int j = i + 1; j < n; ++j)
          for (int a = 0; a < n; ++a)
            for (int b = a + 1; b < n; ++b) {
              if (!occupied.count(i) || !occupied.count(j) || occupied.count(a) || occupied.count(b))
                continue;
              const int sz_occ = spin(i) + spin(j), sz_virt = spin(a) + spin(b);
              if (sz_occ != sz_virt) continue;
              expected.insert("d[" + std::to_string(i) + "," + std::to_string(j) + "," + std::to_string(a) +
                              "," + std::to_string(b) + "]");
            }
      EXPECT_EQ(std::set<std::string>(c.parameter_names.begin(), c.parameter_names.end()), expected);
      // Singles come first.
      const auto first_double = std::find_if(c.parameter_names.begin(), c.parameter_names.end(),
                                             [](const std::string& s) { return s[0] == 'd'; });
      EXPECT_EQ(first_double - c.parameter_names.begin(), singles);
    }
}

// The documented order in blocked ordering (Qiskit Nature's: its docstring lists the singles of
// 6 spin orbitals with (1, 1) particles as ((0,),(1,)), ((0,),(2,)), ((3,),(4,)), ((3,),(5,))),
// and the same excitations relabelled in interleaved ordering.
TEST(Uccsd, DocumentedOrder) {
  const auto blocked = chem::uccsd(spec_of(6, 1, 1, SpinOrdering::Blocked));
  EXPECT_EQ(blocked.parameter_names,
            (std::vector<std::string>{"s[0,1]", "s[0,2]", "s[3,4]", "s[3,5]", "d[0,3,1,4]", "d[0,3,1,5]",
                                      "d[0,3,2,4]", "d[0,3,2,5]"}));
  const auto interleaved = chem::uccsd(spec_of(6, 1, 1, SpinOrdering::Interleaved));
  EXPECT_EQ(interleaved.parameter_names,
            (std::vector<std::string>{"s[0,2]", "s[0,4]", "s[1,3]", "s[1,5]", "d[0,1,2,3]", "d[0,1,2,5]",
                                      "d[0,1,3,4]", "d[0,1,4,5]"}));
  // Two alpha electrons: the alpha-alpha double of the first alpha single comes before its
  // alpha-beta doubles.
  const auto two_alpha = chem::uccsd(spec_of(8, 2, 1, SpinOrdering::Blocked));
  const auto& names = two_alpha.parameter_names;
  const auto singles = static_cast<std::ptrdiff_t>(2 * 2 + 1 * 3);
  EXPECT_EQ(names[static_cast<std::size_t>(singles)], "d[0,1,2,3]");
  EXPECT_EQ(names[static_cast<std::size_t>(singles + 1)], "d[0,4,2,5]");
}

// The Jordan-Wigner generator of a single is i/2 (X Z..Z Y - Y Z..Z X) up to the sign the dense
// reference fixes; here only its shape: 2 and 8 commuting strings with coefficients 1/2 and 1/8.
TEST(Uccsd, GeneratorShape) {
  const auto single = chem::excitation_generator({{1}, {4}});
  ASSERT_EQ(single.size(), 2u);
  for (const auto& t : single) {
    EXPECT_DOUBLE_EQ(std::abs(t.coefficient), 0.5);
    EXPECT_EQ(chem::support(t.word), (std::vector<int>{1, 2, 3, 4}));
  }
  const auto dbl = chem::excitation_generator({{0, 3}, {5, 7}});
  ASSERT_EQ(dbl.size(), 8u);
  for (const auto& t : dbl) EXPECT_DOUBLE_EQ(std::abs(t.coefficient), 0.125);
  // Between 0 and 3 and between 5 and 7 the Z strings; qubit 4 untouched.
  EXPECT_EQ(chem::support(dbl[0].word), (std::vector<int>{0, 1, 2, 3, 5, 6, 7}));
}

// The gradient of a UCCSD energy (8 gates share a double's parameter, repetitions their own):
// adjoint against central finite differences of the energy.
TEST(Uccsd, AdjointGradientAgainstFiniteDifferences) {
  const circuit::Circuit c = chem::uccsd(spec_of(6, 2, 1, SpinOrdering::Blocked, 2));
  std::mt19937_64 rng(9);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<observable::PauliTerm> terms;
  for (int k = 0; k < 30; ++k)
    terms.push_back({observable::parse_pauli_label(random_label(rng, 6), 6), u(rng)});
  const observable::PauliSum h(6, terms);
  std::vector<double> theta(static_cast<std::size_t>(c.num_parameters()));
  for (double& t : theta) t = u(rng);
  gradient::BasicEvaluator<double> evaluator(c, h);
  std::vector<double> grad;
  evaluator.energy_and_gradient(theta, grad, gradient::Method::Adjoint);
  ASSERT_EQ(grad.size(), theta.size());
  const double step = 1e-5;
  for (std::size_t k = 0; k < theta.size(); ++k) {
    auto plus = theta, minus = theta;
    plus[k] += step;
    minus[k] -= step;
    const double fd = (evaluator.energy(plus) - evaluator.energy(minus)) / (2 * step);
    EXPECT_NEAR(grad[k], fd, 1e-8) << c.parameter_names[k];
  }
}

// ---- H2 through the real VQE path ----

json h2_terms() {
  std::ifstream in(std::string(VQSIM_TEST_DATA_DIR) + "/h2_sto3g_0.7414_jw.json");
  return json::parse(in).at("terms");
}

// Interleaved qubit 2p + s -> blocked p + M s, in sparse labels ("Z1 Z2" -> "Z2 Z1").
json relabel_to_blocked(const json& terms, int m) {
  json out = json::array();
  for (const auto& t : terms) {
    std::istringstream in(t.at(0).get<std::string>());
    std::string relabelled;
    for (std::string factor; in >> factor;) {  // "Z3": a letter, then the qubit
      const int q = std::stoi(factor.substr(1));
      if (!relabelled.empty()) relabelled += ' ';
      relabelled += factor.substr(0, 1) + std::to_string(q / 2 + m * (q % 2));
    }
    out.push_back({relabelled, t.at(1)});
  }
  return out;
}

vqe::Result run_job(const json& data, const json& params) {
  const io::Job job = io::parse_job(data, &params);
  return vqe::run(job.problem, job.settings, {});
}

TEST(Uccsd, H2ReachesFciFromHartreeFock) {
  struct Run {
    std::string ordering;
    int reps;
  };
  for (const Run& r : {Run{"interleaved", 1}, Run{"interleaved", 2}, Run{"blocked", 1}, Run{"blocked", 2}}) {
    SCOPED_TRACE(r.ordering + " reps=" + std::to_string(r.reps));
    json ansatz = {{"type", "uccsd"}, {"num_qubits", 4}, {"num_electrons", 2}, {"reps", r.reps}};
    json terms = h2_terms();
    if (r.ordering == "blocked") {
      ansatz["spin_ordering"] = "blocked";
      terms = relabel_to_blocked(terms, 2);
    }
    const auto result = run_job({{"ansatz", ansatz}, {"observable", terms}}, json::object());
    EXPECT_NEAR(result.energy, kH2Fci, 1e-8);
    EXPECT_NEAR(result.history.front(), kH2HartreeFock, 1e-10);  // zeros: Hartree-Fock
    ASSERT_TRUE(result.exact_energy.has_value());
    EXPECT_NEAR(*result.exact_energy, kH2Fci, 1e-10);
    ASSERT_TRUE(result.exact_sector.has_value());
    EXPECT_EQ(result.exact_sector->num_particles, 2);
    ASSERT_TRUE(result.exact_sector->spin.has_value());
    EXPECT_EQ(result.exact_sector->sz(), 0.0);
    EXPECT_EQ(result.parameters.size(), 3u * static_cast<std::size_t>(r.reps));
    EXPECT_TRUE(result.converged) << result.stop_reason;
  }
}

// Single precision and another optimizer take the same circuit to FCI within their accuracy.
TEST(Uccsd, H2InSinglePrecisionAndCobyla) {
  const json data = {{"ansatz", {{"type", "uccsd"}, {"num_qubits", 4}, {"num_electrons", 2}}},
                     {"observable", h2_terms()}};
  EXPECT_NEAR(run_job(data, {{"precision", "single"}}).energy, kH2Fci, 1e-5);
  EXPECT_NEAR(run_job(data, {{"optimizer", "cobyla"}, {"max_iterations", 400}}).energy, kH2Fci, 1e-7);
}

}  // namespace
}  // namespace vqsim::test
