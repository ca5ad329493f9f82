// The VQE driver: minimises <psi(theta)|H|psi(theta)> over the circuit's parameters.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "circuit/circuit.hpp"
#include "circuit/precision.hpp"
#include "gradient/evaluator.hpp"
#include "observable/exact.hpp"
#include "observable/pauli_sum.hpp"
#include "optimize/optimizer.hpp"

namespace vqsim::vqe {

struct Problem {
  circuit::Circuit circuit;
  observable::PauliSum observable;
};

enum class InitialKind { Zeros, Random, Given };
enum class ExactMode { Auto, Always, Never };

// A norm drift beyond this is logged as a warning (and always reported in metadata). Float
// states drift by ~1e-7 per pass in rounding alone, so single precision has its own bound.
inline constexpr double kNormTolerance = 1e-10;
inline constexpr double kNormToleranceSingle = 1e-5;

// Above this many qubits, exact_reference "auto" skips the Lanczos reference; in a sector, above
// this many basis states (the same 2^16 as the whole space of 16 qubits: a product costs about as
// much per basis state, measured in the README).
inline constexpr int kAutoExactMaxQubits = 16;
inline constexpr std::uint64_t kAutoExactMaxSectorDimension = std::uint64_t{1} << 16;

struct Settings {
  optimize::Settings optimizer;
  gradient::Method gradient = gradient::Method::Adjoint;
  InitialKind initial = InitialKind::Zeros;
  std::vector<double> initial_parameters;  // InitialKind::Given
  ExactMode exact = ExactMode::Auto;
  // The exact reference in this particle-number (and S_z) sector instead of the whole space.
  std::optional<observable::Sector> exact_sector;
  // Finite-shot energies: this many shots per qubit-wise commuting group (simulate: counts).
  std::optional<std::uint64_t> shots;
  // The state vectors' type (simulate reads it too); energies and parameters stay doubles.
  circuit::Precision precision = circuit::Precision::Double;
};

struct Result {
  double energy = 0.0;
  std::vector<double> parameters;
  bool converged = false;
  std::string stop_reason;
  int iterations = 0;
  std::vector<double> history;  // energy per iteration
  std::optional<double> exact_energy;
  std::optional<observable::Sector> exact_sector;  // the sector exact_energy is the ground energy of
  std::optional<double> noiseless_energy;          // with shots: the exact <H> at `parameters`
  // max |<psi|psi> - 1| over the checked evaluations (every energy-only one and the final point)
  double norm_deviation = 0.0;
  long evaluations = 0;
};

struct Interim {
  optimize::Iteration iteration;
  long evaluations = 0;
};

using InterimSink = std::function<void(const Interim&)>;

// Whether run() computes the exact reference: always, never, or for "auto" when the space (the
// sector, if one is set) is small enough.
bool computes_exact(const Problem& problem, const Settings& settings);

// The starting point the settings describe (seeded when random).
std::vector<double> initial_point(const Settings& s, int num_parameters);

// Asked after every iteration: a reason to stop now ("cancelled", "time_limit"), or nullopt.
using StopCheck = std::function<std::optional<std::string>()>;

// Minimises; stops early, keeping the best point so far, when should_stop gives a reason.
Result run(const Problem& problem, const Settings& settings, const InterimSink& on_iteration,
           const StopCheck& should_stop = {});

}  // namespace vqsim::vqe
