"""The HPA axis: CRH → ACTH → cortisol with glucocorticoid-receptor feedback.

Equations and the 20 kinetic parameters are those of Sriram, Rodriguez-Fernandez
& Doyle 2012 (PLoS Comput Biol 8:e1002379), healthy ("normal") set, time in
hours (targets/hpa_sriram2012.csv). That model is a self-sustained oscillator
with a ~24 h period; here a weak 24 h drive on CRH secretion entrains it to the
clock so that cortisol peaks after waking and is lowest around midnight
(Walker 2010). Perceived stress raises CRH drive (acute response); a slow
adaptation state, driven by chronic stress load, blunts adrenal output and
glucocorticoid-receptor sensitivity, giving the flatter, lower profile seen in
chronic pain (Generaal 2014) and the low-cortisol state after sustained stress
(Gupta 2007; Fries 2005 Psychoneuroendocrinology).
"""

from __future__ import annotations

import math

from ._declare import Ctx, Range, Subsystem, around, fold, outputs, params, states

NAME = "hpa"
_SRIRAM = "Sriram et al. 2012 PLoS Comput Biol 8:e1002379, normal set (targets/hpa_sriram2012.csv)"
_CONC = "Sriram 2012 concentration unit"
_RATE = f"{_CONC}/h"
_SRIRAM_RANGE = fold(1.25, "assumption: Sriram 2012 fit the same value to their normal, depressed and PTSD groups "
                           "(only k_stress and ki differ, targets/hpa_sriram2012.csv), so no spread is published; "
                           "±25 % (wider independent changes remove the GR feedback and cortisol runs away)")

STATES = states(
    NAME,
    ("crh", _CONC, 1.33332, "corticotropin-releasing hormone (hypothalamus)"),
    ("acth", _CONC, 0.98185, "adrenocorticotropic hormone (pituitary)"),
    ("cortisol", "µg/dL", 1.87096, "plasma cortisol (Sriram 2012 scale, fitted to serum cortisol in µg/dL)"),
    ("gr", _CONC, 2.10981, "glucocorticoid receptor (activated) in the feedback pathway"),
    ("hpa_adapt", "fraction", 0.0, "slow adaptation of the axis to chronic stress (adrenal/GR hyporesponsiveness)"),
)

PARAMS = params(
    NAME,
    ("k_stress", 10.10, _RATE, _SRIRAM, "stress input gain on CRH secretion",
     Range(8.0, 18.0, "Sriram 2012: 10.1 normal, 13.7 depressed, 17.5 PTSD set (targets/hpa_sriram2012.csv); "
                      "assumption: extended by ~20 % below the normal set")),
    ("ki", 1.51, _CONC, _SRIRAM, "GR-mediated inhibition constant",
     Range(1.1, 1.7, "Sriram 2012: 1.51 normal, 1.60 depressed, 1.17 PTSD set (targets/hpa_sriram2012.csv); "
                     "assumption: extended by ~6 % either side")),
    ("VS3", 3.25, _RATE, _SRIRAM, "maximal CRH degradation rate", _SRIRAM_RANGE),
    ("Km1", 1.74, _CONC, _SRIRAM, "Michaelis constant of CRH degradation", _SRIRAM_RANGE),
    ("KP2", 8.30, "1/h", _SRIRAM, "ACTH production per CRH", _SRIRAM_RANGE),
    ("VS4", 0.907, _RATE, _SRIRAM, "maximal ACTH degradation rate", _SRIRAM_RANGE),
    ("Km2", 0.112, _CONC, _SRIRAM, "Michaelis constant of ACTH degradation", _SRIRAM_RANGE),
    ("KP3", 0.945, "µg/dL/h per concentration unit", _SRIRAM, "cortisol production per ACTH", _SRIRAM_RANGE),
    ("VS5", 0.00535, "µg/dL/h", _SRIRAM, "maximal cortisol degradation rate", _SRIRAM_RANGE),
    ("Km3", 0.0768, "µg/dL", _SRIRAM, "Michaelis constant of cortisol degradation", _SRIRAM_RANGE),
    ("Kd1", 0.00379, "1/h", _SRIRAM, "first-order CRH loss", _SRIRAM_RANGE),
    ("Kd2", 0.00916, "1/h", _SRIRAM, "first-order ACTH loss", _SRIRAM_RANGE),
    ("Kd3", 0.356, "1/h", _SRIRAM, "first-order cortisol loss", _SRIRAM_RANGE),
    ("n1", 5.43, "dimensionless", _SRIRAM, "Hill coefficient of GR auto-upregulation", _SRIRAM_RANGE),
    ("n2", 5.10, "dimensionless", _SRIRAM, "Hill coefficient of GR inhibition", _SRIRAM_RANGE),
    ("Kb", 0.0202, "1/h per µg/dL", _SRIRAM, "cortisol-driven GR activation", _SRIRAM_RANGE),
    ("Gtot", 3.28, _CONC, _SRIRAM, "total glucocorticoid receptor", _SRIRAM_RANGE),
    ("VS2", 0.0509, _RATE, _SRIRAM, "maximal GR auto-upregulation", _SRIRAM_RANGE),
    ("K1", 0.645, _CONC, _SRIRAM, "half-saturation of GR auto-upregulation", _SRIRAM_RANGE),
    ("Kd5", 0.0854, "1/h", _SRIRAM, "first-order GR loss", _SRIRAM_RANGE),
    ("hpa_circ_amp", 0.15, "dimensionless",
     "assumption: a weak (15 %) SCN drive on CRH secretion is enough to entrain the ~24.1 h Sriram oscillator to 24 h",
     "relative amplitude of the 24 h drive on CRH secretion"),
    ("hpa_circ_peak", 0.0, "h (clock time)",
     "assumption: chosen so that cortisol peaks 1-3 h after a 07:00 wake and bottoms out near midnight (Walker 2010; targets/rhythms_and_couplings.csv)",
     "clock time of maximal CRH drive",
     around(3.0, "assumption: a chronotype shifts the cortisol rhythm by up to ~3 h (morning vs evening types)")),
    ("g_acute_stress", 0.6, "dimensionless",
     "assumption: a perceived-stress level of 1 raises CRH drive by 60 %, within the range of the Sriram depressed/PTSD k_stress (13.7, 17.5 vs 10.1)",
     "acute stress gain on CRH secretion"),
    ("tau_hpa_adapt", 28 * 24.0, "h",
     "assumption: hypocortisolism develops over weeks to months of sustained stress (Fries 2005; Miller 2007 Psychol Bull)",
     "time constant of HPA adaptation"),
    ("k_hpa_adapt", 0.5, "dimensionless",
     "assumption: chronic stress load at which adaptation is half-maximal",
     "half-saturation load of HPA adaptation"),
    ("b_adrenal", 1.0, "dimensionless",
     "assumption: full adaptation halves adrenal output per ACTH, output ∝ 1/(1 + b·adaptation) (Fries 2005 hypocortisolism; flatter profile Generaal 2014)",
     "adrenal hyporesponsiveness at full adaptation"),
    ("gr_resist", 1.5, "dimensionless",
     "assumption: glucocorticoid resistance of immune cells under chronic stress removes most (60 %) of cortisol's anti-inflammatory action at full adaptation, sensitivity 1/(1 + r·adaptation) (Cohen 2012 PNAS)",
     "loss of GR sensitivity at full adaptation"),
)

