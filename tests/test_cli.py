"""The command line, run as a user runs it: a subprocess of the installed ``painloop`` command."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
import xarray as xr
import yaml

PAINLOOP = [sys.executable, "-m", "painloop.cli"]

SMALL = {"name": "small-test", "duration_days": 10, "cause": {"type": "trauma", "severity": 0.6, "onset_day": 1},
         "stress": {"baseline": 0.2}, "output": {"every_hours": 2}}


def painloop(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*PAINLOOP, *args], capture_output=True, text=True, cwd=cwd, timeout=600)


def write_yaml(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_version_and_help():
    r = painloop("--version")
    assert r.returncode == 0 and r.stdout.startswith("painloop ")
    for sub in ([], ["run"], ["params"], ["states"], ["scenarios"], ["causes"], ["loops"], ["sensitivity"], ["export"], ["export", "sbml"], ["app"]):
        h = painloop(*sub, "--help")
        assert h.returncode == 0, sub
        assert "Usage" in h.stdout


def test_scenarios_lists_the_builtins_with_the_default_first_described():
    r = painloop("scenarios")
    assert r.returncode == 0
    for name in ("default", "shingles-phn", "chemotherapy", "surgery", "sciatica-decompression"):
        assert name in r.stdout


def test_causes_lists_each_cause_with_its_parameters():
    r = painloop("causes")
    assert r.returncode == 0
    for text in ("diabetes", "shingles", "chemotherapy", "trauma", "compression", "dm_hba1c_ref", "hz_age_scale"):
        assert text in r.stdout


def test_params_csv_has_a_unit_and_source_for_every_parameter():
    r = painloop("params", "--format", "csv")
    assert r.returncode == 0
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert list(rows[0]) == ["name", "subsystem", "value", "unit", "source", "lower", "upper", "scale", "range_source"]
    assert len(rows) >= 60
    for row in rows:
        assert row["unit"].strip() and row["source"].strip(), row["name"]
        float(row["value"])
        if row["subsystem"] != "population":  # every model parameter lists its plausible range
            assert float(row["lower"]) <= float(row["value"]) <= float(row["upper"]), row["name"]
            assert row["scale"] in ("log", "linear") and row["range_source"].strip(), row["name"]


def test_states_csv_lists_every_state():
    r = painloop("states", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert r.returncode == 0 and list(rows[0]) == ["name", "subsystem", "unit", "initial", "lower", "upper", "meaning"]
    names = {row["name"] for row in rows}
    assert {"damage", "sens_central", "cortisol", "depression", "sleep_pressure", "pain_avg"} <= names


def test_run_writes_results_and_a_report_that_opens(tmp_path):
    scenario = write_yaml(tmp_path / "small.yaml", SMALL)
    out = tmp_path / "out"
    r = painloop("run", str(scenario), "--out", str(out), "--csv")
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == ["loops.csv", "report.html", "results.csv", "results.nc",
                                                     "results_columns.csv"]

    ds = xr.open_dataset(out / "results.nc")
    assert ds.sizes["time"] == 10 * 12
    assert ds["nrs"].attrs["units"] == "NRS 0-10"
    assert float(ds["damage"].max()) > 0.1, "the trauma on day 1 should damage the nerve"

    rows = list(csv.DictReader(io.StringIO((out / "results.csv").read_text())))
    assert list(rows[0])[:2] == ["patient", "time_days"] and {"nrs", "cortisol"} <= set(rows[0])
    assert len(rows) == ds.sizes["patient"] * ds.sizes["time"]

    html = (out / "report.html").read_text(encoding="utf-8")
    assert "not a medical device" in html and "Research and education only" in html
    assert html.count('class="plotly-graph-div"') >= 8
    assert "What carries the pain" in html
    assert "Pain intensity" in html and "24 h cortisol profile" in html and "Symptom profile" in html
    assert "small-test" in html and "k_csens_on" in html and "Sriram" in html
    assert not re.search(r"<script[^>]+src=[\"']https?://", html), "the report must work offline (plotly inlined)"


def test_run_same_scenario_twice_gives_identical_numbers(tmp_path):
    scenario = write_yaml(tmp_path / "small.yaml", SMALL)
    for name in ("a", "b"):
        assert painloop("run", str(scenario), "--out", str(tmp_path / name), "--no-report").returncode == 0
    a, b = xr.open_dataset(tmp_path / "a" / "results.nc"), xr.open_dataset(tmp_path / "b" / "results.nc")
    assert (a["nrs"].values == b["nrs"].values).all()


BAD_FIELDS = [
    ("duration_days", {"duration_days": -5}, "duration_days"),
    ("cause.type", {"cause": {"type": "migraine"}}, "cause"),
    ("cause.severity", {"cause": {"type": "diabetes", "severity": 3}}, "cause.diabetes.severity"),
    ("cause.hba1c", {"cause": {"type": "diabetes", "hba1c": 30}}, "cause.diabetes.hba1c"),
    ("cause.age", {"cause": {"type": "shingles", "age": 5}}, "cause.shingles.age"),
    ("decompression", {"cause": {"type": "compression", "onset_day": 10, "decompression_day": 5}}, "decompression_day"),
    ("stress.baseline", {"stress": {"baseline": -1}}, "stress.baseline"),
    ("stress.schedule", {"stress": {"schedule": [{"day": 5, "level": 0.5}, {"day": 2, "level": 0.1}]}}, "stress.schedule"),
    ("sleep.hours_in_bed", {"sleep": {"hours_in_bed": 20}}, "sleep.hours_in_bed"),
    ("output.every_hours", {"output": {"every_hours": 0}}, "output.every_hours"),
    ("params", {"params": {"no_such_param": 1.0}}, "no_such_param"),
    ("unknown field", {"duraton_days": 10}, "duraton_days"),
]


@pytest.mark.parametrize("label,change,expected", BAD_FIELDS, ids=[b[0] for b in BAD_FIELDS])
def test_bad_scenario_field_is_named_exit_2_and_nothing_written(tmp_path, label, change, expected):
    scenario = write_yaml(tmp_path / "bad.yaml", {**SMALL, **change})
    out = tmp_path / "out"
    r = painloop("run", str(scenario), "--out", str(out))
    assert r.returncode == 2, r.stderr
    assert expected in r.stderr
    assert "Traceback" not in r.stderr
    assert not out.exists()
    assert not any(p.name.startswith(".out-") for p in tmp_path.iterdir())


def test_unreadable_scenarios_get_clear_errors(tmp_path):
    cases = {"missing.yaml": None, "broken.yaml": "cause: [unclosed", "list.yaml": "- 1\n- 2\n"}
    for name, text in cases.items():
        path = tmp_path / name
        if text is not None:
            path.write_text(text)
        r = painloop("run", str(path), "--out", str(tmp_path / "o"))
        assert r.returncode == 2 and "error" in r.stderr.lower() and "Traceback" not in r.stderr, name
    latin = tmp_path / "latin1.yaml"
    latin.write_bytes("name: caf\xe9\n".encode("latin-1"))
    r = painloop("run", str(latin), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "UTF-8" in r.stderr
    assert not (tmp_path / "o").exists()


def test_out_that_is_a_file_is_refused_and_left_intact(tmp_path):
    existing = tmp_path / "notes.txt"
    existing.write_text("keep me")
    r = painloop("run", "--scenario", "healthy", "--out", str(existing))
    assert r.returncode == 2 and "--out" in r.stderr
    assert existing.read_text() == "keep me"


def test_loops_command_reports_each_loop_direction(tmp_path):
    scenario = write_yaml(tmp_path / "small.yaml", {**SMALL, "duration_days": 40})
    r = painloop("loops", str(scenario), "--format", "csv")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [row["loop"] for row in rows][:2] == ["loop_stress_to_pain", "loop_pain_to_stress"]
    assert float(rows[0]["delta_nrs"]) > 0


def test_export_sbml_and_antimony_as_a_user_runs_them(tmp_path):
    import libsbml

    r = painloop("export", "sbml", "--scenario", "surgery", "--out", str(tmp_path / "model.xml"))
    assert r.returncode == 0, r.stderr
    assert "0 errors" in r.stdout
    doc = libsbml.readSBMLFromFile(str(tmp_path / "model.xml"))
    assert doc.getLevel() == 3 and doc.getVersion() == 2
    assert doc.getModel().getParameter("sens_central") is not None
    r = painloop("export", "antimony", "--scenario", "surgery", "--out", str(tmp_path / "model.ant"))
    assert r.returncode == 0, r.stderr
    assert "sens_central' =" in (tmp_path / "model.ant").read_text()
    r = painloop("export", "sbml", "--scenario", "nope", "--out", str(tmp_path / "x.xml"))
    assert r.returncode == 2 and not (tmp_path / "x.xml").exists()


def test_run_takes_at_most_one_scenario(tmp_path):
    scenario = write_yaml(tmp_path / "s.yaml", SMALL)
    r = painloop("run", str(scenario), "--scenario", "healthy", "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "not both" in r.stderr and not (tmp_path / "o").exists()
    r = painloop("run", "--scenario", "nope", "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "default" in r.stderr


@pytest.mark.parametrize("table", ["params", "states"])
def test_docs_tables_are_generated_from_the_code(table):
    """docs/parameters.md and docs/states.md equal what the CLI prints (regenerate with `make docs`)."""
    doc = Path(__file__).parent.parent / "docs" / ("parameters.md" if table == "params" else "states.md")
    r = painloop(table, "--format", "markdown")
    assert r.returncode == 0
    assert doc.read_text(encoding="utf-8") == r.stdout, f"run `make docs` to regenerate {doc.name}"
