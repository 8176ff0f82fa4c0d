"""Resource guards: refuse, before computing, what would not fit this machine.

A batched run keeps ``patients × (states + outputs) × save points`` float64
values (8 bytes) for the reported period, plus one integration chunk of the
same width; the Dataset, files and reports built from them add copies. The
estimate is compared with the memory the machine has available (``/proc/meminfo``
MemAvailable, or the total physical memory where that is unknown) and refused
with both numbers when it would not fit, instead of the process aborting
inside the solver.
"""

from __future__ import annotations

import math
import os

from .errors import ResourceLimitError

BYTES_PER_VALUE = 8
"""float64 (the engine runs in 64-bit, painloop._jax)."""
COPIES = 3.0
"""Copies of the result arrays held at once (assumption: the solver's arrays, the xarray Dataset and one
file or report being written)."""
CSV_COPIES = 2.0
"""Extra copies for results.csv (wide table: one DataFrame copy of the values plus the formatted time column and
pandas' chunked text buffer, assumption)."""
MEMORY_SHARE = 0.8
"""Share of the available memory a run may plan to use (assumption: leave room for Python, JAX and the OS)."""
MAX_VALUES = 2_000_000_000
"""Hard cap on stored values of one run, whatever the memory (16 GB of float64; assumption: beyond it, runs take
hours on a workstation and should be split)."""
CHUNK_DAYS = 28.0
"""Integration chunk of the engine (days; painloop.simulate SolverOptions.chunk_days)."""


def available_bytes() -> int:
    """Memory this process may plan to use, bytes (MemAvailable × :data:`MEMORY_SHARE`)."""
    avail = None
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    avail = int(line.split()[1]) * 1024
                    break
    except OSError:
        pass
    if avail is None:
        try:
            avail = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError, AttributeError):
            avail = 8 * 1024 ** 3
    return int(avail * MEMORY_SHARE)


def _gb(n: float) -> str:
    return f"{n / 1e9:.3g} GB"


def run_bytes(n_patients: int, duration_h: float, every_h: float, history_h: float = 0.0, *,
              csv: bool = False) -> tuple[float, float]:
    """Estimated peak bytes and stored values of a run (see the module docstring)."""
    from .model import system

    width = len(system.STATES) + len(system.OUTPUTS)
    saves = duration_h / every_h  # a float: a subnormal interval gives inf, which is refused, not an OverflowError
    chunk = min(CHUNK_DAYS * 24.0, duration_h + history_h) / every_h
    values = float(n_patients) * width * saves
    peak = BYTES_PER_VALUE * (values * (COPIES + (CSV_COPIES if csv else 0.0)) + float(n_patients) * width * chunk)
    return peak, values


def check_run_fits(n_patients: int, duration_h: float, every_h: float, history_h: float = 0.0, *,
                   what: str = "this run", csv: bool = False, hint: str = "") -> float:
    """Raise :class:`ResourceLimitError` with the estimate and the limit if the run would not fit; returns bytes."""
    from .model import system

    peak, values = run_bytes(n_patients, duration_h, every_h, history_h, csv=csv)
    limit = available_bytes()
    saves = duration_h / every_h
    saves = math.ceil(saves) if math.isfinite(saves) else saves
    detail = (f"{n_patients} patient(s) × {saves:.4g} save points (every {every_h:g} h over {duration_h / 24:g} days) "
              f"× {len(system.STATES) + len(system.OUTPUTS)} variables × 8 bytes")
    if values > MAX_VALUES:
        raise ResourceLimitError(f"{what} would store {values:.3g} values ({detail}), above the limit of "
                                 f"{MAX_VALUES:.3g} values per run; {hint or 'use coarser output or fewer patients'}")
    if peak > limit:
        raise ResourceLimitError(f"{what} needs about {_gb(peak)} of memory ({detail}), but {_gb(limit)} is "
                                 f"available here; {hint or 'use coarser output (output.every_hours) or fewer patients'}")
    return peak


def check_scenario_fits(scenario, n_patients: int = 1, *, csv: bool = False, what: str = "this run") -> float:
    """:func:`check_run_fits` for a scenario (duration, history, output.every_hours)."""
    return check_run_fits(n_patients, 24.0 * scenario.duration_days, scenario.output.every_hours,
                          24.0 * scenario.history_days, what=what, csv=csv,
                          hint="raise output.every_hours or shorten duration_days")
