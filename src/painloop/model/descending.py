"""Descending modulation: serotonergic and noradrenergic inhibition from the brainstem.

Both pathways weaken under chronic stress and depression (Bannister & Dickenson
2017 Curr Opin Support Palliat Care); SNRIs and TCAs strengthen them. The
inhibition reaching the dorsal horn is their mean, 1 in health.
"""

from __future__ import annotations

from ._declare import Ctx, Subsystem, outputs, params, states

NAME = "descending"

STATES = states(
    NAME,
    ("serotonin", "relative", 1.0, "descending serotonergic (5-HT) inhibitory tone, 1 = healthy"),
    ("noradrenaline", "relative", 1.0, "descending noradrenergic (NA) inhibitory tone, 1 = healthy"),
)

PARAMS = params(
    NAME,
    ("tau_descending", 5 * 24.0, "h",
     "assumption: monoaminergic tone adapts over days (receptor regulation; SNRI analgesia onset ~1 week, Goldstein 2005 Pain)",
     "time constant of descending tone"),
    ("w_desc_stress", 0.25, "dimensionless",
     "assumption: chronic stress reduces descending inhibition (Imbe 2006 Front Biosci; CPM impaired under stress)",
     "loss of descending tone per unit chronic stress load"),
    ("w_desc_depression", 0.35, "dimensionless",
     "assumption: depression lowers 5-HT/NA tone (Bair 2003 Arch Intern Med review)",
     "loss of descending tone per unit depression"),
    ("w_desc_na", 1.2, "dimensionless",
     "assumption: the noradrenergic pathway is slightly more stress-sensitive than the serotonergic one (Pertovaara 2006)",
     "relative stress sensitivity of noradrenaline vs serotonin"),
)

OUTPUTS = outputs(NAME, ("descending_inhibition", "relative", "mean 5-HT/NA inhibitory tone at the dorsal horn, 1 = healthy"))


def algebraic(c: Ctx) -> dict:
    """Descending inhibition reaching the dorsal horn (relative, 1 healthy)."""
    return {"descending_inhibition": 0.5 * (c.s["serotonin"] + c.s["noradrenaline"])}


def rates(c: Ctx) -> dict:
    """d(serotonin)/dt and d(noradrenaline)/dt (per hour)."""
    s, p = c.s, c.p
    stress = p["loop_stress_to_pain"] * p["w_desc_stress"] * s["stress_load"]
    mood = p["loop_mood_to_pain"] * p["w_desc_depression"] * s["depression"]
    target_5ht = (1.0 + c.a["tx_serotonin"]) / (1.0 + stress + mood)
    target_na = (1.0 + c.a["tx_noradrenaline"]) / (1.0 + p["w_desc_na"] * stress + mood)
    return {
        "serotonin": (target_5ht - s["serotonin"]) / p["tau_descending"],
        "noradrenaline": (target_na - s["noradrenaline"]) / p["tau_descending"],
    }


SUBSYSTEM = Subsystem(NAME, "Descending modulation (5-HT/NA)", STATES, PARAMS, rates, algebraic, OUTPUTS)
