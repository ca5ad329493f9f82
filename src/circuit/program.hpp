// The compiled form of a circuit: a fusion and cache-blocking pass over the IR, computed once per
// circuit; the numbers (matrices, diagonal tables) are refilled per parameter vector.
//
// The pass cuts the gate list into stages, each holding at most `block_bits` qubits (plus the
// lowest few, for contiguous gathers), pulling gates forward across the gates they commute with
// (disjoint qubits, or shared qubits where both are diagonal). A stage holds the qubits its gates
// mix: diagonal gates need none (their phase reads the index bits, in the block or not), Pauli
// rotations only their X/Y qubits (circuit/stage_ops.hpp).
// A stage runs block by block: 2^block_bits amplitudes, either a contiguous slice of the state
// or a strided subspace gathered into a per-thread buffer, so a whole run of gates costs one
// read+write pass over memory. Inside a stage:
// - consecutive one-qubit gates on a qubit are multiplied into one 2x2, and those 2x2s are packed
//   into register tiles: one sweep of the block applies up to tile_max of them on vector-level
//   qubits plus any on the qubits inside a vector; RY runs go in scaled form (two FMAs per pair),
//   the dropped cos/sin factors folded into one other op of the stage;
// - diagonal gates (RZ, P, Z, S, T, CZ, CP, CRZ, RZZ, Z-only Pauli rotations) on any qubits merge
//   into one diagonal (MergedDiagonal) applied from factorised tables;
// - Pauli rotations sharing an X mask (the strings of a Jordan-Wigner excitation) run as one
//   sweep (PauliFamily);
// - runs of X/CX (lane qubits included) become one affine permutation of the block (one copy);
//   other X/CX/CCX run as swaps.
// From |0...0> (Start::Zero), each qubit's leading one-qubit gates are written as a product state
// in one pass instead of being applied.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "circuit/circuit.hpp"
#include "circuit/executor.hpp"
#include "circuit/stage_ops.hpp"
#include "core/blocks.hpp"
#include "core/state_vector.hpp"

namespace vqsim::circuit {

// Qubits per block chosen so that a block of `Real` amplitudes (times `vectors` states held at
// once) fits in a 1 MiB L2 with room to spare.
template <class Real>
int default_block_bits(int vectors = 1);
// Qubits per block one double state may take instead where the L2 is 2 MiB or more (read at run
// time), if that saves a stage; 0 where it may not.
template <class Real>
int wide_block_bits();
// The lowest qubits every stage holds, so gathers copy chunks of 2^kContiguousBits amplitudes:
// long enough for the memory system to stream them.
inline constexpr int kContiguousBits = 4;
// Registers up to this size run as a single block (2^16 amplitudes: 1 MiB in double).
inline constexpr int kSingleBlockQubits = 15;

// A run of gates (indices into the circuit) whose mixed qubits (block_qubits) lie in `qubits`
// (sorted; local bit j of a block is qubits[j]). When `whole_state` is set, the single gate is
// too wide for a block and runs on the whole state with the reference kernels.
struct StagePlan {
  std::vector<int> qubits;
  std::vector<std::size_t> gates;
  bool whole_state = false;
};

// Greedy stage scheduling of `order` (gate indices in application order): each stage takes every
// gate that neither depends on a deferred gate nor overflows block_bits qubits. The lowest
// `contiguous_bits` qubits are in every stage so gathers copy runs of 2^contiguous_bits amplitudes.
std::vector<StagePlan> schedule_stages(const Circuit& c, const std::vector<std::size_t>& order,
                                       int block_bits, int contiguous_bits);

// The stages for a default block size: of max_bits and max_bits - 1 qubits, the one giving fewer
// stages (each costs a pass over memory); on a tie the smaller, whose blocks leave room in the L2
// for the second buffer permutations write into. A wider `wide_bits` (0: none) wins only with
// fewer stages still and 16 blocks or more per stage. `chosen` receives the block size.
std::vector<StagePlan> plan_stages(const Circuit& c, const std::vector<std::size_t>& order, int max_bits,
                                   int& chosen, int wide_bits = 0);

// An affine permutation of a block (a run of X/CX) as core::simd applies it in one out-of-place
// copy: output vector w reads vector src(w) = lo[w & (2^lo_bits - 1)] ^ hi[w >> lo_bits] of the
// input, and, when the run touches the lane qubits (lane_src not empty), lane j of it comes from
// lane lane_src[j] mod 2^lanes of src(w), or of src(w) ^ delta (permute_lanes); otherwise the
// lanes stay (permute_vectors).
struct BlockPermutation {
  int lo_bits = 0;
  std::vector<std::uint64_t> lo, hi;
  std::uint64_t delta = 0;
  std::vector<int> lane_src;