OUTPUTS = outputs(NAME, ("gr_sensitivity", "fraction", "tissue glucocorticoid sensitivity, 1 = healthy"))


def algebraic(c: Ctx) -> dict:
    """Tissue glucocorticoid sensitivity (fraction, 1 healthy); its loss is a stress→pain route (inflammation)."""
    resistance = c.p["loop_stress_to_pain"] * c.p["gr_resist"] * c.s["hpa_adapt"]
    return {"gr_sensitivity": 1.0 / (1.0 + resistance)}


def rates(c: Ctx) -> dict:
    """Sriram 2012 right-hand side with circadian entrainment, acute stress and adaptation (per hour)."""
    xp, s, p = c.xp, c.s, c.p
    clock = 1.0 + p["hpa_circ_amp"] * xp.cos(2.0 * math.pi * (c.t - p["hpa_circ_peak"]) / 24.0)
    drive = p["k_stress"] * clock * (1.0 + p["g_acute_stress"] * s["perceived_stress"])
    crh, acth, cortisol, gr = c.pos(s["crh"]), c.pos(s["acth"]), c.pos(s["cortisol"]), c.pos(s["gr"])
    ki_n = p["ki"] ** p["n2"]
    inhibition = ki_n / (ki_n + gr ** p["n2"])
    gr_n = gr ** p["n1"]
    adrenal = p["KP3"] / (1.0 + p["b_adrenal"] * s["hpa_adapt"])
    return {
        "crh": drive * inhibition - p["VS3"] * crh / (p["Km1"] + crh) - p["Kd1"] * s["crh"],
        "acth": p["KP2"] * crh * inhibition - p["VS4"] * acth / (p["Km2"] + acth) - p["Kd2"] * s["acth"],
        "cortisol": adrenal * acth - p["VS5"] * cortisol / (p["Km3"] + cortisol) - p["Kd3"] * s["cortisol"],
        "gr": p["Kb"] * cortisol * (p["Gtot"] - s["gr"]) + p["VS2"] * gr_n / (p["K1"] ** p["n1"] + gr_n)
        - p["Kd5"] * s["gr"],
        "hpa_adapt": (c.sat(s["stress_load"], p["k_hpa_adapt"]) - s["hpa_adapt"]) / p["tau_hpa_adapt"],
    }


SUBSYSTEM = Subsystem(NAME, "HPA axis (stress hormones)", STATES, PARAMS, rates, algebraic, OUTPUTS)
