"""Perceived stress and chronic stress load.

Perceived stress follows external life stress (a scenario input), pain
(chronic pain is itself a stressor), anxiety, sleep loss and autonomic symptoms within hours; the
chronic stress load integrates it over weeks and is what drives the slow
effects (inflammation, descending inhibition, HPA adaptation). Scale:
0 = everyday life, 1 = severe sustained stress.
"""

from __future__ import annotations

from ._declare import Ctx, Subsystem, params, states

NAME = "stress"

STATES = states(
    NAME,
    ("perceived_stress", "score 0-1+", 0.0, "perceived stress above everyday level (1 = severe)"),
    ("stress_load", "score 0-1+", 0.0, "chronic stress load: perceived stress integrated over weeks"),
)

PARAMS = params(
    NAME,
    ("tau_perceived_stress", 12.0, "h",
     "assumption: appraisal of stress follows events within about half a day",
     "time constant of perceived stress"),
    ("tau_stress_load", 14 * 24.0, "h",
     "assumption: allostatic load accumulates over weeks (McEwen 1998 N Engl J Med)",
     "time constant of chronic stress load"),
    ("k_stress_pain", 0.3, "per NRS/10",
     "assumption: sustained pain at NRS 10 adds a stress level of 0.5 (pain as stressor; Blackburn-Munro 2001 Rheumatology)",
     "perceived stress per unit of sustained pain (NRS/10)"),
    ("k_stress_anxiety", 0.3, "dimensionless",
     "assumption: anxiety raises appraisal of stress (Lazarus & Folkman 1984)",
     "perceived stress per unit anxiety"),
    ("k_stress_sleep", 0.3, "dimensionless",
     "assumption: sleep loss raises next-day stress reactivity (Minkel 2012 Emotion)",
     "perceived stress per unit sleep deficit"),
    ("k_stress_hpa", 0.01, "dimensionless",
     "assumption: a stress-adapted, flattened cortisol rhythm goes with lower stress resilience and higher "
     "perceived stress (Miller 2007 Psychol Bull: HPA dysregulation in chronic stress; Adam 2017 "
     "Psychoneuroendocrinology: flatter diurnal slopes with worse emotional health); chosen small so that the "
     "calibrated trial and natural-history figures hold",
     "perceived stress per unit HPA adaptation (hpa_adapt)"),
)


def rates(c: Ctx) -> dict:
    """d(perceived stress)/dt and d(stress load)/dt (per hour)."""
    s, p, u, a = c.s, c.p, c.u, c.a
    target = a["tx_appraisal"] * (u["life_stress"] + p["loop_pain_to_stress"] * p["k_stress_pain"] * s["pain_avg"] / 10.0
              + p["k_stress_anxiety"] * s["anxiety"] + p["k_stress_sleep"] * a["sleep_deficit"]
              + p["loop_autonomic_to_stress"] * p["k_stress_autonomic"] * a["autonomic_symptoms"]
              + p["loop_hpa_to_stress"] * p["k_stress_hpa"] * s["hpa_adapt"])
    return {
        "perceived_stress": (target - s["perceived_stress"]) / p["tau_perceived_stress"],
        "stress_load": (s["perceived_stress"] - s["stress_load"]) / p["tau_stress_load"],
    }


SUBSYSTEM = Subsystem(NAME, "Perceived stress", STATES, PARAMS, rates)
