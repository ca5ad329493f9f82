// The service entry point: the only code that writes stdout. It speaks the PlanQK runtime
// contract: interim lines, exactly one result, logs on stderr, the exit code says the outcome.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <new>
#include <string>

#include "core/parallel.hpp"
#include "io/input.hpp"
#include "io/output.hpp"
#include "io/resources.hpp"

namespace {

using vqsim::io::ErrorCode;
using vqsim::io::json;

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

int run(const std::string& input_dir) {
  const auto start = std::chrono::steady_clock::now();
  const vqsim::io::Job job = vqsim::io::load_job(input_dir);
  spdlog::set_level(spdlog::level::from_str(job.log_level));

  const auto& c = job.problem.circuit;
  const auto& s = job.settings;
  const bool exact =
      s.exact == vqsim::vqe::ExactMode::Always ||
      (s.exact == vqsim::vqe::ExactMode::Auto && c.num_qubits <= vqsim::vqe::kAutoExactMaxQubits);
  vqsim::io::check_memory(vqsim::io::vqe_memory_bytes(c.num_qubits, exact, !job.problem.observable.is_real()),
                          "a " + std::to_string(c.num_qubits) + "-qubit VQE");
  spdlog::info("vqsim {}: {} qubits, {} gates, {} parameters, {} observable terms, optimizer {}, {} threads",
               VQSIM_VERSION, c.num_qubits, c.gates.size(), c.num_parameters(),
               job.problem.observable.terms().size(), vqsim::optimize::method_name(s.optimizer.method),
               vqsim::core::max_threads());

  const auto result = vqsim::vqe::run(job.problem, job.settings, [](const vqsim::vqe::Interim& in) {
    print_interim(vqsim::io::interim_json(in));
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const json out = vqsim::io::result_json(job, result, {seconds, vqsim::core::max_threads()});
  print_result(out);
  spdlog::info("done: energy {:.12f} after {} iterations ({}), {:.3f} s", result.energy, result.iterations,
               result.stop_reason, seconds);
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
