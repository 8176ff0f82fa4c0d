"""Figures made only by the app: the loop diagram and the plot of an uploaded diary."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots


if TYPE_CHECKING:
    from .compute import ExploreResult

pio.templates.default = "plotly_white"
"""The look of every figure, set once: ``template=`` passed per figure re-validates the whole template (~20 ms)."""

# Node centres (x in 0-1; y in _Y_RANGE: the core loops in 0-1, the lived-system nodes above and below) and the
# half-size of every node box (same units).
_NODES = {
    "cause": (0.08, 0.5),
    "damage": (0.29, 0.5),
    "pain": (0.52, 0.5),
    "stress": (0.88, 0.87),
    "sleep": (0.88, 0.5),
    "mood": (0.88, 0.13),
    "tension": (0.52, 0.1),
    "autonomic": (0.29, 1.15),
    "gait": (0.08, 0.1),
    "social": (0.88, -0.2),
}
_Y_RANGE = (-0.3, 1.25)
_HW, _HH = 0.085, 0.085
_PX = np.array([900.0, 370.0])  # approximate pixels per unit of x and y, to space parallel arrows evenly
_GAP_PX = 10.0
_RED, _BLUE, _GREY = "rgb(214,39,40)", "rgb(31,119,180)", "rgb(120,120,120)"

PX_PER_NRS = 6.0
"""Arrow width scale: 1 px plus this many px per NRS point a loop direction carries (capped at 16 px)."""


def arrow_width(delta_nrs: float) -> float:
    """Line width (px) of a loop arrow for ``delta_nrs`` NRS points carried (absolute value; capped)."""
    return float(min(16.0, 1.0 + PX_PER_NRS * abs(delta_nrs)))


def _edge_point(center: np.ndarray, toward: np.ndarray, margin: float = 0.012) -> np.ndarray:
    """Where the segment from ``center`` toward ``toward`` leaves the node box (plus a small margin)."""
    d = toward - center
    scale = min(_HW / abs(d[0]) if d[0] else np.inf, _HH / abs(d[1]) if d[1] else np.inf)
    return center + d * scale + d / np.linalg.norm(d) * margin


def _normal(a: str, b: str) -> np.ndarray:
    """Unit normal (in pixels) to the line a→b, rotated counter-clockwise, expressed in data units per pixel."""
    d_px = (np.asarray(_NODES[b]) - np.asarray(_NODES[a])) * _PX
    n_px = np.array([-d_px[1], d_px[0]]) / np.linalg.norm(d_px)
    return n_px / _PX


def _arrow(a: str, b: str, width: float, color: str, offset_px: float = 0.0, hover: str = "",
           both: bool = False, normal: np.ndarray | None = None) -> dict:
    """The annotation (a plotly layout dict) of an arrow from node ``a`` to node ``b``, ``width`` px wide."""
    pa, pb = np.asarray(_NODES[a], float), np.asarray(_NODES[b], float)
    shift = (normal if normal is not None else _normal(a, b)) * offset_px
    start, end = _edge_point(pa, pb) + shift, _edge_point(pb, pa) + shift
    return dict(x=end[0], y=end[1], ax=start[0], ay=start[1], xref="x", yref="y", axref="x", ayref="y",
                showarrow=True, arrowhead=2, arrowside="end+start" if both else "end",
                arrowsize=(9.0 + width) / (3.0 * width), arrowwidth=width, arrowcolor=color, text="",
                hovertext=hover or None)


def loop_diagram(result: "ExploreResult") -> go.Figure:
    """Causes → damage → sensitization/pain ⇄ stress, sleep, mood (and muscle tension); autonomic symptoms →
    stress, isolation → mood and gait strain → pain; the loops without a node of their own (HPA → stress,
    fatigue → mood, sleep → nerve repair, swelling → compression) in a box with the NRS each carries.

    The width of each loop arrow is :func:`arrow_width` of the NRS points that
    direction carries in this run: mean NRS of the nominal run minus that of
    the same run with the direction's loop gain set to 0 (last weeks of the
    reported period). Red: the direction adds pain; blue: it relieves pain.
    The grey arrows (cause → damage → sensitization) are drivers, not loop
    gains, and have a fixed width. (Shapes and annotations are set in one
    layout update: adding them one by one copies the list each time.)
    """
    from .compute import CAUSE_LABELS

    s, loops = result.settings, result.loops.set_index("loop")
    window = float(loops["window_days"].iloc[0])
    fig = go.Figure()
    fig.add_scatter(x=[0, 1], y=[0, 1], mode="markers", marker=dict(opacity=0), hoverinfo="skip", showlegend=False)
    cause_text = ("no nerve injury" if s.cause == "none"
                  else f"{CAUSE_LABELS[s.cause].split(' (')[0]}<br>severity {s.severity:.2f}")
    texts = {
        "cause": f"<b>Cause</b><br>{cause_text}",
        "damage": f"<b>Nerve damage</b><br>{result.damage:.2f} (fraction)",
        "pain": f"<b>Sensitization → pain</b><br>NRS {result.summary['nrs_last_week']:.1f} (last week)",
        "stress": f"<b>Stress</b><br>life stress {s.stress:.1f}",
        "sleep": f"<b>Sleep</b><br>{result.summary['sleep_h_last_week']:.1f} h/day",
        "mood": f"<b>Mood</b><br>depression {result.summary['depression_last_week']:.2f}",
        "tension": "<b>Muscle tension</b>",
        "autonomic": f"<b>Autonomic</b><br>BP fall {result.summary['bp_drop_last_week']:.0f} mmHg",
        "gait": f"<b>Gait strain</b><br>{result.summary['gait_strain_last_week']:.2f} (0-1)",
        "social": f"<b>Participation</b><br>{result.summary['participation_last_week']:.2f} (0-1)",
    }
    shapes = [dict(type="rect", x0=x - _HW, x1=x + _HW, y0=y - _HH, y1=y + _HH, line=dict(color="rgb(80,80,80)"),
                   fillcolor="rgb(248,248,248)", layer="below") for x, y in _NODES.values()]
    notes = [dict(x=x, y=y, text=texts[name], showarrow=False, font=dict(size=12, color="rgb(30,30,30)"))
             for name, (x, y) in _NODES.items()]
    notes.append(_arrow("cause", "damage", 3.0, _GREY, hover="driver (not a loop gain)"))
    notes.append(_arrow("damage", "pain", 3.0, _GREY, hover="driver (not a loop gain)"))
    notes.append(_arrow("damage", "autonomic", 3.0, _GREY, hover="driver (not a loop gain)"))
    notes.append(_arrow("damage", "gait", 3.0, _GREY, hover="driver: weakness and numbness (not a loop gain)"))

    def describe(gain: str) -> tuple[float, float, str]:
        row = loops.loc[gain]
        dn = float(row["delta_nrs"])
        hover = (f"{gain}: cutting it changes mean NRS by {-dn:+.2f} and {row['receiving']} by "
                 f"{-float(row['delta_receiving']):+.3g} {row['receiving_unit']} (last {window:g} days)")
        return dn, arrow_width(dn), hover

    for other, side in (("stress", 1.0), ("sleep", 1.0), ("mood", -1.0)):
        normal = _normal("pain", other) * side  # the side of the pair where the label goes
        (dn_in, w_in, h_in), (dn_out, w_out, h_out) = describe(f"loop_{other}_to_pain"), describe(f"loop_pain_to_{other}")
        notes.append(_arrow(other, "pain", w_in, _RED if dn_in >= 0 else _BLUE, (w_in + _GAP_PX) / 2, h_in,
                            normal=normal))
        notes.append(_arrow("pain", other, w_out, _RED if dn_out >= 0 else _BLUE, -(w_out + _GAP_PX) / 2, h_out,
                            normal=normal))
        mid = 0.4 * np.asarray(_NODES["pain"]) + 0.6 * np.asarray(_NODES[other]) + normal * (w_in + _GAP_PX / 2 + 34.0)
        notes.append(dict(x=mid[0], y=mid[1], showarrow=False, align="center", font=dict(size=11, color="rgb(30,30,30)"),
                          text=f"{other}→pain {dn_in:.2f} NRS<br>pain→{other} {dn_out:.2f} NRS",
                          bgcolor="rgba(255,255,255,0.85)"))
    dn_t, w_t, h_t = describe("loop_tension")
    notes.append(_arrow("pain", "tension", w_t, _RED if dn_t >= 0 else _BLUE, 0.0, h_t, both=True))
    notes.append(dict(x=_NODES["pain"][0] - 0.085, y=0.3, showarrow=False, text=f"tension loop {dn_t:.2f} NRS",
                      font=dict(size=11, color="rgb(30,30,30)"), bgcolor="rgba(255,255,255,0.85)"))
    for gain, source, target, label, where in (
            ("loop_autonomic_to_stress", "autonomic", "stress", "autonomic→stress", (0.6, 1.12)),
            ("loop_gait_to_pain", "gait", "pain", "gait→pain", (0.3, 0.15)),
            ("loop_isolation_to_mood", "social", "mood", "isolation→mood", (0.74, -0.035))):
        dn, width, hover = describe(gain)
        notes.append(_arrow(source, target, width, _RED if dn >= 0 else _BLUE, 0.0, hover))
        notes.append(dict(x=where[0], y=where[1], showarrow=False, font=dict(size=11, color="rgb(30,30,30)"),
                          text=f"{label} {dn:.2f} NRS", bgcolor="rgba(255,255,255,0.85)"))
    small = (("loop_hpa_to_stress", "HPA→stress"), ("loop_fatigue_to_mood", "fatigue→mood"),
             ("loop_sleep_to_repair", "sleep→nerve repair"), ("loop_swelling_to_compression", "swelling→compression"))
    notes.append(dict(x=0.45, y=-0.2, showarrow=False, align="left", font=dict(size=11, color="rgb(30,30,30)"),
                      bgcolor="rgba(255,255,255,0.85)", hovertext="loops drawn without an arrow (cut each: NRS change)",
                      text="other loops:<br>" + "<br>".join(f"{label} {round(describe(gain)[0], 2) + 0.0:.2f} NRS"
                                                         for gain, label in small)))
    fig.update_layout(shapes=shapes, annotations=notes,
        title=f"The loop now: arrow width = NRS points each direction carries (cut it; mean of last {window:g} days)",
        height=int(430 + 370 * (_Y_RANGE[1] - _Y_RANGE[0] - 1.01)), margin=dict(l=10, r=10, t=50, b=10),
        showlegend=False, xaxis=dict(visible=False, range=[-0.01, 1.0], fixedrange=True),
        yaxis=dict(visible=False, range=list(_Y_RANGE), fixedrange=True))
    return fig


def diary_figure(diary: pd.DataFrame) -> go.Figure:
    """Plot of a diary from :func:`painloop.twin.read_diary_csv`: pain (NRS) by day, sleep (h) if given.

    Days without an entry appear as gaps in the lines.
    """
    daily = diary.set_index("date").asfreq("D")
    has_sleep = "sleep_hours" in daily and daily["sleep_hours"].notna().any()
    fig = make_subplots(specs=[[{"secondary_y": bool(has_sleep)}]])
    fig.add_scatter(x=daily.index, y=daily["pain"], mode="lines+markers", name="pain (NRS 0-10)",
                    line=dict(color=_RED), connectgaps=False)
    for col, dash in (("stress", "dot"), ("mood", "dash")):
        if col in daily and daily[col].notna().any():
            fig.add_scatter(x=daily.index, y=daily[col], mode="lines", name=f"{col} (0-10)", line=dict(dash=dash))
    if has_sleep:
        fig.add_scatter(x=daily.index, y=daily["sleep_hours"], mode="lines", name="sleep (h)",
                        line=dict(color=_BLUE), secondary_y=True)
        fig.update_yaxes(title_text="sleep (h)", range=[-0.3, 15.45], tickmode="linear", tick0=0, dtick=3,
                         showgrid=False, secondary_y=True)
    fig.update_yaxes(title_text="rating 0-10", range=[-0.2, 10.3], tickmode="linear", tick0=0, dtick=2,
                     secondary_y=False)
    fig.update_layout(title=f"Your pain diary: {int(diary['pain'].notna().sum())} days with pain recorded",
                      height=380, margin=dict(l=60, r=20, t=50, b=40),
                      legend=dict(orientation="h", y=-0.2))
    fig.update_xaxes(title_text="date")
    return fig
