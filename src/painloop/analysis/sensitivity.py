"""Global sensitivity of an outcome to parameters (SALib): Morris screening and Sobol indices.

Morris (cheap screen): every trajectory point is a patient of one batched
simulation, so 20 parameters × 10 trajectories is a single run of 210
patients. Sobol (variance decomposition): Saltelli's sample of N·(k+2)
points runs through the sweep machinery (:mod:`painloop.sweep`: shards, Dask,
a resumable Zarr store), then SALib's ``sobol.analyze`` gives first-order
(S1) and total-order (ST) indices with bootstrap confidence intervals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.sample import morris as morris_sample

from ..model import system
from ..scenario import Scenario
from ..simulate import simulate

DEFAULT_PARAMETERS: tuple[str, ...] = (
    "g_ectopic", "k_csens_on", "tau_csens_off", "g_csens_gain", "k_nrs", "w_csens_stress", "w_desc_stress",
    "w_desc_depression", "k_stress_pain", "g_sleep_pain", "g_sleep_debt_pain", "k_arousal_pain", "g_anx_pain",
    "w_dep_pain", "w_anx_pain", "k_tension_pain", "g_msk_pain", "k_glia_ectopic", "g_gaba_damage", "k_infl_damage",
)


def morris_sensitivity(scenario: Scenario, names: Sequence[str] = DEFAULT_PARAMETERS, *, spread: float = 2.0,
                       trajectories: int = 10, window_days: float = 28.0, seed: int = 0,
                       ranges: Mapping[str, tuple[float, float]] | None = None, output: str = "nrs",
                       progress: Callable[[float], None] | None = None) -> pd.DataFrame:
    """Morris screening of the mean of ``output`` (default NRS) over the last ``window_days`` days.

    Each parameter varies on a log scale from nominal/``spread`` to nominal×``spread``, or
    uniformly over ``ranges[name] = (low, high)`` when ranges are given (then ``names`` are
    the keys of ``ranges``). Returns one row per parameter with ``mu_star`` (unit of the
    output, NRS points for nrs: mean absolute elementary effect across the range), ``sigma``
    (interaction/non-linearity) and ``mu_star_conf``, sorted by ``mu_star``.
    """
    nominal = {**system.default_params(), **scenario.params}
    if ranges:
        names = list(ranges)
    unknown = sorted(set(names) - set(nominal))
    if unknown:
        raise KeyError(f"unknown parameter(s) {unknown}; see `painloop params`")
    if ranges:
        problem = {"num_vars": len(names), "names": list(names), "bounds": [list(ranges[n]) for n in names]}
        x = morris_sample.sample(problem, N=trajectories, num_levels=4, seed=seed)
        params = {name: x[:, i] for i, name in enumerate(names)}
    else:
        problem = {"num_vars": len(names), "names": list(names),
                   "bounds": [[-np.log(spread), np.log(spread)]] * len(names)}
        x = morris_sample.sample(problem, N=trajectories, num_levels=4, seed=seed)
        params = {name: nominal[name] * np.exp(x[:, i]) for i, name in enumerate(names)}
    ds = simulate(scenario, params, progress=progress)
    t = ds["time"].values
    y = ds[output].isel(time=t >= t[-1] - window_days).mean("time").values
    result = morris_analyze.analyze(problem, x, y, num_levels=4, seed=seed)
    frame = pd.DataFrame({"parameter": list(names), "mu_star": result["mu_star"], "sigma": result["sigma"],
                          "mu_star_conf": result["mu_star_conf"]})
    return frame.sort_values("mu_star", ascending=False, ignore_index=True)


class SensitivityError(ValueError):
    """Bad sensitivity input (parameter range, file) or an analysis that cannot be computed; the message says which."""


def parse_param_range(text: str) -> tuple[str, float, float]:
    """``NAME=LOW:HIGH`` → (name, low, high), with low < high."""
    name, sep, rng = text.partition("=")
    low_txt, sep2, high_txt = rng.partition(":")
    if not sep or not sep2 or not name.strip():
        raise SensitivityError(f"--param {text!r}: expected NAME=LOW:HIGH, e.g. k_nrs=1.5:3")
    try:
        low, high = float(low_txt), float(high_txt)
    except ValueError:
        raise SensitivityError(f"--param {text!r}: LOW and HIGH must be numbers") from None
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise SensitivityError(f"--param {text!r}: need finite LOW < HIGH, got {low:g}:{high:g}")
    return name.strip(), low, high


def load_param_ranges(path: str | Path) -> dict[str, tuple[float, float]]:
    """Ranges from a YAML file: ``NAME: [LOW, HIGH]`` or ``NAME: {low: LOW, high: HIGH}`` per line."""
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SensitivityError(f"--params-file {path}: file not found") from None
    except yaml.YAMLError as e:
        raise SensitivityError(f"--params-file {path}: not valid YAML: {e}") from None
    if not isinstance(data, dict) or not data:
        raise SensitivityError(f"--params-file {path}: expected a mapping NAME: [LOW, HIGH]")
    out = {}
    for name, v in data.items():
        lo_hi = [v.get("low"), v.get("high")] if isinstance(v, dict) else v
        if not isinstance(lo_hi, (list, tuple)) or len(lo_hi) != 2:
            raise SensitivityError(f"--params-file {path}: {name}: expected [LOW, HIGH] or {{low:, high:}}, got {v!r}")
        out[str(name)] = parse_param_range(f"{name}={lo_hi[0]}:{lo_hi[1]}")[1:]
    return out


class SobolRunsFailed(SensitivityError):
    """The analysis could not use the sweep: it is incomplete or some runs failed to integrate."""


@dataclass
class SobolResult:
    """Sobol indices of one output: the table, and what they were computed on (for the report)."""

    table: pd.DataFrame
    output: str
    unit: str
    window: str
    ranges: dict[str, tuple[float, float]]
    n_base: int
    n_runs: int
    conf_level: float
    scenario: str = ""
    failed: int = 0
    notes: list[str] = field(default_factory=list)


def sobol_indices(values: np.ndarray, names: Sequence[str], *, second_order: bool = False, conf_level: float = 0.95,
                  num_resamples: int = 1000, seed: int = 0) -> pd.DataFrame:
    """First- and total-order Sobol indices (SALib ``sobol.analyze``) of outputs in Saltelli order.

    Columns: ``parameter``, ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (half-widths of the
    bootstrap ``conf_level`` intervals), sorted by ``ST``.
    """
    from SALib.analyze import sobol as sobol_analyze

    problem = {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}
    r = sobol_analyze.analyze(problem, np.asarray(values, dtype=float), calc_second_order=second_order,
                              num_resamples=num_resamples, conf_level=conf_level, seed=seed, print_to_console=False)
    frame = pd.DataFrame({"parameter": list(names), "S1": r["S1"], "S1_conf": r["S1_conf"], "ST": r["ST"],
                          "ST_conf": r["ST_conf"]})
    return frame.sort_values("ST", ascending=False, ignore_index=True)


def sobol_spec(scenario: Scenario, ranges: Mapping[str, tuple[float, float]], *, output: str = "nrs",
               window_days: float = 28.0, n: int = 64, seed: int = 0, shard_size: int = 64) -> dict[str, Any]:
    """The sweep specification of a Sobol analysis: Saltelli design over ``ranges`` (uniform), one summary ``y``."""
    return {"name": f"sobol-{scenario.name}", "scenario": scenario.model_dump(mode="json"),
            "vary": {k: {"low": float(lo), "high": float(hi)} for k, (lo, hi) in ranges.items()},
            "design": {"type": "sobol", "n": n},
            "outputs": {"summaries": [{"var": output, "stat": "mean", "window": {"last_days": window_days},
                                       "name": "y"}]},
            "shard_size": shard_size, "seed": seed}


def sobol_from_sweep(sweep, store: str | Path, output: str = "y", *, client: Any = None, progress: Any = None,
                     conf_level: float = 0.95, num_resamples: int = 1000) -> tuple[pd.DataFrame, int]:
    """Run (or resume) a Sobol-design sweep into ``store`` and analyse ``output``; returns indices and failures.

    Raises :class:`SensitivityError` if the sweep did not finish or if a run failed (the indices
    need every point of the Saltelli sample).
    """
    from ..sweep import open_sweep, run_sweep
    from ..sweep._spec import SobolDesign

    if not isinstance(sweep.spec.design, SobolDesign):
        raise SensitivityError(f"Sobol indices need design type sobol, got {sweep.spec.design.type}")
    run = run_sweep(sweep, store, client=client, progress=progress)
    if not run.complete:
        raise SobolRunsFailed(f"the sweep in {store} is not complete; run again to continue")
    ds = open_sweep(store)
    ok = ds["solver_ok"].values
    if (ok == 0).any():
        raise SobolRunsFailed(f"{int((ok == 0).sum())} of {ok.size} runs failed to integrate (solver_ok = 0 in "
                               f"{store}); Sobol indices need every point: narrow the ranges or loosen the tolerance")
    y = ds[output].values
    table = sobol_indices(y, list(sweep.spec.vary), second_order=sweep.spec.design.second_order,
                          conf_level=conf_level, num_resamples=num_resamples, seed=sweep.spec.seed)
    return table, int(run.failed_patients)


def sobol_sensitivity(scenario: Scenario, ranges: Mapping[str, tuple[float, float]], store: str | Path, *,
                      output: str = "nrs", window_days: float = 28.0, n: int = 64, seed: int = 0,
                      shard_size: int = 64, client: Any = None, progress: Any = None, conf_level: float = 0.95,
                      num_resamples: int = 1000) -> SobolResult:
    """Sobol first- and total-order indices of the mean of ``output`` over the last ``window_days`` days.

    Parameters vary uniformly over ``ranges[name] = (low, high)`` (their own units); N = ``n``
    base samples give n·(k+2) runs, in shards of ``shard_size`` through the sweep machinery
    into ``store`` (resumable; ``client`` a Dask client or None for this process).
    """
    from ..model import system as _system
    from ..sweep import SweepSpecError, parse_sweep_spec, resolve_sweep

    if output not in {s.name for s in _system.STATES} | {o.name for o in _system.OUTPUTS}:
        raise SensitivityError(f"unknown output {output!r}; allowed: the states and outputs of the model, e.g. nrs")
    try:
        spec = parse_sweep_spec(sobol_spec(scenario, ranges, output=output, window_days=window_days, n=n, seed=seed,
                                           shard_size=shard_size), "(sensitivity)")
        sweep = resolve_sweep(spec)
    except SweepSpecError as e:
        raise SensitivityError(str(e)) from None
    table, failed = sobol_from_sweep(sweep, store, client=client, progress=progress, conf_level=conf_level,
                                     num_resamples=num_resamples)
    table.insert(1, "low", [ranges[p][0] for p in table["parameter"]])
    table.insert(2, "high", [ranges[p][1] for p in table["parameter"]])
    units = {s.name: s.unit for s in _system.STATES} | {o.name: o.unit for o in _system.OUTPUTS}
    unit = "NRS points (0-10)" if output == "nrs" else units[output]
    return SobolResult(table, output, unit, f"last {window_days:g} days", dict(ranges), n, sweep.plan.n, conf_level,
                       scenario.name, failed)


def sobol_figure(result: SobolResult):
    """Bar chart of S1 and ST per parameter with their bootstrap intervals as error bars (plotly)."""
    import plotly.graph_objects as go

    t = result.table
    fig = go.Figure([
        go.Bar(name="first order S1", x=t["parameter"], y=t["S1"],
               error_y={"type": "data", "array": t["S1_conf"], "visible": True}),
        go.Bar(name="total order ST", x=t["parameter"], y=t["ST"],
               error_y={"type": "data", "array": t["ST_conf"], "visible": True}),
    ])
    fig.update_layout(
        barmode="group", template="plotly_white", height=480, width=max(720, 100 * len(t) + 240),
        title=(f"Sobol indices of mean {result.output} ({result.unit}) over the {result.window}<br>"
               f"<sup>{result.scenario}; N = {result.n_base}, {result.n_runs} runs; "
               f"{100 * result.conf_level:g} % bootstrap intervals</sup>"),
        yaxis_title="share of output variance", xaxis_title="parameter (uniform over its range)",
        xaxis_tickangle=-25, margin={"b": 150}, legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.08})
    return fig


def render_sobol_report(result: SobolResult) -> str:
    """Self-contained HTML: what was varied (ranges), the output, window and unit, the chart and the table."""
    import html

    from .. import DISCLAIMER, __version__

    fig = sobol_figure(result).to_html(full_html=False, include_plotlyjs="inline")
    esc = html.escape
    rows = "".join(f"<tr><td>{esc(r.parameter)}</td><td>{r.low:.6g}</td><td>{r.high:.6g}</td><td>{r.S1:.3f} ± "
                   f"{r.S1_conf:.3f}</td><td>{r.ST:.3f} ± {r.ST_conf:.3f}</td></tr>" for r in result.table.itertuples())
    notice = f"<p class='disclaimer'><b>Research and education only.</b> {esc(DISCLAIMER)}</p>"
    title = f"Sobol sensitivity: {esc(result.scenario)}"
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}} td:first-child{{text-align:left}}
.disclaimer{{background:#fff4d6;padding:.5em}}</style></head><body>
<h1>{title}</h1>{notice}
<p id="setting">Output: mean <b>{esc(result.output)}</b> over the <b>{esc(result.window)}</b> of the reported period,
unit <b>{esc(result.unit)}</b>. Each parameter varies uniformly between the low and high values below (its own unit,
see <code>painloop params</code>); Saltelli sample with N = {result.n_base} base points, {result.n_runs} runs;
failed runs: {result.failed}. S1: share of the output variance explained by the parameter alone; ST: including its
interactions. Intervals: {100 * result.conf_level:g} % bootstrap (SALib). painloop {esc(__version__)}.</p>
<div class="figure">{fig}</div>
<table id="indices"><tr><th>parameter</th><th>low</th><th>high</th><th>S1</th><th>ST</th></tr>{rows}</table>
{notice}</body></html>"""
