"""Writing a simulation's results: NetCDF always, tidy CSV on request.

The folder is written as a unit (:mod:`painloop.io._folder`): a failure or a
kill leaves no partial output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pandas as pd
import xarray as xr

from ._folder import write_files


def tidy_frame(ds: xr.Dataset) -> pd.DataFrame:
    """Long table: one row per patient, time and variable, with its unit."""
    names = [v for v in ds.data_vars if "time" in ds[v].dims]
    frame = ds[names].to_dataframe().reset_index().melt(id_vars=["patient", "time"], var_name="variable")
    frame["unit"] = frame["variable"].map({n: ds[n].attrs.get("units", "") for n in names})
    return frame.rename(columns={"time": "time_days"})


def write_results(out_dir: Path, ds: xr.Dataset, *, csv: bool = False,
                  extra: dict[str, Callable[[Path], None]] | None = None) -> list[Path]:
    """Write ``results.nc`` (and ``results.csv``) plus ``extra`` files into ``out_dir`` atomically.

    ``extra`` maps a file name to a function writing that file (see :func:`write_files`).
    """
    writers: dict[str, Callable[[Path], None]] = {"results.nc": lambda p: ds.to_netcdf(p, engine="netcdf4")}
    if csv:
        writers["results.csv"] = lambda p: tidy_frame(ds).to_csv(p, index=False, float_format="%.6g")
    writers.update(extra or {})
    return write_files(out_dir, writers)
