"""Reading a personal pain diary from a CSV file, with messages that name the row and field at fault.

File format (UTF-8 text, comma-separated, one header row, one row per entry):

=============  ========  =====================================================================
column         required  meaning and allowed values
=============  ========  =====================================================================
date           yes       ISO 8601 date (``2024-03-01``), optionally with a time and a timezone
                         (``2024-03-01T20:30``, ``2024-03-01 20:30+01:00``, ``…Z``); each
                         timestamp once. The clock time as written (local time) is kept; the
                         timezone offset is checked and dropped.
pain           yes       average pain (or pain at that time), numeric rating scale 0-10
sleep_hours    no        hours slept the night before, 0-24 h
sleep_quality  no        self-rated sleep quality, 0 (worst) to 10 (best)
stress         no        self-rated stress that day, 0 (none) to 10 (extreme)
mood           no        self-rated mood that day, 0 (worst) to 10 (best)
activity       no        minutes of physical activity (0-1440), or a 0-10 rating when every
                         value in the column is at most 10
medication     no        what was taken that day: ``<drug> <amount> mg|patches [qd|bid|tid|qid|
                         qhs|q<N>h]`` (default qd), several separated by ``;`` or ``+``, e.g.
                         ``pregabalin 75 mg bid; duloxetine 60 mg``; drug names from
                         :data:`painloop.treatments.DRUGS`; an empty cell means none
notes          no        free text
=============  ========  =====================================================================

Optional cells may be left empty; ``pain`` may not. Days without an entry are
simply absent (rows need not be in date order); several entries on one day
(different times) are allowed and averaged by the twin. Rows are numbered as
in a spreadsheet: the header is row 1 and the first entry is row 2.

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
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import IO, Union

import pandas as pd

from ..errors import PainloopInputError
from ..treatments import DRUGS
from ..treatments.catalogue import ORAL_FREQUENCIES, check_daily_dose

REQUIRED = ("date", "pain")
OPTIONAL = ("sleep_hours", "sleep_quality", "stress", "mood", "activity", "medication", "notes")
TEXT_COLUMNS = ("medication", "notes")
RANGES: dict[str, tuple[float, float, str]] = {
    "pain": (0.0, 10.0, "NRS"),
    "sleep_hours": (0.0, 24.0, "h"),
    "sleep_quality": (0.0, 10.0, "rating"),
    "stress": (0.0, 10.0, "rating"),
    "mood": (0.0, 10.0, "rating"),
    "activity": (0.0, 1440.0, "minutes per day, or a 0-10 rating"),
}
"""Allowed closed range and unit of each numeric column."""

MAX_PROBLEMS_SHOWN = 10


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a diary file: spreadsheet row (header = 1; 0 for the file as a whole), field, message."""

    row: int
    field: str
    message: str
    where: str = "row"

    def __str__(self) -> str:
        where = "file" if self.row == 0 else f"{self.where} {self.row}"
        return f"{where}, field '{self.field}': {self.message}" if self.field else f"{where}: {self.message}"


class DiaryError(PainloopInputError):
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


@dataclass(frozen=True)
class Medication:
    """One medication entry of a diary day: drug, amount per dose (the drug's dose unit) and dosing interval (h)."""

    drug: str
    amount: float
    unit: str
    every_hours: float

    def __str__(self) -> str:
        freq = {24.0: "qd", 12.0: "bid", 8.0: "tid", 6.0: "qid"}.get(self.every_hours, f"q{self.every_hours:g}h")
        return f"{self.drug} {self.amount:g} {self.unit} {freq}"


_MED = re.compile(r"^(?P<drug>[a-z][a-z_0-9]*)\s+(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>mg|patch|patches)"
                  r"(?:\s+(?P<freq>qd|od|daily|qhs|bid|tid|qid|q(?P<qh>\d+(?:\.\d+)?)h))?$", re.IGNORECASE)
MEDICATION_FORMAT = ("'<drug> <amount> mg|patches [qd|bid|tid|qid|qhs|q<N>h]', several separated by ';', "
                     "e.g. 'pregabalin 75 mg bid; duloxetine 60 mg'")


