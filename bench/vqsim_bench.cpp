// vqsim's benchmarks: single gates, the 4-layer hardware-efficient circuit, <TFIM>, adjoint
// gradients, a LiH-sized VQE evaluation, molecular-like Hamiltonians of thousands of terms,
// UCC-like circuits of Pauli rotations, QAOA on random 3-regular graphs, and an in-place
// streaming pass over a state of the same size, so every time can be read as "equivalent passes"
// (the `passes` counter).
//
//   vqsim_bench [--min_qubits=12] [--max_qubits=24] [--qubit_step=4] [--repetitions=3]
//               [--benchmark_* flags]
// VQSIM_BENCH_MAX_QUBITS / VQSIM_BENCH_REPETITIONS set the same as the flags (flags win).
// Threads: whatever OMP_NUM_THREADS says (default: all cores).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "circuit/ansatz.hpp"
#include "circuit/executor.hpp"
#include "circuit/program.hpp"
#include "core/cpu.hpp"
#include "core/kernels.hpp"
#include "core/parallel.hpp"
#include "core/state_vector.hpp"
#include "gradient/evaluator.hpp"
#include "observable/pauli_sum.hpp"
#include "qaoa/qaoa.hpp"
#include "workloads.hpp"

namespace vqsim::bench {
namespace {

using circuit::GateKind;

constexpr std::uint64_t kSeed = 2024;
// The gate-by-gate HEA circuit takes ~280 passes; above this size it would dominate the run.
constexpr int kMaxGatewiseQubits = 20;

template <class R>
constexpr std::string_view precision_name() {
  return sizeof(R) == sizeof(float) ? "f32" : "f64";
}

// An evaluator with the circuit and observable it refers to, kept across the calls of its
// benchmarks (so its lazily allocated states and compiled program are not timed).
struct FixtureBase {
  virtual ~FixtureBase() = default;
};

template <class EvaluatorT>
struct EvaluatorFixture : FixtureBase {
  EvaluatorFixture(circuit::Circuit circuit, observable::PauliSum observable)
      : c(std::move(circuit)), h(std::move(observable)), ev(c, h) {}
  circuit::Circuit c;
  observable::PauliSum h;
  EvaluatorT ev;
};

// Holds the states of one (qubits, precision), or one evaluator fixture, at a time: asking for
// anything else frees them all, so that n = 28 (4 GiB per double state) fits in memory.
class StateCache {
 public:
  enum Role { kScratch, kHeaState };

  // `created` tells whether the state is new (|0...0>) rather than left by an earlier call.
  template <class R>
  core::StateVector<R>& get(Role role, int num_qubits, bool* created = nullptr) {
    if (num_qubits != num_qubits_ || sizeof(R) != real_size_ || fixture_) clear();
    num_qubits_ = num_qubits;
    real_size_ = sizeof(R);
    auto& slot = slots<R>()[role];
    if (created != nullptr) *created = !slot;
    if (!slot) slot = std::make_unique<core::StateVector<R>>(num_qubits);
    return *slot;
  }

  // The fixture named `key`, made by make() when the cache holds anything else.
  template <class Fixture, class Make>
  Fixture& fixture(const std::string& key, Make&& make) {
    if (!fixture_ || key != fixture_key_) {
      clear();
      fixture_ = make();
      fixture_key_ = key;
    }
    return static_cast<Fixture&>(*fixture_);
  }

  void clear() {
    for (auto& s : double_) s.reset();
    for (auto& s : float_) s.reset();
    fixture_.reset();
    num_qubits_ = -1;
  }

