// Memory the run may use: the machine's available memory, capped by a container's cgroup limit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "circuit/precision.hpp"

namespace vqsim::io {

struct MemoryBudget {
  std::uint64_t available_bytes = 0;
  std::string source;  // where the figure comes from, for messages
};

MemoryBudget memory_budget();

// Bytes of one state of n qubits (16 bytes an amplitude in double, 8 in single), saturating at
// the uint64 maximum.
std::uint64_t state_vector_bytes(int num_qubits, circuit::Precision precision = circuit::Precision::Double);
// a + b, saturating.
std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b);

// Bytes a VQE run of n qubits needs for its state vectors (in `precision`) and, when on, the
// exact reference (always double).
std::uint64_t vqe_memory_bytes(int num_qubits, bool exact_reference, bool complex_hamiltonian,
                               circuit::Precision precision = circuit::Precision::Double);

// Bytes the exact reference restricted to a sector of `dimension` basis states needs: Lanczos's
// 30 basis vectors and its two work vectors of doubles (twice as long for a complex H), the basis
// states and a complex input vector.
std::uint64_t sector_reference_bytes(std::uint64_t dimension, bool complex_hamiltonian);

// Throws a RESOURCE_LIMIT ServiceError naming both figures when needed > available.
void check_memory(std::uint64_t needed_bytes, const std::string& what);

std::string format_bytes(std::uint64_t bytes);

}  // namespace vqsim::io
