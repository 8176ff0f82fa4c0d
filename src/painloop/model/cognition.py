"""Cognition and fatigue.

Fatigue accumulates with sleep loss, pain, depression and deconditioning over
days; cognitive performance falls with fatigue, pain (attentional capture;
Eccleston & Crombez 1999 Psychol Bull), sleep loss, drug side effects (cognitive fog) and opioid
withdrawal. Fatigue in turn feeds irritability and low mood (``mood``).
"""

from __future__ import annotations

from ._declare import Ctx, Subsystem, outputs, params, states

NAME = "cognition"

STATES = states(NAME, ("fatigue", "score 0-1", 0.0, "fatigue (0 none, 1 severe)"))

PARAMS = params(
    NAME,
    ("tau_fatigue", 3 * 24.0, "h", "assumption: fatigue follows sleep and pain over a few days",
     "time constant of fatigue"),
    ("w_fat_sleep", 1.2, "dimensionless", "assumption: sleep deficit is the main driver of fatigue (Van Dongen 2003 Sleep)",
     "fatigue drive per unit sleep deficit"),
    ("w_fat_pain", 0.5, "per NRS/10", "assumption: pain is fatiguing (Fishbain 2003 J Pain Symptom Manage)",
     "fatigue drive per unit sustained pain"),
    ("w_fat_depression", 0.5, "dimensionless", "assumption: fatigue is a core symptom of depression (DSM-5)",
     "fatigue drive per unit depression"),
    ("w_fat_decond", 0.5, "dimensionless", "assumption: deconditioning raises exertional fatigue",
     "fatigue drive per unit lost fitness"),
    ("w_cog_fatigue", 0.67, "dimensionless", "assumption: severe fatigue costs ~40 % of cognitive performance (Van Dongen 2003 Sleep)",
     "cognitive loss per unit fatigue, performance ∝ 1/(1 + w·fatigue)"),
    ("w_cog_pain", 0.25, "per NRS/10", "assumption: severe pain costs ~25 % of attentional capacity (Moriarty 2011 Prog Neurobiol)",
     "cognitive loss per unit current pain"),
    ("w_cog_withdrawal", 0.3, "dimensionless",
     "assumption: opioid withdrawal impairs attention and concentration (restlessness, poor concentration are "
     "withdrawal signs; Kosten 2003 Sci Pract Perspect); full withdrawal costs ~25 % of performance",
     "cognitive loss per unit opioid withdrawal, performance ∝ 1/(1 + w·withdrawal)"),
)

OUTPUTS = outputs(NAME, ("cognition", "score 0-100", "cognitive performance (100 = healthy rested)"))


def algebraic(c: Ctx) -> dict:
    """Cognitive performance (0-100) from fatigue, current pain, side-effect fog and opioid withdrawal."""
    return {"cognition": 100.0 / ((1.0 + c.p["w_cog_fatigue"] * c.s["fatigue"]) * (1.0 + c.p["w_cog_pain"] * c.a["nrs"] / 10.0)
                                  * (1.0 + c.a["cognitive_fog"])
                                  * (1.0 + c.p["w_cog_withdrawal"] * c.a["opioid_withdrawal"]))}


def rates(c: Ctx) -> dict:
    """d(fatigue)/dt (per hour)."""
    s, p, a = c.s, c.p, c.a
    drive = (p["w_fat_sleep"] * a["sleep_deficit"] + p["w_fat_pain"] * s["pain_avg"] / 10.0
             + p["w_fat_depression"] * s["depression"] + p["w_fat_decond"] * c.pos(1.0 - s["fitness"])
             + a["tx_fatigue_drive"])
    return {"fatigue": (c.sat(drive, 1.0) - s["fatigue"]) / p["tau_fatigue"]}


SUBSYSTEM = Subsystem(NAME, "Cognition and fatigue", STATES, PARAMS, rates, algebraic, OUTPUTS)
