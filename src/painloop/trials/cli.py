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
          seed: Optional[int] = typer.Option(None, "--seed", min=0, help="Replace the design's random seed.")) -> None:
    """Run a virtual randomised controlled trial: endpoints.csv (NNT/NNH vs placebo), smd.csv, report.html."""
    from ._design import TrialDesignError, builtin_design, load_design, parse_design

    def fail(message: str, code: int = 2) -> None:
        _err.print(f"[bold red]error:[/] {message}", highlight=False)
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
    from ..io import write_files
    from ._run import run_trial
    from .endpoints import endpoint_table, smd_table
    from .report import comparison_table, render_trial_report

    try:
        result = run_trial(d, progress=lambda m: _err.print(f"[dim]{m}[/]", highlight=False))
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
    if comparison is not None:
        writers["comparison.csv"] = lambda p: comparison.map(_csv_value).to_csv(p, index=False)
    written = write_files(out_dir, writers)
    _out.print(endpoints.map(_csv_value).to_string(index=False))
    _out.print(f"[green]wrote[/] {', '.join(str(p) for p in written)}")
    _out.print(f"[dim]{DISCLAIMER}[/]")
