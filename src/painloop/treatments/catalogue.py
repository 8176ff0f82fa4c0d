"""The catalogue of treatments: drugs (pharmacokinetics + mechanism) and non-drug therapies.

Only real, evidence-based therapies are listed (SYSTEM.md §6); marketed
"cures" have no entry and therefore no efficacy. Pharmacokinetic numbers come
from ``targets/pharmacokinetics.csv`` (label values) with their source; a
70 kg reference adult turns volumes in L/kg into L. Absorption rate constants
are computed so that the one-compartment model reproduces the label Tmax with
the label half-life: Tmax = ln(ka/ke)/(ka - ke), ke = ln 2 / t½.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

BODY_WEIGHT_KG = 70.0
"""Reference adult body weight (kg) used to turn L/kg volumes into L (assumption: standard 70 kg adult)."""

_PK_CSV = "targets/pharmacokinetics.csv"


@dataclass(frozen=True)
class Drug:
    """A drug of the catalogue.

    ``compartments`` are the model states of its PK model (amounts in mg, or
    patches for a patch); ``dose_state`` is the one a dose record goes into.
    ``route`` is ``oral`` (bolus into the gut depot) or ``patch`` (the dose is
    a number of patches worn for ``wear_hours``: the patch state is raised at
    application and lowered at removal, a zero-order input).
    """

    name: str
    drug_class: str
    mechanism: str
    side_effects: str
    route: str
    dose_unit: str
    dose_state: str
    compartments: tuple[str, ...]
    source: str
    max_single_dose: float
    label: dict = field(default_factory=dict)
    wear_hours: float | None = None
    min_interval_h: float | None = None


@dataclass(frozen=True)
class Therapy:
    """A non-drug therapy given as a scheduled programme (start/end day).

    ``sessions_per_week`` is the reference schedule of a session-based
    therapy (its mechanism parameters are sized for it); a scenario may give
    more or fewer sessions, which scales how fast the effect builds. ``None``:
    a programme without a session count (practised daily or a device).
    """

    name: str
    mechanism: str
    source: str
    sessions_per_week: float | None = None


def ka_for_tmax(tmax_h: float, half_life_h: float) -> float:
    """Absorption rate constant (1/h) of a one-compartment oral model with the given Tmax and t½ (h)."""
    ke = math.log(2.0) / half_life_h
    lo, hi = ke * 1.000001, 100.0
    f = lambda ka: math.log(ka / ke) / (ka - ke) - tmax_h  # noqa: E731  (decreasing in ka)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if f(mid) > 0 else (lo, mid)
    return 0.5 * (lo + hi)


def volume_for_cmax(f: float, dose_mg: float, tau_h: float, half_life_h: float, tmax_h: float,
                    cmax_ng_per_ml: float) -> float:
    """Volume (L) at which the one-compartment oral model peaks at ``cmax_ng_per_ml`` at steady state.

    Used where a label gives a steady-state Cmax but its volume (an IV Vss or a
    terminal-phase volume) does not fit a one-compartment oral model: the
    concentration scales as 1/V, so V follows from the steady-state profile
    F·D·ka/(V(ka − ke))·[e^(−ke·t)/(1 − e^(−ke·τ)) − e^(−ka·t)/(1 − e^(−ka·τ))],
    0 ≤ t ≤ τ, with ka from :func:`ka_for_tmax`.
    """
    ke = math.log(2.0) / half_life_h
    ka = ka_for_tmax(tmax_h, half_life_h)
    peak = max(math.exp(-ke * t) / (1.0 - math.exp(-ke * tau_h)) - math.exp(-ka * t) / (1.0 - math.exp(-ka * tau_h))
               for t in (tau_h * i / 2000 for i in range(2001)))
    return f * dose_mg * ka / (ka - ke) * peak / (cmax_ng_per_ml / 1000.0)


DRUGS: dict[str, Drug] = {d.name: d for d in (
    Drug("duloxetine", "SNRI", "raises descending serotonergic and noradrenergic inhibition",
         "nausea, drowsiness", "oral", "mg", "duloxetine_gut", ("duloxetine_gut", "duloxetine_gut2", "duloxetine_central"),
         "Cymbalta label (" + _PK_CSV + ")", 120.0,
         dict(bioavailability=0.50, half_life_h=12.0, tmax_h=6.0, volume_L=1640.0 * 0.50,
              volume_source="Cymbalta label (" + _PK_CSV + "): 1640 L is the apparent volume V/F after oral dosing "
                            "(as in Sharma et al. 2000 J Clin Pharmacol 40:161, oral V/F 1943 L), so V = 1640 L × F 0.50 "
                            "because the model applies F to the dose")),
    Drug("amitriptyline", "TCA", "raises descending 5-HT/NA inhibition (parent and nortriptyline); sodium-channel block of ectopic firing",
         "drowsiness, weight gain, dry mouth, cognitive fog", "oral", "mg", "amitriptyline_gut",
         ("amitriptyline_gut", "amitriptyline_central", "nortriptyline_central"),
         "Schulz et al. 1985; label (" + _PK_CSV + ")", 150.0,
         dict(bioavailability=0.53, half_life_h=21.0, tmax_h=4.0, volume_L=15.0 * BODY_WEIGHT_KG)),
    Drug("pregabalin", "gabapentinoid", "alpha2-delta ligand: reduces calcium-dependent glutamate release",
         "drowsiness, dizziness, weight gain", "oral", "mg", "pregabalin_gut", ("pregabalin_gut", "pregabalin_central"),
         "Lyrica label; Bockbrader et al. 2010 Clin Pharmacokinet (" + _PK_CSV + ")", 300.0,
         dict(bioavailability=0.90, half_life_h=6.3, tmax_h=1.0, volume_L=0.5 * BODY_WEIGHT_KG)),
    Drug("gabapentin", "gabapentinoid", "alpha2-delta ligand: reduces calcium-dependent glutamate release (saturable absorption)",
         "drowsiness, dizziness, weight gain", "oral", "mg", "gabapentin_gut", ("gabapentin_gut", "gabapentin_central"),
         "Neurontin label (" + _PK_CSV + ")", 1600.0,
         dict(bioavailability="0.60 at 900 mg/d … 0.27 at 4800 mg/d (saturable)", half_life_h=6.0, tmax_h=3.0, volume_L=58.0)),
    Drug("tramadol", "weak opioid", "mu-opioid agonism via O-desmethyltramadol (M1); weak 5-HT/NA reuptake inhibition",
         "nausea, drowsiness, dizziness, dependence, withdrawal, tolerance", "oral", "mg", "tramadol_gut",
         ("tramadol_gut", "tramadol_central", "m1_central"),
         "Ultram label; Grond & Sablotzki 2004 (" + _PK_CSV + ")", 100.0,
         dict(bioavailability=0.75, half_life_h=6.0, tmax_h=2.0, volume_L=2.7 * BODY_WEIGHT_KG)),
    Drug("oxycodone", "strong opioid", "mu-opioid central analgesia (not first line), with tolerance and dependence",
         "drowsiness, nausea, cognitive fog, dependence, withdrawal, tolerance", "oral", "mg", "oxycodone_gut",
         ("oxycodone_gut", "oxycodone_central"), "OxyContin label (" + _PK_CSV + ")", 80.0,
         dict(bioavailability=0.75, half_life_h=3.5, tmax_h=1.5, volume_L=volume_for_cmax(0.75, 5.0, 6.0, 3.5, 1.5, 15.7),
              volume_source="computed: the one-compartment volume giving the Roxicodone label's steady-state Cmax "
                            "15.7 ng/mL at 5 mg every 6 h (painloop/data/label_cmax.csv; the label's 2.6 L/kg is the "
                            "volume after IV dosing and overpredicts the oral peak by ~50 %)")),
    Drug("morphine", "strong opioid", "mu-opioid central analgesia (not first line), with tolerance and dependence",
         "drowsiness, nausea, cognitive fog, dependence, withdrawal, tolerance", "oral", "mg", "morphine_gut",
         ("morphine_gut", "morphine_central"), "label (" + _PK_CSV + ")", 200.0,
         dict(bioavailability=0.30, half_life_h=3.0, tmax_h=1.0, volume_L=volume_for_cmax(0.30, 30.0, 6.0, 3.0, 1.0, 68.0),
              volume_source="computed: the one-compartment volume giving a steady-state Cmax of 68 ng/mL at 30 mg "
                            "every 6 h, the mean of the morphine sulfate tablets label's ~78 ng/mL (tablets) and "
                            "~58 ng/mL (oral solution) (painloop/data/label_cmax.csv; label volume 1-6 L/kg)")),
    Drug("ibuprofen", "NSAID (anti-inflammatory)", "COX inhibition: lowers peripheral inflammatory mediators",
         "nausea (gastric)", "oral", "mg", "ibuprofen_gut", ("ibuprofen_gut", "ibuprofen_central"),
         "Davies 1998 Clin Pharmacokinet 34:101 (t½ ~2 h, Tmax ~1.5 h, F ~0.9, V ~0.15 L/kg)", 800.0,
         dict(bioavailability=0.90, half_life_h=2.0, tmax_h=1.5, volume_L=volume_for_cmax(0.90, 400.0, 8.0, 2.0, 1.5, 31880.0),
              volume_source="computed: the one-compartment volume giving the peak 31.88 µg/mL after 400 mg standard "
                            "ibuprofen tablets (Dewland et al. 2009 BMC Clin Pharmacol 9:19; with t½ 2 h, 8-hourly "
                            "dosing hardly accumulates; painloop/data/label_cmax.csv); Davies 1998: V/F ~0.1-0.2 L/kg")),
    Drug("lidocaine_5pct_patch", "local anaesthetic (topical)", "blocks sodium channels: suppresses ectopic firing locally",
         "few (local skin reactions)", "patch", "patches", "lidocaine_patch_on", ("lidocaine_patch_on", "lidocaine_local"),
         "Lidoderm label (" + _PK_CSV + "): 12 h on / 12 h off, systemic Cmax ~130 ng/mL: local action", 3.0,
         wear_hours=12.0),
    Drug("capsaicin_8pct_patch", "TRPV1 agonist (topical)", "defunctionalises peripheral nociceptors for weeks",
         "local burning at application", "patch", "patches", "capsaicin_patch_on",
         ("capsaicin_patch_on", "capsaicin_defunctionalisation"),
         "Qutenza label (" + _PK_CSV + "): single 30-60 min application, effect up to ~12 weeks, repeat every 90 days at most",
         4.0, wear_hours=1.0, min_interval_h=90 * 24.0),
)}

MAX_DAILY_DOSE: dict[str, tuple[float, str]] = {
    "duloxetine": (120.0, "Cymbalta US prescribing information: at most 120 mg/day (60 mg once daily for DPNP)"),
    "amitriptyline": (150.0, "amitriptyline US label: outpatients up to 150 mg/day"),
    "pregabalin": (600.0, "Lyrica US label: at most 600 mg/day in 2-3 divided doses (300 mg/day for DPN)"),
    "gabapentin": (3600.0, "Neurontin US label: doses up to 3600 mg/day studied (1800 mg/day for PHN)"),
    "tramadol": (400.0, "Ultram US label: not more than 400 mg/day"),
    "oxycodone": (160.0, "assumption: the OxyContin label sets no ceiling (total daily doses above 80 mg only for "
                         "opioid-tolerant patients); 160 mg/day = the catalogue's largest dose twice a day"),
    "morphine": (400.0, "assumption: morphine labels set no ceiling; 400 mg/day = twice the catalogue's largest "
                        "single dose, well above the doses of neuropathic-pain trials"),
    "ibuprofen": (3200.0, "ibuprofen prescription label: do not exceed 3200 mg/day"),
    "lidocaine_5pct_patch": (3.0, "Lidoderm label: up to 3 patches at once, worn up to 12 h within a 24 h period"),
    "capsaicin_8pct_patch": (4.0, "Qutenza label: at most 4 patches per application"),
}
"""Largest amount per 24 h of each drug (its dose unit) with the source: the label maximum daily dose."""

MIN_DOSING_INTERVAL_H = 1.0
"""Shortest dosing interval accepted, h (assumption: no oral or topical regimen of the catalogue is given more
often than hourly; the daily maximum then bounds the amount)."""


def doses_per_day(every_hours: float | None) -> int:
    """Most doses that fall within any 24 h window for a dose every ``every_hours`` h (None: a single dose)."""
    if every_hours is None or every_hours >= 24.0:
        return 1
    return math.ceil(24.0 / every_hours - 1e-9)


def check_daily_dose(drug: str, dose: float, every_hours: float | None) -> None:
    """Raise ``ValueError`` if ``dose`` every ``every_hours`` h exceeds the drug's daily maximum (with its source)."""
    d = DRUGS[drug]
    if every_hours is not None and every_hours < MIN_DOSING_INTERVAL_H:
        raise ValueError(f"{drug}: dosing interval {every_hours:g} h is shorter than the minimum of "
                         f"{MIN_DOSING_INTERVAL_H:g} h")
    limit, source = MAX_DAILY_DOSE[drug]
    daily = dose * doses_per_day(every_hours)
    if daily > limit + 1e-9:
        freq = "once" if every_hours is None else f"every {every_hours:g} h"
        raise ValueError(f"{drug} {dose:g} {d.dose_unit} {freq} gives {daily:g} {d.dose_unit} within 24 h, above the "
                         f"daily maximum of {limit:g} {d.dose_unit} ({source})")


