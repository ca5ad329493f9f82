#include "io/input.hpp"

#include <cmath>
#include <map>

#include "chem/excitations.hpp"
#include "circuit/ansatz.hpp"
#include "io/resources.hpp"
#include "observable/pauli_sum.hpp"
#include "qaoa/qaoa.hpp"
#include "qasm/parser.hpp"

namespace vqsim::io {
namespace {

using circuit::GateKind;

// Bit operations on 64-bit indices bound the register; memory bounds it far earlier.
constexpr int kMaxQubits = 62;
constexpr std::int64_t kMaxGates = 10'000'000;

std::vector<std::string> names_of(std::initializer_list<std::string_view> list) {
  return {list.begin(), list.end()};
}

std::string enum_error(const std::string& value, const std::vector<std::string>& allowed) {
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  const std::string hint = suggestion(value, allowed);
  return "'" + value + "' is not one of " + list + (hint.empty() ? "" : " (" + hint.substr(2) + ")");
}

int read_num_qubits(const json& value, const std::string& path) {
  return static_cast<int>(get_int(value, path, 1, kMaxQubits));
}

// Parameter names must be usable inside expressions.
bool is_valid_name(const std::string& name) {
  if (name.empty() || name == "pi") return false;
  try {
    const auto a = circuit::parse_affine(name, [](const std::string&) { return std::optional<int>(0); });
    return a.terms.size() == 1 && a.constant == 0.0 && a.terms[0].second == 1.0;
  } catch (const circuit::ExpressionError&) {
    return false;
  }
}

circuit::AffineAngle read_angle(const json& value, const std::string& path,
                                const circuit::ParameterLookup& lookup) {
  if (value.is_number()) {
    circuit::AffineAngle a;
    a.constant = get_number(value, path);
    return a;
  }
  if (!value.is_string())
    throw InputError(path, "expected a number or an expression string, got " + describe(value));
  const std::string text = value.get<std::string>();
  try {
    return circuit::parse_affine(text, lookup);
  } catch (const circuit::ExpressionError& e) {
    throw InputError(path,
                     "in '" + text + "' at character " + std::to_string(e.position + 1) + ": " + e.what());
  }
}

// {"qasm": "<OpenQASM 2 or 3 source>"}: errors point into the source as path.qasm:line:column.
circuit::Circuit read_qasm_circuit(const json& node, const std::string& path) {
  check_keys(node, path, {"qasm"});
  const std::string qpath = key_path(path, "qasm");
  const std::string source = get_string(node["qasm"], qpath);
  try {
    return qasm::parse(source).circuit;
  } catch (const qasm::ParseError& e) {
    throw InputError(qpath + ":" + std::to_string(e.line) + ":" + std::to_string(e.column), e.message);
  }
}

circuit::Circuit read_circuit(const json& node, const std::string& path) {
  expect_object(node, path);
  if (node.contains("qasm")) return read_qasm_circuit(node, path);
  check_keys(node, path, {"num_qubits", "parameters", "gates", "qasm"});
  if (!node.contains("num_qubits")) throw InputError(path, "missing key 'num_qubits'");
  if (!node.contains("gates")) throw InputError(path, "missing key 'gates'");
  circuit::Circuit c;
  c.num_qubits = read_num_qubits(node["num_qubits"], key_path(path, "num_qubits"));

  std::map<std::string, int> index;
  const bool declared = node.contains("parameters");
  if (declared) {
    const std::string ppath = key_path(path, "parameters");
    const auto& list = expect_array(node["parameters"], ppath);
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string name = get_string(list[i], index_path(ppath, i));
      if (!is_valid_name(name))
        throw InputError(index_path(ppath, i),
                         "'" + name +
                             "' is not a valid parameter name "
                             "(letters, digits, _ and ., not starting with a digit; not 'pi')");
      if (!index.emplace(name, static_cast<int>(i)).second)
        throw InputError(index_path(ppath, i), "parameter '" + name + "' is listed twice");
      c.parameter_names.push_back(name);
    }
  }
  const circuit::ParameterLookup lookup = [&](const std::string& name) -> std::optional<int> {
    if (auto it = index.find(name); it != index.end()) return it->second;
    if (declared) return std::nullopt;  // only the declared names exist
    const int i = static_cast<int>(c.parameter_names.size());
    index.emplace(name, i);
    c.parameter_names.push_back(name);
    return i;
  };

