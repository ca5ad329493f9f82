#include "gradient/backward.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <numbers>

#include "circuit/program.hpp"
#include "core/parallel.hpp"
#include "core/simd.hpp"

namespace vqsim::gradient {

using circuit::Gate;
using circuit::GateKind;
using core::cplx;
using u64 = std::uint64_t;

namespace {

u64 qubit_mask(const Gate& g) {
  u64 m = 0;
  for (int q : g.qubits) m |= u64{1} << q;
  return m;
}

cplx cmul(cplx x, cplx y) {
  return {x.real() * y.real() - x.imag() * y.imag(), x.real() * y.imag() + x.imag() * y.real()};
}

// Scaled vector-level rotations per stage stay below this count, so the scale the vectors carry
// (at most sqrt(2) per rotation, squared in the derivatives) stays far from overflow.
template <class Real>
constexpr int kMaxScaledSlots = sizeof(Real) == 4 ? 100 : 1000;

}  // namespace

template <class Real>
Backward<Real>::Backward(const circuit::Circuit& circuit, int block_bits, bool pick_bits,
                         circuit::Start start)
    : circuit_(circuit), block_bits_(block_bits) {
  std::vector<std::size_t> reversed(circuit.gates.size());
  for (std::size_t i = 0; i < reversed.size(); ++i) reversed[i] = reversed.size() - 1 - i;
  // The contraction reads rows of 2^min(n, 12) amplitudes, whole vectors each.
  if (start == circuit::Start::Zero && circuit.num_qubits >= 4) {
    std::vector<std::size_t> rest;
    prefix_ = circuit::product_prefix(circuit, rest);
    reversed.assign(rest.rbegin(), rest.rend());
  }
  std::vector<circuit::StagePlan> plans =
      pick_bits ? circuit::plan_stages(circuit, reversed, block_bits_, block_bits_)
                : circuit::schedule_stages(circuit, reversed, block_bits, circuit::kContiguousBits);
  for (auto& plan : plans) {
    Stage st;
    st.whole_state = plan.whole_state;
    if (st.whole_state) {
      st.gate = plan.gates.front();
    } else {
      st.layout = core::BlockLayout(circuit.num_qubits, plan.qubits);
      build(st, plan.gates);
    }
    stages_.push_back(std::move(st));
  }
  std::size_t offset = 0, id = 0;
  for (Stage& s : stages_)
    for (Op& op : s.ops) {
      op.id = id++;
      op.data = offset;
      if (op.kind == Kind::Rotations) offset += 2 * op.gates.size();
      if (op.kind == Kind::Diagonal) offset += op.diag.table_reals();
    }
  data_.assign(offset, Real(0));
  weight_.assign(id, 1.0);
}

template <class Real>
int Backward<Real>::num_ops() const {
  int n = 0;
  for (const Stage& s : stages_) n += s.whole_state ? 1 : static_cast<int>(s.ops.size());
  return n;
}

template <class Real>
std::uint64_t Backward<Real>::op_mask(const Stage& s, const Op& op) const {
  u64 m = 0;  // diagonals and Z strings may reach qubits outside the block
  for (std::size_t gi : op.gates) m |= qubit_mask(circuit_.gates[gi]) & ~s.layout.outer_mask;
  return s.layout.local_mask(m);
}

template <class Real>
void Backward<Real>::build(Stage& s, const std::vector<std::size_t>& gates) {
  const int lanes = core::simd::kernels<Real>().lanes_log2;
  const int bits = s.layout.bits;
  std::vector<Op>& ops = s.ops;
  // Per local qubit: the last op that touches it, and the last that mixes it (a diagonal may
  // move before ops that are only diagonal on its qubits).
  std::vector<int> last(static_cast<std::size_t>(bits), -1), last_mix(static_cast<std::size_t>(bits), -1);
  auto mark = [&](u64 m, int i, bool mixing) {
    for (; m != 0; m &= m - 1) {
      const auto q = static_cast<std::size_t>(std::countr_zero(m));
      last[q] = std::max(last[q], i);
      if (mixing) last_mix[q] = std::max(last_mix[q], i);
    }
  };
  auto latest_mix = [&](u64 m) {
    int l = -1;
    for (; m != 0; m &= m - 1) l = std::max(l, last_mix[static_cast<std::size_t>(std::countr_zero(m))]);
    return l;
  };
  for (std::size_t gi : gates) {
    const Gate& g = circuit_.gates[gi];
    if (g.kind == GateKind::I) continue;
    const u64 in_block = s.layout.local_mask(qubit_mask(g) & ~s.layout.outer_mask);
    if (circuit::is_diagonal_gate(g)) {  // into the first diagonal after the last op mixing its qubits
      int at = -1;
      for (int i = latest_mix(in_block) + 1; i < static_cast<int>(ops.size()) && at < 0; ++i)
        if (ops[static_cast<std::size_t>(i)].kind == Kind::Diagonal) at = i;
      if (at < 0) {
        ops.push_back(Op{});
        ops.back().kind = Kind::Diagonal;
        at = static_cast<int>(ops.size()) - 1;
      }
      ops[static_cast<std::size_t>(at)].diag.add(g, gi);
      ops[static_cast<std::size_t>(at)].gates.push_back(gi);
      mark(in_block, at, false);
      continue;
    }
    if (circuit::is_pauli_kind(g.kind)) {  // joins the previous op if that is a family that takes it
      if (ops.empty() || ops.back().kind != Kind::Family || !ops.back().family.accepts(g, s.layout)) {
        ops.push_back(Op{});
        ops.back().kind = Kind::Family;
      }
      ops.back().family.add(g, gi, s.layout);
      ops.back().gates.push_back(gi);
      const u64 x = s.layout.local_mask(circuit::pauli_masks(g).x_mask);
      mark(x, static_cast<int>(ops.size()) - 1, true);
      mark(in_block & ~x, static_cast<int>(ops.size()) - 1, false);
      continue;
    }
    const u64 local = in_block;  // every qubit of the remaining kinds is in the block
    // RY on any qubit and RX on vector-level qubits go into register tiles of their own axis.
    const bool x_axis = g.kind == GateKind::RX;
    if ((g.kind == GateKind::RY || (x_axis && std::countr_zero(local) >= lanes)) && bits >= lanes + 3) {
      const int q = std::countr_zero(local);
      const bool lane = q < lanes;
      int at = -1;
      for (int i = last[static_cast<std::size_t>(q)] + 1; i < static_cast<int>(ops.size()) && at < 0; ++i) {
        const Op& op = ops[static_cast<std::size_t>(i)];
        if (op.kind != Kind::Rotations || op.x_axis != x_axis) continue;
        if (std::find(op.qubits.begin(), op.qubits.end(), q) != op.qubits.end()) continue;
        const int lane_slots = static_cast<int>(op.qubits.size()) - op.k;
        if (lane ? lane_slots < 3 : op.k < 3) at = i;
      }
      if (at < 0) {
        ops.push_back(Op{});
        ops.back().kind = Kind::Rotations;
        ops.back().x_axis = x_axis;
        at = static_cast<int>(ops.size()) - 1;
      }
      Op& op = ops[static_cast<std::size_t>(at)];
      if (lane) {
        op.gates.push_back(gi);
        op.qubits.push_back(q);
      } else {  // vector-level slots stay sorted, before the lane slots
        std::size_t pos = 0;
        while (static_cast<int>(pos) < op.k && op.qubits[pos] < q) ++pos;
        op.gates.insert(op.gates.begin() + static_cast<std::ptrdiff_t>(pos), gi);
        op.qubits.insert(op.qubits.begin() + static_cast<std::ptrdiff_t>(pos), q);
        ++op.k;
      }
      mark(local, at, true);
      continue;
    }
    const bool cx = g.kind == GateKind::X || g.kind == GateKind::CX;
    if (cx && bits - lanes >= 2) {
      if (ops.empty() || ops.back().kind != Kind::Permutation) {
        ops.push_back(Op{});
        ops.back().kind = Kind::Permutation;
      }
      ops.back().gates.push_back(gi);
      mark(local, static_cast<int>(ops.size()) - 1, true);
      continue;
    }
    ops.push_back(Op{});
    ops.back().gates.push_back(gi);
    mark(local, static_cast<int>(ops.size()) - 1, true);
  }
  for (Op& op : ops)
    if (op.kind == Kind::Diagonal) op.diag.plan(s.layout);
  // Permutation tables (the gates are already in un-apply order; X and CX are their own inverses).
  // A run on the lane qubits whose map permute_lanes cannot take goes gate by gate.
  std::vector<Op> built;
  for (Op& op : ops) {
    if (op.kind != Kind::Permutation) {
      built.push_back(std::move(op));
      continue;
    }
    if (op.gates.size() == 1) {
      op.kind = Kind::Gate;
      built.push_back(std::move(op));
      continue;
    }
    std::vector<std::pair<u64, int>> steps;  // (control mask, target) in local bits
    for (std::size_t gi : op.gates) {
      const Gate& g = circuit_.gates[gi];
      steps.emplace_back(s.layout.local_mask(circuit::control_mask(g)),
                         s.layout.local_qubit(g.qubits.back()));
    }
    if (!op.perm.build(steps, bits, lanes)) {
      for (std::size_t gi : op.gates) {
        built.push_back(Op{});
        built.back().gates.push_back(gi);
      }
      continue;
    }
    ++s.permutations;
    built.push_back(std::move(op));
  }
  ops = std::move(built);
  // Scaled rotations up to the cap; the dropped factors are restored by the first diagonal, or
  // by the last rotation tile run unscaled.
  int scaled = 0, last_scaled = -1;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    Op& op = ops[i];
    if (op.kind == Kind::Diagonal && s.sink < 0) s.sink = static_cast<int>(i);
    if (op.kind != Kind::Rotations) continue;
    op.scaled = op.k > 0 && scaled + op.k <= kMaxScaledSlots<Real>;
    if (op.scaled) {
      scaled += op.k;
      last_scaled = static_cast<int>(i);
    }
  }
  if (last_scaled >= 0 && s.sink < 0) {
    ops[static_cast<std::size_t>(last_scaled)].scaled = false;
    s.sink = last_scaled;
  }
  if (last_scaled < 0) s.sink = -1;
}

