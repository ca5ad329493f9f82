// The exact reference restricted to a particle-number (and S_z) sector against dense
// diagonalisation of the sector's block (basis states picked by brute force), and the case it
// exists for: a Hamiltonian whose full-space ground state has another particle number.
#include <gtest/gtest.h>

#include <bit>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "chem/excitations.hpp"
#include "dense_reference.hpp"
#include "io/input.hpp"
#include "observable/exact.hpp"
#include "observable/pauli_sum.hpp"
#include "vqe/vqe.hpp"

namespace vqsim::test {
namespace {

using io::json;
using observable::PauliSum;
using observable::PauliTerm;
using observable::Sector;
using observable::SpinSector;

constexpr double kH2Fci = -1.137270174625328;

// A dense label (qubit 0 rightmost) with the given letters on the given qubits.
std::string label(int n, const std::vector<std::pair<int, char>>& letters) {
  std::string s(static_cast<std::size_t>(n), 'I');
  for (const auto& [q, c] : letters) s[static_cast<std::size_t>(n - 1 - q)] = c;
  return s;
}

struct Term {
  std::string label;
  double coefficient;
};

PauliSum make_sum(int n, const std::vector<Term>& terms) {
  std::vector<PauliTerm> t;
  for (const auto& [l, c] : terms) t.push_back({observable::parse_pauli_label(l, n), c});
  return PauliSum(n, t);
}

// The dense matrix of a sum of dense labels, column by column from the textbook 2x2 Pauli
// matrices: each column of a Pauli string has one nonzero, the product of one entry per qubit.
MatrixXcd dense(int n, const std::vector<Term>& terms) {
  const Eigen::Index dim = Eigen::Index{1} << n;
  MatrixXcd h = MatrixXcd::Zero(dim, dim);
  for (const auto& [l, c] : terms)
    for (Eigen::Index x = 0; x < dim; ++x) {
      Eigen::Index y = 0;
      Cd v = c;
      for (int q = 0; q < n; ++q) {
        const char letter = l[static_cast<std::size_t>(n - 1 - q)];
        const Eigen::Index b = (x >> q) & 1, r = (letter == 'X' || letter == 'Y') ? 1 - b : b;
        v *= pauli(letter)(r, b);
        y |= r << q;
      }
      h(y, x) += v;
    }
  return h;
}

// The lowest eigenvalue of the dense matrix's block on the sector's basis states.
double dense_sector_ground(const MatrixXcd& h, const Sector& s) {
  std::vector<Eigen::Index> basis;
  for (Eigen::Index x = 0; x < h.rows(); ++x) {
    const auto ux = static_cast<std::uint64_t>(x);
    if (std::popcount(ux) != s.num_particles) continue;
    if (s.spin && std::popcount(ux & s.spin->alpha_mask) != s.spin->num_alpha) continue;
    basis.push_back(x);
  }
  const auto d = static_cast<Eigen::Index>(basis.size());
  MatrixXcd block(d, d);
  for (Eigen::Index r = 0; r < d; ++r)
    for (Eigen::Index c = 0; c < d; ++c)
      block(r, c) = h(basis[static_cast<std::size_t>(r)], basis[static_cast<std::size_t>(c)]);
  return Eigen::SelfAdjointEigenSolver<MatrixXcd>(block).eigenvalues()[0];
}

// A number- and S_z-conserving Hamiltonian on interleaved spin orbitals: densities, density
// pairs, and same-spin hoppings (real XX + YY, and imaginary XY - YX when complex) with the
// Jordan-Wigner Z strings between; `spin_flips` adds alpha-beta hoppings (N kept, S_z not).
std::vector<Term> conserving(int n, std::mt19937_64& rng, bool complex, bool spin_flips) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<Term> t{{label(n, {}), u(rng)}};
  for (int p = 0; p < n; ++p) t.push_back({label(n, {{p, 'Z'}}), u(rng)});
  for (int p = 0; p < n; ++p)
    for (int q = p + 1; q < n; ++q) {
      t.push_back({label(n, {{p, 'Z'}, {q, 'Z'}}), u(rng)});
      if ((p % 2 != q % 2) && !spin_flips) continue;
      auto hop = [&](char a, char b) {
        std::vector<std::pair<int, char>> l{{p, a}, {q, b}};
        for (int k = p + 1; k < q; ++k) l.emplace_back(k, 'Z');
        return label(n, l);
      };
      const double re = u(rng);
      t.push_back({hop('X', 'X'), re});
      t.push_back({hop('Y', 'Y'), re});
      if (complex) {
        const double im = u(rng);
        t.push_back({hop('X', 'Y'), im});
        t.push_back({hop('Y', 'X'), -im});
      }
    }
  return t;
}

std::vector<Term> random_terms(int n, int count, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<Term> t;
  for (int k = 0; k < count; ++k) t.push_back({random_label(rng, n), u(rng)});
  return t;
}

Sector sector(int electrons) {
  return {electrons, std::nullopt};
}
Sector sector(int electrons, int alpha, int n, chem::SpinOrdering o) {
  return {electrons, SpinSector{chem::alpha_mask(n, o), alpha}};
}

// The column-wise dense matrix above against Kronecker products of the same 2x2 matrices.
TEST(ExactSector, DenseReferenceMatchesKroneckerProducts) {
  std::mt19937_64 rng(3);
  for (int k = 0; k < 20; ++k) {
    const std::string l = random_label(rng, 5);
    EXPECT_LT((dense(5, {{l, 0.7}}) - 0.7 * label_matrix(l)).norm(), 1e-14) << l;
  }
}

TEST(ExactSector, DimensionAgainstCounting) {
  for (int n : {1, 2, 5, 8, 12})
    for (int k = 0; k <= n; ++k) {
      std::uint64_t count = 0;
      for (std::uint64_t x = 0; x < (std::uint64_t{1} << n); ++x) count += std::popcount(x) == k;
      EXPECT_EQ(observable::sector_dimension(n, sector(k)), count) << n << " " << k;
    }
  for (auto o : {chem::SpinOrdering::Interleaved, chem::SpinOrdering::Blocked})
    for (int a = 0; a <= 4; ++a)
      for (int b = 0; b <= 4; ++b) {
        const Sector s = sector(a + b, a, 8, o);
        std::uint64_t count = 0;
        for (std::uint64_t x = 0; x < 256; ++x)
          count += std::popcount(x) == a + b && std::popcount(x & s.spin->alpha_mask) == a;
        EXPECT_EQ(observable::sector_dimension(8, s), count);
      }
  // Large registers: C(62, 31) and C(31, 15)^2 without overflow.
  EXPECT_EQ(observable::sector_dimension(62, sector(31)), 465428353255261088ULL);
  EXPECT_EQ(observable::sector_dimension(62, sector(30, 15, 62, chem::SpinOrdering::Interleaved)),
            300540195ULL * 300540195ULL);
  EXPECT_EQ(observable::sector_dimension(4, sector(2, 3, 4, chem::SpinOrdering::Interleaved)), 0u);
}

TEST(ExactSector, ConservingHamiltoniansAgainstDenseBlocks) {
  std::mt19937_64 rng(77);
  for (bool complex : {false, true})
    for (int n : {6, 8, 10}) {
      const auto terms = conserving(n, rng, complex, false);
      const PauliSum h = make_sum(n, terms);
      const MatrixXcd reference = dense(n, terms);
      ASSERT_EQ(h.is_real(), !complex);
      const int m = n / 2;
      std::vector<Sector> sectors{sector(m), sector(m - 1), sector(1)};
      for (auto o : {chem::SpinOrdering::Interleaved, chem::SpinOrdering::Blocked})
        sectors.push_back(sector(m, (m + 1) / 2, n, o));
      sectors.push_back(sector(m + 1, m / 2, n, chem::SpinOrdering::Interleaved));
      for (const Sector& s : sectors) {
        SCOPED_TRACE("n=" + std::to_string(n) + " N=" + std::to_string(s.num_particles) +
                     (s.spin ? " Na=" + std::to_string(s.spin->num_alpha) : "") +
                     (complex ? " complex" : ""));
        const auto r = observable::ground_energy(h, s);
        ASSERT_TRUE(r.converged);
        EXPECT_NEAR(r.energy, dense_sector_ground(reference, s), 1e-9);
        EXPECT_EQ(r.dimension, observable::sector_dimension(n, s));
        // Blocked alpha masks do not match this interleaved Hamiltonian's spin, but N is conserved.
        EXPECT_EQ(r.leaves_sector,
                  s.spin && s.spin->alpha_mask != chem::alpha_mask(n, chem::SpinOrdering::Interleaved));
      }
    }
}

// A Hamiltonian that mixes sectors: the reference is the lowest <h> over the sector's states, the
// ground energy of P h P, and it says so.
TEST(ExactSector, MixingHamiltoniansGiveTheProjectedBlock) {
  std::mt19937_64 rng(5);
  for (int n : {7, 9}) {
    const auto terms = random_terms(n, 40, rng);
    const PauliSum h = make_sum(n, terms);
    const MatrixXcd reference = dense(n, terms);
    for (int k : {2, 3, 4}) {
      const auto r = observable::ground_energy(h, sector(k));
      ASSERT_TRUE(r.converged);
      EXPECT_NEAR(r.energy, dense_sector_ground(reference, sector(k)), 1e-9) << n << " " << k;
      EXPECT_TRUE(r.leaves_sector);
    }
  }
  // Alpha-beta hoppings keep N but not S_z.
  const auto flips = conserving(8, rng, false, true);
  const PauliSum hf = make_sum(8, flips);
  EXPECT_FALSE(observable::ground_energy(hf, sector(4)).leaves_sector);
  const Sector s = sector(4, 2, 8, chem::SpinOrdering::Interleaved);
  const auto r = observable::ground_energy(hf, s);
  EXPECT_TRUE(r.leaves_sector);
  EXPECT_NEAR(r.energy, dense_sector_ground(dense(8, flips), s), 1e-9);
}

// The sectors of a conserving H partition its spectrum: the lowest sector energy is the full one.
TEST(ExactSector, SectorsPartitionTheSpectrum) {
  std::mt19937_64 rng(11);
  const int n = 8;
  const PauliSum h = make_sum(n, conserving(n, rng, true, false));
  double lowest = 1e300;
  for (int a = 0; a <= n / 2; ++a)
    for (int b = 0; b <= n / 2; ++b)
      lowest = std::min(
          lowest, observable::ground_energy(h, sector(a + b, a, n, chem::SpinOrdering::Interleaved)).energy);
  EXPECT_NEAR(lowest, observable::ground_energy(h).energy, 1e-9);
}

json h2_terms() {
  std::ifstream in(std::string(VQSIM_TEST_DATA_DIR) + "/h2_sto3g_0.7414_jw.json");
  return json::parse(in).at("terms");
}

// H2 minus mu N, N = sum_q (1 - Z_q) / 2: a chemical potential that makes a charged state the
// full-space ground state. The number operator shifts every N-electron energy by -mu N.
json h2_with_chemical_potential(double mu) {
  json terms = h2_terms();
  terms.push_back({"", -mu * 4 / 2.0});
  for (int q = 0; q < 4; ++q) terms.push_back({"Z" + std::to_string(q), mu / 2.0});
  return terms;
}

PauliSum sum_of(const json& terms, int n) {
  std::vector<PauliTerm> t;
  for (const auto& x : terms)
    t.push_back({observable::parse_pauli_label(x.at(0).get<std::string>(), n), x.at(1).get<double>()});
  return PauliSum(n, t);
}

TEST(ExactSector, H2GroundStateSectors) {
  // Plain H2: the full-space ground state is the neutral singlet (N = 2, S_z = 0) at FCI.
  const PauliSum h2 = sum_of(h2_terms(), 4);
  const double full = observable::ground_energy(h2).energy;
  EXPECT_NEAR(full, kH2Fci, 1e-10);
  EXPECT_NEAR(observable::ground_energy(h2, sector(2, 1, 4, chem::SpinOrdering::Interleaved)).energy, kH2Fci,
              1e-10);
  EXPECT_NEAR(observable::ground_energy(h2, sector(2)).energy, kH2Fci, 1e-10);
  EXPECT_GT(observable::ground_energy(h2, sector(1)).energy, full + 0.1);  // the cation
  EXPECT_GT(observable::ground_energy(h2, sector(3)).energy, full + 0.1);  // the anion

  // With mu = 1 the full-space ground state is the anion (3 electrons), 0.31 Ha below the neutral
  // molecule's FCI: a full-space reference would make a perfect neutral answer look that far off.
  const double mu = 1.0;
  const PauliSum shifted = sum_of(h2_with_chemical_potential(mu), 4);
  const double full_shifted = observable::ground_energy(shifted).energy;
  const double neutral =
      observable::ground_energy(shifted, sector(2, 1, 4, chem::SpinOrdering::Interleaved)).energy;
  EXPECT_NEAR(neutral, kH2Fci - 2 * mu, 1e-10);
  EXPECT_NEAR(full_shifted, observable::ground_energy(shifted, sector(3)).energy, 1e-10);
  EXPECT_LT(full_shifted, neutral - 0.3);
  EXPECT_GT(observable::ground_energy(shifted, sector(4)).energy, full_shifted + 0.3);
}

vqe::Result run_job(const json& data, const json& params) {
  const io::Job job = io::parse_job(data, &params);
  return vqe::run(job.problem, job.settings, {});
}

// Through the VQE path: UCCSD on H2 - mu N reaches the neutral FCI, and energy_error is about 0
// because the reference is the ansatz's sector; against the whole space it would be +0.31 Ha.
TEST(ExactSector, UccsdEnergyErrorTellsTheTruth) {
  const double mu = 1.0;
  const json data = {{"ansatz", {{"type", "uccsd"}, {"num_qubits", 4}, {"num_electrons", 2}}},
                     {"observable", h2_with_chemical_potential(mu)}};
  const auto r = run_job(data, json::object());
  EXPECT_NEAR(r.energy, kH2Fci - 2 * mu, 1e-8);
  ASSERT_TRUE(r.exact_energy && r.exact_sector);
  EXPECT_NEAR(*r.exact_energy, kH2Fci - 2 * mu, 1e-10);
  EXPECT_NEAR(r.energy - *r.exact_energy, 0.0, 1e-8);
  EXPECT_EQ(r.exact_sector->num_particles, 2);
  EXPECT_EQ(r.exact_sector->sz(), 0.0);

  // Any ansatz may name its sector: a hardware-efficient circuit from Hartree-Fock.
  const json hea = {{"ansatz", {{"type", "hardware_efficient"}, {"num_qubits", 4}, {"initial_bits", "0011"}}},
                    {"observable", h2_with_chemical_potential(mu)}};
  const auto whole = run_job(hea, {{"max_iterations", 3}});
  const auto in_sector = run_job(hea, {{"max_iterations", 3}, {"exact_sector", {{"num_electrons", 2}}}});
  ASSERT_TRUE(whole.exact_energy && in_sector.exact_energy);
  EXPECT_FALSE(whole.exact_sector.has_value());
  EXPECT_LT(*whole.exact_energy, kH2Fci - 2 * mu - 0.3);
  EXPECT_NEAR(*in_sector.exact_energy, kH2Fci - 2 * mu, 1e-10);
  ASSERT_TRUE(in_sector.exact_sector.has_value());
  EXPECT_FALSE(in_sector.exact_sector->spin.has_value());
}

// exact_reference "auto" follows the sector's dimension, not the register's width.
TEST(ExactSector, AutoFollowsTheSectorDimension) {
  vqe::Problem p{{}, PauliSum(1, {})};
  vqe::Settings s;
  p.circuit.num_qubits = 24;
  EXPECT_FALSE(vqe::computes_exact(p, s));
  s.exact_sector = sector(4, 2, 24, chem::SpinOrdering::Interleaved);  // C(12, 2)^2 = 4356
  EXPECT_TRUE(vqe::computes_exact(p, s));
  s.exact_sector = sector(12, 6, 24, chem::SpinOrdering::Interleaved);  // C(12, 6)^2 = 853776
  EXPECT_FALSE(vqe::computes_exact(p, s));
  s.exact = vqe::ExactMode::Always;
  EXPECT_TRUE(vqe::computes_exact(p, s));
  s.exact = vqe::ExactMode::Never;
  s.exact_sector = sector(1);
  EXPECT_FALSE(vqe::computes_exact(p, s));
}

}  // namespace
}  // namespace vqsim::test
