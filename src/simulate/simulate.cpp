#include "simulate/simulate.hpp"

#include <random>

#include "circuit/executor.hpp"
#include "circuit/program.hpp"
#include "measure/sampling.hpp"

namespace vqsim::simulate {

core::StateVector<double> prepare(const circuit::Circuit& circuit, const std::vector<double>& parameters) {
  core::StateVector<double> psi(circuit.num_qubits);
  circuit::AngleTable angles;
  angles.fill(circuit, parameters);
  circuit::Program<double> program(circuit, 0, true, circuit::Start::Zero);  // fused, cache-blocked
  program.refill(angles);
  program.run(psi);
  return psi;
}

Result run(const circuit::Circuit& circuit, const Request& request) {
  const core::StateVector<double> psi = prepare(circuit, request.parameters);

  Result r;
  r.norm = core::norm_squared(psi);
  if (request.counts) {
    std::mt19937_64 rng(request.seed);
    r.counts = measure::sample(psi, request.shots, rng);
  }
  if (request.probabilities) {
    r.probabilities = measure::most_likely(psi, request.top_k);
    // Outcomes that cannot occur are not "likely": drop what is zero up to rounding.
    std::erase_if(r.probabilities, [](const auto& p) { return p.first <= kZeroProbability; });
  }
  for (const auto& [name, h] : request.observables)
    r.expectation_values.emplace_back(name, h.expectation(psi));
  if (request.statevector) r.statevector.assign(psi.data(), psi.data() + psi.size());
  return r;
}

}  // namespace vqsim::simulate
