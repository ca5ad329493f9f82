// Exact ground energies against closed forms, published H2 values and Eigen's dense solver.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numbers>
#include <string>
#include <vector>

#include "dense_reference.hpp"
#include "observable/exact.hpp"
#include "observable/pauli_sum.hpp"

namespace vqsim::test {
namespace {

using observable::ground_energy;
using observable::parse_pauli_label;
using observable::PauliSum;
using observable::PauliTerm;

constexpr double kEnergyTol = 1e-9;

// "P<q>", built by appending (GCC 12 warns falsely on "literal" + std::string).
std::string factor(char pauli, int qubit) {
  std::string s(1, pauli);
  s += std::to_string(qubit);
  return s;
}

// H = -J sum Z_i Z_{i+1} - h sum X_i with J = h = 1.
PauliSum ising(int n, bool periodic) {
  std::vector<PauliTerm> terms;
  const int bonds = periodic ? n : n - 1;
  for (int i = 0; i < bonds; ++i)
    terms.push_back(
        {parse_pauli_label(factor('Z', i).append(" ").append(factor('Z', (i + 1) % n)), n), -1.0});
  for (int i = 0; i < n; ++i) terms.push_back({parse_pauli_label(factor('X', i), n), -1.0});
  return PauliSum(n, terms);
}

TEST(Exact, TransverseIsingClosedForms) {
  const double pi = std::numbers::pi;
  for (int n : {4, 6, 8, 10, 12}) {
    const auto periodic = ground_energy(ising(n, true));
    EXPECT_TRUE(periodic.converged) << n;
    EXPECT_NEAR(periodic.energy, -2.0 / std::sin(pi / (2.0 * n)), kEnergyTol) << "periodic N=" << n;
    const auto open = ground_energy(ising(n, false));
    EXPECT_TRUE(open.converged) << n;
    EXPECT_NEAR(open.energy, 1.0 - 1.0 / std::sin(pi / (2.0 * (2.0 * n + 1.0))), kEnergyTol)
        << "open N=" << n;
  }
}

TEST(Exact, TransverseIsingTable) {
  EXPECT_NEAR(ground_energy(ising(4, true)).energy, -5.226251859506, 1e-11);
  EXPECT_NEAR(ground_energy(ising(8, true)).energy, -10.251661790966, 1e-11);
  EXPECT_NEAR(ground_energy(ising(12, true)).energy, -15.322595151081, 1e-11);
  EXPECT_NEAR(ground_energy(ising(4, false)).energy, -4.758770483144, 1e-11);
  EXPECT_NEAR(ground_energy(ising(12, false)).energy, -14.925971109909, 1e-11);
}

PauliSum load_terms(const std::string& file, nlohmann::json& doc) {
  std::ifstream in(std::string(VQSIM_TEST_DATA_DIR) + "/" + file);
  EXPECT_TRUE(in.good()) << file;
  doc = nlohmann::json::parse(in);
  const int n = doc.at("num_qubits").get<int>();
  std::vector<PauliTerm> terms;
  for (const auto& t : doc.at("terms"))
    terms.push_back({parse_pauli_label(t.at(0).get<std::string>(), n), t.at(1).get<double>()});
  return PauliSum(n, terms);
}

TEST(Exact, H2JordanWigner) {
  nlohmann::json doc;
  const PauliSum h = load_terms("h2_sto3g_0.7414_jw.json", doc);
  const double reference = doc.at("reference").at("fci_energy").get<double>();
  EXPECT_DOUBLE_EQ(reference, -1.137270174625328);
  const auto r = ground_energy(h);
  EXPECT_TRUE(r.converged);
  EXPECT_NEAR(r.energy, reference, kEnergyTol);
}

TEST(Exact, H2Parity) {
  nlohmann::json doc;
  const PauliSum h = load_terms("h2_sto3g_0.735_parity_2q.json", doc);
  const double reference = doc.at("reference").at("ground_energy").get<double>();
  EXPECT_DOUBLE_EQ(reference, -1.857275030202378);
  const auto r = ground_energy(h);
  EXPECT_TRUE(r.converged);
  EXPECT_NEAR(r.energy, reference, kEnergyTol);
}

// A random sum plus its dense matrix; `fixed` labels come first, then `count` random ones.
struct RandomSum {
  PauliSum sum;
  MatrixXcd matrix;
};

RandomSum random_hermitian(std::mt19937_64& rng, int n, int count, const std::vector<std::string>& fixed) {
  std::uniform_real_distribution<double> coef(-1.0, 1.0);
  std::vector<PauliTerm> terms;
  MatrixXcd m = MatrixXcd::Zero(Eigen::Index{1} << n, Eigen::Index{1} << n);
  auto add = [&](const std::string& label) {
    const double c = coef(rng);
    terms.push_back({parse_pauli_label(label, n), c});
    m += c * label_matrix(label);
  };
  for (const auto& l : fixed) add(l);
  for (int i = 0; i < count; ++i) add(random_label(rng, n));
  return {PauliSum(n, terms), m};
}

double dense_ground(const MatrixXcd& m) {
  Eigen::SelfAdjointEigenSolver<MatrixXcd> es(m);
  return es.eigenvalues()[0];
}

TEST(Exact, ComplexHermitianAgainstDenseEigen) {
  std::mt19937_64 rng(61);
  {
    // Two qubits: single-Y terms only, so the matrix is genuinely complex.
    const RandomSum s = random_hermitian(rng, 2, 0, {"XY", "YZ", "YI", "ZZ", "IX"});
    ASSERT_FALSE(s.sum.is_real());
    EXPECT_GT(s.matrix.imag().cwiseAbs().maxCoeff(), 0.1);
    const auto r = ground_energy(s.sum);
    EXPECT_TRUE(r.converged);
    EXPECT_NEAR(r.energy, dense_ground(s.matrix), kEnergyTol);
  }
  // 5 qubits takes the dense path of the real embedding, 6 and 7 the Lanczos path.
  for (int n : {3, 5, 6, 7}) {
    const RandomSum s =
        random_hermitian(rng, n, 3 * n, {std::string(static_cast<std::size_t>(n - 1), 'X').append("Y")});
    ASSERT_FALSE(s.sum.is_real()) << n;
    const auto r = ground_energy(s.sum);
    EXPECT_TRUE(r.converged) << n;
    EXPECT_NEAR(r.energy, dense_ground(s.matrix), kEnergyTol) << n;
  }
}

TEST(Exact, RealRandomAgainstDenseEigen) {
  std::mt19937_64 rng(67);
  for (int n : {2, 6, 8}) {
    // Only labels with an even number of Y keep the matrix real.
    std::vector<PauliTerm> terms;
    MatrixXcd m = MatrixXcd::Zero(Eigen::Index{1} << n, Eigen::Index{1} << n);
    std::uniform_real_distribution<double> coef(-1.0, 1.0);
    while (static_cast<int>(terms.size()) < 4 * n) {
      const std::string label = random_label(rng, n);
      if (std::count(label.begin(), label.end(), 'Y') % 2 != 0) continue;
      const double c = coef(rng);
      terms.push_back({parse_pauli_label(label, n), c});
      m += c * label_matrix(label);
    }
    const PauliSum h(n, terms);
    ASSERT_TRUE(h.is_real());
    const auto r = ground_energy(h);
    EXPECT_TRUE(r.converged) << n;
    EXPECT_NEAR(r.energy, dense_ground(m), kEnergyTol) << n;
  }
}

}  // namespace
}  // namespace vqsim::test
