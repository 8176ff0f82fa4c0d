"""Immune-mediated causes: multiple sclerosis (relapsing–remitting), rheumatoid arthritis (flares), Guillain-Barré.

Relapses and flares are event lists (``ms_relapse_h``, ``ra_flare_h``: hours
since day 0) that the scenario builds from given days or from a seeded rate
(:mod:`painloop.scenario._inputs`). Multiple sclerosis is a central lesion:
its relapses demyelinate the central somatosensory pathway (the ``central``
state: central firing and sensitization, no peripheral fibre loss), the
central neuropathic pain of demyelinating lesions (Solaro 2013 Mult Scler).
"""

from __future__ import annotations

from typing import Any

from ..model._declare import params
from ._base import Cause, episodes, since, started, window

_EDGE_H = 6.0


def _multiple_sclerosis(xp: Any, t: Any, q: dict, p: dict) -> dict:
    """Demyelinating relapses lesion the central pathway and inflame; each relapse lowers the remyelination that
    follows. Peripheral fibres are spared (no ``injury_rate``)."""
    on = started(xp, t, q["onset_h"])
    relapse = episodes(xp, t, q["ms_relapse_h"], 24.0 * p["ms_relapse_days"], _EDGE_H)
    past = since(xp, t, q["ms_relapse_h"], _EDGE_H)
    return {
        "injury_rate": 0.0 * t,
        "regen_capacity": 1.0 + 0.0 * t,
        "infl_drive": q["severity"] * p["ms_infl"] * relapse,
        "central_injury_rate": q["severity"] * (p["ms_k_injury"] * relapse + on * p["ms_k_progression"]),
        "central_repair": p["ms_regen"] / (1.0 + p["ms_regen_loss"] * past),
    }


def _rheumatoid_arthritis(xp: Any, t: Any, q: dict, p: dict) -> dict:
    """Persistent synovial inflammation with flares; entrapment/vasculitic injury grows during flares."""
    on = started(xp, t, q["onset_h"])
    flare = episodes(xp, t, q["ra_flare_h"], 24.0 * p["ra_flare_days"], _EDGE_H)
    return {
        "injury_rate": q["severity"] * (on * p["ra_k_injury"] + p["ra_k_injury_flare"] * flare),
        "regen_capacity": 1.0 / (1.0 + p["ra_regen_block"] * flare) + 0.0 * t,
        "infl_drive": q["severity"] * (on * p["ra_infl_base"] + p["ra_infl_flare"] * flare),
        "tissue_inflammation": q["severity"] * (on * p["ra_infl_base"] + p["ra_infl_flare"] * flare),
    }


def _guillain_barre(xp: Any, t: Any, q: dict, p: dict) -> dict:
    """Acute immune attack on peripheral nerves for about two weeks, then slow, incomplete remyelination."""
    acute = window(xp, t, q["onset_h"], q["onset_h"] + 24.0 * p["gbs_acute_days"], _EDGE_H)
    return {
        "injury_rate": q["severity"] * p["gbs_k_injury"] * acute,
        "regen_capacity": p["gbs_regen"] * (1.0 - acute) + 0.0 * t,
        "infl_drive": q["severity"] * p["gbs_infl"] * acute,
    }


MULTIPLE_SCLEROSIS = Cause(
    "multiple_sclerosis", "Multiple sclerosis (relapsing–remitting, central pain)",
    "demyelinating relapses with partial recovery between them; residual damage accumulates",
    params(
        "causes.multiple_sclerosis",
        ("ms_relapse_days", 30.0, "days",
         "assumption: a relapse worsens over days and lasts weeks before remission begins (Lublin 2003 Neurology)",
         "duration of the injuring phase of one relapse"),
        ("ms_k_injury", 2.0e-4, "1/h",
         "assumption: one relapse at severity 1 demyelinates ~13 % of the pain-relevant pathways",
         "injury rate during a relapse at severity 1"),
        ("ms_k_progression", 3.0e-6, "1/h",
         "assumption: slow background neurodegeneration between relapses (a few % per year)",
         "background injury rate after onset at severity 1"),
        ("ms_regen", 1.0, "fraction", "assumption: remyelination after a first relapse proceeds at the full central repair rate (k_central_repair)",
         "regeneration capacity before any relapse"),
        ("ms_regen_loss", 0.4, "1/relapse",
         "assumption: ~40 % of relapses leave a residual deficit (Lublin 2003 Neurology); capacity 1/(1 + l·relapses)",
         "loss of remyelination capacity per past relapse"),
        ("ms_infl", 0.8, "dimensionless", "assumption: inflammatory demyelination during a relapse (Frohman 2006 N Engl J Med)",
         "inflammatory drive during a relapse at severity 1"),
    ),
    _multiple_sclerosis,
)

RHEUMATOID_ARTHRITIS = Cause(
    "rheumatoid_arthritis", "Rheumatoid arthritis",
    "systemic inflammation with flares; entrapment and vasculitic nerve injury",
    params(
        "causes.rheumatoid_arthritis",
        ("ra_flare_days", 14.0, "days", "assumption: RA flares last one to a few weeks (Bykerk 2014 J Rheumatol)",
         "duration of one flare"),
        ("ra_infl_base", 0.2, "dimensionless", "assumption: persistent low-grade systemic inflammation of treated RA",
         "inflammatory drive between flares at severity 1"),
        ("ra_infl_flare", 1.2, "dimensionless", "assumption: a flare raises inflammatory mediators to acute-injury level",
         "extra inflammatory drive during a flare at severity 1"),
        ("ra_k_injury", 3.0e-6, "1/h",
         "assumption: slow entrapment/vasculitic injury; neuropathy in ~20 % of RA patients (Kaeley 2019 Semin Arthritis Rheum)",
         "background injury rate at severity 1"),
        ("ra_k_injury_flare", 1.5e-4, "1/h", "assumption: synovial swelling compresses nerves during a flare (~5 % of fibres per flare)",
         "extra injury rate during a flare at severity 1"),
        ("ra_regen_block", 1.0, "dimensionless", "assumption: swelling halves regrowth during a flare, capacity 1/(1 + b)",
         "share of regeneration blocked during a flare"),
    ),
    _rheumatoid_arthritis,
)

GUILLAIN_BARRE = Cause(
    "guillain_barre", "Guillain-Barré syndrome",
    "acute immune polyradiculoneuropathy (nadir within weeks), slow incomplete recovery over months",
    params(
        "causes.guillain_barre",
        ("gbs_acute_days", 14.0, "days", "Willison 2016 Lancet: progression to nadir within 2-4 weeks (typically ~2)",
         "duration of the acute progressive phase"),
        ("gbs_k_injury", 2.5e-3, "1/h", "assumption: severity 1 damages ~55 % of fibres by the nadir",
         "injury rate during the acute phase at severity 1"),
        ("gbs_infl", 1.5, "dimensionless", "assumption: intense inflammation of nerve roots during the acute phase",
         "inflammatory drive during the acute phase at severity 1"),
        ("gbs_regen", 0.5, "fraction",
         "assumption: recovery takes months to years and is incomplete (Ruts 2010 Neurology: pain persists in a third at 1 year)",
         "regeneration capacity after the acute phase"),
    ),
    _guillain_barre,
)
