"""Turning a scenario into the numeric inputs (``q``) of the vector field, times in hours."""

from __future__ import annotations

import numpy as np

from ._schema import Chemotherapy, Compression, Diabetes, NoCause, Scenario, Shingles, Trauma

_NEVER_H = 1e12

SCHEDULE_KEYS = frozenset({"night_days", "night_hours", "stress_steps", "stress_step_h", "cycle_starts_h"})
"""Inputs that are lists of events (summed over their first axis), as opposed to per-patient values."""


def cause_inputs(cause) -> dict[str, np.ndarray | float]:
    """Cause settings in solver units (hours)."""
    if isinstance(cause, NoCause):
        return {}
    q: dict = {"severity": cause.severity, "onset_h": 24.0 * cause.onset_day}
    if isinstance(cause, Diabetes):
        q["hba1c"] = cause.hba1c
    elif isinstance(cause, Shingles):
        q["age"] = cause.age
    elif isinstance(cause, Chemotherapy):
        q["cycle_starts_h"] = 24.0 * (cause.onset_day + cause.cycle_days * np.arange(cause.cycles))
    elif isinstance(cause, Trauma):
        q["amputation"] = float(cause.amputation)
    elif isinstance(cause, Compression):
        q["release_h"] = _NEVER_H if cause.decompression_day is None else 24.0 * cause.decompression_day
    return q


def scenario_inputs(sc: Scenario) -> dict[str, np.ndarray | float]:
    """All of ``q``: sleep schedule, life-stress steps and cause settings."""
    nights = sc.sleep.nights
    steps = sc.stress.schedule
    levels = [sc.stress.baseline] + [s.level for s in steps]
    q: dict = {
        "wake_h": sc.sleep.wake_time,
        "hours_in_bed": sc.sleep.hours_in_bed,
        "night_days": np.array([n.morning_day for n in nights] or [-1e9], dtype=float),
        "night_hours": np.array([n.hours_in_bed for n in nights] or [sc.sleep.hours_in_bed], dtype=float),
        "stress_base": sc.stress.baseline,
        "stress_steps": np.array(np.diff(levels) if steps else [0.0], dtype=float),
        "stress_step_h": np.array([24.0 * s.day for s in steps] or [0.0], dtype=float),
    }
    q.update(cause_inputs(sc.cause))
    return q
