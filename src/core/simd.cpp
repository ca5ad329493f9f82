#include "core/simd.hpp"

#include <vector>

#include "core/cpu.hpp"

namespace vqsim::core::simd {

// One declaration pair per compiled variant (defined in simd_<isa>.cpp).
#define VQSIM_DECLARE_VARIANT(ns)       \
  namespace ns {                        \
  const Kernels<double>& kernels_f64(); \
  const Kernels<float>& kernels_f32();  \
  }
VQSIM_DECLARE_VARIANT(generic)
#if defined(__x86_64__)
VQSIM_DECLARE_VARIANT(avx2)
VQSIM_DECLARE_VARIANT(avx512)
#endif
#undef VQSIM_DECLARE_VARIANT

namespace {

struct Variant {
  const Kernels<double>* f64;
  const Kernels<float>* f32;
};

// Baseline first, then every wider variant this CPU can run, best last.
const std::vector<Variant>& variants() {
  static const std::vector<Variant> all = [] {
    std::vector<Variant> v{{&generic::kernels_f64(), &generic::kernels_f32()}};
#if defined(__x86_64__)
    const CpuFeatures& f = cpu_features();
    if (f.avx2 && f.fma) v.push_back({&avx2::kernels_f64(), &avx2::kernels_f32()});
    if (f.avx512f && f.fma) v.push_back({&avx512::kernels_f64(), &avx512::kernels_f32()});
#endif
    return v;
  }();
  return all;
}

}  // namespace

const Kernels<double>& kernels_f64() {
  static const Kernels<double>& k = *variants().back().f64;
  return k;
}
const Kernels<float>& kernels_f32() {
  static const Kernels<float>& k = *variants().back().f32;
  return k;
}
int num_variants() {
  return static_cast<int>(variants().size());
}
const Kernels<double>& variant_f64(int i) {
  return *variants()[static_cast<std::size_t>(i)].f64;
}
const Kernels<float>& variant_f32(int i) {
  return *variants()[static_cast<std::size_t>(i)].f32;
}

int flip_group_size(int left) {
  return left >= 4 && left % 4 != 1 ? 4 : left >= 3 ? 3 : left;
}

int flip_sweep_count(const int* qubits, int num, int lanes_log2) {
  if (num == 0) return 0;
  int left = 0;
  for (int j = 0; j < num; ++j) left += qubits[j] >= lanes_log2 ? 1 : 0;
  int sweeps = left == 0 ? 1 : 0;
  for (; left > 0; left -= flip_group_size(left)) ++sweeps;
  return sweeps;
}

std::uint64_t pair_range_size(int n, std::uint64_t cmask) {
  return std::uint64_t{1} << (n - 1 - __builtin_popcountll(cmask >> kRangeLowBits));
}
std::uint64_t diagonal_range_size(int n, std::uint64_t cmask) {
  return std::uint64_t{1} << (n - __builtin_popcountll(cmask >> kRangeLowBits));
}

}  // namespace vqsim::core::simd
