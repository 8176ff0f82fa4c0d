"""Virtual patient populations: covariates, log-normal random effects, untreated history (batched).

The history runner and the natural-history runner (which need the solver) are imported lazily, so the
declarations load without JAX.
"""

from __future__ import annotations

from typing import Any

from ._population import (CORRELATIONS, POPULATION_PARAMS, RANDOM_EFFECTS, Population, PopulationSpec, RandomEffect,
                          correlation_matrix, sample_population)
from .covariates import DRAWS, RISK_FACTORS, Draw, RiskFactor, draws_for

__all__ = ["CORRELATIONS", "DRAWS", "POPULATION_PARAMS", "RANDOM_EFFECTS", "RISK_FACTORS", "Draw", "Population",
           "PopulationRun", "PopulationSpec", "RandomEffect", "RiskFactor", "correlation_matrix", "daily_summary",
           "draws_for", "history_scenario", "run_population", "sample_population", "simulate_history"]

_LAZY = {"history_scenario": "_history", "simulate_history": "_history", "PopulationRun": "run",
         "run_population": "run", "daily_summary": "run"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
