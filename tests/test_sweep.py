"""Sweeps: shards on Dask equal shards in process, killed runs resume bit for bit, mismatched specs are refused."""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

from painloop.sweep import (FunctionModel, SweepSpecError, SweepStoreError, dask_client, open_sweep, parse_sweep_spec,
                            per_patient, resolve_sweep, run_sweep, shard_seed)

PAINLOOP = [sys.executable, "-m", "painloop.cli"]

TINY_SCENARIO = {"duration_days": 30, "history_days": 60,
                 "cause": {"type": "diabetes", "severity": 0.8, "hba1c": 8.5, "onset_day": -60},
                 "output": {"every_hours": 24}, "solver": {"rtol": 1e-4, "atol": 1e-6}}


def tiny_spec(**changes) -> dict:
    """A small sweep: 2 factors, Latin hypercube, shards of 8, four outputs."""
    spec = {"name": "tiny", "scenario": "diabetes-calm", "scenario_changes": dict(TINY_SCENARIO),
            "vary": {"k_nrs": {"low": 1.5, "high": 3.0}, "stress_base": {"low": 0.0, "high": 1.0}},
            "design": {"type": "lhs", "n": 16}, "shard_size": 8, "seed": 11,
            "outputs": {"summaries": [{"var": "nrs"}, {"var": "depression", "stat": "max",
                                                       "window": {"from_day": 0, "to_day": 10}}],
                        "responders": [{}], "trajectories": ["nrs"]}}
    spec.update(changes)
    return spec


def files(store: Path) -> dict[str, str]:
    """Every file of a store (relative path → SHA-256 of its bytes)."""
    return {str(f.relative_to(store)): hashlib.sha256(f.read_bytes()).hexdigest()
            for f in sorted(store.rglob("*")) if f.is_file()}


def write_spec(path: Path, spec: dict) -> Path:
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def test_two_worker_local_cluster_equals_in_process_bit_for_bit(tmp_path):
    sweep = resolve_sweep(parse_sweep_spec(tiny_spec()))
    local = run_sweep(sweep, tmp_path / "local.zarr")
    with dask_client(workers=2) as client:
        assert len(client.nthreads()) == 2
        dist = run_sweep(sweep, tmp_path / "dask.zarr", client=client)
    assert local.complete and dist.complete and local.failed_patients == dist.failed_patients == 0
    assert files(tmp_path / "local.zarr") == files(tmp_path / "dask.zarr")
    ds = open_sweep(tmp_path / "dask.zarr")
    assert ds["nrs_mean_last28d"].chunks is not None, "the store opens lazily (Dask arrays)"
    nrs = ds["nrs_mean_last28d"].values
    # more pain-reporting gain k_nrs → lower NRS at equal input: the factors really reached the engine
    assert np.isfinite(nrs).all() and nrs.std() > 0.1
    assert np.corrcoef(ds["k_nrs"].values, nrs)[0, 1] < -0.5
    assert ds["nrs_daily"].shape == (16, 30)
    np.testing.assert_allclose(ds["nrs_daily"].values[:, -28:].mean(axis=1), nrs, rtol=1e-12)
    assert ds.attrs["seed"] == 11 and ds.attrs["painloop_version"] and "k_nrs" in ds.attrs["sweep_spec"]
    assert (ds["shard_done"].values == 1).all()


def _marked(store: Path) -> int:
    folder = store / "shard_done" / "c"
    return sum(1 for f in folder.iterdir() if not f.name.endswith(".partial")) if folder.is_dir() else 0


