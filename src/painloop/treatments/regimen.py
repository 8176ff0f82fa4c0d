"""Dosing regimens: NONMEM-style dose records and a friendly string form.

A :class:`DoseRecord` is one line of a NONMEM dataset: ``time_h`` (h since day
0), ``amount`` (mg, or patches), ``compartment`` (model state receiving the
dose), ``ii_h`` (interdose interval, h), ``addl`` (additional doses) and
``dur_h`` (zero-order duration, h: patches). :func:`dose_events` expands the
records into state jumps at exact times.

Friendly form, steps separated by ``;`` (titration, taper)::

    duloxetine 60 mg qd from day 14
    pregabalin 75 mg bid from day 0 to day 7; 150 mg bid from day 7
    oxycodone 10 mg q12h from day 0 to day 56
    lidocaine_5pct_patch 3 patches daily from day 0
    capsaicin_8pct_patch 4 patches once at day 10
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..errors import PainloopInputError
from .catalogue import DRUGS, MIN_DOSING_INTERVAL_H, ORAL_FREQUENCIES


class RegimenError(PainloopInputError):
    """A regimen string or record that cannot be used; the message says what is wrong and what is allowed."""


@dataclass(frozen=True)
class DoseRecord:
    """One NONMEM-style dose record (times in h since day 0, amount in the drug's dose unit)."""

    time_h: float
    amount: float
    compartment: str
    ii_h: float = 0.0
    addl: int = 0
    dur_h: float = 0.0

    def times(self) -> list[float]:
        """Times (h) of this record's doses."""
        return [self.time_h + k * self.ii_h for k in range(self.addl + 1)]


_FREQ = r"(?P<freq>qd|od|daily|qhs|bid|tid|qid|q(?P<qh>\d+(?:\.\d+)?)h|once)"
_STEP = re.compile(
    r"^\s*(?:(?P<drug>[a-z_0-9]+)\s+)?(?P<amount>-?\d+(?:\.\d+)?)\s*(?P<unit>mg|patch|patches)\s+" + _FREQ +
    r"(?:\s+(?:from|at)\s+day\s+(?P<start>-?\d+(?:\.\d+)?))?(?:\s+(?:to|until)\s+day\s+(?P<end>-?\d+(?:\.\d+)?))?"
    r"(?:\s+at\s+(?P<clock>\d{1,2})(?::(?P<minute>\d{2}))?)?\s*$", re.IGNORECASE)


def parse_regimen(text: str) -> list[dict]:
    """Parse a friendly regimen string into treatment fields (one dict per step); raise :class:`RegimenError`."""
    steps = [s for s in text.split(";") if s.strip()]
    if not steps:
        raise RegimenError("empty regimen; write e.g. 'duloxetine 60 mg qd from day 14'")
    out, drug = [], None
    for i, step in enumerate(steps):
        m = _STEP.match(step)
        if m is None:
            raise RegimenError(
                f"cannot read regimen step {step.strip()!r}; expected '<drug> <amount> mg|patches "
                f"qd|bid|tid|qid|qhs|q<N>h|once [from day D] [to day E] [at HH:MM]', e.g. 'pregabalin 75 mg bid from day 0'")
        name = (m["drug"] or "").lower() or drug
        if name is None:
            raise RegimenError(f"the first step of {text!r} must name the drug")
        if name not in DRUGS:
            raise RegimenError(f"unknown drug {name!r}; known drugs: {', '.join(DRUGS)} (see `painloop treatments`)")
        drug = name
        unit = "mg" if m["unit"].lower() == "mg" else "patches"
        if unit != DRUGS[name].dose_unit:
            example = "'3 patches daily'" if DRUGS[name].dose_unit == "patches" else "'60 mg qd'"
            raise RegimenError(f"step {step.strip()!r}: {name} is a{'n oral' if DRUGS[name].route == 'oral' else ' '}"
                               f"{'' if DRUGS[name].route == 'oral' else DRUGS[name].route} drug dosed in "
                               f"{DRUGS[name].dose_unit}, not {unit}; write e.g. {example}")
        freq = m["freq"].lower()
        every = float(m["qh"]) if m["qh"] else (None if freq == "once" else ORAL_FREQUENCIES[freq])
        if every is not None and not MIN_DOSING_INTERVAL_H <= every <= 24.0 * 365:
            raise RegimenError(f"step {step.strip()!r}: dosing interval q{m['qh']}h is outside the allowed "
                               f"{MIN_DOSING_INTERVAL_H:g} h to {24 * 365} h")
        rec: dict = {"drug": name, "dose": float(m["amount"]), "every_hours": every}
        if m["start"] is not None:
            rec["start_day"] = float(m["start"])
        elif i > 0 and out[-1].get("end_day") is not None:
            rec["start_day"] = out[-1]["end_day"]
        if m["end"] is not None:
            rec["end_day"] = float(m["end"])
        if m["clock"] is not None:
            hour, minute = int(m["clock"]), int(m["minute"] or 0)
            if hour > 23 or minute > 59:
                raise RegimenError(f"step {step.strip()!r}: clock time {m['clock']}:{m['minute'] or '00'} is not a "
                                   f"time of day; allowed 0:00 to 23:59")
            rec["clock_hour"] = hour + minute / 60.0
        elif freq == "qhs":
            rec["clock_hour"] = 22.0
        out.append(rec)
    for prev, nxt in zip(out, out[1:]):
        if prev.get("end_day") is None:
            prev["end_day"] = nxt.get("start_day")
    return out


def records(drug: str, dose: float, start_h: float, end_h: float, every_h: float | None) -> list[DoseRecord]:
    """Dose records of one step: first dose at ``start_h``, repeated every ``every_h`` while before ``end_h``."""
    d = DRUGS[drug]
    dur = d.wear_hours or 0.0
    if every_h is None:
        addl = 0
    else:
        addl = max(0, math.ceil((end_h - start_h) / every_h - 1e-9) - 1) if math.isfinite(end_h) else 0
    return [DoseRecord(start_h, dose, d.dose_state, every_h or 0.0, addl, dur)]


def dose_events(recs: list[DoseRecord]) -> list[tuple[float, str, float]]:
    """Expand records into (time h, state, jump) events: bolus +amount; zero-order +amount at start, -amount at end."""
    ev = []
    for r in recs:
        for t in r.times():
            ev.append((t, r.compartment, r.amount))
            if r.dur_h > 0:
                ev.append((t + r.dur_h, r.compartment, -r.amount))
    return sorted(ev)


_THERAPY = re.compile(
    r"^\s*(?P<therapy>[a-z_]+)(?:\s+(?P<spw>\d+(?:\.\d+)?)\s*(?:x|sessions?)\s*/\s*week)?"
    r"(?:\s+(?:from|at)\s+day\s+(?P<start>-?\d+(?:\.\d+)?))?(?:\s+(?:to|until)\s+day\s+(?P<end>-?\d+(?:\.\d+)?))?\s*$",
    re.IGNORECASE)


def parse_therapy(text: str) -> dict | None:
    """Parse a therapy programme such as ``'cbt from day 14 to day 84'`` or ``'acupuncture 2x/week from day 0'``.

    Returns the treatment fields (``therapy``, ``start_day``, ``end_day``,
    ``sessions_per_week``) or ``None`` when ``text`` does not start with a
    therapy of the catalogue (it may then be a drug regimen).
    """
    from .catalogue import THERAPIES

    m = _THERAPY.match(text)
    if m is None or m["therapy"].lower() not in THERAPIES:
        return None
    rec: dict = {"therapy": m["therapy"].lower()}
    if m["start"] is not None:
        rec["start_day"] = float(m["start"])
    if m["end"] is not None:
        rec["end_day"] = float(m["end"])
    if m["spw"] is not None:
        rec["sessions_per_week"] = float(m["spw"])
    return rec


def parse_treatment(text: str) -> list[dict]:
    """Parse a drug regimen (see :func:`parse_regimen`) or a therapy programme (see :func:`parse_therapy`).

    Raise :class:`RegimenError` naming both forms when ``text`` is neither.
    """
    rec = parse_therapy(text)
    if rec is not None:
        return [rec]
    first = text.strip().split(maxsplit=1)[0].lower() if text.strip() else ""
    if first and first not in DRUGS and not re.match(r"^-?\d", first):
        from .catalogue import THERAPIES

        raise RegimenError(f"unknown drug or therapy {first!r}; known drugs: {', '.join(DRUGS)}; known therapies: {', '.join(THERAPIES)} "
                           f"(e.g. 'duloxetine 60 mg qd from day 14' or 'cbt from day 14 to day 84'; see `painloop treatments`)")
    return parse_regimen(text)
