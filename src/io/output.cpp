#include "io/output.hpp"

#include <algorithm>
#include <cmath>

#include "measure/sampling.hpp"

namespace vqsim::io {

namespace {

// What every result's metadata says: the run, the circuit, the machine.
json common_metadata(const Job& job, const RunInfo& info) {
  const auto& c = job.problem.circuit;
  json m = {
      {"task", task_name(job.task)},
      {"execution_time", info.execution_time},
      {"num_qubits", c.num_qubits},
      {"num_parameters", c.num_parameters()},
      {"num_gates", c.gates.size()},
      {"threads", info.threads},
      {"precision", circuit::precision_name(job.settings.precision)},
      {"version", VQSIM_VERSION},
      {"seed", job.settings.optimizer.seed},
  };
  if (job.settings.shots) m["shots"] = *job.settings.shots;
  return m;
}

json variational_result(const Job& job, const vqe::Result& r, const RunInfo& info, json& metadata) {
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
    if (r.exact_sector) {
      result["exact_sector"] = {{"num_electrons", r.exact_sector->num_particles}};
      if (r.exact_sector->spin) result["exact_sector"]["sz"] = r.exact_sector->sz();
    }
  }
  if (r.noiseless_energy) result["noiseless_energy"] = *r.noiseless_energy;
  const bool gradient_used = optimize::uses_gradient(opt.method) && c.num_parameters() > 0;
  metadata = common_metadata(job, info);
  metadata.update({
      {"observable_terms", job.problem.observable.terms().size()},
      {"optimizer", optimize::method_name(opt.method)},
      {"gradient", gradient_used ? std::string(gradient::method_name(job.settings.gradient)) : "none"},
      {"evaluations", r.evaluations},
      {"norm_deviation", r.norm_deviation},
      {"max_iterations", opt.max_iterations},
      {"tolerance", opt.tolerance},
  });
  return result;
}

json finished(json result, json metadata) {
  json out = {{"result", std::move(result)}, {"metadata", std::move(metadata)}};
  check_finite(out);
  return out;
}

}  // namespace

json result_json(const Job& job, const vqe::Result& r, const RunInfo& info) {
  json metadata;
  json result = variational_result(job, r, info, metadata);
  return finished(std::move(result), std::move(metadata));
}

json qaoa_result_json(const Job& job, const vqe::Result& r, const qaoa::Analysis& a, const RunInfo& info) {
  json metadata;
  json result = variational_result(job, r, info, metadata);
  const int n = job.problem.circuit.num_qubits;
  auto solution = [&](const qaoa::Solution& s) {
    return json{
        {"bits", measure::bit_string(s.bits, n)}, {"probability", s.probability}, {"objective", s.objective}};
  };
  result["expected_objective"] = a.expected_objective;
  result["best_solutions"] = json::array();
  for (const auto& s : a.best_solutions) result["best_solutions"].push_back(solution(s));
  result["solution"] = solution(a.solution);
  if (a.optimum)
    result["optimum"] = {{"bits", measure::bit_string(a.optimum->bits, n)},
                         {"objective", a.optimum->objective}};
  if (a.approximation_ratio) result["approximation_ratio"] = *a.approximation_ratio;
  const auto kind = job.cost->kind;
  metadata["problem_type"] = kind == qaoa::Kind::MaxCut ? "maxcut"
                             : kind == qaoa::Kind::Qubo ? "qubo"
                                                        : "ising";
  metadata["objective_sense"] = job.cost->maximise() ? "maximize" : "minimize";
  metadata["layers"] = job.layers;
  return finished(std::move(result), std::move(metadata));
}

json simulate_result_json(const Job& job, const simulate::Result& r, const RunInfo& info) {
  const int n = job.problem.circuit.num_qubits;
  const auto& outputs = job.simulate.outputs;
  auto wants = [&](const char* o) { return std::find(outputs.begin(), outputs.end(), o) != outputs.end(); };
  json result = json::object();
  json values = json::object();
  for (std::size_t i = 0; i < job.simulate.parameters.size(); ++i)
    values[job.problem.circuit.parameter_names[i]] = job.simulate.parameters[i];
  result["parameters"] = values;
  if (wants("counts")) {
    json counts = json::object();
    for (const auto& [index, count] : r.counts) counts[measure::bit_string(index, n)] = count;
    result["counts"] = counts;
  }
  if (wants("probabilities")) {
    json probabilities = json::object();
    for (const auto& [p, index] : r.probabilities) probabilities[measure::bit_string(index, n)] = p;
    result["probabilities"] = probabilities;
  }
  if (wants("expectation_values")) {
    json ev = json::object();
    for (const auto& [name, value] : r.expectation_values) ev[name] = value;
    result["expectation_values"] = ev;
  }
  if (wants("statevector")) {
    json sv = json::array();
    for (const auto& a : r.statevector) sv.push_back({a.real(), a.imag()});
    result["statevector"] = sv;
  }
  json metadata = common_metadata(job, info);
  metadata["outputs"] = outputs;
  metadata["norm_deviation"] = std::abs(r.norm - 1.0);
  if (wants("probabilities")) metadata["top_k"] = job.simulate.top_k;
  return finished(std::move(result), std::move(metadata));
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
