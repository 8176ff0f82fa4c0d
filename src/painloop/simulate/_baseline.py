"""The healthy reference: the entrained daily cycle of a pain-free person.

The declared initial values are this cycle's state at 00:00; a test checks
that they still are whenever the model changes.
"""

from __future__ import annotations

import numpy as np

from ..scenario import Scenario
from ._run import simulate


def healthy_midnight_state(days: int = 60) -> dict[str, float]:
    """State at 00:00 after ``days`` of healthy life (no cause, everyday stress, 8 h in bed)."""
    sc = Scenario(name="healthy-reference", duration_days=1, history_days=days, output={"every_hours": 1},
                  solver={"rtol": 1e-8, "atol": 1e-10})
    ds = simulate(sc)
    first = ds.isel(patient=0, time=0)
    return {str(v): float(first[v]) for v in ds.data_vars if ds[v].attrs.get("kind") == "state"}


if __name__ == "__main__":
    for name, value in healthy_midnight_state().items():
        print(f"{name}\t{np.format_float_positional(value, precision=4, unique=False, trim='-')}")
