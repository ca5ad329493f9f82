// The typed circuit IR: a gate kind, its qubits, and its angles as affine functions of the
// variational parameters. Matrices follow Qiskit: basis index bit k is the gate's k-th qubit.
#pragma once

#include <array>
#include <complex>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "circuit/expression.hpp"
#include "core/kernels.hpp"

namespace vqsim::circuit {

enum class GateKind {
  I,
  X,
  Y,
  Z,
  H,
  S,
  Sdg,
  T,
  Tdg,
  SX,
  SXdg,  // fixed one-qubit gates
  RX,
  RY,
  RZ,
  P,
  U2,
  U3,  // parameterised one-qubit gates
  CX,
  CY,
  CZ,
  CH,
  CRX,
  CRY,
  CRZ,
  CP,
  CU3,
  CCX,  // controlled one-qubit gates
  Swap,
  CSwap,  // (controlled) swaps
  RXX,
  RYY,
  RZZ,
  PauliRotation,  // exp(-i theta/2 P)
};

// Static facts about a gate kind.
struct GateInfo {
  GateKind kind;
  std::string_view name;  // the canonical OpenQASM name
  int num_qubits;         // 0 for pauli_rotation: as many as its Pauli string
  int num_angles;
};

const GateInfo& gate_info(GateKind kind);
// Looks up a gate by its OpenQASM name or alias (u1 -> p, u -> u3, cu1 -> cp, ...).
std::optional<GateKind> gate_from_name(std::string_view name);
// All accepted names, for error messages.
std::vector<std::string> gate_names();

struct Gate {
  GateKind kind;
  std::vector<int> qubits;  // controls first, target(s) last
  std::vector<AffineAngle> angles;
  std::string pauli;  // pauli_rotation only: pauli[size-1-k] acts on qubits[k]

  bool is_parameterised() const {
    for (const auto& a : angles)
      if (!a.is_constant()) return true;
    return false;
  }
};

// For RXX/RYY/RZZ/pauli_rotation: the Pauli string as masks over the state's qubits.
core::PauliMasks pauli_masks(const Gate& gate);
// For one-qubit and controlled one-qubit kinds: the 2x2 matrix on the target.
core::Mat2 target_matrix(GateKind kind, const std::vector<double>& angles);
// Its derivative with respect to angle j.
core::Mat2 target_matrix_derivative(GateKind kind, const std::vector<double>& angles, int j);
// Number of control qubits (the target matrix acts where all controls are 1).
int num_controls(GateKind kind);

// How a gate acts on its qubits: `diagonal` where it is diagonal in the computational basis
// (controls, the Z part of a Pauli string, every qubit of a diagonal gate), `mixing` where it is
// not. Two gates commute when every qubit they share is diagonal for both, which is what lets the
// stage scheduler move diagonal gates and Z strings across each other.
struct QubitAction {
  std::uint64_t diagonal = 0;
  std::uint64_t mixing = 0;
};
QubitAction qubit_action(const Gate& gate);
// The qubits a compiled stage must hold locally to run the gate in a block: none for a diagonal
// gate (its phase reads the index bits wherever they are), the X/Y qubits of a Pauli rotation,
// every qubit of any other gate.
std::uint64_t block_qubits(const Gate& gate);
// True for gates whose matrix is diagonal (RZ, P, Z, S, T, CZ, CP, CRZ, RZZ, Z-only rotations).
bool is_diagonal_gate(const Gate& g);

// A diagonal gate as exp(i sum_t (per_angle_t * a + constant_t) chi_{z_t}(x)), chi_z(x) =
// (-1)^{|x & z|} and a the gate's first angle (0 for fixed gates): its phase's Walsh expansion,
// z_t = 0 the global phase. Exact for every diagonal kind, and affine in the angle, so
// derivatives follow.
struct WalshTerm {
  std::uint64_t z = 0;
  double per_angle = 0.0;
  double constant = 0.0;
};
std::vector<WalshTerm> diagonal_walsh(const Gate& g);

// Kinds whose angles enter as exp(-i a G) with G of eigenvalues {0, +-1/2} on a controlled
// subspace need the four-term shift rule; all others have a two-term rule.
bool needs_four_term_shift(GateKind kind, int angle_index);

}  // namespace vqsim::circuit
