"""Published trial figures shipped with the package (``painloop/trials/data/*.csv``, each row with its source)."""

from __future__ import annotations

from importlib import resources

import pandas as pd


def _csv(name: str) -> pd.DataFrame:
    with resources.files("painloop.trials").joinpath("data", name).open("r", encoding="utf-8") as f:
        return pd.read_csv(f)


def published_nnt() -> pd.DataFrame:
    """Finnerup et al. 2015 NNT (50 % responders) with 95 % CI and NNH (dropout), one row per treatment class."""
    return _csv("trials_neuropathic.csv").set_index("treatment")


def placebo_targets() -> dict[str, float]:
    """Placebo-arm responder shares (pooled meta-analyses)."""
    d = _csv("placebo.csv").set_index("endpoint")
    return {"responders_50": float(d.loc["responder_50pct", "value"]), "responders_30": float(d.loc["responder_30pct", "value"])}


def nondrug_smd() -> dict[tuple[str, str], float]:
    """(therapy, outcome) → published SMD of non-drug therapies."""
    d = _csv("nondrug.csv")
    return {(r.therapy, r.outcome): float(r.smd) for r in d.itertuples()}


def mood_targets() -> dict[str, float]:
    """Depression and anxiety prevalence among people with neuropathic pain."""
    d = _csv("epidemiology.csv").set_index("quantity")
    return {"depression": float(d.loc["depression_among_neuropathic_pain", "value"]),
            "anxiety": float(d.loc["anxiety_among_neuropathic_pain", "value"])}
