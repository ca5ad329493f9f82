// The blocked expectation's kernels (core::simd flip_sums, diagonal_rows, stream_terms) of every
// compiled variant against plain sums, for blocks of 1 to 13 qubits and any set of qubits (inside a
// vector too), and rows of 1 to 512 amplitudes with 1 to 9 sign tables; then
// PauliSum::expectation (contiguous and gathered passes, L1 sub-blocks) against the plain
// one-pass-per-group reference for transverse-field Ising sums and general sums (Y terms,
// multi-qubit X masks, Z-parity signs), registers of 1 to 20 qubits, with one and two threads.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/blocks.hpp"
#include "core/simd.hpp"
#include "dense_reference.hpp"
#include "observable/pauli_sum.hpp"

namespace vqsim::test {
namespace {

using u64 = std::uint64_t;

template <class Real>
void check_flip_sums(const core::simd::Kernels<Real>& k, double tol) {
  std::mt19937_64 rng(701);
  std::normal_distribution<double> d;
  for (int bits = 1; bits <= 12; ++bits) {
    std::vector<Real> v(std::size_t{2} << bits);
    for (auto& x : v) x = static_cast<Real>(d(rng));
    const u64 all = (u64{1} << bits) - 1;
    // Every qubit, each qubit alone, and random subsets (in any order).
    std::vector<std::vector<int>> sets;
    std::vector<int> every;
    for (int q = 0; q < bits; ++q) every.push_back(q);
    sets.push_back(every);
    for (int q = 0; q < bits; ++q) sets.push_back({q});
    for (int rep = 0; rep < 6; ++rep) {
      const u64 m = rng() & all;
      std::vector<int> s;
      for (int q = 0; q < bits; ++q)
        if ((m >> q) & 1) s.push_back(q);
      std::shuffle(s.begin(), s.end(), rng);
      if (!s.empty()) sets.push_back(s);
    }
    for (const auto& s : sets) {
      std::vector<double> out(s.size(), 0.5);  // added to, not overwritten
      k.flip_sums(v.data(), bits, s.data(), static_cast<int>(s.size()), out.data());
      // The paced version: the same sums, its cursor moved forward and never past its end.
      std::vector<double> paced(s.size(), 0.5);
      const char* const begin = reinterpret_cast<const char*>(v.data());
      core::simd::Ahead ahead{begin, begin + v.size() * sizeof(Real) / 2, 3, 0};
      k.paced_flip_sums(v.data(), bits, s.data(), static_cast<int>(s.size()), paced.data(), &ahead);
      EXPECT_LE(ahead.next, ahead.end);
      if (bits >= 8) {
        EXPECT_GT(ahead.next, begin) << k.isa << " bits=" << bits;
      }
      for (std::size_t j = 0; j < s.size(); ++j) EXPECT_EQ(paced[j], out[j]) << k.isa << " bits=" << bits;
      for (std::size_t j = 0; j < s.size(); ++j) {
        double expected = 0.5;
        for (u64 x = 0; x <= all; ++x) {
          const u64 y = x ^ (u64{1} << s[j]);
          expected +=
              static_cast<double>(v[2 * x]) * v[2 * y] + static_cast<double>(v[2 * x + 1]) * v[2 * y + 1];
        }
        EXPECT_NEAR(out[j], expected, tol * (1 << bits))
            << k.isa << " bits=" << bits << " qubit=" << s[j] << " of " << ::testing::PrintToString(s);
      }
    }
  }
}

TEST(FlipSums, EveryVariantAgainstPlainSums) {
  for (int i = 0; i < core::simd::num_variants(); ++i) {
    check_flip_sums(core::simd::variant_f64(i), 1e-14);
    check_flip_sums(core::simd::variant_f32(i), 1e-6);
  }
}

template <class Real>
void check_diagonal_rows(const core::simd::Kernels<Real>& k, double tol) {
  std::mt19937_64 rng(704);
  std::normal_distribution<double> d;
  for (int row_bits = 0; row_bits <= 9; ++row_bits)
    for (int nt = 1; nt <= 9; ++nt) {
      const u64 rows = 1 + rng() % 5, len = u64{1} << row_bits;
      std::vector<Real> v(2 * rows * len);
      for (auto& x : v) x = static_cast<Real>(d(rng));
      std::vector<std::vector<Real>> tables(static_cast<std::size_t>(nt));
      std::vector<const Real*> ptr;
      for (auto& t : tables) {
        for (u64 x = 0; x < len; ++x) {
          const Real w = static_cast<Real>(d(rng));
          t.push_back(w);
          t.push_back(w);  // every weight twice
        }
        ptr.push_back(t.data());
      }
      std::vector<double> coef(rows * static_cast<u64>(nt));
      for (auto& c : coef) c = d(rng);
      double expected = 0.0;
      for (u64 r = 0; r < rows; ++r)
        for (u64 x = 0; x < len; ++x) {
          const u64 i = r * len + x;
          const double n2 =
              static_cast<double>(v[2 * i]) * v[2 * i] + static_cast<double>(v[2 * i + 1]) * v[2 * i + 1];
          double w = static_cast<double>(tables[0][2 * x]) + coef[r * static_cast<u64>(nt)];
          for (int j = 1; j < nt; ++j)
            w += coef[r * static_cast<u64>(nt) + static_cast<u64>(j)] *
                 static_cast<double>(tables[static_cast<std::size_t>(j)][2 * x]);
          expected += n2 * w;
        }
      const double got = k.diagonal_rows(v.data(), rows, row_bits, ptr.data(), nt, coef.data());
      EXPECT_NEAR(got, expected, tol * static_cast<double>(rows * len))
          << k.isa << " row_bits=" << row_bits << " tables=" << nt << " rows=" << rows;
      const char* const begin = reinterpret_cast<const char*>(v.data());
      core::simd::Ahead ahead{begin, begin + v.size() * sizeof(Real), 5, 0};
      const double paced =
          k.paced_diagonal_rows(v.data(), rows, row_bits, ptr.data(), nt, coef.data(), &ahead);
      EXPECT_NEAR(paced, expected, tol * static_cast<double>(rows * len))
          << k.isa << " paced row_bits=" << row_bits << " tables=" << nt << " rows=" << rows;
      EXPECT_LE(ahead.next, ahead.end);
    }
}

TEST(DiagonalRows, EveryVariantAgainstPlainSums) {
  for (int i = 0; i < core::simd::num_variants(); ++i) {
    check_diagonal_rows(core::simd::variant_f64(i), 1e-13);
    check_diagonal_rows(core::simd::variant_f32(i), 1e-5);
  }
}

// stream_terms against its definition: blocks from one tile up to 2^13 amplitudes (past L1, so
// partners come from farther back), flips on random qubit sets (in-vector, in-tile and partner
// qubits, coefficients of either sign), and diagonals of 0 to 3 tables with rows from one tile to
// 2^9 amplitudes, every table varying within a tile or marked constant over tiles.
template <class Real>
void check_stream_terms(const core::simd::Kernels<Real>& k, double tol) {
  ASSERT_NE(k.stream_terms, nullptr) << k.isa;
  std::mt19937_64 rng(706);
  std::normal_distribution<double> d;
  const int tile = k.stream_tile_log2;
  for (int bits = tile; bits <= 13; ++bits)
    for (int nt = 0; nt <= core::simd::kMaxStreamTables; ++nt)
      for (int rep = 0; rep < 3; ++rep) {
        const u64 len = u64{1} << bits;
        std::vector<Real> v(2 * len);
        for (auto& x : v) x = static_cast<Real>(d(rng));
        std::vector<double> flip(static_cast<std::size_t>(bits), 0.0);
        for (auto& f : flip)
          if (rep == 0 || rng() % 3 != 0) f = d(rng);
        core::simd::StreamTerms<Real> t;
        t.flip = flip.data();
        t.prefetch_end = v.data() + v.size();
        // Rows and tables: a table constant over tiles depends only on bits at or above the tile.
        const int row_bits =
            nt == 0 ? 0 : tile + static_cast<int>(rng() % static_cast<u64>(std::min(bits, 9) - tile + 1));
        const u64 row_len = u64{1} << row_bits, rows = len >> row_bits;
        std::vector<std::vector<Real>> tables(static_cast<std::size_t>(nt));
        std::vector<double> coef(static_cast<std::size_t>(rows) * static_cast<std::size_t>(std::max(nt, 1)));
        for (auto& c : coef) c = d(rng);
        t.num_tables = nt;
        t.row_bits = row_bits;
        t.coef = coef.data();
        for (int j = 0; j < nt; ++j) {
          const bool constant = j > 0 && row_bits > tile && rng() % 2 == 0;
          if (constant) t.tile_constant |= 1u << j;
          auto& w = tables[static_cast<std::size_t>(j)];
          for (u64 x = 0; x < row_len; ++x) {
            const Real value = constant ? static_cast<Real>(core::parity_sign((x >> tile) & (rng() | 1)))
                                        : static_cast<Real>(d(rng));
            if (constant && (x & ((u64{1} << tile) - 1)) != 0) {
              w.push_back(w[2 * (x & ~((u64{1} << tile) - 1))]);
            } else {
              w.push_back(value);
            }
            w.push_back(w.back());  // every weight twice
          }
          t.tables[j] = w.data();
        }
        double expected = 0.0;
        for (u64 x = 0; x < len; ++x) {
          const double n2 =
              static_cast<double>(v[2 * x]) * v[2 * x] + static_cast<double>(v[2 * x + 1]) * v[2 * x + 1];
          if (nt > 0) {
            const u64 r = x >> row_bits, in = x & (row_len - 1);
            double w = static_cast<double>(tables[0][2 * in]) + coef[r * static_cast<u64>(nt)];
            for (int j = 1; j < nt; ++j)
              w += coef[r * static_cast<u64>(nt) + static_cast<u64>(j)] *
                   static_cast<double>(tables[static_cast<std::size_t>(j)][2 * in]);
            expected += n2 * w;
          }
          for (int q = 0; q < bits; ++q) {
            const u64 y = x ^ (u64{1} << q);
            expected +=
                flip[static_cast<std::size_t>(q)] *
                (static_cast<double>(v[2 * x]) * v[2 * y] + static_cast<double>(v[2 * x + 1]) * v[2 * y + 1]);
          }
        }
        EXPECT_NEAR(k.stream_terms(v.data(), bits, t), expected, tol * static_cast<double>(len))
            << k.isa << " bits=" << bits << " tables=" << nt << " row_bits=" << row_bits
            << " constant=" << t.tile_constant;
      }
}

// gather_stream_terms on blocks of 12 qubits of a 16-qubit state: the low qubits up to a chunk
// of one to four tiles, the rest spread over the register; the flips of random local qubits, and
// of one or two local qubits each (so the ring of tiles it keeps in the buffer takes every size
// from one tile to half the block), against plain sums over the block's pairs (gather_block's).
// The buffer starts as NaN: a partner read from a slot the ring has not filled would show.
template <class Real>
void check_gather_stream_terms(const core::simd::Kernels<Real>& k, double tol) {
  ASSERT_NE(k.gather_stream_terms, nullptr) << k.isa;
  std::mt19937_64 rng(707);
  std::normal_distribution<double> d;
  const int n = 16, bits = 12, tile = k.stream_tile_log2;
  std::vector<Real> state(std::size_t{2} << n);
  for (auto& x : state) x = static_cast<Real>(d(rng));
  for (int chunk_bits = tile; chunk_bits <= tile + 2; ++chunk_bits) {
    std::vector<int> qubits;
    for (int q = 0; q < chunk_bits; ++q) qubits.push_back(q);
    std::vector<int> rest;
    for (int q = chunk_bits + 1; q < n; ++q) rest.push_back(q);  // chunk_bits itself stays outside
    std::shuffle(rest.begin(), rest.end(), rng);
    qubits.insert(qubits.end(), rest.begin(), rest.begin() + (bits - chunk_bits));
    std::sort(qubits.begin(), qubits.end());
    const core::BlockLayout l(n, qubits);
    ASSERT_EQ(l.chunk_bits, chunk_bits);
    std::vector<std::vector<double>> flips;
    for (int pattern = 0; pattern < 2; ++pattern) {
      std::vector<double> flip(static_cast<std::size_t>(bits), 0.0);
      for (auto& f : flip)
        if (rng() % 4 != 0) f = d(rng);
      flips.push_back(flip);
    }
    for (int q = 0; q < bits; ++q) {
      std::vector<double> flip(static_cast<std::size_t>(bits), 0.0);
      flip[static_cast<std::size_t>(q)] = d(rng);
      if (q > 0) flip[rng() % static_cast<std::size_t>(q)] = d(rng);
      flips.push_back(flip);
    }
    std::vector<Real> gathered(std::size_t{2} << bits);
    for (u64 b : {u64{0}, u64{5}, l.num_blocks - 1})
      for (const auto& flip : flips) {
        std::vector<Real> buffer(std::size_t{2} << bits, std::numeric_limits<Real>::quiet_NaN());
        core::gather_block(l, state.data(), b, gathered.data());
        double expected = 0.0;
        for (u64 x = 0; x < (u64{1} << bits); ++x)
          for (int q = 0; q < bits; ++q) {
            const u64 y = x ^ (u64{1} << q);
            expected += flip[static_cast<std::size_t>(q)] *
                        (static_cast<double>(gathered[2 * x]) * gathered[2 * y] +
                         static_cast<double>(gathered[2 * x + 1]) * gathered[2 * y + 1]);
          }
        const double got = k.gather_stream_terms(state.data(), l.block_base(b), l.chunk_offset.data(),
                                                 chunk_bits, bits, buffer.data(), flip.data());
        EXPECT_NEAR(got, expected, tol * static_cast<double>(u64{1} << bits))
            << k.isa << " chunk_bits=" << chunk_bits << " block=" << b;
      }
  }
}

TEST(StreamTerms, EveryVariantAgainstPlainSums) {
  for (int i = 0; i < core::simd::num_variants(); ++i) {
    check_stream_terms(core::simd::variant_f64(i), 1e-13);
    check_stream_terms(core::simd::variant_f32(i), 1e-5);
    check_gather_stream_terms(core::simd::variant_f64(i), 1e-13);
    check_gather_stream_terms(core::simd::variant_f32(i), 1e-5);
  }
}

u64 bit(int q) {
  return u64{1} << q;
}

// Sum Z_i Z_{i+1} + sum X_i, with coefficients, plus `general` random terms (Y, X masks) and,
// when general > 0, X_0 Z_{n-1} and Y_{n-1} (single-bit X masks that are not plain flips).
observable::PauliSum ising_plus(std::mt19937_64& rng, int n, int general) {
  std::uniform_real_distribution<double> c(-1, 1);
  std::vector<observable::PauliTerm> terms;
  for (int i = 0; i + 1 < n; ++i) terms.push_back({core::PauliMasks{0, bit(i) | bit(i + 1), 0}, c(rng)});
  for (int i = 0; i < n; ++i) terms.push_back({core::PauliMasks{bit(i), 0, 0}, c(rng)});
  for (int t = 0; t < general; ++t)
    terms.push_back({observable::parse_pauli_label(random_label(rng, n), n), c(rng)});
  if (general > 0) {
    if (n >= 2) terms.push_back({core::PauliMasks{bit(0), bit(n - 1), 0}, c(rng)});
    terms.push_back({core::PauliMasks{bit(n - 1), bit(n - 1), 1}, c(rng)});
  }
  return observable::PauliSum(n, terms);
}

template <class Real>
core::StateVector<Real> random_sv(std::mt19937_64& rng, int n) {
  core::StateVector<Real> sv(n);
  std::normal_distribution<double> d;
  double norm = 0.0;
  for (u64 i = 0; i < sv.size(); ++i) {
    sv[i] = std::complex<Real>(static_cast<Real>(d(rng)), static_cast<Real>(d(rng)));
    norm += std::norm(std::complex<double>(sv[i]));
  }
  for (u64 i = 0; i < sv.size(); ++i) sv[i] *= static_cast<Real>(1.0 / std::sqrt(norm));
  return sv;
}

TEST(BlockedExpectation, SmallRegistersAgainstDense) {
  std::mt19937_64 rng(702);
  for (int n = 1; n <= 8; ++n)
    for (int general : {0, 3}) {
      const auto h = ising_plus(rng, n, general);
      MatrixXcd m = MatrixXcd::Zero(Eigen::Index{1} << n, Eigen::Index{1} << n);
      for (const auto& t : h.terms()) m += t.coefficient * label_matrix(observable::dense_label(t.masks, n));
      const VectorXcd psi = random_state(rng, n);
      const double expected = psi.dot(m * psi).real();
      EXPECT_NEAR(h.expectation(to_state<double>(psi)), expected, 1e-12) << n;
      EXPECT_NEAR(h.expectation(to_state<float>(psi)), expected, 1e-5) << n;
    }
}

// Registers past one block (2^15 double, 2^16 float amplitudes): gathered passes for the high
// flips, with one and two threads.
TEST(BlockedExpectation, LargeRegistersOneAndTwoThreads) {
  const int saved = omp_get_max_threads();
  std::mt19937_64 rng(703);
  for (int n : {12, 16, 17, 20})
    for (int general : {0, 2}) {
      const auto h = ising_plus(rng, n, general);
      const auto psi = random_sv<double>(rng, n);
      const auto psi32 = random_sv<float>(rng, n);
      for (int threads : {1, 2}) {
        omp_set_num_threads(threads);
        EXPECT_NEAR(h.expectation(psi), h.expectation_reference(psi), 1e-12) << n << " " << threads;
        EXPECT_NEAR(h.expectation(psi32), h.expectation_reference(psi32), 1e-5) << n << " " << threads;
      }
    }
  omp_set_num_threads(saved);
}

// Sums of X, Y, Z, XX, ZZ and mixed strings past one block (2^15 double, 2^16 float amplitudes),
// so the contiguous pass (with its prefetch cursor) and the gathered passes both run, with one and
// two threads, against the plain per-group reference.
TEST(BlockedExpectation, MixedSumsPastOneBlockOneAndTwoThreads) {
  const int saved = omp_get_max_threads();
  std::mt19937_64 rng(705);
  std::uniform_real_distribution<double> c(-1, 1);
  for (int n : {17, 18, 19}) {
    std::vector<observable::PauliTerm> terms;
    for (int q = 0; q < n; ++q) {
      terms.push_back({core::PauliMasks{bit(q), 0, 0}, c(rng)});       // X
      terms.push_back({core::PauliMasks{bit(q), bit(q), 1}, c(rng)});  // Y
      terms.push_back({core::PauliMasks{0, bit(q), 0}, c(rng)});       // Z
      const u64 pair = bit(q) | bit((q + 1 + static_cast<int>(rng() % static_cast<u64>(n - 1))) % n);
      terms.push_back({core::PauliMasks{pair, 0, 0}, c(rng)});  // XX
      terms.push_back({core::PauliMasks{0, pair, 0}, c(rng)});  // ZZ
    }
    for (int t = 0; t < 4; ++t)
      terms.push_back({observable::parse_pauli_label(random_label(rng, n), n), c(rng)});
    const observable::PauliSum mixed(n, terms), ising = ising_plus(rng, n, 0);
    const auto psi = random_sv<double>(rng, n);
    const auto psi32 = random_sv<float>(rng, n);
    for (const auto* h : {&mixed, &ising})
      for (int threads : {1, 2}) {
        omp_set_num_threads(threads);
        EXPECT_NEAR(h->expectation(psi), h->expectation_reference(psi), 1e-12) << n << " " << threads;
        const double ref32 = h->expectation_reference(psi32);
        EXPECT_NEAR(h->expectation(psi32), ref32, 1e-5 * std::max(1.0, std::abs(ref32)))
            << n << " " << threads;
      }
  }
  omp_set_num_threads(saved);
}

// Groups whose X mask has more than one bit go pair by pair in runs of consecutive amplitudes,
// as long as X's lowest bit (at most 2^12) and the group's lowest Z bit allow. A Heisenberg chain
// (XX + YY share a group) on every pair, so runs of 1, 2, ..., 2^12 amplitudes, and strings with a
// Z below X's lowest bit (shorter runs) or a Y (complex phases), past one block and one run cap,
// with one and two threads, against the plain per-group reference and, at 6 qubits, against the
// dense matrix.
TEST(BlockedExpectation, PairGroupsInRunsOneAndTwoThreads) {
  const int saved = omp_get_max_threads();
  std::mt19937_64 rng(707);
  std::uniform_real_distribution<double> c(-1, 1);
  for (int n : {6, 13, 17}) {
    std::vector<observable::PauliTerm> terms;
    for (int q = 0; q + 1 < n; ++q) {
      const u64 pair = bit(q) | bit(q + 1);
      terms.push_back({core::PauliMasks{pair, 0, 0}, c(rng)});     // XX
      terms.push_back({core::PauliMasks{pair, pair, 2}, c(rng)});  // YY
      terms.push_back({core::PauliMasks{0, pair, 0}, c(rng)});     // ZZ
    }
    terms.push_back({core::PauliMasks{bit(3) | bit(n - 1), bit(0), 0}, c(rng)});           // Z0 X3 X(n-1)
    terms.push_back({core::PauliMasks{bit(2) | bit(n - 2), bit(1) | bit(2), 1}, c(rng)});  // Z1 Y2 X(n-2)
    terms.push_back({core::PauliMasks{bit(n - 3) | bit(n - 1), bit(n - 2), 0}, c(rng)});   // X Z X on top
    terms.push_back({core::PauliMasks{bit(n - 5) | bit(n - 1), bit(n - 5) | bit(2), 1}, c(rng)});
    const observable::PauliSum h(n, terms);
    const auto psi = random_sv<double>(rng, n);
    const auto psi32 = random_sv<float>(rng, n);
    for (int threads : {1, 2}) {
      omp_set_num_threads(threads);
      EXPECT_NEAR(h.expectation(psi), h.expectation_reference(psi), 1e-12) << n << " " << threads;
      const double ref32 = h.expectation_reference(psi32);
      EXPECT_NEAR(h.expectation(psi32), ref32, 1e-5 * std::max(1.0, std::abs(ref32))) << n << " " << threads;
    }
    if (n <= 6) {
      MatrixXcd m = MatrixXcd::Zero(Eigen::Index{1} << n, Eigen::Index{1} << n);
      for (const auto& t : h.terms()) m += t.coefficient * label_matrix(observable::dense_label(t.masks, n));
      VectorXcd v(Eigen::Index{1} << n);
      for (u64 x = 0; x < psi.size(); ++x) v[static_cast<Eigen::Index>(x)] = psi[x];
      EXPECT_NEAR(h.expectation(psi), v.dot(m * v).real(), 1e-11) << n;
    }
  }
  omp_set_num_threads(saved);
}

}  // namespace
}  // namespace vqsim::test
