"""What a shard runs: the painloop model on a scenario, or any Python function standing in for it.

A model declares the per-patient variables it returns (name, extra
dimensions, dtype, attributes) so the store can be laid out before any shard
runs, and maps one shard's factor columns to those variables. Both kinds are
plain picklable objects, so Dask can ship them to worker processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Protocol, Sequence

import numpy as np

from ..population import PopulationSpec
from ..scenario import Scenario
from ._spec import Outputs, Window

FAILED = -1
"""Responder value of a patient whose run failed (undetermined)."""


@dataclass(frozen=True)
class Variable:
    """One per-patient variable of the store: dims after ``patient``, dtype, fill value, attributes."""

    name: str
    dtype: str
    fill: float | int
    attrs: dict[str, Any]
    dims: tuple[str, ...] = ()
    shape: tuple[int, ...] = ()


class SweepModel(Protocol):
    """What the sweep runner needs from a model."""

    def variables(self) -> list[Variable]: ...

    def coords(self) -> dict[str, np.ndarray]: ...

    def describe(self) -> dict[str, Any]: ...

    def __call__(self, columns: Mapping[str, np.ndarray], n: int, seed: np.random.SeedSequence) -> dict[str, np.ndarray]: ...


def per_patient(flag: object, n: int) -> np.ndarray:
    """A solver flag as one int8 per patient: a per-patient array as is, a per-batch flag broadcast."""
    arr = np.asarray(flag)
    if arr.size == n:
        return arr.reshape(n).astype(np.int8)
    if arr.size == 1:
        return np.full(n, int(arr.reshape(())), dtype=np.int8)
    raise ValueError(f"solver_ok has {arr.size} values for {n} patients")


def window_mask(t_days: np.ndarray, window: Window, duration_days: float) -> np.ndarray:
    """Samples of the reported period inside ``window`` (times in days)."""
    if window.last_days is not None:
        return t_days >= duration_days - window.last_days
    return (t_days >= window.from_day) & (t_days < window.to_day)


def _stat(values: np.ndarray, stat: str) -> np.ndarray:
    """``stat`` over the time axis (axis 1) of a patient × time array."""
    if stat == "mean":
        return values.mean(axis=1)
    if stat == "min":
        return values.min(axis=1)
    if stat == "max":
        return values.max(axis=1)
    return values[:, -1]


def daily_means(t_days: np.ndarray, values: np.ndarray, n_days: int) -> np.ndarray:
    """Daily means (patient × day, day k = k ≤ t < k+1) of a patient × time array; NaN for a day without samples."""
    day = np.floor(t_days).astype(int)
    keep = (day >= 0) & (day < n_days)
    sums = np.zeros((values.shape[0], n_days))
    counts = np.bincount(day[keep], minlength=n_days).astype(float)
    np.add.at(sums.T, day[keep], values[:, keep].T)
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / np.where(counts > 0, counts, np.nan)


@dataclass
class ScenarioModel:
    """The painloop model on one scenario: factors become parameter overrides or scenario inputs.

    ``kinds`` maps each factor to ``"param"`` or ``"input"``; with a
    ``population`` the patients are drawn per shard instead (covariates,
    random effects, severity, HbA1c, stress, time in bed). ``pad_to`` pads a
    short shard with copies of its first patient so every shard has one
    batch shape (one compilation per worker); the copies are dropped.
    """

    scenario: Scenario
    outputs: Outputs
    kinds: dict[str, str] = field(default_factory=dict)
    population: PopulationSpec | None = None
    covariates: tuple[str, ...] = ()
    pad_to: int | None = None

    @property
    def n_days(self) -> int:
        return int(np.ceil(self.scenario.duration_days))

    def variables(self) -> list[Variable]:
        from ..model import system

        units = {s.name: s.unit for s in system.STATES} | {o.name: o.unit for o in system.OUTPUTS}
        out = [Variable("solver_ok", "int8", 0, {"long_name": "1 if the solver succeeded for this patient, else 0",
                                                 "units": "1"})]
        for c in self.covariates:
            out.append(Variable(c, "float64", np.nan, {"long_name": f"population covariate {c}", "kind": "covariate"}))
        for s in self.outputs.summaries:
            out.append(Variable(s.key(), "float64", np.nan, {
                "units": units[s.var], "kind": "summary", "var": s.var, "stat": s.stat,
                "window": s.window.model_dump_json(exclude_none=True),
                "long_name": f"{s.stat} of {s.var} over {_window_text(s.window)}"}))
        for r in self.outputs.responders:
            out.append(Variable(r.key(), "int8", FAILED, {
                "units": "1", "kind": "responder", "var": r.var, "min_reduction": r.min_reduction,
                "long_name": (f"1 if mean {r.var} over {_window_text(r.end)} is at least {100 * r.min_reduction:g} % "
                              f"below its mean over {_window_text(r.baseline)}, 0 if not, -1 if the run failed")}))
        for v in self.outputs.trajectories:
            out.append(Variable(f"{v}_daily", "float64", np.nan,
                                {"units": units[v], "kind": "trajectory", "long_name": f"daily mean of {v}"},
                                dims=("day",), shape=(self.n_days,)))
        return out

    def coords(self) -> dict[str, np.ndarray]:
        return {"day": np.arange(self.n_days)} if self.outputs.trajectories else {}

    def describe(self) -> dict[str, Any]:
        return {"type": "painloop scenario model", "kinds": dict(self.kinds)}

    def __call__(self, columns: Mapping[str, np.ndarray], n: int, seed: np.random.SeedSequence) -> dict[str, np.ndarray]:
        from ..simulate import simulate

        params = {k: v for k, v in columns.items() if self.kinds[k] == "param"}
        inputs = {k: v for k, v in columns.items() if self.kinds[k] == "input"}
        result: dict[str, np.ndarray] = {}
        if self.population is not None:
            from ..population import sample_population

            pop = sample_population(self.population, n, seed)
            params, inputs = dict(pop.params), dict(pop.inputs)
            result.update({c: np.asarray(pop.covariates[c], dtype=float) for c in self.covariates})
        m = max(n, self.pad_to or 0)
        pad = np.concatenate([np.arange(n), np.zeros(m - n, dtype=int)])
        batch = lambda d: {k: np.asarray(v, dtype=float)[pad] for k, v in d.items()}  # noqa: E731
        ds = simulate(self.scenario, batch(params), inputs=batch(inputs))
        ok = per_patient(ds["solver_ok"].values, m)[:n]
        t = ds["time"].values
        values = {v: np.asarray(ds[v].values[:n], dtype=float) for v in self._vars()}
        d = self.scenario.duration_days
        finite = np.ones(n, dtype=bool)
        for s in self.outputs.summaries:
            y = _stat(values[s.var][:, window_mask(t, s.window, d)], s.stat)
            result[s.key()] = y
            finite &= np.isfinite(y)
        for r in self.outputs.responders:
            base = values[r.var][:, window_mask(t, r.baseline, d)].mean(axis=1)
            end = values[r.var][:, window_mask(t, r.end, d)].mean(axis=1)
            good = np.isfinite(base) & np.isfinite(end)
            result[r.key()] = np.where(good, (base - end) >= r.min_reduction * base, FAILED).astype(np.int8)
            finite &= good
        for v in self.outputs.trajectories:
            result[f"{v}_daily"] = daily_means(t, values[v], self.n_days)
        result["solver_ok"] = (ok.astype(bool) & finite).astype(np.int8)
        return result

    def _vars(self) -> set[str]:
        o = self.outputs
        return {s.var for s in o.summaries} | {r.var for r in o.responders} | set(o.trajectories)


def _window_text(w: Window) -> str:
    return f"the last {w.last_days:g} days" if w.last_days is not None else f"days {w.from_day:g} to {w.to_day:g}"


@dataclass
class FunctionModel:
    """A plain Python function standing in for the model: ``func(X) -> Y``.

    ``X`` is the shard's factor matrix (patients × factors, in ``names``
    order); ``Y`` has one column per name in ``outputs`` (or is 1-D for a
    single output). ``outputs`` maps each output name to its unit. A patient
    whose outputs are not finite gets ``solver_ok`` 0.
    """

    func: Callable[[np.ndarray], np.ndarray]
    names: Sequence[str]
    outputs: dict[str, str]

    def variables(self) -> list[Variable]:
        out = [Variable("solver_ok", "int8", 0, {"long_name": "1 if the outputs are finite, else 0", "units": "1"})]
        out += [Variable(k, "float64", np.nan, {"units": u, "kind": "summary"}) for k, u in self.outputs.items()]
        return out

    def coords(self) -> dict[str, np.ndarray]:
        return {}

    def describe(self) -> dict[str, Any]:
        return {"type": "function", "function": f"{self.func.__module__}.{self.func.__qualname__}",
                "names": list(self.names), "outputs": dict(self.outputs)}

    def __call__(self, columns: Mapping[str, np.ndarray], n: int, seed: np.random.SeedSequence) -> dict[str, np.ndarray]:
        x = np.stack([np.asarray(columns[k], dtype=float) for k in self.names], axis=1)
        y = np.asarray(self.func(x), dtype=float).reshape(n, len(self.outputs))
        result = {k: y[:, j] for j, k in enumerate(self.outputs)}
        result["solver_ok"] = np.all(np.isfinite(y), axis=1).astype(np.int8)
        return result
