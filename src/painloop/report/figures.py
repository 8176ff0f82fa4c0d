"""Plotly figures of one simulated patient, built from a results Dataset."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import xarray as xr
from plotly.subplots import make_subplots

_LAYOUT = dict(template="plotly_white", height=360, margin=dict(l=60, r=20, t=50, b=40),
               legend=dict(orientation="h", y=-0.2))


def daily(ds: xr.Dataset, var: str, how: str = "mean") -> xr.DataArray:
    """Per-day aggregate (mean, min or max) of ``var`` for patient 0, indexed by whole day."""
    da = ds[var].isel(patient=0)
    series = pd.Series(da.values, index=np.floor(da["time"].values))
    agg = getattr(series.groupby(level=0), how)()
    return xr.DataArray(agg.values, dims="day", coords={"day": agg.index.values}, attrs=da.attrs)


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
    return fig


def _profile_24h(ds: xr.Dataset, var: str, first_day: float, n_days: float) -> tuple[np.ndarray, np.ndarray]:
    da = ds[var].isel(patient=0)
    t = da["time"].values
    sel = (t >= first_day) & (t < first_day + n_days)
    hours = np.round((t[sel] % 1.0) * 24.0, 6)
    frame = xr.DataArray(da.values[sel], dims="t", coords={"hour": ("t", hours)})
    prof = frame.groupby("hour").mean()
    return prof["hour"].values, prof.values


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
    fig = make_subplots(specs=[[{"secondary_y": bool(secondary)}]])
    for v in variables:
        d = daily(ds, v)
        label = f"{v} ({ds[v].attrs.get('units', '')})"
        fig.add_scatter(x=d["day"].values, y=d.values, name=label, secondary_y=v in secondary)
    fig.update_layout(title=title, **_LAYOUT)
    fig.update_xaxes(title_text="day")
    fig.update_yaxes(title_text=y_title, secondary_y=False)
    return fig


def sleep_figure(ds: xr.Dataset) -> go.Figure:
    """Sleep per day (h, from the fraction asleep) and sleep quality (0-10)."""
    hours = daily(ds, "asleep") * 24.0
    quality = daily(ds, "sleep_quality")
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_scatter(x=hours["day"].values, y=hours.values, name="sleep obtained (h/day)")
    fig.add_scatter(x=quality["day"].values, y=quality.values, name="sleep quality (0-10)", secondary_y=True)
    fig.update_layout(title="Sleep", **_LAYOUT)
    fig.update_xaxes(title_text="day")
    fig.update_yaxes(title_text="h/day", secondary_y=False)
    fig.update_yaxes(title_text="quality 0-10", secondary_y=True, range=[0, 10])
    return fig


def mood_figure(ds: xr.Dataset) -> go.Figure:
    """Depression, anxiety, perceived stress and chronic stress load."""
    return _lines(ds, "Mood and stress", ["depression", "anxiety", "perceived_stress", "stress_load"], "score")


def mechanism_figure(ds: xr.Dataset) -> go.Figure:
    """Nerve damage, inflammation and sensitization."""
    return _lines(ds, "Nerve damage, inflammation and sensitization",
                  ["damage", "ectopic", "infl_peripheral", "infl_glial", "sens_peripheral", "sens_central"],
                  "fraction / relative")


def function_figure(ds: xr.Dataset) -> go.Figure:
    """Function and cognition (0-100) with fatigue (0-1)."""
    return _lines(ds, "Function, cognition and fatigue", ["function", "cognition", "fatigue"], "score 0-100",
                  secondary=["fatigue"])


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
SIDE_EFFECTS = ("drowsiness", "dizziness", "nausea", "cognitive_fog", "dry_mouth", "opioid_dependence",
                "opioid_withdrawal")


def has_treatments(ds: xr.Dataset) -> bool:
    """True when the dataset comes from a scenario with treatments (drug or non-drug)."""
    return bool(ds.attrs.get("treatments")) and "duloxetine_conc" in ds


def _active(ds: xr.Dataset, names: tuple[str, ...]) -> list[str]:
    return [n for n in names if n in ds and float(np.abs(ds[n].isel(patient=0)).max()) > 0.0]


def dosing_figure(ds: xr.Dataset) -> go.Figure:
    """Dosing timeline (the treatments) and plasma concentration of each drug given, relative to its peak."""
    fig = go.Figure()
    t = ds["time"].values
    for n in _active(ds, CONCENTRATIONS):
        c = ds[n].isel(patient=0).values
        fig.add_scatter(x=t, y=c / c.max(), name=f"{n.removesuffix('_conc')} (peak {c.max():.3g} mg/L)")
    for n, label in (("lidocaine_patch_on", "lidocaine patches worn"), ("capsaicin_patch_on", "capsaicin patches worn"),
                     ("tens_on", "TENS on"), ("cbt_skill", "CBT skill"), ("exercise_habit", "exercise habit"),
                     ("sleep_hygiene_habit", "sleep-hygiene habit")):
        if n in _active(ds, (n,)):
            v = ds[n].isel(patient=0).values
            fig.add_scatter(x=t, y=v / max(float(v.max()), 1e-12), name=label, line=dict(dash="dot"))
    fig.update_layout(title=f"Treatments: {ds.attrs.get('treatments', '')}", xaxis_title="day",
                      yaxis_title="relative to peak", **_LAYOUT)
    return fig


def side_effect_figure(ds: xr.Dataset) -> go.Figure:
    """Side effects (0-1 scores, daily mean) and drug-induced weight gain (kg)."""
    names = _active(ds, SIDE_EFFECTS)
    return _lines(ds, "Side effects", names + (["weight_gain"] if "weight_gain" in _active(ds, ("weight_gain",)) else []),
                  "score 0-1", secondary=["weight_gain"])


def all_figures(ds: xr.Dataset) -> list[go.Figure]:
    """The report's figures, in order (treatment panels only when the scenario has treatments)."""
    figs = [pain_figure(ds), cortisol_figure(ds), sleep_figure(ds), mood_figure(ds), mechanism_figure(ds),
            symptom_figure(ds), function_figure(ds)]
    if has_treatments(ds):
        figs += [dosing_figure(ds), side_effect_figure(ds)]
    return figs


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
