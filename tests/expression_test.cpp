// Affine angle expressions: values, coefficients and the errors that reject non-affine input.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <numbers>

#include "circuit/expression.hpp"

namespace vqsim::circuit {
namespace {

// A lookup that assigns indices in order of first use, as data.json without "parameters" does.
struct Names {
  std::map<std::string, int> index;
  ParameterLookup lookup() {
    return [this](const std::string& n) -> std::optional<int> {
      auto [it, fresh] = index.emplace(n, static_cast<int>(index.size()));
      return it->second;
    };
  }
};

TEST(Expression, NumbersAndPi) {
  Names names;
  const auto a = parse_affine("2*pi/4 + 1.5e-1 - (3)", names.lookup());
  EXPECT_TRUE(a.is_constant());
  EXPECT_NEAR(a.constant, std::numbers::pi / 2 + 0.15 - 3, 1e-15);
}

TEST(Expression, AffineInParameters) {
  Names names;
  const auto a = parse_affine("2*theta + pi/4 - (phi - theta)/2", names.lookup());
  ASSERT_EQ(a.terms.size(), 2u);
  const std::vector<double> theta{0.3, -1.1};  // theta, phi
  EXPECT_NEAR(a.value(theta), 2 * 0.3 + std::numbers::pi / 4 - (-1.1 - 0.3) / 2, 1e-15);
  EXPECT_EQ(names.index.at("theta"), 0);
  EXPECT_EQ(names.index.at("phi"), 1);
}

TEST(Expression, UnaryMinusAndQiskitVectorNames) {
  Names names;
  const auto a = parse_affine("-θ[3] * -2", names.lookup());
  ASSERT_EQ(a.terms.size(), 1u);
  EXPECT_EQ(names.index.count("θ[3]"), 1u);
  EXPECT_DOUBLE_EQ(a.terms[0].second, 2.0);
}

TEST(Expression, CancellingTermsDropTheParameter) {
  Names names;
  const auto a = parse_affine("t - t + 1", names.lookup());
  EXPECT_TRUE(a.is_constant());
  EXPECT_DOUBLE_EQ(a.constant, 1.0);
}

void expect_error(const std::string& text, const std::string& message, std::size_t position) {
  Names names;
  try {
    parse_affine(text, names.lookup());
    FAIL() << "no error for " << text;
  } catch (const ExpressionError& e) {
    EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    EXPECT_EQ(e.position, position) << text;
  }
}

TEST(Expression, Errors) {
  expect_error("a*b", "product of two parameter terms", 1);
  expect_error("1/a", "division by a parameter term", 1);
  expect_error("1/(2-2)", "division by zero", 1);
  expect_error("2*(a", "missing ')'", 4);
  expect_error("2 $ a", "unexpected '$'", 2);
  expect_error("", "unexpected end", 0);
  expect_error("sin(a)", "unexpected '('", 3);  // functions are not affine: no calls
  expect_error(std::string(300, '(') + "1" + std::string(300, ')'), "nested too deeply", 100);
}

TEST(Expression, DeclaredNamesOnly) {
  const ParameterLookup only_a = [](const std::string& n) -> std::optional<int> {
    return n == "a" ? std::optional<int>(0) : std::nullopt;
  };
  EXPECT_NO_THROW(parse_affine("a/2", only_a));
  try {
    parse_affine("a + b", only_a);
    FAIL();
  } catch (const ExpressionError& e) {
    EXPECT_STREQ(e.what(), "unknown parameter 'b'");
    EXPECT_EQ(e.position, 4u);
  }
}

}  // namespace
}  // namespace vqsim::circuit
