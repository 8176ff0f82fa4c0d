"""Saving and loading a twin, and writing its output files atomically.

Files are first written into a temporary directory next to the destination
and moved into place only when every file was written, so a failure leaves
nothing half-written (and a new directory appears only on success).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Callable

import xarray as xr

TWIN_FILE = "twin.nc"
TWIN_TITLE = "painloop digital twin (personal model fitted to a pain diary)"


class TwinFileError(ValueError):
    """A twin directory or file that cannot be used; the message says what is wrong."""


def write_files(out_dir: Path, writers: dict[str, Callable[[Path], None]]) -> list[Path]:
    """Write each ``name → writer(path)`` into ``out_dir`` atomically; return the final paths."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise TwinFileError(f"--out {out_dir} exists and is not a directory; give a directory path")
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
