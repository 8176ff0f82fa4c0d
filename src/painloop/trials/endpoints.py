"""Trial endpoints: NRS change, 30 %/50 % responders, NNT with bootstrap 95 % CI, NNH, SMD (Hedges' g).

Definitions (IMMPACT, Dworkin 2008 J Pain; Finnerup 2015 Lancet Neurol):

* baseline = mean run-in diary NRS; endpoint = mean diary NRS of the last 7
  days of treatment (or of the arm's ``endpoint_weeks``). Dropouts: BOCF (endpoint = baseline, i.e. counted as
  non-responders) or LOCF (mean of the last 7 observed days).
* responder_X = share of the analysis population with a reduction ≥ X % of baseline.
* NNT_50 = 1 / (responders_50(arm) − responders_50(placebo)); its 95 % CI is
  1 / the percentile bootstrap CI of the difference (patients resampled within
  arms; paired resampling for virtual-twin designs). If the CI of the
  difference includes 0, the upper NNT limit is infinite.
* NNH = 1 / (adverse-event dropout share(arm) − that share on placebo), from the trial's dropout draws;
  NNH_expected the same from each patient's probability of an AE dropout (the expectation over the draws: the
  virtual population's NNH without the sampling noise of one trial, which at 300 per arm is about ±30 %).
* SMD = Hedges' g of post-treatment values (arm − control, pooled SD), negative
  when the arm lowers pain or mood scores more (see :func:`smd_table`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ._run import SOLVER_FAILED, TrialResult

ENDPOINT_COLUMNS = ["arm", "n_randomized", "n_completed", "mean_change", "responders_30", "responders_50",
                    "nnt_50", "nnt_50_ci_low", "nnt_50_ci_high", "nnh", "nnh_expected"]


def analysed(result: TrialResult) -> pd.DataFrame:
    """Per-patient analysis table: endpoint after imputation, change and % reduction (analysis population only)."""
    d = result.patients.copy()
    failed = d["reason"] == SOLVER_FAILED
    if result.design.randomisation == "virtual_twin":  # keep the arms paired: drop a twin failing in any arm
        failed = d["patient"].isin(d.loc[failed, "patient"])
    d = d[~failed]
    a = result.design.analysis
    completed = d["reason"] == "completed"
    if a.imputation == "bocf":
        end = np.where(completed, d["window"], d["baseline"])
    else:
        end = np.where(completed, d["window"], np.where(np.isnan(d["last_week"]), d["baseline"], d["last_week"]))
    d["endpoint"] = end
    d["change"] = d["endpoint"] - d["baseline"]
    d["reduction"] = -d["change"] / d["baseline"]
    d["mood_change"] = d["mood_end"] - d["mood_baseline"]
    d["ae_dropout"] = (d["reason"] == "adverse_event").astype(float)
    d["completed"] = completed
    if a.population == "completers":
        d = d[completed]
    return d


def _nnt(diff: float) -> float:
    return 1.0 / diff if diff > 0 else math.inf


def hedges_g(x: np.ndarray, y: np.ndarray) -> float:
    """Hedges' g of mean(x) − mean(y) with pooled SD and small-sample correction."""
    nx, ny = len(x), len(y)
    if nx < 2 or ny < 2:
        return math.nan
    sp = math.sqrt(((nx - 1) * np.var(x, ddof=1) + (ny - 1) * np.var(y, ddof=1)) / (nx + ny - 2))
    if sp == 0:
        return math.nan
    return float((np.mean(x) - np.mean(y)) / sp * (1.0 - 3.0 / (4.0 * (nx + ny) - 9.0)))


def endpoint_table(result: TrialResult, seed_offset: int = 0) -> pd.DataFrame:
    """One row per arm with :data:`ENDPOINT_COLUMNS` (NNT/NNH empty for the control and when not requested)."""
    design = result.design
    d = analysed(result)
    randomized = result.patients
    everyone = randomized[randomized["reason"] != SOLVER_FAILED]  # failed simulations carry no outcome
    ctrl = design.control
    rng = np.random.default_rng(np.random.SeedSequence([design.seed, 7919, seed_offset]))
    B = design.endpoints.bootstrap
    twin = design.randomisation == "virtual_twin"
    rows = []
    resp50 = {arm.name: (d.loc[d["arm"] == arm.name, "reduction"].to_numpy() >= 0.5).astype(float) for arm in design.arms}
    pos = {arm.name: d.loc[d["arm"] == arm.name, "patient"].to_numpy() for arm in design.arms}
    for arm in design.arms:
        mine = d[d["arm"] == arm.name]
        n_rand = int((randomized["arm"] == arm.name).sum())
        n_comp = int(((everyone["arm"] == arm.name) & (everyone["reason"] == "completed")).sum())
        row = {"arm": arm.name, "n_randomized": n_rand, "n_completed": n_comp,
               "mean_change": float(mine["change"].mean()) if len(mine) else math.nan,
               "responders_30": float((mine["reduction"] >= 0.3).mean()) if len(mine) else math.nan,
               "responders_50": float((mine["reduction"] >= 0.5).mean()) if len(mine) else math.nan,
               "nnt_50": None, "nnt_50_ci_low": None, "nnt_50_ci_high": None, "nnh": None,
               "nnh_expected": None}
        if design.endpoints.nnt and arm.name != ctrl and len(mine) and len(resp50[ctrl]):
            a, c = resp50[arm.name], resp50[ctrl]
            diff = a.mean() - c.mean()
            if twin and np.array_equal(pos[arm.name], pos[ctrl]):
                idx = rng.integers(0, len(a), size=(B, len(a)))
                boot = a[idx].mean(axis=1) - c[idx].mean(axis=1)
            else:
                boot = (a[rng.integers(0, len(a), size=(B, len(a)))].mean(axis=1)
                        - c[rng.integers(0, len(c), size=(B, len(c)))].mean(axis=1))
            lo, hi = np.percentile(boot, [2.5, 97.5])
            row.update(nnt_50=_nnt(diff), nnt_50_ci_low=_nnt(hi), nnt_50_ci_high=_nnt(lo))
            ae_arm = (everyone.loc[everyone["arm"] == arm.name, "reason"] == "adverse_event").mean()
            ae_ctl = (everyone.loc[everyone["arm"] == ctrl, "reason"] == "adverse_event").mean()
            row["nnh"] = _nnt(ae_arm - ae_ctl)
            if "ae_dropout_probability" in everyone:
                p_arm = everyone.loc[everyone["arm"] == arm.name, "ae_dropout_probability"].mean()
                p_ctl = everyone.loc[everyone["arm"] == ctrl, "ae_dropout_probability"].mean()
                row["nnh_expected"] = _nnt(p_arm - p_ctl)
        rows.append(row)
    return pd.DataFrame(rows, columns=ENDPOINT_COLUMNS)


