"""Central causes: spinal cord injury and central post-stroke pain act on the central lesion, not on peripheral fibres.

Both injure the spinothalamic–thalamocortical pathway on one day
(``central_injury_rate``, a lesion of the ``central`` state) and leave the
peripheral nerves intact: no fibre damage, so no distal numbness of their own;
the pain comes from the firing of deafferented central neurons and the central
sensitization it drives (:mod:`painloop.model.central`). Whether a stroke
reaches the somatosensory pathway is a setting (``somatosensory``): only then
can it cause central pain (Klit 2009 Lancet Neurol 8:857).
"""

from __future__ import annotations

from typing import Any

from ..model._declare import params
from ._base import Cause, window

_EDGE_H = 2.0


def _one_day_central_lesion(prefix: str, doc: str):
    """Driver of a central lesion made on the day of onset: injury ``<prefix>_k_injury`` × severity (× the
    ``somatosensory`` share when the scenario gives one) over one day, then recovery at ``<prefix>_repair``."""
    def drivers(xp: Any, t: Any, q: dict, p: dict) -> dict:
        lesion_day = window(xp, t, q["onset_h"], q["onset_h"] + 24.0, _EDGE_H)
        share = q.get("somatosensory", 1.0)
        zero = 0.0 * t
        return {
            "injury_rate": zero,
            "regen_capacity": zero + 1.0,
            "infl_drive": zero,
            "central_injury_rate": q["severity"] * share * p[f"{prefix}_k_injury"] * lesion_day,
            "central_repair": zero + p[f"{prefix}_repair"],
        }
    drivers.__doc__ = doc
    return drivers


SPINAL_CORD_INJURY = Cause(
    "spinal_cord_injury", "Spinal cord injury (central neuropathic pain)",
    "a lesion of the spinal cord on one day; central pain at and below the level in about half",
    params(
        "causes.spinal_cord_injury",
        ("sci_k_injury", 0.067, "1/h",
         "assumption: severity 1 is a complete injury that interrupts ~80 % of the cord's somatosensory pathway on the "
         "day of injury (1 − exp(−24 k) = 0.8); lower severities stand for incomplete injuries (ASIA B-D)",
         "central injury rate on the day of the lesion at severity 1"),
        ("sci_repair", 0.05, "fraction",
         "assumption: limited neurological recovery after spinal cord injury, mostly in incomplete lesions over the "
         "first months (Fawcett 2007 Spinal Cord 45:190)", "repair capacity of the spinal lesion"),
    ),
    _one_day_central_lesion("sci", "A spinal cord lesion on the day of injury, then limited recovery."),
)

CENTRAL_POST_STROKE = Cause(
    "central_post_stroke", "Central post-stroke pain",
    "a stroke on one day; central pain in the minority whose lesion reaches the somatosensory pathway",
    params(
        "causes.central_post_stroke",
        ("cpsp_k_injury", 0.021, "1/h",
         "assumption: a stroke of severity 1 on the spinothalamic–thalamocortical pathway (thalamic, lateral medullary "
         "or capsular) interrupts ~40 % of it (1 − exp(−24 k) = 0.4): pathway lesions of stroke are smaller than "
         "those of spinal cord injury", "central injury rate on the day of the stroke at severity 1 (pathway involved)"),
        ("cpsp_repair", 0.1, "fraction",
         "assumption: partial recovery of the lesioned pathway over the first months after stroke (Kwakkel 2006 "
         "Restor Neurol Neurosci 24:1)", "repair capacity of the stroke lesion"),
    ),
    _one_day_central_lesion("cpsp", "A stroke lesion of the somatosensory pathway on one day, then partial recovery."),
)
