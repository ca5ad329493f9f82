#include "circuit/expression.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <numbers>

namespace vqsim::circuit {
namespace {

// A linear form during parsing: constant + sum coefficient * theta_j.
struct Linear {
  double constant = 0.0;
  std::map<int, double> terms;
  bool is_constant() const { return terms.empty(); }
};

Linear scaled(Linear a, double f) {
  a.constant *= f;
  for (auto& [j, c] : a.terms) c *= f;
  return a;
}

Linear added(Linear a, const Linear& b, double sign) {
  a.constant += sign * b.constant;
  for (const auto& [j, c] : b.terms) a.terms[j] += sign * c;
  return a;
}

bool is_identifier_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;  // UTF-8 names such as Qiskit's θ
}

bool is_identifier_char(char c) {
  return is_identifier_start(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '.';
}

// Recursive descent: expr = term (('+'|'-') term)*; term = unary (('*'|'/') unary)*;
// unary = ('+'|'-') unary | primary; primary = number | name | '(' expr ')'.
class Parser {
 public:
  Parser(std::string_view text, const ParameterLookup& lookup) : text_(text), lookup_(lookup) {}

  Linear parse() {
    Linear v = expr();
    skip_space();
    if (pos_ != text_.size()) fail("unexpected '" + std::string(1, text_[pos_]) + "'");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const { throw ExpressionError(why, pos_); }

  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  bool accept(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  Linear expr() {
    if (++depth_ > 200) fail("expression nested too deeply");
    Linear v = term();
    while (true) {
      if (accept('+'))
        v = added(v, term(), 1.0);
      else if (accept('-'))
        v = added(v, term(), -1.0);
      else
        break;
    }
    --depth_;
    return v;
  }

  Linear term() {
    Linear v = unary();
    while (true) {
      const std::size_t at = pos_;
      if (accept('*')) {
        Linear r = unary();
        if (!v.is_constant() && !r.is_constant()) {
          pos_ = at;
          fail("not affine in the parameters: a product of two parameter terms");
        }
        v = v.is_constant() ? scaled(r, v.constant) : scaled(v, r.constant);
      } else if (accept('/')) {
        Linear r = unary();
        if (!r.is_constant()) {
          pos_ = at;
          fail("not affine in the parameters: division by a parameter term");
        }
        if (r.constant == 0.0) {
          pos_ = at;
          fail("division by zero");
        }
        v = scaled(v, 1.0 / r.constant);
      } else {
        break;
      }
    }
    return v;
  }

  Linear unary() {
    if (++depth_ > 200) fail("expression nested too deeply");
    Linear v;
    if (accept('-'))
      v = scaled(unary(), -1.0);
    else if (accept('+'))
      v = unary();
    else
      v = primary();
    --depth_;
    return v;
  }

  Linear primary() {
    skip_space();
    if (pos_ >= text_.size()) fail("unexpected end of expression");
    const char c = text_[pos_];
    if (c == '(') {
      ++pos_;
      Linear v = expr();
      if (!accept(')')) fail("missing ')'");
      return v;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') return number();
    if (is_identifier_start(c)) return name();
    fail("unexpected '" + std::string(1, c) + "'");
  }

  Linear number() {
    const std::size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::isdigit(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '.'))
      ++pos_;
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      std::size_t p = pos_ + 1;
      if (p < text_.size() && (text_[p] == '+' || text_[p] == '-')) ++p;
      if (p < text_.size() && std::isdigit(static_cast<unsigned char>(text_[p]))) {
        pos_ = p;
        while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
      }
    }
    double value = 0.0;
    const auto* first = text_.data() + start;
    const auto* last = text_.data() + pos_;
    const auto res = std::from_chars(first, last, value);
    if (res.ec != std::errc() || res.ptr != last || !std::isfinite(value)) {
      pos_ = start;
      fail("bad number '" + std::string(first, last) + "'");
    }
    Linear v;
    v.constant = value;
    return v;
  }

  Linear name() {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && is_identifier_char(text_[pos_])) ++pos_;
    // Qiskit's ParameterVector elements are named like theta[3]: keep the index in the name.
    if (pos_ < text_.size() && text_[pos_] == '[') {
      std::size_t p = pos_ + 1;
      while (p < text_.size() && std::isdigit(static_cast<unsigned char>(text_[p]))) ++p;
      if (p > pos_ + 1 && p < text_.size() && text_[p] == ']') pos_ = p + 1;
    }
    const std::string id(text_.substr(start, pos_ - start));
    Linear v;
    if (id == "pi" || id == "π") {
      v.constant = std::numbers::pi;
      return v;
    }
    const auto index = lookup_(id);
    if (!index) {
      pos_ = start;
      fail("unknown parameter '" + id + "'");
    }
    v.terms[*index] = 1.0;
    return v;
  }

  std::string_view text_;
  const ParameterLookup& lookup_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

AffineAngle parse_affine(std::string_view text, const ParameterLookup& lookup) {
  const Linear v = Parser(text, lookup).parse();
  AffineAngle out;
  out.constant = v.constant;
  for (const auto& [j, c] : v.terms)
    if (c != 0.0) out.terms.emplace_back(j, c);
  if (!std::isfinite(out.constant)) throw ExpressionError("the value is not finite", 0);
  for (const auto& [j, c] : out.terms)
    if (!std::isfinite(c)) throw ExpressionError("a coefficient is not finite", 0);
  return out;
}

}  // namespace vqsim::circuit
