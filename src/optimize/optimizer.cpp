#include "optimize/optimizer.hpp"

#include <nlopt.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <random>
#include <stdexcept>

namespace vqsim::optimize {
namespace {

struct Named {
  Method method;
  std::string_view name;
};
constexpr std::array<Named, 7> kMethods{{{Method::Lbfgs, "lbfgs"},
                                         {Method::Cobyla, "cobyla"},
                                         {Method::NelderMead, "nelder_mead"},
                                         {Method::Bobyqa, "bobyqa"},
                                         {Method::Adam, "adam"},
                                         {Method::Spsa, "spsa"},
                                         {Method::GradientDescent, "gradient_descent"}}};

double norm(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x * x;
  return std::sqrt(s);
}

// Tracks the best point and feeds the callback; shared by every method.
class Tracker {
 public:
  Tracker(const IterationCallback& cb, std::size_t n) : cb_(cb) { best_x_.resize(n); }

  // Records a point; returns false when the callback asks to stop.
  bool record(const std::vector<double>& x, double f, std::optional<double> gnorm) {
    if (!std::isfinite(f)) throw std::runtime_error("the objective returned a non-finite value");
    if (iterations_ == 0 || f < best_) {
      best_ = f;
      best_x_ = x;
      best_gnorm_ = gnorm;
    }
    ++iterations_;
    return cb_ ? cb_({iterations_, f, best_, gnorm}) : true;
  }

  Result result(StopReason reason) const { return {best_x_, best_, iterations_, reason}; }
  int iterations() const { return iterations_; }
  std::optional<double> best_gradient_norm() const { return best_gnorm_; }

 private:
  const IterationCallback& cb_;
  std::vector<double> best_x_;
  double best_ = 0.0;
  std::optional<double> best_gnorm_;
  int iterations_ = 0;
};

struct NloptContext {
  const Objective* f;
  Tracker* tracker;
  nlopt_opt opt;
  std::vector<double> x, grad;
  bool stopped_by_callback = false;
  std::exception_ptr error;
};

double nlopt_objective(unsigned n, const double* x, double* grad, void* data) {
  auto* ctx = static_cast<NloptContext*>(data);
  try {
    ctx->x.assign(x, x + n);
    const double f = (*ctx->f)(ctx->x, grad ? &ctx->grad : nullptr);
    std::optional<double> gnorm;
    if (grad) {
      std::copy(ctx->grad.begin(), ctx->grad.end(), grad);
      gnorm = norm(ctx->grad);
    }
    if (!ctx->tracker->record(ctx->x, f, gnorm)) {
      ctx->stopped_by_callback = true;
      nlopt_force_stop(ctx->opt);
    }
    return f;
  } catch (...) {
    ctx->error = std::current_exception();
    nlopt_force_stop(ctx->opt);
    return std::numeric_limits<double>::quiet_NaN();
  }
}

Result minimize_nlopt(const Objective& f, const std::vector<double>& x0, const Settings& s,
                      Tracker& tracker) {
  nlopt_algorithm algorithm = NLOPT_LD_LBFGS;
  switch (s.method) {
    case Method::Cobyla: algorithm = NLOPT_LN_COBYLA; break;
    case Method::NelderMead: algorithm = NLOPT_LN_NELDERMEAD; break;
    case Method::Bobyqa: algorithm = NLOPT_LN_BOBYQA; break;
    default: break;
  }
  const auto n = static_cast<unsigned>(x0.size());
  // RAII for the C handle.
  std::unique_ptr<nlopt_opt_s, decltype(&nlopt_destroy)> opt(nlopt_create(algorithm, n), nlopt_destroy);
  if (!opt) throw std::runtime_error("NLopt could not create the optimiser");
  NloptContext ctx{&f, &tracker, opt.get(), {}, std::vector<double>(n), false, nullptr};
  nlopt_set_min_objective(opt.get(), nlopt_objective, &ctx);
  nlopt_set_maxeval(opt.get(), s.max_iterations);
  nlopt_set_ftol_abs(opt.get(), s.tolerance);
  if (algorithm != NLOPT_LD_LBFGS) nlopt_set_initial_step1(opt.get(), 0.5);
  std::vector<double> x = x0;
  double value = 0.0;
  const nlopt_result r = nlopt_optimize(opt.get(), x.data(), &value);
  if (ctx.error) std::rethrow_exception(ctx.error);
  if (ctx.stopped_by_callback) return tracker.result(StopReason::Callback);
  switch (r) {
    case NLOPT_SUCCESS:
    case NLOPT_STOPVAL_REACHED:
    case NLOPT_FTOL_REACHED:
    case NLOPT_XTOL_REACHED: return tracker.result(StopReason::Converged);
    case NLOPT_MAXEVAL_REACHED:
    case NLOPT_MAXTIME_REACHED: return tracker.result(StopReason::MaxIterations);
    case NLOPT_ROUNDOFF_LIMITED: {
      // L-BFGS ends this way when the line search can no longer improve in floating point;
      // that is convergence when the gradient at the best point vanishes.
      const auto g = tracker.best_gradient_norm();
      return tracker.result(g && *g < 1e-6 ? StopReason::Converged : StopReason::Stalled);
    }
    case NLOPT_INVALID_ARGS:
      throw std::runtime_error("NLopt rejected the optimiser settings (invalid arguments)");
    case NLOPT_OUT_OF_MEMORY: throw std::runtime_error("NLopt ran out of memory");
    default: return tracker.result(StopReason::Stalled);
  }
}

Result minimize_adam(const Objective& f, std::vector<double> x, const Settings& s, Tracker& tracker) {
  const double lr = s.learning_rate > 0 ? s.learning_rate : 0.05;
  const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
  std::vector<double> g(x.size()), m(x.size(), 0.0), v(x.size(), 0.0);
  for (int k = 1; k <= s.max_iterations; ++k) {
    const double e = f(x, &g);
    const double gn = norm(g);
    if (!tracker.record(x, e, gn)) return tracker.result(StopReason::Callback);
    if (gn < s.tolerance) return tracker.result(StopReason::Converged);
    for (std::size_t i = 0; i < x.size(); ++i) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const double mh = m[i] / (1 - std::pow(b1, k)), vh = v[i] / (1 - std::pow(b2, k));
      x[i] -= lr * mh / (std::sqrt(vh) + eps);
    }
  }
  return tracker.result(StopReason::MaxIterations);
}

Result minimize_gradient_descent(const Objective& f, std::vector<double> x, const Settings& s,
                                 Tracker& tracker) {
  const double lr = s.learning_rate > 0 ? s.learning_rate : 0.1;
  std::vector<double> g(x.size());
  for (int k = 1; k <= s.max_iterations; ++k) {
    const double e = f(x, &g);
    const double gn = norm(g);
    if (!tracker.record(x, e, gn)) return tracker.result(StopReason::Callback);
    if (gn < s.tolerance) return tracker.result(StopReason::Converged);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] -= lr * g[i];
  }
  return tracker.result(StopReason::MaxIterations);
}

