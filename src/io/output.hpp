// The result edge: results, interim results and errors as the JSON the contract defines.
#pragma once

#include <string>

#include "io/input.hpp"
#include "io/json_util.hpp"
#include "qaoa/qaoa.hpp"
#include "simulate/simulate.hpp"
#include "vqe/vqe.hpp"

namespace vqsim::io {

struct RunInfo {
  double execution_time = 0.0;  // seconds
  int threads = 1;
};

json result_json(const Job& job, const vqe::Result& result, const RunInfo& info);
json qaoa_result_json(const Job& job, const vqe::Result& result, const qaoa::Analysis& analysis,
                      const RunInfo& info);
json simulate_result_json(const Job& job, const simulate::Result& result, const RunInfo& info);
json interim_json(const vqe::Interim& interim);
json error_json(ErrorCode code, const std::string& detail);

// Throws INTERNAL_ERROR if any number in j is NaN or infinite (JSON has neither).
void check_finite(const json& j, const std::string& path = "result");

}  // namespace vqsim::io
