"""Evaluators of the target checks: each turns a simulated population into the published quantity.

Populations are simulated once per (cause, follow-up, fixed covariates) and shared by every target that needs
them (:class:`PopulationCache`). Definitions, stated once here:

* a *painful* day: daily mean NRS ≥ ``threshold``; *any symptom*: NRS, numbness or burning ≥ 1;
* a symptom is *present* when its daily mean score (0-10) is ≥ ``symptom_threshold`` (default 1);
* ``after=chemo_end``: days count from each patient's last infusion;
* trial checks run the built-in ``finnerup`` design (:mod:`painloop.trials`).
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import xarray as xr

from ..population import PopulationSpec
from ..population.run import PopulationRun, run_population
from .targets import Target

# how long each cause's population is followed (days), enough for every target that uses it
_FOLLOW_DAYS = {"shingles": 366, "chemotherapy": 420, "trauma": 181, "alcohol": 366, "diabetes": 28}


class NotEvaluable(Exception):
    """The model cannot produce this quantity (e.g. a readout it does not have yet)."""


@dataclass
class PopulationCache:
    """Simulated community populations shared between targets; ``n`` patients each, one ``seed``."""

    n: int = 200
    seed: int = 7
    diabetes_years: float = 2.0
    progress: Callable[[str], None] | None = None
    overrides: dict[str, float] = field(default_factory=dict)
    store: dict = field(default_factory=dict)

    def get(self, cause: str, fixed: dict[str, float] | None = None, days: int | None = None,
            kind: str = "community") -> xr.Dataset:
        """The population of ``cause`` (simulated on first use); ``kind`` "trial" draws clinical trial candidates
        (see :class:`painloop.population.PopulationSpec`) instead of a community sample."""
        fixed = dict(fixed or {})
        days = days or _FOLLOW_DAYS.get(cause, 181)
        key = (cause, tuple(sorted(fixed.items())), days, kind)
        if key not in self.store:
            if self.progress:
                self.progress(f"simulating {self.n} patients ({cause}{', ' + str(fixed) if fixed else ''}"
                              f"{', ' + kind if kind != 'community' else ''}), {days} days")
            spec = PopulationSpec(cause=cause, kind=kind, fixed=fixed, overrides=dict(self.overrides),
                                  history_years=max(0.5, self.diabetes_years))
            run = PopulationRun(name=f"validate-{cause}", n=self.n, seed=self.seed, days=days, population=spec,
                                chunk_size=min(self.n, 200), output={"every_hours": 6})
            self.store[key] = run_population(run)
        return self.store[key]


def _readout(ds: xr.Dataset, name: str) -> np.ndarray:
    """Daily values (patients × days) of a readout.

    ``any_symptom`` is the largest neuropathic symptom: neuropathic pain, numbness or tingling (the symptoms of
    CIPN questionnaires; the musculoskeletal and inflammatory pain components are not neuropathy).
    """
    if name == "any_symptom":
        return np.maximum.reduce([ds["neuropathic_pain"].values, ds["numbness"].values, ds["tingling"].values])
    if name not in ds:
        raise NotEvaluable(f"the model has no readout {name!r} yet")
    return ds[name].values


def _day_index(ds: xr.Dataset, s: dict[str, str]) -> np.ndarray:
    """Per-patient day index of the look (``day``, counted from the last infusion if ``after=chemo_end``)."""
    day = np.full(ds.sizes["patient"], float(s.get("day", 0)))
    if s.get("after") == "chemo_end":
        day = day + (ds["cov_cycles"].values - 1) * ds["cov_cycle_days"].values
    idx = np.round(day).astype(int)
    if idx.max() >= ds.sizes["day"]:
        raise NotEvaluable(f"the population is followed for {ds.sizes['day']} days, the check needs day {idx.max()}")
    return idx


def _at(x: np.ndarray, idx: np.ndarray) -> np.ndarray:
    return x[np.arange(x.shape[0]), idx]


def _covariate(ds: xr.Dataset, name: str) -> np.ndarray:
    if name == "acute_peak_nrs":
        return ds["nrs"].values[:, :21].max(axis=1)
    return ds[f"cov_{name}"].values


def _mask(ds: xr.Dataset, s: dict[str, str], idx: np.ndarray) -> np.ndarray:
    """Patients who meet the target's population filters (solver success, age, damage at the look)."""
    m = ds["solver_ok"].values.astype(bool)
    if "age_min" in s:
        m &= ds["cov_age"].values >= float(s["age_min"])
    if "age_max" in s:
        m &= ds["cov_age"].values < float(s["age_max"])
    damage = _at(ds["damage"].values, idx)
    if "damage_min" in s:
        m &= damage >= float(s["damage_min"])
    if "damage_max" in s:
        m &= damage < float(s["damage_max"])
    return m


