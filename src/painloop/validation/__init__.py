"""Published figures as population checks: the shipped target sets (calibration vs validation), the evaluator of
each kind of check, ``painloop validate`` and its credibility report (in the spirit of ASME V&V 40).

Names are imported lazily so that ``painloop.validation.cli`` (registered in the command line) loads fast.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {"CALIBRATION_FILE": "targets", "VALIDATION_FILE": "targets", "Target": "targets", "load_targets": "targets",
            "PopulationCache": "checks", "evaluate": "checks"}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
