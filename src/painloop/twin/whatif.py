"""Forecasts from a fitted twin: "as is", named what-if changes, and what drives this person's pain.

Every forecast starts from the twin's state at the end of the last diary day,
one model patient per posterior draw (draws are the patient axis of one run
of the batched engine, :func:`painloop.simulate.simulate`), so each forecast
comes with a credible band. "As is" continues the person's usual time in bed
and stress (diary medians) and the medication of the last diary entry.

Changes a person can name (case-insensitive), see :data:`ALLOWED_CHANGES`:

* ``sleep +1h`` / ``sleep -0.5h``: hours in bed per night changed by that much
  (3-14 h);
* ``stress -30%``: external life stress scaled by (1 + percent/100);
* ``start cbt`` (or ``exercise``, ``sleep_hygiene``, ``tens``): a programme
  from day 0 of the forecast;
* ``start duloxetine 60 mg qd``: a drug regimen from day 0 (replaces the same
  drug if already taken);
* ``stop pregabalin``: the drug is stopped (must be in the current
  medication);
* ``exercise 3x/week``: the exercise programme with that many sessions per
  week (the scenario's ``sessions_per_week``; where the catalogue has no
  session schedule for exercise, its effects are scaled by sessions/3, the
  usual schedule of supervised-exercise trials).

This is a model of one person for research and education; it does not
recommend any change or dose.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from ..errors import PainloopInputError
from ..model import system
from ..treatments import DRUGS, THERAPIES
from . import _model as M

ALLOWED_CHANGES = (
    "sleep +1h (hours in bed per night, signed, e.g. 'sleep -0.5h')",
    "stress -30% (life stress, signed percent)",
    "start cbt | start exercise | start sleep_hygiene | start tens",
    "start <drug> <amount> mg <qd|bid|tid|qid|q<N>h> (e.g. 'start duloxetine 60 mg qd')",
    "stop <drug> (a drug of the diary's current medication, e.g. 'stop pregabalin')",
    "exercise 3x/week (1-7 sessions per week)",
)
EXERCISE_PARAMS = ("exercise_activity", "exercise_tension", "exercise_desc")
EXERCISE_REFERENCE_PER_WEEK = 3.0
"""Sessions per week that the catalogue's exercise effects stand for (assumption: supervised-exercise trials
typically run 3 sessions a week; Geneen 2017 Cochrane overview)."""
PATHWAYS: dict[str, dict[str, float]] = {
    "sleep": {"loop_sleep_to_pain": 0.0},
    "stress": {"loop_stress_to_pain": 0.0},
    "mood": {"loop_mood_to_pain": 0.0},
    "activity": {"g_msk_pain": 0.0, "loop_tension": 0.0},
    "damage": {"g_ectopic": 0.0},
}
"""How each pathway is cut to measure its contribution: sleep → pain sensitivity, chronic stress → pain, anxiety/
catastrophizing → pain, muscle tension and deconditioning → pain, and ectopic firing of damaged nerves."""


class ChangeError(PainloopInputError):
    """A what-if change that cannot be used; the message lists what is allowed."""


@dataclass
class Change:
    """A parsed what-if change: the scenario edits it makes and parameter factors."""

    text: str
    bed_h: float = 0.0
    stress_factor: float = 1.0
    add: list = field(default_factory=list)
    stop: list = field(default_factory=list)
    param_factors: dict = field(default_factory=dict)


def _allowed() -> str:
    return "allowed changes: " + "; ".join(f"'{a}'" for a in ALLOWED_CHANGES)


SLEEP_CHANGE_H = (-11.0, 11.0)
"""Allowed change of hours in bed per night, h: hours in bed are 3-14 h (the scenario schema), so no change larger
than the width of that range can be meant."""
STRESS_CHANGE_PCT = (-100.0, 700.0)
"""Allowed change of life stress, %: stress cannot fall below 0; life stress is 0-2 and the population median is
0.25 (painloop.population stress_median), so +700 % takes the median person to the top of the scale."""
MAX_FORECAST_DAYS = 52 * 7
"""Longest forecast, days (``weeks`` is 1-52)."""


def parse_change(text: str, regimen: Sequence[str] = (), horizon_days: float = MAX_FORECAST_DAYS) -> Change:
    """Parse a change string (forms in the module docstring); ``regimen`` is the current medication.

    ``horizon_days`` is the forecast length: a drug started later than that is refused.
    """
    t = " ".join(str(text).strip().lower().split())
    m = re.fullmatch(r"sleep ([+-]\d+(?:\.\d+)?) ?h(?:ours?)?", t)
    if m:
        lo, hi = SLEEP_CHANGE_H
        if not lo <= float(m[1]) <= hi:
            raise ChangeError(f"change {text!r}: hours in bed can change by {lo:+g} to {hi:+g} h (hours in bed are "
                              f"3-14 h per night)")
        return Change(text, bed_h=float(m[1]))
    m = re.fullmatch(r"stress ([+-]\d+(?:\.\d+)?) ?%", t)
    if m:
        pct = float(m[1])
        lo, hi = STRESS_CHANGE_PCT
        if pct < lo:
            raise ChangeError(f"change {text!r}: stress cannot fall by more than 100 %")
        if pct > hi:
            raise ChangeError(f"change {text!r}: stress can change by {lo:g} % to +{hi:g} % (life stress is 0-2; "
                              f"+{hi:g} % takes the median person to the top of the scale)")
        return Change(text, stress_factor=1.0 + pct / 100.0)
    m = re.fullmatch(r"exercise (\d+(?:\.\d+)?) ?x ?/ ?week", t)
    if m:
        n = float(m[1])
        if not 1 <= n <= 7:
            raise ChangeError(f"change {text!r}: sessions per week must be 1-7, got {n:g}")
        if getattr(THERAPIES["exercise"], "sessions_per_week", None) is not None:
            return Change(text, add=[{"therapy": "exercise", "start_day": 0.0, "sessions_per_week": n}])
        return Change(text, add=[{"therapy": "exercise", "start_day": 0.0}],
                      param_factors={p: n / EXERCISE_REFERENCE_PER_WEEK for p in EXERCISE_PARAMS})
    m = re.fullmatch(r"start (.+)", t)
    if m:
        what = m[1]
        if what in THERAPIES:
            return Change(text, add=[{"therapy": what, "start_day": 0.0}])
        drug = what.split()[0]
        if drug not in DRUGS:
            raise ChangeError(f"change {text!r}: unknown treatment {drug!r}; therapies: {', '.join(THERAPIES)}; "
                              f"drugs: {', '.join(DRUGS)}. {_allowed()}")
        from ..treatments import RegimenError, parse_regimen

        regimen_text = what if re.search(r"\b(from|at) day\b", what) else what + " from day 0"
        try:
            parse_regimen(regimen_text)
        except RegimenError as e:
            raise ChangeError(f"change {text!r}: {e}. {_allowed()}") from None
        _check_regimen(text, regimen_text, horizon_days)
        return Change(text, add=[regimen_text], stop=[drug])
    m = re.fullmatch(r"stop ([a-z_0-9]+)", t)
    if m:
        drug = m[1]
        current = [r.split()[0] for r in regimen]
        if drug not in current:
            raise ChangeError(f"change {text!r}: {drug} is not in the diary's current medication "
                              f"({', '.join(current) or 'none'})")
        return Change(text, stop=[drug])
    raise ChangeError(f"cannot read change {text!r}; {_allowed()}")


def _check_regimen(text: str, regimen_text: str, horizon_days: float) -> None:
    """Raise :class:`ChangeError` if the regimen breaks a scenario limit (dose maxima, days) within the forecast."""
    from ..scenario import ScenarioError, parse_scenario

    try:
        parse_scenario({"duration_days": float(horizon_days), "treatments": [regimen_text]}, "")
    except ScenarioError as e:
        detail = " ".join(line.strip() for line in str(e).splitlines()[1:]).replace("Value error, ", "")
        raise ChangeError(f"change {text!r}: {detail} (the forecast covers days 0-{horizon_days:g})") from None


def _scenario(twin: xr.Dataset, change: Change | None, weeks: float):
    """The forecast scenario for ``change`` (None: as is), day 0 = the day after the last diary day."""
    from ..scenario import builtin, parse_scenario

    regimen = json.loads(twin.attrs.get("regimen", "[]"))
    bed = float(twin.attrs["usual_bed_h"])
    stress = float(twin.attrs["usual_stress"])
    treatments: list = list(regimen)
    if change is not None:
        bed += change.bed_h
        stress *= change.stress_factor
        treatments = [r for r in treatments if r.split()[0] not in change.stop] + list(change.add)
    data = builtin(M.BASE_SCENARIO).model_dump(mode="json")
    data.update(name="twin forecast" + (f": {change.text}" if change else ": as is"), duration_days=7.0 * weeks,
                history_days=0, output={"every_hours": M.SEG_H}, solver={"rtol": M.RTOL_FIT, "atol": M.ATOL_FIT},
                treatments=treatments)
    data["cause"] = {**data["cause"], "onset_day": 0.0}
    data["sleep"] = {**data["sleep"], "hours_in_bed": float(np.clip(bed, 3.0, 14.0))}
    data["stress"] = {"baseline": float(np.clip(stress, 0.0, 2.0)), "schedule": []}
    return parse_scenario(data, "twin forecast")


def _run(twin: xr.Dataset, change: Change | None, weeks: float, draws: np.ndarray,
         extra: dict[str, np.ndarray] | None = None, repeat: int = 1,
         progress: Callable[[float], None] | None = None) -> np.ndarray:
    """Daily mean NRS (n_columns, days) of the forecast; columns = draws (tiled ``repeat`` times).

    ``progress`` is the solver's (fraction of the simulated time done).
    """
    from ..simulate import simulate

    sc = _scenario(twin, change, weeks)
    theta = np.tile(twin["theta_draws"].values[draws], (repeat, 1))
    base = M.base_params()
    p = {k: np.asarray(v) for k, v in M.personal_values(theta.T, base, np).items()}
    if change is not None:
        for name, factor in change.param_factors.items():
            p[name] = np.full(theta.shape[0], base[name] * factor)
    p.update(extra or {})
    y0 = np.tile(twin["state_end"].values[draws], (repeat, 1)).T
    _, _, _, onset_h = M.chronic_start()
    n_days = int(twin.attrs["n_days"])
    inputs: dict = {"onset_h": onset_h - 24.0 * (M.RUNIN_DAYS + n_days)}
    if not sc.treatments and np.any(np.abs(y0[system.N_CORE_STATES:]) > 0):
        inputs.update({k: np.asarray(v, dtype=float).reshape(-1, 1) if np.ndim(v) else v
                       for k, v in M.treated_inputs().items()})
    ds = simulate(sc, params=p, inputs=inputs, y0=y0, progress=progress)
    if not bool(ds["solver_ok"].all()):
        raise RuntimeError(f"the forecast '{sc.name}' did not complete")
    days = int(round(7 * weeks))
    nrs = ds["nrs"].values[:, : days * M.SAVES_PER_DAY]
    return nrs.reshape(nrs.shape[0], days, M.SAVES_PER_DAY).mean(axis=2)


def _draw_index(twin: xr.Dataset, n_draws: int | None) -> np.ndarray:
    total = twin.sizes["draw"]
    return np.arange(total if n_draws is None else min(n_draws, total))


def forecast(twin: xr.Dataset, changes: Sequence[str] = (), weeks: float = 8, n_draws: int | None = None,
             progress: Callable[[float], None] | None = None) -> xr.Dataset:
    """Daily NRS forecasts ``nrs`` (scenario, draw, day) for "as is" and each change, weeks ahead.

    ``progress`` is called with the fraction done (0-1; one share per scenario,
    advancing with its solver). Raises :class:`ChangeError` for a change that
    cannot be read (before any simulation runs).
    """
    if not 1 <= weeks <= 52:
        raise ChangeError(f"weeks must be 1-52, got {weeks:g}")
    regimen = json.loads(twin.attrs.get("regimen", "[]"))
    parsed = [parse_change(c, regimen, horizon_days=7.0 * weeks) for c in changes]
    draws = _draw_index(twin, n_draws)
    scenarios: list[Change | None] = [None, *parsed]

    def share(i: int) -> Callable[[float], None] | None:
        return None if progress is None else (lambda x: progress((i + x) / len(scenarios)))

    runs = [_run(twin, c, weeks, draws, progress=share(i)) for i, c in enumerate(scenarios)]
    last = pd.Timestamp(twin["day"].values[-1])
    days = last + pd.to_timedelta(np.arange(1, runs[0].shape[1] + 1), unit="D")
    return xr.Dataset({"nrs": (("scenario", "draw", "day"), np.stack(runs),
                               {"units": "NRS 0-10", "long_name": "forecast daily mean pain"})},
                      coords={"scenario": ["as is"] + [c.text for c in parsed], "draw": draws, "day": days})


def compare(fc: xr.Dataset, window_days: int = 28) -> pd.DataFrame:
    """Per scenario: mean NRS over the last ``window_days`` of the forecast with a 90 % band, and the change vs as is.

    The change is computed per posterior draw (paired), so its band reflects
    uncertainty about this person, not day-to-day noise.
    """
    w = min(window_days, fc.sizes["day"])
    mean = fc["nrs"].isel(day=slice(-w, None)).mean("day").values  # (scenario, draw)
    delta = mean - mean[0:1]
    rows = []
    for i, name in enumerate(fc["scenario"].values):
        rows.append({"scenario": str(name), "nrs_mean": float(mean[i].mean()),
                     "nrs_lo": float(np.quantile(mean[i], 0.05)), "nrs_hi": float(np.quantile(mean[i], 0.95)),
                     "change_vs_as_is": float(delta[i].mean()), "change_lo": float(np.quantile(delta[i], 0.05)),
                     "change_hi": float(np.quantile(delta[i], 0.95))})
    return pd.DataFrame(rows)


def drivers(twin: xr.Dataset, weeks: float = 4, n_draws: int | None = 16,
            progress: Callable[[float], None] | None = None) -> pd.DataFrame:
    """What drives this person's pain: mean NRS carried by each pathway (cut it, measure the drop), 90 % band.

    One batched run of "as is" for ``weeks``: columns are posterior draws ×
    (nominal + one cut per pathway of :data:`PATHWAYS`). Sorted, largest first.
    ``progress`` is the run's (fraction of the simulated time done).
    """
    draws = _draw_index(twin, n_draws)
    nd, names = draws.size, list(PATHWAYS)
    extra: dict[str, np.ndarray] = {}
    base = M.base_params()
    theta = np.tile(twin["theta_draws"].values[draws], (len(names) + 1, 1))
    personal = {k: np.asarray(v) for k, v in M.personal_values(theta.T, base, np).items()}
    for j, name in enumerate(names):
        for param, value in PATHWAYS[name].items():
            arr = extra.setdefault(param, np.array(personal.get(param, np.full(theta.shape[0], base[param])), dtype=float))
            arr[(j + 1) * nd:(j + 2) * nd] = value
    nrs = _run(twin, None, weeks, draws, extra=extra, repeat=len(names) + 1, progress=progress).mean(axis=1).reshape(len(names) + 1, nd)
    rows = []
    for j, name in enumerate(names):
        d = nrs[0] - nrs[j + 1]
        rows.append({"pathway": name, "contribution_nrs": float(d.mean()), "lo": float(np.quantile(d, 0.05)),
                     "hi": float(np.quantile(d, 0.95))})
    return pd.DataFrame(rows).sort_values("contribution_nrs", ascending=False, ignore_index=True)
