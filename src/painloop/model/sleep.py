"""Sleep: homeostatic pressure (process S), circadian gating and a sleep-dependent pain homeostat.

Sleep happens while the scenario gives the opportunity (time in bed) and the
homeostatic pressure is above a threshold raised by arousal from pain, stress,
anxiety and night-time voiding (autonomic bladder symptoms) (two-process model: Borbély 1982; Daan, Beersma & Borbély 1984).
The fraction of time asleep is a smooth function of that margin, so fragmented
sleep appears as a fraction below one. A separate pain-sensitivity homeostat
rises while awake and falls while asleep (Crodelle, Vanty & Booth 2023), so a
short night raises next-day pain sensitivity.
"""

from __future__ import annotations

from ._declare import Ctx, Range, Subsystem, fold, outputs, params, states

NAME = "sleep"
_CRODELLE = "Crodelle, Vanty & Booth 2023 Front Neurosci 17:1166203 (targets/rhythms_and_couplings.csv)"

_TWO_PROCESS_RANGE = fold(1.5, "assumption: process-S time constants fitted in different studies and people differ "
                                "by tens of percent (Daan 1984; Borbély 2016 J Sleep Res review), 1.5-fold either side")
_COMPUTED_REF = fold(1.2, "assumption: a reference computed from this model for a healthy sleeper; it moves only with "
                          "the sleep parameters, ±20 %")

STATES = states(
    NAME,
    ("sleep_pressure", "fraction", 0.49535, "homeostatic sleep pressure (process S), 0-1"),
    ("pain_homeostat", "fraction", 0.4949, "sleep-dependent pain-sensitivity homeostat, 0-1"),
    ("sleep_recent", "h/day", 6.14309, "sleep obtained per day, fast running mean (first filter stage)"),
    ("sleep_hours_avg", "h/day", 7.72134, "sleep obtained per day, running mean over ~3 days (second stage)"),
)

PARAMS = params(
    NAME,
    ("tau_wake", 18.2, "h", "Daan, Beersma & Borbély 1984 Am J Physiol", "rise time constant of process S while awake",
     _TWO_PROCESS_RANGE),
    ("tau_sleep", 4.2, "h", "Daan, Beersma & Borbély 1984 Am J Physiol", "decay time constant of process S during sleep",
     _TWO_PROCESS_RANGE),
    ("sleep_threshold", 0.05, "fraction",
     "assumption: lower threshold set so an unstressed, pain-free sleeper sleeps most of an 8 h night",
     "pressure below which sleep ends (lower threshold)"),
    ("sleep_gate_width", 0.03, "fraction",
     "assumption: smooths the threshold so that the fraction asleep varies continuously",
     "width of the sleep/wake transition in pressure units"),
    ("k_arousal_pain", 0.08, "per NRS/10",
     "assumption: calibrated so that NRS 6 at night costs about an hour of sleep (chronic pain patients sleep ~1 h less; Finan 2013 J Pain)",
     "arousal per unit night-time pain"),
    ("k_arousal_stress", 0.08, "dimensionless",
     "assumption: hyperarousal from stress shortens and fragments sleep (Akerstedt 2006 Scand J Work Environ Health)",
     "arousal per unit perceived stress"),
    ("k_arousal_anxiety", 0.08, "dimensionless", "assumption: anxiety delays sleep onset (Staner 2003 Dialogues Clin Neurosci)",
     "arousal per unit anxiety"),
    ("tau_homeostat_wake", 15.8, "h", _CRODELLE, "rise time constant of the pain homeostat while awake"),
    ("tau_homeostat_sleep", 3.4, "h", _CRODELLE, "fall time constant of the pain homeostat while asleep"),
    ("homeostat_ref", 0.364, "fraction",
     "computed: daily mean of the pain homeostat for a healthy 8 h sleeper in this model",
     "reference level at which sleep leaves pain sensitivity unchanged", _COMPUTED_REF),
    ("g_sleep_pain", 1.2, "dimensionless",
     "assumption: one night of total sleep loss raises pain sensitivity by ~25-40 % (Krause 2019 J Neurosci; Schrimpf 2015 Sleep Med)",
     "log-gain of pain sensitivity per unit of the pain homeostat above its reference"),
    ("g_sleep_debt_pain", 1.5, "dimensionless",
     "assumption: chosen so that sleep → pain is the stronger direction of the loop (elasticity ~1.8 vs ~0.1 for pain → sleep here; Finan 2013 J Pain)",
     "log-gain of pain sensitivity per unit chronic sleep deficit"),
    ("k_quality_arousal", 4.0, "dimensionless",
     "assumption: arousal of 0.25 (NRS 10 at night) halves rated sleep quality (Finan 2013 J Pain)",
     "loss of rated sleep quality per unit arousal"),
    ("tau_sleep_recent", 24.0, "h", "assumption: first stage of a two-stage average that removes the day-night ripple",
     "time constant of the fast sleep-per-day mean"),
    ("tau_sleep_avg", 72.0, "h", "assumption: sleep debt reflects about three nights (Van Dongen 2003 Sleep: debt builds over days)",
     "time constant of the sleep-per-day running mean"),
    ("sleep_need", 7.0, "h/day", "Watson et al. 2015 Sleep (AASM/SRS consensus: ≥7 h for adults)",
     "sleep per day below which a deficit accumulates",
     Range(6.0, 10.0, "Hirshkowitz 2015 Sleep Health (National Sleep Foundation): 7-9 h recommended for adults, "
                      "6-10 h may be appropriate")),
)

