"""The sweep specification: what to simulate, what to vary, how to sample it, what to keep.

A sweep is written as YAML and validated field by field, like a scenario.
The *resolved* specification (the scenario expanded to all its fields) is
what a store records and what a resumed run is compared against, so editing
the scenario file behind a store's back is detected too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Discriminator, Field, ValidationError, model_validator

from ..population import PopulationSpec


class SweepSpecError(ValueError):
    """A sweep specification that cannot be used; the message names the field and what is allowed."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Factor(_Strict):
    """One parameter or scenario input to vary, with its distribution (or grid values).

    ``uniform``/``loguniform`` use ``low``..``high``; ``normal`` uses ``mean``/``sd``; ``lognormal`` uses
    ``median``/``sigma`` (SD of the natural log). A grid design uses ``values`` or ``levels`` points
    from ``low`` to ``high`` (log-spaced for ``loguniform``). Values are in the unit of the parameter
    or input (`painloop params`).
    """

    kind: Literal["param", "input"] | None = Field(
        None, description="model parameter or scenario input (default: found by name)")
    dist: Literal["uniform", "loguniform", "normal", "lognormal"] = "uniform"
    low: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = Field(None, gt=0.0)
    median: float | None = Field(None, gt=0.0)
    sigma: float | None = Field(None, gt=0.0)
    values: list[float] | None = Field(None, min_length=1, max_length=10_000)
    levels: int | None = Field(None, ge=2, le=10_000)

    @model_validator(mode="after")
    def _fields_of_the_distribution(self) -> "Factor":
        needs = {"uniform": ("low", "high"), "loguniform": ("low", "high"), "normal": ("mean", "sd"),
                 "lognormal": ("median", "sigma")}[self.dist]
        if self.values is None:
            missing = [n for n in needs if getattr(self, n) is None]
            if missing:
                raise ValueError(f"dist {self.dist!r} needs {' and '.join(needs)}; missing {', '.join(missing)}")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if self.dist == "loguniform" and self.low is not None and self.low <= 0.0:
            raise ValueError(f"loguniform needs low > 0, got {self.low}")
        return self


class GridDesign(_Strict):
    """Every combination of each factor's ``values`` (or ``levels`` points from low to high)."""

    type: Literal["grid"]


class RandomDesign(_Strict):
    """Independent draws from each factor's distribution (plain Monte Carlo), drawn shard by shard."""

    type: Literal["random"]
    n: int = Field(..., ge=1, le=100_000_000, description="number of patients (points)")


class LatinHypercubeDesign(_Strict):
    """A Latin hypercube of ``n`` points over all factors (scipy.stats.qmc)."""

    type: Literal["lhs"]
    n: int = Field(..., ge=1, le=100_000_000, description="number of patients (points)")


class SobolDesign(_Strict):
    """Saltelli's extension of a Sobol sequence (SALib): n·(k+2) points, or n·(2k+2) with second order."""

    type: Literal["sobol"]
    n: int = Field(..., ge=2, le=10_000_000, description="base sample size N (a power of 2)")
    second_order: bool = False

    @model_validator(mode="after")
    def _power_of_two(self) -> "SobolDesign":
        if self.n & (self.n - 1):
            raise ValueError(f"n must be a power of 2 for the Sobol sequence (e.g. 64, 128, 256), got {self.n}")
        return self


class PopulationDesign(_Strict):
    """``n`` virtual patients drawn from ``population`` (covariates and random effects), shard by shard."""

    type: Literal["population"]
    n: int = Field(..., ge=1, le=100_000_000, description="number of patients")


Design = Annotated[Union[GridDesign, RandomDesign, LatinHypercubeDesign, SobolDesign, PopulationDesign],
                   Discriminator("type")]


class Window(_Strict):
    """Days of the reported period: the last ``last_days`` days, or ``from_day`` ≤ t < ``to_day``."""

    last_days: float | None = Field(None, gt=0.0)
    from_day: float | None = Field(None, ge=0.0)
    to_day: float | None = Field(None, gt=0.0)

    @model_validator(mode="after")
    def _one_form(self) -> "Window":
        if (self.last_days is None) == (self.from_day is None and self.to_day is None):
            raise ValueError("give either last_days, or from_day and to_day")
        if self.last_days is None and (self.from_day is None or self.to_day is None):
            raise ValueError("from_day and to_day go together")
        if self.from_day is not None and self.to_day is not None and self.to_day <= self.from_day:
            raise ValueError(f"to_day ({self.to_day}) must be after from_day ({self.from_day})")
        return self

    def label(self) -> str:
        if self.last_days is not None:
            return f"last{self.last_days:g}d"
        return f"d{self.from_day:g}-{self.to_day:g}"


