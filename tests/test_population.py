"""Virtual populations of every cause: the declarative draw table, per-patient cause inputs, `painloop population`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml
from pydantic import ValidationError

from painloop.causes.catalogue import CAUSES
from painloop.population import POPULATION_PARAMS, PopulationSpec, sample_population
from painloop.population.covariates import DRAWS, RISK_FACTORS, draw, draws_for

PAINLOOP = [sys.executable, "-m", "painloop.cli"]
CAUSE_NAMES = [c for c in CAUSES if c != "none"]
_PP = {p.name: p.value for p in POPULATION_PARAMS}


def _value(name: str) -> float:
    return _PP[name]


def test_every_draw_has_a_unit_a_source_and_stays_in_its_bounds():
    rng = np.random.default_rng(5)
    for d in DRAWS:
        assert d.unit and d.source, d.name
        assert d.cause == "*" or d.cause in CAUSES, d.cause
        x = draw(rng, d, 500, _value)
        assert x.shape == (500,) and np.all(np.isfinite(x)), d.name
        if d.bounds is not None:
            assert x.min() >= d.bounds[0] and x.max() <= d.bounds[1], d.name


def test_each_cause_gets_its_own_covariates_replacing_the_general_rows():
    names = {c: {d.name: d for d in draws_for(c)} for c in CAUSE_NAMES}
    assert names["shingles"]["age"].cause == "shingles"          # zoster age distribution, not the general one
    assert names["diabetes"]["hba1c"].cause == "diabetes" and "diabetes_years" in names["diabetes"]
    assert {"cycles", "cycle_days", "chemo_agent"} <= set(names["chemotherapy"])
    assert "drinks_per_day" in names["alcohol"]
    assert names["idiopathic"]["age"].cause == "*"
    for c in CAUSE_NAMES:  # every cause carries the chronification risk factors
        assert {"age", "female", "severity", "stress_base", "hours_in_bed"} <= set(names[c]), c


def test_risk_factors_name_covariates_the_population_carries():
    pop = sample_population(PopulationSpec(cause="shingles", kind="community"), 20, 3)
    for rf in RISK_FACTORS:
        assert rf.source and rf.route
        assert rf.covariate in pop.covariates or rf.covariate in pop.inputs, rf.name


@pytest.mark.parametrize("cause", CAUSE_NAMES)
def test_every_cause_samples_per_patient_inputs_reproducibly(cause):
    spec = PopulationSpec(cause=cause, kind="community")
    a, b = sample_population(spec, 30, 11), sample_population(spec, 30, 11)
    c = sample_population(spec, 30, 12)
    for k, v in a.inputs.items():
        assert np.array_equal(v, b.inputs[k]), k
        assert np.shape(v)[-1] == 30, k
    assert not np.array_equal(a.covariates["age"], c.covariates["age"])


def test_trial_and_community_diabetes_draw_from_their_own_distributions():
    trial = sample_population(PopulationSpec(cause="diabetes"), 3000, 4)
    community = sample_population(PopulationSpec(cause="diabetes", kind="community"), 3000, 4)
    assert abs(trial.inputs["hba1c"].mean() - _PP["hba1c_mean"]) < 0.1
    hba1c_row = next(d for d in DRAWS if d.cause == "diabetes" and d.name == "hba1c")
    assert abs(community.inputs["hba1c"].mean() - hba1c_row.args[0]) < 0.1
    assert "diabetes_years" in community.covariates and "diabetes_years" in trial.covariates
    assert abs(np.median(trial.covariates["diabetes_years"]) - _PP["trial_diabetes_years"]) < 0.5
    assert trial.covariates["diabetes_years"].min() >= PopulationSpec(cause="diabetes").history_years


def test_population_parameters_named_in_the_table_are_used_and_overridable():
    low = sample_population(PopulationSpec(cause="trauma", kind="community", overrides={"stress_median": 0.1}), 2000, 1)
    high = sample_population(PopulationSpec(cause="trauma", kind="community", overrides={"stress_median": 0.5}), 2000, 1)
    assert np.median(high.inputs["stress_base"]) > 3.0 * np.median(low.inputs["stress_base"])


def test_chemotherapy_cycles_are_per_patient_event_lists():
    pop = sample_population(PopulationSpec(cause="chemotherapy", kind="community"), 50, 2)
    starts = pop.inputs["cycle_starts_h"]
    assert starts.shape[1] == 50
    real = (starts < 1e11).sum(axis=0)
    assert np.array_equal(real, pop.covariates["cycles"].astype(int))
    sub = pop.subset(np.array([3, 7]))
    assert np.array_equal(sub.inputs["cycle_starts_h"], starts[:, [3, 7]])


def test_spec_rejects_unknown_cause_and_covariate_naming_what_is_allowed():
    with pytest.raises(ValidationError, match="allowed: diabetes, shingles"):
        PopulationSpec(cause="gout")
    with pytest.raises(ValidationError, match="unknown covariate"):
        PopulationSpec(cause="shingles", fixed={"shoe_size": 9})


def test_more_chemotherapy_cycles_cause_more_damage_in_one_batched_run():
    from painloop.population.run import PopulationRun, run_population
    spec = {"cause": "chemotherapy", "kind": "community", "fixed": {"cycle_days": 21, "chemo_agent": 0, "severity": 0.6}}
    few = run_population(PopulationRun(n=3, seed=21, days=100, population={**spec, "fixed": {**spec["fixed"], "cycles": 2}}))
    many = run_population(PopulationRun(n=3, seed=21, days=100, population={**spec, "fixed": {**spec["fixed"], "cycles": 4}}))
    assert (many["damage"].values[:, 90] > few["damage"].values[:, 90] + 0.01).all()


def test_older_zoster_patients_have_more_pain_at_day_90():
    from painloop.population.run import PopulationRun, run_population
    young = run_population(PopulationRun(n=6, seed=31, days=91, population={"cause": "shingles", "fixed": {"age": 40}}))
    old = run_population(PopulationRun(n=6, seed=31, days=91, population={"cause": "shingles", "fixed": {"age": 85}}))
    assert old["nrs"].values[:, 90].mean() > young["nrs"].values[:, 90].mean() + 0.2


def _spec(tmp_path: Path, **changes) -> Path:
    data = {"name": "zoster-small", "n": 8, "seed": 5, "days": 30, "population": {"cause": "shingles"},
            "chunk_size": 5, **changes}
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_population_cli_writes_outcomes_daily_summary_and_report(tmp_path):
    out = tmp_path / "out"
    r = subprocess.run([*PAINLOOP, "population", str(_spec(tmp_path)), "--out", str(out)], capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    ds = xr.open_dataset(out / "population.nc")
    assert dict(ds.sizes) == {"patient": 8, "day": 30}
    assert ds["nrs"].attrs["units"] and "cov_age" in ds
    daily = pd.read_csv(out / "daily.csv")
    assert list(daily["day"]) == list(range(30))
    prev = daily["prevalence_nrs_ge_3"].to_numpy()
    assert np.allclose(prev, (ds["nrs"].values >= 3).mean(axis=0))
    assert len(pd.read_csv(out / "patients.csv")) == 8
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "research and education" in html and "Share of patients with pain" in html and "plotly" in html
    # the same seed gives the same patients whatever the chunking; the shared adaptive step (max-norm over a chunk)
    # differs between chunkings, so the numbers agree within the solver's tolerance (rtol 1e-4), not bit for bit
    out2 = tmp_path / "out2"
    r2 = subprocess.run([*PAINLOOP, "population", str(_spec(tmp_path, chunk_size=8)), "--out", str(out2)],
                        capture_output=True, text=True, timeout=600)
    assert r2.returncode == 0
    assert np.allclose(pd.read_csv(out2 / "daily.csv")["nrs_mean"], daily["nrs_mean"], atol=0.01)
    assert np.array_equal(pd.read_csv(out2 / "patients.csv")["cov_age"], pd.read_csv(out / "patients.csv")["cov_age"])


def test_population_cli_bad_spec_names_the_field_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    bad = _spec(tmp_path, population={"cause": "gout"})
    r = subprocess.run([*PAINLOOP, "population", str(bad), "--out", str(out)], capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 2
    assert "population.cause" in r.stderr and "allowed" in r.stderr
    assert not out.exists()
    r = subprocess.run([*PAINLOOP, "population", str(_spec(tmp_path, output={"every_hours": 5})), "--out", str(out)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 2 and "every_hours" in r.stderr and not out.exists()


def test_trial_designs_take_any_cause():
    from painloop.trials._design import arm_scenario, parse_design
    d = parse_design({"name": "zoster-trial", "arms": [{"name": "placebo", "placebo": True, "n": 10},
                                                        {"name": "pregabalin", "n": 10,
                                                         "treatments": ["pregabalin 150 mg bid from day 0"]}],
                      "population": {"cause": "shingles", "history_years": 0.5}})
    assert arm_scenario(d, d.arms[1]).cause.type == "shingles"
    pop = sample_population(d.population, 10, 1)
    assert "age" in pop.inputs and np.allclose(pop.inputs["onset_h"], -pop.history_h)


def test_natural_history_runs_are_community_populations_with_drawn_diabetes_durations():
    from painloop.population.run import PopulationRun, _prepare
    run = PopulationRun(n=50, seed=3, days=1, population={"cause": "diabetes", "history_years": 10})
    assert run.population.kind == "community"
    pop, onset, history = _prepare(run)
    assert onset.min() >= -10 * 365 and onset.max() < 0 and history == int(-onset.min())
    assert len(set(onset)) > 10  # durations differ between patients
    assert np.allclose(pop.inputs["onset_h"], 24.0 * onset)


def test_cause_specific_treatment_is_drawn_per_patient_relative_to_onset():
    from painloop.population.covariates import CAUSE_TREATMENTS
    for cause, (key, who, day) in CAUSE_TREATMENTS.items():
        pop = sample_population(PopulationSpec(cause=cause, kind="community"), 400, 8)
        treated = pop.covariates[who] > 0.5
        assert 0.1 < treated.mean() < 0.95, cause
        expected = pop.inputs["onset_h"] + 24.0 * pop.covariates[day]
        assert np.allclose(pop.inputs[key][treated], expected[treated]), cause
        assert (pop.inputs[key][~treated] >= 1e11).all(), cause


def test_decompression_relieves_compression_pain_in_a_batched_run():
    from painloop.population.run import PopulationRun, run_population
    base = {"cause": "compression", "fixed": {"decompression_day": 60, "severity": 0.7}}
    never = run_population(PopulationRun(n=3, seed=41, days=200, population={**base, "fixed": {**base["fixed"], "decompressed": 0}}))
    operated = run_population(PopulationRun(n=3, seed=41, days=200, population={**base, "fixed": {**base["fixed"], "decompressed": 1}}))
    assert (operated["damage"].values[:, -1] < never["damage"].values[:, -1] - 0.02).all()
