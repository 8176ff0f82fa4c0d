"""Writing a simulation's results: NetCDF always, a wide CSV on request.

``results.csv`` has one row per patient and save time and one column per
variable (``patient``, ``time_days``, then the variables in the order of the
Dataset). Units and meanings are in the companion ``results_columns.csv``
(one row per column; variables left out of the CSV because they are constant
throughout, such as the all-zero drug compartments of an untreated run, are
listed there with their constant value; ``results.nc`` keeps them).

The folder is written as a unit (:mod:`painloop.io._folder`): a failure or a
kill leaves no partial output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import xarray as xr

from ._folder import write_files

INDEX_COLUMNS = ("patient", "time_days")
"""The first two columns of ``results.csv``."""
VALUE_FORMAT = "%.6g"
"""Format of the variables in ``results.csv`` (6 significant digits, as before the wide layout)."""
TIME_FORMAT = "{:.10g}"
"""Format of ``time_days`` (10 significant digits: distinct save times stay distinct at the finest interval)."""
COLUMNS_FILE = "results_columns.csv"
"""Companion of ``results.csv``: column, unit, meaning, in_results_csv, constant_value."""


def _time_variables(ds: xr.Dataset) -> list[str]:
    """Data variables over time, each over (patient, time) or time alone; raises ValueError for other layouts."""
    names = []
    for name in ds.data_vars:
        dims = set(ds[name].dims)
        if "time" not in dims:
            continue
        if not dims <= {"patient", "time"}:
            raise ValueError(f"variable {name!r} has dimensions {ds[name].dims}; results.csv holds only variables "
                             f"over (patient, time)")
        names.append(str(name))
    return names


def wide_frame(ds: xr.Dataset) -> pd.DataFrame:
    """Wide table of a results Dataset: one row per (patient, time), one column per variable over time.

    Columns: ``patient``, ``time_days`` (the ``time`` coordinate, days), then each
    data variable with a ``time`` dimension, by name. Rows are ordered by patient,
    then time, so there are exactly ``patients × times`` rows. A Dataset without a
    ``patient`` dimension counts as one patient, 0. Raises ValueError if ``ds`` has
    no ``time`` dimension or a time variable has another dimension.
    """
    if "time" not in ds.dims:
        raise ValueError("the results have no 'time' dimension")
    names = _time_variables(ds)
    times = np.asarray(ds["time"].values, dtype=float)
    patients = np.asarray(ds["patient"].values) if "patient" in ds.dims else np.zeros(1, dtype=int)
    n_p, n_t = patients.size, times.size
    columns: dict[str, np.ndarray] = {"patient": np.repeat(patients, n_t), "time_days": np.tile(times, n_p)}
    for name in names:
        da = ds[name]
        if "patient" in ds.dims and "patient" not in da.dims:
            da = da.expand_dims(patient=ds["patient"].values)
        values = da.transpose(*[d for d in ("patient", "time") if d in da.dims]).values
        columns[name] = np.broadcast_to(values, (n_p, n_t)).reshape(-1)
    return pd.DataFrame(columns)


def left_out_variables(ds: xr.Dataset, full: xr.Dataset) -> dict[str, float]:
    """Variables over time in ``full`` but not in ``ds`` (dropped as constant), with their constant value."""
    return {str(n): float(np.asarray(full[n].values).flat[0]) for n in full.data_vars
            if n not in ds.data_vars and "time" in full[n].dims}


def columns_frame(ds: xr.Dataset, full: xr.Dataset | None = None) -> pd.DataFrame:
    """The companion table of :func:`wide_frame`: one row per CSV column with its unit and meaning.

    ``full`` is the Dataset before constant variables were dropped (see
    :func:`painloop.api.compact`); the variables it has over time and ``ds``
    lacks follow as rows with ``in_results_csv`` false and their ``constant_value``.
    """
    def row(source: xr.Dataset, name: str, kept: bool, value: object = "") -> dict[str, object]:
        return {"column": name, "unit": source[name].attrs.get("units", ""),
                "meaning": source[name].attrs.get("long_name", ""), "in_results_csv": kept, "constant_value": value}

    rows = [{"column": "patient", "unit": "", "meaning": "virtual patient index", "in_results_csv": True,
             "constant_value": ""},
            {"column": "time_days", "unit": "days", "meaning": ds["time"].attrs.get("long_name", "time"),
             "in_results_csv": True, "constant_value": ""}]
    rows += [row(ds, name, True) for name in _time_variables(ds)]
    if full is not None:
        rows += [row(full, name, False, value) for name, value in left_out_variables(ds, full).items()]
    return pd.DataFrame(rows, columns=["column", "unit", "meaning", "in_results_csv", "constant_value"])


def write_wide_csv(path: Path, ds: xr.Dataset) -> None:
    """Write :func:`wide_frame` of ``ds`` to ``path`` (variables to 6 significant digits, time to 10)."""
    frame = wide_frame(ds)
    frame["time_days"] = [TIME_FORMAT.format(t) for t in frame["time_days"]]
    frame.to_csv(path, index=False, float_format=VALUE_FORMAT, lineterminator="\n")


def csv_writers(ds: xr.Dataset, full: xr.Dataset | None = None) -> dict[str, Callable[[Path], None]]:
    """Writers of ``results.csv`` and ``results_columns.csv`` for :func:`write_files` (``full``: see
    :func:`columns_frame`)."""
    return {"results.csv": lambda p: write_wide_csv(p, ds),
            COLUMNS_FILE: lambda p: columns_frame(ds, full).to_csv(p, index=False, lineterminator="\n")}


def write_results(out_dir: Path, ds: xr.Dataset, *, csv: bool = False,
                  extra: dict[str, Callable[[Path], None]] | None = None) -> list[Path]:
    """Write ``results.nc`` (and ``results.csv`` with ``results_columns.csv``) plus ``extra`` files into ``out_dir``.

    The folder is written atomically; ``extra`` maps a file name to a function
    writing that file (see :func:`write_files`).
    """
    writers: dict[str, Callable[[Path], None]] = {"results.nc": lambda p: ds.to_netcdf(p, engine="netcdf4")}
    if csv:
        writers.update(csv_writers(ds))
    writers.update(extra or {})
    return write_files(out_dir, writers)
