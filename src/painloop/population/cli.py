"""``painloop population``: simulate a virtual population's natural history and write outcomes and a report."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from .. import DISCLAIMER

_err = Console(stderr=True)
_out = Console()


def population(spec_file: Path = typer.Argument(..., help="Population spec YAML (cause, n, seed, days, …)."),
               out_dir: Path = typer.Option(..., "--out", "-o", help="Output directory (population.nc, daily.csv, "
                                            "patients.csv, report.html)."),
               n: Optional[int] = typer.Option(None, "--patients", "-n", min=1, help="Replace the spec's n."),
               seed: Optional[int] = typer.Option(None, "--seed", min=0, help="Replace the spec's seed.")) -> None:
    """Simulate the natural history of a virtual population of one cause (batched chunks, progress bar)."""
    from .run import PopulationRunError, daily_summary, load_run, parse_run, run_population
    from .report import render_population_report

    def fail(message: str) -> None:
        _err.print(f"[bold red]error:[/] {message}", highlight=False)
        raise typer.Exit(2)

    if out_dir.exists() and not out_dir.is_dir():
        fail(f"--out {out_dir} exists and is not a directory; give a directory path")
    try:
        run = load_run(spec_file)
        if n is not None or seed is not None:
            data = run.model_dump(mode="json")
            data.update({k: v for k, v in (("n", n), ("seed", seed)) if v is not None})
            run = parse_run(data, "with --patients/--seed")
    except PopulationRunError as e:
        fail(str(e))
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                  TimeElapsedColumn(), console=_err, transient=True) as bar:
        task = bar.add_task(f"{run.n} patients ({run.population.cause}), {run.days} days", total=1.0)
        ds = run_population(run, progress=lambda f: bar.update(task, completed=f))
    summary = daily_summary(ds, run.threshold)
    patients = ds[[v for v in ds.data_vars if ds[v].dims == ("patient",)]].to_dataframe().reset_index()
    writers: dict[str, Callable[[Path], None]] = {
        "population.nc": lambda p: ds.to_netcdf(p, engine="netcdf4"),
        "daily.csv": lambda p: summary.to_csv(p, index=False),
        "patients.csv": lambda p: patients.to_csv(p, index=False),
        "report.html": lambda p: p.write_text(render_population_report(ds, summary, run.threshold), encoding="utf-8"),
    }
    from ..io import write_files

    written = write_files(out_dir, writers)
    last = summary.iloc[-1]
    _out.print(f"{run.population.cause}: day {int(last['day'])}: {last[f'prevalence_nrs_ge_{run.threshold:g}']:.1%} with "
               f"NRS ≥ {run.threshold:g}, mean NRS {last['nrs_mean']:.2f} ({int(last['n_patients'])} patients)",
               highlight=False)
    _out.print(f"[green]wrote[/] {', '.join(str(p) for p in written)}")
    _out.print(f"[dim]{DISCLAIMER}[/]")
