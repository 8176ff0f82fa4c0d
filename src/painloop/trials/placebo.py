"""The placebo arm taken apart: natural course, regression to the mean and expectation, over several seeds.

For the patients randomised to a trial's placebo arm, the observed diary change (last treatment week minus
run-in mean, NRS points, negative = better) is split into three additive parts:

* **natural course** — the change of the model's true daily NRS in the same patients simulated untreated and
  *without* expectation (an untreated, no-expectation arm): ``mean(true_end_untreated − true_baseline)``;
* **expectation** — what the placebo's expectation adds on top: ``mean(true_end_placebo − true_end_untreated)``;
* **regression to the mean** — the part due to inclusion on noisy screening days: diary minus true NRS at the
  end minus the same at baseline, ``mean(noise_end − noise_baseline)``; patients enter when their noisy run-in
  diary is high, so their baseline noise is positive on average and this part is negative.

``residual`` = observed − (sum of the parts): what integer rounding of the diary leaves. Dropout is ignored here
(every randomised placebo patient's full diary is used), so the parts describe the placebo response itself.
Responder rates (the trial's own ITT/BOCF endpoint) are reported as mean ± SD over seeds.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import pandas as pd

from ._design import TrialDesign, TrialDesignError, parse_design
from ._run import _daily, arm_indices, prepare, run_trial, simulate_arm

CALIBRATION_SEED = 2015
"""The seed the built-in designs were calibrated at (``painloop.trials.calibrate``): never used to check them."""

DEFAULT_SEEDS = (101, 102, 103, 104, 105)
"""Seeds of the multi-seed placebo report (none of them the calibration seed)."""

COMPONENT_COLUMNS = ["seed", "n", "observed_change", "natural_course", "regression_to_mean", "expectation", "residual",
                     "responders_30", "responders_50"]


def _placebo_arm(design: TrialDesign):
    arm = next((a for a in design.arms if a.placebo), None)
    if arm is None:
        raise TrialDesignError("placebo decomposition needs a placebo arm ('placebo: true')")
    return arm


def placebo_only(design: TrialDesign, n: int | None = None) -> TrialDesign:
    """The design reduced to its placebo arm (of ``n`` patients if given): the other arms do not change it."""
    arm = _placebo_arm(design)
    data = design.model_dump(mode="json")
    data["arms"] = [{**arm.model_dump(mode="json"), **({"n": n} if n else {})}]
    data["control"] = arm.name
    data["randomisation"] = "parallel"
    data["published"] = {}
    return parse_design(data, "(placebo arm only)")


def components(design: TrialDesign, result=None, screening=None) -> dict[str, float]:
    """The parts of one trial's placebo response (see the module docstring) and its responder rates."""
    from .endpoints import endpoint_table

    arm = _placebo_arm(design)
    scr = screening if screening is not None else prepare(design)
    result = result if result is not None else run_trial(design, screening=scr)
    idx = arm_indices(design, scr)[arm.name]
    ri, days = design.run_in_days, int(round(7 * design.duration_weeks))
    open_label = parse_design({**design.model_dump(mode="json"), "blinded": False}, "(untreated, no expectation)")
    untreated = simulate_arm(open_label, arm, scr.pop.subset(idx))
    true_untreated = _daily(untreated["nrs"].values, design.diary.clock_hours)[:, :days]
    frame = result.patients[result.patients["arm"] == arm.name]
    true_base = frame["true_baseline"].to_numpy()
    true_end_placebo = frame["true_end"].to_numpy()
    fluct, noise = scr.pop.extra["fluct"][idx], scr.pop.extra["noise"][idx]
    noise_base = (fluct[:, :ri] + noise[:, :ri]).mean(axis=1)
    noise_end = (fluct[:, ri + days - 7:ri + days] + noise[:, ri + days - 7:ri + days]).mean(axis=1)
    # the full diary of every patient (dropout ignored): rebuild the last week from true NRS + noise, rounded
    true_placebo_week = true_end_placebo  # mean of the model's last 7 days on placebo
    last = slice(ri + days - 7, ri + days)
    observed_end = np.clip(np.rint(result.true_daily[arm.name][:, -7:] + fluct[:, last] + noise[:, last]),
                           0, 10).mean(axis=1)
    observed = float(np.mean(observed_end - scr.baseline[idx]))
    natural = float(np.mean(true_untreated[:, -7:].mean(axis=1) - true_base))
    expectation = float(np.mean(true_placebo_week - true_untreated[:, -7:].mean(axis=1)))
    rtm = float(np.mean(noise_end - noise_base))
    e = endpoint_table(result).set_index("arm").loc[arm.name]
    return {"n": int(len(idx)), "observed_change": observed, "natural_course": natural, "regression_to_mean": rtm,
            "expectation": expectation, "residual": observed - (natural + rtm + expectation),
            "responders_30": float(e["responders_30"]), "responders_50": float(e["responders_50"])}


def placebo_report(design: TrialDesign, seeds: Sequence[int] = DEFAULT_SEEDS, n: int | None = None,
                   progress: Callable[[str], None] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-seed parts of the placebo response and their mean ± SD over ``seeds`` (at least 5, never 2015)."""
    seeds = list(seeds)
    if len(seeds) < 5:
        raise TrialDesignError(f"seeds: give at least 5 seeds, got {len(seeds)}")
    if CALIBRATION_SEED in seeds:
        raise TrialDesignError(f"seeds: {CALIBRATION_SEED} is the calibration seed; check at other seeds")
    rows = []
    for s in seeds:
        d = placebo_only(design, n)
        d = parse_design({**d.model_dump(mode="json"), "seed": int(s)}, f"(seed {s})")
        if progress:
            progress(f"placebo arm, seed {s}")
        rows.append({"seed": int(s), **components(d)})
    per_seed = pd.DataFrame(rows, columns=COMPONENT_COLUMNS)
    values = per_seed.drop(columns=["seed", "n"])
    summary = pd.DataFrame({"quantity": values.columns, "mean": values.mean().to_numpy(),
                            "sd": values.std(ddof=1).to_numpy(), "seeds": len(seeds)})
    return per_seed, summary