  // From (control mask, target) steps on block-local bits, in application order, for blocks of
  // 2^bits amplitudes with 2^lanes per vector. False if the map cannot be written this way (a
  // vector-level qubit moving a lane, or the lanes drawing on more than two source vectors).
  bool build(const std::vector<std::pair<std::uint64_t, int>>& steps, int bits, int lanes);
  template <class Real>
  void apply(const Real* in, Real* out, int bits) const;
};
// Packs a diagonal's factorised tables as core::simd diagonal reads them: the row table as
// re-duplicated then im-alternated vectors (4 reals per entry), then the high table.
template <class Real>
void pack_diagonal_tables(const std::vector<core::cplx>& row, const std::vector<core::cplx>& high, Real* d);

// Per qubit, its one-qubit gates (not Pauli rotations) before its first multi-qubit gate: from
// |0...0> they form a product state, and they commute with every other qubit's. `rest` receives
// the other gates in order.
std::vector<std::vector<std::size_t>> product_prefix(const Circuit& c, std::vector<std::size_t>& rest);

// Per qubit q, its prefix gates applied to |0>: (amplitude of 0, of 1) in factors[2q], [2q + 1].
void prefix_factors(const Circuit& c, const std::vector<std::vector<std::size_t>>& prefix,
                    const AngleTable& angles, std::vector<core::cplx>& factors);
// The product state over qubits [from, to) from such factors, by doubling: out[i] is the product
// over q of factors[2q + bit (q - from) of i].
void product_table(const std::vector<core::cplx>& factors, int from, int to, std::vector<core::cplx>& out);

using core::BlockLayout;
using core::Scratch;

// What a Program may assume about the state it runs on. From |0...0>, the one-qubit gates on each
// qubit before its first multi-qubit gate form a product state, written in one pass instead of
// being applied gate by gate.
enum class Start { Any, Zero };

template <class Real>
class Program {
 public:
  // block_bits = 0 picks default_block_bits<Real>(). With Start::Zero, run() ignores the state's
  // contents and starts from |0...0>.
  explicit Program(const Circuit& circuit, int block_bits = 0, bool fuse = true, Start start = Start::Any);

  // Recomputes matrices and tables from one parameter vector's angles (no allocation).
  void refill(const AngleTable& angles);
  // Runs the compiled circuit on sv (call refill first).
  void run(core::StateVector<Real>& sv);

  int num_stages() const { return static_cast<int>(stages_.size()); }
  int num_ops() const;
  int block_bits() const { return block_bits_; }

 private:
  enum class OpKind { Matrix1, RealMatrix1, Diagonal, ControlledX, Generic, Tile, Permutation, Family };
  // One one-qubit matrix of a Tile: the fused gates on one local qubit.
  struct Slot {
    int qubit = 0;  // local
    std::vector<std::size_t> gates;
    bool real = false;
    bool rotation = false;   // RY only: [[c, -s], [s, c]], run in scaled form
    bool xrotation = false;  // RX only: [[c, -is], [-is, c]], likewise
  };
  struct Op {
    OpKind kind = OpKind::Generic;
    int target = 0;           // local
    std::uint64_t cmask = 0;  // local
    std::vector<std::size_t> gates;
    MergedDiagonal diag;      // Diagonal: the merged gates
    PauliFamily family;       // Family: Pauli rotations sharing an X mask
    std::size_t data = 0;     // offset of this op's numbers in data_
    std::vector<Slot> slots;  // Tile: vector-level qubits (sorted) first, then lane qubits
    int tile_k = 0;           // Tile: slots on vector-level qubits
    bool real = false;        // Tile: every slot real
    int tile_kind = 0;        // Tile: core::simd TileKind (0 complex, 1 real, 2 scaled RY, 3 scaled RX)
    BlockPermutation perm;    // Permutation
  };
  static Op make_op(OpKind kind, int target = 0, std::uint64_t cmask = 0,
                    std::vector<std::size_t> gates = {}) {
    Op op;
    op.kind = kind;
    op.target = target;
    op.cmask = cmask;
    op.gates = std::move(gates);
    return op;
  }
  struct Stage {
    BlockLayout layout;
    std::vector<Op> ops;
    bool whole_state = false;
    std::size_t gate = 0;  // whole_state only
    int sink = -1;         // the op that absorbs the factors scaled rotations drop
  };

  void build_ops(Stage& s, const std::vector<std::size_t>& gates, bool fuse);
  // Packs one-qubit matrices into register tiles and X/CX runs into vector permutations.
  void build_tiles(Stage& s) const;
  void build_permutations(Stage& s) const;
  void choose_sink(Stage& s) const;
  std::uint64_t op_mask(const Stage& s, const Op& op) const;  // local qubits an op touches
  // Runs a stage's ops on one block at p (global index `base` at its local 0); `alt` is a second
  // block-sized buffer that permutations write into. Returns where the result is (p or alt).
  Real* run_block(const Stage& s, Real* p, Real* alt, std::uint64_t base) const;
  bool needs_alt(const Stage& s) const;

  // The product state of the prefix gates (prefix_[q] on qubit q): its two tables (from
  // factors_), amplitudes [first, first + count) of it into o, or all of it into sv.
  void build_product_tables();
  void fill_product(Real* o, std::uint64_t first, std::uint64_t count) const;
  void write_product_state(core::StateVector<Real>& sv);

  const Circuit& circuit_;
  int block_bits_;
  Start start_;
  std::vector<std::vector<std::size_t>> prefix_;  // Start::Zero: per qubit, its leading one-qubit gates
  std::vector<core::cplx> factors_;               // per qubit: (amplitude of 0, amplitude of 1)
  std::vector<Real> low_, high_;                  // product tables over the low and high qubits
  int product_bits_ = 0;                          // qubits in low_
  std::vector<core::cplx> work_;
  std::vector<Stage> stages_;
  std::vector<Real> data_;  // matrices and tables, refilled per parameter vector
  const AngleTable* angles_ = nullptr;
  Scratch<Real> scratch_;
};

// Applies one gate (or its inverse) to a block whose layout holds all of the gate's qubits:
// the block-level counterpart of apply_gate, with the vector kernels where they apply. Not for
// diagonal gates and Pauli rotations, which MergedDiagonal and PauliFamily run.
template <class Real>
void apply_gate_in_block(Real* p, const BlockLayout& l, const Gate& g, const std::vector<double>& angles,
                         bool inverse);
// Applies the gate's phase to a diagonal basis state: phases[k] for each assignment k of the
// gate's qubits (bit j of k = qubits[j]). Only for diagonal gates (see is_diagonal_gate).
void diagonal_phases(const Gate& g, const std::vector<double>& angles, std::vector<core::cplx>& phases);

}  // namespace vqsim::circuit
