"""Fitted population-parameter values written by ``painloop calibrate`` and read by the parameter table.

The file (YAML) holds the fitted values with their provenance: target set, seed, budget, loss, optimiser.
The package's own file is ``painloop/data/fitted/population.yaml`` (absent until a calibration is shipped);
``$PAINLOOP_POPULATION_FIT`` names another file (used to check a fresh calibration without replacing it).
"""

from __future__ import annotations

import os
from dataclasses import replace
from importlib import resources
from pathlib import Path

import yaml

ENV = "PAINLOOP_POPULATION_FIT"


def package_file() -> Path:
    """Where the shipped fitted values live."""
    return Path(str(resources.files("painloop"))) / "data" / "fitted" / "population.yaml"


def fit_file() -> Path:
    """The fitted-values file in use: ``$PAINLOOP_POPULATION_FIT`` or the package's own."""
    env = os.environ.get(ENV)
    return Path(env) if env else package_file()


def load() -> dict | None:
    """The fitted-values document, or None if there is none."""
    path = fit_file()
    if not path.is_file():
        return None
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return doc if isinstance(doc, dict) and doc.get("values") else None


def provenance_text(doc: dict) -> str:
    """One line: which targets, optimiser, seed, budget and loss produced the fit."""
    return (f"fitted by painloop calibrate to {', '.join(doc.get('targets', []))} "
            f"({doc.get('optimiser', '?')}, seed {doc.get('seed', '?')}, {doc.get('evaluations', '?')} evaluations, "
            f"loss {doc.get('loss_start', float('nan')):.3g} → {doc.get('loss', float('nan')):.3g}; "
            f"target set {doc.get('target_set', '?')})")


def apply(declared: tuple) -> tuple:
    """The declarations with fitted values (and a 'fitted by painloop calibrate …' source) where a fit exists."""
    doc = load()
    if doc is None:
        return declared
    values = {str(k): float(v) for k, v in doc["values"].items()}
    text = provenance_text(doc)
    return tuple(replace(p, value=values[p.name], source=text + f"; before: {p.value:g} ({p.source})")
                 if p.name in values else p for p in declared)
