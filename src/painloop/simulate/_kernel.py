"""The compiled kernel engine: generated right-hand side + Tsit5 over blocks of patients, compiled by numba.

Why: on a CPU the batched JAX/diffrax engine is limited by per-step overhead
(~15–60 patient-years/s whatever the batch), while the model's right-hand side
is only ~1 600 arithmetic operations. Compiled scalar code generated from the
model's own symbolic form integrates each block of patients with its own
step, blocks in parallel, doses inside the compiled loop.

The generated module (the printed ``rhs``/``rhs_up``/``outputs`` cfuncs of
:mod:`painloop.simulate._codegen`) is written to the kernel cache folder under
a name derived from a hash of the model's source files and the scenario's
input layout; the integrator (:mod:`painloop.simulate._tsit5`, the same for
every model) is written there once per lane count and calls the generated
functions through their addresses, so a new model or layout compiles only its
own functions. numba caches the machine code of both next to them: a new
process with an unchanged model loads them in well under a second.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..model import system
from ._codegen import InputLayout, input_layout, lanes_for, structure_key

_PACKAGE = Path(__file__).resolve().parents[1]
_MODEL_SOURCES = ("model", "causes", "treatments", "export/sbml.py", "simulate/_codegen.py",
                  "simulate/_vecmath.py")
_lock = threading.Lock()
_loaded: dict[str, tuple[ModuleType, Any]] = {}
_structures: dict[str, Any] = {}


def cache_dir() -> Path:
    """Folder of generated kernels: ``$PAINLOOP_CACHE/kernels`` or ``~/.cache/painloop/kernels``."""
    root = os.environ.get("PAINLOOP_CACHE")
    return (Path(root) if root else Path.home() / ".cache" / "painloop") / "kernels"


@functools.lru_cache(maxsize=1)
def model_hash() -> str:
    """SHA-256 of the source files that define the equations (any change there makes a new kernel)."""
    h = hashlib.sha256()
    for rel in _MODEL_SOURCES:
        path = _PACKAGE / rel
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for f in files:
            h.update(str(f.relative_to(_PACKAGE)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()


@dataclass(frozen=True)
class KernelStructure:
    """What the integrator needs to know of a generated kernel besides its code.

    ``active``: indices of the states whose rate is not identically zero
    (the rest are held); ``rules``: their dormancy rules
    (:func:`painloop.simulate._codegen.dormancy_rules`); ``upstream``: 1 for
    those of the upstream subsystem, integrated with their own steps
    (:func:`painloop.simulate._codegen.upstream_states`).
    """

    active: np.ndarray
    rules: np.ndarray
    upstream: np.ndarray


def general_structure(cause: str, layout: InputLayout) -> KernelStructure:
    """The structure of the general kernel of ``cause`` and ``layout`` (no state held at 0), cached on disk.

    Read before choosing the kernel of a run: its dormancy rules say which
    states the run's kernel may hold at 0 (:func:`dormant_states`).
    """
    key = hashlib.sha256(f"{model_hash()}|{structure_key(cause, layout, 0)}".encode()).hexdigest()[:24]
    with _lock:
        if key in _structures:
            return _structures[key]
        path = cache_dir() / f"structure_{key}.npz"
        if not path.exists():
            from ._codegen import model_structure

            active, rules, upstream = model_structure(cause, layout)
            path = _writable(cache_dir()) / path.name
            _write_atomic(path, lambda f: np.savez(f, active=active, rules=rules, upstream=upstream))
        with np.load(path) as meta:
            _structures[key] = KernelStructure(meta["active"], meta["rules"], meta["upstream"])
        return _structures[key]


def load_kernel(cause: str, layout: InputLayout, lanes: int = 1,
                zero: tuple[int, ...] = ()) -> tuple[ModuleType, KernelStructure]:
    """The compiled module for ``cause``, ``layout`` and ``lanes`` and its structure (made on first use).

    The states ``zero`` are held at 0 in its code (see :func:`kernel_zeros`).
    """
    key = hashlib.sha256(f"{model_hash()}|{structure_key(cause, layout, lanes, zero)}".encode()).hexdigest()[:24]
    with _lock:
        if key in _loaded:
            return _loaded[key]
        folder = cache_dir()
        path = folder / f"kernel_{key}.py"
        meta_path = folder / f"kernel_{key}.structure.npz"
        if not (path.exists() and meta_path.exists()):
            from ._codegen import generate_source

            folder = _writable(folder)
            path, meta_path = folder / path.name, folder / meta_path.name
            generated, active, rules, upstream = generate_source(cause, layout, lanes, zero)
            _write_atomic(meta_path, lambda f: np.savez(f, active=active, rules=rules, upstream=upstream))
            _write_atomic(path, lambda f: f.write(f"# generated by painloop for cause {cause!r}\n{generated}".encode()))
        with np.load(meta_path) as meta:
            structure = KernelStructure(meta["active"], meta["rules"], meta["upstream"])
        module = _import(f"painloop_kernel_{key}", path)
        _loaded[key] = (module, structure)
        return module, structure


def load_integrator(lanes: int) -> ModuleType:
    """The compiled integrator (:mod:`painloop.simulate._tsit5`) for ``lanes`` lanes, the same for every model.

    Written to the kernel cache folder under a hash of its source and the
    lane count (numba caches its machine code next to it).
    """
    template = (_PACKAGE / "simulate" / "_tsit5.py").read_text()
    key = hashlib.sha256(f"{template}|{lanes}".encode()).hexdigest()[:24]
    with _lock:
        if key in _loaded:
            return _loaded[key][0]
        path = cache_dir() / f"integrator_{key}.py"
        if not path.exists():
            folder = _writable(cache_dir())
            path = folder / path.name
            _write_atomic(path, lambda f: f.write(f"# painloop's integrator for {lanes} lanes: do not edit\n{template}\n"
                                                   f"LANES = {lanes}\nU_LANES = np.uint64(LANES)\n".encode()))
        module = _import(f"painloop_integrator_{key}", path)
        _loaded[key] = (module, KernelStructure(np.zeros(0, np.int64), np.zeros((0, 0), np.int8),
                                                np.zeros(0, np.int8)))
        return module


def _import(name: str, path: Path) -> ModuleType:
    """Import the Python file ``path`` as module ``name`` (registered in ``sys.modules`` for numba's cache)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def kernel_zeros(cause: str, layout: InputLayout, y0: np.ndarray, dosed: np.ndarray) -> tuple[int, ...]:
    """States of the treatment subsystem that a run's kernel holds at 0: active in general, dormant in this run.

    Only treatment states (drugs not given, therapies absent) are
    specialized away, so the kernels of untreated runs do not depend on
    their initial state and the number of kernels stays that of the drug
    and therapy combinations used.
    """
    general = general_structure(cause, layout)
    dormant = dormant_states(general, y0, dosed)
    return tuple(int(i) for i in general.active if dormant[i] and i >= system.N_CORE_STATES)


def dormant_states(structure: KernelStructure, y0: np.ndarray, dosed: np.ndarray) -> np.ndarray:
    """Bool mask of the states that stay exactly 0 over the run for every patient (n_states,).

    A state is dormant when it is 0 for every patient of ``y0`` (n_states ×
    n_patients), receives none of the doses (``dosed``: state indices), and
    either is held (not active) or its rate provably stays 0 because every
    state its rate reads is dormant too (the largest such set, by removing
    states until none breaks its rule). Leaving dormant states out of the
    integration changes no number: their rates, stage values and error
    terms would be exactly 0.
    """
    zero = np.all(y0 == 0.0, axis=1)
    zero[np.asarray(dosed, dtype=np.int64)] = False
    active, rules = structure.active, structure.rules
    capable = rules[:, 0].astype(bool)
    deps = rules[:, 1:].astype(bool)
    dormant = zero.copy()
    while True:
        broken = dormant[active] & ~(capable & ~np.any(deps & ~dormant[None, :], axis=1))
        if not broken.any():
            return dormant
        dormant[active[broken]] = False


def _writable(folder: Path) -> Path:
    """``folder``, created; a per-user temporary folder instead when it cannot be written (e.g. a read-only home)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".probe.{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
        return folder
    except OSError:
        import tempfile

        fallback = Path(tempfile.gettempdir()) / f"painloop-kernels-{os.getuid()}"
        fallback.mkdir(parents=True, exist_ok=True)
        return fallback


def _write_atomic(path: Path, write: Callable[[Any], None]) -> None:
    """Write ``path`` through a temporary file and one rename, so concurrent processes never see half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(tmp, "wb") as f:
        write(f)
    os.replace(tmp, path)


@dataclass(frozen=True)
class KernelResult:
    """Arrays of one kernel run: states (n_states, n_patients, n_save), outputs likewise, status, steps.

    Each variable's (patient × time) block is contiguous, as a Dataset variable wants it.
    """

    t_hours: np.ndarray
    states: np.ndarray
    outputs: np.ndarray
    status: np.ndarray
    accepted: np.ndarray
    rejected: np.ndarray


def _param_matrix(p: Mapping[str, Any], n: int) -> np.ndarray:
    """(n_patients, n_params) in :data:`~painloop.model.system.PARAM_NAMES` order; scalars broadcast."""
    P = np.empty((n, len(system.PARAM_NAMES)))
    for i, name in enumerate(system.PARAM_NAMES):
        P[:, i] = np.broadcast_to(np.asarray(p[name], dtype=float), (n,))
    return P


def _input_matrices(q: Mapping[str, Any], layout: InputLayout,
                    n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Scalar inputs (n_patients, n_scalars) and event lists: values, offsets and per-patient lengths.

    An event list is (n_events,) for every patient or (n_events, n_patients);
    per patient, NaN entries at the end mark unused slots (patients with fewer
    events than others).
    """
    Q = np.empty((n, len(layout.scalars)))
    for i, key in enumerate(layout.scalars):
        Q[:, i] = np.broadcast_to(np.asarray(q[key], dtype=float), (n,))
    columns = []
    for key in layout.events:
        value = np.asarray(q[key], dtype=float)
        value = value.reshape(-1, 1) if value.ndim <= 1 else value
        columns.append(np.broadcast_to(value, (value.shape[0], n)).T)
    sizes = [c.shape[1] for c in columns]
    eoff = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64) if sizes else np.zeros(0, np.int64)
    E = np.ascontiguousarray(np.concatenate(columns, axis=1)) if columns else np.zeros((n, 0))
    NE = np.ascontiguousarray(np.stack([np.sum(~np.isnan(c), axis=1) for c in columns], axis=1), dtype=np.int64) if columns \
        else np.zeros((n, 0), np.int64)
    return Q, E, eoff, NE


def _dose_arrays(doses: Sequence[tuple[float, str, float]] | None,
                 patient_doses: Sequence[Sequence[tuple[float, str, float]]] | None,
                 n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-patient dose lists as CSR arrays sorted by time: pointers, times (h), state indices, amounts."""
    shared = sorted(doses or ())
    rows: list[list[tuple[float, str, float]]] = []
    for j in range(n):
        own = list(patient_doses[j]) if patient_doses is not None else []
        rows.append(sorted(shared + own) if own else shared)
    ptr = np.zeros(n + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(r) for r in rows])
    flat = [d for r in rows for d in r]
    t = np.array([d[0] for d in flat], dtype=float)
    state = np.array([system.STATE_INDEX[d[1]] for d in flat], dtype=np.int64)
    amount = np.array([d[2] for d in flat], dtype=float)
    return ptr, t, state, amount


def block_order(q: Mapping[str, Any], n: int) -> np.ndarray:
    """Patients ordered so that blocks hold similar sleep schedules (patients sharing a step then need fewer steps)."""
    wake = np.broadcast_to(np.asarray(q.get("wake_h", 0.0), dtype=float), (n,))
    bed = np.broadcast_to(np.asarray(q.get("hours_in_bed", 0.0), dtype=float), (n,))
    return np.lexsort((np.arange(n), bed, wake)).astype(np.int64)


def run_kernel(cause: str, p: Mapping[str, Any], q: Mapping[str, Any], y0: np.ndarray, *, t_start_h: float,
               t_end_h: float, save_t: np.ndarray, rtol: float, atol: float | np.ndarray, block_size: int = 16,
               chunk_h: float = 28 * 24.0, max_steps_per_chunk: int = 200_000, threads: int | None = None,
               keep: np.ndarray | None = None, doses: Sequence[tuple[float, str, float]] = (),
               patient_doses: Sequence[Sequence[tuple[float, str, float]]] | None = None,
               on_chunk: Callable[[float], None] | None = None, skip_dormant: bool = True,
               split_upstream: bool = True, specialize: bool = True) -> KernelResult:
    """Integrate ``y0`` (n_states × n_patients) from ``t_start_h`` to ``t_end_h`` and save at ``save_t`` (h).

    Each block is integrated over the whole interval in one compiled call,
    at most ``max_steps_per_chunk`` steps per ``chunk_h`` hours;
    ``on_chunk`` gets the fraction of patients done. A block in which a patient
    fails is integrated again without the failed patients, so every surviving
    patient's numbers are those of a run in which the failed one was absent
    from its block. ``doses`` apply to every patient, ``patient_doses[j]`` to
    patient j only; both are (time h, state name, amount) jumps. With
    ``skip_dormant`` the states that provably stay 0 (:func:`dormant_states`:
    e.g. the compartments of drugs not given) are left out of the integration
    (the same numbers, less work). With ``split_upstream`` the upstream
    subsystem (the drugs' compartments) takes its own steps
    (:func:`painloop.simulate._tsit5.integrate_block`); without it every
    state shares one step. With ``specialize`` (and ``skip_dormant``) the
    kernel is generated with the dormant treatment states held at 0
    (:func:`kernel_zeros`: one kernel per combination of drugs and
    therapies used), so their code is not evaluated at all.
    """
    y0 = np.asarray(y0, dtype=float)
    n = y0.shape[1]
    layout = input_layout(q)
    lanes = lanes_for(min(block_size, n))
    ev_ptr, ev_t, ev_state, ev_amt = _dose_arrays(doses, patient_doses, n)
    zero = kernel_zeros(cause, layout, y0, ev_state) if specialize and skip_dormant else ()
    module, structure = load_kernel(cause, layout, lanes, zero)
    integrator = load_integrator(lanes)
    fns = (module.rhs, module.rhs_up, module.outputs)
    active = structure.active
    keep = np.arange(len(system.STATE_NAMES), dtype=np.int64) if keep is None else np.asarray(keep, dtype=np.int64)
    Y0 = np.ascontiguousarray(y0.T)
    P = _param_matrix(p, n)
    Q, E, eoff, NE = _input_matrices(q, layout, n)
    held = sorted({system.STATE_NAMES[i] for i in set(ev_state.tolist()) - set(active.tolist())})
    dormant = dormant_states(structure, y0, ev_state) if skip_dormant else np.zeros(y0.shape[0], dtype=bool)
    up = structure.upstream.astype(bool) & split_upstream
    live_down = np.flatnonzero(~dormant[active] & ~up).astype(np.int64)
    live_up = np.flatnonzero(~dormant[active] & up).astype(np.int64)
    down_mode = 2 if np.any(~dormant[active] & structure.upstream.astype(bool) & ~up) else 0
    if held and "treated" not in q:
        raise ValueError(f"doses of {held} in a scenario without treatments: those states are held constant; add the "
                         "drug to the scenario's treatments (or q['treated'] = 1)")
    save_t = np.ascontiguousarray(save_t, dtype=float)
    atol_s = np.ascontiguousarray(np.broadcast_to(np.asarray(atol, dtype=float), (y0.shape[0],)))
    ys = np.full((keep.size, n, save_t.size), np.nan)
    outs = np.full((len(system.OUTPUT_NAMES), n, save_t.size), np.nan)
    status = np.zeros(n, dtype=np.int64)
    counts = np.zeros((n, 2), dtype=np.int64)
    groups = list(np.split(block_order(q, n), np.arange(block_size, n, block_size)))
    max_steps = int(max_steps_per_chunk * max(1.0, np.ceil((t_end_h - t_start_h) / chunk_h)))
    n_threads = max(1, min(threads or os.cpu_count() or 1, len(groups)))
    first = True
    while groups:
        y = Y0.copy()
        h = np.full(n, 0.05)

        def one(group: np.ndarray) -> int:
            status[group] = 0
            counts[group] = 0
            integrator.integrate_block(fns, module.N_SUMS, group, float(t_start_h), float(t_end_h), y, P, Q, E, eoff, NE, active, live_down,
                                   live_up, down_mode, keep,
                                   save_t, ev_ptr,
                                   ev_t, ev_state, ev_amt, float(rtol), atol_s, h, max_steps, ys, outs, status,
                                   counts)
            return group.size

        _map_blocks(one, groups, n_threads, on_chunk if first else None, n)
        first = False
        failed = status != 0
        ys[:, failed] = np.nan
        outs[:, failed] = np.nan
        groups = [g[~failed[g]] for g in groups if failed[g].any() and (~failed[g]).any()]
    return KernelResult(save_t, ys, outs, status, counts[:, 0].copy(), counts[:, 1].copy())


def _map_blocks(fn: Callable[[np.ndarray], int], groups: list[np.ndarray], n_threads: int,
                on_progress: Callable[[float], None] | None, n: int) -> None:
    """Run ``fn`` on every block, on ``n_threads`` threads (the compiled code releases the GIL)."""
    import warnings

    from numba.core.errors import NumbaExperimentalFeatureWarning

    with warnings.catch_warnings():  # passing the generated cfuncs as arguments is numba's "first-class functions"
        warnings.simplefilter("ignore", NumbaExperimentalFeatureWarning)
        _run_blocks(fn, groups, n_threads, on_progress, n)


def _run_blocks(fn: Callable[[np.ndarray], int], groups: list[np.ndarray], n_threads: int,
                on_progress: Callable[[float], None] | None, n: int) -> None:
    """:func:`_map_blocks` without the warning filter."""
    done = 0
    if n_threads == 1:
        for g in groups:
            done += fn(g)
            if on_progress is not None:
                on_progress(done / n)
        return
    from concurrent.futures import ThreadPoolExecutor, as_completed

    with ThreadPoolExecutor(max_workers=n_threads) as pool:
        for fut in as_completed([pool.submit(fn, g) for g in groups]):
            done += fut.result()
            if on_progress is not None:
                on_progress(done / n)
