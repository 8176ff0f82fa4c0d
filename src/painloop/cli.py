"""The command line: parses arguments and calls the library (no model logic here)."""

from __future__ import annotations

import csv
import io
import sys
import time
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import DISCLAIMER, __version__

app = typer.Typer(help=f"painloop: whole-system simulator of neuropathic pain. {DISCLAIMER}",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
err = Console(stderr=True)
out = Console()


class Engine(str, Enum):
    kernel = "kernel"
    jax = "jax"


class Format(str, Enum):
    table = "table"
    csv = "csv"
    markdown = "markdown"


def _fail(message: str, code: int = 2) -> None:
    from rich.markup import escape

    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        out.print(f"painloop {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit."),
          debug: bool = typer.Option(False, "--debug", help="Show the Python traceback of an internal error.")) -> None:
    """painloop command line."""


class _LazyProgress:
    """A rich progress bar that appears only if the run lasts longer than a second."""

    def __init__(self, label: str) -> None:
        self.label, self.start, self.bar, self.task = label, time.perf_counter(), None, None

    def __call__(self, fraction: float) -> None:
        if self.bar is None and time.perf_counter() - self.start > 1.0:
            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                                TimeElapsedColumn(), console=err, transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=1.0)
        if self.bar is not None:
            self.bar.update(self.task, completed=fraction)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


@app.command()
def run(scenario_file: Optional[Path] = typer.Argument(None, help="Scenario YAML file.", show_default=False),
        scenario: Optional[str] = typer.Option(None, "--scenario", "-s", help="Name of a built-in scenario."),
        out_dir: Path = typer.Option(..., "--out", "-o", help="Output directory (results.nc, report.html)."),
        csv_out: bool = typer.Option(False, "--csv", help="Also write a tidy results.csv."),
        report: bool = typer.Option(True, "--report/--no-report",
                                    help="Write report.html and loops.csv (one extra batched run)."),
        treat: Optional[list[str]] = typer.Option(None, "--treat", help="Add a treatment, e.g. "
                                                  "'duloxetine 60 mg qd from day 14' (repeatable; see `painloop treatments`)."),
        engine: Optional[Engine] = typer.Option(None, "--engine", help="kernel (compiled, default on a CPU) or jax "
                                                "(diffrax; a GPU with JAX_PLATFORMS=cuda); default: the scenario's "
                                                "solver.engine.")) -> None:
    """Simulate a scenario and write results and an HTML report."""
    from .io import write_results
    from .report import write_report
    from .simulate import simulate

    sc = _scenario_from(scenario_file, scenario)
    if treat:
        from .scenario import ScenarioError, parse_scenario

        data = sc.model_dump(mode="json")
        data["treatments"] = data["treatments"] + list(treat)
        try:
            sc = parse_scenario(data, "with --treat")
        except ScenarioError as e:
            _fail(str(e))
    from .io import claim_output
    from .limits import check_scenario_fits

    check_scenario_fits(sc, 1 + (len(_loop_gains()) if report else 0), csv=csv_out)
    claim_output(out_dir)
    progress = _LazyProgress(f"simulating {sc.name}")
    try:
        ds = simulate(sc, progress=progress, engine=engine.value if engine else None)
    finally:
        progress.close()
    if not bool(ds["solver_ok"].all()):
        _fail("the solver did not reach the end of the simulation (try a looser tolerance or a shorter duration)", 1)
    extra = {}
    if report:
        from .analysis import loop_strengths

        loops = loop_strengths(sc)
        extra = {"report.html": lambda p: write_report(p, ds, loops), "loops.csv": lambda p: loops.to_csv(p, index=False)}
    written = write_results(out_dir, ds, csv=csv_out, extra=extra)
    out.print(f"[green]wrote[/] {', '.join(str(p) for p in written)}")
    out.print(f"[dim]{DISCLAIMER}[/]")


@app.command()
def scenarios() -> None:
    """List the built-in scenarios."""
    from .scenario import builtin, builtin_names

    table = Table("name", "description")
    for name in builtin_names():
        table.add_row(name, builtin(name).description)
    out.print(table)


def _emit(rows: list[dict], columns: list[str], fmt: Format, title: str) -> None:
    if fmt is Format.csv:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        sys.stdout.write(buf.getvalue())
    elif fmt is Format.markdown:
        lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        lines += ["| " + " | ".join(str(r[c]).replace("|", "\\|") for c in columns) + " |" for r in rows]
        sys.stdout.write("\n".join(lines) + "\n")
    else:
        table = Table(*columns, title=title)
        for r in rows:
            table.add_row(*(f"{r[c]:.6g}" if isinstance(r[c], float) else str(r[c]) for c in columns))
        out.print(table)


