"""Pain diaries as FHIR R4 Bundles: import (with messages naming the entry and field) and export.

What is read from a Bundle (JSON, ``resourceType: Bundle``), validated with
the ``fhir.resources`` models of FHIR R4 (the R4B package, whose Observation,
MedicationStatement and MedicationAdministration match R4):

* ``Observation`` with LOINC ``72514-3`` (pain severity, 0-10 verbal numeric
  rating, reported): one diary entry at its ``effectiveDateTime`` (or
  ``effectivePeriod.start``), value from ``valueQuantity``/``valueInteger``;
* ``Observation`` with LOINC ``93832-4`` (sleep duration): ``sleep_hours`` of
  the entry with the same timestamp, or else of the first entry that
  calendar day; ``valueQuantity`` in ``h`` or ``min``;
* ``MedicationStatement`` / ``MedicationAdministration``: the drug name
  (``medicationCodeableConcept.text``, else a coding ``display``/``code``),
  the dose (``dosage[0].doseAndRate[0].doseQuantity`` or ``dosage.dose``) and
  optionally the frequency (``dosage[0].timing.code.text``: qd, bid, …); it is
  added to the ``medication`` of that calendar day.

Other resources and observation codes are ignored. The result is the same
DataFrame as :func:`painloop.twin.diary.read_diary_csv`, and every value goes
through the same checks (ranges, known drugs, duplicate timestamps).
Problems are reported as ``entry N`` (1-based position in ``Bundle.entry``)
and the FHIR path of the field.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import pandas as pd

from .diary import RANGES, DiaryError, Problem, Source, _read_text, check_span, parse_medication

LOINC = "http://loinc.org"
PAIN_LOINC = "72514-3"
SLEEP_LOINC = "93832-4"


def _stamp(value: Any) -> dt.datetime | None:
    """A FHIR date/dateTime (already parsed by the model) as a naive local date-time."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    return None


def _effective(res: Any) -> dt.datetime | None:
    when = _stamp(getattr(res, "effectiveDateTime", None))
    period = getattr(res, "effectivePeriod", None)
    if when is None and period is not None:
        when = _stamp(period.start)
    return when


def _codes(concept: Any) -> set[str]:
    return {c.code for c in (getattr(concept, "coding", None) or []) if c.code and (c.system in (None, LOINC))}


def _value(res: Any) -> tuple[float | None, str]:
    q = getattr(res, "valueQuantity", None)
    if q is not None and q.value is not None:
        return float(q.value), (q.unit or q.code or "")
    for name in ("valueInteger", "valueDecimal"):
        v = getattr(res, name, None)
        if v is not None:
            return float(v), ""
    return None, ""


def _drug_name(res: Any) -> str:
    concept = getattr(res, "medicationCodeableConcept", None)
    if concept is None:
        return ""
    if concept.text:
        return concept.text.strip()
    for c in concept.coding or []:
        if c.display or c.code:
            return (c.display or c.code).strip()
    return ""


def _dose(res: Any) -> tuple[float | None, str, str]:
    """Amount, unit and frequency text of a MedicationStatement/Administration."""
    dosage = getattr(res, "dosage", None)
    freq = ""
    if isinstance(dosage, list):
        if not dosage:
            return None, "", ""
        d0 = dosage[0]
        timing = getattr(d0, "timing", None)
        if timing is not None and timing.code is not None and timing.code.text:
            freq = timing.code.text.strip().lower()
        rates = d0.doseAndRate or []
        q = rates[0].doseQuantity if rates else None
    elif dosage is not None:
        q = dosage.dose
    else:
        q = None
    if q is None or q.value is None:
        return None, "", freq
    return float(q.value), (q.unit or q.code or "mg").strip(), freq


MAX_JSON_DEPTH = 64
"""Deepest JSON nesting read (assumption: a FHIR R4 diary Bundle nests about 10 levels; deeper input is not a diary
and would exhaust the parser's recursion)."""


def _max_nesting(text: str) -> int:
    """Deepest nesting of ``[``/``{`` outside JSON strings (a linear scan, no recursion)."""
    depth = best = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            best = max(best, depth)
        elif ch in "]}":
            depth -= 1
    return best


