"""Virtual randomised controlled trials: designs, simulation, endpoints (NNT/NNH/SMD), calibration, report.

Names are imported lazily so that ``painloop.trials.cli`` (registered in the command line) loads without JAX.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Arm": "_design", "TrialDesign": "_design", "TrialDesignError": "_design", "arm_scenario": "_design",
    "builtin_design": "_design", "load_design": "_design", "n_to_randomise": "_design", "parse_design": "_design",
    "TrialResult": "_run", "run_trial": "_run", "simulate_arm": "_run", "prepare": "_run",
    "ENDPOINT_COLUMNS": "endpoints", "consort": "endpoints", "endpoint_table": "endpoints",
    "mood_prevalence": "endpoints", "responder_curve": "endpoints", "smd_table": "endpoints",
    "published_nnt": "published", "comparison_table": "report", "render_trial_report": "report",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
