"""The causes of neuropathic pain available to scenarios (SYSTEM.md §5).

Each cause has its own time course. Driver constants are calibrated so that a
severity of 1 produces the damage a clinically typical severe case reaches;
the calibration is stated in each parameter's source.
"""

from __future__ import annotations

from typing import Any

from ..model._declare import Range, around, params
from ._base import NONE, Cause, sig, started, window
from .central import CENTRAL_POST_STROKE, SPINAL_CORD_INJURY
from .chronic import CHARCOT_MARIE_TOOTH, ERYTHROMELALGIA, IDIOPATHIC
from .immune import GUILLAIN_BARRE, MULTIPLE_SCLEROSIS, RHEUMATOID_ARTHRITIS
from .toxic_metabolic import ALCOHOL, B1_DEFICIENCY, B12_DEFICIENCY, TOXIN
from .trigeminal import TRIGEMINAL_NEURALGIA

_EDGE_H = 6.0


def _diabetes(xp: Any, t: Any, q: dict, p: dict) -> dict:
    """Damage accrues slowly while glycaemia is above normal; diabetic nerves regenerate poorly, more so at high HbA1c.

    Regeneration is a small residual share of normal (``dm_regen_residual``), so damage keeps progressing over
    the decades of the disease instead of levelling off within a few years.

    With glucose control (``control_h``, ``hba1c_control`` in ``q``) HbA1c moves to the controlled value
    over the months red cells take to turn over.
    """
    hba1c = q["hba1c"]
    if "control_h" in q:
        reached = 1.0 - xp.exp(-xp.maximum(t - q["control_h"], 0.0) / (24.0 * p["dm_control_days"]))
        hba1c = hba1c + (q["hba1c_control"] - hba1c) * reached
    excess = xp.maximum(hba1c - p["dm_hba1c_ref"], 0.0)
    on = started(xp, t, q["onset_h"])
    return {
        "injury_rate": on * q["severity"] * p["dm_k_injury"] * excess,
        "regen_capacity": (1.0 - on * (1.0 - p["dm_regen_residual"])) / (1.0 + on * p["dm_regen_loss"] * excess),
        "infl_drive": on * q["severity"] * p["dm_k_infl"] * excess,
    }


def _shingles(xp: Any, t: Any, q: dict, p: dict) -> dict:
    """Acute zoster: weeks of viral ganglionitis; regeneration falls with age, so PHN persists in the old.

    Prior vaccination (``hz_vaccinated``) lowers the severity of a breakthrough episode; an antiviral
    started within 72 h of the rash (``hz_antiviral``) attenuates the acute injury and inflammation.
    """
    acute = window(xp, t, q["onset_h"], q["onset_h"] + 24.0 * p["hz_acute_days"], _EDGE_H)
    age_excess = xp.maximum(q["age"] - p["hz_age_ref"], 0.0)
    severity = q["severity"]
    if "hz_vaccinated" in q:
        severity = severity * (1.0 - p["hz_vaccine_severity"] * q["hz_vaccinated"])
    if "hz_antiviral" in q:
        severity = severity * (1.0 - p["hz_antiviral_injury"] * q["hz_antiviral"])
    return {
        "injury_rate": severity * p["hz_k_injury"] * acute,
        "regen_capacity": p["hz_regen"] / (1.0 + age_excess / p["hz_age_scale"]),
        "infl_drive": severity * p["hz_infl"] * acute,
        "tissue_inflammation": p["hz_rash_share"] * severity * p["hz_infl"] * acute,
    }


