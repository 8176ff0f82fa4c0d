"""Sobol indices through the sweep machinery: a test function with known answers, then the model and its loops."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import numpy as np
import pytest
import yaml
from SALib.test_functions import Ishigami

from painloop.analysis.sensitivity import parse_param_range, sobol_from_sweep
from painloop.sweep import FunctionModel, parse_sweep_spec, resolve_sweep

PAINLOOP = [sys.executable, "-m", "painloop.cli"]

# Analytic indices of Ishigami (a=7, b=0.1; Ishigami & Homma 1990, as tabulated by SALib's test function docs)
ISHIGAMI_S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ISHIGAMI_ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}

SMALL = {"name": "small-diabetes", "duration_days": 30, "history_days": 60,
         "cause": {"type": "diabetes", "severity": 0.8, "hba1c": 8.5, "onset_day": -60},
         "stress": {"baseline": 0.2}, "output": {"every_hours": 24}, "solver": {"rtol": 1e-4, "atol": 1e-6}}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sobol_on_ishigami_recovers_the_analytic_indices_within_their_bootstrap_intervals(tmp_path, seed):
    spec = parse_sweep_spec({"vary": {x: {"low": -np.pi, "high": np.pi} for x in ("x1", "x2", "x3")},
                             "design": {"type": "sobol", "n": 1024}, "shard_size": 1000, "seed": seed})
    sweep = resolve_sweep(spec, model=FunctionModel(Ishigami.evaluate, ["x1", "x2", "x3"], {"y": "1"}))
    assert sweep.plan.n == 1024 * 5 and sweep.plan.n_shards == 6
    table, failed = sobol_from_sweep(sweep, tmp_path / "ishigami.zarr")
    t = table.set_index("parameter")
    assert failed == 0
    for name in ISHIGAMI_S1:
        assert abs(t.loc[name, "S1"] - ISHIGAMI_S1[name]) <= t.loc[name, "S1_conf"], (name, t)
        assert abs(t.loc[name, "ST"] - ISHIGAMI_ST[name]) <= t.loc[name, "ST_conf"], (name, t)
        assert t.loc[name, "S1_conf"] < 0.1 and t.loc[name, "ST_conf"] < 0.1, "intervals must be informative"
    assert list(t.index[:2]) == ["x1", "x2"]


def test_param_ranges_are_parsed_or_refused_with_the_reason():
    assert parse_param_range("k_nrs=1.5:3") == ("k_nrs", 1.5, 3.0)
    for bad in ("k_nrs", "k_nrs=0.4:0.2", "k_nrs=a:b", "=1:2"):
        with pytest.raises(ValueError):
            parse_param_range(bad)


def test_sobol_cli_writes_a_report_naming_parameters_ranges_window_and_unit(tmp_path):
    scenario = tmp_path / "small.yaml"
    scenario.write_text(yaml.safe_dump(SMALL), encoding="utf-8")
    out = tmp_path / "sobol"
    r = subprocess.run([*PAINLOOP, "sensitivity", str(scenario), "--method", "sobol", "--param", "k_nrs=1.5:3",
                        "--param", "g_ectopic=0.5:2", "--param", "cipn_regen=0.3:0.7", "--n", "8",
                        "--window-days", "14", "--out", str(out), "--workers", "0", "--format", "csv"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    rows = {row["parameter"]: row for row in csv.DictReader(io.StringIO(r.stdout))}
    assert set(rows) == {"k_nrs", "g_ectopic", "cipn_regen"}
    # a chemotherapy parameter cannot move a diabetic patient's pain: no variance is attributed to it
    assert float(rows["cipn_regen"]["ST"]) == pytest.approx(0.0, abs=1e-9)
    assert float(rows["k_nrs"]["ST"]) > 0.1
    html = (out / "report.html").read_text(encoding="utf-8")
    for text in ("k_nrs", "1.5", "3", "g_ectopic", "last 14 days", "NRS points", "N = 8", "40 runs",
                 "not a medical device", "plotly", "bootstrap"):
        assert text in html, text
    assert (out / "sobol.csv").is_file() and (out / "sobol.zarr" / "zarr.json").is_file()


def test_sensitivity_refuses_bad_ranges_with_exit_2_and_writes_nothing(tmp_path):
    for args, message in ((["--param", "k_nrs=0.4:0.2"], "LOW < HIGH"),
                          (["--param", "k_nrs_typo=0.1:0.2", "--param", "k_nrs=1.5:3"], "unknown parameter")):
        r = subprocess.run([*PAINLOOP, "sensitivity", "--scenario", "default", "--method", "sobol", *args, "--out",
                            str(tmp_path / "o")], capture_output=True, text=True, timeout=300)
        assert r.returncode == 2 and message in r.stderr, (args, r.stderr)
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_the_loop_carrying_most_pain_is_among_the_top_three_total_order_indices(tmp_path):
    """Loop cuts (`painloop loops`) and Sobol over the loop gains (0 = cut, 1 = nominal) agree on what matters."""
    scenario = tmp_path / "calm.yaml"
    scenario.write_text(yaml.safe_dump({
        "name": "calm-short", "duration_days": 42, "history_days": 1095,
        "cause": {"type": "diabetes", "severity": 0.8, "hba1c": 8.5, "onset_day": -1095},
        "stress": {"baseline": 0.1}, "output": {"every_hours": 24}}), encoding="utf-8")
    loops = subprocess.run([*PAINLOOP, "loops", str(scenario), "--format", "csv"], capture_output=True, text=True,
                           timeout=600)
    assert loops.returncode == 0, loops.stderr
    rows = list(csv.DictReader(io.StringIO(loops.stdout)))
    top_loop = max(rows, key=lambda row: float(row["delta_nrs"]))["loop"]
    params = [arg for row in rows for arg in ("--param", f"{row['loop']}=0:1")]
    r = subprocess.run([*PAINLOOP, "sensitivity", str(scenario), "--method", "sobol", *params, "--n", "16",
                        "--shard-size", "48", "--out", str(tmp_path / "s"), "--workers", "0", "--format", "csv"],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr
    ranked = [row["parameter"] for row in csv.DictReader(io.StringIO(r.stdout))]
    assert sorted(ranked) == sorted(row["loop"] for row in rows) and top_loop in ranked[:3], (top_loop, ranked)
