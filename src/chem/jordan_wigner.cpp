#include "chem/jordan_wigner.hpp"

#include <bit>
#include <cmath>
#include <stdexcept>

namespace vqsim::chem {
namespace {

using cplx = std::complex<double>;

// Letters as 0 = I, 1 = X, 2 = Y, 3 = Z.
int letter(const PauliWord& w, int q) {
  const bool x = (w.x >> q) & 1, z = (w.z >> q) & 1;
  return x ? (z ? 2 : 1) : (z ? 3 : 0);
}

// sigma_a sigma_b = i^k sigma_c: the power k for letters a, b (X Y = iZ, Y X = -iZ, ...).
int product_phase(int a, int b) {
  if (a == 0 || b == 0 || a == b) return 0;
  // Cyclic X -> Y -> Z -> X gives +i, the other way -i.
  return (b - a + 3) % 3 == 1 ? 1 : 3;
}

bool commute(const PauliWord& a, const PauliWord& b) {
  // Each qubit where both act with different non-identity letters anticommutes.
  return (std::popcount((a.x & b.z) ^ (a.z & b.x)) & 1) == 0;
}

void add(PauliPolynomial& p, const PauliWord& w, cplx c) {
  auto [it, inserted] = p.emplace(w, c);
  if (!inserted) {
    it->second += c;
    if (it->second == cplx(0.0)) p.erase(it);
  }
}

}  // namespace

std::pair<cplx, PauliWord> multiply(const PauliWord& a, const PauliWord& b) {
  int k = 0;
  for (std::uint64_t both = (a.x | a.z) & (b.x | b.z); both != 0; both &= both - 1) {
    const int q = std::countr_zero(both);
    k += product_phase(letter(a, q), letter(b, q));
  }
  static const cplx powers[4] = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}};
  return {powers[k & 3], PauliWord{a.x ^ b.x, a.z ^ b.z}};
}

PauliPolynomial multiply(const PauliPolynomial& a, const PauliPolynomial& b) {
  PauliPolynomial out;
  for (const auto& [wa, ca] : a)
    for (const auto& [wb, cb] : b) {
      const auto [phase, w] = multiply(wa, wb);
      add(out, w, phase * ca * cb);
    }
  return out;
}

PauliPolynomial adjoint(const PauliPolynomial& a) {
  PauliPolynomial out;
  for (const auto& [w, c] : a) out.emplace(w, std::conj(c));  // Pauli strings are Hermitian
  return out;
}

PauliPolynomial ladder(int p, bool creation) {
  const std::uint64_t bit = std::uint64_t{1} << p;
  const std::uint64_t string = bit - 1;  // Z on every qubit below p
  // a_p = Z...Z (X + iY)/2, a+_p = Z...Z (X - iY)/2.
  return {{PauliWord{bit, string}, cplx(0.5, 0.0)},
          {PauliWord{bit, string | bit}, cplx(0.0, creation ? -0.5 : 0.5)}};
}

std::vector<GeneratorTerm> excitation_generator(const Excitation& e) {
  // T = a+_a a_i, or a+_a a+_b a_j a_i: creations on the virtuals in order, then annihilations
  // on the occupied in reverse order.
  PauliPolynomial t = {{PauliWord{}, cplx(1.0, 0.0)}};
  for (int v : e.virtuals) t = multiply(t, ladder(v, true));
  for (auto it = e.occupied.rbegin(); it != e.occupied.rend(); ++it) t = multiply(t, ladder(*it, false));
  PauliPolynomial g = t;
  for (const auto& [w, c] : adjoint(t)) add(g, w, -c);

  std::vector<GeneratorTerm> out;
  double scale = 0.0;
  for (const auto& [w, c] : g) scale = std::max(scale, std::abs(c));
  for (const auto& [w, c] : g) {
    if (std::abs(c) <= 1e-14 * scale) continue;  // rounding residue of a cancelled string
    if (std::abs(c.real()) > 1e-14 * scale)
      throw std::logic_error("excitation_generator: T - T^dagger has a real Pauli coefficient");
    out.push_back({w, c.imag()});
  }
  for (std::size_t k = 0; k < out.size(); ++k)
    for (std::size_t l = k + 1; l < out.size(); ++l)
      if (!commute(out[k].word, out[l].word))
        throw std::logic_error("excitation_generator: the strings of one excitation do not commute");
  return out;
}

std::vector<int> support(const PauliWord& w) {
  std::vector<int> q;
  for (std::uint64_t m = w.x | w.z; m != 0; m &= m - 1) q.push_back(std::countr_zero(m));
  return q;
}

std::string rotation_label(const PauliWord& w) {
  const auto qubits = support(w);
  std::string label(qubits.size(), 'I');
  static constexpr char kLetters[] = "IXYZ";
  for (std::size_t k = 0; k < qubits.size(); ++k)
    label[qubits.size() - 1 - k] = kLetters[letter(w, qubits[k])];
  return label;
}

}  // namespace vqsim::chem