def read_diary_fhir(source: Source) -> pd.DataFrame:
    """Read a FHIR R4 Bundle (JSON) of pain/sleep Observations and medication resources as a diary DataFrame.

    Raises :class:`~painloop.twin.diary.DiaryError` naming the entry and field
    of every problem (entry 0 means the file as a whole).
    """
    from fhir.resources.R4B.bundle import Bundle
    from pydantic import ValidationError

    text = _read_text(source)
    if not text.strip():
        raise DiaryError([Problem(0, "", "the file is empty; expected a FHIR R4 Bundle (JSON)")])
    depth = _max_nesting(text)
    if depth > MAX_JSON_DEPTH:
        raise DiaryError([Problem(0, "", f"the JSON is nested {depth} levels deep; a FHIR diary Bundle needs about "
                                         f"10, the limit is {MAX_JSON_DEPTH}")])
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise DiaryError([Problem(e.lineno, "", f"not valid JSON: {e.msg} (column {e.colno})", "line")]) from None
    except RecursionError:
        raise DiaryError([Problem(0, "", f"the JSON is nested too deeply (limit {MAX_JSON_DEPTH} levels)")]) from None
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        found = data.get("resourceType") if isinstance(data, dict) else type(data).__name__
        raise DiaryError([Problem(0, "resourceType", f"expected a FHIR Bundle, got {found!r}")])
    try:
        bundle = Bundle.model_validate(data)
    except RecursionError:
        raise DiaryError([Problem(0, "", f"the JSON is nested too deeply (limit {MAX_JSON_DEPTH} levels)")]) from None
    except ValidationError as e:
        problems = []
        for err in e.errors():
            loc = list(err["loc"])
            entry = int(loc[1]) + 1 if len(loc) > 1 and loc[0] == "entry" and isinstance(loc[1], int) else 0
            path = ".".join(str(x) for x in loc)
            problems.append(Problem(entry, path, err["msg"], "entry"))
        raise DiaryError(problems) from None

    problems: list[Problem] = []
    pain: dict[dt.datetime, tuple[float, int]] = {}
    sleep: list[tuple[dt.datetime, float, int]] = []
    meds: dict[dt.date, list[str]] = {}
    for i, entry in enumerate(bundle.entry or []):
        n = i + 1
        res = entry.resource
        kind = type(res).__name__ if res is not None else ""
        if kind == "Observation":
            codes = _codes(res.code)
            if not codes & {PAIN_LOINC, SLEEP_LOINC}:
                continue
            field = "pain" if PAIN_LOINC in codes else "sleep_hours"
            when = _effective(res)
            if when is None:
                problems.append(Problem(n, "effectiveDateTime", "the observation has no effectiveDateTime", "entry"))
                continue
            value, unit = _value(res)
            if value is None:
                problems.append(Problem(n, "valueQuantity", f"the {field} observation has no value", "entry"))
                continue
            if field == "sleep_hours" and unit.lower() in ("min", "minutes", "minute"):
                value = value / 60.0
            lo, hi, u = RANGES[field]
            if not math.isfinite(value) or not lo <= value <= hi:
                problems.append(Problem(n, "valueQuantity.value", f"{field} {value:g} is out of range: allowed "
                                        f"{lo:g} to {hi:g} ({u})", "entry"))
                continue
            if field == "pain":
                if when in pain:
                    problems.append(Problem(n, "effectiveDateTime", f"duplicate timestamp {when.isoformat()} "
                                            f"(also in entry {pain[when][1]})", "entry"))
                    continue
                pain[when] = (value, n)
            else:
                sleep.append((when, value, n))
        elif kind in ("MedicationStatement", "MedicationAdministration"):
            when = _effective(res)
            if when is None:
                problems.append(Problem(n, "effectiveDateTime", f"the {kind} has no effectiveDateTime", "entry"))
                continue
            name = _drug_name(res)
            amount, unit, freq = _dose(res)
            if not name or amount is None:
                problems.append(Problem(n, "medicationCodeableConcept" if not name else "dosage",
                                        f"the {kind} needs a drug name and a dose", "entry"))
                continue
            item = f"{name} {amount:g} {unit}" + (f" {freq}" if freq else "")
            try:
                parsed = parse_medication(item.lower())
            except ValueError as e:
                problems.append(Problem(n, "medicationCodeableConcept", str(e), "entry"))
                continue
            meds.setdefault(when.date(), []).extend(str(m) for m in parsed)
    if problems:
        raise DiaryError(problems)
    if not pain:
        raise DiaryError([Problem(0, "", f"the Bundle has no pain observations (LOINC {PAIN_LOINC})")])

    check_span({when: n for when, (_, n) in pain.items()}, "entry")
    stamps = sorted(pain)
    sleep_col: dict[dt.datetime, float] = {}
    for when, value, n in sleep:
        target = when if when in pain else next((s for s in stamps if s.date() == when.date()), None)
        if target is not None:
            sleep_col[target] = value
    first_of_day: dict[dt.date, dt.datetime] = {}
    for s in stamps:
        first_of_day.setdefault(s.date(), s)
    frame = pd.DataFrame({"date": pd.to_datetime(stamps), "pain": [pain[s][0] for s in stamps]})
    if sleep_col:
        frame["sleep_hours"] = [sleep_col.get(s, math.nan) for s in stamps]
    if meds:
        frame["medication"] = ["; ".join(meds.get(s.date(), [])) if first_of_day[s.date()] == s else ""
                               for s in stamps]
    return frame.reset_index(drop=True)


