"""Claims about the lived system beyond the pain itself (autonomic symptoms, strength and gait, social life).

Each claim compares patients of one batched run: the nominal coupling against the same coupling cut (its
parameter 0), and shows that the effect vanishes with the cut.
"""

from __future__ import annotations

import numpy as np
import pytest

from painloop.simulate import simulate

from conftest import daily_mean, variant


def _last_week(ds, var: str, patients: int) -> list[float]:
    return [float(daily_mean(ds, var, i)[-7:].mean()) for i in range(patients)]


def _pain_free(base):
    return variant(base, cause={"type": "none"})


# ---------------------------------------------------------------- autonomic symptoms (SYSTEM.md §4)

def test_autonomic_neuropathy_lowers_standing_blood_pressure_and_slows_gut_and_bladder(calm_pain):
    """Nerve damage → autonomic dysfunction → orthostatic fall, constipation and bladder symptoms; with the
    damage → autonomic coupling cut (k_aut_damage 0) only the smaller stress-driven part remains (pain is a
    stressor, and chronic stress lowers vagal tone)."""
    ds = simulate(calm_pain, {"k_aut_damage": np.array([0.8, 0.0])})
    free = simulate(_pain_free(calm_pain))
    drop, gut, bladder = (_last_week(ds, v, 2) for v in ("orthostatic_bp_drop", "constipation", "bladder_symptoms"))
    healthy_drop = float(daily_mean(free, "orthostatic_bp_drop")[-7:].mean())
    assert drop[0] > healthy_drop + 4.0
    assert gut[0] > 0.1 and bladder[0] > 0.08
    assert drop[1] - healthy_drop < 0.35 * (drop[0] - healthy_drop)
    assert gut[1] < 0.5 * gut[0] and bladder[1] < 0.5 * bladder[0]


def test_opioids_slow_the_gut_only_through_their_constipation_coupling(calm_pain):
    """Oxycodone adds constipation (opioid-induced constipation); with g_gut_opioid 0 it adds none."""
    base = variant(calm_pain, duration_days=28, output={"every_hours": 6})
    untreated = _last_week(simulate(base), "constipation", 1)[0]
    treated = _last_week(simulate(variant(base, treatments=["oxycodone 10 mg q12h from day 0"]),
                                  {"g_gut_opioid": np.array([0.5, 0.0])}), "constipation", 2)
    assert treated[0] > untreated + 0.1
    assert abs(treated[1] - untreated) < 0.01


def test_autonomic_symptoms_raise_stress_and_disturb_sleep(calm_pain):
    """More autonomic dysfunction (patients 1, 3: k_aut_damage ×4) raises perceived stress and shortens sleep;
    with the symptoms → stress/sleep direction cut and no visceral pain (patients 2, 3) it changes neither."""
    params = {"k_aut_damage": np.array([0.8, 3.2, 0.8, 3.2]),
              "loop_autonomic_to_stress": np.array([1.0, 1.0, 0.0, 0.0]),
              "g_visceral_pain": np.array([0.0025, 0.0025, 0.0, 0.0])}
    ds = simulate(calm_pain, params)
    stress = _last_week(ds, "perceived_stress", 4)
    sleep_h = [24.0 * v for v in _last_week(ds, "asleep", 4)]
    symptoms = _last_week(ds, "autonomic_symptoms", 4)
    assert symptoms[1] > symptoms[0] + 0.15 and symptoms[3] > symptoms[2] + 0.15
    assert stress[1] > stress[0] + 0.0005
    assert sleep_h[1] < sleep_h[0] - 0.002
    assert abs(stress[3] - stress[2]) < 1e-4, "with the couplings cut, autonomic symptoms must not reach stress"
    assert abs(sleep_h[3] - sleep_h[2]) < 1e-4


def test_autonomic_neuropathy_adds_a_labelled_visceral_pain_component(calm_pain):
    """Gut and bladder symptoms add visceral pain (its own readout, part of the rated NRS); none without a lesion
    or with g_visceral_pain 0."""
    ds = simulate(calm_pain, {"g_visceral_pain": np.array([0.0025, 0.0])})
    free = simulate(_pain_free(calm_pain))
    visceral, nrs = _last_week(ds, "visceral_pain", 2), _last_week(ds, "nrs", 2)
    assert visceral[0] > 0.004
    assert visceral[1] == 0.0 and float(daily_mean(free, "visceral_pain")[-7:].mean()) < 0.2 * visceral[0]
    assert nrs[1] < nrs[0] - 0.5 * visceral[0]


