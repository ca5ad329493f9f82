#include "observable/exact.hpp"

#include <Spectra/SymEigsSolver.h>
#include <Eigen/Core>
#include <Eigen/Eigenvalues>

#include <algorithm>
#include <array>
#include <bit>
#include <limits>
#include <map>
#include <stdexcept>

#include "core/parallel.hpp"

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

// Binomial coefficients C(n, k) for n, k <= 64, saturating (none below C(64, 32) overflows).
class Binomials {
 public:
  Binomials() {
    for (int n = 0; n <= 64; ++n) {
      c_[n][0] = 1;
      for (int k = 1; k <= n; ++k) {
        const std::uint64_t a = c_[n - 1][k - 1], b = k < n ? c_[n - 1][k] : 0;
        c_[n][k] = a > std::numeric_limits<std::uint64_t>::max() - b
                       ? std::numeric_limits<std::uint64_t>::max()
                       : a + b;
      }
    }
  }
  std::uint64_t operator()(int n, int k) const { return k < 0 || k > n ? 0 : c_[n][k]; }

 private:
  std::array<std::array<std::uint64_t, 65>, 65> c_{};
};

const Binomials& binomials() {
  static const Binomials b;
  return b;
}

// A set of qubits holding a fixed number of ones; the sector is the product of one or two.
struct Part {
  std::uint64_t mask = 0;
  int ones = 0;
  int size() const { return std::popcount(mask); }
};

std::vector<Part> parts_of(int num_qubits, const Sector& s) {
  const std::uint64_t all = num_qubits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << num_qubits) - 1;
  if (!s.spin) return {Part{all, s.num_particles}};
  const std::uint64_t alpha = s.spin->alpha_mask & all;
  return {Part{alpha, s.spin->num_alpha}, Part{all & ~alpha, s.num_particles - s.spin->num_alpha}};
}

std::uint64_t saturating_product(std::uint64_t a, std::uint64_t b) {
  if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a)
    return std::numeric_limits<std::uint64_t>::max();
  return a * b;
}

// H restricted to a sector, y = P H P x on the sector's basis (real, or the 2d real embedding).
// Basis states are ordered by rank: within a part, the colex rank of its ones (the order of the
// bit patterns as numbers), sum_k C(position_k, k + 1) over its ones at ascending positions within
// the part; parts combine as mixed-radix digits, the first part most significant.
class SectorOp {
 public:
  using Scalar = double;

  SectorOp(const PauliSum& h, int num_qubits, const Sector& sector)
      : parts_(parts_of(num_qubits, sector)), real_(h.is_real()) {
    // Each qubit's position within its part.
    for (const Part& p : parts_) {
      int k = 0;
      for (std::uint64_t m = p.mask; m != 0; m &= m - 1) position_[std::countr_zero(m)] = k++;
    }
    strides_.assign(parts_.size(), 1);
    for (std::size_t i = parts_.size(); i-- > 1;)
      strides_[i - 1] = saturating_product(strides_[i], binomials()(parts_[i].size(), parts_[i].ones));
    dim_ = saturating_product(strides_[0], binomials()(parts_[0].size(), parts_[0].ones));
    enumerate();

    // Terms grouped by X mask, as P|x> = i^{#Y} (-1)^{|x & z|} |x ^ x_mask>. A mask flipping an
    // odd number of one part's qubits changes that part's count: it never stays in the sector.
    std::map<std::uint64_t, std::vector<Entry>> groups;
    for (const PauliTerm& t : h.terms()) {
      scale_ = std::max(scale_, std::abs(t.coefficient));
      bool even = true;
      for (const Part& p : parts_) even = even && (std::popcount(t.masks.x_mask & p.mask) % 2 == 0);
      if (!even) {
        dropped_ = dropped_ || t.coefficient != 0.0;
        continue;
      }
      groups[t.masks.x_mask].push_back({t.masks.z_mask, t.coefficient * core::i_power(t.masks.y_count)});
    }
    for (auto& [x, entries] : groups) groups_.push_back({x, std::move(entries)});
    in_.resize(dim_);
  }

  Eigen::Index rows() const { return static_cast<Eigen::Index>(dim_) * (real_ ? 1 : 2); }
  Eigen::Index cols() const { return rows(); }
  std::uint64_t dimension() const { return dim_; }
  int products() const { return products_; }

  void perform_op(const double* x, double* y) const {
    ++products_;
    const auto n = static_cast<std::int64_t>(dim_);
    for (std::int64_t i = 0; i < n; ++i) in_[static_cast<std::size_t>(i)] = {x[i], real_ ? 0.0 : x[n + i]};
    // Gather form: each row sums its own column entries, so rows run in parallel, in a fixed order.
    core::parallel_for(dim_, [&](std::uint64_t r) {
      const std::uint64_t target = basis_[r];
      core::cplx acc = 0;
      for (const Group& g : groups_) {
        const std::uint64_t source = target ^ g.x_mask;
        if (g.x_mask != 0 && !in_sector(source)) continue;
        const std::uint64_t col = g.x_mask == 0 ? r : rank(source);
        acc += phase(g, source) * in_[col];
      }
      y[r] = acc.real();
      if (!real_) y[static_cast<std::uint64_t>(n) + r] = acc.imag();
    });
  }

