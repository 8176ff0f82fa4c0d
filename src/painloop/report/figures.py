"""Plotly figures of one simulated patient, built from a results Dataset."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import xarray as xr
from plotly.subplots import make_subplots

pio.templates.default = "plotly_white"
"""The look of every figure, set once: ``template=`` passed per figure re-validates the whole template (~20 ms)."""

_LAYOUT = dict(height=360, margin=dict(l=60, r=20, t=50, b=40),
               legend=dict(orientation="h", y=-0.2))


_REDUCE = {"mean": np.add, "min": np.minimum, "max": np.maximum}


def daily(ds: xr.Dataset, var: str, how: str = "mean") -> xr.DataArray:
    """Per-day aggregate (mean, min or max) of ``var`` for patient 0, indexed by whole day.

    Days are the whole part of the (increasing) time in days; each day's
    values are reduced in one pass (``ufunc.reduceat``), NaN propagating.
    """
    da = ds[var].isel(patient=0)
    day = np.floor(da["time"].values)
    starts = np.flatnonzero(np.r_[True, day[1:] != day[:-1]])
    agg = _REDUCE[how].reduceat(np.asarray(da.values, dtype=float), starts)
    if how == "mean":
        agg = agg / np.diff(np.r_[starts, day.size])
    return xr.DataArray(agg, dims="day", coords={"day": day[starts]}, attrs=da.attrs)


def pain_figure(ds: xr.Dataset) -> go.Figure:
    """Pain NRS: daily mean with the daily range as a band."""
    mean, lo, hi = daily(ds, "nrs"), daily(ds, "nrs", "min"), daily(ds, "nrs", "max")
    days = mean["day"].values
    fig = go.Figure([
        go.Scatter(x=np.r_[days, days[::-1]], y=np.r_[hi.values, lo.values[::-1]], fill="toself",
                   line=dict(width=0), fillcolor="rgba(214,39,40,0.2)", name="daily range", hoverinfo="skip"),
        go.Scatter(x=days, y=mean.values, line=dict(color="rgb(214,39,40)"), name="daily mean NRS"),
    ])
    fig.update_layout(title="Pain intensity (NRS 0-10)", xaxis_title="day", yaxis_title="NRS", yaxis_range=[0, 10],
                      **_LAYOUT)
    add_events(fig, ds)
    return fig


def _profile_24h(ds: xr.Dataset, var: str, first_day: float, n_days: float) -> tuple[np.ndarray, np.ndarray]:
    """Mean daily profile of ``var`` (patient 0) over ``n_days`` days from ``first_day``: clock hours, means."""
    da = ds[var].isel(patient=0)
    t = da["time"].values
    sel = (t >= first_day) & (t < first_day + n_days)
    hours, slot = np.unique(np.round((t[sel] % 1.0) * 24.0, 6), return_inverse=True)
    return hours, np.bincount(slot, weights=da.values[sel]) / np.bincount(slot)


def cortisol_figure(ds: xr.Dataset) -> go.Figure:
    """Mean 24 h cortisol profile over the first and the last week."""
    end = float(ds["time"].values[-1])
    n = min(7.0, max(1.0, np.floor(end / 2)))
    fig = go.Figure()
    for label, start, color in (("first week", 0.0, "rgb(31,119,180)"), ("last week", np.floor(end - n + 1e-9), "rgb(255,127,14)")):
        h, c = _profile_24h(ds, "cortisol", start, n)
        fig.add_scatter(x=h, y=c, name=f"{label} (days {start:g}-{start + n:g})", line=dict(color=color))
    fig.update_layout(title="24 h cortisol profile, early vs late", xaxis_title="clock time (h)",
                      yaxis_title=ds["cortisol"].attrs.get("units", ""), **_LAYOUT)
    fig.update_xaxes(tickvals=list(range(0, 25, 3)))
    return fig


def _lines(ds: xr.Dataset, title: str, variables: list[str], y_title: str, secondary: list[str] = ()) -> go.Figure:
    """Daily means of ``variables`` against the day, those in ``secondary`` on a right-hand axis."""
    fig = make_subplots(specs=[[{"secondary_y": True}]]) if secondary else go.Figure()
    for v in variables:
        d = daily(ds, v)
        label = f"{v} ({ds[v].attrs.get('units', '')})"
        fig.add_scatter(x=d["day"].values, y=d.values, name=label, **({"secondary_y": v in secondary} if secondary
                                                                     else {}))
    fig.update_layout(title=title, **_LAYOUT)
    fig.update_xaxes(title_text="day")
    fig.update_yaxes(title_text=y_title, **({"secondary_y": False} if secondary else {}))
    add_events(fig, ds)
    return fig


def _stacked(ds: xr.Dataset, title: str, rows: list[tuple[list[tuple[str, xr.DataArray]], str, list[float]]]) -> go.Figure:
    """Panels one above the other sharing the day axis; each panel has its own labelled y axis and fixed range."""
    fig = make_subplots(rows=len(rows), cols=1, shared_xaxes=True, vertical_spacing=0.08)
    for i, (lines, y_title, y_range) in enumerate(rows, start=1):
        for label, d in lines:
            fig.add_scatter(x=d["day"].values, y=d.values, name=label, row=i, col=1)
        fig.update_yaxes(title_text=y_title, range=y_range, row=i, col=1)
    fig.update_xaxes(title_text="day", row=len(rows), col=1)
    fig.update_layout(title=title, **{**_LAYOUT, "height": 220 + 150 * len(rows)})
    add_events(fig, ds)
    return fig


def sleep_figure(ds: xr.Dataset) -> go.Figure:
    """Sleep per day (h, from the fraction asleep; 0-12 h axis) above sleep quality (0-10 axis)."""
    hours = daily(ds, "asleep") * 24.0
    quality = daily(ds, "sleep_quality")
    return _stacked(ds, "Sleep", [([("sleep obtained (h/day)", hours)], "sleep (h/day)", [0, 12]),
                                  ([("sleep quality (0-10)", quality)], "quality (0-10)", [0, 10])])


def mood_figure(ds: xr.Dataset) -> go.Figure:
    """Depression, anxiety, perceived stress and chronic stress load."""
    return _lines(ds, "Mood and stress", ["depression", "anxiety", "perceived_stress", "stress_load"], "score")


def mechanism_figure(ds: xr.Dataset) -> go.Figure:
    """Nerve damage, inflammation and sensitization."""
    return _lines(ds, "Nerve damage, inflammation and sensitization",
                  ["damage", "ectopic", "infl_peripheral", "infl_glial", "sens_peripheral", "sens_central"],
                  "fraction / relative")


def function_figure(ds: xr.Dataset) -> go.Figure:
    """Function and cognition (0-100 axis) above fatigue (0-1 axis)."""
    return _stacked(ds, "Function, cognition and fatigue",
                    [([("function (0-100)", daily(ds, "function")), ("cognition (0-100)", daily(ds, "cognition"))],
                      "score (0-100)", [0, 100]),
                     ([("fatigue (0-1)", daily(ds, "fatigue"))], "fatigue (0-1)", [0, 1])])


def autonomic_figure(ds: xr.Dataset) -> go.Figure:
    """Orthostatic blood-pressure fall (mmHg, with the 20 mmHg threshold of orthostatic hypotension) above the gut,
    bladder and visceral-pain readouts (0-1 scores; visceral pain NRS/10)."""
    visceral = daily(ds, "visceral_pain") / 10.0
    fig = _stacked(ds, "Autonomic symptoms",
                   [([("orthostatic fall of systolic BP (mmHg)", daily(ds, "orthostatic_bp_drop"))], "BP fall (mmHg)",
                     [0, 40]),
                    ([("constipation (0-1)", daily(ds, "constipation")),
                      ("bladder symptoms (0-1)", daily(ds, "bladder_symptoms")),
                      ("visceral pain (NRS/10)", visceral)], "score (0-1)", [0, 1])])
    fig.add_hline(y=20.0, line=dict(color="rgba(214,39,40,0.6)", dash="dash"), row=1, col=1,
                  annotation_text="orthostatic hypotension", annotation_position="top left")
    return fig


def gait_figure(ds: xr.Dataset) -> go.Figure:
    """Strength and fitness (relative to habit) above gait strain, falls risk (0-1) and musculoskeletal pain
    (NRS/10)."""
    return _stacked(ds, "Strength, gait and falls",
                    [([("strength (relative)", daily(ds, "strength")), ("fitness (relative)", daily(ds, "fitness"))],
                      "relative to habit", [0, 1.5]),
                     ([("gait strain (0-1)", daily(ds, "gait_strain")),
                       ("falls risk within a year", daily(ds, "falls_risk")),
                       ("musculoskeletal pain (NRS/10)", daily(ds, "msk_pain") / 10.0)], "score (0-1)", [0, 1])])


def social_figure(ds: xr.Dataset) -> go.Figure:
    """Social participation and the EQ-5D-like quality-of-life utility (both 1 = as when healthy)."""
    return _stacked(ds, "Participation and quality of life",
                    [([("social/work participation (0-1)", daily(ds, "participation"))], "participation", [0, 1.05]),
                     ([("quality of life (EQ-5D-like utility)", daily(ds, "qol_utility"))], "utility", [0, 1.05])])


SYMPTOMS = ("burning", "paroxysmal", "allodynia", "numbness", "weakness")


def symptom_figure(ds: xr.Dataset) -> go.Figure:
    """Symptom profile (0-10): mean of the first and last week."""
    end = float(ds["time"].values[-1])
    fig = go.Figure()
    for label, lo, hi in (("first week", 0.0, 7.0), ("last week", end - 7.0, end + 1.0)):
        t = ds["time"].values
        sel = (t >= lo) & (t < hi)
        values = [float(ds[s].isel(patient=0).values[sel].mean()) for s in SYMPTOMS]
        fig.add_bar(x=list(SYMPTOMS), y=values, name=label)
    fig.update_layout(title="Symptom profile (0-10)", yaxis_range=[0, 10], barmode="group", **_LAYOUT)
    return fig


def loop_figure(loops: pd.DataFrame) -> go.Figure:
    """NRS points carried by each loop direction (pain lost when that direction is cut)."""
    labels = [name.removeprefix("loop_").replace("_to_", " → ").replace("_", " ") for name in loops["loop"]]
    fig = go.Figure(go.Bar(x=loops["delta_nrs"], y=labels, orientation="h", marker_color="rgb(148,103,189)"))
    fig.update_layout(title="What carries the pain: NRS points lost when one loop direction is cut (last 4 weeks)",
                      xaxis_title="Δ NRS", **{**_LAYOUT, "height": 320})
    fig.update_yaxes(autorange="reversed")
    return fig


CONCENTRATIONS = ("duloxetine_conc", "amitriptyline_conc", "nortriptyline_conc", "pregabalin_conc", "gabapentin_conc",
                  "tramadol_conc", "m1_conc", "oxycodone_conc", "morphine_conc", "ibuprofen_conc")
SIDE_EFFECTS = ("drowsiness", "dizziness", "nausea", "cognitive_fog", "dry_mouth", "sexual_dysfunction",
                "side_effect_burden", "opioid_dependence",
                "opioid_withdrawal")


def has_treatments(ds: xr.Dataset) -> bool:
    """True when the dataset comes from a scenario with treatments (drug or non-drug)."""
    return bool(ds.attrs.get("treatments")) and "duloxetine_conc" in ds


def _active(ds: xr.Dataset, names: tuple[str, ...]) -> list[str]:
    return [n for n in names if n in ds and float(np.abs(ds[n].isel(patient=0)).max()) > 0.0]


def _scenario_of(ds: xr.Dataset):
    """The Scenario a result was simulated from (``ds.attrs['scenario_yaml']``), or None."""
    text = ds.attrs.get("scenario_yaml")
    return _parse_scenario_yaml(text) if text else None


@functools.lru_cache(maxsize=8)
def _parse_scenario_yaml(text: str):
    """The Scenario of a result's ``scenario_yaml`` (parsed once per text: every figure of a result asks), or None."""
    import yaml

    from ..scenario import ScenarioError, parse_scenario

    try:
        return parse_scenario(yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)), "of the result")
    except ScenarioError:
        return None


