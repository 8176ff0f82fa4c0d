"""The behaviour claims of SYSTEM.md, each a comparison of runs with and without the factor.

Several runs are batched: patient 0 is the nominal model and later patients
have one coupling cut (loop gain 0), advanced together by the engine.
"""

from __future__ import annotations

import numpy as np
import pytest

from painloop.scenario import builtin
from painloop.simulate import simulate

from conftest import daily_mean, variant

CUT = np.array([1.0, 0.0])
ON = np.array([1.0, 1.0])


def _stressed(calm):
    return variant(calm, stress={"baseline": 0.1, "schedule": [{"day": 0, "level": 0.7}]})


def _pain_free(calm):
    return variant(calm, cause={"type": "none"})


def _daily_cortisol_amplitude(ds, patient: int, last_days: int = 7) -> float:
    c = ds["cortisol"].isel(patient=patient)
    g = c.groupby(np.floor(c["time"]))
    return float((g.max() - g.min()).values[-last_days:].mean())


def test_chronic_stress_raises_pain(calm_pain):
    """(a) Same patient, with and without sustained work stress: higher NRS after 8 weeks with it.

    Patient 1 has the direct stress→pain mechanisms cut (loop gain 0); patient 2 also has the indirect
    routes through anxiety, depression, sleep arousal and muscle tension cut, so stress cannot reach pain at all.
    """
    cuts = {"loop_stress_to_pain": np.array([1.0, 0.0, 0.0]), "w_anx_stress": np.array([0.5, 0.5, 0.0]),
            "k_arousal_stress": np.array([0.08, 0.08, 0.0]), "k_tension_stress": np.array([0.4, 0.4, 0.0]),
            "w_dep_stress": np.array([0.5, 0.5, 0.0])}
    calm, stressed = simulate(calm_pain, cuts), simulate(_stressed(calm_pain), cuts)
    week8 = slice(56, 63)
    rise = [daily_mean(stressed, "nrs", i)[week8].mean() - daily_mean(calm, "nrs", i)[week8].mean() for i in range(3)]
    assert rise[0] > 1.0
    assert rise[1] < 0.8 * rise[0], "the direct stress→pain mechanisms should carry a share of the effect"
    assert abs(rise[2]) < 0.1, "with every route cut, stress must not change pain"


def test_chronic_pain_flattens_daily_cortisol(calm_pain):
    """(b) After weeks of pain the daily cortisol amplitude is flatter than in a pain-free person."""
    pain, free = simulate(calm_pain), simulate(_pain_free(calm_pain))
    assert _daily_cortisol_amplitude(pain, 0) < 0.9 * _daily_cortisol_amplitude(free, 0)


def test_vicious_cycle_each_direction_carries_weight(calm_pain):
    """(c) Cutting stress→pain lowers steady pain; cutting pain→stress lowers the cortisol disturbance."""
    ds = simulate(calm_pain, {"loop_stress_to_pain": CUT, "loop_pain_to_stress": ON})
    nrs = [daily_mean(ds, "nrs", i)[-7:].mean() for i in (0, 1)]
    assert nrs[1] < nrs[0] - 0.5

    free = simulate(_pain_free(calm_pain))
    healthy_amp = _daily_cortisol_amplitude(free, 0)
    cut = simulate(calm_pain, {"loop_pain_to_stress": CUT, "loop_stress_to_pain": ON})
    disturbance = [healthy_amp - _daily_cortisol_amplitude(cut, i) for i in (0, 1)]
    assert disturbance[0] > 1.0
    assert disturbance[1] < 0.5 * disturbance[0]


def test_central_sensitization_decays_after_healing_unless_the_loops_hold_it():
    """(d) After a surgical nerve lesion heals, central sensitization decays within months in a typical person;
    in a susceptible person under sustained stress the loops hold it (pain outlasts the cause), and cutting the
    stress → pain direction lets it decay again (chronification is an outcome of the loops, not a constant)."""
    injured = variant(builtin("surgery"), duration_days=720, output={"every_hours": 6})
    params = {"g_csens_self": np.array([0.9, 1.3, 1.3]), "loop_stress_to_pain": np.array([1.0, 1.0, 0.0])}
    inputs = {"stress_base": np.array([0.1, 0.6, 0.6])}
    ds = simulate(injured, params, inputs=inputs)
    never = simulate(variant(injured, cause={"type": "none"}), params, inputs=inputs)
    damage = daily_mean(ds, "damage", 0)
    peak = int(np.argmax(damage))
    healed = peak + int(np.argmax(damage[peak:] < 0.03))
    assert healed > peak, "the nerve should heal within the simulated two years"
    later = min(healed + 180, 719)
    sens = [daily_mean(ds, "sens_central", i) for i in range(3)]
    excess = [daily_mean(ds, "nrs", i)[later] - daily_mean(never, "nrs", i)[later] for i in range(3)]
    assert sens[0][later] < 0.5 * sens[0][healed] and excess[0] < 0.3, "typical person: decays and recovers"
    assert sens[1][later] > 0.2 and sens[1][later] > 0.8 * sens[1][healed], "susceptible and stressed: held"
    assert excess[1] > 1.0, "susceptible and stressed: pain outlasts the lesion"
    assert sens[2][later] < 0.1 and excess[2] < 0.5, "loop cut: sensitization decays again"


