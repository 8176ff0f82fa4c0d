"""Generate the synthetic example diary ``painloop/twin/data/example_diary.csv`` from the model.

Nothing in that file comes from a person. Recipe: simulate the built-in
scenario ``diabetes-calm`` (three years of diabetes simulated before day 0)
for 90 reported days with hourly outputs; per day take the mean pain NRS,
add Gaussian noise of SD 0.8 NRS from ``numpy.random.default_rng(SEED)``,
round to a whole number and clip to 0-10; ``sleep_hours`` is the simulated
fraction of the day asleep × 24 h, rounded to 0.1 h; 15 % of the days
(chosen with the same generator) are dropped, as in a diary with gaps. Dates
start on :data:`START_DATE`.

Run: ``python -m painloop.twin.make_example_diary [--out PATH]``.
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


def example_diary() -> pd.DataFrame:
    """The synthetic diary (columns date, pain, sleep_hours) following the recipe in the module docstring."""
    from ..report.figures import daily
    from ..scenario import builtin
    from ..simulate import simulate

    scenario = builtin(SCENARIO).model_copy(update={"duration_days": float(DAYS)})
    ds = simulate(scenario)
    if not bool(ds["solver_ok"].all()):
        raise RuntimeError("the simulation for the example diary did not complete")
    nrs = daily(ds, "nrs").values[:DAYS]
    sleep_h = daily(ds, "asleep").values[:DAYS] * 24.0
    rng = np.random.default_rng(SEED)
    pain = np.clip(np.round(nrs + rng.normal(0.0, NOISE_SD_NRS, size=DAYS)), 0, 10).astype(int)
    keep = np.ones(DAYS, dtype=bool)
    keep[rng.choice(DAYS, size=int(round(DROP_FRACTION * DAYS)), replace=False)] = False
    dates = pd.date_range(START_DATE, periods=DAYS, freq="D")
    frame = pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "pain": pain, "sleep_hours": np.round(sleep_h, 1)})
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
