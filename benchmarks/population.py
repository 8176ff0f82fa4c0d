"""Natural-history populations of every cause: a 1 000-patient population of each cause for one year, timed.

Prints one JSON object: per cause, patients, days, wall time (s, including compilation), patient-years per
second and solver steps, plus the share of patients with NRS ≥ 3 on the last day. The alternative a user
would pick is looping over patients one scenario at a time; ``--loop-patients K`` times that for K patients
of one cause (shingles) and extrapolates, side by side. Run:
``.venv/bin/python benchmarks/population.py [--patients 1000] [--days 365] [--causes shingles,diabetes]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

import numpy as np

from painloop.causes.catalogue import CAUSES
from painloop.population.run import PopulationRun, daily_summary, run_population


def time_cause(cause: str, n: int, days: int, chunk: int, seed: int, diabetes_years: float) -> dict:
    """One batched population run of ``cause``; wall time includes the compilation of its vector field."""
    run = PopulationRun(name=f"bench-{cause}", n=n, seed=seed, days=days, chunk_size=chunk,
                        population={"cause": cause, "kind": "community", "history_years": diabetes_years})
    t0 = time.perf_counter()
    ds = run_population(run)
    wall = time.perf_counter() - t0
    history = float(-ds["onset_day"].values.min())
    years = n * (days + history) / 365.0
    summary = daily_summary(ds, 3.0)
    return {"cause": cause, "patients": n, "days": days, "history_days": history, "wall_s": round(wall, 2),
            "patient_years_per_s": round(years / wall, 2), "solver_steps": int(ds.attrs["solver_steps"]),
            "solver_ok_share": float(ds["solver_ok"].values.mean()),
            "share_nrs_ge_3_last_day": round(float(summary["prevalence_nrs_ge_3"].iloc[-1]), 3)}


def time_loop(cause: str, k: int, days: int, seed: int) -> dict:
    """The per-patient alternative: K single-patient runs of the same population, one after the other."""
    t0 = time.perf_counter()
    for i in range(k):
        run_population(PopulationRun(name="loop", n=1, seed=seed + i, days=days,
                                     population={"cause": cause, "kind": "community"}))
    wall = time.perf_counter() - t0
    return {"cause": cause, "patients": k, "days": days, "wall_s": round(wall, 2),
            "patient_years_per_s": round(k * days / 365.0 / wall, 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--patients", type=int, default=1000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--chunk", type=int, default=250)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--diabetes-years", type=float, default=1.0,
                    help="longest diabetes duration simulated before day 0 (years)")
    ap.add_argument("--causes", default=",".join(c for c in CAUSES if c != "none"))
    ap.add_argument("--loop-patients", type=int, default=0)
    args = ap.parse_args()
    causes = [c.strip() for c in args.causes.split(",") if c.strip()]
    rows = [time_cause(c, args.patients, args.days, min(args.chunk, args.patients), args.seed, args.diabetes_years)
            for c in causes]
    out = {"benchmark": "population natural history, one batched run per chunk",
           "machine": {"cpu_count": os.cpu_count(), "machine": platform.machine()},
           "results": rows,
           "total_wall_s": round(sum(r["wall_s"] for r in rows), 2),
           "mean_patient_years_per_s": round(float(np.mean([r["patient_years_per_s"] for r in rows])), 2)}
    if args.loop_patients:
        out["per_patient_loop"] = time_loop("shingles", args.loop_patients, args.days, args.seed)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
