// The input edge: what data.json and params.json become, and the exact messages bad input gets.
#include <gtest/gtest.h>

#include <fstream>
#include <numbers>

#include "io/input.hpp"
#include "io/output.hpp"
#include "io/resources.hpp"

namespace vqsim::io {
namespace {

json good_data() {
  return json::parse(R"({
    "circuit": {"num_qubits": 3, "gates": [
      {"gate": "h", "qubits": [0]},
      {"gate": "ry", "qubits": [1], "params": ["2*a + pi/4"]},
      {"gate": "cx", "qubits": [0, 2]},
      {"gate": "u3", "qubits": [2], "params": [0.1, "b", "-a"]},
      {"gate": "pauli_rotation", "pauli": "XYZ", "qubits": [0, 1, 2], "params": ["b/2"]}
    ]},
    "observable": [["ZZI", 1.0], ["X0 Y2", [0.5, 0.0]], ["", -0.25], ["IIZ", 2]]
  })");
}

TEST(Input, GoodDataParses) {
  const Job job = parse_job(good_data(), nullptr);
  const auto& c = job.problem.circuit;
  EXPECT_EQ(c.num_qubits, 3);
  EXPECT_EQ(c.parameter_names, (std::vector<std::string>{"a", "b"}));  // order of first use
  ASSERT_EQ(c.gates.size(), 5u);
  EXPECT_EQ(c.gates[4].pauli, "XYZ");
  EXPECT_EQ(job.problem.observable.terms().size(), 4u);
  EXPECT_EQ(job.settings.optimizer.method, optimize::Method::Lbfgs);
  EXPECT_EQ(job.settings.gradient, gradient::Method::Adjoint);
  // Sparse "X0 Y2" is dense "YIX": X on qubit 0, Y on qubit 2.
  const auto& t = job.problem.observable.terms()[1].masks;
  EXPECT_EQ(t.x_mask, 0b101u);
  EXPECT_EQ(t.z_mask, 0b100u);
}

TEST(Input, QasmCircuitsBecomeTheSameIr) {
  json d = good_data();
  d["circuit"] = {{"qasm",
                   "OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninput float[64] a;\nqubit[3] q;\n"
                   "ry(2*a + pi/4) q[1];\ncx q[0], q[2];\n"}};
  const Job job = parse_job(d, nullptr);
  const auto& c = job.problem.circuit;
  EXPECT_EQ(c.num_qubits, 3);
  EXPECT_EQ(c.parameter_names, (std::vector<std::string>{"a"}));
  ASSERT_EQ(c.gates.size(), 2u);
  EXPECT_EQ(c.gates[0].kind, circuit::GateKind::RY);
  EXPECT_NEAR(c.gates[0].angles[0].value({0.5}), 1.0 + std::numbers::pi / 4, 1e-15);
}

TEST(Input, DeclaredParameterOrderWins) {
  json d = good_data();
  d["circuit"]["parameters"] = {"b", "a", "unused"};
  const Job job = parse_job(d, nullptr);
  EXPECT_EQ(job.problem.circuit.parameter_names, (std::vector<std::string>{"b", "a", "unused"}));
}

TEST(Input, AnsatzMatchesTwoLocalShape) {
  const json d = json::parse(R"({"ansatz": {"type": "hardware_efficient", "num_qubits": 4, "layers": 2,
      "rotations": ["ry", "rz"], "entanglement": "linear", "initial_bits": "0011"},
      "observable": [["Z0", 1]]})");
  const Job job = parse_job(d, nullptr);
  const auto& c = job.problem.circuit;
  EXPECT_EQ(c.num_parameters(), 2 * 4 * 3);  // (layers + 1) rotation layers of 2 kinds on 4 qubits
  EXPECT_EQ(c.parameter_names.front(), "theta[0]");
  // 2 X gates for the initial bits, 24 rotations, 2 x 3 CX
  EXPECT_EQ(c.gates.size(), 2u + 24u + 6u);
  EXPECT_EQ(c.gates[0].kind, circuit::GateKind::X);
  EXPECT_EQ(c.gates[0].qubits[0], 0);
  EXPECT_EQ(c.gates[1].qubits[0], 1);
}

