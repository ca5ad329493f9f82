#include "io/resources.hpp"

#include <complex>
#include <fstream>
#include <limits>
#include <sstream>

#include "gradient/evaluator.hpp"
#include "io/errors.hpp"

namespace vqsim::io {
namespace {

std::optional<std::uint64_t> read_number(const char* file) {
  std::ifstream in(file);
  std::string text;
  if (!(in >> text) || text == "max") return std::nullopt;
  try {
    return std::stoull(text);
  } catch (...) {
    return std::nullopt;
  }
}

std::optional<std::uint64_t> meminfo_available() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  std::uint64_t kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb * 1024;
  return std::nullopt;
}

static_assert(circuit::amplitude_bytes(circuit::Precision::Double) == sizeof(std::complex<double>));
static_assert(circuit::amplitude_bytes(circuit::Precision::Single) == sizeof(std::complex<float>));

}  // namespace

MemoryBudget memory_budget() {
  MemoryBudget b{0, "unknown"};
  if (auto m = meminfo_available()) b = {*m, "MemAvailable in /proc/meminfo"};
  // cgroup v2, then v1: a container's limit minus what it already uses.
  struct Cgroup {
    const char* limit;
    const char* usage;
    const char* name;
  };
  for (const Cgroup& cg :
       {Cgroup{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current", "cgroup v2 memory.max"},
        Cgroup{"/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes",
               "cgroup v1 memory.limit_in_bytes"}}) {
    const auto limit = read_number(cg.limit);
    if (!limit || *limit >= (std::uint64_t{1} << 60)) continue;  // unlimited
    const std::uint64_t used = read_number(cg.usage).value_or(0);
    const std::uint64_t free = *limit > used ? *limit - used : 0;
    if (b.source == "unknown" || free < b.available_bytes) b = {free, cg.name};
    break;
  }
  return b;
}

std::uint64_t state_vector_bytes(int num_qubits, circuit::Precision precision) {
  if (num_qubits > 40) return std::numeric_limits<std::uint64_t>::max();
  return (std::uint64_t{1} << num_qubits) * circuit::amplitude_bytes(precision);
}

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
  return a > std::numeric_limits<std::uint64_t>::max() - b ? std::numeric_limits<std::uint64_t>::max()
                                                           : a + b;
}

std::uint64_t vqe_memory_bytes(int num_qubits, bool exact_reference, bool complex_hamiltonian,
                               circuit::Precision precision) {
  // Beyond 2^40 amplitudes (16 TiB a state) no machine qualifies; saturate instead of wrapping.
  if (num_qubits > 40) return std::numeric_limits<std::uint64_t>::max();
  const std::uint64_t dim = std::uint64_t{1} << num_qubits;
  static_assert(gradient::Evaluator::kStateVectors == gradient::FloatEvaluator::kStateVectors);
  std::uint64_t bytes = gradient::Evaluator::kStateVectors * dim * circuit::amplitude_bytes(precision);
  if (exact_reference) {
    // Lanczos: 30 basis vectors of doubles (twice as long for a complex H) + two work states.
    bytes +=
        30 * dim * sizeof(double) * (complex_hamiltonian ? 2 : 1) + 2 * dim * sizeof(std::complex<double>);
  }
  return bytes + (std::uint64_t{64} << 20);  // the process itself
}

std::uint64_t sector_reference_bytes(std::uint64_t dimension, bool complex_hamiltonian) {
  const std::uint64_t per_state = 32 * sizeof(double) * (complex_hamiltonian ? 2 : 1) +
                                  sizeof(std::uint64_t) + sizeof(std::complex<double>);
  if (dimension > std::numeric_limits<std::uint64_t>::max() / per_state)
    return std::numeric_limits<std::uint64_t>::max();
  return dimension * per_state;
}

std::string format_bytes(std::uint64_t bytes) {
  std::ostringstream s;
  s.precision(3);
  const double b = static_cast<double>(bytes);
  if (b >= 1024.0 * 1024 * 1024)
    s << b / (1024.0 * 1024 * 1024) << " GiB";
  else
    s << b / (1024.0 * 1024) << " MiB";
  return s.str();
}

void check_memory(std::uint64_t needed, const std::string& what) {
  const MemoryBudget b = memory_budget();
  if (b.source != "unknown" && needed > b.available_bytes)
    throw ServiceError(ErrorCode::ResourceLimit, what + " needs " + format_bytes(needed) + " but only " +
                                                     format_bytes(b.available_bytes) + " is available (" +
                                                     b.source + ")");
}

}  // namespace vqsim::io
