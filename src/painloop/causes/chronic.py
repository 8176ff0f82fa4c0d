"""Slow causes: Charcot-Marie-Tooth (hereditary), erythromelalgia (heat-triggered flares), idiopathic neuropathy."""

from __future__ import annotations

from typing import Any

from ..model._declare import Range, around, params
from ._base import Cause, started, window

_HEAT_EDGE_H = 2.0


def _steady_loss(prefix: str, doc: str):
    """Driver of a slow degeneration from onset: constant injury ``<prefix>_k_injury`` × severity, fixed
    regeneration capacity ``<prefix>_regen``, no inflammation."""
    def drivers(xp: Any, t: Any, q: dict, p: dict) -> dict:
        return {
            "injury_rate": started(xp, t, q["onset_h"]) * q["severity"] * p[f"{prefix}_k_injury"],
            "regen_capacity": p[f"{prefix}_regen"] + 0.0 * t,
            "infl_drive": 0.0 * t,
        }
    drivers.__doc__ = doc
    return drivers


def ambient_temperature(xp: Any, t: Any, q: dict) -> Any:
    """Ambient temperature (°C): the usual temperature plus the scheduled periods (``em_heat_*`` events)."""
    periods = window(xp, t, q["em_heat_start_h"], q["em_heat_end_h"], _HEAT_EDGE_H)
    return q["em_usual_c"] + xp.sum(periods * (q["em_heat_c"] - q["em_usual_c"]), axis=0)


def _erythromelalgia(xp: Any, t: Any, q: dict, p: dict) -> dict:
    """Small-fibre neuropathy plus heat-triggered neurogenic inflammation (burning flares) above a threshold."""
    on = started(xp, t, q["onset_h"])
    heat = xp.maximum(ambient_temperature(xp, t, q) - p["em_heat_threshold"], 0.0) / p["em_heat_scale"]
    return {
        "injury_rate": on * q["severity"] * p["em_k_injury"],
        "regen_capacity": p["em_regen"] + 0.0 * t,
        "infl_drive": on * q["severity"] * p["em_heat_infl"] * heat,
    }


CHARCOT_MARIE_TOOTH = Cause(
    "charcot_marie_tooth", "Charcot-Marie-Tooth disease (hereditary)",
    "slow lifelong length-dependent progression, no recovery",
    params(
        "causes.charcot_marie_tooth",
        ("cmt_k_injury", 2.6e-6, "1/h",
         "assumption: severity 1 loses half the fibres over ~30 years (slow progression of CMT1A, Shy 2008 Neurology)",
         "injury rate at severity 1"),
        ("cmt_regen", 0.0, "fraction", "assumption: the genetic defect prevents lasting repair (no recovery)",
         "regeneration capacity",
         Range(0.0, 0.1, "assumption: at most the little repair of idiopathic neuropathy (idio_regen 0.1); 0 allowed, "
                         "drawn uniform in the value", "linear")),
    ),
    _steady_loss("cmt", "Genetic length-dependent degeneration: constant slow injury and no regeneration."),
)

ERYTHROMELALGIA = Cause(
    "erythromelalgia", "Erythromelalgia",
    "small-fibre neuropathy with episodic burning flares triggered by heat",
    params(
        "causes.erythromelalgia",
        ("em_k_injury", 8.0e-6, "1/h",
         "assumption: small-fibre neuropathy accompanies most erythromelalgia (Davis 2003 Arch Dermatol); slow onset",
         "small-fibre injury rate at severity 1"),
        ("em_regen", 0.2, "fraction", "assumption: small-fibre loss in erythromelalgia recovers poorly",
         "regeneration capacity"),
        ("em_heat_threshold", 24.0, "°C", "assumption: flares are triggered by warmth above room temperature (Davis 2000 Arch Dermatol)",
         "ambient temperature above which heat triggers a flare",
         around(4.0, "assumption: the warmth that triggers a flare differs between patients, from a warm room to a "
                     "hot day")),
        ("em_heat_scale", 8.0, "°C", "assumption: a hot day (~32 °C) gives a full flare", "temperature excess of a full flare"),
        ("em_heat_infl", 3.0, "dimensionless",
         "assumption: heat-evoked neurogenic inflammation (vasodilation, Nav1.7 hyperexcitability; Dib-Hajj 2013 Nat Rev Neurol)",
         "inflammatory drive of a full heat flare at severity 1"),
    ),
    _erythromelalgia,
)

IDIOPATHIC = Cause(
    "idiopathic", "Idiopathic (small-fibre) neuropathy",
    "no identified driver; slow onset over years",
    params(
        "causes.idiopathic",
        ("idio_k_injury", 8.0e-6, "1/h",
         "assumption: chronic idiopathic axonal polyneuropathy progresses slowly over years (Singer 2012 Neurology)",
         "injury rate at severity 1"),
        ("idio_regen", 0.1, "fraction", "assumption: no treatable driver, little recovery", "regeneration capacity"),
    ),
    _steady_loss("idio", "No identified driver: slow small-fibre loss with poor regeneration."),
)
