"""Reading a personal pain diary from a CSV file, with messages that name the row and field at fault.

File format (UTF-8 text, comma-separated, one header row, one row per day):

============  ========  ==========================================================
column        required  meaning and allowed values
============  ========  ==========================================================
date          yes       calendar date, ISO 8601 (e.g. ``2024-03-01``); each once
pain          yes       average pain that day, numeric rating scale 0-10
sleep_hours   no        hours slept the night before, 0-24 h
stress        no        self-rated stress that day, 0 (none) to 10 (extreme)
mood          no        self-rated mood that day, 0 (worst) to 10 (best)
============  ========  ==========================================================

Optional cells may be left empty; ``pain`` may not. Days without an entry are
simply absent (rows need not be in date order). Rows are numbered as in a
spreadsheet: the header is row 1 and the first day is row 2.

The package ships a *synthetic* example diary,
``painloop/twin/data/example_diary.csv`` (see :func:`example_diary_path`).
It is not data from any person: it was generated from the model by
``python -m painloop.twin.make_example_diary`` (built-in scenario
``diabetes-calm``, 90 days after three years of diabetes; daily mean NRS plus
Gaussian noise of SD 0.8 NRS with a fixed seed, rounded to whole numbers and
clipped to 0-10; 15 % of the days dropped at random; ``sleep_hours`` is the
simulated time asleep per day, h). CSV has no standard comment syntax, so this
provenance is documented here and in the app rather than inside the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import IO, Union

import pandas as pd

REQUIRED = ("date", "pain")
OPTIONAL = ("sleep_hours", "stress", "mood")
RANGES: dict[str, tuple[float, float, str]] = {
    "pain": (0.0, 10.0, "NRS"),
    "sleep_hours": (0.0, 24.0, "h"),
    "stress": (0.0, 10.0, "rating"),
    "mood": (0.0, 10.0, "rating"),
}
"""Allowed closed range and unit of each numeric column."""

MAX_PROBLEMS_SHOWN = 10


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a diary file: spreadsheet row (header = 1; 0 for the file as a whole), field, message."""

    row: int
    field: str
    message: str

    def __str__(self) -> str:
        where = "file" if self.row == 0 else f"row {self.row}"
        return f"{where}, field '{self.field}': {self.message}" if self.field else f"{where}: {self.message}"


class DiaryError(ValueError):
    """A diary file that cannot be used. ``problems`` lists each (row, field, message) found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        shown = [str(p) for p in self.problems[:MAX_PROBLEMS_SHOWN]]
        more = len(self.problems) - len(shown)
        text = "\n".join(["invalid diary file:", *("  " + s for s in shown)] + ([f"  … and {more} more"] if more > 0 else []))
        super().__init__(text)


Source = Union[str, os.PathLike, IO[bytes], IO[str], bytes]


def _read_text(source: Source) -> str:
    """The file's text, decoded as UTF-8 (a byte-order mark is allowed)."""
    if isinstance(source, (str, os.PathLike)):
        try:
            raw: bytes | str = Path(source).read_bytes()
        except FileNotFoundError:
            raise DiaryError([Problem(0, "", f"file not found: {source}")]) from None
    elif isinstance(source, (bytes, bytearray)):
        raw = bytes(source)
    else:
        raw = source.read()
    if isinstance(raw, str):
        return raw.removeprefix("\ufeff")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise DiaryError([Problem(0, "", f"the file is not UTF-8 text: byte 0x{raw[e.start]:02x} at byte offset "
                                         f"{e.start} (row {line}) cannot be decoded; save it as UTF-8 CSV")]) from None


def _number(text: str, row: int, field: str, problems: list[Problem], required: bool) -> float:
    """Parse one numeric cell; record a problem and return NaN when it is missing, not a number or out of range."""
    text = text.strip()
    if text == "":
        if required:
            problems.append(Problem(row, field, "value is missing (required)"))
        return math.nan
    try:
        value = float(text)
    except ValueError:
        problems.append(Problem(row, field, f"{text!r} is not a number"))
        return math.nan
    lo, hi, unit = RANGES[field]
    if not math.isfinite(value) or not lo <= value <= hi:
        problems.append(Problem(row, field, f"{text} is out of range: allowed {lo:g} to {hi:g} ({unit})"))
        return math.nan
    return value


def read_diary_csv(source: Source) -> pd.DataFrame:
    """Read and validate a pain diary CSV (format in the module docstring).

    ``source`` is a path, a binary or text file object (such as an uploaded
    file) or the raw bytes. Returns a DataFrame sorted by date with columns
    ``date`` (``datetime64``, one row per day), ``pain`` (NRS 0-10) and those
    of ``sleep_hours`` (h), ``stress`` and ``mood`` (ratings 0-10) present in
    the file (empty cells as NaN). Raises :class:`DiaryError` listing every
    problem found, each with its row (header = row 1) and field.
    """
    text = _read_text(source)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as e:
        raise DiaryError([Problem(0, "", f"not readable as CSV: {e}")]) from None
    header_at = next((i for i, r in enumerate(rows) if any(c.strip() for c in r)), None)
    if header_at is None:
        raise DiaryError([Problem(0, "", "the file is empty; expected a header row such as 'date,pain' "
                                         "followed by one row per day")])
    header = [c.strip().lower() for c in rows[header_at]]
    header_row = header_at + 1
    problems: list[Problem] = []
    allowed = REQUIRED + OPTIONAL
    for name in header:
        if name not in allowed:
            problems.append(Problem(header_row, name, f"unknown column {name!r}; allowed columns: {', '.join(allowed)}"))
        elif header.count(name) > 1:
            problems.append(Problem(header_row, name, f"column {name!r} appears {header.count(name)} times"))
    for name in REQUIRED:
        if name not in header:
            problems.append(Problem(header_row, name, f"missing required column {name!r} "
                                                      f"(the header has: {', '.join(header) or 'nothing'})"))
    if problems:
        raise DiaryError(list(dict.fromkeys(problems)))

    columns = [c for c in allowed if c in header]
    records: dict[str, list] = {c: [] for c in columns}
    seen: dict[dt.date, int] = {}
    for i in range(header_at + 1, len(rows)):
        cells, row = rows[i], i + 1
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(Problem(row, "", f"expected {len(header)} fields ({', '.join(header)}), got {len(cells)}"))
            continue
        values = dict(zip(header, cells))
        raw_date = values["date"].strip()
        try:
            day = dt.date.fromisoformat(raw_date)
        except ValueError:
            problems.append(Problem(row, "date", f"{raw_date!r} is not an ISO 8601 date (YYYY-MM-DD)"
                                    if raw_date else "value is missing (required)"))
            day = None
        if day is not None:
            if day in seen:
                problems.append(Problem(row, "date", f"duplicate date {day.isoformat()} (also in row {seen[day]})"))
            else:
                seen[day] = row
        records["date"].append(day)
        for name in columns[1:]:
            records[name].append(_number(values[name], row, name, problems, required=name == "pain"))
    if problems:
        raise DiaryError(problems)
    if not records["date"]:
        raise DiaryError([Problem(0, "", "the file has a header but no data rows")])
    frame = pd.DataFrame(records)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame.sort_values("date", kind="stable").reset_index(drop=True)


def example_diary_path() -> Path:
    """Path of the synthetic example diary shipped with the package (see the module docstring)."""
    return Path(str(resources.files(__package__).joinpath("data", "example_diary.csv")))
