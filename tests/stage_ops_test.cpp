// Diagonals and Pauli rotations anywhere in a block (circuit/stage_ops.hpp and the core::simd
// kernels behind them): every SIMD variant against plain per-amplitude arithmetic written here,
// then compiled circuits of UCC- and QAOA-like shapes against the gate-by-gate reference, and
// their adjoint gradients against the parameter shift. Z strings cross block boundaries, Y counts
// of both parities share X masks, angles are independent and shared, blocks are tiny and whole,
// 1 and 2 threads, double and float.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <complex>
#include <random>
#include <string>
#include <vector>

#include "circuit/circuit.hpp"
#include "circuit/executor.hpp"
#include "circuit/program.hpp"
#include "circuit/stage_ops.hpp"
#include "core/simd.hpp"
#include "dense_reference.hpp"
#include "gradient/evaluator.hpp"
#include "observable/pauli_sum.hpp"

namespace vqsim::test {
namespace {

using circuit::AffineAngle;
using circuit::Circuit;
using circuit::Gate;
using circuit::GateKind;
using u64 = std::uint64_t;

bool odd(u64 x) {
  return __builtin_parityll(x) != 0;
}

// Every diagonal kind's Walsh expansion reproduces its phases on every basis state.
TEST(StageOps, WalshExpansionOfEveryDiagonalKind) {
  std::mt19937_64 rng(901);
  for (const char* name :
       {"id", "z", "s", "sdg", "t", "tdg", "rz", "p", "cz", "cp", "crz", "rzz", "pauli_rotation"}) {
    const GateKind kind = circuit::gate_from_name(name).value();
    Gate g{kind, {}, {}, {}};
    const int k = kind == GateKind::PauliRotation ? 3 : circuit::gate_info(kind).num_qubits;
    g.qubits = {2, 0, 1};
    g.qubits.resize(static_cast<std::size_t>(k));
    if (kind == GateKind::PauliRotation) g.pauli = "ZZZ";
    std::vector<double> a;
    for (int j = 0; j < circuit::gate_info(kind).num_angles; ++j) a.push_back(random_angle(rng));
    std::vector<core::cplx> phases;
    circuit::diagonal_phases(g, a, phases);  // phases[k]: bit j of k = qubits[j]
    for (std::size_t x = 0; x < phases.size(); ++x) {
      u64 state = 0;
      for (std::size_t j = 0; j < g.qubits.size(); ++j)
        if ((x >> j) & 1) state |= u64{1} << g.qubits[j];
      double phi = 0.0;
      for (const auto& t : circuit::diagonal_walsh(g))
        phi += (t.per_angle * (a.empty() ? 0.0 : a[0]) + t.constant) * (odd(state & t.z) ? -1.0 : 1.0);
      EXPECT_NEAR(std::abs(std::exp(core::cplx(0, phi)) - phases[x]), 0.0, 1e-14) << name << " " << x;
    }
  }
}

// A random RowPhase over blocks of `bits` with terms of every kind: on the row alone, single and
// several columns on either side of the low four, crossing them, with and without row bits.
struct RandomRowPhase {
  std::vector<u64> column, row;
  std::vector<int> first;
  std::vector<double> cs, scratch;
  core::simd::RowPhase rp;

