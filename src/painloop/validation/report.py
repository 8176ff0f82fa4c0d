"""Credibility report of ``painloop validate`` in the spirit of ASME V&V 40: context of use, what was calibrated,
what was validated against figures kept apart, and what failed."""

from __future__ import annotations

import html
import math

import pandas as pd

from .. import DISCLAIMER
from .run import counts_text, format_value, summary_counts

_STYLE = ("body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}"
          ".disclaimer{background:#fff3cd;border:1px solid #e0c36c;padding:.6em 1em;border-radius:4px}"
          "table{border-collapse:collapse;font-size:.8em}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}"
          ".pass{background:#e6f4e6}.fail{background:#fbe3e3}.notrun{background:#eee}")

CONTEXT_OF_USE = (
    "painloop's virtual populations are meant for research and teaching about how causes, central sensitization and "
    "the stress, sleep and mood loops shape the course of neuropathic pain in groups of people, and for exploring "
    "virtual trials. They are not meant to predict an individual's course, to choose or dose a treatment, or to "
    "support any clinical or regulatory decision. Model influence on any decision: none; consequence of a wrong "
    "answer in this context: low. The credibility evidence below is sized to that context.")


def _rows(table: pd.DataFrame) -> str:
    out = []
    for r in table.itertuples(index=False):
        cls = "notrun" if r.passed == "" else ("pass" if r.passed is True else "fail")
        verdict = r.verdict.upper() if cls == "fail" else r.verdict
        out.append(f"<tr class='{cls}'><td>{html.escape(r.target_id)}</td><td>{html.escape(r.quantity)}</td>"
                   f"<td>{r.published_value:g}</td><td>{html.escape(r.tolerance)}</td>"
                   f"<td>{format_value(r.simulated)}</td><td>{_interval(r.sim_low, r.sim_high)}</td>"
                   f"<td>{r.n_patients}</td><td>{html.escape(verdict)}</td>"
                   f"<td>{html.escape(str(r.note))}</td><td>{html.escape(r.source)}</td></tr>")
    return "".join(out)


def _interval(low: float, high: float) -> str:
    """The simulated value's Monte-Carlo interval ('—' when none was computed)."""
    return "—" if not (math.isfinite(low) and math.isfinite(high)) else f"{low:.3g}–{high:.3g}"


def _table(table: pd.DataFrame) -> str:
    return ("<table><tr><th>target</th><th>quantity</th><th>published</th><th>interval</th><th>simulated</th>"
            "<th>simulated 95 % interval</th>"
            f"<th>patients</th><th>result</th><th>note</th><th>source</th></tr>{_rows(table)}</table>")


def render_credibility_report(table: pd.DataFrame, settings: dict, fit_text: str) -> str:
    """Self-contained HTML credibility report for a validation table."""
    counts = summary_counts(table)
    cal, val = table[table["role"] == "calibration"], table[table["role"] == "validation"]
    failed = table[table["passed"] == False]  # noqa: E712

    def line(role: str) -> str:
        c = counts.get(role)
        return "none" if c is None else f"{counts_text(c)}, {c['targets']} targets"
    failed_items = "".join(f"<li><strong>{html.escape(r.target_id)}</strong> ({html.escape(r.role)}): simulated "
                           f"{format_value(r.simulated)} ({_interval(r.sim_low, r.sim_high)}), published "
                           f"{r.published_value:g} {html.escape(r.tolerance)}: {html.escape(r.verdict)}"
                           f"{' — ' + html.escape(str(r.note)) if r.note else ''}</li>" for r in failed.itertuples())
    settings_text = ", ".join(f"{k} = {v}" for k, v in settings.items())
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>painloop credibility report</title>
<style>{_STYLE}</style></head><body>
<h1>painloop credibility report</h1>
<p class="disclaimer"><strong>{html.escape(DISCLAIMER)}</strong></p>
<h2>1. Context of use</h2><p>{html.escape(CONTEXT_OF_USE)}</p>
<h2>2. Question of interest and model risk</h2>
<p>Does a virtual population of each cause show the natural history, symptom profile, mood burden and trial
responses published for real patients? Low model risk (see the context of use): agreement is judged against the
published interval of each figure.</p>
<h2>3. Settings of this run</h2><p>{html.escape(settings_text)}</p>
<h2>4. What was calibrated</h2>
<p>Calibration targets ({line('calibration')}): figures the free population parameters and the treatment effect
sizes were tuned to; agreement with them shows the fit, not predictive credibility. Population parameters:
{html.escape(fit_text)}.</p>{_table(cal)}
<h2>5. What was validated</h2>
<p>Validation targets ({line('validation')}): published figures kept apart in
<code>validation_targets.csv</code> and never tuned to.</p>{_table(val)}
<h2>6. What failed</h2>
<p>A failure is a model miss ("fail") when the simulated value's 95 % interval (bootstrap over the virtual
patients) lies wholly outside the published interval; "within sampling error" when the two intervals overlap, so
that a larger virtual population may pass (or fail) — run again with more patients before drawing conclusions.</p><ul>{failed_items or '<li>nothing</li>'}</ul>
<h2>7. Verification and limits</h2>
<p>Code verification is covered by the test suite (solver accuracy against tight tolerances, SBML export checked
in libroadrunner). Each simulated figure rests on the number of virtual patients shown; intervals of published
figures marked "assumption" in their source are tolerances chosen by the project, not confidence intervals.
Mappings from clinical definitions to model readouts are stated in each target's source and in
<code>painloop.validation.checks</code>.</p>
<p class="disclaimer">{html.escape(DISCLAIMER)}</p>
</body></html>"""