# ---------------------------------------------------------------- social participation and quality of life

def test_pain_inactivity_and_low_mood_reduce_participation(calm_pain):
    """Sustained pain (with the inactivity and low mood it brings) lowers social and work participation; with
    the pain, inactivity and depression barriers cut (patient 1) participation stays at the healthy habit."""
    cuts = {name: np.array([value, 0.0]) for name, value in
            (("k_part_pain", 0.4), ("k_part_inactivity", 0.5), ("k_part_depression", 0.4))}
    ds = simulate(calm_pain, cuts)
    free = simulate(_pain_free(calm_pain))
    part = _last_week(ds, "participation", 2)
    assert part[0] < 0.85 and part[0] < float(daily_mean(free, "participation")[-7:].mean()) - 0.1
    assert part[1] > 0.97, "left: only the everyday life-stress barrier"


def test_isolation_feeds_depression_and_anxiety(calm_pain):
    """Isolation adds to depression and anxiety; with isolation → mood cut (patient 1) they are lower, and the
    effect is smaller in a pain-free person (less isolation)."""
    cut = {"loop_isolation_to_mood": np.array([1.0, 0.0])}
    ds, free = simulate(calm_pain, cut), simulate(_pain_free(calm_pain), cut)
    dep, anx = _last_week(ds, "depression", 2), _last_week(ds, "anxiety", 2)
    assert _last_week(ds, "isolation", 2)[0] > 0.15
    assert dep[0] > dep[1] + 0.001
    assert anx[0] > anx[1] + 0.0005
    free_dep = _last_week(free, "depression", 2)
    assert free_dep[0] - free_dep[1] < 0.5 * (dep[0] - dep[1])


@pytest.mark.parametrize("therapy, coupling, value", [("support_group", "support_participation", 0.2),
                                                       ("cbt", "cbt_participation", 0.1)])
def test_support_groups_and_cbt_restore_participation(calm_pain, therapy, coupling, value):
    """A support group or CBT raises participation (less isolation); with its participation coupling cut
    (patient 1) what remains is the small indirect rise through better mood."""
    base = variant(calm_pain, duration_days=56, output={"every_hours": 12})
    untreated = _last_week(simulate(base), "participation", 1)[0]
    treated = simulate(variant(base, treatments=[{"therapy": therapy, "start_day": 0}]),
                       {coupling: np.array([value, 0.0])})
    part = _last_week(treated, "participation", 2)
    assert part[0] > untreated + 0.03
    assert part[1] - untreated < 0.5 * (part[0] - untreated)


def test_quality_of_life_falls_with_pain_and_its_consequences(calm_pain):
    """The EQ-5D-like utility is near 1 without a lesion (everyday stress only), in the range reported for painful diabetic neuropathy
    (EQ-5D around 0.5-0.7; Gore 2005 J Pain Symptom Manage, Currie 2006 Diabetologia) with one, and lower with more
    pain (patient 1: 50 % more ectopic firing). A check, never tuned."""
    ds = simulate(calm_pain, {"g_ectopic": np.array([1.0, 1.5])})
    free = simulate(_pain_free(calm_pain))
    utility, pain = _last_week(ds, "qol_utility", 2), _last_week(ds, "nrs", 2)
    assert float(daily_mean(free, "qol_utility")[-7:].mean()) > 0.9
    assert 0.45 < utility[0] < 0.8
    assert pain[1] > pain[0] + 0.5 and utility[1] < utility[0] - 0.03


# ---------------------------------------------------------------- strength, gait and falls

