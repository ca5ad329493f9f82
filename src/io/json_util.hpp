// Path-aware JSON reading: every accessor names the JSON path and the bad value when it throws.
#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "io/errors.hpp"

namespace vqsim::io {

using json = nlohmann::json;

// Largest input file we read (a data.json beyond this is refused before parsing).
inline constexpr std::uintmax_t kMaxInputBytes = std::uintmax_t{64} << 20;
// Deepest nesting we accept; real problems need about 5 levels.
inline constexpr int kMaxJsonDepth = 64;

// Parses text as JSON; errors name `name`, line and column. Duplicate keys are errors, since
// the parser would otherwise keep only the last value.
json parse_json_text(std::string_view text, const std::string& name);
// Reads and parses a file; with allow_empty, a whitespace-only file gives a discarded value.
json read_json_file(const std::filesystem::path& file, const std::string& name, bool allow_empty = false);

std::string key_path(const std::string& path, std::string_view key);
std::string index_path(const std::string& path, std::size_t i);

// A short rendering of a value for error messages: `"four" (a string)`.
std::string describe(const json& value);

// Rejects keys outside `known`, suggesting the closest known key.
void check_keys(const json& object, const std::string& path, std::initializer_list<std::string_view> known);
// The closest candidate within edit distance 2 (or 1/3 of its length), else "".
std::string closest(std::string_view word, const std::vector<std::string>& candidates);
// ", did you mean 'x'?" or "" — appended to messages about unknown names.
std::string suggestion(std::string_view word, const std::vector<std::string>& candidates);

const json& expect_object(const json& value, const std::string& path);
const json& expect_array(const json& value, const std::string& path);
std::string get_string(const json& value, const std::string& path);
bool get_bool(const json& value, const std::string& path);
double get_number(const json& value, const std::string& path);  // finite
std::int64_t get_int(const json& value, const std::string& path, std::int64_t min, std::int64_t max);

}  // namespace vqsim::io
