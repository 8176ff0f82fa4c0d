"""Peripheral nerve: fibre damage, regeneration and ectopic (spontaneous) activity.

The cause of the scenario drives damage through the inputs ``injury_rate``
(1/h) and ``regen_capacity`` (0–1); regeneration is slow (months), as axons
regrow at about 1 mm/day. Damaged-but-surviving fibres fire ectopically; the
firing is enhanced by local inflammation and varies with the day's activity
(``provocation``). Without damage there is no ectopic firing: muscle tension
acts through a separate, musculoskeletal pain component (``perception``),
never through the neuropathic one (Treede 2008 Neurology: neuropathic pain
requires a lesion of the somatosensory system).
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
    ("g_ectopic", 0.35, "dimensionless",
     "assumption: typical ectopic activity per unit damage; chosen by hand with k_nrs (calibration target dpn_painful_prevalence, Abbott 2011)",
     "typical ectopic activity per unit damage (between-person spread: painloop.population RANDOM_EFFECTS)"),
    ("frac_degenerated", 0.7, "dimensionless",
     "assumption: at severe damage a growing share of fibres degenerates fully and falls silent (Wallerian degeneration); firing fibres ∝ damage/(1 + f·damage)",
     "share of damaged fibres that are silent, per unit damage"),
    ("g_ectopic_infl", 1.0, "dimensionless",
     "assumption: cytokines (TNF-alpha) roughly double ectopic discharge at peak inflammation (Sorkin 1997 Neuroscience)",
     "inflammation enhancement of ectopic firing"),
)


def rates(c: Ctx) -> dict:
    """d(damage)/dt and d(ectopic)/dt (per hour)."""
    s, p, u = c.s, c.p, c.u
    surviving_damaged = s["damage"] / (1.0 + p["frac_degenerated"] * s["damage"])
    target = (c.a["tx_ectopic_factor"] * u["provocation"] * p["g_ectopic"] * surviving_damaged
              * (1.0 + p["g_ectopic_infl"] * s["infl_peripheral"]))
    return {
        "damage": u["injury_rate"] * (1.0 - s["damage"])
        - p["k_regen"] * u["regen_capacity"] * s["damage"],
        "ectopic": (target - s["ectopic"]) / p["tau_ectopic"],
    }


SUBSYSTEM = Subsystem(NAME, "Peripheral nerve", STATES, PARAMS, rates)
