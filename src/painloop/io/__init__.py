"""Results files and parameter/state tables, written atomically."""

from ._results import tidy_frame, write_files, write_results
from ._tables import INITIAL_SOURCE, param_rows, state_rows

__all__ = ["INITIAL_SOURCE", "param_rows", "state_rows", "tidy_frame", "write_files", "write_results"]
