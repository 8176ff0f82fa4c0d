"""Social participation and quality of life.

Sustained pain, low activity, depression and work or life stress make people
withdraw from social life and work over weeks (Breivik 2006 Eur J Pain: about
half of people with chronic pain less able to socialise, one in five lost their
job); the isolation that follows feeds depression and anxiety (``mood``).
Support groups and CBT (behavioural activation, graded activity) raise
participation again. Quality of life is an EQ-5D-like utility computed from
pain, function, mood, participation and sleep.
"""

from __future__ import annotations

from ._declare import Ctx, Subsystem, fold, outputs, params, states

NAME = "social"

_DOLAN = ("Dolan 1997 Med Care 35:1095 (EQ-5D-3L UK time trade-off tariff): decrement of level 3 ('extreme "
          "problems') of the {} dimension, applied in proportion to the model's 0-1 level")
_TARIFF = fold(1.5, "assumption: EQ-5D value sets of other countries give level-3 decrements within about 1.5-fold "
                    "of the UK tariff (Szende 2007 EQ-5D value sets)")

STATES = states(
    NAME,
    ("participation", "score 0-1", 1.0, "social and work participation relative to the person's healthy habit "
                                        "(1 = as before, 0 = fully withdrawn)"),
)

PARAMS = params(
    NAME,
    ("tau_participation", 28 * 24.0, "h",
     "assumption: withdrawal from social life and work, and return to it, take weeks", "time constant of participation"),
    ("k_part_pain", 0.4, "per NRS/10",
     "assumption: sustained NRS 10 alone costs ~30 % of participation (Breivik 2006 Eur J Pain: ~half of people with "
     "chronic pain less able to attend social activities)", "participation loss per unit sustained pain"),
    ("k_part_inactivity", 0.5, "dimensionless",
     "assumption: less daily activity means fewer outings, visits and working hours", "participation loss per unit lost activity"),
    ("k_part_depression", 0.4, "dimensionless",
     "assumption: loss of interest and social withdrawal are core features of depression (DSM-5)",
     "participation loss per unit depression"),
    ("k_part_stress", 0.2, "dimensionless",
     "assumption: high job strain predicts sickness absence (Duijts 2007 J Clin Epidemiol)",
     "participation loss per unit external life (work) stress"),
    ("w_dep_isolation", 0.01, "dimensionless",
     "assumption: loneliness predicts later depressive symptoms (Cacioppo 2006 Psychol Aging); chosen small so that "
     "the fitted depression prevalence of neuropathic pain holds", "depressive drive per unit isolation"),
    ("w_anx_isolation", 0.005, "dimensionless",
     "assumption: loneliness raises social threat vigilance and anxiety (Cacioppo 2006 Psychol Aging); chosen small "
     "so that the fitted anxiety prevalence holds", "anxiety drive per unit isolation"),
    ("qol_w_mobility", 0.314, "utility", _DOLAN.format("mobility"), "utility lost at no function", _TARIFF),
    ("qol_w_activities", 0.094, "utility", _DOLAN.format("usual activities"), "utility lost at full isolation",
     _TARIFF),
    ("qol_w_pain", 0.386, "utility", _DOLAN.format("pain/discomfort"), "utility lost at sustained NRS 10", _TARIFF),
    ("qol_w_mood", 0.236, "utility", _DOLAN.format("anxiety/depression"),
     "utility lost at severe depression or anxiety", _TARIFF),
    ("qol_w_sleep", 0.1, "utility",
     "assumption: poor sleep lowers utility beyond the five EQ-5D dimensions by up to ~0.1 (sleep bolt-on "
     "valuations; about the size of the usual-activities decrement)", "utility lost at sleep quality 0"),
)

OUTPUTS = outputs(
    NAME,
    ("isolation", "score 0-1", "social isolation: participation lost relative to the healthy habit"),
    ("qol_utility", "utility", "EQ-5D-like quality-of-life utility (1 = full health, 0 = as bad as dead)"),
)


def algebraic(c: Ctx) -> dict:
    """Isolation (0-1) and the EQ-5D-like utility from pain, function, mood, participation and sleep.

    Each dimension's level (0 none to 1 extreme) takes its level-3 decrement in proportion; the levels are
    sustained pain (NRS/10), lost function (0-100), the worse of depression and anxiety, isolation and lost sleep
    quality (0-10). Runs after ``perception`` and ``sleep``.
    """
    xp, s, p, a = c.xp, c.s, c.p, c.a
    isolation = c.pos(1.0 - s["participation"])
    decrement = (p["qol_w_mobility"] * c.pos(1.0 - a["function"] / 100.0)
                 + p["qol_w_activities"] * isolation
                 + p["qol_w_pain"] * s["pain_avg"] / 10.0
                 + p["qol_w_mood"] * xp.maximum(s["depression"], s["anxiety"])
                 + p["qol_w_sleep"] * c.pos(1.0 - a["sleep_quality"] / 10.0))
    return {"isolation": isolation, "qol_utility": 1.0 - decrement}


def rates(c: Ctx) -> dict:
    """d(participation)/dt (per hour): towards a target lowered by pain, inactivity, depression and life stress."""
    s, p, a, u = c.s, c.p, c.a, c.u
    barriers = (p["k_part_pain"] * s["pain_avg"] / 10.0 + p["k_part_inactivity"] * c.pos(1.0 - s["activity"])
                + p["k_part_depression"] * s["depression"] + p["k_part_stress"] * u["life_stress"])
    target = c.xp.minimum((1.0 + a["tx_participation"]) / (1.0 + barriers), 1.0)
    return {"participation": (target - s["participation"]) / p["tau_participation"]}


SUBSYSTEM = Subsystem(NAME, "Social participation and quality of life", STATES, PARAMS, rates, algebraic, OUTPUTS)