class Summary(_Strict):
    """One number per patient: ``stat`` of ``var`` over ``window`` (default: the last 28 days)."""

    var: str = "nrs"
    stat: Literal["mean", "min", "max", "final"] = "mean"
    window: Window = Field(default_factory=lambda: Window(last_days=28.0))
    name: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")

    def key(self) -> str:
        return self.name or f"{self.var}_{self.stat}_{self.window.label()}".replace(".", "p").replace("-", "_")


class Responder(_Strict):
    """1 if mean ``var`` fell by at least ``min_reduction`` (fraction) from ``baseline`` to ``end``, else 0."""

    var: str = "nrs"
    baseline: Window = Field(default_factory=lambda: Window(from_day=0.0, to_day=7.0))
    end: Window = Field(default_factory=lambda: Window(last_days=7.0))
    min_reduction: float = Field(0.3, gt=0.0, le=1.0, description="fraction of the baseline (0.3: 30 % reduction)")
    name: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")

    def key(self) -> str:
        return self.name or f"responder_{self.var}_{round(100 * self.min_reduction)}"


class Outputs(_Strict):
    """What each patient keeps: summaries, responder flags and, on request, daily-mean trajectories."""

    summaries: list[Summary] = Field(default_factory=lambda: [Summary()])
    responders: list[Responder] = Field(default_factory=list)
    trajectories: list[str] = Field(default_factory=list, description="variables kept as daily means (patient × day)")


class SweepSpec(_Strict):
    """A sweep: the scenario, the factors, the design, the outputs, the shard size and the seed."""

    name: str = Field("sweep", min_length=1, max_length=200)
    scenario: str | dict[str, Any] | None = Field(
        None, description="built-in scenario name or an inline scenario mapping")
    scenario_file: str | None = Field(None, description="scenario YAML file (relative to the sweep file)")
    scenario_changes: dict[str, Any] = Field(default_factory=dict,
                                             description="top-level scenario fields replaced (e.g. duration_days)")
    population: PopulationSpec | None = Field(None, description="who the patients are (design type population)")
    vary: dict[str, Factor] = Field(default_factory=dict)
    design: Design
    outputs: Outputs = Field(default_factory=Outputs)
    shard_size: int = Field(64, ge=1, le=1_000_000, description="patients per shard (one batched engine call)")
    seed: int = Field(0, ge=0, le=2**63 - 1)

    @model_validator(mode="after")
    def _consistent(self) -> "SweepSpec":
        if self.scenario is not None and self.scenario_file is not None:
            raise ValueError("give scenario or scenario_file, not both")
        if isinstance(self.design, PopulationDesign):
            if self.population is None:
                raise ValueError("design type population needs a population section (e.g. population: {})")
            if self.vary:
                raise ValueError("design type population draws the patients itself; leave vary empty")
        else:
            if self.population is not None:
                raise ValueError("a population section needs design type population")
            if not self.vary:
                raise ValueError(f"design type {self.design.type} needs at least one factor under vary")
        if isinstance(self.design, GridDesign):
            for name, f in self.vary.items():
                if f.values is None and (f.levels is None or f.low is None or f.high is None):
                    raise ValueError(f"vary.{name}: a grid needs values, or levels with low and high")
        return self


def _format(err: ValidationError, origin: str) -> str:
    lines = [f"invalid sweep specification {origin}:".replace(" :", ":")]
    for e in err.errors():
        where = ".".join(str(x) for x in e["loc"]) or "(top level)"
        got = e.get("input")
        got_txt = "" if isinstance(got, (dict, list)) else f" (got {got!r})"
        lines.append(f"  {where}: {e['msg']}{got_txt}")
    return "\n".join(lines)


def parse_sweep_spec(data: object, origin: str = "") -> SweepSpec:
    """Validate a mapping as a :class:`SweepSpec`; raise :class:`SweepSpecError` naming each bad field."""
    if not isinstance(data, dict):
        raise SweepSpecError(f"invalid sweep specification {origin}: expected a mapping of fields, "
                             f"got {type(data).__name__}")
    try:
        return SweepSpec.model_validate(data)
    except ValidationError as err:
        raise SweepSpecError(_format(err, origin)) from None


def load_sweep_spec(path: str | Path) -> tuple[SweepSpec, Path]:
    """Read and validate a sweep YAML file; returns the spec and the folder relative paths start from."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SweepSpecError(f"sweep file not found: {path}") from None
    except UnicodeDecodeError as err:
        raise SweepSpecError(f"sweep file {path} is not UTF-8 text ({err.reason} at byte {err.start})") from None
    except yaml.YAMLError as err:
        raise SweepSpecError(f"sweep file {path} is not valid YAML: {err}") from None
    return parse_sweep_spec(data, str(path)), path.parent
