"""Several causes in one person: their drivers combine into the model's inputs.

A scenario may name a list of causes (e.g. alcohol with thiamine deficiency,
or diabetes with chemotherapy). The engine then sees one cause key, the names
joined by ``+`` (``"alcohol+b1_deficiency"``), and each cause reads its own
settings from the scenario inputs under the prefix ``<name>__`` (so that two
causes' ``severity`` and ``onset_h`` do not collide).

How the drivers combine (assumption: the causes act on the same fibres
independently):

* rates and drives add: ``injury_rate`` (two independent hazards on the
  healthy fibres), ``infl_drive``, ``tissue_inflammation`` and the drivers of
  the central lesion and of the symptom mix;
* ``regen_capacity`` is the smallest of the causes' capacities: repair is
  limited by the cause that impairs it most;
* ``deafferentation`` (a share of territory lost) combines as independent
  losses, 1 − Π(1 − dᵢ).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

from ._base import Cause, Drivers

SEPARATOR = "+"
"""Joins the cause names of a combined cause key."""
PREFIX = "__"
"""Separates a cause name from its own input name in the inputs of a combined cause (``alcohol__severity``)."""


def cause_key(names: Sequence[str]) -> str:
    """The engine's key for causes ``names`` (one name: that name; several: joined by ``+``)."""
    return SEPARATOR.join(names)


def cause_names(key: str) -> tuple[str, ...]:
    """The cause names in a cause key (inverse of :func:`cause_key`)."""
    return tuple(key.split(SEPARATOR))


def prefixed(name: str, q: Mapping[str, Any]) -> dict[str, Any]:
    """A cause's inputs ``q`` renamed ``<name>__<input>`` for a combined cause."""
    return {f"{name}{PREFIX}{k}": v for k, v in q.items()}


def own_inputs(name: str, q: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs of cause ``name`` within a combined cause's ``q``, without their prefix."""
    head = f"{name}{PREFIX}"
    return {k[len(head):]: v for k, v in q.items() if k.startswith(head)}


def unprefixed(key: str) -> str:
    """An input name without a combined cause's prefix (``alcohol__severity`` → ``severity``)."""
    return key.split(PREFIX, 1)[1] if PREFIX in key else key


def _deafferentation(xp: Any, parts: list[Any]) -> Any:
    """Independent losses of territory: 1 − Π(1 − dᵢ) (fractions)."""
    kept = 1.0
    for d in parts:
        kept = kept * (1.0 - d)
    return 1.0 - kept


def combine(xp: Any, t: Any, driven: Sequence[dict]) -> dict:
    """Combine the driver dictionaries of several causes (see the module docstring for the rules)."""
    out: dict = {}
    keys = {k for d in driven for k in d}
    for key in sorted(keys):
        parts = [d[key] for d in driven if key in d]
        if key == "regen_capacity":
            value = parts[0]
            for x in parts[1:]:
                value = xp.minimum(value, x)
        elif key == "deafferentation":
            value = _deafferentation(xp, parts)
        else:
            value = parts[0]
            for x in parts[1:]:
                value = value + x
        out[key] = value + 0.0 * t
    return out


def combined_drivers(causes: Sequence[Cause]) -> Drivers:
    """Driver function of several causes together; each reads its own prefixed inputs."""
    def drivers(xp: Any, t: Any, q: dict, p: dict) -> dict:
        return combine(xp, t, [c.drivers(xp, t, own_inputs(c.name, q), p) for c in causes])
    drivers.__doc__ = "Combined drivers of " + ", ".join(c.name for c in causes) + "."
    return drivers


def drivers_for(key: str, catalogue: Mapping[str, Cause]) -> Callable[[Any, Any, dict, dict], dict]:
    """The driver function of a cause key: one cause's own drivers, or the combination of several."""
    names = cause_names(key)
    if len(names) == 1:
        return catalogue[key].drivers
    return combined_drivers([catalogue[n] for n in names])
