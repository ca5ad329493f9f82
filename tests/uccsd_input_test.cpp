// The input edge for the UCCSD ansatz and params.exact_sector: what they become, and the exact
// messages bad input gets.
#include <gtest/gtest.h>

#include <chrono>

#include "io/input.hpp"
#include "io/output.hpp"
#include "io/resources.hpp"

namespace vqsim::io {
namespace {

json uccsd(json extra = json::object()) {
  json a = {{"type", "uccsd"}, {"num_qubits", 4}, {"num_electrons", 2}};
  a.update(extra);
  return a;
}

json data_with(const json& ansatz) {
  return {{"ansatz", ansatz}, {"observable", json::parse(R"([["Z0 Z1", 1.0], ["X0", 0.5]])")}};
}

Job parse(const json& ansatz, const json& params = json::object()) {
  return parse_job(data_with(ansatz), &params);
}

// The detail of the ServiceError parsing throws, with its code.
std::string error_of(const json& ansatz, const json& params = json::object(),
                     ErrorCode code = ErrorCode::InvalidInput) {
  try {
    parse(ansatz, params);
  } catch (const ServiceError& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    return e.what();
  }
  return "no error";
}

TEST(UccsdInput, DefaultsAndSector) {
  const Job job = parse(uccsd());
  ASSERT_TRUE(job.uccsd.has_value());
  EXPECT_EQ(job.uccsd->occupation.num_alpha, 1);
  EXPECT_EQ(job.uccsd->occupation.num_beta, 1);
  EXPECT_EQ(job.uccsd->occupation.ordering, chem::SpinOrdering::Interleaved);
  EXPECT_EQ(job.uccsd->reps, 1);
  EXPECT_EQ(job.problem.circuit.parameter_names,
            (std::vector<std::string>{"s[0,2]", "s[1,3]", "d[0,1,2,3]"}));
  // The exact reference looks in the ansatz's sector: 2 electrons, S_z 0, interleaved alpha qubits.
  ASSERT_TRUE(job.settings.exact_sector.has_value());
  EXPECT_EQ(job.settings.exact_sector->num_particles, 2);
  ASSERT_TRUE(job.settings.exact_sector->spin.has_value());
  EXPECT_EQ(job.settings.exact_sector->spin->alpha_mask, 0b0101u);
  EXPECT_EQ(job.settings.exact_sector->spin->num_alpha, 1);
}

TEST(UccsdInput, Options) {
  const Job blocked = parse(uccsd({{"spin_ordering", "blocked"}, {"excitations", "d"}, {"reps", 3}}));
  EXPECT_EQ(blocked.problem.circuit.parameter_names,
            (std::vector<std::string>{"d[0,2,1,3]@0", "d[0,2,1,3]@1", "d[0,2,1,3]@2"}));
  EXPECT_EQ(blocked.settings.exact_sector->spin->alpha_mask, 0b0011u);
  EXPECT_EQ(parse(uccsd({{"excitations", "s"}})).problem.circuit.num_parameters(), 2);
  // Odd electron counts with the spins given; one spin given leaves the rest to the other.
  const Job doublet =
      parse(uccsd({{"num_qubits", 6}, {"num_electrons", 3}, {"num_alpha", 2}, {"num_beta", 1}}));
  EXPECT_EQ(doublet.settings.exact_sector->sz(), 0.5);
  const Job one = parse(uccsd({{"num_qubits", 6}, {"num_electrons", 3}, {"num_beta", 2}}));
  EXPECT_EQ(one.uccsd->occupation.num_alpha, 1);
  EXPECT_EQ(one.settings.exact_sector->sz(), -0.5);
  // The spins alone, as Qiskit Nature's num_particles = (1, 1).
  json spins = uccsd({{"num_alpha", 1}, {"num_beta", 1}});
  spins.erase("num_electrons");
  EXPECT_EQ(parse(spins).problem.circuit.num_parameters(), 3);
  // Hartree-Fock on X gates: interleaved |0011>, blocked |0101>.
  EXPECT_EQ(parse(uccsd()).problem.circuit.initial_bits, "0011");
  EXPECT_EQ(blocked.problem.circuit.initial_bits, "0101");
}

TEST(UccsdInput, Errors) {
  EXPECT_EQ(
      error_of(uccsd({{"num_qubits", 5}})),
      "data.ansatz.num_qubits: 5 is odd: UCCSD needs an even number of qubits, an alpha and a beta spin "
      "orbital per spatial orbital");
  EXPECT_EQ(error_of(uccsd({{"num_qubits", 0}})), "data.ansatz.num_qubits: 0 is out of range (2 to 62)");
  EXPECT_EQ(error_of(uccsd({{"num_electrons", 5}})), "data.ansatz.num_electrons: 5 is out of range (0 to 4)");
  EXPECT_EQ(error_of(uccsd({{"num_qubits", 6}, {"num_electrons", 3}})),
            "data.ansatz.num_electrons: 3 electrons is odd: give num_alpha and num_beta (e.g. 2 and 1)");
  EXPECT_EQ(error_of(uccsd({{"num_electrons", 3}, {"num_alpha", 1}, {"num_beta", 1}})),
            "data.ansatz: num_alpha 1 + num_beta 1 is not num_electrons 3");
  EXPECT_EQ(error_of(uccsd({{"num_alpha", 3}, {"num_beta", 0}, {"num_electrons", 3}})),
            "data.ansatz.num_alpha: 3 alpha electrons do not fit in 2 spatial orbitals (num_qubits 4)");
  EXPECT_EQ(error_of(uccsd({{"num_electrons", 4}, {"num_alpha", 1}})),
            "data.ansatz.num_alpha: leaves 3 of 4 electrons for num_beta, which must be 0 to 2 (the spatial "
            "orbitals)");
  json missing = uccsd({{"num_alpha", 1}});
  missing.erase("num_electrons");
  EXPECT_EQ(error_of(missing),
            "data.ansatz: missing key 'num_electrons' (or both 'num_alpha' and 'num_beta')");
  EXPECT_EQ(error_of(uccsd({{"num_electron", 2}})),
            "data.ansatz.num_electron: unknown key, did you mean 'num_electrons'?");
  EXPECT_EQ(error_of(uccsd({{"layers", 2}})),
            "data.ansatz.layers: is a key of ansatz type 'hardware_efficient', not 'uccsd'");
  EXPECT_EQ(error_of({{"type", "hardware_efficient"}, {"num_qubits", 4}, {"reps", 2}}),
            "data.ansatz.reps: is a key of ansatz type 'uccsd', not 'hardware_efficient'");
  EXPECT_EQ(
      error_of(uccsd({{"spin_ordering", "block"}})),
      "data.ansatz.spin_ordering: 'block' is not one of interleaved, blocked (did you mean 'blocked'?)");
  EXPECT_EQ(error_of(uccsd({{"excitations", "sdt"}})),
            "data.ansatz.excitations: 'sdt' is not one of sd, s, d (did you mean 'sd'?)");
  EXPECT_EQ(error_of(uccsd({{"reps", 0}})), "data.ansatz.reps: 0 is out of range (1 to 10000)");
  EXPECT_EQ(error_of(uccsd({{"type", "ucc"}})),
            "data.ansatz.type: 'ucc' is not one of hardware_efficient, uccsd (did you mean 'uccsd'?)");
  EXPECT_EQ(error_of(uccsd({{"num_electrons", "two"}})),
            "data.ansatz.num_electrons: expected an integer, got \"two\" (a string)");
}

// An excitation count beyond the gate limit is refused from the counts, before anything is built.
TEST(UccsdInput, GateLimitBeforeAnyWork) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(
      error_of(uccsd({{"num_qubits", 62}, {"num_electrons", 30}, {"reps", 200}}), json::object(),
               ErrorCode::ResourceLimit),
      "data.ansatz: this ansatz has 132672030 gates (16656000 excitation parameters); the limit is 10000000");
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 1.0);
}

