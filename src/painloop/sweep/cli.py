"""``painloop sweep``: run a sweep specification into a Zarr store, locally or on a Dask cluster, resumably."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import Any, Iterator, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from .. import DISCLAIMER

_err = Console(stderr=True, soft_wrap=True)
_out = Console()


def _fail(message: str, code: int = 2) -> None:
    _err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


class ShardProgress:
    """A rich progress bar: shards done/total, patients per second (this run) and the time left."""

    def __init__(self, label: str, console: Console = _err) -> None:
        self.label, self.console = label, console
        self.bar: Progress | None = None
        self.task = None
        self.t0 = time.perf_counter()
        self.patients = 0

    def start(self, total_shards: int, done_shards: int, total_patients: int, done_patients: int) -> None:
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("shards"), TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                            TextColumn("ETA"), TimeRemainingColumn(), console=self.console, transient=False)
        self.bar.start()
        self.task = self.bar.add_task(self.label, total=total_shards, completed=done_shards, rate="")
        self.t0, self.patients = time.perf_counter(), 0

    def advance(self, shard: int, patients: int) -> None:
        self.patients += patients
        rate = self.patients / max(time.perf_counter() - self.t0, 1e-9)
        self.bar.update(self.task, advance=1, rate=f"{rate:,.1f} patients/s")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


@contextlib.contextmanager
def client_for(scheduler: Optional[str], workers: Optional[int], n_shards: int) -> Iterator[Any]:
    """None for ``--workers 0`` (run in this process), else a Dask client: to ``scheduler``, or to a new local
    cluster of ``workers`` processes (default: one per CPU, at most one per shard). Exits 2 if it cannot connect."""
    from ._run import dask_client

    if scheduler is None and workers == 0:
        yield None
        return
    n = workers if workers is not None else max(1, min(os.cpu_count() or 1, n_shards))
    with contextlib.ExitStack() as stack:
        try:
            client = stack.enter_context(dask_client(scheduler, n))
        except (OSError, TimeoutError) as e:
            _fail(f"--scheduler {scheduler}: cannot connect ({e}); give the address printed by `dask scheduler`, "
                  f"e.g. tcp://127.0.0.1:8786")
        yield client


def run_with_progress(sweep, store: Path, scheduler: Optional[str], workers: Optional[int], label: str):
    """Run ``sweep`` into ``store`` with a progress bar, in this process or on Dask (see :func:`client_for`)."""
    from ._run import run_sweep

    with client_for(scheduler, workers, sweep.plan.n_shards) as client:
        progress = ShardProgress(label)
        try:
            return run_sweep(sweep, store, client=client, progress=progress)
        finally:
            progress.close()


def sweep(spec_file: Path = typer.Argument(..., help="Sweep specification (YAML).", show_default=False),
          out: Path = typer.Option(..., "--out", "-o", help="Zarr store to write (created, or resumed if it holds "
                                   "this sweep)."),
          scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Address of a running Dask scheduler "
                                                  "(e.g. tcp://10.0.0.5:8786); default: a local cluster."),
          workers: Optional[int] = typer.Option(None, "--workers", min=0, max=1024,
                                                help="Worker processes of the local cluster (0: run in this process; "
                                                     "default: one per CPU, at most one per shard).")) -> None:
    """Run a sweep (patients in shards) into a resumable Zarr store; a killed run continues where it stopped."""
    from ._resolve import resolve_sweep
    from ._spec import SweepSpecError, load_sweep_spec
    from ._store import SweepStoreError

    try:
        spec, base = load_sweep_spec(spec_file)
        sw = resolve_sweep(spec, base)
    except SweepSpecError as e:
        _fail(str(e))
    if scheduler is not None and workers is not None:
        _fail("--workers sets the size of a local cluster; with --scheduler the cluster's own workers are used")
    try:
        result = run_with_progress(sw, out, scheduler, workers, f"sweep {spec.name}")
    except SweepStoreError as e:
        _fail(str(e))
    except KeyboardInterrupt:
        from ._store import completed_shards
        import zarr

        done = int(completed_shards(zarr.open_group(str(out), mode="r")).sum()) if out.exists() else 0
        _err.print(f"interrupted: {done} of {sw.plan.n_shards} shards complete in {out}; run the same command to "
                   f"continue", highlight=False)
        raise typer.Exit(130)
    for index, message in result.errors:
        _err.print(f"[yellow]warning:[/] shard {index} failed as a whole ({message}); its patients are marked "
                   f"solver_ok = 0", highlight=False)
    table = Table("patients", "shards", "run now", "failed patients", "seconds", "patients/s (this run)",
                  title=f"sweep {spec.name} → {out}")
    table.add_row(str(sw.plan.n), f"{result.shards_before + result.shards_run}/{sw.plan.n_shards}",
                  str(result.shards_run), str(result.failed_patients), f"{result.seconds:.1f}",
                  f"{result.patients_run / result.seconds:.1f}" if result.shards_run else "-")
    _out.print(table)
    if result.failed_patients:
        _err.print(f"[yellow]warning:[/] {result.failed_patients} patients did not integrate (solver_ok = 0 in the "
                   f"store); they are kept, not dropped", highlight=False)
    _out.print(f"read it with: xarray.open_zarr({str(out)!r})", highlight=False)
    _out.print(f"[dim]{DISCLAIMER}[/]")