def _chemotherapy(xp: Any, t: Any, q: dict, p: dict) -> dict:
    """Neurotoxic exposure for a few days after each infusion; repair starts only weeks after the last one.

    Axonal repair is held off while the course goes on and for ``cipn_regen_lag_days`` after each infusion
    (degeneration continues after the drug is stopped: "coasting"), so symptoms plateau for a month or two after
    the last cycle before they fade.
    """
    starts = q["cycle_starts_h"]
    exposure = xp.sum(window(xp, t, starts, starts + 24.0 * p["cipn_exposure_days"], _EDGE_H), axis=0)
    held = xp.minimum(xp.sum(window(xp, t, starts, starts + 24.0 * (p["cipn_exposure_days"] + p["cipn_regen_lag_days"]),
                                    _EDGE_H), axis=0), 1.0)
    return {
        "injury_rate": q["severity"] * p["cipn_k_injury"] * exposure,
        "regen_capacity": p["cipn_regen"] * (1.0 - held) + 0.0 * t,
        "infl_drive": q["severity"] * p["cipn_infl"] * exposure,
    }


def _trauma(xp: Any, t: Any, q: dict, p: dict) -> dict:
    """A lesion on one day and a post-operative wound inflammation; an amputation removes regeneration and the limb.

    After an amputation the lost territory deafferents the dorsal horn (``deafferentation``), a central drive of
    phantom limb pain, and there is no sensation (no numbness) of the missing limb to rate.
    """
    lesion = window(xp, t, q["onset_h"], q["onset_h"] + 24.0, _EDGE_H / 3.0)
    since = xp.maximum(t - q["onset_h"], 0.0)
    healing = sig(xp, (t - q["onset_h"]) / 2.0) * xp.exp(-since / (24.0 * p["trauma_infl_days"]))
    return {
        "injury_rate": q["severity"] * p["trauma_k_injury"] * lesion,
        "regen_capacity": (1.0 - q["amputation"]) + 0.0 * t,
        "infl_drive": q["severity"] * p["trauma_infl"] * healing,
        "tissue_inflammation": q["severity"] * p["trauma_infl"] * healing,
        "deafferentation": q["amputation"] * sig(xp, (t - q["onset_h"]) / 2.0),
    }


COMPRESSION_KINDS = ("entrapment", "disc_herniation", "stenosis", "tumour")
"""Forms of compression, each with its own time course of the pressure on the nerve (input ``cmp_kind_<kind>`` 0/1)."""


def compression_pressure(xp: Any, t: Any, q: dict, p: dict) -> Any:
    """Relative pressure on the nerve (1 = a full entrapment) from the onset on, by the form of compression.

    * entrapment: constant;
    * disc herniation: the herniated material resorbs, pressure decays with ``cmp_disc_resorb_days``;
    * stenosis: starts at ``cmp_stenosis_initial`` and narrows slowly towards 1 over ``cmp_stenosis_days``;
    * tumour: a growing mass, logistic in its volume: starts at ``cmp_tumour_initial`` and doubles its
      pressure-to-room ratio every ``cmp_tumour_doubling_days``.

    Without a ``cmp_kind_*`` input (older scenarios) the compression is an entrapment.
    """
    elapsed_d = xp.maximum(t - q["onset_h"], 0.0) / 24.0
    disc = xp.exp(-elapsed_d / p["cmp_disc_resorb_days"])
    stenosis = 1.0 - (1.0 - p["cmp_stenosis_initial"]) * xp.exp(-elapsed_d / p["cmp_stenosis_days"])
    odds0 = (1.0 - p["cmp_tumour_initial"]) / p["cmp_tumour_initial"]
    tumour = 1.0 / (1.0 + odds0 * xp.exp(-0.6931471805599453 * elapsed_d / p["cmp_tumour_doubling_days"]))
    forms = {"disc_herniation": disc, "stenosis": stenosis, "tumour": tumour}
    other = sum(q.get(f"cmp_kind_{k}", 0.0) for k in forms)
    return (1.0 - other) + sum(q.get(f"cmp_kind_{k}", 0.0) * v for k, v in forms.items())


