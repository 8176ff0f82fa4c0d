"""Peripheral nerve: fibre damage, regeneration and ectopic (spontaneous) activity.

The cause of the scenario drives damage through the inputs ``injury_rate``
(1/h) and ``regen_capacity`` (0–1); regeneration is slow (months), as axons
regrow at about 1 mm/day, and more slowly when sleep is short (repair is a sleep-dependent process).
Inflammatory swelling of the tissue around the nerve (``swelling``, in ``inflammation``) adds a small
compression injury to a nerve that is already injured (an injured nerve is more vulnerable to pressure), so
without a lesion swelling injures nothing. Damaged-but-surviving fibres fire ectopically; the
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
    ("k_regen_sleep", 0.3, "fraction",
     "assumption: regeneration relies on sleep-dependent repair (growth-hormone release in slow-wave sleep, "
     "Van Cauter & Plat 1996 J Pediatr; sleep deprivation slows wound healing in rats, Gumustekin 2004 Int J "
     "Dermatol); a full sleep deficit slows regrowth by 30 %; chosen small so that the calibrated "
     "natural-history figures hold",
     "relative slowing of regeneration per unit sleep deficit"),
    ("k_swelling_injury", 1e-5, "1/h",
     "assumption: oedema in a tight compartment raises endoneurial pressure and injures fibres (Rempel 1999 J Bone "
     "Joint Surg Am: pressure thresholds of nerve injury), an already injured nerve more readily (double crush, "
     "Upton & McComas 1973 Lancet); at swelling 1 and full damage 1/30 of a severe compression's injury rate "
     "(cmp_k_injury); chosen small so that the calibrated natural-history and trial figures hold",
     "compression injury rate per unit inflammatory swelling and unit existing damage"),
)


def regeneration_factor(c: Ctx):
    """Share (0-1) of the cause-allowed regeneration rate that sleep permits: 1 - k·sleep deficit."""
    return 1.0 - c.p["loop_sleep_to_repair"] * c.p["k_regen_sleep"] * c.a["sleep_deficit"]


def rates(c: Ctx) -> dict:
    """d(damage)/dt and d(ectopic)/dt (per hour)."""
    s, p, u = c.s, c.p, c.u
    compression = p["loop_swelling_to_compression"] * p["k_swelling_injury"] * s["swelling"] * s["damage"]
    surviving_damaged = s["damage"] / (1.0 + p["frac_degenerated"] * s["damage"])
    target = (c.a["tx_ectopic_factor"] * u["provocation"] * p["g_ectopic"] * surviving_damaged
              * (1.0 + p["g_ectopic_infl"] * s["infl_peripheral"]))
    return {
        "damage": (u["injury_rate"] + compression) * (1.0 - s["damage"])
        - p["k_regen"] * u["regen_capacity"] * regeneration_factor(c) * s["damage"],
        "ectopic": (target - s["ectopic"]) / p["tau_ectopic"],
    }


SUBSYSTEM = Subsystem(NAME, "Peripheral nerve", STATES, PARAMS, rates)
