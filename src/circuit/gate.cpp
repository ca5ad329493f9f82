#include "circuit/gate.hpp"

#include <cmath>
#include <numbers>

namespace vqsim::circuit {
namespace {

using core::cplx;
using core::Mat2;

constexpr std::array<GateInfo, 33> kGates{{
    {GateKind::I, "id", 1, 0},
    {GateKind::X, "x", 1, 0},
    {GateKind::Y, "y", 1, 0},
    {GateKind::Z, "z", 1, 0},
    {GateKind::H, "h", 1, 0},
    {GateKind::S, "s", 1, 0},
    {GateKind::Sdg, "sdg", 1, 0},
    {GateKind::T, "t", 1, 0},
    {GateKind::Tdg, "tdg", 1, 0},
    {GateKind::SX, "sx", 1, 0},
    {GateKind::SXdg, "sxdg", 1, 0},
    {GateKind::RX, "rx", 1, 1},
    {GateKind::RY, "ry", 1, 1},
    {GateKind::RZ, "rz", 1, 1},
    {GateKind::P, "p", 1, 1},
    {GateKind::U2, "u2", 1, 2},
    {GateKind::U3, "u3", 1, 3},
    {GateKind::CX, "cx", 2, 0},
    {GateKind::CY, "cy", 2, 0},
    {GateKind::CZ, "cz", 2, 0},
    {GateKind::CH, "ch", 2, 0},
    {GateKind::CRX, "crx", 2, 1},
    {GateKind::CRY, "cry", 2, 1},
    {GateKind::CRZ, "crz", 2, 1},
    {GateKind::CP, "cp", 2, 1},
    {GateKind::CU3, "cu3", 2, 3},
    {GateKind::CCX, "ccx", 3, 0},
    {GateKind::Swap, "swap", 2, 0},
    {GateKind::CSwap, "cswap", 3, 0},
    {GateKind::RXX, "rxx", 2, 1},
    {GateKind::RYY, "ryy", 2, 1},
    {GateKind::RZZ, "rzz", 2, 1},
    {GateKind::PauliRotation, "pauli_rotation", 0, 1},
}};

static_assert(kGates.size() == static_cast<std::size_t>(GateKind::PauliRotation) + 1,
              "one GateInfo per GateKind, in enum order");

struct Alias {
  std::string_view name;
  GateKind kind;
};
constexpr std::array<Alias, 6> kAliases{{{"u1", GateKind::P},
                                         {"u", GateKind::U3},
                                         {"cu1", GateKind::CP},
                                         {"cnot", GateKind::CX},
                                         {"toffoli", GateKind::CCX},
                                         {"fredkin", GateKind::CSwap}}};

// The one-qubit gate a controlled kind controls.
GateKind base_kind(GateKind kind) {
  switch (kind) {
    case GateKind::CX:
    case GateKind::CCX: return GateKind::X;
    case GateKind::CY: return GateKind::Y;
    case GateKind::CZ: return GateKind::Z;
    case GateKind::CH: return GateKind::H;
    case GateKind::CRX: return GateKind::RX;
    case GateKind::CRY: return GateKind::RY;
    case GateKind::CRZ: return GateKind::RZ;
    case GateKind::CP: return GateKind::P;
    case GateKind::CU3: return GateKind::U3;
    default: return kind;
  }
}

const cplx I1{0, 1};

// Qiskit's U3(theta, phi, lambda) and its partial derivatives.
Mat2 u3(double th, double ph, double la, int derivative) {
  const double c = std::cos(th / 2), s = std::sin(th / 2);
  const cplx ep = std::exp(I1 * ph), el = std::exp(I1 * la), epl = std::exp(I1 * (ph + la));
  switch (derivative) {
    case 0: return {-s / 2, -el * (c / 2), ep * (c / 2), -epl * (s / 2)};
    case 1: return {0, 0, I1 * ep * s, I1 * epl * c};
    case 2: return {0, -I1 * el * s, 0, I1 * epl * c};
    default: return {c, -el * s, ep * s, epl * c};
  }
}

}  // namespace

const GateInfo& gate_info(GateKind kind) {
  return kGates[static_cast<std::size_t>(kind)];
}

std::optional<GateKind> gate_from_name(std::string_view name) {
  for (const auto& g : kGates)
    if (g.name == name) return g.kind;
  for (const auto& a : kAliases)
    if (a.name == name) return a.kind;
  return std::nullopt;
}

std::vector<std::string> gate_names() {
  std::vector<std::string> out;
  for (const auto& g : kGates) out.emplace_back(g.name);
  for (const auto& a : kAliases) out.emplace_back(a.name);
  return out;
}

int num_controls(GateKind kind) {
  switch (kind) {
    case GateKind::CX:
    case GateKind::CY:
    case GateKind::CZ:
    case GateKind::CH:
    case GateKind::CRX:
    case GateKind::CRY:
    case GateKind::CRZ:
    case GateKind::CP:
    case GateKind::CU3:
    case GateKind::CSwap: return 1;
    case GateKind::CCX: return 2;
    default: return 0;
  }
}

bool needs_four_term_shift(GateKind kind, int angle_index) {
  switch (kind) {
    case GateKind::CRX:
    case GateKind::CRY:
    case GateKind::CRZ: return true;
    case GateKind::CU3: return angle_index == 0;
    default: return false;
  }
}

Mat2 target_matrix(GateKind kind, const std::vector<double>& a) {
  const double r2 = 1.0 / std::numbers::sqrt2;
  switch (base_kind(kind)) {
    case GateKind::I: return {1, 0, 0, 1};
    case GateKind::X: return {0, 1, 1, 0};
    case GateKind::Y: return {0, -I1, I1, 0};
    case GateKind::Z: return {1, 0, 0, -1};
    case GateKind::H: return {r2, r2, r2, -r2};
    case GateKind::S: return {1, 0, 0, I1};
    case GateKind::Sdg: return {1, 0, 0, -I1};
    case GateKind::T: return {1, 0, 0, std::exp(I1 * (std::numbers::pi / 4))};
    case GateKind::Tdg: return {1, 0, 0, std::exp(-I1 * (std::numbers::pi / 4))};
    case GateKind::SX: return {cplx(0.5, 0.5), cplx(0.5, -0.5), cplx(0.5, -0.5), cplx(0.5, 0.5)};
    case GateKind::SXdg: return {cplx(0.5, -0.5), cplx(0.5, 0.5), cplx(0.5, 0.5), cplx(0.5, -0.5)};
    case GateKind::RX: {
      const double c = std::cos(a[0] / 2), s = std::sin(a[0] / 2);
      return {c, -I1 * s, -I1 * s, c};
    }
    case GateKind::RY: {
      const double c = std::cos(a[0] / 2), s = std::sin(a[0] / 2);
      return {c, -s, s, c};
    }
    case GateKind::RZ: return {std::exp(-I1 * (a[0] / 2)), 0, 0, std::exp(I1 * (a[0] / 2))};
    case GateKind::P: return {1, 0, 0, std::exp(I1 * a[0])};
    case GateKind::U2: return u3(std::numbers::pi / 2, a[0], a[1], -1);
    case GateKind::U3: return u3(a[0], a[1], a[2], -1);
    default: return {1, 0, 0, 1};  // not a one-qubit target kind: callers never ask
  }
}

Mat2 target_matrix_derivative(GateKind kind, const std::vector<double>& a, int j) {
  switch (base_kind(kind)) {
    case GateKind::RX:
    case GateKind::RY:
    case GateKind::RZ: {
      // d/da exp(-i a/2 G) = -i/2 G exp(-i a/2 G)
      const Mat2 m = target_matrix(base_kind(kind), a);
      Mat2 g;
      switch (base_kind(kind)) {
        case GateKind::RX: g = {0, 1, 1, 0}; break;
        case GateKind::RY: g = {0, -I1, I1, 0}; break;
        default: g = {1, 0, 0, -1}; break;
      }
      Mat2 out;
      for (int r = 0; r < 2; ++r)
        for (int c = 0; c < 2; ++c) out[2 * r + c] = -0.5 * I1 * (g[2 * r] * m[c] + g[2 * r + 1] * m[2 + c]);
      return out;
    }
    case GateKind::P: return {0, 0, 0, I1 * std::exp(I1 * a[0])};
    case GateKind::U2: return u3(std::numbers::pi / 2, a[0], a[1], j + 1);
    case GateKind::U3: return u3(a[0], a[1], a[2], j);
    default: return {0, 0, 0, 0};
  }
}

bool is_diagonal_gate(const Gate& g) {
  switch (g.kind) {
    case GateKind::I:
    case GateKind::Z:
    case GateKind::S:
    case GateKind::Sdg:
    case GateKind::T:
    case GateKind::Tdg:
    case GateKind::RZ:
    case GateKind::P:
    case GateKind::CZ:
    case GateKind::CP:
    case GateKind::CRZ:
    case GateKind::RZZ: return true;
    case GateKind::PauliRotation: return pauli_masks(g).x_mask == 0;
    default: return false;
  }
}

QubitAction qubit_action(const Gate& gate) {
  std::uint64_t all = 0;
  for (int q : gate.qubits) all |= std::uint64_t{1} << q;
  if (is_diagonal_gate(gate)) return {all, 0};
  if (gate.kind == GateKind::RXX || gate.kind == GateKind::RYY || gate.kind == GateKind::PauliRotation) {
    const core::PauliMasks pm = pauli_masks(gate);
    return {all & ~pm.x_mask, pm.x_mask};
  }
  std::uint64_t controls = 0;
  for (int c = 0; c < num_controls(gate.kind); ++c)
    controls |= std::uint64_t{1} << gate.qubits[static_cast<std::size_t>(c)];
  return {controls, all & ~controls};
}

std::uint64_t block_qubits(const Gate& gate) {
  if (is_diagonal_gate(gate)) return 0;
  if (gate.kind == GateKind::RXX || gate.kind == GateKind::RYY || gate.kind == GateKind::PauliRotation)
    return pauli_masks(gate).x_mask;
  std::uint64_t all = 0;
  for (int q : gate.qubits) all |= std::uint64_t{1} << q;
  return all;
}

std::vector<WalshTerm> diagonal_walsh(const Gate& g) {
  using std::numbers::pi;
  const auto bit = [&](std::size_t i) { return std::uint64_t{1} << g.qubits[i]; };
  // P(l) = diag(1, e^{il}) = exp(i l (1 - chi_q) / 2); Z, S, T and their inverses are fixed P's.
  auto phase = [&](double per_angle, double constant) {
    return std::vector<WalshTerm>{{0, per_angle / 2, constant / 2}, {bit(0), -per_angle / 2, -constant / 2}};
  };
  // CP(l) = exp(i l x_c x_t) = exp(i l (1 - chi_c - chi_t + chi_ct) / 4).
  auto controlled_phase = [&](double per_angle, double constant) {
    const double a = per_angle / 4, b = constant / 4;
    return std::vector<WalshTerm>{{0, a, b}, {bit(0), -a, -b}, {bit(1), -a, -b}, {bit(0) | bit(1), a, b}};
  };
  switch (g.kind) {
    case GateKind::I: return {};
    case GateKind::Z: return phase(0, pi);
    case GateKind::S: return phase(0, pi / 2);
    case GateKind::Sdg: return phase(0, -pi / 2);
    case GateKind::T: return phase(0, pi / 4);
    case GateKind::Tdg: return phase(0, -pi / 4);
    case GateKind::P: return phase(1, 0);
    case GateKind::RZ: return {{bit(0), -0.5, 0}};  // exp(-i a/2 Z)
    case GateKind::CZ: return controlled_phase(0, pi);
    case GateKind::CP: return controlled_phase(1, 0);
    // exp(-i a/2 Z_t) where x_c = 1: -a/2 chi_t (1 - chi_c) / 2.
    case GateKind::CRZ: return {{bit(1), -0.25, 0}, {bit(0) | bit(1), 0.25, 0}};
    case GateKind::RZZ: return {{bit(0) | bit(1), -0.5, 0}};
    case GateKind::PauliRotation: return {{pauli_masks(g).z_mask, -0.5, 0}};
    default: return {};
  }
}

core::PauliMasks pauli_masks(const Gate& gate) {
  std::string label;
  switch (gate.kind) {
    case GateKind::RXX: label = "XX"; break;
    case GateKind::RYY: label = "YY"; break;
    case GateKind::RZZ: label = "ZZ"; break;
    default: label = gate.pauli; break;
  }
  core::PauliMasks pm;
  const std::size_t k = gate.qubits.size();
  for (std::size_t i = 0; i < k; ++i) {
    const char c = label[k - 1 - i];
    const std::uint64_t bit = std::uint64_t{1} << gate.qubits[i];
    if (c == 'X' || c == 'Y') pm.x_mask |= bit;
    if (c == 'Z' || c == 'Y') pm.z_mask |= bit;
    if (c == 'Y') ++pm.y_count;
  }
  return pm;
}

}  // namespace vqsim::circuit
