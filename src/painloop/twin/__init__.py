"""A person's own records (pain diary) and, later, a personal model fitted to them.

Available now: reading and validating a daily pain diary CSV
(:func:`read_diary_csv`) and a synthetic example diary generated from the
model (:func:`example_diary_path`). Fitting a personal model to a diary is not
available yet.
"""

from .diary import DiaryError, Problem, example_diary_path, read_diary_csv

__all__ = ["DiaryError", "Problem", "example_diary_path", "read_diary_csv"]
