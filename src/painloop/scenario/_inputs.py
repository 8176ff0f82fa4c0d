"""Turning a scenario into the numeric inputs (``q``) of the vector field, times in hours."""

from __future__ import annotations

import numpy as np

from ..treatments import THERAPIES, dose_events, records
from ..causes.combine import prefixed, unprefixed
from ..causes.toxic_metabolic import TOXIN_AGENTS
from ..treatments.catalogue import SESSION_THERAPIES
from ._schema import (Alcohol, B1Deficiency, B12Deficiency, CentralPostStroke, Chemotherapy, CombinedCause, Compression, Diabetes, DrugTreatment,
                      Erythromelalgia, MultipleSclerosis, NoCause, RheumatoidArthritis, Scenario, Shingles,
                      TherapyTreatment, Toxin, Trauma, TrigeminalNeuralgia)

_NEVER_H = 1e12

class _ScheduleKeys(frozenset):
    """A set of input names that also contains each name under a combined cause's prefix (``chemotherapy__…``)."""

    def __contains__(self, key: object) -> bool:
        return frozenset.__contains__(self, key) or (isinstance(key, str) and frozenset.__contains__(self, unprefixed(key)))


SCHEDULE_KEYS = _ScheduleKeys({"night_days", "night_hours", "stress_steps", "stress_step_h", "cycle_starts_h", "tens_clock_h",
                           "ms_relapse_h", "ra_flare_h", "em_heat_start_h", "em_heat_end_h", "em_heat_c",
                           *(f"{t}_{edge}_h" for t in THERAPIES for edge in ("start", "end")),
                           *(f"{t}_intensity" for t in SESSION_THERAPIES)})
"""Inputs that are lists of events (summed over their first axis), as opposed to per-patient values."""


def event_days(days: list[float], rate_per_year: float, seed: int, start_day: float, end_day: float) -> np.ndarray:
    """Days of episodic events: the given ``days``, or a Poisson process at ``rate_per_year`` drawn with ``seed``.

    The drawn days lie in [start_day, end_day); the same seed gives the same days.
    """
    if days:
        return np.sort(np.asarray(days, dtype=float))
    if rate_per_year <= 0.0:
        return np.zeros(0)
    rng = np.random.default_rng(seed)
    mean_gap = 365.25 / rate_per_year
    n_max = int(np.ceil((end_day - start_day) / mean_gap * 3.0)) + 10
    out = start_day + np.cumsum(rng.exponential(mean_gap, size=n_max))
    return out[out < end_day]


def _hours_or_never(days: np.ndarray) -> np.ndarray:
    """Event days → hours; an empty list becomes one event that never happens (fixed array shapes)."""
    return 24.0 * days if days.size else np.array([_NEVER_H])


def _day_h(day: float | None) -> float:
    """A day → hours since day 0; ``None`` (never) → a time beyond any run."""
    return _NEVER_H if day is None else 24.0 * day


def _heat_events(cause: Erythromelalgia) -> dict[str, np.ndarray]:
    """Erythromelalgia ambient temperature: one event per temperature step and per hot day (start h, end h, °C)."""
    starts, ends, temps = [], [], []
    steps = cause.temperatures
    for i, st in enumerate(steps):
        starts.append(24.0 * st.day)
        ends.append(24.0 * steps[i + 1].day if i + 1 < len(steps) else _NEVER_H)
        temps.append(st.celsius)
    for d in cause.hot_days:
        starts.append(24.0 * d)
        ends.append(24.0 * (d + 1.0))
        temps.append(cause.hot_day_celsius)
    if not starts:
        starts, ends, temps = [_NEVER_H], [2.0 * _NEVER_H], [cause.usual_celsius]
    return {"em_heat_start_h": np.array(starts), "em_heat_end_h": np.array(ends), "em_heat_c": np.array(temps),
            "em_usual_c": cause.usual_celsius}


