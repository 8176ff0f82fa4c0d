"""Autonomic function: small-fibre autonomic neuropathy and stress-driven sympathetic tone.

Autonomic dysfunction grows with nerve damage (small autonomic fibres are lost
with small sensory fibres in most neuropathies) and with chronic stress; it
shows as a higher resting heart rate and lower heart-rate variability
(Vinik 2003 Diabetes Care; Tracy 2016 Pain: low HRV in chronic pain), a larger
fall of blood pressure on standing, slow gut transit (constipation, also from
opioids) and bladder symptoms (diabetic cystopathy). Constipation and bladder
distension add a visceral pain component (labelled, like the musculoskeletal
one in ``perception``); the symptoms raise perceived stress (``stress``) and
night-time voiding wakes the sleeper (``sleep``).
"""

from __future__ import annotations

from ._declare import Ctx, Range, Subsystem, outputs, params, states

_WEAK = ("assumption: chosen small so that the calibrated trial, prevalence and natural-history figures hold "
         "(the symptoms are one stressor among many)")

NAME = "autonomic"

STATES = states(
    NAME,
    ("autonomic_dysfunction", "score 0-1", 0.0, "autonomic dysfunction (sympathovagal imbalance), 0 healthy"),
)

PARAMS = params(
    NAME,
    ("tau_autonomic", 30 * 24.0, "h", "assumption: autonomic neuropathy and stress-related dysregulation change over weeks",
     "time constant of autonomic dysfunction"),
    ("k_aut_damage", 0.8, "dimensionless",
     "assumption: autonomic fibres degenerate with sensory fibres (Vinik 2003 Diabetes Care)",
     "autonomic drive per unit nerve damage"),
    ("k_aut_stress", 0.4, "dimensionless", "assumption: chronic stress lowers vagal tone (Thayer 2012 Neurosci Biobehav Rev)",
     "autonomic drive per unit chronic stress load"),
    ("hr_rest", 65.0, "beats/min", "assumption: typical adult resting heart rate (Nanchen 2018 Heart: 60-80)",
     "healthy resting heart rate",
     Range(50.0, 90.0, "assumption: healthy adult resting heart rate, about 50-90 beats/min (Nanchen 2018 Heart: "
                       "mostly 60-80)")),
    ("g_hr_autonomic", 0.25, "dimensionless", "assumption: cardiac autonomic neuropathy raises resting HR by up to ~15 bpm (Vinik 2003)",
     "relative heart-rate rise at full autonomic dysfunction"),
    ("g_hr_stress", 0.15, "dimensionless", "assumption: acute stress raises heart rate ~10 bpm",
     "relative heart-rate rise per unit perceived stress"),
    ("g_hrv_autonomic", 2.0, "dimensionless",
     "assumption: cardiac autonomic neuropathy cuts RMSSD to about a third (Vinik 2003 Diabetes Care)",
     "relative HRV loss per unit autonomic dysfunction"),
    ("g_hrv_stress", 1.0, "dimensionless", "assumption: acute stress halves RMSSD (Kim 2018 Psychiatry Investig review)",
     "relative HRV loss per unit perceived stress"),
    ("bp_drop_rest", 5.0, "mmHg",
     "assumption: healthy adults' systolic pressure falls by a few mmHg on standing (Freeman 2011 Clin Auton Res "
     "consensus: orthostatic hypotension is a fall of ≥ 20 mmHg)", "systolic fall on standing without dysfunction",
     Range(0.0, 10.0, "assumption: healthy systolic fall on standing of 0-10 mmHg, below the 20 mmHg of orthostatic "
                      "hypotension (Freeman 2011 Clin Auton Res)", "linear")),
    ("g_bp_autonomic", 30.0, "mmHg",
     "assumption: the fall reaches the 20 mmHg of orthostatic hypotension at half-maximal dysfunction (5 + 15 "
     "mmHg), as in moderate to severe cardiovascular autonomic neuropathy (Spallone 2011 Diabetes Metab Res Rev)", "extra systolic fall on standing at full dysfunction"),
    ("oh_threshold", 20.0, "mmHg", "Freeman 2011 Clin Auton Res consensus: orthostatic hypotension is a sustained "
     "systolic fall of ≥ 20 mmHg within 3 min of standing", "extra fall at which orthostatic intolerance is full",
     Range(20.0, 30.0, "Freeman 2011 Clin Auton Res: 20 mmHg, 30 mmHg in supine hypertension", "linear")),
    ("g_gut_autonomic", 0.6, "score 0-1",
     "assumption: constipation in ~60 % of diabetic patients with autonomic neuropathy (Feldman & Schiller 1983 Ann "
     "Intern Med)", "constipation at full autonomic dysfunction"),
    ("g_gut_opioid", 0.5, "score 0-1",
     "assumption: opioid-induced constipation in 40-80 % of people on long-term opioids (Kumar 2014 Gastroenterol "
     "Res Pract review)", "constipation at full opioid occupancy"),
    ("g_bladder_autonomic", 0.5, "score 0-1",
     "assumption: bladder dysfunction (cystopathy: nocturia, poor emptying) in about half of diabetic patients with "
     "autonomic neuropathy (Frimodt-Møller 1980 Ann Intern Med)", "bladder symptoms at full autonomic dysfunction"),
    ("g_visceral_pain", 0.0025, "dimensionless",
     "assumption: distension of gut and bladder adds a visceral pain component, its input well below the "
     "musculoskeletal (g_msk_pain) and neuropathic ones; chosen small so that the calibrated "
     "trial, prevalence and natural-history figures hold", "visceral (nociceptive) input per unit gut + bladder symptom"),
    ("k_stress_autonomic", 0.0025, "dimensionless", _WEAK + "; dizziness, constipation and urgency are distressing "
     "(Vinik 2003 Diabetes Care)", "perceived stress per unit autonomic symptom burden"),
    ("k_arousal_nocturia", 0.0025, "dimensionless", _WEAK + "; nocturia fragments sleep (Bliwise 2009 J Am Geriatr Soc)",
     "sleep arousal per unit bladder symptom"),
    ("hrv_rest", 42.0, "ms", "Nunan 2010 Pacing Clin Electrophysiol: normal short-term RMSSD ~42 ms",
     "healthy RMSSD heart-rate variability",
     Range(19.0, 75.0, "Nunan 2010 Pacing Clin Electrophysiol: range of normal short-term RMSSD in healthy adults "
                       "(19-75 ms)")),
)

