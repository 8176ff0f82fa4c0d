"""The model's declarations and the engine: units and sources, initial state, accuracy, batching, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from painloop.model import system
from painloop.scenario import builtin
from painloop.simulate import simulate
from painloop.simulate._baseline import healthy_midnight_state

from conftest import variant


def test_every_parameter_has_a_unit_and_a_source():
    assert len(system.PARAMS) >= 60
    names = [p.name for p in system.PARAMS]
    assert len(names) == len(set(names)), "parameter names must be unique"
    for p in system.PARAMS:
        assert p.unit.strip(), p.name
        assert p.source.strip(), p.name
        assert np.isfinite(p.value) and p.value >= 0, p.name


def test_every_state_has_a_rate_a_unit_and_a_meaning():
    assert len(set(system.STATE_NAMES)) == len(system.STATE_NAMES)
    for s in system.STATES:
        assert s.unit.strip() and s.meaning.strip(), s.name
    c = system.context(np, "none", 0.0, [np.array([s.initial]) for s in system.STATES], system.default_params(),
                       {"wake_h": 7.0, "hours_in_bed": 8.0, "night_days": np.array([-1e9]), "night_hours": np.array([8.0]),
                        "stress_base": 0.0, "stress_steps": np.array([0.0]), "stress_step_h": np.array([0.0])})
    assert len(system.rates(c)) == len(system.STATE_NAMES)


def test_declared_initial_state_is_the_healthy_daily_cycle_at_midnight():
    """The declared initial values reproduce themselves after 60 more healthy days (an entrained cycle)."""
    computed = healthy_midnight_state(days=60)
    for s in system.STATES:
        assert computed[s.name] == pytest.approx(s.initial, rel=2e-3, abs=1e-4), s.name


def test_healthy_person_has_no_pain():
    ds = simulate(builtin("healthy"))
    assert float(ds["nrs"].max()) < 0.05
    assert float(ds["sleep_quality"].isel(time=slice(-24, None)).mean()) > 9.0


def test_default_tolerance_matches_a_tight_reference(calm_pain):
    """Default rtol 1e-5 vs rtol 1e-10: daily NRS within 0.01 points, every state within 1e-3 relative."""
    cause = {**calm_pain.cause.model_dump(), "onset_day": -200}
    sc = variant(calm_pain, duration_days=28, history_days=200, cause=cause, output={"every_hours": 3})
    loose = simulate(sc)
    tight = simulate(variant(sc, solver={"rtol": 1e-10, "atol": 1e-12}))
    assert tight.attrs["solver_steps"] > loose.attrs["solver_steps"]
    assert float(np.abs(loose["nrs"] - tight["nrs"]).max()) < 0.01
    for s in system.STATE_NAMES:
        scale = max(1.0, float(np.abs(tight[s]).max()))
        assert float(np.abs(loose[s] - tight[s]).max()) < 1e-3 * scale, s


def test_batch_of_patients_equals_separate_runs(calm_pain):
    """Patients advanced together get the same trajectories as when run alone (to solver tolerance)."""
    cause = {**calm_pain.cause.model_dump(), "onset_day": -60}
    sc = variant(calm_pain, duration_days=28, history_days=60, cause=cause, solver={"rtol": 1e-8, "atol": 1e-10})
    gains = np.array([0.5, 1.0, 2.0])
    batch = simulate(sc, {"g_csens_gain": gains})
    for i, g in enumerate(gains):
        alone = simulate(sc, {"g_csens_gain": float(g)})
        np.testing.assert_allclose(batch["nrs"].isel(patient=i), alone["nrs"].isel(patient=0), atol=1e-4)


def test_same_inputs_give_identical_numbers(calm_pain):
    sc = variant(calm_pain, duration_days=14, history_days=0, cause={**calm_pain.cause.model_dump(), "onset_day": 0})
    a, b = simulate(sc), simulate(sc)
    for v in ("nrs", "cortisol", "sens_central"):
        np.testing.assert_array_equal(a[v].values, b[v].values)


def test_results_carry_units_and_provenance(calm_pain):
    ds = simulate(variant(calm_pain, duration_days=3, history_days=0, cause={**calm_pain.cause.model_dump(), "onset_day": 0}))
    assert ds["cortisol"].attrs["units"] == "µg/dL"
    assert ds["nrs"].attrs["units"] == "NRS 0-10"
    assert ds["time"].attrs["units"] == "days"
    assert "not a medical device" in ds.attrs["disclaimer"]
    assert "diabetes" in ds.attrs["scenario_yaml"]


def test_implicit_solver_agrees_with_explicit(calm_pain):
    """The stiff-capable Kvaerno5 option gives the same trajectories as the default Tsit5."""
    cause = {**calm_pain.cause.model_dump(), "onset_day": 0}
    sc = variant(calm_pain, duration_days=4, history_days=0, cause=cause, output={"every_hours": 2},
                 solver={"rtol": 1e-7, "atol": 1e-9})
    explicit = simulate(sc)
    implicit = simulate(variant(sc, solver={"rtol": 1e-7, "atol": 1e-9, "method": "kvaerno5"}))
    assert bool(implicit["solver_ok"].all())
    for s in ("cortisol", "sleep_pressure", "nrs", "damage"):
        scale = max(1.0, float(np.abs(explicit[s]).max()))
        assert float(np.abs(implicit[s] - explicit[s]).max()) < 1e-4 * scale, s
