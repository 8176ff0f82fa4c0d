"""The shipped target sets and `painloop validate`: calibration kept apart from validation, checks that can fail."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from painloop.validation.checks import (POPULATION_CHECKS, TRIAL_CHECKS, PopulationCache, bootstrap_interval,
                                        check_odds_ratio, check_prevalence, check_relative_risk, evaluate)
from painloop.validation.targets import COLUMNS, Target, load_targets, read_table

PAINLOOP = [sys.executable, "-m", "painloop.cli"]


@pytest.mark.parametrize("name,role", [("calibration_targets.csv", "calibration"),
                                       ("validation_targets.csv", "validation")])
def test_target_files_have_sources_intervals_and_one_role_each(name, role):
    d = read_table(name)
    assert list(d.columns) == COLUMNS
    assert (d["role"] == role).all()
    assert d["target_id"].is_unique
    assert (d["source"].str.len() > 20).all()
    assert ((d["low"] <= d["value"]) & (d["value"] <= d["high"])).all()
    assert d["check"].isin(set(POPULATION_CHECKS) | set(TRIAL_CHECKS)).all()


def test_calibration_and_validation_targets_are_disjoint_and_cover_the_issue_figures():
    cal = {t.target_id for t in load_targets("calibration")}
    val = {t.target_id for t in load_targets("validation")}
    assert not cal & val
    assert {"nnt_tca", "placebo_responders_50", "dpn_painful_prevalence", "cipn_6_months", "dn4_burning",
            "depression_prevalence", "within_person_sd"} <= cal
    assert {"phn_ge50_pooled", "phn_rr_per_decade", "dpn_or_women", "phantom_limb_pain", "alcohol_neuropathy"} <= val
    # the published risk-factor odds/rate ratios are checks, never calibration targets
    ratio_checks = {t.target_id for t in load_targets("all") if t.check in ("odds_ratio", "relative_risk")}
    assert ratio_checks and ratio_checks <= val


def _fake_population(y: np.ndarray, female: np.ndarray) -> xr.Dataset:
    n = y.size
    nrs = np.repeat(np.where(y, 5.0, 0.5)[:, None], 3, axis=1)
    zero = np.zeros((n, 3))
    return xr.Dataset({"nrs": (("patient", "day"), nrs), "numbness": (("patient", "day"), zero),
                       "burning": (("patient", "day"), zero), "damage": (("patient", "day"), zero + 0.2),
                       "cov_female": ("patient", female), "cov_age": ("patient", np.full(n, 60.0)),
                       "solver_ok": ("patient", np.ones(n, dtype=np.int8))})


def _target(check: str, settings: dict, value=1.0, low=0.5, high=2.0) -> Target:
    return Target("t", "q", "p", check, settings, value, low, high, "u", "validation", "s")


def test_ratio_and_prevalence_checks_compute_the_published_definitions():
    # 100 women with 40 painful, 100 men with 20 painful: prevalence 0.3, RR 2.0, OR (40/60)/(20/80) ≈ 2.67
    female = np.r_[np.ones(100), np.zeros(100)]
    y = np.r_[np.arange(100) < 40, np.arange(100) < 20]
    cache = PopulationCache(n=200)
    cache.store[("diabetes", (), 28, "community")] = _fake_population(y, female)
    s = {"cause": "diabetes", "day": "0", "readout": "nrs", "threshold": "3", "covariate": "female",
         "a": "1:2", "b": "0:1"}
    assert check_prevalence(_target("prevalence", s), cache) == (pytest.approx(0.3), 200)
    assert check_relative_risk(_target("relative_risk", s), cache)[0] == pytest.approx(2.0)
    odds = check_odds_ratio(_target("odds_ratio", s), cache)[0]
    assert odds == pytest.approx((40.5 / 60.5) / (20.5 / 80.5))
    o = evaluate(_target("relative_risk", s, value=1.5, low=1.4, high=1.6), cache, None)
    assert o.passed is False and o.simulated == pytest.approx(2.0)


def test_simulated_values_carry_a_bootstrap_interval_that_separates_misses_from_sampling_error():
    # 100 women with 40 painful, 100 men with 20 painful (as above): prevalence 0.3, RR 2.0
    female = np.r_[np.ones(100), np.zeros(100)]
    y = np.r_[np.arange(100) < 40, np.arange(100) < 20]
    cache = PopulationCache(n=200, seed=3)
    cache.store[("diabetes", (), 28, "community")] = _fake_population(y, female)
    s = {"cause": "diabetes", "day": "0", "readout": "nrs", "threshold": "3", "covariate": "female",
         "a": "1:2", "b": "0:1"}
    lo, hi = bootstrap_interval(_target("prevalence", s), cache, 400, seed=3)
    half_width = 1.96 * math.sqrt(0.3 * 0.7 / 200)  # binomial 95 % half-width, 0.064
    assert lo < 0.3 < hi
    assert (hi - lo) / 2 == pytest.approx(half_width, rel=0.25)
    assert bootstrap_interval(_target("prevalence", s), cache, 400, seed=3) == (lo, hi)  # reproducible
    # RR 2.0 from 40/100 vs 20/100: 95 % interval ~1.3-3.2 (log-RR SE 0.23)
    near = evaluate(_target("relative_risk", s, value=1.5, low=1.4, high=1.6), cache, None)
    assert near.passed is False and near.sim_low < 1.6 and near.sim_high > 2.5
    assert near.verdict == "fail, within sampling error"
    far = evaluate(_target("relative_risk", s, value=5.5, low=5.0, high=6.0), cache, None)
    assert far.passed is False and far.verdict == "fail"
    inside = evaluate(_target("prevalence", s, value=0.3, low=0.25, high=0.35), cache, None)
    assert inside.passed is True and inside.verdict == "pass"
    none = evaluate(_target("prevalence", s, value=0.3, low=0.25, high=0.35), cache, None, bootstrap=0)
    assert math.isnan(none.sim_low) and none.verdict == "pass"


def test_checks_the_model_cannot_produce_fail_with_a_note_and_trial_checks_wait_for_trials():
    cache = PopulationCache(n=10)
    cache.store[("diabetes", (), 28, "community")] = _fake_population(np.ones(10, bool), np.ones(10))
    o = evaluate(_target("symptom_share", {"cause": "diabetes", "readout": "shimmering"}), cache, None)
    assert o.passed is False and "no readout 'shimmering'" in o.note
    t = next(t for t in load_targets("calibration") if t.check == "trial_nnt")
    o = evaluate(t, cache, None)
    assert o.passed is None and math.isnan(o.simulated) and "--trials" in o.note


def test_validate_cli_writes_the_table_and_credibility_report(tmp_path):
    out = tmp_path / "val"
    r = subprocess.run([*PAINLOOP, "validate", "--out", str(out), "--patients", "12", "--seed", "13",
                        "--targets", "validation", "--only", "phn_ge50_pooled", "--only", "phn_rr_per_decade",
                        "--only", "no_pain_without_damage"], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr
    table = pd.read_csv(out / "validation.csv")
    assert list(table["target_id"]) == ["phn_ge50_pooled", "phn_rr_per_decade", "no_pain_without_damage"]
    for col in ("source", "published_value", "low", "high", "simulated", "sim_low", "sim_high", "tolerance",
                "passed", "verdict", "role"):
        assert col in table.columns
    ran = table[table["simulated"].notna()]
    assert len(ran) >= 2
    expected = (ran["low"] <= ran["simulated"]) & (ran["simulated"] <= ran["high"])
    assert (ran["passed"].astype(bool) == expected).all()
    pooled = table.set_index("target_id").loc["phn_ge50_pooled"]
    assert pooled["sim_low"] <= pooled["simulated"] <= pooled["sim_high"]
    assert np.isnan(table.set_index("target_id").loc["no_pain_without_damage", "sim_low"])  # one deterministic run
    assert set(ran["verdict"]) <= {"pass", "fail", "fail, within sampling error"}
    html = (out / "credibility.html").read_text(encoding="utf-8")
    for section in ("Context of use", "What was calibrated", "What was validated", "What failed",
                    "research and education", "simulated 95 % interval"):
        assert section in html
    assert "validation:" in r.stdout


def test_validate_cli_refuses_unknown_targets_and_writes_nothing(tmp_path):
    out = tmp_path / "val"
    r = subprocess.run([*PAINLOOP, "validate", "--out", str(out), "--only", "phn_at_age_200"], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 2 and "unknown target id" in r.stderr and not out.exists()
