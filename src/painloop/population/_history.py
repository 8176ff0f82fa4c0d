"""The untreated history of a population: years of disease, then a screening (run-in) period, in one batched run."""

from __future__ import annotations

import numpy as np
import xarray as xr

from ..model import system
from ..scenario import parse_scenario
from ..scenario._schema import Scenario
from ..simulate import simulate
from ._population import Population, PopulationSpec, diabetic_damage_before, initial_states

HISTORY_RTOL = 1e-4
"""Relative tolerance of population runs (daily pain outputs need no finer; DESIGN.md 'Engine')."""


def history_scenario(spec: PopulationSpec, run_in_days: float, every_hours: float = 6.0) -> Scenario:
    """Untreated disease for ``spec.history_years`` then ``run_in_days`` reported (plus one sample at the end).

    Day 0 of the result is the start of the run-in; the extra sample at
    ``run_in_days`` is the state from which the trial arms start.
    """
    history_days = int(round(365.0 * spec.history_years))
    return parse_scenario({
        "name": "population-history", "duration_days": run_in_days + every_hours / 24.0,
        "history_days": history_days,
        "cause": {"type": spec.cause, "severity": 0.8, "onset_day": -history_days},
        "output": {"every_hours": every_hours},
        "solver": {"rtol": HISTORY_RTOL, "atol": HISTORY_RTOL / 100.0},
    })


def simulate_history(pop: Population, spec: PopulationSpec, run_in_days: float,
                     every_hours: float = 6.0) -> tuple[Population, xr.Dataset]:
    """Simulate every patient's untreated history and run-in as ONE batched run.

    For diabetes, the years of diabetes before the simulated history enter as the damage they produced
    (:func:`~painloop.population._population.diabetic_damage_before`).

    Returns the population with ``y0`` set to the state at the end of the
    run-in (n_states × n) and ``history_h`` to the time since cause onset
    (h), and the run-in Dataset (times 0 ≤ t < run_in_days, every
    ``every_hours``).
    """
    sc = history_scenario(spec, run_in_days, every_hours)
    y0 = None
    if spec.cause == "diabetes" and "diabetes_years" in pop.covariates:
        before = np.asarray(pop.covariates["diabetes_years"]) - spec.history_years
        y0 = initial_states(pop, diabetic_damage_before(pop, before))
    ds = simulate(sc, pop.params, inputs=pop.inputs, y0=y0)
    end = ds.isel(time=-1)
    y0 = np.stack([np.asarray(end[s].values, dtype=float) for s in system.STATE_NAMES])
    out = Population(pop.covariates, pop.params, pop.inputs, y0=y0,
                     history_h=24.0 * (sc.history_days + run_in_days), extra=dict(pop.extra))
    return out, ds.isel(time=slice(0, -1))