def test_restricted_night_raises_next_day_pain(calm_pain):
    """(e) One night with 3 h in bed raises pain on the following day."""
    base = variant(calm_pain, duration_days=30)
    short = variant(base, sleep={"nights": [{"morning_day": 20, "hours_in_bed": 3}]})
    normal, restricted = simulate(base), simulate(short)
    assert daily_mean(restricted, "asleep")[20] * 24 < daily_mean(normal, "asleep")[20] * 24 - 2.0
    assert daily_mean(restricted, "nrs")[20] > daily_mean(normal, "nrs")[20] + 0.3
    cut = simulate(short, {"loop_sleep_to_pain": np.array([0.0])})
    assert daily_mean(cut, "nrs")[20] < daily_mean(restricted, "nrs")[20] - 0.3


def test_cortisol_peaks_in_the_morning_and_is_lowest_around_midnight():
    """(f) In a healthy person cortisol peaks between 06:00 and 10:00 and bottoms out between 21:00 and 03:00."""
    ds = simulate(builtin("healthy"))
    c = ds["cortisol"].isel(patient=0)
    t = c["time"].values
    for day in (10, 30, 58):
        sel = (t >= day) & (t < day + 1)
        peak_clock = (t[sel][np.argmax(c.values[sel])] % 1.0) * 24.0
        low_clock = (t[sel][np.argmin(c.values[sel])] % 1.0) * 24.0
        assert 6.0 <= peak_clock <= 10.0
        assert low_clock >= 21.0 or low_clock <= 3.0


def test_damage_drives_numbness_and_ectopic_activity_drives_burning_and_attacks(calm_pain):
    """(g) More damage → more numbness; more ectopic firing (same damage) → more burning and paroxysms."""
    ds = simulate(calm_pain, {"g_ectopic": np.array([0.8, 0.8, 1.6])}, inputs={"severity": np.array([0.4, 0.8, 0.8])})
    last = {v: [daily_mean(ds, v, i)[-7:].mean() for i in range(3)] for v in
            ("damage", "ectopic", "numbness", "burning", "paroxysmal")}
    assert last["damage"][0] < last["damage"][1]
    assert last["numbness"][0] < last["numbness"][1] - 0.5
    assert last["ectopic"][2] > last["ectopic"][1]
    assert last["numbness"][2] == pytest.approx(last["numbness"][1], abs=0.05)
    assert last["burning"][2] > last["burning"][1] + 0.5
    assert last["paroxysmal"][2] > last["paroxysmal"][1] + 0.5


def test_mood_rises_with_sustained_pain_and_feeds_back(calm_pain):
    """(h) Depression and anxiety rise with sustained pain; cutting mood→pain lowers pain."""
    pain = simulate(calm_pain, {"loop_mood_to_pain": CUT, "loop_pain_to_mood": ON})
    free = simulate(_pain_free(calm_pain))
    for v in ("depression", "anxiety"):
        assert daily_mean(pain, v)[-1] > daily_mean(free, v)[-1] + 0.15
    assert daily_mean(pain, "nrs", 1)[-7:].mean() < daily_mean(pain, "nrs", 0)[-7:].mean() - 0.3
    no_drive = simulate(calm_pain, {"loop_pain_to_mood": np.array([0.0])})
    assert daily_mean(no_drive, "depression")[-1] < daily_mean(pain, "depression")[-1] - 0.1


def test_sleep_to_pain_is_the_stronger_direction(calm_pain):
    """SYSTEM.md §4: poor sleep lowers next-day pain tolerance more than pain disturbs sleep.

    Elasticities at steady state: relative change in pain per relative change in sleep (less time in bed),
    against relative change in sleep per relative change in pain (10 % more ectopic firing).
    """
    base = variant(calm_pain, duration_days=56)
    more_pain = simulate(base, {"g_ectopic": np.array([0.8, 0.88])})
    nrs = [daily_mean(more_pain, "nrs", i)[-14:].mean() for i in (0, 1)]
    slept = [24 * daily_mean(more_pain, "asleep", i)[-14:].mean() for i in (0, 1)]
    pain_to_sleep = ((slept[1] - slept[0]) / slept[0]) / ((nrs[1] - nrs[0]) / nrs[0])

    runs = [simulate(base), simulate(variant(base, sleep={"hours_in_bed": 7.2}))]
    nrs2 = [daily_mean(r, "nrs")[-14:].mean() for r in runs]
    slept2 = [24 * daily_mean(r, "asleep")[-14:].mean() for r in runs]
    sleep_to_pain = ((nrs2[1] - nrs2[0]) / nrs2[0]) / ((slept2[1] - slept2[0]) / slept2[0])

    assert pain_to_sleep < 0 and sleep_to_pain < 0, "more pain → less sleep; less sleep → more pain"
    assert abs(sleep_to_pain) > 3 * abs(pain_to_sleep)
