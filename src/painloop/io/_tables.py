"""Parameter and state tables generated from the model declarations."""

from __future__ import annotations

from ..model import system

INITIAL_SOURCE = ("computed: state at 00:00 of the healthy, pain-free daily cycle after 60 days "
                  "(painloop.simulate._baseline; checked by tests)")


def _readable(x: float) -> float:
    """``x`` to 6 significant digits (a range of 3 × 0.15 prints 0.45, not 0.44999999999999996)."""
    return float(f"{x:.6g}")


def param_rows() -> list[dict[str, object]]:
    """One row per parameter (model, then virtual-population): name, subsystem, value, unit, source, meaning and
    the plausible range: lower, upper, scale (log or linear draw) and range_source (empty for population settings,
    which have no model range)."""
    from ..population._population import POPULATION_PARAMS

    rows = []
    for p in system.PARAMS + POPULATION_PARAMS:
        r = p.range
        rows.append({"name": p.name, "subsystem": p.subsystem, "value": p.value, "unit": p.unit, "source": p.source,
                     "meaning": p.meaning, "lower": "" if r is None else _readable(r.lower),
                     "upper": "" if r is None else _readable(r.upper), "scale": "" if r is None else r.scale,
                     "range_source": "" if r is None else r.source})
    return rows


def state_rows() -> list[dict[str, object]]:
    """One row per state: name, subsystem, unit, initial, lower and upper bound, meaning, initial_source."""
    return [{"name": s.name, "subsystem": s.subsystem, "unit": s.unit, "initial": s.initial, "lower": s.lower,
             "upper": s.upper, "meaning": s.meaning, "initial_source": INITIAL_SOURCE} for s in system.STATES]
