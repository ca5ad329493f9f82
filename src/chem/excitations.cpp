#include "chem/excitations.hpp"

#include <algorithm>
#include <set>
#include <utility>

namespace vqsim::chem {
namespace {

std::int64_t pairs(std::int64_t k) {
  return k * (k - 1) / 2;
}

// (occupied, virtual) qubits of each single of one spin, by occupied then virtual spatial orbital.
std::vector<std::pair<int, int>> singles_of(const Occupation& occ, Spin spin) {
  const int m = occ.num_spatial();
  const int filled = spin == Spin::Alpha ? occ.num_alpha : occ.num_beta;
  std::vector<std::pair<int, int>> out;
  for (int i = 0; i < filled; ++i)
    for (int a = filled; a < m; ++a)
      out.emplace_back(spin_orbital(i, spin, m, occ.ordering), spin_orbital(a, spin, m, occ.ordering));
  return out;
}

}  // namespace

int spin_orbital(int spatial, Spin spin, int num_spatial, SpinOrdering ordering) {
  const int s = static_cast<int>(spin);
  return ordering == SpinOrdering::Interleaved ? 2 * spatial + s : spatial + s * num_spatial;
}

std::uint64_t alpha_mask(int num_qubits, SpinOrdering ordering) {
  std::uint64_t mask = 0;
  const int m = num_qubits / 2;
  for (int p = 0; p < m; ++p) mask |= std::uint64_t{1} << spin_orbital(p, Spin::Alpha, m, ordering);
  return mask;
}

std::vector<int> hartree_fock_qubits(const Occupation& occ) {
  const int m = occ.num_spatial();
  std::vector<int> q;
  for (int p = 0; p < occ.num_alpha; ++p) q.push_back(spin_orbital(p, Spin::Alpha, m, occ.ordering));
  for (int p = 0; p < occ.num_beta; ++p) q.push_back(spin_orbital(p, Spin::Beta, m, occ.ordering));
  std::sort(q.begin(), q.end());
  return q;
}

std::vector<Excitation> excitations(const Occupation& occ, ExcitationKinds kinds) {
  std::vector<std::pair<int, int>> pool = singles_of(occ, Spin::Alpha);
  const auto beta = singles_of(occ, Spin::Beta);
  pool.insert(pool.end(), beta.begin(), beta.end());

  std::vector<Excitation> out;
  if (kinds.singles)
    for (const auto& [i, a] : pool) out.push_back({{i}, {a}});
  if (kinds.doubles) {
    std::set<std::uint64_t> seen;  // the four spin orbitals of each double listed so far
    for (std::size_t e = 0; e < pool.size(); ++e)
      for (std::size_t f = e + 1; f < pool.size(); ++f) {
        const auto [i, a] = pool[e];
        const auto [j, b] = pool[f];
        if (i == j || a == b) continue;  // occupied and virtual sets never meet
        const std::uint64_t set = (std::uint64_t{1} << i) | (std::uint64_t{1} << j) |
                                  (std::uint64_t{1} << a) | (std::uint64_t{1} << b);
        if (!seen.insert(set).second) continue;
        out.push_back({{std::min(i, j), std::max(i, j)}, {std::min(a, b), std::max(a, b)}});
      }
  }
  return out;
}

std::int64_t count_singles(const Occupation& occ) {
  const std::int64_t m = occ.num_spatial(), na = occ.num_alpha, nb = occ.num_beta;
  return na * (m - na) + nb * (m - nb);
}

std::int64_t count_doubles(const Occupation& occ) {
  const std::int64_t m = occ.num_spatial(), na = occ.num_alpha, nb = occ.num_beta;
  return pairs(na) * pairs(m - na) + pairs(nb) * pairs(m - nb) + na * (m - na) * nb * (m - nb);
}

std::string excitation_name(const Excitation& e) {
  std::string s(1, e.occupied.size() == 1 ? 's' : 'd');
  s += '[';
  bool first = true;
  for (const auto* list : {&e.occupied, &e.virtuals})
    for (int q : *list) {
      if (!first) s += ',';
      s += std::to_string(q);
      first = false;
    }
  s += ']';
  return s;
}

}  // namespace vqsim::chem
