"""From a specification to a runnable sweep: the scenario loaded, names checked, the design planned."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..scenario import Scenario, ScenarioError, builtin, load_scenario, parse_scenario
from ._design import Plan, make_plan
from ._model import FunctionModel, ScenarioModel, SweepModel, Variable
from ._spec import PopulationDesign, SweepSpec, SweepSpecError, Window

_RESERVED = {"patient", "shard", "shard_done", "day", "solver_ok"}


@dataclass
class Sweep:
    """A validated sweep ready to run: spec, model, plan and the record a store keeps (``canonical``)."""

    spec: SweepSpec
    model: SweepModel
    plan: Plan
    canonical: dict[str, Any]
    scenario: Scenario | None = None

    @property
    def variables(self) -> list[Variable]:
        return self.model.variables()


def _scenario(spec: SweepSpec, base_dir: Path) -> Scenario:
    try:
        if isinstance(spec.scenario, str):
            sc = builtin(spec.scenario)
        elif isinstance(spec.scenario, dict):
            sc = parse_scenario(spec.scenario, "(sweep field scenario)")
        elif spec.scenario_file is not None:
            sc = load_scenario(base_dir / spec.scenario_file)
        else:
            raise SweepSpecError("invalid sweep specification: give scenario (a built-in name or a mapping) or "
                                 "scenario_file")
        if spec.scenario_changes:
            sc = parse_scenario({**sc.model_dump(mode="json"), **spec.scenario_changes},
                                "(after sweep field scenario_changes)")
    except ScenarioError as e:
        raise SweepSpecError(str(e)) from None
    return sc


def _check_window(w: Window, duration: float, where: str) -> None:
    if w.last_days is not None and w.last_days > duration:
        raise SweepSpecError(f"{where}.last_days ({w.last_days:g}) is longer than the reported period "
                             f"(duration_days = {duration:g})")
    if w.to_day is not None and w.to_day > duration:
        raise SweepSpecError(f"{where}.to_day ({w.to_day:g}) is after the end of the reported period "
                             f"(duration_days = {duration:g})")


def _kinds(spec: SweepSpec, sc: Scenario) -> dict[str, str]:
    from ..model import system
    from ..scenario import scenario_inputs
    from ..scenario._inputs import SCHEDULE_KEYS

    params = set(system.default_params())
    inputs = {k for k, v in scenario_inputs(sc).items() if k not in SCHEDULE_KEYS}
    kinds = {}
    for name, f in spec.vary.items():
        kind = f.kind or ("param" if name in params else "input" if name in inputs else None)
        allowed = params if kind == "param" else inputs
        if kind is None or name not in allowed:
            raise SweepSpecError(
                f"vary.{name}: unknown {'parameter or scenario input' if f.kind is None else kind}; allowed: model "
                f"parameters (`painloop params`) or this scenario's inputs ({', '.join(sorted(inputs))})")
        kinds[name] = kind
    return kinds


def _scenario_model(spec: SweepSpec, sc: Scenario) -> ScenarioModel:
    from ..model import system

    known = set(system.STATE_NAMES) | {o.name for o in system.OUTPUTS}
    o = spec.outputs
    for i, s in enumerate(o.summaries):
        if s.var not in known:
            raise SweepSpecError(f"outputs.summaries.{i}.var: unknown variable {s.var!r}; allowed: the states "
                                 f"(`painloop states`) and outputs of the model, e.g. nrs, depression, sleep_quality")
        _check_window(s.window, sc.duration_days, f"outputs.summaries.{i}.window")
    for i, r in enumerate(o.responders):
        if r.var not in known:
            raise SweepSpecError(f"outputs.responders.{i}.var: unknown variable {r.var!r}")
        _check_window(r.baseline, sc.duration_days, f"outputs.responders.{i}.baseline")
        _check_window(r.end, sc.duration_days, f"outputs.responders.{i}.end")
    for v in o.trajectories:
        if v not in known:
            raise SweepSpecError(f"outputs.trajectories: unknown variable {v!r}")
    covariates: tuple[str, ...] = ()
    if isinstance(spec.design, PopulationDesign):
        if sc.cause.type != spec.population.cause:
            raise SweepSpecError(f"population: the population is of cause {spec.population.cause!r} but the "
                                 f"scenario's cause is {sc.cause.type!r}; use a {spec.population.cause} scenario")
        from ..population import sample_population

        try:
            covariates = tuple(sample_population(spec.population, 1, 0).covariates)
        except ValueError as e:
            raise SweepSpecError(f"population: {e}") from None
    return ScenarioModel(sc, o, _kinds(spec, sc), spec.population, covariates)


def resolve_sweep(spec: SweepSpec, base_dir: str | Path = ".", model: SweepModel | None = None) -> Sweep:
    """Check a spec against the model and plan its design.

    Without ``model`` the painloop model runs the spec's scenario; a
    :class:`~painloop.sweep.FunctionModel` (or any object with the same
    methods) can stand in for it, e.g. a test function with known answers.
    """
    sc = None
    if model is None:
        sc = _scenario(spec, Path(base_dir))
        model = _scenario_model(spec, sc)
    elif isinstance(model, FunctionModel) and list(model.names) != list(spec.vary):
        raise SweepSpecError(f"vary: the function takes {list(model.names)}, the spec varies {list(spec.vary)}")
    names = [v.name for v in model.variables()] + list(spec.vary)
    clash = sorted({n for n in names if names.count(n) > 1} | (set(spec.vary) & _RESERVED))
    if clash:
        raise SweepSpecError(f"outputs: the names {clash} are used twice (factors, outputs and {sorted(_RESERVED)} "
                             f"must differ); give the summary a name")
    plan = make_plan(spec)
    if isinstance(model, ScenarioModel) and plan.n > spec.shard_size:
        model.pad_to = spec.shard_size
    canonical = spec.model_dump(mode="json", exclude={"scenario_file", "scenario_changes", "scenario"})
    canonical["scenario"] = None if sc is None else sc.model_dump(mode="json")
    canonical["model"] = model.describe()
    return Sweep(spec, model, plan, canonical, sc)
