#include "observable/pauli_sum.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cctype>
#include <charconv>
#include <map>
#include <tuple>

#include "core/blocks.hpp"
#include "core/parallel.hpp"
#include "core/simd.hpp"

namespace vqsim::observable {

core::PauliMasks parse_pauli_label(std::string_view label, int num_qubits) {
  core::PauliMasks m;
  std::uint64_t used = 0;  // identities count too: "I0 X0" names qubit 0 twice
  auto set = [&](char c, int q) {
    const std::uint64_t bit = std::uint64_t{1} << q;
    if (used & bit) throw LabelError("qubit " + std::to_string(q) + " appears twice");
    used |= bit;
    switch (c) {
      case 'I': break;
      case 'X': m.x_mask |= bit; break;
      case 'Y':
        m.x_mask |= bit;
        m.z_mask |= bit;
        ++m.y_count;
        break;
      case 'Z': m.z_mask |= bit; break;
      default: throw LabelError(std::string("'") + c + "' is not a Pauli (I, X, Y or Z)");
    }
  };
  const bool sparse = label.find_first_of("0123456789") != std::string_view::npos ||
                      label.find_first_not_of(" \t") == std::string_view::npos;
  if (!sparse) {
    if (static_cast<int>(label.size()) != num_qubits)
      throw LabelError("dense label has " + std::to_string(label.size()) + " characters for " +
                       std::to_string(num_qubits) + " qubits");
    for (std::size_t k = 0; k < label.size(); ++k) set(label[label.size() - 1 - k], static_cast<int>(k));
    return m;
  }
  std::size_t i = 0;
  while (i < label.size()) {
    if (std::isspace(static_cast<unsigned char>(label[i]))) {
      ++i;
      continue;
    }
    const char c = label[i++];
    std::size_t j = i;
    while (j < label.size() && std::isdigit(static_cast<unsigned char>(label[j]))) ++j;
    if (j == i) throw LabelError(std::string("sparse label term '") + c + "' has no qubit index");
    int q = 0;
    const auto res = std::from_chars(label.data() + i, label.data() + j, q);
    if (res.ec != std::errc() || q >= num_qubits)
      throw LabelError("qubit " + std::string(label.substr(i, j - i)) + " is out of range for " +
                       std::to_string(num_qubits) + " qubits");
    if (j < label.size() && !std::isspace(static_cast<unsigned char>(label[j])))
      throw LabelError("sparse label terms must be separated by spaces");
    set(c, q);
    i = j;
  }
  return m;
}

std::string dense_label(const core::PauliMasks& m, int num_qubits) {
  std::string s(static_cast<std::size_t>(num_qubits), 'I');
  for (int q = 0; q < num_qubits; ++q) {
    const bool x = (m.x_mask >> q) & 1, z = (m.z_mask >> q) & 1;
    s[static_cast<std::size_t>(num_qubits - 1 - q)] = x ? (z ? 'Y' : 'X') : (z ? 'Z' : 'I');
  }
  return s;
}

PauliSum::PauliSum(int num_qubits, const std::vector<PauliTerm>& terms) : num_qubits_(num_qubits) {
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::size_t> seen;
  for (const auto& t : terms) {
    const auto key = std::make_pair(t.masks.x_mask, t.masks.z_mask);
    auto it = seen.find(key);
    if (it == seen.end()) {
      seen.emplace(key, terms_.size());
      terms_.push_back(t);
    } else {
      terms_[it->second].coefficient += t.coefficient;
    }
  }
  std::map<std::uint64_t, std::size_t> group_of;
  for (const auto& t : terms_) {
    auto [it, fresh] = group_of.emplace(t.masks.x_mask, groups_.size());
    if (fresh) groups_.push_back({t.masks.x_mask, {}});
    groups_[it->second].entries.push_back({t.masks.z_mask, t.coefficient * core::i_power(t.masks.y_count)});
  }
  build_plan();
}

namespace {

using u64 = std::uint64_t;

constexpr int kMaxTables = 9;            // T0 and up to 8 straddling low parts
constexpr int kMaxRows = 1 << (16 - 9);  // rows of 2^9 in a block of up to 2^16
constexpr int kContiguousBits = 4;
// How far the contiguous pass prefetches past the block it reads (a block and this fit in L2).
constexpr std::size_t kAheadBytes = std::size_t{192} << 10;

template <class R>
int block_bits_for(int n) {
  return std::min(n, sizeof(R) == 8 ? 15 : 16);
}
// 32 KiB sub-blocks: hot in L1 across the sweeps of the flips below them.
template <class R>
int sub_block_bits_for(int n) {
  return std::min(n, sizeof(R) == 8 ? 11 : 12);
}

template <class R>
R* thread_buffer(std::size_t reals, int which) {
  thread_local std::vector<R, core::AlignedAllocator<R>> buffers[2];
  auto& b = buffers[which];
  if (b.size() < reals) b.resize(reals);
  return b.data();
}

// The high-qubit flips in groups that fit a block with the low contiguous qubits.
std::vector<std::vector<int>> high_flip_groups(const std::vector<int>& qubits, int block_bits) {
  std::vector<std::vector<int>> groups;
  const int per = std::max(1, block_bits - kContiguousBits);
  for (std::size_t i = 0; i < qubits.size(); i += static_cast<std::size_t>(per))
    groups.emplace_back(qubits.begin() + static_cast<std::ptrdiff_t>(i),
                        qubits.begin() + static_cast<std::ptrdiff_t>(
                                             std::min(qubits.size(), i + static_cast<std::size_t>(per))));
  return groups;
}

core::BlockLayout layout_for(int n, const std::vector<int>& high, int block_bits) {
  u64 used = 0;
  for (int q : high) used |= u64{1} << q;
  for (int q = 0; q < n && std::popcount(used) < block_bits; ++q) used |= u64{1} << q;
  std::vector<int> qs;
  for (int q = 0; q < n; ++q)
    if ((used >> q) & 1) qs.push_back(q);
  return core::BlockLayout(n, qs);
}

}  // namespace

void PauliSum::build_plan() {
  const int n = num_qubits_;
  low_bits_ = std::min(n, 9);
  const u64 low_mask = (u64{1} << low_bits_) - 1;
  const std::size_t len = std::size_t{1} << low_bits_;
  std::vector<u64> cross;  // distinct low parts of straddling terms
  std::vector<double> t0(len, 0.0);
  for (std::size_t gi = 0; gi < groups_.size(); ++gi) {
    const Group& g = groups_[gi];
    const bool simple_flip = std::has_single_bit(g.x_mask) && g.entries.size() == 1 &&
                             g.entries[0].z_mask == 0 && g.entries[0].factor.imag() == 0.0;
    if (simple_flip) {
      flips_.push_back({std::countr_zero(g.x_mask), g.entries[0].factor.real()});
      continue;
    }
    if (g.x_mask != 0) {
      general_.push_back(gi);
      continue;
    }
    // The diagonal group: plan it unless it needs too many sign tables.
    std::vector<u64> c;
    for (const Entry& e : g.entries) {
      const u64 lo = e.z_mask & low_mask;
      if (lo != 0 && (e.z_mask & ~low_mask) != 0 && std::find(c.begin(), c.end(), lo) == c.end())
        c.push_back(lo);
    }
    if (static_cast<int>(c.size()) + 1 > kMaxTables) {
      general_.push_back(gi);
      continue;
    }
    has_diagonal_ = true;
    cross = c;
    for (const Entry& e : g.entries) {
      const double coef = e.factor.real();
      const u64 lo = e.z_mask & low_mask, hi = e.z_mask & ~low_mask;
      if (hi == 0) {
        for (std::size_t x = 0; x < len; ++x) t0[x] += coef * core::parity_sign(x & lo);
      } else if (lo == 0) {
        high_terms_.push_back({hi, coef, 0});
      } else {
        const int j = static_cast<int>(std::find(cross.begin(), cross.end(), lo) - cross.begin()) + 1;
        high_terms_.push_back({hi, coef, j});
      }
    }
  }
  num_tables_ = has_diagonal_ ? 1 + static_cast<int>(cross.size()) : 0;
  table_low_ = cross;
  tables_f64_.assign(static_cast<std::size_t>(num_tables_) * 2 * len, 0.0);
  for (int j = 0; j < num_tables_; ++j)
    for (std::size_t x = 0; x < len; ++x) {
      const double w = j == 0 ? t0[x] : core::parity_sign(x & cross[static_cast<std::size_t>(j - 1)]);
      tables_f64_[(static_cast<std::size_t>(j) * len + x) * 2] = w;
      tables_f64_[(static_cast<std::size_t>(j) * len + x) * 2 + 1] = w;
    }
  tables_f32_.assign(tables_f64_.begin(), tables_f64_.end());
  std::sort(flips_.begin(), flips_.end(), [](const Flip& a, const Flip& b) { return a.qubit < b.qubit; });
  flip_plans_[0] = make_flip_plan(block_bits_for<double>(n), sub_block_bits_for<double>(n));
  flip_plans_[1] = make_flip_plan(block_bits_for<float>(n), sub_block_bits_for<float>(n));
}

void PauliSum::Flips::add(int local, int sub_bits, double coefficient) {
  if (local < sub_bits) {
    inner.push_back(local);
    inner_coefficient.push_back(coefficient);
  } else {
    outer.push_back(local);
    outer_coefficient.push_back(coefficient);
  }
}

PauliSum::FlipPlan PauliSum::make_flip_plan(int block_bits, int sub_bits) const {
  FlipPlan plan;
  plan.block_bits = block_bits;
  plan.sub_bits = sub_bits;
  plan.rows = 1 << std::max(0, block_bits - low_bits_);
  for (const HighTerm& h : high_terms_)
    for (int r = 0; r < plan.rows; ++r)
      plan.row_signs.push_back(h.coefficient *
                               core::parity_sign((u64{static_cast<unsigned>(r)} << low_bits_) & h.z_high));
  std::vector<int> high;
  std::vector<double> high_coefficient;
  plan.low_flip.assign(static_cast<std::size_t>(block_bits), 0.0);
  for (const Flip& f : flips_) {
    if (f.qubit < block_bits) {
      plan.low_flip[static_cast<std::size_t>(f.qubit)] = f.coefficient;
      plan.low.add(f.qubit, sub_bits, f.coefficient);
    } else {
      high.push_back(f.qubit);
      high_coefficient.push_back(f.coefficient);
    }
  }
  std::size_t next = 0;
  for (const auto& group : high_flip_groups(high, block_bits)) {
    FlipPass pass;
    pass.layout = layout_for(num_qubits_, group, block_bits);
    pass.local_flip.assign(static_cast<std::size_t>(pass.layout.bits), 0.0);
    for (int q : group) {
      pass.local_flip[static_cast<std::size_t>(pass.layout.local_qubit(q))] = high_coefficient[next];
      pass.flips.add(pass.layout.local_qubit(q), sub_bits, high_coefficient[next++]);
    }
    plan.high.push_back(std::move(pass));
  }
  return plan;
}

template <class R>
int PauliSum::contiguous_sweeps() const {
  const FlipPlan& plan = flip_plan<R>();
  const int lanes = core::simd::kernels<R>().lanes_log2;
  auto sweeps = [&](const std::vector<int>& q) {
    return core::simd::flip_sweep_count(q.data(), static_cast<int>(q.size()), lanes);
  };
  return (has_diagonal_ ? 1 : 0) + sweeps(plan.low.inner) + sweeps(plan.low.outer);
}

template <class R>
const R* PauliSum::table(int j) const {
  const R* first = nullptr;
  if constexpr (sizeof(R) == 8)
    first = tables_f64_.data();
  else
    first = tables_f32_.data();
  return first + (static_cast<std::size_t>(j) << (low_bits_ + 1));
}

void PauliSum::row_coefficients(const FlipPlan& plan, std::uint64_t base, double* coef) const {
  const auto nt = static_cast<std::size_t>(num_tables_);
  std::fill(coef, coef + static_cast<std::size_t>(plan.rows) * nt, 0.0);
  for (std::size_t h = 0; h < high_terms_.size(); ++h) {
    const double sign = core::parity_sign(base & high_terms_[h].z_high);
    const double* m = plan.row_signs.data() + h * static_cast<std::size_t>(plan.rows);
    double* a = coef + high_terms_[h].table;
    for (int r = 0; r < plan.rows; ++r) a[static_cast<std::size_t>(r) * nt] += sign * m[r];
  }
}

template <class R>
bool PauliSum::streams() const {
  const auto& k = core::simd::kernels<R>();
  const FlipPlan& plan = flip_plan<R>();
  const int tile = k.stream_tile_log2;
  if (k.stream_terms == nullptr || plan.block_bits < tile) return false;
  if (!has_diagonal_) return !plan.low.empty();
  return num_tables_ <= core::simd::kMaxStreamTables && low_bits_ >= tile && plan.block_bits >= low_bits_;
}

template <class R>
double PauliSum::block_terms(const R* blk, int bits, std::uint64_t base, bool diagonal, const Flips& flips,
                             int sub_bits, core::simd::Ahead* ahead) const {
  const auto& k = core::simd::kernels<R>();
  // Sums of flips, weighted by their coefficients.
  auto flip_terms = [&](const R* p, int b, const std::vector<int>& qubits, const std::vector<double>& coef) {
    if (qubits.empty()) return 0.0;
    double out[64] = {};
    k.paced_flip_sums(p, b, qubits.data(), static_cast<int>(qubits.size()), out, ahead);
    double e = 0.0;
    for (std::size_t j = 0; j < coef.size(); ++j) e += coef[j] * out[j];
    return e;
  };
  const int lb = low_bits_, sb = std::min(bits, sub_bits);
  diagonal = diagonal && has_diagonal_;
  // Sub-blocks of 2^db: the diagonal's rows (2^lb) and the inner flips' L1 blocks (2^sb).
  const int db = diagonal ? std::max(sb, lb) : sb;
  std::array<const R*, kMaxTables> tables{};
  if (diagonal)
    for (int j = 0; j < num_tables_; ++j) tables[static_cast<std::size_t>(j)] = table<R>(j);
  // The rows' coefficients of the tables (a_r0 for the norm, a_rj for the sign table T_j), for
  // every row of the block: each term's sign on the bits above the block, times its row signs.
  std::array<double, kMaxRows * kMaxTables> coef;
  const FlipPlan& plan = flip_plan<R>();
  if (diagonal) {
    assert(bits == plan.block_bits && plan.rows <= kMaxRows);
    row_coefficients(plan, base, coef.data());
  }
  const u64 rows = u64{1} << (db - lb);
  double e = 0.0;
  for (u64 d = 0; d < (u64{1} << (bits - db)); ++d) {
    const R* pd = blk + 2 * (d << db);
    if (diagonal)
      e += k.paced_diagonal_rows(pd, rows, lb, tables.data(), num_tables_,
                                 coef.data() + d * rows * static_cast<u64>(num_tables_), ahead);
    for (u64 s = 0; s < (u64{1} << (db - sb)); ++s)
      e += flip_terms(pd + 2 * (s << sb), sb, flips.inner, flips.inner_coefficient);
  }
  return e + flip_terms(blk, bits, flips.outer, flips.outer_coefficient);
}

template <class R>
double PauliSum::expectation_blocked(const R* p) const {
  const int n = num_qubits_;
  const FlipPlan& plan = flip_plan<R>();
  const int bb = plan.block_bits;
  const u64 size = u64{1} << n;
  // Contiguous pass: every diagonal term and every flip on a low qubit, over each thread's slice
  // of blocks. stream_terms reads each block once with the arithmetic spread over the read (so
  // the two overlap). The fallback sweeps each block several times, mostly on cached data, so
  // memory would idle between the sweeps that read it: every sweep prefetches a little,
  // kAheadBytes or so ahead of the blocks being read, at a rate that fetches one block per block
  // of work.
  double total = 0.0;
  if (streams<R>()) {
    core::simd::StreamTerms<R> terms;
    terms.flip = plan.low_flip.data();
    if (has_diagonal_) {
      terms.num_tables = num_tables_;
      terms.row_bits = low_bits_;
      const u64 in_tile = (u64{1} << core::simd::kernels<R>().stream_tile_log2) - 1;
      for (int j = 0; j < num_tables_; ++j) {
        terms.tables[j] = table<R>(j);
        if (j > 0 && (table_low_[static_cast<std::size_t>(j - 1)] & in_tile) == 0)
          terms.tile_constant |= 1u << j;
      }
    }
    total = core::parallel_ranges_sum(size, u64{1} << bb, [&](u64 begin, u64 end) {
      core::simd::StreamTerms<R> t = terms;
      std::array<double, kMaxRows * core::simd::kMaxStreamTables> coef;
      t.coef = coef.data();
      t.prefetch_end = p + 2 * end;
      const auto stream = core::simd::kernels<R>().stream_terms;
      double e = 0.0;
      for (u64 b = begin >> bb; b < (end >> bb); ++b) {
        if (has_diagonal_) row_coefficients(plan, b << bb, coef.data());
        e += stream(p + 2 * (b << bb), bb, t);
      }
      return e;
    });
  } else {
    const u64 block_bytes = sizeof(R) * 2 << bb;
    const u64 visits = static_cast<u64>(std::max(1, contiguous_sweeps<R>())) *
                       std::max<u64>(1, (u64{1} << bb) >> core::simd::kernels<R>().lanes_log2);
    const auto rate = static_cast<unsigned>((block_bytes / 64 * 16 + visits - 1) / visits);
    const char* const state = reinterpret_cast<const char*>(p);
    total = core::parallel_ranges_sum(size, u64{1} << bb, [&](u64 begin, u64 end) {
      core::simd::Ahead ahead;
      ahead.rate = rate;
      ahead.next = state + sizeof(R) * 2 * begin + kAheadBytes;
      const char* const stop = state + sizeof(R) * 2 * end;
      double e = 0.0;
      for (u64 b = begin >> bb; b < (end >> bb); ++b) {
        ahead.end = std::min(stop, state + block_bytes * (b + 1) + kAheadBytes);
        e += block_terms(p + 2 * (b << bb), bb, b << bb, true, plan.low, plan.sub_bits, &ahead);
      }
      return e;
    });
  }
  // Gathered passes: the flips on high qubits, as many per pass as fit in a block.
  for (const FlipPass& pass : plan.high) {
    const core::BlockLayout& l = pass.layout;
    total += core::parallel_ranges_sum(size, u64{1} << l.bits, [&](u64 begin, u64 end) {
      R* buf = thread_buffer<R>(std::size_t{2} << l.bits, 0);
      double e = 0.0;
      const auto& k = core::simd::kernels<R>();
      if (k.gather_stream_terms != nullptr && l.chunk_bits >= k.stream_tile_log2) {
        // Gathered and summed in one pass, the arithmetic spread over the gather's reads.
        for (u64 b = begin >> l.bits; b < (end >> l.bits); ++b)
          e += k.gather_stream_terms(p, l.block_base(b), l.chunk_offset.data(), l.chunk_bits, l.bits, buf,
                                     pass.local_flip.data());
        return e;
      }
      for (u64 b = begin >> l.bits; b < (end >> l.bits); ++b) {
        core::gather_block(l, p, b, buf);
        e += block_terms(static_cast<const R*>(buf), l.bits, 0, false, pass.flips, plan.sub_bits, nullptr);
      }
      return e;
    });
  }
  // The remaining groups: 2 Re(conj(p_y) p_x phase(x)) for each pair x, y = x ^ x_mask, in runs.
  const auto* c = reinterpret_cast<const std::complex<R>*>(p);
  for (std::size_t gi : general_) {
    const Group& g = groups_[gi];
    total += g.x_mask == 0 ? group_expectation(g, c, size) : pair_runs_expectation(g, p, size);
  }
  return total;
}

// One group with x_mask X != 0, pair by pair (x, y = x ^ X, bit top of x clear), in real
// arithmetic (std::complex products go through __muldc3). Runs of 2^L consecutive x meet runs
// of consecutive y, L at most X's lowest bit; with L also at most the lowest Z bit of the group's
// terms, the phase holds over a run: a run costs one dot product (four sums, so the adds do not
// wait on each other) and one phase, not a phase per pair. A neighbour XX + YY term on qubits
// q, q + 1 has runs of 2^q, capped at kRunLog.
template <class R>
double PauliSum::pair_runs_expectation(const Group& g, const R* p, std::uint64_t size) {
  constexpr int kRunLog = 12;
  u64 z_any = 0;
  for (const Entry& e : g.entries) z_any |= e.z_mask;
  const int top = 63 - std::countl_zero(g.x_mask);
  const int run_log = std::min({kRunLog, std::countr_zero(g.x_mask), std::countr_zero(z_any)});
  const u64 run = u64{1} << run_log;
  return 2.0 * core::parallel_ranges_sum(size >> 1, run, [&](u64 begin, u64 end) {
           double e = 0.0;
           for (u64 i = begin; i < end; i += run) {
             const u64 x = core::insert_zero(i, top);
             const R* a = p + 2 * x;
             const R* b = p + 2 * (x ^ g.x_mask);
             // conj(b) a, two pairs at a time into two sums each
             double re0 = 0.0, im0 = 0.0, re1 = 0.0, im1 = 0.0;
             u64 k = 0;
             for (; k + 4 <= 2 * run; k += 4) {
               const double ar0 = static_cast<double>(a[k]), ai0 = static_cast<double>(a[k + 1]);
               const double br0 = static_cast<double>(b[k]), bi0 = static_cast<double>(b[k + 1]);
               const double ar1 = static_cast<double>(a[k + 2]), ai1 = static_cast<double>(a[k + 3]);
               const double br1 = static_cast<double>(b[k + 2]), bi1 = static_cast<double>(b[k + 3]);
               re0 += br0 * ar0 + bi0 * ai0;
               im0 += br0 * ai0 - bi0 * ar0;
               re1 += br1 * ar1 + bi1 * ai1;
               im1 += br1 * ai1 - bi1 * ar1;
             }
             if (k < 2 * run) {
               const double ar = static_cast<double>(a[k]), ai = static_cast<double>(a[k + 1]);
               const double br = static_cast<double>(b[k]), bi = static_cast<double>(b[k + 1]);
               re0 += br * ar + bi * ai;
               im0 += br * ai - bi * ar;
             }
             const core::cplx ph = group_phase(g, x);
             e += (re0 + re1) * ph.real() - (im0 + im1) * ph.imag();
           }
           return e;
         });
}

namespace {

// out[x] += c in[x ^ (1 << q)] over a block of 2^bits amplitudes.
template <class R>
void add_flip(R* out, const R* in, int bits, int q, double coefficient) {
  const u64 half = u64{1} << q, n = u64{1} << bits;
  const R c = static_cast<R>(coefficient);
  for (u64 hi = 0; hi < n; hi += 2 * half) {
    R* o0 = out + 2 * hi;
    R* o1 = o0 + 2 * half;
    const R* i0 = in + 2 * hi;
    const R* i1 = i0 + 2 * half;
    for (u64 j = 0; j < 2 * half; ++j) {
      o0[j] += c * i1[j];
      o1[j] += c * i0[j];
    }
  }
}

// Single-qubit flips (q, c), prepared once per call for add_flips: coefficients merged per qubit,
// lane qubits apart, the vector-level ones sorted.
template <class R>
struct FlipSet {
  int lq[3] = {0, 0, 0};
  R lc[3] = {0, 0, 0};
  int nl = 0;
  std::vector<int> tq;
  std::vector<R> tc;
  std::vector<std::pair<int, double>> all;  // for tiny blocks