template <class Real>
void Backward<Real>::refill(const circuit::AngleTable& angles) {
  angles_ = &angles;
  prefix_derivatives_.clear();
  circuit::prefix_factors(circuit_, prefix_, angles, phi_);
  for (std::size_t q = 0; q < prefix_.size(); ++q) {
    const std::vector<std::size_t>& gs = prefix_[q];
    for (std::size_t k = 0; k < gs.size(); ++k) {
      const circuit::Gate& g = circuit_.gates[gs[k]];
      for (std::size_t j = 0; j < g.angles.size(); ++j) {
        if (g.angles[j].is_constant()) continue;
        core::Mat2 d = circuit::target_matrix_derivative(g.kind, angles[gs[k]], static_cast<int>(j));
        for (std::size_t i = 0; i < k; ++i)
          d = circuit::mat2_product(d, circuit::target_matrix(circuit_.gates[gs[i]].kind, angles[gs[i]]));
        for (std::size_t i = k + 1; i < gs.size(); ++i)
          d = circuit::mat2_product(circuit::target_matrix(circuit_.gates[gs[i]].kind, angles[gs[i]]), d);
        prefix_derivatives_.push_back({gs[k], static_cast<int>(j), static_cast<int>(q), d[0], d[2]});
      }
    }
  }
  for (Stage& s : stages_) {
    if (s.whole_state) continue;
    const int bits = s.layout.bits, rb = std::min(bits, 8);
    std::vector<double>& factor = factors_;  // scaled ops: the product of dropped factors
    factor.assign(s.ops.size(), 1.0);
    double total = 1.0;
    for (std::size_t i = 0; i < s.ops.size(); ++i) {
      Op& op = s.ops[i];
      Real* d = data_.data() + op.data;
      if (op.kind == Kind::Rotations) {
        for (std::size_t j = 0; j < op.gates.size(); ++j) {
          const double theta = angles[op.gates[j]][0];
          const double c = std::cos(theta / 2), sn = -std::sin(theta / 2);  // the inverse rotation
          if (op.scaled && static_cast<int>(j) < op.k) {
            const bool mode_u = std::abs(sn) > std::abs(c);
            d[2 * j] = static_cast<Real>(mode_u ? c / sn : sn / c);
            d[2 * j + 1] = mode_u ? Real(1) : Real(0);
            factor[i] *= mode_u ? sn : c;
          } else {
            d[2 * j] = static_cast<Real>(c);
            d[2 * j + 1] = static_cast<Real>(sn);
          }
        }
        total *= factor[i];
      } else if (op.kind == Kind::Diagonal) {
        op.diag.refill(angles, true, 1.0, d);
      } else if (op.kind == Kind::Family) {
        op.family.refill(angles, true);
      }
    }
    // The sink multiplies both vectors by `total`, undoing every scaled op's 1 / factor.
    if (s.sink >= 0) {
      const Op& op = s.ops[static_cast<std::size_t>(s.sink)];
      Real* d = data_.data() + op.data;
      if (op.kind == Kind::Diagonal) {
        const std::size_t begin = std::size_t{4} << rb, count = std::size_t{2} << (bits - rb);
        for (std::size_t x = begin; x < begin + count; ++x) d[x] = static_cast<Real>(d[x] * total);
      } else {
        d[0] = static_cast<Real>(d[0] * total);
        d[1] = static_cast<Real>(d[1] * total);
      }
    }
    // Derivatives read from vectors carrying a scale F are F^2 too large.
    double f = 1.0;
    for (std::size_t i = 0; i < s.ops.size(); ++i) {
      const Op& op = s.ops[i];
      weight_[op.id] = 1.0 / (f * f);
      if (op.kind == Kind::Rotations && op.scaled) f /= factor[i];
      if (static_cast<int>(i) == s.sink) f *= total;
    }
  }
}