def events(ds: xr.Dataset) -> list[tuple[float, str]]:
    """Events of the scenario inside the reported period: (day, label) — stress changes, treatment starts/ends."""
    sc = _scenario_of(ds)
    if sc is None:
        return []
    end = float(ds["time"].values[-1])
    ev = [(s.day, f"stress {s.level:g}") for s in sc.stress.schedule]
    for t in sc.treatments:
        name = getattr(t, "drug", None) or t.therapy
        unit = "" if not hasattr(t, "drug") else (" patches" if "patch" in t.drug else " mg")
        ev.append((t.start_day, f"{name} starts" if not hasattr(t, "drug") else f"{name} {t.dose:g}{unit}"))
        if t.end_day is not None:
            ev.append((t.end_day, f"{name} ends"))
    onset = getattr(sc.cause, "onset_day", None)
    if sc.cause.type != "none" and onset is not None:
        ev.append((onset, f"{sc.cause.type.replace('_', ' ')} onset"))
    seen, out = set(), []
    for day, label in sorted(ev):
        if 0.0 < day <= end and (day, label) not in seen:
            seen.add((day, label))
            out.append((day, label))
    return out


def add_events(fig: go.Figure, ds: xr.Dataset, plot_width_px: float = 900.0) -> go.Figure:
    """Dotted vertical lines at the scenario's events, labelled above the plot.

    Events of the same day share one label; labels are placed on up to three rows so that neighbours do not
    overlap (label width estimated at 6 px per character over ``plot_width_px``).
    """
    ev = events(ds)
    if not ev:
        return fig
    by_day: dict[float, list[str]] = {}
    for day, label in ev:
        by_day.setdefault(day, []).append(label)
    t = ds["time"].values
    span = max(float(t[-1] - t[0]), 1e-9)
    row_end = [-np.inf, -np.inf, -np.inf]
    rows_used = 0
    for day, labels in sorted(by_day.items()):
        text = "; ".join(labels)
        width = (6.0 * len(text) + 8.0) / plot_width_px * span
        row = next((r for r, end in enumerate(row_end) if day > end), int(np.argmin(row_end)))
        row_end[row] = day + width
        rows_used = max(rows_used, row + 1)
        fig.add_vline(x=day, line=dict(color="rgba(90,90,90,0.6)", width=1, dash="dot"))
        fig.add_annotation(x=day, y=1.0, yshift=4 + 15 * row, yref="paper", yanchor="bottom", text=text,
                           showarrow=False, font=dict(size=10, color="#555"), xanchor="left")
    top = fig.layout.margin.t if fig.layout.margin.t is not None else _LAYOUT["margin"]["t"]
    fig.update_layout(margin=dict(t=max(top, 60) + 15 * rows_used))
    return fig


