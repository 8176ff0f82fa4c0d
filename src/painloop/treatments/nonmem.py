"""NONMEM-style dosing records: read and write the CSV that mrgsolve and nlmixr2 users write.

Columns (case-insensitive; others such as DV or MDV are ignored):

* ``ID`` — subject; a run simulates one subject, so the file must hold one ID (or pick one with ``subject``);
* ``TIME`` — h since day 0 at 00:00;
* ``AMT`` — dose amount: mg, or patches for a patch;
* ``CMT`` — the compartment receiving the dose: the drug's dose state (``duloxetine_gut``, see
  ``painloop treatments``), the drug name, or a number with a ``DRUG`` column naming the drug;
* ``EVID`` — 1 dose; 0 (observation) and 2 (other) rows are skipped; 3/4 (reset) are not supported;
* ``II`` — interdose interval, h (0 or empty for a single dose); ``ADDL`` — additional doses (0 or empty).

Each row becomes one treatment of the scenario (``drug``, ``dose``, ``every_hours``, ``start_day``,
``end_day``, ``clock_hour = 0``): ``start_day = TIME/24`` and ``end_day = (TIME + (ADDL+1)·II)/24``, so the
expansion back into dose records gives exactly the same doses. Every problem is reported with its line and field.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

from .catalogue import DRUGS
from .regimen import DoseRecord

COLUMNS = ("ID", "TIME", "AMT", "CMT", "EVID", "II", "ADDL", "DRUG")
"""The columns :func:`write_dosing_records` writes (DRUG is an extension naming the drug of each row)."""


class DosingRecordError(ValueError):
    """A dosing-record file that cannot be used; the message lists each line and field that is wrong."""


def _drug_of(cmt: str, drug: str) -> str | None:
    by_state = {d.dose_state: d.name for d in DRUGS.values()}
    name = (drug or "").strip().lower()
    if name:
        return name if name in DRUGS else None
    cmt = cmt.strip().lower()
    return by_state.get(cmt) or (cmt if cmt in DRUGS else None)


def parse_dosing_records(text: str, origin: str = "dosing records", subject: str | None = None) -> list[dict]:
    """Treatments (scenario fields) from the CSV text of NONMEM-style records; raise :class:`DosingRecordError`."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = {c.strip().upper(): c for c in (reader.fieldnames or [])}
    missing = [c for c in ("ID", "TIME", "AMT", "CMT") if c not in header]
    if missing:
        raise DosingRecordError(f"{origin}: missing column(s) {', '.join(missing)}; NONMEM-style records need ID, TIME "
                                f"(h), AMT, CMT and optionally EVID, II (h), ADDL, DRUG; got {list(reader.fieldnames or [])}")
    problems: list[str] = []
    out: list[dict] = []
    ids: set[str] = set()
    for line, raw in enumerate(reader, start=2):
        row = {k: (raw.get(v) or "").strip() for k, v in header.items()}
        where = f"line {line}"

        def number(field: str, default: float | None = None) -> float | None:
            text_value = row.get(field, "")
            if text_value in ("", "."):
                if default is None:
                    problems.append(f"{where}, {field}: empty; a number is required")
                return default
            try:
                value = float(text_value)
            except ValueError:
                problems.append(f"{where}, {field}: {text_value!r} is not a number")
                return None
            if not math.isfinite(value):
                problems.append(f"{where}, {field}: {text_value!r} is not a finite number")
                return None
            return value

        evid = number("EVID", 1.0)
        if evid is None:
            continue
        if evid in (0.0, 2.0):
            continue
        if evid != 1.0:
            problems.append(f"{where}, EVID: {row.get('EVID')!r} is not supported; allowed: 1 (dose), 0 (observation, "
                            "skipped), 2 (other, skipped)")
            continue
        sid = row.get("ID", "")
        if subject is not None and sid != str(subject):
            continue
        ids.add(sid)
        time_h, amt = number("TIME"), number("AMT")
        ii, addl = number("II", 0.0), number("ADDL", 0.0)
        drug = _drug_of(row.get("CMT", ""), row.get("DRUG", ""))
        if drug is None:
            states = ", ".join(d.dose_state for d in DRUGS.values())
            problems.append(f"{where}, {'DRUG' if row.get('DRUG') else 'CMT'}: "
                            f"{(row.get('DRUG') or row.get('CMT'))!r} is not a drug of the catalogue; give a dose "
                            f"compartment ({states}), a drug name, or CMT with a DRUG column")
        if None in (time_h, amt, ii, addl) or drug is None:
            continue
        if amt <= 0:
            problems.append(f"{where}, AMT: {amt:g} must be > 0 for a dose (EVID 1)")
        if ii < 0:
            problems.append(f"{where}, II: {ii:g} must be ≥ 0 h")
        if addl < 0 or addl != int(addl):
            problems.append(f"{where}, ADDL: {addl:g} must be a whole number ≥ 0")
        if addl > 0 and ii <= 0:
            problems.append(f"{where}, ADDL: {addl:g} additional doses need an interval II > 0 h")
        if amt > 0 and amt > DRUGS[drug].max_single_dose:
            problems.append(f"{where}, AMT: {amt:g} {DRUGS[drug].dose_unit} of {drug} is above the catalogue maximum of "
                            f"{DRUGS[drug].max_single_dose:g} per dose")
        if problems and problems[-1].startswith(where):
            continue
        rec: dict = {"drug": drug, "dose": amt, "start_day": time_h / 24.0, "clock_hour": 0.0}
        if ii > 0:
            rec["every_hours"] = ii
            rec["end_day"] = (time_h + (int(addl) + 1) * ii) / 24.0
        else:
            rec["every_hours"] = None
            rec["end_day"] = (time_h + 1e-3) / 24.0  # a single dose: a span of 3.6 s, so separate doses never overlap
        out.append(rec)
    if len(ids) > 1:
        problems.append(f"ID: the file holds {len(ids)} subjects ({', '.join(sorted(ids)[:5])}…); a run simulates one "
                        "subject: keep one ID or choose it (subject=…)")
    if problems:
        raise DosingRecordError(f"{origin}: {len(problems)} problem(s):\n  " + "\n  ".join(problems))
    if not out:
        raise DosingRecordError(f"{origin}: no dose rows (EVID 1)")
    return out


