// libFuzzer harness: arbitrary bytes through vqsim::fuzz::run_job (fuzz/fuzz_targets.hpp).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  vqsim::fuzz::run_job(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
