"""Loop strengths and parameter sensitivity (SYSTEM.md §7: what drives what)."""

from __future__ import annotations

import numpy as np

from painloop.analysis import loop_strengths, morris_sensitivity

from conftest import variant


def test_loop_strengths_match_separate_cut_runs(calm_pain):
    """The batched cut of each loop equals a separate run with that loop gain set to 0."""
    from painloop.simulate import simulate

    sc = variant(calm_pain, duration_days=42)
    frame = loop_strengths(sc)
    delta = frame.set_index("loop")["delta_nrs"]
    # sleep → repair acts through a sleep deficit, which this patient (8 h in bed, light pain) hardly has
    assert (delta.drop("loop_sleep_to_repair") > 0).all(), "each loop direction should carry some pain"
    assert delta["loop_sleep_to_repair"] >= 0
    cut = simulate(sc, {"loop_mood_to_pain": 0.0})
    t = cut["time"].values
    alone = float(cut["nrs"].isel(patient=0, time=t >= t[-1] - 28).mean())
    row = frame.set_index("loop").loc["loop_mood_to_pain"]
    assert abs(row["nrs_cut"] - alone) < 1e-3


def test_morris_ranks_strong_parameters_and_gives_unused_ones_no_effect(calm_pain):
    sc = variant(calm_pain, duration_days=42)
    names = ("k_nrs", "g_ectopic", "g_sleep_debt_pain", "hz_age_scale", "cipn_regen")
    frame = morris_sensitivity(sc, names, trajectories=4).set_index("parameter")
    assert frame.loc["hz_age_scale", "mu_star"] == 0.0, "a shingles parameter cannot affect a diabetic patient"
    assert frame.loc["cipn_regen", "mu_star"] == 0.0
    assert frame.loc["k_nrs", "mu_star"] > frame.loc["g_sleep_debt_pain", "mu_star"] > 0
    assert np.isfinite(frame["sigma"]).all()
