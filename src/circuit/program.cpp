#include "circuit/program.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstring>

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

// Controlled one-qubit kinds run by the matrix kernel on the control subspace.
bool is_controlled_matrix(GateKind k) {
  switch (k) {
    case GateKind::CY:
    case GateKind::CH:
    case GateKind::CRX:
    case GateKind::CRY:
    case GateKind::CU3: return true;
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

// Scalar block versions of the gates the vector kernels leave out (swaps, non-diagonal Pauli
// rotations, diagonals straddling the table split). All masks are local to the block.
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

template <class Real>
void block_pauli_rotation(Real* p, int bits, const core::PauliMasks& pm, double theta) {
  const double c = std::cos(theta / 2), s = std::sin(theta / 2);
  const cplx f = cmul(cplx(0, -s), core::i_power(pm.y_count));
  const u64 n = u64{1} << bits;
  const u64 top = u64{1} << (63 - std::countl_zero(pm.x_mask));
  for (u64 x = 0; x < n; ++x) {
    if (x & top) continue;
    const u64 y = x ^ pm.x_mask;
    const double sy = core::parity_sign(y & pm.z_mask), sx = core::parity_sign(x & pm.z_mask);
    const double axr = static_cast<double>(p[2 * x]), axi = static_cast<double>(p[2 * x + 1]);
    const double ayr = static_cast<double>(p[2 * y]), ayi = static_cast<double>(p[2 * y + 1]);
    const double fxr = f.real() * sy, fxi = f.imag() * sy, fyr = f.real() * sx, fyi = f.imag() * sx;
    p[2 * x] = static_cast<Real>(c * axr + fxr * ayr - fxi * ayi);
    p[2 * x + 1] = static_cast<Real>(c * axi + fxr * ayi + fxi * ayr);
    p[2 * y] = static_cast<Real>(c * ayr + fyr * axr - fyi * axi);
    p[2 * y + 1] = static_cast<Real>(c * ayi + fyr * axi + fyi * axr);
  }
}

template <class Real>
void block_diagonal_gate(Real* p, int bits, const std::vector<int>& local, const std::vector<cplx>& phases) {
  const u64 n = u64{1} << bits;
  for (u64 x = 0; x < n; ++x) {
    std::size_t k = 0;
    for (std::size_t j = 0; j < local.size(); ++j) k |= ((x >> local[j]) & 1) << j;
    const cplx ph = phases[k];
    const double ar = static_cast<double>(p[2 * x]), ai = static_cast<double>(p[2 * x + 1]);
    p[2 * x] = static_cast<Real>(ar * ph.real() - ai * ph.imag());
    p[2 * x + 1] = static_cast<Real>(ar * ph.imag() + ai * ph.real());
  }
}

core::PauliMasks local_pauli(const Gate& g, const BlockLayout& l) {
  core::PauliMasks pm = pauli_masks(g);
  return {l.local_mask(pm.x_mask), l.local_mask(pm.z_mask), pm.y_count};
}

}  // namespace

bool is_diagonal_gate(const Gate& g) {
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
    case GateKind::RZZ: return true;
    case GateKind::PauliRotation: return pauli_masks(g).x_mask == 0;
    default: return false;
  }
}

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

template <>
int default_block_bits<double>(int vectors) {
  return vectors > 1 ? 14 : 15;
}
template <>
int default_block_bits<float>(int vectors) {
  return vectors > 1 ? 15 : 16;
}

