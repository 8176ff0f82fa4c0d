"""Parameter and state tables generated from the model declarations."""

from __future__ import annotations

from ..model import system

INITIAL_SOURCE = ("computed: state at 00:00 of the healthy, pain-free daily cycle after 60 days "
                  "(painloop.simulate._baseline; checked by tests)")


def param_rows() -> list[dict[str, object]]:
    """One row per parameter (model, then virtual-population): name, subsystem, value, unit, source, meaning."""
    from ..population._population import POPULATION_PARAMS

    return [{"name": p.name, "subsystem": p.subsystem, "value": p.value, "unit": p.unit, "source": p.source,
             "meaning": p.meaning} for p in system.PARAMS + POPULATION_PARAMS]


def state_rows() -> list[dict[str, object]]:
    """One row per state: name, subsystem, unit, initial, meaning, initial_source."""
    return [{"name": s.name, "subsystem": s.subsystem, "unit": s.unit, "initial": s.initial, "meaning": s.meaning,
             "initial_source": INITIAL_SOURCE} for s in system.STATES]
