#include "circuit/program.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstring>

#include <unistd.h>

#include "core/parallel.hpp"
#include "core/simd.hpp"

namespace vqsim::circuit {
namespace {

using core::cplx;
using u64 = std::uint64_t;
using core::deposit;

u64 qubit_mask(const Gate& g) {
  u64 m = 0;
  for (int q : g.qubits) m |= u64{1} << q;
  return m;
}

bool is_real_one_qubit(GateKind k) {
  return k == GateKind::RY || k == GateKind::H || k == GateKind::X;
}

// One-qubit gates that fuse into a 2x2 (the diagonal ones go to the diagonal run instead).
bool is_fusable_one_qubit(GateKind k) {
  switch (k) {
    case GateKind::Y:
    case GateKind::H:
    case GateKind::SX:
    case GateKind::SXdg:
    case GateKind::RX:
    case GateKind::RY:
    case GateKind::U2:
    case GateKind::U3: return true;
    default: return false;
  }
}

core::Mat2 mat_mul(const core::Mat2& a, const core::Mat2& b) {
  auto mul = [](cplx x, cplx y) {
    return cplx(x.real() * y.real() - x.imag() * y.imag(), x.real() * y.imag() + x.imag() * y.real());
  };
  return {mul(a[0], b[0]) + mul(a[1], b[2]), mul(a[0], b[1]) + mul(a[1], b[3]),
          mul(a[2], b[0]) + mul(a[3], b[2]), mul(a[2], b[1]) + mul(a[3], b[3])};
}

inline cplx cmul(cplx x, cplx y) {
  return {x.real() * y.real() - x.imag() * y.imag(), x.real() * y.imag() + x.imag() * y.real()};
}

// The scalar block version of the gates the vector kernels leave out (swaps); masks are local.
template <class Real>
void block_swap(Real* p, int bits, u64 cmask, int a, int b) {
  const u64 am = u64{1} << a, bm = u64{1} << b, n = u64{1} << bits;
  for (u64 x = 0; x < n; ++x) {
    if ((x & cmask) != cmask || (x & am) == 0 || (x & bm) != 0) continue;
    const u64 y = (x & ~am) | bm;
    std::swap(p[2 * x], p[2 * y]);
    std::swap(p[2 * x + 1], p[2 * y + 1]);
  }
}

}  // namespace

void diagonal_phases(const Gate& g, const std::vector<double>& angles, std::vector<cplx>& phases) {
  const std::size_t k = g.qubits.size();
  phases.assign(std::size_t{1} << k, cplx(1, 0));
  if (is_pauli_kind(g.kind)) {
    // exp(-i a/2 Z...Z) on the gate's Z qubits: e^{-i a/2} for even parity, e^{+i a/2} odd.
    const core::PauliMasks pm = pauli_masks(g);
    const double a = angles[0];
    for (std::size_t x = 0; x < phases.size(); ++x) {
      int parity = 0;
      for (std::size_t j = 0; j < k; ++j)
        if (((x >> j) & 1) && ((pm.z_mask >> g.qubits[j]) & 1)) parity ^= 1;
      phases[x] = parity ? cplx(std::cos(a / 2), std::sin(a / 2)) : cplx(std::cos(a / 2), -std::sin(a / 2));
    }
    return;
  }
  // A (controlled) diagonal 2x2 on the last qubit, active where all controls are 1.
  const core::Mat2 m = target_matrix(g.kind, angles);
  const std::size_t controls = k - 1, all = (std::size_t{1} << controls) - 1;
  for (std::size_t x = 0; x < phases.size(); ++x)
    if ((x & all) == all) phases[x] = ((x >> controls) & 1) ? m[3] : m[0];
}

bool BlockPermutation::build(const std::vector<std::pair<u64, int>>& steps, int bits, int lanes) {
  auto source = [&](u64 x) {  // the inverse map on local indices: the steps undone in reverse order
    for (auto it = steps.rbegin(); it != steps.rend(); ++it)
      if ((x & it->first) == it->first) x ^= u64{1} << it->second;
    return x;
  };
  const u64 lane_mask = (u64{1} << lanes) - 1;
  const u64 zero = source(0);
  // Vector-level bits must not reach the source lane: the lane part of source(w << lanes) is fixed.
  for (int b = lanes; b < bits; ++b)
    if (((source(u64{1} << b) ^ zero) & lane_mask) != 0) return false;
  // Each lane's source: a lane of the vector src(w) or of src(w) ^ delta.
  delta = 0;
  const int count = 1 << lanes;
  bool moved = false;
  lane_src.assign(static_cast<std::size_t>(count), 0);
  for (int j = 0; j < count; ++j) {
    const u64 s = source(static_cast<u64>(j));
    const u64 dv = (s ^ zero) >> lanes;
    if (dv != 0) {
      if (delta != 0 && dv != delta) return false;
      delta = dv;
    }
    lane_src[static_cast<std::size_t>(j)] = static_cast<int>(s & lane_mask) + (dv != 0 ? count : 0);
    moved = moved || lane_src[static_cast<std::size_t>(j)] != j;
  }
  if (!moved) lane_src.clear();
  const int vb = bits - lanes;
  lo_bits = std::min(vb, 8);
  lo.resize(std::size_t{1} << lo_bits);
  hi.resize(std::size_t{1} << (vb - lo_bits));
  for (std::size_t v = 0; v < lo.size(); ++v) lo[v] = source(u64{v} << lanes) >> lanes;
  for (std::size_t h = 0; h < hi.size(); ++h) hi[h] = (source(u64{h} << (lo_bits + lanes)) ^ zero) >> lanes;
  return true;
}

template <class Real>
void BlockPermutation::apply(const Real* in, Real* out, int bits) const {
  const auto& k = core::simd::kernels<Real>();
  if (lane_src.empty())
    k.permute_vectors(in, out, bits, lo.data(), lo_bits, hi.data());
  else
    k.permute_lanes(in, out, bits, lo.data(), lo_bits, hi.data(), delta, lane_src.data());
}
template void BlockPermutation::apply<double>(const double*, double*, int) const;
template void BlockPermutation::apply<float>(const float*, float*, int) const;

template <class Real>
void pack_diagonal_tables(const std::vector<cplx>& row, const std::vector<cplx>& high, Real* d) {
  const std::size_t row_len = row.size();
  for (std::size_t x = 0; x < row_len; ++x) {
    d[2 * x] = d[2 * x + 1] = static_cast<Real>(row[x].real());
    d[2 * row_len + 2 * x] = static_cast<Real>(-row[x].imag());
    d[2 * row_len + 2 * x + 1] = static_cast<Real>(row[x].imag());
  }
  Real* h = d + 4 * row_len;
  for (std::size_t x = 0; x < high.size(); ++x) {
    h[2 * x] = static_cast<Real>(high[x].real());
    h[2 * x + 1] = static_cast<Real>(high[x].imag());
  }
}
template void pack_diagonal_tables<double>(const std::vector<cplx>&, const std::vector<cplx>&, double*);
template void pack_diagonal_tables<float>(const std::vector<cplx>&, const std::vector<cplx>&, float*);

template <>
int default_block_bits<double>(int vectors) {
  return vectors > 1 ? 14 : 15;
}
// A 1 MiB double block in a 2 MiB L2 still leaves room for the permutation buffer.
template <>
int wide_block_bits<double>() {
  static const bool big_l2 = sysconf(_SC_LEVEL2_CACHE_SIZE) >= (2L << 20);
  return big_l2 ? 16 : 0;
}
template <>
int wide_block_bits<float>() {
  return 0;
}
template <>
int default_block_bits<float>(int vectors) {
  return vectors > 1 ? 15 : 16;
}

namespace {

// What the scheduler needs of a gate: the qubits a block must hold to run it, and how it acts on
// its qubits (two gates may swap places when every qubit they share is diagonal for both).
struct GateMasks {
  u64 need = 0;
  u64 diagonal = 0;
  u64 mixing = 0;
};

// One greedy stage over `remaining`: every gate that commutes with every deferred gate before it
// and does not overflow kb qubits, taking only gates whose qubits lie inside `allowed`. Returns
// the qubits used; the gates taken go to `taken` (if given), the others to `rest`.
u64 greedy_stage(const std::vector<GateMasks>& masks, const std::vector<std::size_t>& remaining, u64 low,
                 u64 allowed, int kb, std::vector<std::size_t>* taken, std::vector<std::size_t>& rest) {
  u64 used = low, blocked_mixing = 0, blocked_diagonal = 0;
  rest.clear();
  for (std::size_t gi : remaining) {
    const GateMasks& m = masks[gi];
    const bool commutes =
        (m.mixing & (blocked_mixing | blocked_diagonal)) == 0 && (m.diagonal & blocked_mixing) == 0;
    if (commutes && (m.need & ~allowed) == 0 && std::popcount(used | m.need) <= kb) {
      used |= m.need;
      if (taken != nullptr) taken->push_back(gi);
    } else {
      rest.push_back(gi);
      blocked_mixing |= m.mixing;
      blocked_diagonal |= m.diagonal;
    }
  }
  return used;
}

// How good a stage is, judged by what greedy stages make of the gates it leaves: fewer stages
// to finish within `horizon` (then fewer gates left after it), then more gates in this stage.
struct StageScore {
  int stages;
  std::size_t left;
  std::size_t taken;
  bool operator<(const StageScore& o) const {
    if (stages != o.stages) return stages < o.stages;
    if (left != o.left) return left < o.left;
    return taken > o.taken;
  }
};

StageScore score_rest(const std::vector<GateMasks>& masks, std::vector<std::size_t> rest, std::size_t taken,
                      u64 low, u64 all, int kb, int horizon) {
  std::vector<std::size_t> next;
  int stages = 1;
  while (!rest.empty() && stages <= horizon) {
    const std::size_t before = rest.size();
    greedy_stage(masks, rest, low, all, kb, nullptr, next);
    if (next.size() == before) next.erase(next.begin());  // a gate wider than a block
    rest.swap(next);
    ++stages;
  }
  return {stages, rest.size(), taken};
}

}  // namespace

std::vector<StagePlan> schedule_stages(const Circuit& c, const std::vector<std::size_t>& order,
                                       int block_bits, int contiguous_bits) {
  const int n = c.num_qubits;
  const int kb = std::min(block_bits, n);
  const int cb = std::min(contiguous_bits, kb);
  const u64 low = (u64{1} << cb) - 1;
  const u64 all = (n >= 64) ? ~u64{0} : (u64{1} << n) - 1;
  std::vector<GateMasks> masks(c.gates.size());
  for (std::size_t gi : order) {
    const QubitAction a = qubit_action(c.gates[gi]);
    masks[gi] = {block_qubits(c.gates[gi]), a.diagonal, a.mixing};
  }
  // Lookahead: besides plain greedy, each stage tries windows of consecutive free qubits (by
  // index, and by the order in which the remaining gates first touch them) and keeps the one
  // after which greedy stages finish soonest. On a chain-entangled ansatz the greedy first
  // stage leaves a staircase of gates that a window placed below the top finishes in one stage
  // instead of three. The horizon bounds the work on long circuits.
  const int width = kb - cb;
  // Candidates are judged on the next kHead gates only, over at most kHorizon more stages, so
  // the pass stays linear in the circuit's length (a 5000-gate circuit schedules in well under a
  // second); the chosen window then takes every gate of the whole remaining list it can.
  constexpr std::size_t kHead = 512;
  constexpr int kHorizon = 8;
  std::vector<StagePlan> stages;
  std::vector<std::size_t> remaining = order, rest, head, head_rest, trial_taken, trial_rest;
  std::vector<u64> tried;
  while (!remaining.empty()) {
    StagePlan stage;
    u64 allowed_best = all;
    if (width > 0 && n > kb) {
      head.assign(remaining.begin(),
                  remaining.begin() + static_cast<std::ptrdiff_t>(std::min(kHead, remaining.size())));
      trial_taken.clear();
      greedy_stage(masks, head, low, all, kb, &trial_taken, head_rest);
      StageScore best = score_rest(masks, head_rest, trial_taken.size(), low, all, kb, kHorizon);
      std::vector<std::vector<int>> orders(2);
      for (int q = cb; q < n; ++q) orders[0].push_back(q);
      u64 seen = low;
      for (std::size_t gi : head) {
        for (u64 m = masks[gi].need & ~seen; m != 0; m &= m - 1) orders[1].push_back(std::countr_zero(m));
        seen |= masks[gi].need;
      }
      for (int q = cb; q < n; ++q)
        if (!((seen >> q) & 1)) orders[1].push_back(q);
      tried.clear();
      for (const std::vector<int>& qs : orders)
        for (std::size_t a = 0; a + static_cast<std::size_t>(width) <= qs.size(); ++a) {
          u64 allowed = low;
          for (std::size_t j = a; j < a + static_cast<std::size_t>(width); ++j) allowed |= u64{1} << qs[j];
          if (std::find(tried.begin(), tried.end(), allowed) != tried.end()) continue;
          tried.push_back(allowed);
          trial_taken.clear();
          greedy_stage(masks, head, low, allowed, kb, &trial_taken, trial_rest);
          if (trial_taken.empty()) continue;
          const StageScore sc = score_rest(masks, trial_rest, trial_taken.size(), low, all, kb, kHorizon);
          if (sc < best) {
            best = sc;
            allowed_best = allowed;
          }
        }
    }
    u64 used = greedy_stage(masks, remaining, low, allowed_best, kb, &stage.gates, rest);
    if (stage.gates.empty()) {  // a gate wider than a block: run it on the whole state
      stage.whole_state = true;
      stage.gates.push_back(rest.front());
      rest.erase(rest.begin());
    } else {
      // Fill the block with the lowest unused qubits: longer contiguous runs, fewer blocks.
      for (int q = 0; q < n && std::popcount(used) < kb; ++q) used |= u64{1} << q;
      for (int q = 0; q < n; ++q)
        if ((used >> q) & 1) stage.qubits.push_back(q);
    }
    stages.push_back(std::move(stage));
    remaining.swap(rest);
  }
  return stages;
}

std::vector<StagePlan> plan_stages(const Circuit& c, const std::vector<std::size_t>& order, int max_bits,
                                   int& chosen, int wide_bits) {
  std::vector<StagePlan> best = schedule_stages(c, order, max_bits, kContiguousBits);
  chosen = max_bits;
  if (max_bits - 1 >= kContiguousBits + 2 && c.num_qubits > max_bits - 1) {
    std::vector<StagePlan> smaller = schedule_stages(c, order, max_bits - 1, kContiguousBits);
    if (smaller.size() <= best.size()) {
      best = std::move(smaller);
      chosen = max_bits - 1;
    }
  }
  // Wider blocks pay only where they save a stage (a pass over memory): on Emerald Rapids (2 MiB
  // L2, 2 threads) the 24-qubit HEA circuit in double ran in 2 stages instead of 3, 174-207 ms
  // against 235-249 in a fast minute and lower in 4 of 5 alternating rounds in a slow one (262-293
  // against 271-325); at 16 and 20 qubits, with no stage saved or a single block left for two
  // threads, 5-10% slower. So: fewer stages, and 16 blocks or more per stage to share.
  if (wide_bits > max_bits && c.num_qubits - wide_bits >= 4) {
    std::vector<StagePlan> wide = schedule_stages(c, order, wide_bits, kContiguousBits);
    if (wide.size() < best.size()) {
      best = std::move(wide);
      chosen = wide_bits;
    }
  }
  return best;
}

std::vector<std::vector<std::size_t>> product_prefix(const Circuit& c, std::vector<std::size_t>& rest) {
  // One-qubit gates commute with everything on other qubits, so each qubit's gates before its
  // first multi-qubit gate can move to the front, where they act on |0> alone.
  std::vector<std::vector<std::size_t>> prefix(static_cast<std::size_t>(c.num_qubits));
  std::vector<bool> entangled(static_cast<std::size_t>(c.num_qubits), false);
  rest.clear();
  for (std::size_t i = 0; i < c.gates.size(); ++i) {
    const Gate& g = c.gates[i];
    const bool one_qubit = g.qubits.size() == 1 && !is_pauli_kind(g.kind);
    if (one_qubit && !entangled[static_cast<std::size_t>(g.qubits[0])]) {
      prefix[static_cast<std::size_t>(g.qubits[0])].push_back(i);
      continue;
    }
    for (int q : g.qubits) entangled[static_cast<std::size_t>(q)] = true;
    rest.push_back(i);
  }
  return prefix;
}

void prefix_factors(const Circuit& c, const std::vector<std::vector<std::size_t>>& prefix,
                    const AngleTable& angles, std::vector<cplx>& factors) {
  factors.resize(2 * prefix.size());
  for (std::size_t q = 0; q < prefix.size(); ++q) {
    core::Mat2 m{1, 0, 0, 1};
    for (std::size_t gi : prefix[q]) m = mat_mul(target_matrix(c.gates[gi].kind, angles[gi]), m);
    factors[2 * q] = m[0];  // M|0>
    factors[2 * q + 1] = m[2];
  }
}

void product_table(const std::vector<cplx>& factors, int from, int to, std::vector<cplx>& out) {
  out.assign(std::size_t{1} << (to - from), cplx(0, 0));
  out[0] = 1;
  for (int q = from; q < to; ++q) {
    const std::size_t half = std::size_t{1} << (q - from);
    const cplx f0 = factors[2 * static_cast<std::size_t>(q)],
               f1 = factors[2 * static_cast<std::size_t>(q) + 1];
    for (std::size_t i = 0; i < half; ++i) {
      out[i + half] = cmul(out[i], f1);
      out[i] = cmul(out[i], f0);
    }
  }
}

template <class Real>
Program<Real>::Program(const Circuit& circuit, int block_bits, bool fuse, Start start)
    : circuit_(circuit),
      block_bits_(block_bits > 0 ? block_bits : default_block_bits<Real>()),
      start_(start) {
  // Small registers run as one block on one thread: no gathers, no thread start-up.
  if (block_bits <= 0 && circuit.num_qubits <= kSingleBlockQubits)
    block_bits_ = std::max(1, circuit.num_qubits);
  std::vector<std::size_t> order;
  if (start == Start::Zero) {
    prefix_ = product_prefix(circuit, order);
  } else {
    order.resize(circuit.gates.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  }
  const bool pick = block_bits <= 0 && circuit.num_qubits > kSingleBlockQubits;
  std::vector<StagePlan> plans =
      pick ? plan_stages(circuit, order, block_bits_, block_bits_, wide_block_bits<Real>())
           : schedule_stages(circuit, order, block_bits_, kContiguousBits);
  for (StagePlan& plan : plans) {
    Stage s;
    if (plan.whole_state) {
      s.whole_state = true;
      s.gate = plan.gates.front();
    } else {
      s.layout = BlockLayout(circuit.num_qubits, plan.qubits);
      build_ops(s, plan.gates, fuse);
    }
    stages_.push_back(std::move(s));
  }
  // Lay out every op's numbers once; refill only overwrites them.
  std::size_t offset = 0;
  for (Stage& s : stages_)
    for (Op& op : s.ops) {
      op.data = offset;
      switch (op.kind) {
        case OpKind::Matrix1: offset += 8; break;
        case OpKind::RealMatrix1: offset += 4; break;
        case OpKind::Tile: offset += 8 * op.slots.size(); break;
        case OpKind::Diagonal: offset += op.diag.table_reals(); break;
        default: break;
      }
    }
  data_.assign(offset, Real(0));
}

template <class Real>
int Program<Real>::num_ops() const {
  int n = 0;
  for (const Stage& s : stages_) n += s.whole_state ? 1 : static_cast<int>(s.ops.size());
  return n;
}

template <class Real>
void Program<Real>::build_ops(Stage& s, const std::vector<std::size_t>& gates, bool fuse) {
  const BlockLayout& l = s.layout;
  std::vector<int> last_one_qubit(static_cast<std::size_t>(l.bits), -1);  // fusable op per local qubit
  // Diagonal gates gather into one merged diagonal until a gate that mixes one of its qubits
  // comes; it then runs there (everything between commutes with it).
  Op diag = make_op(OpKind::Diagonal);
  auto invalidate = [&](u64 local) {
    for (; local != 0; local &= local - 1)
      last_one_qubit[static_cast<std::size_t>(std::countr_zero(local))] = -1;
  };
  auto flush_diag = [&] {
    if (diag.diag.empty()) return;
    diag.diag.plan(l);
    diag.gates = diag.diag.gates();
    invalidate(l.local_mask(diag.diag.qubits() & ~l.outer_mask));
    s.ops.push_back(std::move(diag));
    diag = make_op(OpKind::Diagonal);
  };
  for (std::size_t gi : gates) {
    const Gate& g = circuit_.gates[gi];
    if (g.kind == GateKind::I) continue;
    if (is_diagonal_gate(g)) {
      diag.diag.add(g, gi);
      if (!fuse) flush_diag();
      continue;
    }
    if (qubit_action(g).mixing & diag.diag.qubits()) flush_diag();
    if (is_pauli_kind(g.kind)) {  // X/Y on its block qubits, the Z string read from the index
      Op* last = s.ops.empty() ? nullptr : &s.ops.back();
      if (fuse && last != nullptr && last->kind == OpKind::Family && last->family.accepts(g, l)) {
        last->family.add(g, gi, l);
        last->gates.push_back(gi);
      } else {
        Op op = make_op(OpKind::Family, 0, 0, {gi});
        op.family.add(g, gi, l);
        s.ops.push_back(std::move(op));
      }
      invalidate(l.local_mask(qubit_mask(g) & ~l.outer_mask));  // its Z string too
      continue;
    }
    const u64 local = l.local_mask(qubit_mask(g));
    const int target = l.local_qubit(g.qubits.back());
    if (fuse && is_fusable_one_qubit(g.kind)) {
      int& last = last_one_qubit[static_cast<std::size_t>(target)];
      if (last >= 0) {
        Op& op = s.ops[static_cast<std::size_t>(last)];
        op.gates.push_back(gi);
        if (!is_real_one_qubit(g.kind)) op.kind = OpKind::Matrix1;
        continue;
      }
      s.ops.push_back(
          make_op(is_real_one_qubit(g.kind) ? OpKind::RealMatrix1 : OpKind::Matrix1, target, 0, {gi}));
      last = static_cast<int>(s.ops.size()) - 1;
      continue;
    }
    invalidate(local);
    switch (g.kind) {
      case GateKind::X:
      case GateKind::CX:
      case GateKind::CCX:
        s.ops.push_back(make_op(OpKind::ControlledX, target, l.local_mask(control_mask(g)), {gi}));
        break;
      default:
        if (g.kind != GateKind::Swap && g.kind != GateKind::CSwap)
          s.ops.push_back(make_op(OpKind::Matrix1, target, l.local_mask(control_mask(g)), {gi}));
        else
          s.ops.push_back(make_op(OpKind::Generic, 0, 0, {gi}));
        break;
    }
  }
  flush_diag();
  if (fuse) {
    build_tiles(s);
    build_permutations(s);
    choose_sink(s);
  }
}

// Scaled rotation tiles drop a factor c or s per gate; their product is folded into one op of
// the stage: a diagonal (its high table), or a tile with lane or unscaled slots. If the stage has
// none, its last rotation tile runs unscaled instead.
template <class Real>
void Program<Real>::choose_sink(Stage& s) const {
  constexpr int kRotation = 2, kXRotation = 3;
  auto scaled = [&](const Op& op) {
    return op.kind == OpKind::Tile && (op.tile_kind == kRotation || op.tile_kind == kXRotation);
  };
  int last_rotation = -1;
  bool any_rotation = false;
  for (std::size_t i = 0; i < s.ops.size(); ++i) {
    const Op& op = s.ops[i];
    if (scaled(op)) {
      any_rotation = true;
      last_rotation = static_cast<int>(i);
    }
    if (s.sink >= 0) continue;
    if (op.kind == OpKind::Diagonal ||
        (op.kind == OpKind::Tile && (!scaled(op) || static_cast<int>(op.slots.size()) > op.tile_k)))
      s.sink = static_cast<int>(i);
  }
  if (!any_rotation) {
    s.sink = -1;
    return;
  }
  if (s.sink < 0) {  // the last scaled tile runs unscaled: real (RY) or complex (RX) 2x2s
    Op& op = s.ops[static_cast<std::size_t>(last_rotation)];
    op.tile_kind = op.tile_kind == kRotation ? 1 : 0;
    s.sink = last_rotation;
  }
}

template <class Real>
std::uint64_t Program<Real>::op_mask(const Stage& s, const Op& op) const {
  u64 m = 0;
  switch (op.kind) {
    case OpKind::Diagonal: return s.layout.local_mask(op.diag.qubits() & ~s.layout.outer_mask);
    case OpKind::Family:  // its Z string may reach outside the block
      for (std::size_t gi : op.gates) m |= qubit_mask(circuit_.gates[gi]) & ~s.layout.outer_mask;
      return s.layout.local_mask(m);
    case OpKind::Tile:
      for (const Slot& sl : op.slots) m |= u64{1} << sl.qubit;
      return m;
    default:
      for (std::size_t gi : op.gates) m |= s.layout.local_mask(qubit_mask(circuit_.gates[gi]));
      return m;
  }
}

// Moves every uncontrolled one-qubit matrix into the earliest tile it can join: one placed after
// the last op touching its qubit, with room left (tile_max vector-level qubits; each lane qubit
// once). Ops on other qubits commute with it, so the move keeps the circuit's meaning.
template <class Real>
void Program<Real>::build_tiles(Stage& s) const {
  const auto& k = core::simd::kernels<Real>();
  const int lanes = k.lanes_log2;
  if (s.layout.bits < lanes + 1) return;
  std::vector<Op> out;
  std::vector<int> last(static_cast<std::size_t>(s.layout.bits), -1);  // last op index touching a qubit
  // A tile's 2^k vectors sit at every combination of its qubits' strides. Strides that are
  // multiples of 4 KiB all fall in one L1 set (8 ways): four such qubits put 16 lines in one set,
  // and the sweep runs about 3x slower (2.2 -> 6.8 cycles per vector measured on a 2^14 block).
  // So a tile takes at most three of them and the rest go to the next tile.
  constexpr int kMaxFarSlots = 3;
  auto far = [](int q) { return (std::size_t{2} * sizeof(Real) << q) >= 4096; };
  for (Op& op : s.ops) {
    const bool one_qubit = (op.kind == OpKind::Matrix1 || op.kind == OpKind::RealMatrix1) && op.cmask == 0;
    if (!one_qubit) {
      const u64 m = op_mask(s, op);
      out.push_back(std::move(op));
      for (u64 r = m; r != 0; r &= r - 1)
        last[static_cast<std::size_t>(std::countr_zero(r))] = static_cast<int>(out.size()) - 1;
      continue;
    }
    const int q = op.target;
    const bool lane = q < lanes;
    int at = -1;
    for (int i = last[static_cast<std::size_t>(q)] + 1; i < static_cast<int>(out.size()); ++i) {
      const Op& t = out[static_cast<std::size_t>(i)];
      if (t.kind != OpKind::Tile) continue;
      const bool taken =
          std::any_of(t.slots.begin(), t.slots.end(), [&](const Slot& sl) { return sl.qubit == q; });
      if (taken || (!lane && t.tile_k >= k.tile_max)) continue;
      if (!lane && far(q) && std::count_if(t.slots.begin(), t.slots.begin() + t.tile_k, [&](const Slot& sl) {
                               return far(sl.qubit);
                             }) >= kMaxFarSlots)
        continue;
      at = i;
      break;
    }
    if (at < 0) {
      Op t = make_op(OpKind::Tile);
      t.real = true;
      out.push_back(std::move(t));
      at = static_cast<int>(out.size()) - 1;
    }
    Op& t = out[static_cast<std::size_t>(at)];
    Slot sl{q, op.gates, op.kind == OpKind::RealMatrix1, false};
    sl.rotation = std::all_of(sl.gates.begin(), sl.gates.end(),
                              [&](std::size_t gi) { return circuit_.gates[gi].kind == GateKind::RY; });
    sl.xrotation = std::all_of(sl.gates.begin(), sl.gates.end(),
                               [&](std::size_t gi) { return circuit_.gates[gi].kind == GateKind::RX; });
    t.real = t.real && sl.real;
    t.gates.insert(t.gates.end(), op.gates.begin(), op.gates.end());
    if (lane) {
      t.slots.push_back(std::move(sl));
    } else {
      t.slots.insert(t.slots.begin() + t.tile_k, std::move(sl));
      std::sort(t.slots.begin(), t.slots.begin() + t.tile_k + 1,
                [](const Slot& a, const Slot& b) { return a.qubit < b.qubit; });
      ++t.tile_k;
    }
    last[static_cast<std::size_t>(q)] = at;
  }
  for (Op& op : out) {
    if (op.kind != OpKind::Tile) continue;
    const bool rotations = std::all_of(op.slots.begin(), op.slots.begin() + op.tile_k,
                                       [](const Slot& sl) { return sl.rotation; });
    const bool xrotations = std::all_of(op.slots.begin(), op.slots.begin() + op.tile_k,
                                        [](const Slot& sl) { return sl.xrotation; });
    if (op.real)
      op.tile_kind = rotations && op.tile_k > 0 ? 2 : 1;
    else
      op.tile_kind = xrotations && op.tile_k > 0 ? 3 : 0;
  }
  s.ops = std::move(out);
}

// Folds every run of adjacent X/CX ops into one affine permutation (BlockPermutation), applied
// as a single out-of-place copy. A run whose lane part cannot be written that way folds only its
// leading gates on vector-level qubits; a lone CX stays a swap of half the vectors.
template <class Real>
void Program<Real>::build_permutations(Stage& s) const {
  const int lanes = core::simd::kernels<Real>().lanes_log2;
  if (s.layout.bits - lanes < 2) return;
  auto affine = [&](const Op& op) {  // CCX is not affine
    return op.kind == OpKind::ControlledX && std::popcount(op.cmask) <= 1;
  };
  auto vector_level = [&](const Op& op) {
    return affine(op) && op.target >= lanes && (op.cmask >> lanes << lanes) == op.cmask;
  };
  std::vector<Op> out;
  auto fold = [&](std::size_t i, std::size_t j) {  // ops [i, j) into one permutation, if it can
    if (j - i < 2) return false;
    Op perm = make_op(OpKind::Permutation);
    std::vector<std::pair<u64, int>> steps;  // (control mask, target) in local bits
    for (std::size_t r = i; r < j; ++r) {
      steps.emplace_back(s.ops[r].cmask, s.ops[r].target);
      perm.gates.insert(perm.gates.end(), s.ops[r].gates.begin(), s.ops[r].gates.end());
    }
    if (!perm.perm.build(steps, s.layout.bits, lanes)) return false;
    out.push_back(std::move(perm));
    return true;
  };
  for (std::size_t i = 0; i < s.ops.size();) {
    std::size_t j = i, v = i;
    while (j < s.ops.size() && affine(s.ops[j])) ++j;
    while (v < s.ops.size() && vector_level(s.ops[v])) ++v;
    if (fold(i, j)) {
      i = j;
    } else if (fold(i, v)) {
      i = v;
    } else {
      out.push_back(std::move(s.ops[i]));
      ++i;
    }
  }
  s.ops = std::move(out);
}

template <class Real>
void Program<Real>::refill(const AngleTable& angles) {
  angles_ = &angles;
  prefix_factors(circuit_, prefix_, angles, factors_);
  for (Stage& s : stages_) {
    double scale = 1.0;  // the factors the stage's scaled rotations drop
    for (Op& op : s.ops) {
      Real* d = data_.data() + op.data;
      switch (op.kind) {
        case OpKind::Matrix1:
        case OpKind::RealMatrix1: {
          core::Mat2 m{1, 0, 0, 1};
          for (std::size_t gi : op.gates) m = mat_mul(target_matrix(circuit_.gates[gi].kind, angles[gi]), m);
          if (op.kind == OpKind::RealMatrix1) {
            for (int j = 0; j < 4; ++j) d[j] = static_cast<Real>(m[static_cast<std::size_t>(j)].real());
          } else {
            for (int j = 0; j < 4; ++j) {
              d[2 * j] = static_cast<Real>(m[static_cast<std::size_t>(j)].real());
              d[2 * j + 1] = static_cast<Real>(m[static_cast<std::size_t>(j)].imag());
            }
          }
          break;
        }
        case OpKind::Tile: {
          for (std::size_t j = 0; j < op.slots.size(); ++j) {
            core::Mat2 m{1, 0, 0, 1};
            for (std::size_t gi : op.slots[j].gates)
              m = mat_mul(target_matrix(circuit_.gates[gi].kind, angles[gi]), m);
            if ((op.tile_kind == 2 || op.tile_kind == 3) && static_cast<int>(j) < op.tile_k) {  // scaled
              // RY: [[c, -s], [s, c]]; RX: [[c, -is], [-is, c]].
              const double c = m[0].real(), sn = op.tile_kind == 2 ? m[2].real() : -m[2].imag();
              const bool mode_u = std::abs(sn) > std::abs(c);
              d[8 * j] = static_cast<Real>(mode_u ? c / sn : sn / c);
              d[8 * j + 1] = mode_u ? Real(1) : Real(0);
              scale *= mode_u ? sn : c;
              continue;
            }
            for (int e = 0; e < 4; ++e) {
              d[8 * j + 2 * static_cast<std::size_t>(e)] =
                  static_cast<Real>(m[static_cast<std::size_t>(e)].real());
              d[8 * j + 2 * static_cast<std::size_t>(e) + 1] =
                  static_cast<Real>(m[static_cast<std::size_t>(e)].imag());
            }
          }
          break;
        }
        case OpKind::Diagonal: op.diag.refill(angles, false, 1.0, d); break;
        case OpKind::Family: op.family.refill(angles, false); break;
        default: break;
      }
    }
    if (s.sink >= 0 && scale != 1.0) {
      const Op& op = s.ops[static_cast<std::size_t>(s.sink)];
      Real* d = data_.data() + op.data;
      std::size_t begin = 0, count = 8;  // a tile: its first lane slot, else its first slot
      if (op.kind == OpKind::Diagonal) {
        const int rb = std::min(s.layout.bits, 8);
        begin = std::size_t{4} << rb;
        count = std::size_t{2} << (s.layout.bits - rb);
      } else if (static_cast<int>(op.slots.size()) > op.tile_k) {
        begin = 8 * static_cast<std::size_t>(op.tile_k);
      }
      for (std::size_t x = begin; x < begin + count; ++x) d[x] = static_cast<Real>(d[x] * scale);
    }
  }
}

template <class Real>
bool Program<Real>::needs_alt(const Stage& s) const {
  return std::any_of(s.ops.begin(), s.ops.end(), [](const Op& op) { return op.kind == OpKind::Permutation; });
}

namespace {
// Per-thread scratch for the per-block numbers of diagonals and Pauli families (a few KiB).
double* op_scratch(std::size_t doubles) {
  thread_local std::vector<double> buffer;
  if (buffer.size() < doubles) buffer.resize(doubles);
  return buffer.data();
}
}  // namespace

template <class Real>
Real* Program<Real>::run_block(const Stage& s, Real* p, Real* alt, std::uint64_t base) const {
  const auto& k = core::simd::kernels<Real>();
  const int bits = s.layout.bits;
  for (const Op& op : s.ops) {
    const Real* d = data_.data() + op.data;
    switch (op.kind) {
      case OpKind::Tile: {
        const Real* tm[8] = {};
        const Real* lm[3] = {nullptr, nullptr, nullptr};
        for (std::size_t j = 0; j < op.slots.size(); ++j) {
          if (static_cast<int>(j) < op.tile_k)
            tm[j] = d + 8 * j;
          else
            lm[op.slots[j].qubit] = d + 8 * j;
        }
        int tq[8] = {};
        for (int j = 0; j < op.tile_k; ++j) tq[j] = op.slots[static_cast<std::size_t>(j)].qubit;
        k.tile(p, bits, op.tile_k, tq, tm, lm, op.tile_kind);
        break;
      }
      case OpKind::Permutation:
        op.perm.apply(p, alt, bits);
        std::swap(p, alt);
        break;
      case OpKind::Matrix1: k.matrix1(p, bits, op.cmask, op.target, d); break;
      case OpKind::RealMatrix1: k.real_matrix1(p, bits, op.target, d); break;
      case OpKind::Diagonal: {
        const int rb = std::min(bits, 8);
        if (op.diag.has_row_phase())
          k.diagonal_phase(p, bits, d, d + (std::size_t{4} << rb),
                           op.diag.row_phase(base, op_scratch(op.diag.row_phase_doubles())));
        else
          k.diagonal(p, bits, d, d + (std::size_t{4} << rb));
        break;
      }
      case OpKind::Family: {
        const PauliFamily& f = op.family;
        k.pauli_family(p, bits, f.x_local(), f.z_local(), f.pattern_mask(),
                       f.table(base, op_scratch(f.table_doubles())), f.sigma_y());
        break;
      }
      case OpKind::ControlledX: k.controlled_x(p, bits, op.cmask, op.target); break;
      case OpKind::Generic: {  // swaps
        const Gate& g = circuit_.gates[op.gates.front()];
        const std::size_t n = g.qubits.size();
        block_swap(p, bits, s.layout.local_mask(control_mask(g)), s.layout.local_qubit(g.qubits[n - 2]),
                   s.layout.local_qubit(g.qubits[n - 1]));
        break;
      }
    }
  }
  return p;
}

// psi[h 2^L + l] = high[h] low[l], each table the product of its qubits' factors (built by
// doubling), so the whole state costs one complex product per amplitude, written once.
template <class Real>
void Program<Real>::build_product_tables() {
  const int n = circuit_.num_qubits, lb = std::min(n, 12);
  auto build = [&](std::vector<Real>& t, int from, int to) {
    std::vector<cplx>& c = work_;
    product_table(factors_, from, to, c);
    t.resize(2 * c.size());
    for (std::size_t i = 0; i < c.size(); ++i) {
      t[2 * i] = static_cast<Real>(c[i].real());
      t[2 * i + 1] = static_cast<Real>(c[i].imag());
    }
  };
  build(low_, 0, lb);
  build(high_, lb, n);
  product_bits_ = lb;
}

template <class Real>
void Program<Real>::fill_product(Real* o, u64 first, u64 count) const {
  const u64 row = u64{1} << product_bits_, end = first + count;
  const Real* lo = low_.data();
  for (u64 x = first; x < end;) {
    const u64 h = x >> product_bits_, l0 = x & (row - 1), len = std::min(row - l0, end - x);
    const Real hr = high_[2 * h], hi = high_[2 * h + 1];
    Real* out = o + 2 * (x - first);
    if (hr == Real(0) && hi == Real(0)) {
      std::memset(out, 0, 2 * len * sizeof(Real));
    } else {
      for (u64 j = 0; j < len; ++j) {
        const Real lr = lo[2 * (l0 + j)], li = lo[2 * (l0 + j) + 1];
        out[2 * j] = hr * lr - hi * li;
        out[2 * j + 1] = hr * li + hi * lr;
      }
    }
    x += len;
  }
}

template <class Real>
void Program<Real>::write_product_state(core::StateVector<Real>& sv) {
  Real* out = reinterpret_cast<Real*>(sv.data());
  const u64 row = u64{1} << product_bits_;
  core::parallel_blocks(high_.size() / 2, sv.size(),
                        [&](u64 h, int) { fill_product(out + 2 * row * h, h * row, row); });
}

template <class Real>
void Program<Real>::run(core::StateVector<Real>& sv) {
  assert(angles_ != nullptr);
  // From |0...0>, a contiguous first stage writes each block's product state itself, in cache,
  // instead of reading it back after a separate writing pass.
  bool fill_first = false;
  if (start_ == Start::Zero) {
    build_product_tables();
    fill_first = !stages_.empty() && !stages_.front().whole_state && stages_.front().layout.contiguous;
    if (!fill_first) write_product_state(sv);
  }
  Real* state = reinterpret_cast<Real*>(sv.data());
  bool reserved = false;
  for (const Stage& s : stages_) {
    if (s.whole_state) {
      apply_gate(sv, circuit_.gates[s.gate], (*angles_)[s.gate]);
      continue;
    }
    const BlockLayout& l = s.layout;
    const u64 block = u64{1} << l.bits;
    const bool alt = needs_alt(s);
    if ((alt || !l.contiguous) && !reserved) {
      scratch_.reserve(block_bits_, 2);
      reserved = true;
    }
    if (l.contiguous) {
      const bool fill = fill_first && &s == &stages_.front();
      core::parallel_blocks(l.num_blocks, sv.size(), [&](u64 b, int thread) {
        Real* p = state + 2 * b * block;
        if (fill) fill_product(p, b * block, block);
        Real* out = run_block(s, p, alt ? scratch_.buffer(thread, 0) : nullptr, b * block);
        if (out != p) std::memcpy(p, out, 2 * block * sizeof(Real));
      });
      continue;
    }
    core::parallel_blocks(l.num_blocks, sv.size(), [&](u64 b, int thread) {
      Real* buf = scratch_.buffer(thread, 0);
      core::gather_block(l, state, b, buf);
      core::scatter_block(l, state, b, run_block(s, buf, scratch_.buffer(thread, 1), l.block_base(b)));
    });
  }
}

template <class Real>
void apply_gate_in_block(Real* p, const BlockLayout& l, const Gate& g, const std::vector<double>& angles,
                         bool inverse) {
  const auto& k = core::simd::kernels<Real>();
  const int bits = l.bits;
  switch (g.kind) {
    case GateKind::I: return;
    case GateKind::X:
    case GateKind::CX:
    case GateKind::CCX:
      k.controlled_x(p, bits, l.local_mask(control_mask(g)), l.local_qubit(g.qubits.back()));
      return;
    case GateKind::Swap:
    case GateKind::CSwap: {
      const std::size_t n = g.qubits.size();
      block_swap(p, bits, l.local_mask(control_mask(g)), l.local_qubit(g.qubits[n - 2]),
                 l.local_qubit(g.qubits[n - 1]));
      return;
    }
    default: break;
  }
  assert(!is_pauli_kind(g.kind) && !is_diagonal_gate(g));  // stage_ops runs these
  const core::Mat2 m0 = target_matrix(g.kind, angles);
  const core::Mat2 m = inverse ? dagger(m0) : m0;
  Real d[8];
  for (int j = 0; j < 4; ++j) {
    d[2 * j] = static_cast<Real>(m[static_cast<std::size_t>(j)].real());
    d[2 * j + 1] = static_cast<Real>(m[static_cast<std::size_t>(j)].imag());
  }
  k.matrix1(p, bits, l.local_mask(control_mask(g)), l.local_qubit(g.qubits.back()), d);
}

template void apply_gate_in_block<double>(double*, const BlockLayout&, const Gate&,
                                          const std::vector<double>&, bool);
template void apply_gate_in_block<float>(float*, const BlockLayout&, const Gate&, const std::vector<double>&,
                                         bool);

template class Program<double>;
template class Program<float>;
}  // namespace vqsim::circuit
