"""painloop: a whole-system simulator of neuropathic pain. For research and education, not medical advice.

The Python API (``import painloop as pl``) is imported lazily, so ``import painloop`` and the command line's
``--help`` stay fast:

* :func:`simulate` → ``xarray.Dataset``; :func:`scenario`, :func:`population`, :func:`trial`, :func:`diary`,
  :func:`fit_twin`, :func:`plot` (see :mod:`painloop.api`).
"""

from __future__ import annotations

import sys
import types
from typing import Any

__version__ = "0.1.0"

DISCLAIMER = ("painloop is research and education software. It is not a medical device and gives no medical "
              "advice: do not use it to diagnose, treat or choose a dose for anyone.")

_API = ("FIGURES", "Trial", "compact", "diary", "fit_twin", "plot", "population", "scenario", "simulate", "trial")
__all__ = ["DISCLAIMER", "__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_SHADOWED = ("simulate", "scenario", "population")
"""API functions named like a subpackage (``painloop/simulate/``, ``scenario/``, ``population/``)."""


class _Package(types.ModuleType):
    """The package module: ``pl.simulate``, ``pl.scenario`` and ``pl.population`` are the API functions.

    Their subpackages keep working as usual through ``sys.modules`` (``from painloop.simulate import solve``,
    ``from painloop.scenario import Scenario``); only attribute access on the package is routed to
    :mod:`painloop.api`.
    """

    def __getattribute__(self, name: str) -> Any:
        if name in _SHADOWED:
            from . import api

            return getattr(api, name)
        return super().__getattribute__(name)


sys.modules[__name__].__class__ = _Package


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
