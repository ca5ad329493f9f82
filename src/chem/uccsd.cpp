#include "chem/uccsd.hpp"

#include "chem/jordan_wigner.hpp"

namespace vqsim::chem {

std::int64_t uccsd_num_parameters(const UccsdSpec& spec) {
  const std::int64_t per_rep = (spec.kinds.singles ? count_singles(spec.occupation) : 0) +
                               (spec.kinds.doubles ? count_doubles(spec.occupation) : 0);
  return spec.reps * per_rep;
}

std::int64_t uccsd_num_gates(const UccsdSpec& spec) {
  const std::int64_t per_rep = (spec.kinds.singles ? 2 * count_singles(spec.occupation) : 0) +
                               (spec.kinds.doubles ? 8 * count_doubles(spec.occupation) : 0);
  return spec.reps * per_rep + spec.occupation.num_electrons();
}

circuit::Circuit uccsd(const UccsdSpec& spec) {
  const Occupation& occ = spec.occupation;
  circuit::Circuit c;
  c.num_qubits = occ.num_qubits;
  c.initial_bits.assign(static_cast<std::size_t>(occ.num_qubits), '0');
  for (int q : hartree_fock_qubits(occ)) {
    c.gates.push_back({circuit::GateKind::X, {q}, {}, {}});
    c.initial_bits[static_cast<std::size_t>(occ.num_qubits - 1 - q)] = '1';
  }

  // The generator of each excitation once; the repetitions reuse its strings.
  struct Rotations {
    std::string name;
    std::vector<GeneratorTerm> terms;
  };
  std::vector<Rotations> list;
  for (const Excitation& e : excitations(occ, spec.kinds))
    list.push_back({excitation_name(e), excitation_generator(e)});

  for (int rep = 0; rep < spec.reps; ++rep)
    for (const Rotations& r : list) {
      const int index = c.num_parameters();
      c.parameter_names.push_back(spec.reps == 1 ? r.name : r.name + "@" + std::to_string(rep));
      for (const GeneratorTerm& t : r.terms) {
        // exp(i theta c P) = exp(-i t/2 P) at t = -2 c theta.
        circuit::AffineAngle angle;
        angle.terms.emplace_back(index, -2.0 * t.coefficient);
        c.gates.push_back(
            {circuit::GateKind::PauliRotation, support(t.word), {angle}, rotation_label(t.word)});
      }
    }
  return c;
}

observable::Sector sector(const Occupation& occ) {
  observable::Sector s;
  s.num_particles = occ.num_electrons();
  s.spin = observable::SpinSector{alpha_mask(occ.num_qubits, occ.ordering), occ.num_alpha};
  return s;
}

}  // namespace vqsim::chem
