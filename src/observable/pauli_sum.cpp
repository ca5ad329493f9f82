#include "observable/pauli_sum.hpp"

#include <cctype>
#include <charconv>
#include <map>
#include <tuple>

namespace vqsim::observable {

core::PauliMasks parse_pauli_label(std::string_view label, int num_qubits) {
  core::PauliMasks m;
  std::uint64_t used = 0;  // identities count too: "I0 X0" names qubit 0 twice
  auto set = [&](char c, int q) {
    const std::uint64_t bit = std::uint64_t{1} << q;
    if (used & bit) throw LabelError("qubit " + std::to_string(q) + " appears twice");
    used |= bit;
    switch (c) {
      case 'I': break;
      case 'X': m.x_mask |= bit; break;
      case 'Y':
        m.x_mask |= bit;
        m.z_mask |= bit;
        ++m.y_count;
        break;
      case 'Z': m.z_mask |= bit; break;
      default: throw LabelError(std::string("'") + c + "' is not a Pauli (I, X, Y or Z)");
    }
  };
  const bool sparse = label.find_first_of("0123456789") != std::string_view::npos ||
                      label.find_first_not_of(" \t") == std::string_view::npos;
  if (!sparse) {
    if (static_cast<int>(label.size()) != num_qubits)
      throw LabelError("dense label has " + std::to_string(label.size()) + " characters for " +
                       std::to_string(num_qubits) + " qubits");
    for (std::size_t k = 0; k < label.size(); ++k) set(label[label.size() - 1 - k], static_cast<int>(k));
    return m;
  }
  std::size_t i = 0;
  while (i < label.size()) {
    if (std::isspace(static_cast<unsigned char>(label[i]))) {
      ++i;
      continue;
    }
    const char c = label[i++];
    std::size_t j = i;
    while (j < label.size() && std::isdigit(static_cast<unsigned char>(label[j]))) ++j;
    if (j == i) throw LabelError(std::string("sparse label term '") + c + "' has no qubit index");
    int q = 0;
    const auto res = std::from_chars(label.data() + i, label.data() + j, q);
    if (res.ec != std::errc() || q >= num_qubits)
      throw LabelError("qubit " + std::string(label.substr(i, j - i)) + " is out of range for " +
                       std::to_string(num_qubits) + " qubits");
    if (j < label.size() && !std::isspace(static_cast<unsigned char>(label[j])))
      throw LabelError("sparse label terms must be separated by spaces");
    set(c, q);
    i = j;
  }
  return m;
}

std::string dense_label(const core::PauliMasks& m, int num_qubits) {
  std::string s(static_cast<std::size_t>(num_qubits), 'I');
  for (int q = 0; q < num_qubits; ++q) {
    const bool x = (m.x_mask >> q) & 1, z = (m.z_mask >> q) & 1;
    s[static_cast<std::size_t>(num_qubits - 1 - q)] = x ? (z ? 'Y' : 'X') : (z ? 'Z' : 'I');
  }
  return s;
}

PauliSum::PauliSum(int num_qubits, const std::vector<PauliTerm>& terms) : num_qubits_(num_qubits) {
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::size_t> seen;
  for (const auto& t : terms) {
    const auto key = std::make_pair(t.masks.x_mask, t.masks.z_mask);
    auto it = seen.find(key);
    if (it == seen.end()) {
      seen.emplace(key, terms_.size());
      terms_.push_back(t);
    } else {
      terms_[it->second].coefficient += t.coefficient;
    }
  }
  std::map<std::uint64_t, std::size_t> group_of;
  for (const auto& t : terms_) {
    auto [it, fresh] = group_of.emplace(t.masks.x_mask, groups_.size());
    if (fresh) groups_.push_back({t.masks.x_mask, {}});
    groups_[it->second].entries.push_back({t.masks.z_mask, t.coefficient * core::i_power(t.masks.y_count)});
  }
}

bool PauliSum::is_real() const {
  for (const auto& t : terms_)
    if ((t.masks.y_count & 1) && t.coefficient != 0.0) return false;
  return true;
}

}  // namespace vqsim::observable
