"""``painloop validate``: run every shipped target as a population check; write validation.csv and a report."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

import typer
from rich.console import Console

from .. import DISCLAIMER

_err = Console(stderr=True)
_out = Console()


def _fail(message: str) -> None:
    _err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(2)


def validate_command(
        out_dir: Path = typer.Option(..., "--out", "-o", help="Output directory (validation.csv, credibility.html)."),
        patients: int = typer.Option(200, "--patients", "-n", min=5, max=100_000, help="Patients per population."),
        seed: int = typer.Option(7, "--seed", min=0, help="Random seed of the populations (not the calibration seed)."),
        which: str = typer.Option("all", "--targets", help="Which target set: all, calibration or validation."),
        trials: bool = typer.Option(False, "--trials/--no-trials", help="Also run the trial checks (NNT, NNH, "
                                    "placebo responders): a full virtual trial, minutes."),
        trial_patients: int = typer.Option(100, "--trial-patients", min=20, max=10_000, help="Patients per trial arm."),
        diabetes_years: float = typer.Option(2.0, "--diabetes-years", min=0.5, max=10.0,
                                             help="Years of diabetes simulated before the look (max 10; earlier years enter as the damage they produced, in closed form)."),
        only: Optional[list[str]] = typer.Option(None, "--only", help="Only this target id (repeatable)."),
        bootstrap: int = typer.Option(200, "--bootstrap", min=0, max=10_000,
                                      help="Bootstrap resamples of the patients for each simulated value's 95 % "
                                           "interval (0: none).")) -> None:
    """Check the model against the shipped calibration and validation targets; write validation.csv and a report."""
    from ..population import _fitted
    from .report import render_credibility_report
    from .run import counts_text, summary_counts, validate
    from .targets import load_targets

    if which not in ("all", "calibration", "validation"):
        _fail(f"--targets must be all, calibration or validation, got {which!r}")
    if out_dir.exists() and not out_dir.is_dir():
        _fail(f"--out {out_dir} exists and is not a directory; give a directory path")
    known = {t.target_id for t in load_targets(which)}
    unknown = sorted(set(only or []) - known)
    if unknown:
        _fail(f"--only: unknown target id(s) {unknown}; known: {', '.join(sorted(known))}")
    table = validate(patients, seed, which=which, trials=trials, trial_n=trial_patients, diabetes_years=diabetes_years,
                     only=only, bootstrap=bootstrap, progress=lambda m: _err.print(f"[dim]{m}[/]", highlight=False))
    doc = _fitted.load()
    fit_text = _fitted.provenance_text(doc) if doc else "declared values (no painloop calibrate fit shipped)"
    settings = {"patients per population": patients, "seed": seed, "targets": which, "trial checks": trials,
                "patients per trial arm": trial_patients if trials else "-", "longest diabetes duration (years)":
                diabetes_years, "bootstrap resamples": bootstrap}
    writers: dict[str, Callable[[Path], None]] = {
        "validation.csv": lambda p: table.to_csv(p, index=False),
        "credibility.html": lambda p: p.write_text(render_credibility_report(table, settings, fit_text),
                                                   encoding="utf-8"),
    }
    from ..io import write_files

    written = write_files(out_dir, writers)
    for role, c in summary_counts(table).items():
        _out.print(f"{role}: {counts_text(c)}", highlight=False)
    _out.print(f"[green]wrote[/] {', '.join(str(p) for p in written)}")
    _out.print(f"[dim]{DISCLAIMER}[/]")