  const std::string gpath = key_path(path, "gates");
  const auto& gates = expect_array(node["gates"], gpath);
  if (static_cast<std::int64_t>(gates.size()) > kMaxGates)
    throw ServiceError(ErrorCode::ResourceLimit, gpath + ": " + std::to_string(gates.size()) +
                                                     " gates; the limit is " + std::to_string(kMaxGates));
  c.gates.reserve(gates.size());
  for (std::size_t gi = 0; gi < gates.size(); ++gi) {
    const std::string at = index_path(gpath, gi);
    const auto& g = expect_object(gates[gi], at);
    check_keys(g, at, {"gate", "qubits", "params", "pauli"});
    if (!g.contains("gate")) throw InputError(at, "missing key 'gate'");
    const std::string name = get_string(g["gate"], key_path(at, "gate"));
    const auto kind = circuit::gate_from_name(name);
    if (!kind)
      throw InputError(key_path(at, "gate"),
                       "unknown gate '" + name + "'" + suggestion(name, circuit::gate_names()));
    const auto& info = circuit::gate_info(*kind);
    circuit::Gate gate{*kind, {}, {}, {}};

    int arity = info.num_qubits;
    if (*kind == GateKind::PauliRotation) {
      if (!g.contains("pauli")) throw InputError(at, "missing key 'pauli' (the Pauli string, e.g. \"XXYZ\")");
      gate.pauli = get_string(g["pauli"], key_path(at, "pauli"));
      if (gate.pauli.empty()) throw InputError(key_path(at, "pauli"), "the Pauli string is empty");
      const auto bad = gate.pauli.find_first_not_of("IXYZ");
      if (bad != std::string::npos)
        throw InputError(
            key_path(at, "pauli"),
            "'" + gate.pauli + "' has '" + std::string(1, gate.pauli[bad]) + "', not a Pauli (I, X, Y or Z)");
      arity = static_cast<int>(gate.pauli.size());
    } else if (g.contains("pauli")) {
      throw InputError(key_path(at, "pauli"), "only gate 'pauli_rotation' takes a Pauli string");
    }

    if (!g.contains("qubits")) throw InputError(at, "missing key 'qubits'");
    const std::string qpath = key_path(at, "qubits");
    const auto& qubits = expect_array(g["qubits"], qpath);
    if (static_cast<int>(qubits.size()) != arity)
      throw InputError(qpath, "gate '" + name + "' acts on " + std::to_string(arity) +
                                  (arity == 1 ? " qubit" : " qubits") + ", got " +
                                  std::to_string(qubits.size()));
    for (std::size_t qi = 0; qi < qubits.size(); ++qi) {
      const std::string qat = index_path(qpath, qi);
      const std::int64_t q = get_int(qubits[qi], qat, std::numeric_limits<std::int64_t>::min(),
                                     std::numeric_limits<std::int64_t>::max());
      if (q < 0 || q >= c.num_qubits)
        throw InputError(qat, "qubit " + std::to_string(q) + " is out of range for " +
                                  std::to_string(c.num_qubits) + " qubits");
      for (int prev : gate.qubits)
        if (prev == q) throw InputError(qat, "qubit " + std::to_string(q) + " is used twice in one gate");
      gate.qubits.push_back(static_cast<int>(q));
    }

    const std::string apath = key_path(at, "params");
    if (info.num_angles == 0) {
      if (g.contains("params") && !(g["params"].is_array() && g["params"].empty()))
        throw InputError(apath, "gate '" + name + "' takes no parameters, got " + describe(g["params"]));
    } else {
      if (!g.contains("params"))
        throw InputError(
            at, "missing key 'params' (gate '" + name + "' takes " + std::to_string(info.num_angles) + ")");
      const auto& params = expect_array(g["params"], apath);
      if (static_cast<int>(params.size()) != info.num_angles)
        throw InputError(apath, "gate '" + name + "' takes " + std::to_string(info.num_angles) +
                                    (info.num_angles == 1 ? " parameter" : " parameters") + ", got " +
                                    std::to_string(params.size()));
      for (std::size_t ai = 0; ai < params.size(); ++ai)
        gate.angles.push_back(read_angle(params[ai], index_path(apath, ai), lookup));
    }
    c.gates.push_back(std::move(gate));
  }
  return c;
}

// Each ansatz type's keys; a key of the other type gets a message saying so.
const std::vector<std::string> kHardwareEfficientKeys{"type",      "num_qubits",   "layers",
                                                      "rotations", "entanglement", "initial_bits"};
const std::vector<std::string> kUccsdKeys{"type",     "num_qubits",    "num_electrons", "num_alpha",
                                          "num_beta", "spin_ordering", "excitations",   "reps"};

void check_ansatz_keys(const json& node, const std::string& path, const std::string& type,
                       const std::vector<std::string>& known, const std::string& other_type,
                       const std::vector<std::string>& other) {
  for (const auto& [key, value] : node.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    if (std::find(other.begin(), other.end(), key) != other.end())
      throw InputError(key_path(path, key),
                       "is a key of ansatz type '" + other_type + "', not '" + type + "'");
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    const std::string hint = suggestion(key, known);
    throw InputError(key_path(path, key),
                     "unknown key" + (hint.empty() ? " (known keys: " + list + ")" : hint));
  }
}

// {"type": "uccsd", ...}: the electrons, the orbitals and the excitations, all checked before
// the circuit is built (its size is known from the counts alone).
chem::UccsdSpec read_uccsd(const json& node, const std::string& path) {
  check_ansatz_keys(node, path, "uccsd", kUccsdKeys, "hardware_efficient", kHardwareEfficientKeys);
  if (!node.contains("num_qubits"))
    throw InputError(path, "missing key 'num_qubits' (2 per spatial orbital)");
  chem::UccsdSpec spec;
  chem::Occupation& occ = spec.occupation;
  const std::string qpath = key_path(path, "num_qubits");
  occ.num_qubits = static_cast<int>(get_int(node["num_qubits"], qpath, 2, kMaxQubits));
  if (occ.num_qubits % 2 != 0)
    throw InputError(qpath, std::to_string(occ.num_qubits) +
                                " is odd: UCCSD needs an even number of qubits, an alpha and a beta spin "
                                "orbital per spatial orbital");
  const int m = occ.num_spatial();

  const bool has_n = node.contains("num_electrons"), has_a = node.contains("num_alpha"),
             has_b = node.contains("num_beta");
  if (!has_n && !(has_a && has_b))
    throw InputError(path, "missing key 'num_electrons' (or both 'num_alpha' and 'num_beta')");
  const std::string npath = key_path(path, "num_electrons"), apath = key_path(path, "num_alpha"),
                    bpath = key_path(path, "num_beta");
  const auto spin_count = [&](const std::string& p, const char* key, const char* spin) {
    const auto v = static_cast<int>(get_int(node[key], p, 0, occ.num_qubits));
    if (v > m)
      throw InputError(p, std::to_string(v) + " " + spin + " electrons do not fit in " + std::to_string(m) +
                              " spatial orbitals (num_qubits " + std::to_string(occ.num_qubits) + ")");
    return v;
  };
  const int n = has_n ? static_cast<int>(get_int(node["num_electrons"], npath, 0, occ.num_qubits)) : -1;
  if (has_a) occ.num_alpha = spin_count(apath, "num_alpha", "alpha");
  if (has_b) occ.num_beta = spin_count(bpath, "num_beta", "beta");
  if (!has_a && !has_b) {
    if (n % 2 != 0)
      throw InputError(npath, std::to_string(n) + " electrons is odd: give num_alpha and num_beta (e.g. " +
                                  std::to_string(n / 2 + 1) + " and " + std::to_string(n / 2) + ")");
    occ.num_alpha = occ.num_beta = n / 2;
  } else if (!has_a || !has_b) {
    // One spin given: the other holds the rest.
    const int rest = n - (has_a ? occ.num_alpha : occ.num_beta);
    const std::string other = has_a ? "num_beta" : "num_alpha";
    if (rest < 0 || rest > m)
      throw InputError(has_a ? apath : bpath, "leaves " + std::to_string(rest) + " of " + std::to_string(n) +
                                                  " electrons for " + other + ", which must be 0 to " +
                                                  std::to_string(m) + " (the spatial orbitals)");
    (has_a ? occ.num_beta : occ.num_alpha) = rest;
  } else if (has_n && occ.num_alpha + occ.num_beta != n) {
    throw InputError(path, "num_alpha " + std::to_string(occ.num_alpha) + " + num_beta " +
                               std::to_string(occ.num_beta) + " is not num_electrons " + std::to_string(n));
  }

  if (node.contains("spin_ordering")) {
    const std::string o = get_string(node["spin_ordering"], key_path(path, "spin_ordering"));
    if (o == "interleaved")
      occ.ordering = chem::SpinOrdering::Interleaved;
    else if (o == "blocked")
      occ.ordering = chem::SpinOrdering::Blocked;
    else
      throw InputError(key_path(path, "spin_ordering"), enum_error(o, {"interleaved", "blocked"}));
  }
  if (node.contains("excitations")) {
    const std::string e = get_string(node["excitations"], key_path(path, "excitations"));
    if (e == "s" || e == "d" || e == "sd") {
      spec.kinds.singles = e != "d";
      spec.kinds.doubles = e != "s";
    } else {
      throw InputError(key_path(path, "excitations"), enum_error(e, {"sd", "s", "d"}));
    }
  }
  if (node.contains("reps"))
    spec.reps = static_cast<int>(get_int(node["reps"], key_path(path, "reps"), 1, 10000));
  // Count before generating: 62 qubits with 30 electrons have 82,800 doubles of 8 rotations each.
  const std::int64_t gates = chem::uccsd_num_gates(spec);
  if (gates > kMaxGates)
    throw ServiceError(ErrorCode::ResourceLimit,
                       path + ": this ansatz has " + std::to_string(gates) + " gates (" +
                           std::to_string(chem::uccsd_num_parameters(spec)) +
                           " excitation parameters); the limit is " + std::to_string(kMaxGates));
  return spec;
}

circuit::Circuit read_ansatz(const json& node, const std::string& path,
                             std::optional<chem::UccsdSpec>& uccsd) {
  expect_object(node, path);
  if (!node.contains("type")) throw InputError(path, "missing key 'type' (hardware_efficient or uccsd)");
  const std::string type = get_string(node["type"], key_path(path, "type"));
  if (type == "uccsd") {
    uccsd = read_uccsd(node, path);
    // Its circuit grows as n^4: not worth building for a register no state of which fits (one
    // single-precision state is the least any task needs; the run checks its full need later).
    check_memory(state_vector_bytes(uccsd->occupation.num_qubits, circuit::Precision::Single),
                 path + ": one state of " + std::to_string(uccsd->occupation.num_qubits) + " qubits");
    return chem::uccsd(*uccsd);
  }
  if (type != "hardware_efficient")
    throw InputError(key_path(path, "type"), enum_error(type, {"hardware_efficient", "uccsd"}));
  check_ansatz_keys(node, path, type, kHardwareEfficientKeys, "uccsd", kUccsdKeys);
  if (!node.contains("num_qubits")) throw InputError(path, "missing key 'num_qubits'");
  circuit::HardwareEfficientSpec spec;
  spec.num_qubits = read_num_qubits(node["num_qubits"], key_path(path, "num_qubits"));
  if (node.contains("layers"))
    spec.layers = static_cast<int>(get_int(node["layers"], key_path(path, "layers"), 0, 10000));
  if (node.contains("rotations")) {
    const std::string rpath = key_path(path, "rotations");
    const auto& list = expect_array(node["rotations"], rpath);
    if (list.empty()) throw InputError(rpath, "needs at least one rotation (rx, ry, rz or p)");
    spec.rotations.clear();
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string r = get_string(list[i], index_path(rpath, i));
      const auto allowed = names_of({"rx", "ry", "rz", "p"});
      if (std::find(allowed.begin(), allowed.end(), r) == allowed.end())
        throw InputError(index_path(rpath, i), enum_error(r, allowed));
      spec.rotations.push_back(*circuit::gate_from_name(r));
    }
  }
  if (node.contains("entanglement")) {
    const std::string e = get_string(node["entanglement"], key_path(path, "entanglement"));
    if (e == "linear")
      spec.entanglement = circuit::Entanglement::Linear;
    else if (e == "circular")
      spec.entanglement = circuit::Entanglement::Circular;
    else if (e == "full")
      spec.entanglement = circuit::Entanglement::Full;
    else
      throw InputError(key_path(path, "entanglement"), enum_error(e, {"linear", "circular", "full"}));
  }
  if (node.contains("initial_bits")) {
    const std::string bpath = key_path(path, "initial_bits");
    spec.initial_bits = get_string(node["initial_bits"], bpath);
    if (static_cast<int>(spec.initial_bits.size()) != spec.num_qubits)
      throw InputError(bpath, "'" + spec.initial_bits + "' has " + std::to_string(spec.initial_bits.size()) +
                                  " bits for " + std::to_string(spec.num_qubits) + " qubits");
    if (spec.initial_bits.find_first_not_of("01") != std::string::npos)
      throw InputError(bpath, "'" + spec.initial_bits + "' must contain only 0 and 1 (qubit 0 rightmost)");
  }
  // Count before generating: layers x full entanglement on 62 qubits would be ~19 million gates.
  const std::int64_t n = spec.num_qubits, rotations = static_cast<std::int64_t>(spec.rotations.size());
  const std::int64_t pairs = spec.entanglement == circuit::Entanglement::Full ? n * (n - 1) / 2 : n;
  const std::int64_t gates = spec.layers * (rotations * n + pairs) + rotations * n + n;
  if (gates > kMaxGates)
    throw ServiceError(ErrorCode::ResourceLimit, path + ": this ansatz has about " + std::to_string(gates) +
                                                     " gates; the limit is " + std::to_string(kMaxGates));
  return circuit::hardware_efficient(spec);
}

