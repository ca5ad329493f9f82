#include "qasm/lexer.hpp"

#include <array>

#include "qasm/parser.hpp"

namespace vqsim::qasm {
namespace {

bool is_ident_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
bool is_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}
bool is_ident_char(unsigned char c) {
  return is_ident_start(c) || is_digit(c);
}

// Walks the source keeping line and column; UTF-8 continuation bytes do not advance the column.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : src_(s) {}
  bool done() const { return i_ >= src_.size(); }
  unsigned char peek(std::size_t k = 0) const {
    return i_ + k < src_.size() ? static_cast<unsigned char>(src_[i_ + k]) : 0;
  }
  void advance() {
    const auto c = peek();
    ++i_;
    if (c == '\n') {
      ++pos_.line;
      pos_.column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++pos_.column;
    }
  }
  std::size_t index() const { return i_; }
  Position pos() const { return pos_; }
  std::string_view slice(std::size_t from) const { return src_.substr(from, i_ - from); }

 private:
  std::string_view src_;
  std::size_t i_ = 0;
  Position pos_;
};

constexpr std::array<std::string_view, 8> kTwoCharSymbols{"->", "**", "==", "!=", "<=", ">=", "&&", "||"};
constexpr std::string_view kOneCharSymbols = ";,()[]{}@+-*/^=:<>!%&|~.";

}  // namespace

std::vector<Token> tokenize(std::string_view source) {
  std::vector<Token> out;
  Cursor cur(source);
  while (true) {
    // Whitespace and comments.
    while (!cur.done()) {
      const auto c = cur.peek();
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
        cur.advance();
      } else if (c == '/' && cur.peek(1) == '/') {
        while (!cur.done() && cur.peek() != '\n') cur.advance();
      } else if (c == '/' && cur.peek(1) == '*') {
        const Position start = cur.pos();
        cur.advance();
        cur.advance();
        while (!cur.done() && !(cur.peek() == '*' && cur.peek(1) == '/')) cur.advance();
        if (cur.done()) throw ParseError(start.line, start.column, "unterminated /* comment");
        cur.advance();
        cur.advance();
      } else {
        break;
      }
    }
    Token t;
    t.pos = cur.pos();
    const std::size_t from = cur.index();
    if (cur.done()) {
      t.kind = TokenKind::End;
      t.end = t.pos;
      out.push_back(std::move(t));
      return out;
    }
    const auto c = cur.peek();
    if (is_ident_start(c)) {
      while (!cur.done() && is_ident_char(cur.peek())) cur.advance();
      t.kind = TokenKind::Identifier;
      t.text = std::string(cur.slice(from));
    } else if (is_digit(c) || (c == '.' && is_digit(cur.peek(1)))) {
      bool real = false;
      while (is_digit(cur.peek())) cur.advance();
      if (cur.peek() == '.') {
        real = true;
        cur.advance();
        while (is_digit(cur.peek())) cur.advance();
      }
      if ((cur.peek() == 'e' || cur.peek() == 'E') &&
          (is_digit(cur.peek(1)) || ((cur.peek(1) == '+' || cur.peek(1) == '-') && is_digit(cur.peek(2))))) {
        real = true;
        cur.advance();
        if (cur.peek() == '+' || cur.peek() == '-') cur.advance();
        while (is_digit(cur.peek())) cur.advance();
      }
      t.kind = real ? TokenKind::Real : TokenKind::Integer;
      t.text = std::string(cur.slice(from));
    } else if (c == '"' || c == '\'') {
      const unsigned char quote = c;
      cur.advance();
      const std::size_t body = cur.index();
      while (!cur.done() && cur.peek() != quote && cur.peek() != '\n') cur.advance();
      if (cur.peek() != quote) throw ParseError(t.pos.line, t.pos.column, "unterminated string");
      t.kind = TokenKind::String;
      t.text = std::string(cur.slice(body));
      cur.advance();
    } else {
      t.kind = TokenKind::Symbol;
      const char two[2] = {static_cast<char>(c), static_cast<char>(cur.peek(1))};
      bool matched = false;
      for (auto s : kTwoCharSymbols)
        if (std::string_view(two, 2) == s) {
          cur.advance();
          cur.advance();
          matched = true;
          break;
        }
      if (!matched) {
        if (kOneCharSymbols.find(static_cast<char>(c)) == std::string_view::npos)
          throw ParseError(t.pos.line, t.pos.column,
                           "unexpected character '" + std::string(1, static_cast<char>(c)) + "'");
        cur.advance();
      }
      t.text = std::string(cur.slice(from));
    }
    t.end = cur.pos();
    out.push_back(std::move(t));
  }
}

}  // namespace vqsim::qasm
