"""Peripheral and central (glial) inflammation.

Peripheral cytokines rise with nerve damage, with the cause's own inflammatory
drive (e.g. acute zoster, arthritis flares) and with chronic stress
(glucocorticoid-resistance: Cohen et al. 2012 PNAS); cortisol speeds their
clearance, less so when the HPA axis has adapted. Spinal glia (microglia,
astrocytes) are activated by afferent ectopic barrage and peripheral cytokines
over days to weeks. Peripheral mediators make the tissue around the nerve swell (oedema) within about a
day; swelling compresses the nerve (``periphery``).
"""

from __future__ import annotations

from ._declare import Ctx, Subsystem, fold, params, states

NAME = "inflammation"

STATES = states(
    NAME,
    ("infl_peripheral", "dimensionless", 0.0,
     "peripheral inflammatory mediators (TNF-alpha, IL-1b, IL-6) above healthy level, 1 = acute-injury level"),
    ("infl_glial", "dimensionless", 0.0,
     "spinal glial (microglia/astrocyte) activation above healthy level, 1 = post-injury peak"),
    ("swelling", "dimensionless", 0.0,
     "inflammatory swelling (oedema) of the tissue around the nerve, 1 = swelling at acute-injury inflammation"),
)

PARAMS = params(
    NAME,
    ("tau_infl_peripheral", 48.0, "h",
     "assumption: tissue cytokine levels after nerve injury resolve over ~2 days without ongoing drive (Sommer & Kress 2004 Neurosci Lett)",
     "clearance time constant of peripheral mediators"),
    ("k_infl_damage", 0.6, "dimensionless",
     "assumption: a 50 % lesion sustains peripheral mediators at ~0.3 of acute level (Shamash 2002 J Neurosci)",
     "peripheral inflammation sustained per unit damage"),
    ("k_infl_cause", 1.0, "dimensionless",
     "assumption: the cause's inflammatory drive (0–1) maps 1:1 onto mediator level",
     "gain of the cause's inflammatory drive"),
    ("k_infl_stress", 0.35, "dimensionless",
     "assumption: chronic stress raises IL-6/CRP by ~0.2-0.5 SD (Marsland 2017 Brain Behav Immun meta-analysis)",
     "peripheral inflammation per unit chronic stress load"),
    ("k_cortisol_clear", 0.5, "dimensionless",
     "assumption: glucocorticoids at mean daily level speed cytokine clearance by half (anti-inflammatory action)",
     "extra clearance per unit of cortisol relative to its healthy mean"),
    ("cortisol_ref", 8.0, "µg/dL",
     "computed: mean of the healthy Sriram 2012 cortisol cycle in this model (≈8)",
     "healthy mean cortisol used to normalise its effects",
     fold(1.5, "assumption: a reference computed from this model; the mean of the cortisol cycle moves with the "
               "Sriram parameters, 1.5-fold either side")),
    ("tau_glia", 7 * 24.0, "h",
     "Tsuda 2016 Glia / Coull 2005 Nature: microglial activation builds and resolves over ~1 week",
     "time constant of glial activation"),
    ("k_glia_ectopic", 0.5, "dimensionless",
     "assumption: afferent barrage is the main activator of dorsal-horn microglia after nerve injury (Tsuda 2016)",
     "glial activation per unit ectopic activity"),
    ("k_glia_infl", 0.4, "dimensionless",
     "assumption: circulating/peripheral cytokines activate spinal glia (Watkins & Maier 2003)",
     "glial activation per unit peripheral inflammation"),
    ("k_glia_stress", 0.15, "dimensionless",
     "assumption: chronic stress primes spinal microglia (Sawicki 2019 Neuropsychopharmacology, mouse)",
     "glial activation per unit chronic stress load"),
    ("tau_swelling", 24.0, "h",
     "assumption: inflammatory oedema builds and drains over about a day (plasma extravasation follows mediator "
     "release within hours; lymphatic drainage over a day)", "time constant of inflammatory swelling"),
    ("k_swelling_infl", 1.0, "dimensionless",
     "assumption: swelling is proportional to peripheral mediator level, 1 at the acute-injury level",
     "swelling per unit peripheral inflammation"),
)


def rates(c: Ctx) -> dict:
    """d/dt of peripheral mediators, glia and inflammatory swelling (per hour)."""
    s, p, u, a = c.s, c.p, c.u, c.a
    stress = p["loop_stress_to_pain"] * s["stress_load"]
    source = a["tx_inflammation_factor"] * (p["k_infl_damage"] * s["damage"] + p["k_infl_cause"] * u["infl_drive"]
                                            + p["k_infl_stress"] * stress)
    cortisol_action = p["k_cortisol_clear"] * (s["cortisol"] / p["cortisol_ref"]) * a["gr_sensitivity"]
    clearance = (1.0 + cortisol_action) / p["tau_infl_peripheral"]
    glia_target = (p["k_glia_ectopic"] * s["ectopic"] + p["k_glia_infl"] * s["infl_peripheral"]
                   + p["k_glia_stress"] * stress)
    return {
        "infl_peripheral": source / p["tau_infl_peripheral"] - clearance * s["infl_peripheral"],
        "infl_glial": (glia_target - s["infl_glial"]) / p["tau_glia"],
        "swelling": (p["k_swelling_infl"] * s["infl_peripheral"] - s["swelling"]) / p["tau_swelling"],
    }


SUBSYSTEM = Subsystem(NAME, "Peripheral and central inflammation", STATES, PARAMS, rates)
