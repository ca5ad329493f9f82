// The compiled circuit (fusion + cache-blocked stages) against the plain gate-by-gate reference
// (circuit::apply_gate), on random states: every gate kind, blocks much smaller than the state so
// gathered (strided) stages and block boundaries are exercised, fused and unfused, in double and
// float, with one and two OpenMP threads.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "circuit/circuit.hpp"
#include "circuit/executor.hpp"
#include "circuit/program.hpp"
#include "core/simd.hpp"
#include "dense_reference.hpp"
#include "test_circuits.hpp"

namespace vqsim::test {
namespace {

using circuit::AffineAngle;
using circuit::Circuit;
using circuit::Gate;
using circuit::GateKind;

const std::vector<std::string> kAllGates{
    "id",  "x",   "y",  "z",   "h",   "s",    "sdg",   "t",   "tdg", "sx",  "sxdg",
    "rx",  "ry",  "rz", "p",   "u2",  "u3",   "cx",    "cy",  "cz",  "ch",  "crx",
    "cry", "crz", "cp", "cu3", "ccx", "swap", "cswap", "rxx", "ryy", "rzz", "pauli_rotation"};

Gate random_gate(std::mt19937_64& rng, const std::string& name, int n) {
  const GateKind kind = circuit::gate_from_name(name).value();
  Gate g{kind, {}, {}, {}};
  int k = circuit::gate_info(kind).num_qubits;
  if (kind == GateKind::PauliRotation) {
    k = std::uniform_int_distribution<int>(1, 4)(rng);
    // Half of them Z-only, so the diagonal merge sees multi-qubit Pauli phases.
    g.pauli = random_label(rng, k, std::uniform_int_distribution<int>(0, 1)(rng) ? "XYZ" : "Z");
  }
  std::vector<int> q(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) q[static_cast<std::size_t>(i)] = i;
  std::shuffle(q.begin(), q.end(), rng);
  q.resize(static_cast<std::size_t>(k));
  g.qubits = q;
  for (int j = 0; j < circuit::gate_info(kind).num_angles; ++j)
    g.angles.push_back(AffineAngle{random_angle(rng), {}});
  return g;
}

Circuit random_circuit(std::mt19937_64& rng, int n, int num_gates) {
  Circuit c;
  c.num_qubits = n;
  for (const auto& name : kAllGates) c.gates.push_back(random_gate(rng, name, n));
  std::uniform_int_distribution<std::size_t> pick(0, kAllGates.size() - 1);
  for (int i = 0; i < num_gates; ++i) c.gates.push_back(random_gate(rng, kAllGates[pick(rng)], n));
  std::shuffle(c.gates.begin(), c.gates.end(), rng);
  return c;
}

template <class Real>
core::StateVector<Real> random_sv(std::mt19937_64& rng, int n) {
  core::StateVector<Real> sv(n);
  std::normal_distribution<double> d;
  for (std::uint64_t i = 0; i < sv.size(); ++i)
    sv[i] = std::complex<Real>(static_cast<Real>(d(rng)), static_cast<Real>(d(rng)));
  return sv;
}

template <class Real>
double max_abs_diff(const core::StateVector<Real>& a, const core::StateVector<Real>& b) {
  double m = 0.0;
  for (std::uint64_t i = 0; i < a.size(); ++i) m = std::max(m, static_cast<double>(std::abs(a[i] - b[i])));
  return m;
}

// Runs c both ways from the same random state (with Start::Zero, the reference from |0...0> and
// the compiled program from the random state, which it must ignore); returns the largest
// amplitude difference.
template <class Real>
double compiled_vs_reference(const Circuit& c, const std::vector<double>& theta, int block_bits, bool fuse,
                             std::uint64_t seed, circuit::Start start = circuit::Start::Any) {
  std::mt19937_64 rng(seed);
  circuit::AngleTable angles;
  angles.fill(c, theta);
  const core::StateVector<Real> start_state = random_sv<Real>(rng, c.num_qubits);
  core::StateVector<Real> ref(c.num_qubits), fast(c.num_qubits);
  if (start == circuit::Start::Zero)
    ref.set_basis_state(0);
  else
    ref.copy_from(start_state);
  fast.copy_from(start_state);
  circuit::run_circuit(ref, c, angles);
  circuit::Program<Real> prog(c, block_bits, fuse, start);
  prog.refill(angles);
  prog.run(fast);
  return max_abs_diff(ref, fast);
}

TEST(Fusion, EveryGateKindAcrossBlockSizes) {
  std::mt19937_64 rng(401);
  for (int rep = 0; rep < 4; ++rep) {
    const Circuit c = random_circuit(rng, 9, 80);
    for (int bits : {4, 5, 7, 9})
      for (bool fuse : {false, true}) {
        EXPECT_LT(compiled_vs_reference<double>(c, {}, bits, fuse, 7 + rep), kTol)
            << "rep " << rep << " bits " << bits << " fuse " << fuse;
        EXPECT_LT(compiled_vs_reference<float>(c, {}, bits, fuse, 7 + rep), 2e-5)
            << "rep " << rep << " bits " << bits << " fuse " << fuse;
      }
  }
}

TEST(Fusion, SmallRegisters) {
  std::mt19937_64 rng(402);
  for (int n = 1; n <= 5; ++n) {
    Circuit c;
    c.num_qubits = n;
    for (const auto& name : {"h", "rz", "ry", "rx", "u3", "t", "sx", "x", "y", "p"})
      for (int q = 0; q < n; ++q) c.gates.push_back(random_gate(rng, name, 1)), c.gates.back().qubits = {q};
    if (n >= 2) c.gates.push_back({GateKind::CX, {0, n - 1}, {}, {}});
    if (n >= 2) c.gates.push_back({GateKind::RZZ, {n - 1, 0}, {AffineAngle{0.7, {}}}, {}});
    for (int bits : {1, 2, 8}) {
      EXPECT_LT(compiled_vs_reference<double>(c, {}, bits, true, 3), kTol) << n << " " << bits;
      EXPECT_LT(compiled_vs_reference<float>(c, {}, bits, true, 3), 2e-5) << n << " " << bits;
    }
  }
}

TEST(Fusion, HardwareEfficientStagesAndThreads) {
  const int n = 15, saved = omp_get_max_threads();
  const Circuit c = hea(n, 3);
  std::mt19937_64 rng(403);
  std::vector<double> theta;
  for (int i = 0; i < c.num_parameters(); ++i) theta.push_back(random_angle(rng));
  for (int threads : {1, 2}) {
    omp_set_num_threads(threads);
    for (int bits : {6, 10, 15}) {
      EXPECT_LT(compiled_vs_reference<double>(c, theta, bits, true, 5), kTol) << threads << " " << bits;
      EXPECT_LT(compiled_vs_reference<float>(c, theta, bits, true, 5), 2e-5) << threads << " " << bits;
    }
  }
  omp_set_num_threads(saved);
  // Fusion does less work: per layer, the RY run goes into register tiles (tile_max vector-level
  // qubits each, lane qubits ride along), the RZ run into one diagonal, and the whole CX chain,
  // lane qubits included, into one permutation.
  const auto& k = core::simd::kernels<double>();
  const int lanes = k.lanes_log2, tiles = (n - lanes + k.tile_max - 1) / k.tile_max;
  circuit::Program<double> prog(c, 15, true);
  EXPECT_EQ(prog.num_stages(), 1);
  EXPECT_EQ(prog.num_ops(), 3 * (tiles + 1 + 1));
}

// From |0...0>, each qubit's leading one-qubit gates become a product state written in one pass;
// whatever the state held before must not matter.
template <class Real>
double from_zero_vs_reference(const Circuit& c, int block_bits, std::uint64_t seed) {
  return compiled_vs_reference<Real>(c, {}, block_bits, true, seed, circuit::Start::Zero);
}

TEST(Fusion, StartFromZeroWritesTheProductPrefix) {
  std::mt19937_64 rng(405);
  for (int rep = 0; rep < 3; ++rep) {
    const Circuit c = random_circuit(rng, 10, 50);
    for (int bits : {4, 7, 10}) {
      EXPECT_LT(from_zero_vs_reference<double>(c, bits, 11 + rep), kTol) << rep << " " << bits;
      EXPECT_LT(from_zero_vs_reference<float>(c, bits, 11 + rep), 2e-5) << rep << " " << bits;
    }
  }
  Circuit h = hea(13, 2);
  circuit::AngleTable angles;
  std::vector<double> theta;
  for (int i = 0; i < h.num_parameters(); ++i) theta.push_back(random_angle(rng));
  for (auto& g : h.gates)  // bind the parameters as constants, so angles.fill(c, {}) works
    for (auto& a : g.angles) {
      for (const auto& [p, coef] : a.terms) a.constant += coef * theta[static_cast<std::size_t>(p)];
      a.terms.clear();
    }
  h.parameter_names.clear();
  for (int bits : {5, 13}) EXPECT_LT(from_zero_vs_reference<double>(h, bits, 21), kTol) << bits;
  // An empty circuit and one with a qubit no gate touches.
  Circuit e;
  e.num_qubits = 3;
  EXPECT_LT(from_zero_vs_reference<double>(e, 3, 22), kTol);
  e.gates.push_back({GateKind::H, {2}, {}, {}});
  EXPECT_LT(from_zero_vs_reference<double>(e, 3, 23), kTol);
}

TEST(Fusion, RandomCircuitsWithThreads) {
  const int saved = omp_get_max_threads();
  std::mt19937_64 rng(404);
  const Circuit c = random_circuit(rng, 15, 60);
  for (int threads : {1, 2}) {
    omp_set_num_threads(threads);
    EXPECT_LT(compiled_vs_reference<double>(c, {}, 11, true, 9), kTol) << threads;
    EXPECT_LT(compiled_vs_reference<double>(c, {}, 6, true, 9), kTol) << threads;
  }
  omp_set_num_threads(saved);
}

// Where a gate mixes basis states (its non-diagonal qubits), written out here independently of
// the scheduler: every qubit of a diagonal kind is diagonal; a Pauli rotation mixes its X and Y
// qubits; a controlled gate mixes its targets; other gates mix every qubit.
std::uint64_t mixing_qubits(const Gate& g) {
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
    case GateKind::RZZ: return 0;
    default: break;
  }
  std::uint64_t m = 0;
  const std::size_t k = g.qubits.size();
  if (g.kind == GateKind::RXX || g.kind == GateKind::RYY || g.kind == GateKind::PauliRotation) {
    const std::string label = g.kind == GateKind::RXX ? "XX" : g.kind == GateKind::RYY ? "YY" : g.pauli;
    for (std::size_t i = 0; i < k; ++i)
      if (label[k - 1 - i] == 'X' || label[k - 1 - i] == 'Y') m |= std::uint64_t{1} << g.qubits[i];
    return m;
  }
  const std::size_t controls =
      g.kind == GateKind::CCX                                                            ? 2
      : (g.kind >= GateKind::CX && g.kind <= GateKind::CU3) || g.kind == GateKind::CSwap ? 1
                                                                                         : 0;
  for (std::size_t i = controls; i < k; ++i) m |= std::uint64_t{1} << g.qubits[i];
  return m;
}

TEST(Fusion, StagesRespectBlockSize) {
  const Circuit c = hea(12, 2);
  std::vector<std::size_t> order(c.gates.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  const auto stages = circuit::schedule_stages(c, order, 6, 2);
  std::size_t total = 0;
  for (const auto& s : stages) {
    EXPECT_EQ(s.qubits.size(), 6u);
    EXPECT_EQ(s.qubits[0], 0);
    EXPECT_EQ(s.qubits[1], 1);
    for (std::size_t gi : s.gates)
      for (int q : c.gates[gi].qubits) {
        if ((mixing_qubits(c.gates[gi]) >> q) & 1) {
          EXPECT_TRUE(std::binary_search(s.qubits.begin(), s.qubits.end(), q));
        }
      }
    total += s.gates.size();
  }
  EXPECT_EQ(total, c.gates.size());
}

// Runs of X, CX and CCX on the qubits inside a vector and above it: folded into permutations
// that move amplitudes within and across vectors where the map allows, gate by gate where not
// (a vector-level control on a lane target, CCX).
TEST(Fusion, PermutationsAcrossLanes) {
  std::mt19937_64 rng(77);
  for (int trial = 0; trial < 12; ++trial) {
    const int n = 9 + trial % 3;
    Circuit c;
    c.num_qubits = n;
    std::uniform_int_distribution<int> low(0, 3), any(0, n - 1), kind(0, 9);
    for (int g = 0; g < 40; ++g) {
      const int k = kind(rng);
      int t = (k < 6) ? low(rng) : any(rng), u = any(rng);
      if (k == 9) {
        int v = any(rng);
        while (u == t) u = any(rng);
        while (v == t || v == u) v = any(rng);
        c.gates.push_back({circuit::GateKind::CCX, {u, v, t}, {}, {}});
      } else if (k == 8) {
        c.gates.push_back({circuit::GateKind::X, {t}, {}, {}});
      } else if (k == 7) {
        c.gates.push_back({circuit::GateKind::RY, {t}, {circuit::AffineAngle{random_angle(rng), {}}}, {}});
      } else {
        if (k < 3) u = low(rng);
        while (u == t) u = (k < 3) ? low(rng) : any(rng);
        c.gates.push_back({circuit::GateKind::CX, {u, t}, {}, {}});
      }
    }
    for (int bits : {6, 8, n}) {
      EXPECT_LT(compiled_vs_reference<double>(c, {}, bits, true, 3), kTol) << trial << " " << bits;
      EXPECT_LT(compiled_vs_reference<float>(c, {}, bits, true, 3), 2e-5) << trial << " " << bits;
    }
  }
}

// Every gate in exactly one stage with the qubits it mixes inside the stage's qubits (a
// diagonal gate and the Z string of a Pauli rotation may lie outside: their phase reads the
// index), and every two gates that do not commute (a shared qubit that either mixes) in their
// original order (an earlier stage, or the same stage in order).
void expect_valid_schedule(const Circuit& c, const std::vector<circuit::StagePlan>& stages, int block_bits) {
  std::vector<std::pair<int, int>> where(c.gates.size(), {-1, -1});  // (stage, position)
  for (std::size_t s = 0; s < stages.size(); ++s) {
    if (!stages[s].whole_state) {
      EXPECT_LE(stages[s].qubits.size(), static_cast<std::size_t>(block_bits));
    }
    for (std::size_t k = 0; k < stages[s].gates.size(); ++k) {
      const std::size_t gi = stages[s].gates[k];
      ASSERT_EQ(where[gi].first, -1) << "gate " << gi << " scheduled twice";
      where[gi] = {static_cast<int>(s), static_cast<int>(k)};
      if (stages[s].whole_state) continue;
      const bool pauli = c.gates[gi].kind == GateKind::RXX || c.gates[gi].kind == GateKind::RYY ||
                         c.gates[gi].kind == GateKind::PauliRotation;
      const std::uint64_t need = mixing_qubits(c.gates[gi]) == 0 ? 0
                                 : pauli                         ? mixing_qubits(c.gates[gi])
                                                                 : ~std::uint64_t{0};
      for (int q : c.gates[gi].qubits) {
        if ((need >> q) & 1) {
          EXPECT_TRUE(std::binary_search(stages[s].qubits.begin(), stages[s].qubits.end(), q)) << gi;
        }
      }
    }
  }
  for (std::size_t i = 0; i < c.gates.size(); ++i) {
    ASSERT_NE(where[i].first, -1) << "gate " << i << " not scheduled";
    for (std::size_t j = i + 1; j < c.gates.size(); ++j) {
      bool conflict = false;
      for (int q : c.gates[i].qubits)
        for (int r : c.gates[j].qubits)
          conflict =
              conflict || (q == r && ((mixing_qubits(c.gates[i]) | mixing_qubits(c.gates[j])) >> q & 1));
      if (conflict) {
        EXPECT_LT(where[i], where[j]) << "gates " << i << " and " << j << " reordered";
      }
    }
  }
}

TEST(Fusion, LookaheadScheduleKeepsEveryDependency) {
  std::mt19937_64 rng(2026);
  for (int trial = 0; trial < 6; ++trial) {
    const int n = 12 + trial;
    const Circuit c = random_circuit(rng, n, 120);
    std::vector<std::size_t> order(c.gates.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    for (int bits : {6, 8, 10}) expect_valid_schedule(c, circuit::schedule_stages(c, order, bits, 3), bits);
  }
  // Longer than the scheduler's lookahead head (it judges candidates on the next 512 gates).
  const Circuit longer = random_circuit(rng, 20, 1500);
  std::vector<std::size_t> all(longer.gates.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  expect_valid_schedule(longer, circuit::schedule_stages(longer, all, 10, 4), 10);
  const Circuit h = hea(24, 4);
  std::vector<std::size_t> order(h.gates.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  expect_valid_schedule(h, circuit::schedule_stages(h, order, 15, 4), 15);
}

// The benchmark ansatz at n = 24: greedy stages leave a staircase of the CX chains that took
// several more stages (5 forward in 15-qubit blocks, 7 backward in 14); a window placed below
// the top finishes it in one.
TEST(Fusion, LookaheadScheduleFinishesTheHeaStaircase) {
  const Circuit h = hea(24, 4);
  std::vector<std::size_t> order(h.gates.size()), reversed(h.gates.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (std::size_t i = 0; i < order.size(); ++i) reversed[i] = order.size() - 1 - i;
  EXPECT_EQ(circuit::schedule_stages(h, order, 15, 4).size(), 3u);
  EXPECT_EQ(circuit::schedule_stages(h, reversed, 14, 4).size(), 3u);
}

// plan_stages takes a wider block only where it saves a stage and leaves 16 blocks or more.
TEST(Fusion, PlanStagesTakesWideBlocksOnlyWhereTheySaveAStage) {
  for (int n : {16, 20, 24}) {
    const Circuit h = hea(n, 4);
    std::vector<std::size_t> rest;
    circuit::product_prefix(h, rest);  // the order a Program from |0...0> schedules
    int narrow_bits = 0, wide_bits = 0;
    const auto narrow = circuit::plan_stages(h, rest, 15, narrow_bits);
    const auto wide = circuit::plan_stages(h, rest, 15, wide_bits, 16);
    EXPECT_LE(narrow_bits, 15);
    if (wide_bits == 16) {
      EXPECT_GE(n - 16, 4) << n;
      EXPECT_LT(wide.size(), narrow.size()) << n;
      EXPECT_EQ(wide.size(), circuit::schedule_stages(h, rest, 16, circuit::kContiguousBits).size());
    } else {
      EXPECT_EQ(wide_bits, narrow_bits) << n;
      EXPECT_EQ(wide.size(), narrow.size()) << n;
    }
  }
  // The 24-qubit ansatz is the case the wide blocks are for: 2 stages instead of 3.
  const Circuit h = hea(24, 4);
  std::vector<std::size_t> rest;
  circuit::product_prefix(h, rest);
  int bits = 0;
  EXPECT_EQ(circuit::plan_stages(h, rest, 15, bits, 16).size(), 2u);
  EXPECT_EQ(bits, 16);
  // 16 qubits in 16-qubit blocks would be one block for two threads: not taken.
  const Circuit small = hea(16, 4);
  circuit::product_prefix(small, rest);
  circuit::plan_stages(small, rest, 15, bits, 16);
  EXPECT_NE(bits, 16);
}

}  // namespace
}  // namespace vqsim::test
