#include "measure/sampling.hpp"

#include <algorithm>
#include <bit>
#include <queue>

#include "core/kernels.hpp"

namespace vqsim::measure {
namespace {

// |amplitude|^2 in double, also for a float state.
template <class Real>
double probability(const std::complex<Real>& a) {
  return std::norm(std::complex<double>(a));
}

}  // namespace

std::string bit_string(std::uint64_t index, int num_qubits) {
  std::string s(static_cast<std::size_t>(num_qubits), '0');
  for (int q = 0; q < num_qubits; ++q)
    if ((index >> q) & 1) s[static_cast<std::size_t>(num_qubits - 1 - q)] = '1';
  return s;
}

template <class Real>
std::map<std::uint64_t, std::uint64_t> sample(const core::StateVector<Real>& psi, std::uint64_t shots,
                                              std::mt19937_64& rng) {
  // The norm is 1 up to rounding; scaling the uniforms by it keeps the last bin reachable.
  const double total = core::norm_squared(psi);
  std::uniform_real_distribution<double> uniform(0.0, total);
  std::vector<double> u(shots);
  for (auto& x : u) x = uniform(rng);
  std::sort(u.begin(), u.end());
  std::map<std::uint64_t, std::uint64_t> counts;
  double cumulative = 0.0;
  std::size_t next = 0;
  const std::uint64_t last = psi.size() - 1;
  for (std::uint64_t i = 0; i < psi.size() && next < u.size(); ++i) {
    const double p = probability(psi[i]);
    if (p == 0.0) continue;
    cumulative += p;
    std::uint64_t hits = 0;
    while (next < u.size() && (u[next] < cumulative || i == last)) ++next, ++hits;
    if (hits) counts[i] += hits;
  }
  if (next < u.size()) {  // rounding left a few uniforms beyond the sum: they fall in the last nonzero bin
    std::uint64_t i = last;
    while (i > 0 && probability(psi[i]) == 0.0) --i;
    counts[i] += u.size() - next;
  }
  return counts;
}

template <class Real>
std::vector<std::pair<double, std::uint64_t>> most_likely(const core::StateVector<Real>& psi, std::size_t k) {
  // A min-heap of the k best seen so far.
  auto worse = [](const std::pair<double, std::uint64_t>& a, const std::pair<double, std::uint64_t>& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  };
  std::priority_queue<std::pair<double, std::uint64_t>, std::vector<std::pair<double, std::uint64_t>>,
                      decltype(worse)>
      heap(worse);
  for (std::uint64_t i = 0; i < psi.size(); ++i) {
    const double p = probability(psi[i]);
    if (heap.size() < k) {
      heap.emplace(p, i);
    } else if (k > 0 && worse({p, i}, heap.top())) {
      heap.pop();
      heap.emplace(p, i);
    }
  }
  std::vector<std::pair<double, std::uint64_t>> out;
  while (!heap.empty()) {
    out.push_back(heap.top());
    heap.pop();
  }
  std::reverse(out.begin(), out.end());
  return out;
}

template <class Real>
BasicShotEstimator<Real>::BasicShotEstimator(const observable::PauliSum& h) {
  // Greedy qubit-wise commuting grouping: a term joins the first group whose basis agrees on
  // every qubit both act on.
  for (const auto& t : h.terms()) {
    const std::uint64_t support = t.masks.x_mask | t.masks.z_mask;
    if (support == 0) {
      identity_ += t.coefficient;
      continue;
    }
    const std::uint64_t tx = t.masks.x_mask & ~t.masks.z_mask, ty = t.masks.x_mask & t.masks.z_mask;
    bool placed = false;
    for (auto& g : groups_) {
      std::uint64_t gsupport = 0;
      for (const auto& o : g.terms) gsupport |= o.masks.x_mask | o.masks.z_mask;
      const std::uint64_t common = support & gsupport;
      const std::uint64_t gz = gsupport & ~(g.x_basis | g.y_basis);
      if ((tx & common) == (g.x_basis & common) && (ty & common) == (g.y_basis & common) &&
          ((support & ~(tx | ty)) & common) == (gz & common)) {
        g.terms.push_back(t);
        g.x_basis |= tx;
        g.y_basis |= ty;
        placed = true;
        break;
      }
    }
    if (!placed) groups_.push_back({{t}, tx, ty});
  }
}

template <class Real>
double BasicShotEstimator<Real>::estimate(const core::StateVector<Real>& psi, std::uint64_t shots,
                                          std::mt19937_64& rng) {
  if (!work_ || work_->num_qubits() != psi.num_qubits())
    work_ = std::make_unique<core::StateVector<Real>>(psi.num_qubits());
  const double r2 = 1.0 / std::sqrt(2.0);
  const core::Mat2 hadamard{r2, r2, r2, -r2};
  // H S^dagger maps the Y eigenbasis onto the Z eigenbasis.
  const core::Mat2 y_to_z{r2, core::cplx(0, -r2), r2, core::cplx(0, r2)};
  double energy = identity_;
  for (const auto& g : groups_) {
    work_->copy_from(psi);
    for (std::uint64_t m = g.x_basis; m; m &= m - 1)
      core::apply_matrix1(*work_, std::countr_zero(m), hadamard);
    for (std::uint64_t m = g.y_basis; m; m &= m - 1) core::apply_matrix1(*work_, std::countr_zero(m), y_to_z);
    const auto counts = sample(*work_, shots, rng);
    for (const auto& t : g.terms) {
      const std::uint64_t support = t.masks.x_mask | t.masks.z_mask;
      double sum = 0.0;
      for (const auto& [index, n] : counts)
        sum += static_cast<double>(n) * ((std::popcount(index & support) & 1) ? -1.0 : 1.0);
      energy += t.coefficient * sum / static_cast<double>(shots);
    }
  }
  return energy;
}

template std::map<std::uint64_t, std::uint64_t> sample(const core::StateVector<double>&, std::uint64_t,
                                                       std::mt19937_64&);
template std::map<std::uint64_t, std::uint64_t> sample(const core::StateVector<float>&, std::uint64_t,
                                                       std::mt19937_64&);
template std::vector<std::pair<double, std::uint64_t>> most_likely(const core::StateVector<double>&,
                                                                   std::size_t);
template std::vector<std::pair<double, std::uint64_t>> most_likely(const core::StateVector<float>&,
                                                                   std::size_t);
template class BasicShotEstimator<double>;
template class BasicShotEstimator<float>;

}  // namespace vqsim::measure
