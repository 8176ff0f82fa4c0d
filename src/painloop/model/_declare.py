"""The declaration layer: states, parameters and subsystems.

Every number of the model is declared exactly once here (through the subsystem
modules) with its unit and its source. The solver, the parameter table, the
reports and the exports are all generated from these declarations.

Rate and algebraic functions are written against an array namespace ``xp``
(``xp.exp``, ``xp.where``, …) so the same function runs on JAX arrays for the
simulation and on SymPy symbols for symbolic export.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Union

Array = Any

INF = math.inf

UNIT_BOUNDS: dict[str, tuple[float, float]] = {
    "fraction": (0.0, 1.0),
    "score 0-1": (0.0, 1.0),
    "NRS 0-10": (0.0, 10.0),
    "h/day": (0.0, 24.0),
    "score 0-1+": (0.0, INF),
    "relative": (0.0, INF),
    "dimensionless": (0.0, INF),
    "mg": (0.0, INF),
    "patches": (0.0, INF),
    "kg": (0.0, INF),
    "µg/dL": (0.0, INF),
    "Sriram 2012 concentration unit": (0.0, INF),
}
"""Bounds (lower, upper) a state of each unit keeps: fractions and 0-1 scores in 0-1, the NRS in 0-10, hours per day
in 0-24; amounts, concentrations, relative tones and levels above healthy are never negative (drug-induced weight
gain included: it relaxes towards a non-negative gain)."""


@dataclass(frozen=True)
class State:
    """A state variable of the ODE system.

    ``initial`` is the healthy, pain-free steady state in ``unit``; scenarios may
    override it (e.g. established damage at the start of a run). ``lower`` and
    ``upper`` are the bounds the state keeps for any parameters in their
    declared ranges (by default those of its unit, :data:`UNIT_BOUNDS`).
    """

    name: str
    unit: str
    initial: float
    meaning: str
    subsystem: str = ""
    lower: float = 0.0
    upper: float = INF

    def __post_init__(self) -> None:
        if not self.lower <= self.initial <= self.upper:
            raise ValueError(f"state {self.name}: initial {self.initial} outside its bounds "
                             f"[{self.lower}, {self.upper}]")


SCALES = ("log", "linear")


@dataclass(frozen=True)
class Range:
    """Plausible range of a parameter, in its unit, and where the range comes from.

    ``scale`` says how a sweep over the range draws: ``"log"`` uniform in
    log space (a positive quantity known to a factor; ``lower`` > 0),
    ``"linear"`` uniform in the value (quantities that may be 0 or negative,
    switches, clock times). ``source`` is a citation or ``assumption: reason``.
    """

    lower: float
    upper: float
    source: str
    scale: str = "log"

    def __post_init__(self) -> None:
        if self.scale not in SCALES:
            raise ValueError(f"range scale must be one of {SCALES}, got {self.scale!r}")
        if not (math.isfinite(self.lower) and math.isfinite(self.upper) and self.lower <= self.upper):
            raise ValueError(f"range [{self.lower}, {self.upper}] must be finite with lower <= upper")
        if self.scale == "log" and self.lower <= 0.0:
            raise ValueError(f"a log-scale range needs lower > 0, got {self.lower} (declare it linear)")
        if not self.source.strip():
            raise ValueError("a range needs its source or 'assumption: reason'")


RangeRule = Callable[[float, str], Range]
"""A rule giving the range of a parameter from its nominal value and unit."""

RangeSpec = Union[Range, RangeRule]

_BOUNDED_UNITS = ("fraction", "score 0-1")
"""Parameter units whose values are shares (at most 1 when the nominal value is at most 1)."""


def fold(factor: float, reason: str, cap: float | None = None) -> RangeRule:
    """Rule: from value/factor to value·factor (log scale); shares (unit fraction/score 0-1, value ≤ 1) stop at 1.

    ``cap`` (in the parameter's unit) bounds the upper end for every unit. A
    nominal value of 0 has no fold range: such a parameter declares its own
    linear :class:`Range`.
    """
    if factor < 1.0:
        raise ValueError(f"fold factor must be >= 1, got {factor}")

    def rule(value: float, unit: str) -> Range:
        if value <= 0.0:
            raise ValueError(f"a fold range needs a positive value, got {value}: declare a linear Range")
        upper = value * factor
        if unit in _BOUNDED_UNITS and value <= 1.0:
            upper = min(upper, 1.0)
        if cap is not None:
            upper = min(upper, cap)
        return Range(value / factor, upper, f"{reason} (×/÷ {factor:g})", "log")

    return rule


def around(delta: float, reason: str) -> RangeRule:
    """Rule: value ± ``delta`` (linear scale), for clock times and other signed quantities."""

    def rule(value: float, unit: str) -> Range:
        return Range(value - delta, value + delta, f"{reason} (± {delta:g} {unit})", "linear")

    return rule


FOLD3 = fold(3.0, "assumption: no published between-person spread; three-fold either side of the nominal value, "
                  "shares at most 1")
"""Default range rule of a model parameter without a published spread."""


def resolve_range(spec: RangeSpec, value: float, unit: str) -> Range:
    """The :class:`Range` of a parameter from a fixed range or a rule."""
    return spec if isinstance(spec, Range) else spec(value, unit)


@dataclass(frozen=True)
class Param:
    """A model parameter: value, unit, where the value comes from and its plausible range.

    ``source`` is a citation, or text starting with ``assumption:`` that gives
    the reason for the chosen value. ``range`` is the plausible
    :class:`Range` (with its own source); every model parameter has one
    (population-distribution parameters may not).
    """

    name: str
    value: float
    unit: str
    source: str
    meaning: str = ""
    subsystem: str = ""
    range: Range | None = None

    def __post_init__(self) -> None:
        r = self.range
        if r is not None and not r.lower <= self.value <= r.upper:
            raise ValueError(f"parameter {self.name}: value {self.value} outside its range [{r.lower}, {r.upper}]")

    @property
    def lower(self) -> float | None:
        """Lower end of the plausible range (``None`` without a range)."""
        return None if self.range is None else self.range.lower

    @property
    def upper(self) -> float | None:
        """Upper end of the plausible range (``None`` without a range)."""
        return None if self.range is None else self.range.upper


@dataclass(frozen=True)
class Output:
    """An algebraic quantity computed from states, inputs and parameters."""

    name: str
    unit: str
    meaning: str
    subsystem: str = ""


@dataclass
class Ctx:
    """What a subsystem function sees at one instant.

    ``s`` maps state names to values, ``p`` parameter names to values, ``u``
    input names (time-dependent drivers of the scenario) to values and ``a``
    the algebraic quantities computed so far. ``t`` is time in hours.
    """

    xp: Any
    t: Array
    s: Mapping[str, Array]
    p: Mapping[str, Array]
    u: dict[str, Array] = field(default_factory=dict)
    a: dict[str, Array] = field(default_factory=dict)

    def sig(self, x: Array) -> Array:
        """Logistic function 1 / (1 + exp(-x)), dimensionless."""
        return 1.0 / (1.0 + self.xp.exp(-x))

    def sat(self, x: Array, k: Array = 1.0) -> Array:
        """Michaelis-Menten saturation x / (x + k) for x >= 0."""
        return x / (x + k)

    def pos(self, x: Array) -> Array:
        """max(x, 0) in the active namespace."""
        return self.xp.maximum(x, 0.0)


AlgebraicFn = Callable[[Ctx], dict[str, Array]]
RateFn = Callable[[Ctx], dict[str, Array]]


@dataclass(frozen=True)
class Subsystem:
    """One physiological subsystem: its states, parameters and equations.

    ``algebraic`` returns named quantities derived from the current states
    (evaluated in the order the subsystems are assembled); ``rates`` returns
    d(state)/dt in state-unit per hour for each of this subsystem's states.
    """

    name: str
    title: str
    states: tuple[State, ...]
    params: tuple[Param, ...]
    rates: RateFn
    algebraic: AlgebraicFn | None = None
    outputs: tuple[Output, ...] = ()


def states(subsystem: str, *rows: tuple) -> tuple[State, ...]:
    """Build State declarations from (name, unit, initial, meaning[, (lower, upper)]) rows.

    Without explicit bounds a state keeps those of its unit (:data:`UNIT_BOUNDS`).
    """
    out = []
    for row in rows:
        n, u, v, m = row[:4]
        if len(row) > 4:
            lower, upper = row[4]
        elif u in UNIT_BOUNDS:
            lower, upper = UNIT_BOUNDS[u]
        else:
            raise ValueError(f"state {n}: unit {u!r} has no default bounds; declare (lower, upper)")
        out.append(State(n, u, float(v), m, subsystem, float(lower), float(upper)))
    return tuple(out)


def params(subsystem: str, *rows: tuple, ranges: RangeSpec | None = FOLD3) -> tuple[Param, ...]:
    """Build Param declarations from (name, value, unit, source, meaning[, range]) rows.

    The sixth element (a :class:`Range` or a rule such as :func:`fold`) is the
    row's plausible range; rows without one take ``ranges`` (default
    :data:`FOLD3`; ``None`` leaves them without a range).
    """
    out = []
    for row in rows:
        n, v, u, s, m = row[:5]
        spec = row[5] if len(row) > 5 else ranges
        try:
            r = None if spec is None else resolve_range(spec, float(v), u)
        except ValueError as e:
            raise ValueError(f"parameter {n}: {e}") from None
        out.append(Param(n, float(v), u, s, m, subsystem, r))
    return tuple(out)


def outputs(subsystem: str, *rows: tuple[str, str, str]) -> tuple[Output, ...]:
    """Build Output declarations from (name, unit, meaning) rows."""
    return tuple(Output(n, u, m, subsystem) for n, u, m in rows)