 private:
  template <class R>
  auto& slots() {
    if constexpr (sizeof(R) == sizeof(float))
      return float_;
    else
      return double_;
  }
  std::unique_ptr<core::StateVector<double>> double_[2];
  std::unique_ptr<core::StateVector<float>> float_[2];
  std::unique_ptr<FixtureBase> fixture_;
  std::string fixture_key_;
  int num_qubits_ = -1;
  std::size_t real_size_ = 0;
};

StateCache& cache() {
  static StateCache c;
  return c;
}

// Seconds per streaming pass, one entry per call of its benchmark (the mean over that call's
// iterations, as Google Benchmark reports), by (qubits, precision), from this run.
std::map<std::pair<int, std::size_t>, std::vector<double>>& stream_seconds() {
  static std::map<std::pair<int, std::size_t>, std::vector<double>> m;
  return m;
}

// counters["passes"] = real time per iteration / median streaming-pass time (same n, precision).
template <class R>
void set_passes_counter(benchmark::State& state, int num_qubits) {
  auto it = stream_seconds().find({num_qubits, sizeof(R)});
  if (it == stream_seconds().end() || it->second.empty()) return;
  std::vector<double> v = it->second;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  // Inverted iteration-invariant rate: 1 / (s * iterations / time) = (time / iterations) / s.
  state.counters["passes"] = benchmark::Counter(
      v[v.size() / 2], benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// An equal superposition with every amplitude non-zero, written through the threading policy.
template <class R>
void fill_uniform(core::StateVector<R>& sv) {
  const R a = static_cast<R>(1.0 / std::sqrt(static_cast<double>(sv.size())));
  auto* p = sv.data();
  core::parallel_for(sv.size(), [&](std::uint64_t i) { p[i] = std::complex<R>(a, 0); });
}

// The reference: every amplitude times a constant, in place, one read and one write per
// amplitude. -1 keeps the state exactly normalised however often it runs.
template <class R>
void BM_Stream(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  auto& sv = cache().get<R>(StateCache::kScratch, n);
  fill_uniform(sv);
  auto* p = sv.data();
  const R c = R(-1);
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    core::parallel_for(sv.size(), [&](std::uint64_t i) { p[i] *= c; });
    benchmark::ClobberMemory();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  stream_seconds()[{n, sizeof(R)}].push_back(seconds / static_cast<double>(state.iterations()));
  set_passes_counter<R>(state, n);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(2 * sv.size() * sizeof(*p)));
}

// The read-only reference: <p|p> (core::norm_squared), one read per amplitude and no write, the
// least an expectation value must do.
template <class R>
double read_pass(const core::StateVector<R>& sv) {
  return core::norm_squared(sv);
}

template <class R>
void BM_StreamRead(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  auto& sv = cache().get<R>(StateCache::kScratch, n);
  fill_uniform(sv);
  for (auto _ : state) benchmark::DoNotOptimize(read_pass(sv));
  set_passes_counter<R>(state, n);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(sv.size() * sizeof(*sv.data())));
}

// The constant angles of a benchmark gate (make_gate's), as circuit::apply_gate takes them.
std::vector<double> gate_angles(const circuit::Gate& gate) {
  std::vector<double> angles;
  for (const auto& a : gate.angles) angles.push_back(a.constant);
  return angles;
}

template <class R>
void BM_Gate(benchmark::State& state, const circuit::Gate& gate) {
  const int n = static_cast<int>(state.range(0));
  auto& sv = cache().get<R>(StateCache::kScratch, n);
  fill_uniform(sv);
  const std::vector<double> angles = gate_angles(gate);
  for (auto _ : state) {
    circuit::apply_gate(sv, gate, angles);
    benchmark::ClobberMemory();
  }
  set_passes_counter<R>(state, n);
}

// Times work() right after a timed reference() in every iteration (manual time: work's) and sets
// counters[name] = work's total time / the reference's total time over the same iterations.
template <class Reference, class Work>
void time_paired(benchmark::State& state, const char* name, Reference&& reference, Work&& work) {
  double work_seconds = 0.0, reference_seconds = 0.0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    reference();
    const auto t1 = std::chrono::steady_clock::now();
    work();
    const auto t2 = std::chrono::steady_clock::now();
    const double w = std::chrono::duration<double>(t2 - t1).count();
    reference_seconds += std::chrono::duration<double>(t1 - t0).count();
    work_seconds += w;
    state.SetIterationTime(w);
  }
  if (reference_seconds > 0.0) state.counters[name] = work_seconds / reference_seconds;
}

// One gate and one streaming pass alternately, each timed on its own; the reported time is the
// gate's, and counters["passes"] = total gate time / total streaming time over the same
// iterations. On a shared machine whose memory speed drifts from second to second, the ratio of
// neighbouring measurements is steadier than a ratio of medians taken seconds apart.
template <class R>
void BM_GatePaired(benchmark::State& state, const circuit::Gate& gate) {
  const int n = static_cast<int>(state.range(0));
  auto& sv = cache().get<R>(StateCache::kScratch, n);
  fill_uniform(sv);
  const std::vector<double> angles = gate_angles(gate);
  auto* p = sv.data();
  const R c = R(-1);
  time_paired(
      state, "passes",
      [&] {
        core::parallel_for(sv.size(), [&](std::uint64_t i) { p[i] *= c; });
        benchmark::ClobberMemory();
      },
      [&] {
        circuit::apply_gate(sv, gate, angles);
        benchmark::ClobberMemory();
      });
}

// The HEA circuit alone, as an evaluation runs it: the compiled circuit::Program (fused and
// cache-blocked, starting from |0...0>: the first layer's rotations are written as a product
// state) refilled from the parameters and run.
template <class R>
void BM_HeaCircuit(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const circuit::Circuit c = hea_circuit(n);
  const std::vector<double> theta = random_parameters(c.num_parameters(), kSeed);
  circuit::AngleTable angles;
  circuit::Program<R> program(c, 0, true, circuit::Start::Zero);
  auto& sv = cache().get<R>(StateCache::kScratch, n);
  sv.set_basis_state(0);
  for (auto _ : state) {
    angles.fill(c, theta);
    program.refill(angles);
    program.run(sv);
    benchmark::ClobberMemory();
  }
  set_passes_counter<R>(state, n);
  state.counters["gates"] = static_cast<double>(c.gates.size());
  state.counters["stages"] = static_cast<double>(program.num_stages());
}

// The same circuit gate by gate (circuit::run_circuit, no fusion): what the compiled form saves.
template <class R>
void BM_HeaCircuitGatewise(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const circuit::Circuit c = hea_circuit(n);
  circuit::AngleTable angles;
  angles.fill(c, random_parameters(c.num_parameters(), kSeed));
  auto& sv = cache().get<R>(StateCache::kScratch, n);
  sv.set_basis_state(0);
  for (auto _ : state) {
    circuit::run_circuit(sv, c, angles);
    benchmark::ClobberMemory();
  }
  set_passes_counter<R>(state, n);
  state.counters["gates"] = static_cast<double>(c.gates.size());
}

// The HEA state, prepared once per size, outside the timing.
template <class R>
core::StateVector<R>& hea_state(int n) {
  bool created = false;
  auto& psi = cache().get<R>(StateCache::kHeaState, n, &created);
  if (created) {
    const circuit::Circuit c = hea_circuit(n);
    circuit::AngleTable angles;
    angles.fill(c, random_parameters(c.num_parameters(), kSeed));
    circuit::Program<R> program(c, 0, true, circuit::Start::Zero);
    program.refill(angles);
    program.run(psi);
  }
  return psi;
}

// <TFIM> on the HEA state.
template <class R>
void BM_TfimExpectation(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const observable::PauliSum h = tfim(n);
  auto& psi = hea_state<R>(n);
  for (auto _ : state) benchmark::DoNotOptimize(h.expectation(psi));
  set_passes_counter<R>(state, n);
  state.counters["terms"] = static_cast<double>(h.terms().size());
}

// <TFIM> again, each one timed right after a timed read-only pass over the same state, as
// BM_GatePaired: counters["reads"] = the expectations' total time / the reads' total time. An
// expectation value reads the state at least once, so this is its cost in units of its floor.
template <class R>
void BM_TfimPaired(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const observable::PauliSum h = tfim(n);
  auto& psi = hea_state<R>(n);
  time_paired(
      state, "reads", [&] { benchmark::DoNotOptimize(read_pass(psi)); },
      [&] { benchmark::DoNotOptimize(h.expectation(psi)); });
}

enum class EvalKind { Energy, AdjointGradient };

// Evaluator::energy or energy_and_gradient(Adjoint) for a circuit and observable, made by
// make_problem() once per (workload, precision). The evaluator allocates its adjoint state on
// the first gradient: only the first repetition pays it, and the median of three drops it.
template <class R, class EvaluatorT, class MakeProblem>
void run_evaluator(benchmark::State& state, const std::string& workload, EvalKind kind,
                   MakeProblem&& make_problem) {
  using Fixture = EvaluatorFixture<EvaluatorT>;
  auto& f = cache().fixture<Fixture>(std::string(precision_name<R>()) + "/" + workload, [&] {
    auto [c, h] = make_problem();
    return std::make_unique<Fixture>(std::move(c), std::move(h));
  });
  const std::vector<double> theta = random_parameters(f.c.num_parameters(), kSeed);
  std::vector<double> grad;
  auto evaluate = [&] {
    return kind == EvalKind::Energy ? f.ev.energy(theta)
                                    : f.ev.energy_and_gradient(theta, grad, gradient::Method::Adjoint);
  };
  for (auto _ : state) benchmark::DoNotOptimize(evaluate());
  set_passes_counter<R>(state, f.c.num_qubits);
  state.counters["parameters"] = static_cast<double>(f.c.num_parameters());
  state.counters["terms"] = static_cast<double>(f.h.terms().size());
}

template <class R, class EvaluatorT>
void BM_HeaEvaluator(benchmark::State& state, bool identity, EvalKind kind) {
  const int n = static_cast<int>(state.range(0));
  run_evaluator<R, EvaluatorT>(
      state, (identity ? "hea+identity/" : "hea+tfim/") + std::to_string(n), kind,
      [&] { return std::pair(hea_circuit(n), identity ? identity_observable(n) : tfim(n)); });
}

// A LiH-sized VQE evaluation: 12 qubits, the generated hardware-efficient ansatz (4 layers of
// RY, RZ, linear CX, and a final rotation layer: 120 parameters), 631 Pauli terms.
template <class R, class EvaluatorT>
void BM_LiH(benchmark::State& state, EvalKind kind) {
  const int n = static_cast<int>(state.range(0));
  run_evaluator<R, EvaluatorT>(state, "lih/" + std::to_string(n), kind, [&] {
    circuit::HardwareEfficientSpec spec;
    spec.num_qubits = n;
    spec.layers = 4;
    return std::pair(circuit::hardware_efficient(spec), molecular_like(n));
  });
}

// A Pauli sum and the state it is measured on (prepared once, outside the timing).
template <class R>
struct ExpectationFixture : FixtureBase {
  ExpectationFixture(const circuit::Circuit& c, observable::PauliSum observable)
      : h(std::move(observable)), psi(c.num_qubits), out(c.num_qubits) {
    circuit::AngleTable angles;
    angles.fill(c, {});
    circuit::Program<R> program(c, 0, true, circuit::Start::Zero);
    program.refill(angles);
    program.run(psi);
  }
  observable::PauliSum h;
  core::StateVector<R> psi, out;
};

template <class R>
ExpectationFixture<R>& molecular_fixture(int n) {
  return cache().fixture<ExpectationFixture<R>>(
      std::string(precision_name<R>()) + "/mol/" + std::to_string(n), [&] {
        return std::make_unique<ExpectationFixture<R>>(entangled_state_circuit(n),
                                                       molecular_like(n, molecular_terms(n)));
      });
}

// <H> of a molecular-like Hamiltonian (molecular_terms(n) terms: Z, ZZ and Jordan-Wigner
// double-excitation strings) on an entangled state.
template <class R>
void BM_MolecularExpectation(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  auto& f = molecular_fixture<R>(n);
  for (auto _ : state) benchmark::DoNotOptimize(f.h.expectation(f.psi));
  set_passes_counter<R>(state, n);
  state.counters["terms"] = static_cast<double>(f.h.terms().size());
}

// H|psi> for the same Hamiltonian (the adjoint gradient's lambda).
template <class R>
void BM_MolecularApply(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  auto& f = molecular_fixture<R>(n);
  for (auto _ : state) {
    f.h.apply(f.psi, f.out);
    benchmark::ClobberMemory();
  }
  set_passes_counter<R>(state, n);
  state.counters["terms"] = static_cast<double>(f.h.terms().size());
}

// The UCC-like circuit alone (400 Pauli rotations, each its own angle), as an evaluation runs it.
template <class R>
void BM_UccCircuit(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const circuit::Circuit c = ucc_like_circuit(n);
  const std::vector<double> theta = random_parameters(c.num_parameters(), kSeed);
  circuit::AngleTable angles;
  circuit::Program<R> program(c, 0, true, circuit::Start::Zero);
  auto& sv = cache().get<R>(StateCache::kScratch, n);
  for (auto _ : state) {
    angles.fill(c, theta);
    program.refill(angles);
    program.run(sv);
    benchmark::ClobberMemory();
  }
  set_passes_counter<R>(state, n);
  state.counters["gates"] = static_cast<double>(c.gates.size());
  state.counters["stages"] = static_cast<double>(program.num_stages());
}

// The UCC-like circuit's energy (ucc_hamiltonian: its diagonal and n excitation strings) or energy
// and adjoint gradient over its 400 angles.
template <class R, class EvaluatorT>
void BM_Ucc(benchmark::State& state, EvalKind kind) {
  const int n = static_cast<int>(state.range(0));
  run_evaluator<R, EvaluatorT>(state, "ucc/" + std::to_string(n), kind,
                               [&] { return std::pair(ucc_like_circuit(n), ucc_hamiltonian(n)); });
}

// MaxCut QAOA on a random 3-regular graph with p layers, as the service builds it
// (qaoa::circuit: H layer, per layer RZZ on every edge sharing gamma_k, RX on every qubit sharing
// beta_k): the circuit alone, the energy, or energy and adjoint gradient (2p shared angles).
qaoa::CostProblem qaoa_problem(int n) {
  return qaoa::maxcut(n, random_regular_graph(n));
}

template <class R>
void BM_QaoaCircuit(benchmark::State& state, int layers) {
  const int n = static_cast<int>(state.range(0));
  const circuit::Circuit c = qaoa::circuit(qaoa_problem(n), layers);
  const std::vector<double> theta = qaoa::ramp_start(layers);
  circuit::AngleTable angles;
  circuit::Program<R> program(c, 0, true, circuit::Start::Zero);
  auto& sv = cache().get<R>(StateCache::kScratch, n);
  for (auto _ : state) {
    angles.fill(c, theta);
    program.refill(angles);
    program.run(sv);
    benchmark::ClobberMemory();
  }
  set_passes_counter<R>(state, n);
  state.counters["gates"] = static_cast<double>(c.gates.size());
  state.counters["stages"] = static_cast<double>(program.num_stages());
}

template <class R, class EvaluatorT>
void BM_Qaoa(benchmark::State& state, int layers, EvalKind kind) {
  const int n = static_cast<int>(state.range(0));
  run_evaluator<R, EvaluatorT>(state, "qaoa" + std::to_string(layers) + "/" + std::to_string(n), kind, [&] {
    const qaoa::CostProblem problem = qaoa_problem(n);
    return std::pair(qaoa::circuit(problem, layers), problem.hamiltonian);
  });
}

// QAOA's final analysis of a p = 3 state: the 10 most likely outcomes and the expected objective.
template <class R>
void BM_QaoaAnalysis(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const qaoa::CostProblem problem = qaoa_problem(n);
  const circuit::Circuit c = qaoa::circuit(problem, 3);
  circuit::AngleTable angles;
  angles.fill(c, qaoa::ramp_start(3));
  circuit::Program<R> program(c, 0, true, circuit::Start::Zero);
  auto& sv = cache().get<R>(StateCache::kScratch, n);
  program.refill(angles);
  program.run(sv);
  const double energy = problem.hamiltonian.expectation(sv);
  for (auto _ : state) benchmark::DoNotOptimize(qaoa::analyse(problem, sv, energy, 10, false));
  set_passes_counter<R>(state, n);
}

struct Options {
  int min_qubits = 12;
  int max_qubits = 24;
  int qubit_step = 4;
  int repetitions = 3;
};

// Wall-clock time per iteration, or the time the benchmark reports itself (manual_time).
benchmark::internal::Benchmark* configure(benchmark::internal::Benchmark* b, int n, const Options& o,
                                          bool manual_time = false) {
  b->Arg(n)->ArgName("n")->Unit(benchmark::kMillisecond)->Repetitions(o.repetitions);
  b->ReportAggregatesOnly(o.repetitions > 1);
  return manual_time ? b->UseManualTime() : b->UseRealTime();
}

// Single gates on the low, middle and high end of the register: a k-qubit gate sits on
// qubits {0..k-1}, {n/2..n/2+k-1} or {n-k..n-1}. Every kind in both precisions.
template <class R>
void register_gates(int n, const Options& o) {
  const std::string prefix = std::string(precision_name<R>()) + "/gate/";
  const std::pair<const char*, int> places[] = {{"low", 0}, {"mid", n / 2}, {"high", -1}};
  for (const auto& [place, start] : places) {
    auto at = [&, s = start](int k) {
      std::vector<int> q;
      const int first = s < 0 ? n - k : s;
      for (int i = 0; i < k; ++i) q.push_back(first + i);
      return q;
    };
    const std::pair<std::string, circuit::Gate> gates[] = {
        {"RX", make_gate(GateKind::RX, at(1), {0.3})},
        {"RZ", make_gate(GateKind::RZ, at(1), {0.3})},
        {"CX", make_gate(GateKind::CX, at(2))},
        {"RZZ", make_gate(GateKind::RZZ, at(2), {0.3})},
        {"Pauli4", make_gate(GateKind::PauliRotation, at(4), {0.3}, "XZYX")}};
    for (auto& [name, gate] : gates)
      configure(benchmark::RegisterBenchmark((prefix + name + "/" + place).c_str(), BM_Gate<R>, gate), n, o);
  }
  // RX on the lowest and the highest qubit once more, each next to a streaming pass.
  const std::string paired = std::string(precision_name<R>()) + "/paired/RX/";
  for (const auto& [place, q] : {std::pair<const char*, int>{"low", 0}, {"high", n - 1}})
    configure(benchmark::RegisterBenchmark((paired + place).c_str(), BM_GatePaired<R>,
                                           make_gate(GateKind::RX, {q}, {0.3})),
              n, o, true);
}

template <class R>
void register_size(int n, const Options& o, bool gatewise) {
  const std::string p(precision_name<R>());
  // The stream first: every later benchmark of this size divides by it.
  configure(benchmark::RegisterBenchmark((p + "/stream/scale").c_str(), BM_Stream<R>), n, o);
  configure(benchmark::RegisterBenchmark((p + "/stream/read").c_str(), BM_StreamRead<R>), n, o);
  register_gates<R>(n, o);
  configure(benchmark::RegisterBenchmark((p + "/hea/circuit").c_str(), BM_HeaCircuit<R>), n, o);
  if (gatewise && n <= kMaxGatewiseQubits)
    configure(benchmark::RegisterBenchmark((p + "/hea/circuit_gatewise").c_str(), BM_HeaCircuitGatewise<R>),
              n, o);
  configure(benchmark::RegisterBenchmark((p + "/hea/tfim_expectation").c_str(), BM_TfimExpectation<R>), n, o);
  configure(benchmark::RegisterBenchmark((p + "/paired/tfim_expectation").c_str(), BM_TfimPaired<R>), n, o,
            true);
}

template <class R, class EvaluatorT>
void register_evaluators(int n, const Options& o) {
  const std::string p(precision_name<R>());
  configure(benchmark::RegisterBenchmark((p + "/hea/energy_identity").c_str(), BM_HeaEvaluator<R, EvaluatorT>,
                                         true, EvalKind::Energy),
            n, o);
  configure(benchmark::RegisterBenchmark((p + "/hea/energy_tfim").c_str(), BM_HeaEvaluator<R, EvaluatorT>,
                                         false, EvalKind::Energy),
            n, o);
  configure(benchmark::RegisterBenchmark((p + "/hea/adjoint_gradient").c_str(),
                                         BM_HeaEvaluator<R, EvaluatorT>, false, EvalKind::AdjointGradient),
            n, o);
}

// The users' workloads beyond HEA/TFIM (double precision): molecular-like <H> and H|psi>,
// UCC-like circuits, QAOA p = 3 (and p = 1, 5 at 20 qubits).
void register_workloads(int n, const Options& o) {
  using E = gradient::Evaluator;
  auto add = [&](const std::string& name, auto&&... args) {
    configure(benchmark::RegisterBenchmark(("f64/" + name).c_str(), args...), n, o);
  };
  if (n >= 12) {
    add("mol/expectation", BM_MolecularExpectation<double>);
    add("mol/apply", BM_MolecularApply<double>);
    add("ucc/circuit", BM_UccCircuit<double>);
    add("ucc/energy", BM_Ucc<double, E>, EvalKind::Energy);
    add("ucc/adjoint_gradient", BM_Ucc<double, E>, EvalKind::AdjointGradient);
  }
  if (n >= 16) {
    add("qaoa/circuit", BM_QaoaCircuit<double>, 3);
    add("qaoa/energy", BM_Qaoa<double, E>, 3, EvalKind::Energy);
    add("qaoa/adjoint_gradient", BM_Qaoa<double, E>, 3, EvalKind::AdjointGradient);
    add("qaoa/analysis", BM_QaoaAnalysis<double>);
  }
  if (n == 20) {
    add("qaoa_p1/adjoint_gradient", BM_Qaoa<double, E>, 1, EvalKind::AdjointGradient);
    add("qaoa_p5/adjoint_gradient", BM_Qaoa<double, E>, 5, EvalKind::AdjointGradient);
  }
}

// Reads and removes our own --name=value flags; the rest goes to Google Benchmark.
bool take_flag(int& argc, char** argv, std::string_view name, int& value) {
  const std::string prefix = "--" + std::string(name) + "=";
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg(argv[i]);
    if (arg.substr(0, prefix.size()) != prefix) continue;
    value = std::atoi(argv[i] + prefix.size());
    for (int j = i; j + 1 < argc; ++j) argv[j] = argv[j + 1];
    --argc;
    return true;
  }
  return false;
}