template <class Real>
void Backward<Real>::add(std::size_t gate, int angle, double value, double* grad) const {
  for (const auto& [p, coef] : circuit_.gates[gate].angles[static_cast<std::size_t>(angle)].terms)
    grad[p] += 2.0 * coef * value;
}

// The general adjoint step of one gate on a block (derivative taken before or after un-applying,
// whichever its form needs), with the derivative weighted for the scale the vectors carry.
template <class Real>
void Backward<Real>::gate_step(const core::BlockLayout& l, Real* p, Real* q, std::size_t k, double weight,
                               double* grad) const {
  const auto& kern = core::simd::kernels<Real>();
  const auto& g = circuit_.gates[k];
  const auto& a = (*angles_)[k];
  if (!g.is_parameterised()) {
    circuit::apply_gate_in_block(p, l, g, a, true);
    circuit::apply_gate_in_block(q, l, g, a, true);
    return;
  }
  double re[3] = {0, 0, 0};
  {
    const core::Mat2 u = circuit::target_matrix(g.kind, a);
    const core::Mat2 ud = circuit::dagger(u);
    Real udag[8], m[24];
    int num_m = 0;
    int which[3] = {0, 0, 0};
    for (int j = 0; j < 4; ++j) {
      udag[2 * j] = static_cast<Real>(ud[static_cast<std::size_t>(j)].real());
      udag[2 * j + 1] = static_cast<Real>(ud[static_cast<std::size_t>(j)].imag());
    }
    for (std::size_t j = 0; j < g.angles.size(); ++j) {
      if (g.angles[j].is_constant()) continue;
      const core::Mat2 dm = circuit::target_matrix_derivative(g.kind, a, static_cast<int>(j));
      const core::Mat2 mj = circuit::mat2_product(dm, ud);
      for (int e = 0; e < 4; ++e) {
        m[8 * num_m + 2 * e] = static_cast<Real>(mj[static_cast<std::size_t>(e)].real());
        m[8 * num_m + 2 * e + 1] = static_cast<Real>(mj[static_cast<std::size_t>(e)].imag());
      }
      which[num_m++] = static_cast<int>(j);
    }
    double acc[3] = {0, 0, 0};
    kern.adjoint_matrix1(p, q, l.bits, l.local_mask(circuit::control_mask(g)), l.local_qubit(g.qubits.back()),
                         udag, m, num_m, acc);
    for (int j = 0; j < num_m; ++j) re[which[j]] = acc[j];
  }
  for (std::size_t j = 0; j < g.angles.size(); ++j) add(k, static_cast<int>(j), re[j] * weight, grad);
}

