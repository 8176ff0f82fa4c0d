"""Running a virtual randomised trial: screen, run-in, randomise, treat (one batched run per arm), diary, dropout.

Flow and conventions:

1. Screening: ``ceil(screen_factor × Σ n)`` virtual patients are drawn and
   their untreated history plus run-in week simulated as ONE batched run.
2. Diary: the model's NRS is sampled every 6 h (00, 06, 12, 18 h); the mean
   of these four equally spaced samples is the day's mean (it averages out the
   24 h rhythm exactly). The diary entry adds natural day-to-day fluctuation
   (AR(1), per patient) and independent rating noise and is rounded to an
   integer 0-10.
3. Inclusion: run-in diary mean within [min, max] (e.g. NRS ≥ 4). Because
   the diary is noisy, patients selected above a threshold regress to their
   mean afterwards, as in real trials.
4. Randomisation: the included patients are shuffled and allocated to the arms.
5. Treatment: each arm is one batched :func:`painloop.simulate.simulate` call
   starting from the end state of the run-in (``y0``). In a blinded trial
   every arm carries the patient's expectation (placebo input) from day 0.
6. Dropout per day: random (constant hazard) and adverse-event (hazard =
   ``ae_dropout_base`` + ``ae_dropout_<drug>`` × side-effect burden, the day's
   mean of the largest side-effect score), competing.
7. Endpoint: mean diary NRS of the last 7 days vs the run-in mean (baseline);
   dropouts are imputed by BOCF or LOCF (see :mod:`painloop.trials.endpoints`).

Random streams (population, diary, randomisation, dropout, bootstrap) are
spawned from the design's seed, so the same seed gives identical endpoints.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np
import pandas as pd

from ..model import system
from ..population import Population, sample_population, simulate_history
from ..scenario._inputs import treatment_inputs
from ..scenario._schema import DrugTreatment
from ..simulate import simulate
from ._design import Arm, TrialDesign, TrialDesignError, arm_drugs, arm_scenario, n_to_randomise

SAMPLES_PER_DAY = 4
SOLVER_FAILED = "solver_failed"
"""``reason`` of a patient whose simulation did not complete: excluded from every endpoint, counted and listed."""
_AE_SCORES = ("drowsiness", "dizziness", "nausea", "cognitive_fog", "dry_mouth")


@dataclass
class TrialResult:
    """Per-patient records, daily diaries and the screening flow of one simulated trial."""

    design: TrialDesign
    patients: pd.DataFrame
    diaries: dict[str, np.ndarray]
    screened: int
    screened_table: pd.DataFrame
    params_used: dict[str, float] = field(default_factory=dict)
    true_daily: dict[str, np.ndarray] = field(default_factory=dict)
    """Per arm: the model's true daily mean NRS (patients × treatment days), before diary noise and dropout."""


def patient_ok(ds, variables: tuple[str, ...] = ("nrs",)) -> np.ndarray:
    """Per-patient success (bool, patients) of a batched run: ``solver_ok`` (per patient, or one flag per batch
    broadcast to every patient) and finite values of ``variables``."""
    n = ds.sizes["patient"]
    flag = np.asarray(ds["solver_ok"].values).astype(bool) if "solver_ok" in ds else np.ones(n, bool)
    ok = np.broadcast_to(flag.reshape(-1) if flag.size == n else np.full(n, bool(flag.all())), (n,)).copy()
    for v in variables:
        ok &= np.isfinite(ds[v].values).all(axis=tuple(range(1, ds[v].ndim)))
    return ok


def check_trial_fits(design: TrialDesign) -> None:
    """Refuse, before any simulation, a design whose screening or largest arm would not fit in memory."""
    from ..limits import check_run_fits

    n_screen = int(math.ceil(design.screen_factor * n_to_randomise(design)))
    check_run_fits(n_screen, 24.0 * design.run_in_days, 24.0 / SAMPLES_PER_DAY,
                   24.0 * 365.0 * design.population.history_years, what=f"screening {n_screen} patients",
                   hint="randomise fewer patients (arms[].n) or lower screen_factor")
    n_arm = max(a.n for a in design.arms)
    check_run_fits(n_arm, 24.0 * 7.0 * design.duration_weeks, 24.0 / SAMPLES_PER_DAY,
                   what=f"an arm of {n_arm} patients", hint="randomise fewer patients per arm (arms[].n)")


