"""Claims about medicines' effects on mood and mind, side-effect burden and adherence.

Each claim compares patients of one batched run: the nominal coupling against the same coupling cut (its
parameter 0), and shows that the effect vanishes with the cut.
"""

from __future__ import annotations

import numpy as np
import pytest

import painloop as pl
from painloop.simulate import simulate

from conftest import daily_mean, variant


def _mean(ds, var: str, patients: int, first: int, last: int) -> list[float]:
    """Mean of the daily means of ``var`` over days ``first`` to ``last - 1``, per patient."""
    return [float(daily_mean(ds, var, i)[first:last].mean()) for i in range(patients)]


def _last_week(ds, var: str, patients: int) -> list[float]:
    return [float(daily_mean(ds, var, i)[-7:].mean()) for i in range(patients)]


@pytest.fixture(scope="module")
def twelve_weeks(calm_pain):
    return variant(calm_pain, duration_days=84, output={"every_hours": 6})


# ---------------------------------------------------------------- direct mood effect of antidepressants

def test_duloxetine_lifts_mood_directly_and_slowly_beyond_its_analgesia(twelve_weeks):
    """Duloxetine lowers depression through its own (monoaminergic) mood effect as well as through pain relief:
    with its analgesia cut (emax_dulox_desc 0, patient 1) depression is still lower than with the mood effect cut
    too (patient 2), where only the side effects act (their burden and nausea-related inactivity lift depression
    above the untreated course). The mood effect builds over weeks while the concentration is at steady state
    within days."""
    untreated = _last_week(simulate(twelve_weeks), "depression", 1)[0]
    ds = simulate(variant(twelve_weeks, treatments=["duloxetine 60 mg qd from day 0"]),
                  {"emax_dulox_desc": np.array([1.901, 0.0, 0.0]),
                   "emax_antidepressant_mood": np.array([0.15, 0.15, 0.0])})
    dep = _last_week(ds, "depression", 3)
    assert dep[0] < dep[1] < dep[2] - 0.005, "the direct effect lowers depression without any pain relief"
    assert dep[2] > untreated, "with both effects cut, only the side effects are left"
    effect = daily_mean(ds, "tx_antidepressant", 0)
    conc = daily_mean(ds, "duloxetine_conc", 0)
    assert conc[7] > 0.9 * conc[55], "duloxetine is at steady state within a week"
    assert effect[7] < 0.5 * effect[55], "the mood effect is still building (weeks)"
    assert 0.05 < effect[-1] <= 0.15
    assert float(np.abs(daily_mean(ds, "tx_antidepressant", 2)).max()) == 0.0


def test_gabapentinoids_have_no_direct_mood_effect(twelve_weeks):
    """Pregabalin is no antidepressant: its direct mood effect is zero."""
    ds = simulate(variant(twelve_weeks, treatments=["pregabalin 150 mg bid from day 0"]))
    assert float(np.abs(ds["tx_antidepressant"].values).max()) == 0.0


# ---------------------------------------------------------------- side-effect burden, weight gain, sexual dysfunction

def test_side_effect_burden_lowers_mood(twelve_weeks):
    """Amitriptyline's side effects (sedation, dry mouth, fog) make a burden that adds to the depressive drive;
    with that coupling cut (w_dep_side_effects 0, patient 1) depression is lower. Untreated, there is no burden."""
    untreated = simulate(twelve_weeks)
    assert float(np.abs(untreated["side_effect_burden"].values).max()) == 0.0
    ds = simulate(variant(twelve_weeks, treatments=["amitriptyline 25 mg qhs from day 0"]),
                  {"w_dep_side_effects": np.array([0.01, 0.0])})
    burden, dep = _last_week(ds, "side_effect_burden", 2), _last_week(ds, "depression", 2)
    assert burden[0] > 0.3 and burden[1] == pytest.approx(burden[0], rel=0.05)
    assert dep[0] > dep[1] + 0.0005


def test_weight_gain_feeds_the_side_effect_burden(twelve_weeks):
    """Pregabalin's weight gain (kg) adds to the burden; without weight gain (weight_gain_gaba 0, patient 1)
    the burden is lower by the weight term."""
    ds = simulate(variant(twelve_weeks, treatments=["pregabalin 150 mg bid from day 0"]),
                  {"weight_gain_gaba": np.array([3.0, 0.0])})
    weight, burden = _last_week(ds, "weight_gain", 2), _last_week(ds, "side_effect_burden", 2)
    assert weight[0] > 1.0 and weight[1] == 0.0
    assert burden[0] > burden[1] + 0.03


