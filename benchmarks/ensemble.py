"""Ensemble throughput: painloop's engines vs libroadrunner and SciPy looping over patients.

All integrate the same model: painloop's compiled kernel (numba, the default
engine) and its JAX/diffrax engine, both generated from the declarations; the
SBML exported from it (:func:`painloop.export.to_sbml`) in libroadrunner
(CVODE), and the vector field evaluated in NumPy in
``scipy.integrate.solve_ivp(method="LSODA")``. Scenario: ``diabetes-calm``
without pre-history (diabetes from day 0), ``--years`` simulated, daily
outputs, the same tolerances for every engine (default rtol 1e-5, atol 1e-7);
patients differ in ``k_csens_on`` (log-normal, σ 0.3).

Prints one JSON object with patient-years per second (simulated years × patients
/ wall-clock seconds) for painloop's kernel at 1, 100, 1000 and 10000 patients
and its JAX engine at 1 and 100 (each size in a fresh process, after a warm-up
run that compiles), the kernel with 1000 patients at block sizes 1, 4, 16, 32
and 64 (``--block-sizes``), a treated run (duloxetine 60 mg qd + gabapentin 300 mg tid, 12 weeks, 1000
patients) next to the same run untreated, for the
per-patient loops of libroadrunner and SciPy (measured on a subset and
extrapolated: the cost of a loop is linear in the number of patients), painloop's
cold and warm compile times (warm: a second process reading the persistent
compile cache), painloop's peak resident memory and its growth per patient,
the ratios between engines and how closely the engines' final states agree.

Run: ``.venv/bin/python benchmarks/ensemble.py [--max-patients 10000] [--years 1]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

SIZES = (1, 100, 1000, 10000)
JAX_SIZES = (1, 100)
BLOCK_SIZES = (1, 4, 16, 32, 64)
TREATED = ["duloxetine 60 mg qd from day 0", "gabapentin 300 mg tid from day 0"]
SIGMA = 0.3
VARIED = "k_csens_on"

_COMPILE_PROBE = """
import json, sys, time
sys.path.insert(0, {here!r})
t0 = time.perf_counter()
import ensemble
from painloop.simulate import simulate
sc = ensemble.scenario(28.0 / 365.0, {rtol!r}, {atol!r})
t1 = time.perf_counter()
simulate(sc, engine={engine!r})
print(json.dumps({{"import_s": t1 - t0, "first_run_s": time.perf_counter() - t1}}))
"""


def scenario(years: float, rtol: float, atol: float, treated: bool = False):
    """Established diabetic neuropathy from day 0 (no history), ``years`` long (whole days), daily outputs."""
    from painloop.scenario import builtin, parse_scenario

    data = builtin("diabetes-calm").model_dump(mode="json")
    data.update(duration_days=float(max(1, round(365.0 * years))), history_days=0, output={"every_hours": 24.0},
                solver={"rtol": rtol, "atol": atol}, treatments=TREATED if treated else [])
    data["cause"]["onset_day"] = 0.0
    return parse_scenario(data, "benchmark")


def varied_values(n: int, seed: int = 0) -> np.ndarray:
    """``k_csens_on`` (1/h) of ``n`` patients, log-normal around the nominal value; patient i is the same for any n > i."""
    from painloop.model import system

    rng = np.random.default_rng(seed)
    return system.default_params()[VARIED] * np.exp(SIGMA * rng.standard_normal(n))


def _peak_rss_mb() -> float:
    """Peak resident set size of this process, MiB (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def painloop_worker(n: int, years: float, rtol: float, atol: float, keep: int, engine: str = "kernel",
                    block: int = 16, treated: bool = False) -> dict:
    """Time one batched run of ``n`` patients (after a 28-day warm-up run that compiles)."""
    from painloop.model import system
    from painloop.simulate import simulate

    sc = scenario(years, rtol, atol, treated)
    years = sc.duration_days / 365.0
    params = {VARIED: varied_values(n)}
    options = {"engine": engine, "block_size": block}
    simulate(sc.model_copy(update={"duration_days": 28.0}), {VARIED: varied_values(min(n, 64))}, **options)
    t0 = time.perf_counter()
    ds = simulate(sc, params, **options)
    wall = time.perf_counter() - t0
    final = np.stack([ds[s].values[:keep, -1] for s in system.STATE_NAMES], axis=1)
    return {"engine": engine, "block_size": block if engine == "kernel" else None, "treated": treated,
            "patients": n, "years": years, "wall_s": wall, "patient_years_per_s": n * years / wall,
            "solver_steps_per_year": ds.attrs["solver_steps"] / years, "all_ok": bool(ds["solver_ok"].all()),
            "peak_rss_mb": _peak_rss_mb(), "final_states": final.tolist(),
            "final_time_h": float(ds["time"].values[-1] * 24.0)}


def _run_worker(n: int, args: argparse.Namespace, keep: int, engine: str = "kernel", block: int = 16,
                treated: bool = False, years: float | None = None) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", str(n), "--years", str(years or args.years),
           "--rtol", str(args.rtol), "--atol", str(args.atol), "--keep", str(keep), "--engine", engine,
           "--block", str(block)] + (["--treated"] if treated else [])
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def compile_times(rtol: float, atol: float, engine: str = "kernel") -> dict[str, float]:
    """First 28-day run in a fresh process with an empty compile cache (cold), then with that cache (warm)."""
    here = os.path.dirname(os.path.abspath(__file__))
    probe = _COMPILE_PROBE.format(here=here, rtol=rtol, atol=atol, engine=engine)
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "PAINLOOP_CACHE": cache}
        runs = [json.loads(subprocess.run([sys.executable, "-c", probe], env=env, check=True, capture_output=True,
                                          text=True).stdout.strip().splitlines()[-1]) for _ in range(2)]
    return {"cold_compile_and_first_run_s": runs[0]["first_run_s"],
            "warm_compile_and_first_run_s": runs[1]["first_run_s"], "import_s": runs[1]["import_s"]}