observable::PauliSum read_observable(const json& node, const std::string& path, int num_qubits,
                                     std::size_t& given) {
  const auto& list = expect_array(node, path);
  if (list.empty()) throw InputError(path, "the observable has no terms");
  std::vector<observable::PauliTerm> terms;
  terms.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string at = index_path(path, i);
    const auto& entry = list[i];
    if (!entry.is_array() || entry.size() != 2)
      throw InputError(at, "expected [label, coefficient], got " + describe(entry));
    const std::string label = get_string(entry[0], index_path(at, 0));
    observable::PauliTerm term;
    try {
      term.masks = observable::parse_pauli_label(label, num_qubits);
    } catch (const observable::LabelError& e) {
      throw InputError(index_path(at, 0), "label '" + label + "': " + e.what());
    }
    const auto& coef = entry[1];
    const std::string cpath = index_path(at, 1);
    if (coef.is_array()) {
      if (coef.size() != 2)
        throw InputError(cpath, "a complex coefficient is [re, im], got " + describe(coef));
      const double re = get_number(coef[0], index_path(cpath, 0));
      const double im = get_number(coef[1], index_path(cpath, 1));
      if (std::abs(im) > 1e-10 * std::max(1.0, std::abs(re)))
        throw InputError(cpath,
                         "coefficient " + coef.dump() + " has imaginary part " + coef[1].dump() +
                             "; the observable must be Hermitian, so Pauli terms need real coefficients");
      term.coefficient = re;
    } else {
      if (!coef.is_number()) throw InputError(cpath, "expected a number or [re, im], got " + describe(coef));
      term.coefficient = get_number(coef, cpath);
    }
    terms.push_back(term);
  }
  given = terms.size();
  return observable::PauliSum(num_qubits, terms);
}

