"""The bad-input catalogue (tests/data/bad_inputs.yaml): every case is refused cleanly.

For each case: exit status 2, a message naming the expected field, no Python
traceback, no hang (time limit), no abort, and nothing written (the folder
of the case holds exactly the input files afterwards: no --out, no
temporary, no lock). Most cases run in-process through the command line's
one entry point (:func:`painloop.cli.main`, as the ``painloop`` command
runs), a sample runs as subprocesses exactly as a user runs the command.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import yaml

CATALOGUE = Path(__file__).parent / "data" / "bad_inputs.yaml"
CASES: list[dict] = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
TIME_LIMIT_S = 120
SMALL = {"name": "small-test", "duration_days": 10, "cause": {"type": "trauma", "severity": 0.6, "onset_day": 1},
         "stress": {"baseline": 0.2}, "output": {"every_hours": 2}}
TINY = {"name": "tiny", "seed": 1, "duration_weeks": 1, "run_in_days": 7, "screen_factor": 2.0,
        "population": {"history_years": 0.5}, "endpoints": {"bootstrap": 100},
        "arms": [{"name": "placebo", "placebo": True, "n": 4},
                 {"name": "dulox", "n": 4, "treatments": ["duloxetine 60 mg qd from day 0"]}]}
SUBPROCESS_SAMPLE = ["param-inf", "daily-max-q1h", "clock-minute", "oral-as-patches", "every-tiny-memory",
                     "scenario-is-directory", "out-below-file", "sbml-out-directory", "overrides-severity-negative",
                     "overrides-hba1c-nan", "design-not-utf8", "trial-memory", "fhir-deep-nesting",
                     "diary-span-0001-9999", "whatif-dose-huge", "whatif-start-late", "option-unknown"]


def _merge(base: dict, change: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in change.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _fake_twin(directory: Path) -> None:
    """A stored twin with the fields ``twin whatif`` reads before it forecasts (changes are checked first)."""
    from painloop.model import system
    from painloop.twin.store import TWIN_TITLE

    directory.mkdir()
    ds = xr.Dataset({"theta_draws": (("draw", "personal"), np.zeros((4, 5))),
                     "state_end": (("draw", "state"), np.tile(np.asarray(system.initial_state()), (4, 1)))},
                    attrs={"title": TWIN_TITLE, "regimen": "[]", "usual_bed_h": 8.0, "usual_stress": 0.2,
                           "n_days": 30})
    ds.to_netcdf(directory / "twin.nc", engine="netcdf4")


def _generate(kind: str, tmp: Path) -> None:
    if kind == "deep_yaml":
        (tmp / "deep.yaml").write_text("name: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    elif kind == "deep_json":
        (tmp / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    elif kind == "long_diary":
        days = np.datetime64("1901-01-01") + np.arange(100_000)
        (tmp / "long.csv").write_text("date,pain\n" + "".join(f"{d},5\n" for d in days.astype(str)), encoding="utf-8")
    else:
        raise KeyError(kind)


def prepare(case: dict, tmp: Path) -> list[str]:
    """Write the case's inputs into ``tmp``; return its command line with the placeholders filled."""
    (tmp / "adir").mkdir()
    (tmp / "afile.txt").write_text("a regular file\n", encoding="utf-8")
    if "scenario" in case:
        (tmp / "scenario.yaml").write_text(yaml.safe_dump(_merge(SMALL, case["scenario"])), encoding="utf-8")
    else:
        (tmp / "scenario.yaml").write_text(yaml.safe_dump(SMALL), encoding="utf-8")
    (tmp / "design.yaml").write_text(yaml.safe_dump(_merge(TINY, case.get("design", {}))), encoding="utf-8")
    (tmp / "diary.csv").write_text(case.get("diary", "date,pain\n"), encoding="utf-8")
    for name, text in case.get("write", {}).items():
        (tmp / name).write_bytes(text.encode("latin-1" if case.get("latin1") else "utf-8"))
    if "generate" in case:
        _generate(case["generate"], tmp)
    if "twin" in " ".join(case["args"]):
        _fake_twin(tmp / "twin")
    if case.get("out") == "foreign":
        (tmp / "out").mkdir()
        (tmp / "out" / "thesis.docx").write_text("not painloop's\n", encoding="utf-8")
    fill = {"{scenario}": tmp / "scenario.yaml", "{design}": tmp / "design.yaml", "{diary}": tmp / "diary.csv",
            "{twin}": tmp / "twin", "{out}": tmp / "out", "{dir}": tmp / "adir", "{file}": tmp / "afile.txt",
            "{tmp}": tmp}
    args = []
    for a in case["args"]:
        for key, value in fill.items():
            a = a.replace(key, str(value))
        args.append(a)
    return args


def snapshot(tmp: Path) -> dict[str, tuple[int, int]]:
    """Every path below ``tmp`` with its size and modification time (to see anything written or changed)."""
    out = {}
    for root, dirs, files in os.walk(tmp):
        for name in dirs + files:
            p = Path(root) / name
            st = p.lstat()
            out[str(p.relative_to(tmp))] = (st.st_size if p.is_file() else -1, st.st_mtime_ns)
    return out


