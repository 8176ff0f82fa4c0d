"""Fitting a personal model to a pain diary: maximum a posteriori, then a Laplace approximation.

Model (see :mod:`painloop.twin._model`): personal log-multipliers
``theta`` (one per entry of :data:`~painloop.twin._model.PERSONAL`) with the
population prior ``theta_k ~ Normal(0, s_k²)`` (log-normal multipliers of
median 1; each ``s_k`` with its source in ``PERSONAL``). Observation model:
the diary's daily pain = model daily mean NRS + Gaussian noise of SD
``sigma``. Diary values are whole numbers, so they also carry a rounding
error (variance 1/12 NRS²); it is not modelled separately but absorbed in
``sigma``, which is estimated from the residuals at the MAP (profile /
empirical-Bayes estimate, floored at :data:`SIGMA_MIN`), because a prior on
the noise of a person's ratings would be an arbitrary choice.

Why MAP + Laplace rather than MCMC: on a 2-core machine a NUTS run needs
thousands of gradient evaluations of a 90-day stiff-ish ODE solve (minutes
per diary), whereas the posterior of 5 well-scaled log-parameters is close
to Gaussian once the diary has a few weeks of data. So the MAP is found by
Levenberg-Marquardt with the exact Jacobian of the daily NRS from JAX
forward-mode differentiation through the diffrax solver (one pass for all
parameters), and the posterior covariance is the inverse of the Hessian of
the negative log posterior at the MAP, in its Gauss-Newton form
``JᵀJ/σ² + diag(1/s²)`` (built from the same JAX Jacobian; the omitted term
``Σ rᵢ ∇²fᵢ`` has expectation zero under the model and would need a second
differentiation pass). Several diaries are fitted together as columns of one
batched solve.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable, Sequence

import jax.numpy as jnp
import numpy as np
import pandas as pd
import xarray as xr

from .. import DISCLAIMER, __version__
from .._progress import StageProgress, as_stage_callback
from ..model import system
from ..treatments import dose_events, records
from . import _model as M
from .diary import DiaryError, Problem, parse_medication
from .stages import FIT_STAGES

SIGMA_MIN = 0.3
"""Lowest observation SD, NRS (assumption: the rounding of whole-number ratings alone gives SD 0.29)."""
SIGMA_START = 1.0
"""Observation SD used before the first residual estimate when the diary is too short to estimate it, NRS
(assumption: typical day-to-day NRS noise)."""
DOSE_CLOCK_H = 8.0
"""Clock time of the first dose of a diary day, h (assumption: morning; bid adds 20:00, tid 16:00 and 24:00)."""
DECREMENT_TOL = 1e-2
"""Stop when half the Newton decrement (predicted gain of log posterior) is below this (assumption: far below the
posterior's own scale of 1/2 per parameter)."""
MIN_DAYS = 7
"""Fewest diary days with a pain rating the twin accepts (assumption: less than a week says nothing about trends)."""
DRAW_CHUNK = 16
"""Posterior draws solved per batched run (the progress advances after each; one compiled shape for any number
of draws, the last chunk padded with the MAP). Measured on the example diary, warm: one run of 64 draws ~1.7 s,
of 16 ~1.2 s, of 8 ~0.9 s; 16 keeps four steps for the default 64 draws at ~3 s extra."""
ITERATION_SCALE = 4.0
"""Optimiser iterations after which the "optimising" stage shows half done (the number of iterations is not known
in advance; measured: 5 on the shipped example diary). After iteration i the stage shows i / (i + ITERATION_SCALE),
and complete when the optimiser stops."""


@dataclass
class DiaryData:
    """A diary as daily model inputs (day 0 = first diary day).

    ``pain`` daily mean NRS (NaN on missing days); ``night_bed_h`` hours in
    bed for the night ending on the morning of each day (h); ``stress_level``
    external life stress per day (0 everyday … 1 severe; diary rating / 10);
    ``usual_bed_h``/``usual_stress`` the person's medians (run-in and
    forecasts); ``doses`` (time h, state, amount) jumps from the start of the
    run-in; ``regimen`` the medication of the last diary entry as regimen
    strings (continued in the "as is" forecast).
    """

    start: pd.Timestamp
    pain: np.ndarray
    night_bed_h: np.ndarray
    stress_level: np.ndarray
    usual_bed_h: float
    usual_stress: float
    doses: list[tuple[float, str, float]] = field(default_factory=list)
    regimen: list[str] = field(default_factory=list)
    columns: tuple[str, ...] = ()

    @property
    def n_days(self) -> int:
        return int(self.pain.size)


def _dose_events_for(text: str, day: int) -> list[tuple[float, str, float]]:
    events = []
    for m in parse_medication(text):
        events += dose_events(records(m.drug, m.amount, 24.0 * day + DOSE_CLOCK_H, 24.0 * (day + 1) + DOSE_CLOCK_H,
                                      m.every_hours))
    return events


def prepare(frame: pd.DataFrame) -> DiaryData:
    """Daily model inputs from a diary DataFrame (as returned by the readers).

    Several entries on one day are averaged. Sleep: hours in bed = hours
    slept / sleep efficiency of the base model (so a night as in the base
    scenario maps back to its 8 h in bed), clipped to 3-14 h; missing nights
    take the person's median. Stress: rating/10, missing days the median.
    Medication: the entries of a day give doses at 08:00 (+ the interval);
    days without an entry repeat the last recorded medication (a missing
    diary day is not a day without medicines); the first day's medication is
    assumed to have been taken during the run-in.
    """
    if len(frame) == 0:
        raise DiaryError([Problem(0, "", "the diary has no entries")])
    _, efficiency, base_bed_h, _ = M.chronic_start()
    days = (frame["date"].dt.normalize() - frame["date"].dt.normalize().iloc[0]).dt.days.to_numpy()
    start = frame["date"].dt.normalize().iloc[0]
    n_days = int(days.max()) + 1
    by_day = frame.assign(_day=days).groupby("_day")

    def daily(col: str) -> np.ndarray:
        out = np.full(n_days, np.nan)
        if col in frame:
            s = by_day[col].mean()
            out[s.index.to_numpy()] = s.to_numpy()
        return out

    pain = daily("pain")
    if np.isfinite(pain).sum() < MIN_DAYS:
        raise DiaryError([Problem(0, "pain", f"the diary has pain ratings on {int(np.isfinite(pain).sum())} days; "
                                              f"the twin needs at least {MIN_DAYS}")])
    bed = np.clip(daily("sleep_hours") / efficiency, 3.0, 14.0)
    usual_bed = float(np.nanmedian(bed)) if np.isfinite(bed).any() else base_bed_h
    bed = np.where(np.isfinite(bed), bed, usual_bed)
    stress = daily("stress") / 10.0
    usual_stress = float(np.nanmedian(stress)) if np.isfinite(stress).any() else float(M.base_inputs()["stress_base"])
    stress = np.where(np.isfinite(stress), stress, usual_stress)

    doses: list[tuple[float, str, float]] = []
    regimen: list[str] = []
    if "medication" in frame:
        per_day = {int(d): "; ".join(t for t in g["medication"] if isinstance(t, str) and t.strip())
                   for d, g in frame.assign(_day=days).groupby("_day")}
        current = per_day.get(0, "")
        for d in range(-M.RUNIN_DAYS, n_days):
            if d >= 0 and d in per_day:
                current = per_day[d]
            if current:
                doses += _dose_events_for(current, d)
        regimen = [f"{m} from day 0" for m in parse_medication(current)]
    return DiaryData(start=start, pain=pain, night_bed_h=bed, stress_level=stress, usual_bed_h=usual_bed,
                     usual_stress=usual_stress, doses=doses, regimen=regimen, columns=tuple(frame.columns))


@dataclass
class Batch:
    """Arguments of :func:`painloop.twin._model.daily_nrs` for a batch of diaries (columns)."""

    y0: object
    p_base: dict
    q: dict
    doses: object
    n_days: int
    treated: bool
    dose_rows: tuple[int, ...]

    def kwargs(self) -> dict:
        return dict(n_days=self.n_days, treated=self.treated, dose_rows=self.dose_rows)


def make_batch(datas: Sequence[DiaryData]) -> Batch:
    """Stack diaries as columns, padded to the longest with the usual inputs (a diary may appear several times)."""
    y_chronic, _, _, _ = M.chronic_start()
    n = len(datas)
    n_days = max(d.n_days for d in datas)

    def pad(d: DiaryData, x: np.ndarray, fill: float) -> np.ndarray:
        return np.concatenate([x, np.full(n_days - x.size, fill)])

    bed = np.stack([pad(d, d.night_bed_h, d.usual_bed_h) for d in datas], axis=1)
    level = np.stack([pad(d, d.stress_level, d.usual_stress) for d in datas], axis=1)
    usual_stress = np.array([d.usual_stress for d in datas])
    prev = np.concatenate([usual_stress[None], level[:-1]], axis=0)
    base = M.base_inputs()
    q: dict = {}
    for k, v in base.items():
        v = np.asarray(v, dtype=float)
        q[k] = jnp.asarray(v[:, None] if v.ndim == 1 else v)
    q.update({
        "hours_in_bed": jnp.asarray([d.usual_bed_h for d in datas]),
        "night_days": jnp.arange(n_days, dtype=float)[:, None],
        "night_hours": jnp.asarray(bed),
        "stress_base": jnp.asarray(usual_stress),
        "stress_steps": jnp.asarray(level - prev),
        "stress_step_h": 24.0 * jnp.arange(n_days, dtype=float)[:, None],
        "onset_h": jnp.asarray(float(base["onset_h"]) - 24.0 * M.RUNIN_DAYS),
    })
    treated = any(d.doses for d in datas)
    dose_rows: tuple[int, ...] = ()
    n_seg = (M.RUNIN_DAYS + n_days) * M.SAVES_PER_DAY
    doses = np.zeros((1, 1, 1))
    if treated:
        for k, v in M.treated_inputs().items():
            v = np.asarray(v, dtype=float)
            q[k] = jnp.asarray(v[:, None] if v.ndim == 1 else v)
        states = sorted({system.STATE_INDEX[s] for d in datas for _, s, _ in d.doses})
        dose_rows = tuple(states)
        doses = np.zeros((n_seg, len(states), n))
        for j, d in enumerate(datas):
            for t, s, amount in d.doses:
                seg = int(round((t + 24.0 * M.RUNIN_DAYS) / M.SEG_H))
                if 0 <= seg < n_seg:
                    doses[seg, states.index(system.STATE_INDEX[s]), j] += amount
    p_base = {k: jnp.asarray(v, dtype=float) for k, v in M.base_params().items()}
    y0 = jnp.asarray(np.repeat(y_chronic[:, None], n, axis=1))
    return Batch(y0, p_base, q, jnp.asarray(doses), n_days, treated, dose_rows)


@dataclass
class BatchFit:
    """MAP and Laplace posterior of a batch of diaries (index 0 = diary)."""

    theta: np.ndarray        # (n, K) log-multipliers at the MAP
    cov: np.ndarray          # (n, K, K) posterior covariance of theta
    sigma: np.ndarray        # (n,) observation SD, NRS
    fitted: np.ndarray       # (n, n_days) model daily NRS at the MAP
    converged: np.ndarray    # (n,) bool
    iterations: int
    n_obs: np.ndarray        # (n,) days with a pain rating

    @property
    def sd(self) -> np.ndarray:
        """Posterior SD of each log-multiplier, (n, K)."""
        return np.sqrt(np.diagonal(self.cov, axis1=1, axis2=2))


def _rough_sigma(pain: np.ndarray) -> float:
    """Starting observation SD (NRS): scatter of the daily ratings around their centred 7-day moving average."""
    s = pd.Series(pain)
    smooth = s.rolling(7, center=True, min_periods=3).mean()
    resid = (s - smooth).dropna()
    if len(resid) < 3:
        return SIGMA_START
    return float(max(resid.std(ddof=1) * np.sqrt(7.0 / 6.0), SIGMA_MIN))


def _objective(y: np.ndarray, mask: np.ndarray, f: np.ndarray, theta: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    r = np.where(mask, y - f, 0.0) / sigma[:, None]
    return 0.5 * (np.sum(r**2, axis=1) + np.sum((theta / M.PRIOR_SD) ** 2, axis=1))


def map_laplace(datas: Sequence[DiaryData], *, max_iter: int = 30, sigma_rounds: int = 2,
                progress: Callable[..., None] | None = None, stages: StageProgress | None = None) -> BatchFit:
    """Fit every diary of ``datas`` (one batched solve per iteration): Levenberg-Marquardt MAP, Laplace covariance.

    Progress goes to ``stages`` (a :class:`~painloop._progress.StageProgress`
    declaring the stages "first solve (compiling the model)" and "optimising")
    or, without it, to ``progress`` called with (fraction, stage) or the
    fraction alone. Raises ``RuntimeError`` if the model cannot be solved at
    the start point.
    """
    if stages is None:
        stages = StageProgress(FIT_STAGES[1:3], as_stage_callback(progress))
    batch = make_batch(datas)
    n, k = len(datas), len(M.PERSONAL)
    y = np.stack([np.concatenate([d.pain, np.full(batch.n_days - d.n_days, np.nan)]) for d in datas])
    mask = np.isfinite(y)
    y = np.where(mask, y, 0.0)
    n_obs = mask.sum(axis=1)
    prior_prec = np.diag(1.0 / M.PRIOR_SD**2)
    theta = np.zeros((n, k))
    sigma = np.array([_rough_sigma(d.pain) for d in datas])
    lam = np.full(n, 1e-2)
    used = 0

    def jac(th: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        f, j = M.jacobian(th.T, batch.y0, batch.p_base, batch.q, batch.doses, **batch.kwargs())
        return np.asarray(f).T, np.transpose(np.asarray(j), (2, 1, 0))  # (n, D), (n, D, K)

    stages.update("first solve (compiling the model)")
    f, J = jac(theta)
    if not np.all(np.isfinite(f)):
        raise RuntimeError("the personal model could not be solved for this diary")
    stages.update("optimising")
    converged = np.zeros(n, dtype=bool)
    for rnd in range(sigma_rounds):
        done = np.zeros(n, dtype=bool)
        for _ in range(max_iter):
            used += 1
            Jt = np.where(mask[:, :, None], J, 0.0) / sigma[:, None, None]
            r = np.where(mask, y - f, 0.0) / sigma[:, None]
            A = np.einsum("ndk,ndl->nkl", Jt, Jt) + prior_prec
            g = np.einsum("ndk,nd->nk", Jt, r) - theta / M.PRIOR_SD**2
            damp = A + lam[:, None, None] * np.einsum("kl,nk->nkl", np.eye(k), np.diagonal(A, axis1=1, axis2=2))
            newton = np.linalg.solve(A, g[:, :, None])[:, :, 0]
            done |= 0.5 * np.einsum("nk,nk->n", g, newton) < DECREMENT_TOL
            step = np.clip(np.linalg.solve(damp, g[:, :, None])[:, :, 0], -1.0, 1.0)
            step[done] = 0.0
            if done.all():
                break
            trial = theta + step
            f_trial, _, ok = M.daily_nrs(jnp.asarray(trial.T), batch.y0, batch.p_base, batch.q, batch.doses,
                                         **batch.kwargs())
            f_trial = np.asarray(f_trial).T
            old = _objective(y, mask, f, theta, sigma)
            new = _objective(y, mask, f_trial, trial, sigma)
            better = np.isfinite(new) & (new <= old) & ~done
            lam = np.where(better, np.maximum(lam / 3.0, 1e-7), np.minimum(lam * 4.0, 1e7))
            done |= (np.max(np.abs(step), axis=1) < 1e-4) | (lam >= 1e7)
            if better.any():
                theta = np.where(better[:, None], trial, theta)
                f, J = jac(theta)
            stages.update("optimising", used / (used + ITERATION_SCALE))
            if done.all():
                break
        converged = done
        resid = np.where(mask, y - f, 0.0)
        new_sigma = np.maximum(np.sqrt(np.sum(resid**2, axis=1) / np.maximum(n_obs - 1, 1)), SIGMA_MIN)
        if rnd > 0 and np.all(np.abs(new_sigma - sigma) < 0.01):
            sigma = new_sigma
            break
        sigma = new_sigma
        lam = np.full(n, 1e-2)
    Jt = np.where(mask[:, :, None], J, 0.0) / sigma[:, None, None]
    H = np.einsum("ndk,ndl->nkl", Jt, Jt) + prior_prec
    cov = np.linalg.inv(H)
    stages.update("optimising", 1.0)
    return BatchFit(theta=theta, cov=cov, sigma=sigma, fitted=f, converged=converged, iterations=used, n_obs=n_obs)


def posterior_draws(theta: np.ndarray, cov: np.ndarray, n_draws: int, seed: int) -> np.ndarray:
    """``n_draws`` samples (n_draws, K) of the Laplace posterior N(theta, cov); draw 0 is the MAP itself."""
    rng = np.random.default_rng(seed)
    z = rng.multivariate_normal(np.zeros(theta.size), cov, size=n_draws, method="cholesky")
    z[0] = 0.0
    return theta[None, :] + z


def fit_twin(frame: pd.DataFrame, *, n_draws: int = 64, seed: int = 0,
             progress: Callable[..., None] | None = None, source: str = "") -> xr.Dataset:
    """Fit the personal model to a diary and return the twin: posterior draws, fit and metadata (xarray).

    The Dataset holds ``pain_observed`` / ``fit_nrs`` (MAP) / ``fit_nrs_draws``
    per diary day (NRS), ``theta_map``, ``theta_cov``, ``theta_draws`` (log
    multipliers), ``multiplier_draws`` and ``prior_sd_log`` per personal
    parameter, ``state_end`` (every model state at the end of the last diary
    day, per draw: the start of forecasts), the daily inputs, ``sigma`` and
    in its attributes the diary start, usual inputs, current regimen, method
    and the disclaimer. Same diary and seed → same numbers.

    ``progress`` is called as the work advances with the fraction done (0-1,
    never decreasing) and, if it takes a second argument, the name of the stage
    under way (:data:`FIT_STAGES`: simulating the base patient (once per
    process), preparing the diary, first solve (compiling the model),
    optimising (after each iteration), posterior draws (after each
    :data:`DRAW_CHUNK` draws)).
    """
    return fit_twins([frame], n_draws=n_draws, seed=seed, progress=progress, sources=[source])[0]


def fit_twins(frames: Sequence[pd.DataFrame], *, n_draws: int = 64, seed: int = 0,
              progress: Callable[..., None] | None = None, sources: Sequence[str] | None = None) -> list[xr.Dataset]:
    """:func:`fit_twin` for several diaries at once (one batched solve per iteration); one twin per diary.

    Diary i uses the seed ``seed + i`` for its posterior draws; ``progress`` as in :func:`fit_twin`.
    """
    if n_draws < 1:
        raise ValueError(f"n_draws must be at least 1, got {n_draws}")
    stages = StageProgress(FIT_STAGES, as_stage_callback(progress))
    stages.update("simulating the base patient")
    M.chronic_start()  # years of the base scenario's history, once per process; every diary starts from it
    stages.update("preparing the diary")
    datas = [prepare(f) for f in frames]
    stages.update("preparing the diary", 1.0)
    fit = map_laplace(datas, stages=stages)
    draws = [posterior_draws(fit.theta[i], fit.cov[i], n_draws, seed + i) for i in range(len(datas))]
    nrs, y_end = _solve_draws(datas, draws, stages.within("posterior draws"))
    twins = []
    for i, data in enumerate(datas):
        cols = slice(i * n_draws, (i + 1) * n_draws)
        twins.append(_package(data, fit, i, draws[i], nrs[cols, :data.n_days], y_end[cols], seed + i,
                              (sources or [""] * len(datas))[i]))
    stages.finish()
    return twins


def _solve_draws(datas: Sequence[DiaryData], draws: Sequence[np.ndarray],
                 progress: Callable[[float], None]) -> tuple[np.ndarray, np.ndarray]:
    """Daily NRS (n·n_draws, n_days) and end states (n·n_draws, n_states) of every posterior draw, diary-major.

    Solved :data:`DRAW_CHUNK` draws of every diary at a time (one batched run per
    chunk, ``progress`` called with the share of draws done after each); raises
    ``RuntimeError`` if a draw cannot be solved.
    """
    n, n_draws = len(datas), draws[0].shape[0]
    batch = make_batch([d for d in datas for _ in range(DRAW_CHUNK)])
    nrs = np.empty((n, n_draws, batch.n_days))
    y_end = np.empty((n, n_draws, len(system.STATE_NAMES)))
    progress(0.0)
    for lo in range(0, n_draws, DRAW_CHUNK):
        hi = min(lo + DRAW_CHUNK, n_draws)
        theta = np.concatenate([np.concatenate([d[lo:hi], np.repeat(d[:1], DRAW_CHUNK - (hi - lo), axis=0)])
                                for d in draws])  # (n·DRAW_CHUNK, K), padded with the MAP (draw 0)
        f, y, _ = M.daily_nrs(jnp.asarray(theta.T), batch.y0, batch.p_base, batch.q, batch.doses, **batch.kwargs())
        f = np.asarray(f).T.reshape(n, DRAW_CHUNK, -1)
        y = np.asarray(y).T.reshape(n, DRAW_CHUNK, -1)
        nrs[:, lo:hi], y_end[:, lo:hi] = f[:, :hi - lo], y[:, :hi - lo]
        progress(hi / n_draws)
    if not np.all(np.isfinite(nrs)) or not np.all(np.isfinite(y_end)):
        raise RuntimeError("the personal model could not be solved for some posterior draws")
    return nrs.reshape(n * n_draws, -1), y_end.reshape(n * n_draws, -1)


def _package(data: DiaryData, fit: BatchFit, i: int, draws: np.ndarray, nrs: np.ndarray, y_end: np.ndarray,
             seed: int, source: str) -> xr.Dataset:
    """The twin Dataset of diary ``i`` of a batch fit (contents listed in :func:`fit_twin`)."""
    theta, cov = fit.theta[i], fit.cov[i]
    n_draws = draws.shape[0]
    days = data.start + pd.to_timedelta(np.arange(data.n_days), unit="D")
    names = list(M.PERSONAL_NAMES)
    ds = xr.Dataset(
        {
            "pain_observed": ("day", data.pain, {"units": "NRS 0-10", "long_name": "diary pain, daily mean (NaN: no entry)"}),
            "fit_nrs": ("day", fit.fitted[i, :data.n_days], {"units": "NRS 0-10",
                                                            "long_name": "model daily mean NRS at the MAP"}),
            "fit_nrs_draws": (("draw", "day"), nrs, {"units": "NRS 0-10",
                                                      "long_name": "model daily mean NRS for each posterior draw"}),
            "night_bed_h": ("day", data.night_bed_h, {"units": "h", "long_name": "hours in bed (model input)"}),
            "stress_level": ("day", data.stress_level, {"units": "score 0-1+", "long_name": "life stress (model input)"}),
            "theta_map": ("param", theta, {"units": "log multiplier", "long_name": "MAP of the personal log-multipliers"}),
            "theta_cov": (("param", "param2"), cov, {"units": "log multiplier²", "long_name": "Laplace posterior covariance"}),
            "theta_draws": (("draw", "param"), draws, {"units": "log multiplier", "long_name": "posterior draws (draw 0 = MAP)"}),
            "multiplier_draws": (("draw", "param"), np.exp(draws), {"units": "multiplier (dimensionless)"}),
            "prior_sd_log": ("param", M.PRIOR_SD, {"units": "log multiplier", "long_name": "SD of the log-normal prior (median 1)"}),
            "state_end": (("draw", "state"), y_end, {"long_name": "model state at the end of the last diary day"}),
            "sigma": ((), float(fit.sigma[i]), {"units": "NRS", "long_name": "observation noise SD (incl. rounding)"}),
        },
        coords={"day": days, "param": names, "param2": names, "draw": np.arange(n_draws),
                "state": list(system.STATE_NAMES)},
    )
    ds.attrs.update(
        title="painloop digital twin (personal model fitted to a pain diary)",
        painloop_version=__version__,
        disclaimer=DISCLAIMER,
        source_file=source,
        diary_start=str(data.start.date()),
        diary_columns=",".join(data.columns),
        n_days=data.n_days,
        n_obs=int(fit.n_obs[i]),
        usual_bed_h=data.usual_bed_h,
        usual_stress=data.usual_stress,
        regimen=json.dumps(data.regimen),
        base_scenario=M.BASE_SCENARIO,
        method=("MAP by Levenberg-Marquardt with JAX forward-mode Jacobians through diffrax (Tsit5, "
                f"rtol {M.RTOL_FIT:g}); Laplace (Gauss-Newton Hessian) posterior; sigma by residual profile"),
        converged=int(bool(fit.converged[i])),
        iterations=fit.iterations,
        seed=seed,
        priors=json.dumps({p.name: {"label": p.label, "targets": list(p.targets), "prior": f"lognormal(0, {p.prior_sd_log})",
                                    "unit": p.unit, "source": p.source} for p in M.PERSONAL}),
    )
    return ds
