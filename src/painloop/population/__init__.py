"""Virtual patient populations: covariates, log-normal random effects, untreated history (batched).

The history runner (which needs the solver) is imported lazily, so the declarations load without JAX.
"""

from __future__ import annotations

from typing import Any

from ._population import (CORRELATIONS, POPULATION_PARAMS, RANDOM_EFFECTS, Population, PopulationSpec, RandomEffect,
                          correlation_matrix, sample_population)

__all__ = ["CORRELATIONS", "POPULATION_PARAMS", "RANDOM_EFFECTS", "Population", "PopulationSpec", "RandomEffect",
           "correlation_matrix", "history_scenario", "sample_population", "simulate_history"]


def __getattr__(name: str) -> Any:
    if name in ("history_scenario", "simulate_history"):
        from . import _history
        return getattr(_history, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