@pytest.mark.parametrize("therapy", ["exercise", "physical_therapy"])
def test_exercise_and_physical_therapy_build_strength(calm_pain, therapy):
    """Training raises strength (less weakness); with its strength coupling cut (exercise_strength 0, patient 1)
    what remains is the smaller rise from being more active (less disuse)."""
    base = variant(calm_pain, duration_days=56, output={"every_hours": 12})
    untreated = _last_week(simulate(base), "strength", 1)[0]
    treated = simulate(variant(base, treatments=[{"therapy": therapy, "start_day": 0}]),
                       {"exercise_strength": np.array([0.2, 0.0])})
    strength, weakness = _last_week(treated, "strength", 2), _last_week(treated, "weakness", 2)
    assert strength[0] > untreated + 0.05
    assert strength[1] - untreated < 0.5 * (strength[0] - untreated)
    assert weakness[0] < weakness[1]


def test_damage_and_disuse_erode_strength(calm_pain):
    """Motor-fibre loss (motor_share) and inactivity (k_disuse) each weaken the muscles; with both cut (patient 3)
    the weakness is gone."""
    ds = simulate(calm_pain, {"motor_share": np.array([0.6, 0.0, 0.6, 0.0]),
                              "k_disuse": np.array([0.4, 0.4, 0.0, 0.0])}, inputs={"severity": np.full(4, 1.0)})
    weakness = _last_week(ds, "weakness", 4)
    assert weakness[0] > weakness[1] + 0.2 and weakness[0] > weakness[2] + 0.2
    assert weakness[3] < 0.01


_PAIN_FEEDBACK_CUT = {name: np.zeros(4) for name in (
    "loop_pain_to_stress", "loop_pain_to_sleep", "loop_pain_to_mood", "loop_tension", "k_avoid_pain", "w_fat_pain",
    "k_part_pain", "g_gait_pain")}
"""Every route by which rated pain acts back on the body, cut: pain differences then come only from their source."""


def test_weakness_alters_gait_and_adds_musculoskeletal_pain_never_neuropathic(calm_pain):
    """Weaker muscles and less sensation (patients 1, 3: k_disuse ×4, g_gait_sensory ×3) → more gait strain → more
    musculoskeletal pain; with gait → pain cut (patients 2, 3) the pain is the same. With pain's own feedbacks cut, the neuropathic readouts
    do not move at all: gait strain feeds the musculoskeletal component only."""
    params = {**_PAIN_FEEDBACK_CUT, "k_disuse": np.array([0.4, 1.6, 0.4, 1.6]),
              "g_gait_sensory": np.array([0.3, 0.9, 0.3, 0.9]),
              "loop_gait_to_pain": np.array([1.0, 1.0, 0.0, 0.0])}
    ds = simulate(calm_pain, params)
    weakness, gait, msk = (_last_week(ds, v, 4) for v in ("weakness", "gait_strain", "msk_pain"))
    assert weakness[1] > weakness[0] + 0.3 and gait[1] > gait[0] + 0.2
    assert msk[1] > msk[0] + 0.002
    assert abs(msk[3] - msk[2]) < 1e-4
    for readout in ("neuropathic_pain", "burning", "tingling"):
        values = _last_week(ds, readout, 4)
        assert abs(values[1] - values[0]) < 1e-3, readout


def test_falls_risk_rises_with_weakness_gait_and_drug_dizziness(calm_pain):
    """Neuropathy (weakness, gait strain, orthostatic intolerance) raises the yearly falls risk above its base;
    with every relative risk set to 1 (patient 1) it is the base. Pregabalin's dizziness adds to it, and with
    rr_fall_dizziness 1 it adds nothing."""
    no_rr = {name: np.array([value, 1.0]) for name, value in
             (("rr_fall_weakness", 4.4), ("rr_fall_gait", 2.9), ("rr_fall_orthostatic", 1.5), ("rr_fall_dizziness", 1.7))}
    base = variant(calm_pain, duration_days=28, output={"every_hours": 6})
    falls = _last_week(simulate(base, no_rr), "falls_risk", 2)
    assert falls[0] > 0.2 + 0.05
    assert falls[1] == pytest.approx(0.2, abs=1e-9)
    untreated = falls[0]
    treated = _last_week(simulate(variant(base, treatments=["pregabalin 150 mg bid from day 0"]),
                                  {"rr_fall_dizziness": np.array([1.7, 1.0])}), "falls_risk", 2)
    assert treated[0] > untreated + 0.02
    assert treated[1] < untreated + 0.002