def _run_until_marked_then_kill(spec_file: Path, store: Path, sig: int, at_least: int) -> subprocess.CompletedProcess:
    proc = subprocess.Popen([*PAINLOOP, "sweep", str(spec_file), "--out", str(store), "--workers", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while _marked(store) < at_least and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_sweep_killed_by_sigterm_and_sigkill_resumes_to_the_same_store_bit_for_bit(tmp_path):
    spec = tiny_spec(design={"type": "lhs", "n": 36}, shard_size=6,
                     scenario_changes={**TINY_SCENARIO, "history_days": 180,
                                       "cause": {**TINY_SCENARIO["cause"], "onset_day": -180}})
    spec_file = write_spec(tmp_path / "spec.yaml", spec)
    reference = tmp_path / "reference.zarr"
    run_sweep(resolve_sweep(parse_sweep_spec(spec)), reference)

    store = tmp_path / "killed.zarr"
    term = _run_until_marked_then_kill(spec_file, store, signal.SIGTERM, 1)
    after_term = _marked(store)
    assert term.returncode == 130 and "run the same command to continue" in term.stderr, term.stderr
    kill = _run_until_marked_then_kill(spec_file, store, signal.SIGKILL, after_term + 1)
    assert kill.returncode == -signal.SIGKILL
    after_kill = _marked(store)
    assert 1 <= after_term < after_kill < 6, "the kills must land mid-run for this test to mean anything"
    assert files(store) != files(reference)

    done = subprocess.run([*PAINLOOP, "sweep", str(spec_file), "--out", str(store), "--workers", "0"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "6/6" in done.stdout
    assert files(store) == files(reference), "resumed store differs from an uninterrupted run"


def test_a_different_spec_on_an_existing_store_is_refused_naming_the_field(tmp_path):
    spec = tiny_spec()
    store = tmp_path / "s.zarr"
    run_sweep(resolve_sweep(parse_sweep_spec(spec)), store, max_shards=0)
    before = files(store)
    changed = tiny_spec(vary={**spec["vary"], "k_nrs": {"low": 1.5, "high": 3.5}})
    r = subprocess.run([*PAINLOOP, "sweep", str(write_spec(tmp_path / "other.yaml", changed)), "--out", str(store),
                        "--workers", "0"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 2
    assert "vary.k_nrs.high: store has 3.0, this spec has 3.5" in r.stderr
    assert files(store) == before, "a refused run must not touch the store"
    with pytest.raises(SweepStoreError, match="scenario.duration_days"):
        run_sweep(resolve_sweep(parse_sweep_spec(tiny_spec(scenario_changes={**TINY_SCENARIO, "duration_days": 31}))),
                  store)


def test_bad_spec_names_the_field_exits_2_and_writes_nothing(tmp_path):
    bad = tiny_spec(vary={"k_nrs_typo": {"low": 1.5, "high": 3.0}})
    r = subprocess.run([*PAINLOOP, "sweep", str(write_spec(tmp_path / "bad.yaml", bad)), "--out",
                        str(tmp_path / "s.zarr")], capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and "vary.k_nrs_typo: unknown parameter or scenario input" in r.stderr
    assert not (tmp_path / "s.zarr").exists() and list(tmp_path.iterdir()) == [tmp_path / "bad.yaml"]
    with pytest.raises(SweepSpecError, match=r"design.sobol: .*power of 2"):
        parse_sweep_spec(tiny_spec(design={"type": "sobol", "n": 24}))
    with pytest.raises(SweepSpecError, match="last_days"):
        resolve_sweep(parse_sweep_spec(tiny_spec(outputs={"summaries": [{"window": {"last_days": 60}}]})))


def test_solver_flag_per_batch_is_broadcast_and_per_patient_is_kept():
    assert per_patient(np.int8(1), 4).tolist() == [1, 1, 1, 1]
    assert per_patient(np.array([0]), 3).tolist() == [0, 0, 0]
    assert per_patient(np.array([1, 0, 1], dtype=np.int8), 3).tolist() == [1, 0, 1]
    with pytest.raises(ValueError):
        per_patient(np.array([1, 0]), 3)


def _fragile(x: np.ndarray) -> np.ndarray:
    """x0² but undefined for x0 > 0.8 (stands in for patients that fail to integrate)."""
    y = x[:, 0] ** 2
    return np.where(x[:, 0] > 0.8, np.nan, y)


def _raises_on_big_shards(x: np.ndarray) -> np.ndarray:
    if x[:, 0].min() >= 0.5:
        raise FloatingPointError("step size underflow")
    return x[:, 0]


def test_failing_patients_are_kept_marked_and_counted_not_dropped(tmp_path):
    spec = parse_sweep_spec({"vary": {"a": {"values": list(np.linspace(0, 1, 11))}}, "design": {"type": "grid"},
                             "shard_size": 4})
    run = run_sweep(resolve_sweep(spec, model=FunctionModel(_fragile, ["a"], {"y": "1"})), tmp_path / "f.zarr")
    ds = open_sweep(tmp_path / "f.zarr")
    assert run.complete and run.failed_patients == 2 == int((ds["solver_ok"].values == 0).sum())
    assert ds["a"].values.tolist() == pytest.approx(list(np.linspace(0, 1, 11)))
    assert ds["y"].values[:9] == pytest.approx(np.linspace(0, 1, 11)[:9] ** 2)
    # a shard whose call raises is recorded as failed, the rest of the sweep goes on
    run = run_sweep(resolve_sweep(spec, model=FunctionModel(_raises_on_big_shards, ["a"], {"y": "1"})),
                    tmp_path / "r.zarr")
    ds = open_sweep(tmp_path / "r.zarr")
    assert run.complete and [i for i, _ in run.errors] == [2] and "step size underflow" in run.errors[0][1]
    assert ds["solver_ok"].values.tolist() == [1] * 8 + [0] * 3 and run.failed_patients == 3


def test_population_draw_is_per_shard_seeded_and_reproducible(tmp_path):
    from painloop.population import PopulationSpec, sample_population

    spec = parse_sweep_spec({"scenario": "diabetes-calm", "scenario_changes": TINY_SCENARIO, "population": {},
                             "design": {"type": "population", "n": 10}, "shard_size": 5, "seed": 3})
    sweep = resolve_sweep(spec)
    run_sweep(sweep, tmp_path / "p.zarr")
    ds = open_sweep(tmp_path / "p.zarr")
    for shard in (0, 1):
        drawn = sample_population(PopulationSpec(), 5, shard_seed(3, shard)).covariates["age"]
        np.testing.assert_array_equal(ds["age"].values[5 * shard:5 * shard + 5], drawn)
    assert not np.array_equal(ds["age"].values[:5], ds["age"].values[5:]), "each shard draws its own patients"
    assert (ds["solver_ok"].values == 1).all() and np.isfinite(ds["nrs_mean_last28d"].values).all()
    assert ds["severity"].attrs["kind"] == "covariate"
