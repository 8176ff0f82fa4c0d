"""Autonomic function: small-fibre autonomic neuropathy and stress-driven sympathetic tone.

Autonomic dysfunction grows with nerve damage (small autonomic fibres are lost
with small sensory fibres in most neuropathies) and with chronic stress; it
shows as a higher resting heart rate and lower heart-rate variability
(Vinik 2003 Diabetes Care; Tracy 2016 Pain: low HRV in chronic pain).
"""

from __future__ import annotations

from ._declare import Ctx, Range, Subsystem, outputs, params, states

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
    ("hrv_rest", 42.0, "ms", "Nunan 2010 Pacing Clin Electrophysiol: normal short-term RMSSD ~42 ms",
     "healthy RMSSD heart-rate variability",
     Range(19.0, 75.0, "Nunan 2010 Pacing Clin Electrophysiol: range of normal short-term RMSSD in healthy adults "
                       "(19-75 ms)")),
)

OUTPUTS = outputs(
    NAME,
    ("heart_rate", "beats/min", "resting heart rate"),
    ("hrv", "ms", "heart-rate variability (RMSSD)"),
)


def algebraic(c: Ctx) -> dict:
    """Resting heart rate (bpm) and RMSSD (ms) from autonomic state and perceived stress."""
    s, p = c.s, c.p
    return {
        "heart_rate": p["hr_rest"] * (1.0 + p["g_hr_autonomic"] * s["autonomic_dysfunction"]
                                      + p["g_hr_stress"] * s["perceived_stress"]),
        "hrv": p["hrv_rest"] / (1.0 + p["g_hrv_autonomic"] * s["autonomic_dysfunction"]
                                + p["g_hrv_stress"] * s["perceived_stress"]),
    }


def rates(c: Ctx) -> dict:
    """d(autonomic dysfunction)/dt (per hour)."""
    s, p = c.s, c.p
    drive = p["k_aut_damage"] * s["damage"] + p["k_aut_stress"] * s["stress_load"]
    return {"autonomic_dysfunction": (c.sat(drive, 1.0) - s["autonomic_dysfunction"]) / p["tau_autonomic"]}


SUBSYSTEM = Subsystem(NAME, "Autonomic function", STATES, PARAMS, rates, algebraic, OUTPUTS)
