"""The declaration layer: states, parameters and subsystems.

Every number of the model is declared exactly once here (through the subsystem
modules) with its unit and its source. The solver, the parameter table, the
reports and the exports are all generated from these declarations.

Rate and algebraic functions are written against an array namespace ``xp``
(``xp.exp``, ``xp.where``, …) so the same function runs on JAX arrays for the
simulation and on SymPy symbols for symbolic export.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

Array = Any


@dataclass(frozen=True)
class State:
    """A state variable of the ODE system.

    ``initial`` is the healthy, pain-free steady state in ``unit``; scenarios may
    override it (e.g. established damage at the start of a run).
    """

    name: str
    unit: str
    initial: float
    meaning: str
    subsystem: str = ""


@dataclass(frozen=True)
class Param:
    """A model parameter: value, unit and where the value comes from.

    ``source`` is a citation, or text starting with ``assumption:`` that gives
    the reason for the chosen value.
    """

    name: str
    value: float
    unit: str
    source: str
    meaning: str = ""
    subsystem: str = ""


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


def states(subsystem: str, *rows: tuple[str, str, float, str]) -> tuple[State, ...]:
    """Build State declarations from (name, unit, initial, meaning) rows."""
    return tuple(State(n, u, float(v), m, subsystem) for n, u, v, m in rows)


def params(subsystem: str, *rows: tuple[str, float, str, str, str]) -> tuple[Param, ...]:
    """Build Param declarations from (name, value, unit, source, meaning) rows."""
    return tuple(Param(n, float(v), u, s, m, subsystem) for n, v, u, s, m in rows)


def outputs(subsystem: str, *rows: tuple[str, str, str]) -> tuple[Output, ...]:
    """Build Output declarations from (name, unit, meaning) rows."""
    return tuple(Output(n, u, m, subsystem) for n, u, m in rows)
