"""Results files and parameter/state tables; output folders written as units with a lock."""

from ._folder import (OUTPUT_NAMES, OutputWriteError, check_output_path, claim_output, release_all, release_output,
                      write_file, write_files)
from ._results import COLUMNS_FILE, columns_frame, csv_writers, wide_frame, write_results
from ._tables import INITIAL_SOURCE, param_rows, state_rows

__all__ = ["INITIAL_SOURCE", "OUTPUT_NAMES", "OutputWriteError", "check_output_path", "claim_output", "param_rows",
           "release_all", "release_output", "state_rows", "wide_frame", "write_file", "write_files", "write_results",
           "COLUMNS_FILE", "columns_frame", "csv_writers"]
