// The exact ground energy of an observable: Lanczos (Spectra) on a matrix-free Pauli-sum operator.
#pragma once

#include "observable/pauli_sum.hpp"

namespace vqsim::observable {

struct ExactResult {
  double energy = 0.0;
  bool converged = false;
  int matrix_products = 0;
};

// The lowest eigenvalue of h. A complex Hermitian h (terms with an odd number of Y) is solved
// through its real symmetric embedding [[Re, -Im], [Im, Re]], which has the same spectrum.
ExactResult ground_energy(const PauliSum& h);

}  // namespace vqsim::observable
