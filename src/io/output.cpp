#include "io/output.hpp"

#include <cmath>

namespace vqsim::io {

json result_json(const Job& job, const vqe::Result& r, const RunInfo& info) {
  const auto& c = job.problem.circuit;
  const auto& opt = job.settings.optimizer;
  json result = {
      {"energy", r.energy},       {"parameters", r.parameters},   {"parameter_names", c.parameter_names},
      {"converged", r.converged}, {"stop_reason", r.stop_reason}, {"iterations", r.iterations},
      {"history", r.history},
  };
  if (r.exact_energy) {
    result["exact_energy"] = *r.exact_energy;
    result["energy_error"] = r.energy - *r.exact_energy;
  }
  const bool gradient_used = optimize::uses_gradient(opt.method) && c.num_parameters() > 0;
  json metadata = {
      {"execution_time", info.execution_time},
      {"num_qubits", c.num_qubits},
      {"num_parameters", c.num_parameters()},
      {"num_gates", c.gates.size()},
      {"observable_terms", job.problem.observable.terms().size()},
      {"optimizer", optimize::method_name(opt.method)},
      {"gradient", gradient_used ? std::string(gradient::method_name(job.settings.gradient)) : "none"},
      {"evaluations", r.evaluations},
      {"threads", info.threads},
      {"precision", "double"},
      {"version", VQSIM_VERSION},
      {"max_iterations", opt.max_iterations},
      {"tolerance", opt.tolerance},
      {"seed", opt.seed},
  };
  json out = {{"result", result}, {"metadata", metadata}};
  check_finite(out);
  return out;
}

json interim_json(const vqe::Interim& in) {
  json j = {{"iteration", in.iteration.iteration},
            {"energy", in.iteration.energy},
            {"best_energy", in.iteration.best_energy},
            {"evaluations", in.evaluations}};
  if (in.iteration.gradient_norm) j["gradient_norm"] = *in.iteration.gradient_norm;
  check_finite(j, "interim result");
  return j;
}

json error_json(ErrorCode code, const std::string& detail) {
  return {{"code", code_name(code)}, {"detail", detail}};
}

void check_finite(const json& j, const std::string& path) {
  if (j.is_number_float() && !std::isfinite(j.get<double>()))
    throw ServiceError(ErrorCode::InternalError, path + ": the computed value is not finite");
  if (j.is_object())
    for (const auto& [k, v] : j.items()) check_finite(v, path + "." + k);
  if (j.is_array())
    for (std::size_t i = 0; i < j.size(); ++i) check_finite(j[i], index_path(path, i));
}

}  // namespace vqsim::io
