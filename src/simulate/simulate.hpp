// The simulate task: run a circuit once at given parameter values and report what was asked:
// sampled counts, the most likely outcomes, expectation values, the state vector.
#pragma once

#include <complex>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "circuit/circuit.hpp"
#include "circuit/precision.hpp"
#include "core/state_vector.hpp"
#include "observable/pauli_sum.hpp"

namespace vqsim::simulate {

// Probabilities at or below this are rounding noise of exact zeros, not outcomes. A float state
// leaves residues of ~1e-7 in amplitudes that cancel exactly, so ~1e-14 in probabilities.
inline constexpr double kZeroProbability = 1e-15;
inline constexpr double kZeroProbabilitySingle = 1e-10;

struct Request {
  std::vector<double> parameters;
  bool counts = false, probabilities = false, statevector = false;
  std::uint64_t shots = 0;
  std::uint64_t seed = 0;
  std::size_t top_k = 32;
  std::vector<std::pair<std::string, observable::PauliSum>> observables;
  circuit::Precision precision = circuit::Precision::Double;
};

struct Result {
  std::map<std::uint64_t, std::uint64_t> counts;                // basis index -> count
  std::vector<std::pair<double, std::uint64_t>> probabilities;  // most likely first
  std::vector<std::pair<std::string, double>> expectation_values;
  std::vector<std::complex<double>> statevector;
  double norm = 1.0;
};

// The state the circuit prepares from |0...0> at the given parameter values (double and float).
template <class Real = double>
core::StateVector<Real> prepare(const circuit::Circuit& circuit, const std::vector<double>& parameters);

// Runs in request.precision; the results are doubles either way.
Result run(const circuit::Circuit& circuit, const Request& request);

}  // namespace vqsim::simulate
