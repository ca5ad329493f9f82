// The unitary coupled-cluster ansatz with singles and doubles (UCCSD) from Hartree-Fock.
//
// The circuit: X on every Hartree-Fock qubit, then `reps` times, for every excitation in the
// order of chem::excitations, exp(theta_k (T_k - T_k^dagger)) as the Pauli rotations of its
// Jordan-Wigner generator (chem/jordan_wigner.hpp): 2 for a single, 8 for a double, each angle
// -2 c theta_k. Conventions:
//   single s[i,a]:     T = a+_a a_i                   (i occupied, a virtual)
//   double d[i,j,a,b]: T = a+_a a+_b a_j a_i, i < j, a < b
// (OpenFermion's uccsd_generator with the amplitude of ((a, 1), (i, 0), (b, 1), (j, 0)) set to
// theta). Each repetition has its own parameters, as Qiskit Nature's UCCSD(reps) has; with
// reps > 1 the names carry the repetition, "s[0,2]@1". Only existing gate kinds (x,
// pauli_rotation with affine angles) are used, so every engine path applies to it.
#pragma once

#include <cstdint>

#include "chem/excitations.hpp"
#include "circuit/circuit.hpp"
#include "observable/exact.hpp"

namespace vqsim::chem {

struct UccsdSpec {
  Occupation occupation;
  ExcitationKinds kinds;
  int reps = 1;
};

// Parameters and gates the circuit will have, computed without building it.
std::int64_t uccsd_num_parameters(const UccsdSpec& spec);
std::int64_t uccsd_num_gates(const UccsdSpec& spec);

circuit::Circuit uccsd(const UccsdSpec& spec);

// The particle-number and S_z sector the ansatz stays in (Hartree-Fock's).
observable::Sector sector(const Occupation& occ);

}  // namespace vqsim::chem
