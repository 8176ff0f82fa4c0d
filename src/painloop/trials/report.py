"""Self-contained HTML report of a virtual trial: forest plot, responder curves, NRS over time, CONSORT flow."""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import yaml

from .. import DISCLAIMER, __version__
from ._run import TrialResult
from .endpoints import consort, responder_curve
from .published import published_nnt

_CSS = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:auto;padding:1em;color:#222}
.disclaimer{background:#fff3cd;border:1px solid #e0c36c;padding:.8em;border-radius:6px}
table{border-collapse:collapse;font-size:.85em}td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top}
th{background:#f3f3f3}table{max-width:100%}td,th{overflow-wrap:anywhere}.table-wrap{max-width:100%;overflow-x:auto}
th{font-weight:600}pre{background:#f6f6f6;padding:.8em;overflow-x:auto}
.flow{display:flex;gap:1em;flex-wrap:wrap}.box{border:2px solid #557;border-radius:6px;padding:.5em .8em;background:#f7f7fb}
"""
_NNT_AXIS_MAX = 50.0


def comparison_table(result: TrialResult, endpoints: pd.DataFrame) -> pd.DataFrame:
    """Simulated vs published NNT (95 % CI) and NNH for the arms the design maps to published rows."""
    pub = published_nnt()
    rows = []
    for arm, key in result.design.published.items():
        e = endpoints.set_index("arm").loc[arm]
        p = pub.loc[key]
        rows.append({"arm": arm, "published_treatment": key,
                     "nnt_50": e["nnt_50"], "nnt_50_ci_low": e["nnt_50_ci_low"], "nnt_50_ci_high": e["nnt_50_ci_high"],
                     "published_nnt": p["nnt_50pct"], "published_ci_low": p["nnt_ci_low"],
                     "published_ci_high": p["nnt_ci_high"], "nnh": _round(e["nnh"]), "nnh_expected": _round(e["nnh_expected"]),
                     "published_nnh": p["nnh_dropout"],
                     "nnt_inside_published_ci": bool(p["nnt_ci_low"] <= float(e["nnt_50"]) <= p["nnt_ci_high"])
                     if e["nnt_50"] is not None and not math.isnan(float(e["nnt_50"])) else False,
                     "source": p["source"]})
    return pd.DataFrame(rows)


def _round(x, digits: int = 2):
    """``x`` rounded for reading (NNH 39.999999999999986 → 40.0); None, NaN and ∞ unchanged."""
    if x is None or not math.isfinite(float(x)):
        return x
    return round(float(x), digits)


def _fin(x) -> float:
    x = float("nan") if x is None else float(x)
    return min(x, _NNT_AXIS_MAX) if not math.isnan(x) else math.nan


def forest_figure(comparison: pd.DataFrame) -> go.Figure:
    """Simulated NNT (95 % bootstrap CI) next to the published NNT (95 % CI), one row per treatment."""
    fig = go.Figure()
    if len(comparison):
        y = list(comparison["arm"])
        sim, lo, hi = ([_fin(v) for v in comparison[c]] for c in ("nnt_50", "nnt_50_ci_low", "nnt_50_ci_high"))
        fig.add_trace(go.Scatter(x=sim, y=y, mode="markers", name="simulated NNT (95 % bootstrap CI)",
                                 marker=dict(symbol="square", size=10, color="#1f77b4"),
                                 error_x=dict(type="data", symmetric=False, array=np.subtract(hi, sim),
                                              arrayminus=np.subtract(sim, lo))))
        p, plo, phi = (list(comparison[c].astype(float)) for c in ("published_nnt", "published_ci_low", "published_ci_high"))
        fig.add_trace(go.Scatter(x=p, y=y, mode="markers", name="published NNT (95 % CI, Finnerup 2015)",
                                 marker=dict(symbol="diamond", size=10, color="#d62728"),
                                 error_x=dict(type="data", symmetric=False, array=np.subtract(phi, p),
                                              arrayminus=np.subtract(p, plo))))
    n = max(1, len(comparison))
    fig.update_layout(title=dict(text="Forest plot: NNT for 50 % pain relief vs placebo<br>"
                                      "<sup>simulated vs published; one row per treatment</sup>", y=0.98, yanchor="top"),
                      xaxis_title=f"NNT (log scale; infinite shown at {_NNT_AXIS_MAX:g})", xaxis_type="log",
                      height=230 + 44 * n, margin=dict(l=20, r=20, t=120, b=60),
                      legend=dict(orientation="h", x=0, y=1.0, xanchor="left", yanchor="bottom"),
                      template="plotly_white")
    fig.update_yaxes(automargin=True, autorange="reversed", type="category")
    fig.update_xaxes(automargin=True)
    return fig


def responder_figure(result: TrialResult) -> go.Figure:
    """Share of patients reaching at least each % pain reduction, per arm."""
    curve = responder_curve(result)
    fig = go.Figure()
    for arm, d in curve.groupby("arm", sort=False):
        fig.add_trace(go.Scatter(x=d["reduction_pct"], y=d["share"], mode="lines+markers", name=str(arm)))
    fig.update_layout(title="Responder curves (analysis population)", xaxis_title="pain reduction from baseline, % (at least)",
                      yaxis_title="share of patients", yaxis_range=[0, 1], template="plotly_white",
                      height=380 + 14 * max(0, len(result.design.arms) - 6))
    return fig


def nrs_figure(result: TrialResult) -> go.Figure:
    """Weekly mean diary NRS per arm (patients still in the trial), run-in baseline at week 0."""
    fig = go.Figure()
    p = result.patients
    for arm in result.design.arms:
        diary = result.diaries[arm.name]
        weeks = diary.shape[1] // 7
        by_week = diary[:, :7 * weeks].reshape(diary.shape[0], weeks, 7)
        seen = np.isfinite(by_week)
        days_seen = seen.sum(axis=2)  # a patient's week counts only if at least one day was observed
        weekly = np.where(days_seen > 0, np.where(seen, by_week, 0.0).sum(axis=2) / np.maximum(days_seen, 1), 0.0)
        patients = (days_seen > 0).sum(axis=0)
        means = np.where(patients > 0, weekly.sum(axis=0) / np.maximum(patients, 1), np.nan)
        base = float(p.loc[p["arm"] == arm.name, "baseline"].mean())
        fig.add_trace(go.Scatter(x=np.arange(0, weeks + 1), y=np.concatenate([[base], means]), mode="lines+markers",
                                 name=arm.name))
    fig.update_layout(title="Diary pain (NRS 0-10) over time per arm", xaxis_title="week (0 = run-in baseline)",
                      yaxis_title="mean daily NRS of patients in the trial", template="plotly_white",
                      height=380 + 14 * max(0, len(result.design.arms) - 6))
    return fig


def _table(frame: pd.DataFrame, table_id: str) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_fmt(v))}</td>" for v in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    return f"<div class='table-wrap'><table id='{table_id}'><tr>{head}</tr>{body}</table></div>"


def _fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return "" if math.isnan(v) else ("∞" if math.isinf(v) else f"{v:.3g}")
    return str(v)


def consort_html(result: TrialResult) -> str:
    """CONSORT-style flow: screened → included → randomised per arm → completed, dropouts by reason."""
    flow = consort(result)
    included = int(result.screened_table["included"].sum())
    twin = result.design.randomisation == "virtual_twin"
    boxes = [f"<div class='box'>screened<br><b>{result.screened}</b></div>",
             f"<div class='box'>excluded (run-in NRS outside {result.design.inclusion.min_baseline_nrs:g}-"
             f"{result.design.inclusion.max_baseline_nrs:g})<br><b>{result.screened - included}</b></div>",
             f"<div class='box'>eligible<br><b>{included}</b></div>",
             f"<div class='box'>{'simulated in every arm (virtual twins)' if twin else 'randomised'}<br>"
             f"<b>{int(flow['randomised'].iloc[0]) if twin else int(flow['randomised'].sum())}</b></div>"]
    return (f"<div id='consort'><div class='flow'>{''.join(boxes)}</div><p>Per arm:</p>{_table(flow, 'consort-table')}"
            "</div>")


def render_trial_report(result: TrialResult, endpoints: pd.DataFrame, smd: pd.DataFrame,
                        comparison: pd.DataFrame | None = None) -> str:
    """HTML text of the trial report (plotly.js inlined once, so the file works offline)."""
    d = result.design
    figs = ([forest_figure(comparison)] if comparison is not None and len(comparison) else []) + [
        responder_figure(result), nrs_figure(result)]
    plots = [f.to_html(full_html=False, include_plotlyjs="inline" if i == 0 else False) for i, f in enumerate(figs)]
    ids = (["forest-plot"] if comparison is not None and len(comparison) else []) + ["responder-curves", "nrs-over-time"]
    notice = f"<p class='disclaimer'><b>Research and education only.</b> {html.escape(DISCLAIMER)}</p>"
    title = html.escape(f"painloop virtual trial: {d.name}")
    comp = (f"<h2>Simulated vs published</h2>{_table(comparison, 'comparison')}<p>Published figures are those the "
            "calibration tuned to (point estimates) or checks against; see painloop.trials.calibrate.</p>"
            if comparison is not None and len(comparison) else "")
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>{_CSS}</style></head><body>
<h1>{title}</h1>{notice}
<p>painloop {__version__}; seed {d.seed}; {d.duration_weeks:g} weeks after a {d.run_in_days}-day run-in;
{'blinded' if d.blinded else 'open-label'}; analysis {d.analysis.population.upper()} with {d.analysis.imputation.upper()};
randomisation {d.randomisation}. {html.escape(d.description)}</p>
<h2>CONSORT flow</h2>{consort_html(result)}
<h2>Endpoints</h2>{_table(endpoints, 'endpoints')}
<p>NNT/NNH against the control arm ({html.escape(str(d.control))}); ∞ where the arm is not better (worse).</p>
<h2>Standardised mean differences</h2>{_table(smd, 'smd')}
{comp}
<h2>Figures</h2>{''.join(f'<div class="figure" id="{i}">{p}</div>' for i, p in zip(ids, plots))}
<h2>Design</h2><pre id="design">{html.escape(yaml.safe_dump(d.model_dump(mode='json'), sort_keys=False))}</pre>
{notice}</body></html>"""
