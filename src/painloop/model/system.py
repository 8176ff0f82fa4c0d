"""Assembly of the subsystems into one vector field.

The state vector is laid out as ``(n_states, n_patients)``: every patient is a
column, so one solver step advances all patients with the same array
operations. Algebraic quantities are computed in a fixed order (HPA and
descending tone, autonomic symptoms, weakness and falls, then perception, sleep, cognition and quality of life) before the
rates, because later subsystems read earlier ones.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from ..causes.catalogue import CAUSES
from ..causes.combine import drivers_for
from . import (autonomic, behaviour, central, cognition, descending, hpa, inflammation, inputs, loops, mood,
               perception, periphery, sleep, social, spinal, stress, transmitters)
from ..treatments import model as treatments
from ._declare import Ctx, Output, Param, State, Subsystem

SUBSYSTEMS: tuple[Subsystem, ...] = tuple(m.SUBSYSTEM for m in (
    periphery, central, inflammation, spinal, transmitters, descending, hpa, stress, sleep, mood, behaviour,
    autonomic, cognition, perception, social, loops, inputs, treatments,
))
ALGEBRAIC_ORDER: tuple[Subsystem, ...] = tuple(m.SUBSYSTEM for m in (
    treatments, hpa, descending, central, autonomic, behaviour, perception, sleep, cognition, social,
))

STATES: tuple[State, ...] = tuple(s for sub in SUBSYSTEMS for s in sub.states)
STATE_NAMES: tuple[str, ...] = tuple(s.name for s in STATES)
STATE_INDEX: dict[str, int] = {n: i for i, n in enumerate(STATE_NAMES)}
N_CORE_STATES: int = sum(len(sub.states) for sub in SUBSYSTEMS if sub is not treatments.SUBSYSTEM)
"""States before the treatment subsystem (which comes last); untreated runs integrate only these."""
assert SUBSYSTEMS[-1] is treatments.SUBSYSTEM
OUTPUTS: tuple[Output, ...] = tuple(o for sub in ALGEBRAIC_ORDER for o in sub.outputs)
OUTPUT_NAMES: tuple[str, ...] = tuple(o.name for o in OUTPUTS)
PARAMS: tuple[Param, ...] = (tuple(p for sub in SUBSYSTEMS for p in sub.params)
                             + tuple(p for c in CAUSES.values() for p in c.params))
PARAM_NAMES: tuple[str, ...] = tuple(p.name for p in PARAMS)


OPTIONAL_DRIVERS: tuple[str, ...] = ("deafferentation", "tissue_inflammation", "central_injury_rate", "central_repair",
                                     "paroxysm_drive")
"""Cause drivers that only some causes set (0 otherwise): loss of the afferent territory, tissue inflammation, injury
and repair of a central lesion (``central``), and the paroxysmal bursting of a focal demyelinated lesion
(``perception``)."""


def default_params() -> dict[str, float]:
    """Parameter name → nominal value (in the declared unit)."""
    return {p.name: p.value for p in PARAMS}


def initial_state() -> list[float]:
    """Declared initial values, in the order of :data:`STATE_NAMES`."""
    return [s.initial for s in STATES]


def context(xp: Any, cause: str, t: Any, y: Sequence[Any], p: Mapping[str, Any], q: Mapping[str, Any]) -> Ctx:
    """Evaluate inputs and all algebraic quantities at time ``t`` (h) for states ``y``.

    ``cause`` is a cause name or several joined by ``+`` (:mod:`painloop.causes.combine`).
    """
    c = Ctx(xp, t, dict(zip(STATE_NAMES, y)), p)
    c.u.update(inputs.environment(c, q))
    c.u.update(drivers_for(cause, CAUSES)(xp, t, q, p))
    for optional in OPTIONAL_DRIVERS:
        c.u.setdefault(optional, 0.0 * t)
    c.u.update(treatments.inputs(c, q))
    for sub in ALGEBRAIC_ORDER:
        c.a.update(sub.algebraic(c))
    return c


def rates(c: Ctx) -> list[Any]:
    """d(state)/dt for every state (state unit per hour), in the order of :data:`STATE_NAMES`."""
    out: dict[str, Any] = {}
    for sub in SUBSYSTEMS:
        out.update(sub.rates(c))
    missing = set(STATE_NAMES) - set(out)
    if missing:
        raise KeyError(f"no rate for states {sorted(missing)}")
    return [out[n] for n in STATE_NAMES]


def numpy_vector_field(cause: str, p: Mapping[str, Any], q: Mapping[str, Any]):
    """f(t, y) for one patient with NumPy arrays: the same equations, for SciPy solvers and comparisons."""
    import numpy as np

    def f(t: float, y: Any) -> Any:
        return np.array(rates(context(np, cause, t, list(y), p, q)), dtype=float)

    return f
