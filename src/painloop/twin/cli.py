"""``painloop twin``: fit a personal model to a pain diary, then ask what-if questions (thin layer over the library)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .. import DISCLAIMER

twin_app = typer.Typer(help="Digital twin: fit a personal model to a pain diary (CSV or FHIR JSON), forecast and "
                            f"ask what-if. {DISCLAIMER}", no_args_is_help=True)
err = Console(stderr=True)
out = Console()


def _fail(message: str, code: int = 2) -> None:
    from rich.markup import escape

    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


def _bar(label: str) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                    TimeElapsedColumn(), console=err, transient=True)


class _StageBar:
    """Shows (fraction, stage) progress: a bar in a terminal, otherwise one line per new stage on stderr.

    The lines (``  0% reading the diary``) keep logs of piped or scheduled runs readable.
    """

    def __init__(self) -> None:
        self.progress: Progress | None = None
        self.task = None
        self.stage = ""

    def __enter__(self) -> "_StageBar":
        if err.is_terminal:
            self.progress = _bar("")
            self.progress.start()
            self.task = self.progress.add_task("", total=1.0)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def __call__(self, fraction: float, stage: str) -> None:
        if self.progress is not None:
            self.progress.update(self.task, completed=fraction, description=stage)
        elif stage != self.stage:
            err.print(f"{100 * fraction:3.0f}% {stage}", highlight=False, markup=False)
        self.stage = stage


def _print_comparison(cmp) -> None:
    table = Table("scenario", "mean pain, last 4 weeks", "90% band", "change vs as is", "90% band",
                  title="what-if (model forecasts; not advice)")
    for _, r in cmp.iterrows():
        table.add_row(r["scenario"], f"{r['nrs_mean']:.2f}", f"{r['nrs_lo']:.2f}-{r['nrs_hi']:.2f}",
                      f"{r['change_vs_as_is']:+.2f}", f"{r['change_lo']:+.2f} to {r['change_hi']:+.2f}")
    out.print(table)


@twin_app.command("fit")
def fit(diary: Path = typer.Argument(..., help="Diary file: CSV (see docs) or a FHIR R4 Bundle (.json)."),
        out_dir: Optional[Path] = typer.Option(None, "--out", "-o", help="Output directory (twin.nc, report.html; "
                                               "default: out/twin-<diary file name>/).", show_default=False),
        draws: int = typer.Option(64, min=8, max=1000, help="Posterior draws kept (forecast bands)."),
        weeks: int = typer.Option(8, min=1, max=52, help="Weeks of the 'as is' forecast in the report."),
        seed: int = typer.Option(0, help="Random seed of the posterior draws."),
        fmt: Optional[str] = typer.Option(None, "--format", help="csv or fhir (default: from the file name)."),
        column: Optional[list[str]] = typer.Option(None, "--column", help="Map a painloop column to the file's, "
                                                   "e.g. --column pain=\"Pain level\" (repeatable; CSV only)."),
        date_format: Optional[str] = typer.Option(None, "--date-format", help="strptime format of the date column, "
                                                  "e.g. '%d/%m/%Y %H:%M' (default: ISO 8601)."),
        pain_per_day: str = typer.Option("mean", "--pain-per-day", help="How several pain ratings of one day "
                                         "combine: mean or max.")) -> None:
    """Fit the personal model to DIARY; write DIR/twin.nc (posterior draws, fit, metadata) and DIR/report.html."""
    from .diary import AGGREGATION_RULE, DiaryError

    if fmt is not None and fmt not in ("csv", "fhir"):
        _fail(f"--format must be 'csv' or 'fhir', got {fmt!r}")
    if diary.is_dir():
        _fail(f"diary file {diary} is a directory; give the path of a CSV or FHIR JSON file")
    out_dir = out_dir if out_dir is not None else Path("out") / f"twin-{diary.stem}"
    if out_dir.exists() and not out_dir.is_dir():
        _fail(f"--out {out_dir} exists and is not a directory; give a directory path")
    if not diary.is_file():
        _fail(f"diary file not found: {diary}")
    mapping = {}
    for item in column or []:
        ours, sep, theirs = item.partition("=")
        if not sep or not ours.strip() or not theirs.strip():
            _fail(f"--column {item!r}: write PAINLOOP_NAME=\"File column\", e.g. --column pain=\"Pain level\"")
        mapping[ours.strip()] = theirs.strip().strip('"')
    if pain_per_day not in ("mean", "max"):
        _fail(f"--pain-per-day must be mean or max, got {pain_per_day!r}")
    from .._progress import StageProgress
    from ..io import claim_output
    from .stages import COMMAND_STAGES

    with _StageBar() as bar:
        stages = StageProgress(COMMAND_STAGES, bar)
        stages.update("reading the diary")
        from .fhir import read_diary

        try:
            frame = read_diary(diary, fmt, columns=mapping or None, date_format=date_format, aggregate=pain_per_day)
        except DiaryError as e:
            _fail(f"{diary}: {e}")
        several = int((frame["entries"] > 1).sum())
        if several:
            err.print(f"[dim]{several} day(s) had several entries: {AGGREGATION_RULE}.[/]", highlight=False)
        claim_output(out_dir)
        stages.update("loading the model")
        from .fit import fit_twin
        from .report import write_twin_report
        from .store import TwinFileError, save_twin, write_files
        from .whatif import compare, drivers, forecast

        try:
            twin = fit_twin(frame, n_draws=draws, seed=seed, source=str(diary),
                            progress=lambda fraction, stage: stages.update("fitting", fraction, label=stage))
        except DiaryError as e:
            _fail(f"{diary}: {e}")
        except RuntimeError as e:
            _fail(f"{diary}: {e}", 1)
        stages.update("forecasting")
        fc = forecast(twin, [], weeks=weeks, progress=stages.within("forecasting"))
        stages.update("what drives the pain")
        drv = drivers(twin, progress=stages.within("what drives the pain"))
        cmp = compare(fc)
        stages.update("writing the report")
        try:
            written = write_files(out_dir, {"twin.nc": lambda p: save_twin(p, twin),
                                            "report.html": lambda p: write_twin_report(p, twin, fc, cmp, drv)})
        except TwinFileError as e:
            _fail(str(e))
        stages.finish()
    post = twin["theta_map"].to_series()
    out.print("personal factors (1 = typical): " + ", ".join(f"{k} {float(v):.2f}" for k, v in
                                                            zip(post.index, np.exp(post.values))))
    out.print(f"[green]wrote[/] {', '.join(str(p) for p in written)}")
    out.print(f"[dim]{DISCLAIMER}[/]")


@twin_app.command("whatif")
def whatif(twin_dir: Path = typer.Argument(..., help="Directory written by 'painloop twin fit'."),
           change: Optional[list[str]] = typer.Option(None, "--change", "-c", help=(
               "A change to compare with 'as is' (repeatable): 'sleep +1h', 'stress -30%', 'start cbt', "
               "'start duloxetine 60 mg qd', 'stop pregabalin', 'exercise 3x/week'.")),
           weeks: int = typer.Option(8, min=1, max=52, help="Weeks to forecast."),
           out_dir: Optional[Path] = typer.Option(None, "--out", "-o",
                                                  help="Where to write whatif.csv and whatif.html (default: TWIN_DIR).")) -> None:
    """Forecast WEEKS ahead under 'as is' and each --change, with credible bands; print and write a comparison."""
    import json

    from .report import write_twin_report
    from .store import TwinFileError, load_twin, write_files
    from .whatif import ChangeError, compare, drivers, forecast, parse_change

    try:
        twin = load_twin(twin_dir)
    except TwinFileError as e:
        _fail(str(e))
    regimen = json.loads(twin.attrs.get("regimen", "[]"))
    try:
        for c in change or []:
            parse_change(c, regimen, horizon_days=7.0 * weeks)
    except ChangeError as e:
        _fail(str(e))
    from ..io import claim_output

    claim_output(twin_dir if out_dir is None else out_dir)
    with _bar("what-if") as bar:
        task = bar.add_task("forecasting", total=1.0)
        fc = forecast(twin, change or [], weeks=weeks)
        bar.update(task, completed=0.7)
        drv = drivers(twin)
        bar.update(task, completed=1.0)
    cmp = compare(fc)
    _print_comparison(cmp)
    target = twin_dir if out_dir is None else out_dir
    try:
        written = write_files(target, {
            "whatif.csv": lambda p: cmp.to_csv(p, index=False, float_format="%.4f"),
            "whatif.html": lambda p: write_twin_report(p, twin, fc, cmp, drv)}, keep_existing=True)
    except TwinFileError as e:
        _fail(str(e))
    out.print(f"[green]wrote[/] {', '.join(str(p) for p in written)}")
    out.print(f"[dim]{DISCLAIMER}[/]")