  RandomRowPhase(std::mt19937_64& rng, int bits) {
    const int rb = std::min(bits, 8), ab = std::min(rb, 4);
    const u64 columns = (u64{1} << rb) - 1, rows = (u64{1} << (bits - rb)) - 1;
    std::uniform_int_distribution<u64> any(0, ~u64{0});
    auto pick = [&](u64 mask) { return any(rng) & any(rng) & mask; };
    std::vector<u64> classes = {
        0, 1, u64{1} << (ab - 1), columns & ~((u64{1} << ab) - 1), pick(columns), pick(columns), columns};
    std::sort(classes.begin(), classes.end());
    classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
    for (u64 u : classes) {
      first.push_back(static_cast<int>(row.size()));
      column.push_back(u);
      const int terms = 1 + static_cast<int>(any(rng) % 3);
      for (int j = 0; j < terms; ++j) {
        row.push_back(j == 0 ? 0 : pick(rows));
        const double a = random_angle(rng);
        cs.push_back(std::cos(a));
        cs.push_back(std::sin(a));
      }
    }
    first.push_back(static_cast<int>(row.size()));
    scratch.resize(5 * column.size());
    rp.num_classes = static_cast<int>(column.size());
    rp.column = column.data();
    rp.first = first.data();
    rp.row = row.data();
    rp.cs = cs.data();
    rp.scratch = scratch.data();
  }
  // The phase of amplitude r 2^rb + l: the product of every term's exp(i a chi chi).
  core::cplx phase(u64 r, u64 l) const {
    core::cplx f(1, 0);
    for (std::size_t k = 0; k < column.size(); ++k)
      for (int j = first[k]; j < first[k + 1]; ++j) {
        const double s = (odd(l & column[k]) != odd(r & row[static_cast<std::size_t>(j)])) ? -1.0 : 1.0;
        f *= core::cplx(cs[2 * static_cast<std::size_t>(j)], s * cs[2 * static_cast<std::size_t>(j) + 1]);
      }
    return f;
  }
};

// The packed row and high tables of `diagonal` for random phases; returns them as complex too.
template <class Real>
std::vector<Real> random_tables(std::mt19937_64& rng, int bits, std::vector<core::cplx>& row,
                                std::vector<core::cplx>& high) {
  const int rb = std::min(bits, 8);
  row.resize(std::size_t{1} << rb);
  high.resize(std::size_t{1} << (bits - rb));
  for (auto& x : row) x = std::exp(core::cplx(0, random_angle(rng)));
  for (auto& x : high)
    x = std::exp(core::cplx(0, random_angle(rng))) * (0.5 + 0.5 * std::abs(random_angle(rng)));
  std::vector<Real> d((std::size_t{4} << rb) + (std::size_t{2} << (bits - rb)));
  circuit::pack_diagonal_tables(row, high, d.data());
  return d;
}

template <class Real>
std::vector<Real> random_reals(std::mt19937_64& rng, std::size_t n) {
  std::normal_distribution<double> d;
  std::vector<Real> v(n);
  for (Real& x : v) x = static_cast<Real>(d(rng));
  return v;
}

template <class Real>
void check_diagonal_phase(const core::simd::Kernels<Real>& k, double tol) {
  std::mt19937_64 rng(902);
  for (int bits = 1; bits <= 12; ++bits) {
    RandomRowPhase rp(rng, bits);
    std::vector<core::cplx> row, high;
    const std::vector<Real> d = random_tables<Real>(rng, bits, row, high);
    const int rb = std::min(bits, 8);
    const std::size_t n = std::size_t{1} << bits;
    const std::vector<Real> psi0 = random_reals<Real>(rng, 2 * n), lam0 = random_reals<Real>(rng, 2 * n);
    std::vector<Real> psi = psi0, lam = lam0;
    k.diagonal_phase(psi.data(), bits, d.data(), d.data() + (std::size_t{4} << rb), rp.rp);
    std::vector<Real> p2 = psi0;
    std::vector<double> wrow(std::size_t{1} << rb, 0.0), whigh(n >> rb, 0.0), wterm(rp.row.size(), 0.0);
    k.adjoint_diagonal_phase(p2.data(), lam.data(), bits, d.data(), d.data() + (std::size_t{4} << rb), rp.rp,
                             wrow.data(), whigh.data(), wterm.data());
    std::vector<double> erow(wrow.size(), 0.0), ehigh(whigh.size(), 0.0), eterm(wterm.size(), 0.0);
    for (std::size_t x = 0; x < n; ++x) {
      const u64 r = x >> rb, l = x & ((u64{1} << rb) - 1);
      const core::cplx f = row[l] * high[r] * rp.phase(r, l);
      const core::cplx p(psi0[2 * x], psi0[2 * x + 1]), q(lam0[2 * x], lam0[2 * x + 1]);
      const core::cplx want = f * p, got(psi[2 * x], psi[2 * x + 1]), got2(p2[2 * x], p2[2 * x + 1]);
      const core::cplx want_l = f * q, got_l(lam[2 * x], lam[2 * x + 1]);
      ASSERT_LT(std::abs(got - want), tol) << k.isa << " bits " << bits << " x " << x;
      ASSERT_LT(std::abs(got2 - want), tol) << k.isa << " bits " << bits << " x " << x;
      ASSERT_LT(std::abs(got_l - want_l), tol) << k.isa << " bits " << bits << " x " << x;
      const double w = (std::conj(q) * p).imag();
      erow[l] += w;
      ehigh[r] += w;
      for (std::size_t kk = 0; kk < rp.column.size(); ++kk)
        for (int j = rp.first[kk]; j < rp.first[kk + 1]; ++j)
          eterm[static_cast<std::size_t>(j)] +=
              (odd(l & rp.column[kk]) != odd(r & rp.row[static_cast<std::size_t>(j)])) ? -w : w;
    }
    for (std::size_t i = 0; i < wrow.size(); ++i)
      EXPECT_NEAR(wrow[i], erow[i], tol * 10) << k.isa << " " << bits;
    for (std::size_t i = 0; i < whigh.size(); ++i)
      EXPECT_NEAR(whigh[i], ehigh[i], tol * 10) << k.isa << " " << bits;
    for (std::size_t i = 0; i < wterm.size(); ++i) {
      std::size_t cls = 0;
      while (rp.first[cls + 1] <= static_cast<int>(i)) ++cls;
      EXPECT_NEAR(wterm[i], eterm[i], tol * 100) << k.isa << " bits " << bits << " term " << i << " column "
                                                 << rp.column[cls] << " row " << rp.row[i];
    }
  }
}

TEST(StageOps, DiagonalPhaseKernelsOfEveryVariant) {
  for (int v = 0; v < core::simd::num_variants(); ++v) {
    check_diagonal_phase(core::simd::variant_f64(v), 1e-12);
    check_diagonal_phase(core::simd::variant_f32(v), 1e-4);
  }
}

// The Pauli family kernels against the pair formula: random X masks (lane qubits and higher,
// both inside a vector and across vectors), Z strings and pattern bits, both sigmas.
template <class Real>
void check_pauli_family(const core::simd::Kernels<Real>& k, double tol) {
  std::mt19937_64 rng(903);
  std::uniform_int_distribution<u64> any(0, ~u64{0});
  for (int trial = 0; trial < 120; ++trial) {
    const int bits = 1 + trial % 11;
    const u64 all = (u64{1} << bits) - 1;
    u64 x = any(rng) & any(rng) & all;
    if (x == 0) x = u64{1} << (trial % bits);
    if (trial % 5 == 0) x &= 7;  // inside a vector where lanes allow
    if (x == 0) x = 1;
    const u64 top = u64{1} << (63 - __builtin_clzll(x));
    const u64 z = any(rng) & all & ~top;
    u64 dmask = 0;
    for (int b = 0, taken = 0; b < bits && taken < core::simd::kMaxFamilyPatternBits; ++b)
      if (!((top >> b) & 1) && (any(rng) & 1)) {
        dmask |= u64{1} << b;
        ++taken;
      }
    const bool sigma_y = trial % 2 == 0;
    const std::size_t patterns = std::size_t{1} << __builtin_popcountll(dmask);
    std::vector<double> cs(2 * patterns);
    for (std::size_t i = 0; i < patterns; ++i) {
      const double a = random_angle(rng);
      cs[2 * i] = std::cos(a);
      cs[2 * i + 1] = std::sin(a);
    }
    const std::size_t n = std::size_t{1} << bits;
    const std::vector<Real> psi0 = random_reals<Real>(rng, 2 * n), lam0 = random_reals<Real>(rng, 2 * n);
    std::vector<Real> psi = psi0, p2 = psi0, lam = lam0;
    k.pauli_family(psi.data(), bits, x, z, dmask, cs.data(), sigma_y);
    std::vector<double> g(patterns, 0.0), eg(patterns, 0.0);
    k.adjoint_pauli_family(p2.data(), lam.data(), bits, x, z, dmask, cs.data(), sigma_y, g.data());
    for (u64 y = 0; y < n; ++y) {
      if (y & top) continue;
      const u64 yb = y ^ x;
      u64 pattern = 0;
      int m = 0;
      for (u64 dm = dmask; dm != 0; dm &= dm - 1, ++m)
        if (y & (dm & (~dm + 1))) pattern |= u64{1} << m;
      const double c = cs[2 * pattern], s = odd(y & z) ? -cs[2 * pattern + 1] : cs[2 * pattern + 1];
      const core::cplx ms = sigma_y ? core::cplx(-s, 0) : core::cplx(0, -s),
                       ps = sigma_y ? core::cplx(s, 0) : core::cplx(0, -s);
      for (const std::vector<Real>* in : {&psi0, &lam0}) {
        const core::cplx a((*in)[2 * y], (*in)[2 * y + 1]), b((*in)[2 * yb], (*in)[2 * yb + 1]);
        const core::cplx wa = c * a + ms * b, wb = c * b + ps * a;
        const std::vector<Real>& out = in == &psi0 ? psi : lam;
        ASSERT_LT(std::abs(core::cplx(out[2 * y], out[2 * y + 1]) - wa), tol) << k.isa << " trial " << trial;
        ASSERT_LT(std::abs(core::cplx(out[2 * yb], out[2 * yb + 1]) - wb), tol)
            << k.isa << " trial " << trial;
        if (in == &psi0) {
          ASSERT_LT(std::abs(core::cplx(p2[2 * y], p2[2 * y + 1]) - wa), tol) << k.isa << " trial " << trial;
          ASSERT_LT(std::abs(core::cplx(p2[2 * yb], p2[2 * yb + 1]) - wb), tol)
              << k.isa << " trial " << trial;
        }
      }
      const core::cplx pa(psi0[2 * y], psi0[2 * y + 1]), pb(psi0[2 * yb], psi0[2 * yb + 1]);
      const core::cplx la(lam0[2 * y], lam0[2 * y + 1]), lb(lam0[2 * yb], lam0[2 * yb + 1]);
      const double v = sigma_y ? (std::conj(la) * pb - std::conj(lb) * pa).real()
                               : (std::conj(la) * pb + std::conj(lb) * pa).imag();
      eg[pattern] += odd(y & z) ? -v : v;
    }
    for (std::size_t i = 0; i < patterns; ++i)
      EXPECT_NEAR(g[i], eg[i], tol * 10) << k.isa << " trial " << trial;
  }
}

TEST(StageOps, PauliFamilyKernelsOfEveryVariant) {
  for (int v = 0; v < core::simd::num_variants(); ++v) {
    check_pauli_family(core::simd::variant_f64(v), 1e-12);
    check_pauli_family(core::simd::variant_f32(v), 1e-4);
  }
}

// A Pauli rotation on `qubits` (the string's first letter on qubits[0]) with a given angle.
Gate rotation(const std::string& letters, std::vector<int> qubits, AffineAngle angle) {
  std::string pauli(letters.rbegin(), letters.rend());  // pauli[size - 1 - k] acts on qubits[k]
  return Gate{GateKind::PauliRotation, std::move(qubits), {std::move(angle)}, pauli};
}

// UCC-like: Hartree-Fock X gates, then excitations as families of Pauli rotations on random
// qubit sets with Z runs between them (crossing block boundaries); a double's 8 strings (odd Y
// counts) and a single's 2, some with independent parameters, some sharing one with fermionic
// signs; an even-Y family (XXXX, YYYY, XXYY) and lone strings too; and RZ/Z strings to merge.
Circuit ucc_like(std::mt19937_64& rng, int n, int excitations, int& num_parameters) {
  Circuit c;
  c.num_qubits = n;
  for (int q = 0; q < n / 2; ++q) c.gates.push_back({GateKind::X, {q}, {}, {}});
  int p = 0;
  auto param = [&](double scale, int shared = -1) {
    const int j = shared >= 0 ? shared : p++;
    if (j >= static_cast<int>(c.parameter_names.size())) c.parameter_names.push_back("t" + std::to_string(j));
    return AffineAngle{0.05, {{j, scale}}};
  };
  static const char* kDouble[] = {"XXXY", "XXYX", "XYXX", "YXXX", "YYYX", "YYXY", "YXYY", "XYYY"};
  static const char* kEven[] = {"XXXX", "YYYY", "XXYY", "YXXY"};
  for (int e = 0; e < excitations; ++e) {
    std::vector<int> q(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) q[static_cast<std::size_t>(i)] = i;
    std::shuffle(q.begin(), q.end(), rng);
    const int kind = e % 4;
    if (kind == 3) {  // a single excitation: two strings X Z.. Y and Y Z.. X
      int a = std::min(q[0], q[1]), b = std::max(q[0], q[1]);
      const int shared = p;
      param(1.0);
      for (const char* s : {"XY", "YX"}) {
        std::vector<int> qs = {a};
        std::string letters(1, s[0]);
        for (int z = a + 1; z < b; ++z) {
          qs.push_back(z);
          letters += 'Z';
        }
        qs.push_back(b);
        letters += s[1];
        c.gates.push_back(rotation(letters, qs, param(s[0] == 'X' ? 0.5 : -0.5, shared)));
      }
      continue;
    }
    std::sort(q.begin(), q.begin() + 4);
    const bool even = kind == 2;
    const int shared = p;
    if (kind == 1) param(1.0);
    const int strings = even ? 4 : 8;
    for (int s = 0; s < strings; ++s) {
      const char* str = even ? kEven[s] : kDouble[s];
      std::vector<int> qs;
      std::string letters;
      auto add = [&](int qubit, char letter) {
        qs.push_back(qubit);
        letters += letter;
      };
      add(q[0], str[0]);
      for (int z = q[0] + 1; z < q[1]; ++z) add(z, 'Z');
      add(q[1], str[1]);
      add(q[2], str[2]);
      for (int z = q[2] + 1; z < q[3]; ++z) add(z, 'Z');
      add(q[3], str[3]);
      const double sign = (s % 3 == 0) ? -0.125 : 0.125;
      c.gates.push_back(rotation(letters, qs, kind == 1 ? param(sign, shared) : param(1.0)));
    }
    c.gates.push_back({GateKind::RY, {q[4]}, {param(1.0)}, {}});
    if (e % 5 == 4) {
      c.gates.push_back({GateKind::RZ, {q[5]}, {param(1.0)}, {}});
      c.gates.push_back(rotation("ZZZ", {q[4], q[6], q[7]}, param(0.7)));
      c.gates.push_back(rotation("XZ", {q[4], q[5]}, param(1.0)));
    }
  }
  num_parameters = p;
  return c;
}

// QAOA-like: H layer, then per layer RZZ/CP/CRZ on random pairs sharing gamma_k, RX on every
// qubit sharing beta_k, an RZ field sharing gamma_k too.
Circuit qaoa_like(std::mt19937_64& rng, int n, int layers, int edges) {
  Circuit c;
  c.num_qubits = n;
  for (int q = 0; q < n; ++q) c.gates.push_back({GateKind::H, {q}, {}, {}});
  std::uniform_int_distribution<int> node(0, n - 1);
  std::vector<std::pair<int, int>> graph;
  while (static_cast<int>(graph.size()) < edges) {
    const int u = node(rng), v = node(rng);
    if (u != v) graph.emplace_back(u, v);
  }
  for (int l = 0; l < layers; ++l) {
    c.parameter_names.push_back("gamma" + std::to_string(l));
    c.parameter_names.push_back("beta" + std::to_string(l));
    const int gamma = 2 * l, beta = 2 * l + 1;
    for (std::size_t e = 0; e < graph.size(); ++e) {
      const auto [u, v] = graph[e];
      const GateKind kind = e % 7 == 3 ? GateKind::CP : e % 7 == 5 ? GateKind::CRZ : GateKind::RZZ;
      c.gates.push_back(
          {kind, {u, v}, {AffineAngle{0.0, {{gamma, 1.0 + 0.1 * static_cast<double>(e % 3)}}}}, {}});
    }
    for (int q = 0; q < n; q += 3)
      c.gates.push_back({GateKind::RZ, {q}, {AffineAngle{0.0, {{gamma, -0.4}}}}, {}});
    for (int q = 0; q < n; ++q) c.gates.push_back({GateKind::RX, {q}, {AffineAngle{0.0, {{beta, 2.0}}}}, {}});
    // RY in scaled register tiles: their dropped factors go to the diagonal's high table, so its
    // phase is not unitary in the backward sweep.
    for (int q = l % 2; q < n; q += 2)
      c.gates.push_back({GateKind::RY, {q}, {AffineAngle{0.3, {{beta, 1.0}}}}, {}});
    c.gates.push_back(rotation("ZZZZ", {0, 3, 4, n - 1}, AffineAngle{0.0, {{gamma, 0.5}}}));
  }
  return c;
}

template <class Real>
double compiled_error(const Circuit& c, const std::vector<double>& theta, int bits, bool fuse,
                      std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  circuit::AngleTable angles;
  angles.fill(c, theta);
  core::StateVector<Real> ref(c.num_qubits), fast(c.num_qubits);
  std::normal_distribution<double> d;
  for (u64 i = 0; i < ref.size(); ++i)
    ref[i] = fast[i] = std::complex<Real>(static_cast<Real>(d(rng)), static_cast<Real>(d(rng)));
  circuit::run_circuit(ref, c, angles);
  circuit::Program<Real> prog(c, bits, fuse);
  prog.refill(angles);
  prog.run(fast);
  double m = 0.0;
  for (u64 i = 0; i < ref.size(); ++i) m = std::max(m, static_cast<double>(std::abs(ref[i] - fast[i])));
  return m;
}

std::vector<double> random_theta(std::mt19937_64& rng, int count) {
  std::vector<double> t;
  for (int j = 0; j < count; ++j) t.push_back(random_angle(rng));
  return t;
}

TEST(StageOps, CompiledUccAndQaoaCircuitsMatchTheReference) {
  const int saved = omp_get_max_threads();
  std::mt19937_64 rng(904);
  for (int n : {9, 12}) {
    int params = 0;
    const Circuit ucc = ucc_like(rng, n, 14, params);
    const Circuit qaoa = qaoa_like(rng, n, 2, 2 * n);
    const std::vector<double> tu = random_theta(rng, ucc.num_parameters()),
                              tq = random_theta(rng, qaoa.num_parameters());
    for (int threads : {1, 2}) {
      omp_set_num_threads(threads);
      for (int bits : {4, 6, 9, n})
        for (bool fuse : {true, false}) {
          EXPECT_LT(compiled_error<double>(ucc, tu, bits, fuse, 1), kTol) << n << " " << bits << " " << fuse;
          EXPECT_LT(compiled_error<float>(ucc, tu, bits, fuse, 1), 2e-5) << n << " " << bits << " " << fuse;
          EXPECT_LT(compiled_error<double>(qaoa, tq, bits, fuse, 2), kTol) << n << " " << bits << " " << fuse;
          EXPECT_LT(compiled_error<float>(qaoa, tq, bits, fuse, 2), 2e-5) << n << " " << bits << " " << fuse;
        }
    }
  }
  omp_set_num_threads(saved);
}

// A molecular-like observable: Z, ZZ, and a few XX/YY/XZX strings.
observable::PauliSum test_observable(std::mt19937_64& rng, int n) {
  std::vector<observable::PauliTerm> terms;
  for (int i = 0; i < n; ++i) terms.push_back({{0, u64{1} << i, 0}, 0.3 - 0.05 * i});
  for (int i = 0; i + 2 < n; i += 2) terms.push_back({{0, (u64{1} << i) | (u64{4} << i), 0}, 0.2});
  for (int t = 0; t < 6; ++t) {
    const std::string label = random_label(rng, n, t % 2 ? "IXYZ" : "IIXZ");
    terms.push_back({observable::parse_pauli_label(label, n), 0.1 + 0.05 * t});
  }
  return observable::PauliSum(n, terms);
}

void expect_gradients(const Circuit& c, const observable::PauliSum& h, const std::vector<double>& theta) {
  std::vector<double> shift, adj;
  gradient::Evaluator reference(c, h);
  const double e0 = reference.energy_and_gradient(theta, shift, gradient::Method::ParameterShift);
  for (int bits : {0, 4, 6, c.num_qubits}) {
    gradient::Evaluator ev(c, h, bits);
    EXPECT_NEAR(ev.energy_and_gradient(theta, adj, gradient::Method::Adjoint), e0, kTol) << bits;
    for (std::size_t j = 0; j < theta.size(); ++j) EXPECT_NEAR(adj[j], shift[j], 1e-10) << bits << " " << j;
    gradient::FloatEvaluator fe(c, h, bits);
    EXPECT_NEAR(fe.energy_and_gradient(theta, adj, gradient::Method::Adjoint), e0, 1e-5) << bits;
    for (std::size_t j = 0; j < theta.size(); ++j) EXPECT_NEAR(adj[j], shift[j], 1e-4) << bits << " " << j;
  }
}

TEST(StageOps, AdjointGradientsOfUccAndQaoaMatchTheParameterShift) {
  const int saved = omp_get_max_threads();
  std::mt19937_64 rng(905);
  const int n = 10;
  int params = 0;
  const Circuit ucc = ucc_like(rng, n, 9, params);
  const Circuit qaoa = qaoa_like(rng, n, 3, 14);
  const observable::PauliSum h = test_observable(rng, n);
  const std::vector<double> tu = random_theta(rng, ucc.num_parameters()),
                            tq = random_theta(rng, qaoa.num_parameters());
  for (int threads : {1, 2}) {
    omp_set_num_threads(threads);
    expect_gradients(ucc, h, tu);
    expect_gradients(qaoa, h, tq);
  }
  omp_set_num_threads(saved);
}

}  // namespace
}  // namespace vqsim::test
