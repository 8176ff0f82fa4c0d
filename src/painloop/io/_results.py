"""Writing a simulation's results: NetCDF always, tidy CSV on request.

Files go to a temporary directory next to the destination and are moved into
place only when everything was written, so a failure leaves no partial output.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Callable

import pandas as pd
import xarray as xr


def tidy_frame(ds: xr.Dataset) -> pd.DataFrame:
    """Long table: one row per patient, time and variable, with its unit."""
    names = [v for v in ds.data_vars if "time" in ds[v].dims]
    frame = ds[names].to_dataframe().reset_index().melt(id_vars=["patient", "time"], var_name="variable")
    frame["unit"] = frame["variable"].map({n: ds[n].attrs.get("units", "") for n in names})
    return frame.rename(columns={"time": "time_days"})


def write_files(out_dir: Path, writers: dict[str, Callable[[Path], None]]) -> list[Path]:
    """Write each ``name → writer(path)`` into a temporary folder beside ``out_dir``; move them in only when all succeeded.

    Returns the final paths. An existing ``out_dir`` is replaced file by file;
    a new one appears only on success; a failing writer leaves nothing behind.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        for name, writer in writers.items():
            writer(tmp / name)
        out_dir.mkdir(exist_ok=True)
        written = []
        for f in sorted(tmp.iterdir()):
            target = out_dir / f.name
            f.replace(target)
            written.append(target)
        return written
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


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
