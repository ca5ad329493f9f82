// The core kernels called directly, against the dense Eigen reference.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/kernels.hpp"
#include "dense_reference.hpp"

namespace vqsim::test {
namespace {

std::vector<core::cplx> row_major(const MatrixXcd& m) {
  std::vector<core::cplx> out;
  for (Eigen::Index r = 0; r < m.rows(); ++r)
    for (Eigen::Index c = 0; c < m.cols(); ++c) out.push_back(m(r, c));
  return out;
}

core::Mat2 to_mat2(const MatrixXcd& m) {
  return {m(0, 0), m(0, 1), m(1, 0), m(1, 1)};
}

std::vector<int> random_qubits(std::mt19937_64& rng, int n, int k) {
  std::vector<int> q(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) q[static_cast<std::size_t>(i)] = i;
  std::shuffle(q.begin(), q.end(), rng);
  q.resize(static_cast<std::size_t>(k));
  return q;
}

// Masks for a dense label over `qubits` (label[size-1-j] on qubits[j]), built by hand.
core::PauliMasks masks_of(const std::string& label, const std::vector<int>& qubits) {
  core::PauliMasks pm;
  for (std::size_t j = 0; j < qubits.size(); ++j) {
    const char c = label[label.size() - 1 - j];
    const std::uint64_t bit = std::uint64_t{1} << qubits[j];
    if (c == 'X' || c == 'Y') pm.x_mask |= bit;
    if (c == 'Z' || c == 'Y') pm.z_mask |= bit;
    if (c == 'Y') ++pm.y_count;
  }
  return pm;
}

TEST(Kernels, InsertZero) {
  EXPECT_EQ(core::insert_zero(0b1011, 0), 0b10110u);
  EXPECT_EQ(core::insert_zero(0b1011, 2), 0b10011u);
  EXPECT_EQ(core::insert_zero(0b1011, 4), 0b01011u);
}

TEST(Kernels, ApplyMatrixDenseOneToThreeQubits) {
  std::mt19937_64 rng(11);
  const int n = 5;
  for (int k = 1; k <= 3; ++k) {
    for (int rep = 0; rep < 20; ++rep) {
      const auto qubits = random_qubits(rng, n, k);
      // Alternate unitary and general matrices: the kernel is linear either way.
      const MatrixXcd m = (rep % 2 == 0) ? random_unitary(rng, Eigen::Index{1} << k)
                                         : random_matrix(rng, Eigen::Index{1} << k);
      const VectorXcd psi = random_state(rng, n);
      auto sv = to_state<double>(psi);
      const auto flat = row_major(m);
      core::apply_matrix(sv, qubits, flat);
      EXPECT_LT(max_diff(sv, embed(m, qubits, n) * psi), kTol) << "k=" << k << " rep=" << rep;
    }
  }
}

TEST(Kernels, ApplyMatrixFourQubitsOnSixteenWithBothThreadCounts) {
  std::mt19937_64 rng(12);
  const int n = 16, saved = omp_get_max_threads();
  const std::vector<int> qubits{9, 2, 15, 0};
  const MatrixXcd m = random_unitary(rng, 16);
  const VectorXcd psi = random_state(rng, n);
  const VectorXcd expected = apply_embedded(m, qubits, psi);
  const auto flat = row_major(m);
  for (int threads : {1, 2}) {
    omp_set_num_threads(threads);
    auto sv = to_state<double>(psi);
    core::apply_matrix(sv, qubits, flat);
    EXPECT_LT(max_diff(sv, expected), kTol) << threads;
  }
  omp_set_num_threads(saved);
}

TEST(Kernels, ControlledMatrixWithSeveralControls) {
  std::mt19937_64 rng(13);
  const int n = 6;
  for (int rep = 0; rep < 20; ++rep) {
    const int num_controls = rep % 4;  // 0..3 controls
    const auto qubits = random_qubits(rng, n, num_controls + 1);
    std::uint64_t cmask = 0;
    for (int c = 0; c < num_controls; ++c) cmask |= std::uint64_t{1} << qubits[static_cast<std::size_t>(c)];
    const int target = qubits.back();
    // Every other case is diagonal, to cover the diagonal fast path.
    MatrixXcd u = random_unitary(rng, 2);
    if (rep % 2 == 1) u(0, 1) = u(1, 0) = 0;
    MatrixXcd local = u;
    for (int c = 0; c < num_controls; ++c) local = controlled(local);
    // controlled() adds the newest control at bit 0: list controls last-added first.
    std::vector<int> order(qubits.rbegin() + 1, qubits.rend());
    order.push_back(target);
    const VectorXcd psi = random_state(rng, n);
    auto sv = to_state<double>(psi);
    core::apply_controlled_matrix1(sv, cmask, target, to_mat2(u));
    EXPECT_LT(max_diff(sv, embed(local, order, n) * psi), kTol) << rep;

    auto sx = to_state<double>(psi);
    core::apply_controlled_x(sx, cmask, target);
    MatrixXcd lx = pauli('X');
    for (int c = 0; c < num_controls; ++c) lx = controlled(lx);
    EXPECT_LT(max_diff(sx, embed(lx, order, n) * psi), kTol) << rep;
  }
}

TEST(Kernels, ControlledSwapWithSeveralControls) {
  std::mt19937_64 rng(14);
  const int n = 6;
  for (int num_controls = 0; num_controls <= 2; ++num_controls) {
    const auto qubits = random_qubits(rng, n, num_controls + 2);
    std::uint64_t cmask = 0;
    for (int c = 0; c < num_controls; ++c) cmask |= std::uint64_t{1} << qubits[static_cast<std::size_t>(c)];
    MatrixXcd local = swap_matrix();
    for (int c = 0; c < num_controls; ++c) local = controlled(local);
    std::vector<int> order(qubits.rbegin() + 2, qubits.rend());
    order.push_back(qubits[qubits.size() - 2]);
    order.push_back(qubits.back());
    const VectorXcd psi = random_state(rng, n);
    auto sv = to_state<double>(psi);
    core::apply_controlled_swap(sv, cmask, qubits[qubits.size() - 2], qubits.back());
    EXPECT_LT(max_diff(sv, embed(local, order, n) * psi), kTol) << num_controls;
  }
}

TEST(Kernels, PauliRotationDiagonalAndGeneral) {
  std::mt19937_64 rng(15);
  const int n = 6;
  for (int rep = 0; rep < 30; ++rep) {
    const int k = 1 + rep % 6;
    const auto qubits = random_qubits(rng, n, k);
    const std::string label = random_label(rng, k, rep % 3 == 0 ? "IZ" : "IXYZ");
    const double t = random_angle(rng);
    const VectorXcd psi = random_state(rng, n);
    auto sv = to_state<double>(psi);
    core::apply_pauli_rotation(sv, masks_of(label, qubits), t);
    EXPECT_LT(max_diff(sv, embed(pauli_rotation(label, t), qubits, n) * psi), kTol) << label;
  }
}

TEST(Kernels, ControlledMatrix1Element) {
  std::mt19937_64 rng(17);
  const int n = 5;
  for (int rep = 0; rep < 24; ++rep) {
    const int num_controls = rep % 3;
    const auto qubits = random_qubits(rng, n, num_controls + 1);
    std::uint64_t cmask = 0;
    for (int c = 0; c < num_controls; ++c) cmask |= std::uint64_t{1} << qubits[static_cast<std::size_t>(c)];
    const MatrixXcd m = random_matrix(rng, 2);
    // The operator counts only the subspace where all controls are 1: zero elsewhere.
    const Eigen::Index dim = Eigen::Index{1} << (num_controls + 1);
    const Eigen::Index all_ones = (Eigen::Index{1} << num_controls) - 1;
    MatrixXcd local = MatrixXcd::Zero(dim, dim);  // bits 0..c-1 controls, top bit target
    for (Eigen::Index r = 0; r < 2; ++r)
      for (Eigen::Index c = 0; c < 2; ++c)
        local((r << num_controls) | all_ones, (c << num_controls) | all_ones) = m(r, c);
    const VectorXcd bra = random_state(rng, n), ket = random_state(rng, n);
    const Cd expected = bra.dot(embed(local, qubits, n) * ket);  // Eigen's dot conjugates the left
    const Cd got = core::controlled_matrix1_element(to_state<double>(bra), to_state<double>(ket), cmask,
                                                    qubits.back(), to_mat2(m));
    EXPECT_LT(std::abs(got - expected), kTol) << rep;
  }
}

TEST(Kernels, PauliElement) {
  std::mt19937_64 rng(19);
  const int n = 6;
  for (int rep = 0; rep < 30; ++rep) {
    const std::string label = random_label(rng, n);
    const std::vector<int> qubits{0, 1, 2, 3, 4, 5};
    const VectorXcd bra = random_state(rng, n), ket = random_state(rng, n);
    const Cd expected = bra.dot(label_matrix(label) * ket);
    const Cd got = core::pauli_element(to_state<double>(bra), to_state<double>(ket), masks_of(label, qubits));
    EXPECT_LT(std::abs(got - expected), kTol) << label;
  }
}

TEST(Kernels, InnerProductAndNormBothThreadCounts) {
  std::mt19937_64 rng(23);
  const int saved = omp_get_max_threads();
  for (int n : {3, 16}) {
    const VectorXcd a = 1.7 * random_state(rng, n), b = random_state(rng, n);
    const auto sa = to_state<double>(a), sb = to_state<double>(b);
    for (int threads : {1, 2}) {
      omp_set_num_threads(threads);
      EXPECT_LT(std::abs(core::inner_product(sa, sb) - a.dot(b)), kTol) << n << " " << threads;
      EXPECT_NEAR(core::norm_squared(sa), a.squaredNorm(), kTol) << n << " " << threads;
    }
  }
  omp_set_num_threads(saved);
}

// norm_squared reads through the SIMD kernel in pieces: sizes below one vector, across pieces
// and across thread ranges, in both precisions, against a sum in long double of the same values.
// Single precision keeps its per-amplitude rounding only: the kernel sums each piece in float.
TEST(Kernels, NormSquaredEverySizeAndPrecision) {
  std::mt19937_64 rng(29);
  std::uniform_real_distribution<double> d(-1.0, 1.0);
  const int saved = omp_get_max_threads();
  auto check = [&](auto zero, int n) {
    using R = decltype(zero);
    // Each |p|^2 is rounded in R; a sum in float over the whole state would drift to ~1e-5.
    const double tol = sizeof(R) == 8 ? 1e-13 : 3e-7;
    core::StateVector<R> s(n);
    long double expect = 0.0L;
    for (std::uint64_t x = 0; x < s.size(); ++x) {
      s.data()[x] = std::complex<R>(static_cast<R>(d(rng)), static_cast<R>(d(rng)));
      expect += std::norm(std::complex<long double>(s.data()[x]));
    }
    for (int threads : {1, 2}) {
      omp_set_num_threads(threads);
      const double got = core::norm_squared(s);
      EXPECT_LT(std::abs(got - static_cast<double>(expect)), tol * static_cast<double>(expect))
          << (sizeof(R) == 8 ? "f64" : "f32") << " n " << n << " threads " << threads;
    }
  };
  for (int n : {0, 1, 2, 5, 12, 13, 17, 21}) {
    check(double{}, n);
    check(float{}, n);
  }
  omp_set_num_threads(saved);
}

}  // namespace
}  // namespace vqsim::test
