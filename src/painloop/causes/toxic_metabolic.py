"""Nutritional and toxic causes: vitamin B12 and B1 deficiency, alcohol, toxins and medications.

Each has a cause-specific treatment in its settings: supplementation
(``supplement_h``), abstinence (``abstinence_h``) or the end of exposure
(``exposure_end_h``); times are hours since day 0 and 1e12 means never.
"""

from __future__ import annotations

from typing import Any

from ..model._declare import params
from ._base import Cause, started

TOXIN_AGENTS = ("isoniazid", "metronidazole", "heavy_metal", "other")
"""Agents of the toxin cause; each has a relative potency parameter ``tox_potency_<agent>``."""


def _deficiency(prefix: str):
    """Driver of a vitamin deficiency: injury and impaired repair while deficient, repair after supplementation."""
    def drivers(xp: Any, t: Any, q: dict, p: dict) -> dict:
        on = started(xp, t, q["onset_h"])
        replete = 1.0 - xp.exp(-xp.maximum(t - q["supplement_h"], 0.0) / (24.0 * p[f"{prefix}_repletion_days"]))
        deficient = on * (1.0 - replete)
        regen = p[f"{prefix}_regen_deficient"] + (p[f"{prefix}_regen_replete"] - p[f"{prefix}_regen_deficient"]) * replete
        return {
            "injury_rate": q["severity"] * p[f"{prefix}_k_injury"] * deficient,
            "regen_capacity": regen,
            "infl_drive": 0.0 * t,
        }
    drivers.__doc__ = f"{prefix.upper()} deficiency: injury while deficient, repair after supplementation."
    return drivers


def _alcohol(xp: Any, t: Any, q: dict, p: dict) -> dict:
    """Toxic injury above a threshold intake (drinks/day) that also impairs repair; abstinence ends both."""
    drinking = started(xp, t, q["onset_h"]) * (1.0 - started(xp, t, q["abstinence_h"]))
    excess = xp.maximum(q["drinks_per_day"] - p["alc_threshold_drinks"], 0.0)
    return {
        "injury_rate": drinking * q["severity"] * p["alc_k_injury"] * excess,
        "regen_capacity": p["alc_regen_abstinent"] / (1.0 + drinking * p["alc_regen_loss"] * excess),
        "infl_drive": drinking * q["severity"] * p["alc_infl"] * excess,
    }


def _toxin(xp: Any, t: Any, q: dict, p: dict) -> dict:
    """Neurotoxic exposure between onset and the end of exposure; recovery after it is slower for heavy metals."""
    exposed = started(xp, t, q["onset_h"]) * (1.0 - started(xp, t, q["exposure_end_h"]))
    potency = sum(q[f"agent_{a}"] * p[f"tox_potency_{a}"] for a in TOXIN_AGENTS)
    recovery = p["tox_regen"] * (1.0 - q["agent_heavy_metal"]) + p["tox_regen_metal"] * q["agent_heavy_metal"]
    return {
        "injury_rate": q["severity"] * potency * p["tox_k_injury"] * exposed,
        "regen_capacity": recovery / (1.0 + p["tox_regen_block"] * exposed),
        "infl_drive": 0.0 * t,
    }


B12_DEFICIENCY = Cause(
    "b12_deficiency", "Vitamin B12 (cobalamin) deficiency",
    "progressive demyelinating neuropathy while deficient; improves after supplementation",
    params(
        "causes.b12_deficiency",
        ("b12_k_injury", 4.0e-5, "1/h",
         "assumption: severity 1 damages ~30 % of fibres within a year of untreated deficiency (Healton 1991 Medicine)",
         "injury rate while deficient at severity 1"),
        ("b12_regen_deficient", 0.2, "fraction", "assumption: cobalamin is needed for myelin repair; little repair while deficient",
         "regeneration capacity while deficient"),
        ("b12_regen_replete", 0.8, "fraction",
         "assumption: most patients improve over 6-12 months after replacement, some incompletely (Healton 1991 Medicine)",
         "regeneration capacity after supplementation"),
        ("b12_repletion_days", 14.0, "days",
         "assumption: intramuscular replacement restores stores within weeks (Stabler 2013 N Engl J Med)",
         "time constant of repletion after the first supplement"),
    ),
    _deficiency("b12"),
)

