#!/usr/bin/env python3
"""End-to-end check of the service contract: openapi-spec.yml against PlanQK's template,
the inputs against the spec, and the vqsim binary's stdout against the spec.

Usage: tests/spec/check_spec.py BUILD_DIR        (BUILD_DIR holds the vqsim binary)

Checks, each printed as `ok`, `not ok` or `skip`:
  1. the spec is valid OpenAPI 3.0 (openapi-spec-validator; skipped, loudly, if missing);
  2. it keeps PlanQK's service template: the same six operations, the POST body
     {data, params} referring to inputData / inputParams, 201 + Location, the job schema;
  3. every `example` in components.schemas matches its own schema;
  4. input/ and every examples/*/ data.json and params.json match inputData / inputParams;
  5. vqsim --input DIR on each of them exits 0 and its stdout keeps the PlanQK contract
     (shared/tools/planqk_stdout.py --spec), with a self-consistent result;
  6. every task, optimizer, gradient, gate, ansatz, problem, output and precision option the
     spec advertises runs, with a self-consistent result;
  7. bad inputs exit 2 with an INVALID_INPUT errorResponse (and the spec rejects those that
     a schema can see), an oversized problem exits 3 with RESOURCE_LIMIT;
  8. max_seconds stops a run with stop_reason time_limit, and SIGTERM cancels one: exit 4,
     a CANCELLED errorResponse carrying the best result so far.
Closes with `N passed, N failed, N skipped` and exits 1 if anything failed.
"""
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "openapi-spec.yml"
RUN_TIMEOUT = 300  # seconds for one vqsim run; the examples take well under one

counts = {"passed": 0, "failed": 0, "skipped": 0}


def report(ok, name, detail=""):
    if ok is None:
        counts["skipped"] += 1
        print(f"skip - {name}" + (f": {detail}" if detail else ""))
    elif ok:
        counts["passed"] += 1
        print(f"ok - {name}")
    else:
        counts["failed"] += 1
        print(f"not ok - {name}")
        for line in str(detail).rstrip().splitlines():
            print(f"    {line}")
    sys.stdout.flush()


def find_shared():
    """shared/ sits beside the repository: next to the git top level, else next to ROOT."""
    env = os.environ.get("VQSIM_SHARED_DIR")
    candidates = [Path(env)] if env else []
    try:
        top = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, check=True).stdout.strip()
        candidates.append(Path(top) / ".." / "shared")
    except (OSError, subprocess.CalledProcessError):
        pass
    candidates.append(ROOT / ".." / "shared")
    for c in candidates:
        if (c / "tools" / "planqk_stdout.py").is_file():
            return c.resolve()
    return None


# ---------------------------------------------------------------------------------------
# schema validation


def load_spec():
    import yaml  # PyYAML
    with open(SPEC_PATH, encoding="utf-8") as f:
        return yaml.safe_load(f)


def make_validator(spec, schema):
    """An OpenAPI 3.0 schema validator whose $refs resolve inside the spec."""
    schema = dict(schema)
    schema["components"] = spec.get("components", {})
    try:
        from openapi_schema_validator import OAS30Validator
        return OAS30Validator(schema)
    except ImportError:
        # OAS 3.0 schemas are JSON Schema draft 4 in their numeric keywords
        # (boolean exclusiveMinimum), so fall back to that draft.
        import jsonschema
        return jsonschema.Draft4Validator(schema)


def schema_errors(spec, schema, instance):
    errors = sorted(make_validator(spec, schema).iter_errors(instance), key=str)
    out = []
    for e in errors[:5]:
        path = "/".join(str(p) for p in e.absolute_path) or "(root)"
        out.append(f"at {path}: {e.message[:300]}")
    return out


def named_errors(spec, name, instance):
    return schema_errors(spec, spec["components"]["schemas"][name], instance)


# ---------------------------------------------------------------------------------------
# 1-3: the spec itself


def check_openapi_valid():
    try:
        from openapi_spec_validator import validate as validate_spec
        from openapi_spec_validator.readers import read_from_filename
    except ImportError:
        try:
            from openapi_spec_validator import validate_spec  # older releases
            from openapi_spec_validator.readers import read_from_filename
        except ImportError:
            pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                                  "openapi-spec-validator"], capture_output=True, text=True)
            if pip.returncode != 0:
                report(None, "openapi-spec.yml is valid OpenAPI 3.0",
                       "SKIP: python module openapi_spec_validator is missing and "
                       "`pip install openapi-spec-validator` failed")
                return
            from openapi_spec_validator import validate as validate_spec
            from openapi_spec_validator.readers import read_from_filename
    try:
        document, _ = read_from_filename(str(SPEC_PATH))
        validate_spec(document)
        report(True, "openapi-spec.yml is valid OpenAPI 3.0")
    except Exception as e:  # the validator raises its own exception types
        report(False, "openapi-spec.yml is valid OpenAPI 3.0", str(e)[:2000])


