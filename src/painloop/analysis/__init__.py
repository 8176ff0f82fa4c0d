"""What drives what: the weight of each feedback loop and the sensitivity of outcomes to parameters.

Names are imported lazily so that ``painloop.analysis.cli`` (registered in the command line) loads fast.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "LOOP_GAINS": "loops", "loop_strengths": "loops", "morris_sensitivity": "sensitivity", "sobol_indices":
    "sensitivity", "sobol_sensitivity": "sensitivity"
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
