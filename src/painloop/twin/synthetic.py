"""Synthetic pain diaries generated from known personal parameters (for tests, benchmarks and demonstrations).

Nothing here comes from a person. Recipe, per diary: personal log-multipliers
``theta`` (drawn from the twin's prior unless given); a usual time in bed
(uniform 7-8.5 h) with nightly variation (normal, SD ``sleep_sd_h``, clipped
to 4-11 h); a self-rated stress series (AR(1) around a personal mean drawn
uniformly in 2-5, day-to-day persistence 0.9, rounded to whole numbers in
0-10); the full model is run by the batched engine
(:func:`painloop.simulate.simulate`, all diaries as one batch, hourly
outputs, default tolerances) from the twin's chronic start through its
run-in and the diary days; daily pain = hourly mean NRS + Gaussian noise of
SD ``noise_sd``, rounded and clipped to 0-10; ``sleep_hours`` = hours in bed
× the base sleep efficiency, rounded to 0.1 h; a fraction ``missing`` of
the days is dropped at random. Same seed → same diaries.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from . import _model as M

START_DATE = "2024-01-01"


def synthetic_diaries(n: int, days: int = 90, *, seed: int = 0, theta: np.ndarray | None = None,
                      noise_sd: float = 0.8, missing: float = 0.15, sleep_sd_h: float = 1.0,
                      with_stress: bool = True, params: Mapping[str, np.ndarray | float] | None = None,
                      ) -> tuple[list[pd.DataFrame], np.ndarray, np.ndarray]:
    """``n`` diaries of ``days`` days and their true personal log-multipliers (n, K).

    ``params`` overrides model parameters (scalars or arrays of length n)
    after the personal multipliers, e.g. ``{"g_sleep_pain": 0.0}`` for a
    person without sleep → pain coupling. Returns (diaries, theta, true daily
    mean NRS (n, days)).
    """
    from ..model import system
    from ..scenario import builtin
    from ..simulate import simulate

    rng = np.random.default_rng(seed)
    k = len(M.PERSONAL)
    if theta is None:
        theta = rng.normal(0.0, M.PRIOR_SD, size=(n, k))
    theta = np.asarray(theta, dtype=float).reshape(n, k)
    y_chronic, efficiency, _, onset_h = M.chronic_start()
    usual_bed = rng.uniform(7.0, 8.5, size=n)
    bed = np.clip(usual_bed[None, :] + rng.normal(0.0, sleep_sd_h, size=(days, n)), 4.0, 11.0)
    bed = np.round(bed * efficiency, 1) / efficiency  # what the twin will read back from sleep_hours
    if with_stress:
        mean = rng.uniform(2.0, 5.0, size=n)
        x = np.zeros((days, n))
        x[0] = mean + rng.normal(0.0, 1.5, size=n)
        for d in range(1, days):
            x[d] = mean + 0.9 * (x[d - 1] - mean) + rng.normal(0.0, 0.8, size=n)
        rating = np.clip(np.round(x), 0, 10)
    else:
        rating = np.full((days, n), 1.0)
    level = rating / 10.0
    usual_b = np.median(bed, axis=0)
    usual_s = np.median(level, axis=0)
    prev = np.concatenate([usual_s[None], level[:-1]], axis=0)

    base = M.base_params()
    p = {name: np.asarray(v) for name, v in M.personal_values(theta.T, base, np).items()}
    p.update(params or {})
    inputs = {
        "hours_in_bed": usual_b, "night_days": np.arange(days, dtype=float)[:, None], "night_hours": bed,
        "stress_base": usual_s, "stress_steps": level - prev, "stress_step_h": 24.0 * np.arange(days, dtype=float)[:, None],
        "onset_h": onset_h - 24.0 * M.RUNIN_DAYS,
    }
    sc = builtin(M.BASE_SCENARIO).model_copy(update={"duration_days": float(days), "history_days": M.RUNIN_DAYS})
    # the personal model integrates with the JAX engine: generating its diaries with the same engine keeps the
    # recovery and derivative checks free of the engines' ~1e-4 differences (which flip rounded ratings)
    ds = simulate(sc, params=p, inputs=inputs, y0=np.repeat(y_chronic[:, None], n, axis=1), engine="jax")
    if not bool(ds["solver_ok"].all()):
        raise RuntimeError("the simulation of the synthetic diaries did not complete")
    nrs = ds["nrs"].values  # (patient, time) hourly
    true = nrs[:, : days * 24].reshape(n, days, 24).mean(axis=2)
    pain = np.clip(np.round(true + rng.normal(0.0, noise_sd, size=true.shape)), 0, 10)
    dates = pd.date_range(START_DATE, periods=days, freq="D")
    frames = []
    for i in range(n):
        keep = np.ones(days, dtype=bool)
        keep[rng.choice(days, size=int(round(missing * days)), replace=False)] = False
        cols = {"date": dates, "pain": pain[i], "sleep_hours": np.round(bed[:, i] * efficiency, 1)}
        if with_stress:
            cols["stress"] = rating[:, i]
        frames.append(pd.DataFrame(cols)[keep].reset_index(drop=True))
    return frames, theta, true