// The keys each task reads from params.json; any other key is an error for that task.
const std::vector<std::string>& task_keys(Task task) {
  static const std::vector<std::string> optimizer{
      "task",          "optimizer", "max_iterations",  "tolerance", "gradient",    "initial_parameters",
      "learning_rate", "seed",      "exact_reference", "shots",     "max_seconds", "precision",
      "log_level"};
  static const std::vector<std::string> vqe = [] {
    auto k = optimizer;
    k.push_back("exact_sector");
    return k;
  }();
  static const std::vector<std::string> qaoa = [] {
    auto k = optimizer;
    k.insert(k.end(), {"layers", "top_k"});
    return k;
  }();
  static const std::vector<std::string> simulate{"task", "parameters", "outputs",   "shots",    "layers",
                                                 "seed", "top_k",      "precision", "log_level"};
  switch (task) {
    case Task::Qaoa: return qaoa;
    case Task::Simulate: return simulate;
    default: return vqe;
  }
}

const std::vector<std::string>& all_param_keys() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> k = task_keys(Task::Vqe);
    for (Task t : {Task::Qaoa, Task::Simulate})
      for (const auto& s : task_keys(t))
        if (std::find(k.begin(), k.end(), s) == k.end()) k.push_back(s);
    return k;
  }();
  return all;
}

void check_param_keys(const json& params, Task task) {
  const auto& allowed = task_keys(task);
  for (const auto& [key, value] : params.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    const auto& all = all_param_keys();
    if (std::find(all.begin(), all.end(), key) != all.end())
      throw InputError(key_path("params", key), "is not used by task '" + std::string(task_name(task)) + "'");
    throw InputError(key_path("params", key), "unknown key" + suggestion(key, all));
  }
}

void read_exact_sector(const json& params, Job& job);

