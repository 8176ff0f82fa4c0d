"""Global sensitivity of an outcome to parameters (Morris elementary effects, SALib).

Every Morris trajectory point is a patient of one batched simulation, so a
screen of 20 parameters × 10 trajectories is a single run of 210 patients.
"""

from __future__ import annotations

from typing import Sequence

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
                       trajectories: int = 10, window_days: float = 28.0, seed: int = 0) -> pd.DataFrame:
    """Morris screening of mean NRS over the last ``window_days`` days.

    Each parameter varies on a log scale from nominal/``spread`` to nominal×``spread``.
    Returns one row per parameter with ``mu_star`` (NRS points, mean absolute elementary
    effect across the range), ``sigma`` (interaction/non-linearity) and ``mu_star_conf``,
    sorted by ``mu_star``.
    """
    nominal = {**system.default_params(), **scenario.params}
    unknown = sorted(set(names) - set(nominal))
    if unknown:
        raise KeyError(f"unknown parameter(s) {unknown}; see `painloop params`")
    problem = {"num_vars": len(names), "names": list(names),
               "bounds": [[-np.log(spread), np.log(spread)]] * len(names)}
    x = morris_sample.sample(problem, N=trajectories, num_levels=4, seed=seed)
    params = {name: nominal[name] * np.exp(x[:, i]) for i, name in enumerate(names)}
    ds = simulate(scenario, params)
    t = ds["time"].values
    y = ds["nrs"].isel(time=t >= t[-1] - window_days).mean("time").values
    result = morris_analyze.analyze(problem, x, y, num_levels=4, seed=seed)
    frame = pd.DataFrame({"parameter": list(names), "mu_star": result["mu_star"], "sigma": result["sigma"],
                          "mu_star_conf": result["mu_star_conf"]})
    return frame.sort_values("mu_star", ascending=False, ignore_index=True)