def _compression(xp: Any, t: Any, q: dict, p: dict) -> dict:
    """Compression injures fibres and blocks regrowth in proportion to the pressure; decompression ends both.

    The pressure follows the form of compression (:func:`compression_pressure`): constant in an entrapment,
    resolving in a disc herniation, slowly rising in stenosis, growing in a tumour.
    """
    pressed = window(xp, t, q["onset_h"], q["release_h"], _EDGE_H) * compression_pressure(xp, t, q, p)
    return {
        "injury_rate": q["severity"] * p["cmp_k_injury"] * pressed,
        "regen_capacity": 1.0 / (1.0 + p["cmp_regen_block"] * pressed),
        "infl_drive": q["severity"] * p["cmp_infl"] * pressed,
        "tissue_inflammation": q["severity"] * p["cmp_infl"] * pressed,
    }


DIABETES = Cause(
    "diabetes", "Diabetic peripheral neuropathy",
    "length-dependent polyneuropathy driven by glycaemia (HbA1c)",
    params(
        "causes.diabetes",
        ("dm_hba1c_ref", 5.7, "% HbA1c", "ADA Standards of Care 2024: HbA1c < 5.7 % is normoglycaemia",
         "HbA1c below which glycaemia does not injure nerves",
         Range(5.0, 6.5, "assumption: between a typical normoglycaemic HbA1c (~5 %) and the ADA diagnostic threshold "
                         "of diabetes (6.5 %, ADA Standards of Care 2024)", "linear")),
        ("dm_k_injury", 5.0e-6, "1/h per % HbA1c",
         "assumption: neuropathy develops over years to decades: ~0.04/year of the fibres at HbA1c 7.6 % and "
         "severity 0.5, so that about a fifth of community diabetics have marked neuropathy after ~10 years "
         "(DCCT 1995 Ann Intern Med: risk rises steeply with HbA1c; Abbott 2011 Diabetes Care: NDS distribution)",
         "fibre injury rate per % HbA1c above normal at severity 1"),
        ("dm_regen_residual", 0.1, "fraction",
         "assumption: regeneration of diabetic nerves is markedly impaired even at fair control (Kennedy & Zochodne "
         "2000 Brain; Polydefkis 2004 Brain: intraepidermal fibre regrowth slowed in diabetes)",
         "share of normal regeneration left once diabetes has begun (before the HbA1c effect)"),
        ("dm_regen_loss", 0.5, "1/% HbA1c",
         "assumption: hyperglycaemia impairs axonal regeneration (Kennedy & Zochodne 2000 Brain)",
         "relative loss of regeneration per % HbA1c above normal"),
        ("dm_k_infl", 0.05, "1/% HbA1c",
         "assumption: low-grade inflammation of diabetes (Pop-Busui 2016 Diabetes Care)",
         "inflammatory drive per % HbA1c above normal"),
        ("dm_control_days", 30.0, "days",
         "assumption: HbA1c reflects glycaemia of the previous 2-3 months, about half of it the last 30 days (Tahara & "
         "Shima 1995 Diabetes Care); first-order approach to the controlled value",
         "time constant with which HbA1c follows improved glucose control"),
    ),
    _diabetes,
)

