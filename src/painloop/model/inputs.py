"""Inputs the scenario sets: time in bed (sleep opportunity) and external life stress.

Both are smooth functions of time so that an adaptive solver integrates them
accurately; their settings arrive in ``q`` (hours, levels) and their edge
widths are parameters.
"""

from __future__ import annotations

from typing import Any

from ._declare import Ctx, Subsystem, params

NAME = "inputs"

PARAMS = params(
    NAME,
    ("bed_edge_h", 0.1, "h", "assumption: lights-off and waking happen within minutes; smoothed for the solver",
     "width of the transitions into and out of bed"),
    ("stress_ramp_h", 6.0, "h", "assumption: a change in life circumstances is felt over hours, not instantly",
     "width of a step change in life stress"),
)


def _sig(xp: Any, x: Any) -> Any:
    return 1.0 / (1.0 + xp.exp(-x))


def sleep_opportunity(xp: Any, t: Any, q: dict, p: dict) -> Any:
    """Fraction of the moment spent in bed (0-1): a nightly window ending at the wake time.

    The night whose morning falls on day ``m`` lasts ``hours_in_bed`` unless
    ``night_days`` lists ``m`` with its own hours in ``night_hours``.
    """
    mid_base = q["wake_h"] - 0.5 * q["hours_in_bed"]
    shifted = t - mid_base + 12.0
    morning_day = xp.floor(shifted / 24.0)
    rel = shifted - 24.0 * morning_day - 12.0
    override = xp.sum(xp.where(q["night_days"] == morning_day, q["night_hours"] - q["hours_in_bed"], 0.0), axis=0)
    hours = q["hours_in_bed"] + override
    wake_rel = 0.5 * q["hours_in_bed"]
    w = p["bed_edge_h"]
    return _sig(xp, (rel - (wake_rel - hours)) / w) * _sig(xp, (wake_rel - rel) / w)


def life_stress(xp: Any, t: Any, q: dict, p: dict) -> Any:
    """External life stress (0 everyday, 1 severe): a baseline plus smooth steps at given hours."""
    steps = xp.sum(q["stress_steps"] * _sig(xp, (t - q["stress_step_h"]) / p["stress_ramp_h"]), axis=0)
    return xp.maximum(q["stress_base"] + steps, 0.0)


SUBSYSTEM = Subsystem(NAME, "Scenario inputs", (), PARAMS, lambda c: {})


def environment(c: Ctx, q: dict) -> dict:
    """Sleep opportunity and life stress at time ``c.t``."""
    return {
        "sleep_opportunity": sleep_opportunity(c.xp, c.t, q, c.p),
        "life_stress": life_stress(c.xp, c.t, q, c.p),
    }
