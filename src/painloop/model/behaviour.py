"""Behaviour and body: muscle tension, activity and physical fitness.

Pain and stress raise muscle tension within a day (a musculoskeletal pain
component, see ``perception``, never neuropathic firing); pain, low mood and fatigue make people avoid activity
(fear-avoidance), and fitness follows activity over weeks (deconditioning),
which in turn adds musculoskeletal pain and fatigue.
"""

from __future__ import annotations

from ._declare import Ctx, Subsystem, params, states

NAME = "behaviour"

STATES = states(
    NAME,
    ("muscle_tension", "score 0-1", 0.0, "muscle tension above relaxed level"),
    ("activity", "relative", 1.0, "daily physical activity relative to the person's healthy habit"),
    ("fitness", "relative", 1.0, "physical conditioning relative to healthy habit"),
)

PARAMS = params(
    NAME,
    ("tau_tension", 24.0, "h", "assumption: tension follows pain and stress within a day",
     "time constant of muscle tension"),
    ("k_tension_pain", 0.3, "per NRS/10",
     "assumption: pain-spasm-pain cycle (Travell & Simons; Roland 1986 Clin Biomech)",
     "muscle tension per unit pain"),
    ("k_tension_stress", 0.4, "dimensionless",
     "assumption: stress raises EMG tension (Lundberg 1994 Int J Behav Med)",
     "muscle tension per unit perceived stress"),
    ("tau_activity", 3 * 24.0, "h", "assumption: activity habits change over days",
     "time constant of activity"),
    ("k_avoid_pain", 0.5, "per NRS/10",
     "assumption: fear-avoidance, NRS 10 sustained nearly halves activity (Vlaeyen & Linton 2000 Pain)",
     "activity loss per unit sustained pain"),
    ("k_avoid_depression", 0.3, "dimensionless", "assumption: anhedonia reduces activity (Lewinsohn 1974)",
     "activity loss per unit depression"),
    ("k_avoid_fatigue", 0.3, "dimensionless", "assumption: fatigue reduces activity",
     "activity loss per unit fatigue"),
    ("tau_fitness", 42 * 24.0, "h",
     "Mujika & Padilla 2000 Sports Med: detraining losses over ~4-8 weeks (6-week constant chosen)",
     "time constant of fitness"),
    ("g_msk_pain", 0.15, "dimensionless",
     "assumption: tension and deconditioning add a musculoskeletal pain component smaller than the neuropathic one",
     "nociceptive input per unit tension at full deconditioning"),
)


def rates(c: Ctx) -> dict:
    """d/dt of tension, activity and fitness (per hour)."""
    s, p, a = c.s, c.p, c.a
    # a 0-1 score: the target is capped at 1 (maximal tension), reached only at couplings well above nominal
    tension_target = c.xp.minimum(a["tx_tension_factor"] * (p["loop_tension"] * p["k_tension_pain"] * a["nrs"] / 10.0
                                                            + p["k_tension_stress"] * s["perceived_stress"]), 1.0)
    activity_target = (1.0 + a["tx_activity"]) / (1.0 + p["k_avoid_pain"] * s["pain_avg"] / 10.0
                                                  + p["k_avoid_depression"] * s["depression"]
                                                  + p["k_avoid_fatigue"] * s["fatigue"] + a["tx_activity_loss"])
    return {
        "muscle_tension": (tension_target - s["muscle_tension"]) / p["tau_tension"],
        "activity": (activity_target - s["activity"]) / p["tau_activity"],
        "fitness": (s["activity"] - s["fitness"]) / p["tau_fitness"],
    }


SUBSYSTEM = Subsystem(NAME, "Behaviour (tension, activity, fitness)", STATES, PARAMS, rates)