def dose_times(ds: xr.Dataset) -> dict[str, np.ndarray]:
    """Dose times (days) of each drug of the scenario, from its NONMEM-style dose records."""
    from ..scenario._inputs import dose_records
    from ..treatments import DRUGS

    sc = _scenario_of(ds)
    if sc is None:
        return {}
    by_state = {d.dose_state: d.name for d in DRUGS.values()}
    out: dict[str, list[float]] = {}
    for r in dose_records(sc):
        out.setdefault(by_state.get(r.compartment, r.compartment), []).extend(t / 24.0 for t in r.times())
    return {k: np.array(sorted(v)) for k, v in out.items()}


def exposure_table(ds: xr.Dataset) -> pd.DataFrame:
    """Cmax, Ctrough (ng/mL) and AUC over 24 h (ng·h/mL) of each drug given, over the last 24 h of dosing.

    Sampled at the output interval (a coarse interval underestimates Cmax); for steady state the drug must have
    been given for ≥ 5 half-lives by then.
    """
    t = ds["time"].values
    times = dose_times(ds)
    rows = []
    for n in _active(ds, CONCENTRATIONS):
        c = ds[n].isel(patient=0).values * 1000.0
        drug = n.removesuffix("_conc")
        parent = {"nortriptyline": "amitriptyline", "m1": "tramadol"}.get(drug, drug)
        dt = times.get(parent, np.array([]))
        last = float(dt[dt <= t[-1]].max()) if dt.size else float(t[np.argmax(c)])
        window = (t > last - 1.0 + 1e-9) & (t <= last + 1e-9) if last - 1.0 >= t[0] else (t <= t[0] + 1.0)
        tw, cw = t[window], c[window]
        rows.append({"analyte": drug, "window (days)": f"{tw[0]:.1f}-{tw[-1]:.1f}", "Cmax (ng/mL)": float(cw.max()),
                     "Ctrough (ng/mL)": float(cw.min()),
                     "AUC 24 h (ng·h/mL)": float(np.trapezoid(cw, tw * 24.0)) if tw.size > 1 else float("nan"),
                     "peak over the run (ng/mL)": float(c.max())})
    return pd.DataFrame(rows)


