// The input edge: data.json and params.json to a validated problem and settings.
// Everything the user wrote is checked here, once; later layers trust what they get.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "io/json_util.hpp"
#include "vqe/vqe.hpp"

namespace vqsim::io {

struct Job {
  vqe::Problem problem;
  vqe::Settings settings;
  std::string log_level = "info";
  std::size_t observable_terms_given = 0;  // as listed, before merging duplicates
};

// Reads dir/data.json (required) and dir/params.json (optional).
Job load_job(const std::filesystem::path& dir);
// The same from parsed documents (params may be null when absent).
Job parse_job(const json& data, const json* params);

}  // namespace vqsim::io
