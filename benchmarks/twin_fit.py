"""Wall time of a digital-twin fit: a 90-day diary, MAP + Laplace posterior (+ posterior draws simulated).

Prints one JSON object: the first fit in this process (includes JIT compile,
or loading it from the persistent cache), then the median of ``--repeats``
warm fits of the same synthetic diary, the number of optimiser iterations and
the split between the MAP/Laplace step and the simulation of the posterior
draws; also a batched fit of ``--batch`` diaries (time per diary). The diary
is synthetic (:mod:`painloop.twin.synthetic`, fixed seed), 90 days, 15 %
missing days, sleep and stress columns.

Run: ``.venv/bin/python benchmarks/twin_fit.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time

from painloop.twin import _model as M
from painloop.twin.fit import fit_twin, fit_twins, map_laplace, prepare
from painloop.twin.synthetic import synthetic_diaries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--draws", type=int, default=64)
    parser.add_argument("--batch", type=int, default=10)
    args = parser.parse_args()

    frames, _, _ = synthetic_diaries(max(args.batch, 1), args.days, seed=2024)
    frame = frames[0]
    t0 = time.perf_counter()
    twin = fit_twin(frame, n_draws=args.draws)
    first = time.perf_counter() - t0
    warm = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        fit_twin(frame, n_draws=args.draws)
        warm.append(time.perf_counter() - t0)
    data = prepare(frame)
    t0 = time.perf_counter()
    fit = map_laplace([data])
    map_s = time.perf_counter() - t0
    batch = {}
    if args.batch > 1:
        fit_twins(frames, n_draws=8)  # compile this batch shape
        t0 = time.perf_counter()
        fit_twins(frames, n_draws=8)
        wall = time.perf_counter() - t0
        batch = {"diaries": args.batch, "wall_s": wall, "per_diary_s": wall / args.batch, "draws_each": 8}
    result = {
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()},
        "diary": {"days": args.days, "days_with_pain": int(twin.attrs["n_obs"]), "columns": twin.attrs["diary_columns"]},
        "method": twin.attrs["method"],
        "personal_parameters": list(M.PERSONAL_NAMES),
        "posterior_draws": args.draws,
        "first_fit_s_incl_compile": first,
        "warm_fit_s_median": statistics.median(warm),
        "warm_fit_s_all": warm,
        "map_laplace_s": map_s,
        "draw_simulation_s": statistics.median(warm) - map_s,
        "optimiser_iterations": fit.iterations,
        "batched": batch,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