def smd_table(result: TrialResult) -> pd.DataFrame:
    """Hedges' g of post-treatment pain (endpoint NRS) and mood (mean depression/anxiety score) vs the control.

    Post-treatment values, not changes, as in the meta-analyses compared with (Williams 2012 Cochrane; Johnson
    2022 BMJ Open); with randomised (or twin) arms the baselines are balanced, so the mean difference is the
    treatment effect and the pooled SD is the between-patient spread at the end of treatment.
    """
    d = analysed(result)
    ctrl = result.design.control
    rows = []
    if ctrl is None:
        return pd.DataFrame(columns=["arm", "outcome", "smd", "n_arm", "n_control"])
    c = d[d["arm"] == ctrl]
    for arm in result.design.arms:
        if arm.name == ctrl:
            continue
        a = d[d["arm"] == arm.name]
        for outcome, col in (("pain", "endpoint"), ("mood", "mood_end")):
            rows.append({"arm": arm.name, "outcome": outcome,
                         "smd": hedges_g(a[col].to_numpy(), c[col].to_numpy()), "n_arm": len(a), "n_control": len(c)})
    return pd.DataFrame(rows, columns=["arm", "outcome", "smd", "n_arm", "n_control"])


def responder_curve(result: TrialResult, thresholds: np.ndarray | None = None) -> pd.DataFrame:
    """Share of each arm's analysis population reaching at least each % reduction (0-100 %)."""
    thresholds = np.arange(0, 101, 5) if thresholds is None else thresholds
    d = analysed(result)
    rows = []
    for arm in result.design.arms:
        r = d.loc[d["arm"] == arm.name, "reduction"].to_numpy()
        for t in thresholds:
            rows.append({"arm": arm.name, "reduction_pct": float(t), "share": float((r >= t / 100.0).mean()) if len(r) else math.nan})
    return pd.DataFrame(rows)


def consort(result: TrialResult) -> pd.DataFrame:
    """CONSORT-style flow per arm: randomised, completed, dropouts by reason; plus screening counts."""
    p = result.patients
    rows = []
    for arm in result.design.arms:
        mine = p[p["arm"] == arm.name]
        rows.append({"arm": arm.name, "randomised": len(mine),
                     "completed": int((mine["reason"] == "completed").sum()),
                     "dropout_adverse_event": int((mine["reason"] == "adverse_event").sum()),
                     "dropout_other": int((mine["reason"] == "other").sum()),
                     "solver_failed": int((mine["reason"] == SOLVER_FAILED).sum()),
                     "analysed": len(analysed(result).query("arm == @arm.name"))})
    return pd.DataFrame(rows)


def failed_patients(result: TrialResult) -> pd.DataFrame:
    """Randomised patients whose simulation did not complete (arm, patient = screening index); excluded from endpoints."""
    p = result.patients
    return p.loc[p["reason"] == SOLVER_FAILED, ["arm", "patient"]].reset_index(drop=True)


def mood_prevalence(result: TrialResult, threshold: float = 0.5) -> dict[str, float]:
    """Share of screened patients with neuropathic pain (run-in diary ≥ inclusion minimum) above the case threshold.

    Case definition: model depression (anxiety) score ≥ 0.5, the model's
    clinical threshold (``painloop.model.mood``), taken as equivalent to
    HADS-D (HADS-A) ≥ 8 (Zigmond & Snaith 1983; Bjelland 2002 J Psychosom Res).
    """
    s = result.screened_table
    pain = s[s["included"]]
    return {"depression": float((pain["depression"] >= threshold).mean()),
            "anxiety": float((pain["anxiety"] >= threshold).mean()), "n": int(len(pain))}