// A gate wider than a block: the reference step on the whole state.
template <class Real>
void Backward<Real>::whole_state_step(std::size_t k, core::StateVector<Real>& psi,
                                      core::StateVector<Real>& lam, std::vector<double>& gradient) const {
  const auto& g = circuit_.gates[k];
  const auto& a = (*angles_)[k];
  std::array<cplx, 3> d{};
  if (g.is_parameterised()) {
    if (circuit::is_pauli_kind(g.kind)) {
      d[0] = cplx(0, -0.5) * core::pauli_element(lam, psi, circuit::pauli_masks(g));
      circuit::apply_gate(psi, g, a, true);
    } else {
      circuit::apply_gate(psi, g, a, true);
      const u64 cmask = circuit::control_mask(g);
      for (std::size_t j = 0; j < g.angles.size(); ++j) {
        if (g.angles[j].is_constant()) continue;
        const core::Mat2 dm = circuit::target_matrix_derivative(g.kind, a, static_cast<int>(j));
        d[j] = core::controlled_matrix1_element(lam, psi, cmask, g.qubits.back(), dm);
      }
    }
    for (std::size_t j = 0; j < g.angles.size(); ++j)
      add(k, static_cast<int>(j), d[j].real(), gradient.data());
  } else {
    circuit::apply_gate(psi, g, a, true);
  }
  circuit::apply_gate(lam, g, a, true);
}

