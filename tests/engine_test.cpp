// The fast engine against its references: every compiled SIMD variant against plain complex
// arithmetic, the blocked expectation and H|psi> against the one-pass-per-group versions, the
// fused cache-blocked adjoint gradient against parameter shift, and single precision against
// double; with block sizes far below the register so gathered blocks and block boundaries are
// exercised, and with one and two OpenMP threads.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "circuit/circuit.hpp"
#include "core/parallel.hpp"
#include "core/simd.hpp"
#include "dense_reference.hpp"
#include "gradient/evaluator.hpp"
#include "observable/pauli_sum.hpp"
#include "test_circuits.hpp"

namespace vqsim::test {
namespace {

using circuit::AffineAngle;
using circuit::Circuit;
using circuit::Gate;
using circuit::GateKind;

template <class Real>
std::vector<Real> random_block(std::mt19937_64& rng, int bits) {
  std::normal_distribution<double> d;
  std::vector<Real> v(std::size_t{2} << bits);
  for (auto& x : v) x = static_cast<Real>(d(rng));
  return v;
}

template <class Real>
std::vector<Cd> as_complex(const std::vector<Real>& v) {
  std::vector<Cd> out(v.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = Cd(v[2 * i], v[2 * i + 1]);
  return out;
}

template <class Real>
double diff(const std::vector<Real>& v, const std::vector<Cd>& ref) {
  double m = 0.0;
  for (std::size_t i = 0; i < ref.size(); ++i) m = std::max(m, std::abs(Cd(v[2 * i], v[2 * i + 1]) - ref[i]));
  return m;
}

// ref <- M ref on qubit q where the controls are set.
void reference_matrix1(std::vector<Cd>& a, std::uint64_t cmask, int q, const std::vector<Cd>& m) {
  const std::uint64_t half = std::uint64_t{1} << q;
  for (std::uint64_t x = 0; x < a.size(); ++x) {
    if ((x & half) || (x & cmask) != cmask) continue;
    const Cd a0 = a[x], a1 = a[x | half];
    a[x] = m[0] * a0 + m[1] * a1;
    a[x | half] = m[2] * a0 + m[3] * a1;
  }
}

template <class Real>
void check_variant(const core::simd::Kernels<Real>& k, double tol) {
  std::mt19937_64 rng(501);
  std::normal_distribution<double> d;
  for (int bits : {3, 4, 9}) {
    for (int q = 0; q < bits; ++q) {
      std::vector<Cd> m(4);
      for (auto& e : m) e = Cd(d(rng), d(rng));
      Real mr[8], rr[4];
      for (int j = 0; j < 4; ++j) {
        mr[2 * j] = static_cast<Real>(m[static_cast<std::size_t>(j)].real());
        mr[2 * j + 1] = static_cast<Real>(m[static_cast<std::size_t>(j)].imag());
        rr[j] = static_cast<Real>(m[static_cast<std::size_t>(j)].real());
      }
      for (std::uint64_t cmask : {std::uint64_t{0}, std::uint64_t{1} << ((q + 1) % bits),
                                  std::uint64_t{1} << (bits - 1 == q ? 0 : bits - 1)}) {
        auto v = random_block<Real>(rng, bits);
        auto ref = as_complex(v);
        k.matrix1(v.data(), bits, cmask, q, mr);
        reference_matrix1(ref, cmask, q, m);
        EXPECT_LT(diff(v, ref), tol) << k.isa << " matrix1 bits " << bits << " q " << q << " c " << cmask;
        v = random_block<Real>(rng, bits);
        ref = as_complex(v);
        k.controlled_x(v.data(), bits, cmask, q);
        reference_matrix1(ref, cmask, q, {0, 1, 1, 0});
        EXPECT_LT(diff(v, ref), tol) << k.isa << " cx bits " << bits << " q " << q;
      }
      auto v = random_block<Real>(rng, bits);
      auto ref = as_complex(v);
      k.real_matrix1(v.data(), bits, q, rr);
      reference_matrix1(ref, 0, q, {m[0].real(), m[1].real(), m[2].real(), m[3].real()});
      EXPECT_LT(diff(v, ref), tol) << k.isa << " real bits " << bits << " q " << q;
      // <p|X_q|p>
      double flips = 0.0;
      for (std::uint64_t x = 0; x < ref.size(); ++x)
        flips += (std::conj(ref[x ^ (std::uint64_t{1} << q)]) * ref[x]).real();
      EXPECT_NEAR(k.flip_sum(v.data(), bits, q), flips, tol * 1e3) << k.isa << " flip q " << q;
      // The adjoint step: derivative elements before un-applying, then Udag on both.
      auto psi = random_block<Real>(rng, bits), lam = random_block<Real>(rng, bits);
      auto pr = as_complex(psi), lr = as_complex(lam);
      const std::uint64_t cm = q + 1 < bits ? std::uint64_t{1} << (bits - 1) : 0;
      std::vector<Cd> udag(4), m2(4);
      for (auto& e : udag) e = Cd(d(rng), d(rng));
      for (auto& e : m2) e = Cd(d(rng), d(rng));
      Real ur[8], ms[16];
      for (int j = 0; j < 4; ++j) {
        ur[2 * j] = static_cast<Real>(udag[static_cast<std::size_t>(j)].real());
        ur[2 * j + 1] = static_cast<Real>(udag[static_cast<std::size_t>(j)].imag());
        ms[2 * j] = mr[2 * j];
        ms[2 * j + 1] = mr[2 * j + 1];
        ms[8 + 2 * j] = static_cast<Real>(m2[static_cast<std::size_t>(j)].real());
        ms[8 + 2 * j + 1] = static_cast<Real>(m2[static_cast<std::size_t>(j)].imag());
      }
      double acc[2] = {0, 0};
      k.adjoint_matrix1(psi.data(), lam.data(), bits, cm, q, ur, ms, 2, acc);
      for (int j = 0; j < 2; ++j) {
        auto mp = pr;
        reference_matrix1(mp, cm, q, j == 0 ? m : m2);
        double expect = 0.0;
        for (std::uint64_t x = 0; x < mp.size(); ++x)
          if ((x & cm) == cm) expect += (std::conj(lr[x]) * mp[x]).real();
        EXPECT_NEAR(acc[j], expect, tol * 1e3) << k.isa << " adjoint q " << q << " j " << j;
      }
      reference_matrix1(pr, cm, q, udag);
      reference_matrix1(lr, cm, q, udag);
      EXPECT_LT(diff(psi, pr), tol) << k.isa << " adjoint psi q " << q;
      EXPECT_LT(diff(lam, lr), tol) << k.isa << " adjoint lam q " << q;
    }
    // The diagonal from a row table and per-row factors.
    const int rb = std::min(bits, 8);
    const std::size_t row_len = std::size_t{1} << rb, rows = std::size_t{1} << (bits - rb);
    std::vector<Cd> row(row_len), high(rows);
    for (auto& e : row) e = std::polar(1.0, d(rng));
    for (auto& e : high) e = std::polar(1.0, d(rng));
    std::vector<Real> tables(4 * row_len + 2 * rows);
    for (std::size_t x = 0; x < row_len; ++x) {
      tables[2 * x] = tables[2 * x + 1] = static_cast<Real>(row[x].real());
      tables[2 * row_len + 2 * x] = static_cast<Real>(-row[x].imag());
      tables[2 * row_len + 2 * x + 1] = static_cast<Real>(row[x].imag());
    }
    for (std::size_t x = 0; x < rows; ++x) {
      tables[4 * row_len + 2 * x] = static_cast<Real>(high[x].real());
      tables[4 * row_len + 2 * x + 1] = static_cast<Real>(high[x].imag());
    }
    auto v = random_block<Real>(rng, bits);
    auto ref = as_complex(v);
    k.diagonal(v.data(), bits, tables.data(), tables.data() + 4 * row_len);
    for (std::size_t x = 0; x < ref.size(); ++x) ref[x] *= row[x % row_len] * high[x / row_len];
    EXPECT_LT(diff(v, ref), tol) << k.isa << " diagonal bits " << bits;
    // Weighted norms with 0..6 tables.
    for (int nt : {0, 1, 5}) {
      std::vector<std::vector<Real>> w(static_cast<std::size_t>(nt), std::vector<Real>(ref.size() * 2));
      std::vector<const Real*> wp;
      for (auto& t : w) {
        for (std::size_t x = 0; x < ref.size(); ++x) t[2 * x] = t[2 * x + 1] = static_cast<Real>(d(rng));
        wp.push_back(t.data());
      }
      std::vector<double> out(static_cast<std::size_t>(nt) + 1, 0.0);
      k.weighted_norms(v.data(), ref.size(), wp.data(), nt, out.data());
      const auto vc = as_complex(v);
      for (int t = 0; t <= nt; ++t) {
        double expect = 0.0;
        for (std::size_t x = 0; x < vc.size(); ++x)
          expect +=
              std::norm(vc[x]) * (t == nt ? 1.0 : static_cast<double>(w[static_cast<std::size_t>(t)][2 * x]));
        EXPECT_NEAR(out[static_cast<std::size_t>(t)], expect, tol * 1e3) << k.isa << " norms " << t;
      }
    }
  }
}

TEST(Engine, EverySimdVariantMatchesPlainArithmetic) {
  ASSERT_GE(core::simd::num_variants(), 1);
  for (int i = 0; i < core::simd::num_variants(); ++i) {
    check_variant(core::simd::variant_f64(i), 1e-12);
    check_variant(core::simd::variant_f32(i), 1e-4);
  }
  // The dispatcher picks the widest variant this CPU runs.
  EXPECT_STREQ(core::simd::kernels_f64().isa, core::simd::variant_f64(core::simd::num_variants() - 1).isa);
}

// The register-tile kernels of one compiled variant against plain arithmetic: one-qubit tiles
// (complex, real, scaled rotations in both modes, lane qubits riding along), vector permutations,
// the adjoint rotation and diagonal steps, and added flips.
template <class Real>
void check_tile_kernels(const core::simd::Kernels<Real>& k, double tol) {
  std::mt19937_64 rng(510);
  std::uniform_real_distribution<double> angle(-3.1, 3.1);
  const int bits = 9, lanes = k.lanes_log2;
  auto rot = [](double t) {
    return std::vector<Cd>{std::cos(t / 2), -std::sin(t / 2), std::sin(t / 2), std::cos(t / 2)};
  };
  auto packed = [](const std::vector<Cd>& m) {
    std::vector<Real> d;
    for (const Cd& e : m) d.push_back(static_cast<Real>(e.real())), d.push_back(static_cast<Real>(e.imag()));
    return d;
  };
  auto rx = [](double t) {  // RX(t) = [[c, -is], [-is, c]]
    return std::vector<Cd>{std::cos(t / 2), Cd(0, -std::sin(t / 2)), Cd(0, -std::sin(t / 2)),
                           std::cos(t / 2)};
  };
  const std::vector<int> tq{lanes, lanes + 2, lanes + 3, 8};  // vector-level qubits, sorted
  const int kt = std::min(k.tile_max, 3);
  for (int kind : {0, 1, 2, 3}) {
    std::vector<Real> v = random_block<Real>(rng, bits);
    auto ref = as_complex(v);
    std::vector<std::vector<Real>> data;
    std::vector<const Real*> tm, lm(3, nullptr);
    double scale = 1.0;
    for (int j = 0; j < kt; ++j) {
      const double t = angle(rng) + (j == 0 ? 2.5 : 0.0);  // mode 1 for the first slot
      std::vector<Cd> m = kind == 3 ? rx(t) : rot(t);
      if (kind == 0) m = {Cd(0.6, 0.1), Cd(-0.2, 0.5), Cd(0.3, -0.4), Cd(0.7, 0.2)};
      reference_matrix1(ref, 0, tq[static_cast<std::size_t>(j)], m);
      if (kind == 2 || kind == 3) {
        const double c = std::cos(t / 2), sn = std::sin(t / 2);
        const bool u = std::abs(sn) > std::abs(c);
        data.push_back({static_cast<Real>(u ? c / sn : sn / c), u ? Real(1) : Real(0)});
        scale *= u ? sn : c;
      } else {
        data.push_back(packed(m));
      }
    }
    for (auto& d : data) tm.push_back(d.data());
    std::vector<Real> lane_m;
    if (lanes > 0) {
      const std::vector<Cd> m = kind == 0 || kind == 3
                                    ? std::vector<Cd>{Cd(0.8, 0), Cd(0, -0.6), Cd(0, -0.6), Cd(0.8, 0)}
                                    : rot(angle(rng));
      reference_matrix1(ref, 0, 0, m);
      lane_m = packed(m);
      lm[0] = lane_m.data();
    }
    k.tile(v.data(), bits, kt, tq.data(), tm.data(), lm.data(), kind);
    for (auto& x : v) x = static_cast<Real>(x * scale);
    EXPECT_LT(diff(v, ref), tol) << k.isa << " tile kind " << kind;
  }
  // A permutation: CX(lanes, lanes + 1), CX(lanes + 1, 8), X(lanes + 2) on vector indices.
  {
    const std::vector<Real> in = random_block<Real>(rng, bits);
    std::vector<Real> out(in.size());
    const int vb = bits - lanes;
    auto src = [&](std::uint64_t w) {  // the inverse map: the gates in reverse order
      w ^= 4;
      if (w & 2) w ^= std::uint64_t{1} << (8 - lanes);
      if (w & 1) w ^= 2;
      return w;
    };
    std::vector<std::uint64_t> lo(std::size_t{1} << std::min(vb, 4)),
        hi(std::size_t{1} << (vb - std::min(vb, 4)));
    const std::uint64_t zero = src(0);
    for (std::size_t i = 0; i < lo.size(); ++i) lo[i] = src(i);
    for (std::size_t i = 0; i < hi.size(); ++i) hi[i] = src(i << std::min(vb, 4)) ^ zero;
    k.permute_vectors(in.data(), out.data(), bits, lo.data(), std::min(vb, 4), hi.data());
    const std::size_t w = std::size_t{2} << lanes;
    double m = 0.0;
    for (std::uint64_t v = 0; v < (std::uint64_t{1} << vb); ++v)
      for (std::size_t r = 0; r < w; ++r)
        m = std::max(m, std::abs(double(out[w * v + r] - in[w * src(v) + r])));
    EXPECT_EQ(m, 0.0) << k.isa << " permutation";
    // Across lanes: every lane from either source vector, any lane of it.
    const int c = 1 << lanes;
    for (int trial = 0; trial < 4; ++trial) {
      std::vector<int> lane_src(static_cast<std::size_t>(c));
      for (int& x : lane_src) x = std::uniform_int_distribution<int>(0, 2 * c - 1)(rng);
      const std::uint64_t delta =
          std::uniform_int_distribution<std::uint64_t>(1, (std::uint64_t{1} << vb) - 1)(rng);
      k.permute_lanes(in.data(), out.data(), bits, lo.data(), std::min(vb, 4), hi.data(), delta,
                      lane_src.data());
      m = 0.0;
      for (std::uint64_t v = 0; v < (std::uint64_t{1} << vb); ++v)
        for (int j = 0; j < c; ++j) {
          const int from = lane_src[static_cast<std::size_t>(j)];
          const std::uint64_t sv = from >= c ? src(v) ^ delta : src(v);
          for (int r = 0; r < 2; ++r)
            m = std::max(
                m, std::abs(double(
                       out[w * v + 2 * static_cast<std::size_t>(j) + static_cast<std::size_t>(r)] -
                       in[w * sv + 2 * static_cast<std::size_t>(from % c) + static_cast<std::size_t>(r)])));
        }
      EXPECT_EQ(m, 0.0) << k.isa << " lane permutation " << trial;
    }
  }
  // Re<a|b> over whole vectors and a ragged tail.
  {
    const std::vector<Real> a = random_block<Real>(rng, bits), b = random_block<Real>(rng, bits);
    for (std::size_t len : {a.size(), a.size() - 3, std::size_t{5}}) {
      double ref = 0.0;
      for (std::size_t i = 0; i < len; ++i) ref += double(a[i]) * double(b[i]);
      EXPECT_NEAR(k.dot(a.data(), b.data(), len), ref, tol * 100) << k.isa << " dot " << len;
    }
  }
  // The contraction with a product state: rows of 2^5 amplitudes, rows 3..13 of 16.
  {
    const int row_bits = 5;
    const std::size_t row = std::size_t{1} << row_bits, rows = std::size_t{1} << (bits - row_bits);
    const std::vector<Real> p = random_block<Real>(rng, bits);
    const std::vector<Real> high = random_block<Real>(rng, bits - row_bits),
                            low = random_block<Real>(rng, row_bits);
    std::vector<Real> low_re(2 * row), low_im(2 * row), a_re(2 * row), a_im(2 * row);
    for (std::size_t l = 0; l < row; ++l) {
      low_re[2 * l] = low_re[2 * l + 1] = low[2 * l];
      low_im[2 * l] = low_im[2 * l + 1] = low[2 * l + 1];
    }
    std::vector<double> b(2 * rows, 0.0);
    k.contract_rows(p.data(), row_bits, 3, 13, high.data(), low_re.data(), low_im.data(), a_re.data(),
                    a_im.data(), b.data());
    auto at = [](const std::vector<Real>& v, std::size_t i) { return Cd(v[2 * i], v[2 * i + 1]); };
    double m = 0.0;
    for (std::size_t l = 0; l < row; ++l) {
      Cd a(0, 0);
      for (std::size_t h = 3; h < 13; ++h) a += std::conj(at(p, h * row + l)) * at(high, h);
      const Cd got(double(a_re[2 * l]) + double(a_im[2 * l + 1]),
                   double(a_im[2 * l]) - double(a_re[2 * l + 1]));
      m = std::max(m, std::abs(got - a));
    }
    for (std::size_t h = 3; h < 13; ++h) {
      Cd sum(0, 0);
      for (std::size_t l = 0; l < row; ++l) sum += std::conj(at(p, h * row + l)) * at(low, l);
      m = std::max(m, std::abs(Cd(b[2 * h], b[2 * h + 1]) - sum));
    }
    EXPECT_LT(m, tol * 10) << k.isa << " contract_rows";
  }
  // Adjoint rotations (unscaled and scaled) and the adjoint diagonal.
  for (bool scaled : {false, true}) {
    std::vector<Real> psi = random_block<Real>(rng, bits), lam = random_block<Real>(rng, bits);
    auto pr = as_complex(psi), lr = as_complex(lam);
    const int kr = 3;
    std::vector<int> lq;
    if (lanes > 0) lq.push_back(lanes - 1);
    std::vector<double> expect;
    std::vector<std::vector<Real>> coef, lane_cs;
    double scale = 1.0;
    std::vector<int> all(tq.begin(), tq.begin() + kr);
    all.insert(all.end(), lq.begin(), lq.end());
    for (int q : all) {  // the derivative sums, all read before any rotation
      double e = 0.0;
      const std::uint64_t half = std::uint64_t{1} << q;
      for (std::uint64_t x = 0; x < pr.size(); ++x)
        if (!(x & half)) e += (std::conj(lr[x | half]) * pr[x] - std::conj(lr[x]) * pr[x | half]).real();
      expect.push_back(e);
    }
    for (std::size_t j = 0; j < all.size(); ++j) {
      const double t = angle(rng), c = std::cos(t / 2), sn = std::sin(t / 2);
      const auto m = rot(t);
      reference_matrix1(pr, 0, all[j], m);
      reference_matrix1(lr, 0, all[j], m);
      if (scaled && static_cast<int>(j) < kr) {
        const bool u = std::abs(sn) > std::abs(c);
        coef.push_back({static_cast<Real>(u ? c / sn : sn / c), u ? Real(1) : Real(0)});
        scale *= u ? sn : c;
      } else {
        (static_cast<int>(j) < kr ? coef : lane_cs).push_back({static_cast<Real>(c), static_cast<Real>(sn)});
      }
    }
    std::vector<const Real*> cp, lp;
    for (auto& c : coef) cp.push_back(c.data());
    for (auto& c : lane_cs) lp.push_back(c.data());
    double acc[6] = {};
    k.adjoint_rotations(psi.data(), lam.data(), bits, kr, tq.data(), cp.data(), static_cast<int>(lq.size()),
                        lq.data(), lp.data(), scaled, acc);
    for (auto& x : psi) x = static_cast<Real>(x * scale);
    for (auto& x : lam) x = static_cast<Real>(x * scale);
    EXPECT_LT(diff(psi, pr), tol) << k.isa << " adjoint rotations " << scaled;
    EXPECT_LT(diff(lam, lr), tol) << k.isa << " adjoint rotations " << scaled;
    for (std::size_t j = 0; j < all.size(); ++j)
      EXPECT_NEAR(acc[j], expect[j], tol * 1e3) << k.isa << " adjoint derivative " << j;
  }
  // Adjoint RX tiles (unscaled and scaled, both modes): vector-level slots only.
  for (bool scaled : {false, true}) {
    std::vector<Real> psi = random_block<Real>(rng, bits), lam = random_block<Real>(rng, bits);
    auto pr = as_complex(psi), lr = as_complex(lam);
    const int kr = 3;
    std::vector<double> expect;
    std::vector<std::vector<Real>> coef;
    double scale = 1.0;
    for (int j = 0; j < kr; ++j) {  // Im<lam|X_q|psi>, read before any rotation
      double e = 0.0;
      const std::uint64_t half = std::uint64_t{1} << tq[static_cast<std::size_t>(j)];
      for (std::uint64_t x = 0; x < pr.size(); ++x)
        if (!(x & half)) e += (std::conj(lr[x]) * pr[x | half] + std::conj(lr[x | half]) * pr[x]).imag();
      expect.push_back(e);
    }
    for (int j = 0; j < kr; ++j) {
      const double t = angle(rng) + (j == 1 ? 2.5 : 0.0), c = std::cos(t / 2), sn = std::sin(t / 2);
      reference_matrix1(pr, 0, tq[static_cast<std::size_t>(j)], rx(t));
      reference_matrix1(lr, 0, tq[static_cast<std::size_t>(j)], rx(t));
      if (scaled) {
        const bool u = std::abs(sn) > std::abs(c);
        coef.push_back({static_cast<Real>(u ? c / sn : sn / c), u ? Real(1) : Real(0)});
        scale *= u ? sn : c;
      } else {
        coef.push_back({static_cast<Real>(c), static_cast<Real>(sn)});
      }
    }
    std::vector<const Real*> cp;
    for (auto& c : coef) cp.push_back(c.data());
    double acc[3] = {};
    k.adjoint_xrotations(psi.data(), lam.data(), bits, kr, tq.data(), cp.data(), scaled, acc);
    for (auto& x : psi) x = static_cast<Real>(x * scale);
    for (auto& x : lam) x = static_cast<Real>(x * scale);
    EXPECT_LT(diff(psi, pr), tol) << k.isa << " adjoint x rotations " << scaled;
    EXPECT_LT(diff(lam, lr), tol) << k.isa << " adjoint x rotations " << scaled;
    for (int j = 0; j < kr; ++j)
      EXPECT_NEAR(acc[j], expect[j], tol * 1e3) << k.isa << " adjoint x derivative " << j;
  }
  {
    std::vector<Real> psi = random_block<Real>(rng, bits), lam = random_block<Real>(rng, bits);
    auto pr = as_complex(psi), lr = as_complex(lam);
    const int rb = 8;
    const std::size_t row_len = std::size_t{1} << rb, rows = std::size_t{1} << (bits - rb);
    std::vector<Real> row(4 * row_len), high(2 * rows);
    std::vector<Cd> rc(row_len), hc(rows);
    for (std::size_t x = 0; x < row_len; ++x) {
      rc[x] = std::polar(1.0, angle(rng));
      row[2 * x] = row[2 * x + 1] = static_cast<Real>(rc[x].real());
      row[2 * row_len + 2 * x] = static_cast<Real>(-rc[x].imag());
      row[2 * row_len + 2 * x + 1] = static_cast<Real>(rc[x].imag());
    }
    for (std::size_t h = 0; h < rows; ++h) {
      hc[h] = std::polar(1.0, angle(rng));
      high[2 * h] = static_cast<Real>(hc[h].real());
      high[2 * h + 1] = static_cast<Real>(hc[h].imag());
    }
    std::vector<double> wrow(row_len), whigh(rows), er(row_len), eh(rows);
    for (std::size_t x = 0; x < pr.size(); ++x) {
      const double w = (std::conj(lr[x]) * pr[x]).imag();
      er[x % row_len] += w;
      eh[x / row_len] += w;
      pr[x] *= rc[x % row_len] * hc[x / row_len];
      lr[x] *= rc[x % row_len] * hc[x / row_len];
    }
    k.adjoint_diagonal(psi.data(), lam.data(), bits, row.data(), high.data(), wrow.data(), whigh.data());
    EXPECT_LT(diff(psi, pr), tol) << k.isa << " adjoint diagonal";
    EXPECT_LT(diff(lam, lr), tol) << k.isa << " adjoint diagonal";
    for (std::size_t x = 0; x < row_len; ++x)
      EXPECT_NEAR(wrow[x], er[x], tol * 100) << k.isa << " wrow " << x;
    for (std::size_t h = 0; h < rows; ++h) EXPECT_NEAR(whigh[h], eh[h], tol * 1e3) << k.isa << " whigh " << h;
  }
  {  // added flips: three vector-level qubits and a lane qubit
    const std::vector<Real> in = random_block<Real>(rng, bits);
    std::vector<Real> out = random_block<Real>(rng, bits);
    auto ref = as_complex(out);
    const auto ic = as_complex(in);
    const Real tc[3] = {Real(0.5), Real(-1.25), Real(0.75)};
    const Real lc[1] = {Real(2.0)};
    const int lq[1] = {0};
    const int nl = lanes > 0 ? 1 : 0;
    for (std::size_t x = 0; x < ref.size(); ++x) {
      for (int j = 0; j < 3; ++j)
        ref[x] += double(tc[j]) * ic[x ^ (std::size_t{1} << tq[static_cast<std::size_t>(j)])];
      if (nl) ref[x] += 2.0 * ic[x ^ 1];
    }
    k.add_flips(out.data(), in.data(), bits, 3, tq.data(), tc, nl, lq, lc);
    EXPECT_LT(diff(out, ref), tol * 10) << k.isa << " add flips";
  }
}

TEST(Engine, EveryVariantsTileKernelsMatchPlainArithmetic) {
  for (int i = 0; i < core::simd::num_variants(); ++i) {
    check_tile_kernels(core::simd::variant_f64(i), 1e-12);
    check_tile_kernels(core::simd::variant_f32(i), 1e-4);
  }
}

// A Hamiltonian with every plan path: diagonal terms inside the low bits, straddling them and
// above them, single-flip X terms on low and high qubits, and general X/Y strings.
observable::PauliSum mixed_observable(std::mt19937_64& rng, int n, int general_terms) {
  std::vector<observable::PauliTerm> terms;
  std::uniform_real_distribution<double> c(-1, 1);
  for (int i = 0; i + 1 < n; ++i) terms.push_back({{0, std::uint64_t{3} << i, 0}, c(rng)});
  terms.push_back({{0, (std::uint64_t{1} << (n - 1)) | 1, 0}, c(rng)});
  if (n >= 5) terms.push_back({{0, 0b1011ull << (n - 5), 0}, c(rng)});  // a 4-qubit Z string at the top
  for (int i = 0; i < n; ++i) terms.push_back({{std::uint64_t{1} << i, 0, 0}, c(rng)});
  for (int t = 0; t < general_terms; ++t)
    terms.push_back({observable::parse_pauli_label(random_label(rng, n), n), c(rng)});
  terms.push_back({{0, 0, 0}, 0.25});
  return observable::PauliSum(n, terms);
}

template <class Real>
core::StateVector<Real> random_normalised(std::mt19937_64& rng, int n) {
  core::StateVector<Real> sv(n);
  std::normal_distribution<double> d;
  double norm = 0.0;
  for (std::uint64_t i = 0; i < sv.size(); ++i) {
    sv[i] = std::complex<Real>(static_cast<Real>(d(rng)), static_cast<Real>(d(rng)));
    norm += std::norm(std::complex<double>(sv[i]));
  }
  for (std::uint64_t i = 0; i < sv.size(); ++i) sv[i] *= static_cast<Real>(1.0 / std::sqrt(norm));
  return sv;
}

template <class Real>
void check_observable(const observable::PauliSum& h, int n, double tol) {
  std::mt19937_64 rng(503);
  const auto psi = random_normalised<Real>(rng, n);
  EXPECT_NEAR(h.expectation(psi), h.expectation_reference(psi), tol) << n;
  core::StateVector<Real> fast(n), ref(n);
  h.apply(psi, fast);
  h.apply_reference(psi, ref);
  double m = 0.0;
  for (std::uint64_t i = 0; i < ref.size(); ++i)
    m = std::max(m, static_cast<double>(std::abs(fast[i] - ref[i])));
  EXPECT_LT(m, tol) << n;
}

TEST(Engine, BlockedExpectationAndApplyMatchReference) {
  const int saved = omp_get_max_threads();
  std::mt19937_64 rng(502);
  for (int n : {3, 9, 17}) {
    const auto h = mixed_observable(rng, n, 4);
    for (int threads : {1, 2}) {
      omp_set_num_threads(threads);
      check_observable<double>(h, n, 1e-12);
      check_observable<float>(h, n, 1e-5);
    }
  }
  // Many distinct straddling diagonal terms: the diagonal group falls back to the plain path.
  std::vector<observable::PauliTerm> many;
  const int n = 16;
  for (int i = 0; i < 12; ++i)
    many.push_back({{0, (std::uint64_t{1} << i) | (std::uint64_t{1} << 15), 0}, 0.1 * i});
  check_observable<double>(observable::PauliSum(n, many), n, 1e-12);
  omp_set_num_threads(saved);
}

// Every parameterised kind with affine angles, plus fixed gates, on random qubits.
Circuit random_parameterised(std::mt19937_64& rng, int n, int num_parameters) {
  Circuit c;
  c.num_qubits = n;
  for (int j = 0; j < num_parameters; ++j)
    c.parameter_names.push_back(std::string("p").append(std::to_string(j)));
  const std::vector<std::string> names{"rx",  "ry",  "rz",  "p",    "u2",
                                       "u3",  "crx", "cry", "crz",  "cp",
                                       "cu3", "rxx", "ryy", "rzz",  "pauli_rotation",
                                       "h",   "cx",  "ccx", "swap", "cswap",
                                       "sx",  "t",   "cz",  "ch",   "cy"};
  std::uniform_int_distribution<int> pick(0, num_parameters - 1);
  std::uniform_real_distribution<double> u(-1.5, 1.5);
  for (int rep = 0; rep < 3; ++rep)
    for (const auto& name : names) {
      const GateKind kind = circuit::gate_from_name(name).value();
      Gate g{kind, {}, {}, {}};
      int k = circuit::gate_info(kind).num_qubits;
      if (kind == GateKind::PauliRotation) {
        k = 1 + rep;
        g.pauli = random_label(rng, k, rep == 1 ? "Z" : "XYZ");
      }
      std::vector<int> q(static_cast<std::size_t>(n));
      for (int i = 0; i < n; ++i) q[static_cast<std::size_t>(i)] = i;
      std::shuffle(q.begin(), q.end(), rng);
      q.resize(static_cast<std::size_t>(k));
      g.qubits = q;
      for (int j = 0; j < circuit::gate_info(kind).num_angles; ++j)
        g.angles.push_back(AffineAngle{u(rng), {{pick(rng), u(rng)}}});
      c.gates.push_back(g);
    }
  std::shuffle(c.gates.begin(), c.gates.end(), rng);
  return c;
}

// The adjoint gradient and energy at a block size, double and float, against the reference
// (parameter shift) energy e0 and gradient shift.
void expect_adjoint_matches(const Circuit& c, const observable::PauliSum& h, const std::vector<double>& theta,
                            int bits, double e0, const std::vector<double>& shift) {
  std::vector<double> adj;
  gradient::Evaluator ev(c, h, bits);
  EXPECT_NEAR(ev.energy_and_gradient(theta, adj, gradient::Method::Adjoint), e0, kTol) << bits;
  for (std::size_t j = 0; j < theta.size(); ++j) EXPECT_NEAR(adj[j], shift[j], 1e-10) << bits << " " << j;
  gradient::FloatEvaluator fe(c, h, bits);
  EXPECT_NEAR(fe.energy_and_gradient(theta, adj, gradient::Method::Adjoint), e0, 1e-5) << bits;
  for (std::size_t j = 0; j < theta.size(); ++j) EXPECT_NEAR(adj[j], shift[j], 1e-4) << bits << " " << j;
}

TEST(Engine, BlockedAdjointMatchesParameterShift) {
  std::mt19937_64 rng(504);
  const int n = 9;
  const Circuit c = random_parameterised(rng, n, 6);
  const auto h = mixed_observable(rng, n, 3);
  std::vector<double> theta;
  for (int j = 0; j < 6; ++j) theta.push_back(random_angle(rng));
  std::vector<double> shift;
  gradient::Evaluator reference(c, h);
  const double e0 = reference.energy_and_gradient(theta, shift, gradient::Method::ParameterShift);
  for (int bits : {5, 6, 9}) expect_adjoint_matches(c, h, theta, bits, e0, shift);
}

TEST(Engine, HardwareEfficientAdjointWithThreadsAndFloat) {
  const int n = 15, saved = omp_get_max_threads();
  const Circuit c = hea(n, 2);
  std::vector<observable::PauliTerm> terms;
  for (int i = 0; i + 1 < n; ++i) terms.push_back({{0, std::uint64_t{3} << i, 0}, 1.0});
  for (int i = 0; i < n; ++i) terms.push_back({{std::uint64_t{1} << i, 0, 0}, 1.0});
  const observable::PauliSum h(n, terms);
  std::mt19937_64 rng(505);
  std::vector<double> theta;
  for (int j = 0; j < c.num_parameters(); ++j) theta.push_back(random_angle(rng));
  std::vector<double> shift, adj, adj_small, adj_float;
  gradient::Evaluator reference(c, h);
  const double e0 = reference.energy_and_gradient(theta, shift, gradient::Method::ParameterShift);
  for (int threads : {1, 2}) {
    omp_set_num_threads(threads);
    gradient::Evaluator ev(c, h), small(c, h, 7);
    gradient::FloatEvaluator fe(c, h);
    EXPECT_NEAR(ev.energy_and_gradient(theta, adj, gradient::Method::Adjoint), e0, kTol);
    EXPECT_NEAR(small.energy_and_gradient(theta, adj_small, gradient::Method::Adjoint), e0, kTol);
    EXPECT_NEAR(fe.energy_and_gradient(theta, adj_float, gradient::Method::Adjoint), e0, 1e-5);
    EXPECT_NEAR(fe.energy(theta), e0, 1e-5);
    for (std::size_t j = 0; j < theta.size(); ++j) {
      EXPECT_NEAR(adj[j], shift[j], 1e-10) << threads << " " << j;
      EXPECT_NEAR(adj_small[j], shift[j], 1e-10) << threads << " " << j;
      EXPECT_NEAR(adj_float[j], shift[j], 1e-4) << threads << " " << j;
    }
  }
  omp_set_num_threads(saved);
}

// From core::kBalancedAmplitudes up, the blocked circuit, expectation and backward passes hand
// their blocks to whichever thread is free: the same answers as one thread (whose path the tests
// above check against dense references) and as the parameter shift, and (the sums going per
// chunk, in chunk order) the same bits on every run and with the chunks handed out last to first.
// (With one layer every parameter sat in the prefix, and summing per thread went unnoticed.)
TEST(Engine, BalancedSplitsMatchOneThreadAndRepeatExactly) {
  const int n = 22, saved = omp_get_max_threads();
  static_assert((std::uint64_t{1} << 22) >= core::kBalancedAmplitudes);
  const Circuit c = hea(n, 2);  // two layers: parameters past the prefix, in blocked stages
  std::vector<observable::PauliTerm> terms;
  for (int i = 0; i + 1 < n; ++i) terms.push_back({{0, std::uint64_t{3} << i, 0}, 1.0});
  for (int i = 0; i < n; ++i) terms.push_back({{std::uint64_t{1} << i, 0, 0}, 0.5 + 0.05 * i});
  const observable::PauliSum h(n, terms);
  std::mt19937_64 rng(507);
  std::vector<double> theta;
  for (int j = 0; j < c.num_parameters(); ++j) theta.push_back(random_angle(rng));
  std::vector<double> adj1, adj2, again, f1, f2;
  omp_set_num_threads(1);
  gradient::Evaluator ev(c, h);
  gradient::FloatEvaluator fe(c, h);
  const double e1 = ev.energy_and_gradient(theta, adj1, gradient::Method::Adjoint);
  const double e1f = fe.energy_and_gradient(theta, f1, gradient::Method::Adjoint);
  omp_set_num_threads(2);
  const double e2 = ev.energy_and_gradient(theta, adj2, gradient::Method::Adjoint);
  const double e2f = fe.energy_and_gradient(theta, f2, gradient::Method::Adjoint);
  EXPECT_NEAR(e2, e1, 1e-12);
  EXPECT_NEAR(e2f, e1, 1e-5);
  EXPECT_NEAR(e1f, e1, 1e-5);
  for (std::size_t j = 0; j < theta.size(); ++j) {
    EXPECT_NEAR(adj2[j], adj1[j], 1e-12) << j;
    EXPECT_NEAR(f2[j], adj1[j], 1e-4) << j;
  }
  // The parameter shift for a few parameters (first, middle, last), with two threads.
  for (std::size_t j : {std::size_t{0}, theta.size() / 2 + 1, theta.size() - 1}) {
    auto shifted = theta;
    shifted[j] += std::numbers::pi / 2;
    const double plus = ev.energy(shifted);
    shifted[j] -= std::numbers::pi;
    EXPECT_NEAR(adj2[j], (plus - ev.energy(shifted)) / 2, 1e-10) << j;
  }
  // Three threads on two cores: which thread takes which chunk changes from run to run.
  omp_set_num_threads(3);
  std::vector<double> adj3;
  const double e3 = ev.energy_and_gradient(theta, adj3, gradient::Method::Adjoint);
  const double energy = ev.energy(theta);
  EXPECT_NEAR(e3, e1, 1e-12);
  EXPECT_NEAR(energy, e1, 1e-12);
  for (std::size_t j = 0; j < theta.size(); ++j) EXPECT_NEAR(adj3[j], adj1[j], 1e-12) << j;
  for (int run = 0; run < 3; ++run) {
    EXPECT_EQ(ev.energy_and_gradient(theta, again, gradient::Method::Adjoint), e3) << run;
    EXPECT_EQ(again, adj3) << run;
    EXPECT_EQ(ev.energy(theta), energy) << run;
    EXPECT_EQ(h.expectation(ev.state()), energy) << run;
  }
  // Chunks handed out last to first, so threads take other chunks in another order: the same bits.
  omp_set_num_threads(2);
  core::chunks_last_to_first() = true;
  const double e2r = ev.energy_and_gradient(theta, again, gradient::Method::Adjoint);
  const double energy_r = h.expectation(ev.state());
  core::chunks_last_to_first() = false;
  EXPECT_EQ(e2r, e2);
  EXPECT_EQ(again, adj2);
  EXPECT_EQ(energy_r, h.expectation(ev.state()));
  omp_set_num_threads(saved);
}

// The fused backward sweep: RY tiles (scaled, both modes: angles over the whole circle), merged
// diagonals of every parameterised diagonal kind in the row and the high table, CX/X runs as
// permutations, gathered and contiguous stages, tiny blocks, 1 and 2 threads.
TEST(Engine, FusedBackwardSweepMatchesParameterShift) {
  const int n = 12, saved = omp_get_max_threads();
  Circuit c;
  c.num_qubits = n;
  int p = 0;
  auto param = [&](double scale) {
    c.parameter_names.push_back("t" + std::to_string(p));
    return AffineAngle{0.1, {{p++, scale}}};
  };
  for (int layer = 0; layer < 3; ++layer) {
    for (int q = 0; q < n; ++q) c.gates.push_back({GateKind::RY, {q}, {param(1.0)}, {}});
    for (int q = 0; q < n; ++q) c.gates.push_back({GateKind::RZ, {q}, {param(-0.5)}, {}});
    for (int q = 0; q + 1 < n; q += 3) c.gates.push_back({GateKind::CRZ, {q, q + 1}, {param(1.0)}, {}});
    for (int q = 1; q + 2 < n; q += 4) c.gates.push_back({GateKind::CP, {q + 2, q}, {param(1.0)}, {}});
    c.gates.push_back({GateKind::RZZ, {n - 1, n - 3}, {param(1.0)}, {}});
    c.gates.push_back({GateKind::P, {layer}, {param(1.0)}, {}});
    for (int q = 0; q + 1 < n; ++q) c.gates.push_back({GateKind::CX, {q, q + 1}, {}, {}});
    c.gates.push_back({GateKind::X, {n - 2}, {}, {}});
    c.gates.push_back({GateKind::RY, {layer + 3}, {param(2.0)}, {}});  // a second RY on a qubit
    // X/CX runs on the lane qubits: one permute_lanes can take (lanes and a vector control into
    // a lane below it), and one it cannot (a vector-level qubit controlling a lane).
    c.gates.push_back({GateKind::CX, {1, 0}, {}, {}});
    c.gates.push_back({GateKind::X, {0}, {}, {}});
    c.gates.push_back({GateKind::CX, {0, 6}, {}, {}});
    c.gates.push_back({GateKind::RY, {0}, {param(1.0)}, {}});
    c.gates.push_back({GateKind::CX, {7, 1}, {}, {}});
    c.gates.push_back({GateKind::CX, {1, 0}, {}, {}});
    c.gates.push_back({GateKind::RY, {1}, {param(1.0)}, {}});
  }
  std::vector<observable::PauliTerm> terms;
  for (int i = 0; i + 1 < n; ++i) terms.push_back({{0, std::uint64_t{3} << i, 0}, 0.7});
  for (int i = 0; i < n; ++i) terms.push_back({{std::uint64_t{1} << i, 0, 0}, 1.0 - 0.1 * i});
  terms.push_back({{std::uint64_t{0x30}, std::uint64_t{0x30}, 2}, 0.4});  // Y4 Y5
  const observable::PauliSum h(n, terms);
  std::mt19937_64 rng(506);
  std::vector<double> theta;
  for (int j = 0; j < c.num_parameters(); ++j) theta.push_back(random_angle(rng));
  std::vector<double> shift;
  gradient::Evaluator reference(c, h);
  const double e0 = reference.energy_and_gradient(theta, shift, gradient::Method::ParameterShift);
  for (int threads : {1, 2}) {
    omp_set_num_threads(threads);
    for (int bits : {0, 4, 7, 10}) expect_adjoint_matches(c, h, theta, bits, e0, shift);
  }
  omp_set_num_threads(saved);
}

}  // namespace
}  // namespace vqsim::test