TEMPLATE_OPERATIONS = {
    "/": {"get", "post"},
    "/{id}": {"get"},
    "/{id}/result": {"get"},
    "/{id}/interim-results": {"get"},
    "/{id}/cancel": {"put"},
}
TEMPLATE_JOB = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "status": {"type": "string",
                   "enum": ["UNKNOWN", "PENDING", "RUNNING", "SUCCEEDED", "CANCELLED", "FAILED"]},
        "createdAt": {"type": "string"},
        "startedAt": {"type": "string"},
        "endedAt": {"type": "string"},
    },
}
OUR_SCHEMAS = ["inputData", "inputParams", "resultResponse", "interimResultResponse",
               "errorResponse"]
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def check_template(spec):
    problems = []
    if not str(spec.get("openapi", "")).startswith("3.0"):
        problems.append(f"openapi version {spec.get('openapi')!r}, the template uses 3.0.x")
    paths = spec.get("paths", {})
    operations = {p: {m for m in ops if m in HTTP_METHODS} for p, ops in paths.items()}
    if operations != TEMPLATE_OPERATIONS:
        problems.append(f"operations {sorted((p, sorted(m)) for p, m in operations.items())} "
                        f"differ from the template's")
    schemas = spec.get("components", {}).get("schemas", {})
    for name in OUR_SCHEMAS + ["job"]:
        if name not in schemas:
            problems.append(f"components.schemas.{name} is missing")
    if problems:
        report(False, "spec keeps PlanQK's service template", "\n".join(problems))
        return

    def get(path, *keys):
        node = paths[path]
        for k in keys:
            node = node.get(k, {}) if isinstance(node, dict) else {}
        return node

    json_schema = ("content", "application/json", "schema")
    body = get("/", "post", "requestBody")
    if body.get("required") is not True:
        problems.append("POST / requestBody is not required")
    props = get("/", "post", "requestBody", *json_schema, "properties")
    if props.get("data") != ref("inputData") or props.get("params") != ref("inputParams"):
        problems.append("POST / body must be {data: $ref inputData, params: $ref inputParams}")
    created = get("/", "post", "responses", "201")
    if "Location" not in created.get("headers", {}):
        problems.append("POST / 201 has no Location header")
    if get("/", "post", "responses", "201", *json_schema) != ref("job"):
        problems.append("POST / 201 body is not the job schema")
    if "200" not in get("/", "get", "responses"):
        problems.append("GET / has no 200 response")
    for path, method in (("/{id}", "get"), ("/{id}/cancel", "put")):
        if get(path, method, "responses", "200", *json_schema) != ref("job"):
            problems.append(f"{method.upper()} {path} 200 body is not the job schema")
    result = get("/{id}/result", "get", "responses", "200", *json_schema)
    if result.get("oneOf") != [ref("resultResponse"), ref("errorResponse")]:
        problems.append("GET /{id}/result 200 must be oneOf resultResponse | errorResponse")
    interim = get("/{id}/interim-results", "get", "responses", "200", *json_schema)
    if interim.get("oneOf") != [{"type": "array", "items": ref("interimResultResponse")},
                                ref("interimResultResponse")]:
        problems.append("GET /{id}/interim-results 200 must be oneOf "
                        "[interimResultResponse] | interimResultResponse")
    for path in TEMPLATE_OPERATIONS:
        if "{id}" not in path:
            continue
        for method, op in paths[path].items():
            if method not in HTTP_METHODS:
                continue
            ids = [p for p in op.get("parameters", []) if p.get("in") == "path"
                   and p.get("name") == "id" and p.get("required") is True]
            if not ids:
                problems.append(f"{method.upper()} {path} lacks the required path parameter id")
    if schemas["job"].get("type") != TEMPLATE_JOB["type"] or \
            schemas["job"].get("properties") != TEMPLATE_JOB["properties"]:
        problems.append("components.schemas.job differs from the template's (do not change it)")
    for name in OUR_SCHEMAS:
        s = schemas[name]
        if not s.get("description"):
            problems.append(f"components.schemas.{name} has no description")
        if s.get("additionalProperties") is not False:
            problems.append(f"components.schemas.{name} accepts unknown keys "
                            f"(additionalProperties: false is missing)")
    codes = schemas["errorResponse"].get("properties", {}).get("code", {}).get("enum")
    if sorted(codes or []) != ["CANCELLED", "INTERNAL_ERROR", "INVALID_INPUT", "RESOURCE_LIMIT"]:
        problems.append(f"errorResponse.code enum is {codes}")
    report(not problems, "spec keeps PlanQK's service template", "\n".join(problems))


def check_examples(spec):
    """Every `example` under components.schemas must match the schema it sits in."""
    problems, seen = [], 0

    def walk(node, where):
        nonlocal seen
        if isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{where}[{i}]")
            return
        if not isinstance(node, dict):
            return
        if "example" in node and "$ref" not in node:
            seen += 1
            for e in schema_errors(spec, node, node["example"]):
                problems.append(f"{where}.example {e}")
        for key, value in node.items():
            if key not in ("example", "enum", "required"):
                walk(value, f"{where}.{key}")

    for name, schema in spec["components"]["schemas"].items():
        walk(schema, name)
    for name in OUR_SCHEMAS:
        if "example" not in spec["components"]["schemas"][name]:
            problems.append(f"components.schemas.{name} has no example")
    report(not problems, f"the spec's {seen} examples match their schemas", "\n".join(problems))


# ---------------------------------------------------------------------------------------
# 4-7: inputs and the binary


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def input_dirs():
    dirs = []
    if (ROOT / "input" / "data.json").is_file():
        dirs.append(ROOT / "input")
    dirs += sorted(d for d in (ROOT / "examples").glob("*/") if (d / "data.json").is_file())
    return dirs


def check_input_files(spec, d):
    rel = d.relative_to(ROOT)
    for fname, schema in (("data.json", "inputData"), ("params.json", "inputParams")):
        path = d / fname
        if not path.is_file():
            continue
        try:
            errors = named_errors(spec, schema, read_json(path))
        except ValueError as e:
            errors = [f"not JSON: {e}"]
        report(not errors, f"{rel}/{fname} matches {schema}", "\n".join(errors))


class Run:
    def __init__(self, rc, stdout, stderr, summary, problems):
        self.rc, self.stdout, self.stderr = rc, stdout, stderr
        self.summary, self.problems = summary, problems

    @property
    def result(self):
        return (self.summary or {}).get("result")

    def explain(self):
        tail = "\n".join(self.stderr.strip().splitlines()[-8:])
        out = "\n".join(self.stdout.strip().splitlines()[-12:])
        return (f"exit code {self.rc}\nproblems: {self.problems}\n"
                f"stdout (tail):\n{out}\nstderr (tail):\n{tail}")


def run_vqsim(binary, shared, input_dir):
    try:
        proc = subprocess.run([str(binary), "--input", str(input_dir)], capture_output=True,
                              text=True, timeout=RUN_TIMEOUT)
        rc, out, err = proc.returncode, proc.stdout, proc.stderr
    except subprocess.TimeoutExpired as e:
        def text(b):  # TimeoutExpired carries bytes even in text mode
            return b.decode("utf-8", "replace") if isinstance(b, bytes) else (b or "")
        return Run(None, text(e.stdout), text(e.stderr), None, [f"timed out after {RUN_TIMEOUT} s"])
    except OSError as e:
        return Run(None, "", "", None, [f"cannot run {binary}: {e}"])
    checker = subprocess.run(
        [sys.executable, str(shared / "tools" / "planqk_stdout.py"), "--spec", str(SPEC_PATH),
         "--exit-code", str(rc), "--json"],
        input=out, capture_output=True, text=True)
    try:
        summary = json.loads(checker.stdout)
        problems = summary.get("problems", [])
    except ValueError:
        summary, problems = None, [f"planqk_stdout.py failed: {checker.stderr.strip()[-500:]}"]
    if checker.returncode != 0 and not problems:
        problems = [f"planqk_stdout.py exit {checker.returncode}: {checker.stdout.strip()[-500:]}"]
    return Run(rc, out, err, summary, problems)


