// The OpenQASM 2/3 reader: a real corpus (pnnl/QASMBench) against known answers and an
// independent dense reference, parameterised OpenQASM 3, modifiers, definitions and every error.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <fstream>
#include <map>
#include <numbers>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "circuit/executor.hpp"
#include "circuit/expression.hpp"
#include "dense_reference.hpp"
#include "qasm/parser.hpp"

namespace vqsim::test {
namespace {

constexpr double kPi = std::numbers::pi;

std::string read_corpus(const std::string& name) {
  std::ifstream in(std::string(VQSIM_TEST_DATA_DIR) + "/qasm/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The state a parsed circuit prepares from |0...0>, run through vqsim's kernels.
VectorXcd simulate(const circuit::Circuit& c, const std::vector<double>& theta = {}) {
  core::StateVector<double> sv(c.num_qubits);
  circuit::AngleTable angles;
  angles.fill(c, theta);
  circuit::run_circuit(sv, c, angles);
  return to_vector(sv);
}

// The circuit's full unitary, one basis state (column) at a time.
MatrixXcd unitary(const circuit::Circuit& c, const std::vector<double>& theta = {}) {
  const Eigen::Index dim = Eigen::Index{1} << c.num_qubits;
  MatrixXcd u(dim, dim);
  circuit::AngleTable angles;
  angles.fill(c, theta);
  for (Eigen::Index col = 0; col < dim; ++col) {
    core::StateVector<double> sv(c.num_qubits);
    sv.set_basis_state(static_cast<std::uint64_t>(col));
    circuit::run_circuit(sv, c, angles);
    u.col(col) = to_vector(sv);
  }
  return u;
}

// One gate for the dense reference: a name gate_matrix knows, its angles and qubits.
struct RefGate {
  std::string name;
  std::vector<double> angles;
  std::vector<int> qubits;
};

MatrixXcd reference_unitary(const std::vector<RefGate>& gates, int n) {
  MatrixXcd u = MatrixXcd::Identity(Eigen::Index{1} << n, Eigen::Index{1} << n);
  for (const auto& g : gates) u = embed(gate_matrix(g.name, g.angles), g.qubits, n) * u;
  return u;
}

// A controlled version of u with k controls on the low matrix bits, u above them.
MatrixXcd multi_controlled(const MatrixXcd& u, int k) {
  MatrixXcd m = u;
  for (int i = 0; i < k; ++i) m = controlled(m);
  return m;
}

double max_abs(const MatrixXcd& m) {
  return m.cwiseAbs().maxCoeff();
}

// A line-by-line reader for flat OpenQASM 2 files (qreg declarations and gate calls on indexed
// qubits), written separately from src/qasm: angles go through circuit::parse_affine and gates
// through the dense reference, so the corpus is checked by a path that shares no parser code.
std::vector<RefGate> flat_reference(const std::string& source, int& num_qubits) {
  std::map<std::string, int> offset;
  num_qubits = 0;
  std::vector<RefGate> gates;
  const std::regex qreg(R"(^\s*qreg\s+(\w+)\s*\[(\d+)\]\s*;)");
  const std::regex call(R"(^\s*(\w+)\s*(?:\(([^)]*)\))?\s+([^;]+);)");
  const std::regex arg(R"((\w+)\s*\[(\d+)\])");
  std::istringstream in(source);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_search(line, m, qreg)) {
      offset[m[1]] = num_qubits;
      num_qubits += std::stoi(m[2]);
      continue;
    }
    if (!std::regex_search(line, m, call)) continue;
    const std::string name = m[1];
    if (name == "OPENQASM" || name == "include" || name == "creg" || name == "measure" || name == "barrier")
      continue;
    RefGate g{name, {}, {}};
    std::stringstream params(m[2].str());
    std::string p;
    while (std::getline(params, p, ','))
      g.angles.push_back(circuit::parse_affine(p, [](const std::string&) { return std::nullopt; }).constant);
    const std::string args = m[3];
    for (std::sregex_iterator it(args.begin(), args.end(), arg), end; it != end; ++it)
      g.qubits.push_back(offset.at((*it)[1]) + std::stoi((*it)[2]));
    gates.push_back(std::move(g));
  }
  return gates;
}

void expect_error(const std::string& source, const std::string& message) {
  try {
    qasm::parse(source);
    ADD_FAILURE() << "no error, expected: " << message;
  } catch (const qasm::ParseError& e) {
    EXPECT_EQ(std::string(e.what()), message);
    EXPECT_EQ(std::to_string(e.line) + ":" + std::to_string(e.column) + ": " + e.message, message);
  }
}

// ---------------------------------------------------------------------------------------------
// The QASMBench corpus (tests/data/qasm/README.md names each file's origin).

TEST(QasmCorpus, CatStateIsGhz) {
  const auto p = qasm::parse(read_corpus("cat_state_n4.qasm"));
  ASSERT_EQ(p.circuit.num_qubits, 4);
  EXPECT_EQ(p.measured_qubits, (std::vector<int>{0, 1, 2, 3}));
  const VectorXcd psi = simulate(p.circuit);
  VectorXcd ghz = VectorXcd::Zero(16);
  ghz(0) = ghz(15) = 1 / std::numbers::sqrt2;
  EXPECT_LT((psi - ghz).cwiseAbs().maxCoeff(), kTol);
}

TEST(QasmCorpus, BernsteinVaziraniFindsTheHiddenString) {
  // bv_n14: 13 data qubits, an oracle with a CX from every data qubit: the string is all ones.
  const auto p = qasm::parse(read_corpus("bv_n14_transpiled.qasm"));
  ASSERT_EQ(p.circuit.num_qubits, 14);
  const VectorXcd psi = simulate(p.circuit);
  double prob = 0;
  for (Eigen::Index i = 0; i < psi.size(); ++i)
    if ((i & 0x1FFF) == 0x1FFF) prob += std::norm(psi(i));
  EXPECT_NEAR(prob, 1.0, 1e-12);
  EXPECT_EQ(p.measured_qubits.size(), 13u);
}

TEST(QasmCorpus, QftOfABasisStateHasUniformMagnitudesAndKnownPhases) {
  // qft_n4: x on q0 and q2 prepares |5>, then the textbook QFT circuit (H on q0 first, then
  // controlled phases) without the final swaps, which reads q0 as the most significant input
  // bit: amplitude(y) = exp(2 pi i rev(x) y / 16) / 4 with rev(5) = 0b1010 = 10, up to a
  // global phase (the rz gates carry one).
  const auto p = qasm::parse(read_corpus("qft_n4_transpiled.qasm"));
  const VectorXcd psi = simulate(p.circuit);
  const auto rev = [](Eigen::Index y) {
    Eigen::Index r = 0;
    for (int b = 0; b < 4; ++b) r |= ((y >> b) & 1) << (3 - b);
    return r;
  };
  const std::complex<double> global = psi(0) / std::abs(psi(0));
  for (Eigen::Index y = 0; y < 16; ++y) {
    EXPECT_NEAR(std::abs(psi(y)), 0.25, 1e-12) << y;
    const auto want = 0.25 * global * std::exp(kI * (2 * kPi * static_cast<double>(rev(5) * y) / 16));
    EXPECT_LT(std::abs(psi(y) - want), 1e-12) << y;
  }
}

TEST(QasmCorpus, GroverFindsTheMarkedItem) {
  // grover_n2: the oracle is a CZ, marking |11>; one iteration finds it with probability 1.
  const auto p = qasm::parse(read_corpus("grover_n2.qasm"));
  const VectorXcd psi = simulate(p.circuit);
  EXPECT_NEAR(std::norm(psi(3)), 1.0, 1e-12);
}

TEST(QasmCorpus, WStateHasEqualWeightOnSingleExcitations) {
  // wstate_n3 hard-codes an angle to 8 digits (1.2309627), so the weights are right to ~1e-6.
  const auto p = qasm::parse(read_corpus("wstate_n3_transpiled.qasm"));
  const VectorXcd psi = simulate(p.circuit);
  for (Eigen::Index i : {1, 2, 4}) EXPECT_NEAR(std::norm(psi(i)), 1.0 / 3, 1e-5) << i;
  EXPECT_NEAR(std::norm(psi(1)) + std::norm(psi(2)) + std::norm(psi(4)), 1.0, 1e-12);
}

TEST(QasmCorpus, PhaseEstimationThroughUserGatesIsExact) {
  // pea_n5 defines its own gate 'cu' (shadowing the library's) through a nested 'cu1fixed':
  // a controlled phase exp(i 3pi/8) = exp(2 pi i 3/16) on eigenstate |0> of q4. Four counting
  // qubits read the phase 3/16 exactly: q0 (8 applications) is the least significant bit after
  // the swap-free inverse QFT, so the outcome is q0 = q1 = 1, q2 = q3 = 0.
  const auto p = qasm::parse(read_corpus("pea_n5.qasm"));
  ASSERT_EQ(p.circuit.num_qubits, 5);
  const VectorXcd psi = simulate(p.circuit);
  EXPECT_NEAR(std::norm(psi(0b00011)), 1.0, 1e-12);
}

TEST(QasmCorpus, SatFindsItsSolution) {
  // sat_n7 (three registers, flattened in order): "should obtain 11 in very high probability"
  // on var[1], var[2]: the most likely of the four outcomes by far.
  const auto p = qasm::parse(read_corpus("sat_n7.qasm"));
  ASSERT_EQ(p.circuit.num_qubits, 7);
  EXPECT_EQ(p.measured_qubits, (std::vector<int>{1, 2}));
  const VectorXcd psi = simulate(p.circuit);
  std::vector<double> prob(4, 0.0);
  for (Eigen::Index i = 0; i < psi.size(); ++i)
    prob[static_cast<std::size_t>((i >> 1) & 3)] += std::norm(psi(i));
  EXPECT_GT(prob[3], 0.8);
  for (int k = 0; k < 3; ++k) EXPECT_LT(prob[static_cast<std::size_t>(k)], 0.1);
}

TEST(QasmCorpus, FlatFilesMatchAnIndependentDenseReference) {
  for (const std::string name :
       {"adder_n4.qasm", "basis_change_n3.qasm", "toffoli_n3.qasm", "sat_n7.qasm", "qft_n4_transpiled.qasm",
        "wstate_n3_transpiled.qasm", "grover_n2.qasm", "cat_state_n4.qasm"}) {
    const std::string source = read_corpus(name);
    const auto p = qasm::parse(source);
    int n = 0;
    const auto ref = flat_reference(source, n);
    ASSERT_EQ(p.circuit.num_qubits, n) << name;
    ASSERT_EQ(p.circuit.gates.size(), ref.size()) << name;
    VectorXcd psi = VectorXcd::Zero(Eigen::Index{1} << n);
    psi(0) = 1;
    for (const auto& g : ref) psi = apply_embedded(gate_matrix(g.name, g.angles), g.qubits, psi);
    EXPECT_LT((simulate(p.circuit) - psi).cwiseAbs().maxCoeff(), 1e-12) << name;
  }
}

TEST(QasmCorpus, ToffoliDecompositionActsAsCcx) {
  // toffoli_n3: x a[0]; x a[1]; then a Clifford+T Toffoli onto a[2]: |111> up to a phase.
  const auto p = qasm::parse(read_corpus("toffoli_n3.qasm"));
  EXPECT_NEAR(std::norm(simulate(p.circuit)(7)), 1.0, 1e-12);
}

// ---------------------------------------------------------------------------------------------
// OpenQASM 3 with input parameters.

TEST(Qasm3, InputParametersAndAffineAngles) {
  const auto p = qasm::parse(R"(OPENQASM 3.0;
include "stdgates.inc";
input float[64] theta;
input angle[32] phi;
input float unused;
qubit[2] q;
bit[2] c;
rz(2*theta + pi/4) q[0];
ry(-(theta - phi)/2) q[1];
rx(theta/4*3 - 2*(phi + 1)) q[0];
U(theta, phi, 0.5) q[1];
c = measure q;
)");
  const auto& c = p.circuit;
  EXPECT_EQ(c.parameter_names, (std::vector<std::string>{"theta", "phi", "unused"}));
  EXPECT_EQ(p.measured_qubits, (std::vector<int>{0, 1}));
  ASSERT_EQ(c.gates.size(), 4u);
  const std::vector<double> theta{0.37, -1.2, 5.0};
  const auto value = [&](std::size_t g, std::size_t a) { return c.gates[g].angles[a].value(theta); };
  EXPECT_EQ(c.gates[0].kind, circuit::GateKind::RZ);
  EXPECT_NEAR(value(0, 0), 2 * 0.37 + kPi / 4, 1e-15);
  EXPECT_NEAR(value(1, 0), -(0.37 + 1.2) / 2, 1e-15);
  EXPECT_NEAR(value(2, 0), 0.37 / 4 * 3 - 2 * (-1.2 + 1), 1e-15);
  EXPECT_EQ(c.gates[3].kind, circuit::GateKind::U3);
  EXPECT_NEAR(value(3, 2), 0.5, 0);
  // Coefficients, not just values: rz(2*theta + pi/4) is 2 theta + pi/4.
  ASSERT_EQ(c.gates[0].angles[0].terms.size(), 1u);
  EXPECT_EQ(c.gates[0].angles[0].terms[0].first, 0);
  EXPECT_DOUBLE_EQ(c.gates[0].angles[0].terms[0].second, 2.0);
  EXPECT_DOUBLE_EQ(c.gates[0].angles[0].constant, kPi / 4);
}

TEST(Qasm3, AffineParametersThroughGateDefinitions) {
  // Each level scales and shifts its parameter; the result must stay affine in a and b.
  const auto p = qasm::parse(R"(OPENQASM 3;
include "stdgates.inc";
input float[64] a;
input float[64] b;
gate inner(t) x { rz(2*t - pi) x; }
gate outer(s, u) x, y { inner(s/4 + u) y; cx x, y; inner(-s) x; }
qubit[2] q;
outer(3*a + 1, b - a) q[0], q[1];
)");
  const auto& g = p.circuit.gates;
  ASSERT_EQ(g.size(), 3u);
  const std::vector<double> th{0.3, 0.7};
  const double s = 3 * 0.3 + 1, u = 0.7 - 0.3;
  EXPECT_NEAR(g[0].angles[0].value(th), 2 * (s / 4 + u) - kPi, 1e-14);
  EXPECT_EQ(g[0].qubits, std::vector<int>{1});
  EXPECT_NEAR(g[2].angles[0].value(th), -2 * s - kPi, 1e-14);
  EXPECT_EQ(g[2].qubits, std::vector<int>{0});
}

TEST(Qasm3, QiskitStyleExportWithCustomGateMatchesDenseReference) {
  // The shape qiskit.qasm3.dumps writes: escaped parameter names, a definition for a gate
  // outside stdgates.inc, bits declared before qubits, one measure per bit.
  const auto p = qasm::parse(R"(OPENQASM 3.0;
include "stdgates.inc";
input float[64] _θ_0_;
input float[64] _θ_1_;
gate rzx(_gate_p_0) _gate_q_0, _gate_q_1 {
  h _gate_q_1;
  cx _gate_q_0, _gate_q_1;
  rz(_gate_p_0) _gate_q_1;
  cx _gate_q_0, _gate_q_1;
  h _gate_q_1;
}
bit[2] meas;
qubit[2] q;
ry(_θ_0_) q[0];
rzx(2*_θ_1_) q[0], q[1];
barrier q[0], q[1];
meas[0] = measure q[0];
meas[1] = measure q[1];
)");
  EXPECT_EQ(p.circuit.parameter_names, (std::vector<std::string>{"_θ_0_", "_θ_1_"}));
  const std::vector<double> th{0.4, -0.9};
  // rzx(t) = exp(-i t/2 Z(x)X) with Z on the first qubit: Pauli label "XZ" (rightmost = first).
  const MatrixXcd want =
      embed(pauli_rotation("XZ", 2 * th[1]), {0, 1}, 2) * embed(gate_matrix("ry", {th[0]}), {0}, 2);
  EXPECT_LT(max_abs(unitary(p.circuit, th) - want), kTol);
}

TEST(Qasm3, QiskitNoIncludeExportDefinesEverythingFromU) {
  // qiskit's exporter with includes=[] writes the gates it needs in terms of U and ctrl @ U.
  const auto p = qasm::parse(R"(OPENQASM 3.0;
gate u3(p0, p1, p2) _gate_q_0 {
  U(p0, p1, p2) _gate_q_0;
}
gate u1(p0) _gate_q_0 {
  u3(0, 0, p0) _gate_q_0;
}
gate rz(p0) _gate_q_0 {
  u1(p0) _gate_q_0;
}
gate sdg _gate_q_0 {
  u1(-pi/2) _gate_q_0;
}
gate u2(p0, p1) _gate_q_0 {
  u3(pi/2, p0, p1) _gate_q_0;
}
gate h _gate_q_0 {
  u2(0, pi) _gate_q_0;
}
gate sx _gate_q_0 {
  sdg _gate_q_0;
  h _gate_q_0;
  sdg _gate_q_0;
}
gate cx c, t {
  ctrl @ U(pi, 0, pi) c, t;
}
qubit[2] q;
rz(pi/2) q[0];
sx q[0];
cx q[0], q[1];
)");
  // rz here is u1 (a phase gate): equal to Qiskit's rz up to a global phase, which u1 keeps.
  const MatrixXcd want = reference_unitary({{"p", {kPi / 2}, {0}}, {"sx", {}, {0}}, {"cx", {}, {0, 1}}}, 2);
  const MatrixXcd got = unitary(p.circuit);
  // sdg h sdg = sx up to the global phase exp(-i pi/4).
  const std::complex<double> phase = got(0, 0) / want(0, 0);
  EXPECT_NEAR(std::abs(phase), 1.0, 1e-12);
  EXPECT_LT(max_abs(got - phase * want), 1e-12);
}

TEST(Qasm3, SingleQubitsBroadcastingUnicodeAndMeasureForms) {
  const auto p = qasm::parse(R"(OPENQASM 3;
include "stdgates.inc";
input angle θ;
qubit a;
qubit[2] q;
bit b;
bit[2] c;
reset q;
h q;
rz(π/2 - θ) a;
cx a, q;
measure a -> b;
c[1] = measure q[1];
measure q[0];
)");
  EXPECT_EQ(p.circuit.num_qubits, 3);
  EXPECT_EQ(p.circuit.parameter_names, std::vector<std::string>{"θ"});
  EXPECT_EQ(p.measured_qubits, (std::vector<int>{0, 2, 1}));
  const double t = 0.3;
  const MatrixXcd want = reference_unitary(
      {{"h", {}, {1}}, {"h", {}, {2}}, {"rz", {kPi / 2 - t}, {0}}, {"cx", {}, {0, 1}}, {"cx", {}, {0, 2}}},
      3);
  EXPECT_LT(max_abs(unitary(p.circuit, {t}) - want), 1e-12);
}

TEST(Qasm2, QiskitDumpsShapesParse) {
  // What qiskit.qasm2.dumps writes for gates outside qelib1.inc: one-line definitions with
  // param0-style names, no spaces after commas, no final newline.
  const auto p = qasm::parse(R"(OPENQASM 2.0;
include "qelib1.inc";
gate rzx(param0) q0,q1 { h q1; cx q0,q1; rz(param0) q1; cx q0,q1; h q1; }
gate ecr q0,q1 { rzx(pi/4) q0,q1; x q0; rzx(-pi/4) q0,q1; }
gate ccz q0,q1,q2 { h q2; ccx q0,q1,q2; h q2; }
gate cs q0,q1 { p(pi/4) q0; cx q0,q1; p(-pi/4) q1; cx q0,q1; p(pi/4) q1; }
gate nG0(param0,param1) q0,q1 { h q0; h q1; }
qreg q[3];
qreg r[1];
creg c[3];
ecr q[1],q[0];
ccz q[0],q[2],r[0];
cs q[2],q[1];
nG0(pi,pi/2) q[0],r[0];
barrier q[0],q[1],q[2],r[0];
measure q[0] -> c[0];
measure q[1] -> c[1];)");
  const MatrixXcd rzx_p = pauli_rotation("XZ", kPi / 4), rzx_m = pauli_rotation("XZ", -kPi / 4);
  const MatrixXcd ecr =
      embed(rzx_m, {0, 1}, 2) * embed(gate_matrix("x", {}), {0}, 2) * embed(rzx_p, {0, 1}, 2);
  MatrixXcd want = embed(ecr, {1, 0}, 4);
  want = embed(multi_controlled(gate_matrix("z", {}), 2), {0, 2, 3}, 4) * want;
  want = embed(controlled(gate_matrix("s", {})), {2, 1}, 4) * want;
  want = embed(gate_matrix("h", {}), {0}, 4) * want;
  want = embed(gate_matrix("h", {}), {3}, 4) * want;
  EXPECT_LT(max_abs(unitary(p.circuit) - want), 1e-12);
  EXPECT_EQ(p.measured_qubits, (std::vector<int>{0, 1}));
}

// ---------------------------------------------------------------------------------------------
// Modifiers against dense matrices.

struct ModifierCase {
  std::string call;  // on qubits q[0..2] of a 3-qubit register
  MatrixXcd local;   // the expected matrix on `qubits`
  std::vector<int> qubits;
};

TEST(Qasm3, ModifiersMatchDenseMatrices) {
  const double a = 0.83;
  const MatrixXcd x = gate_matrix("x", {}), z = gate_matrix("z", {}), h = gate_matrix("h", {});
  const std::vector<ModifierCase> cases{
      {"ctrl @ x q[0], q[1];", controlled(x), {0, 1}},
      {"ctrl @ ctrl @ x q[2], q[0], q[1];", multi_controlled(x, 2), {2, 0, 1}},
      {"ctrl(2) @ x q[0], q[1], q[2];", multi_controlled(x, 2), {0, 1, 2}},
      {"ctrl @ y q[1], q[0];", controlled(gate_matrix("y", {})), {1, 0}},
      {"ctrl @ z q[0], q[2];", controlled(z), {0, 2}},
      {"ctrl @ h q[0], q[1];", controlled(h), {0, 1}},
      {"ctrl @ rx(0.83) q[0], q[1];", controlled(gate_matrix("rx", {a})), {0, 1}},
      {"ctrl @ ry(0.83) q[0], q[1];", controlled(gate_matrix("ry", {a})), {0, 1}},
      {"ctrl @ rz(0.83) q[0], q[1];", controlled(gate_matrix("rz", {a})), {0, 1}},
      {"ctrl @ p(0.83) q[0], q[1];", controlled(gate_matrix("p", {a})), {0, 1}},
      {"ctrl @ u3(0.83, 0.2, -0.4) q[0], q[1];", controlled(gate_matrix("u3", {a, 0.2, -0.4})), {0, 1}},
      {"ctrl @ U(0.83, 0.2, -0.4) q[0], q[1];", controlled(gate_matrix("u3", {a, 0.2, -0.4})), {0, 1}},
      {"ctrl @ u2(0.2, -0.4) q[0], q[1];", controlled(gate_matrix("u2", {0.2, -0.4})), {0, 1}},
      {"ctrl @ swap q[0], q[1], q[2];", controlled(swap_matrix()), {0, 1, 2}},
      {"ctrl @ s q[0], q[1];", controlled(gate_matrix("s", {})), {0, 1}},
      {"ctrl @ tdg q[0], q[1];", controlled(gate_matrix("tdg", {})), {0, 1}},
      {"ctrl @ sx q[0], q[1];", controlled(gate_matrix("sx", {})), {0, 1}},
      {"ctrl @ sxdg q[0], q[1];", controlled(gate_matrix("sxdg", {})), {0, 1}},
      {"ctrl @ cz q[0], q[1], q[2];", multi_controlled(z, 2), {0, 1, 2}},
      {"ctrl @ cy q[0], q[1], q[2];", multi_controlled(gate_matrix("y", {}), 2), {0, 1, 2}},
      {"ctrl @ gphase(0.83) q[1];", gate_matrix("p", {a}), {1}},
      {"negctrl @ x q[0], q[1];", embed(x, {0}, 2) * controlled(x) * embed(x, {0}, 2), {0, 1}},
      {"inv @ s q[0];", gate_matrix("sdg", {}), {0}},
      {"inv @ t q[0];", gate_matrix("tdg", {}), {0}},
      {"inv @ sx q[0];", gate_matrix("sxdg", {}), {0}},
      {"inv @ rx(0.83) q[0];", gate_matrix("rx", {-a}), {0}},
      {"inv @ u2(0.2, -0.4) q[0];", gate_matrix("u2", {0.2, -0.4}).adjoint(), {0}},
      {"inv @ u3(0.83, 0.2, -0.4) q[0];", gate_matrix("u3", {a, 0.2, -0.4}).adjoint(), {0}},
      {"inv @ cu3(0.83, 0.2, -0.4) q[0], q[1];", gate_matrix("cu3", {a, 0.2, -0.4}).adjoint(), {0, 1}},
      {"inv @ rzz(0.83) q[0], q[1];", gate_matrix("rzz", {-a}), {0, 1}},
      {"inv @ ctrl @ rx(0.83) q[0], q[1];", controlled(gate_matrix("rx", {-a})), {0, 1}},
      {"ctrl @ inv @ s q[0], q[1];", controlled(gate_matrix("sdg", {})), {0, 1}},
      {"pow(2) @ t q[0];", gate_matrix("s", {}), {0}},
      {"pow(3) @ h q[0];", h, {0}},
      {"pow(-2) @ t q[0];", gate_matrix("sdg", {}), {0}},
      {"pow(0) @ h q[0];", MatrixXcd::Identity(2, 2), {0}},
      {"pow(0.5) @ rx(0.83) q[0];", gate_matrix("rx", {a / 2}), {0}},
      {"pow(-1.5) @ crz(0.83) q[0], q[1];", gate_matrix("crz", {-1.5 * a}), {0, 1}},
      {"pow(0.5) @ z q[0];", gate_matrix("s", {}), {0}},
      {"pow(0.5) @ s q[0];", gate_matrix("t", {}), {0}},
      {"pow(0.5) @ x q[0];", gate_matrix("sx", {}), {0}},
      {"pow(1/3) @ t q[0];", gate_matrix("p", {kPi / 12}), {0}},
      {"ctrl @ pow(2) @ t q[0], q[1];", controlled(gate_matrix("s", {})), {0, 1}},
      {"pow(2) @ ctrl @ sx q[0], q[1];", controlled(x), {0, 1}},
  };
  for (const auto& tc : cases) {
    const auto p = qasm::parse("OPENQASM 3;\ninclude \"stdgates.inc\";\nqubit[3] q;\n" + tc.call);
    const MatrixXcd want = embed(tc.local, tc.qubits, 3);
    EXPECT_LT(max_abs(unitary(p.circuit) - want), 1e-12) << tc.call;
  }
}

TEST(Qasm3, InverseAndControlOfUserGates) {
  // inv @ reverses the body and inverts each gate; ctrl @ controls every gate of the body,
  // a gphase in the body becoming a phase on the control.
  const std::string defs = R"(OPENQASM 3;
include "stdgates.inc";
input float t;
gate a(x) p, q { h p; rz(x) q; cx p, q; s q; }
gate b(x) p, q { a(2*x) q, p; ry(x/3) p; gphase(x); t q; }
qubit[3] r;
)";
  const std::vector<double> th{0.71};
  const double x = 0.71;
  // b(x) r[0], r[1] spelled out with the dense reference; gphase(x) multiplies by exp(ix).
  const MatrixXcd b_on_01 = std::exp(kI * x) * reference_unitary({{"h", {}, {1}},
                                                                  {"rz", {2 * x}, {0}},
                                                                  {"cx", {}, {1, 0}},
                                                                  {"s", {}, {0}},
                                                                  {"ry", {x / 3}, {0}},
                                                                  {"t", {}, {1}}},
                                                                 3);
  const MatrixXcd b_plain = unitary(qasm::parse(defs + "b(t) r[0], r[1];").circuit, th);
  // Without a control the global phase is dropped.
  EXPECT_LT(max_abs(b_plain - std::exp(-kI * x) * b_on_01), 1e-12);
  const MatrixXcd inv = unitary(qasm::parse(defs + "inv @ b(t) r[0], r[1];").circuit, th);
  EXPECT_LT(max_abs(inv - (std::exp(-kI * x) * b_on_01).adjoint()), 1e-12);
  const MatrixXcd pow2 = unitary(qasm::parse(defs + "pow(-2) @ b(t) r[0], r[1];").circuit, th);
  const MatrixXcd bp = std::exp(-kI * x) * b_on_01;
  EXPECT_LT(max_abs(pow2 - (bp * bp).adjoint()), 1e-12);
  // ctrl @ b: control r[2], b on (r[0], r[1]), global phase included.
  const MatrixXcd ctrl = unitary(qasm::parse(defs + "ctrl @ b(t) r[2], r[0], r[1];").circuit, th);
  MatrixXcd want = MatrixXcd::Zero(8, 8);
  for (Eigen::Index r = 0; r < 8; ++r)
    for (Eigen::Index c = 0; c < 8; ++c) {
      const bool cr = (r >> 2) & 1, cc = (c >> 2) & 1;
      if (cr != cc) continue;
      want(r, c) = cr ? b_on_01(r & 3, c & 3) : (r == c ? 1.0 : 0.0);
    }
  EXPECT_LT(max_abs(ctrl - want), 1e-12);
}

// ---------------------------------------------------------------------------------------------
// OpenQASM 2: definitions, broadcasting, library gates, measurement and reset.

TEST(Qasm2, UserGatesNestedTwoDeep) {
  const auto p = qasm::parse(R"(OPENQASM 2.0;
include "qelib1.inc";
gate inner(a) x, y { cx x, y; rz(a/2) y; }
gate middle(a, b) x, y, z { inner(a + b) x, y; ry(-b) z; inner(2*a) z, x; }
gate outer(a) x, y, z { h x; middle(a, pi/3) z, y, x; }
qreg q[3];
outer(0.4) q[0], q[1], q[2];
)");
  // outer(a) on (0,1,2): h 0; middle(a, pi/3) on (2,1,0).
  const double a = 0.4, b = kPi / 3;
  const MatrixXcd want = reference_unitary({{"h", {}, {0}},
                                            {"cx", {}, {2, 1}},
                                            {"rz", {(a + b) / 2}, {1}},
                                            {"ry", {-b}, {0}},
                                            {"cx", {}, {0, 2}},
                                            {"rz", {a}, {2}}},
                                           3);
  EXPECT_LT(max_abs(unitary(p.circuit) - want), 1e-12);
}

TEST(Qasm2, RegistersFlattenAndBroadcast) {
  const auto p = qasm::parse(R"(OPENQASM 2.0;
include "qelib1.inc";
qreg a[2];
qreg b[2];
qreg anc[1];
creg c[2];
h a;
cx a, b;
cx anc[0], b;
rz(pi/8) b[1];
barrier a, b;
measure b -> c;
)");
  EXPECT_EQ(p.circuit.num_qubits, 5);
  const MatrixXcd want = reference_unitary({{"h", {}, {0}},
                                            {"h", {}, {1}},
                                            {"cx", {}, {0, 2}},
                                            {"cx", {}, {1, 3}},
                                            {"cx", {}, {4, 2}},
                                            {"cx", {}, {4, 3}},
                                            {"rz", {kPi / 8}, {3}}},
                                           5);
  EXPECT_LT(max_abs(unitary(p.circuit) - want), 1e-12);
  EXPECT_EQ(p.measured_qubits, (std::vector<int>{2, 3}));
}

TEST(Qasm2, ConstantArithmeticAndFunctions) {
  const auto p = qasm::parse(R"(OPENQASM 2.0;
include "qelib1.inc";
qreg q[1];
rz(-pi^2/4 + sin(pi/6) + cos(0)*2 - tan(pi/4) + exp(1) - ln(exp(2)) + sqrt(16) + 2^-1) q[0];
u1(-(-1.5e-1)) q[0];
U(.5, 1E1, 3) q;
)");
  const double want = -kPi * kPi / 4 + 0.5 + 2 - 1 + std::exp(1.0) - 2 + 4 + 0.5;
  EXPECT_NEAR(p.circuit.gates[0].angles[0].constant, want, 1e-14);
  EXPECT_NEAR(p.circuit.gates[1].angles[0].constant, 0.15, 1e-15);
  EXPECT_EQ(p.circuit.gates[1].kind, circuit::GateKind::P);
  EXPECT_NEAR(p.circuit.gates[2].angles[1].constant, 10.0, 0);
}

TEST(Qasm2, EveryDirectGateNameMapsToItsKind) {
  // The JSON gate names, parsed from OpenQASM, against the dense reference matrix.
  struct Case {
    std::string name;
    int qubits;
    std::vector<double> angles;
  };
  const std::vector<Case> cases{{"id", 1, {}},
                                {"x", 1, {}},
                                {"y", 1, {}},
                                {"z", 1, {}},
                                {"h", 1, {}},
                                {"s", 1, {}},
                                {"sdg", 1, {}},
                                {"t", 1, {}},
                                {"tdg", 1, {}},
                                {"sx", 1, {}},
                                {"sxdg", 1, {}},
                                {"rx", 1, {0.3}},
                                {"ry", 1, {0.3}},
                                {"rz", 1, {0.3}},
                                {"p", 1, {0.3}},
                                {"u1", 1, {0.3}},
                                {"u2", 1, {0.3, 0.7}},
                                {"u3", 1, {0.3, 0.7, -1.1}},
                                {"u", 1, {0.3, 0.7, -1.1}},
                                {"cx", 2, {}},
                                {"cy", 2, {}},
                                {"cz", 2, {}},
                                {"ch", 2, {}},
                                {"crx", 2, {0.3}},
                                {"cry", 2, {0.3}},
                                {"crz", 2, {0.3}},
                                {"cp", 2, {0.3}},
                                {"cu1", 2, {0.3}},
                                {"cu3", 2, {0.3, 0.7, -1.1}},
                                {"swap", 2, {}},
                                {"ccx", 3, {}},
                                {"cswap", 3, {}},
                                {"rxx", 2, {0.3}},
                                {"ryy", 2, {0.3}},
                                {"rzz", 2, {0.3}},
                                {"cnot", 2, {}},
                                {"toffoli", 3, {}},
                                {"fredkin", 3, {}}};
  for (const auto& c : cases) {
    std::string call = c.name;
    if (!c.angles.empty()) {
      call += "(";
      for (std::size_t i = 0; i < c.angles.size(); ++i) {
        if (i > 0) call += ",";
        call += std::to_string(c.angles[i]);
      }
      call += ")";
    }
    std::vector<int> qubits;
    for (int i = 0; i < c.qubits; ++i) {
      qubits.push_back((i + 1) % 3);
      if (i > 0) call += ",";
      call += " q[";
      call += std::to_string((i + 1) % 3);
      call += "]";
    }
    const auto p = qasm::parse("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[3];\n" + call + ";");
    ASSERT_EQ(p.circuit.gates.size(), 1u) << call;
    EXPECT_LT(max_abs(unitary(p.circuit) - embed(gate_matrix(c.name, c.angles), qubits, 3)), 1e-12) << call;
  }
}

TEST(Qasm2, LibraryDefinitionsMatchDenseMatrices) {
  const MatrixXcd x = gate_matrix("x", {});
  const double th = 0.3, ph = 0.7, la = -1.1, ga = 0.45;
  struct Case {
    std::string call;
    MatrixXcd local;
    std::vector<int> qubits;
  };
  // Qiskit's CUGate: exp(i gamma) U3 where the control (matrix bit 0) is 1.
  MatrixXcd cu_want = MatrixXcd::Zero(4, 4);
  cu_want(0, 0) = cu_want(2, 2) = 1;
  const MatrixXcd u = std::exp(kI * ga) * gate_matrix("u3", {th, ph, la});
  cu_want(1, 1) = u(0, 0);
  cu_want(1, 3) = u(0, 1);
  cu_want(3, 1) = u(1, 0);
  cu_want(3, 3) = u(1, 1);
  const std::vector<Case> cases{
      {"u0(0.2) q[1];", MatrixXcd::Identity(2, 2), {1}},
      {"phase(0.3) q[1];", gate_matrix("p", {th}), {1}},
      {"cphase(0.3) q[1], q[0];", gate_matrix("cp", {th}), {1, 0}},
      {"cu(0.3, 0.7, -1.1, 0.45) q[2], q[0];", cu_want, {2, 0}},
      {"csx q[0], q[2];", controlled(gate_matrix("sx", {})), {0, 2}},
      {"c3x q[0], q[1], q[2], q[3];", multi_controlled(x, 3), {0, 1, 2, 3}},
      {"c3x q[3], q[1], q[4], q[0];", multi_controlled(x, 3), {3, 1, 4, 0}},
      {"c3sqrtx q[0], q[1], q[2], q[3];", multi_controlled(gate_matrix("sx", {}), 3), {0, 1, 2, 3}},
      {"c4x q[0], q[1], q[2], q[3], q[4];", multi_controlled(x, 4), {0, 1, 2, 3, 4}},
      {"c4x q[4], q[2], q[0], q[3], q[1];", multi_controlled(x, 4), {4, 2, 0, 3, 1}},
  };
  for (const auto& c : cases) {
    const auto p = qasm::parse("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[5];\n" + c.call);
    EXPECT_LT(max_abs(unitary(p.circuit) - embed(c.local, c.qubits, 5)), 1e-12) << c.call;
  }
  // The relative-phase Toffolis equal CCX / C3X up to phases on the diagonal of the result.
  for (const auto& [call, k] : std::vector<std::pair<std::string, int>>{
           {"rccx q[0], q[1], q[2];", 2}, {"rc3x q[0], q[1], q[2], q[3];", 3}}) {
    const auto p = qasm::parse("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[" + std::to_string(k + 1) +
                               "];\n" + call);
    const MatrixXcd got = unitary(p.circuit), want = multi_controlled(x, k);
    EXPECT_LT(max_abs(got.cwiseAbs() - want.cwiseAbs()), 1e-12) << call;
  }
}

TEST(Qasm2, MeasureAtTheEndAndResetAtTheStartAreAllowed) {
  const auto p = qasm::parse(R"(OPENQASM 2.0;
include "qelib1.inc";
qreg q[3];
creg c[3];
reset q;
h q[0];
measure q[0] -> c[0];
cx q[1], q[2];
barrier q;
measure q[2] -> c[2];
measure q[0] -> c[1];
)");
  EXPECT_EQ(p.measured_qubits, (std::vector<int>{0, 2}));
  EXPECT_EQ(p.circuit.gates.size(), 2u);
}

TEST(Qasm2, OpaqueDeclarationsAreFineUntilUsed) {
  const auto p = qasm::parse("OPENQASM 2.0;\nopaque magic(a) x, y;\nqreg q[1];\nU(0.1, 0.2, 0.3) q[0];\n");
  EXPECT_EQ(p.circuit.gates.size(), 1u);
  EXPECT_EQ(p.circuit.gates[0].kind, circuit::GateKind::U3);
}

TEST(Qasm2, CommentsAndLayout) {
  const auto p = qasm::parse(
      "// header\nOPENQASM 2.0; /* block\ncomment */ include \"qelib1.inc\";\nqreg q[2]; h q[0]; cx "
      "q[0],q[1];// tail");
  EXPECT_EQ(p.circuit.gates.size(), 2u);
}

// ---------------------------------------------------------------------------------------------
// Errors, each with its line and column.

TEST(QasmErrors, MessagesCarryLineAndColumn) {
  const std::string h2 = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\n";
  const std::string h3 = "OPENQASM 3;\ninclude \"stdgates.inc\";\n";
  expect_error(h2 + "qreg q[2];\nfoo q[0];\n", "4:1: unknown gate 'foo'");
  expect_error("OPENQASM 2.0;\nqreg q[1];\nh q[0];\n",
               "3:1: unknown gate 'h' (missing include \"qelib1.inc\" or \"stdgates.inc\"?)");
  expect_error(h2 + "qreg q[2];\nh r[0];\n", "4:3: undeclared register 'r'");
  expect_error(h2 + "qreg q[2];\ncreg c[2];\nh c[0];\n", "5:3: 'c' is a classical register, not qubits");
  expect_error(h2 + "qreg q[2];\ncx q[0], q[2];\n", "4:12: index 2 out of range for register 'q' of size 2");
  expect_error(h2 + "qreg q[2];\ncx q[0];\n", "4:1: gate 'cx' acts on 2 qubits, got 1");
  expect_error(h2 + "qreg q[2];\nrx q[0];\n", "4:1: gate 'rx' takes 1 parameter, got 0");
  expect_error(h2 + "qreg q[2];\nh(0.1) q[0];\n", "4:1: gate 'h' takes 0 parameters, got 1");
  expect_error(h2 + "qreg q[2];\ncx q[1], q[1];\n", "4:10: qubit q[1] is used twice in one gate call");
  expect_error(h2 + "qreg a[2];\nqreg b[3];\ncx a, b;\n",
               "5:7: registers of different sizes (2 and 3) in one gate call");
  expect_error(h2 + "qreg q[2];\nh q[0]\ncx q[0], q[1];\n", "4:7: missing ';' before 'cx'");
  expect_error(h2 + "qreg q[2];\nh q[0]", "4:7: unexpected end of input, expected ';'");
  expect_error(h2 + "qreg q[2];\nrx(0.1 q[0];\n", "4:8: expected ')', got 'q'");
  expect_error(h2 + "qreg q[2];\nrx(0.1 + ) q[0];\n", "4:10: expected an expression, got ')'");
  expect_error(h2 + "qreg q[2];\nrx(0.1) q[0];\n}", "5:1: expected a statement, got '}'");
  expect_error(h2 + "qreg q[1];\ncreg c[1];\nif (c == 1) x q[0];\n",
               "5:1: classical control ('if') is not supported");
  expect_error(h2 + "qreg q[1];\nfor i in [0:2] { }\n", "4:1: unsupported statement 'for'");
  expect_error(h2 + "include \"other.inc\";\n",
               "3:9: cannot include \"other.inc\": only \"qelib1.inc\" and \"stdgates.inc\" are available");
  expect_error("qreg q[1];\nOPENQASM 2.0;\n", "2:1: the OPENQASM version must be the first statement");
  expect_error("OPENQASM 4.0;\n", "1:10: unsupported OpenQASM version 4.0 (2.0 and 3 are supported)");
  expect_error(h2 + "qreg q[2];\nqreg q[1];\n", "4:6: 'q' is already declared");
  expect_error(h2 + "qreg q[0];\n", "3:8: register size must be positive, got 0");
  expect_error(h2 + "qreg a[60];\nqreg b[3];\n", "4:8: too many qubits: 63 (the limit is 62)");
  expect_error(h2 + "creg c[2];\n", "4:1: the program declares no qubits");
  expect_error(h2 + "qreg q[1];\nrx(1/0) q[0];\n", "4:5: division by zero");
  expect_error(h2 + "qreg q[1];\nrx(ln(0)) q[0];\n", "4:4: 'ln(0)' is not a finite number");
  expect_error(h2 + "qreg q[1];\nrx(1e400) q[0];\n", "4:4: number 1e400 is out of range");
  expect_error(h2 + "qreg q[1];\nrx(theta) q[0];\n", "4:4: unknown identifier 'theta'");
  expect_error(h2 + "qreg q[1];\nrx(0.1) q[0]; # \n", "4:15: unexpected character '#'");
  expect_error(h2 + "qreg q[1];\n/* open", "4:1: unterminated /* comment");
  expect_error(h2 + "qreg q[1];\nopaque g a;\ng q[0];\n",
               "5:1: opaque gate 'g' has no definition to simulate");
}

TEST(QasmErrors, MeasurementAndReset) {
  const std::string h2 = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\ncreg c[2];\n";
  expect_error(
      h2 + "measure q[0] -> c[0];\nh q[0];\n",
      "6:1: mid-circuit measurement is not supported: qubit q[0] is measured at 5:1 before this gate");
  expect_error(
      h2 + "measure q -> c;\ncx q[1], q[0];\n",
      "6:1: mid-circuit measurement is not supported: qubit q[1] is measured at 5:1 before this gate");
  expect_error(
      h2 + "h q[1];\nreset q;\n",
      "6:1: reset of qubit q[1] after it was used is not supported (only reset of fresh qubits, a no-op)");
  expect_error(h2 + "measure q[0] -> c;\n", "5:17: measure of 1 qubit into 2 bits");
  expect_error(h2 + "measure q[0] -> q[1];\n", "5:17: 'q' is a qubit register, not classical bits");
  expect_error("OPENQASM 3;\nqubit[2] q;\nbit[2] c;\nc = q;\n",
               "4:5: only 'measure' can be assigned to a bit (classical computation is not supported)");
}

TEST(QasmErrors, NonAffineAngles) {
  const std::string h3 =
      "OPENQASM 3;\ninclude \"stdgates.inc\";\ninput float[64] theta;\ninput float[64] phi;\nqubit q;\n";
  expect_error(h3 + "rz(sin(theta)) q;\n",
               "6:4: angle is not affine in the input parameters: 'sin' of a parameter-dependent term");
  expect_error(h3 + "rz(theta*phi) q;\n",
               "6:9: angle is not affine in the input parameters: product of two parameter-dependent terms");
  expect_error(h3 + "rz(1/theta) q;\n",
               "6:5: angle is not affine in the input parameters: division by a parameter-dependent term");
  expect_error(h3 + "rz(theta^2) q;\n",
               "6:9: angle is not affine in the input parameters: power of a parameter-dependent term");
  // Through a definition: the body's position, and the call that made it non-affine.
  expect_error(h3 + "gate g(a, b) x {\n  rz(a * b) x;\n}\ng(theta, phi) q;\n",
               "7:8: angle is not affine in the input parameters: product of two parameter-dependent terms "
               "(in gate 'g' called at 9:1)");
  // Constant arguments keep the same definition fine.
  EXPECT_NO_THROW(qasm::parse(h3 + "gate g(a, b) x {\n  rz(a * b) x;\n}\ng(theta, 2) q;\n"));
  expect_error(h3 + "gate g(a) x { rz(theta) x; }\n",
               "6:18: input 'theta' cannot be used inside a gate definition; pass it as a parameter");
}

TEST(QasmErrors, DefinitionsAndModifiers) {
  const std::string h3 = "OPENQASM 3;\ninclude \"stdgates.inc\";\nqubit[3] q;\n";
  expect_error(h3 + "gate g a { h b; }\n", "4:14: unknown qubit 'b' in gate 'g'");
  expect_error(h3 + "gate g a, b { cx a, a; }\n", "4:21: qubit a is used twice in one gate call");
  expect_error(h3 + "gate g a { h a; }\ngate g a { x a; }\n", "5:6: gate 'g' is already defined");
  expect_error(h3 + "gate g(t) a { rx a; }\n", "4:15: gate 'rx' takes 1 parameter, got 0");
  expect_error(h3 + "gate g a { measure a; }\n",
               "4:12: 'measure' is not allowed in a gate body (only gate calls and barrier)");
  expect_error(h3 + "gate g a { h a[0]; }\n", "4:15: qubit arguments inside a gate body cannot be indexed");
  expect_error(h3 + "gate g a, b { h a; }\ng q[0];\n", "5:1: gate 'g' acts on 2 qubits, got 1");
  expect_error(h3 + "ctrl @ h q[0];\n", "4:8: gate 'h' with 1 control acts on 2 qubits, got 1");
  expect_error(
      h3 + "ctrl @ crx(0.1) q[0], q[1], q[2];\n",
      "4:1: ctrl @ is not supported on 'crx' (from gate 'crx'): the simulator has no such controlled gate");
  expect_error(h3 + "ctrl(2) @ x q[0], q[1], q[0];\n", "4:25: qubit q[0] is used twice in one gate call");
  expect_error(
      h3 + "pow(0.5) @ h q[0];\n",
      "4:1: pow(0.5) @ 'h' is not supported: a non-integer power needs a single rotation or phase gate");
  expect_error(h3 + "ctrl(0) @ x q[0];\n", "4:6: the number of controls must be a positive integer constant");
  expect_error("OPENQASM 3;\ninclude \"stdgates.inc\";\ninput float t;\nqubit q;\npow(t) @ x q;\n",
               "5:1: the pow exponent must be a constant");
  expect_error(h3 + "input int[8] n;\n",
               "4:7: unsupported input type 'int' (only float and angle inputs are parameters)");
  expect_error(h3 + "let a = q;\n", "4:1: unsupported statement 'let'");
}

TEST(QasmErrors, ExpansionLimits) {
  // Each level doubles: 2^30 gates, far past the 10^7 limit.
  std::string src = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\ngate g0 a { x a; }\n";
  for (int i = 1; i <= 30; ++i)
    src += "gate g" + std::to_string(i) + " a { g" + std::to_string(i - 1) + " a; g" + std::to_string(i - 1) +
           " a; }\n";
  src += "qreg q[1];\ng30 q[0];\n";
  expect_error(src, "35:1: the circuit expands to more than 10000000 gates");
  // 70 nested single-call definitions exceed the depth guard.
  std::string deep = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\ngate d0 a { x a; }\n";
  for (int i = 1; i <= 70; ++i)
    deep += "gate d" + std::to_string(i) + " a { d" + std::to_string(i - 1) + " a; }\n";
  deep += "qreg q[1];\nd70 q[0];\n";
  expect_error(deep, "75:1: gate definitions nested more than 64 deep (in gate 'd70' called at 75:1)");
  expect_error("OPENQASM 3;\ninclude \"stdgates.inc\";\nqubit q;\npow(100000000) @ x q;\n",
               "4:1: pow(100000000) expands to more than 10000000 gates");
}

}  // namespace
}  // namespace vqsim::test
