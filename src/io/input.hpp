// The input edge: data.json and params.json to a validated problem and settings.
// Everything the user wrote is checked here, once; later layers trust what they get.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "chem/uccsd.hpp"
#include "io/json_util.hpp"
#include "qaoa/qaoa.hpp"
#include "vqe/vqe.hpp"

namespace vqsim::io {

enum class Task { Vqe, Qaoa, Simulate };
std::string_view task_name(Task t);

inline constexpr std::int64_t kMaxShots = 1'000'000'000;
inline constexpr std::uint64_t kDefaultShots = 1024;
inline constexpr int kMaxStatevectorQubits = 16;

// What the simulate task returns.
struct SimulateSettings {
  std::vector<double> parameters;    // one value per circuit parameter
  std::vector<std::string> outputs;  // counts, probabilities, expectation_values, statevector
  std::size_t top_k = 32;            // probabilities: the most likely outcomes (QAOA: best_solutions 10)
};

struct Job {
  Task task = Task::Vqe;
  vqe::Problem problem{{}, observable::PauliSum(1, {})};  // circuit, and the observable to minimise
  vqe::Settings settings;
  std::optional<qaoa::CostProblem> cost;  // qaoa: the problem behind the observable
  std::optional<chem::UccsdSpec> uccsd;   // a UCCSD ansatz: its electrons and orbitals
  int layers = 1;                         // qaoa: p
  std::optional<double> max_seconds;      // wall-clock budget of the optimisation
  std::vector<std::pair<std::string, observable::PauliSum>> observables;  // simulate
  SimulateSettings simulate;
  std::string log_level = "info";
  std::size_t observable_terms_given = 0;  // as listed, before merging duplicates
};

// Reads dir/data.json (required) and dir/params.json (optional).
Job load_job(const std::filesystem::path& dir);
// The same from parsed documents (params may be null when absent).
Job parse_job(const json& data, const json* params);

}  // namespace vqsim::io