def input_num_qubits(data):
    """The number of qubits a data.json asks for, when it says so directly."""
    if not isinstance(data, dict):
        return None
    source = data.get("circuit") or data.get("ansatz")
    if isinstance(source, dict) and "num_qubits" in source:
        return source["num_qubits"]
    problem = data.get("problem")
    if isinstance(problem, dict):
        if problem.get("type") == "maxcut":
            return problem.get("graph", {}).get("num_nodes")
        if problem.get("type") == "qubo":
            return len(problem.get("matrix", []))
        if problem.get("type") == "ising":
            return len(problem.get("h", []))
    return None


def rounding(m):
    """Relative accuracy the results can claim: float rounding in single precision."""
    return 1e-5 if m.get("precision") == "single" else 1e-8


def variational_consistency(r, m):
    problems = []
    if len(r["parameters"]) != len(r["parameter_names"]) or \
            len(r["parameters"]) != m["num_parameters"]:
        problems.append("parameters, parameter_names and metadata.num_parameters disagree")
    if len(r["history"]) != r["iterations"]:
        problems.append(f"history has {len(r['history'])} entries for {r['iterations']} iterations")
    if r["history"] and min(r["history"]) < r["energy"] - 1e-9 * max(1.0, abs(r["energy"])):
        problems.append("energy is not the lowest energy in history")
    if r["converged"] != (r["stop_reason"] == "converged"):
        problems.append(f"converged={r['converged']} but stop_reason={r['stop_reason']}")
    if ("exact_energy" in r) != ("energy_error" in r):
        problems.append("exact_energy and energy_error must come together")
    if ("noiseless_energy" in r) != ("shots" in m):
        problems.append("noiseless_energy must come exactly with metadata.shots")
    if "exact_energy" in r:
        if not math.isclose(r["energy_error"], r["energy"] - r["exact_energy"],
                            rel_tol=1e-9, abs_tol=1e-12):
            problems.append("energy_error != energy - exact_energy")
        # A sampled energy may fall below the ground energy; the noiseless one may not.
        e = r.get("noiseless_energy", r["energy"])
        if e < r["exact_energy"] - rounding(m) * max(1.0, abs(r["exact_energy"])):
            problems.append("energy below the exact ground energy (variational principle)")
    return problems


def qaoa_consistency(r, m):
    problems = []
    n = m["num_qubits"]
    sols = r["best_solutions"] + [r["solution"]] + ([r["optimum"]] if "optimum" in r else [])
    if any(len(s["bits"]) != n for s in sols):
        problems.append(f"a bit string does not have {n} bits")
    probs = [s["probability"] for s in r["best_solutions"]]
    if probs != sorted(probs, reverse=True):
        problems.append("best_solutions are not ordered most likely first")
    if m["num_parameters"] != 2 * m["layers"]:
        problems.append(f"{m['num_parameters']} parameters for {m['layers']} layers")
    best = max if m["objective_sense"] == "maximize" else min
    if r["solution"] not in r["best_solutions"] or \
            r["solution"]["objective"] != best(s["objective"] for s in r["best_solutions"]):
        problems.append("solution is not the best objective among best_solutions")
    if "optimum" in r:
        if best(r["optimum"]["objective"], r["solution"]["objective"]) != r["optimum"]["objective"]:
            problems.append("solution beats the optimum")
        if r["optimum"]["objective"] != 0 and "approximation_ratio" not in r:
            problems.append("optimum without approximation_ratio")
    elif "approximation_ratio" in r:
        problems.append("approximation_ratio without optimum")
    return problems


def simulate_consistency(r, m):
    problems = []
    n = m["num_qubits"]
    asked = set(m["outputs"])
    given = set(r) - {"parameters"}
    if asked != given:
        problems.append(f"outputs asked {sorted(asked)}, result has {sorted(given)}")
    if len(r["parameters"]) != m["num_parameters"]:
        problems.append("result.parameters and metadata.num_parameters disagree")
    if ("shots" in m) != ("counts" in asked):
        problems.append("metadata.shots must come exactly with the counts output")
    if ("top_k" in m) != ("probabilities" in asked):
        problems.append("metadata.top_k must come exactly with the probabilities output")
    for out in ("counts", "probabilities"):
        if any(len(k) != n or set(k) - {"0", "1"} for k in r.get(out, {})):
            problems.append(f"{out} has a key that is not a {n}-bit string")
    if "counts" in r and sum(r["counts"].values()) != m["shots"]:
        problems.append(f"counts add up to {sum(r['counts'].values())}, not {m['shots']}")
    if "probabilities" in r:
        if len(r["probabilities"]) > m["top_k"]:
            problems.append("more probabilities than top_k")
        if sum(r["probabilities"].values()) > 1 + rounding(m) / 10:
            problems.append("probabilities add up to more than 1")
    if "statevector" in r:
        sv = r["statevector"]
        if len(sv) != 2 ** n:
            problems.append(f"statevector has {len(sv)} amplitudes for {n} qubits")
        elif abs(sum(a * a + b * b for a, b in sv) - 1) > rounding(m) / 10:
            problems.append("statevector is not normalised")
    return problems


def result_consistency(result_response, data=None, params=None):
    """Cross-field checks a schema cannot express."""
    r, m = result_response["result"], result_response["metadata"]
    asked = (params if isinstance(params, dict) else {}).get("precision", "double")
    task = m.get("task")
    if task == "simulate":
        problems = simulate_consistency(r, m)
    else:
        problems = variational_consistency(r, m)
        if task == "qaoa":
            problems += qaoa_consistency(r, m)
    n = input_num_qubits(data)
    if n is not None and m["num_qubits"] != n:
        problems.append(f"metadata.num_qubits {m['num_qubits']} != input {n}")
    if m["precision"] != asked:
        problems.append(f"metadata.precision {m['precision']!r} != params.precision {asked!r}")
    return problems


def check_good_run(spec, binary, shared, d, name):
    run = run_vqsim(binary, shared, d)
    ok = run.rc == 0 and not run.problems
    if ok:
        params = read_json(d / "params.json") if (d / "params.json").is_file() else None
        extra = result_consistency(run.result, read_json(d / "data.json"), params)
        version = spec["info"]["version"]
        if run.result["metadata"]["version"] != version:
            extra.append(f"metadata.version {run.result['metadata']['version']!r} != the spec's "
                         f"info.version {version!r}")
        if extra:
            report(False, name, "\n".join(extra))
            return run
    report(ok, name, "" if ok else run.explain())
    return run


def key_tree(value):
    """The nested key structure of a JSON object (lists reduced to their first element)."""
    if isinstance(value, dict):
        return {k: key_tree(v) for k, v in value.items()}
    if isinstance(value, list) and value and isinstance(value[0], (dict, list)):
        return [key_tree(value[0])]
    return None


