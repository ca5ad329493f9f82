#include "simulate/simulate.hpp"

#include <random>
#include <type_traits>

#include "circuit/executor.hpp"
#include "circuit/program.hpp"
#include "measure/sampling.hpp"

namespace vqsim::simulate {
namespace {

template <class Real>
Result run_in(const circuit::Circuit& circuit, const Request& request) {
  const core::StateVector<Real> psi = prepare<Real>(circuit, request.parameters);

  Result r;
  r.norm = core::norm_squared(psi);
  if (request.counts) {
    std::mt19937_64 rng(request.seed);
    r.counts = measure::sample(psi, request.shots, rng);
  }
  if (request.probabilities) {
    r.probabilities = measure::most_likely(psi, request.top_k);
    // Outcomes that cannot occur are not "likely": drop what is zero up to rounding.
    const double zero = std::is_same_v<Real, float> ? kZeroProbabilitySingle : kZeroProbability;
    std::erase_if(r.probabilities, [&](const auto& p) { return p.first <= zero; });
  }
  for (const auto& [name, h] : request.observables)
    r.expectation_values.emplace_back(name, h.expectation(psi));
  if (request.statevector) r.statevector.assign(psi.data(), psi.data() + psi.size());
  return r;
}

}  // namespace

template <class Real>
core::StateVector<Real> prepare(const circuit::Circuit& circuit, const std::vector<double>& parameters) {
  core::StateVector<Real> psi(circuit.num_qubits);
  circuit::AngleTable angles;
  angles.fill(circuit, parameters);
  circuit::Program<Real> program(circuit, 0, true, circuit::Start::Zero);  // fused, cache-blocked
  program.refill(angles);
  program.run(psi);
  return psi;
}

template core::StateVector<double> prepare(const circuit::Circuit&, const std::vector<double>&);
template core::StateVector<float> prepare(const circuit::Circuit&, const std::vector<double>&);

Result run(const circuit::Circuit& circuit, const Request& request) {
  return circuit::with_precision(request.precision,
                                 [&](auto zero) { return run_in<decltype(zero)>(circuit, request); });
}

}  // namespace vqsim::simulate
