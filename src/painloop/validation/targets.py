"""The target sets shipped with the package: ``painloop/data/targets/{calibration,validation}_targets.csv``.

Each row: ``target_id, quantity, population, check, settings, value, low, high, unit, role, source``. ``check``
names the evaluator (:mod:`painloop.validation.checks`), ``settings`` its arguments as ``key=value;…``;
``[low, high]`` is the interval a simulated value must fall in to pass. ``role`` is calibration (tuned to, by
``painloop calibrate``) or validation (never tuned to). The two roles live in separate files.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import pandas as pd

CALIBRATION_FILE = "calibration_targets.csv"
VALIDATION_FILE = "validation_targets.csv"
COLUMNS = ["target_id", "quantity", "population", "check", "settings", "value", "low", "high", "unit", "role", "source"]


@dataclass(frozen=True)
class Target:
    """One published figure with the check that reproduces it in the model."""

    target_id: str
    quantity: str
    population: str
    check: str
    settings: dict[str, str]
    value: float
    low: float
    high: float
    unit: str
    role: str
    source: str

    def passes(self, simulated: float) -> bool:
        """True if the simulated value lies in [low, high]."""
        return bool(self.low <= simulated <= self.high)


def parse_settings(text: str) -> dict[str, str]:
    """``'cause=shingles;day=90'`` → ``{'cause': 'shingles', 'day': '90'}``."""
    out = {}
    for part in str(text or "").split(";"):
        if part.strip():
            key, _, value = part.partition("=")
            out[key.strip()] = value.strip()
    return out


def read_table(name: str) -> pd.DataFrame:
    """One shipped target file as a DataFrame (columns :data:`COLUMNS`)."""
    with resources.files("painloop").joinpath("data", "targets", name).open("r", encoding="utf-8") as f:
        return pd.read_csv(f)


def load_targets(which: str = "all") -> list[Target]:
    """The targets of ``which``: calibration, validation or all (calibration first)."""
    names = {"calibration": [CALIBRATION_FILE], "validation": [VALIDATION_FILE],
             "all": [CALIBRATION_FILE, VALIDATION_FILE]}[which]
    out = []
    for name in names:
        for r in read_table(name).itertuples(index=False):
            out.append(Target(r.target_id, r.quantity, r.population, r.check, parse_settings(r.settings),
                              float(r.value), float(r.low), float(r.high), r.unit, r.role, r.source))
    return out
