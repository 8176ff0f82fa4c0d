"""Behaviour and body: muscle tension, activity, fitness, strength, gait and falls.

Pain and stress raise muscle tension within a day (a musculoskeletal pain
component, see ``perception``, never neuropathic firing); pain, low mood and fatigue make people avoid activity
(fear-avoidance), and fitness follows activity over weeks (deconditioning),
which in turn adds musculoskeletal pain and fatigue. Muscle strength follows
activity and training (exercise, physical therapy) over weeks and is eroded by
disuse and by motor-fibre loss; weakness, lost sensation and pain alter gait
and posture, and the strain of an altered gait adds to the musculoskeletal pain
component (never to the neuropathic readouts). Weakness, gait strain,
orthostatic intolerance and dizziness raise the risk of falls.
"""

from __future__ import annotations

from ._declare import Ctx, Range, Subsystem, fold, outputs, params, states

_AGS = ("AGS/BGS/AAOS 2001 J Am Geriatr Soc 49:664 (guideline for the prevention of falls, mean relative risk "
        "or odds ratio of the risk factor in prospective studies): {}")
_RR = fold(1.5, "assumption: relative risks of falls vary between cohorts by tens of percent (AGS/BGS/AAOS 2001 "
                "ranges), 1.5-fold either side")

NAME = "behaviour"

STATES = states(
    NAME,
    ("muscle_tension", "score 0-1", 0.0, "muscle tension above relaxed level"),
    ("activity", "relative", 1.0, "daily physical activity relative to the person's healthy habit"),
    ("fitness", "relative", 1.0, "physical conditioning relative to healthy habit"),
    ("strength", "relative", 1.0, "muscle strength relative to healthy habit"),
    ("gait_strain", "score 0-1", 0.0, "strain of an altered gait and posture (0 normal gait)"),
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
    ("motor_share", 0.6, "dimensionless",
     "assumption: motor fibres are involved late, in severe (large-fibre) neuropathy (Dyck 1993 Neurology staging)",
     "strength lost per unit squared damage (denervation)"),
    ("tau_strength", 42 * 24.0, "h",
     "assumption: strength follows training and disuse over weeks (resistance-training gains over 8-12 weeks, Liu & "
     "Latham 2009 Cochrane; detraining over ~4-8 weeks, Mujika & Padilla 2000 Sports Med)", "time constant of strength"),
    ("k_disuse", 0.4, "dimensionless",
     "assumption: habitual activity 30 % below the person's habit costs ~10 % of strength (disuse atrophy)",
     "relative strength loss per unit lost activity"),
    ("tau_gait", 14 * 24.0, "h", "assumption: gait and posture adapt to weakness, numbness and pain over weeks",
     "time constant of gait strain"),
    ("g_gait_weakness", 0.5, "per score/10",
     "assumption: weakness of ankle and foot muscles alters gait (Mueller 1994 Phys Ther: slower, shorter steps in "
     "diabetic neuropathy)", "gait strain per unit weakness"),
    ("g_gait_sensory", 0.3, "per score/10",
     "assumption: lost foot sensation and proprioception widen and slow gait (Mueller 1994 Phys Ther; Richardson "
     "1992 J Am Geriatr Soc)", "gait strain per unit numbness"),
    ("g_gait_pain", 0.2, "per NRS/10", "assumption: painful feet give an antalgic, guarded gait",
     "gait strain per unit sustained pain"),
    ("g_gait_msk", 0.002, "dimensionless",
     "assumption: an altered gait strains back, hips and knees; a small fraction of g_msk_pain, chosen small so that the "
     "calibrated trial and prevalence figures hold", "musculoskeletal input per unit gait strain"),
    ("fall_risk_base", 0.2, "fraction",
     "assumption: about one in five adults around 60 falls in a year (Tinetti 1988 N Engl J Med: ~30 % from 75)",
     "probability of at least one fall in a year without the model's risk factors",
     Range(0.1, 0.4, "assumption: yearly falls from about 10 % in middle age to 30-40 % above 75 (Tinetti 1988 N Engl "
                     "J Med; Rubenstein 2006 Age Ageing)")),
    ("rr_fall_weakness", 4.4, "relative", _AGS.format("muscle weakness 4.4"),
     "relative fall hazard at full weakness (10)", _RR),
    ("rr_fall_gait", 2.9, "relative", _AGS.format("gait deficit 2.9"), "relative fall hazard at full gait strain", _RR),
    ("rr_fall_orthostatic", 1.5, "relative",
     "assumption: orthostatic hypotension raises the risk of falls about 1.5-fold (listed as a risk factor by "
     "AGS/BGS/AAOS 2001)", "relative fall hazard at full orthostatic intolerance",
     Range(1.0, 2.25, "assumption: from no effect to 1.5-fold the nominal relative risk")),
    ("rr_fall_dizziness", 1.7, "relative",
     "Leipzig 1999 J Am Geriatr Soc 47:30: psychotropic drugs OR 1.73 for falls (applied to drug dizziness)",
     "relative fall hazard at full dizziness", _RR),
)

OUTPUTS = outputs(
    NAME,
    ("weakness", "score 0-10", "motor weakness: strength lost below the healthy habit"),
    ("falls_risk", "fraction", "probability of at least one fall within a year at the current risk factors"),
)


def algebraic(c: Ctx) -> dict:
    """Weakness (0-10) from strength and the yearly falls risk (0-1) from weakness, gait strain, orthostatic
    intolerance and dizziness (risk factors multiply the hazard: 1 - (1 - base)^RR).

    Runs after ``autonomic`` and ``treatments`` and before ``perception`` (function reads the weakness).
    """
    xp, s, p, a = c.xp, c.s, c.p, c.a
    weakness = 10.0 * xp.minimum(c.pos(1.0 - s["strength"]), 1.0)
    hazard_ratio = (p["rr_fall_weakness"] ** (weakness / 10.0) * p["rr_fall_gait"] ** s["gait_strain"]
                    * p["rr_fall_orthostatic"] ** a["orthostatic_intolerance"] * p["rr_fall_dizziness"] ** a["dizziness"])
    return {"weakness": weakness, "falls_risk": 1.0 - (1.0 - p["fall_risk_base"]) ** hazard_ratio}


def rates(c: Ctx) -> dict:
    """d/dt of tension, activity, fitness, strength and gait strain (per hour)."""
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
        "strength": (_strength_target(c) - s["strength"]) / p["tau_strength"],
        "gait_strain": (_gait_target(c) - s["gait_strain"]) / p["tau_gait"],
    }


def _strength_target(c: Ctx):
    """Strength (relative) the muscles tend to: denervation × training / disuse."""
    s, p = c.s, c.p
    innervated = 1.0 - c.xp.minimum(p["motor_share"] * s["damage"] ** 2, 1.0)
    return innervated * (1.0 + c.a["tx_strength"]) / (1.0 + p["k_disuse"] * c.pos(1.0 - s["activity"]))


def _gait_target(c: Ctx):
    """Gait strain (0-1) from weakness, numbness (both 0-10) and sustained pain (NRS); 1 at most."""
    s, p, a = c.s, c.p, c.a
    return c.xp.minimum(p["g_gait_weakness"] * a["weakness"] / 10.0 + p["g_gait_sensory"] * a["numbness"] / 10.0
                        + p["g_gait_pain"] * s["pain_avg"] / 10.0, 1.0)


SUBSYSTEM = Subsystem(NAME, "Behaviour (tension, activity, fitness, strength, gait, falls)", STATES, PARAMS, rates,
                      algebraic, OUTPUTS)
