// The fuzzed entry points, shared by the libFuzzer harnesses (fuzz/*_fuzzer.cpp) and by the test
// that replays tests/fuzz_regressions/ (tests/fuzz_regression_test.cpp), so a kept input is
// replayed through exactly the code that found it.
// Each function returns normally for an accepted input and for one rejected with its documented
// exception type; any other exception escapes (a bug), and a broken invariant calls abort().
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "circuit/circuit.hpp"
#include "circuit/expression.hpp"
#include "circuit/precision.hpp"
#include "gradient/evaluator.hpp"
#include "io/errors.hpp"
#include "io/input.hpp"
#include "io/json_util.hpp"
#include "io/resources.hpp"
#include "observable/pauli_sum.hpp"
#include "simulate/simulate.hpp"
#include "vqe/vqe.hpp"

#if __has_include("qasm/parser.hpp")
#include "qasm/parser.hpp"
#define VQSIM_FUZZ_HAS_QASM 1
#else
#define VQSIM_FUZZ_HAS_QASM 0
#endif

namespace vqsim::fuzz {

// Circuits up to this size are also simulated, so the fuzzer reaches the kernels in
// microseconds per input; bigger ones stop after validation.
inline constexpr int kRunMaxQubits = 10;
inline constexpr std::size_t kRunMaxGates = 200;
inline constexpr std::uint64_t kRunMaxShots = 4096;
// The circuit reader's limit; generated circuits (ansatz, QAOA) must keep to it too.
inline constexpr std::size_t kMaxGates = 10'000'000;

[[noreturn]] inline void invariant_failed(const char* what) {
  std::fprintf(stderr, "vqsim fuzz: invariant broken: %s\n", what);
  std::abort();
}

inline void check(bool ok, const char* what) {
  if (!ok) invariant_failed(what);
}

// What validation promises the later layers: qubits in range and distinct within a gate, the
// gate's angle count, parameter indices in range.
inline void check_circuit(const circuit::Circuit& c) {
  check(c.num_qubits >= 0 && c.num_qubits <= 64, "circuit num_qubits within 0..64");
  for (const auto& g : c.gates) {
    const auto& info = circuit::gate_info(g.kind);
    if (g.kind == circuit::GateKind::PauliRotation)
      check(g.pauli.size() == g.qubits.size(), "pauli_rotation: one Pauli per qubit");
    else
      check(static_cast<int>(g.qubits.size()) == info.num_qubits, "gate qubit count");
    check(static_cast<int>(g.angles.size()) == info.num_angles, "gate angle count");
    std::uint64_t used = 0;
    for (int q : g.qubits) {
      check(q >= 0 && q < c.num_qubits, "gate qubit in range");
      check(!((used >> q) & 1U), "gate qubits distinct");
      used |= std::uint64_t{1} << q;
    }
    for (const auto& a : g.angles)
      for (const auto& [j, coef] : a.terms) {
        check(j >= 0 && j < c.num_parameters(), "angle parameter index in range");
        check(std::isfinite(coef), "angle coefficient finite");
      }
  }
}

inline bool small_enough_to_run(const circuit::Circuit& c) {
  return c.num_qubits <= kRunMaxQubits && c.gates.size() <= kRunMaxGates;
}

// One energy and one gradient, as the optimizer's first step would ask (in double or float).
template <class Real = double>
void evaluate_once(const circuit::Circuit& c, const observable::PauliSum& h, const std::vector<double>& theta,
                   gradient::Method method) {
  gradient::BasicEvaluator<Real> evaluator(c, h);
  const double e = evaluator.energy(theta);
  std::vector<double> grad;
  const double e2 = evaluator.energy_and_gradient(theta, grad, method);
  check(grad.size() == static_cast<std::size_t>(c.num_parameters()), "gradient size");
  // |E| <= sum |c_k|: when that is finite, a non-finite energy means a kernel went wrong.
  double bound = 0.0;
  for (const auto& t : h.terms()) bound += std::abs(t.coefficient);
  if (std::isfinite(bound)) check(std::isfinite(e) && std::isfinite(e2), "energy finite");
}

// The memory estimate is what stops a too-large job before it allocates, so it must never wrap
// around 2^64: it is at least what the state vectors take (or saturates).
inline void check_memory_estimate(int num_qubits) {
  const long double limit = 18446744073709551615.0L;
  const long double plain = std::ldexp(2 * 16.0L, num_qubits);                          // two states
  const long double exact = plain + std::ldexp(30 * 8.0L * 2 + 2 * 16.0L, num_qubits);  // + Lanczos
  try {
    check(static_cast<long double>(io::vqe_memory_bytes(num_qubits, false, false)) >= std::min(plain, limit),
          "vqe_memory_bytes does not wrap around (no exact reference)");
    check(static_cast<long double>(io::vqe_memory_bytes(num_qubits, true, true)) >= std::min(exact, limit),
          "vqe_memory_bytes does not wrap around (complex exact reference)");
  } catch (const io::ServiceError&) {
    // refusing the size outright is fine too
  }
}

// Splits bytes at the first 0x00 into data.json and params.json text (no 0x00: no params.json).
// As load_job does, a whitespace-only params.json counts as absent.
inline void run_job(std::string_view bytes) {
  const auto nul = bytes.find('\0');
  const std::string_view data_text = bytes.substr(0, nul);
  std::optional<std::string_view> params_text;
  if (nul != std::string_view::npos) {
    params_text = bytes.substr(nul + 1);
    if (params_text->find_first_not_of(" \t\r\n") == std::string_view::npos) params_text.reset();
  }
  io::Job job;
  try {
    const io::json data = io::parse_json_text(data_text, "data.json");
    io::json params;
    if (params_text) params = io::parse_json_text(*params_text, "params.json");
    job = io::parse_job(data, params_text ? &params : nullptr);
  } catch (const io::ServiceError&) {
    return;  // rejected with a message: the documented outcome
  }
  const auto& c = job.problem.circuit;
  check_circuit(c);
  check(c.gates.size() <= kMaxGates, "at most 10 million gates, generated circuits included");
  check(job.problem.observable.num_qubits() == c.num_qubits, "observable and circuit qubit counts");
  check_memory_estimate(c.num_qubits);
  if (!small_enough_to_run(c)) return;

  if (job.task == io::Task::Simulate) {
    if (job.settings.shots && *job.settings.shots > kRunMaxShots) return;
    check(job.simulate.parameters.size() == static_cast<std::size_t>(c.num_parameters()),
          "simulate parameter count");
    simulate::Request request;
    request.parameters = job.simulate.parameters;
    for (const auto& o : job.simulate.outputs) {
      request.counts |= o == "counts";
      request.probabilities |= o == "probabilities";
      request.statevector |= o == "statevector";
    }
    request.shots = job.settings.shots.value_or(0);
    request.seed = job.settings.optimizer.seed;
    request.top_k = job.simulate.top_k;
    request.observables = job.observables;
    request.precision = job.settings.precision;
    const auto result = simulate::run(c, request);
    std::uint64_t total = 0;
    for (const auto& [index, count] : result.counts) total += count;
    check(!request.counts || total == request.shots, "counts add up to shots");
    return;
  }
  const auto theta = vqe::initial_point(job.settings, c.num_parameters());
  check(theta.size() == static_cast<std::size_t>(c.num_parameters()), "initial point size");
  circuit::with_precision(job.settings.precision, [&](auto zero) {
    evaluate_once<decltype(zero)>(c, job.problem.observable, theta, job.settings.gradient);
  });
}

// An angle expression, with a lookup that accepts every name (as a circuit without a
// `parameters` list does) and one that accepts none (a declared, empty list).
inline void run_expression(std::string_view text) {
  std::map<std::string, int> index;
  const circuit::ParameterLookup accept_all = [&](const std::string& name) -> std::optional<int> {
    return index.emplace(name, static_cast<int>(index.size())).first->second;
  };
  const circuit::ParameterLookup accept_none = [](const std::string&) -> std::optional<int> {
    return std::nullopt;
  };
  for (const auto* lookup : {&accept_all, &accept_none}) {
    try {
      const auto a = circuit::parse_affine(text, *lookup);
      check(std::isfinite(a.constant), "expression constant finite");
      std::uint64_t previous = 0;
      bool first = true;
      for (const auto& [j, coef] : a.terms) {
        check(j >= 0 && static_cast<std::size_t>(j) < index.size(), "expression index from the lookup");
        check(first || static_cast<std::uint64_t>(j) > previous, "expression indices unique and sorted");
        check(std::isfinite(coef) && coef != 0.0, "expression coefficient finite and non-zero");
        previous = static_cast<std::uint64_t>(j);
        first = false;
      }
    } catch (const circuit::ExpressionError& e) {
      check(e.position <= text.size(), "ExpressionError position within the text");
    }
  }
}

// A Pauli label for several register sizes; an accepted label must round-trip through its
// dense form and stay inside the register.
inline void run_pauli_label(std::string_view label) {
  for (int n : {1, 2, 5, 16, 62}) {
    core::PauliMasks m;
    try {
      m = observable::parse_pauli_label(label, n);
    } catch (const observable::LabelError&) {
      continue;
    }
    const std::uint64_t reg = (std::uint64_t{1} << n) - 1;
    check((m.x_mask & ~reg) == 0 && (m.z_mask & ~reg) == 0, "label masks inside the register");
    check(m.y_count == std::popcount(m.x_mask & m.z_mask), "label y_count");
    const auto back = observable::parse_pauli_label(observable::dense_label(m, n), n);
    check(back.x_mask == m.x_mask && back.z_mask == m.z_mask && back.y_count == m.y_count,
          "label round trip through dense_label");
  }
}

#if VQSIM_FUZZ_HAS_QASM
// OpenQASM source; an accepted program must be a valid circuit, and a small one is simulated.
inline void run_qasm(std::string_view source) {
  qasm::Program program;
  try {
    program = qasm::parse(source);
  } catch (const qasm::ParseError& e) {
    check(e.line >= 1 && e.column >= 1, "ParseError position is 1-based");
    return;
  }
  const auto& c = program.circuit;
  check_circuit(c);
  for (int q : program.measured_qubits) check(q >= 0 && q < c.num_qubits, "measured qubit in range");
  if (c.num_qubits < 1 || !small_enough_to_run(c)) return;
  const observable::PauliSum z0(c.num_qubits, {{observable::parse_pauli_label("Z0", c.num_qubits), 1.0}});
  evaluate_once(c, z0, std::vector<double>(static_cast<std::size_t>(c.num_parameters()), 0.1),
                gradient::Method::Adjoint);
}
#endif

}  // namespace vqsim::fuzz