def cause_inputs(cause, horizon_day: float = 3650.0) -> dict[str, np.ndarray | float]:
    """Cause settings in solver units (hours); seeded events (relapses, flares) are drawn up to ``horizon_day``."""
    if isinstance(cause, NoCause):
        return {}
    if isinstance(cause, CombinedCause):
        return {k: v for c in cause.causes for k, v in prefixed(c.type, cause_inputs(c, horizon_day)).items()}
    q: dict = {"severity": cause.severity, "onset_h": 24.0 * cause.onset_day}
    if isinstance(cause, Diabetes):
        q["hba1c"] = cause.hba1c
        if cause.glucose_control_day is not None:
            q["control_h"] = 24.0 * cause.glucose_control_day
            q["hba1c_control"] = cause.hba1c_control
    elif isinstance(cause, Shingles):
        q["age"] = cause.age
        if cause.antiviral_within_72h:
            q["hz_antiviral"] = 1.0
        if cause.vaccinated:
            q["hz_vaccinated"] = 1.0
    elif isinstance(cause, MultipleSclerosis):
        q["ms_relapse_h"] = _hours_or_never(event_days(cause.relapse_days, cause.relapse_rate_per_year, cause.seed,
                                                       cause.onset_day, horizon_day))
    elif isinstance(cause, RheumatoidArthritis):
        q["ra_flare_h"] = _hours_or_never(event_days(cause.flare_days, cause.flares_per_year, cause.seed,
                                                     cause.onset_day, horizon_day))
    elif isinstance(cause, (B12Deficiency, B1Deficiency)):
        q["supplement_h"] = _day_h(cause.supplement_day)
    elif isinstance(cause, Erythromelalgia):
        q.update(_heat_events(cause))
    elif isinstance(cause, Alcohol):
        q["drinks_per_day"] = cause.drinks_per_day
        q["abstinence_h"] = _day_h(cause.abstinence_day)
    elif isinstance(cause, Toxin):
        q["exposure_end_h"] = _day_h(cause.exposure_end_day)
        q.update({f"agent_{a}": float(cause.agent == a) for a in TOXIN_AGENTS})
    elif isinstance(cause, Chemotherapy):
        q["cycle_starts_h"] = 24.0 * (cause.onset_day + cause.cycle_days * np.arange(cause.cycles))
    elif isinstance(cause, Trauma):
        q["amputation"] = float(cause.amputation)
    elif isinstance(cause, Compression):
        q["release_h"] = _NEVER_H if cause.decompression_day is None else 24.0 * cause.decompression_day
        if cause.kind != "entrapment":
            q[f"cmp_kind_{cause.kind}"] = 1.0
    elif isinstance(cause, TrigeminalNeuralgia):
        q["release_h"] = _day_h(cause.decompression_day)
    elif isinstance(cause, CentralPostStroke):
        q["somatosensory"] = float(cause.somatosensory)
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
        "day_variation": 0.0 if sc.variation.seed is None else 1.0,
        "day_seed": float(sc.variation.seed or 0),
    }
    q.update(cause_inputs(sc.cause, sc.duration_days))
    q.update(treatment_inputs(sc))
    return q


def treatment_inputs(sc: Scenario) -> dict[str, np.ndarray | float]:
    """Therapy programme windows (h) and TENS sessions; empty without treatments (the untreated model).

    Only the therapies the scenario uses get input lists: the model reads an
    absent therapy as never given, and the compiled kernel of a drug-only
    scenario then evaluates no therapy windows.
    """
    if not sc.treatments:
        return {}
    q: dict = {"treated": 1.0}
    therapies = [t for t in sc.treatments if isinstance(t, TherapyTreatment)]
    for name in THERAPIES:
        mine = [t for t in therapies if t.therapy == name]
        if not mine:
            continue
        q[f"{name}_start_h"] = np.array([24.0 * t.start_day for t in mine], dtype=float)
        q[f"{name}_end_h"] = np.array([24.0 * (t.end_day if t.end_day is not None else sc.duration_days) for t in mine],
                                      dtype=float)
        if name in SESSION_THERAPIES:
            ref = THERAPIES[name].sessions_per_week
            q[f"{name}_intensity"] = np.array([(t.sessions_per_week or ref) / ref for t in mine], dtype=float)
    tens = [t for t in therapies if t.therapy == "tens"]
    if tens:
        q["tens_clock_h"] = np.array(sorted({h for t in tens for h in t.session_clock_hours}) or [0.0], dtype=float)
        q["tens_session_h"] = tens[0].session_minutes / 60.0
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