def check_spec_examples_run(spec, binary, shared, tmp):
    """The spec's request example runs, and the response examples have the real shape."""
    schemas = spec["components"]["schemas"]
    d = write_case(tmp, "spec-example", schemas["inputData"]["example"],
                   schemas["inputParams"]["example"])
    run = check_good_run(spec, binary, shared, d, "the spec's inputData/inputParams example runs")
    if run.rc != 0 or run.problems:
        return
    problems = []
    if key_tree(schemas["resultResponse"]["example"]) != key_tree(run.result):
        problems.append("resultResponse.example has other keys than the real result:\n"
                        f"example {key_tree(schemas['resultResponse']['example'])}\n"
                        f"real    {key_tree(run.result)}")
    interims = run.summary.get("interim_results", [])
    if interims and key_tree(schemas["interimResultResponse"]["example"]) != key_tree(interims[0]):
        problems.append("interimResultResponse.example has other keys than the real first "
                        f"interim result {sorted(interims[0])}")
    report(not problems, "the spec's response examples have the shape of a real run",
           "\n".join(problems))


def check_schemas_strict(spec):
    """The result schemas reject what vqsim never prints (checked on the spec's examples)."""
    schemas = spec["components"]["schemas"]
    good = schemas["resultResponse"]["example"]
    qaoa_result = schemas["qaoaResult"]["example"]
    qaoa_meta = schemas["qaoaMetadata"]["example"]
    sim_meta = schemas["simulateMetadata"]["example"]
    cancelled = {"code": "CANCELLED", "detail": "cancelled by signal 15", **good}
    cases = [
        ("resultResponse", "a qaoa result with vqe metadata",
         {"result": qaoa_result, "metadata": good["metadata"]}),
        ("resultResponse", "a vqe result with qaoa metadata",
         {"result": good["result"], "metadata": qaoa_meta}),
        ("resultResponse", "a simulate result with an output it did not ask for",
         {"result": dict(schemas["simulateResult"]["example"], density={}), "metadata": sim_meta}),
        ("resultResponse", "vqe metadata without evaluations",
         {"result": good["result"],
          "metadata": {k: v for k, v in good["metadata"].items() if k != "evaluations"}}),
        ("resultResponse", "an unknown stop_reason",
         {"result": dict(good["result"], stop_reason="done"), "metadata": good["metadata"]}),
        ("errorResponse", "INVALID_INPUT with a result", dict(cancelled, code="INVALID_INPUT")),
        ("errorResponse", "CANCELLED without a result", {"code": "CANCELLED", "detail": "x"}),
    ]
    problems = [f"{schema} accepts {name}" for schema, name, value in cases
                if not named_errors(spec, schema, value)]
    if named_errors(spec, "errorResponse", cancelled):
        problems.append("errorResponse rejects CANCELLED with a result: " +
                        "; ".join(named_errors(spec, "errorResponse", cancelled)))
    if named_errors(spec, "resultResponse", {"result": qaoa_result, "metadata": qaoa_meta}):
        problems.append("resultResponse rejects the qaoaResult/qaoaMetadata examples")
    report(not problems, "the result schemas reject what vqsim never prints",
           "\n".join(problems))


def write_case(root, name, data=None, params=None, raw_data=None):
    d = Path(root) / name
    d.mkdir()
    if raw_data is not None:
        (d / "data.json").write_text(raw_data, encoding="utf-8")
    elif data is not None:
        (d / "data.json").write_text(json.dumps(data), encoding="utf-8")
    if params is not None:
        (d / "params.json").write_text(json.dumps(params), encoding="utf-8")
    return d


SMALL_OBSERVABLE = [["Z0 Z1", 1.0], ["X0", 0.5], ["X1", 0.5]]
SMALL_ANSATZ = {"type": "hardware_efficient", "num_qubits": 2, "layers": 1,
                "rotations": ["ry"], "entanglement": "linear"}
UCCSD = {"type": "uccsd", "num_qubits": 4, "num_electrons": 2}
MAXCUT = {"type": "maxcut", "graph": {"num_nodes": 3, "edges": [[0, 1], [1, 2]]}}

# Arity (qubits, angles) of every gate the spec lists.
GATE_ARITY = {
    **{g: (1, 0) for g in "id x y z h s sdg t tdg sx sxdg".split()},
    **{g: (1, 1) for g in "rx ry rz p u1".split()}, "u2": (1, 2), "u3": (1, 3), "u": (1, 3),
    **{g: (2, 0) for g in "cx cy cz ch swap".split()},
    **{g: (2, 1) for g in "crx cry crz cp rxx ryy rzz".split()}, "cu3": (2, 3),
    "ccx": (3, 0), "cswap": (3, 0), "pauli_rotation": (3, 1),
    "cnot": (2, 0), "cu1": (2, 1), "toffoli": (3, 0), "fredkin": (3, 0),  # aliases
}


