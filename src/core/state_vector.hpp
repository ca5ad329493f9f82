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

// 64-byte aligned storage so SIMD loads never straddle cache lines.
template <class T>
struct AlignedAllocator {
  using value_type = T;
  AlignedAllocator() = default;
  template <class U>
  AlignedAllocator(const AlignedAllocator<U>&) {}
  T* allocate(std::size_t n) {
    // Large blocks on 2 MiB boundaries, as transparent huge pages where the kernel has them on
    // request: strided passes (gathered blocks, high qubits) then touch few TLB entries.
    constexpr std::size_t kHuge = std::size_t{2} << 20;
    const std::size_t align = n * sizeof(T) >= kHuge ? kHuge : 64;
    const std::size_t bytes = ((n * sizeof(T) + align - 1) / align) * align;
    void* p = std::aligned_alloc(align, bytes);
    if (p == nullptr) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (align == kHuge) madvise(p, bytes, MADV_HUGEPAGE);
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
