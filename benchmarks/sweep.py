"""Sweep throughput: a virtual population in this process vs on a 2-worker Dask LocalCluster, and Dask's cost per shard.

Scenario: ``diabetes-calm`` with ``--history-days`` of untreated diabetes and
``--days`` reported, daily outputs, rtol 1e-4 (the population tolerance of
``painloop.population``); patients drawn by the sweep's population design
(covariates and random effects), ``--shard-size`` patients per shard, the mean
NRS of the last 28 days and the 30 % responder flag kept per patient.

Both runs write a Zarr store through :func:`painloop.sweep.run_sweep`; each
process first compiles the batch shape on a warm-up shard (timed separately:
in process, and on every worker at once with ``client.run``), so the timed
runs compare steady throughput; cluster start-up and warm-up are reported too. Dask's overhead per shard is measured
with a model that does no work, so what remains is scheduling, pickling,
transfer and the store write, compared with the same no-op shards in process.

Prints one JSON object: patient-years per second (patients × simulated years /
wall-clock seconds) for both, the workers' busy throughput, the overhead per
shard, whether both stores are identical, and what a 10⁶-patient sweep would
need in worker-hours at the measured rate.

Run: ``.venv/bin/python benchmarks/sweep.py [--patients 10000] [--shard-size 64]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np


def population_spec(patients: int, shard_size: int, days: float, history_days: int) -> dict:
    """The benchmark's sweep specification (population design)."""
    return {"name": "benchmark-population", "scenario": "diabetes-calm",
            "scenario_changes": {"duration_days": days, "history_days": history_days,
                                 "cause": {"type": "diabetes", "severity": 0.8, "hba1c": 8.5,
                                           "onset_day": -history_days},
                                 "output": {"every_hours": 24}, "solver": {"rtol": 1e-4, "atol": 1e-6}},
            "population": {}, "design": {"type": "population", "n": patients},
            "outputs": {"summaries": [{"var": "nrs"}], "responders": [{"end": {"last_days": 28}}]},
            "shard_size": shard_size, "seed": 2026}


def _noop(x: np.ndarray) -> np.ndarray:
    return x[:, 0]


def _warm(sweep, n: int) -> None:
    """Compile the batch shape in this process (one shard of ``n`` patients, results discarded)."""
    from painloop.sweep._design import shard_columns, shard_seed

    sweep.model(shard_columns(sweep.spec, sweep.plan, 0), n, shard_seed(sweep.spec.seed, 0))


def _files(store: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(store.rglob("*")):
        if f.is_file():
            h.update(str(f.relative_to(store)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def _overhead(client, shards: int, shard_size: int, tmp: Path) -> dict:
    """Milliseconds per no-op shard, in process and through Dask (same store writes; best of three)."""
    from painloop.sweep import FunctionModel, parse_sweep_spec, resolve_sweep, run_sweep

    spec = parse_sweep_spec({"vary": {"a": {"low": 0.0, "high": 1.0}}, "design": {"type": "random",
                             "n": shards * shard_size}, "shard_size": shard_size})
    sweep = resolve_sweep(spec, model=FunctionModel(_noop, ["a"], {"y": "1"}))
    local, dist = [], []
    for rep in range(3):
        t = time.perf_counter()
        run_sweep(sweep, tmp / f"noop-local-{rep}.zarr")
        local.append((time.perf_counter() - t) / shards)
        t = time.perf_counter()
        run_sweep(sweep, tmp / f"noop-dask-{rep}.zarr", client=client)
        dist.append((time.perf_counter() - t) / shards)
    local, dist = min(local), min(dist)
    return {"shards": shards, "in_process_ms_per_shard": 1e3 * local, "dask_ms_per_shard": 1e3 * dist,
            "dask_overhead_ms_per_shard": 1e3 * (dist - local)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--patients", type=int, default=512)
    ap.add_argument("--shard-size", type=int, default=64)
    ap.add_argument("--days", type=float, default=56.0, help="reported days per patient")
    ap.add_argument("--history-days", type=int, default=309, help="untreated days simulated before day 0")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--noop-shards", type=int, default=100)
    args = ap.parse_args()

    from painloop import __version__
    from painloop.sweep import dask_client, parse_sweep_spec, resolve_sweep, run_sweep

    spec = population_spec(args.patients, args.shard_size, args.days, args.history_days)
    sweep = resolve_sweep(parse_sweep_spec(spec))
    years = (args.days + args.history_days) / 365.0
    patient_years = args.patients * years
    tmp = Path(tempfile.mkdtemp(prefix="painloop-bench-sweep-"))
    try:
        load0 = os.getloadavg()
        t = time.perf_counter()
        _warm(sweep, args.shard_size)
        warmup = time.perf_counter() - t
        local = run_sweep(sweep, tmp / "local.zarr")
        t = time.perf_counter()
        with dask_client(workers=args.workers) as client:
            startup = time.perf_counter() - t
            t = time.perf_counter()
            client.run(_warm, sweep, args.shard_size)
            worker_warmup = time.perf_counter() - t
            dist = run_sweep(sweep, tmp / "dask.zarr", client=client)
            overhead = _overhead(client, args.noop_shards, args.shard_size, tmp)
        busy = float(np.sum(dist.shard_seconds))
        per_worker = patient_years / busy
        cluster_rate = patient_years / dist.seconds
        result = {
            "benchmark": "sweep", "painloop": __version__, "python": platform.python_version(),
            "cpu_count": os.cpu_count(), "load_average_at_start": [round(x, 2) for x in load0],
            "scenario": "diabetes-calm, population design", "patients": args.patients,
            "shard_size": args.shard_size, "shards": sweep.plan.n_shards, "simulated_years_per_patient": years,
            "in_process": {"warmup_compile_s": warmup, "seconds": local.seconds,
                           "patient_years_per_s": patient_years / local.seconds,
                           "failed_patients": local.failed_patients},
            f"local_cluster_{args.workers}_workers": {
                "startup_s": startup, "worker_warmup_compile_s": worker_warmup, "seconds": dist.seconds, "patient_years_per_s": cluster_rate,
                "patient_years_per_s_including_startup": patient_years / (dist.seconds + startup + worker_warmup),
                "busy_patient_years_per_s_per_worker": per_worker, "failed_patients": dist.failed_patients},
            "speedup_cluster_vs_in_process": local.seconds / dist.seconds,
            "dask_overhead": overhead,
            "stores_identical": _files(tmp / "local.zarr") == _files(tmp / "dask.zarr"),
            "estimate_1e6_patients": {
                "patient_years": 1e6 * years,
                "worker_hours_at_busy_rate": 1e6 * years / per_worker / 3600.0,
                "note": "one worker = one core; shards of this size; plus Dask overhead per shard "
                        "(negligible next to a shard's compute) and one compile per worker"},
        }
        print(json.dumps(result, indent=2))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