def dosing_figure(ds: xr.Dataset) -> go.Figure:
    """Plasma concentration of each drug (ng/mL) with dose markers: the whole run and the first week of dosing."""
    t = ds["time"].values
    times = dose_times(ds)
    first = min((float(v[0]) for v in times.values() if v.size), default=float(t[0]))
    fig = make_subplots(rows=1, cols=2, column_widths=[0.62, 0.38], horizontal_spacing=0.08,
                        subplot_titles=("whole run", f"first week of dosing (days {first:.0f}-{first + 7:.0f})"))
    zoom = (t >= first) & (t <= first + 7.0)
    colors = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
    for k, n in enumerate(_active(ds, CONCENTRATIONS)):
        c = ds[n].isel(patient=0).values * 1000.0
        color = colors[k % len(colors)]
        label = f"{n.removesuffix('_conc')} (ng/mL)"
        fig.add_scatter(x=t, y=c, name=label, line=dict(color=color, width=1), legendgroup=n, row=1, col=1)
        fig.add_scatter(x=t[zoom], y=c[zoom], name=label, line=dict(color=color), legendgroup=n, showlegend=False,
                        row=1, col=2)
    for k, (drug, dt) in enumerate(times.items()):
        inside = dt[(dt >= t[0]) & (dt <= t[-1])]
        marker = dict(symbol="triangle-up", size=7, color="#444")
        fig.add_scatter(x=inside, y=np.zeros_like(inside), mode="markers", marker=marker, name=f"{drug} doses",
                        legendgroup=f"dose-{drug}", row=1, col=1)
        week = inside[(inside >= first) & (inside <= first + 7.0)]
        fig.add_scatter(x=week, y=np.zeros_like(week), mode="markers", marker=marker, name=f"{drug} doses",
                        legendgroup=f"dose-{drug}", showlegend=False, row=1, col=2)
    for n, label in (("lidocaine_patch_on", "lidocaine patches worn"), ("capsaicin_patch_on", "capsaicin patches worn"),
                     ("tens_on", "TENS on"), ("cbt_skill", "CBT skill"), ("exercise_habit", "exercise habit"),
                     ("sleep_hygiene_habit", "sleep-hygiene habit")):
        if n in _active(ds, (n,)):
            v = ds[n].isel(patient=0).values
            fig.add_scatter(x=t, y=v, name=f"{label} ({ds[n].attrs.get('units', '')}, right axis)",
                            line=dict(dash="dot"), yaxis="y3")
    if any(n in _active(ds, (n,)) for n in ("lidocaine_patch_on", "capsaicin_patch_on", "tens_on", "cbt_skill",
                                              "exercise_habit", "sleep_hygiene_habit")):
        fig.update_layout(yaxis3=dict(overlaying="y", side="right", title="programme / device", rangemode="tozero"))
    fig.update_layout(title=f"Treatments: {ds.attrs.get('treatments', '')}",
                      **{**_LAYOUT, "height": 440, "margin": dict(l=60, r=20, t=90, b=40)})
    fig.update_xaxes(title_text="day")
    fig.update_yaxes(title_text="plasma concentration (ng/mL)", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(rangemode="tozero", row=1, col=2)
    return fig


def side_effect_figure(ds: xr.Dataset) -> go.Figure:
    """Side effects (0-1 scores, daily mean) and drug-induced weight gain (kg)."""
    names = _active(ds, SIDE_EFFECTS)
    return _lines(ds, "Side effects", names + (["weight_gain"] if "weight_gain" in _active(ds, ("weight_gain",)) else []),
                  "score 0-1", secondary=["weight_gain"])


def named_figures(ds: xr.Dataset, loops: pd.DataFrame | None = None) -> list[tuple[str, go.Figure]]:
    """The report's figures with short names (file names of ``--figures``), in order."""
    figs = [("pain", pain_figure(ds)), ("cortisol", cortisol_figure(ds)), ("sleep", sleep_figure(ds)),
            ("mood", mood_figure(ds)), ("mechanism", mechanism_figure(ds)), ("symptoms", symptom_figure(ds)),
            ("function", function_figure(ds)), ("autonomic", autonomic_figure(ds)), ("gait", gait_figure(ds)),
            ("social", social_figure(ds))]
    if has_treatments(ds):
        figs += [("dosing", dosing_figure(ds)), ("side_effects", side_effect_figure(ds))]
    if loops is not None:
        figs.append(("loops", loop_figure(loops)))
    for _, f in figs:  # keep y tick labels clear of the x tick label at the origin
        f.update_yaxes(ticklabelstandoff=6)
    return figs


def all_figures(ds: xr.Dataset) -> list[go.Figure]:
    """The report's figures, in order (treatment panels only when the scenario has treatments)."""
    return [f for _, f in named_figures(ds)]


def overlay_figure(datasets: list[xr.Dataset], var: str, labels: list[str] | None = None) -> go.Figure:
    """Daily mean of ``var`` (patient 0) of several results on one axis, one line per result."""
    fig = go.Figure()
    for k, ds in enumerate(datasets):
        if var not in ds:
            raise ValueError(f"variable {var!r} is not in result {k + 1}; its variables: {', '.join(ds.data_vars)}")
        d = daily(ds, var)
        name = labels[k] if labels else ds.attrs.get("title", f"result {k + 1}").removeprefix("painloop simulation: ")
        fig.add_scatter(x=d["day"].values, y=d.values, name=name)
    unit = datasets[0][var].attrs.get("units", "")
    meaning = datasets[0][var].attrs.get("long_name", var)
    fig.update_layout(title=f"{meaning} (daily mean)", xaxis_title="day", yaxis_title=f"{var} ({unit})", **_LAYOUT)
    return fig