def test_snri_and_tca_cause_sexual_dysfunction_that_feeds_the_burden(twelve_weeks):
    """Duloxetine and amitriptyline cause sexual dysfunction (Serretti & Chiesa 2009); with the SNRI's coupling
    cut (se_dulox_sexual 0, patient 1) there is none and the burden is lower. Pregabalin causes none."""
    dul = simulate(variant(twelve_weeks, treatments=["duloxetine 60 mg qd from day 0"]),
                   {"se_dulox_sexual": np.array([0.45, 0.0])})
    sexual, burden = _last_week(dul, "sexual_dysfunction", 2), _last_week(dul, "side_effect_burden", 2)
    assert sexual[0] > 0.1 and sexual[1] == 0.0
    assert burden[0] > burden[1] + 0.05
    ami = simulate(variant(twelve_weeks, treatments=["amitriptyline 25 mg qhs from day 0"]))
    assert _last_week(ami, "sexual_dysfunction", 1)[0] > 0.05
    pgb = simulate(variant(twelve_weeks, treatments=["pregabalin 150 mg bid from day 0"]))
    assert float(np.abs(pgb["sexual_dysfunction"].values).max()) == 0.0


# ---------------------------------------------------------------- opioid withdrawal: mood and cognition

def test_opioid_withdrawal_lowers_mood_and_cognition(twelve_weeks):
    """Stopping oxycodone abruptly after six weeks brings withdrawal; its dysphoria raises depression and it
    impairs cognition. With both couplings cut (g_withdrawal_dysphoria, w_cog_withdrawal 0, patient 1) the
    difference is smaller before the stop (only the brief withdrawal at the troughs between doses) and absent
    once withdrawal is over."""
    ds = simulate(variant(twelve_weeks, treatments=["oxycodone 10 mg q12h from day 0 to day 42"]),
                  {"g_withdrawal_dysphoria": np.array([0.2, 0.0]), "w_cog_withdrawal": np.array([0.3, 0.0])})
    withdrawal = _mean(ds, "opioid_withdrawal", 1, 42, 46)[0]
    assert withdrawal > 0.2
    dep_after, cog_after = _mean(ds, "depression", 2, 44, 50), _mean(ds, "cognition", 2, 42, 46)
    dep_before = _mean(ds, "depression", 2, 35, 42)
    assert dep_after[0] > dep_after[1] + 0.003
    assert dep_after[0] - dep_after[1] > dep_before[0] - dep_before[1] + 0.002
    assert cog_after[0] < cog_after[1] - 2.0
    late = _mean(ds, "cognition", 2, 77, 84)
    assert abs(late[0] - late[1]) < 0.1 * (cog_after[1] - cog_after[0]), "no withdrawal, no difference"


# ---------------------------------------------------------------- seeded adherence

_AMI = dict(treat=["amitriptyline 25 mg qhs from day 0"], duration_days=28, every_hours=6)


def test_adherence_is_reproducible_with_a_seed_and_differs_between_seeds():
    """Same seed → same missed doses and the same trajectories; another seed → other doses; no seed → all taken."""
    a = pl.simulate("diabetes-calm", adherence_seed=11, n=4, variability=0.0, **_AMI)
    b = pl.simulate("diabetes-calm", adherence_seed=11, n=4, variability=0.0, **_AMI)
    c = pl.simulate("diabetes-calm", adherence_seed=12, n=4, variability=0.0, **_AMI)
    full = pl.simulate("diabetes-calm", n=4, variability=0.0, **_AMI)
    assert np.array_equal(a["doses_missed"].values, b["doses_missed"].values)
    assert np.array_equal(a["amitriptyline_central"].values, b["amitriptyline_central"].values)
    assert not np.allclose(a["amitriptyline_central"].values, c["amitriptyline_central"].values)
    assert int(a["doses_missed"].sum()) > 0 and int(a["doses_scheduled"][0]) == 28
    assert "doses_missed" not in full
    # identical patients differ only by their draws: missed doses lower exposure below full adherence
    exposure = a["amitriptyline_conc"].mean("time").values
    full_exposure = float(full["amitriptyline_conc"].mean("time").values[0])
    missed = a["doses_missed"].values
    assert np.all(exposure[missed > 0] < full_exposure - 1e-6)


def test_more_side_effect_burden_means_more_missed_doses():
    """With the same seed, a more sedating drug (se_tca_drowsy, se_tca_anticholinergic ×~1.4) is missed more
    often; with the burden → adherence coupling cut (adherence_miss_burden 0) the extra burden changes nothing."""
    def missed(params: dict) -> int:
        ds = pl.simulate("diabetes-calm", adherence_seed=5, n=8, variability=0.0, params=params, **_AMI)
        return int(ds["doses_missed"].sum())

    harsh = {"se_tca_drowsy": 1.0, "se_tca_anticholinergic": 1.0, "se_tca_sexual": 1.0}
    mild = {"se_tca_drowsy": 0.1, "se_tca_anticholinergic": 0.1, "se_tca_sexual": 0.0}
    assert missed(harsh) > missed(mild) + 5
    assert missed({**harsh, "adherence_miss_burden": 0.0}) == missed({**mild, "adherence_miss_burden": 0.0})
