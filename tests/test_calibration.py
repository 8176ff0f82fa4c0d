"""`painloop calibrate` on a small budget: the loss falls, the fitted values and provenance are written and read."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys

import pytest
import yaml

PAINLOOP = [sys.executable, "-m", "painloop.cli"]
TEST_SEED = 11  # never the calibration seed (2015)


def test_calibrate_lowers_the_loss_from_a_poor_start_and_the_parameter_table_shows_the_fit(tmp_path):
    fit = tmp_path / "fit.yaml"
    args = ["calibrate", "--out", str(fit), "--budget", "9", "--patients", "20", "--diabetes-years", "1",
            "--seed", str(TEST_SEED), "--target", "depression_prevalence", "--target", "anxiety_prevalence",
            "--parameter", "mood_vulnerability_depression", "--parameter", "mood_vulnerability_anxiety",
            "--start", "mood_vulnerability_depression=0.6", "--start", "mood_vulnerability_anxiety=0.6"]
    r = subprocess.run([*PAINLOOP, *args], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr
    doc = yaml.safe_load(fit.read_text(encoding="utf-8"))
    assert doc["loss"] < doc["loss_start"]
    assert doc["evaluations"] <= 9 and doc["seed"] == TEST_SEED and doc["optimiser"].startswith("CMA-ES")
    assert doc["targets"] == ["depression_prevalence", "anxiety_prevalence"]
    assert "calibration_targets.csv sha256:" in doc["target_set"]
    assert set(doc["values"]) == {"mood_vulnerability_depression", "mood_vulnerability_anxiety"}
    for name, (lo, hi) in doc["bounds"].items():
        assert lo <= doc["values"][name] <= hi
    env = {**os.environ, "PAINLOOP_POPULATION_FIT": str(fit)}
    p = subprocess.run([*PAINLOOP, "params", "--format", "csv"], capture_output=True, text=True, env=env, timeout=300)
    rows = {row["name"]: row for row in csv.DictReader(io.StringIO(p.stdout))}
    row = rows["mood_vulnerability_depression"]
    assert float(row["value"]) == pytest.approx(doc["values"]["mood_vulnerability_depression"])
    assert row["source"].startswith("fitted by painloop calibrate to depression_prevalence, anxiety_prevalence")


def test_calibrate_refuses_unknown_targets_and_parameters_and_writes_nothing(tmp_path):
    fit = tmp_path / "fit.yaml"
    r = subprocess.run([*PAINLOOP, "calibrate", "--out", str(fit), "--target", "nnt_of_homeopathy"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and "unknown calibration target" in r.stderr and not fit.exists()
    r = subprocess.run([*PAINLOOP, "calibrate", "--out", str(fit), "--parameter", "k_nrs"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and "unknown free parameter" in r.stderr and not fit.exists()