OUTPUTS = outputs(
    NAME,
    ("heart_rate", "beats/min", "resting heart rate"),
    ("hrv", "ms", "heart-rate variability (RMSSD)"),
    ("orthostatic_bp_drop", "mmHg", "fall of systolic blood pressure on standing (≥ 20 = orthostatic hypotension)"),
    ("orthostatic_intolerance", "score 0-1", "light-headedness on standing: extra fall relative to the 20 mmHg "
                                             "threshold"),
    ("constipation", "score 0-1", "slow gut transit (autonomic neuropathy, opioids)"),
    ("bladder_symptoms", "score 0-1", "bladder symptoms: nocturia, urgency, poor emptying (cystopathy)"),
    ("autonomic_symptoms", "score 0-1", "autonomic symptom burden: mean of orthostatic, gut and bladder symptoms"),
    ("visceral_input", "dimensionless", "visceral (gut, bladder) nociceptive input before central gain"),
)


def algebraic(c: Ctx) -> dict:
    """Heart rate (bpm), RMSSD (ms), orthostatic fall (mmHg) and gut, bladder and visceral symptoms (0-1).

    Runs before ``perception`` (the visceral input enters the pain drive) and after ``treatments`` (opioid
    occupancy slows the gut).
    """
    xp, s, p, a = c.xp, c.s, c.p, c.a
    dysfunction = s["autonomic_dysfunction"]
    extra_drop = p["g_bp_autonomic"] * dysfunction
    intolerance = xp.minimum(extra_drop / p["oh_threshold"], 1.0)
    gut = xp.minimum(p["g_gut_autonomic"] * dysfunction + p["g_gut_opioid"] * a["opioid_occupancy"], 1.0)
    bladder = xp.minimum(p["g_bladder_autonomic"] * dysfunction, 1.0)
    return {
        "orthostatic_bp_drop": p["bp_drop_rest"] + extra_drop,
        "orthostatic_intolerance": intolerance,
        "constipation": gut,
        "bladder_symptoms": bladder,
        "autonomic_symptoms": (intolerance + gut + bladder) / 3.0,
        "visceral_input": p["g_visceral_pain"] * (gut + bladder),
        "heart_rate": p["hr_rest"] * (1.0 + p["g_hr_autonomic"] * dysfunction
                                      + p["g_hr_stress"] * s["perceived_stress"]),
        "hrv": p["hrv_rest"] / (1.0 + p["g_hrv_autonomic"] * dysfunction
                                + p["g_hrv_stress"] * s["perceived_stress"]),
    }


def rates(c: Ctx) -> dict:
    """d(autonomic dysfunction)/dt (per hour)."""
    s, p = c.s, c.p
    drive = p["k_aut_damage"] * s["damage"] + p["k_aut_stress"] * s["stress_load"]
    return {"autonomic_dysfunction": (c.sat(drive, 1.0) - s["autonomic_dysfunction"]) / p["tau_autonomic"]}


SUBSYSTEM = Subsystem(NAME, "Autonomic function", STATES, PARAMS, rates, algebraic, OUTPUTS)
