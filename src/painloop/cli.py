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
    json = "json"
    markdown = "markdown"


FORMAT_HELP = ("Output format: table (wrapped to the terminal; one complete line per row when piped), csv, json or "
               "markdown.")


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


class FigureFormat(str, Enum):
    png = "png"
    svg = "svg"


def _parse_sets(sets: list[str] | None) -> dict[str, float]:
    """``NAME=VALUE`` pairs of ``--set`` as parameter overrides (names checked against the declared parameters)."""
    from .model import system

    values: dict[str, float] = {}
    for item in sets or []:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            _fail(f"--set {item!r}: write NAME=VALUE, e.g. --set k_csens_on=0.0005 (names: `painloop params`)")
        if name not in system.PARAM_NAMES:
            import difflib

            close = difflib.get_close_matches(name, system.PARAM_NAMES, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            _fail(f"--set {item!r}: unknown parameter {name!r}{hint} (see `painloop params`)")
        try:
            values[name] = float(text)
        except ValueError:
            _fail(f"--set {item!r}: the value {text.strip()!r} of {name} is not a number")
    return values


def _split_vars(items: list[str] | None) -> list[str]:
    return [v.strip() for item in items or [] for v in item.split(",") if v.strip()]


@app.command()
def run(scenario_file: Optional[Path] = typer.Argument(None, help="Scenario YAML file (default: the built-in "
                                                       "'default' scenario).", show_default=False),
        scenario: Optional[str] = typer.Option(None, "--scenario", "-s", help="Name of a built-in scenario "
                                               "(see `painloop scenarios`)."),
        out_dir: Optional[Path] = typer.Option(None, "--out", "-o", help="Output directory (default: out/<scenario>/).",
                                               show_default=False),
        csv_out: bool = typer.Option(False, "--csv", help="Also write results.csv: one row per patient and time, "
                                     "one column per variable (units in results_columns.csv; treatment variables "
                                     "that stay constant, e.g. unused drug compartments, left out)."),
        report: bool = typer.Option(True, "--report/--no-report",
                                    help="Write report.html and loops.csv (one extra batched run)."),
        treat: Optional[list[str]] = typer.Option(None, "--treat", help="Add a drug regimen or therapy, e.g. "
                                                  "'duloxetine 60 mg qd from day 14' or 'cbt from day 14 to day 84' "
                                                  "(repeatable; see `painloop treatments`)."),
        doses: Optional[Path] = typer.Option(None, "--doses", help="NONMEM-style dosing records (CSV with ID, TIME "
                                             "(h), AMT, CMT, EVID, II, ADDL[, DRUG]) to add to the scenario."),
        sets: Optional[list[str]] = typer.Option(None, "--set", help="Set a model parameter, NAME=VALUE in its "
                                                 "unit (repeatable; see `painloop params`)."),
        days: Optional[float] = typer.Option(None, "--days", min=0.01, help="Replace the reported duration, days."),
        every: Optional[float] = typer.Option(None, "--every", min=0.01, max=24.0,
                                              help="Output interval, hours (default: the scenario's)."),
        vars_: Optional[list[str]] = typer.Option(None, "--vars", help="Variables the results files hold, e.g. "
                                                  "--vars nrs,cortisol,sleep_quality (default: all; the report "
                                                  "always uses all)."),
        engine: Optional[Engine] = typer.Option(None, "--engine", help="kernel (compiled, default on a CPU) or jax "
                                                "(diffrax; a GPU with JAX_PLATFORMS=cuda); default: the scenario's "
                                                "solver.engine."),
        figures: Optional[FigureFormat] = typer.Option(None, "--figures", help="Also export every report figure "
                                                       "as fig-<name>.png or .svg.")) -> None:
    """Simulate a scenario and write results and an HTML report (default: the 'default' scenario into out/default/)."""
    from .api import _check_vars, compact
    from .io import csv_writers, write_files
    from .report import render_report
    from .scenario import ScenarioError, parse_scenario
    from .simulate import simulate

    sc = _scenario_from(scenario_file, scenario)
    data = sc.model_dump(mode="json")
    data["treatments"] = data["treatments"] + list(treat or [])
    if doses is not None:
        from .treatments.nonmem import DosingRecordError, read_dosing_records

        try:
            data["treatments"] += read_dosing_records(doses)
        except DosingRecordError as e:
            _fail(str(e))
    data["params"] = {**data["params"], **_parse_sets(sets)}
    if days is not None:
        data["duration_days"] = days
    if every is not None:
        data["output"] = {**data["output"], "every_hours": every}
    keep = _split_vars(vars_)
    try:
        _check_vars(keep)
    except ValueError as e:
        _fail(f"--vars: {e}")
    if data != sc.model_dump(mode="json"):
        try:
            sc = parse_scenario(data, "with the command-line options")
        except ScenarioError as e:
            _fail(str(e))
    out_dir = out_dir if out_dir is not None else Path("out") / sc.name
    if out_dir.exists() and not out_dir.is_dir():
        _fail(f"--out {out_dir} exists and is not a directory; give a directory path")
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
    saved = ds[[*keep, "solver_ok"]] if keep else ds
    writers = {"results.nc": lambda p: saved.to_netcdf(p, engine="netcdf4")}
    if csv_out:
        writers.update(csv_writers(compact(saved), full=saved))
    if any(hasattr(t, "drug") for t in sc.treatments):
        from .treatments.nonmem import write_dosing_records

        writers["doses.csv"] = lambda p: write_dosing_records(p, sc)
    figs = []
    if report:
        from .analysis import LOOP_GAINS, loop_strengths
        from .report.figures import named_figures

        err.print(f"[dim]loop strengths: {len(LOOP_GAINS) + 1} runs of {sc.name} in one batch…[/]", highlight=False)
        loops = loop_strengths(sc)
        figs = named_figures(ds, loops)
        err.print("[dim]writing the report…[/]", highlight=False)
        writers["report.html"] = lambda p: p.write_text(render_report(ds, loops, figures=figs), encoding="utf-8")
        writers["loops.csv"] = lambda p: loops.to_csv(p, index=False)
    if figures is not None:
        from .report.export import FigureExportError, figure_writers

        if not figs:
            from .report.figures import named_figures

            figs = named_figures(ds, None)
        try:
            writers.update(figure_writers(figs, figures.value))
        except FigureExportError as e:
            _fail(str(e), 1)
    written = write_files(out_dir, writers)
    out.print(f"[green]wrote[/] {', '.join(str(p) for p in written)}", highlight=False, soft_wrap=True)
    out.print(f"[dim]{DISCLAIMER}[/]")


@app.command()
def compare(a: str = typer.Argument(..., help="A: built-in scenario, scenario YAML file or a result folder of "
                                    "`painloop run`."),
            b: str = typer.Argument(..., help="B: the same kinds as A."),
            out_dir: Optional[Path] = typer.Option(None, "--out", "-o", help="Output directory (default: "
                                                   "out/compare-<A>-vs-<B>/)."),
            days: Optional[float] = typer.Option(None, "--days", min=0.01, help="Replace the reported duration of "
                                                 "scenarios that are simulated, days."),
            treat_b: Optional[list[str]] = typer.Option(None, "--treat-b", help="Add a treatment to B (repeatable)."),
            fmt: Format = typer.Option(Format.table, "--format", "-f", help=FORMAT_HELP)) -> None:
    """Compare two scenarios or results side by side: summary.csv and compare.html with overlaid figures."""
    from .io import write_files
    from .report.compare import load_result, render_comparison, summary_table

    def result(source: str, treat: list[str]):
        path = Path(source)
        if path.is_dir():
            if not (path / "results.nc").is_file():
                _fail(f"{source}: a folder given to compare must hold results.nc (written by `painloop run`)")
            if treat:
                _fail("--treat-b applies to a scenario, not to a result folder")
            return load_result(path), path.name
        from .api import scenario as make_scenario
        from .scenario import ScenarioError
        from .simulate import simulate

        try:
            sc = make_scenario(source, treat=treat, duration_days=days)
        except ScenarioError as e:
            _fail(str(e))
        progress = _LazyProgress(f"simulating {sc.name}")
        try:
            return simulate(sc, progress=progress), sc.name + ("+" + "+".join(t.split()[0] for t in treat) if treat else "")
        finally:
            progress.close()

    ds_a, name_a = result(a, [])
    ds_b, name_b = result(b, list(treat_b or []))
    if name_a == name_b:
        name_a, name_b = f"A {name_a}", f"B {name_b}"
    labels = (name_a, name_b)
    table = summary_table(ds_a, ds_b, labels)
    target = out_dir if out_dir is not None else Path("out") / f"compare-{name_a}-vs-{name_b}".replace(" ", "_")
    written = write_files(target, {"summary.csv": lambda p: table.to_csv(p, index=False, float_format="%.4f"),
                                   "compare.html": lambda p: p.write_text(render_comparison(ds_a, ds_b, labels),
                                                                          encoding="utf-8")})
    _emit(table.round(3).to_dict("records"), list(table.columns), fmt, f"{name_a} vs {name_b}")
    err.print(f"wrote {', '.join(str(p) for p in written)}", highlight=False, soft_wrap=True)
    err.print(f"[dim]{DISCLAIMER}[/]")


@app.command()
def scenarios(fmt: Format = typer.Option(Format.table, "--format", "-f", help=FORMAT_HELP)) -> None:
    """List the built-in scenarios."""
    from .scenario import builtin, builtin_names

    rows = [{"name": n, "duration_days": builtin(n).duration_days, "description": builtin(n).description}
            for n in builtin_names()]
    _emit(rows, ["name", "duration_days", "description"], fmt, "built-in scenarios")


def _emit(rows: list[dict], columns: list[str], fmt: Format, title: str) -> None:
    """Print ``rows``: never truncated (wrapped in a terminal, one complete line per row when piped)."""
    if fmt is Format.csv:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        sys.stdout.write(buf.getvalue())
    elif fmt is Format.json:
        import json

        sys.stdout.write(json.dumps([{c: r.get(c) for c in columns} for r in rows], indent=1, default=str) + "\n")
    elif fmt is Format.markdown:
        lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        lines += ["| " + " | ".join(str(r[c]).replace("|", "\\|") for c in columns) + " |" for r in rows]
        sys.stdout.write("\n".join(lines) + "\n")
    else:
        cells = [[f"{r[c]:.6g}" if isinstance(r[c], float) else str(r[c]) for c in columns] for r in rows]
        if not sys.stdout.isatty():
            widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
            line = lambda vals: "  ".join(v.ljust(w) for v, w in zip(vals, widths)).rstrip()  # noqa: E731
            sys.stdout.write("\n".join([title, line(columns), *(line(row) for row in cells)]) + "\n")
            return
        table = Table(title=title)
        for c in columns:
            table.add_column(c, overflow="fold")
        for row in cells:
            table.add_row(*row)
        out.print(table)


def _loop_gains() -> tuple[str, ...]:
    """The loop gain parameters (one extra patient each in the report's loop-strength batch)."""
    from .analysis.loops import LOOP_GAINS

    return LOOP_GAINS


def _scenario_from(scenario_file: Optional[Path], scenario: Optional[str]):
    from .scenario import ScenarioError, builtin, load_scenario

    if scenario_file is not None and scenario is not None:
        _fail("give either a scenario file or --scenario NAME (see `painloop scenarios`), not both")
    if scenario_file is None and scenario is None:
        scenario = "default"
    try:
        return load_scenario(scenario_file) if scenario_file is not None else builtin(scenario)
    except ScenarioError as e:
        _fail(str(e))


@app.command()
def loops(scenario_file: Optional[Path] = typer.Argument(None, help="Scenario YAML file.", show_default=False),
          scenario: Optional[str] = typer.Option(None, "--scenario", "-s", help="Name of a built-in scenario."),
          fmt: Format = typer.Option(Format.table, "--format", "-f", help=FORMAT_HELP)) -> None:
    """How much pain each direction of each feedback loop carries (cut one at a time)."""
    from .analysis import LOOP_GAINS, loop_strengths

    sc = _scenario_from(scenario_file, scenario)
    err.print(f"[dim]loop strengths of {sc.name}: {len(LOOP_GAINS) + 1} runs in one batch "
              f"({sc.history_days + sc.duration_days:g} days each)…[/]", highlight=False)
    frame = loop_strengths(sc).round(4)
    _emit(frame.to_dict("records"), list(frame.columns), fmt, "loop strengths (last 4 weeks)")


@app.command()
def causes(fmt: Format = typer.Option(Format.table, "--format", "-f", help=FORMAT_HELP)) -> None:
    """List the causes of neuropathy that scenarios can use, with their parameters (one row per parameter)."""
    from .causes import CAUSES

    rows = []
    for cause in CAUSES.values():
        base = {"cause": cause.name, "title": cause.title, "summary": cause.summary}
        if not cause.params:
            rows.append({**base, "parameter": "", "value": "", "unit": "", "source": ""})
        for p in cause.params:
            rows.append({**base, "parameter": p.name, "value": p.value, "unit": p.unit, "source": p.source})
    _emit(rows, ["cause", "title", "summary", "parameter", "value", "unit", "source"], fmt, "causes")


@app.command()
def treatments(fmt: Format = typer.Option(Format.table, "--format", "-f", help=FORMAT_HELP)) -> None:
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
def params(fmt: Format = typer.Option(Format.table, "--format", "-f", help=FORMAT_HELP)) -> None:
    """Every model parameter with its value, unit, source and plausible range (lower, upper, scale, range source)."""
    from .io import param_rows

    _emit(param_rows(), ["name", "subsystem", "value", "unit", "source", "lower", "upper", "scale", "range_source"],
          fmt, "painloop parameters")


@app.command()
def states(fmt: Format = typer.Option(Format.table, "--format", "-f", help=FORMAT_HELP)) -> None:
    """Every state variable with its unit, initial value, the bounds it keeps and its meaning."""
    from .io import state_rows

    _emit(state_rows(), ["name", "subsystem", "unit", "initial", "lower", "upper", "meaning"], fmt, "painloop states")


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
                out_path: Optional[Path] = typer.Option(None, "--out", "-o", help="SBML file to write (default: "
                                                        "out/<scenario>.xml).", show_default=False)) -> None:
    """Write the model with the scenario's inputs as SBML Level 3 Version 2 (time unit: hour)."""
    from .export import validate_sbml, write_sbml
    from .io import claim_output, write_file

    sc = _export_scenario(scenario_file, scenario)
    out_path = out_path if out_path is not None else Path("out") / f"{sc.name}.xml"
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
                    out_path: Optional[Path] = typer.Option(None, "--out", "-o", help="Antimony file to write "
                                                            "(default: out/<scenario>.ant).", show_default=False)) -> None:
    """Write the model with the scenario's inputs as Antimony text (converted from the SBML export)."""
    from .export import write_antimony
    from .io import claim_output, write_file

    sc = _export_scenario(scenario_file, scenario)
    out_path = out_path if out_path is not None else Path("out") / f"{sc.name}.ant"
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
