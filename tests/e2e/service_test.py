#!/ usr / bin / env python3
"""End-to-end tests of the vqsim binary: real inputs in, stdout read as the PlanQK runtime reads it.

For every job folder (input/ and examples/*/) the binary's stdout must keep the runtime contract
(shared/tools/planqk_stdout.py, strict, and against openapi-spec.yml when present) and report the
precision its params.json asks for; the H2 examples must reach their published FCI energy (within
float rounding for the single-precision one). Bad inputs must give an error result with the right code,
exit code and a detail naming the field.
"""
import argparse
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

FCI_H2 = -1.137270174625328  # tests/data/h2_sto3g_0.7414_jw.json (OpenFermion)

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def run(binary, input_dir, timeout=300):
    p = subprocess.run([binary, "--input", str(input_dir)], capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def contract(tool, spec, stdout, code):
    cmd = [sys.executable, str(tool), "--exit-code", str(code), "--json"]
    if spec:
        cmd += ["--spec", str(spec)]
    p = subprocess.run(cmd, input=stdout, capture_output=True, text=True)
    summary = json.loads(p.stdout) if p.stdout.strip().startswith("{") else {"problems": [p.stdout + p.stderr]}
    return p.returncode, summary


def write_job(root, name, data, params=None, raw_data=None):
    d = Path(root) / name
    d.mkdir()
    (d / "data.json").write_text(raw_data if raw_data is not None else json.dumps(data))
    if params is not None:
        (d / "params.json").write_text(params if isinstance(params, str) else json.dumps(params))
    return d


H2_TERMS = json.loads(Path(__file__).resolve().parents[1].joinpath("data/h2_sto3g_0.7414_jw.json").read_text())["terms"]
UCCSD_H2 = {"type": "uccsd", "num_qubits": 4, "num_electrons": 2}
GOOD = {
    "circuit": {"num_qubits": 2, "gates": [{"gate": "ry", "qubits": [0], "params": ["t"]},
                                           {"gate": "cx", "qubits": [0, 1]}]},
    "observable": [["ZZ", 1.0], ["XI", 0.5]],
}


def with_gate(gate):
    d = json.loads(json.dumps(GOOD))
    d["circuit"]["gates"].append(gate)
    return d


# (name, data or raw text, params, expected code, expected exit code, substring of detail)
BAD = [
    ("missing_data", None, None, "INVALID_INPUT", 2, "data.json: not found"),
    ("malformed", '{"circuit": {"num_qubits": 2,,}}', None, "INVALID_INPUT", 2, "line 1, column 30"),
    ("qubit_range", with_gate({"gate": "cx", "qubits": [0, 7]}), None, "INVALID_INPUT", 2,
     "data.circuit.gates[2].qubits[1]: qubit 7 is out of range for 2 qubits"),
    ("unknown_gate", with_gate({"gate": "rxy", "qubits": [0]}), None, "INVALID_INPUT", 2,
     "data.circuit.gates[2].gate: unknown gate 'rxy'"),
    ("non_affine", with_gate({"gate": "rz", "qubits": [0], "params": ["t*t"]}), None, "INVALID_INPUT", 2,
     "not affine"),
    ("typo_key", dict(GOOD, observabel=[]), None, "INVALID_INPUT", 2, "did you mean 'observable'"),
    ("params_typo", GOOD, {"optimzer": "adam"}, "INVALID_INPUT", 2, "params.optimzer: unknown key, did you mean 'optimizer'"),
    ("non_hermitian", dict(GOOD, observable=[["ZZ", [1.0, 0.5]]]), None, "INVALID_INPUT", 2, "Hermitian"),
    ("wrong_type", dict(GOOD, circuit=dict(GOOD["circuit"], num_qubits="two")), None, "INVALID_INPUT", 2,
     "data.circuit.num_qubits: expected an integer"),
    ("huge", dict(GOOD, circuit=dict(GOOD["circuit"], num_qubits=50), observable=[["Z0 Z49", 1.0]]), None, "RESOURCE_LIMIT", 3, "needs"),
    ("nan_param", GOOD, '{"initial_parameters": [NaN]}', "INVALID_INPUT", 2, "params.json: malformed JSON"),
    ("label_length", dict(GOOD, observable=[["ZZZ", 1.0]]), None, "INVALID_INPUT", 2,
     "data.observable[0][0]: label 'ZZZ': dense label has 3 characters for 2 qubits"),
    ("deep_nesting", "[" * 100000 + "]" * 100000, None, "INVALID_INPUT", 2, "data.json: nested deeper than 64 levels"),
    ("number_overflow", '{"circuit": {"num_qubits": 1, "gates": []}, "observable": [["Z", 1e999]]}', None,
     "INVALID_INPUT", 2, "data.json: number overflow parsing '1e999'"),
    ("huge_file", " " * (100 << 20), None, "RESOURCE_LIMIT", 3, "data.json: the file has 104857600 bytes"),
    ("empty_params_file", GOOD, "", None, 0, None),
    ("task_key_mismatch", GOOD, {"layers": 2}, "INVALID_INPUT", 2, "params.layers: is not used by task 'vqe'"),
    ("maxcut_self_loop", {"problem": {"type": "maxcut", "graph": {"num_nodes": 3, "edges": [[0, 0]]}}}, None,
     "INVALID_INPUT", 2, "data.problem.graph.edges[0]: a self-loop on node 0 cuts nothing"),
    ("simulate_missing_parameters", {"circuit": GOOD["circuit"]}, None, "INVALID_INPUT", 2,
     "params: missing key 'parameters'"),
    ("statevector_too_large", {"circuit": {"num_qubits": 20, "gates": []}},
     {"outputs": ["statevector"]}, "INVALID_INPUT", 2, "the statevector output is limited to 16 qubits"),
    ("shots_with_lbfgs", GOOD, {"shots": 100}, "INVALID_INPUT", 2, "finite-shot energies need a derivative-free"),
    ("bad_precision", GOOD, {"precision": "half"}, "INVALID_INPUT", 2,
     "params.precision: 'half' is not one of double, single"),
    ("uccsd_odd_electrons", {"ansatz": UCCSD_H2 | {"num_electrons": 3}, "observable": H2_TERMS}, None,
     "INVALID_INPUT", 2, "data.ansatz.num_electrons: 3 electrons is odd: give num_alpha and num_beta"),
    ("uccsd_odd_qubits", {"ansatz": UCCSD_H2 | {"num_qubits": 5}, "observable": [["Z0", 1.0]]}, None,
     "INVALID_INPUT", 2, "data.ansatz.num_qubits: 5 is odd"),
    ("uccsd_hea_key", {"ansatz": UCCSD_H2 | {"layers": 2}, "observable": H2_TERMS}, None, "INVALID_INPUT", 2,
     "data.ansatz.layers: is a key of ansatz type 'hardware_efficient', not 'uccsd'"),
    ("uccsd_too_many_gates", {"ansatz": {"type": "uccsd", "num_qubits": 62, "num_electrons": 30, "reps": 200},
                              "observable": [["Z0", 1.0]]}, None, "RESOURCE_LIMIT", 3,
     "data.ansatz: this ansatz has 132672030 gates"),
    ("exact_sector_bad_sz", {"ansatz": UCCSD_H2, "observable": H2_TERMS},
     {"exact_sector": {"num_electrons": 2, "sz": 0.5}}, "INVALID_INPUT", 2,
     "params.exact_sector.sz: 0.5 with 2 electrons: num_electrons + 2 sz must be even"),
    ("exact_sector_without_reference", GOOD, {"exact_reference": False, "exact_sector": {"num_electrons": 1}},
     "INVALID_INPUT", 2, "params.exact_sector: has no effect with exact_reference false"),
]

# A job that runs until stopped: SPSA on a 12-qubit transverse-field Ising chain.
N_LONG = 12
LONG = {
    "ansatz": {"type": "hardware_efficient", "num_qubits": N_LONG, "layers": 3},
    "observable": [[f"Z{i} Z{i + 1}", -1.0] for i in range(N_LONG - 1)] + [[f"X{i}", -1.0] for i in range(N_LONG)],
}
LONG_PARAMS = {"optimizer": "spsa", "max_iterations": 10000000}


def check_stops(binary, tool, spec, tmp):
    """The time limit and a cancelling SIGTERM both hand back the best result so far."""
    d = write_job(tmp, "time_limit", LONG, dict(LONG_PARAMS, max_seconds=1.0))
    code, out, err = run(binary, d)
    rc, summary = contract(tool, spec, out, code)
    result = (summary.get("result") or {}).get("result", {})
    check(code == 0 and rc == 0, f"time limit: exit 0 and the contract holds {summary.get('problems')}")
    check(result.get("stop_reason") == "time_limit", f"time limit: stop_reason time_limit ({result.get('stop_reason')})")

    d = write_job(tmp, "cancel", LONG, LONG_PARAMS)
    p = subprocess.Popen([binary, "--input", str(d)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    lines = []
    for line in p.stdout:  # wait for a few iterations, then cancel as the platform does
        lines.append(line)
        if len(lines) == 5:
            p.send_signal(signal.SIGTERM)
    code = p.wait(timeout=120)
    out = "".join(lines)
    rc, summary = contract(tool, spec, out, code)
    res = summary.get("result") or {}
    check(code == 4, f"cancel: exit code 4 (got {code})")
    check(rc == 0, f"cancel: the contract holds {summary.get('problems')}")
    check(res.get("code") == "CANCELLED", f"cancel: code CANCELLED (got {res.get('code')})")
    check(res.get("result", {}).get("stop_reason") == "cancelled", "cancel: the best result so far is attached")
    check(res.get("result", {}).get("iterations", 0) >= 5, "cancel: stopped after the iterations it had printed")



def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--repo", required=True)
    args = ap.parse_args()
    repo = Path(args.repo).resolve()
    tool = repo.parent / "shared" / "tools" / "planqk_stdout.py"
    if not tool.exists():
        print(f"SKIP: {tool} not found (the shared tools sit beside the repository in CI)")
        return 77
    spec = repo / "openapi-spec.yml"
    spec = spec if spec.exists() else None

    jobs = [repo / "input"] + sorted(p for p in (repo / "examples").glob("*") if (p / "data.json").exists())
    for job in jobs:
        code, out, err = run(args.binary, job)
        check(code == 0, f"{job.name}: exit code 0 (got {code}; stderr: {err.strip()[-300:]})")
        rc, summary = contract(tool, spec, out, code)
        check(rc == 0, f"{job.name}: stdout keeps the PlanQK contract {summary.get('problems')}")
        check(all(marker not in err for marker in ("PlanQK:Job:",)), f"{job.name}: no marker in the logs")
        result = (summary.get("result") or {}).get("result", {})
        interims = summary.get("interim_results", [])
        if "iterations" in result:
            check(len(interims) == result["iterations"], f"{job.name}: one interim result per iteration")
        params = json.loads((job / "params.json").read_text() or "{}") if (job / "params.json").exists() else {}
        precision = ((summary.get("result") or {}).get("metadata") or {}).get("precision")
        check(precision == params.get("precision", "double"), f"{job.name}: metadata.precision {precision}")
        if job.name == "input":
            e = result.get("energy", math.nan)
            check(abs(e - FCI_H2) < 1e-6, f"input: H2 energy {e} within 1e-6 of FCI {FCI_H2}")
            check(abs(result.get("exact_energy", math.nan) - FCI_H2) < 1e-9, "input: exact reference is FCI")
        if job.name == "h2-uccsd":
            e = result.get("energy", math.nan)
            check(abs(e - FCI_H2) < 1e-8, f"{job.name}: H2 energy {e} within 1e-8 of FCI {FCI_H2}")
            check(result.get("exact_sector") == {"num_electrons": 2, "sz": 0},
                  f"{job.name}: exact_sector is the ansatz's (2 electrons, sz 0): {result.get('exact_sector')}")
            check(len(result.get("parameter_names", [])) == 3, f"{job.name}: 2 singles and 1 double")
        if job.name == "h2-hardware-efficient-single":
            e = result.get("energy", math.nan)
            check(abs(e - FCI_H2) < 1e-5, f"{job.name}: H2 energy {e} within 1e-5 of FCI {FCI_H2}")

    with tempfile.TemporaryDirectory() as tmp:
        for name, data, params, want_code, want_exit, want_detail in BAD:
            if data is None:
                d = Path(tmp) / name
                d.mkdir()
            elif isinstance(data, str):
                d = write_job(tmp, name, None, params, raw_data=data)
            else:
                d = write_job(tmp, name, data, params)
            code, out, err = run(args.binary, d)
            rc, summary = contract(tool, spec, out, code)
            res = summary.get("result") or {}
            check(code == want_exit, f"bad input {name}: exit code {want_exit} (got {code})")
            if want_code is None:  # not bad after all: it must simply succeed
                check(rc == 0, f"input {name}: output keeps the contract {summary.get('problems')}")
                continue
            check(rc == 0, f"bad input {name}: error output keeps the contract {summary.get('problems')}")
            check(res.get("code") == want_code, f"bad input {name}: code {want_code} (got {res.get('code')})")
            check(want_detail in res.get("detail", ""), f"bad input {name}: detail has '{want_detail}' "
                                                       f"(got {res.get('detail')!r})")

        check_stops(args.binary, tool, spec, tmp)

    print(f"{len(failures)} failed" if failures else "all end-to-end checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
