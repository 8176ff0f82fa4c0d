"""Simulating a scenario for one patient or a batch, returning an ``xarray.Dataset``."""

from __future__ import annotations

import contextlib
from typing import Callable, Iterator, Mapping, Sequence

import numpy as np
import xarray as xr
import yaml

from .. import DISCLAIMER, __version__
from ..model import system
from ..scenario import Scenario, scenario_inputs
from ..scenario._inputs import SCHEDULE_KEYS, dose_schedule
from ._engine import ENGINES, STATUS_MEANING, SolverOptions, solve


_ENGINE_OVERRIDE: list[str] = []


@contextlib.contextmanager
def use_engine(engine: str) -> Iterator[None]:
    """Within the block, every :func:`simulate` call without an explicit ``engine`` uses ``engine``.

    For comparing back ends on whole workflows (a virtual trial, a population)
    that call :func:`simulate` internally.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    _ENGINE_OVERRIDE.append(engine)
    try:
        yield
    finally:
        _ENGINE_OVERRIDE.pop()


_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
"""libyaml's safe dumper where PyYAML has it (the same YAML, ~10x faster than the pure-Python one)."""


def _batch_size(*maps: Mapping[str, object], patient_doses: Sequence | None = None) -> int:
    """Number of patients: the length of the per-patient values (event lists: their second axis)."""
    sizes = {np.size(v) for m in maps for k, v in m.items() if np.ndim(v) == 1 and k not in SCHEDULE_KEYS}
    sizes |= {np.shape(v)[1] for m in maps for k, v in m.items()
              if np.ndim(v) == 2 and k in SCHEDULE_KEYS and np.shape(v)[1] != 1}
    if patient_doses is not None:
        sizes.add(len(patient_doses))
    if len(sizes) > 1:
        raise ValueError(f"batched values must all have the same length, got lengths {sorted(sizes)}")
    return sizes.pop() if sizes else 1


def patient_params(scenario: Scenario, params: Mapping[str, object] | None = None) -> dict[str, object]:
    """Defaults, then the scenario's overrides, then ``params`` (scalars or arrays per patient)."""
    p: dict[str, object] = system.default_params()
    p.update(scenario.params)
    for name, value in (params or {}).items():
        if name not in p:
            raise KeyError(f"unknown parameter {name!r}; see `painloop params`")
        p[name] = value
    return p


def simulate(scenario: Scenario, params: Mapping[str, object] | None = None, *,
             inputs: Mapping[str, object] | None = None, y0: np.ndarray | None = None,
             progress: Callable[[float], None] | None = None,
             patient_doses: Sequence[Sequence[tuple[float, str, float]]] | None = None,
             engine: str | None = None, block_size: int | None = None, threads: int | None = None,
             skip_history: bool = False) -> xr.Dataset:
    """Run ``scenario`` and return states and outputs over the reported period.

    ``params`` overrides parameters and ``inputs`` overrides scenario inputs
    (e.g. ``severity``); a 1-D array of length n in either gives n patients.
    ``y0`` (n_states × n_patients) replaces the declared healthy initial state.
    ``patient_doses[j]`` lists patient j's own (time h, state, amount) dose
    jumps on top of the scenario's regimen. ``engine`` (``"kernel"`` or
    ``"jax"``), ``block_size`` and ``threads`` override the scenario's solver
    settings (:class:`painloop.simulate.SolverOptions`). With ``skip_history``
    the history is not simulated: ``y0`` is the state at day 0 (e.g. a cached
    end of history, :func:`painloop.simulate.history_state`).
    """
    p = patient_params(scenario, params)
    q = scenario_inputs(scenario)
    q.update(inputs or {})
    n = _batch_size({k: v for k, v in p.items()}, {k: v for k, v in (inputs or {}).items()},
                    patient_doses=patient_doses)
    if y0 is None:
        if skip_history:
            raise ValueError("skip_history needs y0, the state at day 0")
        y0 = np.repeat(np.asarray(system.initial_state())[:, None], n, axis=1)
    y0 = np.asarray(y0, dtype=float)
    if y0.ndim == 1:
        y0 = np.repeat(y0[:, None], n, axis=1)
    options = SolverOptions(rtol=scenario.solver.rtol, atol=scenario.solver.atol, method=scenario.solver.method,
                            engine=engine or (_ENGINE_OVERRIDE or [scenario.solver.engine])[-1], threads=threads,
                            **({"block_size": block_size} if block_size else {}))
    t_start_h = 0.0 if skip_history else -24.0 * scenario.history_days
    sol = solve(scenario.cause.type, p, q, y0, t_start_h=t_start_h, t_save_from_h=0.0,
                t_end_h=24.0 * scenario.duration_days, dt_save_h=scenario.output.every_hours,
                options=options, on_chunk=progress, doses=dose_schedule(scenario), patient_doses=patient_doses)
    return to_dataset(sol.t_hours, sol.states, sol.outputs, scenario, n_steps=sol.n_steps, ok=sol.ok,
                      status=sol.status, engine=options.engine if options.method == "tsit5" else "jax")


