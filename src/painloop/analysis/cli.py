"""``painloop sensitivity``: Morris screening (one batched run) or Sobol indices (through the sweep machinery)."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from .. import DISCLAIMER

_err = Console(stderr=True, soft_wrap=True)
_out = Console()


class Method(str, Enum):
    morris = "morris"
    sobol = "sobol"


class Fmt(str, Enum):
    table = "table"
    csv = "csv"


def _fail(message: str, code: int = 2) -> None:
    _err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def _scenario(scenario_file: Optional[Path], scenario: Optional[str]):
    from ..scenario import ScenarioError, builtin, load_scenario

    if scenario_file is not None and scenario is not None:
        _fail("give either a scenario file or --scenario NAME (see `painloop scenarios`), not both")
    try:
        return load_scenario(scenario_file) if scenario_file is not None else builtin(scenario or "default")
    except ScenarioError as e:
        _fail(str(e))


def _print(frame, fmt: Fmt, title: str) -> None:
    if fmt is Fmt.csv:
        sys.stdout.write(frame.to_csv(index=False))
        return
    table = Table(*frame.columns, title=title)
    for row in frame.itertuples(index=False):
        table.add_row(*(f"{v:.4g}" if isinstance(v, float) else str(v) for v in row))
    _out.print(table)


def sensitivity(scenario_file: Optional[Path] = typer.Argument(None, help="Scenario YAML file.", show_default=False),
                scenario: Optional[str] = typer.Option(None, "--scenario", "-s",
                                                       help="Name of a built-in scenario (default: default)."),
                method: Method = typer.Option(Method.morris, "--method", "-m",
                                              help="morris: cheap screen (one batched run); sobol: first- and "
                                                   "total-order indices with bootstrap intervals."),
                param: Optional[list[str]] = typer.Option(None, "--param", "-p", help="NAME=LOW:HIGH, a parameter "
                                                          "and its range in its unit (repeatable)."),
                params_file: Optional[Path] = typer.Option(None, "--params-file", help="YAML file of ranges "
                                                           "(NAME: [LOW, HIGH] per line)."),
                output: str = typer.Option("nrs", "--output", help="State or output whose mean is analysed."),
                window_days: float = typer.Option(28.0, "--window-days", min=0.01,
                                                  help="Window: the last DAYS of the reported period."),
                n: int = typer.Option(64, "--n", min=2, help="Sobol base sample size N (power of 2); runs = N·(k+2)."),
                trajectories: int = typer.Option(10, min=2, max=200, help="Morris trajectories."),
                seed: int = typer.Option(0, min=0, help="Random seed of the design (and the bootstrap)."),
                out_dir: Optional[Path] = typer.Option(None, "--out", "-o", help="Sobol: folder for report.html, "
                                                       "sobol.csv and the resumable store sobol.zarr."),
                shard_size: int = typer.Option(64, "--shard-size", min=1, help="Sobol: runs per shard."),
                scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Sobol: address of a running Dask "
                                                        "scheduler (default: a local cluster)."),
                workers: Optional[int] = typer.Option(None, "--workers", min=0, help="Sobol: local worker processes "
                                                      "(0: this process)."),
                png: bool = typer.Option(False, "--png", help="Sobol: also write sobol.png (the chart, via kaleido)."),
                fmt: Fmt = typer.Option(Fmt.table, "--format", "-f", help="Output format of the table.")) -> None:
    """Which parameters move an outcome: Morris screening, or Sobol indices over ranges you choose."""
    from ..model import system
    from .sensitivity import SensitivityError, load_param_ranges, parse_param_range

    sc = _scenario(scenario_file, scenario)
    known = set(system.STATE_NAMES) | {o.name for o in system.OUTPUTS}
    if output not in known:
        _fail(f"--output {output!r}: unknown variable; allowed: the states (`painloop states`) and outputs, e.g. nrs, "
              f"depression, sleep_quality")
    if window_days > sc.duration_days:
        _fail(f"--window-days {window_days:g} is longer than the scenario's reported period ({sc.duration_days:g} days)")
    try:
        ranges = load_param_ranges(params_file) if params_file is not None else {}
        for text in param or []:
            name, lo, hi = parse_param_range(text)
            ranges[name] = (lo, hi)
    except SensitivityError as e:
        _fail(str(e))
    unknown = sorted(set(ranges) - set(system.default_params()))
    if unknown:
        _fail(f"--param: unknown parameter(s) {unknown}; see `painloop params`")
    if method is Method.morris:
        from ..cli import _LazyProgress
        from .sensitivity import morris_sensitivity

        progress = _LazyProgress("Morris screening")
        try:
            frame = morris_sensitivity(sc, trajectories=trajectories, seed=seed, ranges=ranges or None,
                                       window_days=window_days, output=output, progress=progress)
        finally:
            progress.close()
        _print(frame.round(4), fmt, f"Morris sensitivity of mean {output} (last {window_days:g} days)")
        return
    if not ranges:
        _fail("--method sobol needs the parameters and ranges to vary: --param NAME=LOW:HIGH (repeatable) or "
              "--params-file")
    if len(ranges) < 2:
        _fail("--method sobol needs at least two parameters")
    if n & (n - 1):
        _fail(f"--n {n}: the Sobol base sample size must be a power of 2 (e.g. 32, 64, 128)")
    if out_dir is None:
        _fail("--method sobol needs --out DIR (report.html, sobol.csv and the resumable store sobol.zarr)")
    if out_dir.exists() and not out_dir.is_dir():
        _fail(f"--out {out_dir} exists and is not a directory; give a directory path")
    if scheduler is not None and workers is not None:
        _fail("--workers sets the size of a local cluster; with --scheduler the cluster's own workers are used")
    from ..io import write_files
    from ..sweep import SweepStoreError
    from ..sweep.cli import ShardProgress, client_for
    from .sensitivity import SobolRunsFailed, render_sobol_report, sobol_figure, sobol_sensitivity

    store = out_dir / "sobol.zarr"
    runs = n * (len(ranges) + 2)
    try:
        with client_for(scheduler, workers, -(-runs // shard_size)) as client:
            progress = ShardProgress(f"Sobol {sc.name} ({runs} runs)")
            try:
                result = sobol_sensitivity(sc, ranges, store, output=output, window_days=window_days, n=n, seed=seed,
                                           shard_size=shard_size, client=client, progress=progress)
            finally:
                progress.close()
    except SweepStoreError as e:
        _fail(str(e))
    except SobolRunsFailed as e:
        _fail(str(e), 1)
    except SensitivityError as e:
        _fail(str(e))
    except KeyboardInterrupt:
        _err.print(f"interrupted; run the same command to continue from the shards in {store}")
        raise typer.Exit(130)
    writers = {"sobol.csv": lambda p: result.table.to_csv(p, index=False),
               "report.html": lambda p: p.write_text(render_sobol_report(result), encoding="utf-8")}
    if png:
        writers["sobol.png"] = lambda p: sobol_figure(result).write_image(str(p), format="png", scale=2)
    written = write_files(out_dir, writers, keep_existing=True)  # keeps the resumable sobol.zarr
    _print(result.table.round(4), fmt, f"Sobol indices of mean {output} over the last {window_days:g} days "
                                       f"({result.unit}; ± {100 * result.conf_level:g} % bootstrap half-width)")
    say = _err if fmt is Fmt.csv else _out
    say.print(f"[green]wrote[/] {', '.join(str(p) for p in written)} and {store}", highlight=False)
    say.print(f"[dim]{DISCLAIMER}[/]")
