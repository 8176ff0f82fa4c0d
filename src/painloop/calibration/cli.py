"""``painloop calibrate``: thin command over :func:`painloop.calibration.calibrate`."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from .. import DISCLAIMER

_err = Console(stderr=True)
_out = Console()


def calibrate_command(
        out_file: Optional[Path] = typer.Option(None, "--out", "-o", help="Fitted-values YAML to write (default: the "
                                                "package's data/fitted/population.yaml, read by `painloop params`)."),
        budget: int = typer.Option(40, "--budget", min=3, max=10_000, help="Loss evaluations (each simulates the "
                                   "target populations)."),
        seed: int = typer.Option(2015, "--seed", min=0, help="Seed of the populations and of CMA-ES."),
        patients: int = typer.Option(200, "--patients", "-n", min=5, max=100_000, help="Patients per population."),
        trial_patients: int = typer.Option(100, "--trial-patients", min=20, max=10_000, help="Patients per trial arm."),
        diabetes_years: float = typer.Option(2.0, "--diabetes-years", min=0.5, max=10.0,
                                             help="Years of diabetes simulated before the look (max 10; earlier years enter as the damage they produced, in closed form)."),
        target: Optional[list[str]] = typer.Option(None, "--target", help="Calibration target id (repeatable; "
                                                   "default: the population targets of painloop.calibration)."),
        parameter: Optional[list[str]] = typer.Option(None, "--parameter", help="Free parameter to fit (repeatable; "
                                                      "default: all of painloop.calibration.FREE_PARAMETERS)."),
        start: Optional[list[str]] = typer.Option(None, "--start", help="Start value NAME=VALUE of a free parameter "
                                                  "(repeatable; default: the declared values).")) -> None:
    """Re-fit the free population parameters jointly to the calibration targets (CMA-ES, deterministic with --seed)."""
    from . import DEFAULT_TARGETS, calibrate, write_fit
    from ..population._fitted import package_file

    path = out_file or package_file()
    starts = {}
    for item in start or []:
        name, _, value = item.partition("=")
        try:
            starts[name.strip()] = float(value)
        except ValueError:
            _err.print(f"[bold red]error:[/] --start {item!r}: expected NAME=VALUE with a number", highlight=False)
            raise typer.Exit(2)
    if path.exists() and path.is_dir():
        _err.print(f"[bold red]error:[/] --out {path} is a directory; give a file path (e.g. fit.yaml)", highlight=False)
        raise typer.Exit(2)
    try:
        result = calibrate(target or DEFAULT_TARGETS, parameters=parameter, budget=budget, seed=seed, n=patients,
                           diabetes_years=diabetes_years, trial_n=trial_patients, start=starts,
                           progress=lambda m: _err.print(f"[dim]{m}[/]", highlight=False))
    except ValueError as e:
        _err.print(f"[bold red]error:[/] {e}", highlight=False)
        raise typer.Exit(2)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    os.close(fd)
    try:
        write_fit(result.document, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    _out.print(f"loss {result.loss_start:.4g} → {result.loss:.4g} in {result.evaluations} evaluations", highlight=False)
    for k, v in result.values.items():
        _out.print(f"  {k} = {v:g}", highlight=False)
    for k, why in result.skipped.items():
        _out.print(f"  [yellow]skipped[/] {k}: {why}", highlight=False)
    _out.print(f"[green]wrote[/] {path}")
    _out.print(f"[dim]{DISCLAIMER}[/]")
