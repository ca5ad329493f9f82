// The service entry point: the only code that writes stdout. It speaks the PlanQK runtime
// contract: interim lines, exactly one result, logs on stderr, the exit code says the outcome.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <new>
#include <string>

#include "core/parallel.hpp"
#include "io/input.hpp"
#include "io/output.hpp"
#include "io/resources.hpp"
#include "qaoa/qaoa.hpp"
#include "simulate/simulate.hpp"

namespace {

using vqsim::io::ErrorCode;
using vqsim::io::json;

// The first SIGTERM/SIGINT (a cancelled job) asks the optimiser to stop at the next iteration
// and hand back its best result; a second one ends the process at once.
volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_signal(int sig) {
  if (g_signal != 0) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  g_signal = sig;
}

// Up to this many variables, QAOA's exact_reference "auto" enumerates the optimum.
constexpr int kAutoEnumerateQubits = 20;

constexpr const char* kUsage =
    "usage: vqsim [--input DIR]\n"
    "Runs one variational job: reads DIR/data.json and DIR/params.json (default DIR: "
    "/var/input)\nand prints the PlanQK runtime contract on stdout (logs go to stderr).\n";

void print_interim(const json& j) {
  std::cout << "PlanQK:Job:InterimResult: " << j.dump() << '\n' << std::flush;
}

void print_result(const json& j) {
  std::cout << "PlanQK:Job:MultilineResult\n" << j.dump(2) << "\nPlanQK:Job:MultilineResult\n" << std::flush;
}

int fail(ErrorCode code, const std::string& detail) {
  spdlog::error("{}: {}", vqsim::io::code_name(code), detail);
  std::cout << "PlanQK:Job:Result: " << vqsim::io::error_json(code, detail).dump() << '\n' << std::flush;
  return vqsim::io::exit_code(code);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

json run_variational(const vqsim::io::Job& job, std::chrono::steady_clock::time_point start) {
  namespace vqe = vqsim::vqe;
  const auto& c = job.problem.circuit;
  const bool is_qaoa = job.task == vqsim::io::Task::Qaoa;
  vqe::Settings settings = job.settings;
  // QAOA's reference is the enumerated optimum, not a Lanczos ground energy.
  const bool reference =
      is_qaoa ? settings.exact == vqe::ExactMode::Always ||
                    (settings.exact == vqe::ExactMode::Auto && c.num_qubits <= kAutoEnumerateQubits)
              : vqe::computes_exact(job.problem, settings);
  if (is_qaoa) settings.exact = vqe::ExactMode::Never;
  const auto precision = settings.precision;
  const bool complex_h = !job.problem.observable.is_real();
  const bool in_sector = reference && !is_qaoa && settings.exact_sector;
  std::uint64_t bytes =
      vqsim::io::vqe_memory_bytes(c.num_qubits, reference && !is_qaoa && !in_sector, complex_h, precision);
  if (in_sector)  // the reference's vectors span the sector, not the register
    bytes = vqsim::io::saturating_add(
        bytes, vqsim::io::sector_reference_bytes(
                   vqsim::observable::sector_dimension(c.num_qubits, *settings.exact_sector), complex_h));
  if (job.settings.shots || is_qaoa)  // a measurement copy
    bytes = vqsim::io::saturating_add(bytes, vqsim::io::state_vector_bytes(c.num_qubits, precision));
  vqsim::io::check_memory(bytes, "a " + std::to_string(c.num_qubits) + "-qubit " +
                                     std::string(vqsim::io::task_name(job.task)) + " in " +
                                     std::string(vqsim::circuit::precision_name(precision)) + " precision");
  spdlog::info(
      "vqsim {}: {} {} qubits, {} gates, {} parameters, {} observable terms, optimizer {}, {} precision, {} "
      "threads",
      VQSIM_VERSION, vqsim::io::task_name(job.task), c.num_qubits, c.gates.size(), c.num_parameters(),
      job.problem.observable.terms().size(), vqsim::optimize::method_name(settings.optimizer.method),
      vqsim::circuit::precision_name(precision), vqsim::core::max_threads());

  const auto stop = [&]() -> std::optional<std::string> {
    if (g_signal != 0) return "cancelled";
    if (job.max_seconds && seconds_since(start) >= *job.max_seconds) return "time_limit";
    return std::nullopt;
  };
  const auto result = vqe::run(
      job.problem, settings, [](const vqe::Interim& in) { print_interim(vqsim::io::interim_json(in)); },
      stop);
  spdlog::info("energy {:.12f} after {} iterations ({})", result.energy, result.iterations,
               result.stop_reason);
  if (!is_qaoa)
    return vqsim::io::result_json(job, result, {seconds_since(start), vqsim::core::max_threads()});

  // The final state at the best parameters (in the run's precision) says which bit strings to report.
  const auto analysis = vqsim::circuit::with_precision(precision, [&](auto zero) {
    const auto psi = vqsim::simulate::prepare<decltype(zero)>(c, result.parameters);
    return vqsim::qaoa::analyse(*job.cost, psi, job.problem.observable.expectation(psi), job.simulate.top_k,
                                reference);
  });
  return vqsim::io::qaoa_result_json(job, result, analysis,
                                     {seconds_since(start), vqsim::core::max_threads()});
}

json run_simulate(const vqsim::io::Job& job, std::chrono::steady_clock::time_point start) {
  const auto& c = job.problem.circuit;
  const auto precision = job.settings.precision;
  vqsim::io::check_memory(vqsim::io::saturating_add(vqsim::io::state_vector_bytes(c.num_qubits, precision),
                                                    std::uint64_t{64} << 20),
                          "a " + std::to_string(c.num_qubits) + "-qubit simulation in " +
                              std::string(vqsim::circuit::precision_name(precision)) + " precision");
  spdlog::info("vqsim {}: simulate {} qubits, {} gates, {} precision, {} threads", VQSIM_VERSION,
               c.num_qubits, c.gates.size(), vqsim::circuit::precision_name(precision),
               vqsim::core::max_threads());
  const auto& outputs = job.simulate.outputs;
  auto wants = [&](const char* o) { return std::find(outputs.begin(), outputs.end(), o) != outputs.end(); };
  vqsim::simulate::Request request;
  request.parameters = job.simulate.parameters;
  request.counts = wants("counts");
  request.probabilities = wants("probabilities");
  request.statevector = wants("statevector");
  request.shots = job.settings.shots.value_or(0);
  request.seed = job.settings.optimizer.seed;
  request.top_k = job.simulate.top_k;
  request.observables = job.observables;
  request.precision = precision;
  const auto result = vqsim::simulate::run(c, request);
  return vqsim::io::simulate_result_json(job, result, {seconds_since(start), vqsim::core::max_threads()});
}

int run(const std::string& input_dir) {
  const auto start = std::chrono::steady_clock::now();
  const vqsim::io::Job job = vqsim::io::load_job(input_dir);
  spdlog::set_level(spdlog::level::from_str(job.log_level));
  const json out =
      job.task == vqsim::io::Task::Simulate ? run_simulate(job, start) : run_variational(job, start);
  if (g_signal != 0) {
    // Cancelled: a failure for the platform, but the best answer so far travels with it.
    json cancelled =
        vqsim::io::error_json(ErrorCode::Cancelled, "cancelled by signal " + std::to_string(g_signal) +
                                                        "; the best result so far is attached");
    cancelled.update(out);
    spdlog::warn("{}", cancelled["detail"].get<std::string>());
    print_result(cancelled);
    return vqsim::io::exit_code(ErrorCode::Cancelled);
  }
  print_result(out);
  spdlog::info("done in {:.3f} s", seconds_since(start));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_logger_mt("vqsim");
  logger->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] %v");
  spdlog::set_default_logger(logger);

  std::string input_dir = "/var/input";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cerr << kUsage;
      return 0;
    }
    if (arg == "--version") {
      std::cerr << "vqsim " << VQSIM_VERSION << '\n';
      return 0;
    }
    if (arg == "--input" && i + 1 < argc) {
      input_dir = argv[++i];
    } else {
      std::cerr << kUsage;
      return fail(ErrorCode::InvalidInput, "command line: unknown argument '" + arg + "'");
    }
  }

  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  try {
    return run(input_dir);
  } catch (const vqsim::io::ServiceError& e) {
    return fail(e.code(), e.what());
  } catch (const std::bad_alloc&) {
    return fail(ErrorCode::ResourceLimit, "out of memory while running the job");
  } catch (const std::exception& e) {
    return fail(ErrorCode::InternalError, std::string("unexpected failure: ") + e.what());
  }
}
