"""Results files and parameter/state tables, written atomically."""

from ._results import write_results, tidy_frame
from ._tables import param_rows, state_rows, INITIAL_SOURCE

__all__ = ["INITIAL_SOURCE", "param_rows", "state_rows", "tidy_frame", "write_results"]
