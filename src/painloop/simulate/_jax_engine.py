"""The JAX/diffrax engine: all patients as columns of one state array, one adaptive step for all.

Why this layout: adaptive stepping under ``vmap`` advances each patient in
lock-step with per-step overhead dominating (measured: no speed-up over a
loop). Here a step is a handful of array operations on a ``(n_states,
n_patients)`` array, so cost per step grows slowly with the number of
patients. The error norm is the maximum over patients, so every patient
meets the tolerance.

Time is integrated in fixed-length chunks with the same compiled program, so
any duration reuses one compilation, memory stays bounded and a progress bar
can advance between chunks.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Mapping, Sequence

from .. import _jax  # noqa: F401  (configures JAX before use)

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
import optimistix

from ..model import system
from ..scenario._inputs import SCHEDULE_KEYS

from ._engine import SOLVERS, Solution, SolverOptions


def max_norm(x: Any) -> Any:
    """Largest absolute error over all states and patients (every patient meets the tolerance)."""
    return jnp.max(jnp.abs(x))


def _make_solver(method: str) -> diffrax.AbstractSolver:
    if method == "tsit5":
        return diffrax.Tsit5()
    if method == "kvaerno5":
        return diffrax.Kvaerno5(root_finder=optimistix.Newton(rtol=1e-8, atol=1e-10))
    raise ValueError(f"solver method must be one of {SOLVERS}, got {method!r}")


def vector_field(cause: str, n_active: int | None = None) -> Callable:
    """d(y)/dt; with ``n_active`` only the first n_active states are integrated and the rest (``args[2]``) held fixed.

    Untreated scenarios integrate only the states before the treatment
    subsystem (whose rates are then zero), so they cost what they did before
    treatments existed.
    """
    def f(t: Any, y: Any, args: tuple) -> Any:
        p, q = args[0], args[1]
        full = list(y) if n_active is None else list(y) + list(args[2])
        c = system.context(jnp, cause, t, full, p, q)
        r = system.rates(c)
        return jnp.stack(r if n_active is None else r[:n_active])
    return f


@functools.partial(jax.jit, static_argnames=("cause", "options", "n_save", "n_active"))
def _solve_chunk(cause: str, options: SolverOptions, n_save: int, t0: Any, dt_save: Any, y0: Any,
                 p: Mapping, q: Mapping, n_active: int | None = None, tail: Any = None) -> tuple[Any, Any, Any, Any]:
    """Integrate one chunk from ``t0`` (h) saving ``n_save`` points every ``dt_save`` h from ``t0``.

    Returns the saved states (n_save, n_states, n_patients), the final state,
    the number of accepted steps and a success flag.
    """
    t1 = t0 + n_save * dt_save
    ts = t0 + dt_save * jnp.arange(n_save)
    sol = diffrax.diffeqsolve(
        diffrax.ODETerm(vector_field(cause, n_active)),
        _make_solver(options.method),
        t0=t0, t1=t1, dt0=0.05, y0=y0, args=(p, q, tail),
        saveat=diffrax.SaveAt(ts=ts, t1=True),
        stepsize_controller=diffrax.PIDController(rtol=options.rtol, atol=options.atol, norm=max_norm),
        max_steps=options.max_steps_per_chunk,
        throw=False,
    )
    return sol.ys[:-1], sol.ys[-1], sol.stats["num_accepted_steps"], sol.result == diffrax.RESULTS.successful


@functools.partial(jax.jit, static_argnames=("cause", "options", "n_save"))
def _solve_segment(cause: str, options: SolverOptions, n_save: int, t0: Any, t1: Any, ts: Any, y0: Any,
                   p: Mapping, q: Mapping) -> tuple[Any, Any, Any, Any]:
    """Integrate from ``t0`` to ``t1`` (h) saving at ``ts`` (n_save times in [t0, t1], padded with ``t1``).

    Used between dose times: the same compiled program serves every segment,
    whatever its length and number of save points.
    """
    sol = diffrax.diffeqsolve(
        diffrax.ODETerm(vector_field(cause)),
        _make_solver(options.method),
        t0=t0, t1=t1, dt0=jnp.minimum(0.05, t1 - t0), y0=y0, args=(p, q),
        saveat=diffrax.SaveAt(ts=ts, t1=True),
        stepsize_controller=diffrax.PIDController(rtol=options.rtol, atol=options.atol, norm=max_norm),
        max_steps=options.max_steps_per_chunk,
        throw=False,
    )
    return sol.ys[:-1], sol.ys[-1], sol.stats["num_accepted_steps"], sol.result == diffrax.RESULTS.successful


@functools.partial(jax.jit, static_argnames=("cause",))
def algebraic_outputs(cause: str, ts: Any, ys: Any, p: Mapping, q: Mapping) -> Any:
    """All declared outputs at the saved times: array (n_times, n_outputs, n_patients)."""
    def one(t: Any, y: Any) -> Any:
        c = system.context(jnp, cause, t, list(y), p, q)
        return jnp.stack([jnp.broadcast_to(c.a[n], y.shape[1:]) for n in system.OUTPUT_NAMES])
    return jax.vmap(one)(ts, ys)


def _event_column(key: str, value: Any) -> Any:
    """Event lists become (n_events, 1) so that they broadcast against per-patient values (n_patients,)."""
    return value[:, None] if key in SCHEDULE_KEYS and value.ndim == 1 else value


def _prepare(p: Mapping[str, Any], q: Mapping[str, Any], options: SolverOptions,
             dt_save_h: float) -> tuple[int, float, dict, dict]:
    """Save points per chunk, chunk length (h), and the parameters and inputs as JAX arrays (event lists as columns)."""
    n_per_chunk = max(1, int(round(options.chunk_days * 24.0 / dt_save_h)))
    p_j = {k: jnp.asarray(v, dtype=float) for k, v in p.items()}
    q_j = {k: _event_column(k, jnp.asarray(v, dtype=float)) for k, v in q.items()}
    return n_per_chunk, n_per_chunk * dt_save_h, p_j, q_j


def _collect(cause: str, kept: list[tuple[np.ndarray, np.ndarray]], steps: int, ok: np.ndarray,
             p_j: Mapping, q_j: Mapping) -> Solution:
    """Join the kept (times, states) pieces and compute the algebraic outputs at every kept time."""
    t_out = np.concatenate([k[0] for k in kept])
    y_out = np.concatenate([k[1] for k in kept])
    outs = np.asarray(algebraic_outputs(cause, jnp.asarray(t_out), jnp.asarray(y_out), p_j, q_j))
    return Solution(t_out, y_out, outs, steps, ok)


def solve_plain(cause: str, p: Mapping[str, Any], q: Mapping[str, Any], y0: np.ndarray, *, t_start_h: float,
                t_save_from_h: float, t_end_h: float, dt_save_h: float, options: SolverOptions,
                on_chunk: Callable[[float], None] | None, doses: Sequence[tuple[float, str, float]] = ()) -> Solution:
    """:func:`painloop.simulate.solve` without doses: fixed chunks by one compiled program."""
    n_per_chunk, chunk_h, p_j, q_j = _prepare(p, q, options, dt_save_h)
    n_active = None if "treated" in q else system.N_CORE_STATES
    tail_np = np.asarray(y0, dtype=float)[system.N_CORE_STATES:]
    y = jnp.asarray(y0 if n_active is None else np.asarray(y0)[:n_active], dtype=float)
    tail = None if n_active is None else jnp.asarray(tail_np)
    t = float(t_start_h)
    kept, steps, ok = [], 0, np.ones(y0.shape[1], dtype=bool)
    total = t_end_h - t_start_h
    while t < t_end_h - 1e-9:
        ys, y, n, success = _solve_chunk(cause, options, n_per_chunk, jnp.asarray(t), jnp.asarray(dt_save_h), y, p_j, q_j,
                                         n_active, tail)
        ys_np = np.asarray(ys)
        if n_active is not None:
            ys_np = np.concatenate([ys_np, np.broadcast_to(tail_np, (ys_np.shape[0],) + tail_np.shape)], axis=1)
        times = t + dt_save_h * np.arange(n_per_chunk)
        keep = (times >= t_save_from_h - 1e-9) & (times < t_end_h - 1e-9)
        if keep.any():
            kept.append((times[keep], ys_np[keep]))
        steps += int(n)
        ok &= bool(success) & np.all(np.isfinite(ys_np), axis=(0, 1))
        t += chunk_h
        if on_chunk is not None:
            on_chunk(min(1.0, (t - t_start_h) / total))
    return _collect(cause, kept, steps, ok, p_j, q_j)


def solve_with_doses(cause: str, p: Mapping[str, Any], q: Mapping[str, Any], y0: np.ndarray, *, t_start_h: float,
                      t_save_from_h: float, t_end_h: float, dt_save_h: float, options: SolverOptions,
                      on_chunk: Callable[[float], None] | None,
                      doses: Sequence[tuple[float, str, float]]) -> Solution:
    """:func:`solve` with state jumps at dose times: piecewise integration between chunk ends and dose times."""
    n_per_chunk, chunk_h, p_j, q_j = _prepare(p, q, options, dt_save_h)
    jumps: dict[float, np.ndarray] = {}
    for t_dose, state, amount in doses:
        if t_start_h - 1e-9 <= t_dose < t_end_h - 1e-9:
            jumps.setdefault(float(t_dose), np.zeros(len(system.STATE_NAMES)))[system.STATE_INDEX[state]] += amount
    n_grid = int(np.ceil((t_end_h - t_start_h) / dt_save_h - 1e-9))
    grid = t_start_h + dt_save_h * np.arange(n_grid)
    bounds = sorted({*(t_start_h + chunk_h * np.arange(1, int(np.ceil((t_end_h - t_start_h) / chunk_h)) + 1)),
                     *jumps, t_start_h, t_end_h})
    bounds = [b for b in bounds if t_start_h - 1e-9 <= b <= t_end_h + 1e-9 and b <= max(t_end_h, t_start_h)]
    y = np.asarray(y0, dtype=float)
    kept, steps, ok = [], 0, np.ones(y0.shape[1], dtype=bool)
    total = t_end_h - t_start_h
    for a, b in zip(bounds[:-1], bounds[1:]):
        if a in jumps:
            y = y + jumps[a][:, None]
        sel = (grid >= a - 1e-9) & (grid < b - 1e-9)
        times = grid[sel]
        if b - a < 1e-9:
            continue
        ts = np.full(n_per_chunk, b)
        ts[:times.size] = times
        ys, y_end, n, success = _solve_segment(cause, options, n_per_chunk, jnp.asarray(a), jnp.asarray(b),
                                               jnp.asarray(ts), jnp.asarray(y), p_j, q_j)
        y = np.asarray(y_end)
        ys_np = np.asarray(ys)[:times.size]
        keep = times >= t_save_from_h - 1e-9
        if keep.any():
            kept.append((times[keep], ys_np[keep]))
        steps += int(n)
        ok &= bool(success) & np.all(np.isfinite(ys_np), axis=(0, 1)) & np.all(np.isfinite(y), axis=0)
        if on_chunk is not None:
            on_chunk(min(1.0, (b - t_start_h) / total))
    return _collect(cause, kept, steps, ok, p_j, q_j)


