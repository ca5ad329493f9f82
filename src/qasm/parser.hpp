// OpenQASM 2.0 and a parameterised subset of OpenQASM 3 read into the typed circuit IR.
// Gate calls expand through user and library gate definitions into circuit::Gate; angles stay
// affine in the program's `input` parameters so gradients remain exact.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "circuit/circuit.hpp"

namespace vqsim::qasm {

// A syntax or semantic error at a 1-based line and column of the source;
// what() is "line:column: message".
struct ParseError : std::runtime_error {
  ParseError(int at_line, int at_column, const std::string& text)
      : std::runtime_error(std::to_string(at_line) + ":" + std::to_string(at_column) + ": " + text),
        line(at_line),
        column(at_column),
        message(text) {}
  int line;
  int column;
  std::string message;  // what() without the "line:column: " prefix
};

// A parsed program: the circuit (its parameter_names are the `input` declarations in order)
// and the qubits named in measure statements, in order of first measurement.
struct Program {
  circuit::Circuit circuit;
  std::vector<int> measured_qubits;
};

// Parses OpenQASM 2.0 or 3 source. Includes of "qelib1.inc" and "stdgates.inc" are built in;
// nothing is read from disk. Throws ParseError.
Program parse(std::string_view source);

}  // namespace vqsim::qasm
