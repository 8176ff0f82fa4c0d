"""The self-contained HTML report of a simulation."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import xarray as xr

from .. import DISCLAIMER, __version__
from ..io import param_rows
from .figures import daily, exposure_table, has_treatments, named_figures

_CSS = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:auto;padding:1em;color:#222}
.disclaimer{background:#fff3cd;border:1px solid #e0c36c;padding:.8em;border-radius:6px}
table{border-collapse:collapse;font-size:.85em}td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top}
th{background:#f3f3f3}pre{background:#f6f6f6;padding:.8em;overflow-x:auto}
.summary td:first-child{font-weight:600}
table{max-width:100%}td{overflow-wrap:anywhere}
"""


def _summary(ds: xr.Dataset) -> str:
    rows = []
    for var, label in (("nrs", "pain NRS"), ("sleep_quality", "sleep quality (0-10)"), ("depression", "depression (0-1)"),
                       ("anxiety", "anxiety (0-1)"), ("sens_central", "central sensitization (0-1)"),
                       ("function", "function (0-100)"), ("orthostatic_bp_drop", "orthostatic BP fall (mmHg)"),
                       ("falls_risk", "falls risk within a year"), ("participation", "participation (0-1)"),
                       ("qol_utility", "quality of life (EQ-5D-like utility)")):
        d = daily(ds, var)
        rows.append(f"<tr><td>{label}</td><td>{float(d.values[:7].mean()):.2f}</td>"
                    f"<td>{float(d.values[-7:].mean()):.2f}</td></tr>")
    return ("<table class='summary'><tr><th>measure (daily mean)</th><th>first week</th><th>last week</th></tr>"
            + "".join(rows) + "</table>")


def _param_table() -> str:
    head = "<tr><th>name</th><th>subsystem</th><th>value</th><th>unit</th><th>source</th></tr>"
    body = "".join(
        f"<tr><td>{html.escape(r['name'])}</td><td>{html.escape(str(r['subsystem']))}</td><td>{r['value']:.6g}</td>"
        f"<td>{html.escape(str(r['unit']))}</td><td>{html.escape(str(r['source']))}</td></tr>" for r in param_rows())
    return f"<table id='parameters'>{head}{body}</table>"


def _exposure(ds: xr.Dataset) -> str:
    if not has_treatments(ds):
        return ""
    table = exposure_table(ds)
    if table.empty:
        return ""
    step_h = 24.0 * float(ds["time"].values[1] - ds["time"].values[0]) if ds.sizes["time"] > 1 else float("nan")
    return ("<h2>Drug exposure</h2><p>Plasma concentrations over the last 24 h of dosing, sampled every "
            f"{step_h:.3g} h (a coarse sampling underestimates Cmax); simulated, not measured.</p>"
            + table.to_html(index=False, float_format=lambda x: f"{x:.3g}", table_id="exposure", border=0))


def report_title(ds: xr.Dataset) -> str:
    """The report's title: the scenario and, when given, its treatments."""
    title = ds.attrs.get("title", "painloop simulation")
    treatments = ds.attrs.get("treatments", "")
    return f"{title} — treated with {treatments}" if treatments else f"{title} (untreated)"


def render_report(ds: xr.Dataset, loops: pd.DataFrame | None = None, *, figures: list | None = None) -> str:
    """HTML text of the report (plotly.js inlined once, so the file works offline).

    ``loops`` (from :func:`painloop.analysis.loop_strengths`) adds the loop-strength panel; ``figures``
    (from :func:`painloop.report.figures.named_figures`) reuses figures already built.
    """
    figs = [f for _, f in (figures if figures is not None else named_figures(ds, loops))]
    plots = [f.to_html(full_html=False, include_plotlyjs="inline" if i == 0 else False) for i, f in enumerate(figs)]
    title = html.escape(report_title(ds))
    notice = f"<p class='disclaimer'><b>Research and education only.</b> {html.escape(DISCLAIMER)}</p>"
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>{_CSS}</style></head><body>
<h1>{title}</h1>{notice}
<p>painloop {__version__}; solver {html.escape(ds.attrs.get('solver', ''))}, {ds.attrs.get('solver_steps', '?')} steps.</p>
<h2>Summary</h2>{_summary(ds)}
{_exposure(ds)}
<h2>Figures</h2>{''.join(f'<div class="figure">{p}</div>' for p in plots)}
<h2>Scenario</h2><pre id="scenario">{html.escape(ds.attrs.get('scenario_yaml', ''))}</pre>
<h2>Parameters</h2><p>Every parameter with its unit and source ("assumption:" gives the reason for a chosen value).</p>
{_param_table()}
{notice}</body></html>"""


def write_report(path: Path, ds: xr.Dataset, loops: pd.DataFrame | None = None) -> None:
    """Write the report for ``ds`` (and optional loop strengths) to ``path``."""
    Path(path).write_text(render_report(ds, loops), encoding="utf-8")
