"""Running a sweep: shards as tasks, in this process or on a Dask cluster; results written as they arrive.

Workers only compute: each shard task returns its arrays to this process,
which writes them to the store and then marks the shard complete. So the
store need not be reachable from the workers, writes never race, and the
store's content does not depend on which worker ran what or in which order.
"""

from __future__ import annotations

import contextlib
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Protocol

import numpy as np

from ._design import shard_columns, shard_seed
from ._resolve import Sweep
from ._store import completed_shards, open_or_create


@dataclass(frozen=True)
class ShardTask:
    """One shard: its index, its patients' factor values, their number and the shard's own seed."""

    index: int
    columns: dict[str, np.ndarray]
    n: int
    seed: np.random.SeedSequence


def failed_shard(model: Any, n: int, error: BaseException) -> dict[str, np.ndarray]:
    """The arrays of a shard whose model call raised: every patient failed (solver_ok 0, fill values), the error kept."""
    out = {v.name: np.full((n, *v.shape), v.fill, dtype=v.dtype) for v in model.variables()}
    out["solver_ok"] = np.zeros(n, dtype=np.int8)
    out["error"] = np.asarray(f"{type(error).__name__}: {error}")
    return out


def run_shard(model: Any, task: ShardTask) -> tuple[int, dict[str, np.ndarray], float]:
    """Run one shard (one batched model call); returns its index, its arrays and the seconds it took.

    A model call that raises does not fail the sweep: the shard is recorded with all its
    patients marked failed and the error message kept (reported at the end of the run).
    """
    start = time.perf_counter()
    try:
        result = model(task.columns, task.n, task.seed)
    except Exception as err:  # noqa: BLE001  (isolated per shard by design)
        result = failed_shard(model, task.n, err)
    return task.index, result, time.perf_counter() - start


class Progress(Protocol):
    """What the runner reports: the work at the start, then each shard as it completes."""

    def start(self, total_shards: int, done_shards: int, total_patients: int, done_patients: int) -> None: ...

    def advance(self, shard: int, patients: int) -> None: ...


@dataclass
class SweepRun:
    """What one call of :func:`run_sweep` did, and the store's state after it."""

    store: Path
    n_shards: int
    shards_before: int
    shards_run: int
    seconds: float
    n_patients: int
    failed_patients: int
    patients_run: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    shard_seconds: list[float] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.shards_before + self.shards_run == self.n_shards


def _tasks(sweep: Sweep, pending: list[int]) -> Iterator[ShardTask]:
    for i in pending:
        a, b = sweep.plan.bounds(i)
        yield ShardTask(i, shard_columns(sweep.spec, sweep.plan, i), b - a, shard_seed(sweep.spec.seed, i))


def _in_process(sweep: Sweep, pending: list[int]) -> Iterator[tuple[ShardTask, tuple]]:
    for task in _tasks(sweep, pending):
        yield task, run_shard(sweep.model, task)


def _distributed(sweep: Sweep, pending: list[int], client: Any) -> Iterator[tuple[ShardTask, tuple]]:
    """Shards as Dask futures, at most two per worker thread in flight, yielded as they complete."""
    from distributed import as_completed

    threads = max(1, sum(client.nthreads().values()))
    tasks = _tasks(sweep, pending)
    in_flight: dict[str, tuple[Any, ShardTask]] = {}
    queue = as_completed()

    def submit() -> None:
        task = next(tasks, None)
        if task is not None:
            fut = client.submit(run_shard, sweep.model, task, pure=False, retries=1)
            in_flight[fut.key] = (fut, task)
            queue.add(fut)

    for _ in range(2 * threads):
        submit()
    try:
        for fut in queue:
            _, task = in_flight.pop(fut.key)
            yield task, fut.result()
            fut.release()
            submit()
    finally:
        if in_flight:
            client.cancel([f for f, _ in in_flight.values()])


def failed_patients(group) -> int:
    """Patients of completed shards whose run failed (``solver_ok`` 0)."""
    done = completed_shards(group)
    size = int(group.attrs["shard_size"])
    ok = np.asarray(group["solver_ok"][:])
    mask = np.repeat(done, size)[: ok.size]
    return int(np.sum(ok[mask] == 0))


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM ends the run like Ctrl-C (workers closed, completed shards kept)."""
    def handler(signum, frame):  # noqa: ARG001
        raise KeyboardInterrupt("SIGTERM")
    try:
        old = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def run_sweep(sweep: Sweep, store: str | Path, *, client: Any = None, progress: Progress | None = None,
              max_shards: int | None = None) -> SweepRun:
    """Run the shards of ``sweep`` not yet complete in ``store`` and write each as it finishes.

    ``client``: a ``distributed.Client`` (shards become Dask tasks on its
    workers), or None to run in this process. ``max_shards`` stops after that
    many shards (used to test resuming). Re-running the same sweep on the same
    store continues where it stopped; the finished store is the same, bit
    for bit, however the run was split, scheduled or interrupted.
    """
    from ._store import write_shard

    start = time.perf_counter()
    group = open_or_create(store, sweep)
    done = completed_shards(group)
    pending = [int(i) for i in np.flatnonzero(~done)]
    if max_shards is not None:
        pending = pending[:max_shards]
    done_patients = sum(b - a for a, b in map(sweep.plan.bounds, np.flatnonzero(done)))
    if progress is not None:
        progress.start(sweep.plan.n_shards, int(done.sum()), sweep.plan.n, int(done_patients))
    run = SweepRun(Path(store), sweep.plan.n_shards, int(done.sum()), 0, 0.0, sweep.plan.n, 0)
    results = _in_process(sweep, pending) if client is None else _distributed(sweep, pending, client)
    with _sigterm_as_interrupt():
        for task, (index, result, seconds) in results:
            if "error" in result:
                run.errors.append((index, str(result["error"])))
            write_shard(group, sweep, index, task.columns, result)
            run.shards_run += 1
            run.patients_run += task.n
            run.shard_seconds.append(seconds)
            if progress is not None:
                progress.advance(index, task.n)
    run.seconds = time.perf_counter() - start
    run.failed_patients = failed_patients(group)
    return run


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, workers: int = 2) -> Iterator[Any]:
    """A ``distributed.Client``: connected to ``scheduler`` (an address), or to a new local cluster.

    The local cluster has ``workers`` worker processes with one thread each,
    started with the spawn method (forking a process that has started JAX
    can hang) and no dashboard.
    """
    import logging

    import dask
    from distributed import Client, LocalCluster

    if scheduler is not None:
        with Client(scheduler, timeout="30s") as client:
            yield client
        return
    with dask.config.set({"distributed.worker.multiprocessing-method": "spawn"}):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            yield client
