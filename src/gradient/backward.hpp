// The backward sweep of adjoint differentiation, compiled like circuit::Program: the reversed
// circuit cut into cache-blocked stages that hold a block of psi and of lambda, and within a
// stage the same packing as the forward pass, now with the derivative read in the pass that
// un-applies the gates:
// - RY gates (and RX on vector-level qubits) on distinct qubits go into register tiles
//   (core::simd adjoint_rotations, adjoint_xrotations): every
//   derivative of a tile is read at its end (the gates commute), then both vectors are rotated
//   back, in scaled form (two FMAs per pair and vector); the dropped factors are tracked per op
//   and restored once per stage by a "sink" op;
// - diagonal gates on any qubits merge into one diagonal whose derivatives all come from sums of
//   Im(conj(lambda) psi) per row position, per row and per straddling term (core::simd
//   adjoint_diagonal, adjoint_diagonal_phase);
// - Pauli rotations sharing an X mask un-apply in one sweep that reads every one's derivative
//   (core::simd adjoint_pauli_family);
// - runs of X/CX become one permutation of both vectors (circuit::BlockPermutation);
// - every other gate takes the general per-gate adjoint step.
#pragma once

#include <cstdint>
#include <vector>

#include "circuit/circuit.hpp"
#include "circuit/executor.hpp"
#include "circuit/program.hpp"
#include "circuit/stage_ops.hpp"
#include "core/blocks.hpp"
#include "core/state_vector.hpp"

namespace vqsim::gradient {

template <class Real>
class Backward {
 public:
  // block_bits qubits per block; with pick_bits, block_bits or one less, whichever needs fewer
  // stages (see circuit::plan_stages). With Start::Zero (psi was prepared from |0...0>), the
  // product-state prefix (circuit::product_prefix) is not un-applied: its derivatives come from
  // one read of lambda contracted with the product state.
  Backward(const circuit::Circuit& circuit, int block_bits, bool pick_bits = false,
           circuit::Start start = circuit::Start::Any);

  // Recomputes the numbers from one parameter vector's angles.
  void refill(const circuit::AngleTable& angles);
  // Un-applies the whole circuit from psi (the final state) and lam (H psi), adding
  // dE/dtheta into gradient (which must hold num_parameters entries). Returns Re<psi|lam> (the
  // energy), read from the blocks of the first stage as they come in.
  double run(core::StateVector<Real>& psi, core::StateVector<Real>& lam, std::vector<double>& gradient);

  int num_stages() const { return static_cast<int>(stages_.size()); }
  int num_ops() const;

 private:
  enum class Kind { Gate, Rotations, Diagonal, Permutation, Family };
  struct Op {
    Kind kind = Kind::Gate;
    std::vector<std::size_t> gates;  // Gate: one; Rotations: vector slots (sorted), then lane slots
    std::vector<int> qubits;         // Rotations: the slots' local qubits, in the same order
    int k = 0;                       // Rotations: vector-level slots
    bool scaled = true;              // Rotations
    bool x_axis = false;             // Rotations: RX gates (vector-level slots only), else RY
    circuit::MergedDiagonal diag;    // Diagonal: every diagonal gate merged, qubits anywhere
    circuit::PauliFamily family;     // Family: Pauli rotations sharing an X mask
    circuit::BlockPermutation perm;  // Permutation
    std::size_t data = 0;            // this op's numbers in data_
    std::size_t id = 0;              // index into weight_
  };
  struct Stage {
    core::BlockLayout layout;
    std::vector<Op> ops;
    bool whole_state = false;
    std::size_t gate = 0;
    int sink = -1;
    int permutations = 0;  // Permutation ops
  };

  void build(Stage& s, const std::vector<std::size_t>& gates);
  std::uint64_t op_mask(const Stage& s, const Op& op) const;
  // Runs a stage on psi's block p and lambda's block q with one free block-sized buffer that
  // permutations write into (the three rotate); returns where psi and lambda end up, which may
  // be any two of the three.
  // With free_q, lambda's permutations go through that buffer instead.
  std::pair<Real*, Real*> run_block(const Stage& s, Real* p, Real* q, Real* free, Real* free_q,
                                    std::uint64_t base, double* grad) const;
  void gate_step(const core::BlockLayout& l, Real* p, Real* q, std::size_t k, double weight,
                 double* grad) const;
  void whole_state_step(std::size_t k, core::StateVector<Real>& psi, core::StateVector<Real>& lam,
                        std::vector<double>& gradient) const;
  void add(std::size_t gate, int angle, double value, double* grad) const;
  // The prefix gates' derivatives from lambda as the stages leave it (the prefix still applied).
  void prefix_gradient(const core::StateVector<Real>& lam, std::vector<double>& gradient);

  const circuit::Circuit& circuit_;
  int block_bits_;
  std::vector<Stage> stages_;
  std::vector<Real> data_;
  std::vector<double> weight_;   // per op (index in ops_index_): 1 / F^2 for the scale F its inputs carry
  std::vector<double> factors_;  // refill's per-op scratch
  const circuit::AngleTable* angles_ = nullptr;
  // Start::Zero: per qubit its prefix gates; per refill, per qubit its prefix state (amplitudes
  // of 0 and 1), and per prefix gate and angle the derivative of that state.
  struct PrefixDerivative {
    std::size_t gate;
    int angle;
    int qubit;
    core::cplx d0, d1;
  };
  std::vector<std::vector<std::size_t>> prefix_;
  std::vector<core::cplx> phi_;
  std::vector<PrefixDerivative> prefix_derivatives_;
  std::vector<Real> contraction_;  // per slot a_re, a_im; then low_re, low_im, high
  std::vector<double> rows_;       // b of contract_rows
  core::Scratch<Real> scratch_;
  std::vector<double> slot_gradients_;  // per slot of the block split, padded
  std::vector<double> energy_parts_;    // per slot, padded
  std::size_t stride_ = 0;
};

extern template class Backward<double>;
extern template class Backward<float>;

}  // namespace vqsim::gradient
