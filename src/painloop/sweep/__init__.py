"""Sweeps: many patients or design points, in shards, on Dask, into a resumable Zarr store.

A sweep specification (YAML, :class:`SweepSpec`) names a scenario or a
population, the factors to vary and how (grid, random, Latin hypercube,
Saltelli/Sobol, population draw), the outputs to keep, the shard size and the
seed. Each shard is one batched engine call; results are written shard by
shard and a killed run continues where it stopped.

Names are imported lazily so that ``painloop.sweep.cli`` (registered in the command line) loads fast.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "design_seed": "_design", "design_size": "_design", "shard_seed": "_design", "FunctionModel": "_model",
    "ScenarioModel": "_model", "per_patient": "_model", "Sweep": "_resolve", "resolve_sweep": "_resolve",
    "ShardTask": "_run", "SweepRun": "_run", "dask_client": "_run", "failed_patients": "_run", "run_shard": "_run",
    "run_sweep": "_run", "Factor": "_spec", "Outputs": "_spec", "Responder": "_spec", "Summary": "_spec",
    "SweepSpec": "_spec", "SweepSpecError": "_spec", "Window": "_spec", "load_sweep_spec": "_spec",
    "parse_sweep_spec": "_spec", "SweepStoreError": "_store", "open_sweep": "_store", "spec_differences": "_store"
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
