"""Throughput of painloop's batched engine vs a per-patient scipy LSODA loop, on the same model.

Prints one JSON object: cold and warm (persistent cache) compile times, solver
steps per patient-year, and patient-years per second for 1, 100 and 1000
patients (one year, daily outputs, default tolerances), next to
``scipy.integrate.solve_ivp(method="LSODA")`` looping over patients with the
same vector field evaluated in NumPy at the same tolerances (a subset of
patients, extrapolated). Run: ``.venv/bin/python benchmarks/simulate.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np

from painloop.model import system
from painloop.scenario import builtin, parse_scenario, scenario_inputs
from painloop.simulate import simulate

_COMPILE_PROBE = """
import json, time
t0 = time.perf_counter()
from painloop.scenario import builtin, parse_scenario
from painloop.simulate import simulate
sc = parse_scenario({**builtin("diabetes-calm").model_dump(mode="json"), "duration_days": 28, "history_days": 0,
                     "cause": {"type": "diabetes", "severity": 0.8, "hba1c": 8.5, "onset_day": 0}})
t1 = time.perf_counter()
simulate(sc)
print(json.dumps({"import_s": t1 - t0, "first_run_s": time.perf_counter() - t1}))
"""


def compile_times() -> dict[str, float]:
    """First run in a fresh process with an empty compile cache (cold), then again with that cache (warm)."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "PAINLOOP_CACHE": cache}
        runs = [json.loads(subprocess.run([sys.executable, "-c", _COMPILE_PROBE], env=env, check=True,
                                          capture_output=True, text=True).stdout) for _ in range(2)]
    return {"cold_compile_and_first_run_s": runs[0]["first_run_s"], "warm_compile_and_first_run_s": runs[1]["first_run_s"]}


RTOL = 1e-5


def scenario(years: float):
    """One year of established diabetic neuropathy, daily outputs, no pre-history, tolerance ``RTOL``."""
    return parse_scenario({**builtin("diabetes-calm").model_dump(mode="json"), "duration_days": 365.0 * years,
                           "history_days": 0, "output": {"every_hours": 24},
                           "solver": {"rtol": RTOL, "atol": RTOL / 100},
                           "cause": {"type": "diabetes", "severity": 0.8, "hba1c": 8.5, "onset_day": 0}})


def patient_params(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Between-patient variability: log-normal (σ 0.3) on sensitization and coupling gains."""
    rng = np.random.default_rng(seed)
    base = system.default_params()
    return {k: base[k] * np.exp(0.3 * rng.standard_normal(n)) for k in ("k_csens_on", "g_csens_gain", "k_stress_pain")}


def painloop_throughput(n: int, years: float) -> dict[str, float]:
    """Patient-years/s of the batched engine for ``n`` patients (after a warm-up compile of that batch shape)."""
    sc = scenario(years)
    params = patient_params(n)
    simulate(sc.model_copy(update={"duration_days": 28.0}), params)
    t0 = time.perf_counter()
    ds = simulate(sc, params)
    wall = time.perf_counter() - t0
    return {"patients": n, "wall_s": wall, "patient_years_per_s": n * years / wall,
            "steps_per_year": ds.attrs["solver_steps"] / years, "all_ok": bool(ds["solver_ok"].all())}


def scipy_throughput(n: int, years: float) -> dict[str, float]:
    """Patient-years/s of solve_ivp(LSODA) over ``n`` patients one by one, same model and tolerances."""
    from scipy.integrate import solve_ivp

    sc = scenario(years)
    q = scenario_inputs(sc)
    params = patient_params(n)
    y0 = np.asarray(system.initial_state())
    t_eval = np.arange(0.0, 24.0 * 365.0 * years, 24.0)
    t0 = time.perf_counter()
    nfev = 0
    for i in range(n):
        p = {**system.default_params(), **{k: v[i] for k, v in params.items()}}
        f = system.numpy_vector_field(sc.cause.type, p, q)
        sol = solve_ivp(f, (0.0, t_eval[-1] + 24.0), y0, method="LSODA", t_eval=t_eval,
                        rtol=sc.solver.rtol, atol=sc.solver.atol)
        nfev += sol.nfev
    wall = time.perf_counter() - t0
    return {"patients_measured": n, "wall_s": wall, "patient_years_per_s": n * years / wall,
            "rhs_evaluations_per_patient_year": nfev / (n * years), "success": bool(sol.success)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--years", type=float, default=1.0)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 100, 1000])
    parser.add_argument("--scipy-patients", type=int, default=3)
    parser.add_argument("--rtol", type=float, default=RTOL, help="relative tolerance (atol = rtol/100)")
    args = parser.parse_args()
    globals()["RTOL"] = args.rtol
    result = {"machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()},
              "model": {"states": len(system.STATES), "parameters": len(system.PARAMS)},
              "tolerances": {"rtol": scenario(1).solver.rtol, "atol": scenario(1).solver.atol},
              "compile": compile_times(),
              "painloop": [painloop_throughput(n, args.years) for n in args.sizes],
              "scipy_lsoda_loop": scipy_throughput(args.scipy_patients, args.years)}
    scipy_rate = result["scipy_lsoda_loop"]["patient_years_per_s"]
    result["speedup_vs_scipy"] = {str(r["patients"]): r["patient_years_per_s"] / scipy_rate for r in result["painloop"]}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