def read_dosing_records(path: str | Path, subject: str | None = None) -> list[dict]:
    """Treatments from a NONMEM-style CSV file (see the module docstring)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DosingRecordError(f"dosing-record file not found: {path}") from None
    except UnicodeDecodeError as e:
        raise DosingRecordError(f"dosing-record file {path} is not UTF-8 text ({e.reason} at byte {e.start})") from None
    return parse_dosing_records(text, str(path), subject)


def dosing_rows(records: list[DoseRecord], subject: int = 1) -> list[dict]:
    """NONMEM-style rows (EVID 1) of dose records, sorted by time; DRUG names the drug of each row."""
    by_state = {d.dose_state: d.name for d in DRUGS.values()}
    rows = [{"ID": subject, "TIME": float(f"{r.time_h:.10g}"), "AMT": r.amount, "CMT": r.compartment, "EVID": 1,
             "II": float(f"{r.ii_h:.10g}"), "ADDL": r.addl, "DRUG": by_state.get(r.compartment, "")} for r in records]
    return sorted(rows, key=lambda r: (r["TIME"], r["CMT"]))


def write_dosing_records(path: str | Path, scenario, subject: int = 1) -> Path:
    """Write the dose records of ``scenario``'s drug treatments as NONMEM-style CSV (h, mg); returns the path."""
    from ..scenario._inputs import dose_records

    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(dosing_rows(dose_records(scenario), subject))
    return path