class _Hang(Exception):
    pass


def _alarm(signum, frame):
    raise _Hang()


def run_in_process(args: list[str]) -> tuple[int, str]:
    """Run ``painloop ARGS`` through :func:`painloop.cli.main` in this process; (exit status, stdout + stderr)."""
    from painloop.cli import main

    buf_out, buf_err = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIME_LIMIT_S)
    try:
        with contextlib.redirect_stdout(buf_out), contextlib.redirect_stderr(buf_err):
            try:
                main(args)
                code = 0
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else 1
    except _Hang:
        code = -999
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return code, buf_out.getvalue() + buf_err.getvalue()


def check(case: dict, code: int, text: str, before: dict, after: dict) -> list[str]:
    """What is wrong with a case's outcome (empty: refused cleanly)."""
    problems = []
    if code == -999:
        problems.append(f"hang: no answer within {TIME_LIMIT_S} s")
    elif code < 0:
        problems.append(f"abort: killed by signal {-code}")
    elif code == 0:
        problems.append("accepted (exit 0)")
    elif code != 2:
        problems.append(f"exit status {code}, expected 2")
    if "Traceback" in text:
        problems.append("Python traceback shown")
    if case["expect"].lower() not in " ".join(text.lower().split()) and \
            "".join(case["expect"].lower().split()) not in "".join(text.lower().split()):  # rich wraps long paths
        problems.append(f"message does not mention {case['expect']!r}")
    if after != before:
        changed = sorted(set(after) ^ set(before) | {k for k in after if k in before and after[k] != before[k]})
        problems.append(f"files written or changed: {changed}")
    return problems


def test_catalogue_has_at_least_100_distinct_cases():
    ids = [c["id"] for c in CASES]
    assert len(ids) >= 100 and len(set(ids)) == len(ids)
    assert all(c.get("expect") and c.get("args") for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_input_is_refused_cleanly(case, tmp_path):
    args = prepare(case, tmp_path)
    before = snapshot(tmp_path)
    code, text = run_in_process(args)
    problems = check(case, code, text, before, snapshot(tmp_path))
    assert not problems, f"{case['id']}: {problems}\n{text[-2000:]}"


@pytest.mark.parametrize("case_id", SUBPROCESS_SAMPLE)
def test_bad_input_refused_by_the_command(case_id, tmp_path):
    case = next(c for c in CASES if c["id"] == case_id)
    args = prepare(case, tmp_path)
    before = snapshot(tmp_path)
    try:
        r = subprocess.run([sys.executable, "-m", "painloop.cli", *args], capture_output=True, text=True,
                           timeout=TIME_LIMIT_S, cwd=tmp_path)
        code, text = r.returncode, r.stdout + r.stderr
    except subprocess.TimeoutExpired:
        code, text = -999, ""
    problems = check(case, code, text, before, snapshot(tmp_path))
    assert not problems, f"{case_id}: {problems}\n{text[-2000:]}"


def test_internal_error_is_short_exit_1_and_debug_shows_the_traceback(tmp_path, monkeypatch):
    """A failure that is not bad input: one line and exit 1; with --debug the traceback."""
    import sys

    import painloop.scenario  # noqa: F401  (the package attribute is the API function; patch the module itself)
    scenario_pkg = sys.modules["painloop.scenario"]

    def broken(name):
        raise ZeroDivisionError("simulated bug")

    monkeypatch.setattr(scenario_pkg, "builtin", broken)
    code, text = run_in_process(["run", "--scenario", "default", "--out", str(tmp_path / "o")])
    assert code == 1 and "internal error" in text and "ZeroDivisionError" in text and "Traceback" not in text
    assert "--debug" in text
    code, text = run_in_process(["--debug", "run", "--scenario", "default", "--out", str(tmp_path / "o")])
    assert code == 1 and "Traceback" in text and "simulated bug" in text
    assert not (tmp_path / "o").exists()


def test_user_message_hides_package_paths():
    from painloop.errors import user_message

    root = str(Path(__import__("painloop").__file__).resolve().parent)
    msg = user_message(RuntimeError(f"failed in {root}/simulate/_engine.py line 3"))
    assert root not in msg and "<painloop>" in msg and msg.startswith("internal error")


def test_catalogue_case_json_parses():
    """The FHIR cases' inline JSON is valid JSON where it is meant to be (guards the catalogue itself)."""
    for c in CASES:
        for name, text in c.get("write", {}).items():
            if name.endswith(".json") and c["id"] != "fhir-invalid-json":
                json.loads(text)


def test_app_server_sends_no_error_details_to_the_browser():
    """Streamlit's error details (types, messages, tracebacks with server paths) stay on the server console."""
    from painloop.app.launch import command

    cmd = command(8501)
    assert cmd[cmd.index("--client.showErrorDetails") + 1] == "none"
    src = (Path(__import__("painloop").__file__).parent / "app" / "main.py").read_text(encoding="utf-8")
    assert "user_message(e)" in src