def coverage_cases(spec):
    """(name, data, params) runs that exercise every option the spec advertises."""
    schemas = spec["components"]["schemas"]
    params_props = schemas["inputParams"]["properties"]
    cases = []
    base = {"ansatz": SMALL_ANSATZ, "observable": SMALL_OBSERVABLE}
    for opt in params_props["optimizer"]["enum"]:
        cases.append((f"optimizer {opt}", base,
                      {"optimizer": opt, "max_iterations": 3, "seed": 7}))
    for grad in params_props["gradient"]["enum"]:
        cases.append((f"gradient {grad}", base,
                      {"optimizer": "lbfgs", "gradient": grad, "max_iterations": 3}))
    ansatz_props = schemas["hardwareEfficientAnsatz"]["properties"]
    for ent in ansatz_props["entanglement"]["enum"]:
        a = dict(SMALL_ANSATZ, num_qubits=3, entanglement=ent,
                 rotations=ansatz_props["rotations"]["items"]["enum"], initial_bits="100")
        cases.append((f"ansatz entanglement {ent}", {"ansatz": a, "observable": [["Z0 Z2", 1.0]]},
                      {"max_iterations": 2}))
    # UCCSD: every spin ordering and excitation set, repetitions, odd electron counts, and the
    # exact_sector settings, on H2's 4 qubits (an N- and S_z-conserving observable).
    uccsd_props = schemas["uccsdAnsatz"]["properties"]
    h2_like = [["Z0", 0.17], ["Z1", 0.17], ["Z2", -0.22], ["Z3", -0.22], ["Z0 Z1", 0.17],
               ["X0 X1 Y2 Y3", -0.045], ["Y0 Y1 X2 X3", -0.045], ["X0 Y1 Y2 X3", 0.045],
               ["Y0 X1 X2 Y3", 0.045]]
    for order in uccsd_props["spin_ordering"]["enum"]:
        for exc in uccsd_props["excitations"]["enum"]:
            a = {"type": "uccsd", "num_qubits": 4, "num_electrons": 2, "spin_ordering": order,
                 "excitations": exc}
            cases.append((f"uccsd {order} {exc}", {"ansatz": a, "observable": h2_like},
                          {"max_iterations": 20}))
    cases.append(("uccsd reps 2, alpha and beta given", {"ansatz": {
        "type": "uccsd", "num_qubits": 6, "num_alpha": 2, "num_beta": 1, "reps": 2},
        "observable": [["Z0 Z1", 0.3], ["X0 Z1 X2", 0.2], ["Y1 Z2 Y3", 0.1]]}, {"max_iterations": 5}))
    # The hardware-efficient circuit leaves any sector: the observable's lowest state lies in the
    # chosen one (qubit 0 occupied, alpha in blocked ordering), so the variational check holds.
    in_sector = {"ansatz": SMALL_ANSATZ, "observable": [["Z0", 1.0], ["Z1", -0.5]]}
    cases.append(("exact_sector with sz and spin_ordering", in_sector,
                  {"exact_sector": {"num_electrons": 1, "sz": 0.5, "spin_ordering": "blocked"},
                   "max_iterations": 2}))
    cases.append(("exact_sector, num_electrons only", in_sector,
                  {"exact_sector": {"num_electrons": 1}, "exact_reference": True, "max_iterations": 2}))
    cases.append(("simulate a uccsd ansatz", {"ansatz": {"type": "uccsd", "num_qubits": 4,
                                                         "num_electrons": 2}},
                  {"parameters": {"s[0,2]": 0.1, "s[1,3]": -0.1, "d[0,1,2,3]": 0.2},
                   "outputs": ["statevector"]}))
    for init in ("zeros", "random", [0.1, -0.2, 0.3, -0.4]):
        cases.append((f"initial_parameters {json.dumps(init)}", base,
                      {"initial_parameters": init, "seed": 3, "max_iterations": 2}))
    for ref_mode in params_props["exact_reference"]["oneOf"][0]["enum"] + [True, False]:
        cases.append((f"exact_reference {json.dumps(ref_mode)}", base,
                      {"exact_reference": ref_mode, "max_iterations": 2}))
    for level in params_props["log_level"]["enum"]:
        cases.append((f"log_level {level}", base, {"log_level": level, "max_iterations": 1}))
    # One circuit with every gate; angles alternate between numbers and expressions.
    gates = []
    for i, name in enumerate(schemas["gate"]["properties"]["gate"]["enum"]):
        nq, na = GATE_ARITY[name]
        qubits = [(i + k) % 3 for k in range(nq)]
        angles = [0.3 + 0.1 * k if (i + k) % 2 else "theta" for k in range(na)]
        gate = {"gate": name, "qubits": qubits}
        if na:
            gate["params"] = angles
        if name == "pauli_rotation":
            gate["pauli"] = "XYZ"
        gates.append(gate)
    gates.append({"gate": "ry", "qubits": [0], "params": ["phi"]})
    circuit = {"num_qubits": 3, "parameters": ["theta", "phi"], "gates": gates}
    cases.append(("circuit with every gate", {"circuit": circuit,
                                              "observable": [["X0 Y1 Z2", 1.0], ["ZII", 0.5]]},
                  {"max_iterations": 2}))
    cases.append(("task vqe given explicitly", base, {"task": "vqe", "max_iterations": 2}))
    for opt in ("adam", "spsa", "gradient_descent"):
        cases.append((f"learning_rate with {opt}", base,
                      {"optimizer": opt, "learning_rate": 0.05, "max_iterations": 3}))
    for opt in ("cobyla", "nelder_mead", "bobyqa", "spsa"):
        cases.append((f"shots with {opt}", base,
                      {"optimizer": opt, "shots": 200, "seed": 5, "max_iterations": 4}))
    cases.append(("max_seconds", base, {"max_seconds": 30, "max_iterations": 3}))
    for precision in params_props["precision"]["enum"]:
        cases.append((f"precision {precision}", base,
                      {"precision": precision, "initial_parameters": "random", "max_iterations": 5}))
        cases.append((f"precision {precision} with shots", base,
                      {"precision": precision, "optimizer": "cobyla", "shots": 200, "max_iterations": 4}))

    # QAOA: every problem type (the spec's own examples), and its options.
    problems = [schemas[p["$ref"].rsplit("/", 1)[1]]["example"]
                for p in schemas["problem"]["oneOf"]]
    for problem in problems:
        cases.append((f"qaoa {problem['type']} (the spec's example)", {"problem": problem},
                      {"layers": 2, "top_k": 3, "max_iterations": 20}))
    maxcut = {"problem": schemas["problem"]["example"]}
    for init in ("zeros", "random", "ramp", [0.1, 0.2]):
        cases.append((f"qaoa initial_parameters {json.dumps(init)}", maxcut,
                      {"task": "qaoa", "initial_parameters": init, "max_iterations": 5}))
    for ref_mode in (True, False):
        cases.append((f"qaoa exact_reference {json.dumps(ref_mode)}", maxcut,
                      {"exact_reference": ref_mode, "max_iterations": 5}))
    cases.append(("qaoa with shots", maxcut,
                  {"optimizer": "cobyla", "shots": 300, "seed": 2, "max_iterations": 10}))
    cases.append(("qaoa with max_seconds", maxcut, {"max_seconds": 30, "layers": 3}))
    for precision in params_props["precision"]["enum"]:
        cases.append((f"qaoa precision {precision}", maxcut,
                      {"precision": precision, "layers": 2, "max_iterations": 20}))

    # simulate: every output alone, then together, and both ways of giving parameters.
    bell = {"num_qubits": 2, "gates": [{"gate": "h", "qubits": [0]},
                                       {"gate": "cx", "qubits": [0, 1]},
                                       {"gate": "ry", "qubits": [1], "params": ["theta"]}]}
    named = {"zz": [["ZZ", 1.0]], "x0": [["X0", 0.5]]}
    for out in params_props["outputs"]["items"]["enum"]:
        data = {"circuit": bell}
        if out == "expectation_values":
            data["observables"] = named
        cases.append((f"simulate output {out}", data,
                      {"parameters": [0.3], "outputs": [out], "seed": 1}))
    everything = params_props["outputs"]["items"]["enum"]
    cases.append(("simulate every output, parameters by name, shots, top_k",
                  {"circuit": bell, "observables": named},
                  {"task": "simulate", "parameters": {"theta": 0.3}, "outputs": everything,
                   "shots": 500, "top_k": 2, "seed": 9}))
    cases.append(("simulate default outputs", {"circuit": bell}, {"parameters": [0.1]}))
    for precision in params_props["precision"]["enum"]:
        cases.append((f"simulate precision {precision}", {"circuit": bell, "observables": named},
                      {"parameters": [0.3], "outputs": everything, "precision": precision, "seed": 4}))
    cases.append(("simulate default outputs with shots and observables",
                  {"circuit": bell, "observables": named}, {"parameters": [0.1], "shots": 64}))
    cases.append(("simulate a circuit without parameters",
                  {"circuit": dict(bell, gates=bell["gates"][:2])}, None))
    cases.append(("simulate an ansatz", {"ansatz": SMALL_ANSATZ},
                  {"parameters": [0.1, 0.2, 0.3, 0.4], "outputs": ["statevector"]}))
    cases.append(("simulate a qaoa problem", maxcut,
                  {"task": "simulate", "parameters": [0.4, 0.3], "outputs": ["probabilities"]}))
    return cases


