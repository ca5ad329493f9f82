// Tokens of OpenQASM 2/3 source with their 1-based line and column (columns count characters,
// so a UTF-8 name such as θ is one column wide).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vqsim::qasm {

struct Position {
  int line = 1;
  int column = 1;
};

enum class TokenKind { Identifier, Integer, Real, String, Symbol, End };

struct Token {
  TokenKind kind = TokenKind::End;
  std::string text;  // the string's contents without quotes for String
  Position pos;      // first character
  Position end;      // just after the last character
};

// Splits source into tokens, dropping whitespace and // and /* */ comments; the last token is
// End. Throws ParseError on a character no token starts with or an unterminated comment/string.
std::vector<Token> tokenize(std::string_view source);

}  // namespace vqsim::qasm