void env_int(const char* name, int& value) {
  if (const char* v = std::getenv(name); v != nullptr && *v != '\0') value = std::atoi(v);
}

}  // namespace
}  // namespace vqsim::bench

int main(int argc, char** argv) {
  using namespace vqsim::bench;
  Options o;
  env_int("VQSIM_BENCH_MAX_QUBITS", o.max_qubits);
  env_int("VQSIM_BENCH_REPETITIONS", o.repetitions);
  take_flag(argc, argv, "min_qubits", o.min_qubits);
  take_flag(argc, argv, "max_qubits", o.max_qubits);
  take_flag(argc, argv, "qubit_step", o.qubit_step);
  take_flag(argc, argv, "repetitions", o.repetitions);
  o.qubit_step = std::max(o.qubit_step, 1);
  o.repetitions = std::max(o.repetitions, 1);

  // Sizes outer, so each size's states are allocated once and freed before the next.
  for (int n = o.min_qubits; n <= o.max_qubits; n += o.qubit_step) {
    register_size<double>(n, o, true);
    register_evaluators<double, vqsim::gradient::Evaluator>(n, o);
    register_size<float>(n, o, false);
    register_evaluators<float, vqsim::gradient::FloatEvaluator>(n, o);
    register_workloads(n, o);
  }
  configure(benchmark::RegisterBenchmark("f64/lih/energy", BM_LiH<double, vqsim::gradient::Evaluator>,
                                         EvalKind::Energy),
            12, o);
  configure(
      benchmark::RegisterBenchmark("f64/lih/adjoint_gradient", BM_LiH<double, vqsim::gradient::Evaluator>,
                                   EvalKind::AdjointGradient),
      12, o);

  const auto& cpu = vqsim::core::cpu_features();
  benchmark::AddCustomContext("cpu_model", vqsim::core::cpu_model_name());
  benchmark::AddCustomContext("omp_threads", std::to_string(vqsim::core::max_threads()));
  benchmark::AddCustomContext("simd", cpu.avx512f ? "avx512f"
                                      : cpu.avx2  ? (cpu.fma ? "avx2+fma" : "avx2")
                                                  : "none");
  benchmark::AddCustomContext("qubits", std::to_string(o.min_qubits) + ".." + std::to_string(o.max_qubits) +
                                            " step " + std::to_string(o.qubit_step));
  benchmark::AddCustomContext("vqsim_version", VQSIM_VERSION);

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
