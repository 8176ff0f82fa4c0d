"""Virtual patients: covariates, log-normal random effects and the untreated history of each patient.

A population is a set of columns (one value per patient) that the batched
engine consumes directly: parameter overrides (``params``), scenario inputs
(``inputs``: cause severity, HbA1c, life stress, time in bed, cause onset) and,
after :func:`simulate_history`, the state reached after years of untreated
disease (``y0``, n_states × n_patients). Nothing loops over patients in
Python: one :func:`painloop.simulate.simulate` call advances all of them.

Between-patient variability: parameter θ_i = θ_typical · c_i · exp(η_i) with
η ~ N(0, Ω) (NONMEM convention), Ω = diag(ω) · R · diag(ω), R the correlation
matrix of :data:`CORRELATIONS`; c_i is the covariate effect (age, sex).
Every ω, correlation and covariate distribution carries a unit and a source
in :data:`POPULATION_PARAMS`, :data:`RANDOM_EFFECTS` and :data:`CORRELATIONS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..causes.catalogue import CAUSES
from ..model import system
from ..model._declare import Param, params
from . import _fitted
from .covariates import CAUSE_TREATMENTS, CHEMO_AGENT_SEVERITY, draw, draws_for

NAME = "population"


@dataclass(frozen=True)
class RandomEffect:
    """A log-normal random effect: SD ``omega`` of log(θ_i/θ_typical); ``cap`` bounds θ_i (fractions)."""

    param: str
    omega: float
    source: str
    cap: float | None = None


_SX = ("assumption: symptom profiles differ widely between patients with the same neuropathy (Baron 2017 Pain: "
       "sensory profile clusters); log-normal spread CV ~80 %")

RANDOM_EFFECTS: tuple[RandomEffect, ...] = (
    RandomEffect("g_ectopic", 0.8, "assumption: the propensity of injured afferents to fire ectopically varies widely "
                 "(sodium-channel variants, Nav1.7/1.8; Baron 2017 Pain), which is why equal neuropathy is painful in "
                 "some and painless in others (Abbott 2011 Diabetes Care: painful symptoms in 26 % without and 60 % "
                 "with severe neuropathy); CV ~80 %"),
    RandomEffect("g_csens_self", 0.35, "assumption: susceptibility to lasting central sensitization differs between "
                 "people (Arendt-Nielsen 2018 Eur J Pain: conditioned pain modulation and temporal summation vary); "
                 "CV ~35 %"),
    RandomEffect("k_regen", 0.5, "assumption: speed of nerve regeneration varies between people (age, vascular "
                 "supply, nutrition; Gordon 2016 J Physiol); CV ~50 %"),
    RandomEffect("sx_gain_burning", 0.8, _SX),
    RandomEffect("sx_gain_paroxysmal", 0.8, _SX),
    RandomEffect("sx_gain_allodynia", 0.8, _SX),
    RandomEffect("sx_gain_numbness", 0.6, _SX.replace("CV ~80 %", "CV ~60 %")),
    RandomEffect("sx_gain_tingling", 0.8, _SX),
    RandomEffect("sx_gain_pins", 0.8, _SX),
    RandomEffect("k_nrs", 0.25, "assumption: between-person CV ~25 % of pain sensitivity/reporting at equal input "
                 "(Nielsen 2009 J Pain: large inter-individual variance of experimental pain sensitivity)"),
    RandomEffect("g_csens_gain", 0.30, "assumption: central sensitization varies between patients (Arendt-Nielsen 2018 "
                 "Eur J Pain), CV ~30 %"),
    RandomEffect("w_desc_depression", 0.30, "assumption: CV ~30 % of the mood-to-descending-inhibition coupling"),
    RandomEffect("duloxetine_ec50", 0.6, "assumption: pharmacodynamic responder/non-responder spread, CV ~60 % "
                 "(monoamine-reuptake response varies widely; Lunn 2014 Cochrane)"),
    RandomEffect("amitriptyline_ec50", 0.6, "assumption: as duloxetine (TCA response varies widely; Moore 2015 Cochrane)"),
    RandomEffect("nortriptyline_ec50", 0.6, "assumption: as the parent drug"),
    RandomEffect("tramadol_ec50", 0.6, "assumption: as the other reuptake inhibitors"),
    RandomEffect("pregabalin_ec50", 0.6, "assumption: wide gabapentinoid response spread (Derry 2019 Cochrane: "
                 "responder/non-responder pattern)"),
    RandomEffect("gabapentin_ec50", 0.6, "assumption: as pregabalin"),
    RandomEffect("m1_ref", 0.5, "assumption: CYP2D6 phenotype and mu-receptor variability, CV ~50 % "
                 "(Grond & Sablotzki 2004)"),
    RandomEffect("oxycodone_ref", 0.5, "assumption: opioid sensitivity CV ~50 % (OPRM1 and other variability)"),
    RandomEffect("morphine_ref", 0.5, "assumption: as oxycodone"),
    RandomEffect("emax_capsaicin", 0.5, "assumption: share of the painful area covered by the patch varies, CV ~50 %",
                 cap=0.95),
    RandomEffect("mood_vulnerability_depression", 0.45,
                 "assumption: spread of depressive vulnerability giving a prevalence near 50 % at the median "
                 "(targets/epidemiology.csv); lognormal, CV ~45 %"),
    RandomEffect("mood_vulnerability_anxiety", 0.45, "assumption: as depression"),
)
"""Random effects on parameters (typical value: the model's nominal value or the population parameter)."""

CORRELATIONS: tuple[tuple[str, str, float, str], ...] = (
    ("mood_vulnerability_depression", "mood_vulnerability_anxiety", 0.6,
     "assumption: depression and anxiety are highly comorbid (Kessler 2005 Arch Gen Psychiatry: ~60 % overlap)"),
    ("duloxetine_ec50", "amitriptyline_ec50", 0.5,
     "assumption: shared monoaminergic responsiveness of SNRI and TCA analgesia"),
    ("pregabalin_ec50", "gabapentin_ec50", 0.7, "assumption: the same alpha2-delta target"),
    ("oxycodone_ref", "morphine_ref", 0.7, "assumption: the same mu-opioid receptor"),
    ("oxycodone_ref", "m1_ref", 0.5, "assumption: the same mu-opioid receptor (M1 of tramadol)"),
)
"""Correlations of the random effects η (pairs not listed are independent)."""

POPULATION_PARAMS: tuple[Param, ...] = params(
    NAME,
    ("age_mean", 60.0, "years", "assumption: mean age of painful diabetic neuropathy RCT populations ~60 (Finnerup 2015 "
     "included trials)", "mean age"),
    ("age_sd", 10.0, "years", "assumption: typical SD of age in those trials", "SD of age (truncated to 30-85)"),
    ("female_share", 0.45, "fraction", "assumption: ~45 % women in painful DPN trials", "share of women"),
    ("severity_a", 4.0, "dimensionless", "assumption: Beta(4, 2): mostly moderate-to-severe neuropathy among trial "
     "candidates", "Beta shape a of cause severity"),
    ("severity_b", 2.0, "dimensionless", "assumption: see severity_a", "Beta shape b of cause severity"),
    ("hba1c_mean", 8.3, "% HbA1c", "assumption: mean HbA1c ~8 % in painful DPN trials", "mean HbA1c"),
    ("hba1c_sd", 1.2, "% HbA1c", "assumption: SD ~1.2 % in those trials", "SD of HbA1c (truncated to 6.5-13)"),
    ("trial_diabetes_years", 11.0, "years", "assumption: median diabetes duration ~10-12 years in painful DPN trials "
     "(e.g. Goldstein 2005 Pain 116:109, duloxetine: mean 12 years; Rosenstock 2004 Pain 110:628, pregabalin: 11 "
     "years)", "median diabetes duration of trial patients (log-normal, SD of log 0.5, at least the simulated history)"),
    ("stress_median", 0.25, "level 0-2", "assumption: everyday-to-moderate life stress for most people",
     "median external life stress"),
    ("stress_gsd", 0.6, "log units", "assumption: log-normal spread of life stress", "SD of log life stress"),
    ("hours_in_bed_mean", 7.5, "h", "assumption: usual adult time in bed", "mean hours in bed"),
    ("hours_in_bed_sd", 0.8, "h", "assumption: usual spread (truncated 5-10 h)", "SD of hours in bed"),
    ("mood_vulnerability_depression", 1.145, "relative",
     "fitted: depression prevalence 0.53 among people with neuropathic pain (targets/epidemiology.csv) at case "
     "threshold depression ≥ 0.5 (≈ HADS-D ≥ 8, Bjelland 2002 J Psychosom Res) in the included patients of the "
     "built-in 'finnerup' design (seed 2015, 900 per arm, 3600 screened): painloop.trials.calibrate.fit_mood, "
     "linear interpolation between screenings at 0.8, 1.2 and 1.6 (0.25, 0.57, 0.77) after the natural-history "
     "model of 2026-12; "
     "a tuning target, not independent evidence",
     "typical multiplier of the depressive drives (w_dep_*)"),
    ("mood_vulnerability_anxiety", 1.146, "relative",
     "fitted: anxiety prevalence 0.43 among people with neuropathic pain (targets/epidemiology.csv) at case "
     "threshold anxiety ≥ 0.5 (≈ HADS-A ≥ 8, Bjelland 2002): same screenings (0.20, 0.47, 0.68); a tuning target, "
     "not independent evidence",
     "typical multiplier of the anxiety drives (w_anx_*)"),
    ("female_pain_factor", 0.9, "relative", "assumption: women rate the same input ~10 % higher (Mogil 2012 Nat Rev "
     "Neurosci)", "factor on k_nrs for women (lower k: more pain)"),
    ("female_anxiety_factor", 1.2, "relative", "assumption: anxiety disorders ~1.5-2× more common in women "
     "(McLean 2011 J Psychiatr Res)", "factor on anxiety vulnerability for women"),
    ("age_renal_slope", 0.01, "1/year", "assumption: creatinine clearance falls ~1 %/year after 40 (Cockcroft-Gault age "
     "term); pregabalin/gabapentin clearance follows it (Bockbrader 2010)", "rise of renally cleared half-lives per year over 40"),
    ("expectation_a", 0.5, "dimensionless", "assumption: Beta(0.5, 1.5) expectation of relief (0-1), mean 1/4 and "
     "U-shaped towards 0: most patients expect little, a minority a lot, giving a skewed placebo response (Vase 2015 "
     "Pain: expectations explain much of the placebo variance); chosen over Beta(1, 2) because it gives the published "
     "ratio of 30 % to 50 % placebo responders (0.42 vs 0.23 on the built-in 'finnerup' design at seed 2015; Beta(1, 2) "
     "gave 0.46 vs 0.22)", "Beta shape a of expectation"),
    ("expectation_b", 1.5, "dimensionless", "assumption: see expectation_a", "Beta shape b of expectation"),
    ranges=None,  # distribution settings of the virtual population, not model parameters (see the trial-design limits)
)
POPULATION_PARAMS = _fitted.apply(POPULATION_PARAMS)
_PP = {p.name: p.value for p in POPULATION_PARAMS}

_DEP_WEIGHTS = ("w_dep_pain", "w_dep_stress", "w_dep_sleep", "w_dep_inactivity")
_ANX_WEIGHTS = ("w_anx_pain", "w_anx_stress", "w_anx_sleep")
_RENAL = ("pregabalin_half_life", "gabapentin_half_life")


class PopulationSpec(BaseModel):
    """Who the virtual patients are: cause, its history, covariate distributions and variability."""

    model_config = ConfigDict(extra="forbid")

    cause: str = Field("diabetes", description="cause of neuropathic pain: any of `painloop causes` except none")
    kind: Literal["trial", "community"] = Field(
        "trial", description="trial: the trial-population distributions of the population parameters for diabetes "
                             "(age_mean, hba1c_mean, severity_a, …); community: every covariate from the draw table "
                             "(painloop.population.covariates.DRAWS); other causes always use the draw table")
    fixed: dict[str, float] = Field(default_factory=dict,
                                    description="covariates set to one value for every patient instead of drawn "
                                                "(e.g. {age: 75}); names from the draw table")
    history_years: float = Field(1.0, ge=0.5, le=10.0, description="years of untreated disease simulated before screening (0.5-10); for diabetes the earlier years of each patient's drawn duration enter as the damage they produced")
    variability: float = Field(1.0, ge=0.0, le=3.0, description="multiplier on every random-effect SD ω (0: no variability)")
    overrides: dict[str, float] = Field(default_factory=dict,
                                        description="population parameters to replace (see painloop.population.POPULATION_PARAMS)")

    @field_validator("cause")
    @classmethod
    def _known_cause(cls, v: str) -> str:
        allowed = [c for c in CAUSES if c != "none"]
        if v not in allowed:
            raise ValueError(f"unknown cause {v!r}; allowed: {', '.join(allowed)}")
        return v

    @field_validator("fixed")
    @classmethod
    def _known_fixed(cls, v: dict[str, float]) -> dict[str, float]:
        from .covariates import DRAWS
        names = sorted({d.name for d in DRAWS})
        bad = [k for k in v if k not in names]
        if bad:
            raise ValueError(f"unknown covariate(s) {bad}; allowed: {', '.join(names)}")
        return v

    def value(self, name: str) -> float:
        """A population parameter (override or declared value)."""
        return float(self.overrides.get(name, _PP[name]))


@dataclass
class Population:
    """n virtual patients as columns: covariates, parameter overrides, inputs and (after the history) states."""

    covariates: dict[str, np.ndarray]
    params: dict[str, np.ndarray]
    inputs: dict[str, np.ndarray]
    y0: np.ndarray | None = None
    history_h: float = 0.0
    extra: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n(self) -> int:
        """Number of patients."""
        return int(next(iter(self.covariates.values())).size)

    def subset(self, idx: np.ndarray) -> "Population":
        """The patients at positions ``idx`` (in that order)."""
        pick = lambda d: {k: np.asarray(v)[idx] for k, v in d.items()}  # noqa: E731
        # per-patient event lists are (n_events, n_patients): pick columns
        ins = {k: (np.asarray(v)[:, idx] if np.ndim(v) == 2 else np.asarray(v)[idx]) for k, v in self.inputs.items()}
        return replace(self, covariates=pick(self.covariates), params=pick(self.params), inputs=ins,
                       y0=None if self.y0 is None else self.y0[:, idx], extra=pick(self.extra))

    def repeat(self, k: int) -> "Population":
        """The population stacked ``k`` times (patient j of copy m at position m·n + j)."""
        return self.subset(np.tile(np.arange(self.n), k))


def correlation_matrix(names: list[str]) -> np.ndarray:
    """Correlation matrix R of the random effects named (rows/columns in that order), from :data:`CORRELATIONS`."""
    idx = {n: i for i, n in enumerate(names)}
    r = np.eye(len(names))
    for a, b, rho, _ in CORRELATIONS:
        if a in idx and b in idx:
            r[idx[a], idx[b]] = r[idx[b], idx[a]] = rho
    return r


def _truncnorm(rng: np.random.Generator, mean: float, sd: float, lo: float, hi: float, n: int) -> np.ndarray:
    return np.clip(mean + sd * rng.standard_normal(n), lo, hi)


def sample_population(spec: PopulationSpec, n: int, seed: int | np.random.SeedSequence) -> Population:
    """Draw ``n`` virtual patients (vectorised); the same seed gives the same patients."""
    if n < 1:
        raise ValueError(f"population size must be at least 1, got {n}")
    rng = np.random.default_rng(seed)
    v = spec.value
    table: dict[str, np.ndarray] = {}
    if spec.cause == "diabetes" and spec.kind == "trial":
        age = _truncnorm(rng, v("age_mean"), v("age_sd"), 30.0, 85.0, n)
        female = (rng.random(n) < v("female_share")).astype(float)
        severity = rng.beta(v("severity_a"), v("severity_b"), n)
        hba1c = _truncnorm(rng, v("hba1c_mean"), v("hba1c_sd"), 6.5, 13.0, n)
        stress = np.clip(v("stress_median") * np.exp(v("stress_gsd") * rng.standard_normal(n)), 0.0, 2.0)
        bed = _truncnorm(rng, v("hours_in_bed_mean"), v("hours_in_bed_sd"), 5.0, 10.0, n)
        years = v("trial_diabetes_years") * np.exp(0.5 * rng.standard_normal(n))
        table = {"hba1c": hba1c, "diabetes_years": np.clip(years, spec.history_years, 30.0)}
    else:
        table = draw_table(spec, n, rng)
        age, female, severity = table.pop("age"), table.pop("female"), table.pop("severity")
        stress, bed = table.pop("stress_base"), table.pop("hours_in_bed")
    for name, value in spec.fixed.items():
        if name == "age":
            age = np.full(n, float(value))
        elif name == "female":
            female = np.full(n, float(value))
        elif name == "severity":
            severity = np.full(n, float(value))
    expectation = rng.beta(v("expectation_a"), v("expectation_b"), n)
    names = [r.param for r in RANDOM_EFFECTS]
    omega = np.array([r.omega for r in RANDOM_EFFECTS]) * spec.variability
    chol = np.linalg.cholesky(correlation_matrix(names))
    eta = (omega[:, None] * (chol @ rng.standard_normal((len(names), n))))
    defaults = system.default_params()
    typical = {nm: (v(nm) if nm in _PP else defaults[nm]) for nm in names}
    theta = {nm: typical[nm] * np.exp(eta[i]) for i, nm in enumerate(names)}
    for r in RANDOM_EFFECTS:
        if r.cap is not None:
            theta[r.param] = np.minimum(theta[r.param], r.cap)
    theta["k_nrs"] = theta["k_nrs"] * np.where(female > 0, v("female_pain_factor"), 1.0)
    v_dep = theta.pop("mood_vulnerability_depression")
    v_anx = theta.pop("mood_vulnerability_anxiety") * np.where(female > 0, v("female_anxiety_factor"), 1.0)
    p = dict(theta)
    p.update({w: defaults[w] * v_dep for w in _DEP_WEIGHTS})
    p.update({w: defaults[w] * v_anx for w in _ANX_WEIGHTS})
    renal = 1.0 + v("age_renal_slope") * np.maximum(age - 40.0, 0.0)
    p.update({h: defaults[h] * renal for h in _RENAL})
    for name, value in spec.overrides.items():
        if name not in _PP and name not in defaults:
            raise ValueError(f"population.overrides: unknown parameter {name!r}; allowed: population parameters "
                             f"({', '.join(_PP)}) or model parameters (`painloop params`)")
        if name in defaults and name not in p:
            p[name] = np.full(n, float(value))
    history_h = 24.0 * 365.0 * spec.history_years
    day_seed = rng.integers(0, 2**31 - 1, n).astype(float)
    inputs = {"severity": severity, "stress_base": stress, "hours_in_bed": bed, "day_variation": np.ones(n),
              "day_seed": day_seed}
    cov = {"age": age, "female": female, "severity": severity, "stress": stress,
           "hours_in_bed": bed, "expectation": expectation, "mood_vulnerability_depression": v_dep,
           "mood_vulnerability_anxiety": v_anx}
    cov.update({k: np.asarray(x, dtype=float) for k, x in table.items()})
    inputs.update(cause_columns(spec.cause, cov, age, -history_h * np.ones(n), seed=int(rng.integers(2**31))))
    return Population(cov, p, inputs, history_h=history_h)


def diabetic_damage_before(pop: "Population", years: np.ndarray) -> np.ndarray:
    """Nerve damage (fraction) after ``years`` of diabetes at each patient's HbA1c, before the simulated history.

    The damage equation depends on the cause's inputs only (d' = i·(1 − d) − r·d, with injury rate i and
    regeneration rate r constant while HbA1c is), so the decades before the simulated history have the exact
    closed form d = i/(i + r)·(1 − exp(−(i + r)·t)); the loops that follow damage settle within the simulated
    history. This replaces simulating every year of a long diabetes duration.
    """
    defaults = system.default_params()
    value = lambda name: np.asarray(pop.params.get(name, defaults[name]), dtype=float)  # noqa: E731
    excess = np.maximum(np.asarray(pop.inputs["hba1c"], dtype=float) - value("dm_hba1c_ref"), 0.0)
    injury = np.asarray(pop.inputs["severity"], dtype=float) * value("dm_k_injury") * excess
    regen = value("k_regen") * value("dm_regen_residual") / (1.0 + value("dm_regen_loss") * excess)
    rate = injury + regen
    t_h = 24.0 * 365.0 * np.maximum(np.asarray(years, dtype=float), 0.0)
    return np.where(rate > 0, injury / np.where(rate > 0, rate, 1.0) * (1.0 - np.exp(-rate * t_h)), 0.0)


def initial_states(pop: "Population", damage: np.ndarray) -> np.ndarray:
    """Declared initial states for every patient (n_states × n) with ``damage`` (fraction) set."""
    y0 = np.repeat(np.asarray(system.initial_state(), dtype=float)[:, None], pop.n, axis=1)
    y0[system.STATE_INDEX["damage"]] = damage
    return y0


def draw_table(spec: PopulationSpec, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The draw-table covariates of ``spec.cause`` (``fixed`` values replace draws; the generator still advances)."""
    out = {}
    for d in draws_for(spec.cause):
        x = draw(rng, d, n, spec.value)
        out[d.name] = np.full(n, float(spec.fixed[d.name])) if d.name in spec.fixed else x
    return out


_NEVER_H = 1e12


def _poisson_days(rng: np.random.Generator, rate_per_year: np.ndarray, start_day: np.ndarray,
                  horizon_day: float) -> np.ndarray:
    """Per-patient Poisson event days (n_events_max, n) in [start_day, horizon_day); unused slots never happen."""
    n = rate_per_year.size
    span = np.maximum(horizon_day - start_day, 1.0)
    k_max = int(np.ceil(np.max(rate_per_year * span / 365.25) * 2.0 + 6.0))
    gaps = rng.exponential(1.0, size=(k_max, n)) * (365.25 / np.maximum(rate_per_year, 1e-9))[None, :]
    days = start_day[None, :] + np.cumsum(gaps, axis=0)
    return np.where(days < horizon_day, 24.0 * days, _NEVER_H)


def cause_columns(cause: str, cov: dict[str, np.ndarray], age: np.ndarray, onset_h: np.ndarray,
                  horizon_day: float = 3650.0, seed: int = 0) -> dict[str, np.ndarray]:
    """Per-patient cause inputs from the covariates: values (n,) and event lists (n_events, n) in hours.

    ``onset_h`` is each patient's cause onset (h since day 0); chemotherapy cycles, MS relapses and RA flares
    start from it. Inputs the cause does not use are left out (the scenario's defaults apply).
    """
    from ..causes.toxic_metabolic import TOXIN_AGENTS
    from .covariates import DRAWS

    q: dict[str, np.ndarray] = {"onset_h": onset_h}
    for d in DRAWS:
        if d.cause == cause and d.target == "input" and d.name in cov:
            q[d.name] = cov[d.name]
    if cause == "shingles":
        q["age"] = age
    if cause == "chemotherapy":
        cycles = cov["cycles"].astype(int)
        k = np.arange(int(cycles.max()))[:, None]
        starts = onset_h[None, :] + 24.0 * cov["cycle_days"][None, :] * k
        q["cycle_starts_h"] = np.where(k < cycles[None, :], starts, _NEVER_H)
        q["severity"] = cov["severity"] * np.asarray(CHEMO_AGENT_SEVERITY)[cov["chemo_agent"].astype(int)]
    if cause in CAUSE_TREATMENTS:
        key, who, day = CAUSE_TREATMENTS[cause]
        q[key] = np.where(cov[who] > 0.5, onset_h + 24.0 * cov[day], _NEVER_H)
    if cause == "toxin":
        for i, a in enumerate(TOXIN_AGENTS):
            q[f"agent_{a}"] = (cov["toxin_agent"] == i).astype(float)
    rng = np.random.default_rng(seed)
    if cause == "multiple_sclerosis":
        q["ms_relapse_h"] = _poisson_days(rng, cov["relapse_rate_per_year"], onset_h / 24.0, horizon_day)
    if cause == "rheumatoid_arthritis":
        q["ra_flare_h"] = _poisson_days(rng, cov["flares_per_year"], onset_h / 24.0, horizon_day)
    return q