TEST(Input, ParamsParse) {
  const json p = json::parse(R"({"optimizer": "adam", "max_iterations": 7, "tolerance": 1e-3,
      "gradient": "parameter_shift", "initial_parameters": [0.5, 1], "learning_rate": 0.2,
      "seed": 11, "exact_reference": false, "log_level": "warn"})");
  const Job job = parse_job(good_data(), &p);
  const auto& s = job.settings;
  EXPECT_EQ(s.optimizer.method, optimize::Method::Adam);
  EXPECT_EQ(s.optimizer.max_iterations, 7);
  EXPECT_DOUBLE_EQ(s.optimizer.tolerance, 1e-3);
  EXPECT_EQ(s.gradient, gradient::Method::ParameterShift);
  EXPECT_EQ(s.initial, vqe::InitialKind::Given);
  EXPECT_EQ(s.initial_parameters, (std::vector<double>{0.5, 1.0}));
  EXPECT_DOUBLE_EQ(s.optimizer.learning_rate, 0.2);
  EXPECT_EQ(s.optimizer.seed, 11u);
  EXPECT_EQ(s.exact, vqe::ExactMode::Never);
  EXPECT_EQ(job.log_level, "warn");
}

struct BadCase {
  const char* name;
  std::string data_patch;  // JSON merge-patch onto good_data(), or raw text when raw is true
  std::string params;      // params.json text ("" = absent)
  std::string detail;      // the whole expected detail
  ErrorCode code = ErrorCode::InvalidInput;
};

std::string error_of(const json& data, const json* params) {
  try {
    parse_job(data, params);
  } catch (const ServiceError& e) {
    return std::string(code_name(e.code())) + " " + e.what();
  }
  return "no error";
}

class BadInput : public testing::TestWithParam<BadCase> {};

TEST_P(BadInput, GivesTheExactMessage) {
  const BadCase& c = GetParam();
  json data = good_data();
  if (!c.data_patch.empty()) data.merge_patch(json::parse(c.data_patch));
  const json params = c.params.empty() ? json() : json::parse(c.params);
  EXPECT_EQ(error_of(data, c.params.empty() ? nullptr : &params),
            std::string(code_name(c.code)) + " " + c.detail);
}

