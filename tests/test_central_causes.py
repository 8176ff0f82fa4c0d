"""Central causes (spinal cord injury, central post-stroke pain) and trigeminal neuralgia: time courses,
symptom mixes and the prevalence of central pain in virtual populations."""

from __future__ import annotations

import numpy as np
import pytest

from painloop.population.run import parse_run, run_population
from painloop.scenario import parse_scenario
from painloop.simulate import simulate

from conftest import daily_mean

_PAINFUL = {"g_ectopic": 1.0}
"""A patient whose lesioned neurons fire readily (about the 80th-90th percentile of the propensity)."""


def _run(cause: dict, days: float, params: dict | None = None, inputs: dict | None = None, history_days: int = 0):
    sc = parse_scenario({"name": "central-test", "duration_days": days, "history_days": history_days,
                         "output": {"every_hours": 24.0},
                         "cause": cause, "params": {**_PAINFUL, **(params or {})}})
    ds = simulate(sc, inputs=inputs)
    assert bool(ds["solver_ok"].all())
    return ds


def _series(ds, var: str, patient: int = 0) -> np.ndarray:
    return ds[var].isel(patient=patient).values


def test_spinal_cord_injury_lesions_the_central_state_not_the_peripheral_one():
    ds = _run({"type": "spinal_cord_injury", "severity": 0.6, "onset_day": 2}, 365)
    lesion, pain = _series(ds, "central_lesion"), daily_mean(ds, "neuropathic_pain")
    assert lesion[1] < 0.01 < 0.4 < lesion[4]  # made on the day of injury
    assert np.abs(_series(ds, "damage")).max() < 1e-9  # no peripheral fibre loss...
    assert _series(ds, "numbness").max() < 1e-6  # ...so no numbness of its own
    assert lesion[-1] > 0.6 * lesion[4]  # little recovery: a lasting lesion
    assert pain[60:90].mean() > pain[3:6].mean() + 0.5  # central pain builds over weeks (sensitization)
    assert pain[330:].mean() > 3.0  # and persists at a year
    assert _series(ds, "sens_central")[-1] > 0.2


def test_central_pain_needs_the_central_couplings():
    cut = {"w_central_firing": 0.0, "w_csens_central": 0.0}
    ds = _run({"type": "spinal_cord_injury", "severity": 0.6}, 180, params=cut)
    assert _series(ds, "central_lesion")[-1] > 0.3
    assert daily_mean(ds, "neuropathic_pain").max() < 0.1


def test_central_symptom_mix_is_burning_and_allodynia_without_numbness_or_paraesthesia():
    ds = _run({"type": "spinal_cord_injury", "severity": 0.6}, 120)
    day = slice(90, 120)
    burning, allodynia = daily_mean(ds, "burning")[day].mean(), daily_mean(ds, "allodynia")[day].mean()
    assert burning > 2.0 and allodynia > 1.0
    for v in ("numbness", "tingling", "paroxysmal"):
        assert daily_mean(ds, v)[day].mean() < 0.05, v


def test_post_stroke_pain_needs_a_somatosensory_lesion_and_starts_late():
    inputs = {"somatosensory": np.array([1.0, 0.0])}
    ds = _run({"type": "central_post_stroke", "severity": 0.9}, 240, inputs=inputs)
    involved, spared = daily_mean(ds, "neuropathic_pain", 0), daily_mean(ds, "neuropathic_pain", 1)
    assert spared.max() < 0.05
    assert _series(ds, "central_lesion", 1).max() < 1e-9
    assert involved[60:120].mean() > 2.0
    assert involved[1:8].mean() < 0.6 * involved[60:120].mean()  # delayed onset over weeks to months
    assert _series(ds, "numbness", 0).max() < 1e-6


def test_trigeminal_attacks_dominate_and_end_with_microvascular_decompression():
    release = np.array([24.0 * 120, 1e12])
    ds = _run({"type": "trigeminal_neuralgia", "severity": 0.7, "decompression_day": 120}, 200,
              inputs={"release_h": release})
    day = slice(90, 118)
    parox, burning = daily_mean(ds, "paroxysmal", 1)[day].mean(), daily_mean(ds, "burning", 1)[day].mean()
    assert parox > 4.0
    assert parox > 3.0 * burning
    assert parox > 2.0 * daily_mean(ds, "tingling", 1)[day].mean()
    assert daily_mean(ds, "numbness", 1)[day].mean() < 2.0  # little sensory loss
    assert daily_mean(ds, "paroxysmal", 0)[140:].mean() < 0.2 * parox  # decompressed: attacks stop
    assert daily_mean(ds, "paroxysmal", 1)[140:].mean() > 0.9 * parox  # not decompressed: they go on


def test_a_peripheral_neuropathy_has_attacks_as_a_minor_feature_unlike_trigeminal_neuralgia():
    ds = _run({"type": "idiopathic", "severity": 1.0, "onset_day": -1500}, 30, history_days=1500)
    parox, burning = daily_mean(ds, "paroxysmal")[-7:].mean(), daily_mean(ds, "burning")[-7:].mean()
    assert parox < 1.5 * burning


def _prevalence(cause: str, seed: int, n: int = 150) -> float:
    """Share of a community population of ``cause`` with neuropathic pain (the neuropathic component, NRS ≥ 3)
    on day 364 (onset on day 0): the published figures count neuropathic pain, not pain of any kind."""
    run = parse_run({"n": n, "seed": seed, "days": 365, "population": {"cause": cause}, "output": {"every_hours": 6}})
    ds = run_population(run)
    ok = ds["solver_ok"].values.astype(bool)
    assert ok.all()
    return float(np.mean(ds["neuropathic_pain"].values[ok][:, 364] >= 3.0))


@pytest.mark.parametrize("cause, target, low, high", [
    ("spinal_cord_injury", 0.53, 0.42, 0.64),  # Burke 2017 Eur J Pain: 53 % with neuropathic pain
    ("central_post_stroke", 0.08, 0.03, 0.15),  # Andersen 1995 Pain: 8 % of stroke survivors
])
def test_central_pain_prevalence_matches_the_published_figure_over_seeds(cause, target, low, high):
    # w_central_firing was chosen at seed 101; these seeds were never used for that choice
    values = [_prevalence(cause, seed) for seed in (102, 103)]
    assert all(low <= v <= high for v in values), values
    assert abs(np.mean(values) - target) < 0.07, values
