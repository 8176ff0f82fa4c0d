"""One engine interface, two back ends: the compiled kernel (default on a CPU) and JAX/diffrax.

:func:`solve` integrates patients as columns of one ``(n_states,
n_patients)`` state array and returns a :class:`Solution`. The kernel
(:mod:`painloop.simulate._kernel`) is the fast forward engine; the JAX engine
(:mod:`painloop.simulate._jax_engine`) serves the implicit solver, gradients
(the personal model's fit) and accelerators. Neither is imported before it is
used, so commands that do not simulate start fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np

SOLVERS = ("tsit5", "kvaerno5")
ENGINES = ("kernel", "jax")
STATUS_MEANING = {0: "ok", 1: "step size collapsed or a state became non-finite", 2: "step limit reached",
                  3: "non-finite initial state, parameter or input"}
"""Per-patient solver status codes (the JAX engine reports 1 for every patient of a failed batch)."""


@dataclass(frozen=True)
class SolverOptions:
    """Tolerances and method of the adaptive solver.

    ``rtol``/``atol`` are relative and absolute tolerances on every state
    (in the state's unit); ``chunk_days`` is the integration chunk length.
    ``engine`` is ``"kernel"`` (the numba-compiled kernel, default on a CPU;
    Tsit5 only) or ``"jax"`` (diffrax: the implicit Kvaerno5, gradients,
    accelerators); ``block_size`` is the kernel's number of patients sharing
    one step and ``threads`` its number of threads (default: all cores).
    """

    rtol: float = 1e-5
    atol: float = 1e-7
    method: str = "tsit5"
    chunk_days: float = 28.0
    max_steps_per_chunk: int = 200_000
    engine: str = "kernel"
    block_size: int = 16
    threads: int | None = None


@dataclass
class Solution:
    """Raw solution: times (h), states (n_times, n_states, n_patients), outputs, solver statistics.

    ``ok`` is per patient; ``status`` gives the reason of a failure
    (:data:`STATUS_MEANING`; the JAX engine reports 1
    for every patient of a failed batch) and ``accepted`` the accepted steps
    per patient.
    """

    t_hours: np.ndarray
    states: np.ndarray
    outputs: np.ndarray
    n_steps: int
    ok: np.ndarray
    status: np.ndarray | None = None
    accepted: np.ndarray | None = None


def solve(cause: str, p: Mapping[str, Any], q: Mapping[str, Any], y0: np.ndarray, *, t_start_h: float,
          t_save_from_h: float, t_end_h: float, dt_save_h: float, options: SolverOptions = SolverOptions(),
          on_chunk: Callable[[float], None] | None = None,
          doses: Sequence[tuple[float, str, float]] = (),
          patient_doses: Sequence[Sequence[tuple[float, str, float]]] | None = None) -> Solution:
    """Integrate from ``t_start_h`` to ``t_end_h`` and keep the points from ``t_save_from_h``.

    ``y0`` has shape (n_states, n_patients); ``p`` and ``q`` map names to
    scalars or arrays of shape (n_patients,). ``on_chunk`` is called with the
    fraction done after each chunk. ``doses`` lists (time h, state name,
    amount) jumps: integration stops exactly at each dose time, the amount is
    added to the state, and integration restarts from there (a value saved at
    a dose time is the value just after the dose). ``patient_doses[j]`` adds
    patient j's own doses (kernel engine only).
    """
    if options.engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {options.engine!r}")
    if options.engine == "kernel" and options.method == "tsit5":
        return _solve_kernel(cause, p, q, y0, t_start_h=t_start_h, t_save_from_h=t_save_from_h, t_end_h=t_end_h,
                             dt_save_h=dt_save_h, options=options, on_chunk=on_chunk, doses=doses,
                             patient_doses=patient_doses)
    if patient_doses is not None:
        raise ValueError("per-patient doses need the kernel engine")
    from . import _jax_engine
    run = _jax_engine.solve_with_doses if doses else _jax_engine.solve_plain
    return run(cause, p, q, y0, t_start_h=t_start_h, t_save_from_h=t_save_from_h, t_end_h=t_end_h,
               dt_save_h=dt_save_h, options=options, on_chunk=on_chunk, doses=doses)


def save_grid(t_start_h: float, t_save_from_h: float, t_end_h: float, dt_save_h: float) -> np.ndarray:
    """Save times (h): every ``dt_save_h`` from ``t_start_h``, kept from ``t_save_from_h`` and before ``t_end_h``."""
    n = int(np.ceil((t_end_h - t_start_h) / dt_save_h - 1e-9))
    grid = t_start_h + dt_save_h * np.arange(n)
    return grid[(grid >= t_save_from_h - 1e-9) & (grid < t_end_h - 1e-9)]


def _solve_kernel(cause: str, p: Mapping[str, Any], q: Mapping[str, Any], y0: np.ndarray, *, t_start_h: float,
                  t_save_from_h: float, t_end_h: float, dt_save_h: float, options: SolverOptions,
                  on_chunk: Callable[[float], None] | None, doses: Sequence[tuple[float, str, float]],
                  patient_doses: Sequence[Sequence[tuple[float, str, float]]] | None) -> Solution:
    """:func:`solve` on the compiled kernel (:mod:`painloop.simulate._kernel`)."""
    from ._kernel import run_kernel

    r = run_kernel(cause, p, q, y0, t_start_h=t_start_h, t_end_h=t_end_h,
                   save_t=save_grid(t_start_h, t_save_from_h, t_end_h, dt_save_h), rtol=options.rtol,
                   atol=options.atol, block_size=options.block_size, chunk_h=24.0 * options.chunk_days,
                   max_steps_per_chunk=options.max_steps_per_chunk, threads=options.threads, doses=doses,
                   patient_doses=patient_doses, on_chunk=on_chunk)
    return Solution(r.t_hours, r.states.transpose(2, 0, 1), r.outputs.transpose(2, 0, 1),
                    int(r.accepted.max(initial=0)), r.status == 0, r.status, r.accepted)
