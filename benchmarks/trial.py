"""Throughput of virtual trials: the kernel vs the JAX engine end to end, and vs a per-patient SciPy loop.

Part 1: the built-in ``finnerup`` design (placebo and seven drug classes,
12 weeks, after three years of untreated history and a run-in) end to end,
once with each engine, each in a fresh process (compilation included, as a
user would run ``painloop trial``); prints wall times and both engines'
endpoints (responder rates and NNT per arm), with the difference of the 50 %
responder rates in units of its binomial standard error.

Part 2: a 3-arm (placebo, pregabalin bid, duloxetine qd), 1000-patient, 12-week
parallel trial after a 1-week run-in. Prints wall times
of the screening/history run and of the treatment arms, patient-years per
second of the treatment phase (batched, one ``simulate`` call per arm, doses
as exact state jumps), and the same treatment phase for a few pregabalin
patients with ``scipy.integrate.solve_ivp(method="LSODA")`` looping over
patients and over dose intervals (dose = jump between intervals), at the same
tolerances, extrapolated to 1000 patients. Never asserts on time.
Run: ``.venv/bin/python benchmarks/trial.py [--patients 1000] [--scipy-patients 2] [--skip-jax]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np

from painloop.model import system
from painloop.scenario import scenario_inputs
from painloop.scenario._inputs import dose_schedule
from painloop.trials import parse_design, run_trial
from painloop.trials._design import arm_scenario
from painloop.trials._run import arm_indices, prepare, treated_inputs


def design(n_total: int, seed: int = 11):
    """The benchmark design: three parallel arms sharing ``n_total`` patients."""
    n = [n_total // 3 + (1 if i < n_total % 3 else 0) for i in range(3)]
    return parse_design({
        "name": "benchmark-3-arm", "seed": seed, "duration_weeks": 12, "randomisation": "parallel",
        "screen_factor": 3.5,  # ~1/3 of the screened meet the inclusion criteria of the natural-history model
        "arms": [{"name": "placebo", "placebo": True, "n": n[0]},
                 {"name": "pregabalin", "n": n[1], "treatments": ["pregabalin 75 mg bid from day 0 to day 7; 150 mg bid from day 7"]},
                 {"name": "duloxetine", "n": n[2], "treatments": ["duloxetine 30 mg qd from day 0 to day 7; 60 mg qd from day 7"]}],
    })


def scipy_arm(d, scr, arm_name: str, n_patients: int) -> dict[str, float]:
    """solve_ivp(LSODA) over ``n_patients`` of an arm, one patient and one dose interval at a time."""
    from scipy.integrate import solve_ivp

    arm = next(a for a in d.arms if a.name == arm_name)
    sc = arm_scenario(d, arm)
    idx = arm_indices(d, scr)[arm_name][:n_patients]
    sub = scr.pop.subset(idx)
    q_batch = treated_inputs(d, arm, sub)
    q_base = scenario_inputs(sc)
    doses = dose_schedule(sc)
    t_end = 24.0 * sc.duration_days
    cuts = sorted({0.0, t_end, *(t for t, _, _ in doses if 0.0 <= t < t_end)})
    nfev = 0
    t0 = time.perf_counter()
    for j in range(len(idx)):
        q = {**q_base, **{k: (np.ravel(v) if np.ndim(v) == 2 else (v[j] if np.ndim(v) == 1 else v))
                          for k, v in q_batch.items()}}
        p = {**system.default_params(), **{k: np.asarray(v)[j] for k, v in sub.params.items()}}
        f = system.numpy_vector_field(sc.cause.type, p, q)
        y = np.array(sub.y0[:, j], dtype=float)
        for a, b in zip(cuts[:-1], cuts[1:]):
            for t, state, amount in doses:
                if t == a:
                    y[system.STATE_INDEX[state]] += amount
            sol = solve_ivp(f, (a, b), y, method="LSODA", rtol=sc.solver.rtol, atol=sc.solver.atol)
            y = sol.y[:, -1]
            nfev += sol.nfev
    wall = time.perf_counter() - t0
    years = len(idx) * sc.duration_days / 365.25
    return {"patients_measured": len(idx), "wall_s": wall, "patient_years_per_s": years / wall,
            "rhs_evaluations_per_patient_year": nfev / years, "success": bool(sol.success)}


def finnerup_worker(engine: str) -> dict:
    """Run the built-in ``finnerup`` design end to end with ``engine``; wall time and endpoints."""
    from painloop.simulate import use_engine
    from painloop.trials._design import builtin_design
    from painloop.trials.endpoints import endpoint_table

    t0 = time.perf_counter()
    with use_engine(engine):
        result = run_trial(builtin_design("finnerup"))
    wall = time.perf_counter() - t0
    table = endpoint_table(result)
    keep = [c for c in ("arm", "n_randomized", "responders_30", "responders_50", "nnt_50") if c in table.columns]
    return {"engine": engine, "wall_s": wall, "screened": int(result.screened),
            "endpoints": table[keep].to_dict(orient="records")}


def _finnerup(engine: str) -> dict:
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--finnerup-worker", engine], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def compare_endpoints(a: dict, b: dict) -> dict:
    """Largest difference of the 50 % responder rate between two runs, absolute and in binomial standard errors."""
    worst_abs, worst_se = 0.0, 0.0
    for ra, rb in zip(a["endpoints"], b["endpoints"]):
        pa, pb, n = ra["responders_50"], rb["responders_50"], ra["n_randomized"]
        se = max(np.sqrt(max(pa * (1 - pa), 1e-9) / n + max(pb * (1 - pb), 1e-9) / n), 1e-9)
        worst_abs = max(worst_abs, abs(pa - pb))
        worst_se = max(worst_se, abs(pa - pb) / se)
    return {"max_abs_diff_responders_50": worst_abs, "max_diff_in_binomial_se": worst_se}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--scipy-patients", type=int, default=2)
    parser.add_argument("--skip-jax", action="store_true", help="run the finnerup design with the kernel only")
    parser.add_argument("--finnerup-worker", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.finnerup_worker:
        print(json.dumps(finnerup_worker(args.finnerup_worker)))
        return
    finnerup = {"kernel": _finnerup("kernel")}
    if not args.skip_jax:
        finnerup["jax"] = _finnerup("jax")
        finnerup["kernel_speedup_over_jax"] = finnerup["jax"]["wall_s"] / finnerup["kernel"]["wall_s"]
        finnerup["endpoint_agreement"] = compare_endpoints(finnerup["kernel"], finnerup["jax"])
    print(json.dumps({"finnerup_end_to_end": finnerup}), file=sys.stderr, flush=True)  # kept if part 2 fails
    d = design(args.patients)
    t0 = time.perf_counter()
    scr = prepare(d)
    t_history = time.perf_counter() - t0
    t1 = time.perf_counter()
    result = run_trial(d, screening=scr)
    t_arms = time.perf_counter() - t1
    years = args.patients * 84.0 / 365.25
    sp = scipy_arm(d, scr, "pregabalin", args.scipy_patients)
    out = {
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()},
        "finnerup_end_to_end": finnerup,
        "design": {"arms": [a.name for a in d.arms], "patients": args.patients, "weeks": 12,
                   "screened": scr.pop.n, "history_years": d.population.history_years},
        "painloop": {"history_and_run_in_wall_s": t_history,
                     "history_patient_years_per_s": scr.pop.n * (d.population.history_years + 7 / 365.25) / t_history,
                     "treatment_arms_wall_s": t_arms,
                     "treatment_patient_years_per_s": years / t_arms,
                     "completed": int((result.patients["reason"] == "completed").sum())},
        "scipy_lsoda_loop": sp,
        "scipy_extrapolated_treatment_wall_s": years / sp["patient_years_per_s"],
        "speedup_vs_scipy": (years / t_arms) / sp["patient_years_per_s"],
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
