"""Peripheral nerve: fibre damage, regeneration and ectopic (spontaneous) activity.

The cause of the scenario drives damage through the inputs ``injury_rate``
(1/h) and ``regen_capacity`` (0–1); regeneration is slow (months), as axons
regrow at about 1 mm/day. Damaged-but-surviving fibres fire ectopically; the
firing is enhanced by local inflammation and by mechanical irritation from
muscle tension (the pain → tension → compression loop).
"""

from __future__ import annotations

from ._declare import Ctx, Subsystem, params, states

NAME = "periphery"

STATES = states(
    NAME,
    ("damage", "fraction", 0.0, "fraction of peripheral nerve fibres damaged (0 healthy, 1 all)"),
    ("ectopic", "dimensionless", 0.0, "ectopic (spontaneous) firing of damaged afferents (1 ≈ a severe, inflamed lesion)"),
)

PARAMS = params(
    NAME,
    ("k_regen", 1.0 / (180 * 24), "1/h",
     "Sunderland 1990 / Gordon 2016 J Physiol: axon regrowth ~1 mm/day, distal targets reinnervated over ~6 months",
     "rate at which damaged fibres regenerate when the cause allows it"),
    ("tau_ectopic", 12.0, "h",
     "assumption: ectopic discharge follows sodium-channel accumulation at the lesion over hours (Devor 2009 Exp Brain Res)",
     "time constant of ectopic activity"),
    ("g_ectopic", 0.8, "dimensionless",
     "assumption: calibrated so that established painful diabetic neuropathy (damage ≈ 0.35) rates NRS ≈ 5-6, as at baseline in the trials of targets/trials_neuropathic.csv",
     "ectopic activity per unit damage"),
    ("frac_degenerated", 0.7, "dimensionless",
     "assumption: at severe damage a growing share of fibres degenerates fully and falls silent (Wallerian degeneration); firing fibres ∝ damage/(1 + f·damage)",
     "share of damaged fibres that are silent, per unit damage"),
    ("g_ectopic_infl", 1.0, "dimensionless",
     "assumption: cytokines (TNF-alpha) roughly double ectopic discharge at peak inflammation (Sorkin 1997 Neuroscience)",
     "inflammation enhancement of ectopic firing"),
    ("g_ectopic_tension", 0.15, "dimensionless",
     "assumption: muscle tension irritates entrapped nerves; small relative to lesion-driven firing",
     "ectopic activity from muscle tension (mechanical irritation)"),
)


def rates(c: Ctx) -> dict:
    """d(damage)/dt and d(ectopic)/dt (per hour)."""
    s, p, u = c.s, c.p, c.u
    surviving_damaged = s["damage"] / (1.0 + p["frac_degenerated"] * s["damage"])
    target = (c.a["tx_ectopic_factor"] * p["g_ectopic"] * surviving_damaged * (1.0 + p["g_ectopic_infl"] * s["infl_peripheral"])
              + p["loop_tension"] * p["g_ectopic_tension"] * s["muscle_tension"])
    return {
        "damage": u["injury_rate"] * (1.0 - s["damage"])
        - p["k_regen"] * u["regen_capacity"] * s["damage"],
        "ectopic": (target - s["ectopic"]) / p["tau_ectopic"],
    }


SUBSYSTEM = Subsystem(NAME, "Peripheral nerve", STATES, PARAMS, rates)
