// An independent dense reference for the tests: textbook gate matrices (Qiskit conventions)
// written out with Eigen, embedded into the full register by looping over basis states.
// Nothing here calls vqsim's own matrices or kernels, so a shared mistake cannot hide.
#pragma once

#include <Eigen/Dense>

#include <cmath>
#include <complex>
#include <cstdint>
#include <numbers>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/state_vector.hpp"

namespace vqsim::test {

using Cd = std::complex<double>;
using Eigen::MatrixXcd;
using Eigen::VectorXcd;

inline constexpr double kTol = 1e-12;
inline const Cd kI{0.0, 1.0};

inline MatrixXcd mat2(Cd a, Cd b, Cd c, Cd d) {
  MatrixXcd m(2, 2);
  m << a, b, c, d;
  return m;
}

// The single-qubit Pauli matrix for 'I', 'X', 'Y' or 'Z'.
inline MatrixXcd pauli(char c) {
  switch (c) {
    case 'I': return mat2(1, 0, 0, 1);
    case 'X': return mat2(0, 1, 1, 0);
    case 'Y': return mat2(0, -kI, kI, 0);
    case 'Z': return mat2(1, 0, 0, -1);
    default: throw std::invalid_argument(std::string("not a Pauli: ") + c);
  }
}

// Qiskit's U3(theta, phi, lambda).
inline MatrixXcd u3(double t, double p, double l) {
  const double c = std::cos(t / 2), s = std::sin(t / 2);
  return mat2(c, -std::exp(kI * l) * s, std::exp(kI * p) * s, std::exp(kI * (p + l)) * c);
}

inline MatrixXcd rotation(char axis, double t) {
  const MatrixXcd id = pauli('I');
  return std::cos(t / 2) * id - kI * std::sin(t / 2) * pauli(axis);
}

// The local matrix of a Pauli string: character pauli[size-1-j] acts on matrix bit j,
// so the rightmost character is the gate's first listed qubit. Built element by element.
inline MatrixXcd pauli_string_matrix(std::string_view label) {
  const int k = static_cast<int>(label.size());
  const Eigen::Index dim = Eigen::Index{1} << k;
  MatrixXcd m(dim, dim);
  for (Eigen::Index r = 0; r < dim; ++r)
    for (Eigen::Index c = 0; c < dim; ++c) {
      Cd v = 1;
      for (int j = 0; j < k; ++j)
        v *= pauli(label[static_cast<std::size_t>(k - 1 - j)])((r >> j) & 1, (c >> j) & 1);
      m(r, c) = v;
    }
  return m;
}

// exp(-i t/2 P) = cos(t/2) I - i sin(t/2) P.
inline MatrixXcd pauli_rotation(std::string_view label, double t) {
  const MatrixXcd p = pauli_string_matrix(label);
  return std::cos(t / 2) * MatrixXcd::Identity(p.rows(), p.cols()) - kI * std::sin(t / 2) * p;
}

// |0><0| (x) I + |1><1| (x) U with the control as matrix bit 0 and U on the bits above it.
inline MatrixXcd controlled(const MatrixXcd& u) {
  const Eigen::Index d = u.rows();
  MatrixXcd m = MatrixXcd::Zero(2 * d, 2 * d);
  for (Eigen::Index r = 0; r < d; ++r)
    for (Eigen::Index c = 0; c < d; ++c) {
      m(2 * r, 2 * c) = (r == c) ? 1.0 : 0.0;  // control 0: identity
      m(2 * r + 1, 2 * c + 1) = u(r, c);       // control 1: U
    }
  return m;
}

inline MatrixXcd swap_matrix() {
  MatrixXcd m = MatrixXcd::Zero(4, 4);
  m(0, 0) = m(1, 2) = m(2, 1) = m(3, 3) = 1;
  return m;
}

// The local matrix of a gate by its OpenQASM name (or alias), basis bit j = j-th listed qubit.
inline MatrixXcd gate_matrix(std::string_view name, const std::vector<double>& a,
                             std::string_view pauli_label = "") {
  const double pi = std::numbers::pi, r2 = 1.0 / std::numbers::sqrt2;
  if (name == "id") return pauli('I');
  if (name == "x") return pauli('X');
  if (name == "y") return pauli('Y');
  if (name == "z") return pauli('Z');
  if (name == "h") return mat2(r2, r2, r2, -r2);
  if (name == "s") return mat2(1, 0, 0, kI);
  if (name == "sdg") return mat2(1, 0, 0, -kI);
  if (name == "t") return mat2(1, 0, 0, std::exp(kI * (pi / 4)));
  if (name == "tdg") return mat2(1, 0, 0, std::exp(-kI * (pi / 4)));
  if (name == "sx") return 0.5 * mat2(Cd(1, 1), Cd(1, -1), Cd(1, -1), Cd(1, 1));
  if (name == "sxdg") return 0.5 * mat2(Cd(1, -1), Cd(1, 1), Cd(1, 1), Cd(1, -1));
  if (name == "rx") return rotation('X', a.at(0));
  if (name == "ry") return rotation('Y', a.at(0));
  if (name == "rz") return mat2(std::exp(-kI * (a.at(0) / 2)), 0, 0, std::exp(kI * (a.at(0) / 2)));
  if (name == "p" || name == "u1") return mat2(1, 0, 0, std::exp(kI * a.at(0)));
  if (name == "u2") return u3(pi / 2, a.at(0), a.at(1));
  if (name == "u3" || name == "u") return u3(a.at(0), a.at(1), a.at(2));
  if (name == "cx" || name == "cnot") return controlled(pauli('X'));
  if (name == "cy") return controlled(pauli('Y'));
  if (name == "cz") return controlled(pauli('Z'));
  if (name == "ch") return controlled(gate_matrix("h", a));
  if (name == "crx") return controlled(gate_matrix("rx", a));
  if (name == "cry") return controlled(gate_matrix("ry", a));
  if (name == "crz") return controlled(gate_matrix("rz", a));
  if (name == "cp" || name == "cu1") return controlled(gate_matrix("p", a));
  if (name == "cu3") return controlled(gate_matrix("u3", a));
  if (name == "ccx" || name == "toffoli") return controlled(controlled(pauli('X')));
  if (name == "swap") return swap_matrix();
  if (name == "cswap" || name == "fredkin") return controlled(swap_matrix());
  if (name == "rxx") return pauli_rotation("XX", a.at(0));
  if (name == "ryy") return pauli_rotation("YY", a.at(0));
  if (name == "rzz") return pauli_rotation("ZZ", a.at(0));
  if (name == "pauli_rotation") return pauli_rotation(pauli_label, a.at(0));
  throw std::invalid_argument("no reference for gate " + std::string(name));
}

// The index of the local basis state that basis state x of the register shows on `qubits`.
inline std::uint64_t local_index(std::uint64_t x, const std::vector<int>& qubits) {
  std::uint64_t l = 0;
  for (std::size_t j = 0; j < qubits.size(); ++j) l |= ((x >> qubits[j]) & 1) << j;
  return l;
}

// The local operator on `qubits` of an n-qubit register as a full 2^n x 2^n matrix:
// <y|M|x> = <local(y)|op|local(x)> when y and x agree on every other qubit, else 0.
inline MatrixXcd embed(const MatrixXcd& op, const std::vector<int>& qubits, int n) {
  std::uint64_t mask = 0;
  for (int q : qubits) mask |= std::uint64_t{1} << q;
  const Eigen::Index dim = Eigen::Index{1} << n;
  MatrixXcd m = MatrixXcd::Zero(dim, dim);
  for (Eigen::Index y = 0; y < dim; ++y)
    for (Eigen::Index x = 0; x < dim; ++x) {
      const auto uy = static_cast<std::uint64_t>(y), ux = static_cast<std::uint64_t>(x);
      if ((uy & ~mask) != (ux & ~mask)) continue;
      m(y, x) = op(static_cast<Eigen::Index>(local_index(uy, qubits)),
                   static_cast<Eigen::Index>(local_index(ux, qubits)));
    }
  return m;
}

// embed(op, qubits, n) * psi without forming the full matrix, for registers too large for it.
inline VectorXcd apply_embedded(const MatrixXcd& op, const std::vector<int>& qubits, const VectorXcd& psi) {
  const auto k = qubits.size();
  std::uint64_t mask = 0;
  for (int q : qubits) mask |= std::uint64_t{1} << q;
  VectorXcd out = VectorXcd::Zero(psi.size());
  for (Eigen::Index x = 0; x < psi.size(); ++x) {
    const auto ux = static_cast<std::uint64_t>(x);
    const auto lx = static_cast<Eigen::Index>(local_index(ux, qubits));
    for (std::uint64_t r = 0; r < (std::uint64_t{1} << k); ++r) {
      std::uint64_t y = ux & ~mask;
      for (std::size_t j = 0; j < k; ++j) y |= ((r >> j) & 1) << qubits[j];
      out(static_cast<Eigen::Index>(y)) += op(static_cast<Eigen::Index>(r), lx) * psi(x);
    }
  }
  return out;
}

// Kronecker product a (x) b: a acts on the high bits.
inline MatrixXcd kron(const MatrixXcd& a, const MatrixXcd& b) {
  MatrixXcd m(a.rows() * b.rows(), a.cols() * b.cols());
  for (Eigen::Index i = 0; i < a.rows(); ++i)
    for (Eigen::Index j = 0; j < a.cols(); ++j)
      m.block(i * b.rows(), j * b.cols(), b.rows(), b.cols()) = a(i, j) * b;
  return m;
}

// The full matrix of a dense observable label (qubit 0 rightmost) as a Kronecker product.
inline MatrixXcd label_matrix(std::string_view label) {
  MatrixXcd m = MatrixXcd::Identity(1, 1);
  for (char c : label) m = kron(m, pauli(c));
  return m;
}

// A random Pauli label of n characters over "IXYZ".
inline std::string random_label(std::mt19937_64& rng, int n, std::string_view alphabet = "IXYZ") {
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(alphabet[pick(rng)]);
  return s;
}

inline VectorXcd random_state(std::mt19937_64& rng, int n) {
  std::normal_distribution<double> g;
  VectorXcd v(Eigen::Index{1} << n);
  for (Eigen::Index i = 0; i < v.size(); ++i) v(i) = Cd(g(rng), g(rng));
  return v / v.norm();
}

inline MatrixXcd random_matrix(std::mt19937_64& rng, Eigen::Index dim) {
  std::normal_distribution<double> g;
  MatrixXcd m(dim, dim);
  for (Eigen::Index r = 0; r < dim; ++r)
    for (Eigen::Index c = 0; c < dim; ++c) m(r, c) = Cd(g(rng), g(rng));
  return m;
}

// A Haar-ish random unitary: the Q of a random complex matrix.
inline MatrixXcd random_unitary(std::mt19937_64& rng, Eigen::Index dim) {
  Eigen::HouseholderQR<MatrixXcd> qr(random_matrix(rng, dim));
  return qr.householderQ() * MatrixXcd::Identity(dim, dim);
}

inline double random_angle(std::mt19937_64& rng) {
  return std::uniform_real_distribution<double>(-2 * std::numbers::pi, 2 * std::numbers::pi)(rng);
}

template <class R>
core::StateVector<R> to_state(const VectorXcd& v) {
  int n = 0;
  while ((Eigen::Index{1} << n) < v.size()) ++n;
  core::StateVector<R> sv(n);
  for (Eigen::Index i = 0; i < v.size(); ++i)
    sv[static_cast<std::uint64_t>(i)] =
        std::complex<R>(static_cast<R>(v(i).real()), static_cast<R>(v(i).imag()));
  return sv;
}

template <class R>
VectorXcd to_vector(const core::StateVector<R>& sv) {
  VectorXcd v(static_cast<Eigen::Index>(sv.size()));
  for (std::uint64_t i = 0; i < sv.size(); ++i) v(static_cast<Eigen::Index>(i)) = Cd(sv[i]);
  return v;
}

// max_i |a_i - b_i|
template <class R>
double max_diff(const core::StateVector<R>& a, const VectorXcd& b) {
  return (to_vector(a) - b).cwiseAbs().maxCoeff();
}

}  // namespace vqsim::test
