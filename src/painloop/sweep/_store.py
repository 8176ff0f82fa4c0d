"""The results store: a Zarr v3 group laid out before the first shard, filled shard by shard.

Every array is chunked by shard along ``patient`` (chunk = shard size), so a
shard's write touches only its own chunk files. ``shard_done`` (one
uncompressed byte per shard) is set to 1 only after all of the shard's
arrays are written: a shard is complete or it is redone. The store is first
built under a temporary name and renamed into place, so a store either has
its full layout and attributes or does not exist. Zarr's local store writes
each chunk file through a temporary file and a rename; temporaries left by a
killed run are removed when the run resumes.
"""

from __future__ import annotations

import json
import os
import shutil
import warnings
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from .. import DISCLAIMER, __version__
from ._resolve import Sweep

SPEC_ATTR = "sweep_spec"


class SweepStoreError(ValueError):
    """A store that cannot be used for this sweep (another spec, another version, not a sweep store)."""


def _zarr():
    import zarr

    return zarr


def _flatten(d: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(d, dict):
        out: dict[str, Any] = {}
        for k, v in d.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out or {prefix: {}}
    return {prefix: d}


def spec_differences(stored: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    """Field paths that differ between two canonical specs, each with both values."""
    a, b = _flatten(stored), _flatten(wanted)
    lines = []
    for key in sorted(set(a) | set(b)):
        if a.get(key, "<absent>") != b.get(key, "<absent>"):
            lines.append(f"{key}: store has {a.get(key, '<absent>')!r}, this spec has {b.get(key, '<absent>')!r}")
    return lines


def store_attributes(sweep: Sweep) -> dict[str, Any]:
    """The store's attributes: the resolved spec, the painloop version, the seed and the layout."""
    return {
        "title": f"painloop sweep: {sweep.spec.name}",
        SPEC_ATTR: json.dumps(sweep.canonical, sort_keys=True),
        "painloop_version": __version__,
        "seed": sweep.spec.seed,
        "n_patients": sweep.plan.n,
        "shard_size": sweep.plan.shard_size,
        "n_shards": sweep.plan.n_shards,
        "factors": list(sweep.plan.names),
        "disclaimer": DISCLAIMER,
    }


def _create(path: Path, sweep: Sweep) -> None:
    zarr = _zarr()
    n, size = sweep.plan.n, sweep.plan.shard_size
    g = zarr.open_group(str(path), mode="w", zarr_format=3)
    g.attrs.update(store_attributes(sweep))
    g.create_array("patient", data=np.arange(n, dtype=np.int64), chunks=(size,), dimension_names=["patient"],
                   attributes={"long_name": "patient (design point) index"})
    g.create_array("shard", data=np.arange(sweep.plan.n_shards, dtype=np.int64), chunks=(max(1, sweep.plan.n_shards),),
                   dimension_names=["shard"], attributes={"long_name": f"shard index (patients k·{size} to (k+1)·{size})"})
    g.create_array("shard_done", shape=(sweep.plan.n_shards,), chunks=(1,), dtype="int8", fill_value=0,
                   compressors=None, dimension_names=["shard"],
                   attributes={"long_name": "1 once every array of the shard is written, else 0", "units": "1"})
    for name, values in sweep.model.coords().items():
        g.create_array(name, data=values, chunks=values.shape, dimension_names=[name])
    for name, f in sweep.spec.vary.items():
        kind = getattr(sweep.model, "kinds", {}).get(name, "factor")
        g.create_array(name, shape=(n,), chunks=(size,), dtype="float64", fill_value=np.nan,
                       dimension_names=["patient"],
                       attributes={"kind": "factor", "factor_kind": kind,
                                   "distribution": f.model_dump_json(exclude_none=True),
                                   "long_name": f"value of {name} for this patient (design factor)"})
    for v in sweep.variables:
        g.create_array(v.name, shape=(n, *v.shape), chunks=(size, *v.shape), dtype=v.dtype, fill_value=v.fill,
                       dimension_names=["patient", *v.dims], attributes=v.attrs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        zarr.consolidate_metadata(str(path))


def open_or_create(path: str | Path, sweep: Sweep):
    """The store's Zarr group: created (atomically) if absent, else checked to hold this very sweep."""
    zarr = _zarr()
    path = Path(path)
    if not path.exists():
        for stale in path.parent.glob(f".{path.name}.creating-*"):  # left by a run killed while creating
            shutil.rmtree(stale, ignore_errors=True)
        tmp = path.with_name(f".{path.name}.creating-{os.getpid()}")
        _create(tmp, sweep)
        os.replace(tmp, path)
    elif not (path / "zarr.json").is_file():
        raise SweepStoreError(f"--out {path} exists and is not a Zarr store; give a new path or an earlier "
                              f"sweep's store")
    g = zarr.open_group(str(path), mode="r+")
    attrs = dict(g.attrs)
    if SPEC_ATTR not in attrs:
        raise SweepStoreError(f"{path} is a Zarr store but not a painloop sweep (no {SPEC_ATTR} attribute)")
    diffs = spec_differences(json.loads(attrs[SPEC_ATTR]), sweep.canonical)
    if attrs.get("painloop_version") != __version__:
        diffs.insert(0, f"painloop_version: store has {attrs.get('painloop_version')!r}, this is {__version__!r}")
    if diffs:
        raise SweepStoreError(f"{path} holds a different sweep; refusing to mix results. Differences:\n  "
                              + "\n  ".join(diffs) + "\nUse a new --out path, or the spec the store was made with.")
    for leftover in path.rglob("*.partial"):
        leftover.unlink(missing_ok=True)
    return g


def completed_shards(group) -> np.ndarray:
    """Shard completion flags (bool per shard); an unreadable flag counts as not complete."""
    arr = group["shard_done"]
    try:
        return np.asarray(arr[:]) == 1
    except Exception:  # noqa: BLE001
        out = np.zeros(arr.shape[0], dtype=bool)
        for i in range(arr.shape[0]):
            try:
                out[i] = arr[i] == 1
            except Exception:  # noqa: BLE001
                out[i] = False
        return out


def write_shard(group, sweep: Sweep, index: int, columns: Mapping[str, np.ndarray],
                result: Mapping[str, np.ndarray]) -> None:
    """Write shard ``index``'s factor values and results, then mark it complete (in that order)."""
    a, b = sweep.plan.bounds(index)
    for name in sweep.spec.vary:
        group[name][a:b] = np.asarray(columns[name], dtype=float)
    for v in sweep.variables:
        group[v.name][a:b] = np.asarray(result[v.name], dtype=v.dtype)
    group["shard_done"][index] = 1


def open_sweep(path: str | Path):
    """The store as a lazy ``xarray.Dataset`` (Dask arrays; nothing is read until used)."""
    import xarray as xr

    return xr.open_zarr(str(path), consolidated=True)
