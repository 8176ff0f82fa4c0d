"""``painloop trial``: run a virtual randomised trial and write its endpoints and report (atomically)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Callable, Optional

import typer
from rich.console import Console

from .. import DISCLAIMER

_err = Console(stderr=True)
_out = Console()


def _csv_value(v):
    if v is None:
        return ""
    if isinstance(v, float) and math.isinf(v):
        return "inf"
    if isinstance(v, float) and math.isfinite(v):
        return float(f"{v:.10g}")  # 1/0.025 = 39.999999999999986 → 40
    return v


def trial(design_file: Optional[Path] = typer.Argument(None, help="Trial design YAML file.", show_default=False),
          design: Optional[str] = typer.Option(None, "--design", "-d", help="Built-in design: finnerup, cbt or tens."),
          out_dir: Optional[Path] = typer.Option(None, "--out", "-o", help="Output directory (endpoints.csv, "
                                                 "report.html, …; default: out/trial-<design name>/).", show_default=False),
          seed: Optional[int] = typer.Option(None, "--seed", min=0, help="Replace the design's random seed."),
          placebo_seeds: int = typer.Option(0, "--placebo-seeds", min=0, max=50,
                                            help="Also take the placebo arm apart over this many seeds (≥ 5; seeds "
                                                 "101, 102, …, never the calibration seed 2015): placebo_seeds.csv, "
                                                 "placebo_summary.csv")) -> None:

    """Run a virtual randomised controlled trial: endpoints.csv (NNT/NNH vs placebo), smd.csv, report.html."""
    from ._design import TrialDesignError, builtin_design, load_design, parse_design

    def fail(message: str, code: int = 2) -> None:
        from rich.markup import escape

        _err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
        raise typer.Exit(code)

    if (design_file is None) == (design is None):
        fail("give either a design file or --design NAME (finnerup, cbt, tens), not both or neither")
    try:
        d = load_design(design_file) if design_file is not None else builtin_design(design)
        if seed is not None:
            d = parse_design({**d.model_dump(mode="json"), "seed": seed}, "with --seed")
    except TrialDesignError as e:
        fail(str(e))
    out_dir = out_dir if out_dir is not None else Path("out") / f"trial-{d.name}"
    if out_dir.exists() and not out_dir.is_dir():
        fail(f"--out {out_dir} exists and is not a directory; give a directory path")
    from ..io import claim_output, write_files

    claim_output(out_dir)
    from ._run import check_trial_fits, run_trial
    from .endpoints import endpoint_table, failed_patients, smd_table
    from .report import comparison_table, render_trial_report

    if placebo_seeds and not any(a.placebo for a in d.arms):
        fail("--placebo-seeds needs a design with a placebo arm ('placebo: true')")
    if 0 < placebo_seeds < 5:
        fail(f"--placebo-seeds must be 0 or at least 5, got {placebo_seeds}")
    say = lambda m: _err.print(f"[dim]{m}[/]", highlight=False)  # noqa: E731
    check_trial_fits(d)
    try:
        result = run_trial(d, progress=say)
        parts = None
        if d.blinded and any(a.placebo for a in d.arms):
            from .placebo import components
            parts = components(d, result=result)
        per_seed = summary = None
        if placebo_seeds:
            from .placebo import placebo_report
            per_seed, summary = placebo_report(d, seeds=[101 + k for k in range(placebo_seeds)], progress=say)
    except TrialDesignError as e:
        fail(str(e))
    endpoints = endpoint_table(result)
    smd = smd_table(result)
    comparison = comparison_table(result, endpoints) if d.published else None
    writers: dict[str, Callable[[Path], None]] = {
        "endpoints.csv": lambda p: endpoints.map(_csv_value).to_csv(p, index=False),
        "smd.csv": lambda p: smd.to_csv(p, index=False),
        "patients.csv": lambda p: result.patients.to_csv(p, index=False),
        "report.html": lambda p: p.write_text(render_trial_report(result, endpoints, smd, comparison), encoding="utf-8"),
    }
    if parts is not None:
        import pandas as pd
        writers["placebo_components.csv"] = lambda p: pd.DataFrame([{"seed": d.seed, **parts}]).to_csv(p, index=False)
    if per_seed is not None:
        writers["placebo_seeds.csv"] = lambda p: per_seed.to_csv(p, index=False)
        writers["placebo_summary.csv"] = lambda p: summary.to_csv(p, index=False)
    if comparison is not None:
        writers["comparison.csv"] = lambda p: comparison.map(_csv_value).to_csv(p, index=False)
    failed = failed_patients(result)
    if len(failed):
        writers["failed_patients.csv"] = lambda p: failed.to_csv(p, index=False)
        shown = ", ".join(f"{a}:{i}" for a, i in failed.head(10).itertuples(index=False))
        _err.print(f"[yellow]{len(failed)} randomised patient(s) excluded from the endpoints: their simulation did not "
                   f"complete ({shown}{', …' if len(failed) > 10 else ''}; see failed_patients.csv)[/]", highlight=False)
    written = write_files(out_dir, writers)
    _out.print(endpoints.map(_csv_value).to_string(index=False))
    if parts is not None:
        _out.print(f"placebo change {parts['observed_change']:+.2f} NRS = natural course {parts['natural_course']:+.2f} "
                   f"+ regression to the mean {parts['regression_to_mean']:+.2f} + expectation "
                   f"{parts['expectation']:+.2f} (rounding {parts['residual']:+.2f})", highlight=False)
    _out.print(f"[green]wrote[/] {', '.join(str(p) for p in written)}")
    _out.print(f"[dim]{DISCLAIMER}[/]")