def _daily(x: np.ndarray, clock_hours: list[int] | None = None) -> np.ndarray:
    """(patients, samples every 6 h from 00:00) → (patients, days): mean of the samples at ``clock_hours``."""
    n, m = x.shape
    days = m // SAMPLES_PER_DAY
    cols = [h // 6 for h in (clock_hours or [0, 6, 12, 18])]
    return x[:, :days * SAMPLES_PER_DAY].reshape(n, days, SAMPLES_PER_DAY)[:, :, cols].mean(axis=2)


def _fluctuation(rng: np.random.Generator, n: int, days: int, sd: float, rho: float) -> np.ndarray:
    """Stationary AR(1) day-to-day fluctuation (patients, days), marginal SD ``sd`` NRS points."""
    z = rng.standard_normal((n, days))
    out = np.empty((n, days))
    out[:, 0] = z[:, 0]
    innov = math.sqrt(1.0 - rho * rho)
    for d in range(1, days):
        out[:, d] = rho * out[:, d - 1] + innov * z[:, d]
    return sd * out


def _diary(true_daily: np.ndarray, fluct: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """Integer 0-10 diary entries from the model's daily mean, fluctuation and rating noise."""
    return np.clip(np.rint(true_daily + fluct + noise), 0.0, 10.0)


def treated_inputs(design: TrialDesign, arm: Arm, pop: Population) -> dict:
    """Inputs of one arm: per-patient covariates, cause onset, the treatment switch and the placebo expectation."""
    sc = arm_scenario(design, arm)
    q_t = treatment_inputs(sc if sc.treatments else
                           sc.model_copy(update={"treatments": [DrugTreatment(drug="ibuprofen", dose=1.0)]}))
    # event lists as (n_events, 1) columns so that they are not taken for per-patient values
    q_t = {k: (np.asarray(v, dtype=float)[:, None] if np.ndim(v) == 1 else v) for k, v in q_t.items()}
    expectation = pop.covariates["expectation"] if design.blinded else np.zeros(pop.n)
    return {**pop.inputs, **q_t, "onset_h": -pop.history_h, "expectation": expectation,
            "placebo_start_h": 0.0, "placebo_end_h": 24.0 * 7.0 * design.duration_weeks}


def simulate_arm(design: TrialDesign, arm: Arm, pop: Population, params: dict | None = None):
    """One batched simulation of an arm's patients from their run-in end state (Dataset, dims patient × time)."""
    p = dict(pop.params)
    p.update(params or {})
    return simulate(arm_scenario(design, arm), p, inputs=treated_inputs(design, arm, pop), y0=pop.y0)


def ae_scale(arm_drug_names: list[str], params: dict) -> float:
    """Adverse-event dropout hazard scale of an arm (1/day per unit burden): the largest of its drugs' scales."""
    return max([float(params[f"ae_dropout_{d}"]) for d in arm_drug_names if f"ae_dropout_{d}" in params] or [0.0])


def ae_burden(ds, days: int) -> np.ndarray:
    """Daily side-effect burden (patients × days, 0–1): the day's mean of the worst adverse-effect score."""
    return _daily(np.max(np.stack([ds[s].values for s in _AE_SCORES]), axis=0))[:, :days]


def dropout_hazards(design: TrialDesign, arm: Arm, params: dict, burden: np.ndarray) -> tuple[float, np.ndarray]:
    """Daily dropout hazards (1/day): the random one (a constant giving the design's 12-week share) and the
    adverse-event one, ``ae_dropout_base`` + the arm's AE scale × burden (patients × days)."""
    h_random = -math.log(1.0 - design.dropout.random_share) / 84.0
    if not design.dropout.adverse_events:
        return h_random, np.zeros_like(burden)
    return h_random, params["ae_dropout_base"] + ae_scale(arm_drugs(design, arm), params) * burden


def ae_dropout_probability(h_random: float, h_ae: np.ndarray) -> np.ndarray:
    """Per patient, the probability of leaving for an adverse event (the expectation over the dropout draws).

    With the daily draws of :func:`_first_event` (an AE on day d with probability p_d = 1 − exp(−h_d), the random
    dropout likewise, AE counted when it comes first or on the same day), a patient leaves for an AE with probability
    Σ_d p_ae,d · Π_{k<d} (1 − p_ae,k)(1 − p_r).
    """
    p_ae = 1.0 - np.exp(-h_ae)
    stay = (1.0 - p_ae) * math.exp(-h_random)
    before = np.cumprod(np.concatenate([np.ones((stay.shape[0], 1)), stay[:, :-1]], axis=1), axis=1)
    return (p_ae * before).sum(axis=1)


def expected_ae_dropout(h_random: float, h_ae: np.ndarray) -> float:
    """Expected share of patients leaving for an adverse event, free of the dropout draws' sampling noise (used to
    fit the AE-dropout scales to NNHs without fitting one seed's draws)."""
    return float(ae_dropout_probability(h_random, h_ae).mean())


def _first_event(u: np.ndarray, hazard: np.ndarray) -> np.ndarray:
    """First day index with an event for daily hazards (patients, days); days (no event) where none."""
    prob = 1.0 - np.exp(-hazard)
    hit = u < prob
    return np.where(hit.any(axis=1), hit.argmax(axis=1), u.shape[1])


_HISTORY_CACHE: dict = {}
"""The last screened population's history (designs with the same population, seed and size share it)."""


def screen(design: TrialDesign, progress: Callable[[str], None] | None = None):
    """Draw and simulate the screened population; return (population, run-in diary, run-in Dataset, streams)."""
    ss = np.random.SeedSequence(design.seed)
    s_pop, s_diary, s_rand, s_drop, s_boot = ss.spawn(5)
    n_total = n_to_randomise(design)
    n_screen = int(math.ceil(design.screen_factor * n_total))
    key = (design.population.model_dump_json(), design.seed, n_screen, design.run_in_days)
    if key not in _HISTORY_CACHE:
        pop = sample_population(design.population, n_screen, s_pop)
        if progress:
            progress(f"simulating {n_screen} screened patients ({design.population.history_years:g} years untreated)")
        _HISTORY_CACHE.clear()  # keep one population in memory
        _HISTORY_CACHE[key] = simulate_history(pop, design.population, design.run_in_days)
    cached, runin = _HISTORY_CACHE[key]
    pop = replace(cached, extra={})
    days = design.run_in_days + int(round(7 * design.duration_weeks))
    rng = np.random.default_rng(s_diary)
    fluct = _fluctuation(rng, n_screen, days, design.diary.fluctuation_sd, design.diary.fluctuation_autocorr)
    noise = design.diary.rating_sd * rng.standard_normal((n_screen, days))
    mood_noise = design.diary.mood_sd * rng.standard_normal((n_screen, 2))
    pop.extra.update(fluct=fluct, noise=noise, mood_noise=mood_noise)
    true_runin = _daily(runin["nrs"].values, design.diary.clock_hours)
    diary = _diary(true_runin, fluct[:, :design.run_in_days], noise[:, :design.run_in_days])
    return pop, diary, runin, (s_rand, s_drop, s_boot)


@dataclass
class Screening:
    """The screened population after the run-in: baselines, inclusion, allocation order and dropout draws."""

    pop: Population
    baseline: np.ndarray
    included: np.ndarray
    table: pd.DataFrame
    chosen: np.ndarray
    u_random: np.ndarray
    u_ae: np.ndarray


def prepare(design: TrialDesign, progress: Callable[[str], None] | None = None) -> Screening:
    """Screen, run in, apply the inclusion criteria and fix the allocation order (one batched history run)."""
    pop, runin_diary, runin, (s_rand, s_drop, _) = screen(design, progress)
    baseline = runin_diary.mean(axis=1)
    inc = design.inclusion
    runin_ok = patient_ok(runin, ("nrs", "depression", "anxiety"))
    included = (baseline >= inc.min_baseline_nrs) & (baseline <= inc.max_baseline_nrs) & runin_ok
    n_total = n_to_randomise(design)
    if included.sum() < n_total:
        raise TrialDesignError(f"screen_factor: only {int(included.sum())} of {pop.n} screened patients met the "
                               f"inclusion criteria but {n_total} are to be randomised; raise screen_factor "
                               f"(now {design.screen_factor:g}) or lower min_baseline_nrs")
    end = runin.isel(time=slice(-SAMPLES_PER_DAY, None))
    table = pd.DataFrame({
        "baseline_nrs": baseline, "included": included, "solver_ok": runin_ok,
        "true_nrs": _daily(runin["nrs"].values)[:, -1],
        "depression": end["depression"].values.mean(axis=1), "anxiety": end["anxiety"].values.mean(axis=1),
        **{k: v for k, v in pop.covariates.items()},
    })
    chosen = np.random.default_rng(s_rand).permutation(np.flatnonzero(included))[:n_total]
    rng_drop = np.random.default_rng(s_drop)
    days = int(round(7 * design.duration_weeks))
    u_random = rng_drop.random((pop.n, days))
    u_ae = rng_drop.random((pop.n, days))
    return Screening(pop, baseline, included, table, chosen, u_random, u_ae)


def arm_indices(design: TrialDesign, scr: Screening) -> dict[str, np.ndarray]:
    """Screened-patient indices of each arm (parallel: consecutive blocks of the shuffled order; twin: the same)."""
    out, start = {}, 0
    for arm in design.arms:
        out[arm.name] = scr.chosen[start:start + arm.n]
        if design.randomisation == "parallel":
            start += arm.n
    return out


def arm_records(design: TrialDesign, scr: Screening, arm: Arm, idx: np.ndarray, ds, params: dict) -> tuple[pd.DataFrame, np.ndarray]:
    """Diary, dropout and per-patient endpoint inputs of one simulated arm (``ds``: patients in the order of ``idx``)."""
    days = int(round(7 * design.duration_weeks))
    ri = design.run_in_days
    n = len(idx)
    extra = {k: v[idx] for k, v in scr.pop.extra.items()}
    true = _daily(ds["nrs"].values, design.diary.clock_hours)[:, :days]
    diary = _diary(true, extra["fluct"][:, ri:ri + days], extra["noise"][:, ri:ri + days])
    burden = ae_burden(ds, days)
    h_random, h_ae = dropout_hazards(design, arm, params, burden)
    d_random = _first_event(scr.u_random[idx], np.full_like(burden, h_random))
    d_ae = _first_event(scr.u_ae[idx], h_ae)
    drop_day = np.minimum(d_random, d_ae)
    reason = np.where(drop_day >= days, "completed", np.where(d_ae <= d_random, "adverse_event", "other"))
    ok = patient_ok(ds, ("nrs", "depression", "anxiety", *_AE_SCORES))
    reason = np.where(ok, reason, SOLVER_FAILED)
    observed = np.arange(days)[None, :] < drop_day[:, None]
    diary = np.where(observed, diary, np.nan)
    mood_daily = _daily(0.5 * (ds["depression"].values + ds["anxiety"].values))[:, :days]
    mood_base = 0.5 * (scr.table["depression"].values[idx] + scr.table["anxiety"].values[idx])
    mood_end = mood_daily[np.arange(n), np.clip(drop_day - 1, 0, days - 1)]
    mood_end = np.where(drop_day > 0, mood_end, mood_base)
    frame = pd.DataFrame({
        "arm": arm.name, "placebo": arm.placebo, "patient": idx, "baseline": scr.baseline[idx],
        "dropout_day": drop_day, "reason": reason,
        "last_week": _last_week(diary, drop_day, days),
        "window": _window_mean(diary, arm.endpoint_weeks, days),
        "mood_baseline": mood_base + extra["mood_noise"][:, 0],
        "mood_end": mood_end + extra["mood_noise"][:, 1],
        "true_baseline": scr.table["true_nrs"].values[idx],
        "true_end": true[:, -7:].mean(axis=1),
        "max_burden": burden.max(axis=1),
        "ae_dropout_probability": ae_dropout_probability(h_random, h_ae),
    })
    return frame, diary


def run_trial(design: TrialDesign, params: dict | None = None,
              progress: Callable[[str], None] | None = None, screening: Screening | None = None) -> TrialResult:
    """Simulate the whole trial; ``params`` overrides model parameters for every patient (calibration).

    ``screening`` reuses an earlier :func:`prepare` of the same design (the
    untreated history is the expensive part).
    """
    scr = screening if screening is not None else prepare(design, progress)
    p_all = {**system.default_params(), **(params or {})}
    rows, diaries, true_daily = [], {}, {}
    days = int(round(7 * design.duration_weeks))
    for arm in design.arms:
        idx = arm_indices(design, scr)[arm.name]
        if progress:
            progress(f"arm {arm.name}: {arm.n} patients, {design.duration_weeks:g} weeks")
        ds = simulate_arm(design, arm, scr.pop.subset(idx), params)
        frame, diaries[arm.name] = arm_records(design, scr, arm, idx, ds, p_all)
        true_daily[arm.name] = _daily(ds["nrs"].values, design.diary.clock_hours)[:, :days]
        rows.append(frame)
    patients = pd.concat(rows, ignore_index=True)
    return TrialResult(design, patients, diaries, scr.pop.n, scr.table,
                       params_used={k: float(v) for k, v in (params or {}).items()}, true_daily=true_daily)


def _window_mean(diary: np.ndarray, weeks: tuple[float, float] | None, days: int) -> np.ndarray:
    """Completers' endpoint: mean observed diary NRS over treatment weeks [from, to) (default: the last 7 days)."""
    a, b = (days - 7, days) if weeks is None else (int(round(7 * weeks[0])), int(round(7 * weeks[1])))
    with np.errstate(all="ignore"):
        part = diary[:, a:b]
        count = np.isfinite(part).sum(axis=1)
        return np.where(count > 0, np.nansum(part, axis=1) / np.maximum(count, 1), np.nan)


def _last_week(diary: np.ndarray, drop_day: np.ndarray, days: int) -> np.ndarray:
    """Mean of the last (up to) 7 observed diary days (NRS); NaN if no day was observed."""
    last = np.minimum(drop_day, days)[:, None]
    d = np.arange(days)[None, :]
    window = (d >= last - 7) & (d < last)
    count = window.sum(axis=1)
    total = np.where(window, np.nan_to_num(diary), 0.0).sum(axis=1)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)
