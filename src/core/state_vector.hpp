// A pure state of n qubits as 2^n complex amplitudes; amplitude index bit k is qubit k.
#pragma once

#include <complex>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace vqsim::core {

// 64-byte aligned storage so SIMD loads never straddle cache lines. Large arrays (states) are
// aligned to 2 MiB and asked for transparent huge pages: strided block gathers then touch one
// TLB entry per 2 MiB instead of one per 4 KiB page.
template <class T>
struct AlignedAllocator {
  using value_type = T;
  static constexpr std::size_t kHugePage = std::size_t{2} << 20;
  AlignedAllocator() = default;
  template <class U>
  AlignedAllocator(const AlignedAllocator<U>&) {}
  T* allocate(std::size_t n) {
    std::size_t bytes = ((n * sizeof(T) + 63) / 64) * 64;
    const bool huge = bytes >= 2 * kHugePage;
    if (huge) bytes = (bytes + kHugePage - 1) / kHugePage * kHugePage;
    void* p = std::aligned_alloc(huge ? kHugePage : 64, bytes);
    if (p == nullptr) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (huge) madvise(p, bytes, MADV_HUGEPAGE);  // advice only: failure changes nothing
#endif
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t) {
    std::free(p);
  }
  template <class U>
  bool operator==(const AlignedAllocator<U>&) const {
    return true;
  }
};

template <class Real>
class StateVector {
 public:
  using Complex = std::complex<Real>;

  explicit StateVector(int num_qubits)
      : num_qubits_(num_qubits), amplitudes_(std::size_t{1} << num_qubits, Complex(0)) {
    amplitudes_[0] = Complex(1);
  }

  int num_qubits() const { return num_qubits_; }
  std::uint64_t size() const { return amplitudes_.size(); }
  Complex* data() { return amplitudes_.data(); }
  const Complex* data() const { return amplitudes_.data(); }
  Complex& operator[](std::uint64_t i) { return amplitudes_[i]; }
  const Complex& operator[](std::uint64_t i) const { return amplitudes_[i]; }

  // |index>, the computational basis state whose bit k is qubit k.
  void set_basis_state(std::uint64_t index) {
    std::fill(amplitudes_.begin(), amplitudes_.end(), Complex(0));
    amplitudes_[index] = Complex(1);
  }

  void copy_from(const StateVector& other) {
    std::copy(other.amplitudes_.begin(), other.amplitudes_.end(), amplitudes_.begin());
  }

 private:
  int num_qubits_;
  std::vector<Complex, AlignedAllocator<Complex>> amplitudes_;
};

}  // namespace vqsim::core