  explicit FlipSet(std::vector<std::pair<int, double>> flips) {
    std::sort(flips.begin(), flips.end());
    for (const auto& [q, c] : flips) {
      if (!all.empty() && all.back().first == q)
        all.back().second += c;
      else
        all.emplace_back(q, c);
    }
    const int lanes = core::simd::kernels<R>().lanes_log2;
    for (const auto& [q, c] : all) {
      if (q < lanes) {
        lq[nl] = q;
        lc[nl++] = static_cast<R>(c);
      } else {
        tq.push_back(q);
        tc.push_back(static_cast<R>(c));
      }
    }
  }
};

// out += sum of c X_q in over a block: lane qubits ride along with up to three vector-level
// qubits per sweep (core::simd add_flips); tiny blocks flip one qubit at a time.
template <class R>
void add_flips(R* out, const R* in, int bits, const FlipSet<R>& f) {
  const auto& k = core::simd::kernels<R>();
  if (bits < k.lanes_log2 + 3) {
    for (const auto& [q, c] : f.all) add_flip(out, in, bits, q, c);
    return;
  }
  std::size_t next = 0;
  int nl = f.nl;
  do {
    const int nt = static_cast<int>(std::min<std::size_t>(3, f.tq.size() - next));
    k.add_flips(out, in, bits, nt, f.tq.data() + next, f.tc.data() + next, nl, f.lq, f.lc);
    next += static_cast<std::size_t>(nt);
    nl = 0;  // lane flips in the first sweep only
  } while (next < f.tq.size());
}

}  // namespace

template <class R>
void PauliSum::apply_blocked(const R* in, R* out) const {
  const int n = num_qubits_;
  const int bb = block_bits_for<R>(n), lb = low_bits_;
  const u64 block = u64{1} << bb, size = u64{1} << n, len = u64{1} << lb;
  std::vector<int> high;
  std::vector<std::pair<int, double>> low_flips;
  for (const Flip& f : flips_) {
    if (f.qubit >= bb) high.push_back(f.qubit);
    if (f.qubit < bb) low_flips.emplace_back(f.qubit, f.coefficient);
  }
  const FlipSet<R> low_set(low_flips);
  const double* tab = tables_f64_.data();
  core::parallel_blocks(size >> bb, size, [&](u64 b, int) {
    R* ob = out + 2 * (b << bb);
    const R* ib = in + 2 * (b << bb);
    if (!has_diagonal_) {
      std::fill(ob, ob + 2 * block, R(0));
    } else {
      for (u64 sub = 0; sub < (block >> lb); ++sub) {
        const u64 base = (b << bb) | (sub << lb);
        double a[kMaxTables + 1] = {};
        for (const HighTerm& h : high_terms_)
          a[h.table] += h.coefficient * core::parity_sign(base & h.z_high);
        R* o = ob + 2 * (sub << lb);
        const R* i = ib + 2 * (sub << lb);
        for (u64 x = 0; x < len; ++x) {
          double d = tab[2 * x] + a[0];
          for (int j = 1; j < num_tables_; ++j) d += a[j] * tab[(static_cast<u64>(j) * len + x) * 2];
          o[2 * x] = static_cast<R>(d * static_cast<double>(i[2 * x]));
          o[2 * x + 1] = static_cast<R>(d * static_cast<double>(i[2 * x + 1]));
        }
      }
    }
    add_flips(ob, ib, bb, low_set);
  });
  for (const auto& group : high_flip_groups(high, bb)) {
    const core::BlockLayout l = layout_for(n, group, bb);
    std::vector<std::pair<int, double>> local;
    for (const Flip& f : flips_)
      if (std::find(group.begin(), group.end(), f.qubit) != group.end())
        local.emplace_back(l.local_qubit(f.qubit), f.coefficient);
    const FlipSet<R> set(local);
    core::parallel_blocks(l.num_blocks, size, [&](u64 b, int) {
      R* bi = thread_buffer<R>(std::size_t{2} << l.bits, 0);
      R* bo = thread_buffer<R>(std::size_t{2} << l.bits, 1);
      core::gather_block(l, in, b, bi);
      core::gather_block(l, static_cast<const R*>(out), b, bo);
      add_flips(bo, bi, l.bits, set);
      core::scatter_block(l, out, b, bo);
    });
  }
  if (general_.empty()) return;
  const auto* ci = reinterpret_cast<const std::complex<R>*>(in);
  auto* co = reinterpret_cast<std::complex<R>*>(out);
  // Group by group over a thread's slice of outputs: the outputs are independent, so their
  // phase sums overlap in the pipeline instead of forming one long dependent chain per output.
  core::parallel_ranges(size, 64, [&](u64 begin, u64 end) {
    for (std::size_t gi : general_) {
      const Group& g = groups_[gi];
      for (u64 y = begin; y < end; ++y) {
        const u64 x = y ^ g.x_mask;
        const core::cplx ph = group_phase(g, x);
        // Written out: std::complex products go through __muldc3.
        const double xr = static_cast<double>(ci[x].real()), xi = static_cast<double>(ci[x].imag());
        co[y] += std::complex<R>(static_cast<R>(ph.real() * xr - ph.imag() * xi),
                                 static_cast<R>(ph.real() * xi + ph.imag() * xr));
      }
    }
  });
}

template bool PauliSum::streams<double>() const;
template bool PauliSum::streams<float>() const;
template double PauliSum::expectation_blocked<double>(const double*) const;
template double PauliSum::expectation_blocked<float>(const float*) const;
template void PauliSum::apply_blocked<double>(const double*, double*) const;
template void PauliSum::apply_blocked<float>(const float*, float*) const;

bool PauliSum::is_real() const {
  for (const auto& t : terms_)
    if ((t.masks.y_count & 1) && t.coefficient != 0.0) return false;
  return true;
}

}  // namespace vqsim::observable
