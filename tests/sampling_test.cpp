// Measurement: sampled counts follow the Born rule, shot estimates are unbiased, QWC groups are
// measurable together.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/kernels.hpp"
#include "measure/sampling.hpp"
#include "simulate/simulate.hpp"

namespace vqsim::measure {
namespace {

core::StateVector<double> random_state(int n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> g;
  core::StateVector<double> psi(n);
  double norm = 0;
  for (std::uint64_t i = 0; i < psi.size(); ++i) {
    psi[i] = {g(rng), g(rng)};
    norm += std::norm(psi[i]);
  }
  for (std::uint64_t i = 0; i < psi.size(); ++i) psi[i] /= std::sqrt(norm);
  return psi;
}

TEST(Sampling, BitStringsPutQubitZeroRightmost) {
  EXPECT_EQ(bit_string(1, 3), "001");
  EXPECT_EQ(bit_string(6, 3), "110");
}

TEST(Sampling, CountsFollowTheBornRule) {
  const auto psi = random_state(4, 1);
  std::mt19937_64 rng(7);
  const std::uint64_t shots = 200000;
  const auto counts = sample(psi, shots, rng);
  std::uint64_t total = 0;
  for (const auto& [i, c] : counts) {
    total += c;
    const double p = std::norm(psi[i]);
    // Within 5 standard deviations of the binomial mean.
    EXPECT_NEAR(static_cast<double>(c) / shots, p, 5 * std::sqrt(p * (1 - p) / shots) + 1e-9) << i;
  }
  EXPECT_EQ(total, shots);
  std::mt19937_64 again(7);
  EXPECT_EQ(sample(psi, shots, again), counts);  // seeded: reproducible
}

TEST(Sampling, MostLikelyIsSorted) {
  const auto psi = random_state(5, 2);
  const auto top = most_likely(psi, 4);
  ASSERT_EQ(top.size(), 4u);
  for (std::size_t i = 1; i < top.size(); ++i) EXPECT_GE(top[i - 1].first, top[i].first);
  double best = 0;
  for (std::uint64_t i = 0; i < psi.size(); ++i) best = std::max(best, std::norm(psi[i]));
  EXPECT_DOUBLE_EQ(top[0].first, best);
}

TEST(Sampling, ShotEstimatesAreUnbiased) {
  // Terms over X, Y and Z on shared qubits force several measurement bases.
  auto term = [](const char* label, double c) {
    return observable::PauliTerm{observable::parse_pauli_label(label, 3), c};
  };
  const observable::PauliSum h(3, {term("ZZI", 0.7), term("XXI", -0.4), term("IYY", 0.3), term("ZIX", 0.9),
                                   term("", -1.0), term("IIZ", 0.2)});
  ShotEstimator est(h);
  EXPECT_GE(est.num_groups(), 3u);
  const auto psi = random_state(3, 3);
  const double exact = h.expectation(psi);
  std::mt19937_64 rng(11);
  const int repeats = 200;
  const std::uint64_t shots = 2000;
  double mean = 0, sq = 0;
  for (int r = 0; r < repeats; ++r) {
    const double e = est.estimate(psi, shots, rng);
    mean += e / repeats;
    sq += e * e / repeats;
  }
  const double sd = std::sqrt(std::max(0.0, sq - mean * mean));
  EXPECT_GT(sd, 0.0);
  EXPECT_NEAR(mean, exact, 5 * sd / std::sqrt(repeats));
}

// Every output of the Bell state (H, CX) in the given precision.
simulate::Result run_bell(circuit::Precision precision) {
  circuit::Circuit c;
  c.num_qubits = 2;
  c.gates.push_back({circuit::GateKind::H, {0}, {}, {}});
  c.gates.push_back({circuit::GateKind::CX, {0, 1}, {}, {}});
  simulate::Request req;
  req.counts = req.probabilities = req.statevector = true;
  req.shots = 1000;
  req.seed = 5;
  req.precision = precision;
  req.observables.emplace_back("zz",
                               observable::PauliSum(2, {{observable::parse_pauli_label("ZZ", 2), 1.0}}));
  return simulate::run(c, req);
}

TEST(Simulate, OutputsOfABellCircuit) {
  const auto r = run_bell(circuit::Precision::Double);
  ASSERT_EQ(r.probabilities.size(), 2u);  // |01> and |10> have probability 0 and are dropped
  EXPECT_NEAR(r.probabilities[0].first, 0.5, 1e-12);
  EXPECT_EQ(r.counts.size(), 2u);
  EXPECT_EQ(r.counts.at(0) + r.counts.at(3), 1000u);
  EXPECT_NEAR(r.expectation_values[0].second, 1.0, 1e-12);
  ASSERT_EQ(r.statevector.size(), 4u);
  EXPECT_NEAR(r.statevector[3].real(), 1 / std::sqrt(2.0), 1e-12);
}

core::StateVector<float> to_float(const core::StateVector<double>& psi) {
  core::StateVector<float> f(psi.num_qubits());
  for (std::uint64_t i = 0; i < psi.size(); ++i) f[i] = std::complex<float>(psi[i]);
  return f;
}

TEST(Sampling, FloatStatesMeasureAsTheirDoubleOriginal) {
  const auto psi = random_state(5, 4);
  const auto psi_f = to_float(psi);
  const auto top = most_likely(psi, 6), top_f = most_likely(psi_f, 6);
  ASSERT_EQ(top_f.size(), top.size());
  for (std::size_t i = 0; i < top.size(); ++i) {
    EXPECT_EQ(top_f[i].second, top[i].second) << i;
    EXPECT_NEAR(top_f[i].first, top[i].first, 1e-7) << i;
  }
  std::mt19937_64 a(9), b(9);
  const auto counts = sample(psi, 5000, a), counts_f = sample(psi_f, 5000, b);
  std::uint64_t total = 0, moved = 0;
  for (const auto& [index, n] : counts_f) total += n;
  for (const auto& [index, n] : counts) {
    const auto it = counts_f.find(index);
    const std::uint64_t n_f = it == counts_f.end() ? 0 : it->second;
    if (n > n_f) moved += n - n_f;
  }
  EXPECT_EQ(total, 5000u);
  EXPECT_LE(moved, 2u);  // the same uniforms: only one landing within ~1e-7 of a bin edge could move

  auto term = [](const char* label, double c) {
    return observable::PauliTerm{observable::parse_pauli_label(label, 5), c};
  };
  const observable::PauliSum h(5, {term("ZZIII", 0.7), term("XXIII", -0.4), term("IIYYI", 0.3)});
  ShotEstimator est(h);
  BasicShotEstimator<float> est_f(h);
  std::mt19937_64 c(3), d(3);
  EXPECT_NEAR(est_f.estimate(psi_f, 4000, d), est.estimate(psi, 4000, c), 1e-2);
}

TEST(Simulate, SinglePrecisionBellCircuit) {
  const auto r = run_bell(circuit::Precision::Single);
  ASSERT_EQ(r.probabilities.size(), 2u);
  EXPECT_NEAR(r.probabilities[0].first, 0.5, 1e-7);
  EXPECT_EQ(r.counts.at(0) + r.counts.at(3), 1000u);
  EXPECT_NEAR(r.expectation_values[0].second, 1.0, 1e-6);
  ASSERT_EQ(r.statevector.size(), 4u);
  // float's 1/sqrt(2), not double's: the state really was single precision
  EXPECT_EQ(r.statevector[3].real(), static_cast<double>(static_cast<float>(1 / std::sqrt(2.0))));
  EXPECT_NE(r.statevector[3].real(), 1 / std::sqrt(2.0));
  EXPECT_GT(std::abs(r.norm - 1.0), 0.0);
  EXPECT_LT(std::abs(r.norm - 1.0), 1e-6);
}

}  // namespace
}  // namespace vqsim::measure
