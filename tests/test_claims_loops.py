"""Claims about the loop legs added to the body-mind system: HPA → stress, fatigue → mood, sleep → nerve repair
and inflammation → swelling → compression.

Each claim compares patients of one batched run: the nominal coupling against the same coupling cut (its loop
gain or parameter 0), and shows that the effect vanishes with the cut.
"""

from __future__ import annotations

import numpy as np

from painloop.analysis import LOOP_GAINS
from painloop.simulate import simulate

from conftest import daily_mean, variant

NEW_LOOPS = ("loop_hpa_to_stress", "loop_fatigue_to_mood", "loop_sleep_to_repair", "loop_swelling_to_compression")


def _last_week(ds, var: str, patients: int) -> list[float]:
    return [float(daily_mean(ds, var, i)[-7:].mean()) for i in range(patients)]


def test_the_new_loops_are_declared_loop_gains():
    """`painloop loops` cuts every declared loop gain, so the new directions are measured and listed."""
    assert set(NEW_LOOPS) <= set(LOOP_GAINS)


def test_dysregulated_hpa_axis_raises_perceived_stress(calm_pain):
    """A stress-adapted HPA axis (hpa_adapt) lowers stress resilience: perceived stress is higher than with the
    HPA → stress leg cut (patient 1); a stronger adaptation (k_hpa_adapt halved → more adaptation, patients 2, 3)
    raises stress more than with the leg cut (where only the slower route through inflammation and pain is left)."""
    ds = simulate(calm_pain, {"loop_hpa_to_stress": np.array([1.0, 0.0, 1.0, 0.0]),
                              "k_hpa_adapt": np.array([0.5, 0.5, 0.1, 0.1])})
    adapt, stress = _last_week(ds, "hpa_adapt", 4), _last_week(ds, "perceived_stress", 4)
    assert adapt[0] > 0.05 and adapt[2] > adapt[0] + 0.05
    assert stress[0] > stress[1] + 0.3 * 0.01 * adapt[0]
    assert stress[2] - stress[3] > stress[0] - stress[1]
    carried = (stress[2] - stress[0]) - (stress[3] - stress[1])
    assert carried > 0.5 * 0.01 * (adapt[2] - adapt[0]), "the leg carries part of the adaptation's effect"


def test_fatigue_makes_people_irritable_and_low(calm_pain):
    """Fatigue adds to anxiety (irritability) and depression; more fatigue (patients 2, 3: w_fat_pain ×2) raises
    them more with the fatigue → mood leg on than cut (patients 1, 3)."""
    ds = simulate(calm_pain, {"loop_fatigue_to_mood": np.array([1.0, 0.0, 1.0, 0.0]),
                              "w_fat_pain": np.array([0.5, 0.5, 1.0, 1.0])})
    fatigue, anx, dep = (_last_week(ds, v, 4) for v in ("fatigue", "anxiety", "depression"))
    assert fatigue[0] > 0.1 and fatigue[2] > fatigue[0] + 0.03
    assert anx[0] > anx[1] + 0.005 and dep[0] > dep[1] + 0.003
    assert anx[2] - anx[0] > 2.0 * (anx[3] - anx[1]), "with the leg cut, extra fatigue barely reaches anxiety"


def test_poor_sleep_slows_nerve_regeneration(calm_pain):
    """Short nights (5 h in bed, patients 1, 3) leave more damage after twelve weeks than 8 h nights, because
    regeneration slows with the sleep deficit; with sleep → repair cut (patients 2, 3) and the swelling route
    cut too, sleep no longer changes the damage."""
    ds = simulate(calm_pain, {"loop_sleep_to_repair": np.array([1.0, 1.0, 0.0, 0.0]),
                              "loop_swelling_to_compression": np.zeros(4)},
                  inputs={"hours_in_bed": np.array([8.0, 5.0, 8.0, 5.0])})
    deficit, damage = _last_week(ds, "sleep_deficit", 4), _last_week(ds, "damage", 4)
    assert deficit[1] > deficit[0] + 0.1
    assert damage[1] > damage[0] + 1e-3
    assert abs(damage[3] - damage[2]) < 1e-6


def test_inflammatory_swelling_compresses_the_nerve(calm_pain):
    """Peripheral inflammation makes the tissue swell (swelling follows infl_peripheral within a day); swelling
    adds a compression injury, so damage is higher than with swelling → compression cut (patient 1). More
    inflammation (k_infl_damage ×2, patients 2, 3) adds more damage only with the leg on (sleep → repair cut in
    all, so that inflammatory pain cannot reach the damage through sleep)."""
    ds = simulate(calm_pain, {"loop_swelling_to_compression": np.array([1.0, 0.0, 1.0, 0.0]),
                              "loop_sleep_to_repair": np.zeros(4),
                              "k_infl_damage": np.array([0.6, 0.6, 1.2, 1.2])})
    infl, swelling, damage = (_last_week(ds, v, 4) for v in ("infl_peripheral", "swelling", "damage"))
    assert swelling[0] > 0.1 and abs(swelling[0] - infl[0]) < 0.05 * infl[0]
    assert swelling[2] > swelling[0] + 0.05
    assert damage[0] > damage[1] + 5e-4
    assert damage[2] - damage[3] > damage[0] - damage[1]
    assert abs(damage[3] - damage[1]) < 1e-6, "with the leg cut, inflammation does not injure the nerve"


def test_swelling_without_a_lesion_injures_nothing(calm_pain):
    """Stress-driven inflammation swells the tissue in a person without a cause, yet no fibre is injured:
    swelling compresses only an already injured nerve (double crush)."""
    ds = simulate(variant(calm_pain, cause={"type": "none"}, stress={"baseline": 1.0}))
    assert _last_week(ds, "swelling", 1)[0] > 0.05
    assert float(np.abs(ds["damage"].values).max()) == 0.0
