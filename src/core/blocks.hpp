// Blocks of amplitudes for cache-blocked passes: a set of local qubits selects 2^bits amplitudes
// (local bit j = qubits[j]); the other qubits select the block. A block over the lowest qubits
// is a contiguous slice; any other is gathered into a buffer in contiguous chunks.
#pragma once

#include <cstdint>
#include <vector>

#include "core/state_vector.hpp"

namespace vqsim::core {

// A gathered or contiguous block: the addresses of its chunks (computed once per stage).
struct BlockLayout {
  int bits = 0;                             // local qubits
  int chunk_bits = 0;                       // amplitudes per chunk = 2^chunk_bits
  bool contiguous = false;                  // local qubits are 0..bits-1: work in place
  std::uint64_t outer_mask = 0;             // the global bits that select a block
  std::vector<std::uint64_t> chunk_offset;  // offset of chunk j within a block
  std::uint64_t num_blocks = 0;

  BlockLayout() = default;
  BlockLayout(int num_qubits, const std::vector<int>& qubits);
  // The global index of local index 0 of block b.
  std::uint64_t block_base(std::uint64_t b) const;
  // The local mask of global qubits (all of which must be in the layout).
  std::uint64_t local_mask(std::uint64_t global_mask) const;
  int local_qubit(int q) const;
  std::vector<int> qubits;
};

// Copies block b between the state and a contiguous buffer (gathered layouts only).
template <class Real>
void gather_block(const BlockLayout& l, const Real* state, std::uint64_t b, Real* buffer);
template <class Real>
void scatter_block(const BlockLayout& l, Real* state, std::uint64_t b, const Real* buffer);

// Per-thread scratch blocks, grown once and reused, so evaluations allocate nothing.
template <class Real>
class Scratch {
 public:
  // Makes room for `per_thread` buffers of 2^bits amplitudes for every OpenMP thread.
  void reserve(int bits, int per_thread);
  Real* buffer(int thread, int which) {
    return data_.data() +
           (static_cast<std::size_t>(thread) * per_thread_ + static_cast<std::size_t>(which)) * size_;
  }

 private:
  std::vector<Real, AlignedAllocator<Real>> data_;
  std::size_t size_ = 0;
  std::size_t per_thread_ = 0;
};

// Bits of `value` deposited, lowest first, into the set bits of `mask` (a software pdep).
std::uint64_t deposit(std::uint64_t value, std::uint64_t mask);

}  // namespace vqsim::core