void read_optimizer_params(const json& params, Job& job) {
  auto& s = job.settings;
  auto& opt = s.optimizer;
  if (params.contains("optimizer")) {
    const std::string name = get_string(params["optimizer"], "params.optimizer");
    const auto m = optimize::method_from_name(name);
    if (!m) throw InputError("params.optimizer", enum_error(name, optimize::method_names()));
    opt.method = *m;
  }
  opt.tolerance = optimize::default_tolerance(opt.method);
  if (params.contains("max_iterations"))
    opt.max_iterations =
        static_cast<int>(get_int(params["max_iterations"], "params.max_iterations", 1, 10'000'000));
  if (params.contains("tolerance")) {
    opt.tolerance = get_number(params["tolerance"], "params.tolerance");
    if (opt.tolerance <= 0)
      throw InputError("params.tolerance", "must be positive, got " + params["tolerance"].dump());
  }
  if (params.contains("gradient")) {
    const std::string g = get_string(params["gradient"], "params.gradient");
    if (g == "adjoint")
      s.gradient = gradient::Method::Adjoint;
    else if (g == "parameter_shift")
      s.gradient = gradient::Method::ParameterShift;
    else if (g == "finite_difference")
      s.gradient = gradient::Method::FiniteDifference;
    else
      throw InputError("params.gradient", enum_error(g, {"adjoint", "parameter_shift", "finite_difference"}));
    if (!optimize::uses_gradient(opt.method))
      throw InputError("params.gradient", "optimizer '" + std::string(optimize::method_name(opt.method)) +
                                              "' is derivative-free and would ignore gradient '" + g + "'");
  }
  if (params.contains("learning_rate")) {
    opt.learning_rate = get_number(params["learning_rate"], "params.learning_rate");
    if (opt.learning_rate <= 0)
      throw InputError("params.learning_rate", "must be positive, got " + params["learning_rate"].dump());
    if (!optimize::uses_learning_rate(opt.method))
      throw InputError("params.learning_rate",
                       "optimizer '" + std::string(optimize::method_name(opt.method)) +
                           "' has no learning rate (adam, spsa and gradient_descent do)");
  }
  if (params.contains("shots")) {
    job.settings.shots = static_cast<std::uint64_t>(get_int(params["shots"], "params.shots", 1, kMaxShots));
    if (optimize::uses_gradient(opt.method))
      throw InputError(
          "params.shots",
          "finite-shot energies need a derivative-free optimizer (cobyla, nelder_mead, bobyqa or "
          "spsa); '" +
              std::string(optimize::method_name(opt.method)) + "' uses exact gradients");
  }
  if (params.contains("max_seconds")) {
    job.max_seconds = get_number(params["max_seconds"], "params.max_seconds");
    if (*job.max_seconds <= 0)
      throw InputError("params.max_seconds", "must be positive, got " + params["max_seconds"].dump());
  }
  const int np = job.problem.circuit.num_parameters();
  if (params.contains("initial_parameters")) {
    const auto& v = params["initial_parameters"];
    const std::string ipath = "params.initial_parameters";
    const std::vector<std::string> kinds = job.task == Task::Qaoa
                                               ? std::vector<std::string>{"zeros", "random", "ramp"}
                                               : std::vector<std::string>{"zeros", "random"};
    if (v.is_string()) {
      const std::string k = v.get<std::string>();
      if (std::find(kinds.begin(), kinds.end(), k) == kinds.end())
        throw InputError(ipath, enum_error(k, kinds) + ", or a list of numbers");
      s.initial = k == "zeros"    ? vqe::InitialKind::Zeros
                  : k == "random" ? vqe::InitialKind::Random
                                  : vqe::InitialKind::Given;
      if (k == "ramp") s.initial_parameters = qaoa::ramp_start(job.layers);
    } else if (v.is_array()) {
      if (static_cast<int>(v.size()) != np)
        throw InputError(ipath, "has " + std::to_string(v.size()) + " values for " + std::to_string(np) +
                                    " circuit parameters");
      s.initial = vqe::InitialKind::Given;
      for (std::size_t i = 0; i < v.size(); ++i)
        s.initial_parameters.push_back(get_number(v[i], index_path(ipath, i)));
    } else {
      throw InputError(ipath, "expected \"zeros\", \"random\"" +
                                  std::string(job.task == Task::Qaoa ? ", \"ramp\"" : "") +
                                  " or a list of numbers, got " + describe(v));
    }
  } else if (job.task == Task::Qaoa) {
    s.initial = vqe::InitialKind::Given;  // QAOA starts on the linear ramp: zeros is a stationary point
    s.initial_parameters = qaoa::ramp_start(job.layers);
  }
  if (params.contains("exact_reference")) {
    const auto& v = params["exact_reference"];
    if (v.is_boolean())
      s.exact = v.get<bool>() ? vqe::ExactMode::Always : vqe::ExactMode::Never;
    else if (v.is_string() && v.get<std::string>() == "auto")
      s.exact = vqe::ExactMode::Auto;
    else
      throw InputError("params.exact_reference", "expected \"auto\", true or false, got " + describe(v));
    if (job.task == Task::Qaoa && s.exact == vqe::ExactMode::Always &&
        job.problem.circuit.num_qubits > qaoa::kMaxEnumerate)
      throw InputError("params.exact_reference", "the optimum is found by enumeration, which is limited to " +
                                                     std::to_string(qaoa::kMaxEnumerate) + " variables");
  }
  if (job.task == Task::Vqe) read_exact_sector(params, job);
}