def diary_to_fhir(frame: pd.DataFrame, patient_reference: str = "Patient/diary-owner") -> dict:
    """A FHIR R4 Bundle (``collection``) with the diary's pain, sleep and medication entries (JSON-ready dict)."""
    entries: list[dict] = []

    def when(ts: pd.Timestamp) -> str:
        return ts.strftime("%Y-%m-%d") if (ts.hour, ts.minute, ts.second) == (0, 0, 0) else ts.strftime("%Y-%m-%dT%H:%M:%S")

    for _, row in frame.iterrows():
        stamp = when(row["date"])
        entries.append({"resource": {
            "resourceType": "Observation", "status": "final",
            "code": {"coding": [{"system": LOINC, "code": PAIN_LOINC, "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported"}]},
            "subject": {"reference": patient_reference}, "effectiveDateTime": stamp,
            "valueQuantity": {"value": float(row["pain"]), "unit": "{score}"}}})
        if "sleep_hours" in frame and not pd.isna(row["sleep_hours"]):
            entries.append({"resource": {
                "resourceType": "Observation", "status": "final",
                "code": {"coding": [{"system": LOINC, "code": SLEEP_LOINC, "display": "Sleep duration"}]},
                "subject": {"reference": patient_reference}, "effectiveDateTime": stamp,
                "valueQuantity": {"value": float(row["sleep_hours"]), "unit": "h",
                                  "system": "http://unitsofmeasure.org", "code": "h"}}})
        if "medication" in frame and isinstance(row["medication"], str) and row["medication"].strip():
            for med in parse_medication(row["medication"]):
                freq = str(med).split()[-1]
                entries.append({"resource": {
                    "resourceType": "MedicationStatement", "status": "completed",
                    "medicationCodeableConcept": {"text": med.drug},
                    "subject": {"reference": patient_reference}, "effectiveDateTime": stamp,
                    "dosage": [{"timing": {"code": {"text": freq}},
                                "doseAndRate": [{"doseQuantity": {"value": med.amount, "unit": med.unit}}]}]}})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def read_diary(source: Source, kind: str | None = None, *, columns: dict[str, str] | None = None,
               date_format: str | None = None, aggregate: str | None = None) -> pd.DataFrame:
    """Read a diary file: FHIR JSON when ``kind='fhir'`` or the path ends in .json, else CSV.

    ``columns`` and ``date_format`` apply to CSV (see :func:`painloop.twin.diary.read_diary_csv`);
    ``aggregate`` (``'mean'`` or ``'max'`` for pain) combines several entries a day into one row per day
    (:func:`painloop.twin.diary.daily_diary`); ``None`` keeps the entries as read.
    """
    import os

    from .diary import daily_diary, read_diary_csv

    if kind is None:
        kind = "fhir" if isinstance(source, (str, os.PathLike)) and str(source).lower().endswith(".json") else "csv"
    if kind == "fhir":
        frame = read_diary_fhir(source)
    elif kind == "csv":
        frame = read_diary_csv(source, columns=columns, date_format=date_format)
    else:
        raise ValueError(f"diary kind must be 'csv' or 'fhir', got {kind!r}")
    return frame if aggregate is None else daily_diary(frame, aggregate)