def history_state(scenario: Scenario, params: Mapping[str, object] | None = None,
                  inputs: Mapping[str, object] | None = None, **engine: object) -> np.ndarray:
    """State at day 0 (n_states × n_patients) after the scenario's simulated history."""
    day = scenario.model_copy(update={"duration_days": scenario.output.every_hours / 24.0})
    ds = simulate(day, params, inputs=inputs, **engine)
    return np.stack([ds[name].values[:, 0] for name in system.STATE_NAMES])


def to_dataset(t_hours: np.ndarray, states: np.ndarray, outputs: np.ndarray, scenario: Scenario, *,
               n_steps: int, ok: np.ndarray, status: np.ndarray | None = None, engine: str = "jax") -> xr.Dataset:
    """Package solver arrays (time, variable, patient) as a Dataset with units and provenance."""
    n_patients = states.shape[2]
    coords = {"patient": np.arange(n_patients), "time": t_hours / 24.0}
    data = {}
    for i, s in enumerate(system.STATES):
        data[s.name] = xr.Variable(("patient", "time"), np.ascontiguousarray(states[:, i, :].T), {
            "units": s.unit, "long_name": s.meaning, "subsystem": s.subsystem, "kind": "state"}, fastpath=True)
    for i, o in enumerate(system.OUTPUTS):
        data[o.name] = xr.Variable(("patient", "time"), np.ascontiguousarray(outputs[:, i, :].T), {
            "units": o.unit, "long_name": o.meaning, "subsystem": o.subsystem, "kind": "output"}, fastpath=True)
    ds = xr.Dataset(data, coords=coords)
    ds["time"].attrs.update(units="days", long_name="time since the start of the reported period (day 0 at 00:00)")
    ds["solver_ok"] = ("patient", ok.astype(np.int8), {"long_name": "1 if the solver succeeded for this patient"})
    code = (np.where(ok, 0, 1) if status is None else np.asarray(status)).astype(np.int8)
    ds["solver_status"] = ("patient", code, {
        "long_name": "solver status per patient: " + "; ".join(f"{k} {v}" for k, v in STATUS_MEANING.items())})
    ds.attrs.update(
        title=f"painloop simulation: {scenario.name}",
        painloop_version=__version__,
        scenario_yaml=yaml.dump(scenario.model_dump(mode="json"), Dumper=_DUMPER, sort_keys=False),
        solver=f"{scenario.solver.method} ({engine} engine), rtol={scenario.solver.rtol}, atol={scenario.solver.atol}",
        solver_steps=int(n_steps),
        treatments="; ".join(_describe(t) for t in scenario.treatments),
        disclaimer=DISCLAIMER,
    )
    return ds


def _describe(t) -> str:
    """One-line description of a treatment of the scenario (for the dataset attributes and reports)."""
    end = "end" if t.end_day is None else f"day {t.end_day:g}"
    if hasattr(t, "drug"):
        every = "once" if t.every_hours is None else f"every {t.every_hours:g} h"
        return f"{t.drug} {t.dose:g} {every} from day {t.start_day:g} to {end}"
    return f"{t.therapy} from day {t.start_day:g} to {end}"