def bad_cases():
    """(name, data, params, raw data text, schema can see it, expected code, expected rc)."""
    good_circuit = {"num_qubits": 2, "parameters": ["t"],
                    "gates": [{"gate": "ry", "qubits": [0], "params": ["t"]},
                              {"gate": "cx", "qubits": [0, 1]}]}
    obs = SMALL_OBSERVABLE
    inv = ("INVALID_INPUT", 2)
    return [
        ("data.json is not JSON", None, None, '{"ansatz": ', None, *inv),
        ("data.json is missing", None, {"max_iterations": 5}, None, None, *inv),
        ("unknown key in data", {"ansatz": SMALL_ANSATZ, "observable": obs, "extra": 1},
         None, None, True, *inv),
        ("both circuit and ansatz", {"ansatz": SMALL_ANSATZ, "circuit": good_circuit,
                                     "observable": obs}, None, None, True, *inv),
        ("neither circuit nor ansatz", {"observable": obs}, None, None, True, *inv),
        ("observable missing for task vqe", {"ansatz": SMALL_ANSATZ}, {"task": "vqe"},
         None, False, *inv),
        ("unknown gate", {"circuit": dict(good_circuit, gates=[{"gate": "foo", "qubits": [0]}]),
                          "observable": obs}, None, None, True, *inv),
        ("num_qubits 0", {"ansatz": dict(SMALL_ANSATZ, num_qubits=0), "observable": obs},
         None, None, True, *inv),
        ("qubit out of range", {"circuit": dict(good_circuit, gates=[
            {"gate": "ry", "qubits": [5], "params": ["t"]}]), "observable": obs},
         None, None, False, *inv),
        ("observable qubit out of range", {"ansatz": SMALL_ANSATZ, "observable": [["Z7", 1.0]]},
         None, None, False, *inv),
        ("undeclared parameter in a gate", {"circuit": dict(good_circuit, gates=[
            {"gate": "ry", "qubits": [0], "params": ["phi"]}]), "observable": obs},
         None, None, False, *inv),
        ("gate with too few angles", {"circuit": dict(good_circuit, gates=[
            {"gate": "ry", "qubits": [0]}]), "observable": obs}, None, None, False, *inv),
        ("initial_bits of the wrong length", {"ansatz": dict(SMALL_ANSATZ, initial_bits="101"),
                                              "observable": obs}, None, None, False, *inv),
        ("unknown key in params", {"ansatz": SMALL_ANSATZ, "observable": obs},
         {"optimiser": "lbfgs"}, None, True, *inv),
        ("unknown optimizer", {"ansatz": SMALL_ANSATZ, "observable": obs},
         {"optimizer": "bfgs"}, None, True, *inv),
        ("max_iterations 0", {"ansatz": SMALL_ANSATZ, "observable": obs},
         {"max_iterations": 0}, None, True, *inv),
        ("negative tolerance", {"ansatz": SMALL_ANSATZ, "observable": obs},
         {"tolerance": -1e-6}, None, True, *inv),
        ("params.json not an object", {"ansatz": SMALL_ANSATZ, "observable": obs},
         [], None, True, *inv),
        ("initial_parameters of the wrong length", {"circuit": good_circuit, "observable": obs},
         {"initial_parameters": [0.1, 0.2, 0.3]}, None, False, *inv),
        # tasks and the keys each one reads
        ("unknown task", {"ansatz": SMALL_ANSATZ, "observable": obs}, {"task": "vqa"},
         None, True, *inv),
        ("layers with task vqe", {"ansatz": SMALL_ANSATZ, "observable": obs},
         {"task": "vqe", "layers": 2}, None, True, *inv),
        ("layers inferred as vqe", {"ansatz": SMALL_ANSATZ, "observable": obs},
         {"layers": 2}, None, False, *inv),
        ("outputs with task qaoa", {"problem": MAXCUT}, {"task": "qaoa", "outputs": ["counts"]},
         None, True, *inv),
        ("optimizer with task simulate", {"circuit": good_circuit},
         {"task": "simulate", "parameters": [0.1], "optimizer": "cobyla"}, None, True, *inv),
        ("ramp start for vqe", {"ansatz": SMALL_ANSATZ, "observable": obs},
         {"task": "vqe", "initial_parameters": "ramp"}, None, True, *inv),
        ("observable with task qaoa", {"problem": MAXCUT, "observable": obs}, None, None,
         False, *inv),
        ("observable and observables", {"circuit": good_circuit, "observable": obs,
                                        "observables": {"a": obs}}, None, None, True, *inv),
        ("observables with task vqe", {"ansatz": SMALL_ANSATZ, "observables": {"a": obs}},
         {"task": "vqe"}, None, False, *inv),
        ("both problem and circuit", {"problem": MAXCUT, "circuit": good_circuit}, None, None,
         True, *inv),
        # optimizer settings that do not go together
        ("shots with the default lbfgs", {"ansatz": SMALL_ANSATZ, "observable": obs},
         {"task": "vqe", "shots": 100}, None, True, *inv),
        ("shots with adam", {"ansatz": SMALL_ANSATZ, "observable": obs},
         {"optimizer": "adam", "shots": 100}, None, True, *inv),
        ("gradient with cobyla", {"ansatz": SMALL_ANSATZ, "observable": obs},
         {"optimizer": "cobyla", "gradient": "adjoint"}, None, True, *inv),
        ("learning_rate with lbfgs", {"ansatz": SMALL_ANSATZ, "observable": obs},
         {"learning_rate": 0.1}, None, True, *inv),
        ("shots 0", {"ansatz": SMALL_ANSATZ, "observable": obs},
         {"optimizer": "spsa", "shots": 0}, None, True, *inv),
        ("max_seconds 0", {"ansatz": SMALL_ANSATZ, "observable": obs},
         {"max_seconds": 0}, None, True, *inv),
        ("unknown precision", {"ansatz": SMALL_ANSATZ, "observable": obs},
         {"precision": "half"}, None, True, *inv),
        ("precision not a string", {"circuit": good_circuit},
         {"parameters": [0.1], "precision": 32}, None, True, *inv),
        # qaoa problems
        ("unknown problem type", {"problem": {"type": "tsp", "graph": MAXCUT["graph"]}},
         None, None, True, *inv),
        ("maxcut without edges", {"problem": {"type": "maxcut",
                                              "graph": {"num_nodes": 3, "edges": []}}},
         None, None, True, *inv),
        ("maxcut edge to a missing node", {"problem": {"type": "maxcut", "graph": {
            "num_nodes": 3, "edges": [[0, 3]]}}}, None, None, False, *inv),
        ("maxcut self-loop", {"problem": {"type": "maxcut", "graph": {
            "num_nodes": 3, "edges": [[1, 1]]}}}, None, None, False, *inv),
        ("qubo matrix not square", {"problem": {"type": "qubo", "matrix": [[1, 2], [3]]}},
         None, None, False, *inv),
        ("ising coupling to a missing spin", {"problem": {"type": "ising", "h": [0.5, 0.5],
                                                          "J": [[0, 2, 1.0]]}},
         None, None, False, *inv),
        ("layers 0", {"problem": MAXCUT}, {"layers": 0}, None, True, *inv),
        ("qaoa top_k over 1000", {"problem": MAXCUT}, {"task": "qaoa", "top_k": 1001},
         None, True, *inv),
        ("qaoa exact_reference true over 24 variables", {"problem": {"type": "qubo", "matrix": [
            [1.0 if i == j else 0.0 for j in range(25)] for i in range(25)]}},
         {"exact_reference": True}, None, False, *inv),
        # simulate
        ("simulate outputs empty", {"circuit": good_circuit}, {"parameters": [0.1], "outputs": []},
         None, True, *inv),
        ("simulate output listed twice", {"circuit": good_circuit},
         {"parameters": [0.1], "outputs": ["counts", "counts"]}, None, True, *inv),
        ("simulate unknown output", {"circuit": good_circuit},
         {"parameters": [0.1], "outputs": ["density_matrix"]}, None, True, *inv),
        ("simulate shots without counts", {"circuit": good_circuit},
         {"parameters": [0.1], "outputs": ["probabilities"], "shots": 10}, None, True, *inv),
        ("simulate top_k without probabilities", {"circuit": good_circuit},
         {"parameters": [0.1], "shots": 10, "top_k": 3}, None, True, *inv),
        ("simulate expectation_values without observables", {"circuit": good_circuit},
         {"parameters": [0.1], "outputs": ["expectation_values"]}, None, False, *inv),
        ("simulate observables not asked for", {"circuit": good_circuit, "observables": {"a": obs}},
         {"parameters": [0.1], "outputs": ["counts"]}, None, False, *inv),
        ("simulate observables empty", {"circuit": good_circuit, "observables": {}},
         {"parameters": [0.1]}, None, True, *inv),
        ("simulate parameters missing", {"circuit": good_circuit}, None, None, False, *inv),
        ("simulate unknown parameter name", {"circuit": good_circuit},
         {"parameters": {"t": 0.1, "u": 0.2}}, None, False, *inv),
        ("simulate statevector over 16 qubits", {"ansatz": dict(SMALL_ANSATZ, num_qubits=17)},
         {"parameters": [0.0] * 34, "outputs": ["statevector"]}, None, False, *inv),
        # uccsd and exact_sector
        ("uccsd odd num_qubits", {"ansatz": dict(UCCSD, num_qubits=5), "observable": obs},
         None, None, True, *inv),
        ("uccsd without electrons", {"ansatz": {"type": "uccsd", "num_qubits": 4}, "observable": obs},
         None, None, True, *inv),
        ("uccsd odd electrons without spins", {"ansatz": dict(UCCSD, num_electrons=3),
                                               "observable": obs}, None, None, False, *inv),
        ("uccsd spins that do not add up", {"ansatz": dict(UCCSD, num_alpha=2, num_beta=1),
                                            "observable": obs}, None, None, False, *inv),
        ("uccsd more alpha than orbitals", {"ansatz": dict(UCCSD, num_electrons=3, num_alpha=3,
                                                           num_beta=0), "observable": obs},
         None, None, False, *inv),
        ("uccsd unknown spin_ordering", {"ansatz": dict(UCCSD, spin_ordering="alternating"),
                                         "observable": obs}, None, None, True, *inv),
        ("uccsd unknown excitations", {"ansatz": dict(UCCSD, excitations="sdt"), "observable": obs},
         None, None, True, *inv),
        ("uccsd with a hardware-efficient key", {"ansatz": dict(UCCSD, layers=2), "observable": obs},
         None, None, True, *inv),
        ("uccsd reps 0", {"ansatz": dict(UCCSD, reps=0), "observable": obs}, None, None, True, *inv),
        ("uccsd beyond the gate limit", {"ansatz": {"type": "uccsd", "num_qubits": 62,
                                                    "num_electrons": 30, "reps": 200},
                                         "observable": [["Z0", 1.0]]},
         None, None, False, "RESOURCE_LIMIT", 3),
        ("exact_sector without num_electrons", {"ansatz": SMALL_ANSATZ, "observable": obs},
         {"exact_sector": {"sz": 0}}, None, True, *inv),
        ("exact_sector sz not a half-integer", {"ansatz": SMALL_ANSATZ, "observable": obs},
         {"exact_sector": {"num_electrons": 1, "sz": 0.25}}, None, True, *inv),
        ("exact_sector sz of the wrong parity", {"ansatz": SMALL_ANSATZ, "observable": obs},
         {"exact_sector": {"num_electrons": 1, "sz": 0}}, None, False, *inv),
        ("exact_sector spin_ordering without sz", {"ansatz": SMALL_ANSATZ, "observable": obs},
         {"exact_sector": {"num_electrons": 1, "spin_ordering": "blocked"}}, None, True, *inv),
        ("exact_sector with exact_reference false", {"ansatz": SMALL_ANSATZ, "observable": obs},
         {"exact_sector": {"num_electrons": 1}, "exact_reference": False}, None, True, *inv),
        ("exact_sector with task qaoa", {"problem": MAXCUT},
         {"task": "qaoa", "exact_sector": {"num_electrons": 1}}, None, True, *inv),
        ("exact_sector more electrons than qubits", {"ansatz": SMALL_ANSATZ, "observable": obs},
         {"exact_sector": {"num_electrons": 3}}, None, False, *inv),
        ("50 qubits exceed memory", {"ansatz": dict(SMALL_ANSATZ, num_qubits=50),
                                     "observable": [["Z0", 1.0]]},
         None, None, False, "RESOURCE_LIMIT", 3),
    ]