SHINGLES = Cause(
    "shingles", "Herpes zoster and post-herpetic neuralgia",
    "acute viral ganglionitis; persistence (PHN) rises with age",
    params(
        "causes.shingles",
        ("hz_acute_days", 21.0, "days", "Johnson & Rice 2014 N Engl J Med: acute zoster rash and ganglionitis last 2-4 weeks",
         "duration of the acute episode"),
        ("hz_k_injury", 1.4e-3, "1/h",
         "assumption: severity 1 destroys about half of the dermatome's fibres during the episode (Watson 1991 Pain, PHN autopsy)",
         "fibre injury rate during the acute episode at severity 1"),
        ("hz_infl", 2.0, "dimensionless", "assumption: intense neural inflammation of acute zoster",
         "inflammatory drive during the acute episode"),
        ("hz_rash_share", 1.0, "fraction",
         "assumption: part of acute zoster pain is inflammatory pain of the rash and skin (Johnson & Rice 2014 N Engl "
         "J Med: acute pain is mixed nociceptive and neuropathic)", "tissue inflammation of the rash per unit inflammatory drive"),
        ("hz_age_ref", 50.0, "years", "Forbes 2016 Pain: PHN risk rises steeply after 50",
         "age above which regeneration declines",
         around(10.0, "assumption: the age at which PHN risk starts to rise is known to about a decade (Forbes 2016 "
                      "Pain)")),
        ("hz_age_scale", 10.0, "years",
         "assumption: recovery halves by age 60 and falls to a third by 70 (PHN risk rises ~1.2-3x per decade, "
         "Forbes 2016 Pain)", "age excess (over hz_age_ref) that halves recovery"),
        ("hz_regen", 4.0, "relative",
         "assumption: much of the acute zoster lesion is inflammatory and demyelinating and recovers within weeks to "
         "months in younger people (Johnson & Rice 2014 N Engl J Med: acute pain resolves in most within a month); "
         "recovery about 4x faster than axonal regrowth",
         "recovery rate after zoster relative to axonal regrowth (k_regen), below hz_age_ref"),
        ("hz_antiviral_injury", 0.25, "fraction",
         "assumption: antivirals within 72 h shorten acute zoster pain (Beutner 1995 Antimicrob Agents Chemother) but do "
         "not clearly prevent PHN (Chen 2014 Cochrane): a modest cut of the acute injury",
         "reduction of acute injury and inflammation by an antiviral started within 72 h"),
        ("hz_vaccine_severity", 0.5, "fraction",
         "assumption: breakthrough zoster after vaccination is milder (Oxman 2005 N Engl J Med: burden of illness -61 %, "
         "PHN -67 %)", "reduction of the severity of a breakthrough episode after vaccination"),
    ),
    _shingles,
)

CHEMOTHERAPY = Cause(
    "chemotherapy", "Chemotherapy-induced peripheral neuropathy",
    "neurotoxic cycles (taxanes, platinum); partial recovery after the last cycle",
    params(
        "causes.chemotherapy",
        ("cipn_exposure_days", 3.0, "days", "assumption: neurotoxic exposure lasts a few days after each infusion",
         "exposure per cycle"),
        ("cipn_k_injury", 2.75e-4, "1/h",
         "assumption: a course at severity 1 damages ~10-40 % of fibres, depending on cycles; chosen by hand with "
         "cipn_regen and cipn_regen_lag_days against the Seretny 2014 Pain course (calibration targets cipn_1_month, "
         "cipn_3_months, cipn_6_months: 68 %, 60 %, 30 %; community population of 200, seed 5: 0.70, 0.55, 0.31)",
         "fibre injury rate during exposure at severity 1"),
        ("cipn_regen", 1.1, "relative",
         "assumption: once repair starts, distal axonopathy and ion-channel dysfunction recover over months, about as "
         "fast as other axonal regrowth; chosen by hand with cipn_k_injury (see there)",
         "regeneration capacity after neurotoxic damage"),
        ("cipn_regen_lag_days", 45.0, "days",
         "assumption: repair is held off during the course and for weeks after each infusion; symptoms of "
         "platinum and taxane neuropathy often worsen or persist for 1-3 months after the last cycle (coasting: "
         "Pachman 2015 J Clin Oncol 33:3416; Grisold 2012 Neuro Oncol 14 Suppl 4:iv45); chosen by hand against "
         "the Seretny 2014 course (calibration targets cipn_1_month, cipn_3_months, cipn_6_months)",
         "delay of axonal repair after each neurotoxic infusion"),
        ("cipn_infl", 0.5, "dimensionless", "assumption: neuroinflammation during exposure (Fumagalli 2021 Front Pharmacol)",
         "inflammatory drive during exposure"),
    ),
    _chemotherapy,
)