  // Whether some term maps a sector state outside the sector with a weight above rounding.
  bool leaves_sector() const {
    if (dropped_) return true;
    const double tiny = 1e-12 * std::max(scale_, 1e-300);
    for (std::uint64_t r = 0; r < dim_; ++r)
      for (const Group& g : groups_)
        if (g.x_mask != 0 && !in_sector(basis_[r] ^ g.x_mask) && std::abs(phase(g, basis_[r])) > tiny)
          return true;
    return false;
  }

 private:
  struct Entry {
    std::uint64_t z_mask;
    core::cplx factor;  // coefficient * i^{#Y}
  };
  struct Group {
    std::uint64_t x_mask;
    std::vector<Entry> entries;
  };

  static core::cplx phase(const Group& g, std::uint64_t x) {
    core::cplx s = 0;
    for (const Entry& e : g.entries) s += (std::popcount(x & e.z_mask) & 1) ? -e.factor : e.factor;
    return s;
  }

  bool in_sector(std::uint64_t x) const {
    for (const Part& p : parts_)
      if (std::popcount(x & p.mask) != p.ones) return false;
    return true;
  }

  std::uint64_t rank(std::uint64_t x) const {
    const Binomials& c = binomials();
    std::uint64_t r = 0;
    for (std::size_t i = 0; i < parts_.size(); ++i) {
      std::uint64_t part_rank = 0;
      int k = 1;
      for (std::uint64_t m = x & parts_[i].mask; m != 0; m &= m - 1, ++k)
        part_rank += c(position_[std::countr_zero(m)], k);
      r += part_rank * strides_[i];
    }
    return r;
  }

  // The basis states in rank order: each part's patterns in increasing order (Gosper's hack on
  // the part's own bits), deposited onto its qubits, combined as mixed-radix digits.
  void enumerate() {
    std::vector<std::vector<std::uint64_t>> patterns(parts_.size());
    for (std::size_t i = 0; i < parts_.size(); ++i) {
      const int size = parts_[i].size(), ones = parts_[i].ones;
      std::vector<int> qubits;
      for (std::uint64_t m = parts_[i].mask; m != 0; m &= m - 1) qubits.push_back(std::countr_zero(m));
      const std::uint64_t count = binomials()(size, ones);
      std::uint64_t v = ones == 0 ? 0 : (ones >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << ones) - 1);
      for (std::uint64_t n = 0; n < count; ++n) {
        std::uint64_t deposited = 0;
        for (std::uint64_t m = v; m != 0; m &= m - 1)
          deposited |= std::uint64_t{1} << qubits[static_cast<std::size_t>(std::countr_zero(m))];
        patterns[i].push_back(deposited);
        if (v == 0) break;
        const std::uint64_t low = v & (~v + 1), ripple = v + low;  // next pattern with as many ones
        v = ripple | (((v ^ ripple) >> 2) / low);
      }
    }
    basis_.assign(dim_, 0);
    for (std::uint64_t r = 0; r < dim_; ++r) {
      std::uint64_t x = 0, rest = r;
      for (std::size_t i = 0; i < parts_.size(); ++i) {
        x |= patterns[i][rest / strides_[i]];
        rest %= strides_[i];
      }
      basis_[r] = x;
    }
  }

  std::vector<Part> parts_;
  bool real_;
  std::array<int, 64> position_{};
  std::vector<std::uint64_t> strides_;
  std::uint64_t dim_ = 0;
  std::vector<std::uint64_t> basis_;
  std::vector<Group> groups_;
  double scale_ = 0.0;
  bool dropped_ = false;  // a nonzero term that can never stay in the sector
  mutable std::vector<core::cplx> in_;
  mutable int products_ = 0;
};

// The lowest eigenvalue of a real symmetric operator: dense below 65 rows, else Lanczos.
template <class Op>
ExactResult lowest(Op& op) {
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
  Spectra::SymEigsSolver<Op> eigs(op, 1, ncv);
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

}  // namespace

std::uint64_t sector_dimension(int num_qubits, const Sector& sector) {
  std::uint64_t d = 1;
  for (const Part& p : parts_of(num_qubits, sector)) d = saturating_product(d, binomials()(p.size(), p.ones));
  return d;
}

ExactResult ground_energy(const PauliSum& h) {
  PauliSumOp op(h);
  ExactResult r = lowest(op);
  r.dimension = std::uint64_t{1} << h.num_qubits();
  return r;
}

ExactResult ground_energy(const PauliSum& h, const Sector& sector) {
  if (sector_dimension(h.num_qubits(), sector) == 0)
    throw std::invalid_argument("ground_energy: the sector has no basis states");
  SectorOp op(h, h.num_qubits(), sector);
  ExactResult r = lowest(op);
  r.dimension = op.dimension();
  r.leaves_sector = op.leaves_sector();
  return r;
}

}  // namespace vqsim::observable