THERAPIES: dict[str, Therapy] = {t.name: t for t in (
    Therapy("cbt", "lowers catastrophizing, anxiety/depressive drive and stress appraisal, restores participation (skill that "
            "persists after the course)",
            "Williams et al. 2012 Cochrane: SMD pain -0.21, mood -0.38 (targets/nondrug.csv)"),
    Therapy("exercise", "raises activity and fitness, lowers muscle tension, exercise-induced descending inhibition",
            "assumption: Geneen 2017 Cochrane overview (small benefits on pain and function)"),
    Therapy("sleep_hygiene", "lowers pre-sleep arousal: longer, less fragmented sleep",
            "assumption: CBT-I/sleep hygiene improves sleep efficiency (Irwin 2006 Health Psychol)"),
    Therapy("tens", "segmental (gate-like) inhibition while the stimulator is on",
            "Johnson et al. 2022 BMJ Open: SMD pain -0.96 during/after treatment (targets/nondrug.csv)"),
    Therapy("mindfulness", "lowers stress appraisal, depressive/anxious drive and catastrophizing (practice skill)",
            "assumption: Hilton et al. 2017 Ann Behav Med meta-analysis (small effects on pain, larger on depression); "
            "reference 8-week MBSR-type course, one group session a week plus home practice", 1.0),
    Therapy("acupuncture", "gate-like and endogenous-opioid modulation of dorsal-horn gain lasting days after sessions",
            "assumption: Vickers et al. 2018 J Pain IPD meta-analysis (effect over sham small, fades after treatment); "
            "reference two sessions a week", 2.0),
    Therapy("support_group", "less isolation: more social participation, lower depressive drive and stress appraisal",
            "assumption: peer support lowers depressive symptoms (Pfeiffer et al. 2011 Gen Hosp Psychiatry); "
            "reference one meeting a week", 1.0),
    Therapy("lifestyle", "alcohol reduction and anti-inflammatory diet: lower inflammatory drive and sleep arousal",
            "assumption: Mediterranean-type diet lowers inflammatory markers (Schwingshackl & Hoffmann 2014 Nutr Metab "
            "Cardiovasc Dis); alcohol fragments sleep (Ebrahim 2013 Alcohol Clin Exp Res); reference one coaching "
            "session a week", 1.0),
    Therapy("physical_therapy", "supervised exercise (builds the exercise habit) and manual therapy/stretching that lower "
            "muscle tension while the programme runs",
            "assumption: Geneen 2017 Cochrane overview; reference two supervised sessions a week", 2.0),
)}

SESSION_THERAPIES: tuple[str, ...] = tuple(n for n, t in THERAPIES.items() if t.sessions_per_week is not None)
"""Therapies whose schedule is given in sessions per week."""

ORAL_FREQUENCIES = {"qd": 24.0, "od": 24.0, "daily": 24.0, "qhs": 24.0, "bid": 12.0, "tid": 8.0, "qid": 6.0}