std::vector<StagePlan> schedule_stages(const Circuit& c, const std::vector<std::size_t>& order,
                                       int block_bits, int contiguous_bits) {
  const int n = c.num_qubits;
  const int kb = std::min(block_bits, n);
  const int cb = std::min(contiguous_bits, kb);
  const u64 low = (u64{1} << cb) - 1;
  std::vector<StagePlan> stages;
  std::vector<std::size_t> remaining = order, rest;
  while (!remaining.empty()) {
    u64 used = low, blocked = 0;
    StagePlan stage;
    rest.clear();
    for (std::size_t gi : remaining) {
      const u64 qm = qubit_mask(c.gates[gi]);
      if ((qm & blocked) == 0 && std::popcount(used | qm) <= kb) {
        used |= qm;
        stage.gates.push_back(gi);
      } else {
        rest.push_back(gi);
        blocked |= qm;
      }
    }
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

template <class Real>
Program<Real>::Program(const Circuit& circuit, int block_bits, bool fuse)
    : circuit_(circuit), block_bits_(block_bits > 0 ? block_bits : default_block_bits<Real>()) {
  // Small registers run as one block on one thread: no gathers, no thread start-up.
  if (block_bits <= 0 && circuit.num_qubits <= kSingleBlockQubits)
    block_bits_ = std::max(1, circuit.num_qubits);
  std::vector<std::size_t> order(circuit.gates.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (StagePlan& plan : schedule_stages(circuit, order, block_bits_, 4)) {
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
        case OpKind::Diagonal: {
          const int rb = std::min(s.layout.bits, 8);
          offset += (std::size_t{4} << rb) + (std::size_t{2} << (s.layout.bits - rb));
          break;
        }
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
  Op diag{OpKind::Diagonal, 0, 0, {}, {}, 0};
  u64 diag_mask = 0;
  const int rb = std::min(l.bits, 8);
  auto invalidate = [&](u64 local) {
    for (; local != 0; local &= local - 1)
      last_one_qubit[static_cast<std::size_t>(std::countr_zero(local))] = -1;
  };
  auto flush_diag = [&] {
    if (diag.diag.empty()) return;
    std::vector<DiagTerm> straddling;
    Op merged{OpKind::Diagonal, 0, 0, {}, {}, 0};
    for (DiagTerm& t : diag.diag) (t.group < 0 ? straddling : merged.diag).push_back(t);
    if (!merged.diag.empty()) s.ops.push_back(std::move(merged));
    for (DiagTerm& t : straddling) s.ops.push_back({OpKind::Generic, 0, 0, {t.gate}, {}, 0});
    invalidate(diag_mask);
    diag = Op{OpKind::Diagonal, 0, 0, {}, {}, 0};
    diag_mask = 0;
  };
  for (std::size_t gi : gates) {
    const Gate& g = circuit_.gates[gi];
    const u64 local = l.local_mask(qubit_mask(g));
    if (g.kind == GateKind::I) continue;
    if (fuse && is_diagonal_gate(g)) {
      DiagTerm t{gi, {}, 0};
      for (int q : g.qubits) t.local.push_back(l.local_qubit(q));
      const bool low = std::all_of(t.local.begin(), t.local.end(), [&](int q) { return q < rb; });
      const bool high = std::all_of(t.local.begin(), t.local.end(), [&](int q) { return q >= rb; });
      t.group = low ? 0 : high ? 1 : -1;
      diag.diag.push_back(std::move(t));
      diag_mask |= local;
      continue;
    }
    if (local & diag_mask) flush_diag();
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
          {is_real_one_qubit(g.kind) ? OpKind::RealMatrix1 : OpKind::Matrix1, target, 0, {gi}, {}, 0});
      last = static_cast<int>(s.ops.size()) - 1;
      continue;
    }
    invalidate(local);
    switch (g.kind) {
      case GateKind::X:
      case GateKind::CX:
      case GateKind::CCX:
        s.ops.push_back({OpKind::ControlledX, target, l.local_mask(control_mask(g)), {gi}, {}, 0});
        break;
      default:
        if (is_fusable_one_qubit(g.kind) || is_controlled_matrix(g.kind) ||
            (!is_pauli_kind(g.kind) && g.kind != GateKind::Swap && g.kind != GateKind::CSwap))
          s.ops.push_back({OpKind::Matrix1, target, l.local_mask(control_mask(g)), {gi}, {}, 0});
        else
          s.ops.push_back({OpKind::Generic, 0, 0, {gi}, {}, 0});
        break;
    }
  }
  flush_diag();
}

template <class Real>
void Program<Real>::refill(const AngleTable& angles) {
  angles_ = &angles;
  std::vector<cplx> phases, row, high;
  for (const Stage& s : stages_) {
    for (const Op& op : s.ops) {
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
        case OpKind::Diagonal: {
          const int bits = s.layout.bits, rb = std::min(bits, 8);
          const std::size_t row_len = std::size_t{1} << rb, rows = std::size_t{1} << (bits - rb);
          row.assign(row_len, cplx(1, 0));
          high.assign(rows, cplx(1, 0));
          for (const DiagTerm& t : op.diag) {
            diagonal_phases(circuit_.gates[t.gate], angles[t.gate], phases);
            auto& table = t.group == 0 ? row : high;
            const int shift = t.group == 0 ? 0 : rb;
            for (std::size_t x = 0; x < table.size(); ++x) {
              std::size_t k = 0;
              for (std::size_t j = 0; j < t.local.size(); ++j) k |= ((x >> (t.local[j] - shift)) & 1) << j;
              table[x] = cmul(table[x], phases[k]);
            }
          }
          for (std::size_t x = 0; x < row_len; ++x) {
            d[2 * x] = d[2 * x + 1] = static_cast<Real>(row[x].real());
            d[2 * row_len + 2 * x] = static_cast<Real>(-row[x].imag());
            d[2 * row_len + 2 * x + 1] = static_cast<Real>(row[x].imag());
          }
          Real* h = d + 4 * row_len;
          for (std::size_t x = 0; x < rows; ++x) {
            h[2 * x] = static_cast<Real>(high[x].real());
            h[2 * x + 1] = static_cast<Real>(high[x].imag());
          }
          break;
        }
        default: break;
      }
    }
  }
}

template <class Real>
void Program<Real>::run_block(const Stage& s, Real* p, std::uint64_t /*base*/) const {
  const auto& k = core::simd::kernels<Real>();
  const int bits = s.layout.bits;
  for (const Op& op : s.ops) {
    const Real* d = data_.data() + op.data;
    switch (op.kind) {
      case OpKind::Matrix1: k.matrix1(p, bits, op.cmask, op.target, d); break;
      case OpKind::RealMatrix1: k.real_matrix1(p, bits, op.target, d); break;
      case OpKind::Diagonal: {
        const int rb = std::min(bits, 8);
        k.diagonal(p, bits, d, d + (std::size_t{4} << rb));
        break;
      }
      case OpKind::ControlledX: k.controlled_x(p, bits, op.cmask, op.target); break;
      case OpKind::Generic: {
        const Gate& g = circuit_.gates[op.gates.front()];
        const auto& a = (*angles_)[op.gates.front()];
        if (is_diagonal_gate(g)) {
          std::vector<cplx> phases;
          diagonal_phases(g, a, phases);
          std::vector<int> local;
          for (int q : g.qubits) local.push_back(s.layout.local_qubit(q));
          block_diagonal_gate(p, bits, local, phases);
        } else if (g.kind == GateKind::Swap || g.kind == GateKind::CSwap) {
          const std::size_t n = g.qubits.size();
          block_swap(p, bits, s.layout.local_mask(control_mask(g)), s.layout.local_qubit(g.qubits[n - 2]),
                     s.layout.local_qubit(g.qubits[n - 1]));
        } else {
          block_pauli_rotation(p, bits, local_pauli(g, s.layout), a[0]);
        }
        break;
      }
    }
  }
}

template <class Real>
void Program<Real>::run(core::StateVector<Real>& sv) {
  assert(angles_ != nullptr);
  Real* state = reinterpret_cast<Real*>(sv.data());
  bool reserved = false;
  for (const Stage& s : stages_) {
    if (s.whole_state) {
      apply_gate(sv, circuit_.gates[s.gate], (*angles_)[s.gate]);
      continue;
    }
    const BlockLayout& l = s.layout;
    const u64 block = u64{1} << l.bits;
    if (l.contiguous) {
      core::parallel_blocks(l.num_blocks, sv.size(),
                            [&](u64 b, int) { run_block(s, state + 2 * b * block, b * block); });
      continue;
    }
    if (!reserved) {
      scratch_.reserve(block_bits_, 1);
      reserved = true;
    }
    core::parallel_blocks(l.num_blocks, sv.size(), [&](u64 b, int thread) {
      Real* buf = scratch_.buffer(thread, 0);
      core::gather_block(l, state, b, buf);
      run_block(s, buf, 0);
      core::scatter_block(l, state, b, buf);
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
  if (is_pauli_kind(g.kind)) {
    const double a = inverse ? -angles[0] : angles[0];
    if (is_diagonal_gate(g)) {
      std::vector<cplx> phases;
      diagonal_phases(g, {a}, phases);
      std::vector<int> local;
      for (int q : g.qubits) local.push_back(l.local_qubit(q));
      block_diagonal_gate(p, bits, local, phases);
    } else {
      block_pauli_rotation(p, bits, local_pauli(g, l), a);
    }
    return;
  }
  const core::Mat2 m0 = target_matrix(g.kind, angles);
  const core::Mat2 m = inverse ? dagger(m0) : m0;
  Real d[8];
  for (int j = 0; j < 4; ++j) {
    d[2 * j] = static_cast<Real>(m[static_cast<std::size_t>(j)].real());
    d[2 * j + 1] = static_cast<Real>(m[static_cast<std::size_t>(j)].imag());
  }
  k.matrix1(p, bits, l.local_mask(control_mask(g)), l.local_qubit(g.qubits.back()), d);
}

template <class Real>
core::cplx pauli_element_in_block(const Real* lam, const Real* psi, int bits, const core::PauliMasks& pm) {
  // P|x> = i^y (-1)^{|x & z|} |x ^ x_mask>, so <lam|P|psi> = i^y sum_x conj(lam[x ^ xm]) s(x) psi[x].
  const u64 n = u64{1} << bits;
  double re = 0.0, im = 0.0;
  for (u64 x = 0; x < n; ++x) {
    const u64 y = x ^ pm.x_mask;
    const double s = core::parity_sign(x & pm.z_mask);
    const double lr = static_cast<double>(lam[2 * y]), li = static_cast<double>(lam[2 * y + 1]);
    const double pr = static_cast<double>(psi[2 * x]), pi = static_cast<double>(psi[2 * x + 1]);
    re += s * (lr * pr + li * pi);
    im += s * (lr * pi - li * pr);
  }
  return cmul(core::i_power(pm.y_count), cplx(re, im));
}

template void apply_gate_in_block<double>(double*, const BlockLayout&, const Gate&,
                                          const std::vector<double>&, bool);
template void apply_gate_in_block<float>(float*, const BlockLayout&, const Gate&, const std::vector<double>&,
                                         bool);
template core::cplx pauli_element_in_block<double>(const double*, const double*, int,
                                                   const core::PauliMasks&);
template core::cplx pauli_element_in_block<float>(const float*, const float*, int, const core::PauliMasks&);

template class Program<double>;
template class Program<float>;
}  // namespace vqsim::circuit
