// The threading policy: the only place in vqsim that speaks OpenMP.
// Loops below the size threshold run sequentially, so small states pay no thread start-up.
#pragma once

#include <omp.h>

#include <complex>
#include <cstdint>

namespace vqsim::core {

// Below this many iterations a loop runs on the calling thread alone.
inline constexpr std::uint64_t kParallelThreshold = std::uint64_t{1} << 13;

inline int max_threads() {
  return omp_get_max_threads();
}

template <class Body>
void parallel_for(std::uint64_t count, Body&& body) {
  if (count >= kParallelThreshold && omp_get_max_threads() > 1) {
    const auto n = static_cast<std::int64_t>(count);
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < n; ++i) body(static_cast<std::uint64_t>(i));
  } else {
    for (std::uint64_t i = 0; i < count; ++i) body(i);
  }
}

// Below this many amplitudes in total, a blocked pass runs on the calling thread alone.
inline constexpr std::uint64_t kParallelAmplitudes = std::uint64_t{1} << 14;

// Calls body(block, thread) for every block in [0, num_blocks): whole blocks per thread, so each
// thread works on its own cache-resident block (and its own scratch buffer, indexed by thread).
// Parallel only when there are at least two blocks and total_amplitudes reaches the threshold.
template <class Body>
void parallel_blocks(std::uint64_t num_blocks, std::uint64_t total_amplitudes, Body&& body) {
  if (num_blocks > 1 && total_amplitudes >= kParallelAmplitudes && omp_get_max_threads() > 1) {
    const auto n = static_cast<std::int64_t>(num_blocks);
#pragma omp parallel for schedule(static)
    for (std::int64_t b = 0; b < n; ++b) body(static_cast<std::uint64_t>(b), omp_get_thread_num());
  } else {
    for (std::uint64_t b = 0; b < num_blocks; ++b) body(b, 0);
  }
}

// Where thread k of nt starts its slice of [0, count) in parallel_ranges (count for k >= nt).
inline std::uint64_t slice_start(std::uint64_t count, std::uint64_t align, std::uint64_t k,
                                 std::uint64_t nt) {
  return k >= nt ? count : (count / nt * k) & ~(align - 1);
}

// Calls body(begin, end) on slices of [0, count) that together cover it, one per thread (the
// same static split as parallel_for), their ends multiples of `align` (a power of two) but for the
// last; below kParallelAmplitudes, body(0, count) on the calling thread alone. For kernels that
// take a slice of their iteration space, so a thread's loop is not cut into calls.
template <class Body>
void parallel_ranges(std::uint64_t count, std::uint64_t align, Body&& body) {
  if (count < kParallelAmplitudes || omp_get_max_threads() < 2) {
    body(std::uint64_t{0}, count);
    return;
  }
#pragma omp parallel
  {
    const auto t = static_cast<std::uint64_t>(omp_get_thread_num());
    const auto nt = static_cast<std::uint64_t>(omp_get_num_threads());
    const std::uint64_t b = slice_start(count, align, t, nt), e = slice_start(count, align, t + 1, nt);
    if (b < e) body(b, e);
  }
}

// parallel_ranges for a body returning a double: the sum of what the slices return.
template <class Body>
double parallel_ranges_sum(std::uint64_t count, std::uint64_t align, Body&& body) {
  if (count < kParallelAmplitudes || omp_get_max_threads() < 2) return body(std::uint64_t{0}, count);
  double sum = 0.0;
#pragma omp parallel reduction(+ : sum)
  {
    const auto t = static_cast<std::uint64_t>(omp_get_thread_num());
    const auto nt = static_cast<std::uint64_t>(omp_get_num_threads());
    const std::uint64_t b = slice_start(count, align, t, nt), e = slice_start(count, align, t + 1, nt);
    if (b < e) sum += body(b, e);
  }
  return sum;
}

// Sum of body(i) over [0, count), body returning std::complex<double>.
template <class Body>
std::complex<double> parallel_sum(std::uint64_t count, Body&& body) {
  double re = 0.0, im = 0.0;
  if (count >= kParallelThreshold && omp_get_max_threads() > 1) {
    const auto n = static_cast<std::int64_t>(count);
#pragma omp parallel for schedule(static) reduction(+ : re, im)
    for (std::int64_t i = 0; i < n; ++i) {
      const std::complex<double> v = body(static_cast<std::uint64_t>(i));
      re += v.real();
      im += v.imag();
    }
  } else {
    for (std::uint64_t i = 0; i < count; ++i) {
      const std::complex<double> v = body(i);
      re += v.real();
      im += v.imag();
    }
  }
  return {re, im};
}

}  // namespace vqsim::core