// The circuit's gates as a patch: replace gate 2 ("cx") with the given gate.
std::string gate2(const std::string& gate) {
  json g = good_data()["circuit"]["gates"];
  g[2] = json::parse(gate);
  return json{{"circuit", {{"gates", g}}}}.dump();
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadInput,
    testing::Values(
        BadCase{"qubit_out_of_range", gate2(R"({"gate": "cx", "qubits": [0, 7]})"), "",
                "data.circuit.gates[2].qubits[1]: qubit 7 is out of range for 3 qubits"},
        BadCase{"negative_qubit", gate2(R"({"gate": "x", "qubits": [-1]})"), "",
                "data.circuit.gates[2].qubits[0]: qubit -1 is out of range for 3 qubits"},
        BadCase{"repeated_qubit", gate2(R"({"gate": "cx", "qubits": [1, 1]})"), "",
                "data.circuit.gates[2].qubits[1]: qubit 1 is used twice in one gate"},
        BadCase{"fractional_qubit", gate2(R"({"gate": "x", "qubits": [1.5]})"), "",
                "data.circuit.gates[2].qubits[0]: expected an integer, got 1.5 (a number)"},
        BadCase{"unknown_gate", gate2(R"({"gate": "cnott", "qubits": [0, 1]})"), "",
                "data.circuit.gates[2].gate: unknown gate 'cnott', did you mean 'cnot'?"},
        BadCase{"wrong_arity", gate2(R"({"gate": "cx", "qubits": [0]})"), "",
                "data.circuit.gates[2].qubits: gate 'cx' acts on 2 qubits, got 1"},
        BadCase{"missing_params", gate2(R"({"gate": "rx", "qubits": [0]})"), "",
                "data.circuit.gates[2]: missing key 'params' (gate 'rx' takes 1)"},
        BadCase{"too_many_params", gate2(R"({"gate": "rx", "qubits": [0], "params": [1, 2]})"), "",
                "data.circuit.gates[2].params: gate 'rx' takes 1 parameter, got 2"},
        BadCase{"params_on_fixed_gate", gate2(R"({"gate": "h", "qubits": [0], "params": [1]})"), "",
                "data.circuit.gates[2].params: gate 'h' takes no parameters, got [1] (an array)"},
        BadCase{"non_affine", gate2(R"({"gate": "rx", "qubits": [0], "params": ["a*b"]})"), "",
                "data.circuit.gates[2].params[0]: in 'a*b' at character 2: not affine in the parameters: "
                "a product of two parameter terms"},
        BadCase{"bad_pauli",
                gate2(R"({"gate": "pauli_rotation", "pauli": "XQ", "qubits": [0, 1], "params": [1]})"), "",
                "data.circuit.gates[2].pauli: 'XQ' has 'Q', not a Pauli (I, X, Y or Z)"},
        BadCase{"pauli_on_other_gate", gate2(R"({"gate": "rx", "pauli": "X", "qubits": [0], "params": [1]})"),
                "", "data.circuit.gates[2].pauli: only gate 'pauli_rotation' takes a Pauli string"},
        BadCase{"unknown_gate_key", gate2(R"({"gate": "x", "qubit": [0]})"), "",
                "data.circuit.gates[2].qubit: unknown key, did you mean 'qubits'?"},
        BadCase{"zero_qubits", R"({"circuit": {"num_qubits": 0}})", "",
                "data.circuit.num_qubits: 0 is out of range (1 to 62)"},
        BadCase{"huge_qubits", R"({"circuit": {"num_qubits": 1000000}})", "",
                "data.circuit.num_qubits: 1000000 is out of range (1 to 62)"},
        BadCase{"unknown_declared_parameter", R"({"circuit": {"parameters": ["a"]}})", "",
                "data.circuit.gates[3].params[1]: in 'b' at character 1: unknown parameter 'b'"},
        BadCase{"duplicate_parameter", R"({"circuit": {"parameters": ["a", "a"]}})", "",
                "data.circuit.parameters[1]: parameter 'a' is listed twice"},
        BadCase{"bad_parameter_name", R"({"circuit": {"parameters": ["2x"]}})", "",
                "data.circuit.parameters[0]: '2x' is not a valid parameter name (letters, digits, _ and ., "
                "not starting with a digit; not 'pi')"},
        BadCase{"both_circuit_and_ansatz", R"({"ansatz": {"type": "hardware_efficient"}})", "",
                "data: give either 'circuit' or 'ansatz', not both"},
        BadCase{"complex_coefficient", R"({"observable": [["ZZI", [1.0, 0.5]]]})", "",
                "data.observable[0][1]: coefficient [1.0,0.5] has imaginary part 0.5; the observable must be "
                "Hermitian, so Pauli terms need real coefficients"},
        BadCase{"label_length", R"({"observable": [["ZZ", 1.0]]})", "",
                "data.observable[0][0]: label 'ZZ': dense label has 2 characters for 3 qubits"},
        BadCase{"label_qubit_range", R"({"observable": [["Z5", 1.0]]})", "",
                "data.observable[0][0]: label 'Z5': qubit 5 is out of range for 3 qubits"},
        BadCase{"label_repeated_qubit", R"({"observable": [["X1 Z1", 1.0]]})", "",
                "data.observable[0][0]: label 'X1 Z1': qubit 1 appears twice"},
        BadCase{"empty_observable", R"({"observable": []})", "",
                "data.observable: the observable has no terms"},
        BadCase{"term_shape", R"({"observable": [["ZZI"]]})", "",
                "data.observable[0]: expected [label, coefficient], got [\"ZZI\"] (an array)"},
        BadCase{"coefficient_type", R"({"observable": [["ZZI", "1.0"]]})", "",
                "data.observable[0][1]: expected a number or [re, im], got \"1.0\" (a string)"},
        BadCase{"unknown_top_key", R"({"observabel": 1})", "",
                "data.observabel: unknown key, did you mean 'observable'?"},
        BadCase{"params_unknown_key", "", R"({"optimzer": "adam"})",
                "params.optimzer: unknown key, did you mean 'optimizer'?"},
        BadCase{"params_bad_optimizer", "", R"({"optimizer": "lbgfs"})",
                "params.optimizer: 'lbgfs' is not one of lbfgs, cobyla, nelder_mead, bobyqa, adam, spsa, "
                "gradient_descent (did you mean 'lbfgs'?)"},
        BadCase{"params_wrong_type", "", R"({"max_iterations": "100"})",
                "params.max_iterations: expected an integer, got \"100\" (a string)"},
        BadCase{"params_negative_tolerance", "", R"({"tolerance": -1})",
                "params.tolerance: must be positive, got -1"},
        BadCase{"params_initial_length", "", R"({"initial_parameters": [1, 2, 3]})",
                "params.initial_parameters: has 3 values for 2 circuit parameters"},
        BadCase{"params_gradient_with_cobyla", "", R"({"optimizer": "cobyla", "gradient": "adjoint"})",
                "params.gradient: optimizer 'cobyla' is derivative-free and would ignore gradient 'adjoint'"},
        BadCase{"params_learning_rate_with_lbfgs", "", R"({"learning_rate": 0.1})",
                "params.learning_rate: optimizer 'lbfgs' has no learning rate (adam, spsa and "
                "gradient_descent do)"},
        BadCase{"params_exact_reference", "", R"({"exact_reference": "yes"})",
                "params.exact_reference: expected \"auto\", true or false, got \"yes\" (a string)"},
        BadCase{"params_not_object", "", R"([1, 2])", "params: expected an object, got [1,2] (an array)"},
        BadCase{"params_max_seconds", "", R"({"max_seconds": 0})",
                "params.max_seconds: must be positive, got 0"},
        BadCase{"params_shots_gradient_optimizer", "", R"({"shots": 100})",
                "params.shots: finite-shot energies need a derivative-free optimizer (cobyla, nelder_mead, "
                "bobyqa "
                "or spsa); 'lbfgs' uses exact gradients"},
        BadCase{"params_key_of_other_task", "", R"({"outputs": ["counts"]})",
                "params.outputs: is not used by task 'vqe'"},
        BadCase{"params_bad_precision", "", R"({"precision": "half"})",
                "params.precision: 'half' is not one of double, single"},
        BadCase{"params_precision_typo", "", R"({"precision": "singel"})",
                "params.precision: 'singel' is not one of double, single (did you mean 'single'?)"},
        BadCase{"params_precision_type", "", R"({"precision": 32})",
                "params.precision: expected a string, got 32 (an integer)"},
        BadCase{"params_bad_task", "", R"({"task": "vqa"})",
                "params.task: 'vqa' is not one of vqe, qaoa, simulate (did you mean 'vqe'?)"},
        BadCase{
            "qasm_unknown_gate",
            R"({"circuit": {"gates": null, "num_qubits": null, "qasm": "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[3];\nfoo q[0];\n"}})",
            "", "data.circuit.qasm:4:1: unknown gate 'foo'"},
        BadCase{"qasm_with_gate_list", R"({"circuit": {"qasm": "OPENQASM 2.0;\nqreg q[3];"}})", "",
                "data.circuit.gates: unknown key (known keys: qasm)"},
        BadCase{"qaoa_without_problem", "", R"({"task": "qaoa"})",
                "data: missing key 'problem' (task 'qaoa' needs one)"}),
    [](const testing::TestParamInfo<BadCase>& p) { return std::string(p.param.name); });

