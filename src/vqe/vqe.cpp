#include "vqe/vqe.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <type_traits>

#include <spdlog/spdlog.h>

#include "measure/sampling.hpp"
#include "observable/exact.hpp"

namespace vqsim::vqe {

std::vector<double> initial_point(const Settings& s, int num_parameters) {
  const auto n = static_cast<std::size_t>(num_parameters);
  switch (s.initial) {
    case InitialKind::Given: return s.initial_parameters;
    case InitialKind::Random: {
      std::mt19937_64 rng(s.optimizer.seed);
      std::uniform_real_distribution<double> angle(-std::numbers::pi, std::numbers::pi);
      std::vector<double> x(n);
      for (auto& v : x) v = angle(rng);
      return x;
    }
    default: return std::vector<double>(n, 0.0);
  }
}

bool computes_exact(const Problem& problem, const Settings& settings) {
  if (settings.exact != ExactMode::Auto) return settings.exact == ExactMode::Always;
  if (settings.exact_sector)
    return observable::sector_dimension(problem.circuit.num_qubits, *settings.exact_sector) <=
           kAutoExactMaxSectorDimension;
  return problem.circuit.num_qubits <= kAutoExactMaxQubits;
}

namespace {

// The whole run with state vectors of Real (double or float); run() picks Real once.
template <class Real>
Result run_in(const Problem& problem, const Settings& settings, const InterimSink& on_iteration,
              const StopCheck& should_stop) {
  gradient::BasicEvaluator<Real> evaluator(problem.circuit, problem.observable);
  Result result;
  const std::vector<double> x0 = initial_point(settings, problem.circuit.num_parameters());
  // Numerical health: unitary evolution keeps the norm at 1; rounding drift is measured, not hidden.
  const auto check_norm = [&] {
    result.norm_deviation =
        std::max(result.norm_deviation, std::abs(core::norm_squared(evaluator.state()) - 1.0));
  };

  if (x0.empty()) {
    // Nothing to optimise: the energy of the fixed circuit is the answer.
    result.energy = evaluator.energy(x0);
    check_norm();
    result.converged = true;
    result.stop_reason = "converged";
    result.iterations = 1;
    result.history = {result.energy};
    if (on_iteration)
      on_iteration({{1, result.energy, result.energy, std::nullopt}, evaluator.evaluations()});
  } else {
    // Finite shots: the state from the evaluator, the energy estimated from samples. Its own
    // random stream, so adding shots does not change SPSA's perturbations.
    std::optional<std::string> stopped_because;
    std::optional<measure::BasicShotEstimator<Real>> sampler;
    std::mt19937_64 shot_rng(settings.optimizer.seed ^ 0x9e3779b97f4a7c15ULL);
    if (settings.shots) sampler.emplace(problem.observable);
    const optimize::Objective f = [&](const std::vector<double>& x, std::vector<double>* grad) {
      if (grad) return evaluator.energy_and_gradient(x, *grad, settings.gradient);
      const double exact = evaluator.energy(x);
      check_norm();
      return sampler ? sampler->estimate(evaluator.state(), *settings.shots, shot_rng) : exact;
    };
    const auto opt = optimize::minimize(f, x0, settings.optimizer, [&](const optimize::Iteration& it) {
      result.history.push_back(it.energy);
      if (on_iteration) on_iteration({it, evaluator.evaluations()});
      if (should_stop) stopped_because = should_stop();
      return !stopped_because.has_value();
    });
    result.energy = opt.value;
    result.parameters = opt.x;
    result.converged = opt.converged();
    result.stop_reason =
        stopped_because ? *stopped_because : std::string(optimize::stop_reason_name(opt.stop_reason));
    result.iterations = opt.iterations;
    // What the noisy optimiser's best point is really worth: the noiseless energy there.
    // The returned point is evaluated once more: its state's norm is checked whatever the method.
    const double at_best = evaluator.energy(result.parameters);
    check_norm();
    if (sampler) result.noiseless_energy = at_best;
  }
  result.evaluations = evaluator.evaluations();
  const double norm_tolerance = std::is_same_v<Real, float> ? kNormToleranceSingle : kNormTolerance;
  if (result.norm_deviation > norm_tolerance)
    spdlog::warn("the state's norm drifted by {:.3g} (tolerance {:.0e}): energies may be off by as much",
                 result.norm_deviation, norm_tolerance);

  if (computes_exact(problem, settings)) {
    const auto r = settings.exact_sector
                       ? observable::ground_energy(problem.observable, *settings.exact_sector)
                       : observable::ground_energy(problem.observable);
    if (settings.exact_sector)
      spdlog::info("exact reference in the sector of {} electrons{}: {} basis states, {} products",
                   settings.exact_sector->num_particles,
                   settings.exact_sector->spin ? fmt::format(", S_z {}", settings.exact_sector->sz()) : "",
                   r.dimension, r.matrix_products);
    if (r.leaves_sector)
      spdlog::warn(
          "the observable does not conserve the exact_sector's particle number (or S_z): exact_energy is the "
          "lowest energy of a state in the sector, not an eigenvalue of the observable");
    if (r.converged) {
      result.exact_energy = r.energy;
      result.exact_sector = settings.exact_sector;
    } else {
      spdlog::warn("the exact reference (Lanczos) did not converge after {} products; not reported",
                   r.matrix_products);
    }
  }
  return result;
}

}  // namespace

Result run(const Problem& problem, const Settings& settings, const InterimSink& on_iteration,
           const StopCheck& should_stop) {
  return circuit::with_precision(settings.precision, [&](auto zero) {
    return run_in<decltype(zero)>(problem, settings, on_iteration, should_stop);
  });
}

}  // namespace vqsim::vqe