OUTPUTS = outputs(
    NAME,
    ("asleep", "fraction", "fraction of time asleep at this moment"),
    ("sleep_arousal", "fraction", "arousal raising the wake threshold (pain, stress, anxiety, nocturia)"),
    ("sleep_deficit", "fraction", "shortfall of recent sleep relative to need, 0-1"),
    ("sleep_quality", "score 0-10", "sleep quality: obtained vs needed sleep, lowered by arousal"),
)


def sleep_deficit(c: Ctx):
    """Shortfall of recent sleep (running mean) relative to need, as a fraction 0-1."""
    return c.pos(c.p["sleep_need"] - c.s["sleep_hours_avg"]) / c.p["sleep_need"]


def algebraic(c: Ctx) -> dict:
    """Fraction asleep, arousal, sleep deficit and quality from current states and inputs."""
    s, p, u, a = c.s, c.p, c.u, c.a
    arousal = (a["tx_arousal_factor"] * (p["loop_pain_to_sleep"] * p["k_arousal_pain"] * a["nrs"] / 10.0
                                         + p["k_arousal_stress"] * s["perceived_stress"]
                                         + p["k_arousal_anxiety"] * s["anxiety"]
                                         + p["loop_autonomic_to_stress"] * p["k_arousal_nocturia"]
                                         * a["bladder_symptoms"]) + a["tx_arousal_extra"])
    margin = s["sleep_pressure"] - p["sleep_threshold"] - arousal
    asleep = u["sleep_opportunity"] * c.sig(margin / p["sleep_gate_width"])
    deficit = sleep_deficit(c)
    return {
        "asleep": asleep,
        "sleep_arousal": arousal,
        "sleep_deficit": deficit,
        "sleep_quality": 10.0 * (1.0 - deficit) / (1.0 + p["k_quality_arousal"] * arousal),
    }


def rates(c: Ctx) -> dict:
    """d/dt of sleep pressure, pain homeostat and the two-stage sleep-per-day mean (per hour)."""
    s, p, a = c.s, c.p, c.a
    z = a["asleep"]
    return {
        "sleep_pressure": (1.0 - z) * (1.0 - s["sleep_pressure"]) / p["tau_wake"]
        - z * s["sleep_pressure"] / p["tau_sleep"],
        "pain_homeostat": (1.0 - z) * (1.0 - s["pain_homeostat"]) / p["tau_homeostat_wake"]
        - z * s["pain_homeostat"] / p["tau_homeostat_sleep"],
        "sleep_recent": (24.0 * z - s["sleep_recent"]) / p["tau_sleep_recent"],
        "sleep_hours_avg": (s["sleep_recent"] - s["sleep_hours_avg"]) / p["tau_sleep_avg"],
    }


SUBSYSTEM = Subsystem(NAME, "Sleep", STATES, PARAMS, rates, algebraic, OUTPUTS)
