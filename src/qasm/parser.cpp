#include "qasm/parser.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <numbers>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "circuit/gate.hpp"
#include "qasm/lexer.hpp"
#include "qasm/library.hpp"

namespace vqsim::qasm {
namespace {

using circuit::AffineAngle;
using circuit::GateKind;

// The state vector's 64-bit indices bound the register; the JSON gate list has the same limits.
constexpr int kMaxQubits = 62;
constexpr std::size_t kMaxGates = 10'000'000;
constexpr int kMaxDepth = 64;
constexpr double kPi = std::numbers::pi;

std::string pos_string(Position p) {
  return std::to_string(p.line) + ":" + std::to_string(p.column);
}

[[noreturn]] void fail(Position p, const std::string& message) {
  throw ParseError(p.line, p.column, message);
}

std::string plural(std::size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string number_string(double v) {
  std::string s = std::to_string(v);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

// ---------------------------------------------------------------------------------------------
// Affine arithmetic on angles.

AffineAngle constant_angle(double v) {
  AffineAngle a;
  a.constant = v;
  return a;
}

AffineAngle scaled(AffineAngle a, double s) {
  a.constant *= s;
  for (auto& t : a.terms) t.second *= s;
  std::erase_if(a.terms, [](const auto& t) { return t.second == 0.0; });
  return a;
}

AffineAngle sum(AffineAngle a, const AffineAngle& b, double b_sign) {
  a.constant += b_sign * b.constant;
  for (const auto& [j, c] : b.terms) {
    auto it =
        std::find_if(a.terms.begin(), a.terms.end(), [index = j](const auto& t) { return t.first == index; });
    if (it == a.terms.end())
      a.terms.emplace_back(j, b_sign * c);
    else
      it->second += b_sign * c;
  }
  std::erase_if(a.terms, [](const auto& t) { return t.second == 0.0; });
  return a;
}

// ---------------------------------------------------------------------------------------------
// Expressions: parsed once, evaluated per call (a gate body sees its call's arguments).

struct Expr {
  enum class Op { Number, GateParam, Input, Neg, Add, Sub, Mul, Div, Pow, Call };
  Op op = Op::Number;
  double number = 0.0;
  int index = 0;     // GateParam: the gate's parameter; Input: the circuit parameter
  std::string name;  // Call: the function
  Position pos;
  std::unique_ptr<Expr> lhs, rhs;
};
using ExprPtr = std::unique_ptr<Expr>;

ExprPtr make_expr(Expr::Op op, Position pos, ExprPtr lhs = nullptr, ExprPtr rhs = nullptr) {
  auto e = std::make_unique<Expr>();
  e->op = op;
  e->pos = pos;
  e->lhs = std::move(lhs);
  e->rhs = std::move(rhs);
  return e;
}

bool is_function(std::string_view name) {
  static const std::unordered_set<std::string_view> kFunctions{
      "sin", "cos", "tan", "exp", "ln", "sqrt", "arcsin", "arccos", "arctan", "asin", "acos", "atan"};
  return kFunctions.contains(name);
}

std::optional<double> named_constant(std::string_view name) {
  if (name == "pi" || name == "π") return kPi;
  if (name == "tau" || name == "τ") return 2 * kPi;
  if (name == "euler" || name == "ℇ") return std::numbers::e;
  return std::nullopt;
}

// Where an expression is evaluated: inside a gate body, errors also name the top-level call.
struct EvalSite {
  std::string note;  // "" at top level, else " (in gate 'g' called at 3:1)"
};

AffineAngle eval(const Expr& e, const std::vector<AffineAngle>& args, const EvalSite& site) {
  const auto not_affine = [&](const std::string& what) {
    fail(e.pos, "angle is not affine in the input parameters: " + what + site.note);
  };
  switch (e.op) {
    case Expr::Op::Number: return constant_angle(e.number);
    case Expr::Op::GateParam: return args[static_cast<std::size_t>(e.index)];
    case Expr::Op::Input: {
      AffineAngle a;
      a.terms.emplace_back(e.index, 1.0);
      return a;
    }
    case Expr::Op::Neg: return scaled(eval(*e.lhs, args, site), -1.0);
    case Expr::Op::Add: return sum(eval(*e.lhs, args, site), eval(*e.rhs, args, site), 1.0);
    case Expr::Op::Sub: return sum(eval(*e.lhs, args, site), eval(*e.rhs, args, site), -1.0);
    case Expr::Op::Mul: {
      const AffineAngle a = eval(*e.lhs, args, site), b = eval(*e.rhs, args, site);
      if (!a.is_constant() && !b.is_constant()) not_affine("product of two parameter-dependent terms");
      return a.is_constant() ? scaled(b, a.constant) : scaled(a, b.constant);
    }
    case Expr::Op::Div: {
      const AffineAngle a = eval(*e.lhs, args, site), b = eval(*e.rhs, args, site);
      if (!b.is_constant()) not_affine("division by a parameter-dependent term");
      if (b.constant == 0.0) fail(e.pos, "division by zero" + site.note);
      return scaled(a, 1.0 / b.constant);
    }
    case Expr::Op::Pow: {
      const AffineAngle a = eval(*e.lhs, args, site), b = eval(*e.rhs, args, site);
      if (!a.is_constant() || !b.is_constant()) not_affine("power of a parameter-dependent term");
      const double v = std::pow(a.constant, b.constant);
      if (!std::isfinite(v)) fail(e.pos, "power is not a finite number" + site.note);
      return constant_angle(v);
    }
    case Expr::Op::Call: {
      const AffineAngle a = eval(*e.lhs, args, site);
      if (!a.is_constant()) not_affine("'" + e.name + "' of a parameter-dependent term");
      const double x = a.constant;
      double v = 0.0;
      if (e.name == "sin") v = std::sin(x);
      if (e.name == "cos") v = std::cos(x);
      if (e.name == "tan") v = std::tan(x);
      if (e.name == "exp") v = std::exp(x);
      if (e.name == "ln") v = std::log(x);
      if (e.name == "sqrt") v = std::sqrt(x);
      if (e.name == "arcsin" || e.name == "asin") v = std::asin(x);
      if (e.name == "arccos" || e.name == "acos") v = std::acos(x);
      if (e.name == "arctan" || e.name == "atan") v = std::atan(x);
      if (!std::isfinite(v))
        fail(e.pos, "'" + e.name + "(" + number_string(x) + ")' is not a finite number" + site.note);
      return constant_angle(v);
    }
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// Gates, definitions and the operations they expand to.

struct GateDef;

struct Modifier {
  enum class Type { Inv, Pow, Ctrl, NegCtrl };
  Type type = Type::Inv;
  int count = 1;     // Ctrl/NegCtrl: number of controls
  ExprPtr exponent;  // Pow
  Position pos;
};

// One call inside a gate body; qubits are indices into the enclosing gate's qubit arguments.
struct BodyCall {
  const GateDef* gate = nullptr;
  std::vector<Modifier> modifiers;
  std::vector<ExprPtr> params;
  std::vector<int> qubits;
  Position pos;
};

struct GateDef {
  enum class Type { Direct, Defined, Opaque, GlobalPhase };
  std::string name;
  Type type = Type::Defined;
  GateKind kind = GateKind::I;  // Direct only
  int num_params = 0;
  int num_qubits = 0;
  bool builtin = false;  // U, CX, gphase and the library: a user definition may shadow them
  std::vector<BodyCall> body;
  // A lower bound on the gates one call emits (exact without pow), capped just above the
  // limit, so a definition that doubles at every level fails before it is expanded.
  std::size_t min_gates = 1;
};

bool has_pow(const std::vector<Modifier>& mods) {
  return std::any_of(mods.begin(), mods.end(),
                     [](const Modifier& m) { return m.type == Modifier::Type::Pow; });
}

// A gate of the IR, or a global phase (no qubits) that only matters once controlled.
struct Op {
  GateKind kind = GateKind::I;
  bool global_phase = false;
  std::vector<int> qubits;
  std::vector<AffineAngle> angles;
};

Op make_op(GateKind kind, std::vector<int> qubits, std::vector<AffineAngle> angles = {}) {
  return Op{kind, false, std::move(qubits), std::move(angles)};
}

Op inverse(Op op) {
  if (op.global_phase) {
    op.angles[0] = scaled(op.angles[0], -1.0);
    return op;
  }
  switch (op.kind) {
    case GateKind::S: op.kind = GateKind::Sdg; break;
    case GateKind::Sdg: op.kind = GateKind::S; break;
    case GateKind::T: op.kind = GateKind::Tdg; break;
    case GateKind::Tdg: op.kind = GateKind::T; break;
    case GateKind::SX: op.kind = GateKind::SXdg; break;
    case GateKind::SXdg: op.kind = GateKind::SX; break;
    case GateKind::U2: {
      // U2(phi, lambda) = U3(pi/2, phi, lambda); U3(t, p, l)^-1 = U3(-t, -l, -p).
      op.kind = GateKind::U3;
      op.angles = {constant_angle(-kPi / 2), scaled(op.angles[1], -1.0), scaled(op.angles[0], -1.0)};
      break;
    }
    case GateKind::U3:
    case GateKind::CU3: {
      op.angles = {scaled(op.angles[0], -1.0), scaled(op.angles[2], -1.0), scaled(op.angles[1], -1.0)};
      break;
    }
    default:
      // Rotations and phases negate their angle; every other kind is its own inverse.
      for (auto& a : op.angles) a = scaled(a, -1.0);
      break;
  }
  return op;
}

std::vector<Op> inverse(const std::vector<Op>& ops) {
  std::vector<Op> out;
  out.reserve(ops.size());
  for (auto it = ops.rbegin(); it != ops.rend(); ++it) out.push_back(inverse(*it));
  return out;
}

bool is_rotation(GateKind k) {
  switch (k) {
    case GateKind::RX:
    case GateKind::RY:
    case GateKind::RZ:
    case GateKind::P:
    case GateKind::CRX:
    case GateKind::CRY:
    case GateKind::CRZ:
    case GateKind::CP:
    case GateKind::RXX:
    case GateKind::RYY:
    case GateKind::RZZ: return true;
    default: return false;
  }
}

// op^k for a non-integer k, or nullopt when the IR has no such gate.
std::optional<Op> fractional_power(const Op& op, double k) {
  if (op.global_phase || is_rotation(op.kind)) {
    Op out = op;
    out.angles[0] = scaled(op.angles[0], k);
    return out;
  }
  const auto phase = [&](double angle) {
    return make_op(op.qubits.size() == 1 ? GateKind::P : GateKind::CP, op.qubits,
                   {constant_angle(k * angle)});
  };
  switch (op.kind) {
    case GateKind::I: return op;
    case GateKind::Z:
    case GateKind::CZ: return phase(kPi);
    case GateKind::S: return phase(kPi / 2);
    case GateKind::Sdg: return phase(-kPi / 2);
    case GateKind::T: return phase(kPi / 4);
    case GateKind::Tdg: return phase(-kPi / 4);
    case GateKind::X:
      if (k == 0.5) return make_op(GateKind::SX, op.qubits);
      if (k == -0.5) return make_op(GateKind::SXdg, op.qubits);
      return std::nullopt;
    default: return std::nullopt;
  }
}

// Appends op controlled on qubit c, or returns false when the IR has no such gate.
bool append_controlled(const Op& op, int c, std::vector<Op>& out) {
  if (op.global_phase) {
    out.push_back(make_op(GateKind::P, {c}, op.angles));
    return true;
  }
  const auto& q = op.qubits;
  const auto with = [&](GateKind kind, std::vector<AffineAngle> angles) {
    std::vector<int> qubits{c};
    qubits.insert(qubits.end(), q.begin(), q.end());
    out.push_back(make_op(kind, std::move(qubits), std::move(angles)));
  };
  const auto phase = [&](double angle) { with(GateKind::CP, {constant_angle(angle)}); };
  switch (op.kind) {
    case GateKind::I: return true;
    case GateKind::X: with(GateKind::CX, {}); return true;
    case GateKind::Y: with(GateKind::CY, {}); return true;
    case GateKind::Z: with(GateKind::CZ, {}); return true;
    case GateKind::H: with(GateKind::CH, {}); return true;
    case GateKind::S: phase(kPi / 2); return true;
    case GateKind::Sdg: phase(-kPi / 2); return true;
    case GateKind::T: phase(kPi / 4); return true;
    case GateKind::Tdg: phase(-kPi / 4); return true;
    case GateKind::SX:
    case GateKind::SXdg:
      // SX = H S H, so a controlled SX is H CS H on the target.
      out.push_back(make_op(GateKind::H, q));
      phase(op.kind == GateKind::SX ? kPi / 2 : -kPi / 2);
      out.push_back(make_op(GateKind::H, q));
      return true;
    case GateKind::RX: with(GateKind::CRX, op.angles); return true;
    case GateKind::RY: with(GateKind::CRY, op.angles); return true;
    case GateKind::RZ: with(GateKind::CRZ, op.angles); return true;
    case GateKind::P: with(GateKind::CP, op.angles); return true;
    case GateKind::U2:
      with(GateKind::CU3, {constant_angle(kPi / 2), op.angles[0], op.angles[1]});
      return true;
    case GateKind::U3: with(GateKind::CU3, op.angles); return true;
    case GateKind::CX: with(GateKind::CCX, {}); return true;
    case GateKind::CZ:
    case GateKind::CY: {
      // CCZ = H CCX H and CCY = Sdg CCX S on the target.
      const bool z = op.kind == GateKind::CZ;
      out.push_back(make_op(z ? GateKind::H : GateKind::Sdg, {q[1]}));
      with(GateKind::CCX, {});
      out.push_back(make_op(z ? GateKind::H : GateKind::S, {q[1]}));
      return true;
    }
    case GateKind::Swap: with(GateKind::CSwap, {}); return true;
    default: return false;
  }
}

// ---------------------------------------------------------------------------------------------
// The parser: one pass over the tokens, expanding each gate call as it is read.

struct Register {
  int offset = 0;
  int size = 0;
  bool single = false;  // `qubit q;` / `bit c;`: referenced without an index
};

// A gate operand resolved to qubits: one qubit, or a whole register to broadcast over.
struct Operand {
  std::vector<int> qubits;
  bool is_register = false;
  Position pos;
};

const std::unordered_set<std::string_view>& keywords() {
  static const std::unordered_set<std::string_view> k{
      "OPENQASM", "include", "qreg",          "creg",     "qubit",    "bit",        "input", "output",
      "gate",     "opaque",  "barrier",       "measure",  "reset",    "if",         "else",  "for",
      "while",    "def",     "defcal",        "cal",      "let",      "const",      "int",   "uint",
      "float",    "angle",   "bool",          "complex",  "duration", "stretch",    "box",   "delay",
      "extern",   "return",  "break",         "continue", "end",      "switch",     "case",  "default",
      "array",    "ctrl",    "negctrl",       "inv",      "pow",      "durationof", "void",  "readonly",
      "mutable",  "pragma",  "defcalgrammar", "in"};
  return k;
}

class Parser {
 public:
  explicit Parser(std::string_view source) : toks_(tokenize(source)) {
    add_builtin("U", GateDef::Type::Direct, GateKind::U3, 3, 1);
    add_builtin("CX", GateDef::Type::Direct, GateKind::CX, 0, 2);
    add_builtin("gphase", GateDef::Type::GlobalPhase, GateKind::I, 1, 0);
  }

  Program run() {
    bool first = true;
    while (peek().kind != TokenKind::End) {
      statement(first);
      first = false;
    }
    if (num_qubits_ == 0) fail(peek().pos, "the program declares no qubits");
    program_.circuit.num_qubits = num_qubits_;
    return std::move(program_);
  }

 private:
  // --- tokens ------------------------------------------------------------------------------
  const Token& peek(std::size_t k = 0) const { return toks_[std::min(pos_ + k, toks_.size() - 1)]; }
  const Token& next() {
    const Token& t = toks_[pos_];
    if (pos_ + 1 < toks_.size()) ++pos_;
    return t;
  }
  const Token& previous() const { return toks_[pos_ == 0 ? 0 : pos_ - 1]; }
  static bool is(const Token& t, std::string_view symbol) {
    return t.kind == TokenKind::Symbol && t.text == symbol;
  }
  static bool is_word(const Token& t, std::string_view word) {
    return t.kind == TokenKind::Identifier && t.text == word;
  }
  bool accept(std::string_view symbol) {
    if (!is(peek(), symbol)) return false;
    next();
    return true;
  }
  static std::string describe(const Token& t) {
    switch (t.kind) {
      case TokenKind::End: return "end of input";
      case TokenKind::String: return "\"" + t.text + "\"";
      default: return "'" + t.text + "'";
    }
  }
  [[noreturn]] void unexpected(const std::string& expected) const {
    const Token& t = peek();
    if (t.kind == TokenKind::End) fail(t.pos, "unexpected end of input, expected " + expected);
    fail(t.pos, "expected " + expected + ", got " + describe(t));
  }
  const Token& expect(std::string_view symbol) {
    if (!is(peek(), symbol)) unexpected("'" + std::string(symbol) + "'");
    return next();
  }
  void expect_semicolon() {
    if (is(peek(), ";")) {
      next();
      return;
    }
    if (peek().kind == TokenKind::End) fail(peek().pos, "unexpected end of input, expected ';'");
    fail(previous().end, "missing ';' before " + describe(peek()));
  }
  const Token& expect_identifier(const std::string& what) {
    if (peek().kind != TokenKind::Identifier) unexpected(what);
    return next();
  }
  int expect_size(const std::string& what) {
    if (peek().kind != TokenKind::Integer) unexpected(what);
    const Token& t = next();
    const long long v = std::strtoll(t.text.c_str(), nullptr, 10);
    if (t.text.size() > 9 || v > 1'000'000'000) fail(t.pos, "number " + t.text + " is too large");
    return static_cast<int>(v);
  }

  // --- statements ---------------------------------------------------------------------------
  void statement(bool first) {
    const Token& t = peek();
    if (t.kind != TokenKind::Identifier) unexpected("a statement");
    const std::string& w = t.text;
    if (w == "OPENQASM") return version(first);
    if (w == "include") return include();
    if (w == "qreg" || w == "creg") return old_register(w == "qreg");
    if (w == "qubit" || w == "bit") return new_register(w == "qubit");
    if (w == "input") return input();
    if (w == "gate") return gate_definition();
    if (w == "opaque") return opaque();
    if (w == "barrier") return barrier();
    if (w == "measure") return measure_arrow();
    if (w == "reset") return reset();
    if (w == "if") fail(t.pos, "classical control ('if') is not supported");
    if (w == "ctrl" || w == "negctrl" || w == "inv" || w == "pow") return gate_call();
    if (keywords().contains(w)) fail(t.pos, "unsupported statement '" + w + "'");
    if (is(peek(1), "=") || (is(peek(1), "[") && assignment_ahead())) return measure_assign();
    gate_call();
  }

  bool assignment_ahead() const {
    for (std::size_t k = 1; peek(k).kind != TokenKind::End; ++k) {
      if (is(peek(k), "]")) return is(peek(k + 1), "=");
      if (is(peek(k), ";")) return false;
    }
    return false;
  }

  void version(bool first) {
    const Token& kw = next();
    if (!first) fail(kw.pos, "the OPENQASM version must be the first statement");
    const Token& v = peek();
    if (v.kind != TokenKind::Integer && v.kind != TokenKind::Real) unexpected("a version number");
    next();
    const int major = std::atoi(v.text.c_str());
    if (major != 2 && major != 3)
      fail(v.pos, "unsupported OpenQASM version " + v.text + " (2.0 and 3 are supported)");
    expect_semicolon();
  }

  void include() {
    next();
    if (peek().kind != TokenKind::String) unexpected("a file name in quotes");
    const Token& file = next();
    if (file.text != "qelib1.inc" && file.text != "stdgates.inc")
      fail(file.pos,
           "cannot include \"" + file.text + "\": only \"qelib1.inc\" and \"stdgates.inc\" are available");
    expect_semicolon();
    if (!library_loaded_) load_library();
  }

  void load_library() {
    library_loaded_ = true;
    for (const auto& name : circuit::gate_names()) {
      if (name == "pauli_rotation") continue;
      const auto kind = *circuit::gate_from_name(name);
      const auto& info = circuit::gate_info(kind);
      add_builtin(name, GateDef::Type::Direct, kind, info.num_angles, info.num_qubits);
    }
    // The library's own definitions are parsed from text, with the user's tokens set aside.
    auto saved = std::exchange(toks_, tokenize(library_definitions()));
    const std::size_t saved_pos = std::exchange(pos_, 0);
    parsing_library_ = true;
    while (peek().kind != TokenKind::End) gate_definition();
    parsing_library_ = false;
    toks_ = std::move(saved);
    pos_ = saved_pos;
  }

  void add_builtin(const std::string& name, GateDef::Type type, GateKind kind, int params, int qubits) {
    auto def = std::make_unique<GateDef>();
    def->name = name;
    def->type = type;
    def->kind = kind;
    def->num_params = params;
    def->num_qubits = qubits;
    def->builtin = true;
    def->min_gates = type == GateDef::Type::Direct ? 1 : 0;
    gates_[name] = def.get();
    defs_.push_back(std::move(def));
  }

  void check_new_name(const Token& name) {
    if (qregs_.contains(name.text) || cregs_.contains(name.text) || inputs_.contains(name.text))
      fail(name.pos, "'" + name.text + "' is already declared");
    if (named_constant(name.text) || keywords().contains(name.text))
      fail(name.pos, "'" + name.text + "' is a reserved name");
  }

  void declare_register(const Token& name, int size, bool quantum, bool single, Position size_pos) {
    check_new_name(name);
    if (size <= 0) fail(size_pos, "register size must be positive, got " + std::to_string(size));
    Register r;
    r.size = size;
    r.single = single;
    if (quantum) {
      if (num_qubits_ + static_cast<long long>(size) > kMaxQubits)
        fail(size_pos, "too many qubits: " + std::to_string(num_qubits_ + static_cast<long long>(size)) +
                           " (the limit is " + std::to_string(kMaxQubits) + ")");
      r.offset = num_qubits_;
      num_qubits_ += size;
      for (int i = 0; i < size; ++i) {
        labels_.push_back(single ? name.text : name.text + "[" + std::to_string(i) + "]");
        touched_.push_back(false);
        measured_at_.emplace_back();
      }
      qregs_[name.text] = r;
    } else {
      cregs_[name.text] = r;
    }
  }

  // qreg q[n]; creg c[n];
  void old_register(bool quantum) {
    next();
    const Token& name = expect_identifier("a register name");
    expect("[");
    const Position size_pos = peek().pos;
    const int size = expect_size("a register size");
    expect("]");
    expect_semicolon();
    declare_register(name, size, quantum, false, size_pos);
  }

  // qubit[n] q; qubit q; bit[n] c; bit c;
  void new_register(bool quantum) {
    const Token& kw = next();
    int size = 1;
    bool single = true;
    Position size_pos = kw.pos;
    if (accept("[")) {
      size_pos = peek().pos;
      size = expect_size("a register size");
      single = false;
      expect("]");
    }
    const Token& name = expect_identifier("a register name");
    if (!quantum && is(peek(), "=")) fail(peek().pos, "classical initialisers are not supported");
    expect_semicolon();
    declare_register(name, size, quantum, single, size_pos);
  }

  // input float[64] theta; input angle theta; input float theta;
  void input() {
    next();
    const Token& type = expect_identifier("a type");
    if (type.text != "float" && type.text != "angle")
      fail(type.pos,
           "unsupported input type '" + type.text + "' (only float and angle inputs are parameters)");
    if (accept("[")) {
      expect_size("a bit width");
      expect("]");
    }
    const Token& name = expect_identifier("a parameter name");
    check_new_name(name);
    expect_semicolon();
    inputs_[name.text] = static_cast<int>(program_.circuit.parameter_names.size());
    program_.circuit.parameter_names.push_back(name.text);
  }

  // --- expressions -----------------------------------------------------------------------------
  // Scope: a gate's parameter names (inside a body) or the program's inputs (at top level).
  struct Scope {
    const std::vector<std::string>* gate_params = nullptr;
  };

  ExprPtr expression(const Scope& s) {
    ExprPtr lhs = term(s);
    while (is(peek(), "+") || is(peek(), "-")) {
      const Token& op = next();
      lhs = make_expr(op.text == "+" ? Expr::Op::Add : Expr::Op::Sub, op.pos, std::move(lhs), term(s));
    }
    return lhs;
  }
  ExprPtr term(const Scope& s) {
    ExprPtr lhs = unary(s);
    while (is(peek(), "*") || is(peek(), "/")) {
      const Token& op = next();
      lhs = make_expr(op.text == "*" ? Expr::Op::Mul : Expr::Op::Div, op.pos, std::move(lhs), unary(s));
    }
    return lhs;
  }
  ExprPtr unary(const Scope& s) {
    if (is(peek(), "-")) {
      const Token& op = next();
      return make_expr(Expr::Op::Neg, op.pos, unary(s));
    }
    if (accept("+")) return unary(s);
    return power(s);
  }
  ExprPtr power(const Scope& s) {
    ExprPtr base = primary(s);
    if (is(peek(), "^") || is(peek(), "**")) {
      const Token& op = next();
      return make_expr(Expr::Op::Pow, op.pos, std::move(base), unary(s));
    }
    return base;
  }
  ExprPtr primary(const Scope& s) {
    const Token& t = peek();
    if (t.kind == TokenKind::Integer || t.kind == TokenKind::Real) {
      next();
      auto e = make_expr(Expr::Op::Number, t.pos);
      e->number = std::strtod(t.text.c_str(), nullptr);
      if (!std::isfinite(e->number)) fail(t.pos, "number " + t.text + " is out of range");
      return e;
    }
    if (accept("(")) {
      ExprPtr e = expression(s);
      expect(")");
      return e;
    }
    if (t.kind != TokenKind::Identifier) unexpected("an expression");
    next();
    if (is_function(t.text)) {
      expect("(");
      auto e = make_expr(Expr::Op::Call, t.pos, expression(s));
      e->name = t.text;
      expect(")");
      return e;
    }
    if (const auto c = named_constant(t.text)) {
      auto e = make_expr(Expr::Op::Number, t.pos);
      e->number = *c;
      return e;
    }
    if (s.gate_params != nullptr) {
      const auto& names = *s.gate_params;
      const auto it = std::find(names.begin(), names.end(), t.text);
      if (it != names.end()) {
        auto e = make_expr(Expr::Op::GateParam, t.pos);
        e->index = static_cast<int>(it - names.begin());
        return e;
      }
      if (inputs_.contains(t.text))
        fail(t.pos, "input '" + t.text + "' cannot be used inside a gate definition; pass it as a parameter");
    } else if (const auto it = inputs_.find(t.text); it != inputs_.end()) {
      auto e = make_expr(Expr::Op::Input, t.pos);
      e->index = it->second;
      return e;
    }
    fail(t.pos, "unknown identifier '" + t.text + "'");
  }

  // A constant integer, e.g. ctrl(2) or a pow exponent evaluated at parse time.
  int constant_int(const Expr& e, const std::string& what) {
    const AffineAngle v = eval(e, {}, {});
    const double r = std::round(v.constant);
    if (!v.is_constant() || std::abs(v.constant - r) > 1e-12 || r < 1 || r > kMaxQubits)
      fail(e.pos, what + " must be a positive integer constant");
    return static_cast<int>(r);
  }

  // --- gate calls ------------------------------------------------------------------------------
  struct CallHead {
    std::vector<Modifier> modifiers;
    const GateDef* gate = nullptr;
    Token name;
    std::vector<ExprPtr> params;
    int num_controls = 0;
  };

  // [modifiers @]* name [(params)], checked against the gate's parameter count.
  CallHead call_head(const Scope& s) {
    CallHead h;
    while (true) {
      const Token& t = peek();
      if (!is_word(t, "inv") && !is_word(t, "pow") && !is_word(t, "ctrl") && !is_word(t, "negctrl")) break;
      next();
      Modifier m;
      m.pos = t.pos;
      if (t.text == "inv") {
        m.type = Modifier::Type::Inv;
      } else if (t.text == "pow") {
        m.type = Modifier::Type::Pow;
        expect("(");
        m.exponent = expression(s);
        expect(")");
      } else {
        m.type = t.text == "ctrl" ? Modifier::Type::Ctrl : Modifier::Type::NegCtrl;
        if (accept("(")) {
          const ExprPtr n = expression(s);
          m.count = constant_int(*n, "the number of controls");
          expect(")");
        }
        h.num_controls += m.count;
      }
      expect("@");
      h.modifiers.push_back(std::move(m));
    }
    h.name = expect_identifier(h.modifiers.empty() ? "a statement" : "a gate name");
    const auto it = gates_.find(h.name.text);
    if (it == gates_.end()) {
      std::string hint;
      if (!library_loaded_ && is_library_gate(h.name.text))
        hint = " (missing include \"qelib1.inc\" or \"stdgates.inc\"?)";
      fail(h.name.pos, "unknown gate '" + h.name.text + "'" + hint);
    }
    h.gate = it->second;
    if (accept("(")) {
      if (!is(peek(), ")")) {
        h.params.push_back(expression(s));
        while (accept(",")) h.params.push_back(expression(s));
      }
      expect(")");
    }
    if (static_cast<int>(h.params.size()) != h.gate->num_params)
      fail(h.name.pos, "gate '" + h.name.text + "' takes " +
                           plural(static_cast<std::size_t>(h.gate->num_params), "parameter") + ", got " +
                           std::to_string(h.params.size()));
    return h;
  }

  void check_arity(const CallHead& h, std::size_t got) const {
    const auto want = static_cast<std::size_t>(h.gate->num_qubits + h.num_controls);
    if (got != want)
      fail(h.name.pos,
           "gate '" + h.name.text + "'" +
               (h.num_controls > 0 ? " with " + plural(static_cast<std::size_t>(h.num_controls), "control")
                                   : std::string()) +
               " acts on " + plural(want, "qubit") + ", got " + std::to_string(got));
  }

  void gate_call() {
    const Position start = peek().pos;
    CallHead h = call_head(Scope{});
    std::vector<Operand> operands;
    if (!is(peek(), ";")) {
      operands.push_back(operand());
      while (accept(",")) operands.push_back(operand());
    }
    expect_semicolon();
    check_arity(h, operands.size());

    std::vector<AffineAngle> args;
    for (const auto& p : h.params) args.push_back(eval(*p, {}, {}));

    const std::size_t n = broadcast_size(operands);
    if (!has_pow(h.modifiers) && h.gate->min_gates > 0 &&
        (h.gate->min_gates > kMaxGates || program_.circuit.gates.size() + n * h.gate->min_gates > kMaxGates))
      fail(start, "the circuit expands to more than " + std::to_string(kMaxGates) + " gates");
    const EvalSite site{" (in gate '" + h.name.text + "' called at " + pos_string(start) + ")"};
    std::vector<Op> ops;
    for (std::size_t i = 0; i < n; ++i) {
      std::vector<int> qubits;
      for (std::size_t k = 0; k < operands.size(); ++k) {
        const auto& o = operands[k];
        const int q = o.is_register ? o.qubits[i] : o.qubits[0];
        if (std::find(qubits.begin(), qubits.end(), q) != qubits.end())
          fail(o.pos, "qubit " + labels_[static_cast<std::size_t>(q)] + " is used twice in one gate call");
        qubits.push_back(q);
      }
      for (int q : qubits) {
        const auto uq = static_cast<std::size_t>(q);
        if (measured_at_[uq])
          fail(start, "mid-circuit measurement is not supported: qubit " + labels_[uq] + " is measured at " +
                          pos_string(*measured_at_[uq]) + " before this gate");
        touched_[uq] = true;
      }
      ops.clear();
      expand_call(*h.gate, h.modifiers, {}, args, qubits, EvalSite{}, site, start, 0, ops);
      for (auto& op : ops) {
        if (op.global_phase) continue;
        if (program_.circuit.gates.size() >= kMaxGates)
          fail(start, "the circuit expands to more than " + std::to_string(kMaxGates) + " gates");
        program_.circuit.gates.push_back(
            circuit::Gate{op.kind, std::move(op.qubits), std::move(op.angles), {}});
      }
    }
  }

  // After `name[`: the index and the closing `]`, checked against the register's size.
  int register_index(const Register& r, const std::string& name) {
    const Position ipos = peek().pos;
    if (peek().kind != TokenKind::Integer) unexpected("an integer index");
    const Token& idx = next();
    const long long i = idx.text.size() > 9 ? -1 : std::strtoll(idx.text.c_str(), nullptr, 10);
    if (i < 0 || i >= r.size)
      fail(ipos, "index " + idx.text + " out of range for register '" + name + "' of size " +
                     std::to_string(r.size));
    expect("]");
    return static_cast<int>(i);
  }

  // q or q[i]: one qubit, or a whole register.
  Operand operand() {
    const Token& name = expect_identifier("a qubit or register");
    Operand o;
    o.pos = name.pos;
    const auto it = qregs_.find(name.text);
    if (it == qregs_.end()) {
      if (cregs_.contains(name.text))
        fail(name.pos, "'" + name.text + "' is a classical register, not qubits");
      fail(name.pos, "undeclared register '" + name.text + "'");
    }
    const Register& r = it->second;
    if (accept("[")) {
      o.qubits.push_back(r.offset + register_index(r, name.text));
    } else {
      for (int i = 0; i < r.size; ++i) o.qubits.push_back(r.offset + i);
      o.is_register = !r.single;
    }
    return o;
  }

  // c or c[i] on the classical side: checked, then ignored. Returns how many bits it names.
  std::pair<int, bool> classical_operand() {
    const Token& name = expect_identifier("a classical register");
    const auto it = cregs_.find(name.text);
    if (it == cregs_.end()) {
      if (qregs_.contains(name.text))
        fail(name.pos, "'" + name.text + "' is a qubit register, not classical bits");
      fail(name.pos, "undeclared register '" + name.text + "'");
    }
    const Register& r = it->second;
    if (accept("[")) {
      register_index(r, name.text);
      return {1, false};
    }
    return {r.size, !r.single};
  }

  // The number of calls a broadcast makes: every register operand must have the same size.
  std::size_t broadcast_size(const std::vector<Operand>& operands) const {
    std::size_t n = 1;
    const Operand* first = nullptr;
    for (const auto& o : operands) {
      if (!o.is_register) continue;
      if (first == nullptr) {
        first = &o;
        n = o.qubits.size();
      } else if (o.qubits.size() != n) {
        fail(o.pos, "registers of different sizes (" + std::to_string(n) + " and " +
                        std::to_string(o.qubits.size()) + ") in one gate call");
      }
    }
    return n;
  }

  // --- expansion -----------------------------------------------------------------------------
  // Expands g(args) on qubits with its modifiers; outer_args are the arguments of the enclosing
  // gate (empty at top level), which a pow exponent may use. mod_site locates modifier errors,
  // body_site errors inside g's definition.
  void expand_call(const GateDef& g, const std::vector<Modifier>& mods,
                   const std::vector<AffineAngle>& outer_args, const std::vector<AffineAngle>& args,
                   const std::vector<int>& qubits, const EvalSite& mod_site, const EvalSite& body_site,
                   Position call_pos, int depth, std::vector<Op>& out) {
    if (mods.empty()) return expand_base(g, args, qubits, body_site, call_pos, depth, out);
    int num_controls = 0;
    for (const auto& m : mods)
      if (m.type == Modifier::Type::Ctrl || m.type == Modifier::Type::NegCtrl) num_controls += m.count;
    const std::vector<int> base(qubits.begin() + num_controls, qubits.end());
    std::vector<Op> ops;
    expand_base(g, args, base, body_site, call_pos, depth, ops);
    // Modifiers apply right to left; the leftmost one's controls come first in the qubit list.
    int control_end = num_controls;
    for (auto m = mods.rbegin(); m != mods.rend(); ++m) {
      switch (m->type) {
        case Modifier::Type::Inv: ops = inverse(ops); break;
        case Modifier::Type::Pow: ops = power_of(ops, *m, outer_args, mod_site, g.name); break;
        case Modifier::Type::Ctrl:
        case Modifier::Type::NegCtrl: {
          const int control_begin = control_end - m->count;
          for (int c = control_end - 1; c >= control_begin; --c) {
            const int cq = qubits[static_cast<std::size_t>(c)];
            std::vector<Op> controlled;
            if (m->type == Modifier::Type::NegCtrl) controlled.push_back(make_op(GateKind::X, {cq}));
            for (const auto& op : ops)
              if (!append_controlled(op, cq, controlled))
                fail(m->pos, "ctrl @ is not supported on '" + std::string(circuit::gate_info(op.kind).name) +
                                 "' (from gate '" + g.name + "'): the simulator has no such controlled gate" +
                                 mod_site.note);
            if (m->type == Modifier::Type::NegCtrl) controlled.push_back(make_op(GateKind::X, {cq}));
            ops = std::move(controlled);
          }
          control_end = control_begin;
          break;
        }
      }
      check_size(out.size() + ops.size(), call_pos);
    }
    out.insert(out.end(), std::make_move_iterator(ops.begin()), std::make_move_iterator(ops.end()));
  }

  std::vector<Op> power_of(const std::vector<Op>& ops, const Modifier& m,
                           const std::vector<AffineAngle>& args, const EvalSite& site,
                           const std::string& gate_name) {
    const AffineAngle k = eval(*m.exponent, args, site);
    if (!k.is_constant()) fail(m.pos, "the pow exponent must be a constant" + site.note);
    const double r = std::round(k.constant);
    if (std::abs(k.constant - r) <= 1e-12) {
      const std::vector<Op> unit = r < 0 ? inverse(ops) : ops;
      const double times = std::abs(r);
      if (times * static_cast<double>(unit.size()) > static_cast<double>(kMaxGates))
        fail(m.pos,
             "pow(" + number_string(r) + ") expands to more than " + std::to_string(kMaxGates) + " gates");
      std::vector<Op> out;
      for (int i = 0; i < static_cast<int>(times); ++i) out.insert(out.end(), unit.begin(), unit.end());
      return out;
    }
    std::optional<Op> single;
    if (ops.size() == 1) single = fractional_power(ops[0], k.constant);
    if (!single)
      fail(m.pos, "pow(" + number_string(k.constant) + ") @ '" + gate_name +
                      "' is not supported: a non-integer power needs a single rotation or phase gate" +
                      site.note);
    return {*single};
  }

  void check_size(std::size_t n, Position call_pos) const {
    if (program_.circuit.gates.size() + n > kMaxGates)
      fail(call_pos, "the circuit expands to more than " + std::to_string(kMaxGates) + " gates");
  }

  void expand_base(const GateDef& g, const std::vector<AffineAngle>& args, const std::vector<int>& qubits,
                   const EvalSite& site, Position call_pos, int depth, std::vector<Op>& out) {
    switch (g.type) {
      case GateDef::Type::Direct: out.push_back(make_op(g.kind, qubits, args)); return;
      case GateDef::Type::GlobalPhase: out.push_back(Op{GateKind::I, true, {}, args}); return;
      case GateDef::Type::Opaque:
        fail(call_pos, "opaque gate '" + g.name + "' has no definition to simulate");
      case GateDef::Type::Defined: break;
    }
    if (depth >= kMaxDepth)
      fail(call_pos, "gate definitions nested more than " + std::to_string(kMaxDepth) + " deep" + site.note);
    for (const auto& b : g.body) {
      std::vector<AffineAngle> values;
      values.reserve(b.params.size());
      for (const auto& p : b.params) values.push_back(eval(*p, args, site));
      std::vector<int> mapped;
      mapped.reserve(b.qubits.size());
      for (int i : b.qubits) mapped.push_back(qubits[static_cast<std::size_t>(i)]);
      expand_call(*b.gate, b.modifiers, args, values, mapped, site, site, call_pos, depth + 1, out);
      check_size(out.size(), call_pos);
    }
  }

  // --- definitions -----------------------------------------------------------------------------
  std::vector<std::string> name_list(const std::string& what, std::string_view terminator) {
    std::vector<std::string> names;
    if (is(peek(), terminator)) return names;
    while (true) {
      const Token& t = expect_identifier(what);
      if (std::find(names.begin(), names.end(), t.text) != names.end())
        fail(t.pos, "duplicate " + what + " '" + t.text + "'");
      names.push_back(t.text);
      if (!accept(",")) break;
    }
    return names;
  }

  std::unique_ptr<GateDef> gate_header(const Token& name, std::vector<std::string>& params,
                                       std::vector<std::string>& qubits) {
    const auto existing = gates_.find(name.text);
    if (existing != gates_.end() && !existing->second->builtin)
      fail(name.pos, "gate '" + name.text + "' is already defined");
    if (keywords().contains(name.text) || named_constant(name.text))
      fail(name.pos, "'" + name.text + "' is a reserved name");
    if (accept("(")) {
      params = name_list("parameter", ")");
      expect(")");
    }
    if (peek().kind != TokenKind::Identifier) unexpected("a qubit argument");
    qubits = name_list("qubit argument", "{");
    auto def = std::make_unique<GateDef>();
    def->name = name.text;
    def->num_params = static_cast<int>(params.size());
    def->num_qubits = static_cast<int>(qubits.size());
    def->builtin = parsing_library_;
    def->min_gates = 0;
    return def;
  }

  void gate_definition() {
    next();
    const Token& name = expect_identifier("a gate name");
    std::vector<std::string> params, qubits;
    auto def = gate_header(name, params, qubits);
    expect("{");
    const Scope scope{&params};
    while (!is(peek(), "}")) {
      if (peek().kind == TokenKind::End) unexpected("'}'");
      if (is_word(peek(), "barrier")) {
        next();
        while (!is(peek(), ";") && peek().kind != TokenKind::End) next();
        expect_semicolon();
        continue;
      }
      if (peek().kind == TokenKind::Identifier && keywords().contains(peek().text) &&
          !is_word(peek(), "inv") && !is_word(peek(), "pow") && !is_word(peek(), "ctrl") &&
          !is_word(peek(), "negctrl"))
        fail(peek().pos, "'" + peek().text + "' is not allowed in a gate body (only gate calls and barrier)");
      BodyCall call;
      call.pos = peek().pos;
      CallHead h = call_head(scope);
      std::vector<Position> arg_pos;
      if (!is(peek(), ";")) {
        do {
          const Token& q = expect_identifier("a qubit argument");
          if (is(peek(), "[")) fail(peek().pos, "qubit arguments inside a gate body cannot be indexed");
          const auto it = std::find(qubits.begin(), qubits.end(), q.text);
          if (it == qubits.end()) fail(q.pos, "unknown qubit '" + q.text + "' in gate '" + name.text + "'");
          const int index = static_cast<int>(it - qubits.begin());
          if (std::find(call.qubits.begin(), call.qubits.end(), index) != call.qubits.end())
            fail(q.pos, "qubit " + q.text + " is used twice in one gate call");
          call.qubits.push_back(index);
        } while (accept(","));
      }
      expect_semicolon();
      check_arity(h, call.qubits.size());
      call.gate = h.gate;
      call.modifiers = std::move(h.modifiers);
      call.params = std::move(h.params);
      if (!has_pow(call.modifiers))
        def->min_gates = std::min(def->min_gates + call.gate->min_gates, kMaxGates + 1);
      def->body.push_back(std::move(call));
    }
    next();
    gates_[def->name] = def.get();
    defs_.push_back(std::move(def));
  }

  void opaque() {
    next();
    const Token& name = expect_identifier("a gate name");
    std::vector<std::string> params, qubits;
    auto def = gate_header(name, params, qubits);
    def->type = GateDef::Type::Opaque;
    expect_semicolon();
    gates_[def->name] = def.get();
    defs_.push_back(std::move(def));
  }

  // --- barrier, measure, reset -----------------------------------------------------------------
  void barrier() {
    next();
    if (!is(peek(), ";")) {
      operand();
      while (accept(",")) operand();
    }
    expect_semicolon();
  }

  void record_measurement(const Operand& q, std::pair<int, bool> bits, Position at, Position bits_pos) {
    if (bits.first != static_cast<int>(q.qubits.size()))
      fail(bits_pos, "measure of " + plural(q.qubits.size(), "qubit") + " into " +
                         plural(static_cast<std::size_t>(bits.first), "bit"));
    for (int qb : q.qubits) {
      const auto uq = static_cast<std::size_t>(qb);
      if (!measured_at_[uq]) {
        measured_at_[uq] = at;
        program_.measured_qubits.push_back(qb);
      }
    }
  }

  // measure q -> c;  measure q[i] -> c[i];  measure q; (OpenQASM 3, result discarded)
  void measure_arrow() {
    const Token& kw = next();
    const Operand q = operand();
    if (accept("->")) {
      const Position bits_pos = peek().pos;
      const auto bits = classical_operand();
      expect_semicolon();
      record_measurement(q, bits, kw.pos, bits_pos);
      return;
    }
    expect_semicolon();
    record_measurement(q, {static_cast<int>(q.qubits.size()), q.is_register}, kw.pos, kw.pos);
  }

  // c = measure q;  c[i] = measure q[i];
  void measure_assign() {
    const Position bits_pos = peek().pos;
    const auto bits = classical_operand();
    expect("=");
    if (!is_word(peek(), "measure")) {
      if (peek().kind == TokenKind::End) unexpected("'measure'");
      fail(peek().pos, "only 'measure' can be assigned to a bit (classical computation is not supported)");
    }
    const Token& kw = next();
    const Operand q = operand();
    expect_semicolon();
    record_measurement(q, bits, kw.pos, bits_pos);
  }

  void reset() {
    const Token& kw = next();
    const Operand q = operand();
    expect_semicolon();
    for (int qb : q.qubits) {
      const auto uq = static_cast<std::size_t>(qb);
      if (touched_[uq] || measured_at_[uq])
        fail(kw.pos, "reset of qubit " + labels_[uq] +
                         " after it was used is not supported (only reset of fresh qubits, a no-op)");
    }
  }

  std::vector<Token> toks_;
  std::size_t pos_ = 0;
  bool library_loaded_ = false;
  bool parsing_library_ = false;
  std::vector<std::unique_ptr<GateDef>> defs_;
  std::unordered_map<std::string, const GateDef*> gates_;
  std::unordered_map<std::string, Register> qregs_, cregs_;
  std::unordered_map<std::string, int> inputs_;
  int num_qubits_ = 0;
  std::vector<std::string> labels_;
  std::vector<bool> touched_;
  std::vector<std::optional<Position>> measured_at_;
  Program program_;
};

}  // namespace

Program parse(std::string_view source) {
  return Parser(source).run();
}

}  // namespace vqsim::qasm