def parse_medication(text: str) -> list[Medication]:
    """Parse a medication cell (format in the module docstring); raise ``ValueError`` saying what is allowed."""
    out: list[Medication] = []
    for item in re.split(r"[;+]", text):
        item = " ".join(item.strip().split())
        if not item:
            continue
        m = _MED.match(item)
        if m is None:
            raise ValueError(f"cannot read medication {item!r}; expected {MEDICATION_FORMAT}")
        name = m["drug"].lower()
        if name not in DRUGS:
            raise ValueError(f"unknown medication {name!r}; known: {', '.join(DRUGS)}")
        drug = DRUGS[name]
        unit = "mg" if m["unit"].lower() == "mg" else "patches"
        if unit != drug.dose_unit:
            raise ValueError(f"{name} is dosed in {drug.dose_unit}, not {unit}")
        amount = float(m["amount"])
        if not 0.0 < amount <= drug.max_single_dose:
            raise ValueError(f"{name} {amount:g} {unit} is outside the allowed range: more than 0 and at most "
                             f"{drug.max_single_dose:g} {unit} per dose")
        freq = (m["freq"] or "qd").lower()
        every = float(m["qh"]) if m["qh"] else ORAL_FREQUENCIES[freq]
        if not 1.0 <= every <= 24.0:
            raise ValueError(f"dosing interval q{every:g}h is outside 1-24 h")
        check_daily_dose(name, amount, every)
        out.append(Medication(name, amount, unit, every))
    return out


def parse_timestamp(text: str, date_format: str | None = None) -> dt.datetime:
    """An ISO 8601 date or date-time (or one in ``date_format``) as a naive local date-time; ``ValueError`` if not.

    A timezone offset is dropped: the clock time as written is kept.
    """
    text = text.strip()
    if date_format:
        return dt.datetime.strptime(text, date_format).replace(tzinfo=None)
    try:
        return dt.datetime.combine(dt.date.fromisoformat(text), dt.time())
    except ValueError:
        pass
    if len(text) < 16 or text[10] not in "T ":
        raise ValueError(text)
    stamp = dt.datetime.fromisoformat(text)
    return stamp.replace(tzinfo=None)


