// Jordan-Wigner: fermionic ladder operators as Pauli strings, and an excitation's anti-Hermitian
// generator T - T^dagger as the Pauli rotations whose product is exp(theta (T - T^dagger)).
//
// a_p = (Z_0 ... Z_{p-1}) (X_p + i Y_p) / 2 with occupied = |1> (OpenFermion's convention, the one
// the Hamiltonians in tests/data use). T - T^dagger is anti-Hermitian, so it is a sum of i c_k P_k
// with real c_k; the strings of one excitation commute (2 for a single, 8 for a double), so
// exp(theta (T - T^dagger)) = prod_k exp(i theta c_k P_k) exactly, and each factor is a
// pauli_rotation exp(-i t/2 P_k) at t = -2 c_k theta.
#pragma once

#include <complex>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "chem/excitations.hpp"

namespace vqsim::chem {

// A Pauli string over up to 64 qubits: X where only x is set, Z where only z, Y where both.
struct PauliWord {
  std::uint64_t x = 0;
  std::uint64_t z = 0;
  auto operator<=>(const PauliWord&) const = default;
};

// A sum of Pauli strings with complex coefficients (exact zeros dropped).
using PauliPolynomial = std::map<PauliWord, std::complex<double>>;

// The product of two Pauli strings: the phase and the string.
std::pair<std::complex<double>, PauliWord> multiply(const PauliWord& a, const PauliWord& b);
PauliPolynomial multiply(const PauliPolynomial& a, const PauliPolynomial& b);
PauliPolynomial adjoint(const PauliPolynomial& a);

// a_p (creation = false) or a+_p (creation = true).
PauliPolynomial ladder(int p, bool creation);

// One factor of the generator: c P, meaning i c P in T - T^dagger.
struct GeneratorTerm {
  PauliWord word;
  double coefficient = 0.0;
};

// T - T^dagger of the excitation (chem/excitations.hpp fixes T) as sum_k i c_k P_k, sorted by
// word; throws std::logic_error if the strings fail to commute or a coefficient is not imaginary
// (neither can happen for an excitation with distinct indices).
std::vector<GeneratorTerm> excitation_generator(const Excitation& e);

// The qubits a word acts on (ascending) and its label in pauli_rotation's order: the rightmost
// character is the first listed qubit.
std::vector<int> support(const PauliWord& w);
std::string rotation_label(const PauliWord& w);

}  // namespace vqsim::chem