TEST(Input, PrecisionIsReadForEveryTaskAndReported) {
  EXPECT_EQ(parse_job(good_data(), nullptr).settings.precision, circuit::Precision::Double);
  const json single = {{"precision", "single"}};
  const Job vqe = parse_job(good_data(), &single);
  EXPECT_EQ(vqe.settings.precision, circuit::Precision::Single);
  const json maxcut =
      json::parse(R"({"problem": {"type": "maxcut", "graph": {"num_nodes": 3, "edges": [[0, 1]]}}})");
  EXPECT_EQ(parse_job(maxcut, &single).settings.precision, circuit::Precision::Single);
  const json simulate = {{"task", "simulate"}, {"parameters", {0.1, 0.2}}, {"precision", "single"}};
  EXPECT_EQ(parse_job(json{{"circuit", good_data()["circuit"]}}, &simulate).settings.precision,
            circuit::Precision::Single);
  // metadata.precision says what ran.
  vqe::Result r;
  r.parameters = {0.0, 0.0};
  EXPECT_EQ(result_json(vqe, r, {})["metadata"]["precision"], "single");
  const json twice = {{"precision", "double"}};
  EXPECT_EQ(result_json(parse_job(good_data(), &twice), r, {})["metadata"]["precision"], "double");
}

TEST(Resources, SinglePrecisionHalvesTheStateVectors) {
  using circuit::Precision;
  const std::uint64_t process = std::uint64_t{64} << 20;
  // 31 qubits, two states (psi and the adjoint's lambda): 64 GiB in double, 32 GiB in single.
  EXPECT_EQ(state_vector_bytes(31, Precision::Double), std::uint64_t{32} << 30);
  EXPECT_EQ(state_vector_bytes(31, Precision::Single), std::uint64_t{16} << 30);
  EXPECT_EQ(vqe_memory_bytes(31, false, false, Precision::Double), (std::uint64_t{64} << 30) + process);
  EXPECT_EQ(vqe_memory_bytes(31, false, false, Precision::Single), (std::uint64_t{32} << 30) + process);
  EXPECT_EQ(vqe_memory_bytes(31, false, false), vqe_memory_bytes(31, false, false, Precision::Double));
  // The Lanczos reference stays double: only the two states shrink.
  const std::uint64_t dim = std::uint64_t{1} << 20;
  EXPECT_EQ(vqe_memory_bytes(20, true, false, Precision::Double) -
                vqe_memory_bytes(20, true, false, Precision::Single),
            2 * dim * 8);
  EXPECT_EQ(vqe_memory_bytes(50, false, false, Precision::Single), std::numeric_limits<std::uint64_t>::max());
}

TEST(InputJson, MalformedTextNamesLineAndColumn) {
  try {
    parse_json_text("{\n  \"a\": [1, 2,\n  ]\n}", "data.json");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("data.json: malformed JSON at line 3, column 3: ", 0), 0u)
        << e.what();
  }
}

TEST(InputJson, DuplicateKeysAreRejected) {
  try {
    parse_json_text(R"({"a": 1, "b": {"c": 1, "c": 2}})", "data.json");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "data.json: duplicate key 'c' (JSON objects need unique keys)");
  }
  EXPECT_NO_THROW(parse_json_text(R"({"a": {"c": 1}, "b": {"c": 2}})", "data.json"));
}

TEST(Output, NonFiniteNumbersNeverReachJson) {
  json j = {{"result", {{"energy", std::nan("")}}}};
  EXPECT_THROW(check_finite(j), ServiceError);
}

}  // namespace
}  // namespace vqsim::io
