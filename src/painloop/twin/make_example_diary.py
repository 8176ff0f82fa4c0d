"""Generate the synthetic example diary ``painloop/twin/data/example_diary.csv`` from the model.

Nothing in that file comes from a person. Recipe: the built-in scenario ``diabetes-calm`` (three years of
diabetes before day 0), 90 reported days with hourly outputs, with the variation a real diary has:

* nights: hours in bed drawn per night from Normal(7.6, 0.9) h clipped to 4.5-10 h, with a few short nights;
* life stress: calm (0.1), a stressful period from day 30 to day 51 (0.9), then moderate (0.3);
* per day: ``pain`` = mean simulated NRS + Gaussian noise (SD 0.8 NRS), rounded and clipped to 0-10;
  ``sleep_hours`` = simulated time asleep (h, 0.1 h); ``stress`` = 5 × life stress + noise (SD 0.8), 0-10;
  ``sleep_quality`` and ``mood`` (10 − 10 × depression) from the model + noise (SD 0.7), rounded, 0-10;
  ``activity`` = 40 min × simulated activity + noise (SD 8 min), ≥ 0;
* 15 % of the days dropped at random; all draws from ``numpy.random.default_rng(SEED)``.

No medication is recorded (a dosed diary fits several times slower because each dose restarts the solver).
Dates start on :data:`START_DATE`. Run: ``python -m painloop.twin.make_example_diary [--out PATH]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

SCENARIO = "diabetes-calm"
DAYS = 90
SEED = 20240501
NOISE_SD_NRS = 0.8
DROP_FRACTION = 0.15
START_DATE = "2024-01-01"
STRESS_STEPS = ((30, 0.9), (51, 0.3))
"""(day, life-stress level 0-2) steps of the example; calm (0.1) before the first."""


def example_diary() -> pd.DataFrame:
    """The synthetic diary following the recipe in the module docstring."""
    from ..report.figures import daily
    from ..scenario import builtin, parse_scenario
    from ..simulate import simulate

    rng = np.random.default_rng(SEED)
    beds = np.clip(rng.normal(7.6, 0.9, size=DAYS), 4.5, 10.0)
    data = builtin(SCENARIO).model_dump(mode="json")
    data.update(duration_days=float(DAYS), name="example-diary")
    data["stress"] = {"baseline": 0.1, "schedule": [{"day": d, "level": v} for d, v in STRESS_STEPS]}
    data["sleep"] = {**data["sleep"], "nights": [{"morning_day": d, "hours_in_bed": round(float(h), 1)}
                                                 for d, h in enumerate(beds) if d >= 1]}
    ds = simulate(parse_scenario(data, "example diary"))
    if not bool(ds["solver_ok"].all()):
        raise RuntimeError("the simulation for the example diary did not complete")
    level = np.full(DAYS, 0.1)
    for day, v in STRESS_STEPS:
        level[day:] = v
    nrs = daily(ds, "nrs").values[:DAYS]
    noisy = lambda x, sd, lo, hi: np.clip(np.round(x + rng.normal(0.0, sd, size=DAYS)), lo, hi)  # noqa: E731
    frame = pd.DataFrame({
        "date": pd.date_range(START_DATE, periods=DAYS, freq="D").strftime("%Y-%m-%d"),
        "pain": noisy(nrs, NOISE_SD_NRS, 0, 10).astype(int),
        "sleep_hours": np.round(daily(ds, "asleep").values[:DAYS] * 24.0, 1),
        "sleep_quality": noisy(daily(ds, "sleep_quality").values[:DAYS], 0.7, 0, 10).astype(int),
        "stress": noisy(5.0 * level, 0.8, 0, 10).astype(int),
        "mood": noisy(10.0 - 10.0 * daily(ds, "depression").values[:DAYS], 0.7, 0, 10).astype(int),
        "activity": np.maximum(np.round(40.0 * daily(ds, "activity").values[:DAYS] + rng.normal(0, 8, DAYS)), 0).astype(int),
    })
    keep = np.ones(DAYS, dtype=bool)
    keep[rng.choice(DAYS, size=int(round(DROP_FRACTION * DAYS)), replace=False)] = False
    return frame[keep].reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data" / "example_diary.csv")
    args = parser.parse_args()
    frame = example_diary()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.out, index=False, lineterminator="\n")
    print(f"wrote {args.out} ({len(frame)} of {DAYS} days)")


if __name__ == "__main__":
    main()