def run_all(binary, shared, dirs):
    """Runs vqsim on every directory, as many at once as there are cores."""
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        return list(pool.map(lambda d: run_vqsim(binary, shared, d), dirs))


def check_option_runs(spec, binary, shared, tmp):
    cases = []
    for i, (name, data, params) in enumerate(coverage_cases(spec)):
        errors = named_errors(spec, "inputData", data) + \
            named_errors(spec, "inputParams", {} if params is None else params)
        if errors:
            report(False, f"spec accepts option run: {name}", "\n".join(errors))
        else:
            cases.append((name, data, params, write_case(tmp, f"opt{i}", data, params)))
    for (name, data, params, _), run in zip(cases, run_all(binary, shared, [c[3] for c in cases])):
        ok = run.rc == 0 and not run.problems
        extra = result_consistency(run.result, data, params) if ok else []
        report(ok and not extra, f"option runs: {name}", "\n".join(extra) if ok else run.explain())


def check_bad_inputs(spec, binary, shared, tmp):
    cases = bad_cases()
    dirs = [write_case(tmp, f"bad{i}", data, params, raw)
            for i, (_, data, params, raw, *_) in enumerate(cases)]
    runs = run_all(binary, shared, dirs)
    for (name, data, params, raw, schema_sees, code, want_rc), run in zip(cases, runs):
        if schema_sees is not None:
            errors = named_errors(spec, "inputData", data)
            if params is not None:
                errors += named_errors(spec, "inputParams", params)
            if schema_sees and not errors:
                report(False, f"spec rejects bad input: {name}", "the schemas accept it")
            elif not schema_sees and errors:
                report(False, f"spec accepts schema-valid input: {name}", "\n".join(errors))
        got = (run.result or {}).get("code")
        ok = run.rc == want_rc and not run.problems and got == code
        report(ok, f"bad input exits {want_rc} with {code}: {name}",
               "" if ok else f"code {got!r}\n" + run.explain())


