"""The twin's report for a person: a self-contained HTML page (plotly.js inlined, works offline).

Sections: plain-language summary, diary vs fit, forecast bands, what drives
your pain, what-if comparison, personal parameters, and the disclaimer
(:data:`painloop.DISCLAIMER`). Nothing in it recommends a treatment or a
dose; what-if results describe a model, not advice.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import xarray as xr

from .. import DISCLAIMER, __version__

_CSS = """
body{font-family:system-ui,sans-serif;max-width:1000px;margin:auto;padding:1em;color:#222;line-height:1.45}
.disclaimer{background:#fff3cd;border:1px solid #e0c36c;padding:.8em;border-radius:6px}
table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #ccc;padding:3px 8px}th{background:#f3f3f3}
#clinician-summary{border:2px solid #557;border-radius:6px;padding:.2em 1em .8em;margin:1em 0}
@media print{body{max-width:none;font-size:10.5pt}.figure,.modebar,details,.no-print{display:none!important}
 #clinician-summary{border:1px solid #000;page-break-inside:avoid}h2{page-break-after:avoid}}
"""

USED_COLUMNS = {
    "pain": "your pain ratings are what the model is fitted to",
    "sleep_hours": "hours slept set the hours in bed of each night in the model",
    "stress": "your stress ratings set the life stress of each day in the model",
    "medication": "the medicines you recorded are given to the model at 08:00 on those days",
}
"""Diary columns the personal model uses, and how (plain language)."""

UNUSED_COLUMNS = {
    "sleep_quality": "sleep quality", "mood": "mood", "activity": "activity", "notes": "notes",
}
"""Diary columns that are read and checked but do not enter the personal model."""

NO_INFORMATION = 0.9
"""Posterior SD / prior SD above which the diary is said to carry no information about a factor (assumption:
the uncertainty shrank by less than 10 %, so the estimate is essentially the typical value)."""

LITTLE_INFORMATION = 0.75
"""Posterior SD / prior SD above which the diary is said to tell very little about a factor (assumption)."""
_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")


def _band(fig: go.Figure, x, lo, hi, mid, name: str, color: str) -> None:
    fig.add_trace(go.Scatter(x=list(x) + list(x)[::-1], y=list(hi) + list(lo)[::-1], fill="toself", mode="lines",
                             line=dict(width=0), fillcolor=color, opacity=0.2, hoverinfo="skip", showlegend=False,
                             name=f"{name} 90% band"))
    fig.add_trace(go.Scatter(x=list(x), y=list(mid), mode="lines", line=dict(color=color), name=name))


def fit_figure(twin: xr.Dataset) -> go.Figure:
    """Diary pain (dots) and the fitted model with its 90 % credible band."""
    x = pd.to_datetime(twin["day"].values)
    draws = twin["fit_nrs_draws"].values
    fig = go.Figure()
    _band(fig, x, np.quantile(draws, 0.05, axis=0), np.quantile(draws, 0.95, axis=0), twin["fit_nrs"].values,
          "personal model", _COLORS[0])
    fig.add_trace(go.Scatter(x=x, y=twin["pain_observed"].values, mode="markers", name="your diary",
                             marker=dict(color="#333", size=6)))
    fig.update_layout(title="Your diary and the personal model", yaxis_title="pain (0-10)", yaxis_range=[0, 10],
                      height=380, margin=dict(t=50, b=40))
    return fig


def forecast_figure(fc: xr.Dataset) -> go.Figure:
    """Forecast daily pain per scenario: posterior mean and 90 % band."""
    x = pd.to_datetime(fc["day"].values)
    fig = go.Figure()
    for i, name in enumerate(fc["scenario"].values):
        v = fc["nrs"].values[i]
        _band(fig, x, np.quantile(v, 0.05, axis=0), np.quantile(v, 0.95, axis=0), v.mean(axis=0), str(name),
              _COLORS[i % len(_COLORS)])
    fig.update_layout(title="Forecast of daily pain (model, with 90% credible bands)", yaxis_title="pain (0-10)",
                      height=420, margin=dict(t=50, b=40))
    return fig


def drivers_figure(drv: pd.DataFrame) -> go.Figure:
    """Pain carried by each pathway (NRS points) with 90 % bands."""
    d = drv.iloc[::-1]
    fig = go.Figure(go.Bar(x=d["contribution_nrs"], y=d["pathway"], orientation="h", marker_color=_COLORS[0],
                           error_x=dict(type="data", symmetric=False, array=d["hi"] - d["contribution_nrs"],
                                        arrayminus=d["contribution_nrs"] - d["lo"])))
    fig.update_layout(title="What drives your pain in the model (NRS points carried by each pathway)",
                      xaxis_title="pain points that would go if the pathway were cut", height=320, margin=dict(t=50, b=40))
    return fig


def whatif_figure(cmp: pd.DataFrame) -> go.Figure:
    """Change of mean pain vs 'as is' per what-if, with 90 % bands."""
    d = cmp[cmp["scenario"] != "as is"]
    fig = go.Figure(go.Bar(x=d["scenario"], y=d["change_vs_as_is"], marker_color=_COLORS[2],
                           error_y=dict(type="data", symmetric=False, array=d["change_hi"] - d["change_vs_as_is"],
                                        arrayminus=d["change_vs_as_is"] - d["change_lo"])))
    fig.update_layout(title="What-if: change of average pain compared with 'as is'", yaxis_title="NRS points",
                      height=360, margin=dict(t=50, b=40))
    return fig


def _summary(twin: xr.Dataset, cmp: pd.DataFrame | None, drv: pd.DataFrame | None, weeks: float | None) -> str:
    obs = twin["pain_observed"].values
    ok = np.isfinite(obs)
    err = float(np.mean(np.abs(obs[ok] - twin["fit_nrs"].values[ok])))
    days = pd.to_datetime(twin["day"].values)
    parts = [f"Your diary covers {days[0]:%d %B %Y} to {days[-1]:%d %B %Y} with pain ratings on {int(ok.sum())} "
             f"days; your average pain was {np.nanmean(obs):.1f} out of 10. The personal model follows your ratings "
             f"with a typical difference of {err:.1f} points (day-to-day ups and downs the model cannot know about "
             f"are expected)."]
    if cmp is not None and len(cmp):
        a = cmp.iloc[0]
        parts.append(f"If things stay as they are, the model expects your average pain over the last "
                     f"{min(4.0, weeks or 4.0):g} weeks of the {weeks:g}-week forecast to be about {a['nrs_mean']:.1f} "
                     f"(90% range {a['nrs_lo']:.1f} to {a['nrs_hi']:.1f}).")
        for _, r in cmp.iloc[1:].iterrows():
            direction = "lower" if r["change_vs_as_is"] < 0 else "higher"
            parts.append(f"With “{html.escape(r['scenario'])}” the model's average pain is "
                         f"{abs(r['change_vs_as_is']):.1f} points {direction} (90% range {r['change_lo']:+.1f} to "
                         f"{r['change_hi']:+.1f}).")
    if drv is not None and len(drv):
        top = drv.iloc[0]
        parts.append(f"In your personal model the largest share of pain comes from the {html.escape(top['pathway'])} "
                     f"pathway (about {top['contribution_nrs']:.1f} points).")
    parts.append("These are results of a simulation model fitted to your diary. They are uncertain, they are not a "
                 "diagnosis, and they are not advice to change any treatment or dose: talk to your clinician.")
    return "".join(f"<p>{p}</p>" for p in parts)


def information(twin: xr.Dataset) -> pd.DataFrame:
    """Per personal factor: estimate, 90 % interval, typical range and how much the diary said about it.

    ``shrinkage`` = posterior SD / prior SD of the log multiplier: near 1 the diary carried no information about
    the factor (posterior ≈ prior), near 0 the diary pinned it down.
    """
    priors = json.loads(twin.attrs.get("priors", "{}"))
    rows = []
    for i, name in enumerate(twin["param"].values):
        m = float(twin["theta_map"].values[i])
        sd = float(np.sqrt(twin["theta_cov"].values[i, i]))
        prior = float(twin["prior_sd_log"].values[i])
        ratio = sd / prior
        says = ("nothing: your diary carries no information about this factor, so the model keeps the typical value"
                if ratio > NO_INFORMATION else
                "very little: the estimate stays close to the typical value" if ratio > LITTLE_INFORMATION else
                "some" if ratio > 0.5 else "clearly")
        rows.append({"param": str(name), "label": priors.get(str(name), {}).get("label", str(name)),
                     "estimate": np.exp(m), "low": np.exp(m - 1.645 * sd), "high": np.exp(m + 1.645 * sd),
                     "typical_low": np.exp(-1.645 * prior), "typical_high": np.exp(1.645 * prior),
                     "shrinkage": ratio, "diary_says": says, "source": priors.get(str(name), {}).get("source", "")})
    return pd.DataFrame(rows)


def _param_table(twin: xr.Dataset) -> str:
    rows = [f"<tr><td>{html.escape(r.label)}</td><td>{r.estimate:.2f}</td><td>{r.low:.2f} – {r.high:.2f}</td>"
            f"<td>{r.typical_low:.2f} – {r.typical_high:.2f}</td><td>{html.escape(r.diary_says)}</td>"
            f"<td>{html.escape(r.source)}</td></tr>" for r in information(twin).itertuples()]
    return ("<table id='factors'><tr><th>personal factor (1 = typical)</th><th>best estimate</th>"
            "<th>90% range for you</th><th>typical range (before your diary)</th><th>what your diary tells</th>"
            "<th>source</th></tr>" + "".join(rows) + "</table>")


def columns_used(twin: xr.Dataset) -> tuple[list[str], list[str]]:
    """Plain sentences: which diary columns entered the personal model, and which were read but not used."""
    present = [c for c in twin.attrs.get("diary_columns", "").split(",") if c]
    used = [f"{c.replace('_', ' ')}: {why}" for c, why in USED_COLUMNS.items() if c in present]
    unused = [UNUSED_COLUMNS[c] for c in UNUSED_COLUMNS if c in present]
    return used, unused


def _columns_html(twin: xr.Dataset) -> str:
    used, unused = columns_used(twin)
    text = "<ul>" + "".join(f"<li>{html.escape(u)}</li>" for u in used) + "</ul>"
    if unused:
        text += (f"<p id='unused-columns'><b>Not used:</b> your diary also has {html.escape(', '.join(unused))}. "
                 "painloop reads and checks these columns, but the personal model does not use them yet: they do not "
                 "change any number in this report.</p>")
    return text


def _clinician_summary(twin: xr.Dataset) -> str:
    obs = twin["pain_observed"].values
    ok = np.isfinite(obs)
    days = pd.to_datetime(twin["day"].values)
    first, last = obs[:14][np.isfinite(obs[:14])], obs[-14:][np.isfinite(obs[-14:])]
    info = information(twin)
    factors = "".join(f"<li>{html.escape(r.label)}: {r.estimate:.2f} (90% range {r.low:.2f}–{r.high:.2f})"
                      f"{' — not informed by the diary' if r.shrinkage > NO_INFORMATION else ''}</li>"
                      for r in info.itertuples())
    used, unused = columns_used(twin)
    return (f"<section id='clinician-summary'><h2>Summary to bring to a clinician</h2>"
            f"<p>Diary {days[0]:%d %b %Y} – {days[-1]:%d %b %Y}: pain rated on {int(ok.sum())} of {len(obs)} days; "
            f"mean {np.nanmean(obs):.1f}/10 (first two weeks {np.mean(first):.1f}, last two weeks {np.mean(last):.1f}); "
            f"range {np.nanmin(obs):.0f}–{np.nanmax(obs):.0f}.</p>"
            f"<p>Personal model factors (1 = typical):</p><ul>{factors}</ul>"
            f"<p>Used from the diary: {html.escape(', '.join(u.split(':')[0] for u in used))}."
            f"{' Not used: ' + html.escape(', '.join(unused)) + '.' if unused else ''}</p>"
            "<p><b>A research model, not a diagnosis and not advice about any treatment or dose.</b></p></section>")


def _table(cmp: pd.DataFrame) -> str:
    rows = "".join(f"<tr><td>{html.escape(r['scenario'])}</td><td>{r['nrs_mean']:.2f} ({r['nrs_lo']:.2f}–"
                   f"{r['nrs_hi']:.2f})</td><td>{r['change_vs_as_is']:+.2f} ({r['change_lo']:+.2f} to "
                   f"{r['change_hi']:+.2f})</td></tr>" for _, r in cmp.iterrows())
    return ("<table id='whatif'><tr><th>scenario</th><th>mean pain, last 4 weeks or less (90% band)</th>"
            "<th>change vs as is (90% band)</th></tr>" + rows + "</table>")


def render_twin_report(twin: xr.Dataset, fc: xr.Dataset | None = None, cmp: pd.DataFrame | None = None,
                       drv: pd.DataFrame | None = None) -> str:
    """HTML text of the person's report (forecast, comparison and drivers are optional sections)."""
    weeks = None if fc is None else fc.sizes["day"] / 7.0
    figs = [fit_figure(twin)]
    if fc is not None:
        figs.append(forecast_figure(fc))
    if drv is not None:
        figs.append(drivers_figure(drv))
    if cmp is not None and len(cmp) > 1:
        figs.append(whatif_figure(cmp))
    plots = [f.to_html(full_html=False, include_plotlyjs="inline" if i == 0 else False) for i, f in enumerate(figs)]
    notice = f"<p class='disclaimer'><b>Research and education only.</b> {html.escape(DISCLAIMER)}</p>"
    synthetic = ("<p><i>Note: the example diary shipped with painloop is synthetic (generated by the model), not a "
                 "person's data.</i></p>" if "example_diary" in twin.attrs.get("source_file", "") else "")
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Your pain diary twin</title>
<style>{_CSS}</style></head><body>
<h1>Your pain diary and your personal model</h1>{notice}{synthetic}
{_clinician_summary(twin)}
<h2>In short</h2>{_summary(twin, cmp, drv, weeks)}
<h2>What the model used from your diary</h2>{_columns_html(twin)}
{''.join(f'<div class="figure">{p}</div>' for p in plots)}
{'<h2>What-if comparison</h2>' + _table(cmp) if cmp is not None else ''}
<h2>Your personal factors</h2><p>How your fitted model differs from the typical model (1 = typical). The model
starts from the typical values and moves each factor only as far as your diary gives reason to; the range shows how
sure it is. Where the diary says nothing about a factor, the table says so and the typical value is kept.
Day-to-day ups and downs the model does not explain are about {float(twin['sigma']):.1f} points.</p>
{_param_table(twin)}
<details><summary>Technical details</summary><p>{html.escape(twin.attrs.get('method', ''))}</p></details>
<p>Your data stayed on this computer: painloop makes no network connections. painloop {__version__}.</p>
{notice}</body></html>"""


def write_twin_report(path: Path, twin: xr.Dataset, fc: xr.Dataset | None = None, cmp: pd.DataFrame | None = None,
                      drv: pd.DataFrame | None = None) -> None:
    """Write the report to ``path`` (callers write into a temporary directory and move it into place)."""
    Path(path).write_text(render_twin_report(twin, fc, cmp, drv), encoding="utf-8")