def read_diary_csv(source: Source, *, columns: dict[str, str] | None = None,
                   date_format: str | None = None) -> pd.DataFrame:
    """Read and validate a pain diary CSV (format in the module docstring).

    ``columns`` maps painloop's column names to the file's headers (``{"pain": "Pain level"}``, as exported by a
    diary app); ``date_format`` is an explicit :func:`~datetime.datetime.strptime` format of the date column
    (e.g. ``"%d/%m/%Y %H:%M"``) instead of ISO 8601.

    ``source`` is a path, a binary or text file object (such as an uploaded
    file) or the raw bytes. Returns a DataFrame sorted by date with columns
    ``date`` (``datetime64``, local time, 00:00 for a date without time),
    ``pain`` (NRS 0-10) and those of the optional columns present in the
    file, in the order of the module docstring: numbers as floats (empty
    cells as NaN), ``medication`` normalised to ``'<drug> <amount> <unit>
    <freq>'`` items joined by ``'; '`` (empty: none) and ``notes`` as text. Raises :class:`DiaryError` listing every
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
    for ours, theirs in (columns or {}).items():
        if ours not in allowed:
            problems.append(Problem(header_row, ours, f"column mapping {ours}={theirs!r}: {ours!r} is not a painloop "
                                                      f"column; allowed: {', '.join(allowed)}"))
        elif theirs.strip().lower() not in header:
            problems.append(Problem(header_row, ours, f"column mapping {ours}={theirs!r}: the file has no column "
                                                      f"{theirs!r} (its header: {', '.join(rows[header_at])})"))
        else:
            header[header.index(theirs.strip().lower())] = ours
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
    seen: dict[dt.datetime, int] = {}
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
            stamp = parse_timestamp(raw_date, date_format)
        except ValueError:
            expected = (f"does not match the date format {date_format!r}" if date_format else
                        "is not an ISO 8601 date (YYYY-MM-DD, optionally with a time and timezone such as "
                        "2024-03-01T20:30+01:00; give --date-format for other forms such as %d/%m/%Y)")
            problems.append(Problem(row, "date", f"{raw_date!r} {expected}" if raw_date else "value is missing (required)"))
            stamp = None
        if stamp is not None:
            if stamp in seen:
                what = "date" if len(raw_date) <= 10 else "timestamp"
                shown = stamp.date().isoformat() if what == "date" else stamp.isoformat()
                problems.append(Problem(row, "date", f"duplicate {what} {shown} (also in row {seen[stamp]})"))
            else:
                seen[stamp] = row
        records["date"].append(stamp)
        for name in columns[1:]:
            if name == "medication":
                text = " ".join(values[name].split())
                try:
                    meds = parse_medication(text)
                except ValueError as e:
                    problems.append(Problem(row, name, str(e)))
                    meds = []
                records[name].append("; ".join(str(m) for m in meds))
            elif name in TEXT_COLUMNS:
                records[name].append(values[name].strip())
            else:
                records[name].append(_number(values[name], row, name, problems, required=name == "pain"))
    if problems:
        raise DiaryError(problems)
    if not records["date"]:
        raise DiaryError([Problem(0, "", "the file has a header but no data rows")])
    check_span(seen)
    frame = pd.DataFrame(records)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame.sort_values("date", kind="stable").reset_index(drop=True)


MAX_SPAN_DAYS = 3 * 366
"""Longest diary accepted, days from the first to the last entry (assumption: the twin's personal factors are
constant in time, so a diary much longer than the fitted weeks-to-months describes a changing person; three years
also bounds the fit's memory and time: it simulates every day of the span)."""
DATE_RANGE = (dt.datetime(1900, 1, 1), dt.datetime(2200, 1, 1))
"""Dates accepted in a diary (assumption: anything else is a typing error)."""


def check_span(stamps: dict[dt.datetime, int], where: str = "row") -> None:
    """Raise :class:`DiaryError` if dates leave :data:`DATE_RANGE` or span more than :data:`MAX_SPAN_DAYS` days.

    ``stamps`` maps each entry's time stamp to its row (or entry) number in the file.
    """
    if not stamps:
        return
    lo, hi = DATE_RANGE
    outside = [Problem(row, "date", f"{stamp.date()} is outside the accepted dates {lo.date()} to {hi.date()}", where)
               for stamp, row in stamps.items() if not lo <= stamp < hi]
    if outside:
        raise DiaryError(outside)
    first, last = min(stamps), max(stamps)
    span = (last.date() - first.date()).days + 1
    if span > MAX_SPAN_DAYS:
        raise DiaryError([Problem(stamps[last], "date", f"the diary spans {span} days ({first.date()} to "
                                  f"{last.date()}); the limit is {MAX_SPAN_DAYS} days (about 3 years): split the "
                                  f"diary or fit its most recent part", where)])


AGGREGATION_RULE = (
    "several entries on one day are combined into one day: pain is the mean of that day's ratings (or the highest, "
    "with pain='max'); sleep_hours, sleep_quality, stress and mood are the mean of the day's non-empty values; "
    "activity minutes are added up (a 0-10 activity rating is averaged); medications are listed once each; "
    "notes are joined with ' | '")
"""The stated rule of :func:`daily_diary` (printed in reports and the CLI)."""


def daily_diary(frame: pd.DataFrame, pain: str = "mean") -> pd.DataFrame:
    """One row per calendar day from a diary with any number of entries per day (see :data:`AGGREGATION_RULE`).

    Adds ``entries`` (number of rows combined). ``pain`` is ``'mean'`` or ``'max'``.
    """
    if pain not in ("mean", "max"):
        raise ValueError(f"pain aggregation must be 'mean' or 'max', got {pain!r}")
    day = frame["date"].dt.normalize()
    groups = frame.groupby(day, sort=True)
    out = pd.DataFrame({"date": list(groups.groups)})
    out["pain"] = getattr(groups["pain"], pain)().to_numpy()
    minutes = "activity" in frame and bool((frame["activity"].dropna() > 10).any())
    for col in ("sleep_hours", "sleep_quality", "stress", "mood", "activity"):
        if col in frame:
            agg = groups[col].sum(min_count=1) if col == "activity" and minutes else groups[col].mean()
            out[col] = agg.to_numpy()
    if "medication" in frame:
        out["medication"] = groups["medication"].agg(
            lambda v: "; ".join(dict.fromkeys(m.strip() for t in v if isinstance(t, str) for m in t.split(";")
                                              if m.strip()))).to_numpy()
    if "notes" in frame:
        out["notes"] = groups["notes"].agg(lambda v: " | ".join(t for t in v if isinstance(t, str) and t)).to_numpy()
    out["entries"] = groups.size().to_numpy()
    return out


def example_diary_path() -> Path:
    """Path of the synthetic example diary shipped with the package (see the module docstring)."""
    return Path(str(resources.files(__package__).joinpath("data", "example_diary.csv")))