// Simultaneous perturbation stochastic approximation (Spall 1998) with the standard gains
// a_k = a / (k + A)^0.602 and c_k = c / k^0.101. As in Spall's guidelines (and Qiskit), `a` is
// calibrated so that the first step moves the parameters by about learning_rate (default 0.2).
Result minimize_spsa(const Objective& f, std::vector<double> x, const Settings& s, Tracker& tracker) {
  const double target = s.learning_rate > 0 ? s.learning_rate : 0.2, c = 0.1, alpha = 0.602;
  const double big_a = 0.1 * s.max_iterations;
  std::mt19937_64 rng(s.seed);
  std::bernoulli_distribution coin(0.5);
  std::vector<double> delta(x.size()), xp(x.size()), xm(x.size());
  auto perturbed_difference = [&](double ck) {
    for (std::size_t i = 0; i < x.size(); ++i) {
      delta[i] = coin(rng) ? 1.0 : -1.0;
      xp[i] = x[i] + ck * delta[i];
      xm[i] = x[i] - ck * delta[i];
    }
    return (f(xp, nullptr) - f(xm, nullptr)) / (2 * ck);
  };
  constexpr int kCalibration = 10;
  double mean_abs = 0.0;
  for (int i = 0; i < kCalibration; ++i) mean_abs += std::abs(perturbed_difference(c)) / kCalibration;
  const double a = mean_abs > 0 ? target * std::pow(big_a + 1, alpha) / mean_abs : target;

  // Converged when the last kWindow energies all lie within `tolerance`: a single small step
  // says little in a stochastic method.
  constexpr int kWindow = 20;
  std::vector<double> recent;
  for (int k = 1; k <= s.max_iterations; ++k) {
    const double ak = a / std::pow(k + big_a, alpha), ck = c / std::pow(k, 0.101);
    const double diff = perturbed_difference(ck);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] -= ak * diff * delta[i];
    const double e = f(x, nullptr);
    if (!tracker.record(x, e, std::nullopt)) return tracker.result(StopReason::Callback);
    recent.push_back(e);
    if (recent.size() > kWindow) recent.erase(recent.begin());
    if (recent.size() == kWindow &&
        *std::max_element(recent.begin(), recent.end()) - *std::min_element(recent.begin(), recent.end()) <
            s.tolerance)
      return tracker.result(StopReason::Converged);
  }
  return tracker.result(StopReason::MaxIterations);
}

}  // namespace

std::string_view method_name(Method m) {
  return kMethods[static_cast<std::size_t>(m)].name;
}

std::optional<Method> method_from_name(std::string_view name) {
  for (const auto& m : kMethods)
    if (m.name == name) return m.method;
  return std::nullopt;
}

std::vector<std::string> method_names() {
  std::vector<std::string> out;
  for (const auto& m : kMethods) out.emplace_back(m.name);
  return out;
}

bool uses_gradient(Method m) {
  return m == Method::Lbfgs || m == Method::Adam || m == Method::GradientDescent;
}

bool uses_learning_rate(Method m) {
  return m == Method::Adam || m == Method::Spsa || m == Method::GradientDescent;
}

double default_tolerance(Method m) {
  switch (m) {
    case Method::Adam:
    case Method::GradientDescent: return 1e-6;
    case Method::Spsa: return 1e-8;
    default: return 1e-10;
  }
}

std::string_view stop_reason_name(StopReason r) {
  switch (r) {
    case StopReason::Converged: return "converged";
    case StopReason::MaxIterations: return "max_iterations";
    case StopReason::Stalled: return "stalled";
    default: return "cancelled";
  }
}

Result minimize(const Objective& f, const std::vector<double>& x0, const Settings& settings,
                const IterationCallback& on_iteration) {
  Tracker tracker(on_iteration, x0.size());
  switch (settings.method) {
    case Method::Adam: return minimize_adam(f, x0, settings, tracker);
    case Method::GradientDescent: return minimize_gradient_descent(f, x0, settings, tracker);
    case Method::Spsa: return minimize_spsa(f, x0, settings, tracker);
    default: return minimize_nlopt(f, x0, settings, tracker);
  }
}

}  // namespace vqsim::optimize
