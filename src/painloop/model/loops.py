"""Loop gains: one switch per direction of each feedback loop of SYSTEM.md §3–4.

Each gain multiplies every term through which one part of the loop acts on the
other; 1 is the nominal model, 0 cuts that direction. They exist so that the
strength of each direction can be measured (by cutting it) and shown, and are
not physiological quantities themselves.
"""

from __future__ import annotations

from ._declare import Ctx, Range, Subsystem, params

NAME = "loops"

_WHY = "assumption: analysis switch, 1 = nominal coupling, 0 cuts this direction of the loop"

PARAMS = params(
    NAME,
    ("loop_stress_to_pain", 1.0, "dimensionless", _WHY,
     "stress → inflammation, descending inhibition and spinal excitability"),
    ("loop_pain_to_stress", 1.0, "dimensionless", _WHY, "pain → perceived stress (and so the HPA axis)"),
    ("loop_sleep_to_pain", 1.0, "dimensionless", _WHY, "sleep loss → pain sensitivity"),
    ("loop_pain_to_sleep", 1.0, "dimensionless", _WHY, "pain → arousal that fragments sleep"),
    ("loop_mood_to_pain", 1.0, "dimensionless", _WHY,
     "depression/anxiety → catastrophizing and weaker descending inhibition"),
    ("loop_pain_to_mood", 1.0, "dimensionless", _WHY, "sustained pain → depression and anxiety"),
    ("loop_tension", 1.0, "dimensionless", _WHY, "pain → muscle tension → nerve irritation"),
    ("loop_autonomic_to_stress", 1.0, "dimensionless", _WHY,
     "autonomic symptoms (orthostatic, gut, bladder) → perceived stress and night waking"),
    ("loop_isolation_to_mood", 1.0, "dimensionless", _WHY, "social isolation → depression and anxiety"),
    ("loop_gait_to_pain", 1.0, "dimensionless", _WHY,
     "altered gait (from weakness, numbness and pain) → strain → musculoskeletal pain"),
    ("loop_hpa_to_stress", 1.0, "dimensionless", _WHY,
     "dysregulated (stress-adapted) HPA axis → lower stress resilience, higher perceived stress"),
    ("loop_fatigue_to_mood", 1.0, "dimensionless", _WHY, "fatigue → irritability (anxiety) and low mood"),
    ("loop_sleep_to_repair", 1.0, "dimensionless", _WHY, "sleep loss → slower regeneration of damaged fibres"),
    ("loop_swelling_to_compression", 1.0, "dimensionless", _WHY,
     "peripheral inflammation → tissue swelling → compression injury of the nerve"),
    ranges=Range(0.0, 1.0, "assumption: an analysis switch, from cut (0) to the nominal coupling (1); drawn uniform "
                           "in the value (0 is allowed)", "linear"),
)


def rates(c: Ctx) -> dict:
    """Loop gains carry no state."""
    return {}


GAINS: tuple[str, ...] = tuple(p.name for p in PARAMS)
"""Names of the loop gains, one per direction of a feedback loop (1 nominal, 0 cuts that direction)."""

SUBSYSTEM = Subsystem(NAME, "Loop gains", (), PARAMS, rates)
