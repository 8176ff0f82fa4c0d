"""Latency of one Explore-page update in the web app, after warm-up (not asserted anywhere).

An update is what the Explore page does when a control changes: one batched
simulation (the nominal patient plus one patient per cut loop direction, so
that the loop diagram's arrow widths are measured, not guessed) followed by
building the page's figures. It calls the same functions as the page
(:func:`painloop.app.compute.run_explore` and
:func:`painloop.app.compute.explore_figures`) for the default Explore person
(diabetic neuropathy, one year reported after three years of history, hourly
outputs), changing the life-stress level on every repeat so that no result
is reused. For reference it also times :func:`painloop.simulate.simulate` for
the nominal patient alone.

Prints one JSON object (times in ms). Run: ``.venv/bin/python benchmarks/app_latency.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

import numpy as np

from painloop.app.compute import (ExploreSettings, explore_figures, explore_scenario, loop_cut_params, run_explore,
                                  warm_up)
from painloop.simulate import simulate


def _stats(ms: list[float]) -> dict[str, float]:
    return {"median_ms": float(np.median(ms)), "p90_ms": float(np.percentile(ms, 90)), "min_ms": float(min(ms)),
            "max_ms": float(max(ms)), "repeats": len(ms)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--reference-repeats", type=int, default=3, help="repeats of the single-patient run")
    parser.add_argument("--cause", default="diabetes")
    args = parser.parse_args()

    base = ExploreSettings(cause=args.cause)
    t0 = time.perf_counter()
    warm_up(base.cause)
    run_explore(base)  # first full-size update: compiles the output evaluation for this duration
    warm_s = time.perf_counter() - t0

    sim_ms, fig_ms, total_ms = [], [], []
    for i in range(args.repeats):
        settings = ExploreSettings(cause=args.cause, stress=round(0.2 + 1.6 * i / max(1, args.repeats - 1), 3))
        t0 = time.perf_counter()
        result = run_explore(settings)
        t1 = time.perf_counter()
        explore_figures(result)
        t2 = time.perf_counter()
        sim_ms.append(1e3 * (t1 - t0))
        fig_ms.append(1e3 * (t2 - t1))
        total_ms.append(1e3 * (t2 - t0))
        assert result.solver_ok

    scenario = explore_scenario(base)
    simulate(scenario)
    single_ms = []
    for i in range(args.reference_repeats):
        sc = explore_scenario(ExploreSettings(cause=args.cause, stress=0.3 + 0.1 * i))
        t0 = time.perf_counter()
        simulate(sc)
        single_ms.append(1e3 * (time.perf_counter() - t0))

    print(json.dumps({
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()},
        "update": {"cause": args.cause, "duration_days": base.duration_days,
                   "history_days": scenario.history_days, "output_every_hours": scenario.output.every_hours,
                   "patients_in_batch": len(next(iter(loop_cut_params(scenario).values())))},
        "warm_up_s": warm_s,
        "explore_update": _stats(total_ms),
        "of_which_simulation": _stats(sim_ms),
        "of_which_figures": _stats(fig_ms),
        "reference_single_patient_simulate": _stats(single_ms),
    }, indent=2))


if __name__ == "__main__":
    main()
