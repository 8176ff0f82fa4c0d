"""HTML report of a population's natural history: prevalence of painful days over time and the NRS distribution."""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go
import xarray as xr

from .. import DISCLAIMER
from .covariates import draws_for

_STYLE = ("body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
          ".disclaimer{background:#fff3cd;border:1px solid #e0c36c;padding:.6em 1em;border-radius:4px}"
          "table{border-collapse:collapse;font-size:.85em}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}")


def _prevalence_figure(summary, threshold: float) -> go.Figure:
    fig = go.Figure()
    fig.add_scatter(x=summary["day"], y=summary[f"prevalence_nrs_ge_{threshold:g}"], name=f"NRS ≥ {threshold:g}")
    fig.add_scatter(x=summary["day"], y=summary["prevalence_any_symptom"], name="any neuropathic symptom (neuropathic pain, numbness or tingling ≥ 1)")
    fig.update_layout(title="Share of patients with pain over time (daily means)", xaxis_title="day",
                      yaxis_title="share of patients", yaxis_range=[0, 1], height=380)
    return fig


def _distribution_figure(ds: xr.Dataset) -> go.Figure:
    nrs = ds["nrs"].values[ds["solver_ok"].values.astype(bool)]
    n_days = nrs.shape[1]
    fig = go.Figure()
    for day in sorted({0, min(7, n_days - 1), n_days // 2, n_days - 1}):
        fig.add_histogram(x=nrs[:, day], name=f"day {day}", opacity=0.6, xbins={"start": 0, "end": 10, "size": 0.5})
    fig.update_layout(barmode="overlay", title="Distribution of daily mean NRS", xaxis_title="NRS (0-10)",
                      yaxis_title="patients", height=380)
    return fig


def _course_figure(summary) -> go.Figure:
    fig = go.Figure()
    fig.add_scatter(x=summary["day"], y=summary["nrs_p90"], line={"width": 0}, showlegend=False)
    fig.add_scatter(x=summary["day"], y=summary["nrs_p10"], fill="tonexty", line={"width": 0}, name="10th-90th percentile")
    fig.add_scatter(x=summary["day"], y=summary["nrs_median"], name="median NRS")
    fig.add_scatter(x=summary["day"], y=summary["damage_mean"] * 10, name="mean nerve damage × 10", line={"dash": "dot"})
    fig.add_scatter(x=summary["day"], y=summary["sens_central_mean"] * 10, name="mean central sensitization × 10",
                    line={"dash": "dash"})
    fig.update_layout(title="Course of pain and its mechanisms", xaxis_title="day", height=380)
    return fig


def render_population_report(ds: xr.Dataset, summary, threshold: float) -> str:
    """Self-contained HTML (plotly inlined once): prevalence curves, NRS distribution, covariate table, disclaimer."""
    figs = [_prevalence_figure(summary, threshold), _distribution_figure(ds), _course_figure(summary)]
    plots = [f.to_html(full_html=False, include_plotlyjs="inline" if i == 0 else False) for i, f in enumerate(figs)]
    cause = str(ds.attrs.get("cause", ""))
    rows = "".join(f"<tr><td>{html.escape(d.name)}</td><td>{html.escape(d.target)}</td><td>{html.escape(d.describe())}"
                   f"</td><td>{html.escape(d.unit)}</td><td>{html.escape(d.source)}</td></tr>" for d in draws_for(cause))
    ok = ds["solver_ok"].values.astype(bool)
    last = summary.iloc[-1]
    facts = (f"{int(ok.sum())} of {ok.size} patients simulated successfully; on the last day (day {int(last['day'])}) "
             f"{last[f'prevalence_nrs_ge_{threshold:g}']:.1%} have NRS ≥ {threshold:g} (mean NRS {last['nrs_mean']:.2f}).")
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(ds.attrs.get('title', ''))}</title>
<style>{_STYLE}</style></head><body>
<h1>{html.escape(ds.attrs.get('title', 'painloop population'))}</h1>
<p class="disclaimer"><strong>{html.escape(DISCLAIMER)}</strong> Virtual patients, not real people: figures describe
the model, for research and education.</p>
<p>Cause: <strong>{html.escape(cause)}</strong>. {html.escape(facts)}</p>
{''.join(plots)}
<h2>Who the virtual patients are</h2>
<table><tr><th>covariate</th><th>goes to</th><th>distribution</th><th>unit</th><th>source</th></tr>{rows}</table>
<h2>Spec</h2><pre>{html.escape(str(ds.attrs.get('spec_yaml', '')))}</pre>
<p><small>painloop {html.escape(str(ds.attrs.get('painloop_version', '')))}; solver {html.escape(str(ds.attrs.get('solver', '')))};
{int(ds.attrs.get('solver_steps', 0))} solver steps.</small></p>
<p class="disclaimer">{html.escape(DISCLAIMER)}</p>
</body></html>"""
