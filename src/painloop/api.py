"""The Python API: a few typed functions over the library, re-exported as ``import painloop as pl``.

Every function here is a thin wrapper: it turns friendly arguments (a
scenario name or file, ``treat=["duloxetine 60 mg qd from day 14"]``,
``params={"k_csens_on": 5e-4}``) into the library's validated objects and
calls the capability that does the work (``painloop.simulate``,
``painloop.population``, ``painloop.trials``, ``painloop.twin``,
``painloop.report``). Time is in days unless a name says hours; pain is
NRS 0-10; concentrations are mg/L (= µg/mL; ×1000 for ng/mL).

>>> import painloop as pl
>>> sc = pl.scenario("default", duration_days=7, every_hours=6)
>>> sc.name, sc.duration_days, sc.output.every_hours
('default', 7.0, 6.0)

For research and education only; nothing here recommends a treatment or a dose.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence

if TYPE_CHECKING:  # imported lazily at call time: `import painloop` stays cheap
    import pandas as pd
    import plotly.graph_objects as go
    import xarray as xr

    from .population import Population
    from .scenario import Scenario
    from .trials import TrialDesign, TrialResult

ScenarioLike = "str | Path | Scenario | Mapping[str, Any]"

__all__ = ["FIGURES", "Trial", "compact", "diary", "fit_twin", "plot", "population", "scenario", "simulate", "trial"]


def scenario(source: "str | Path | Scenario | Mapping[str, Any]" = "default", *,
             treat: Iterable[str] = (), params: Mapping[str, float] | None = None,
             duration_days: float | None = None, history_days: int | None = None,
             every_hours: float | None = None, name: str | None = None) -> "Scenario":
    """A validated :class:`~painloop.scenario.Scenario`, from a built-in name, a YAML file, a mapping or a Scenario.

    Args:
        source: built-in name (``painloop scenarios``), path of a YAML file, a mapping of scenario fields, or a
            Scenario (copied, never changed).
        treat: treatments to add: drug regimens (``"duloxetine 60 mg qd from day 14"``, titration steps separated by
            ``;``) or therapy programmes (``"cbt from day 14 to day 84"``, ``"acupuncture 2x/week from day 0"``).
        params: parameter overrides, name → value in the parameter's unit (``painloop params``); checked against the
            declared parameters.
        duration_days: reported period, days.
        history_days: whole days simulated before day 0 and not reported.
        every_hours: output sampling interval, hours (≤ 24).
        name: a new scenario name.

    Raises:
        painloop.scenario.ScenarioError: a field is wrong (the message names it and what is allowed).
    """
    from .scenario import Scenario, ScenarioError, builtin, builtin_names, load_scenario, parse_scenario

    if isinstance(source, Scenario):
        sc = source
    elif isinstance(source, Mapping):
        sc = parse_scenario(dict(source), "(mapping)")
    elif isinstance(source, str) and source in builtin_names():
        sc = builtin(source)
    elif isinstance(source, (str, Path)) and (Path(source).suffix in (".yaml", ".yml") or Path(source).exists()):
        sc = load_scenario(source)
    else:
        raise ScenarioError(f"unknown scenario {str(source)!r}: give a built-in name ({', '.join(builtin_names())}), "
                            f"a YAML file that exists, a mapping of fields or a Scenario")
    data = sc.model_dump(mode="json")
    if treat:
        data["treatments"] = data["treatments"] + list(treat)
    if params:
        data["params"] = {**data["params"], **{k: float(v) for k, v in params.items()}}
    for key, value in (("duration_days", duration_days), ("history_days", history_days), ("name", name)):
        if value is not None:
            data[key] = value
    if every_hours is not None:
        data["output"] = {**data["output"], "every_hours": every_hours}
    return parse_scenario(data, f"{sc.name!r} with changes") if data != sc.model_dump(mode="json") else sc


def population(n: int, *, seed: int = 0, variability: float = 1.0, history_years: float = 3.0,
               overrides: Mapping[str, float] | None = None) -> "Population":
    """Draw ``n`` virtual patients with painful diabetic neuropathy (covariates and log-normal random effects).

    Args:
        n: number of patients.
        seed: random seed; the same seed gives the same patients.
        variability: multiplier on every random-effect SD ω (0: identical patients).
        history_years: years of untreated disease before screening (used by trials).
        overrides: population parameters to replace (``painloop.population.POPULATION_PARAMS``).

    The history is not simulated here; :func:`trial` does that in one batched run.
    """
    from .population import PopulationSpec, sample_population

    spec = PopulationSpec(variability=variability, history_years=history_years, overrides=dict(overrides or {}))
    return sample_population(spec, n, seed)


def simulate(source: "str | Path | Scenario | Mapping[str, Any]" = "default", *,
             params: Mapping[str, Any] | None = None, treat: Iterable[str] = (), n: int = 1, seed: int = 0,
             variability: float = 1.0, patients: "Population | None" = None,
             duration_days: float | None = None, history_days: int | None = None, every_hours: float | None = None,
             vars: Sequence[str] | None = None, progress: Callable[[float], None] | None = None,
             adherence_seed: int | None = None) -> "xr.Dataset":
    """Simulate a scenario and return an ``xarray.Dataset`` (dims ``patient`` × ``time``; time in days).

    Args:
        source: built-in scenario name, YAML path, mapping or Scenario (see :func:`scenario`).
        params: parameter overrides; a scalar applies to every patient, a 1-D array of length ``n`` gives one value
            per patient.
        treat: drug regimens or therapy programmes to add (see :func:`scenario`).
        n: number of patients. With ``n > 1`` and no ``patients``, the patients differ by the population's
            log-normal random effects on model parameters (drawn with ``seed`` and ``variability``; the scenario's
            values are the typical ones); the scenario's cause and inputs are the same for all.
        seed: random seed of those draws.
        variability: multiplier on the random-effect SDs (0: ``n`` identical patients).
        patients: a :func:`population` to simulate instead (its parameters and inputs per patient).
        duration_days: replace the scenario's reported period, days.
        history_days: replace the unreported history simulated before day 0, days.
        every_hours: replace the output interval, hours.
        vars: keep only these variables (``painloop states``; outputs such as ``nrs``); ``solver_ok`` is always kept.
        progress: called with the fraction done (0-1) as the solver advances.
        adherence_seed: with a seed, patients miss oral doses with a probability that rises with their side-effect
            burden (:mod:`painloop.treatments.adherence`; parameters ``adherence_miss_base`` and
            ``adherence_miss_burden``); the result then has ``doses_missed`` and ``doses_scheduled`` per patient.
            Same seed → same missed doses. ``None`` (default): every dose is taken.

    Every variable carries ``units`` and ``long_name``; ``ds.attrs`` holds the scenario (YAML), the solver and the
    disclaimer. Same inputs and seed → same numbers.
    """
    import numpy as np

    from .simulate import simulate as _simulate

    sc = scenario(source, treat=treat, duration_days=duration_days, history_days=history_days, every_hours=every_hours)
    p: dict[str, Any] = dict(params or {})
    inputs = None
    if patients is not None:
        p = {**patients.params, **p}
        inputs = {k: v for k, v in patients.inputs.items() if k in _scenario_inputs(sc)}
    elif n > 1:
        p = {**_random_effects(sc, n, seed, variability), **p}
    if n > 1 or patients is not None:
        size = n if patients is None else patients.n
        p = {k: (np.full(size, float(v)) if np.ndim(v) == 0 else np.asarray(v, dtype=float)) for k, v in p.items()}
    _check_vars(vars)
    if adherence_seed is None:
        ds = _simulate(sc, p, inputs=inputs, progress=progress)
    else:
        ds = _simulate_with_adherence(sc, p, inputs, int(adherence_seed), progress)
    if vars:
        ds = ds[[*vars, "solver_ok"]]
    return ds


def _simulate_with_adherence(sc: "Scenario", p: Mapping[str, Any], inputs: Mapping[str, Any] | None, seed: int,
                             progress: Callable[[float], None] | None) -> "xr.Dataset":
    """Two runs: every dose taken (for the side-effect burden at each dose time), then with the seeded missed
    doses cancelled (see :mod:`painloop.treatments.adherence`). Adds ``doses_missed`` and ``doses_scheduled``."""
    from .scenario._inputs import dose_schedule
    from .simulate import patient_params
    from .simulate import simulate as _simulate
    from .treatments import adherence

    schedule = dose_schedule(sc)
    full = _simulate(sc, p, inputs=inputs)
    missed = adherence.draw_missed(schedule, 24.0 * full["time"].values, full["side_effect_burden"].values,
                                   patient_params(sc, p), seed)
    ds = _simulate(sc, p, inputs=inputs, progress=progress, patient_doses=adherence.cancelling_doses(schedule, missed))
    n_missable = len(adherence.missable(schedule))
    ds["doses_missed"] = ("patient", missed.sum(axis=0).astype(int),
                          {"units": "doses", "long_name": "oral doses missed (seeded adherence model)"})
    ds["doses_scheduled"] = ("patient", [n_missable] * missed.shape[1],
                             {"units": "doses", "long_name": "oral doses scheduled in the reported period"})
    ds.attrs["adherence"] = (f"seeded adherence model, seed {seed}: doses missed with probability "
                             "adherence_miss_base + adherence_miss_burden × side-effect burden")
    return ds


def _random_effects(sc: "Scenario", n: int, seed: int, variability: float) -> dict[str, Any]:
    """Per-patient values of the model parameters that carry a population random effect (log-normal, correlated).

    θ_i = θ_typical · exp(η_i), η ~ N(0, Ω) with Ω from :data:`painloop.population.RANDOM_EFFECTS` (SDs ×
    ``variability``) and :data:`painloop.population.CORRELATIONS`; θ_typical is the scenario's value. Covariates
    (age, sex, …) are not drawn: that is :func:`population`.
    """
    import numpy as np

    from .population import RANDOM_EFFECTS, correlation_matrix
    from .simulate import patient_params

    base = patient_params(sc)
    effects = [r for r in RANDOM_EFFECTS if r.param in base]
    names = [r.param for r in effects]
    omega = np.array([r.omega for r in effects]) * float(variability)
    eta = omega[:, None] * (np.linalg.cholesky(correlation_matrix(names)) @
                            np.random.default_rng(seed).standard_normal((len(names), n)))
    out = {}
    for i, r in enumerate(effects):
        value = float(base[r.param]) * np.exp(eta[i])
        out[r.param] = np.minimum(value, r.cap) if r.cap is not None else value
    return out


def _scenario_inputs(sc: "Scenario") -> dict:
    from .scenario import scenario_inputs

    return scenario_inputs(sc)


def _check_vars(names: Sequence[str] | None) -> None:
    """Raise ValueError naming every unknown variable (allowed: the model's states and outputs)."""
    if not names:
        return
    from .model import system

    known = [s.name for s in system.STATES] + [o.name for o in system.OUTPUTS]
    unknown = [v for v in names if v not in known]
    if unknown:
        raise ValueError(f"unknown variable(s) {unknown}; allowed: the states (`painloop states`) and outputs "
                         f"such as nrs, sleep_quality, function ({len(known)} names)")


def compact(ds: "xr.Dataset") -> "xr.Dataset":
    """Drop treatment variables that are constant over every patient and time (e.g. all-zero drug compartments).

    The dropped names and their constant values go to ``ds.attrs["constant_variables"]`` so nothing is lost;
    used before writing ``results.csv`` (whose companion ``results_columns.csv`` lists them too).
    """
    import numpy as np

    dropped = {}
    for name in list(ds.data_vars):
        da = ds[name]
        if da.attrs.get("subsystem") != "treatments" or "time" not in da.dims:
            continue
        values = np.asarray(da.values)
        if values.size and np.all(values == values.flat[0]):
            dropped[name] = float(values.flat[0])
    out = ds.drop_vars(list(dropped))
    out.attrs["constant_variables"] = "; ".join(f"{k}={v:g}" for k, v in dropped.items())
    return out


@dataclass
class Trial:
    """A simulated trial: per-patient records and diaries (``result``) and its tables (pandas DataFrames)."""

    result: "TrialResult"
    endpoints: "pd.DataFrame"
    smd: "pd.DataFrame"
    comparison: "pd.DataFrame | None"

    def report_html(self) -> str:
        """The trial report (self-contained HTML)."""
        from .trials import render_trial_report

        return render_trial_report(self.result, self.endpoints, self.smd, self.comparison)


def trial(design: "str | Path | TrialDesign | Mapping[str, Any]" = "finnerup", *, n_per_arm: int | None = None,
          weeks: float | None = None, seed: int | None = None,
          progress: Callable[[str], None] | None = None) -> Trial:
    """Run a virtual randomised trial and return its endpoints (NNT/NNH vs the control arm), SMDs and comparison.

    Args:
        design: built-in design (``finnerup``, ``cbt``, ``tens``), YAML path, mapping of fields or TrialDesign.
        n_per_arm: replace every arm's size (patients randomised per arm) — small values give quick, noisy trials.
        weeks: replace the double-blind treatment period, weeks.
        seed: replace the design's random seed.
        progress: called with a message at each stage (screening, each arm).
    """
    from .trials import TrialDesign, builtin_design, comparison_table, endpoint_table, load_design, parse_design
    from .trials import run_trial, smd_table

    if isinstance(design, TrialDesign):
        d = design
    elif isinstance(design, Mapping):
        d = parse_design(dict(design), "(mapping)")
    elif isinstance(design, Path) or str(design).endswith((".yaml", ".yml")):
        d = load_design(design)
    else:
        d = builtin_design(str(design))
    data = d.model_dump(mode="json")
    if n_per_arm is not None:
        data["arms"] = [{**a, "n": int(n_per_arm)} for a in data["arms"]]
    if weeks is not None:
        data["duration_weeks"] = float(weeks)
        data["arms"] = [{**a, "endpoint_weeks": None} for a in data["arms"]]
    if seed is not None:
        data["seed"] = int(seed)
    if data != d.model_dump(mode="json"):
        d = parse_design(data, f"{d.name!r} with changes")
    result = run_trial(d, progress=progress)
    endpoints = endpoint_table(result)
    return Trial(result, endpoints, smd_table(result), comparison_table(result, endpoints) if d.published else None)


def diary(source: "str | Path", *, columns: Mapping[str, str] | None = None, date_format: str | None = None,
          aggregate: str = "mean") -> "pd.DataFrame":
    """Read and validate a pain diary (CSV or FHIR R4 JSON Bundle) into one row per day.

    Args:
        source: path of the diary.
        columns: map painloop's column names to the file's (``{"pain": "Pain level"}``).
        date_format: explicit ``strftime`` format of the date column (e.g. ``"%d/%m/%Y %H:%M"``); default: ISO 8601.
        aggregate: how several entries of one day combine: ``mean`` (default) or ``max`` for pain; sleep hours
            are summed, the other scores averaged, medications joined (see :mod:`painloop.twin.diary`).

    Raises:
        painloop.twin.DiaryError: every problem, each with its row (or entry) and field.
    """
    from .twin import read_diary

    return read_diary(source, columns=columns, date_format=date_format, aggregate=aggregate)


def fit_twin(diary_or_path: "str | Path | pd.DataFrame", *, columns: Mapping[str, str] | None = None,
             date_format: str | None = None, n_draws: int = 64, seed: int = 0,
             progress: Callable[..., None] | None = None) -> "xr.Dataset":
    """Fit the personal model to a diary and return the twin (posterior draws, fit; see :func:`painloop.twin.fit_twin`).

    Args:
        diary_or_path: a diary file (read with :func:`diary`) or a DataFrame from :func:`diary`.
        columns: column mapping, passed to :func:`diary` when a path is given.
        date_format: date format, passed to :func:`diary` when a path is given.
        n_draws: posterior draws kept for forecasts.
        seed: random seed of the draws; same diary and seed → same numbers.
        progress: called as the fit advances with the fraction done (0-1, never decreasing) and, if it takes a
            second argument, the stage under way (simulating the base patient, preparing the diary, first solve
            (compiling the model), optimising, posterior draws).
    """
    from .twin import fit_twin as _fit

    if isinstance(diary_or_path, (str, Path)):
        frame, origin = diary(diary_or_path, columns=columns, date_format=date_format), str(diary_or_path)
    else:
        frame, origin = diary_or_path, ""
    return _fit(frame, n_draws=n_draws, seed=seed, progress=progress, source=origin)


FIGURES = ("pain", "cortisol", "sleep", "mood", "mechanism", "symptoms", "function", "autonomic", "gait", "social",
           "dosing", "side_effects")
"""Figure names accepted by :func:`plot`."""


def plot(ds: "xr.Dataset | Sequence[xr.Dataset]", what: str = "pain", *, labels: Sequence[str] | None = None,
         patient: int = 0) -> "go.Figure":
    """A report figure (plotly) of one result, or the same variable of several results overlaid.

    Args:
        ds: a Dataset from :func:`simulate`, or a list of them to overlay (one line each, daily means).
        what: one of :data:`FIGURES`, or any variable name of the Dataset (daily mean plotted).
        labels: legend names of the overlaid results (default: their scenario titles).
        patient: which patient to plot.
    """
    from .report import figures as F

    if not hasattr(ds, "data_vars"):
        return F.overlay_figure(list(ds), "nrs" if what == "pain" else what, labels=labels)
    one = ds.isel(patient=[patient])
    builders = {"pain": F.pain_figure, "cortisol": F.cortisol_figure, "sleep": F.sleep_figure, "mood": F.mood_figure,
                "mechanism": F.mechanism_figure, "symptoms": F.symptom_figure, "function": F.function_figure,
                "autonomic": F.autonomic_figure, "gait": F.gait_figure, "social": F.social_figure,
                "dosing": F.dosing_figure, "side_effects": F.side_effect_figure}
    if what in builders:
        return builders[what](one)
    if what in ds:
        return F.overlay_figure([one], what, labels=labels)
    raise ValueError(f"unknown figure {what!r}; allowed: {', '.join(FIGURES)} or a variable of the Dataset")
