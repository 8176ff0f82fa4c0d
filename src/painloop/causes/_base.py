"""What a cause of neuropathy is: drivers of nerve damage, regeneration and inflammation over time.

A cause turns scenario settings (``q``: severity, onset in hours, and its own
settings such as HbA1c or age) and its parameters (``p``) into three inputs of
the model: ``injury_rate`` (1/h, rate at which healthy fibres are damaged),
``regen_capacity`` (0-1, share of the normal regeneration rate that is
possible) and ``infl_drive`` (dimensionless drive of peripheral inflammation).
Some causes also set ``tissue_inflammation`` (dimensionless: inflamed tissue
around the nerve, a nociceptive pain source that NSAIDs relieve) and
``deafferentation`` (fraction of the afferent territory lost altogether, as
after an amputation); they are 0 for the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..model._declare import Param

Drivers = Callable[[Any, Any, dict, dict], dict]


@dataclass(frozen=True)
class Cause:
    """One cause of neuropathic pain with its driver function and parameters."""

    name: str
    title: str
    summary: str
    params: tuple[Param, ...]
    drivers: Drivers


def sig(xp: Any, x: Any) -> Any:
    """Logistic 1/(1+exp(-x)) in the namespace ``xp``."""
    return 1.0 / (1.0 + xp.exp(-x))


def started(xp: Any, t: Any, start_h: Any) -> Any:
    """Smooth step from 0 before ``start_h`` to 1 after it (hours; logistic over about a day)."""
    return sig(xp, (t - start_h) / 24.0)


def window(xp: Any, t: Any, start: Any, end: Any, edge_h: float) -> Any:
    """Smooth indicator of start <= t < end (hours), edges of width ``edge_h`` hours."""
    return sig(xp, (t - start) / edge_h) - sig(xp, (t - end) / edge_h)


def no_cause(xp: Any, t: Any, q: dict, p: dict) -> dict:
    """A person without a neuropathic cause: no injury, full regeneration, no inflammation."""
    zero = 0.0 * t
    return {"injury_rate": zero, "regen_capacity": zero + 1.0, "infl_drive": zero}


NONE = Cause("none", "No cause (healthy nerves)", "reference person without nerve injury", (), no_cause)


def since(xp: Any, t: Any, starts: Any, edge_h: float) -> Any:
    """Smooth count of the events (hours in ``starts``, summed over the first axis) that have begun by ``t``."""
    return xp.sum(sig(xp, (t - starts) / edge_h), axis=0)


def episodes(xp: Any, t: Any, starts: Any, length_h: Any, edge_h: float) -> Any:
    """Smooth indicator (summed over events) of being within ``length_h`` hours after an event start."""
    return xp.sum(window(xp, t, starts, starts + length_h, edge_h), axis=0)
