"""Perception: from nociceptive input to the pain a person rates, and the symptom profile.

Pain is nociceptive input (ectopic firing amplified by peripheral
sensitization, plus a musculoskeletal component from tension and
deconditioning) multiplied by the gain of the dorsal horn (central
sensitization, excitatory/inhibitory balance, descending inhibition), by
sleep-dependent sensitivity (pain homeostat and sleep debt) and by
catastrophizing (anxiety), and mapped onto the 0-10 NRS by a saturating
function. Neuropathic pain follows a daily rhythm rising towards the evening
(Odrcich 2006 Pain; Gilron 2013 Nat Rev Neurol).
"""

from __future__ import annotations

import math

from ._declare import Ctx, Subsystem, outputs, params, states
from .sleep import sleep_deficit

NAME = "perception"

STATES = states(NAME, ("pain_avg", "NRS 0-10", 0.0, "sustained pain: NRS averaged over about a day"))

PARAMS = params(
    NAME,
    ("tau_pain_avg", 24.0, "h", "assumption: a day's averaging, as in daily-diary average pain (IMMPACT, Dworkin 2005 Pain)",
     "time constant of sustained pain"),
    ("g_psens_gain", 1.0, "dimensionless",
     "assumption: fully sensitized nociceptors fire about twice as much per stimulus (Hucho & Levine 2007 Neuron)",
     "amplification of afferent input by peripheral sensitization"),
    ("g_csens_gain", 1.5, "dimensionless",
     "assumption: full central sensitization triples dorsal-horn output (wind-up/LTP magnitudes, Sandkühler 2009 Physiol Rev)",
     "amplification of dorsal-horn output by central sensitization"),
    ("g_anx_pain", 0.5, "dimensionless",
     "assumption: severe anxiety/catastrophizing amplifies rated pain by ~50 % (Sullivan 2001 Clin J Pain)",
     "catastrophizing amplification per unit anxiety"),
    ("k_nrs", 2.0, "dimensionless",
     "assumption: pain drive giving NRS 5; calibrated with g_ectopic so that established painful diabetic neuropathy rates NRS ≈ 5-6",
     "half-saturation of the NRS mapping"),
    ("pain_circ_amp", 0.15, "dimensionless",
     "Odrcich 2006 Pain 120:207: diabetic/PHN pain rises ~1-1.5 NRS points from morning to evening (assumed ±15 % drive)",
     "relative amplitude of the daily rhythm of pain"),
    ("pain_circ_peak", 20.0, "h (clock time)", "Odrcich 2006 Pain; Gilron 2013 Nat Rev Neurol: neuropathic pain peaks in the evening",
     "clock time of maximal pain"),
    ("k_parox", 1.0, "dimensionless", "assumption: attacks need strong ectopic bursting; half-maximal at pain drive 1",
     "half-saturation of paroxysmal attacks"),
    ("k_allodynia", 0.3, "dimensionless", "assumption: allodynia becomes prominent at moderate central sensitization",
     "half-saturation of allodynia"),
    ("motor_share", 0.6, "dimensionless",
     "assumption: motor fibres are involved late, in severe (large-fibre) neuropathy (Dyck 1993 Neurology staging)",
     "weakness per unit squared damage"),
    ("w_func_pain", 0.5, "per NRS/10",
     "assumption: pain interference with function, NRS 5 costs ~20 % (Brief Pain Inventory, Cleeland 1994)",
     "loss of function per unit current pain"),
    ("w_func_weak", 0.4, "per score/10", "assumption: weakness limits function independently of pain",
     "loss of function per unit weakness"),
)

OUTPUTS = outputs(
    NAME,
    ("pain_drive", "dimensionless", "total pain drive before the NRS mapping"),
    ("central_gain", "relative", "dorsal-horn gain (1 healthy)"),
    ("nrs", "NRS 0-10", "current pain intensity on the 0-10 numeric rating scale"),
    ("burning", "score 0-10", "ongoing burning pain (ectopic, sensitized)"),
    ("paroxysmal", "score 0-10", "paroxysmal (shooting, electric) pain attacks"),
    ("allodynia", "score 0-10", "pain from light touch (central sensitization, disinhibition)"),
    ("numbness", "score 0-10", "loss of sensation from lost fibres"),
    ("weakness", "score 0-10", "motor weakness"),
    ("function", "score 0-100", "daily physical function (100 = healthy habit)"),
)


def _sleep_factor(c: Ctx):
    """Multiplicative pain sensitivity from the pain homeostat and sleep debt (1 at reference)."""
    p = c.p
    log_gain = (p["g_sleep_pain"] * (c.s["pain_homeostat"] - p["homeostat_ref"])
                + p["g_sleep_debt_pain"] * sleep_deficit(c))
    return c.xp.exp(p["loop_sleep_to_pain"] * log_gain)


def algebraic(c: Ctx) -> dict:
    """Pain drive, NRS and the symptom profile from the current states."""
    xp, s, p, a = c.xp, c.s, c.p, c.a
    afferent = c.pos(s["ectopic"]) * (1.0 + p["g_psens_gain"] * s["sens_peripheral"])
    msk = p["g_msk_pain"] * c.pos(s["muscle_tension"]) * (1.0 + c.pos(1.0 - s["fitness"]))
    gain = (a["tx_pain_gain"] * (1.0 + p["g_csens_gain"] * s["sens_central"]) * s["glutamate"]
            / (s["gaba"] * a["descending_inhibition"]))
    modulation = _sleep_factor(c) * (1.0 + p["loop_mood_to_pain"] * p["g_anx_pain"] * a["tx_catastrophizing"] * s["anxiety"])
    rhythm = 1.0 + p["pain_circ_amp"] * xp.cos(2.0 * math.pi * (c.t - p["pain_circ_peak"]) / 24.0)
    drive = (afferent + msk) * gain * modulation * rhythm
    ectopic_drive = afferent * gain * modulation * rhythm
    disinhibition = s["sens_central"] * s["glutamate"] / (s["gaba"] * a["descending_inhibition"])
    nrs = 10.0 * c.sat(drive, p["k_nrs"])
    weakness = 10.0 * xp.minimum(p["motor_share"] * s["damage"] ** 2, 1.0)
    function = (100.0 * xp.minimum(c.pos(s["activity"]), 1.0) / (1.0 + p["w_func_pain"] * nrs / 10.0)
                / (1.0 + p["w_func_weak"] * weakness / 10.0))
    return {
        "pain_drive": drive,
        "central_gain": gain,
        "nrs": nrs,
        "burning": 10.0 * c.sat(ectopic_drive, p["k_nrs"]),
        "paroxysmal": 10.0 * c.sat(ectopic_drive**2, p["k_parox"]),
        "allodynia": 10.0 * c.sat(disinhibition, p["k_allodynia"]),
        "numbness": 10.0 * s["damage"],
        "weakness": weakness,
        "function": function,
    }


def rates(c: Ctx) -> dict:
    """d(pain_avg)/dt (NRS per hour)."""
    return {"pain_avg": (c.a["nrs"] - c.s["pain_avg"]) / c.p["tau_pain_avg"]}


SUBSYSTEM = Subsystem(NAME, "Pain perception and symptoms", STATES, PARAMS, rates, algebraic, OUTPUTS)