// params.exact_sector, or the UCCSD ansatz's own sector: where the exact reference is sought.
void read_exact_sector(const json& params, Job& job) {
  auto& s = job.settings;
  if (!params.contains("exact_sector")) {
    if (job.uccsd) s.exact_sector = chem::sector(job.uccsd->occupation);
    return;
  }
  const std::string path = "params.exact_sector";
  const auto& node = expect_object(params["exact_sector"], path);
  check_keys(node, path, {"num_electrons", "sz", "spin_ordering"});
  if (s.exact == vqe::ExactMode::Never)
    throw InputError(path,
                     "has no effect with exact_reference false (it picks where the reference is sought)");
  if (!node.contains("num_electrons")) throw InputError(path, "missing key 'num_electrons'");
  const int n = job.problem.circuit.num_qubits;
  observable::Sector sector;
  sector.num_particles =
      static_cast<int>(get_int(node["num_electrons"], key_path(path, "num_electrons"), 0, n));
  if (node.contains("spin_ordering") && !node.contains("sz"))
    throw InputError(key_path(path, "spin_ordering"),
                     "only applies with 'sz' (it says which qubits hold alpha and which beta spin orbitals)");
  if (node.contains("sz")) {
    const std::string zpath = key_path(path, "sz");
    const double sz = get_number(node["sz"], zpath);
    if (n % 2 != 0)
      throw InputError(
          zpath, "needs an even number of qubits (alpha and beta spin orbitals in pairs); the circuit has " +
                     std::to_string(n));
    if (2 * sz != std::round(2 * sz))
      throw InputError(zpath, "must be a multiple of 1/2 (0, 0.5, 1, ...), got " + node["sz"].dump());
    const int electrons = sector.num_particles, m = n / 2;
    const std::string none = "no state of " + std::to_string(electrons) + " electrons in " +
                             std::to_string(m) + " spatial orbitals has sz " + node["sz"].dump();
    if (std::abs(sz) > m) throw InputError(zpath, none);
    const int two_sz = static_cast<int>(std::lround(2 * sz));
    if ((electrons + two_sz) % 2 != 0)
      throw InputError(
          zpath, node["sz"].dump() + " with " + std::to_string(electrons) +
                     " electrons: num_electrons + 2 sz must be even (an odd count has a half-integer sz)");
    const int alpha = (electrons + two_sz) / 2, beta = electrons - alpha;
    if (alpha < 0 || beta < 0 || alpha > m || beta > m)
      throw InputError(zpath, none + " (it needs " + std::to_string(alpha) + " alpha and " +
                                  std::to_string(beta) + " beta electrons)");
    // Which qubits are alpha: as stated, else the UCCSD ansatz's ordering, else OpenFermion's.
    chem::SpinOrdering ordering =
        job.uccsd ? job.uccsd->occupation.ordering : chem::SpinOrdering::Interleaved;
    if (node.contains("spin_ordering")) {
      const std::string o = get_string(node["spin_ordering"], key_path(path, "spin_ordering"));
      if (o == "interleaved")
        ordering = chem::SpinOrdering::Interleaved;
      else if (o == "blocked")
        ordering = chem::SpinOrdering::Blocked;
      else
        throw InputError(key_path(path, "spin_ordering"), enum_error(o, {"interleaved", "blocked"}));
    }
    sector.spin = observable::SpinSector{chem::alpha_mask(n, ordering), alpha};
  }
  s.exact_sector = sector;
}

// params.parameters for simulate: a list in parameter order or an object by name.
std::vector<double> read_parameter_values(const json& params, const circuit::Circuit& c) {
  const std::string path = "params.parameters";
  const auto& names = c.parameter_names;
  if (!params.contains("parameters")) {
    if (names.empty()) return {};
    throw InputError("params", "missing key 'parameters': the circuit has " + std::to_string(names.size()) +
                                   " parameters (" + names.front() + (names.size() > 1 ? ", ..." : "") + ")");
  }
  const auto& v = params["parameters"];
  std::vector<double> out(names.size(), 0.0);
  if (v.is_array()) {
    if (v.size() != names.size())
      throw InputError(path, "has " + std::to_string(v.size()) + " values for " +
                                 std::to_string(names.size()) + " circuit parameters");
    for (std::size_t i = 0; i < v.size(); ++i) out[i] = get_number(v[i], index_path(path, i));
    return out;
  }
  if (!v.is_object())
    throw InputError(path, "expected a list of numbers or an object name -> value, got " + describe(v));
  std::vector<bool> seen(names.size(), false);
  for (const auto& [name, value] : v.items()) {
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end())
      throw InputError(key_path(path, name),
                       "the circuit has no parameter '" + name + "'" + suggestion(name, names));
    const auto i = static_cast<std::size_t>(it - names.begin());
    out[i] = get_number(value, key_path(path, name));
    seen[i] = true;
  }
  for (std::size_t i = 0; i < names.size(); ++i)
    if (!seen[i]) throw InputError(path, "missing a value for parameter '" + names[i] + "'");
  return out;
}

void read_simulate_params(const json& params, const json& data, Job& job) {
  auto& sim = job.simulate;
  sim.parameters = read_parameter_values(params, job.problem.circuit);
  const std::vector<std::string> known{"counts", "probabilities", "expectation_values", "statevector"};
  if (params.contains("outputs")) {
    const std::string path = "params.outputs";
    const auto& list = expect_array(params["outputs"], path);
    if (list.empty())
      throw InputError(path,
                       "asks for nothing: give at least one of counts, probabilities, "
                       "expectation_values, statevector");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string o = get_string(list[i], index_path(path, i));
      if (std::find(known.begin(), known.end(), o) == known.end())
        throw InputError(index_path(path, i), enum_error(o, known));
      if (std::find(sim.outputs.begin(), sim.outputs.end(), o) != sim.outputs.end())
        throw InputError(index_path(path, i), "'" + o + "' is listed twice");
      sim.outputs.push_back(o);
    }
  } else {
    sim.outputs.push_back(params.contains("shots") ? "counts" : "probabilities");
    if (data.contains("observables")) sim.outputs.push_back("expectation_values");
  }
  auto wants = [&](const char* o) {
    return std::find(sim.outputs.begin(), sim.outputs.end(), o) != sim.outputs.end();
  };
  if (wants("expectation_values") && !data.contains("observables"))
    throw InputError("params.outputs", "asks for expectation_values but data.observables is missing");
  if (!wants("expectation_values") && data.contains("observables"))
    throw InputError("data.observables", "given, but params.outputs does not ask for expectation_values");
  if (params.contains("shots")) {
    job.settings.shots = static_cast<std::uint64_t>(get_int(params["shots"], "params.shots", 1, kMaxShots));
    if (!wants("counts"))
      throw InputError("params.shots", "only the counts output is sampled; add \"counts\" to params.outputs");
  } else if (wants("counts")) {
    job.settings.shots = kDefaultShots;
  }
  if (params.contains("top_k")) {
    sim.top_k = static_cast<std::size_t>(get_int(params["top_k"], "params.top_k", 1, 1'000'000));
    if (!wants("probabilities"))
      throw InputError("params.top_k", "applies to the probabilities output, which is not asked for");
  }
  if (wants("statevector") && job.problem.circuit.num_qubits > kMaxStatevectorQubits)
    throw InputError("params.outputs",
                     "the statevector output is limited to " + std::to_string(kMaxStatevectorQubits) +
                         " qubits (2^" + std::to_string(kMaxStatevectorQubits) +
                         " amplitudes); the circuit has " + std::to_string(job.problem.circuit.num_qubits) +
                         ": ask for probabilities or counts instead");
}

