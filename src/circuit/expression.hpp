// Angles as affine functions of the variational parameters: constant + sum coefficient * theta_j.
// Affinity keeps gradients exact: d(angle)/d(theta_j) is a constant of the circuit.
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vqsim::circuit {

struct AffineAngle {
  double constant = 0.0;
  std::vector<std::pair<int, double>> terms;  // (parameter index, coefficient), indices unique

  double value(const std::vector<double>& theta) const {
    double v = constant;
    for (const auto& [j, c] : terms) v += c * theta[static_cast<std::size_t>(j)];
    return v;
  }
  bool is_constant() const { return terms.empty(); }
};

// Raised for an expression that does not parse or is not affine; `what()` says why
// and `position` is the 0-based character offset of the problem.
class ExpressionError : public std::runtime_error {
 public:
  ExpressionError(const std::string& message, std::size_t pos) : std::runtime_error(message), position(pos) {}
  std::size_t position;
};

// Resolves a parameter name to its index, or nullopt when the name is not allowed.
using ParameterLookup = std::function<std::optional<int>(const std::string&)>;

// Parses `+ - * /`, parentheses, numbers, `pi` and parameter names into an AffineAngle.
AffineAngle parse_affine(std::string_view text, const ParameterLookup& lookup);

}  // namespace vqsim::circuit