// A register no state of which fits is refused before its (n^4) circuit is built.
TEST(UccsdInput, MemoryBeforeTheCircuit) {
  const std::string e =
      error_of(uccsd({{"num_qubits", 50}, {"num_electrons", 20}}), json::object(), ErrorCode::ResourceLimit);
  EXPECT_EQ(e.rfind("data.ansatz: one state of 50 qubits needs ", 0), 0u) << e;
}

TEST(UccsdInput, ExactSectorParams) {
  const json hea = {{"type", "hardware_efficient"}, {"num_qubits", 4}};
  EXPECT_FALSE(parse(hea).settings.exact_sector.has_value());
  const Job n_only = parse(hea, {{"exact_sector", {{"num_electrons", 2}}}});
  ASSERT_TRUE(n_only.settings.exact_sector.has_value());
  EXPECT_EQ(n_only.settings.exact_sector->num_particles, 2);
  EXPECT_FALSE(n_only.settings.exact_sector->spin.has_value());
  const Job with_sz = parse(hea, {{"exact_sector", {{"num_electrons", 3}, {"sz", -0.5}}}});
  EXPECT_EQ(with_sz.settings.exact_sector->spin->alpha_mask, 0b0101u);  // interleaved by default
  EXPECT_EQ(with_sz.settings.exact_sector->spin->num_alpha, 1);
  const Job blocked =
      parse(hea, {{"exact_sector", {{"num_electrons", 2}, {"sz", 1}, {"spin_ordering", "blocked"}}}});
  EXPECT_EQ(blocked.settings.exact_sector->spin->alpha_mask, 0b0011u);
  EXPECT_EQ(blocked.settings.exact_sector->spin->num_alpha, 2);
  // With a UCCSD ansatz, params win and the ansatz's spin ordering is the default.
  const Job override =
      parse(uccsd({{"spin_ordering", "blocked"}}), {{"exact_sector", {{"num_electrons", 2}, {"sz", 0}}}});
  EXPECT_EQ(override.settings.exact_sector->spin->alpha_mask, 0b0011u);

  const auto err = [&](const json& sector, const json& extra = json::object()) {
    json params = {{"exact_sector", sector}};
    params.update(extra);
    return error_of(hea, params);
  };
  EXPECT_EQ(err({{"sz", 0}}), "params.exact_sector: missing key 'num_electrons'");
  EXPECT_EQ(err({{"num_electrons", 5}}), "params.exact_sector.num_electrons: 5 is out of range (0 to 4)");
  EXPECT_EQ(err({{"num_electrons", 2}, {"sz", 0.3}}),
            "params.exact_sector.sz: must be a multiple of 1/2 (0, 0.5, 1, ...), got 0.3");
  EXPECT_EQ(
      err({{"num_electrons", 2}, {"sz", 0.5}}),
      "params.exact_sector.sz: 0.5 with 2 electrons: num_electrons + 2 sz must be even (an odd count has a "
      "half-integer sz)");
  EXPECT_EQ(
      err({{"num_electrons", 2}, {"sz", 2}}),
      "params.exact_sector.sz: no state of 2 electrons in 2 spatial orbitals has sz 2 (it needs 3 alpha and "
      "-1 beta electrons)");
  EXPECT_EQ(err({{"num_electrons", 4}, {"sz", 1}}),
            "params.exact_sector.sz: no state of 4 electrons in 2 spatial orbitals has sz 1 (it needs 3 "
            "alpha and 1 "
            "beta electrons)");
  EXPECT_EQ(err({{"num_electrons", 2}, {"sz", 40}}),
            "params.exact_sector.sz: no state of 2 electrons in 2 spatial orbitals has sz 40");
  EXPECT_EQ(
      err({{"num_electrons", 2}, {"spin_ordering", "blocked"}}),
      "params.exact_sector.spin_ordering: only applies with 'sz' (it says which qubits hold alpha and which "
      "beta spin orbitals)");
  EXPECT_EQ(
      err({{"num_electrons", 2}, {"sz", 0}, {"spin_ordering", "interleave"}}),
      "params.exact_sector.spin_ordering: 'interleave' is not one of interleaved, blocked (did you mean "
      "'interleaved'?)");
  EXPECT_EQ(err({{"num_electron", 2}}),
            "params.exact_sector.num_electron: unknown key, did you mean 'num_electrons'?");
  EXPECT_EQ(err({{"num_electrons", 2}}, {{"exact_reference", false}}),
            "params.exact_sector: has no effect with exact_reference false (it picks where the reference is "
            "sought)");
  EXPECT_EQ(err(2), "params.exact_sector: expected an object, got 2 (an integer)");
  EXPECT_EQ(
      error_of({{"type", "hardware_efficient"}, {"num_qubits", 3}},
               {{"exact_sector", {{"num_electrons", 1}, {"sz", 0.5}}}}),
      "params.exact_sector.sz: needs an even number of qubits (alpha and beta spin orbitals in pairs); the "
      "circuit has 3");
  // Only vqe has an exact ground energy to restrict.
  const json maxcut = {{"problem", {{"type", "maxcut"}, {"graph", {{"num_nodes", 3}, {"edges", {{0, 1}}}}}}}};
  const json params = {{"exact_sector", {{"num_electrons", 1}}}};
  try {
    parse_job(maxcut, &params);
    ADD_FAILURE() << "no error";
  } catch (const ServiceError& e) {
    EXPECT_STREQ(e.what(), "params.exact_sector: is not used by task 'qaoa'");
  }
}

