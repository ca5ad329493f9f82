// The whole-state SIMD kernels (core::simd *_range) of every compiled variant against plain
// complex arithmetic written here, for every target qubit (those inside a vector too), controls
// below and above kRangeLowBits, registers of 1 to 9 qubits, and slices that take the vector
// path, the scalar path or both; then circuit::apply_gate, which routes gates to them, against
// the plain reference kernels (core::apply_*) for every gate kind and position, with one and two
// threads.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "circuit/executor.hpp"
#include "core/kernels.hpp"
#include "core/simd.hpp"
#include "dense_reference.hpp"

namespace vqsim::test {
namespace {

using u64 = std::uint64_t;

template <class Real>
double tolerance() {
  return sizeof(Real) == 8 ? 1e-12 : 1e-5;
}

template <class Real>
std::vector<Real> random_reals(std::mt19937_64& rng, int n) {
  std::normal_distribution<double> d;
  std::vector<Real> v(std::size_t{2} << n);
  for (auto& x : v) x = static_cast<Real>(d(rng));
  return v;
}

template <class Real>
std::vector<Cd> to_complex(const std::vector<Real>& v) {
  std::vector<Cd> out(v.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = Cd(v[2 * i], v[2 * i + 1]);
  return out;
}

template <class Real>
double max_error(const std::vector<Real>& v, const std::vector<Cd>& ref) {
  double m = 0.0;
  for (std::size_t i = 0; i < ref.size(); ++i) m = std::max(m, std::abs(Cd(v[2 * i], v[2 * i + 1]) - ref[i]));
  return m;
}

bool odd(u64 x) {
  return __builtin_parityll(x) != 0;
}

// Calls f(begin, end) on consecutive slices of [0, count) of `step` indices.
template <class F>
void sliced(u64 count, u64 step, F&& f) {
  for (u64 b = 0; b < count; b += step) f(b, std::min(count, b + step));
}

// One call for the whole space, aligned slices, and odd-sized slices (the scalar path).
std::vector<u64> slicings(u64 count) {
  return {count, core::simd::kRangeAlign, 3};
}

// Control masks for a target q in an n-qubit register: none, one below and one above
// kRangeLowBits, and two at once, where the register has room.
std::vector<u64> control_masks(int n, int q) {
  std::vector<u64> out{0};
  std::vector<int> others;
  for (int c = 0; c < n; ++c)
    if (c != q) others.push_back(c);
  if (!others.empty()) out.push_back(u64{1} << others.front());
  if (others.size() > 1) out.push_back(u64{1} << others.back());
  if (others.size() > 2) out.push_back((u64{1} << others[1]) | (u64{1} << others.back()));
  return out;
}

// The pair update of a 2x2 matrix m on qubit q where every control is set.
void reference_matrix(std::vector<Cd>& a, u64 cmask, int q, const Cd* m) {
  const u64 half = u64{1} << q;
  for (u64 x = 0; x < a.size(); ++x) {
    if ((x & half) || (x & cmask) != cmask) continue;
    const Cd a0 = a[x], a1 = a[x | half];
    a[x] = m[0] * a0 + m[1] * a1;
    a[x | half] = m[2] * a0 + m[3] * a1;
  }
}

template <class Real>
void check_pair_kernels(const core::simd::Kernels<Real>& k) {
  std::mt19937_64 rng(601);
  std::normal_distribution<double> d;
  const double tol = tolerance<Real>();
  for (int n = 1; n <= 9; n += (n < 6 ? 1 : 3)) {
    for (int q = 0; q < n; ++q) {
      for (u64 cmask : control_masks(n, q)) {
        const u64 count = core::simd::pair_range_size(n, cmask);
        for (u64 step : slicings(count)) {
          const std::string where = std::string(k.isa) + " n=" + std::to_string(n) +
                                    " q=" + std::to_string(q) + " cmask=" + std::to_string(cmask) +
                                    " step=" + std::to_string(step);
          Cd m[4];
          for (auto& e : m) e = Cd(d(rng), d(rng));
          Real mc[8], mr[4];
          for (int j = 0; j < 4; ++j) {
            mc[2 * j] = static_cast<Real>(m[j].real());
            mc[2 * j + 1] = static_cast<Real>(m[j].imag());
            mr[j] = static_cast<Real>(m[j].real());
          }
          // Complex matrix.
          auto v = random_reals<Real>(rng, n);
          auto ref = to_complex(v);
          sliced(count, step, [&](u64 b, u64 e) { k.matrix1_range(v.data(), n, cmask, q, mc, b, e); });
          Cd mq[4];
          for (int j = 0; j < 4; ++j) mq[j] = Cd(mc[2 * j], mc[2 * j + 1]);
          reference_matrix(ref, cmask, q, mq);
          EXPECT_LT(max_error(v, ref), tol) << "matrix1_range " << where;
          // Real matrix.
          v = random_reals<Real>(rng, n);
          ref = to_complex(v);
          sliced(count, step, [&](u64 b, u64 e) { k.real_matrix1_range(v.data(), n, cmask, q, mr, b, e); });
          const Cd mrq[4] = {mr[0], mr[1], mr[2], mr[3]};
          reference_matrix(ref, cmask, q, mrq);
          EXPECT_LT(max_error(v, ref), tol) << "real_matrix1_range " << where;
          // Controlled X: exact.
          v = random_reals<Real>(rng, n);
          ref = to_complex(v);
          sliced(count, step, [&](u64 b, u64 e) { k.controlled_x_range(v.data(), n, cmask, q, b, e); });
          const Cd x[4] = {0, 1, 1, 0};
          reference_matrix(ref, cmask, q, x);
          EXPECT_EQ(max_error(v, ref), 0.0) << "controlled_x_range " << where;
        }
      }
    }
  }
}

template <class Real>
void check_diagonal_kernel(const core::simd::Kernels<Real>& k) {
  std::mt19937_64 rng(602);
  std::normal_distribution<double> d;
  const double tol = tolerance<Real>();
  for (int n = 1; n <= 9; n += (n < 6 ? 1 : 3)) {
    const u64 all = (u64{1} << n) - 1;
    for (int rep = 0; rep < 3 * n; ++rep) {
      const int q = rep % n;
      for (u64 cmask : control_masks(n, q)) {
        // Z on the target alone (RZ, P, CZ), or on random qubits besides it (RZZ, Z strings).
        const u64 zmask = (rep % 3 == 0) ? (u64{1} << q) : ((rng() & all & ~cmask) | (u64{1} << q));
        const u64 count = core::simd::diagonal_range_size(n, cmask);
        for (u64 step : slicings(count)) {
          // Every other case has d0 = 1, the skip of unchanged vectors (P, CZ, CP).
          const Cd d0 = rep % 2 ? Cd(1, 0) : Cd(d(rng), d(rng)), d1(d(rng), d(rng));
          const Real dr[4] = {static_cast<Real>(d0.real()), static_cast<Real>(d0.imag()),
                              static_cast<Real>(d1.real()), static_cast<Real>(d1.imag())};
          auto v = random_reals<Real>(rng, n);
          auto ref = to_complex(v);
          sliced(count, step, [&](u64 b, u64 e) { k.diagonal_range(v.data(), n, cmask, zmask, dr, b, e); });
          const Cd dq[2] = {Cd(dr[0], dr[1]), Cd(dr[2], dr[3])};
          for (u64 x = 0; x < ref.size(); ++x)
            if ((x & cmask) == cmask) ref[x] *= dq[odd(x & zmask) ? 1 : 0];
          EXPECT_LT(max_error(v, ref), tol) << k.isa << " diagonal_range n=" << n << " cmask=" << cmask
                                            << " zmask=" << zmask << " step=" << step;
        }
      }
    }
  }
}

template <class Real>
void check_pauli_kernel(const core::simd::Kernels<Real>& k) {
  std::mt19937_64 rng(603);
  std::normal_distribution<double> d;
  const double tol = tolerance<Real>();
  for (int n = 1; n <= 9; n += (n < 6 ? 1 : 3)) {
    const u64 all = (u64{1} << n) - 1;
    for (int rep = 0; rep < 8 * n; ++rep) {
      // Single flips on every qubit first (RX, RY), then random strings.
      u64 xmask = rep < n ? u64{1} << rep : rng() & all;
      if (xmask == 0) xmask = 1;
      const u64 zmask = rep < n ? (rep % 2 ? xmask : 0) : rng() & all;
      const double c = d(rng), fa = d(rng), fb = d(rng);
      const int form = rep % 3;  // real f, imaginary f, complex f
      const Real cf[3] = {static_cast<Real>(c), static_cast<Real>(form == 1 ? 0.0 : fa),
                          static_cast<Real>(form == 0 ? 0.0 : fb)};
      const u64 count = u64{1} << (n - 1);
      for (u64 step : slicings(count)) {
        auto v = random_reals<Real>(rng, n);
        const auto in = to_complex(v);
        sliced(count, step,
               [&](u64 b, u64 e) { k.pauli_rotation_range(v.data(), n, xmask, zmask, cf, b, e); });
        const Cd f(cf[1], cf[2]);
        std::vector<Cd> ref(in.size());
        for (u64 y = 0; y < in.size(); ++y)
          ref[y] = Cd(cf[0]) * in[y] + f * (odd((y ^ xmask) & zmask) ? -1.0 : 1.0) * in[y ^ xmask];
        EXPECT_LT(max_error(v, ref), tol) << k.isa << " pauli_rotation_range n=" << n << " x=" << xmask
                                          << " z=" << zmask << " form=" << form << " step=" << step;
      }
    }
  }
}

TEST(WholeStateKernels, EveryVariantPairKernels) {
  for (int i = 0; i < core::simd::num_variants(); ++i) {
    check_pair_kernels(core::simd::variant_f64(i));
    check_pair_kernels(core::simd::variant_f32(i));
  }
}

TEST(WholeStateKernels, EveryVariantDiagonal) {
  for (int i = 0; i < core::simd::num_variants(); ++i) {
    check_diagonal_kernel(core::simd::variant_f64(i));
    check_diagonal_kernel(core::simd::variant_f32(i));
  }
}

TEST(WholeStateKernels, EveryVariantPauliRotation) {
  for (int i = 0; i < core::simd::num_variants(); ++i) {
    check_pauli_kernel(core::simd::variant_f64(i));
    check_pauli_kernel(core::simd::variant_f32(i));
  }
}

using circuit::Gate;
using circuit::GateKind;

Gate gate(GateKind kind, std::vector<int> qubits, std::vector<double> angles = {}, std::string pauli = {}) {
  Gate g{kind, std::move(qubits), {}, std::move(pauli)};
  for (double a : angles) g.angles.push_back(circuit::AffineAngle{a, {}});
  return g;
}

// The plain path: core's reference kernels, as apply_gate called them before.
template <class R>
void reference_gate(core::StateVector<R>& sv, const Gate& g, const std::vector<double>& angles,
                    bool inverse) {
  const u64 cmask = circuit::control_mask(g);
  switch (g.kind) {
    case GateKind::X:
    case GateKind::CX:
    case GateKind::CCX: core::apply_controlled_x(sv, cmask, g.qubits.back()); return;
    case GateKind::RXX:
    case GateKind::RYY:
    case GateKind::RZZ:
    case GateKind::PauliRotation:
      core::apply_pauli_rotation(sv, circuit::pauli_masks(g), inverse ? -angles[0] : angles[0]);
      return;
    default: {
      const core::Mat2 m = circuit::target_matrix(g.kind, angles);
      core::apply_controlled_matrix1(sv, cmask, g.qubits.back(), inverse ? circuit::dagger(m) : m);
      return;
    }
  }
}

// Every gate kind the fast path routes, at every position of an n-qubit register.
std::vector<Gate> gates_for(int n, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> a(-3.0, 3.0);
  std::vector<Gate> out;
  for (int q = 0; q < n; ++q) {
    for (GateKind k : {GateKind::X, GateKind::Y, GateKind::Z, GateKind::H, GateKind::S, GateKind::T,
                       GateKind::SX, GateKind::RX, GateKind::RY, GateKind::RZ, GateKind::P})
      out.push_back(gate(
          k, {q}, std::vector<double>(static_cast<std::size_t>(circuit::gate_info(k).num_angles), a(rng))));
    out.push_back(gate(GateKind::U3, {q}, {a(rng), a(rng), a(rng)}));
    if (n < 2) continue;
    const int o = (q + 1 + static_cast<int>(rng() % static_cast<u64>(n - 1))) % n;  // another qubit
    for (GateKind k : {GateKind::CX, GateKind::CY, GateKind::CZ, GateKind::CH, GateKind::CRX, GateKind::CRY,
                       GateKind::CRZ, GateKind::CP, GateKind::RXX, GateKind::RYY, GateKind::RZZ})
      out.push_back(
          gate(k, {o, q},
               std::vector<double>(static_cast<std::size_t>(circuit::gate_info(k).num_angles), a(rng))));
    out.push_back(gate(GateKind::CU3, {q, o}, {a(rng), a(rng), a(rng)}));
    if (n < 4) continue;
    // Pauli strings on four qubits ending at q (the top one included) and a wide Z string.
    std::vector<int> four;
    for (int j = 0; j < 4; ++j) four.push_back((q + n - j) % n);
    for (const char* label : {"XZYX", "YYXZ", "ZZIZ"})
      out.push_back(gate(GateKind::PauliRotation, four, {a(rng)}, label));
    out.push_back(gate(GateKind::CCX, {(q + 1) % n, (q + 2) % n, q}));
  }
  return out;
}

template <class R>
void check_apply_gate(int n, std::mt19937_64& rng) {
  const double tol = sizeof(R) == 8 ? 1e-12 : 1e-5;
  for (const Gate& g : gates_for(n, rng)) {
    std::vector<double> angles;
    for (const auto& a : g.angles) angles.push_back(a.constant);
    const VectorXcd psi = random_state(rng, n);
    for (bool inverse : {false, true}) {
      auto fast = to_state<R>(psi), ref = to_state<R>(psi);
      circuit::apply_gate(fast, g, angles, inverse);
      reference_gate(ref, g, angles, inverse);
      double err = 0.0;
      for (u64 x = 0; x < fast.size(); ++x)
        err = std::max(err, std::abs(std::complex<double>(fast[x]) - std::complex<double>(ref[x])));
      EXPECT_LT(err, tol) << circuit::gate_info(g.kind).name << " " << g.pauli << " n=" << n
                          << " qubits=" << ::testing::PrintToString(g.qubits) << " inverse=" << inverse;
    }
  }
}

TEST(ApplyGate, EveryKindAndPositionSmallRegisters) {
  std::mt19937_64 rng(610);
  for (int n = 1; n <= 6; ++n) {
    check_apply_gate<double>(n, rng);
    check_apply_gate<float>(n, rng);
  }
}

// Large enough for two threads (2^14 pairs), with one and two.
TEST(ApplyGate, OneAndTwoThreads) {
  const int saved = omp_get_max_threads();
  for (int threads : {1, 2}) {
    omp_set_num_threads(threads);
    std::mt19937_64 rng(611);
    check_apply_gate<double>(15, rng);
    check_apply_gate<float>(15, rng);
  }
  omp_set_num_threads(saved);
}

}  // namespace
}  // namespace vqsim::test
