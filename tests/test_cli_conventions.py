"""Command-line conventions, run as a user runs them (subprocesses): defaults, complete listings, formats,
--set/--treat/--vars/--every, compare."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import xarray as xr
import yaml

PAINLOOP = [sys.executable, "-m", "painloop.cli"]
SMALL = {"name": "small-conv", "duration_days": 20, "cause": {"type": "trauma", "severity": 0.6, "onset_day": 1},
         "stress": {"baseline": 0.2, "schedule": [{"day": 5, "level": 0.8}]}, "output": {"every_hours": 3}}


def painloop(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*PAINLOOP, *args], capture_output=True, text=True, cwd=cwd, timeout=600)


def small(tmp_path: Path, **changes) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump({**SMALL, **changes}), encoding="utf-8")
    return path


def test_the_command_line_imports_no_numerical_engine():
    """--help stays fast because neither JAX nor numba nor xarray is imported with the command line."""
    code = "import sys, painloop.cli; print(sorted(m for m in ('jax', 'numba', 'xarray', 'diffrax') if m in sys.modules))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


@pytest.mark.parametrize("listing", ["treatments", "params", "states", "causes", "scenarios"])
def test_piped_table_holds_every_cell_in_full(listing):
    """Piped (not a terminal), the table prints one complete line per row: every CSV cell appears untruncated."""
    table = painloop(listing)
    as_csv = painloop(listing, "--format", "csv")
    assert table.returncode == 0 and as_csv.returncode == 0, table.stderr + as_csv.stderr
    assert "…" not in table.stdout
    lines = table.stdout.splitlines()
    for row in csv.DictReader(io.StringIO(as_csv.stdout)):
        first = next(iter(row.values()))
        matching = [ln for ln in lines if ln.startswith(first + " ") or ln == first]
        assert matching, f"{listing}: no line for {first!r}"
        assert any(all(str(v) in ln for v in row.values() if v and not _is_number(v)) for ln in matching), (listing, row)


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def test_grep_finds_gabapentins_full_line():
    r = subprocess.run(" ".join(PAINLOOP) + " treatments | grep gabapentin", shell=True, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    line = next(ln for ln in r.stdout.splitlines() if ln.startswith("gabapentin"))
    assert "saturable absorption" in line and "gabapentin_km=" in line and "Neurontin label" in line


@pytest.mark.parametrize("listing", ["treatments", "params", "states", "causes", "scenarios"])
def test_json_format_matches_csv(listing):
    j = painloop(listing, "--format", "json")
    c = painloop(listing, "--format", "csv")
    rows = json.loads(j.stdout)
    csv_rows = list(csv.DictReader(io.StringIO(c.stdout)))
    assert len(rows) == len(csv_rows) > 0
    assert list(rows[0]) == list(csv_rows[0])


def test_treat_accepts_a_therapy_and_a_drug_and_set_changes_a_parameter(tmp_path):
    out = tmp_path / "out"
    r = painloop("run", str(small(tmp_path)), "--out", str(out), "--no-report", "--treat", "cbt from day 14",
                 "--treat", "duloxetine 60 mg qd from day 3", "--set", "k_csens_on=0.0004", "--vars",
                 "nrs,cbt_skill", "--vars", "duloxetine_conc")
    assert r.returncode == 0, r.stderr
    with xr.open_dataset(out / "results.nc") as ds:
        assert sorted(ds.data_vars) == ["cbt_skill", "duloxetine_conc", "nrs", "solver_ok"]
        t = ds["time"].values
        skill = ds["cbt_skill"].isel(patient=0).values
        assert skill[t < 13.9].max() < 1e-9 and skill[t > 15].min() > 1e-3
        assert float(ds["duloxetine_conc"].isel(patient=0).values[t > 4].min()) > 0.0
        assert "cbt" in ds.attrs["treatments"] and "duloxetine" in ds.attrs["treatments"]
        assert yaml.safe_load(ds.attrs["scenario_yaml"])["params"]["k_csens_on"] == 0.0004


@pytest.mark.parametrize("option, expected", [
    (["--set", "no_such_param=1"], "unknown parameter 'no_such_param'"),
    (["--set", "k_csens_on=abc"], "is not a number"),
    (["--set", "k_csens_on"], "write NAME=VALUE"),
    (["--treat", "homeopathy from day 3"], "unknown drug or therapy 'homeopathy'"),
    (["--vars", "nrs,not_a_var"], "not_a_var"),
])
def test_bad_options_are_named_and_nothing_is_written(tmp_path, option, expected):
    out = tmp_path / "out"
    r = painloop("run", str(small(tmp_path)), "--out", str(out), "--no-report", *option)
    assert r.returncode == 2, r.stdout + r.stderr
    assert expected in r.stderr
    assert not out.exists()


def test_untreated_csv_leaves_out_constant_drug_compartments_and_every_sets_the_interval(tmp_path):
    out = tmp_path / "out"
    r = painloop("run", str(small(tmp_path)), "--out", str(out), "--no-report", "--csv", "--every", "6")
    assert r.returncode == 0, r.stderr
    with open(out / "results.csv", newline="") as f:
        reader = csv.DictReader(f)
        names, rows = list(reader.fieldnames or []), list(reader)
    assert "nrs" in names and "cortisol" in names
    assert not any(n.startswith(("duloxetine", "pregabalin", "oxycodone", "tx_")) for n in names), sorted(names)
    times = [float(row["time_days"]) for row in rows]
    assert times[1] - times[0] == pytest.approx(0.25)
    with open(out / "results_columns.csv", newline="") as f:
        left_out = {row["column"]: row for row in csv.DictReader(f) if row["in_results_csv"] == "False"}
    assert float(left_out["duloxetine_conc"]["constant_value"]) == 0.0 and left_out["duloxetine_conc"]["unit"]
    with xr.open_dataset(out / "results.nc") as ds:  # the NetCDF keeps every variable
        assert "duloxetine_conc" in ds


def test_results_csv_is_wide_one_row_per_patient_and_time_with_units_beside_it(tmp_path):
    """results.csv: patient, time_days, then one column per variable; results_columns.csv gives each unit."""
    out = tmp_path / "out"
    r = painloop("run", str(small(tmp_path)), "--out", str(out), "--no-report", "--csv")
    assert r.returncode == 0, r.stderr
    with open(out / "results.csv", newline="") as f:
        reader = csv.reader(f)
        header, rows = next(reader), list(reader)
    with open(out / "results_columns.csv", newline="") as f:
        columns = list(csv.DictReader(f))
    with xr.open_dataset(out / "results.nc") as ds:
        n_patients, times = ds.sizes["patient"], ds["time"].values
        nrs, cortisol = ds["nrs"].values, ds["cortisol"].values
        units = {name: ds[name].attrs.get("units", "") for name in ds.data_vars}
    assert header[:2] == ["patient", "time_days"] and "variable" not in header and "value" not in header
    assert len(header) == len(set(header)) > 40
    assert len(rows) == n_patients * times.size and all(len(row) == len(header) for row in rows)
    assert [float(row[1]) for row in rows] == pytest.approx(times.tolist(), abs=1e-9)
    col = {name: header.index(name) for name in ("nrs", "cortisol")}
    assert [float(row[col["nrs"]]) for row in rows] == pytest.approx(nrs[0].tolist(), rel=1e-5, abs=1e-6)
    assert [float(row[col["cortisol"]]) for row in rows] == pytest.approx(cortisol[0].tolist(), rel=1e-5, abs=1e-6)
    in_csv = [row for row in columns if row["in_results_csv"] == "True"]
    assert [row["column"] for row in in_csv] == header, "results_columns.csv lists the CSV's columns in order"
    by_name = {row["column"]: row for row in in_csv}
    assert by_name["nrs"]["unit"] == units["nrs"] == "NRS 0-10" and by_name["time_days"]["unit"] == "days"
    assert all(by_name[name]["unit"] == units[name] for name in header[2:])


def test_vars_choose_the_columns_of_results_csv(tmp_path):
    out = tmp_path / "out"
    r = painloop("run", str(small(tmp_path)), "--out", str(out), "--no-report", "--csv", "--vars", "nrs,cortisol",
                 "--every", "12")
    assert r.returncode == 0, r.stderr
    with open(out / "results.csv", newline="") as f:
        reader = csv.reader(f)
        header, rows = next(reader), list(reader)
    assert header == ["patient", "time_days", "nrs", "cortisol"]
    assert len(rows) == 20 * 2 and float(rows[1][1]) - float(rows[0][1]) == pytest.approx(0.5)


def test_run_alone_writes_the_default_scenario_into_out_default(tmp_path):
    r = painloop("run", "--days", "2", "--no-report", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in (tmp_path / "out" / "default").iterdir()) == ["results.nc"]
    with xr.open_dataset(tmp_path / "out" / "default" / "results.nc") as ds:
        assert "default" in ds.attrs["title"] and float(ds["time"].values[-1]) < 2.0


def test_compare_two_scenarios_side_by_side(tmp_path):
    a = small(tmp_path)
    b = tmp_path / "calm.yaml"
    b.write_text(yaml.safe_dump({**SMALL, "name": "calm", "stress": {"baseline": 0.0}}), encoding="utf-8")
    out = tmp_path / "cmp"
    r = painloop("compare", str(a), str(b), "--out", str(out), "--format", "csv")
    assert r.returncode == 0, r.stderr
    rows = {row["measure"]: row for row in csv.DictReader(io.StringIO(r.stdout))}
    pain = rows["pain NRS (0-10)"]
    assert float(pain["last week B - A"]) < 0.0  # less stress, less pain
    assert float(pain["last week B - A"]) == pytest.approx(float(pain["calm last week"]) -
                                                           float(pain["small-conv last week"]), abs=2e-3)
    page = (out / "compare.html").read_text(encoding="utf-8")
    assert page.count('"name":"calm"') >= 7 and page.count('"name":"small-conv"') >= 7  # one pair of lines per measure
    assert (out / "summary.csv").is_file()


@pytest.mark.skipif(__import__("shutil").which("chromium") is None, reason="figure export needs Chromium")
def test_figures_export_as_svg(tmp_path):
    out = tmp_path / "out"
    r = painloop("run", str(small(tmp_path)), "--out", str(out), "--no-report", "--figures", "svg", "--treat",
                 "pregabalin 75 mg bid from day 2")
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in out.glob("fig-*.svg"))
    assert names == sorted(f"fig-{n}.svg" for n in ("pain", "cortisol", "sleep", "mood", "mechanism", "symptoms",
                                                     "function", "autonomic", "gait", "social", "dosing",
                                                     "side_effects"))
    dosing = (out / "fig-dosing.svg").read_text(encoding="utf-8")
    assert dosing.startswith("<svg") and "ng/mL" in dosing and "first week of dosing" in dosing
    assert (out / "doses.csv").is_file()


def test_out_is_optional_for_export(tmp_path):
    r = painloop("export", "antimony", "--scenario", "healthy", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "healthy" in (tmp_path / "out" / "healthy.ant").read_text(encoding="utf-8")