namespace {
// Per-thread scratch for a block's diagonal sums and per-block numbers (a few KiB).
double* step_scratch(std::size_t doubles) {
  thread_local std::vector<double> buffer;
  if (buffer.size() < doubles) buffer.resize(doubles);
  return buffer.data();
}
}  // namespace

template <class Real>
std::pair<Real*, Real*> Backward<Real>::run_block(const Stage& s, Real* p, Real* q, Real* free, Real* free_q,
                                                  std::uint64_t base, double* grad) const {
  const auto& kern = core::simd::kernels<Real>();
  const int bits = s.layout.bits, rb = std::min(bits, 8);
  for (const Op& op : s.ops) {
    const Real* d = data_.data() + op.data;
    const double weight = weight_[op.id];
    auto add_value = [&](std::size_t gate, double value) { add(gate, 0, value * weight, grad); };
    switch (op.kind) {
      case Kind::Gate: gate_step(s.layout, p, q, op.gates.front(), weight, grad); break;
      case Kind::Permutation: {
        op.perm.apply(p, free, bits);
        std::swap(p, free);
        Real*& fq = free_q != nullptr ? free_q : free;
        op.perm.apply(q, fq, bits);
        std::swap(q, fq);
        break;
      }
      case Kind::Rotations: {
        const Real* coef[3] = {};
        const Real* lane_cs[3] = {};
        int tq[3] = {}, lq[3] = {};
        const int nl = static_cast<int>(op.gates.size()) - op.k;
        for (int j = 0; j < op.k; ++j) {
          coef[j] = d + 2 * j;
          tq[j] = op.qubits[static_cast<std::size_t>(j)];
        }
        for (int j = 0; j < nl; ++j) {
          lane_cs[j] = d + 2 * (op.k + j);
          lq[j] = op.qubits[static_cast<std::size_t>(op.k + j)];
        }
        double acc[6] = {0, 0, 0, 0, 0, 0};
        if (op.x_axis)
          kern.adjoint_xrotations(p, q, bits, op.k, tq, coef, op.scaled, acc);
        else
          kern.adjoint_rotations(p, q, bits, op.k, tq, coef, nl, lq, lane_cs, op.scaled, acc);
        // acc = 2 Re<lam| -i/2 G |psi> (G = Y or X); add() doubles its value, as dE/dangle =
        // 2 Re<lam|dU U^+|psi>.
        for (std::size_t j = 0; j < op.gates.size(); ++j) add(op.gates[j], 0, 0.5 * acc[j] * weight, grad);
        break;
      }
      case Kind::Diagonal: {
        // The sums by column, by row and per RowPhase term, then the block's RowPhase numbers.
        const std::size_t columns = std::size_t{1} << rb, rows = std::size_t{1} << (bits - rb);
        const auto terms = static_cast<std::size_t>(op.diag.num_row_terms());
        double* wrow = step_scratch(columns + rows + terms + op.diag.row_phase_doubles());
        double* whigh = wrow + columns;
        double* wterm = whigh + rows;
        std::fill(wrow, wrow + columns + rows + terms, 0.0);
        if (op.diag.has_row_phase())
          kern.adjoint_diagonal_phase(p, q, bits, d, d + (std::size_t{4} << rb),
                                      op.diag.row_phase(base, wterm + terms), wrow, whigh, wterm);
        else
          kern.adjoint_diagonal(p, q, bits, d, d + (std::size_t{4} << rb), wrow, whigh);
        op.diag.derivatives(base, wrow, whigh, wterm, add_value);
        break;
      }
      case Kind::Family: {
        const circuit::PauliFamily& f = op.family;
        const std::size_t patterns = f.table_doubles() / 2;
        double* g = step_scratch(patterns + f.table_doubles());
        std::fill(g, g + patterns, 0.0);
        kern.adjoint_pauli_family(p, q, bits, f.x_local(), f.z_local(), f.pattern_mask(),
                                  f.table(base, g + patterns), f.sigma_y(), g);
        f.derivatives(base, g, add_value);
        break;
      }
    }
  }
  return {p, q};
}

