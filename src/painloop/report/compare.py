"""Comparing two results side by side: a summary table and overlaid figures (``painloop compare A B``)."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import xarray as xr

from .. import DISCLAIMER
from .figures import daily, overlay_figure

MEASURES = (("nrs", "pain NRS (0-10)"), ("sleep_quality", "sleep quality (0-10)"), ("depression", "depression (0-1)"),
            ("anxiety", "anxiety (0-1)"), ("sens_central", "central sensitization (0-1)"),
            ("function", "function (0-100)"), ("cortisol", "cortisol (µg/dL)"))
"""(variable, label) of the measures compared: daily means of patient 0."""


def load_result(path: Path) -> xr.Dataset:
    """The results of a folder written by ``painloop run`` (its ``results.nc``), loaded into memory."""
    with xr.open_dataset(Path(path) / "results.nc") as ds:
        return ds.load()


def summary_table(a: xr.Dataset, b: xr.Dataset, labels: tuple[str, str]) -> pd.DataFrame:
    """First- and last-week daily means of each measure in A and B, and B − A in the last week."""
    rows = []
    for var, label in MEASURES:
        if var not in a or var not in b:
            continue
        da, db = daily(a, var).values, daily(b, var).values
        rows.append({"measure": label, f"{labels[0]} first week": float(da[:7].mean()),
                     f"{labels[0]} last week": float(da[-7:].mean()), f"{labels[1]} first week": float(db[:7].mean()),
                     f"{labels[1]} last week": float(db[-7:].mean()),
                     "last week B - A": float(db[-7:].mean() - da[-7:].mean())})
    return pd.DataFrame(rows)


def render_comparison(a: xr.Dataset, b: xr.Dataset, labels: tuple[str, str]) -> str:
    """Self-contained HTML: the summary table and one overlaid figure per measure (plotly.js inlined once)."""
    table = summary_table(a, b, labels)
    figs = [overlay_figure([a, b], var, labels=list(labels)) for var, _ in MEASURES if var in a and var in b]
    plots = "".join(f'<div class="figure">{f.to_html(full_html=False, include_plotlyjs="inline" if i == 0 else False)}'
                    f"</div>" for i, f in enumerate(figs))
    title = html.escape(f"painloop comparison: {labels[0]} vs {labels[1]}")
    notice = f"<p class='disclaimer'><b>Research and education only.</b> {html.escape(DISCLAIMER)}</p>"
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1100px;margin:auto;padding:1em}}
table{{border-collapse:collapse;font-size:.85em;max-width:100%}}td,th{{border:1px solid #ccc;padding:3px 6px}}
.disclaimer{{background:#fff3cd;border:1px solid #e0c36c;padding:.8em;border-radius:6px}}</style></head><body>
<h1>{title}</h1>{notice}
<p>A: {html.escape(a.attrs.get('title', ''))} {html.escape(a.attrs.get('treatments', ''))}<br>
B: {html.escape(b.attrs.get('title', ''))} {html.escape(b.attrs.get('treatments', ''))}</p>
<h2>Summary (daily means)</h2>{table.to_html(index=False, float_format=lambda x: f"{x:.3f}", table_id="summary", border=0)}
<h2>Figures</h2>{plots}{notice}</body></html>"""