def _fixed(s: dict[str, str]) -> dict[str, float]:
    return {k.removeprefix("fixed_"): float(v) for k, v in s.items() if k.startswith("fixed_")}


def _outcome(ds: xr.Dataset, s: dict[str, str]) -> tuple[np.ndarray, np.ndarray]:
    idx = _day_index(ds, s)
    y = _at(_readout(ds, s.get("readout", "nrs")), idx) >= float(s.get("threshold", 1.0))
    return y, idx


def _share(y: np.ndarray, m: np.ndarray) -> tuple[float, int]:
    if m.sum() == 0:
        raise NotEvaluable("no simulated patient meets the target's population filters")
    return float(y[m].mean()), int(m.sum())


def check_prevalence(t: Target, cache: PopulationCache) -> tuple[float, int]:
    ds = cache.get(t.settings["cause"], _fixed(t.settings))
    y, idx = _outcome(ds, t.settings)
    return _share(y, _mask(ds, t.settings, idx))


def _groups(ds: xr.Dataset, s: dict[str, str], m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = _covariate(ds, s["covariate"])
    (a_lo, a_hi), (b_lo, b_hi) = ([float(v) for v in s[g].split(":")] for g in ("a", "b"))
    return m & (x >= a_lo) & (x < a_hi), m & (x >= b_lo) & (x < b_hi)


def check_relative_risk(t: Target, cache: PopulationCache) -> tuple[float, int]:
    ds = cache.get(t.settings["cause"], _fixed(t.settings))
    y, idx = _outcome(ds, t.settings)
    ga, gb = _groups(ds, t.settings, _mask(ds, t.settings, idx))
    pa, na = _share(y, ga)
    pb, nb = _share(y, gb)
    return (pa / pb if pb > 0 else math.inf), na + nb


def check_odds_ratio(t: Target, cache: PopulationCache) -> tuple[float, int]:
    ds = cache.get(t.settings["cause"], _fixed(t.settings))
    y, idx = _outcome(ds, t.settings)
    ga, gb = _groups(ds, t.settings, _mask(ds, t.settings, idx))
    pa, na = _share(y, ga)
    pb, nb = _share(y, gb)
    # Haldane-Anscombe correction (+0.5 per cell) keeps the OR finite when a share is 0 or 1
    ya, yb = pa * na, pb * nb
    odds = lambda k, n: (k + 0.5) / (n - k + 0.5)  # noqa: E731
    return odds(ya, na) / odds(yb, nb), na + nb


def check_symptom_share(t: Target, cache: PopulationCache) -> tuple[float, int]:
    ds = cache.get(t.settings["cause"])
    painful = ds["nrs"].values[:, 0] >= float(t.settings.get("painful", 3.0))
    present = _readout(ds, t.settings["readout"])[:, 0] >= float(t.settings.get("symptom_threshold", 1.0))
    return _share(present, painful & ds["solver_ok"].values.astype(bool))


def check_mood_prevalence(t: Target, cache: PopulationCache) -> tuple[float, int]:
    ds = cache.get(t.settings["cause"], kind=t.settings.get("kind", "community"))
    painful = ds["nrs"].values[:, 0] >= float(t.settings.get("painful", 4.0))
    case = ds[t.settings["readout"]].values[:, 0] >= float(t.settings.get("case", 0.5))
    return _share(case, painful & ds["solver_ok"].values.astype(bool))


def check_within_person_sd(t: Target, cache: PopulationCache) -> tuple[float, int]:
    ds = cache.get(t.settings["cause"])
    days = int(t.settings.get("days", 28))
    nrs = ds["nrs"].values[:, :days]
    m = (nrs.mean(axis=1) >= float(t.settings.get("painful", 3.0))) & ds["solver_ok"].values.astype(bool)
    if m.sum() == 0:
        raise NotEvaluable("no simulated patient meets the target's population filters")
    return float(nrs[m].std(axis=1, ddof=1).mean()), int(m.sum())


def check_course_ratio(t: Target, cache: PopulationCache) -> tuple[float, int]:
    s = t.settings
    ds = cache.get(s["cause"])
    a, b = int(s["day_a"]), int(s["day_b"])
    if a >= ds.sizes["day"]:
        raise NotEvaluable(f"the population is followed for {ds.sizes['day']} days, the check needs day {a}")
    recovered = (ds["nrs"].values[:, a] < float(s.get("recovered_below", 1.0))) & ds["solver_ok"].values.astype(bool)
    if recovered.sum() == 0:
        raise NotEvaluable("no simulated patient recovered, so the course of the recovered cannot be measured")
    v = ds[s["variable"]].values
    base = v[recovered, b].mean()
    return (float(v[recovered, a].mean() / base) if base > 0 else math.nan), int(recovered.sum())


def check_no_cause_readout(t: Target, cache: PopulationCache) -> tuple[float, int]:
    from ..scenario import parse_scenario
    from ..simulate import simulate

    s = t.settings
    days = int(s.get("days", 120))
    sc = parse_scenario({"name": "no-cause-stress", "duration_days": days, "history_days": 0, "cause": {"type": "none"},
                         "stress": {"baseline": float(s.get("stress", 1.0))}, "output": {"every_hours": 6},
                         "solver": {"rtol": 1e-4, "atol": 1e-6}})
    ds = simulate(sc)
    readout = s.get("readout", "burning")
    if readout not in ds:
        raise NotEvaluable(f"the model has no readout {readout!r}")
    return float(np.max(ds[readout].values[:, -4 * 30:])), 1


@dataclass
class TrialCache:
    """The built-in ``finnerup`` trial run once at ``seed`` with ``n`` patients per arm (endpoints shared)."""

    n: int = 100
    seed: int = 7
    progress: Callable[[str], None] | None = None
    overrides: dict[str, float] = field(default_factory=dict)
    endpoints: object = None

    def get(self):
        if self.endpoints is None:
            from ..trials import builtin_design, run_trial
            from ..trials._design import parse_design
            from ..trials.endpoints import endpoint_table

            d = builtin_design("finnerup")
            data = d.model_dump(mode="json")
            data["seed"] = self.seed
            data["population"]["overrides"] = dict(self.overrides)
            data["endpoints"]["bootstrap"] = 200
            for arm in data["arms"]:
                arm["n"] = self.n
            result = run_trial(parse_design(data, "validation"), progress=self.progress)
            self.endpoints = endpoint_table(result).set_index("arm")
        return self.endpoints


def check_trial_nnt(t: Target, trials: TrialCache) -> tuple[float, int]:
    e = trials.get()
    return float(e.loc[t.settings["arm"], "nnt_50"]), int(e.loc[t.settings["arm"], "n_randomized"])


def check_trial_nnh(t: Target, trials: TrialCache) -> tuple[float, int]:
    """The virtual population's NNH (expected AE dropouts): a pooled published NNH rests on thousands of patients,
    so one simulated trial's dropout lottery (about ±30 % at 300 per arm) is not what it is compared with."""
    e = trials.get()
    return float(e.loc[t.settings["arm"], "nnh_expected"]), int(e.loc[t.settings["arm"], "n_randomized"])


def check_placebo_responders(t: Target, trials: TrialCache) -> tuple[float, int]:
    e = trials.get()
    row = e.loc["placebo"]
    return float(row[f"responders_{t.settings['level']}"]), int(row["n_randomized"])


POPULATION_CHECKS = {"prevalence": check_prevalence, "relative_risk": check_relative_risk,
                     "odds_ratio": check_odds_ratio, "symptom_share": check_symptom_share,
                     "mood_prevalence": check_mood_prevalence, "within_person_sd": check_within_person_sd,
                     "course_ratio": check_course_ratio, "no_cause_readout": check_no_cause_readout}
TRIAL_CHECKS = {"trial_nnt": check_trial_nnt, "trial_nnh": check_trial_nnh,
                "placebo_responders": check_placebo_responders}


@dataclass(frozen=True)
class _Column:
    """One variable of a resampled population (patients first), as ``ds[name]`` offers it: ``.values``."""

    values: np.ndarray


class _ResampledPopulation:
    """A simulated population with its patients drawn again with replacement (one bootstrap resample).

    Offers what the checks read of a Dataset (``ds[name].values``, ``ds.sizes``, ``name in ds``) and takes
    only the variables a check reads, so a resample costs the arrays used, not a copy of the whole Dataset.
    """

    def __init__(self, ds: xr.Dataset, idx: np.ndarray) -> None:
        self._ds, self._idx = ds, idx
        self.sizes = dict(ds.sizes)

    def __contains__(self, name: str) -> bool:
        return name in self._ds

    def __getitem__(self, name: str) -> _Column:
        return _Column(self._ds[name].values[self._idx])


@dataclass
class _ResamplingCache:
    """Stands in for a :class:`PopulationCache`: each population it hands out is resampled by ``rng``."""

    base: PopulationCache
    rng: np.random.Generator

    def get(self, cause: str, fixed: dict[str, float] | None = None, days: int | None = None,
            kind: str = "community") -> _ResampledPopulation:
        ds = self.base.get(cause, fixed, days, kind)
        n = ds.sizes["patient"]
        return _ResampledPopulation(ds, self.rng.integers(0, n, n))


BOOTSTRAP_LEVEL = 0.95
"""Coverage of the simulated value's Monte-Carlo interval (percentile bootstrap over the virtual patients)."""


def bootstrap_interval(t: Target, cache: PopulationCache, resamples: int, seed: int = 0) -> tuple[float, float]:
    """Percentile interval of a population check's value over ``resamples`` bootstrap resamples of its patients.

    Why: a simulated figure rests on a finite virtual population (200 patients by default), so a value outside
    the published interval may be sampling error rather than a model error; this interval tells which. NaN, NaN
    when the check does not rest on a population sample (e.g. one deterministic run) or no resample is evaluable.
    """
    fn = POPULATION_CHECKS.get(t.check)
    if fn is None or t.check == "no_cause_readout" or resamples < 2:
        return math.nan, math.nan
    rng = np.random.default_rng([seed, zlib.crc32(t.target_id.encode())])
    values = []
    for _ in range(resamples):
        try:
            v, _n = fn(t, _ResamplingCache(cache, rng))
        except NotEvaluable:
            continue
        if math.isfinite(v):
            values.append(v)
    if len(values) < resamples // 2:
        return math.nan, math.nan
    tail = 50.0 * (1.0 - BOOTSTRAP_LEVEL)
    lo, hi = np.percentile(values, [tail, 100.0 - tail])
    return float(lo), float(hi)


def _trial_interval(t: Target, trials: TrialCache) -> tuple[float, float]:
    """The trial's own bootstrap interval of an NNT (the endpoint table's); NaN, NaN for other trial checks."""
    if t.check != "trial_nnt":
        return math.nan, math.nan
    row = trials.get().loc[t.settings["arm"]]
    lo, hi = row["nnt_50_ci_low"], row["nnt_50_ci_high"]
    return (float(lo), float(hi)) if lo is not None and hi is not None else (math.nan, math.nan)


@dataclass
class Outcome:
    """The result of one check: simulated value (NaN if not run), patients it rests on, pass, and a note.

    ``sim_low``/``sim_high``: the simulated value's Monte-Carlo interval (NaN when not computed);
    ``verdict``: ``pass``, ``fail`` (the interval excludes the published interval too: a model miss),
    ``fail, within sampling error`` (the simulated interval overlaps the published one: more patients may
    pass), ``not evaluable`` or ``not run``.
    """

    simulated: float
    n_patients: int
    passed: bool | None
    note: str = ""
    sim_low: float = math.nan
    sim_high: float = math.nan
    verdict: str = ""


def verdict(t: Target, passed: bool | None, sim_low: float, sim_high: float) -> str:
    """The verdict of a check that ran or was not run (see :class:`Outcome`)."""
    if passed is None:
        return "not run"
    if passed:
        return "pass"
    if math.isfinite(sim_low) and math.isfinite(sim_high) and sim_low <= t.high and sim_high >= t.low:
        return "fail, within sampling error"
    return "fail"


def evaluate(t: Target, cache: PopulationCache, trials: TrialCache | None, bootstrap: int = 200) -> Outcome:
    """Run one target's check; trial checks only when ``trials`` is given (they cost a full virtual trial).

    ``bootstrap`` resamples of the virtual patients give the simulated value's Monte-Carlo interval
    (:func:`bootstrap_interval`; 0 computes none).
    """
    if t.check in TRIAL_CHECKS:
        if trials is None:
            return Outcome(math.nan, 0, None, "not run (trial checks need --trials)", verdict="not run")
        fn = lambda: TRIAL_CHECKS[t.check](t, trials)  # noqa: E731
        interval = lambda: _trial_interval(t, trials)  # noqa: E731
    elif t.check in POPULATION_CHECKS:
        fn = lambda: POPULATION_CHECKS[t.check](t, cache)  # noqa: E731
        interval = lambda: bootstrap_interval(t, cache, bootstrap, cache.seed)  # noqa: E731
    else:
        return Outcome(math.nan, 0, None, f"unknown check {t.check!r}", verdict="not run")
    try:
        value, n = fn()
    except NotEvaluable as e:
        return Outcome(math.nan, 0, False, f"not evaluable: {e}", verdict="not evaluable")
    passed = t.passes(value) if math.isfinite(value) else False
    lo, hi = interval()
    return Outcome(value, n, passed, sim_low=lo, sim_high=hi, verdict=verdict(t, passed, lo, hi))