template <class Real>
double Backward<Real>::run(core::StateVector<Real>& psi, core::StateVector<Real>& lam,
                           std::vector<double>& gradient) {
  const std::size_t num_params = gradient.size();
  stride_ = (num_params + 7) / 8 * 8 + 8;  // padded: no false sharing
  // One gradient and one energy part per slot of the blocked stages' splits (core/parallel.hpp),
  // added in slot order at the end: the same sums every run, whichever thread ran which blocks.
  std::size_t slots = 1;
  for (const Stage& st : stages_)
    if (!st.whole_state)
      slots = std::max<std::size_t>(slots, core::block_split(st.layout.num_blocks, psi.size()).slots);
  if (slot_gradients_.size() < stride_ * slots) slot_gradients_.resize(stride_ * slots);
  std::fill(slot_gradients_.begin(), slot_gradients_.end(), 0.0);
  // Three block buffers per thread (psi's, lambda's and a free one that permutations rotate
  // through): at 2^14 double amplitudes that is 768 KiB, inside a 1 MiB L2; a fourth pushes
  // them out of it. A contiguous stage works in the state itself and must end there: with an
  // even number of permutations but not a multiple of three, a free buffer for each vector
  // brings both home without copies, so that stage takes the fourth.
  scratch_.reserve(block_bits_, 4);
  Real* ps = reinterpret_cast<Real*>(psi.data());
  Real* ls = reinterpret_cast<Real*>(lam.data());
  // Re<psi|lam> from the first stage's blocks (each amplitude in exactly one), before any op.
  const auto& kern = core::simd::kernels<Real>();
  const bool first_blocked = !stages_.empty() && !stages_.front().whole_state;
  energy_parts_.assign(8 * slots, 0.0);  // padded: no false sharing
  if (!first_blocked) energy_parts_[0] = kern.dot(ps, ls, 2 * psi.size());
  for (const Stage& st : stages_) {
    if (st.whole_state) {
      whole_state_step(st.gate, psi, lam, gradient);
      continue;
    }
    const core::BlockLayout& l = st.layout;
    const std::size_t block_reals = std::size_t{2} << l.bits;
    core::parallel_blocks_slotted(l.num_blocks, psi.size(), [&](u64 b, u64 slot, int t) {
      double* grad = slot_gradients_.data() + stride_ * slot;
      Real* spare = scratch_.buffer(t, 2);
      if (l.contiguous) {
        Real* p = ps + block_reals * b;
        Real* q = ls + block_reals * b;
        if (&st == &stages_.front()) energy_parts_[8 * slot] += kern.dot(p, q, block_reals);
        const bool two = st.permutations % 2 == 0 && st.permutations % 3 != 0;
        auto [po, qo] =
            run_block(st, p, q, spare, two ? scratch_.buffer(t, 3) : nullptr, b * (u64{1} << l.bits), grad);
        const std::size_t bytes = block_reals * sizeof(Real);
        // Home again; lambda first when it sits in psi's block.
        if (po == q && qo == p) {  // swapped: lambda through the spare buffer
          std::memcpy(spare, qo, bytes);
          qo = spare;
        }
        if (qo == p) {
          std::memcpy(q, qo, bytes);
          qo = q;
        }
        if (po != p) std::memcpy(p, po, bytes);
        if (qo != q) std::memcpy(q, qo, bytes);
        return;
      }
      Real* p = scratch_.buffer(t, 0);
      Real* q = scratch_.buffer(t, 1);
      core::gather_block(l, ps, b, p);
      core::gather_block(l, static_cast<const Real*>(ls), b, q);
      if (&st == &stages_.front()) energy_parts_[8 * slot] += kern.dot(p, q, block_reals);
      const auto [po, qo] = run_block(st, p, q, spare, nullptr, l.block_base(b), grad);
      core::scatter_block(l, ps, b, po);
      core::scatter_block(l, ls, b, qo);
    });
  }
  for (std::size_t s = 0; s < slots; ++s)
    for (std::size_t i = 0; i < num_params; ++i) gradient[i] += slot_gradients_[stride_ * s + i];
  if (!prefix_derivatives_.empty()) prefix_gradient(lam, gradient);
  double energy = 0.0;
  for (std::size_t s = 0; s < slots; ++s) energy += energy_parts_[8 * s];
  return energy;
}

