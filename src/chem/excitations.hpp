// Spin orbitals on qubits, the Hartree-Fock occupation and the spin-conserving single and double
// excitations out of it: the fermionic bookkeeping behind the UCCSD ansatz (chem/uccsd.hpp).
//
// M spatial orbitals give 2M spin orbitals, one per qubit (occupied = |1>). Two orderings:
//   interleaved (OpenFermion): qubit 2p is spatial orbital p with spin alpha, 2p + 1 with beta;
//   blocked (Qiskit Nature):   qubit p is alpha, M + p is beta.
// Hartree-Fock fills the lowest num_alpha alpha and num_beta beta spatial orbitals.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vqsim::chem {

enum class SpinOrdering { Interleaved, Blocked };
enum class Spin { Alpha = 0, Beta = 1 };

// The electrons in a register of spin orbitals.
struct Occupation {
  int num_qubits = 0;  // 2M spin orbitals
  int num_alpha = 0;
  int num_beta = 0;
  SpinOrdering ordering = SpinOrdering::Interleaved;

  int num_spatial() const { return num_qubits / 2; }
  int num_electrons() const { return num_alpha + num_beta; }
};

// The qubit of spatial orbital p with spin s.
int spin_orbital(int spatial, Spin spin, int num_spatial, SpinOrdering ordering);
// The qubits that hold alpha spin orbitals, as a mask.
std::uint64_t alpha_mask(int num_qubits, SpinOrdering ordering);
// The qubits Hartree-Fock occupies, ascending.
std::vector<int> hartree_fock_qubits(const Occupation& occ);

// An excitation from occupied to virtual spin orbitals (qubits), each list ascending:
// a single {i}, {a} stands for T = a+_a a_i; a double {i, j}, {a, b} (i < j, a < b) for
// T = a+_a a+_b a_j a_i. The ansatz applies exp(theta (T - T^dagger)).
struct Excitation {
  std::vector<int> occupied;
  std::vector<int> virtuals;
};

// Which excitation ranks the ansatz uses.
struct ExcitationKinds {
  bool singles = true;
  bool doubles = true;
};

// Every spin-conserving excitation out of Hartree-Fock, in the ansatz's order:
//   singles: alpha, then beta; each by occupied orbital, then virtual orbital;
//   doubles: the pairs (e, f) of those singles, e listed before f, in lexicographic order, that
//     touch four distinct spin orbitals, skipping a pair whose four spin orbitals an earlier pair
//     already covered. So alpha-alpha and alpha-beta doubles come by their first alpha single,
//     the beta-beta doubles last.
// This is the order of Qiskit Nature's generate_fermionic_excitations: in blocked ordering the
// list is its UCCSD excitation_list.
std::vector<Excitation> excitations(const Occupation& occ, ExcitationKinds kinds);

// The counts excitations() returns, computed without listing them (for limits before any work):
// singles Na (M - Na) + Nb (M - Nb); doubles C(Na, 2) C(M - Na, 2) + C(Nb, 2) C(M - Nb, 2) +
// Na (M - Na) Nb (M - Nb).
std::int64_t count_singles(const Occupation& occ);
std::int64_t count_doubles(const Occupation& occ);

// "s[i,a]" or "d[i,j,a,b]": the spin-orbital (qubit) indices in the excitation's order.
std::string excitation_name(const Excitation& e);

}  // namespace vqsim::chem
