// Every gate kind through circuit::apply_gate against the dense Eigen reference.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "circuit/executor.hpp"
#include "circuit/gate.hpp"
#include "dense_reference.hpp"

namespace vqsim::test {
namespace {

using circuit::Gate;
using circuit::GateKind;

struct GateCase {
  std::string name;  // as written in OpenQASM; aliases included
  int num_qubits;    // 0 = pauli_rotation, sized by its string
  int num_angles;
};

const std::vector<GateCase>& all_gates() {
  static const std::vector<GateCase> cases{
      {"id", 1, 0},   {"x", 1, 0},   {"y", 1, 0},       {"z", 1, 0},     {"h", 1, 0},       {"s", 1, 0},
      {"sdg", 1, 0},  {"t", 1, 0},   {"tdg", 1, 0},     {"sx", 1, 0},    {"sxdg", 1, 0},    {"rx", 1, 1},
      {"ry", 1, 1},   {"rz", 1, 1},  {"p", 1, 1},       {"u1", 1, 1},    {"u2", 1, 2},      {"u3", 1, 3},
      {"u", 1, 3},    {"cx", 2, 0},  {"cnot", 2, 0},    {"cy", 2, 0},    {"cz", 2, 0},      {"ch", 2, 0},
      {"crx", 2, 1},  {"cry", 2, 1}, {"crz", 2, 1},     {"cp", 2, 1},    {"cu1", 2, 1},     {"cu3", 2, 3},
      {"swap", 2, 0}, {"ccx", 3, 0}, {"toffoli", 3, 0}, {"cswap", 3, 0}, {"fredkin", 3, 0}, {"rxx", 2, 1},
      {"ryy", 2, 1},  {"rzz", 2, 1},
  };
  return cases;
}

// Every ordered tuple of k distinct qubits out of n: adjacent, distant and reversed.
std::vector<std::vector<int>> ordered_tuples(int n, int k) {
  std::vector<std::vector<int>> out;
  std::vector<int> cur;
  auto rec = [&](auto&& self) -> void {
    if (static_cast<int>(cur.size()) == k) {
      out.push_back(cur);
      return;
    }
    for (int q = 0; q < n; ++q) {
      if (std::find(cur.begin(), cur.end(), q) != cur.end()) continue;
      cur.push_back(q);
      self(self);
      cur.pop_back();
    }
  };
  rec(rec);
  return out;
}

Gate make_gate(const std::string& name, std::vector<int> qubits, const std::vector<double>& angles,
               std::string pauli = "") {
  const auto kind = circuit::gate_from_name(name);
  EXPECT_TRUE(kind.has_value()) << name;
  Gate g{kind.value_or(GateKind::I), std::move(qubits), {}, std::move(pauli)};
  for (double a : angles) g.angles.push_back(circuit::AffineAngle{a, {}});
  return g;
}

std::vector<double> random_angles(std::mt19937_64& rng, int count) {
  std::vector<double> a;
  for (int i = 0; i < count; ++i) a.push_back(random_angle(rng));
  return a;
}

// Applies the gate to a random state and checks it against the dense reference, then checks
// that the inverse brings the state back.
void check_gate(std::mt19937_64& rng, int n, const std::string& name, const std::vector<int>& qubits,
                const std::vector<double>& angles, const std::string& pauli = "") {
  SCOPED_TRACE(name + " on qubits " + ::testing::PrintToString(qubits) + " of " + std::to_string(n) +
               (pauli.empty() ? "" : " pauli " + pauli));
  const VectorXcd psi = random_state(rng, n);
  const Gate g = make_gate(name, qubits, angles, pauli);
  auto sv = to_state<double>(psi);
  circuit::apply_gate(sv, g, angles);
  const VectorXcd expected = embed(gate_matrix(name, angles, pauli), qubits, n) * psi;
  EXPECT_LT(max_diff(sv, expected), kTol);
  circuit::apply_gate(sv, g, angles, /*inverse=*/true);
  EXPECT_LT(max_diff(sv, psi), kTol);
}

TEST(Gates, GateInfoMatchesKindAndName) {
  for (int k = 0; k <= static_cast<int>(GateKind::PauliRotation); ++k) {
    const auto kind = static_cast<GateKind>(k);
    const auto& info = circuit::gate_info(kind);
    EXPECT_EQ(info.kind, kind) << k;
    EXPECT_EQ(circuit::gate_from_name(info.name), kind) << info.name;
  }
  for (const auto& c : all_gates()) {
    const auto kind = circuit::gate_from_name(c.name);
    ASSERT_TRUE(kind.has_value()) << c.name;
    EXPECT_EQ(circuit::gate_info(*kind).num_qubits, c.num_qubits) << c.name;
    EXPECT_EQ(circuit::gate_info(*kind).num_angles, c.num_angles) << c.name;
  }
  EXPECT_EQ(circuit::gate_from_name("u1"), GateKind::P);
  EXPECT_EQ(circuit::gate_from_name("u"), GateKind::U3);
  EXPECT_EQ(circuit::gate_from_name("cu1"), GateKind::CP);
  EXPECT_FALSE(circuit::gate_from_name("cu").has_value());
  EXPECT_FALSE(circuit::gate_from_name("X").has_value());
}

// gate_from_name("") must not find a gate, and gate_names() must list real names only.
TEST(Gates, EmptyNameIsNotAGate) {
  EXPECT_FALSE(circuit::gate_from_name("").has_value());
  const auto names = circuit::gate_names();
  EXPECT_EQ(std::count(names.begin(), names.end(), std::string()), 0);
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
}

TEST(Gates, EveryKindOnEveryPositionOfFiveQubits) {
  std::mt19937_64 rng(20240601);
  const int n = 5;
  for (const auto& c : all_gates()) {
    for (const auto& qubits : ordered_tuples(n, c.num_qubits)) {
      check_gate(rng, n, c.name, qubits, random_angles(rng, c.num_angles));
    }
  }
}

TEST(Gates, SomeKindsOnSevenQubits) {
  std::mt19937_64 rng(7);
  const int n = 7;
  const std::vector<std::pair<std::string, std::vector<int>>> cases{
      {"h", {6}},           {"u3", {3}},     {"sx", {0}},        {"cx", {6, 0}},     {"cx", {0, 6}},
      {"crx", {5, 2}},      {"cu3", {1, 6}}, {"cp", {4, 3}},     {"swap", {6, 1}},   {"rxx", {0, 6}},
      {"ryy", {5, 2}},      {"rzz", {3, 4}}, {"ccx", {6, 0, 3}}, {"ccx", {2, 5, 1}}, {"cswap", {0, 6, 3}},
      {"cswap", {4, 1, 5}}, {"cry", {2, 3}}, {"crz", {6, 5}},
  };
  for (const auto& [name, qubits] : cases) {
    const auto kind = circuit::gate_from_name(name);
    ASSERT_TRUE(kind.has_value());
    check_gate(rng, n, name, qubits, random_angles(rng, circuit::gate_info(*kind).num_angles));
  }
}

TEST(Gates, PauliRotationOnRandomStringsAndQubits) {
  std::mt19937_64 rng(31);
  const int n = 5;
  for (int k = 1; k <= 5; ++k) {
    for (int rep = 0; rep < 12; ++rep) {
      std::vector<int> qubits{0, 1, 2, 3, 4};
      std::shuffle(qubits.begin(), qubits.end(), rng);
      qubits.resize(static_cast<std::size_t>(k));
      // Mostly non-identity characters, with an odd count of Y in some strings.
      check_gate(rng, n, "pauli_rotation", qubits, {random_angle(rng)}, random_label(rng, k, "XYZXYZI"));
    }
  }
  // A string that is not symmetric under reversal pins the character order.
  check_gate(rng, n, "pauli_rotation", {3, 0, 4}, {0.7}, "XYZ");
  check_gate(rng, n, "pauli_rotation", {1, 2}, {1.3}, "YI");
  check_gate(rng, n, "pauli_rotation", {2}, {-2.1}, "Y");
}

// The Pauli kinds agree with the dense Pauli-string rotation on the same qubits.
TEST(Gates, TwoQubitPauliKindsEqualPauliRotation) {
  std::mt19937_64 rng(5);
  for (const char* name : {"rxx", "ryy", "rzz"}) {
    const double t = random_angle(rng);
    const std::string label(2, static_cast<char>(name[1] - 'a' + 'A'));
    const VectorXcd psi = random_state(rng, 4);
    auto a = to_state<double>(psi), b = to_state<double>(psi);
    circuit::apply_gate(a, make_gate(name, {3, 1}, {t}), {t});
    circuit::apply_gate(b, make_gate("pauli_rotation", {3, 1}, {t}, label), {t});
    EXPECT_LT(max_diff(a, to_vector(b)), kTol) << name;
  }
}

TEST(Gates, FloatStateWithinSinglePrecision) {
  std::mt19937_64 rng(99);
  const int n = 5;
  const std::vector<std::pair<std::string, std::vector<int>>> cases{
      {"h", {2}},      {"u3", {4}},        {"rz", {0}},      {"cx", {3, 1}},
      {"crx", {0, 4}}, {"cu3", {2, 1}},    {"swap", {4, 0}}, {"rzz", {1, 3}},
      {"ryy", {2, 0}}, {"ccx", {1, 4, 2}}, {"t", {3}},       {"cswap", {0, 3, 2}},
  };
  for (const auto& [name, qubits] : cases) {
    const auto kind = circuit::gate_from_name(name);
    ASSERT_TRUE(kind.has_value());
    const auto angles = random_angles(rng, circuit::gate_info(*kind).num_angles);
    const VectorXcd psi = random_state(rng, n);
    auto sv = to_state<float>(psi);
    circuit::apply_gate(sv, make_gate(name, qubits, angles), angles);
    EXPECT_LT(max_diff(sv, embed(gate_matrix(name, angles), qubits, n) * psi), 1e-5) << name;
  }
  const VectorXcd psi = random_state(rng, n);
  auto sv = to_state<float>(psi);
  circuit::apply_gate(sv, make_gate("pauli_rotation", {4, 1, 2}, {0.9}, "YXZ"), {0.9});
  EXPECT_LT(max_diff(sv, embed(gate_matrix("pauli_rotation", {0.9}, "YXZ"), {4, 1, 2}, n) * psi), 1e-5);
}

// 16 qubits: every kernel loop here has at least 2^13 iterations, so the OpenMP branch runs.
TEST(Gates, ParallelPathMatchesSequentialAndReference) {
  std::mt19937_64 rng(16);
  const int n = 16;
  const int saved = omp_get_max_threads();
  const VectorXcd psi = random_state(rng, n);
  struct Case {
    std::string name;
    std::vector<int> qubits;
    std::string pauli;
  };
  const std::vector<Case> cases{
      {"u3", {7}, ""},      {"rz", {15}, ""},        {"crx", {3, 12}, ""},
      {"cp", {9, 0}, ""},   {"ccx", {15, 0, 8}, ""}, {"cswap", {2, 14, 6}, ""},
      {"rxx", {1, 13}, ""}, {"rzz", {4, 10}, ""},    {"pauli_rotation", {0, 5, 11, 15}, "ZYXY"},
  };
  for (const auto& c : cases) {
    const auto kind = circuit::gate_from_name(c.name);
    ASSERT_TRUE(kind.has_value());
    const auto angles = random_angles(rng, circuit::gate_info(*kind).num_angles);
    const Gate g = make_gate(c.name, c.qubits, angles, c.pauli);
    const VectorXcd expected = apply_embedded(gate_matrix(c.name, angles, c.pauli), c.qubits, psi);
    omp_set_num_threads(1);
    auto one = to_state<double>(psi);
    circuit::apply_gate(one, g, angles);
    omp_set_num_threads(2);
    auto two = to_state<double>(psi);
    circuit::apply_gate(two, g, angles);
    EXPECT_LT(max_diff(one, expected), kTol) << c.name;
    EXPECT_LT(max_diff(two, expected), kTol) << c.name;
    // Element-wise updates: the thread count must not change a single bit.
    EXPECT_EQ(max_diff(one, to_vector(two)), 0.0) << c.name;
  }
  omp_set_num_threads(saved);
}

}  // namespace
}  // namespace vqsim::test