def roadrunner_loop(n: int, years: float, rtol: float, atol: float) -> tuple[dict, np.ndarray]:
    """libroadrunner on the exported SBML, one patient after the other: resetAll, set k_csens_on, simulate."""
    import roadrunner

    from painloop.export import to_sbml
    from painloop.model import system

    sc = scenario(years, rtol, atol)
    years = sc.duration_days / 365.0
    t0 = time.perf_counter()
    sbml = to_sbml(sc)
    t_export = time.perf_counter() - t0
    rr = roadrunner.RoadRunner(sbml)
    t_load = time.perf_counter() - t0 - t_export
    rr.setIntegrator("cvode")
    rr.integrator.relative_tolerance = rtol
    rr.integrator.absolute_tolerance = atol
    rr.integrator.setValue("maximum_num_steps", 1_000_000)
    rr.timeCourseSelections = ["time", *system.STATE_NAMES]
    end_h = 24.0 * sc.duration_days
    days = int(round(sc.duration_days))
    values = varied_values(n)
    finals = []
    t0 = time.perf_counter()
    for v in values:
        rr.resetAll()
        rr.setValue(VARIED, float(v))
        res = np.asarray(rr.simulate(0.0, end_h, days + 1))
        finals.append(res[-2, 1:])  # day duration-1, the last day painloop reports
    wall = time.perf_counter() - t0
    return ({"patients_measured": n, "wall_s": wall, "patient_years_per_s": n * years / wall,
             "sbml_export_s": t_export, "sbml_load_and_jit_s": t_load, "integrator": "cvode"}, np.array(finals))


