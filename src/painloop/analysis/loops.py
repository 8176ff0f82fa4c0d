"""Loop strength: how much of an outcome each direction of each feedback loop carries.

Each loop direction has a gain parameter (``model/loops.py``). Cutting one
(gain 0) and comparing with the nominal run measures what that direction
contributes. All cuts run as one batch: patient 0 is nominal, patient k has
loop k cut.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..model import loops as loop_module
from ..scenario import Scenario
from ..simulate import simulate

LOOP_GAINS = loop_module.GAINS


def _last_days_mean(ds, var: str, days: float) -> np.ndarray:
    """Mean of ``var`` over the last ``days`` days, per patient."""
    t = ds["time"].values
    return ds[var].isel(time=t >= t[-1] - days).mean("time").values


def _daily_amplitude(ds, var: str, days: float) -> np.ndarray:
    """Mean daily (max - min) of ``var`` over the last ``days`` days, per patient."""
    da = ds[var].isel(time=ds["time"].values >= ds["time"].values[-1] - days)
    grouped = da.groupby(np.floor(da["time"]).rename("day"))
    return (grouped.max() - grouped.min()).mean("day").values


def loop_strengths(scenario: Scenario, window_days: float = 28.0) -> pd.DataFrame:
    """Outcome change (last ``window_days``) when each loop direction is cut, one batched run.

    Columns: ``loop``, ``nrs_nominal``, ``nrs_cut``, ``delta_nrs`` (NRS points carried by the loop),
    ``delta_cortisol_amplitude`` (µg/dL of daily cortisol amplitude restored by cutting it).
    """
    n = len(LOOP_GAINS) + 1
    params = {}
    for k, name in enumerate(LOOP_GAINS):
        gain = np.full(n, float(scenario.params.get(name, 1.0)))
        gain[k + 1] = 0.0
        params[name] = gain
    ds = simulate(scenario, params)
    nrs = _last_days_mean(ds, "nrs", window_days)
    amp = _daily_amplitude(ds, "cortisol", window_days)
    return pd.DataFrame({
        "loop": list(LOOP_GAINS),
        "nrs_nominal": nrs[0],
        "nrs_cut": nrs[1:],
        "delta_nrs": nrs[0] - nrs[1:],
        "delta_cortisol_amplitude": amp[1:] - amp[0],
    })
