// Minimisers for the variational loop: NLopt's classics and our own stochastic/first-order ones,
// behind one interface that reports every iteration.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vqsim::optimize {

enum class Method { Lbfgs, Cobyla, NelderMead, Bobyqa, Adam, Spsa, GradientDescent };

std::string_view method_name(Method m);
std::optional<Method> method_from_name(std::string_view name);
std::vector<std::string> method_names();
bool uses_gradient(Method m);
bool uses_learning_rate(Method m);
// The default `tolerance`: an energy change for the NLopt methods and spsa, a gradient norm
// for adam and gradient_descent.
double default_tolerance(Method m);

struct Settings {
  Method method = Method::Lbfgs;
  int max_iterations = 1000;
  double tolerance = 1e-10;    // see default_tolerance()
  double learning_rate = 0.0;  // 0 = the method's default
  std::uint64_t seed = 0;
};

// f(x) with gradient written to *grad when grad is not null.
using Objective = std::function<double(const std::vector<double>& x, std::vector<double>* grad)>;

struct Iteration {
  int iteration = 0;  // 1-based
  double energy = 0.0;
  double best_energy = 0.0;
  std::optional<double> gradient_norm;
};

// Called after every iteration; returning false stops the optimiser (e.g. on cancellation).
using IterationCallback = std::function<bool(const Iteration&)>;

enum class StopReason { Converged, MaxIterations, Stalled, Callback };

std::string_view stop_reason_name(StopReason r);

struct Result {
  std::vector<double> x;  // the best point seen
  double value = 0.0;     // f at x
  int iterations = 0;
  StopReason stop_reason = StopReason::MaxIterations;
  bool converged() const { return stop_reason == StopReason::Converged; }
};

// Minimises f from x0. What one iteration is: an objective evaluation for the NLopt methods
// (NLopt's own unit); one update step for adam, spsa and gradient_descent.
Result minimize(const Objective& f, const std::vector<double>& x0, const Settings& settings,
                const IterationCallback& on_iteration);

}  // namespace vqsim::optimize