def scipy_loop(n: int, years: float, rtol: float, atol: float) -> tuple[dict, np.ndarray]:
    """solve_ivp(LSODA) per patient on painloop's vector field evaluated with NumPy."""
    from scipy.integrate import solve_ivp

    from painloop.model import system
    from painloop.scenario import scenario_inputs

    sc = scenario(years, rtol, atol)
    years = sc.duration_days / 365.0
    q = scenario_inputs(sc)
    y0 = np.asarray(system.initial_state())
    t_eval = np.arange(0.0, 24.0 * sc.duration_days, 24.0)
    values = varied_values(n)
    finals, nfev, ok = [], 0, True
    t0 = time.perf_counter()
    for v in values:
        f = system.numpy_vector_field(sc.cause.type, {**system.default_params(), VARIED: float(v)}, q)
        sol = solve_ivp(f, (0.0, 24.0 * sc.duration_days), y0, method="LSODA", t_eval=t_eval, rtol=rtol, atol=atol)
        nfev += sol.nfev
        ok &= bool(sol.success)
        finals.append(sol.y[:, -1])
    wall = time.perf_counter() - t0
    return ({"patients_measured": n, "wall_s": wall, "patient_years_per_s": n * years / wall,
             "rhs_evaluations_per_patient_year": nfev / (n * years), "all_ok": ok}, np.array(finals))


