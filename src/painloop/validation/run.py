"""``validate``: every shipped target as a population check → one table (calibration and validation rows)."""

from __future__ import annotations

import math
from typing import Callable

import pandas as pd

from .checks import PopulationCache, TrialCache, evaluate
from .targets import load_targets

VALIDATION_COLUMNS = ["target_id", "role", "quantity", "population", "source", "published_value", "low", "high",
                      "unit", "simulated", "sim_low", "sim_high", "n_patients", "tolerance", "passed", "verdict",
                      "note"]


def validate(n: int = 200, seed: int = 7, *, which: str = "all", trials: bool = False, trial_n: int = 100,
             diabetes_years: float = 2.0, only: list[str] | None = None, bootstrap: int = 200,
             progress: Callable[[str], None] | None = None) -> pd.DataFrame:
    """Evaluate the targets of ``which`` (calibration, validation or all) on populations of ``n`` at ``seed``.

    ``trials`` also runs the trial checks (NNT, NNH, placebo responders; ``trial_n`` patients per arm);
    ``only`` restricts to the given target ids. ``passed`` is True/False, or empty when a check was not run.
    ``sim_low``/``sim_high`` are the simulated value's Monte-Carlo 95 % interval (``bootstrap`` resamples of the
    virtual patients; a trial NNT's own bootstrap interval) and ``verdict`` says whether a failure lies within
    that sampling error (:func:`painloop.validation.checks.verdict`).
    """
    cache = PopulationCache(n=n, seed=seed, diabetes_years=diabetes_years, progress=progress)
    trial_cache = TrialCache(n=trial_n, seed=seed, progress=progress) if trials else None
    rows = []
    for t in load_targets(which):
        if only and t.target_id not in only:
            continue
        o = evaluate(t, cache, trial_cache, bootstrap)
        rows.append({"target_id": t.target_id, "role": t.role, "quantity": t.quantity, "population": t.population,
                     "source": t.source, "published_value": t.value, "low": t.low, "high": t.high, "unit": t.unit,
                     "simulated": o.simulated, "sim_low": o.sim_low, "sim_high": o.sim_high,
                     "n_patients": o.n_patients, "tolerance": f"[{t.low:g}, {t.high:g}]",
                     "passed": "" if o.passed is None else bool(o.passed), "verdict": o.verdict, "note": o.note})
    return pd.DataFrame(rows, columns=VALIDATION_COLUMNS)


def summary_counts(table: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Per role: targets, run, passed, failed (and of those, within sampling error), not run."""
    out = {}
    for role, g in table.groupby("role"):
        ran = g[g["passed"] != ""]
        passed = int((ran["passed"] == True).sum())  # noqa: E712
        out[str(role)] = {"targets": len(g), "run": len(ran), "passed": passed, "failed": len(ran) - passed,
                          "within_sampling": int((g["verdict"] == "fail, within sampling error").sum()),
                          "not_run": len(g) - len(ran)}
    return out


def format_value(v: float) -> str:
    """A simulated value for tables ('—' when not run)."""
    return "—" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.3g}"


def counts_text(c: dict[str, int]) -> str:
    """One role's counts in words, e.g. '6 of 13 run passed (7 failed, 2 of them within sampling error, 0 not run)'."""
    return (f"{c['passed']} of {c['run']} run passed ({c['failed']} failed, {c['within_sampling']} of them within "
            f"sampling error, {c['not_run']} not run)")
