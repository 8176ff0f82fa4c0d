"""Trials look at ``solver_ok``: a patient whose simulation failed is excluded from every endpoint, counted and named.

The failure is injected into the real arm simulation (one patient's trajectory
made non-finite and its flag cleared), once as the engine's per-patient flag and
once as a per-batch flag (one value for the whole arm, as an engine without
per-patient isolation reports it).
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from painloop.trials import _run, endpoint_table, parse_design, run_trial
from painloop.trials.endpoints import analysed, consort, failed_patients

DESIGN = {"name": "tiny", "seed": 5, "duration_weeks": 1, "run_in_days": 7, "screen_factor": 1.0,
          "inclusion": {"min_baseline_nrs": 0},
          "population": {"history_years": 0.5}, "endpoints": {"bootstrap": 100},
          "arms": [{"name": "placebo", "placebo": True, "n": 6},
                   {"name": "dulox", "n": 6, "treatments": ["duloxetine 60 mg qd from day 0"]}]}


@pytest.fixture(scope="module")
def screening():
    d = parse_design(DESIGN)
    return d, _run.prepare(d)


def _poison(ds: xr.Dataset, k: int, per_patient: bool) -> xr.Dataset:
    ds = ds.copy(deep=True)
    ds["nrs"][k, 3:] = np.nan
    flag = np.ones(ds.sizes["patient"], np.int8)
    flag[k] = 0
    if per_patient:
        ds["solver_ok"] = ("patient", flag)
    else:
        ds["solver_ok"] = xr.DataArray(np.int8(0))  # one flag for the whole batch
    return ds


@pytest.mark.parametrize("per_patient", [True, False], ids=["per-patient flag", "per-batch flag"])
def test_failed_patients_are_excluded_counted_and_named(screening, monkeypatch, per_patient):
    d, scr = screening
    real = _run.simulate_arm
    bad_k = 2

    def simulate_arm(design, arm, pop, params=None):
        ds = real(design, arm, pop, params)
        return _poison(ds, bad_k, per_patient) if arm.name == "dulox" else ds

    monkeypatch.setattr(_run, "simulate_arm", simulate_arm)
    result = run_trial(d, screening=scr)
    p = result.patients
    dulox = p[p["arm"] == "dulox"]
    failed = failed_patients(result)
    expected_failed = [int(dulox["patient"].iloc[bad_k])] if per_patient else sorted(dulox["patient"].astype(int))
    assert sorted(failed["patient"].astype(int)) == sorted(expected_failed) and set(failed["arm"]) == {"dulox"}
    table = analysed(result)
    assert not set(expected_failed) & set(table.loc[table["arm"] == "dulox", "patient"])
    assert np.isfinite(table["endpoint"]).all(), "no NaN trajectory enters the endpoints"
    flow = consort(result).set_index("arm")
    assert flow.loc["dulox", "solver_failed"] == len(expected_failed) and flow.loc["placebo", "solver_failed"] == 0
    ep = endpoint_table(result).set_index("arm")
    assert ep.loc["placebo", "n_randomized"] == 6 and ep.loc["dulox", "n_randomized"] == 6
    assert ep.loc["dulox", "n_completed"] <= 6 - len(expected_failed)
    if per_patient:
        assert np.isfinite(ep.loc["dulox", "mean_change"])


def test_patient_ok_reads_both_flag_shapes():
    ds = xr.Dataset({"nrs": (("patient", "time"), np.ones((3, 4)))})
    ds["solver_ok"] = ("patient", np.array([1, 0, 1], np.int8))
    assert _run.patient_ok(ds).tolist() == [True, False, True]
    ds["solver_ok"] = xr.DataArray(np.int8(1))
    ds["nrs"][1, 2] = np.inf
    assert _run.patient_ok(ds).tolist() == [True, False, True]
    ds["solver_ok"] = xr.DataArray(np.int8(0))
    assert _run.patient_ok(ds).tolist() == [False, False, False]
