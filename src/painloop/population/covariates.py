"""Per-patient draws of each cause's covariates and of the chronification risk factors, as one declarative table.

A row of :data:`DRAWS` says: for patients of ``cause`` (``"*"``: every cause), draw ``name`` from
``dist(args)`` (clipped to ``bounds``), in ``unit``, from ``source``; the value goes to the model as the scenario
input ``name`` (``target="input"``), as the model parameter ``name`` (``target="param"``) or is kept as a
covariate only (``target="covariate"``, e.g. the chemotherapy agent that sets a severity factor). A new model
input or parameter is one more row. Rows are drawn in table order from one generator, so the same seed gives
the same patients; a ``fixed`` value in the population spec replaces the draw (e.g. an age band).

Distributions (``args``): ``normal(mean, sd)``, ``lognormal(median, gsd)`` (gsd = SD of the natural log),
``beta(a, b)``, ``uniform(lo, hi)``, ``bernoulli(p)``, ``choice(values, probabilities)``, ``constant(value)``.
An argument given as a name (e.g. ``"stress_median"``) is that population parameter (declared with its unit and
source in ``POPULATION_PARAMS``; refitted by ``painloop calibrate``).

:data:`RISK_FACTORS` names the published risk factors of chronic (neuropathic) pain and the covariate that
carries each into the model; their published odds ratios are checks in
``painloop/data/targets/validation_targets.csv`` (never tuned to).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

Dist = Literal["normal", "lognormal", "beta", "uniform", "bernoulli", "choice", "constant"]


@dataclass(frozen=True)
class Draw:
    """One per-patient draw: where it goes, its distribution, unit and source."""

    cause: str
    name: str
    target: Literal["input", "param", "covariate"]
    dist: Dist
    args: tuple
    unit: str
    source: str
    bounds: tuple[float, float] | None = None

    def describe(self) -> str:
        """The distribution in words, e.g. ``normal(62, 15) in [18, 100]``."""
        args = ", ".join(str(a) for a in self.args)
        clip = f" in [{self.bounds[0]:g}, {self.bounds[1]:g}]" if self.bounds else ""
        return f"{self.dist}({args}){clip}"


def draw(rng: np.random.Generator, d: Draw, n: int, value=None) -> np.ndarray:
    """``n`` values of the draw ``d`` (float array); ``value(name)`` resolves arguments given as parameter names."""
    a = tuple(value(x) if isinstance(x, str) and value is not None else x for x in d.args)
    if d.dist == "normal":
        x = a[0] + a[1] * rng.standard_normal(n)
    elif d.dist == "lognormal":
        x = a[0] * np.exp(a[1] * rng.standard_normal(n))
    elif d.dist == "beta":
        x = rng.beta(a[0], a[1], n)
    elif d.dist == "uniform":
        x = rng.uniform(a[0], a[1], n)
    elif d.dist == "bernoulli":
        x = (rng.random(n) < a[0]).astype(float)
    elif d.dist == "choice":
        values, probs = np.asarray(a[0], dtype=float), np.asarray(a[1], dtype=float)
        x = values[rng.choice(len(values), size=n, p=probs / probs.sum())]
    elif d.dist == "constant":
        x = np.full(n, float(a[0]))
    else:  # pragma: no cover - guarded by the Literal type and a test over the table
        raise ValueError(f"unknown distribution {d.dist!r} of draw {d.name!r}")
    if d.bounds is not None:
        x = np.clip(x, *d.bounds)
    return np.asarray(x, dtype=float)


CHEMO_AGENTS = ("paclitaxel", "docetaxel", "oxaliplatin", "cisplatin", "vincristine")
"""Agents of the chemotherapy population (covariate ``chemo_agent`` is the index into this tuple)."""

CHEMO_AGENT_SEVERITY = (1.0, 0.8, 1.0, 0.9, 0.9)
"""Relative neurotoxicity of each agent, multiplying the drawn severity. Assumption: taxanes and platinum agents
are the most neurotoxic classes, with CIPN prevalence of a similar order between them in the pooled analysis
(Seretny 2014 Pain 155:2461, subgroups by agent); docetaxel somewhat less neurotoxic than paclitaxel (Hershman
2016 / Staff 2017 Ann Neurol review)."""

_AGE_ALL = ("normal", (60.0, 12.0), "years", "assumption: typical age of people with chronic neuropathic pain in "
            "population studies (van Hecke 2014 Pain: prevalence rises with age); truncated 18-95", (18.0, 95.0))

DRAWS: tuple[Draw, ...] = (
    # --- every cause: the chronification risk factors as between-person differences ---
    Draw("*", "age", "covariate", *_AGE_ALL[:3], _AGE_ALL[3], _AGE_ALL[4]),
    Draw("*", "female", "covariate", "bernoulli", (0.5,), "0/1",
         "assumption: half women unless the cause's population says otherwise"),
    Draw("*", "severity", "input", "beta", (2.5, 2.5), "0-1",
         "assumption: acute severity of the cause (the 'acute pain severity' risk factor) spread over the whole range, "
         "mean 0.5; Beta(2.5, 2.5)"),
    Draw("*", "stress_base", "input", "lognormal", ("stress_median", "stress_gsd"), "level 0-2",
         "population parameters stress_median/stress_gsd (assumption: everyday-to-moderate life stress)", (0.0, 2.0)),
    Draw("*", "hours_in_bed", "input", "normal", ("hours_in_bed_mean", "hours_in_bed_sd"), "h",
         "population parameters hours_in_bed_mean/_sd (assumption: usual adult time in bed)", (5.0, 10.0)),
    # --- diabetes: glycaemia and duration ---
    Draw("diabetes", "hba1c", "input", "normal", (7.6, 1.5), "% HbA1c",
         "assumption: community type 2 diabetes, mean HbA1c ~7.5-7.8 % with SD ~1.5 % (Abbott 2011 Diabetes Care "
         "34:2220 cohort; NHANES 2015-2018 adults with diabetes)", (5.5, 13.0)),
    Draw("diabetes", "diabetes_years", "covariate", "lognormal", (8.0, 0.7), "years",
         "assumption: median diabetes duration ~8 years in community cohorts (Abbott 2011: mean 9-11 years by "
         "group), log-normal; truncated to 0.5-30 and to the simulated history", (0.5, 30.0)),
    Draw("diabetes", "age", "covariate", "normal", (63.0, 11.0), "years",
         "assumption: community type 2 diabetes cohorts, mean age ~63 (Abbott 2011)", (30.0, 95.0)),
    Draw("diabetes", "female", "covariate", "bernoulli", (0.45,), "0/1",
         "assumption: ~45 % women in community diabetes cohorts (Abbott 2011)"),
    # --- shingles: the age distribution of incident zoster ---
    Draw("shingles", "age", "input", "normal", (62.0, 15.0), "years",
         "assumption: age of incident herpes zoster, mean ~60 and incidence rising steeply after 50 (Yawn 2007 Mayo "
         "Clin Proc 82:1341, Olmsted County); truncated 18-100", (18.0, 100.0)),
    Draw("shingles", "female", "covariate", "bernoulli", (0.6,), "0/1",
         "assumption: ~60 % of zoster cases are women (Yawn 2007: incidence 3.9 vs 3.2 per 1000 person-years)"),
    Draw("shingles", "hz_antiviral", "input", "bernoulli", (0.6,), "0/1",
         "assumption: ~60 % of zoster patients start an antiviral within 72 h in primary care"),
    # --- chemotherapy: cycles, schedule and agent ---
    Draw("chemotherapy", "cycles", "covariate", "choice", ((4, 6, 8, 12), (0.25, 0.45, 0.2, 0.1)), "cycles",
         "assumption: usual adjuvant/first-line courses of 4-8 three-weekly or 12 weekly cycles"),
    Draw("chemotherapy", "cycle_days", "covariate", "choice", ((7, 14, 21), (0.1, 0.3, 0.6)), "days",
         "assumption: weekly, two-weekly and three-weekly schedules (three-weekly most common)"),
    Draw("chemotherapy", "chemo_agent", "covariate", "choice", ((0, 1, 2, 3, 4), (0.35, 0.15, 0.3, 0.1, 0.1)),
         "index into CHEMO_AGENTS", "assumption: agents of the trials pooled by Seretny 2014 (taxanes and platinum "
         "dominate)"),
    # --- alcohol: intake in alcohol use disorder ---
    Draw("alcohol", "drinks_per_day", "input", "lognormal", (8.0, 0.45), "drinks/day",
         "assumption: heavy daily drinking in clinical alcohol-use-disorder cohorts, median ~8 standard drinks "
         "(~100 g ethanol) per day (Julian 2019 J Neurol meta-analysis populations)", (2.0, 30.0)),
    Draw("alcohol", "female", "covariate", "bernoulli", (0.3,), "0/1",
         "assumption: ~30 % women in alcohol-use-disorder cohorts"),
    # --- trauma / surgery: amputations are a separate population (spec fixed: {amputation: 1}) ---
    Draw("trauma", "amputation", "input", "constant", (0.0,), "0/1",
         "assumption: surgery without amputation unless the spec fixes amputation: 1"),
    # --- toxins: the agent mix ---
    Draw("toxin", "toxin_agent", "covariate", "choice", ((0, 1, 2, 3), (0.4, 0.2, 0.1, 0.3)),
         "index into TOXIN_AGENTS", "assumption: isoniazid the most common drug cause, then metronidazole"),
    # --- cause-specific treatment: who gets it and when (days after onset; see CAUSE_TREATMENTS) ---
    Draw("compression", "decompressed", "covariate", "bernoulli", (0.4,), "0/1",
         "assumption: ~40 % of patients with sciatica from disc herniation have surgery within a year (Peul 2007 N Engl "
         "J Med 356:2245: 39 % of the prolonged-conservative group crossed over to surgery)"),
    Draw("compression", "decompression_day", "covariate", "uniform", (30.0, 365.0), "days after onset",
         "assumption: surgery between one month and one year after onset (Peul 2007: early surgery at ~2 weeks, "
         "crossovers later)"),
    Draw("b12_deficiency", "supplemented", "covariate", "bernoulli", (0.8,), "0/1",
         "assumption: most recognised B12 deficiency is treated (Stabler 2013 N Engl J Med 368:149)"),
    Draw("b12_deficiency", "supplement_day", "covariate", "uniform", (60.0, 365.0), "days after onset",
         "assumption: diagnosis months after symptoms begin (Stabler 2013)"),
    Draw("b1_deficiency", "supplemented", "covariate", "bernoulli", (0.8,), "0/1",
         "assumption: as B12 deficiency"),
    Draw("b1_deficiency", "supplement_day", "covariate", "uniform", (30.0, 180.0), "days after onset",
         "assumption: thiamine deficiency is usually recognised within months"),
    Draw("alcohol", "abstinent", "covariate", "bernoulli", (0.3,), "0/1",
         "assumption: about a third of treated alcohol-use-disorder patients stay abstinent over a year (Moos & Moos "
         "2006 Addiction 101:212)"),
    Draw("alcohol", "abstinence_day", "covariate", "uniform", (30.0, 365.0), "days after onset",
         "assumption: abstinence begins during the followed year"),
    Draw("toxin", "exposure_stopped", "covariate", "bernoulli", (0.7,), "0/1",
         "assumption: the offending drug is usually stopped once neuropathy is recognised"),
    Draw("toxin", "exposure_end_day", "covariate", "uniform", (30.0, 180.0), "days after onset",
         "assumption: recognised within months"),
    # --- central causes: who has them, and whether a stroke reaches the somatosensory pathway ---
    Draw("spinal_cord_injury", "age", "covariate", "normal", (43.0, 17.0), "years",
         "assumption: mean age at traumatic spinal cord injury ~40-45 years (NSCISC 2023 facts and figures)",
         (16.0, 90.0)),
    Draw("spinal_cord_injury", "female", "covariate", "bernoulli", (0.2,), "0/1",
         "assumption: ~80 % of traumatic spinal cord injuries are in men (NSCISC 2023)"),
    Draw("central_post_stroke", "age", "covariate", "normal", (70.0, 12.0), "years",
         "assumption: mean age of stroke survivors ~70 (Andersen 1995 Pain 61:187 cohort)", (30.0, 100.0)),
    Draw("central_post_stroke", "somatosensory", "input", "bernoulli", (0.45,), "0/1",
         "assumption: about 40-50 % of stroke survivors have a somatosensory deficit, i.e. a lesion of the "
         "spinothalamic–thalamocortical pathway (Andersen 1995 Pain 61:187: CPSP in 8 % of all and ~18 % of those "
         "with somatosensory deficits; Klit 2011 Pain 152:818)"),
    # --- episodic causes: their event rates ---
    Draw("multiple_sclerosis", "relapse_rate_per_year", "covariate", "lognormal", (0.5, 0.5), "1/year",
         "assumption: annualised relapse rate ~0.3-0.8 in relapsing-remitting MS cohorts", (0.0, 4.0)),
    Draw("multiple_sclerosis", "female", "covariate", "bernoulli", (0.7,), "0/1",
         "assumption: MS affects women ~2-3 times as often as men"),
    Draw("rheumatoid_arthritis", "flares_per_year", "covariate", "lognormal", (2.0, 0.5), "1/year",
         "assumption: a few flares a year in established RA", (0.0, 12.0)),
    Draw("rheumatoid_arthritis", "female", "covariate", "bernoulli", (0.7,), "0/1",
         "assumption: RA affects women ~2-3 times as often as men"),
)
"""Per-patient draws, in drawing order (cause-specific rows replace the ``*`` row of the same name)."""


CAUSE_TREATMENTS: dict[str, tuple[str, str, str]] = {
    "compression": ("release_h", "decompressed", "decompression_day"),
    "b12_deficiency": ("supplement_h", "supplemented", "supplement_day"),
    "b1_deficiency": ("supplement_h", "supplemented", "supplement_day"),
    "alcohol": ("abstinence_h", "abstinent", "abstinence_day"),
    "toxin": ("exposure_end_h", "exposure_stopped", "exposure_end_day"),
}
"""Cause-specific treatment: the model input (h) it sets, the covariate saying who gets it, and the day after onset."""


@dataclass(frozen=True)
class RiskFactor:
    """A published risk factor of chronic pain after an acute cause, the covariate carrying it and its route."""

    name: str
    covariate: str
    route: str
    source: str


RISK_FACTORS: tuple[RiskFactor, ...] = (
    RiskFactor("older age", "age", "shingles: regeneration falls with age (hz_age_ref, hz_age_scale); every cause: "
               "renally cleared drug half-lives rise with age",
               "Forbes 2016 Pain 157:30 (PHN: RR per 10 years 1.22-3.11); Kehlet 2006 Lancet 367:1618"),
    RiskFactor("female sex", "female", "pain reporting (female_pain_factor on k_nrs) and anxiety vulnerability "
               "(female_anxiety_factor)", "Abbott 2011 Diabetes Care 34:2220 (painful DPN OR 1.5); Mogil 2012 Nat Rev "
               "Neurosci"),
    RiskFactor("acute pain severity", "severity", "cause severity scales injury and inflammation",
               "Forbes 2016 Pain 157:30 (severe acute zoster pain RR 2.23, 1.71-2.92)"),
    RiskFactor("anxiety / catastrophizing", "mood_vulnerability_anxiety",
               "multiplies the anxiety drives (w_anx_*), which feed pain through catastrophizing",
               "Theunissen 2012 Clin J Pain 28:819 (anxiety and catastrophizing predict chronic post-surgical pain)"),
    RiskFactor("depression", "mood_vulnerability_depression",
               "multiplies the depressive drives (w_dep_*), which weaken descending inhibition",
               "Hinrichs-Rocker 2009 Eur J Pain 13:719 (depression among predictors of chronic post-surgical pain)"),
    RiskFactor("short sleep", "hours_in_bed", "time in bed sets sleep, which lowers next-day pain tolerance",
               "Finan 2013 J Pain 14:1539 (sleep and pain, review)"),
    RiskFactor("life stress", "stress_base", "external stress input of the HPA and stress loop",
               "McEwen 1998 N Engl J Med; Generaal 2016 (stress and chronic pain)"),
)
"""The chronification risk factors (SYSTEM.md §3-4) and how each enters the model."""


def draws_for(cause: str) -> list[Draw]:
    """The rows that apply to ``cause``: the ``*`` rows, each replaced by a cause row of the same name, then the rest."""
    own = {d.name: d for d in DRAWS if d.cause == cause}
    out = [own.pop(d.name, d) for d in DRAWS if d.cause == "*"]
    return out + [d for d in DRAWS if d.cause == cause and d.name in own]


def draw_rows() -> list[dict[str, str]]:
    """The draw table as rows (cause, name, target, distribution, unit, source) for docs and reports."""
    return [{"cause": d.cause, "name": d.name, "target": d.target, "distribution": d.describe(), "unit": d.unit,
             "source": d.source} for d in DRAWS]
