// Energies and gradients: adjoint vs parameter shift vs finite differences, and the energy
// against a dense-matrix run of the whole circuit.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "circuit/circuit.hpp"
#include "dense_reference.hpp"
#include "gradient/evaluator.hpp"
#include "observable/pauli_sum.hpp"

namespace vqsim::test {
namespace {

using circuit::AffineAngle;
using circuit::Circuit;
using circuit::Gate;
using circuit::GateKind;
using gradient::Evaluator;
using gradient::Method;
using observable::PauliTerm;

const std::vector<std::string> kParameterised{"rx",  "ry", "rz",  "p",   "u2",  "u3",  "crx",           "cry",
                                              "crz", "cp", "cu3", "rxx", "ryy", "rzz", "pauli_rotation"};
const std::vector<std::string> kFixed{"h", "sx", "cx", "cz", "ccx", "swap", "cswap", "t", "y", "ch", "sdg"};

struct Problem {
  Circuit circuit;
  std::vector<PauliTerm> terms;
  MatrixXcd observable;
};

std::vector<int> distinct_qubits(std::mt19937_64& rng, int n, int k) {
  std::vector<int> q;
  for (int i = 0; i < n; ++i) q.push_back(i);
  std::shuffle(q.begin(), q.end(), rng);
  q.resize(static_cast<std::size_t>(k));
  return q;
}

// A random affine angle: sometimes constant, else one or two parameter terms plus a constant.
AffineAngle random_affine(std::mt19937_64& rng, int num_parameters) {
  std::uniform_real_distribution<double> u(-1.5, 1.5);
  std::uniform_int_distribution<int> pick(0, num_parameters - 1), shape(0, 4);
  AffineAngle a;
  a.constant = u(rng);
  const int s = shape(rng);
  if (s == 0) return a;
  const int first = pick(rng);
  a.terms.emplace_back(first, u(rng));
  if (s >= 3) {
    const int second = pick(rng);
    if (second != first) a.terms.emplace_back(second, u(rng));
  }
  return a;
}

Gate random_gate(std::mt19937_64& rng, const std::string& name, int n, int num_parameters) {
  const GateKind kind = circuit::gate_from_name(name).value();
  Gate g{kind, {}, {}, {}};
  int k = circuit::gate_info(kind).num_qubits;
  if (kind == GateKind::PauliRotation) {
    k = std::uniform_int_distribution<int>(1, 3)(rng);
    g.pauli = random_label(rng, k, "XYZ");
  }
  g.qubits = distinct_qubits(rng, n, k);
  for (int j = 0; j < circuit::gate_info(kind).num_angles; ++j)
    g.angles.push_back(random_affine(rng, num_parameters));
  return g;
}

observable::PauliSum make_sum(const Problem& p) {
  return observable::PauliSum(p.circuit.num_qubits, p.terms);
}

Problem random_problem(std::mt19937_64& rng, int n, int num_parameters, int num_gates, int num_terms) {
  Problem p;
  p.circuit.num_qubits = n;
  for (int j = 0; j < num_parameters; ++j)
    p.circuit.parameter_names.push_back(std::string("t").append(std::to_string(j)));
  std::uniform_int_distribution<std::size_t> pick_param(0, kParameterised.size() - 1),
      pick_fixed(0, kFixed.size() - 1);
  // Every parameterised kind at least once, then a random mix with fixed gates.
  for (const auto& name : kParameterised)
    p.circuit.gates.push_back(random_gate(rng, name, n, num_parameters));
  for (int i = 0; i < num_gates; ++i) {
    const bool fixed = std::uniform_int_distribution<int>(0, 2)(rng) == 0;
    const std::string& name = fixed ? kFixed[pick_fixed(rng)] : kParameterised[pick_param(rng)];
    p.circuit.gates.push_back(random_gate(rng, name, n, num_parameters));
  }
  std::shuffle(p.circuit.gates.begin(), p.circuit.gates.end(), rng);
  // The affine angle of the brief: 2 theta_0 - 0.5 theta_1 + 0.3 on a controlled rotation.
  p.circuit.gates.push_back({GateKind::CRY, {n - 1, 0}, {AffineAngle{0.3, {{0, 2.0}, {1, -0.5}}}}, {}});
  p.circuit.gates.push_back({GateKind::RXX, {1, n - 1}, {AffineAngle{-0.2, {{0, 2.0}, {1, -0.5}}}}, {}});

  std::uniform_real_distribution<double> coef(-1.0, 1.0);
  p.observable = MatrixXcd::Zero(Eigen::Index{1} << n, Eigen::Index{1} << n);
  for (int t = 0; t < num_terms; ++t) {
    const std::string label = random_label(rng, n);
    const double c = coef(rng);
    p.terms.push_back({observable::parse_pauli_label(label, n), c});
    p.observable += c * label_matrix(label);
  }
  return p;
}

// The final state of the circuit, gate by gate with full dense matrices.
VectorXcd dense_state(const Circuit& c, const std::vector<double>& theta) {
  VectorXcd psi = VectorXcd::Zero(Eigen::Index{1} << c.num_qubits);
  psi(0) = 1;
  for (const auto& g : c.gates) {
    std::vector<double> values;
    for (const auto& a : g.angles) values.push_back(a.value(theta));
    const auto name = circuit::gate_info(g.kind).name;
    psi = embed(gate_matrix(name, values, g.pauli), g.qubits, c.num_qubits) * psi;
  }
  return psi;
}

double dense_energy(const Problem& p, const std::vector<double>& theta) {
  const VectorXcd psi = dense_state(p.circuit, theta);
  return psi.dot(p.observable * psi).real();
}

std::vector<double> random_theta(std::mt19937_64& rng, int count) {
  std::vector<double> t;
  for (int i = 0; i < count; ++i) t.push_back(random_angle(rng));
  return t;
}

TEST(Gradient, EnergyMatchesDenseCircuit) {
  std::mt19937_64 rng(71);
  for (int rep = 0; rep < 5; ++rep) {
    const Problem p = random_problem(rng, 5, 4, 30, 10);
    const auto h = make_sum(p);
    Evaluator ev(p.circuit, h);
    const auto theta = random_theta(rng, 4);
    EXPECT_NEAR(ev.energy(theta), dense_energy(p, theta), kTol) << rep;
    EXPECT_LT(max_diff(ev.state(), dense_state(p.circuit, theta)), kTol) << rep;
  }
}

TEST(Gradient, AdjointShiftAndFiniteDifferenceAgree) {
  std::mt19937_64 rng(73);
  for (int rep = 0; rep < 6; ++rep) {
    const int n = 4 + rep % 2, num_parameters = 3 + rep % 3;
    const Problem p = random_problem(rng, n, num_parameters, 25, 8);
    const auto h = make_sum(p);
    Evaluator ev(p.circuit, h);
    const auto theta = random_theta(rng, num_parameters);
    std::vector<double> adjoint, shift, fd;
    const double e0 = ev.energy(theta);
    EXPECT_NEAR(ev.energy_and_gradient(theta, adjoint, Method::Adjoint), e0, kTol);
    EXPECT_NEAR(ev.energy_and_gradient(theta, shift, Method::ParameterShift), e0, kTol);
    EXPECT_NEAR(ev.energy_and_gradient(theta, fd, Method::FiniteDifference), e0, kTol);
    ASSERT_EQ(adjoint.size(), static_cast<std::size_t>(num_parameters));
    ASSERT_EQ(shift.size(), adjoint.size());
    ASSERT_EQ(fd.size(), adjoint.size());
    for (std::size_t j = 0; j < adjoint.size(); ++j) {
      EXPECT_NEAR(adjoint[j], shift[j], 1e-10) << "rep " << rep << " parameter " << j;
      EXPECT_NEAR(adjoint[j], fd[j], 1e-6) << "rep " << rep << " parameter " << j;
      // Central differences of the dense reference energy: independent of vqsim altogether.
      const double step = 1e-5;
      auto up = theta, down = theta;
      up[j] += step;
      down[j] -= step;
      EXPECT_NEAR(adjoint[j], (dense_energy(p, up) - dense_energy(p, down)) / (2 * step), 1e-6)
          << "rep " << rep << " parameter " << j;
    }
  }
}

// One parameterised kind at a time, all its angles depending on the parameters, after a
// fixed entangling preparation: a failure names the kind.
TEST(Gradient, EachParameterisedKindAlone) {
  std::mt19937_64 rng(79);
  const int n = 3;
  for (const auto& name : kParameterised) {
    SCOPED_TRACE(name);
    Problem p = random_problem(rng, n, 2, 0, 6);
    p.circuit.gates.clear();
    for (int q = 0; q < n; ++q)
      p.circuit.gates.push_back({GateKind::U3,
                                 {q},
                                 {AffineAngle{random_angle(rng), {}}, AffineAngle{random_angle(rng), {}},
                                  AffineAngle{random_angle(rng), {}}},
                                 {}});
    p.circuit.gates.push_back({GateKind::CX, {0, 2}, {}, {}});
    Gate g = random_gate(rng, name, n, 2);
    for (auto& a : g.angles) a = AffineAngle{0.4, {{0, 2.0}, {1, -0.5}}};
    p.circuit.gates.push_back(g);
    const auto h = make_sum(p);
    Evaluator ev(p.circuit, h);
    const std::vector<double> theta{0.37, -1.21};
    std::vector<double> adjoint, shift;
    ev.energy_and_gradient(theta, adjoint, Method::Adjoint);
    ev.energy_and_gradient(theta, shift, Method::ParameterShift);
    for (std::size_t j = 0; j < theta.size(); ++j) {
      EXPECT_NEAR(adjoint[j], shift[j], 1e-10) << j;
      auto up = theta, down = theta;
      up[j] += 1e-5;
      down[j] -= 1e-5;
      EXPECT_NEAR(adjoint[j], (dense_energy(p, up) - dense_energy(p, down)) / 2e-5, 1e-6) << j;
    }
  }
}

TEST(Gradient, ZeroParametersGiveAnEmptyGradient) {
  std::mt19937_64 rng(83);
  Problem p = random_problem(rng, 3, 1, 0, 4);
  p.circuit.parameter_names.clear();
  p.circuit.gates = {{GateKind::H, {0}, {}, {}},
                     {GateKind::RY, {1}, {AffineAngle{0.7, {}}}, {}},
                     {GateKind::CX, {0, 2}, {}, {}}};
  const auto h = make_sum(p);
  Evaluator ev(p.circuit, h);
  for (Method m : {Method::Adjoint, Method::ParameterShift, Method::FiniteDifference}) {
    std::vector<double> grad{1.0, 2.0};
    const double e = ev.energy_and_gradient({}, grad, m);
    EXPECT_TRUE(grad.empty()) << gradient::method_name(m);
    EXPECT_NEAR(e, dense_energy(p, {}), kTol);
  }
}

TEST(Gradient, RepeatedEvaluationIsBitIdentical) {
  std::mt19937_64 rng(89);
  const Problem p = random_problem(rng, 5, 4, 30, 10);
  const auto h = make_sum(p);
  const auto theta = random_theta(rng, 4);
  Evaluator a(p.circuit, h), b(p.circuit, h);
  for (Method m : {Method::Adjoint, Method::ParameterShift, Method::FiniteDifference}) {
    std::vector<double> g1, g2, g3;
    const double e1 = a.energy_and_gradient(theta, g1, m);
    const double e2 = a.energy_and_gradient(theta, g2, m);
    const double e3 = b.energy_and_gradient(theta, g3, m);
    EXPECT_EQ(e1, e2) << gradient::method_name(m);
    EXPECT_EQ(e1, e3) << gradient::method_name(m);
    EXPECT_EQ(g1, g2) << gradient::method_name(m);
    EXPECT_EQ(g1, g3) << gradient::method_name(m);
  }
  EXPECT_EQ(a.energy(theta), b.energy(theta));
}

TEST(Gradient, EvaluationCounts) {
  std::mt19937_64 rng(97);
  const Problem p = random_problem(rng, 3, 2, 5, 4);
  const auto h = make_sum(p);
  Evaluator ev(p.circuit, h);
  const std::vector<double> theta{0.1, 0.2};
  std::vector<double> g;
  ev.energy(theta);
  EXPECT_EQ(ev.evaluations(), 1);
  ev.energy_and_gradient(theta, g, Method::Adjoint);
  EXPECT_EQ(ev.evaluations(), 2);
  ev.energy_and_gradient(theta, g, Method::FiniteDifference);
  EXPECT_EQ(ev.evaluations(), 2 + 1 + 2 * 2);
}

// state() is documented as the state after the last energy evaluation, and
// finite_difference() restores it "as after the other methods": every method should
// leave psi(theta) behind.
}  // namespace
}  // namespace vqsim::test
