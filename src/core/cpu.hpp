// What the CPU offers, read once at start-up (for kernel choice and metadata).
#pragma once

#include <string>

namespace vqsim::core {

struct CpuFeatures {
  bool avx2 = false;
  bool fma = false;
  bool avx512f = false;
};

const CpuFeatures& cpu_features();
std::string cpu_model_name();

}  // namespace vqsim::core
