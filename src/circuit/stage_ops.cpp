#include "circuit/stage_ops.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include "circuit/program.hpp"

namespace vqsim::circuit {

using u64 = std::uint64_t;

namespace {

bool odd(u64 x) {
  return __builtin_parityll(x) != 0;
}

// The bits of `value` at the set bits of `mask`, packed from bit 0 (a software pext).
u64 compress(u64 value, u64 mask) {
  u64 out = 0;
  int k = 0;
  for (u64 m = mask; m != 0; m &= m - 1, ++k)
    if (value & (m & (~m + 1))) out |= u64{1} << k;
  return out;
}

}  // namespace

void MergedDiagonal::add(const Gate& gate, std::size_t index) {
  gates_.push_back(index);
  for (const WalshTerm& w : diagonal_walsh(gate)) {
    qubits_ |= w.z;
    auto it = std::find_if(terms_.begin(), terms_.end(), [&](const Term& t) { return t.z == w.z; });
    if (it == terms_.end()) {
      terms_.push_back(Term{});
      it = terms_.end() - 1;
      it->z = w.z;
    }
    it->constant += w.constant;
    if (w.per_angle != 0.0) it->sources.emplace_back(index, w.per_angle);
  }
}

void MergedDiagonal::plan(const core::BlockLayout& layout) {
  bits_ = layout.bits;
  rb_ = std::min(bits_, 8);
  u64 in_block = 0;
  for (int q : layout.qubits) in_block |= u64{1} << q;
  const u64 column_mask = (u64{1} << rb_) - 1;
  low_terms_.clear();
  high_terms_.clear();
  std::vector<int> dynamic;
  for (std::size_t i = 0; i < terms_.size(); ++i) {
    Term& t = terms_[i];
    const u64 local = layout.local_mask(t.z & in_block);
    t.column = local & column_mask;
    t.row = local >> rb_;
    t.outside = t.z & ~in_block;
    if (t.outside == 0 && t.row == 0 && t.column != 0)
      low_terms_.push_back(static_cast<int>(i));
    else if (t.outside == 0 && t.column == 0)
      high_terms_.push_back(static_cast<int>(i));
    else
      dynamic.push_back(static_cast<int>(i));
  }
  // RowPhase classes: the dynamic terms grouped by their columns.
  std::stable_sort(dynamic.begin(), dynamic.end(), [&](int a, int b) {
    return terms_[static_cast<std::size_t>(a)].column < terms_[static_cast<std::size_t>(b)].column;
  });
  row_terms_ = dynamic;
  column_.clear();
  first_.clear();
  row_of_.clear();
  for (std::size_t j = 0; j < row_terms_.size(); ++j) {
    const Term& t = terms_[static_cast<std::size_t>(row_terms_[j])];
    if (column_.empty() || column_.back() != t.column) {
      column_.push_back(t.column);
      first_.push_back(static_cast<int>(j));
    }
    row_of_.push_back(t.row);
  }
  first_.push_back(static_cast<int>(row_terms_.size()));
  cs_.assign(2 * row_terms_.size(), 0.0);
}

std::size_t MergedDiagonal::table_reals() const {
  return (std::size_t{4} << rb_) + (std::size_t{2} << (bits_ - rb_));
}

template <class Real>
void MergedDiagonal::refill(const AngleTable& angles, bool inverse, double scale, Real* tables) {
  for (Term& t : terms_) {
    double a = t.constant;
    for (const auto& [gate, per_angle] : t.sources) a += per_angle * angles[gate][0];
    t.value = inverse ? -a : a;
  }
  const std::size_t columns = std::size_t{1} << rb_, rows = std::size_t{1} << (bits_ - rb_);
  Real* row = tables;
  Real* row_im = tables + 2 * columns;
  for (std::size_t l = 0; l < columns; ++l) {
    double phi = 0.0;
    for (int i : low_terms_) {
      const Term& t = terms_[static_cast<std::size_t>(i)];
      phi += odd(l & t.column) ? -t.value : t.value;
    }
    const double c = std::cos(phi), s = std::sin(phi);
    row[2 * l] = row[2 * l + 1] = static_cast<Real>(c);
    row_im[2 * l] = static_cast<Real>(-s);
    row_im[2 * l + 1] = static_cast<Real>(s);
  }
  Real* high = tables + 4 * columns;
  for (std::size_t r = 0; r < rows; ++r) {
    double phi = 0.0;
    for (int i : high_terms_) {
      const Term& t = terms_[static_cast<std::size_t>(i)];
      phi += odd(r & t.row) ? -t.value : t.value;
    }
    high[2 * r] = static_cast<Real>(scale * std::cos(phi));
    high[2 * r + 1] = static_cast<Real>(scale * std::sin(phi));
  }
  for (std::size_t j = 0; j < row_terms_.size(); ++j) {
    const double a = terms_[static_cast<std::size_t>(row_terms_[j])].value;
    cs_[2 * j] = std::cos(a);
    cs_[2 * j + 1] = std::sin(a);
  }
}

std::size_t MergedDiagonal::row_phase_doubles() const {
  return 2 * row_terms_.size() + 5 * column_.size();
}

core::simd::RowPhase MergedDiagonal::row_phase(std::uint64_t base, double* buffer) const {
  core::simd::RowPhase rp;
  rp.num_classes = static_cast<int>(column_.size());
  rp.column = column_.data();
  rp.first = first_.data();
  rp.row = row_of_.data();
  double* cs = buffer;
  for (std::size_t j = 0; j < row_terms_.size(); ++j) {
    const Term& t = terms_[static_cast<std::size_t>(row_terms_[j])];
    cs[2 * j] = cs_[2 * j];
    cs[2 * j + 1] = odd(base & t.outside) ? -cs_[2 * j + 1] : cs_[2 * j + 1];
  }
  rp.cs = cs;
  rp.scratch = buffer + 2 * row_terms_.size();
  return rp;
}

bool PauliFamily::accepts(const Gate& gate, const core::BlockLayout& layout) const {
  if (members_.empty()) return true;
  const core::PauliMasks pm = pauli_masks(gate);
  if (pm.x_mask != x_global_ || ((pm.y_count & 1) != 0) != sigma_y_) return false;
  u64 in_block = 0;
  for (int q : layout.qubits) in_block |= u64{1} << q;
  const u64 d = (layout.local_mask(pm.z_mask & in_block) ^ z_) & ~top_;
  return std::popcount(d_ | d) <= core::simd::kMaxFamilyPatternBits;
}

void PauliFamily::add(const Gate& gate, std::size_t index, const core::BlockLayout& layout) {
  const core::PauliMasks pm = pauli_masks(gate);
  u64 in_block = 0;
  for (int q : layout.qubits) in_block |= u64{1} << q;
  const u64 z_local = layout.local_mask(pm.z_mask & in_block);
  if (members_.empty()) {
    x_global_ = pm.x_mask;
    x_ = layout.local_mask(pm.x_mask);
    top_ = u64{1} << (63 - std::countl_zero(x_));
    z_ = z_local & ~top_;  // the lower member's top bit is 0: only the other bits count
    sigma_y_ = (pm.y_count & 1) != 0;
  }
  Member m;
  m.gate = index;
  // P restricted to a pair is i^{y} chi(y . z) times sigma_x (even y) or i sigma_y (odd y).
  const int phase = sigma_y_ ? (pm.y_count - 1) & 3 : pm.y_count & 3;
  m.sign = phase == 0 ? 1.0 : -1.0;
  const u64 d = (z_local ^ z_) & ~top_;
  d_ |= d;
  m.outside = pm.z_mask & ~in_block;
  m.z_diff = d;
  if (!members_.empty() && m.outside != members_.front().outside) uniform_ = false;
  members_.push_back(m);
  gates_.push_back(index);
}

void PauliFamily::fill_table(std::uint64_t base, double* out) const {
  const std::size_t patterns = std::size_t{1} << std::popcount(d_);
  for (std::size_t k = 0; k < patterns; ++k) {
    double psi = 0.0;
    for (const Member& m : members_) {
      const bool flip = odd(k & m.pattern) != odd(base & m.outside);
      psi += flip ? -m.half : m.half;
    }
    out[2 * k] = std::cos(psi);
    out[2 * k + 1] = std::sin(psi);
  }
}

void PauliFamily::refill(const AngleTable& angles, bool inverse) {
  for (Member& m : members_) {
    // The kernel numbers patterns by the bits of y at the (final) pattern mask, in order.
    m.pattern = compress(m.z_diff, d_);
    m.half = (inverse ? -0.5 : 0.5) * m.sign * angles[m.gate][0];
  }
  if (!uniform_) return;
  table_.resize(2 * table_doubles());
  fill_table(0, table_.data());
  // An odd sign outside the block flips every member's half-angle: cos stays, sin flips.
  for (std::size_t i = 0; i < table_doubles(); i += 2) {
    table_[table_doubles() + i] = table_[i];
    table_[table_doubles() + i + 1] = -table_[i + 1];
  }
}

const double* PauliFamily::table(std::uint64_t base, double* buffer) const {
  if (uniform_) return table_.data() + (odd(base & members_.front().outside) ? table_doubles() : 0);
  fill_table(base, buffer);
  return buffer;
}

template void MergedDiagonal::refill<double>(const AngleTable&, bool, double, double*);
template void MergedDiagonal::refill<float>(const AngleTable&, bool, double, float*);

}  // namespace vqsim::circuit
