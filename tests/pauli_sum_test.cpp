// Pauli labels and Pauli sums against dense Kronecker-product matrices.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dense_reference.hpp"
#include "observable/pauli_sum.hpp"

namespace vqsim::test {
namespace {

using observable::LabelError;
using observable::parse_pauli_label;
using observable::PauliSum;
using observable::PauliTerm;

bool same(const core::PauliMasks& a, const core::PauliMasks& b) {
  return a.x_mask == b.x_mask && a.z_mask == b.z_mask && a.y_count == b.y_count;
}

// The sparse form of a dense label: "XIZY" -> "Y0 Z1 X3".
std::string sparse_of(const std::string& dense) {
  std::string s;
  const std::size_t n = dense.size();
  for (std::size_t q = 0; q < n; ++q) {
    const char c = dense[n - 1 - q];
    if (c == 'I') continue;
    if (!s.empty()) s += ' ';
    s += c + std::to_string(q);
  }
  return s;
}

TEST(PauliLabel, DenseQubitZeroIsRightmost) {
  const auto m = parse_pauli_label("XIZY", 4);
  EXPECT_EQ(m.x_mask, 0b1001u);  // Y on 0, X on 3
  EXPECT_EQ(m.z_mask, 0b0011u);  // Y on 0, Z on 1
  EXPECT_EQ(m.y_count, 1);
  EXPECT_EQ(observable::dense_label(m, 4), "XIZY");
}

TEST(PauliLabel, SparseEqualsDense) {
  std::mt19937_64 rng(41);
  for (int rep = 0; rep < 50; ++rep) {
    const std::string dense = random_label(rng, 7);
    const auto a = parse_pauli_label(dense, 7), b = parse_pauli_label(sparse_of(dense), 7);
    EXPECT_TRUE(same(a, b)) << dense << " vs '" << sparse_of(dense) << "'";
    EXPECT_EQ(observable::dense_label(a, 7), dense);
  }
  EXPECT_TRUE(same(parse_pauli_label("Z3 X0", 4), parse_pauli_label("ZIIX", 4)));
  EXPECT_TRUE(same(parse_pauli_label("  Y1\tZ10 ", 11), parse_pauli_label("ZIIIIIIIIYI", 11)));
}

TEST(PauliLabel, EmptyIsIdentity) {
  for (const char* label : {"", " ", "IIII"}) {
    const auto m = parse_pauli_label(label, 4);
    EXPECT_EQ(m.x_mask, 0u) << "'" << label << "'";
    EXPECT_EQ(m.z_mask, 0u) << "'" << label << "'";
    EXPECT_EQ(m.y_count, 0) << "'" << label << "'";
  }
}

TEST(PauliLabel, Errors) {
  EXPECT_THROW(parse_pauli_label("XYZ", 4), LabelError);       // dense length mismatch
  EXPECT_THROW(parse_pauli_label("XYZZI", 4), LabelError);     // dense length mismatch
  EXPECT_THROW(parse_pauli_label("XAZI", 4), LabelError);      // bad character
  EXPECT_THROW(parse_pauli_label("xyzi", 4), LabelError);      // lower case is not a Pauli
  EXPECT_THROW(parse_pauli_label("X0 W1", 4), LabelError);     // bad character, sparse
  EXPECT_THROW(parse_pauli_label("X0 Z0", 4), LabelError);     // repeated qubit
  EXPECT_THROW(parse_pauli_label("X2 Y1 Z2", 4), LabelError);  // repeated qubit
  EXPECT_THROW(parse_pauli_label("X4", 4), LabelError);        // out of range
  EXPECT_THROW(parse_pauli_label("Z99999999999999999999", 4), LabelError);
  EXPECT_THROW(parse_pauli_label("X", 4), LabelError);     // dense, too short
  EXPECT_THROW(parse_pauli_label("X0Z1", 4), LabelError);  // terms not separated
  EXPECT_THROW(parse_pauli_label("X Z1", 4), LabelError);  // a term without index
  try {
    parse_pauli_label("X0 X7", 5);
    FAIL() << "no LabelError";
  } catch (const LabelError& e) {
    EXPECT_NE(std::string(e.what()).find('7'), std::string::npos) << e.what();
  }
}

// An identity factor on a qubit still uses the qubit: "I0 X0" repeats qubit 0 just as "X0 I0" does.
TEST(PauliLabel, RepeatedQubitWithIdentityFirst) {
  EXPECT_THROW(parse_pauli_label("X0 I0", 4), LabelError);
  EXPECT_THROW(parse_pauli_label("I0 X0", 4), LabelError);
}

struct DenseSum {
  std::vector<PauliTerm> terms;
  MatrixXcd matrix;
};

DenseSum random_sum(std::mt19937_64& rng, int n, int count) {
  std::uniform_real_distribution<double> coef(-1.0, 1.0);
  DenseSum s{{}, MatrixXcd::Zero(Eigen::Index{1} << n, Eigen::Index{1} << n)};
  for (int t = 0; t < count; ++t) {
    const std::string label = random_label(rng, n);
    const double c = coef(rng);
    s.terms.push_back({parse_pauli_label(label, n), c});
    s.matrix += c * label_matrix(label);
  }
  return s;
}

TEST(PauliSum, ExpectationAndApplyAgainstDense) {
  std::mt19937_64 rng(43);
  const int n = 6;
  int odd_y = 0;
  for (int rep = 0; rep < 20; ++rep) {
    const DenseSum s = random_sum(rng, n, 1 + rep);
    for (const auto& t : s.terms) odd_y += t.masks.y_count & 1;
    const PauliSum h(n, s.terms);
    const VectorXcd psi = random_state(rng, n);
    const auto sv = to_state<double>(psi);
    EXPECT_NEAR(h.expectation(sv), psi.dot(s.matrix * psi).real(), kTol) << rep;
    core::StateVector<double> out(n);
    h.apply(sv, out);
    EXPECT_LT(max_diff(out, s.matrix * psi), kTol) << rep;
  }
  EXPECT_GT(odd_y, 20);  // the sums really mix in terms with an odd number of Y
}

TEST(PauliSum, HandPickedTermsWithY) {
  const int n = 3;
  const std::vector<std::pair<std::string, double>> labels{{"IIY", 0.3}, {"XYZ", -0.7}, {"YYY", 0.2},
                                                           {"ZIY", 1.1}, {"YXI", -0.4}, {"III", 0.5}};
  std::vector<PauliTerm> terms;
  MatrixXcd m = MatrixXcd::Zero(8, 8);
  for (const auto& [l, c] : labels) {
    terms.push_back({parse_pauli_label(l, n), c});
    m += c * label_matrix(l);
  }
  const PauliSum h(n, terms);
  EXPECT_FALSE(h.is_real());
  std::mt19937_64 rng(47);
  for (int rep = 0; rep < 5; ++rep) {
    const VectorXcd psi = random_state(rng, n);
    EXPECT_NEAR(h.expectation(to_state<double>(psi)), psi.dot(m * psi).real(), kTol);
  }
}

TEST(PauliSum, DuplicateTermsAreMerged) {
  const int n = 3;
  const std::vector<PauliTerm> terms{{parse_pauli_label("XZI", n), 0.25},
                                     {parse_pauli_label("Y0", n), 1.0},
                                     {parse_pauli_label("Z1 X2", n), 0.5},
                                     {parse_pauli_label("IIY", n), -0.75}};
  const PauliSum h(n, terms);
  ASSERT_EQ(h.terms().size(), 2u);
  EXPECT_DOUBLE_EQ(h.terms()[0].coefficient, 0.75);
  EXPECT_DOUBLE_EQ(h.terms()[1].coefficient, 0.25);
  const MatrixXcd m = 0.75 * label_matrix("XZI") + 0.25 * label_matrix("IIY");
  std::mt19937_64 rng(53);
  const VectorXcd psi = random_state(rng, n);
  EXPECT_NEAR(h.expectation(to_state<double>(psi)), psi.dot(m * psi).real(), kTol);
}

TEST(PauliSum, IsReal) {
  const int n = 2;
  EXPECT_TRUE(PauliSum(n, {{parse_pauli_label("XX", n), 1.0}, {parse_pauli_label("YY", n), 1.0}}).is_real());
  EXPECT_FALSE(PauliSum(n, {{parse_pauli_label("XY", n), 1.0}}).is_real());
  // Terms that cancel leave no imaginary part behind.
  EXPECT_TRUE(PauliSum(n, {{parse_pauli_label("XY", n), 1.0}, {parse_pauli_label("XY", n), -1.0}}).is_real());
}

TEST(PauliSum, FloatState) {
  std::mt19937_64 rng(59);
  const int n = 5;
  const DenseSum s = random_sum(rng, n, 10);
  const PauliSum h(n, s.terms);
  const VectorXcd psi = random_state(rng, n);
  EXPECT_NEAR(h.expectation(to_state<float>(psi)), psi.dot(s.matrix * psi).real(), 1e-5);
}

}  // namespace
}  // namespace vqsim::test