TRAUMA = Cause(
    "trauma", "Trauma or surgery (including amputation)",
    "a nerve lesion on one day; no regeneration after amputation (phantom limb)",
    params(
        "causes.trauma",
        ("trauma_k_injury", 0.038, "1/h", "assumption: severity 1 damages 60 % of the nerve's fibres on the day of injury",
         "fibre injury rate on the day of the lesion"),
        ("trauma_infl", 1.5, "dimensionless", "assumption: post-operative inflammatory response",
         "inflammatory drive after the lesion"),
        ("trauma_infl_days", 7.0, "days", "assumption: acute wound inflammation resolves over about a week (Eming 2007 J Invest Dermatol)",
         "decay time of post-injury inflammation"),
    ),
    _trauma,
)

COMPRESSION = Cause(
    "compression", "Nerve compression (disc, stenosis, entrapment, tumour)",
    "injury while the nerve is compressed (entrapment, resolving disc herniation, slowly progressive stenosis, "
    "growing tumour); decompression stops it and lets fibres regrow",
    params(
        "causes.compression",
        ("cmp_k_injury", 3e-4, "1/h", "assumption: severe compression damages ~40 % of the root's fibres over weeks",
         "fibre injury rate while compressed at severity 1"),
        ("cmp_regen_block", 2.3, "dimensionless",
         "assumption: ongoing compression blocks ~70 % of regrowth, capacity 1/(1 + b) while compressed (Menorca 2013 Hand Clin)",
         "share of regeneration blocked while compressed"),
        ("cmp_infl", 0.4, "dimensionless", "assumption: disc material and ischaemia inflame the root (Olmarker 1993 Spine)",
         "inflammatory drive while compressed"),
        ("cmp_disc_resorb_days", 60.0, "days",
         "assumption: herniated disc material resorbs over months and most radicular pain resolves without surgery "
         "(Peul 2007 N Engl J Med 356:2245: median recovery 12 weeks with conservative care, ~95 % recovered at one "
         "year with or without surgery; Chiu 2015 Clin Rehabil: spontaneous regression of herniations in ~2/3)",
         "time constant of the resorption of a disc herniation (pressure decays as exp(-t/τ))"),
        ("cmp_stenosis_initial", 0.5, "fraction",
         "assumption: degenerative stenosis is symptomatic when first seen and narrows little further; about half of "
         "the pressure of a full entrapment at presentation",
         "pressure of spinal stenosis at onset, relative to a full entrapment"),
        ("cmp_stenosis_days", 5 * 365.0, "days",
         "assumption: the natural history of lumbar stenosis is mostly static or slowly progressive over years, few "
         "worsen markedly (Johnsson 1992 Clin Orthop Relat Res 279:82: 4 years untreated, 70 % unchanged, 15 % "
         "better, 15 % worse)", "time constant with which stenosis approaches full compression"),
        ("cmp_tumour_initial", 0.1, "fraction",
         "assumption: a compressive tumour is small at the onset of radicular symptoms",
         "pressure of a compressive tumour at onset, relative to a full entrapment"),
        ("cmp_tumour_doubling_days", 60.0, "days",
         "assumption: volume doubling times of growing metastases are of the order of 1-3 months (Friberg & Mattson "
         "1997 J Surg Oncol 65:284), and pressure-to-free-room odds double with each volume doubling",
         "doubling time of the tumour's pressure odds"),
    ),
    _compression,
)

CAUSES: dict[str, Cause] = {c.name: c for c in (
    NONE, DIABETES, SHINGLES, CHEMOTHERAPY, TRAUMA, COMPRESSION,
    MULTIPLE_SCLEROSIS, RHEUMATOID_ARTHRITIS, GUILLAIN_BARRE, B12_DEFICIENCY, B1_DEFICIENCY, CHARCOT_MARIE_TOOTH,
    ERYTHROMELALGIA, ALCOHOL, TOXIN, IDIOPATHIC, SPINAL_CORD_INJURY, CENTRAL_POST_STROKE, TRIGEMINAL_NEURALGIA,
)}
"""Every cause a scenario can name (``cause.type``), in the order of SYSTEM.md §5."""
