"""Trigeminal neuralgia: paroxysmal electric-shock attacks from a focally demyelinated trigeminal root.

A vessel compressing the root at its entry zone demyelinates a small patch of
axons (little fibre damage, so little numbness: classical trigeminal
neuralgia has a normal sensory examination, Maarbjerg 2017 Cephalalgia
37:648). Demyelinated, hyperexcitable axons fire self-sustaining bursts that
spread to their neighbours and are ignited by light touch, eating or talking
(ignition hypothesis, Devor 2002 Clin J Pain 18:4): the cause sets a
``paroxysm_drive`` (modulated by the day's provocation), so attacks dominate
the symptom profile. Microvascular decompression (``release_h``) ends the
compression, the attacks and the demyelinating injury.
"""

from __future__ import annotations

from typing import Any

from ..model._declare import params
from ._base import Cause, window

_EDGE_H = 6.0


def _trigeminal_neuralgia(xp: Any, t: Any, q: dict, p: dict) -> dict:
    """While the root is compressed: focal demyelination, blocked remyelination and ignited attacks."""
    pressed = window(xp, t, q["onset_h"], q["release_h"], _EDGE_H)
    return {
        "injury_rate": q["severity"] * p["tn_k_injury"] * pressed,
        "regen_capacity": 1.0 / (1.0 + p["tn_regen_block"] * pressed),
        "infl_drive": 0.0 * t,
        "paroxysm_drive": q["severity"] * p["tn_k_parox"] * pressed,
    }


TRIGEMINAL_NEURALGIA = Cause(
    "trigeminal_neuralgia", "Trigeminal neuralgia",
    "neurovascular compression of the trigeminal root; electric-shock attacks dominate; decompression ends them",
    params(
        "causes.trigeminal_neuralgia",
        ("tn_k_injury", 2.0e-5, "1/h",
         "assumption: the demyelinated patch is small, ~10 % of the root's fibres at severity 1 within a year "
         "(Devor 2002 Clin J Pain 18:4; Maarbjerg 2017 Cephalalgia: sensory loss uncommon in classical TN)",
         "focal demyelinating injury rate while compressed at severity 1"),
        ("tn_regen_block", 2.3, "dimensionless",
         "assumption: as cmp_regen_block: ongoing compression blocks ~70 % of remyelination",
         "share of repair blocked while compressed"),
        ("tn_k_parox", 3.0, "dimensionless",
         "assumption: at severity 1 the ignited bursts give attacks rated near the top of the paroxysmal scale while "
         "the ongoing pain stays moderate (Maarbjerg 2017 Cephalalgia: attacks of severe intensity; concomitant "
         "continuous pain in about half)", "paroxysmal drive while compressed at severity 1"),
    ),
    _trigeminal_neuralgia,
)
