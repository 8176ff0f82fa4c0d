"""Natural history of a virtual population: every patient of one cause followed from onset, in batched chunks.

A run spec (YAML, validated) names the population (cause, covariate distributions), its size and seed, and
how long to follow it. Each chunk of patients is ONE :func:`painloop.simulate.simulate` call. The result is an
``xarray.Dataset`` of daily means per patient (patient × day) of the pain readouts, mood, sleep, damage and
sensitization, plus the covariates (patient), with units and provenance. Day 0 is the onset of an acute
cause; for diabetes it is the day of the cross-sectional look, after each patient's drawn diabetes duration:
its last ``population.history_years`` are simulated, the years before enter as the damage they produced (closed
form, :func:`~painloop.population._population.diabetic_damage_before`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np
import xarray as xr
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .. import DISCLAIMER, __version__
from ..scenario import parse_scenario
from ._population import (Population, PopulationSpec, cause_columns, diabetic_damage_before, initial_states,
                          sample_population)

if TYPE_CHECKING:
    import pandas as pd

DAILY_VARIABLES = ("nrs", "neuropathic_pain", "msk_pain", "inflammatory_pain", "burning", "paroxysmal", "allodynia",
                   "numbness", "tingling", "pins_and_needles", "weakness", "depression", "anxiety",
                   "sleep_quality", "function", "damage", "sens_central")
"""Variables kept as daily means per patient (outputs and states of the model)."""

RUN_RTOL = 1e-4
"""Relative tolerance of population runs (daily outputs need no finer; DESIGN.md 'Engine')."""


class PopulationRunError(ValueError):
    """A population run spec that cannot be run; the message names the field and what is allowed."""


class Output(BaseModel):
    model_config = ConfigDict(extra="forbid")
    every_hours: int = Field(6, description="sampling interval of the model within a day, h (a divisor of 24); "
                                            "daily means average these samples")

    @field_validator("every_hours")
    @classmethod
    def _divides_day(cls, v: int) -> int:
        if v <= 0 or 24 % v:
            raise ValueError(f"every_hours must divide 24 (1, 2, 3, 4, 6, 8, 12 or 24), got {v}")
        return v


class PopulationRun(BaseModel):
    """What ``painloop population`` simulates."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field("population", min_length=1, max_length=80)
    n: int = Field(200, ge=1, le=100_000, description="number of virtual patients")
    seed: int = Field(0, ge=0, description="random seed: the same seed gives the same patients and results")
    days: int = Field(180, ge=1, le=3650, description="days followed from day 0 (onset, or the cross-sectional day)")
    population: PopulationSpec = Field(default_factory=lambda: PopulationSpec(kind="community"))
    threshold: float = Field(3.0, ge=0.0, le=10.0, description="NRS at or above which a day counts as painful")
    chunk_size: int = Field(100, ge=1, le=5000, description="patients per batched simulation")
    output: Output = Field(default_factory=Output)

    @model_validator(mode="before")
    @classmethod
    def _community_by_default(cls, data: object) -> object:
        """A natural-history population is a community population unless the spec says ``kind: trial``."""
        if isinstance(data, dict) and isinstance(data.get("population"), dict) and "kind" not in data["population"]:
            data = {**data, "population": {**data["population"], "kind": "community"}}
        return data


def parse_run(data: object, origin: str = "") -> PopulationRun:
    """Validate a run-spec mapping; raise :class:`PopulationRunError` naming every bad field."""
    if not isinstance(data, dict):
        raise PopulationRunError(f"invalid population spec {origin}: expected a mapping of fields, got "
                                 f"{type(data).__name__}")
    try:
        return PopulationRun.model_validate(data)
    except ValidationError as e:
        lines = [f"invalid population spec {origin}:"]
        for err in e.errors():
            loc = ".".join(str(x) for x in err["loc"]) or "(top level)"
            lines.append(f"  {loc}: {err['msg']}")
        raise PopulationRunError("\n".join(lines)) from None


def load_run(path: Path | str) -> PopulationRun:
    """Read and validate a run-spec YAML file."""
    path = Path(path)
    if not path.is_file():
        raise PopulationRunError(f"population spec file {str(path)!r} does not exist")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise PopulationRunError(f"population spec file {str(path)!r} is not valid YAML: {e}") from None
    return parse_run(data, str(path))


def onset_days(run: PopulationRun, pop: Population) -> np.ndarray:
    """Each patient's cause onset (days, ≤ 0): minus the diabetes duration for diabetes, 0 for the other causes."""
    if run.population.cause == "diabetes" and "diabetes_years" in pop.covariates:
        years = np.minimum(pop.covariates["diabetes_years"], run.population.history_years)
        return -np.round(365.0 * years)
    return np.zeros(pop.n)


def _prepare(run: PopulationRun) -> tuple[Population, np.ndarray, int]:
    """The sampled population with its onsets and cause inputs relative to them, and the history length (days)."""
    pop = sample_population(run.population, run.n, run.seed)
    onset = onset_days(run, pop)
    history = int(math.ceil(-onset.min())) if onset.size else 0
    cols = cause_columns(run.population.cause, pop.covariates, pop.covariates["age"], 24.0 * onset,
                         horizon_day=float(run.days), seed=run.seed + 1)
    pop.inputs.update(cols)
    return pop, onset, history


