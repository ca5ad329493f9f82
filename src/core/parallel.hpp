// The threading policy: the only place in vqsim that speaks OpenMP.
// Loops below the size threshold run sequentially, so small states pay no thread start-up.
#pragma once

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <complex>
#include <cstdint>
#include <vector>

namespace vqsim::core {

// Below this many iterations a loop runs on the calling thread alone.
inline constexpr std::uint64_t kParallelThreshold = std::uint64_t{1} << 13;

inline int max_threads() {
  return omp_get_max_threads();
}

// Below this many amplitudes in total, a blocked pass runs on the calling thread alone.
inline constexpr std::uint64_t kParallelAmplitudes = std::uint64_t{1} << 14;

// From this many amplitudes up (64 MiB in double, past the caches), blocked passes hand their work
// out in chunks, kChunksPerThread per thread, to whichever thread is free, instead of one fixed
// slice per thread: on a shared machine one core often runs slower than the other (a plain read
// of a 24-qubit state has taken 15% longer on one than on the other, which core varying from
// minute to minute), and with fixed slices the faster one waits. Smaller states keep fixed
// slices: at 20 qubits, chunks measured about 5% slower.
inline constexpr std::uint64_t kBalancedAmplitudes = std::uint64_t{1} << 22;
inline constexpr std::uint64_t kChunksPerThread = 16;
inline constexpr std::uint64_t kMaxChunks = 512;

// For tests: when set, chunks are handed out last to first, so that a test can show a result does
// not depend on which thread took which chunk.
inline std::atomic<bool>& chunks_last_to_first() {
  static std::atomic<bool> flag{false};
  return flag;
}

// Calls body(c, begin, end, thread) for every chunk c = [begin, end) of [0, count) (chunk items
// each, the last maybe fewer), each on whichever thread takes it next.
template <class Body>
void parallel_chunk_ranges(std::uint64_t count, std::uint64_t chunk, Body&& body) {
  const std::uint64_t num = (count + chunk - 1) / chunk;
  const bool reverse = chunks_last_to_first().load(std::memory_order_relaxed);
  std::uint64_t next = 0;
#pragma omp parallel
  {
    const int t = omp_get_thread_num();
    for (;;) {
      std::uint64_t taken;
#pragma omp atomic capture
      taken = next++;
      if (taken >= num) break;
      const std::uint64_t c = reverse ? num - 1 - taken : taken;
      const std::uint64_t begin = c * chunk;
      body(c, begin, count - begin < chunk ? count : begin + chunk, t);
    }
  }
}

// How many items of [0, count) a balanced chunk takes: a multiple of align (a power of two).
inline std::uint64_t balanced_chunk(std::uint64_t count, std::uint64_t align) {
  const auto nt = static_cast<std::uint64_t>(omp_get_max_threads());
  const std::uint64_t chunks = nt * kChunksPerThread < kMaxChunks ? nt * kChunksPerThread : kMaxChunks;
  const std::uint64_t chunk = (count / chunks + align - 1) & ~(align - 1);
  return chunk > align ? chunk : align;
}

// body(i) for every i in [0, count), in a static split (a dynamic schedule measured 10-25%
// slower for a streaming pass at 20 and 24 qubits).
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

// Where thread k of nt starts its slice of [0, count) in a static split: floor(count k / nt),
// rounded down to a multiple of align (count for k >= nt).
inline std::uint64_t slice_start(std::uint64_t count, std::uint64_t align, std::uint64_t k,
                                 std::uint64_t nt) {
  return k >= nt ? count : (count / nt * k + count % nt * k / nt) & ~(align - 1);
}

// How the parallel passes split [0, count) into `slots` ranges, each run by one thread at a time,
// their ends multiples of align (a power of two) but for the last. per > 0: balanced chunks of
// `per` items (from kBalancedAmplitudes up), slot = chunk; per == 0: one slice per thread
// (slice_start), slot = thread; one slot below kParallelAmplitudes.
struct BlockSplit {
  std::uint64_t slots, per;
};
inline BlockSplit block_split(std::uint64_t count, std::uint64_t total_amplitudes, std::uint64_t align = 1) {
  if (count < 2 || total_amplitudes < kParallelAmplitudes || omp_get_max_threads() < 2) return {1, count};
  if (total_amplitudes < kBalancedAmplitudes) return {static_cast<std::uint64_t>(omp_get_max_threads()), 0};
  const std::uint64_t per = balanced_chunk(count, align);
  return {(count + per - 1) / per, per};
}

// Calls body(begin, end, slot, thread) for the ranges of block_split(count, total_amplitudes,
// align): which items share a slot does not depend on the run, so per-slot sums added in slot
// order come out the same every run, whichever thread ran which range.
template <class Body>
void parallel_ranges_slotted(std::uint64_t count, std::uint64_t total_amplitudes, std::uint64_t align,
                             Body&& body) {
  const BlockSplit split = block_split(count, total_amplitudes, align);
  if (split.slots == 1) {
    body(std::uint64_t{0}, count, std::uint64_t{0}, 0);
  } else if (split.per > 0) {
    parallel_chunk_ranges(
        count, split.per,
        [&](std::uint64_t c, std::uint64_t begin, std::uint64_t end, int t) { body(begin, end, c, t); });
  } else {
#pragma omp parallel
    {
      const int t = omp_get_thread_num();
      const auto k = static_cast<std::uint64_t>(t), nt = static_cast<std::uint64_t>(omp_get_num_threads());
      const std::uint64_t b = slice_start(count, align, k, nt), e = slice_start(count, align, k + 1, nt);
      if (b < e) body(b, e, k, t);
    }
  }
}

// Calls body(block, slot, thread) for every block in [0, num_blocks), slot < block_split().slots,
// the blocks of a slot in order on one thread. Each thread works on its own cache-resident block
// (and its own scratch buffer, indexed by thread).
template <class Body>
void parallel_blocks_slotted(std::uint64_t num_blocks, std::uint64_t total_amplitudes, Body&& body) {
  parallel_ranges_slotted(num_blocks, total_amplitudes, 1,
                          [&](std::uint64_t begin, std::uint64_t end, std::uint64_t slot, int t) {
                            for (std::uint64_t b = begin; b < end; ++b) body(b, slot, t);
                          });
}

// Calls body(block, thread) for every block in [0, num_blocks), as parallel_blocks_slotted (so
// which thread gets a block may change from call to call).
template <class Body>
void parallel_blocks(std::uint64_t num_blocks, std::uint64_t total_amplitudes, Body&& body) {
  parallel_blocks_slotted(num_blocks, total_amplitudes,
                          [&](std::uint64_t b, std::uint64_t, int t) { body(b, t); });
}

// Calls body(begin, end) on the ranges of block_split(count, count, align): for kernels that take
// a slice of their iteration space, so a thread's loop is cut into few calls.
template <class Body>
void parallel_ranges(std::uint64_t count, std::uint64_t align, Body&& body) {
  parallel_ranges_slotted(
      count, count, align,
      [&](std::uint64_t begin, std::uint64_t end, std::uint64_t, int) { body(begin, end); });
}

// parallel_ranges for a body returning a double: one sum per slot, added in slot order, so the
// result does not depend on which thread ran what, nor on the order they finished in.
template <class Body>
double parallel_ranges_sum(std::uint64_t count, std::uint64_t align, Body&& body) {
  const BlockSplit split = block_split(count, count, align);
  if (split.slots == 1) return body(std::uint64_t{0}, count);
  double on_stack[kMaxChunks];
  std::vector<double> on_heap;
  double* part = on_stack;
  if (split.slots > kMaxChunks) {
    on_heap.resize(split.slots);
    part = on_heap.data();
  }
  std::fill(part, part + split.slots, 0.0);  // a static split's empty slices stay 0
  parallel_ranges_slotted(count, count, align,
                          [&](std::uint64_t begin, std::uint64_t end, std::uint64_t slot, int) {
                            part[slot] = body(begin, end);
                          });
  double sum = 0.0;
  for (std::uint64_t s = 0; s < split.slots; ++s) sum += part[s];
  return sum;
}

// The sum over the threads of a parallel region of body(thread, threads), added in thread order
// once all are done. (An OpenMP reduction adds them in whichever order the threads finish: with
// four threads, one ⟨H⟩ of a 16-qubit state took two different values in 100 runs.)
template <class T, class Body>
T thread_ordered_sum(Body&& body) {
  constexpr int kOnStack = 64;
  T on_stack[kOnStack];
  std::vector<T> on_heap;
  T* part = on_stack;
  if (omp_get_max_threads() > kOnStack) {
    on_heap.resize(static_cast<std::size_t>(omp_get_max_threads()));
    part = on_heap.data();
  }
  int team = 0;
#pragma omp parallel
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    if (t == 0) team = nt;
    part[t] = body(static_cast<std::uint64_t>(t), static_cast<std::uint64_t>(nt));
  }
  T sum{};
  for (int t = 0; t < team; ++t) sum += part[t];
  return sum;
}

// Sum of body(i) over [0, count), body returning std::complex<double>: one slice per thread (as
// parallel_for), the slices' sums added in thread order.
template <class Body>
std::complex<double> parallel_sum(std::uint64_t count, Body&& body) {
  auto slice = [&](std::uint64_t begin, std::uint64_t end) {
    double re = 0.0, im = 0.0;
    for (std::uint64_t i = begin; i < end; ++i) {
      const std::complex<double> v = body(i);
      re += v.real();
      im += v.imag();
    }
    return std::complex<double>{re, im};
  };
  if (count < kParallelThreshold || omp_get_max_threads() < 2) return slice(0, count);
  return thread_ordered_sum<std::complex<double>>([&](std::uint64_t t, std::uint64_t nt) {
    return slice(slice_start(count, 1, t, nt), slice_start(count, 1, t + 1, nt));
  });
}

}  // namespace vqsim::core
