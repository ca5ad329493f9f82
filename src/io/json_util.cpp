#include "io/json_util.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

namespace vqsim::io {

namespace {

// Line and column (1-based) of a byte offset.
std::pair<std::size_t, std::size_t> line_column(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

std::string type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "an array";
    case json::value_t::object: return "an object";
    case json::value_t::number_float: return "a number";
    default: return "an integer";
  }
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

json parse_json_text(std::string_view text, const std::string& name) {
  // Duplicate keys: track the keys of every open object.
  std::vector<std::set<std::string>> open;
  std::string duplicate;
  // Depth is bounded: every consumer of the document (and nlohmann's own dump) recurses.
  bool too_deep = false;
  const json::parser_callback_t cb = [&](int depth, json::parse_event_t event, json& parsed) {
    if (depth > kMaxJsonDepth) too_deep = true;
    if (too_deep) return false;  // discard the rest of the too-deep value
    switch (event) {
      case json::parse_event_t::object_start: open.emplace_back(); break;
      case json::parse_event_t::object_end:
        if (!open.empty()) open.pop_back();
        break;
      case json::parse_event_t::key:
        if (!open.empty() && !open.back().insert(parsed.get<std::string>()).second && duplicate.empty())
          duplicate = parsed.get<std::string>();
        break;
      default: break;
    }
    return true;
  };
  json out;
  try {
    out = json::parse(text.begin(), text.end(), cb);
  } catch (const json::parse_error& e) {
    const auto [line, column] = line_column(text, e.byte == 0 ? 0 : e.byte - 1);
    std::string why = e.what();
    // nlohmann's message: "[json.exception.parse_error.101] parse error at line 1, column 2:
    // syntax error while parsing value - invalid literal; last read: 'x'"; keep what follows.
    const auto dash = why.find(" - ");
    if (dash != std::string::npos) why = why.substr(dash + 3);
    throw InputError(name, "malformed JSON at line " + std::to_string(line) + ", column " +
                               std::to_string(column) + ": " + why);
  } catch (const json::out_of_range& e) {
    // e.g. "number overflow parsing '1e999'": a number beyond double's range.
    std::string why = e.what();
    const auto bracket = why.find("] ");
    if (bracket != std::string::npos) why = why.substr(bracket + 2);
    throw InputError(name, why + " (JSON numbers must be finite doubles)");
  }
  if (too_deep) throw InputError(name, "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  if (!duplicate.empty())
    throw InputError(name, "duplicate key '" + duplicate + "' (JSON objects need unique keys)");
  return out;
}

json read_json_file(const std::filesystem::path& file, const std::string& name, bool allow_empty) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) throw InputError(name, "cannot read " + file.string() + ": " + ec.message());
  if (size > kMaxInputBytes)
    throw ServiceError(ErrorCode::ResourceLimit, name + ": the file has " + std::to_string(size) +
                                                     " bytes; the limit is " +
                                                     std::to_string(kMaxInputBytes) + " bytes");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw InputError(name, "cannot open " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  const std::string content = text.str();
  if (allow_empty && content.find_first_not_of(" \t\r\n") == std::string::npos)
    return json(json::value_t::discarded);
  return parse_json_text(content, name);
}

std::string key_path(const std::string& path, std::string_view key) {
  return path + "." + std::string(key);
}

std::string index_path(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

std::string describe(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text + " (" + type_name(value) + ")";
}

std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::numeric_limits<std::size_t>::max();
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  const std::size_t allowed = std::max<std::size_t>(2, best.size() / 3);
  return best_d <= allowed ? best : "";
}

std::string suggestion(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string c = closest(word, candidates);
  return c.empty() ? "" : ", did you mean '" + c + "'?";
}

void check_keys(const json& object, const std::string& path, std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::vector<std::string> names(known.begin(), known.end());
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    const std::string hint = suggestion(key, names);
    throw InputError(key_path(path, key),
                     "unknown key" + (hint.empty() ? " (known keys: " + list + ")" : hint));
  }
}

const json& expect_object(const json& value, const std::string& path) {
  if (!value.is_object()) throw InputError(path, "expected an object, got " + describe(value));
  return value;
}

const json& expect_array(const json& value, const std::string& path) {
  if (!value.is_array()) throw InputError(path, "expected an array, got " + describe(value));
  return value;
}

std::string get_string(const json& value, const std::string& path) {
  if (!value.is_string()) throw InputError(path, "expected a string, got " + describe(value));
  return value.get<std::string>();
}

bool get_bool(const json& value, const std::string& path) {
  if (!value.is_boolean()) throw InputError(path, "expected true or false, got " + describe(value));
  return value.get<bool>();
}

double get_number(const json& value, const std::string& path) {
  if (!value.is_number()) throw InputError(path, "expected a number, got " + describe(value));
  const double v = value.get<double>();
  if (!std::isfinite(v)) throw InputError(path, "the number " + value.dump() + " is not finite");
  return v;
}

std::int64_t get_int(const json& value, const std::string& path, std::int64_t min, std::int64_t max) {
  std::int64_t v = 0;
  if (value.is_number_integer() &&
      !(value.is_number_unsigned() &&
        value.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))) {
    v = value.get<std::int64_t>();
  } else if (value.is_number_float() && std::isfinite(value.get<double>()) &&
             value.get<double>() == std::floor(value.get<double>()) && std::abs(value.get<double>()) < 9e15) {
    v = static_cast<std::int64_t>(value.get<double>());  // 4.0 is an integer; 4.5 is not
  } else if (value.is_number_unsigned()) {
    throw InputError(
        path, value.dump() + " is out of range (" + std::to_string(min) + " to " + std::to_string(max) + ")");
  } else {
    throw InputError(path, "expected an integer, got " + describe(value));
  }
  if (v < min || v > max)
    throw InputError(
        path, value.dump() + " is out of range (" + std::to_string(min) + " to " + std::to_string(max) + ")");
  return v;
}

}  // namespace vqsim::io
