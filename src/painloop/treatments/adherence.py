"""A seeded adherence model: oral doses are missed, more often when side effects bother.

Each scheduled oral dose ``i`` of patient ``j`` is missed when a uniform draw
``u[i, j]`` (from ``numpy.random.default_rng(seed)``, one per dose and patient,
in the order of the dose schedule) is below the missed-dose probability

    P(miss) = min(adherence_miss_base + adherence_miss_burden × burden, 1),

where ``burden`` is the patient's ``side_effect_burden`` (0-1) at the dose
time in a first run with every dose taken (a one-pass approximation: the
missed doses then lower the burden a little). Patch applications and
removals, and doses before the reported period, are always taken. A missed
dose is written as a cancelling jump (``-amount`` of the same state at the
same time), so the engine's dose handling is unchanged.

The same schedule, parameters and seed give the same missed doses; more
burden never removes a missed dose (the draws are fixed by the seed), so a
more bothersome drug misses at least the same doses and usually more.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from .catalogue import DRUGS

Dose = tuple[float, str, float]

_ORAL_STATES: frozenset[str] = frozenset(d.dose_state for d in DRUGS.values() if d.route == "oral")
"""Dose states of oral drugs: the only doses the model lets a patient miss."""


def miss_probability(burden: np.ndarray, base: np.ndarray | float, per_burden: np.ndarray | float) -> np.ndarray:
    """Probability (0-1) that a dose is missed at side-effect burden ``burden`` (0-1); ``base`` and
    ``per_burden`` are fractions (scalars or one value per patient)."""
    return np.clip(np.asarray(base, dtype=float) + np.asarray(per_burden, dtype=float) * np.asarray(burden, dtype=float),
                   0.0, 1.0)


def missable(schedule: Sequence[Dose]) -> list[int]:
    """Indices of the doses of ``schedule`` a patient may miss: oral doses at or after day 0 (time ≥ 0 h)."""
    return [i for i, (t, state, amount) in enumerate(schedule) if state in _ORAL_STATES and t >= 0.0 and amount > 0.0]


def burden_at(t_hours: np.ndarray, burden: np.ndarray, dose_times_h: np.ndarray) -> np.ndarray:
    """Side-effect burden (doses × patients, 0-1) at each dose time, linearly interpolated from the sampled
    ``burden`` (patients × times, at ``t_hours``); before the first sample the first value holds."""
    return np.stack([np.interp(dose_times_h, t_hours, row) for row in np.atleast_2d(burden)], axis=1)


def draw_missed(schedule: Sequence[Dose], t_hours: np.ndarray, burden: np.ndarray,
                params: Mapping[str, object], seed: int) -> np.ndarray:
    """Missed-dose mask (len(schedule) × patients, bool) for one seed.

    ``burden`` (patients × times) is the side-effect burden sampled at ``t_hours`` (h since day 0);
    ``params`` holds ``adherence_miss_base`` and ``adherence_miss_burden`` (scalars or per patient).
    """
    n = np.atleast_2d(burden).shape[0]
    mask = np.zeros((len(schedule), n), dtype=bool)
    idx = missable(schedule)
    u = np.random.default_rng(seed).uniform(size=(len(schedule), n))
    if not idx:
        return mask
    times = np.array([schedule[i][0] for i in idx], dtype=float)
    prob = miss_probability(burden_at(t_hours, burden, times), params["adherence_miss_base"],
                            params["adherence_miss_burden"])
    mask[idx] = u[idx] < prob
    return mask


def cancelling_doses(schedule: Sequence[Dose], missed: np.ndarray) -> list[list[Dose]]:
    """Per-patient dose jumps that cancel the missed doses: ``(t, state, -amount)`` for each missed dose."""
    return [[(t, state, -amount) for (t, state, amount), gone in zip(schedule, missed[:, j]) if gone]
            for j in range(missed.shape[1])]