def _loop_gains() -> tuple[str, ...]:
    """The loop gain parameters (one extra patient each in the report's loop-strength batch)."""
    from .analysis.loops import LOOP_GAINS

    return LOOP_GAINS


def _scenario_from(scenario_file: Optional[Path], scenario: Optional[str]):
    from .scenario import ScenarioError, builtin, load_scenario

    if (scenario_file is None) == (scenario is None):
        _fail("give either a scenario file or --scenario NAME (see `painloop scenarios`), not both or neither")
    try:
        return load_scenario(scenario_file) if scenario_file is not None else builtin(scenario)
    except ScenarioError as e:
        _fail(str(e))


@app.command()
def loops(scenario_file: Optional[Path] = typer.Argument(None, help="Scenario YAML file.", show_default=False),
          scenario: Optional[str] = typer.Option(None, "--scenario", "-s", help="Name of a built-in scenario."),
          fmt: Format = typer.Option(Format.table, "--format", "-f", help="Output format.")) -> None:
    """How much pain each direction of each feedback loop carries (cut one at a time)."""
    from .analysis import loop_strengths

    frame = loop_strengths(_scenario_from(scenario_file, scenario)).round(4)
    _emit(frame.to_dict("records"), list(frame.columns), fmt, "loop strengths (last 4 weeks)")


@app.command()
def causes() -> None:
    """List the causes of neuropathy that scenarios can use, with their parameters."""
    from .causes import CAUSES

    for cause in CAUSES.values():
        if not cause.params:
            out.print(f"{cause.name}: {cause.title} ({cause.summary}); no parameters")
            continue
        table = Table(title=f"{cause.name}: {cause.title} ({cause.summary})", title_justify="left")
        table.add_column("parameter", min_width=max(len(p.name) for p in cause.params), no_wrap=True)
        for column in ("value", "unit", "source"):
            table.add_column(column)
        for p in cause.params:
            table.add_row(p.name, f"{p.value:.6g}", p.unit, p.source)
        out.print(table)


@app.command()
def treatments(fmt: Format = typer.Option(Format.table, "--format", "-f", help="Output format.")) -> None:
    """List the drugs and non-drug therapies that scenarios can use: mechanism, PK parameters and sources."""
    from .model import system
    from .treatments import DRUGS, THERAPIES

    values = {p.name: p for p in system.PARAMS}
    rows = []
    for d in DRUGS.values():
        pk = [f"{k}={values[k].value:.4g} {values[k].unit}" for k in
              (f"{d.name}_F", f"{d.name}_half_life", f"{d.name}_V", f"{d.name}_ka", f"{d.name}_k_abs",
               f"{d.name}_vmax", f"{d.name}_km") if k in values]
        if d.wear_hours:
            pk.append(f"worn {d.wear_hours:g} h")
        rows.append({"name": d.name, "kind": d.drug_class, "mechanism": d.mechanism, "side effects": d.side_effects,
                     "dose unit": d.dose_unit, "PK": ", ".join(pk), "source": d.source})
    for t in THERAPIES.values():
        rows.append({"name": t.name, "kind": "non-drug therapy", "mechanism": t.mechanism, "side effects": "",
                     "dose unit": "programme (start/end day)", "PK": "", "source": t.source})
    _emit(rows, ["name", "kind", "mechanism", "side effects", "dose unit", "PK", "source"], fmt, "painloop treatments")


@app.command()
def params(fmt: Format = typer.Option(Format.table, "--format", "-f", help="Output format.")) -> None:
    """Every model parameter with its value, unit and source."""
    from .io import param_rows

    _emit(param_rows(), ["name", "subsystem", "value", "unit", "source"], fmt, "painloop parameters")


@app.command()
def states(fmt: Format = typer.Option(Format.table, "--format", "-f", help="Output format.")) -> None:
    """Every state variable with its unit, initial value and meaning."""
    from .io import state_rows

    _emit(state_rows(), ["name", "subsystem", "unit", "initial", "meaning"], fmt, "painloop states")


from .twin.cli import twin_app  # noqa: E402

app.add_typer(twin_app, name="twin")

export_app = typer.Typer(help="Export the model for other engines (generated from the same declarations as the solver).",
                         no_args_is_help=True)
app.add_typer(export_app, name="export")


def _export_scenario(scenario_file: Optional[Path], scenario: Optional[str]):
    """The scenario to export: a file, a built-in name, or the built-in 'default' when neither is given."""
    if scenario_file is None and scenario is None:
        scenario = "default"
    return _scenario_from(scenario_file, scenario)