B1_DEFICIENCY = Cause(
    "b1_deficiency", "Vitamin B1 (thiamine) deficiency (dry beriberi)",
    "axonal neuropathy developing over weeks to months while deficient; improves after thiamine",
    params(
        "causes.b1_deficiency",
        ("b1_k_injury", 1.0e-4, "1/h",
         "assumption: dry beriberi develops over weeks to months; severity 1 damages ~30 % of fibres in ~5 months (Koike 2003 Ann Neurol)",
         "injury rate while deficient at severity 1"),
        ("b1_regen_deficient", 0.3, "fraction", "assumption: thiamine-dependent axonal metabolism limits repair while deficient",
         "regeneration capacity while deficient"),
        ("b1_regen_replete", 0.8, "fraction", "assumption: gradual, often incomplete recovery after thiamine (Koike 2003 Ann Neurol)",
         "regeneration capacity after supplementation"),
        ("b1_repletion_days", 3.0, "days", "assumption: thiamine stores (small, t½ ~2 weeks) refill within days of supplementation",
         "time constant of repletion after the first supplement"),
    ),
    _deficiency("b1"),
)

ALCOHOL = Cause(
    "alcohol", "Alcohol-related neuropathy",
    "dose-dependent toxic (and nutritional) axonal neuropathy; partial recovery with abstinence",
    params(
        "causes.alcohol",
        ("alc_threshold_drinks", 2.0, "drinks/day",
         "assumption: neuropathy is rare below ~2 standard drinks/day and rises with lifetime dose (Mellion 2011 Muscle Nerve; Koike 2003)",
         "daily intake below which alcohol does not injure nerves"),
        ("alc_k_injury", 6.5e-6, "1/h per drink/day",
         "assumption: 10 drinks/day at severity 1 settles near damage 0.4 within a few years (Mellion 2011: neuropathy in ~46 % of chronic heavy drinkers)",
         "injury rate per daily drink above the threshold"),
        ("alc_regen_loss", 0.25, "1/(drink/day)", "assumption: continued drinking and malnutrition impair axonal repair",
         "relative loss of regeneration per daily drink above the threshold"),
        ("alc_regen_abstinent", 0.5, "fraction",
         "assumption: recovery with abstinence is slow and often partial (Hillbom 1984 Acta Neurol Scand)",
         "regeneration capacity without drinking"),
        ("alc_infl", 0.02, "1/(drink/day)", "assumption: low-grade inflammation of heavy drinking (Crews 2015 Alcohol Res)",
         "inflammatory drive per daily drink above the threshold"),
    ),
    _alcohol,
)

TOXIN = Cause(
    "toxin", "Toxins and neurotoxic medications (isoniazid, metronidazole, heavy metals)",
    "exposure-dependent axonal injury; recovery after the end of exposure",
    params(
        "causes.toxin",
        ("tox_k_injury", 3.8e-4, "1/h",
         "assumption: severity 1 (high dose) damages ~40 % of fibres over 8 weeks of exposure",
         "injury rate during exposure at severity 1 and potency 1"),
        ("tox_potency_isoniazid", 1.0, "relative",
         "assumption: reference agent; dose-related pyridoxine-antagonist neuropathy (Snider 1980 Tubercle)",
         "relative potency of isoniazid (without pyridoxine)"),
        ("tox_potency_metronidazole", 0.6, "relative",
         "assumption: neuropathy mostly after cumulative doses > 42 g or > 4 weeks (Goolsby 2018 Int J Antimicrob Agents)",
         "relative potency of metronidazole"),
        ("tox_potency_heavy_metal", 1.5, "relative", "assumption: arsenic/thallium/lead give severe axonal neuropathy (Staff 2017 Handb Clin Neurol)",
         "relative potency of heavy metals"),
        ("tox_potency_other", 1.0, "relative", "assumption: unspecified neurotoxin as potent as the reference agent",
         "relative potency of other neurotoxins"),
        ("tox_regen", 0.8, "fraction", "assumption: drug-induced neuropathy usually improves after withdrawal of the drug",
         "regeneration capacity after exposure (drugs)"),
        ("tox_regen_metal", 0.3, "fraction", "assumption: heavy metals persist in tissue; recovery slow and incomplete",
         "regeneration capacity after exposure (heavy metals)"),
        ("tox_regen_block", 2.0, "dimensionless", "assumption: ongoing exposure blocks two thirds of repair, capacity 1/(1 + b)",
         "share of regeneration blocked during exposure"),
    ),
    _toxin,
)
