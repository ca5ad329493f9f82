// The benchmark workloads: the hardware-efficient circuit, the TFIM chain, molecular-like
// Hamiltonians, UCC-like circuits and QAOA on random 3-regular graphs. Seeded, so every run times
// the same problem.
#pragma once

#include <cstdint>
#include <numbers>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "circuit/circuit.hpp"
#include "core/kernels.hpp"
#include "observable/pauli_sum.hpp"
#include "qaoa/qaoa.hpp"

namespace vqsim::bench {

// One gate with constant angles (for the single-gate benchmarks).
inline circuit::Gate make_gate(circuit::GateKind kind, std::vector<int> qubits,
                               std::vector<double> angles = {}, std::string pauli = {}) {
  circuit::Gate g{kind, std::move(qubits), {}, std::move(pauli)};
  for (double a : angles) g.angles.push_back(circuit::AffineAngle{a, {}});
  return g;
}

// `layers` x (RY(theta) on every qubit, RZ(theta) on every qubit, CX(i, i+1) for i = 0..n-2),
// and no final rotation layer: 284 gates and 192 parameters at n = 24, 4 layers.
inline circuit::Circuit hea_circuit(int num_qubits, int layers = 4) {
  circuit::Circuit c;
  c.num_qubits = num_qubits;
  int p = 0;
  for (int l = 0; l < layers; ++l) {
    for (auto kind : {circuit::GateKind::RY, circuit::GateKind::RZ}) {
      for (int q = 0; q < num_qubits; ++q) {
        c.parameter_names.push_back("theta[" + std::to_string(p) + "]");
        c.gates.push_back(circuit::Gate{kind, {q}, {circuit::AffineAngle{0.0, {{p, 1.0}}}}, {}});
        ++p;
      }
    }
    for (int q = 0; q + 1 < num_qubits; ++q) c.gates.push_back(make_gate(circuit::GateKind::CX, {q, q + 1}));
  }
  return c;
}

// Uniform in [-pi, pi), from the raw 64-bit stream (std distributions differ between libraries).
inline std::vector<double> random_parameters(int count, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> theta(static_cast<std::size_t>(count));
  for (double& t : theta) t = (static_cast<double>(rng() >> 11) * 0x1.0p-53 * 2.0 - 1.0) * std::numbers::pi;
  return theta;
}

inline std::uint64_t bit(int q) {
  return std::uint64_t{1} << q;
}

// H = sum_i Z_i Z_{i+1} + sum_i X_i on an open chain: 2n - 1 terms.
inline observable::PauliSum tfim(int num_qubits) {
  std::vector<observable::PauliTerm> terms;
  for (int i = 0; i + 1 < num_qubits; ++i)
    terms.push_back({core::PauliMasks{0, bit(i) | bit(i + 1), 0}, 1.0});
  for (int i = 0; i < num_qubits; ++i) terms.push_back({core::PauliMasks{bit(i), 0, 0}, 1.0});
  return observable::PauliSum(num_qubits, terms);
}

// The identity alone: its energy is the circuit plus one read-only pass.
inline observable::PauliSum identity_observable(int num_qubits) {
  return observable::PauliSum(num_qubits, {observable::PauliTerm{core::PauliMasks{}, 1.0}});
}

// A molecular-like Hamiltonian the size of LiH in STO-3G (12 qubits, 631 terms): the identity,
// every Z_i and Z_i Z_j, then seeded Jordan-Wigner double-excitation strings
// (XXYY-type on four qubits, Z on the qubits between each pair) until `num_terms` distinct strings.
inline observable::PauliSum molecular_like(int num_qubits = 12, int num_terms = 631, std::uint64_t seed = 7) {
  std::mt19937_64 rng(seed);
  auto coefficient = [&](double scale) {
    return scale * (static_cast<double>(rng() >> 11) * 0x1.0p-53 - 0.5);
  };
  std::vector<observable::PauliTerm> terms;
  std::set<std::pair<std::uint64_t, std::uint64_t>> seen;
  auto add = [&](const core::PauliMasks& m, double c) {
    if (seen.insert({m.x_mask, m.z_mask}).second) terms.push_back({m, c});
  };
  add(core::PauliMasks{}, -7.5);
  for (int i = 0; i < num_qubits; ++i) add(core::PauliMasks{0, bit(i), 0}, coefficient(0.5));
  for (int i = 0; i < num_qubits; ++i)
    for (int j = i + 1; j < num_qubits; ++j) add(core::PauliMasks{0, bit(i) | bit(j), 0}, coefficient(0.2));
  // Even numbers of Y keep H real, as for molecules.
  static constexpr const char* kPatterns[] = {"XXYY", "YYXX", "XYYX", "YXXY", "XXXX", "YYYY", "XYXY", "YXYX"};
  while (static_cast<int>(terms.size()) < num_terms) {
    std::set<int> picked;
    while (picked.size() < 4) picked.insert(static_cast<int>(rng() % static_cast<std::uint64_t>(num_qubits)));
    const std::vector<int> q(picked.begin(), picked.end());
    const char* pattern = kPatterns[rng() % 8];
    core::PauliMasks m;
    for (int k = 0; k < 4; ++k) {
      m.x_mask |= bit(q[static_cast<std::size_t>(k)]);
      if (pattern[k] == 'Y') {
        m.z_mask |= bit(q[static_cast<std::size_t>(k)]);
        ++m.y_count;
      }
    }
    for (int z = q[0] + 1; z < q[1]; ++z) m.z_mask |= bit(z);  // Jordan-Wigner strings
    for (int z = q[2] + 1; z < q[3]; ++z) m.z_mask |= bit(z);
    add(m, coefficient(0.05));
  }
  return observable::PauliSum(num_qubits, terms);
}

// RY(0.1 + 0.37 k) on every qubit, CX(q, q + 1), RX(0.2 + 0.29 k) on every qubit, all constant:
// an entangled state with no zero amplitude, for expectation values of large Pauli sums.
inline circuit::Circuit entangled_state_circuit(int num_qubits) {
  circuit::Circuit c;
  c.num_qubits = num_qubits;
  for (int q = 0; q < num_qubits; ++q)
    c.gates.push_back(make_gate(circuit::GateKind::RY, {q}, {0.1 + 0.37 * q}));
  for (int q = 0; q + 1 < num_qubits; ++q) c.gates.push_back(make_gate(circuit::GateKind::CX, {q, q + 1}));
  for (int q = 0; q < num_qubits; ++q)
    c.gates.push_back(make_gate(circuit::GateKind::RX, {q}, {0.2 + 0.29 * q}));
  return c;
}

// The term counts of the molecular-like benchmark Hamiltonians by size (LiH-sized at 12 qubits).
inline int molecular_terms(int num_qubits) {
  return num_qubits <= 12 ? 631 : num_qubits <= 16 ? 1500 : num_qubits <= 20 ? 3000 : 5000;
}

// A UCC-like circuit: Hartree-Fock X gates on the lower half of the qubits, then `rotations`
// pauli_rotations, 8 per seeded double excitation (occupied i < j, virtual a < b): the 8 strings
// of the Jordan-Wigner expansion of a_a^+ a_b^+ a_j a_i - h.c. (odd numbers of Y), Z on the qubits
// strictly between i and j and between a and b, each string its own parameter (so the circuit
// does not collapse back to Hartree-Fock, as equal angles with equal signs would).
inline circuit::Circuit ucc_like_circuit(int num_qubits, int rotations = 400, std::uint64_t seed = 11) {
  std::mt19937_64 rng(seed);
  circuit::Circuit c;
  c.num_qubits = num_qubits;
  const int occupied = num_qubits / 2;
  for (int q = 0; q < occupied; ++q) c.gates.push_back(make_gate(circuit::GateKind::X, {q}));
  static constexpr const char* kStrings[] = {"XXXY", "XXYX", "XYXX", "YXXX", "YYYX", "YYXY", "YXYY", "XYYY"};
  int p = 0;
  while (p < rotations) {
    std::set<int> occ, vir;
    while (occ.size() < 2) occ.insert(static_cast<int>(rng() % static_cast<std::uint64_t>(occupied)));
    while (vir.size() < 2)
      vir.insert(occupied + static_cast<int>(rng() % static_cast<std::uint64_t>(num_qubits - occupied)));
    const int q[4] = {*occ.begin(), *occ.rbegin(), *vir.begin(), *vir.rbegin()};
    for (const char* s : kStrings) {
      if (p == rotations) break;
      // pauli[size - 1 - k] acts on qubits[k]: the string's first letter on q[0].
      std::vector<int> qubits;
      std::string pauli;
      auto add = [&](int qubit, char letter) {
        qubits.push_back(qubit);
        pauli.insert(pauli.begin(), letter);
      };
      add(q[0], s[0]);
      for (int z = q[0] + 1; z < q[1]; ++z) add(z, 'Z');
      add(q[1], s[1]);
      add(q[2], s[2]);
      for (int z = q[2] + 1; z < q[3]; ++z) add(z, 'Z');
      add(q[3], s[3]);
      c.parameter_names.push_back("t[" + std::to_string(p) + "]");
      c.gates.push_back(circuit::Gate{circuit::GateKind::PauliRotation,
                                      std::move(qubits),
                                      {circuit::AffineAngle{0.0, {{p, 1.0}}}},
                                      std::move(pauli)});
      ++p;
    }
  }
  return c;
}

// The Hamiltonian of the UCC benchmarks: the diagonal of molecular_like (identity, every Z_i and
// Z_i Z_j) and num_qubits excitation strings: what a UCC energy costs beyond the circuit.
inline observable::PauliSum ucc_hamiltonian(int num_qubits) {
  return molecular_like(num_qubits, 1 + num_qubits + num_qubits * (num_qubits - 1) / 2 + num_qubits, 5);
}

// A random d-regular simple graph on n nodes (the configuration model, restarted until no loop or
// repeated edge appears), unit weights.
inline std::vector<qaoa::Edge> random_regular_graph(int num_nodes, int degree = 3, std::uint64_t seed = 3) {
  std::mt19937_64 rng(seed);
  for (;;) {
    std::vector<int> stubs;
    for (int v = 0; v < num_nodes; ++v)
      for (int k = 0; k < degree; ++k) stubs.push_back(v);
    for (std::size_t i = stubs.size(); i > 1; --i) std::swap(stubs[i - 1], stubs[rng() % i]);
    std::set<std::pair<int, int>> seen;
    std::vector<qaoa::Edge> edges;
    bool ok = true;
    for (std::size_t i = 0; ok && i + 1 < stubs.size(); i += 2) {
      const int u = std::min(stubs[i], stubs[i + 1]), v = std::max(stubs[i], stubs[i + 1]);
      ok = u != v && seen.insert({u, v}).second;
      edges.push_back({u, v, 1.0});
    }
    if (ok) return edges;
  }
}

}  // namespace vqsim::bench