qaoa::CostProblem read_problem(const json& node, const std::string& path) {
  expect_object(node, path);
  if (!node.contains("type")) throw InputError(path, "missing key 'type' (maxcut, qubo or ising)");
  const std::string type = get_string(node["type"], key_path(path, "type"));
  if (type == "maxcut") {
    check_keys(node, path, {"type", "graph"});
    if (!node.contains("graph")) throw InputError(path, "missing key 'graph'");
    const std::string gpath = key_path(path, "graph");
    const auto& g = expect_object(node["graph"], gpath);
    check_keys(g, gpath, {"num_nodes", "edges"});
    if (!g.contains("num_nodes")) throw InputError(gpath, "missing key 'num_nodes'");
    if (!g.contains("edges")) throw InputError(gpath, "missing key 'edges'");
    const int n = read_num_qubits(g["num_nodes"], key_path(gpath, "num_nodes"));
    const std::string epath = key_path(gpath, "edges");
    const auto& list = expect_array(g["edges"], epath);
    if (list.empty()) throw InputError(epath, "the graph has no edges");
    std::vector<qaoa::Edge> edges;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string at = index_path(epath, i);
      const auto& e = list[i];
      if (!e.is_array() || (e.size() != 2 && e.size() != 3))
        throw InputError(at, "expected [u, v] or [u, v, weight], got " + describe(e));
      qaoa::Edge edge;
      edge.u = static_cast<int>(get_int(e[0], index_path(at, 0), 0, n - 1));
      edge.v = static_cast<int>(get_int(e[1], index_path(at, 1), 0, n - 1));
      if (edge.u == edge.v)
        throw InputError(at, "a self-loop on node " + std::to_string(edge.u) + " cuts nothing");
      if (e.size() == 3) edge.weight = get_number(e[2], index_path(at, 2));
      edges.push_back(edge);
    }
    return qaoa::maxcut(n, edges);
  }
  if (type == "qubo") {
    check_keys(node, path, {"type", "matrix"});
    if (!node.contains("matrix")) throw InputError(path, "missing key 'matrix'");
    const std::string mpath = key_path(path, "matrix");
    const auto& rows = expect_array(node["matrix"], mpath);
    if (rows.empty() || rows.size() > static_cast<std::size_t>(kMaxQubits))
      throw InputError(
          mpath, "needs 1 to " + std::to_string(kMaxQubits) + " rows, got " + std::to_string(rows.size()));
    std::vector<std::vector<double>> q;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& row = expect_array(rows[i], index_path(mpath, i));
      if (row.size() != rows.size())
        throw InputError(index_path(mpath, i),
                         "has " + std::to_string(row.size()) + " entries; the matrix must be " +
                             std::to_string(rows.size()) + " x " + std::to_string(rows.size()));
      q.emplace_back();
      for (std::size_t j = 0; j < row.size(); ++j)
        q.back().push_back(get_number(row[j], index_path(index_path(mpath, i), j)));
    }
    return qaoa::qubo(q);
  }
  if (type == "ising") {
    check_keys(node, path, {"type", "h", "J"});
    if (!node.contains("h")) throw InputError(path, "missing key 'h' (one field per spin)");
    const std::string hpath = key_path(path, "h");
    const auto& hl = expect_array(node["h"], hpath);
    if (hl.empty() || hl.size() > static_cast<std::size_t>(kMaxQubits))
      throw InputError(
          hpath, "needs 1 to " + std::to_string(kMaxQubits) + " fields, got " + std::to_string(hl.size()));
    std::vector<double> h;
    for (std::size_t i = 0; i < hl.size(); ++i) h.push_back(get_number(hl[i], index_path(hpath, i)));
    const int n = static_cast<int>(h.size());
    std::vector<qaoa::IsingTerm> j;
    if (node.contains("J")) {
      const std::string jpath = key_path(path, "J");
      const auto& jl = expect_array(node["J"], jpath);
      for (std::size_t k = 0; k < jl.size(); ++k) {
        const std::string at = index_path(jpath, k);
        const auto& t = jl[k];
        if (!t.is_array() || t.size() != 3) throw InputError(at, "expected [i, j, Jij], got " + describe(t));
        j.push_back({static_cast<int>(get_int(t[0], index_path(at, 0), 0, n - 1)),
                     static_cast<int>(get_int(t[1], index_path(at, 1), 0, n - 1)),
                     get_number(t[2], index_path(at, 2))});
      }
    }
    return qaoa::ising(h, j);
  }
  throw InputError(key_path(path, "type"), enum_error(type, {"maxcut", "qubo", "ising"}));
}

}  // namespace

std::string_view task_name(Task t) {
  switch (t) {
    case Task::Qaoa: return "qaoa";
    case Task::Simulate: return "simulate";
    default: return "vqe";
  }
}

