// The threading policy (core/parallel.hpp): every item visited once, and the balanced splits'
// promises: a slot's blocks in order on one thread, sums added in chunk order.

#include "core/parallel.hpp"

#include <gtest/gtest.h>
#include <omp.h>

#include <atomic>
#include <chrono>
#include <complex>
#include <cstdint>
#include <thread>
#include <vector>

namespace vqsim::test {
namespace {

using u64 = std::uint64_t;

// 1, 2 and 3 threads (3 on a 2-core machine: which thread takes which chunk varies).
template <class F>
void for_thread_counts(F&& f) {
  const int saved = omp_get_max_threads();
  for (int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    f(threads);
  }
  omp_set_num_threads(saved);
}

TEST(Parallel, SlottedBlocksVisitEachOnceAndKeepSlotsInOrder) {
  for_thread_counts([](int threads) {
    for (u64 total : {u64{1} << 10, u64{1} << 16, core::kBalancedAmplitudes, u64{1} << 24})
      for (u64 num : {u64{1}, u64{2}, u64{7}, u64{100}, u64{1000}}) {
        const core::BlockSplit split = core::block_split(num, total);
        std::vector<std::atomic<int>> visits(num);
        std::vector<u64> slot_of(num);
        std::vector<long long> last(split.slots, -1);
        std::atomic<int> out_of_order{0}, bad_slot{0};
        core::parallel_blocks_slotted(num, total, [&](u64 b, u64 slot, int) {
          ++visits[b];
          if (slot >= split.slots) {
            ++bad_slot;
            return;
          }
          slot_of[b] = slot;
          if (static_cast<long long>(b) <= last[slot]) ++out_of_order;
          last[slot] = static_cast<long long>(b);
        });
        for (u64 b = 0; b < num; ++b) {
          ASSERT_EQ(visits[b].load(), 1) << threads << " " << total << " " << num << " " << b;
          // Balanced: slot = chunk of `per` consecutive blocks, whichever thread ran it.
          if (split.per > 0 && split.slots > 1) {
            EXPECT_EQ(slot_of[b], b / split.per) << num << " " << b;
          }
        }
        EXPECT_EQ(bad_slot.load(), 0) << threads << " " << total << " " << num;
        EXPECT_EQ(out_of_order.load(), 0) << threads << " " << total << " " << num;
        if (threads > 1 && num > 1 && total >= core::kBalancedAmplitudes) {
          EXPECT_GT(split.per, u64{0});
        }
        if (threads == 1) {
          EXPECT_EQ(split.slots, u64{1});
        }
      }
  });
}

TEST(Parallel, RangesCoverEverythingOnAlignedBoundaries) {
  for_thread_counts([](int threads) {
    for (u64 count : {u64{1} << 12, u64{1} << 18, core::kBalancedAmplitudes, core::kBalancedAmplitudes + 64})
      for (u64 align : {u64{1}, u64{64}, u64{1} << 15}) {
        std::vector<unsigned char> seen(count, 0);
        std::atomic<int> misaligned{0};
        core::parallel_ranges(count, align, [&](u64 b, u64 e) {
          if (b % align != 0 || (e != count && e % align != 0)) ++misaligned;
          for (u64 i = b; i < e; ++i) ++seen[i];
        });
        EXPECT_EQ(misaligned.load(), 0) << threads << " " << count << " " << align;
        u64 once = 0;
        for (unsigned char v : seen) once += v == 1;
        EXPECT_EQ(once, count) << threads << " " << count << " " << align;
      }
  });
}

// Sums whose rounding depends on how they are grouped: the balanced sum must be the chunks' sums
// added in chunk order, every run, with any number of threads above one.
TEST(Parallel, BalancedSumsAddChunksInOrder) {
  auto part = [](u64 b, u64 e) {
    double s = 0.0;
    for (u64 i = b; i < e; ++i) s += 1.0 / static_cast<double>(i + 1) + 1e-3 * static_cast<double>(i % 7);
    return s;
  };
  const u64 count = core::kBalancedAmplitudes, align = 64;
  for_thread_counts([&](int threads) {
    double expected = part(0, count);
    if (threads > 1) {
      const u64 chunk = core::balanced_chunk(count, align);
      expected = 0.0;
      for (u64 b = 0; b < count; b += chunk) expected += part(b, b + chunk < count ? b + chunk : count);
    }
    for (int run = 0; run < 3; ++run) {
      core::chunks_last_to_first() = run == 2;
      EXPECT_EQ(core::parallel_ranges_sum(count, align, part), expected) << threads << " " << run;
    }
    core::chunks_last_to_first() = false;
  });
}

// Below the balanced size, one slice per thread: the slices' sums must be added in thread order,
// not in the order the threads finish. Four threads, thread k holding back (3 - k) * 15 ms so they
// finish last to first, and slice sums whose total depends on the order: 0 added in thread
// order, 1 added in the order they finish.
TEST(Parallel, StaticSumsAddThreadsInOrder) {
  const int saved = omp_get_max_threads(), nt = 4;
  const double value[nt] = {1.0, 1e16, 1.0, -1e16};
  double expected = 0.0, finishing = 0.0;
  for (int k = 0; k < nt; ++k) expected += value[k];
  for (int k = nt - 1; k >= 0; --k) finishing += value[k];
  ASSERT_NE(expected, finishing);  // the order shows in the sum
  auto slice_of = [&](u64 count, u64 align, u64 begin) {
    int k = 0;
    while (k + 1 < nt && core::slice_start(count, align, static_cast<u64>(k + 1), nt) <= begin) ++k;
    return k;
  };
  auto hold_back = [&](int k) { std::this_thread::sleep_for(std::chrono::milliseconds(15 * (nt - 1 - k))); };
  omp_set_num_threads(nt);
  const u64 count = u64{1} << 16, align = 64;
  static_assert((u64{1} << 16) >= core::kParallelAmplitudes && (u64{1} << 16) < core::kBalancedAmplitudes);
  for (int run = 0; run < 2; ++run) {
    const double ranges = core::parallel_ranges_sum(count, align, [&](u64 b, u64) {
      const int k = slice_of(count, align, b);
      hold_back(k);
      return value[k];
    });
    EXPECT_EQ(ranges, expected) << run;
    const std::complex<double> sum = core::parallel_sum(count, [&](u64 i) {
      const int k = slice_of(count, 1, i);
      if (i != core::slice_start(count, 1, static_cast<u64>(k), nt)) return std::complex<double>{};
      hold_back(k);
      return std::complex<double>{value[k], -value[k]};
    });
    EXPECT_EQ(sum, std::complex<double>(expected, -expected)) << run;
  }
  omp_set_num_threads(saved);
}

TEST(Parallel, ForVisitsEachIndexOnce) {
  for_thread_counts([](int threads) {
    for (u64 count : {u64{100}, u64{1} << 14, (u64{1} << 20) + 3}) {
      std::vector<unsigned char> seen(count, 0);
      core::parallel_for(count, [&](u64 i) { ++seen[i]; });
      u64 once = 0;
      for (unsigned char s : seen) once += s == 1;
      EXPECT_EQ(once, count) << threads << " " << count;
    }
  });
}

}  // namespace
}  // namespace vqsim::test
