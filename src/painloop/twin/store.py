"""Saving and loading a twin, and writing its output files atomically.

Files are first written into a temporary directory next to the destination
and moved into place only when every file was written, so a failure leaves
nothing half-written (and a new directory appears only on success).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import xarray as xr

from ..errors import PainloopInputError
from ..io import write_files as io_write_files

TWIN_FILE = "twin.nc"
TWIN_TITLE = "painloop digital twin (personal model fitted to a pain diary)"


class TwinFileError(PainloopInputError):
    """A twin directory or file that cannot be used; the message says what is wrong."""


def write_files(out_dir: Path, writers: dict[str, Callable[[Path], None]], *, keep_existing: bool = False) -> list[Path]:
    """Write each ``name → writer(path)`` into ``out_dir`` as a unit (:func:`painloop.io.write_files`)."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise TwinFileError(f"--out {out_dir} exists and is not a directory; give a directory path")
    return io_write_files(out_dir, writers, keep_existing=keep_existing)


def save_twin(path: Path, twin: xr.Dataset) -> None:
    """Write the twin Dataset as NetCDF (netCDF4 engine)."""
    twin.to_netcdf(path, engine="netcdf4")


def load_twin(directory: Path) -> xr.Dataset:
    """Load ``directory/twin.nc`` written by ``painloop twin fit``; :class:`TwinFileError` if it is not one."""
    directory = Path(directory)
    path = directory / TWIN_FILE if directory.is_dir() else directory
    if not path.is_file():
        raise TwinFileError(f"no twin found at {path}; run 'painloop twin fit DIARY --out DIR' first")
    try:
        ds = xr.load_dataset(path, engine="netcdf4")
    except (OSError, ValueError) as e:
        raise TwinFileError(f"{path} is not a readable NetCDF file: {e}") from None
    if ds.attrs.get("title") != TWIN_TITLE or "theta_draws" not in ds or "state_end" not in ds:
        raise TwinFileError(f"{path} is not a twin written by 'painloop twin fit'")
    return ds
