// The exact ground energy of an observable: Lanczos (Spectra) on a matrix-free Pauli-sum operator,
// over the whole register or restricted to a particle-number (and S_z) sector.
#pragma once

#include <cstdint>
#include <optional>

#include "observable/pauli_sum.hpp"

namespace vqsim::observable {

struct ExactResult {
  double energy = 0.0;
  bool converged = false;
  int matrix_products = 0;
  std::uint64_t dimension = 0;  // of the space diagonalised (before any real embedding)
  // Some term of h takes a sector state out of the sector: h does not conserve the particle
  // number (or S_z). The energy is then the lowest of P h P, the lowest <h> any state in the
  // sector can have, not an eigenvalue of h.
  bool leaves_sector = false;
};

// The alpha spin orbitals (a qubit mask) and how many of them are occupied.
struct SpinSector {
  std::uint64_t alpha_mask = 0;
  int num_alpha = 0;
};

// Basis states with num_particles ones (occupied = |1>, the particle number under Jordan-Wigner)
// and, with spin, num_alpha of them on alpha_mask's qubits (the others are beta), which fixes
// S_z = (num_alpha - num_beta) / 2.
struct Sector {
  int num_particles = 0;
  std::optional<SpinSector> spin;

  double sz() const { return spin ? (2.0 * spin->num_alpha - num_particles) / 2.0 : 0.0; }
};

// The number of basis states of n qubits in the sector (0 when it is empty).
std::uint64_t sector_dimension(int num_qubits, const Sector& sector);

// The lowest eigenvalue of h. A complex Hermitian h (terms with an odd number of Y) is solved
// through its real symmetric embedding [[Re, -Im], [Im, Re]], which has the same spectrum.
ExactResult ground_energy(const PauliSum& h);

// The lowest eigenvalue of h restricted to the sector (P h P on the sector's basis states): the
// basis is enumerated and each product runs over it alone, so the cost and the memory scale with
// sector_dimension, not 2^n. The sector must not be empty.
ExactResult ground_energy(const PauliSum& h, const Sector& sector);

}  // namespace vqsim::observable
