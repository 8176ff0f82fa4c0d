"""Virtual patient populations: covariates, log-normal random effects, untreated history (batched).

Every name is imported lazily, so the command line (``painloop.population.cli``) loads fast.
"""

from __future__ import annotations

from typing import Any

__all__ = ["CORRELATIONS", "DRAWS", "POPULATION_PARAMS", "RANDOM_EFFECTS", "RISK_FACTORS", "Draw", "Population",
           "PopulationRun", "PopulationSpec", "RandomEffect", "RiskFactor", "correlation_matrix", "daily_summary",
           "draws_for", "history_scenario", "run_population", "sample_population", "simulate_history"]

_LAZY = {**{n: "_population" for n in ("CORRELATIONS", "POPULATION_PARAMS", "RANDOM_EFFECTS", "Population",
                                         "PopulationSpec", "RandomEffect", "correlation_matrix", "sample_population")},
         **{n: "covariates" for n in ("DRAWS", "RISK_FACTORS", "Draw", "RiskFactor", "draws_for")},
         "history_scenario": "_history", "simulate_history": "_history", "PopulationRun": "run",
         "run_population": "run", "daily_summary": "run"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
