"""Treatments: label pharmacokinetics, exact dosing, pharmacodynamics on named mechanisms, input validation."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from painloop.scenario import ScenarioError, builtin, parse_scenario
from painloop.simulate import simulate
from painloop.treatments import DRUGS, RegimenError, parse_regimen

from conftest import daily_mean, variant

_TARGETS = Path("/work/shared/targets/pharmacokinetics.csv")
_ORAL = {"pregabalin": 150.0, "gabapentin": 300.0, "duloxetine": 60.0, "amitriptyline": 25.0, "tramadol": 50.0,
         "oxycodone": 10.0, "morphine": 15.0}


def _pk_run(drug: str, dose: float, every: float | None, days: float, dt: float = 0.05, clock: float = 0.0):
    sc = parse_scenario({"name": "pk", "duration_days": days, "output": {"every_hours": dt},
                         "treatments": [{"drug": drug, "dose": dose, "every_hours": every, "start_day": 0,
                                         "clock_hour": clock}]})
    ds = simulate(sc)
    assert bool(ds["solver_ok"].all())
    return ds["time"].values * 24.0, ds


def _label(drug: str) -> dict:
    """Label half-life and Tmax from targets/pharmacokinetics.csv (catalogue copy when the file is absent)."""
    if _TARGETS.exists():
        with _TARGETS.open() as fh:
            row = next(r for r in csv.DictReader(fh) if r["drug"] == drug)
        return {"half_life_h": float(row["half_life_h"]), "tmax_h": float(row["tmax_h"])}
    return DRUGS[drug].label


@pytest.mark.parametrize("drug", sorted(_ORAL))
def test_single_dose_half_life_and_tmax_match_the_label(drug):
    """Terminal t½ within 10 % and Tmax within 30 % of the label (single dose)."""
    label = _label(drug)
    t, ds = _pk_run(drug, _ORAL[drug], None, days=8)
    c = ds[f"{drug}_conc"].isel(patient=0).values
    tmax = t[np.argmax(c)]
    late = (t > tmax + 3.0 * label["half_life_h"]) & (c > 1e-4 * c.max())
    slope = np.polyfit(t[late], np.log(c[late]), 1)[0]
    half_life = math.log(2.0) / -slope
    assert half_life == pytest.approx(label["half_life_h"], rel=0.10)
    assert tmax == pytest.approx(label["tmax_h"], rel=0.30)


def test_steady_state_after_five_half_lives_and_accumulation_ratio():
    """Pregabalin 150 mg bid: trough at ~5 t½ within 5 % of steady state; accumulation = 1/(1 - exp(-ke τ))."""
    t, ds = _pk_run("pregabalin", 150.0, 12.0, days=6, dt=0.25)
    c = ds["pregabalin_conc"].isel(patient=0).values
    trough = lambda h: c[np.argmin(np.abs(t - (h - 0.25)))]  # noqa: E731  (just before a dose)
    ke = math.log(2.0) / 6.3
    expected = 1.0 / (1.0 - math.exp(-ke * 12.0))
    assert trough(120.0) / trough(12.0) == pytest.approx(expected, rel=0.03)
    assert trough(36.0) / trough(120.0) > 0.9  # 5 t½ ≈ 32 h
    assert trough(120.0) / trough(96.0) == pytest.approx(1.0, abs=0.01)


def test_gabapentin_exposure_per_mg_falls_with_dose():
    """Saturable absorption: dose-normalised exposure at 1200 mg well below that at 300 mg (label F 0.60 → 0.33)."""
    auc = {}
    for dose in (300.0, 1200.0):
        t, ds = _pk_run("gabapentin", dose, None, days=4, dt=0.1)
        auc[dose] = np.trapezoid(ds["gabapentin_conc"].isel(patient=0).values, t) / dose
    assert auc[1200.0] < 0.7 * auc[300.0]


def test_dose_is_added_exactly_at_the_dose_time():
    """The depot holds the full dose at the dose time, and nothing just before it, also off the output grid."""
    t, ds = _pk_run("pregabalin", 150.0, 24.0, days=2, dt=0.25, clock=8.0)
    gut = ds["pregabalin_gut"].isel(patient=0).values
    i = int(np.argmin(np.abs(t - 8.0)))
    assert gut[i - 1] == 0.0 and gut[i] == pytest.approx(150.0, rel=1e-12)
    t, ds = _pk_run("pregabalin", 150.0, None, days=1, dt=0.25, clock=8.1)
    gut = ds["pregabalin_gut"].isel(patient=0).values
    ka = float(next(p.value for p in __import__("painloop.model.system", fromlist=["PARAMS"]).PARAMS if p.name == "pregabalin_ka"))
    i = int(np.argmin(np.abs(t - 8.25)))
    assert gut[i - 1] == 0.0
    assert gut[i] == pytest.approx(150.0 * math.exp(-ka * 0.15), rel=1e-4)


@pytest.fixture(scope="module")
def opioid_runs(calm_pain):
    base = variant(calm_pain, duration_days=70, output={"every_hours": 2})
    treated = variant(base, treatments=["oxycodone 10 mg q6h from day 0 to day 49"])
    return simulate(base), simulate(treated)


def test_opioid_relief_fades_with_tolerance(opioid_runs):
    control, treated = opioid_runs
    relief = daily_mean(control, "nrs") - daily_mean(treated, "nrs")
    assert relief[1:4].mean() > 0.5
    assert relief[42:49].mean() < 0.7 * relief[1:4].mean()
    assert float(treated["opioid_tolerance"].isel(patient=0).sel(time=48, method="nearest")) > 0.3


def test_abrupt_opioid_stop_gives_a_withdrawal_transient(opioid_runs):
    control, treated = opioid_runs
    pain_c, pain_t = daily_mean(control, "nrs"), daily_mean(treated, "nrs")
    anx_c, anx_t = daily_mean(control, "anxiety"), daily_mean(treated, "anxiety")
    assert (pain_t - pain_c)[50:54].max() > 0.5  # pain above the untreated level after the stop
    assert (anx_t - anx_c)[51:56].max() > (anx_t - anx_c)[44:49].mean() + 0.02
    assert float(treated["opioid_withdrawal"].isel(patient=0).sel(time=slice(49, 56)).max()) > 0.2
    assert (pain_t - pain_c)[66:70].mean() < 0.7 * (pain_t - pain_c)[50:54].max()  # the transient passes


def test_duloxetine_lowers_pain_via_descending_inhibition():
    """Default diabetic patient, 12 weeks of duloxetine 60 mg qd: less pain, stronger descending inhibition;
    no benefit when the mechanism (emax_dulox_desc) is cut."""
    sc = builtin("diabetes-duloxetine")
    treated = simulate(sc)
    control = simulate(variant(sc, treatments=[]))
    cut = simulate(variant(sc, params={**sc.params, "emax_dulox_desc": 0.0}))
    last = slice(-14 * 24, None)
    nrs = lambda ds: float(ds["nrs"].isel(patient=0, time=last).mean())  # noqa: E731
    assert nrs(control) - nrs(treated) > 0.5
    assert float(treated["descending_inhibition"].isel(patient=0, time=last).mean()) > \
        float(control["descending_inhibition"].isel(patient=0, time=last).mean()) + 0.1
    assert abs(nrs(control) - nrs(cut)) < 0.15
    assert float(treated["nausea"].max()) > 0.05


def test_friendly_regimens_parse_into_steps():
    steps = parse_regimen("pregabalin 75 mg bid from day 0 to day 7; 150 mg bid")
    assert [s["dose"] for s in steps] == [75.0, 150.0]
    assert steps[0]["every_hours"] == 12.0 and steps[1]["start_day"] == 7.0
    assert parse_regimen("duloxetine 60 mg qd from day 14")[0] == {"drug": "duloxetine", "dose": 60.0, "every_hours": 24.0,
                                                                   "start_day": 14.0}
    with pytest.raises(RegimenError, match="unknown drug 'snake_oil'"):
        parse_regimen("snake_oil 10 mg qd")
    with pytest.raises(RegimenError, match="cannot read regimen step"):
        parse_regimen("duloxetine sixty mg")


@pytest.mark.parametrize("treatments, message", [
    ([{"drug": "neurocure", "dose": 1}], "unknown drug 'neurocure'"),
    ([{"drug": "duloxetine", "dose": -60}], "treatments.0.drug.dose: Input should be greater than 0"),
    (["duloxetine 60 mg qd from day 0", "duloxetine 30 mg qd from day 10"], "overlapping days"),
    (["pregabalin 75 mg bid wheneverish"], "cannot read regimen step"),
    ([{"therapy": "magnets"}], "unknown therapy 'magnets'"),
    ([{"drug": "capsaicin_8pct_patch", "dose": 1, "every_hours": 24}], "every 90 days at most"),
])
def test_bad_treatment_inputs_give_clear_errors(treatments, message):
    with pytest.raises(ScenarioError, match=message):
        parse_scenario({"treatments": treatments}, "test")


def test_patches_and_therapies_act_on_their_mechanisms(calm_pain):
    base = variant(calm_pain, duration_days=28, output={"every_hours": 1})
    ds = simulate(variant(base, treatments=[
        "lidocaine_5pct_patch 3 patches daily from day 0", "capsaicin_8pct_patch 2 patches once at day 1",
        {"therapy": "tens", "start_day": 0, "session_clock_hours": [10.0], "session_minutes": 120}, {"therapy": "cbt", "start_day": 0}]))
    control = simulate(base)
    on = ds["lidocaine_patch_on"].isel(patient=0)
    assert float(on.sel(time=2 + 9 / 24, method="nearest")) == 3.0 and float(on.sel(time=2 + 21 / 24, method="nearest")) == 0.0
    assert float(ds["capsaicin_defunctionalisation"].isel(patient=0).sel(time=20, method="nearest")) > 0.5
    assert float(ds["tx_ectopic_factor"].isel(patient=0).sel(time=20, method="nearest")) < 0.8
    assert float(ds["cbt_skill"].isel(patient=0)[-1]) > 0.3
    assert float(ds["tens_on"].isel(patient=0).sel(time=5 + 11 / 24, method="nearest")) > 0.9
    assert daily_mean(ds, "nrs")[-7:].mean() < daily_mean(control, "nrs")[-7:].mean() - 0.5


# --- medication changes, capsaicin duration, mechanism cuts, session-based therapies --------------------------------

def test_switching_one_drug_to_another_on_the_same_day():
    """Stop duloxetine on day 10 and start pregabalin on day 10: no overlap error, each drug only in its own step."""
    sc = parse_scenario({"name": "switch", "duration_days": 20, "output": {"every_hours": 1},
                         "treatments": ["duloxetine 60 mg qd from day 0 to day 10", "pregabalin 150 mg bid from day 10"]})
    ds = simulate(sc)
    t = ds["time"].values
    dul_gut = ds["duloxetine_gut"].isel(patient=0).values
    pre = ds["pregabalin_conc"].isel(patient=0).values
    dul = ds["duloxetine_conc"].isel(patient=0).values
    assert dul_gut[t >= 10.0].max() < 1e-3  # no duloxetine dose from day 10
    assert pre[t < 10.0].max() == 0.0 and pre[(t > 11.0)].min() > 0.5  # pregabalin only from day 10
    assert dul[np.argmin(np.abs(t - 19.0))] < 0.3 * dul[np.argmin(np.abs(t - 9.9))]  # duloxetine washes out


@pytest.mark.slow
def test_taper_lowers_the_withdrawal_transient_of_an_abrupt_stop(calm_pain):
    base = variant(calm_pain, duration_days=42, output={"every_hours": 6})
    abrupt = simulate(variant(base, treatments=["oxycodone 10 mg q6h from day 0 to day 21"]))
    taper = simulate(variant(base, treatments=["oxycodone 10 mg q6h from day 0 to day 21; 5 mg q6h to day 28; "
                                               "2.5 mg q6h to day 35"]))
    control = simulate(base)
    w_abrupt = float(abrupt["opioid_withdrawal"].isel(patient=0).sel(time=slice(21, 42)).max())
    w_taper = float(taper["opioid_withdrawal"].isel(patient=0).sel(time=slice(21, 42)).max())
    assert w_abrupt > 0.2 and w_taper < 0.6 * w_abrupt
    excess = lambda ds, v: (daily_mean(ds, v) - daily_mean(control, v))[21:42].max()  # noqa: E731
    assert excess(taper, "nrs") < 0.9 * excess(abrupt, "nrs")
    assert excess(taper, "anxiety") < excess(abrupt, "anxiety")


@pytest.mark.parametrize("treatments", [
    ["oxycodone 10 mg q6h from day 0 to day 14; 5 mg q6h from day 10 to day 20"],
    [{"drug": "pregabalin", "dose": 75, "start_day": 0, "end_day": 14}, {"drug": "pregabalin", "dose": 150, "start_day": 7}],
    [{"therapy": "acupuncture", "start_day": 0, "end_day": 30}, {"therapy": "acupuncture", "start_day": 20}],
])
def test_contradictory_overlapping_schedules_of_one_treatment_are_refused(treatments):
    with pytest.raises(ScenarioError, match="overlapping days"):
        parse_scenario({"duration_days": 60, "treatments": treatments}, "test")


@pytest.mark.slow
def test_capsaicin_single_application_lasts_weeks_not_months(calm_pain):
    """Qutenza: relief present at 4 weeks, mostly gone by 16 weeks (label: effect up to ~12 weeks)."""
    base = variant(calm_pain, duration_days=112, output={"every_hours": 24})
    treated = simulate(variant(base, treatments=["capsaicin_8pct_patch 4 patches once at day 0"]))
    relief = daily_mean(simulate(base), "nrs") - daily_mean(treated, "nrs")
    assert relief[24:31].mean() > 0.4
    # the defunctionalised fibres regrow by week 12; the central sensitization they drove rebuilds over weeks
    assert relief[105:112].mean() < 0.4 * relief[24:31].mean()
    defunct = treated["capsaicin_defunctionalisation"].isel(patient=0)
    assert float(defunct.sel(time=28)) > 0.4 and float(defunct.sel(time=111)) < 0.15


_CUTS = {
    "duloxetine 60 mg qd": ["emax_dulox_desc"],
    "amitriptyline 25 mg qhs": ["emax_tca_desc", "emax_tca_nav"],
    "pregabalin 150 mg bid": ["emax_gabapentinoid"],
    "gabapentin 600 mg tid": ["emax_gabapentinoid"],
    "tramadol 50 mg q6h": ["emax_opioid", "emax_tramadol_desc", "g_withdrawal_pain", "g_withdrawal_anxiety",
                           "g_withdrawal_arousal"],
    "oxycodone 10 mg q12h": ["emax_opioid", "g_withdrawal_pain", "g_withdrawal_anxiety", "g_withdrawal_arousal"],
    "morphine 15 mg q6h": ["emax_opioid", "g_withdrawal_pain", "g_withdrawal_anxiety", "g_withdrawal_arousal"],
    "ibuprofen 400 mg tid": ["emax_nsaid"],
    "lidocaine_5pct_patch 3 patches daily": ["emax_lidocaine"],
    "capsaicin_8pct_patch 4 patches once at day 0": ["emax_capsaicin"],
    "therapy:cbt": ["cbt_catastrophizing", "cbt_appraisal", "cbt_mood", "cbt_participation"],
    "therapy:exercise": ["exercise_activity", "exercise_tension", "exercise_desc", "exercise_strength"],
    "therapy:sleep_hygiene": ["sleep_hygiene_arousal"],
    "therapy:tens": ["tens_segmental"],
    "therapy:mindfulness": ["mindfulness_appraisal", "mindfulness_mood", "mindfulness_catastrophizing"],
    "therapy:acupuncture": ["acupuncture_gain"],
    "therapy:support_group": ["support_mood", "support_appraisal", "support_participation"],
    "therapy:lifestyle": ["lifestyle_inflammation", "lifestyle_arousal"],
    "therapy:physical_therapy": ["pt_tension", "exercise_activity", "exercise_tension", "exercise_desc",
                                 "exercise_strength"],
}
_DRUG_CUTS = [k for k in _CUTS if not k.startswith("therapy:")]
_MIN_RELIEF = {"therapy:sleep_hygiene": 0.005, "therapy:support_group": 0.04, "therapy:cbt": 0.04,
               "ibuprofen 400 mg tid": 0.01}
"""NRS relief after 4 weeks smaller than the default 0.1 (the patient rates NRS ~3.5): these act slowly through
sleep and mood (CBT's small effect is fitted to the published SMD of -0.21), or, for the NSAID, only on the small
musculoskeletal component (see test_nsaid_relieves_inflammatory_and_musculoskeletal_pain_only)."""


@pytest.fixture(scope="module")
def cut_base(calm_pain):
    base = variant(calm_pain, duration_days=28, output={"every_hours": 12})
    return base, daily_mean(simulate(base), "nrs")[-7:].mean()


def _treatment(key: str):
    if key.startswith("therapy:"):
        return {"therapy": key.split(":")[1], "start_day": 0, "session_clock_hours": [10.0], "session_minutes": 120}
    return key


@pytest.mark.parametrize("key", [pytest.param(k, marks=pytest.mark.slow) if k in _DRUG_CUTS else k for k in _CUTS])
def test_each_treatment_acts_only_through_its_mechanism(cut_base, key):
    """Nominal coupling (patient 0) lowers pain; with the mechanism's coupling cut to 0 (patient 1) it no longer does."""
    from painloop.model import system
    base, control = cut_base
    nominal = system.default_params()
    ds = simulate(variant(base, treatments=[_treatment(key)]),
                  params={k: np.array([nominal[k], 0.0]) for k in _CUTS[key]})
    relief = control - daily_mean(ds, "nrs", 0)[-7:].mean()
    relief_cut = control - daily_mean(ds, "nrs", 1)[-7:].mean()
    assert relief > _MIN_RELIEF.get(key, 0.1)
    assert abs(relief_cut) < 0.15 * relief


def test_nsaid_relieves_inflammatory_and_musculoskeletal_pain_only(calm_pain):
    """Ibuprofen relieves the wound's inflammatory pain after surgery, but not neuropathic pain (Moore 2015
    Cochrane: no evidence of NSAID efficacy in neuropathic pain)."""
    surgery = variant(builtin("surgery"), duration_days=21, output={"every_hours": 6})
    ibu = ["ibuprofen 400 mg tid from day 7"]
    post_op, post_op_ibu = simulate(surgery), simulate(variant(surgery, treatments=ibu))
    window = slice(8, 14)
    infl = daily_mean(post_op, "inflammatory_pain")[window].mean()
    assert infl > 1.0
    assert daily_mean(post_op_ibu, "inflammatory_pain")[window].mean() < 0.85 * infl
    dpn = variant(calm_pain, duration_days=28, output={"every_hours": 6})
    neuro, neuro_ibu = simulate(dpn), simulate(variant(dpn, treatments=["ibuprofen 400 mg tid from day 0"]))
    last = slice(21, 28)
    assert abs(daily_mean(neuro, "neuropathic_pain")[last].mean()
               - daily_mean(neuro_ibu, "neuropathic_pain")[last].mean()) < 0.05
    assert daily_mean(neuro_ibu, "msk_pain")[last].mean() < daily_mean(neuro, "msk_pain")[last].mean()


def test_session_based_therapies_scale_with_sessions_per_week(calm_pain):
    base = variant(calm_pain, duration_days=42, output={"every_hours": 12})
    ds = {n: simulate(variant(base, treatments=[{"therapy": "mindfulness", "start_day": 0, "end_day": 28,
                                                 "sessions_per_week": n}])) for n in (0.5, 2.0)}
    skill = {n: ds[n]["mindfulness_skill"].isel(patient=0) for n in ds}
    assert float(skill[2.0].sel(time=27.5)) > 1.5 * float(skill[0.5].sel(time=27.5))
    assert float(skill[2.0].sel(time=41.5)) < float(skill[2.0].sel(time=28.5))  # fades after the programme
    assert float(ds[2.0]["tx_appraisal"].isel(patient=0).sel(time=27.5)) < 0.95
    with pytest.raises(ScenarioError, match="sessions_per_week applies only to session-based therapies"):
        parse_scenario({"treatments": [{"therapy": "cbt", "sessions_per_week": 2}]}, "test")
    with pytest.raises(ScenarioError, match="sessions_per_week"):
        parse_scenario({"treatments": [{"therapy": "acupuncture", "sessions_per_week": 0}]}, "test")


def test_acupuncture_modulation_fades_within_days_after_the_programme(calm_pain):
    base = variant(calm_pain, duration_days=42, output={"every_hours": 12})
    ds = simulate(variant(base, treatments=[{"therapy": "acupuncture", "start_day": 0, "end_day": 21}]))
    effect = ds["acupuncture_effect"].isel(patient=0)
    assert float(effect.sel(time=20.5)) > 0.8
    assert float(effect.sel(time=35.5)) < 0.1 * float(effect.sel(time=20.5))
