#include "observable/exact.hpp"

#include <Spectra/SymEigsSolver.h>
#include <Eigen/Core>
#include <Eigen/Eigenvalues>

#include <algorithm>

namespace vqsim::observable {
namespace {

// y = H x on real vectors: H itself when real, else its 2N real embedding.
class PauliSumOp {
 public:
  using Scalar = double;
  explicit PauliSumOp(const PauliSum& h)
      : h_(h), real_(h.is_real()), in_(h.num_qubits()), out_(h.num_qubits()) {}

  Eigen::Index rows() const { return dim(); }
  Eigen::Index cols() const { return dim(); }

  void perform_op(const double* x, double* y) const {
    ++products_;
    const auto n = static_cast<Eigen::Index>(in_.size());
    for (Eigen::Index i = 0; i < n; ++i)
      in_[static_cast<std::uint64_t>(i)] = real_ ? core::cplx(x[i], 0) : core::cplx(x[i], x[n + i]);
    h_.apply(in_, out_);
    for (Eigen::Index i = 0; i < n; ++i) {
      y[i] = out_[static_cast<std::uint64_t>(i)].real();
      if (!real_) y[n + i] = out_[static_cast<std::uint64_t>(i)].imag();
    }
  }

  int products() const { return products_; }

 private:
  Eigen::Index dim() const { return static_cast<Eigen::Index>(in_.size()) * (real_ ? 1 : 2); }
  const PauliSum& h_;
  bool real_;
  mutable core::StateVector<double> in_, out_;
  mutable int products_ = 0;
};

}  // namespace

ExactResult ground_energy(const PauliSum& h) {
  PauliSumOp op(h);
  const Eigen::Index dim = op.rows();
  if (dim <= 64) {
    // Small enough to diagonalise densely: build the matrix by applying H to each basis vector.
    Eigen::MatrixXd m(dim, dim);
    Eigen::VectorXd e = Eigen::VectorXd::Zero(dim), col(dim);
    for (Eigen::Index j = 0; j < dim; ++j) {
      e.setZero();
      e[j] = 1;
      op.perform_op(e.data(), col.data());
      m.col(j) = col;
    }
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(m);
    return {es.eigenvalues()[0], true, op.products()};
  }
  const Eigen::Index ncv = std::min<Eigen::Index>(dim, 30);
  Spectra::SymEigsSolver<PauliSumOp> eigs(op, 1, ncv);
  // A fixed, seeded start vector keeps the result reproducible.
  Eigen::VectorXd start = Eigen::VectorXd::Ones(dim);
  for (Eigen::Index i = 0; i < dim; ++i) start[i] += 1e-3 * static_cast<double>((i * 7919) % 101);
  eigs.init(start.data());
  eigs.compute(Spectra::SortRule::SmallestAlge, 5000, 1e-12);
  ExactResult r;
  r.converged = eigs.info() == Spectra::CompInfo::Successful;
  if (r.converged) r.energy = eigs.eigenvalues()[0];
  r.matrix_products = op.products();
  return r;
}

}  // namespace vqsim::observable