Job parse_job(const json& data, const json* params_in) {
  expect_object(data, "data");
  check_keys(data, "data", {"circuit", "ansatz", "observable", "problem", "observables"});
  const json empty = json::object();
  const json& params = params_in ? *params_in : empty;
  expect_object(params, "params");

  Job job{};
  const bool has_problem = data.contains("problem"), has_observable = data.contains("observable");
  if (params.contains("task")) {
    const std::string t = get_string(params["task"], "params.task");
    if (t == "vqe")
      job.task = Task::Vqe;
    else if (t == "qaoa")
      job.task = Task::Qaoa;
    else if (t == "simulate")
      job.task = Task::Simulate;
    else
      throw InputError("params.task", enum_error(t, {"vqe", "qaoa", "simulate"}));
  } else {
    job.task = has_problem ? Task::Qaoa : has_observable ? Task::Vqe : Task::Simulate;
  }
  check_param_keys(params, job.task);
  const std::string task(task_name(job.task));
  if (job.task == Task::Qaoa && !has_problem)
    throw InputError("data", "missing key 'problem' (task 'qaoa' needs one)");
  if (job.task == Task::Vqe && !has_observable)
    throw InputError("data", "missing key 'observable' (task 'vqe' needs one)");
  if (job.task != Task::Vqe && has_observable)
    throw InputError(
        "data.observable",
        "is not used by task '" + task + "'" +
            (job.task == Task::Simulate ? " (simulate reads data.observables, an object name -> Pauli sum)"
                                        : ""));
  if (job.task == Task::Vqe && has_problem)
    throw InputError("data.problem",
                     "is used by tasks 'qaoa' and 'simulate'; task 'vqe' minimises data.observable");
  if (job.task == Task::Simulate && params.contains("layers") && !has_problem)
    throw InputError("params.layers", "sets the QAOA depth: only a data.problem has layers");
  if (job.task != Task::Simulate && data.contains("observables"))
    throw InputError("data.observables", "is not used by task '" + task + "' (only by 'simulate')");

  const bool has_circuit = data.contains("circuit"), has_ansatz = data.contains("ansatz");
  if (has_problem) {
    if (has_circuit || has_ansatz)
      throw InputError("data", std::string("give either 'problem' or '") +
                                   (has_circuit ? "circuit" : "ansatz") +
                                   "', not both: QAOA builds its own circuit");
    job.cost = read_problem(data["problem"], "data.problem");
    if (params.contains("layers"))
      job.layers = static_cast<int>(get_int(params["layers"], "params.layers", 1, 1000));
    job.problem.circuit = qaoa::circuit(*job.cost, job.layers);
    job.problem.observable = job.cost->hamiltonian;
  } else {
    if (has_circuit == has_ansatz)
      throw InputError("data", has_circuit ? "give either 'circuit' or 'ansatz', not both"
                                           : "missing 'circuit' (or 'ansatz')");
    job.problem.circuit = has_circuit ? read_circuit(data["circuit"], "data.circuit")
                                      : read_ansatz(data["ansatz"], "data.ansatz", job.uccsd);
  }
  const int n = job.problem.circuit.num_qubits;
  if (has_observable)
    job.problem.observable =
        read_observable(data["observable"], "data.observable", n, job.observable_terms_given);
  else if (!has_problem)
    job.problem.observable = observable::PauliSum(n, {});

  if (data.contains("observables")) {
    const auto& obs = expect_object(data["observables"], "data.observables");
    if (obs.empty()) throw InputError("data.observables", "is empty: give at least one name -> Pauli sum");
    for (const auto& [name, sum] : obs.items()) {
      std::size_t given = 0;
      job.observables.emplace_back(name, read_observable(sum, key_path("data.observables", name), n, given));
    }
  }

  if (job.task == Task::Simulate) {
    read_simulate_params(params, data, job);
  } else {
    job.simulate.top_k = 10;  // QAOA's best_solutions
    read_optimizer_params(params, job);
    if (params.contains("top_k"))
      job.simulate.top_k = static_cast<std::size_t>(get_int(params["top_k"], "params.top_k", 1, 1000));
  }
  if (params.contains("seed"))
    job.settings.optimizer.seed = static_cast<std::uint64_t>(
        get_int(params["seed"], "params.seed", 0, std::numeric_limits<std::int64_t>::max()));
  if (params.contains("precision")) {
    const std::string p = get_string(params["precision"], "params.precision");
    if (p == "double")
      job.settings.precision = circuit::Precision::Double;
    else if (p == "single")
      job.settings.precision = circuit::Precision::Single;
    else
      throw InputError("params.precision", enum_error(p, {"double", "single"}));
  }
  if (params.contains("log_level")) {
    job.log_level = get_string(params["log_level"], "params.log_level");
    const auto levels = names_of({"trace", "debug", "info", "warn", "error", "off"});
    if (std::find(levels.begin(), levels.end(), job.log_level) == levels.end())
      throw InputError("params.log_level", enum_error(job.log_level, levels));
  }
  return job;
}

Job load_job(const std::filesystem::path& dir) {
  const auto data_file = dir / "data.json";
  const auto params_file = dir / "params.json";
  std::error_code ec;
  if (!std::filesystem::exists(data_file, ec))
    throw InputError("data.json", "not found: expected the problem at " + data_file.string());
  const json data = read_json_file(data_file, "data.json");
  // An empty params.json means "no settings", as an absent one does.
  if (std::filesystem::exists(params_file, ec) && std::filesystem::file_size(params_file, ec) > 0) {
    const json params = read_json_file(params_file, "params.json", /*allow_empty=*/true);
    if (!params.is_discarded()) return parse_job(data, &params);
  }
  return parse_job(data, nullptr);
}

}  // namespace vqsim::io