@export_app.command("sbml")
def export_sbml(scenario_file: Optional[Path] = typer.Argument(None, help="Scenario YAML file.", show_default=False),
                scenario: Optional[str] = typer.Option(None, "--scenario", "-s",
                                                       help="Name of a built-in scenario (default: default)."),
                out_path: Path = typer.Option(..., "--out", "-o", help="SBML file to write (e.g. model.xml).")) -> None:
    """Write the model with the scenario's inputs as SBML Level 3 Version 2 (time unit: hour)."""
    from .export import validate_sbml, write_sbml
    from .io import claim_output, write_file

    sc = _export_scenario(scenario_file, scenario)
    claim_output(out_path, kind="file")
    path = write_file(out_path, lambda p: write_sbml(p, sc))
    messages = validate_sbml(path.read_text(encoding="utf-8"))
    errors = [m for m in messages if m[0] in ("Error", "Fatal")]
    for severity, code, message in errors:
        err.print(f"{severity} {code}: {message}", highlight=False)
    out.print(f"wrote {path} (SBML L3V2; libsbml: {len(errors)} errors, {len(messages) - len(errors)} warnings)",
              highlight=False)
    if errors:
        raise typer.Exit(1)


@export_app.command("antimony")
def export_antimony(scenario_file: Optional[Path] = typer.Argument(None, help="Scenario YAML file.", show_default=False),
                    scenario: Optional[str] = typer.Option(None, "--scenario", "-s",
                                                           help="Name of a built-in scenario (default: default)."),
                    out_path: Path = typer.Option(..., "--out", "-o", help="Antimony file to write (e.g. model.ant).")) -> None:
    """Write the model with the scenario's inputs as Antimony text (converted from the SBML export)."""
    from .export import write_antimony
    from .io import claim_output, write_file

    sc = _export_scenario(scenario_file, scenario)
    claim_output(out_path, kind="file")
    path = write_file(out_path, lambda p: write_antimony(p, sc))
    out.print(f"wrote {path} (Antimony)", highlight=False)


from .trials.cli import trial as _trial  # noqa: E402

app.command("trial")(_trial)

from .sweep.cli import sweep as _sweep  # noqa: E402
from .analysis.cli import sensitivity as _sensitivity  # noqa: E402

app.command("sweep")(_sweep)
app.command("sensitivity")(_sensitivity)

from .population.cli import population as _population  # noqa: E402

app.command("population")(_population)

from .validation.cli import validate_command as _validate  # noqa: E402

app.command("validate")(_validate)

from .calibration.cli import calibrate_command as _calibrate  # noqa: E402

app.command("calibrate")(_calibrate)


@app.command("app")
def web_app(port: int = typer.Option(8501, "--port", min=1, max=65535,
                                     help="TCP port of the app on 127.0.0.1.")) -> None:
    """Open the interactive web app (Streamlit) at http://127.0.0.1:PORT; Ctrl-C stops it."""
    from .app.launch import launch

    raise typer.Exit(launch(port))


def _report(e: Exception, debug: bool) -> int:
    """Print one error the user's way (see :func:`main`); returns the exit status."""
    from rich.markup import escape

    from .errors import EXIT_INPUT, EXIT_INTERNAL, is_input_error, user_message

    if callable(getattr(e, "show", None)) and isinstance(getattr(e, "exit_code", None), int):
        e.show()  # a usage error of the command line parser (unknown option, value out of range, …)
        return e.exit_code
    if debug:
        err.print_exception(show_locals=False)
    if is_input_error(e):
        err.print(f"[bold red]error:[/] {escape(user_message(e))}", highlight=False)
        return EXIT_INPUT
    err.print(f"[bold red]{escape(user_message(e))}[/]" + ("" if debug else " (run with --debug for the traceback)"),
              highlight=False)
    return EXIT_INTERNAL


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``painloop`` command: every error leaves through here (exits 0, 1 or 2).

    Bad input (:class:`painloop.errors.PainloopInputError` and its kinds) is
    printed as one short message naming the field, row or file, exit 2; any
    other exception is an internal error: a short message, exit 1, and the
    traceback with ``--debug``.
    """
    import click

    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    args = [a for a in args if a != "--debug"]  # accepted anywhere on the line
    try:
        code = app(args=args, prog_name="painloop", standalone_mode=False)
    except (typer.Exit, click.exceptions.Exit) as e:
        code = e.exit_code
    except (typer.Abort, click.exceptions.Abort):
        err.print("aborted", highlight=False)
        code = 130
    except Exception as e:  # noqa: BLE001 - usage errors (typer's or click's own ClickException) and all others
        code = _report(e, debug)
    except KeyboardInterrupt:
        err.print("interrupted", highlight=False)
        code = 130
    finally:
        from .io import release_all

        release_all()  # locks of a command that stopped early (in-process callers: tests, notebooks)
    raise SystemExit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
