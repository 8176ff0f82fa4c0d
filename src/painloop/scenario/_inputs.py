"""Turning a scenario into the numeric inputs (``q``) of the vector field, times in hours."""

from __future__ import annotations

import numpy as np

from ..treatments import THERAPIES, dose_events, records
from ._schema import Chemotherapy, Compression, Diabetes, DrugTreatment, NoCause, Scenario, Shingles, TherapyTreatment, Trauma

_NEVER_H = 1e12

SCHEDULE_KEYS = frozenset({"night_days", "night_hours", "stress_steps", "stress_step_h", "cycle_starts_h", "tens_clock_h",
                           *(f"{t}_{edge}_h" for t in THERAPIES for edge in ("start", "end"))})
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
    q.update(treatment_inputs(sc))
    return q


def treatment_inputs(sc: Scenario) -> dict[str, np.ndarray | float]:
    """Therapy programme windows (h) and TENS sessions; empty without treatments (the untreated model)."""
    if not sc.treatments:
        return {}
    q: dict = {"treated": 1.0}
    therapies = [t for t in sc.treatments if isinstance(t, TherapyTreatment)]
    for name in THERAPIES:
        mine = [t for t in therapies if t.therapy == name]
        q[f"{name}_start_h"] = np.array([24.0 * t.start_day for t in mine] or [_NEVER_H], dtype=float)
        q[f"{name}_end_h"] = np.array([24.0 * (t.end_day if t.end_day is not None else sc.duration_days) for t in mine]
                                      or [_NEVER_H], dtype=float)
    tens = [t for t in therapies if t.therapy == "tens"]
    q["tens_clock_h"] = np.array(sorted({h for t in tens for h in t.session_clock_hours}) or [0.0], dtype=float)
    q["tens_session_h"] = (tens[0].session_minutes if tens else 30.0) / 60.0
    return q


def dose_records(sc: Scenario) -> list:
    """NONMEM-style dose records (:class:`painloop.treatments.DoseRecord`) of the scenario's drug treatments."""
    out = []
    for t in sc.treatments:
        if isinstance(t, DrugTreatment):
            end_day = t.end_day if t.end_day is not None else sc.duration_days
            out += records(t.drug, t.dose, 24.0 * t.start_day + t.clock_hour, 24.0 * end_day + t.clock_hour, t.every_hours)
    return out


def dose_schedule(sc: Scenario) -> list[tuple[float, str, float]]:
    """(time h, state, amount) jumps of every dose (patch removals are negative jumps)."""
    return dose_events(dose_records(sc))
