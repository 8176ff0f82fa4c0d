"""Sweeps: many patients or design points, in shards, on Dask, into a resumable Zarr store.

A sweep specification (YAML, :class:`SweepSpec`) names a scenario or a
population, the factors to vary and how (grid, random, Latin hypercube,
Saltelli/Sobol, population draw), the outputs to keep, the shard size and the
seed. Each shard is one batched engine call; results are written shard by
shard and a killed run continues where it stopped.
"""

from ._design import design_seed, design_size, shard_seed
from ._model import FunctionModel, ScenarioModel, per_patient
from ._resolve import Sweep, resolve_sweep
from ._run import ShardTask, SweepRun, dask_client, failed_patients, run_shard, run_sweep
from ._spec import Factor, Outputs, Responder, Summary, SweepSpec, SweepSpecError, Window, load_sweep_spec, parse_sweep_spec
from ._store import SweepStoreError, open_sweep, spec_differences

__all__ = ["Factor", "FunctionModel", "Outputs", "Responder", "ScenarioModel", "ShardTask", "Summary", "Sweep",
           "SweepRun", "SweepSpec", "SweepSpecError", "SweepStoreError", "Window", "dask_client", "design_seed",
           "design_size", "failed_patients", "load_sweep_spec", "open_sweep", "parse_sweep_spec", "per_patient",
           "resolve_sweep", "run_shard", "run_sweep", "shard_seed", "spec_differences"]