def _scenario(run: PopulationRun, history_days: int):
    return parse_scenario({
        "name": f"population:{run.name}", "duration_days": run.days, "history_days": history_days,
        "cause": {"type": run.population.cause, "severity": 0.5, "onset_day": -history_days},
        "output": {"every_hours": run.output.every_hours},
        "solver": {"rtol": RUN_RTOL, "atol": RUN_RTOL / 100.0},
    })


def _start(run: PopulationRun, pop: Population, onset: np.ndarray) -> np.ndarray | None:
    """Initial states: for diabetes, the damage of the years before the simulated history (closed form)."""
    if run.population.cause != "diabetes" or "diabetes_years" not in pop.covariates:
        return None
    before = np.asarray(pop.covariates["diabetes_years"]) + onset / 365.0
    return initial_states(pop, diabetic_damage_before(pop, before))


def daily_means(x: np.ndarray, per_day: int) -> np.ndarray:
    """(patients, samples) → (patients, days): mean of each day's equally spaced samples (averages out the rhythm)."""
    n, m = x.shape
    days = m // per_day
    return x[:, :days * per_day].reshape(n, days, per_day).mean(axis=2)


def run_population(run: PopulationRun, progress: Callable[[float], None] | None = None) -> xr.Dataset:
    """Simulate the population in chunks of ``chunk_size`` patients (one batched simulate call each)."""
    from ..simulate import simulate

    pop, onset, history = _prepare(run)
    sc = _scenario(run, history)
    per_day = 24 // run.output.every_hours
    parts: dict[str, list[np.ndarray]] = {v: [] for v in DAILY_VARIABLES}
    ok_parts, steps = [], 0
    starts = list(range(0, run.n, run.chunk_size))
    for k, a in enumerate(starts):
        idx = np.arange(a, min(a + run.chunk_size, run.n))
        sub = pop.subset(idx)

        def chunk_progress(f: float, k: int = k) -> None:
            if progress is not None:
                progress((k + f) / len(starts))

        ds = simulate(sc, sub.params, inputs=sub.inputs, y0=_start(run, sub, onset[idx]), progress=chunk_progress)
        for v in DAILY_VARIABLES:
            parts[v].append(daily_means(np.asarray(ds[v].values), per_day))
        ok_parts.append(np.asarray(ds["solver_ok"].values))
        steps += int(ds.attrs["solver_steps"])
        units = {v: ds[v].attrs.get("units", "") for v in DAILY_VARIABLES}
        meaning = {v: ds[v].attrs.get("long_name", "") for v in DAILY_VARIABLES}
    days = np.arange(run.days, dtype=float)
    data = {v: (("patient", "day"), np.concatenate(parts[v])[:, :run.days],
                {"units": units[v], "long_name": f"daily mean of {meaning[v]}"}) for v in DAILY_VARIABLES}
    for name, x in pop.covariates.items():
        data[f"cov_{name}"] = ("patient", np.asarray(x, dtype=float), {"long_name": f"covariate {name}"})
    data["onset_day"] = ("patient", onset, {"units": "days", "long_name": "day the cause began (≤ 0)"})
    data["solver_ok"] = ("patient", np.concatenate(ok_parts).astype(np.int8),
                         {"long_name": "1 if the solver succeeded for this patient"})
    out = xr.Dataset(data, coords={"patient": np.arange(run.n), "day": days})
    out["day"].attrs.update(units="days", long_name="days since day 0 (onset of an acute cause)")
    out.attrs.update(title=f"painloop population: {run.name}", painloop_version=__version__,
                     spec_yaml=yaml.safe_dump(run.model_dump(mode="json"), sort_keys=False),
                     cause=run.population.cause, threshold=run.threshold, solver_steps=steps,
                     solver=f"tsit5, rtol={RUN_RTOL}", disclaimer=DISCLAIMER)
    return out


def daily_summary(ds: xr.Dataset, threshold: float) -> "pd.DataFrame":
    """Per-day population summary (pandas DataFrame): prevalence of NRS ≥ threshold, mean and quantiles of NRS."""
    import pandas as pd

    nrs = ds["nrs"].values
    ok = ds["solver_ok"].values.astype(bool)
    nrs = nrs[ok]
    return pd.DataFrame({
        "day": ds["day"].values.astype(int),
        "n_patients": int(ok.sum()),
        f"prevalence_nrs_ge_{threshold:g}": (nrs >= threshold).mean(axis=0),
        "prevalence_any_symptom": ((ds["neuropathic_pain"].values[ok] >= 1.0) | (ds["numbness"].values[ok] >= 1.0)
                                   | (ds["tingling"].values[ok] >= 1.0)).mean(axis=0),
        "nrs_mean": nrs.mean(axis=0),
        "nrs_p10": np.percentile(nrs, 10, axis=0),
        "nrs_median": np.median(nrs, axis=0),
        "nrs_p90": np.percentile(nrs, 90, axis=0),
        "damage_mean": ds["damage"].values[ok].mean(axis=0),
        "sens_central_mean": ds["sens_central"].values[ok].mean(axis=0),
    })