// lambda_0 is lambda with every gate after the prefix un-applied; the prefix makes the product
// state Phi = (x) phi_q, and a prefix gate's derivative replaces phi_q by d_q, so
// dE/dangle = 2 Re <lambda_0| Phi with phi_q -> d_q> = 2 Re sum_b d_q(b) T_q(b), where
// T_q(b) = sum over x with x_q = b of conj(lambda_0(x)) prod_{p != q} phi_p(x_p). With
// x = (h, l), l the low min(n, 12) qubits, one read of lambda gives
// A(l) = sum_h conj(lambda(h, l)) High(h) and B(h) = sum_l conj(lambda(h, l)) Low(l) (High, Low
// the product state's factors over the high and low qubits); T_q of a low qubit is then a sum
// over l of A times Low without phi_q, of a high qubit a sum over h of B times High without it.
template <class Real>
void Backward<Real>::prefix_gradient(const core::StateVector<Real>& lam, std::vector<double>& gradient) {
  const auto& kern = core::simd::kernels<Real>();
  const int n = circuit_.num_qubits, lb = std::min(n, 12);
  const std::size_t row = std::size_t{1} << lb, rows = std::size_t{1} << (n - lb);
  // Product tables over qubits [from, to), with qubit `skip` given the factor (s0, s1).
  std::vector<cplx> factors;
  auto table = [&](std::vector<cplx>& t, int from, int to, int skip, cplx s0, cplx s1) {
    factors = phi_;
    if (skip >= 0) {
      factors[2 * static_cast<std::size_t>(skip)] = s0;
      factors[2 * static_cast<std::size_t>(skip) + 1] = s1;
    }
    circuit::product_table(factors, from, to, t);
  };
  std::vector<cplx> low, high;
  table(low, 0, lb, -1, 0, 0);
  table(high, lb, n, -1, 0, 0);
  // The rows split as the blocked passes split blocks; a_re, a_im per slot of the split, added in
  // slot order.
  const auto slots = static_cast<std::size_t>(core::block_split(rows, lam.size()).slots);
  const std::size_t per = 4 * row;
  contraction_.assign(per * slots + 4 * row + 2 * rows, Real(0));
  Real* low_re = contraction_.data() + per * slots;
  Real* low_im = low_re + 2 * row;
  Real* high_c = low_im + 2 * row;
  for (std::size_t l = 0; l < row; ++l) {
    low_re[2 * l] = low_re[2 * l + 1] = static_cast<Real>(low[l].real());
    low_im[2 * l] = low_im[2 * l + 1] = static_cast<Real>(low[l].imag());
  }
  for (std::size_t h = 0; h < rows; ++h) {
    high_c[2 * h] = static_cast<Real>(high[h].real());
    high_c[2 * h + 1] = static_cast<Real>(high[h].imag());
  }
  rows_.assign(2 * rows, 0.0);
  const Real* p = reinterpret_cast<const Real*>(lam.data());
  core::parallel_ranges_slotted(rows, lam.size(), 1, [&](u64 begin, u64 end, u64 slot, int) {
    Real* a = contraction_.data() + per * slot;
    kern.contract_rows(p, lb, begin, end, high_c, low_re, low_im, a, a + 2 * row, rows_.data());
  });
  std::vector<cplx> a_sum(row, cplx(0, 0)), b(rows);
  for (std::size_t s = 0; s < slots; ++s) {
    const Real* a = contraction_.data() + per * s;
    for (std::size_t l = 0; l < row; ++l)
      a_sum[l] += cplx(static_cast<double>(a[2 * l]) + static_cast<double>(a[2 * row + 2 * l + 1]),
                       static_cast<double>(a[2 * row + 2 * l]) - static_cast<double>(a[2 * l + 1]));
  }
  for (std::size_t h = 0; h < rows; ++h) b[h] = cplx(rows_[2 * h], rows_[2 * h + 1]);
  // T_q(b) per qubit with a derivative, then every derivative of that qubit.
  std::vector<cplx> t0, t1;
  int done = -1;
  cplx tq[2];
  for (const PrefixDerivative& pd : prefix_derivatives_) {
    if (pd.qubit != done) {
      const bool is_low = pd.qubit < lb;
      const std::vector<cplx>& sums = is_low ? a_sum : b;
      table(t0, is_low ? 0 : lb, is_low ? lb : n, pd.qubit, 1, 0);
      table(t1, is_low ? 0 : lb, is_low ? lb : n, pd.qubit, 0, 1);
      tq[0] = tq[1] = 0;
      for (std::size_t i = 0; i < sums.size(); ++i) {
        tq[0] += cmul(sums[i], t0[i]);
        tq[1] += cmul(sums[i], t1[i]);
      }
      done = pd.qubit;
    }
    add(pd.gate, pd.angle, (cmul(pd.d0, tq[0]) + cmul(pd.d1, tq[1])).real(), gradient.data());
  }
}

template class Backward<double>;
template class Backward<float>;

}  // namespace vqsim::gradient
