// VQE end to end in-process: published energies reached by every optimiser.
#include <gtest/gtest.h>

#include <omp.h>

#include <algorithm>
#include <fstream>

#include "io/input.hpp"
#include "vqe/vqe.hpp"

namespace vqsim {
namespace {

using io::json;

json load(const std::string& file) {
  std::ifstream in(std::string(VQSIM_TEST_DATA_DIR) + "/" + file);
  return json::parse(in);
}

// H2 / STO-3G / 0.7414 A, Jordan-Wigner (OpenFermion); FCI -1.137270174625328 Ha.
const double kH2Fci = -1.137270174625328;
// H2 / 0.735 A, parity, two-qubit reduction (qiskit-algorithms): -1.857275030202378 Ha.
const double kH2Parity = -1.857275030202378;

vqe::Result run(const json& data, const json& params, int* interims = nullptr) {
  const io::Job job = io::parse_job(data, &params);
  int count = 0;
  auto r = vqe::run(job.problem, job.settings, [&](const vqe::Interim&) { ++count; });
  if (interims) *interims = count;
  return r;
}

json h2_ucc() {
  const json ref = load("h2_sto3g_0.7414_jw.json");
  // Hartree-Fock |0011> and the one double excitation as a single Pauli rotation.
  return {{"circuit",
           {{"num_qubits", 4},
            {"gates", json::parse(R"([{"gate": "x", "qubits": [0]}, {"gate": "x", "qubits": [1]},
               {"gate": "pauli_rotation", "pauli": "XXYX", "qubits": [0, 1, 2, 3], "params": ["t"]}])")}}},
          {"observable", ref["terms"]}};
}

TEST(Vqe, H2UccReachesFci) {
  int interims = 0;
  const auto r = run(h2_ucc(), json::object(), &interims);
  EXPECT_NEAR(r.energy, kH2Fci, 1e-6);
  ASSERT_TRUE(r.exact_energy.has_value());
  EXPECT_NEAR(*r.exact_energy, kH2Fci, 1e-10);
  EXPECT_TRUE(r.converged);
  EXPECT_EQ(interims, r.iterations);
  EXPECT_EQ(static_cast<int>(r.history.size()), r.iterations);
  // The first iteration is the Hartree-Fock energy (t = 0).
  EXPECT_NEAR(r.history.front(), -1.116684386906734, 1e-10);
}

TEST(Vqe, H2HardwareEfficientFromHartreeFockReachesFci) {
  const json ref = load("h2_sto3g_0.7414_jw.json");
  const json data = {{"ansatz",
                      {{"type", "hardware_efficient"},
                       {"num_qubits", 4},
                       {"layers", 2},
                       {"rotations", {"ry", "rz"}},
                       {"entanglement", "linear"},
                       {"initial_bits", "0011"}}},
                     {"observable", ref["terms"]}};
  const auto r = run(data, json{{"initial_parameters", "random"}, {"seed", 1}, {"max_iterations", 3000}});
  EXPECT_NEAR(r.energy, kH2Fci, 1e-6);
}

class EveryOptimizer : public testing::TestWithParam<std::tuple<std::string, double>> {};

TEST_P(EveryOptimizer, ReachesTheParityH2Ground) {
  const auto& [optimizer, tolerance] = GetParam();
  const json ref = load("h2_sto3g_0.735_parity_2q.json");
  const json data = {{"ansatz",
                      {{"type", "hardware_efficient"},
                       {"num_qubits", 2},
                       {"layers", 1},
                       {"rotations", {"ry"}},
                       {"entanglement", "linear"}}},
                     {"observable", ref["terms"]}};
  json params = {{"optimizer", optimizer}, {"initial_parameters", {0.1, -0.2, 0.3, 0.1}}, {"seed", 3}};
  params["max_iterations"] = optimizer == "spsa" ? 2000 : 1000;
  int interims = 0;
  const auto r = run(data, params, &interims);
  EXPECT_NEAR(r.energy, kH2Parity, tolerance) << optimizer;
  EXPECT_EQ(interims, r.iterations);
  EXPECT_LE(r.iterations, params["max_iterations"].get<int>());
}

INSTANTIATE_TEST_SUITE_P(All, EveryOptimizer,
                         testing::Values(std::make_tuple("lbfgs", 1e-8), std::make_tuple("cobyla", 1e-6),
                                         std::make_tuple("nelder_mead", 1e-6),
                                         std::make_tuple("bobyqa", 1e-6), std::make_tuple("adam", 1e-5),
                                         std::make_tuple("gradient_descent", 1e-5),
                                         std::make_tuple("spsa", 1e-3)),
                         [](const auto& p) { return std::get<0>(p.param); });

TEST(Vqe, GradientMethodsAgreeOnTheOptimum) {
  for (const char* g : {"adjoint", "parameter_shift", "finite_difference"}) {
    const auto r = run(h2_ucc(), json{{"gradient", g}});
    EXPECT_NEAR(r.energy, kH2Fci, 1e-6) << g;
  }
}

TEST(Vqe, MaxIterationsStopsAndSaysSo) {
  const auto r = run(h2_ucc(), json{{"optimizer", "cobyla"}, {"max_iterations", 2}});
  EXPECT_EQ(r.iterations, 2);
  EXPECT_EQ(r.stop_reason, "max_iterations");
  EXPECT_FALSE(r.converged);
}

TEST(Vqe, SameSeedSameResult) {
  const json p = {
      {"optimizer", "spsa"}, {"max_iterations", 50}, {"seed", 5}, {"initial_parameters", "random"}};
  const auto a = run(h2_ucc(), p), b = run(h2_ucc(), p);
  EXPECT_EQ(a.history, b.history);
  EXPECT_EQ(a.parameters, b.parameters);
}

TEST(Vqe, NoParametersEvaluatesOnce) {
  json data = h2_ucc();
  data["circuit"]["gates"] = json::parse(R"([{"gate": "x", "qubits": [0]}, {"gate": "x", "qubits": [1]}])");
  const auto r = run(data, json::object());
  EXPECT_NEAR(r.energy, -1.116684386906734, 1e-10);  // Hartree-Fock
  EXPECT_EQ(r.iterations, 1);
  EXPECT_TRUE(r.parameters.empty());
}

}  // namespace
}  // namespace vqsim

namespace vqsim {
namespace {

// The same input and seed give the same answer whatever the thread count: a 15-qubit state
// crosses the OpenMP threshold, so 1 and 2 threads take different reduction orders.
TEST(Vqe, ThreadCountDoesNotChangeTheAnswer) {
  const int n = 15;
  json obs = json::array();
  for (int i = 0; i + 1 < n; ++i)
    obs.push_back({"Z" + std::to_string(i) + " Z" + std::to_string(i + 1), -1.0});
  for (int i = 0; i < n; ++i) obs.push_back({"X" + std::to_string(i), -0.7});
  const json data = {{"ansatz", {{"type", "hardware_efficient"}, {"num_qubits", n}, {"layers", 1}}},
                     {"observable", obs}};
  const json params = {{"initial_parameters", "random"}, {"seed", 3}, {"max_iterations", 6}};
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const auto one = run(data, params);
  omp_set_num_threads(2);
  const auto two = run(data, params);
  omp_set_num_threads(saved);
  ASSERT_EQ(one.history.size(), two.history.size());
  for (std::size_t i = 0; i < one.history.size(); ++i)
    EXPECT_NEAR(one.history[i], two.history[i], 1e-12) << i;
  EXPECT_NEAR(one.energy, two.energy, 1e-12);
}

// params.precision "single" runs the whole VQE in float: the H2 energies agree with double
// (and FCI) to float rounding, well within 1e-5.
TEST(Vqe, SinglePrecisionAgreesWithDoubleOnH2) {
  // input/: the UCC ansatz from Hartree-Fock, and examples/h2-hardware-efficient: 24 parameters.
  const json ucc = {{"optimizer", "lbfgs"}, {"initial_parameters", "zeros"}, {"max_iterations", 100}};
  const json ref = load("h2_sto3g_0.7414_jw.json");
  const json hea_data = {
      {"ansatz",
       {{"type", "hardware_efficient"}, {"num_qubits", 4}, {"layers", 2}, {"initial_bits", "0011"}}},
      {"observable", ref["terms"]}};
  const json hea = {{"initial_parameters", "random"}, {"seed", 1}, {"max_iterations", 500}};
  for (const auto& [data, params] : {std::pair{h2_ucc(), ucc}, std::pair{hea_data, hea}}) {
    json single_params = params;
    single_params["precision"] = "single";
    const auto d = run(data, params), f = run(data, single_params);
    EXPECT_NEAR(d.energy, kH2Fci, 1e-9);
    EXPECT_NEAR(f.energy, d.energy, 1e-5);
    EXPECT_NEAR(f.energy, kH2Fci, 1e-5);
    EXPECT_EQ(*f.exact_energy, *d.exact_energy);  // the reference is computed in double either way
    // Float rounding shows in the norm, so the states really were single precision.
    EXPECT_LE(d.norm_deviation, vqe::kNormTolerance);
    EXPECT_GT(f.norm_deviation, vqe::kNormTolerance);
    EXPECT_LE(f.norm_deviation, vqe::kNormToleranceSingle);
    // And the energy at the optimum the float run found, recomputed in double, agrees too.
    json at_f = params;
    at_f["initial_parameters"] = f.parameters;
    at_f["max_iterations"] = 1;
    EXPECT_NEAR(run(data, at_f).history.front(), f.energy, 1e-5);
  }
}

TEST(Vqe, SinglePrecisionWithShots) {
  const json params = {
      {"optimizer", "cobyla"}, {"shots", 2000}, {"max_iterations", 30}, {"seed", 4}, {"precision", "single"}};
  const auto f = run(h2_ucc(), params);
  ASSERT_TRUE(f.noiseless_energy.has_value());
  // The noiseless energy of the float state at the returned point is the double one there.
  const json at_f = {{"initial_parameters", f.parameters}, {"max_iterations", 1}};
  EXPECT_NEAR(*f.noiseless_energy, run(h2_ucc(), at_f).history.front(), 1e-5);
}

TEST(Vqe, StopCheckEndsTheRunWithItsReason) {
  const io::Job job = io::parse_job(h2_ucc(), nullptr);
  int calls = 0;
  const auto r = vqe::run(job.problem, job.settings, nullptr, [&]() -> std::optional<std::string> {
    return ++calls == 2 ? std::optional<std::string>("time_limit") : std::nullopt;
  });
  EXPECT_EQ(r.iterations, 2);
  EXPECT_EQ(r.stop_reason, "time_limit");
  EXPECT_FALSE(r.converged);
  EXPECT_EQ(r.energy, *std::min_element(r.history.begin(), r.history.end()));  // the best so far
}

}  // namespace
}  // namespace vqsim