def check_output(spec, shared, stdout, rc):
    """planqk_stdout.py's verdict on a captured stdout: (summary, problems)."""
    checker = subprocess.run(
        [sys.executable, str(shared / "tools" / "planqk_stdout.py"), "--spec", str(SPEC_PATH),
         "--exit-code", str(rc), "--json"],
        input=stdout, capture_output=True, text=True)
    try:
        summary = json.loads(checker.stdout)
        return summary, summary.get("problems", [])
    except ValueError:
        return None, [f"planqk_stdout.py failed: {checker.stderr.strip()[-500:]}"]


# A run that never converges on its own: sampled energies keep SPSA's last energies apart.
ENDLESS_DATA = {"ansatz": dict(SMALL_ANSATZ, num_qubits=4, layers=3), "observable": SMALL_OBSERVABLE}
ENDLESS_PARAMS = {"optimizer": "spsa", "shots": 50, "tolerance": 1e-300,
                  "max_iterations": 10000000, "seed": 1}


def check_time_limit(spec, binary, shared, tmp):
    d = write_case(tmp, "time-limit", ENDLESS_DATA, dict(ENDLESS_PARAMS, max_seconds=1.5))
    run = run_vqsim(binary, shared, d)
    ok = run.rc == 0 and not run.problems
    extra = []
    if ok:
        r = run.result["result"]
        if r["stop_reason"] != "time_limit":
            extra.append(f"stop_reason {r['stop_reason']!r}, expected 'time_limit'")
        extra += result_consistency(run.result, ENDLESS_DATA)
    report(ok and not extra, "max_seconds stops the optimizer with stop_reason time_limit",
           "\n".join(extra) if ok else run.explain())


def check_cancel(spec, binary, shared, tmp):
    """SIGTERM (what PUT /{id}/cancel does to the container) after the first interim result."""
    d = write_case(tmp, "cancel", ENDLESS_DATA, dict(ENDLESS_PARAMS, max_seconds=120))
    name = "SIGTERM cancels: exit 4, CANCELLED with the best result so far"
    proc = subprocess.Popen([str(binary), "--input", str(d)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    first = proc.stdout.readline()  # the first interim result: the optimizer is running
    proc.send_signal(signal.SIGTERM)
    try:
        rest, err = proc.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        report(False, name, f"no exit within {RUN_TIMEOUT} s of SIGTERM")
        return
    summary, problems = check_output(spec, shared, first + rest, proc.returncode)
    result = (summary or {}).get("result") or {}
    if proc.returncode != 4:
        problems.append(f"exit code {proc.returncode}, expected 4")
    if result.get("code") != "CANCELLED":
        problems.append(f"code {result.get('code')!r}, expected 'CANCELLED'")
    elif result.get("result", {}).get("stop_reason") != "cancelled":
        problems.append(f"stop_reason {result.get('result', {}).get('stop_reason')!r}, "
                        "expected 'cancelled'")
    elif not problems:
        problems += result_consistency(result, ENDLESS_DATA)
    report(not problems, name, "\n".join(problems + ["stderr (tail):"] +
                                          err.strip().splitlines()[-5:]) if problems else "")


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    build_dir = Path(sys.argv[1]).resolve()
    binary = build_dir / "vqsim"

    spec = load_spec()
    check_openapi_valid()
    check_template(spec)
    check_examples(spec)
    check_schemas_strict(spec)

    dirs = input_dirs()
    report(bool(dirs), "input/data.json exists", "no input/data.json: nothing to run")
    for d in dirs:
        check_input_files(spec, d)

    shared = find_shared()
    if not binary.is_file() or not os.access(binary, os.X_OK):
        report(False, f"{binary} exists", "build vqsim first (cmake --build BUILD_DIR)")
    elif shared is None:
        report(False, "shared/tools/planqk_stdout.py found",
               "looked beside the git top level and beside the repository "
               "(set VQSIM_SHARED_DIR to override)")
    else:
        for d in dirs:
            check_good_run(spec, binary, shared, d, f"vqsim --input {d.relative_to(ROOT)} keeps the "
                           "PlanQK contract")
        with tempfile.TemporaryDirectory(prefix="vqsim-spec-") as tmp:
            check_spec_examples_run(spec, binary, shared, tmp)
            check_option_runs(spec, binary, shared, tmp)
            check_bad_inputs(spec, binary, shared, tmp)
            check_time_limit(spec, binary, shared, tmp)
            check_cancel(spec, binary, shared, tmp)

    print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
