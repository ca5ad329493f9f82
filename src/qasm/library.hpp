// The built-in gate library behind `include "qelib1.inc"` and `include "stdgates.inc"`.
#pragma once

#include <string_view>

namespace vqsim::qasm {

// OpenQASM gate definitions of the library gates that are not circuit::GateKind names
// (those map straight to the IR): u0, phase, cphase, cu, csx, rccx, rc3x, c3x, c3sqrtx, c4x
// and older aliases. Parsed by the same parser when a library is included.
std::string_view library_definitions();

// True when `name` is provided by the library (a GateKind name or one of the definitions).
bool is_library_gate(std::string_view name);

}  // namespace vqsim::qasm