def _max_rel(a: np.ndarray, b: np.ndarray) -> float:
    """Largest |a - b| / max(|b|, 1e-6) over patients and states."""
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-6)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--years", type=float, default=1.0, help="simulated years per patient (default 1)")
    parser.add_argument("--max-patients", type=int, default=10000,
                        help="largest kernel batch; sizes are 1, 100, 1000, 10000 up to this (default 10000)")
    parser.add_argument("--block-patients", type=int, default=1000, help="patients of the block-size and treated runs")
    parser.add_argument("--block-sizes", default=",".join(map(str, BLOCK_SIZES)),
                        help="comma-separated block sizes compared at --block-patients (default 1,4,16,32,64)")
    parser.add_argument("--rr-patients", type=int, default=20, help="patients timed in the libroadrunner loop")
    parser.add_argument("--scipy-patients", type=int, default=3, help="patients timed in the SciPy loop")
    parser.add_argument("--rtol", type=float, default=1e-5, help="relative tolerance of every engine")
    parser.add_argument("--atol", type=float, default=1e-7, help="absolute tolerance of every engine")
    parser.add_argument("--worker", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--keep", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--engine", default="kernel", help=argparse.SUPPRESS)
    parser.add_argument("--block", type=int, default=16, help=argparse.SUPPRESS)
    parser.add_argument("--treated", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        print(json.dumps(painloop_worker(args.worker, args.years, args.rtol, args.atol, args.keep, args.engine,
                                         args.block, args.treated)))
        return

    from painloop.model import system

    sizes = sorted({n for n in SIZES if n <= args.max_patients} | {args.max_patients})
    keep = min(max(args.rr_patients, args.scipy_patients), max(sizes))
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731

    log("compile times ...")
    compile_ = {"kernel": compile_times(args.rtol, args.atol, "kernel"),
                "jax": compile_times(args.rtol, args.atol, "jax")}
    kernel = []
    for n in sizes:
        log(f"kernel, {n} patients ...")
        kernel.append(_run_worker(n, args, keep=min(keep, n)))
    jax = []
    for n in [m for m in JAX_SIZES if m <= args.max_patients]:
        log(f"jax engine, {n} patients ...")
        jax.append(_run_worker(n, args, keep=min(keep, n), engine="jax"))
    nb = args.block_patients
    blocks = []
    for b in [int(v) for v in args.block_sizes.split(",") if v]:
        log(f"kernel, {nb} patients, block size {b} ...")
        blocks.append(_run_worker(nb, args, keep=0, block=b))
    log(f"kernel, {nb} patients, 12 weeks treated and untreated ...")
    weeks12 = 84.0 / 365.0
    treated = {"untreated": _run_worker(nb, args, keep=0, years=weeks12),
               "treated": _run_worker(nb, args, keep=0, treated=True, years=weeks12)}
    treated["treated_over_untreated_speed"] = (treated["treated"]["patient_years_per_s"]
                                               / treated["untreated"]["patient_years_per_s"])
    log(f"libroadrunner loop, {args.rr_patients} patients ...")
    rr, rr_final = roadrunner_loop(args.rr_patients, args.years, args.rtol, args.atol)
    log(f"scipy LSODA loop, {args.scipy_patients} patients ...")
    sp, sp_final = scipy_loop(args.scipy_patients, args.years, args.rtol, args.atol)

    reference = np.array(kernel[-1]["final_states"])
    jax_final = np.array(jax[-1]["final_states"]) if jax else None
    for r in kernel + jax + blocks + [treated["treated"], treated["untreated"]]:
        r.pop("final_states", None)
    base_rss = kernel[0]["peak_rss_mb"]
    for r in kernel[1:]:
        r["rss_growth_per_patient_kb"] = 1024.0 * (r["peak_rss_mb"] - base_rss) / (r["patients"] - kernel[0]["patients"])

    rr_rate, sp_rate = rr["patient_years_per_s"], sp["patient_years_per_s"]
    for r in kernel + jax:
        r["x_roadrunner_loop"] = r["patient_years_per_s"] / rr_rate
        r["x_scipy_loop"] = r["patient_years_per_s"] / sp_rate
    k_rr, k_sp = min(len(rr_final), len(reference)), min(len(sp_final), len(reference))
    agreement = {
        "note": "max relative difference of all states on the last reported day vs the kernel's largest run",
        "roadrunner_vs_kernel": _max_rel(rr_final[:k_rr], reference[:k_rr]),
        "scipy_vs_kernel": _max_rel(sp_final[:k_sp], reference[:k_sp]),
    }
    if jax_final is not None:
        k_jx = min(len(jax_final), len(reference))
        agreement["jax_vs_kernel"] = _max_rel(jax_final[:k_jx], reference[:k_jx])
    result = {
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()},
        "model": {"states": len(system.STATES), "parameters": len(system.PARAMS), "varied": VARIED,
                  "sigma_log": SIGMA},
        "scenario": {"name": "diabetes-calm, history_days 0, onset day 0",
                     "years": scenario(args.years, args.rtol, args.atol).duration_days / 365.0,
                     "output_every_hours": 24.0, "treated_regimen": TREATED},
        "tolerances": {"rtol": args.rtol, "atol": args.atol},
        "compile": compile_,
        "kernel": kernel,
        "jax_engine": jax,
        "kernel_block_sizes": blocks,
        "treated_vs_untreated_12_weeks": treated,
        "roadrunner_loop": rr,
        "scipy_lsoda_loop": sp,
        "ratios": {"roadrunner_over_scipy": rr_rate / sp_rate,
                   **{f"kernel_{r['patients']}_over_roadrunner": r["x_roadrunner_loop"] for r in kernel},
                   **{f"kernel_{r['patients']}_over_scipy": r["x_scipy_loop"] for r in kernel},
                   **{f"jax_{r['patients']}_over_roadrunner": r["x_roadrunner_loop"] for r in jax}},
        "agreement_last_day": agreement,
        "main_process_peak_rss_mb": _peak_rss_mb(),
        "notes": [
            "kernel: Tsit5 over blocks of patients sharing a step (max-norm error over the block), blocks on all "
            "cores; jax engine: Tsit5 with one step for the whole batch; libroadrunner: CVODE BDF (stiff) and SciPy: "
            "LSODA, both with weighted RMS error norms; same rtol/atol numbers",
            "loops are timed on a subset of patients; patient-years/s of a loop does not depend on the number of "
            "patients, so it extrapolates to any size",
            "peak_rss_mb is each painloop process's peak resident memory (ru_maxrss) including the warm-up run; "
            "rss_growth_per_patient_kb compares it with the 1-patient process",
        ],
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
