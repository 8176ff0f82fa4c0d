"""Inputs the scenario sets: time in bed (sleep opportunity), external life stress and day-to-day variation.

All are smooth functions of time so that an adaptive solver integrates them
accurately; their settings arrive in ``q`` (hours, levels) and their edge
widths are parameters.

Day-to-day variation (``q["day_variation"]`` 1, seeded by ``q["day_seed"]``)
makes the drivers differ from day to day *inside* the model: the hours in bed
of each night, everyday stress events and the daily activity that provokes or
spares the lesion. Each is a seeded quasi-random signal (a sum of sinusoids
with incommensurate periods of 2-12 days and phases drawn from the seed), mean
0 and SD 1, scaled by a parameter. It is written by hand rather than drawn from
a random-number generator because the same closed form must run in every
engine (compiled kernel, JAX, SymPy for the SBML export) and stay smooth for
the adaptive step; the same seed gives the same days.
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
    ("day_sd_bed_h", 0.75, "h",
     "assumption: night-to-night SD of time in bed ~0.7-1 h in actigraphy of adults (Bei 2016 Sleep Med Rev: "
     "intra-individual sleep variability)", "night-to-night SD of time in bed (day-to-day variation on)"),
    ("day_sd_stress", 0.25, "level 0-2",
     "assumption: everyday hassles move perceived stress by a fraction of the range from day to day (Almeida 2005 "
     "Curr Dir Psychol Sci: daily stressors on ~40 % of days)", "day-to-day SD of external life stress"),
    ("day_sd_flare", 0.9, "log units",
     "assumption: daily activity and mechanical provocation change lesion firing; chosen with the sleep and stress "
     "variation so that the within-person SD of daily pain is ~1 NRS point (Harris 2005 Arthritis Rheum; "
     "calibration target within_person_sd)", "day-to-day SD of log ectopic provocation"),
)

_NOISE_PERIODS_D = (2.13, 3.37, 5.21, 7.93, 11.71)
"""Periods (days) of the components of a day-to-day signal: incommensurate, so no pattern repeats within years."""
_GOLDEN = 0.6180339887498949


def _variation(q: dict) -> Any:
    """1 when day-to-day variation is on (``q["day_variation"]``); inputs built without it vary nothing."""
    return q.get("day_variation", 0.0)


def _seed(q: dict) -> Any:
    return q.get("day_seed", 0.0)


def day_signal(xp: Any, t_day: Any, seed: Any, stream: int) -> Any:
    """Seeded quasi-random signal of time (days), mean 0 and SD 1; ``stream`` selects an independent signal.

    Phase of component k: 2π · frac((seed + 1) · φ_k) with φ_k = frac(golden ratio · (7 · stream + k + 1)),
    so different seeds and streams give unrelated days.
    """
    total = 0.0 * t_day
    amp = (2.0 / len(_NOISE_PERIODS_D)) ** 0.5
    for k, period in enumerate(_NOISE_PERIODS_D):
        phi = (_GOLDEN * (7 * stream + k + 1)) % 1.0
        x = (seed + 1.0) * phi
        phase = 2.0 * 3.141592653589793 * (x - xp.floor(x))
        total = total + amp * xp.sin(2.0 * 3.141592653589793 * t_day / (period * (1.0 + 0.1 * stream)) + phase)
    return total


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
    varied = _variation(q) * p["day_sd_bed_h"] * day_signal(xp, morning_day, _seed(q), 0)
    hours = xp.maximum(q["hours_in_bed"] + override + varied, 0.0)
    wake_rel = 0.5 * q["hours_in_bed"]
    w = p["bed_edge_h"]
    return _sig(xp, (rel - (wake_rel - hours)) / w) * _sig(xp, (wake_rel - rel) / w)


def life_stress(xp: Any, t: Any, q: dict, p: dict) -> Any:
    """External life stress (0 everyday, 1 severe): a baseline plus smooth steps at given hours."""
    steps = xp.sum(q["stress_steps"] * _sig(xp, (t - q["stress_step_h"]) / p["stress_ramp_h"]), axis=0)
    daily = _variation(q) * p["day_sd_stress"] * day_signal(xp, t / 24.0, _seed(q), 1)
    return xp.maximum(q["stress_base"] + steps + daily, 0.0)


SUBSYSTEM = Subsystem(NAME, "Scenario inputs", (), PARAMS, lambda c: {})


def provocation(xp: Any, t: Any, q: dict, p: dict) -> Any:
    """Factor on lesion firing from the day's activity and mechanical provocation (1 without variation).

    Log-normal in the day-to-day signal with its mean corrected to 1 (exp(σz − σ²/2)), so variation does not
    change the average firing.
    """
    sd = _variation(q) * p["day_sd_flare"]
    return xp.exp(sd * day_signal(xp, t / 24.0, _seed(q), 2) - 0.5 * sd * sd)


def environment(c: Ctx, q: dict) -> dict:
    """Sleep opportunity, life stress and the day's provocation of the lesion at time ``c.t``."""
    return {
        "sleep_opportunity": sleep_opportunity(c.xp, c.t, q, c.p),
        "life_stress": life_stress(c.xp, c.t, q, c.p),
        "provocation": provocation(c.xp, c.t, q, c.p),
    }