TEST(UccsdInput, ResultReportsTheSector) {
  const Job job = parse(uccsd({{"num_qubits", 6}, {"num_electrons", 3}, {"num_alpha", 2}, {"num_beta", 1}}));
  vqe::Result r;
  r.energy = -1.0;
  r.parameters.assign(static_cast<std::size_t>(job.problem.circuit.num_parameters()), 0.0);
  r.stop_reason = "converged";
  r.exact_energy = -1.5;
  r.exact_sector = job.settings.exact_sector;
  const json out = result_json(job, r, {0.1, 1});
  EXPECT_EQ(out["result"]["exact_sector"], json::parse(R"({"num_electrons": 3, "sz": 0.5})"));
  // N alone: no sz.
  r.exact_sector->spin.reset();
  EXPECT_EQ(result_json(job, r, {0.1, 1})["result"]["exact_sector"], json::parse(R"({"num_electrons": 3})"));
  // No reference, no sector.
  r.exact_energy.reset();
  EXPECT_FALSE(result_json(job, r, {0.1, 1})["result"].contains("exact_sector"));
}

TEST(UccsdInput, SectorReferenceMemory) {
  // Per basis state: 32 real vectors (30 Lanczos + 2 work), the basis state, one complex input.
  EXPECT_EQ(sector_reference_bytes(1000, false), 1000u * (32 * 8 + 8 + 16));
  EXPECT_EQ(sector_reference_bytes(1000, true), 1000u * (64 * 8 + 8 + 16));
  EXPECT_EQ(sector_reference_bytes(std::uint64_t{1} << 60, true), std::numeric_limits<std::uint64_t>::max());
}

}  // namespace
}  // namespace vqsim::io
