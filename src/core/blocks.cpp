#include "core/blocks.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>

#include "core/parallel.hpp"

namespace vqsim::core {

using u64 = std::uint64_t;

// Bits of `value` deposited, lowest first, into the set bits of `mask` (a software pdep).
std::uint64_t deposit(std::uint64_t value, std::uint64_t mask) {
  u64 out = 0;
  while (mask != 0 && value != 0) {
    const u64 bit = mask & (~mask + 1);
    if (value & 1) out |= bit;
    value >>= 1;
    mask &= mask - 1;
  }
  return out;
}

BlockLayout::BlockLayout(int num_qubits, const std::vector<int>& qs) : qubits(qs) {
  bits = static_cast<int>(qs.size());
  u64 mask = 0;
  for (int q : qs) mask |= u64{1} << q;
  const u64 all = (num_qubits >= 64) ? ~u64{0} : (u64{1} << num_qubits) - 1;
  outer_mask = all & ~mask;
  num_blocks = u64{1} << (num_qubits - bits);
  chunk_bits = std::countr_one(mask);
  if (chunk_bits > bits) chunk_bits = bits;
  contiguous = chunk_bits == bits;
  if (!contiguous) {
    const u64 chunk_mask = mask & ~((u64{1} << chunk_bits) - 1);
    chunk_offset.resize(std::size_t{1} << (bits - chunk_bits));
    for (std::size_t j = 0; j < chunk_offset.size(); ++j) chunk_offset[j] = deposit(j, chunk_mask);
  }
}

std::uint64_t BlockLayout::block_base(std::uint64_t b) const {
  return deposit(b, outer_mask);
}

int BlockLayout::local_qubit(int q) const {
  const auto it = std::lower_bound(qubits.begin(), qubits.end(), q);
  assert(it != qubits.end() && *it == q);
  return static_cast<int>(it - qubits.begin());
}

std::uint64_t BlockLayout::local_mask(std::uint64_t global_mask) const {
  u64 out = 0;
  while (global_mask != 0) {
    out |= u64{1} << local_qubit(std::countr_zero(global_mask));
    global_mask &= global_mask - 1;
  }
  return out;
}

// Chunks this far ahead are prefetched while one is copied, when chunks are short (a few cache
// lines each, far apart): the hardware prefetchers do not run ahead across them.
constexpr std::size_t kPrefetchChunks = 16;
constexpr std::size_t kPrefetchMaxBytes = 4096;

template <class Real>
void gather_block(const BlockLayout& l, const Real* state, std::uint64_t b, Real* buffer) {
  const u64 base = l.block_base(b);
  const std::size_t chunk = std::size_t{2} << l.chunk_bits;  // reals per chunk
  const std::size_t count = l.chunk_offset.size(), bytes = chunk * sizeof(Real);
  const bool prefetch = bytes <= kPrefetchMaxBytes;
  for (std::size_t j = 0; j < count; ++j) {
    if (prefetch && j + kPrefetchChunks < count) {
      const char* ahead =
          reinterpret_cast<const char*>(state + 2 * (base + l.chunk_offset[j + kPrefetchChunks]));
      for (std::size_t o = 0; o < bytes; o += 64) __builtin_prefetch(ahead + o, 0, 3);
    }
    std::memcpy(buffer + j * chunk, state + 2 * (base + l.chunk_offset[j]), bytes);
  }
}

template <class Real>
void scatter_block(const BlockLayout& l, Real* state, std::uint64_t b, const Real* buffer) {
  const u64 base = l.block_base(b);
  const std::size_t chunk = std::size_t{2} << l.chunk_bits;
  for (std::size_t j = 0; j < l.chunk_offset.size(); ++j)
    std::memcpy(state + 2 * (base + l.chunk_offset[j]), buffer + j * chunk, chunk * sizeof(Real));
}

template <class Real>
void Scratch<Real>::reserve(int bits, int per_thread) {
  const std::size_t size = std::size_t{2} << bits;  // reals
  const std::size_t threads = static_cast<std::size_t>(std::max(1, max_threads()));
  const std::size_t need = size * threads * static_cast<std::size_t>(per_thread);
  if (size_ != size || per_thread_ != static_cast<std::size_t>(per_thread) || data_.size() < need) {
    size_ = size;
    per_thread_ = static_cast<std::size_t>(per_thread);
    if (data_.size() < need) data_.resize(need);
  }
}

template class Scratch<double>;
template class Scratch<float>;
template void gather_block<double>(const BlockLayout&, const double*, std::uint64_t, double*);
template void gather_block<float>(const BlockLayout&, const float*, std::uint64_t, float*);
template void scatter_block<double>(const BlockLayout&, double*, std::uint64_t, const double*);
template void scatter_block<float>(const BlockLayout&, float*, std::uint64_t, const float*);

}  // namespace vqsim::core
