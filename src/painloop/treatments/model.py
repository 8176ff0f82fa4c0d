"""Treatments as part of the ODE system: PK compartments, pharmacodynamics, side effects, non-drug therapies.

Pharmacokinetics: every drug is a compartment model whose amounts (mg) are
model states; a dose is added to the drug's depot by the engine exactly at the
dose time (see :mod:`painloop.simulate._kernel`), so the vector field only
carries first-order transfer and elimination. Concentrations are amount /
volume (mg/L). Patches are zero-order inputs: the number of patches worn is a
state the engine raises at application and lowers at removal.

Pharmacodynamics act on named mechanisms through Emax (Hill) functions of
concentration. Each EC50 is written relative to the average steady-state
concentration of a standard dose, Css = F·D/(CL·τ) with CL = ke·V, computed
from the same PK parameters.

When a scenario has no treatments (``q`` has no ``treated`` key) every rate of
this subsystem is zero and every output is neutral (factors 1, additions 0), so
the untreated model is unchanged and costs nothing extra.
"""

from __future__ import annotations

import math

from ..causes._base import window
from ..model._declare import Ctx, Param, Range, Subsystem, fold, outputs, params, states
from .catalogue import BODY_WEIGHT_KG, DRUGS, SESSION_THERAPIES, ka_for_tmax

NAME = "treatments"
LN2 = math.log(2.0)
_CSV = "targets/pharmacokinetics.csv"


def css(f: float, dose_mg: float, half_life_h: float, volume_l: float, tau_h: float) -> float:
    """Average steady-state concentration (mg/L) of a one-compartment model: F·D / (ke·V·τ)."""
    return f * dose_mg / (LN2 / half_life_h * volume_l * tau_h)


_ORAL = ("duloxetine", "amitriptyline", "pregabalin", "tramadol", "oxycodone", "morphine", "ibuprofen")
_GBP = dict(vmax=75.14, km=17.39, kloss=0.3992)
_DULOX_K = 0.7037
_FM_NT, _NT_HALF, _NT_V = 0.5, 28.0, 20.0 * BODY_WEIGHT_KG
_FM_M1, _M1_HALF = 0.154, 7.4

# standard doses defining the reference concentrations of the PD (mg, dosing interval h)
_REF = {"duloxetine": (60.0, 24.0), "amitriptyline": (25.0, 24.0), "pregabalin": (150.0, 12.0),
        "gabapentin": (600.0, 8.0), "tramadol": (75.0, 6.0), "oxycodone": (10.0, 6.0), "morphine": (15.0, 6.0),
        "ibuprofen": (400.0, 8.0)}


_PK_RANGE = fold(2.0, "assumption: between-person variability of half-lives, volumes, bioavailability and absorption "
                      "(coefficients of variation ~30-50 % in label PK tables), two-fold either side; fractions at most 1")
_LABEL_RANGES: dict[str, Range] = {
    "duloxetine_half_life": Range(8.0, 17.0, "Cymbalta label: elimination half-life about 12 h, range 8-17 h"),
    "duloxetine_F": Range(0.32, 0.80, "Cymbalta label: oral bioavailability 32-80 % (mean 50 %)"),
    "oxycodone_F": Range(0.60, 0.87, "OxyContin label: oral bioavailability 60-87 %"),
    "gabapentin_half_life": Range(5.0, 7.0, "Neurontin label: elimination half-life 5-7 h"),
}
"""Published between-person ranges of PK parameters, where the label gives one."""


def _with_range(row: tuple) -> tuple:
    """A PK row with its label range where :data:`_LABEL_RANGES` has one (otherwise the PK default)."""
    return row + (_LABEL_RANGES[row[0]],) if row[0] in _LABEL_RANGES else row


def _pk_params() -> list[Param]:
    rows = []
    for d in _ORAL:
        lab, src = DRUGS[d].label, DRUGS[d].source
        rows.append((f"{d}_half_life", lab["half_life_h"], "h", src, f"elimination half-life of {d}"))
        rows.append((f"{d}_F", lab["bioavailability"], "fraction", src, f"oral bioavailability of {d}"))
        rows.append((f"{d}_V", lab["volume_L"], "L",
                     lab.get("volume_source", src + " (L/kg × 70 kg reference adult)"),
                     f"volume of distribution of {d}"))
        if d == "duloxetine":
            rows.append(("duloxetine_k_abs", _DULOX_K, "1/h",
                         "computed: two-stage (delayed-release, ~2 h lag) absorption rate giving the label Tmax 6 h "
                         "with t½ 12 h (" + src + ")", "rate constant of each of the two gut transit stages"))
        else:
            ka = ka_for_tmax(lab["tmax_h"], lab["half_life_h"])
            rows.append((f"{d}_ka", ka, "1/h",
                         f"computed: ka giving the label Tmax {lab['tmax_h']:g} h with t½ {lab['half_life_h']:g} h ({src})",
                         f"first-order absorption rate constant of {d}"))
    gsrc = DRUGS["gabapentin"].source
    rows += [
        ("gabapentin_half_life", 6.0, "h", gsrc, "elimination half-life of gabapentin"),
        ("gabapentin_V", 58.0, "L", gsrc, "volume of distribution of gabapentin"),
        ("gabapentin_vmax", _GBP["vmax"], "mg/h",
         "computed: least-squares fit of saturable (Michaelis-Menten) absorption with gut transit loss to the label "
         "bioavailability 0.60/0.47/0.34/0.33/0.27 at 900/1200/2400/3600/4800 mg/d (tid) and Tmax 3 h (" + gsrc + ")",
         "maximal absorption rate of the saturable L-amino-acid transporter"),
        ("gabapentin_km", _GBP["km"], "mg", "computed: same fit (" + gsrc + ")",
         "gut amount at half-maximal absorption rate"),
        ("gabapentin_k_loss", _GBP["kloss"], "1/h", "computed: same fit (" + gsrc + ")",
         "rate of unabsorbed gabapentin leaving the absorption window (gut transit)"),
        ("amitriptyline_fm", _FM_NT, "fraction",
         "assumption: about half of amitriptyline is N-demethylated to nortriptyline (nortriptyline exposure comparable "
         "to the parent; Schulz et al. 1985)", "fraction of amitriptyline elimination forming nortriptyline"),
        ("nortriptyline_half_life", _NT_HALF, "h", "Schulz et al. 1985 (" + _CSV + " note: t½ ~26-30 h)",
         "elimination half-life of nortriptyline"),
        ("nortriptyline_V", _NT_V, "L", "assumption: ~20 L/kg (lipophilic TCA like the parent) × 70 kg",
         "volume of distribution of nortriptyline"),
        ("tramadol_fm", _FM_M1, "fraction",
         "fitted: the fraction giving the Ultram label's steady-state M1 Cmax of 110 ng/mL at 100 mg qid "
         "(painloop/data/label_cmax.csv); CYP2D6 O-demethylation forms M1 from a minority of tramadol "
         "(Grond & Sablotzki 2004)",
         "fraction of tramadol elimination forming O-desmethyltramadol"),
        ("m1_half_life", _M1_HALF, "h", "Ultram label: M1 mean terminal t½ 7.4 h",
         "elimination half-life of O-desmethyltramadol (M1)"),
        ("m1_V", 2.7 * BODY_WEIGHT_KG, "L", "assumption: as the parent (2.7 L/kg, " + _CSV + ") × 70 kg",
         "volume of distribution of M1"),
    ]
    return list(params(NAME, *map(_with_range, rows), ranges=_PK_RANGE))


def _ref(d: str) -> float:
    dose, tau = _REF[d]
    if d == "gabapentin":
        return css(0.428, dose, 6.0, 58.0, tau)  # F at 600 mg from the saturable model fit above
    lab = DRUGS[d].label
    return css(lab["bioavailability"], dose, lab["half_life_h"], lab["volume_L"], tau)


_NT_REF = css(_FM_NT * 0.53, 25.0, _NT_HALF, _NT_V, 24.0)
_M1_REF = css(_FM_M1 * 0.75, 75.0, _M1_HALF, 2.7 * BODY_WEIGHT_KG, 6.0)
_C = "computed: average steady-state concentration Css = F·D/(ke·V·τ) of"

PD_PARAMS = params(
    NAME,
    ("duloxetine_ec50", _ref("duloxetine"), "mg/L", f"{_C} 60 mg qd (assumption: half-maximal effect at the standard dose)",
     "duloxetine concentration at half-maximal reuptake effect"),
    ("emax_dulox_desc", 1.901, "dimensionless",
     "fitted: NNT 6.4 for SNRIs (duloxetine 30→60 mg qd; Finnerup 2015) by painloop.trials.calibrate on the built-in 'finnerup' design (seed 2015, 900 virtual twins per arm; refitted after the natural-history model of 2026-12 with the mood medians fitted first: coarse pass, then --refine); a tuning target, not independent evidence",
     "maximal rise of the descending 5-HT/NA target by duloxetine"),
    ("amitriptyline_ec50", _ref("amitriptyline"), "mg/L", f"{_C} 25 mg qd (assumption: half-maximal at the usual low dose)",
     "amitriptyline concentration at half-maximal effect"),
    ("nortriptyline_ec50", _NT_REF, "mg/L", f"{_C} nortriptyline formed from 25 mg/d amitriptyline",
     "nortriptyline concentration at half-maximal effect"),
    ("emax_tca_desc", 1.329, "dimensionless",
     "fitted: NNT 3.6 for TCAs (amitriptyline 25→50 mg qhs; Finnerup 2015 Lancet Neurol, targets/trials_neuropathic.csv) by painloop.trials.calibrate on the built-in 'finnerup' design (seed 2015, 900 virtual twins per arm; refitted after the natural-history model of 2026-12 with the mood medians fitted first: coarse pass, then --refine); a tuning target, not independent evidence",
     "maximal rise of the descending target by the TCA (parent 5-HT+NA, nortriptyline NA)"),
    ("emax_tca_nav", 0.15, "fraction", "assumption: modest sodium-channel block of ectopic firing at analgesic doses",
     "maximal block of ectopic firing by amitriptyline"),
    ("pregabalin_ec50", _ref("pregabalin"), "mg/L", f"{_C} 150 mg bid (assumption: half-maximal at 300 mg/d)",
     "pregabalin concentration at half-maximal effect"),
    ("gabapentin_ec50", _ref("gabapentin"), "mg/L", f"{_C} 600 mg tid with F 0.43 (saturable absorption model)",
     "gabapentin concentration at half-maximal effect"),
    ("emax_gabapentinoid", 0.5298, "fraction",
     "fitted: NNT 7.7 for pregabalin (75→150 mg bid; Finnerup 2015) by painloop.trials.calibrate on the built-in 'finnerup' design (seed 2015, 900 virtual twins per arm; refitted after the natural-history model of 2026-12 with the mood medians fitted first: coarse pass, then --refine); a tuning target, not independent evidence",
     "maximal reduction of glutamate release by gabapentinoids"),
    ("tramadol_ec50", _ref("tramadol"), "mg/L", f"{_C} 75 mg qid", "tramadol concentration at half-maximal reuptake effect"),
    ("emax_tramadol_desc", 0.7032, "dimensionless",
     "fitted: NNT 4.7 for tramadol (50→75 mg qid, with emax_opioid for M1; Finnerup 2015) by painloop.trials.calibrate "
     "grid_frames on the built-in 'finnerup' design (seed 2015, 900 virtual twins per arm; refitted after the "
     "natural-history model of 2026-12, after emax_opioid); a tuning target, not independent evidence",
     "maximal rise of descending target by tramadol parent"),
    ("m1_ref", _M1_REF, "mg/L", f"{_C} M1 at 75 mg qid tramadol (300 mg/d ≈ 60 mg/d oral morphine, CDC factor 0.2)",
     "M1 concentration equivalent to 60 mg/d oral morphine"),
    ("oxycodone_ref", _ref("oxycodone"), "mg/L", f"{_C} 10 mg q6h (40 mg/d ≈ 60 mg/d oral morphine, CDC factor 1.5)",
     "oxycodone concentration equivalent to 60 mg/d oral morphine"),
    ("morphine_ref", _ref("morphine"), "mg/L", f"{_C} 15 mg q6h (60 mg/d oral morphine)",
     "morphine concentration equivalent to 60 mg/d oral morphine"),
    ("emax_opioid", 0.95, "fraction",
     "fitted towards NNT 4.3 for strong opioids (oxycodone titrated to 80 mg/d; Finnerup 2015) by painloop.trials.calibrate "
     "on the built-in 'finnerup' design (seed 2015, 900 virtual twins per arm): the search reached its upper bound 0.95 "
     "(gain reduction must stay below 1; tolerance limits relief), giving NNT 6.1 at the 2026-12 refit (responder difference 0.164), just above the published CI 3.4-5.8; "
     "a tuning target, not independent evidence",
     "maximal central analgesia of mu-opioids"),
    ("k_opioid_tolerance", 3.0, "dimensionless",
     "assumption: full tolerance shifts EC50 4-fold, so relief at a constant dose roughly halves over weeks "
     "(Chu 2006 J Pain: analgesic tolerance within 1 month)", "EC50 shift per unit tolerance"),
    ("tau_opioid_tolerance", 14 * 24.0, "h", "assumption: tolerance develops over ~2 weeks (Chu 2006 J Pain)",
     "time constant of opioid tolerance"),
    ("tau_opioid_dependence", 7 * 24.0, "h",
     "assumption: physical dependence builds and resolves over ~1 week (withdrawal lasts days to a week; Kosten 2003 Sci Pract Perspect)",
     "time constant of opioid dependence"),
    ("g_withdrawal_pain", 1.0, "dimensionless",
     "assumption: full withdrawal doubles pain gain (opioid-withdrawal hyperalgesia; Chu 2009 Clin J Pain)",
     "pain gain per unit withdrawal"),
    ("g_withdrawal_anxiety", 1.5, "dimensionless", "assumption: withdrawal is dysphoric and anxiogenic (COWS items)",
     "anxiety drive per unit withdrawal"),
    ("g_withdrawal_arousal", 0.2, "dimensionless", "assumption: withdrawal insomnia",
     "sleep arousal per unit withdrawal"),
    ("g_withdrawal_dysphoria", 0.2, "dimensionless",
     "assumption: opioid withdrawal is dysphoric (dysphoric mood is a DSM-5 withdrawal criterion; Kosten 2003 Sci "
     "Pract Perspect); chosen small so that the calibrated strong-opioid NNT (Finnerup 2015) holds: the brief "
     "withdrawal at the troughs between doses also acts", "depressive drive per unit withdrawal"),
    # direct (monoaminergic) mood effect of antidepressants, separate from their analgesia
    ("emax_antidepressant_mood", 0.15, "fraction",
     "assumption: the drug-placebo difference of antidepressants on depressive symptoms is modest (SMD ~0.3; "
     "Cipriani 2018 Lancet); chosen small so that the calibrated trial figures hold",
     "maximal reduction of the depressive drive by the direct mood effect of antidepressants"),
    ("tau_antidepressant_onset", 14 * 24.0, "h",
     "assumption: antidepressant response builds over 2-4 weeks, with improvement starting in the first 2 weeks "
     "(Taylor 2006 Arch Gen Psychiatry)", "time constant of the direct mood effect of antidepressants"),
    ("amitriptyline_mood_fold", 4.0, "dimensionless",
     "assumption: antidepressant doses of amitriptyline (75-150 mg/d) are several times the analgesic dose "
     "(10-25 mg/d; Moore 2015 Cochrane Database Syst Rev CD008242), so its mood EC50 is 4 × the analgesic one",
     "mood EC50 of amitriptyline and nortriptyline relative to their analgesic EC50"),
    ("ibuprofen_ec50", _ref("ibuprofen"), "mg/L", f"{_C} 400 mg tid", "ibuprofen concentration at half-maximal effect"),
    ("emax_nsaid", 0.6, "fraction",
     "assumption: COX inhibition removes most prostaglandin-driven nociception from inflamed tissue and muscle; it "
     "does not act on neuropathic input (Moore 2015 Cochrane Database Syst Rev CD010902: no evidence of NSAID "
     "efficacy in neuropathic pain)",
     "maximal reduction of the musculoskeletal and inflammatory pain inputs by NSAIDs"),
    ("tau_lidocaine_local", 4.0, "h",
     "assumption: lidocaine accumulates in and leaves the skin under the patch over hours (Lidoderm label: local action)",
     "time constant of local lidocaine under the patch"),
    ("emax_lidocaine", 0.5, "fraction", "assumption: ectopic discharge is blocked in the patch area only (partial cover of the painful area)",
     "maximal block of ectopic firing by lidocaine patches"),
    ("lidocaine_ec50", 1.0, "patches", "assumption: half-maximal local block with one patch fully absorbed",
     "local lidocaine (patch-equivalents) at half-maximal block"),
    ("k_capsaicin", 1.5, "1/h", "assumption: a 60 min application defunctionalises ~80 % of epidermal nociceptors (Qutenza label)",
     "defunctionalisation rate while the capsaicin patch is on"),
    ("tau_capsaicin_recovery", 42 * 24.0, "h",
     "assumption: nociceptor terminals regrow over weeks; effect largely gone by ~12 weeks (Qutenza label, " + _CSV + ")",
     "time constant of recovery from defunctionalisation"),
    ("emax_capsaicin", 0.8664, "fraction",
     "fitted: NNT 10.6 for the capsaicin 8 % patch (weeks 2-12 average; Finnerup 2015) by painloop.trials.calibrate on the built-in 'finnerup' design (seed 2015, 900 virtual twins per arm; refitted after the natural-history model of 2026-12 with the mood medians fitted first: coarse pass, then --refine); a tuning target, not independent evidence",
     "reduction of ectopic/peripheral input at full defunctionalisation"),
    # side effects: maximal scores (0-1) at high exposure
    ("se_dulox_nausea", 0.5, "score 0-1", "assumption: nausea is the commonest duloxetine adverse event (~20-25 %, label)",
     "maximal nausea from duloxetine"),
    ("se_dulox_drowsy", 0.3, "score 0-1", "assumption: somnolence ~10-15 % (label)", "maximal drowsiness from duloxetine"),
    ("se_tca_drowsy", 0.7, "score 0-1", "assumption: sedation is the leading TCA effect (label)", "maximal drowsiness from the TCA"),
    ("se_tca_anticholinergic", 0.7, "score 0-1", "assumption: dry mouth common on TCAs (label)", "maximal dry mouth from the TCA"),
    ("se_tca_fog", 0.3, "score 0-1", "assumption: anticholinergic cognitive effects", "maximal cognitive fog from the TCA"),
    ("se_gaba_drowsy", 0.5, "score 0-1", "assumption: somnolence ~15-25 % on gabapentinoids (labels)",
     "maximal drowsiness from gabapentinoids"),
    ("se_gaba_dizzy", 0.6, "score 0-1", "assumption: dizziness ~20-30 % on gabapentinoids (labels)",
     "maximal dizziness from gabapentinoids"),
    ("se_opioid_drowsy", 0.6, "score 0-1", "assumption: sedation common at opioid initiation", "maximal drowsiness from opioids"),
    ("se_opioid_nausea", 0.5, "score 0-1", "assumption: nausea ~20-30 % (McNicol 2013)", "maximal nausea from opioids"),
    ("se_opioid_fog", 0.5, "score 0-1", "assumption: opioid-induced cognitive impairment", "maximal cognitive fog from opioids"),
    ("se_dulox_sexual", 0.45, "score 0-1",
     "assumption: treatment-emergent sexual dysfunction in roughly 40-50 % of people on SNRIs (Serretti & Chiesa 2009 "
     "J Clin Psychopharmacol meta-analysis: duloxetine and venlafaxine among the higher rates)",
     "maximal sexual dysfunction from duloxetine"),
    ("se_tca_sexual", 0.3, "score 0-1",
     "assumption: TCAs cause sexual dysfunction, less often than SNRIs at low analgesic doses (Serretti & Chiesa "
     "2009 J Clin Psychopharmacol: rates vary widely between tricyclics)",
     "maximal sexual dysfunction from the TCA"),
    ("se_opioid_sexual", 0.2, "score 0-1",
     "assumption: long-term opioids lower libido through opioid-induced androgen deficiency (Brennan 2013 Am J Med)",
     "maximal sexual dysfunction from opioids"),
    ("weight_burden_kg", 5.0, "kg",
     "assumption: a gain of about 7 % of body weight (≈ 5 kg at 70 kg, the label's clinically significant gain for "
     "pregabalin) weighs as a full side effect", "drug-induced weight gain counted as a full side-effect burden"),
    ("weight_gain_gaba", 3.0, "kg", "assumption: mean gain of a few kg on long-term pregabalin (label: ≥7 % gain in ~4-9 %)",
     "steady weight gain at full gabapentinoid exposure"),
    ("weight_gain_tca", 3.0, "kg", "assumption: TCA weight gain of a few kg (label)", "steady weight gain at full TCA exposure"),
    ("tau_weight", 60 * 24.0, "h", "assumption: body weight changes over months", "time constant of drug-induced weight change"),
    ("w_drowsy_fatigue", 0.5, "dimensionless", "assumption: daytime sedation adds to fatigue",
     "fatigue drive per unit drowsiness"),
    ("w_drowsy_sleep", 0.5, "fraction", "assumption: sedating drugs lower pre-sleep arousal (pregabalin/amitriptyline improve sleep scores)",
     "relative reduction of sleep arousal per unit drowsiness"),
    ("w_dizzy_activity", 0.3, "dimensionless", "assumption: dizziness and nausea reduce daily activity",
     "activity loss per unit dizziness + nausea"),
    # non-drug therapies
    ("tau_skill_learn", 28 * 24.0, "h", "assumption: CBT/sleep-hygiene skills build over weeks of a course",
     "time constant of learning during a programme"),
    ("tau_skill_fade", 365 * 24.0, "h", "assumption: learned coping/sleep skills fade over about a year without booster",
     "time constant of fading after a programme"),
    ("tau_exercise_habit", 14 * 24.0, "h", "assumption: an exercise habit builds within ~2 weeks", "time constant of exercise habit"),
    ("tau_exercise_fade", 56 * 24.0, "h", "assumption: adherence falls over ~2 months after supervised exercise ends",
     "time constant of fading exercise habit"),
    ("cbt_catastrophizing", 0.1, "fraction",
     "fitted: SMD vs usual care pain -0.22 / mood -0.38 (targets Williams 2012 Cochrane -0.21 / -0.38) on the built-in 'cbt' trial design, seed 2015, by painloop.trials.calibrate.therapy_smd_grid over cbt_catastrophizing, cbt_appraisal 0.1-0.5 and cbt_mood 0.16-0.35",
     "reduction of catastrophizing amplification at full CBT skill"),
    ("cbt_appraisal", 0.1, "fraction", "fitted: SMD vs usual care pain -0.22 / mood -0.38 (targets Williams 2012 Cochrane -0.21 / -0.38) on the built-in 'cbt' trial design, seed 2015, by painloop.trials.calibrate.therapy_smd_grid over cbt_catastrophizing, cbt_appraisal 0.1-0.5 and cbt_mood 0.16-0.35",
     "reduction of stress appraisal at full CBT skill"),
    ("cbt_mood", 0.16, "fraction", "fitted: SMD vs usual care pain -0.22 / mood -0.38 (targets Williams 2012 Cochrane -0.21 / -0.38) on the built-in 'cbt' trial design, seed 2015, by painloop.trials.calibrate.therapy_smd_grid over cbt_catastrophizing, cbt_appraisal 0.1-0.5 and cbt_mood 0.16-0.35",
     "reduction of depressive/anxious drive at full CBT skill"),
    ("cbt_participation", 0.1, "dimensionless",
     "assumption: behavioural activation and graded activity in CBT restore participation (Williams 2012 Cochrane: "
     "small effect on disability); small so that the fitted CBT pain and mood SMDs hold",
     "rise of the participation target at full CBT skill"),
    ("exercise_activity", 0.3, "dimensionless", "assumption: supervised exercise raises daily activity ~30 %",
     "rise of the activity target at full exercise habit"),
    ("exercise_strength", 0.2, "dimensionless",
     "assumption: progressive resistance training raises strength by ~20-30 % (Liu & Latham 2009 Cochrane; "
     "physical therapy's supervised exercise builds the same habit)", "rise of the strength target at full exercise habit"),
    ("exercise_tension", 0.3, "fraction", "assumption: exercise lowers muscle tension", "tension reduction at full habit"),
    ("exercise_desc", 0.15, "dimensionless",
     "assumption: exercise-induced hypoalgesia via descending inhibition (Lima 2017 J Physiol)",
     "rise of the descending target at full exercise habit"),
    ("sleep_hygiene_arousal", 0.4, "fraction", "assumption: sleep hygiene/CBT-I lowers pre-sleep arousal",
     "reduction of sleep arousal at full habit"),
    ("tens_segmental", 0.8, "fraction",
     "fitted: TENS vs sham pain SMD -0.96 (Johnson 2022 BMJ Open, targets/nondrug.csv; pain rated during the 06:00 "
     "and 18:00 sessions, post-treatment Hedges' g) by a painloop.trials.calibrate grid (0.5/0.65/0.8/0.95 gave "
     "-0.49/-0.69/-0.96/-1.34) on the built-in 'tens' design, seed 2015; a tuning target, not independent evidence",
     "reduction of dorsal-horn gain while TENS is on"),
    ("therapy_edge_h", 0.1, "h", "assumption: sessions start and stop within minutes; smoothed for the solver",
     "width of therapy on/off edges"),
    # placebo response: expectation of relief acts through descending (endogenous opioid/monoaminergic) inhibition
    ("placebo_desc", 4.651, "dimensionless",
     "fitted: placebo-arm 50 % responders 0.23 (Arakawa 2015 / Duarte 2022, targets/placebo.csv) by painloop.trials.calibrate on the built-in 'finnerup' design (seed 2015, 900 virtual twins per arm; refitted after the natural-history model of 2026-12 with the mood medians fitted first: coarse pass, then --refine); a tuning target, not independent evidence",
     "rise of the descending 5-HT/NA target at full expectation (input 'expectation', 0-1) while blinded"),
    # adverse-event dropout in trials: daily hazard = scale × side-effect burden (painloop.trials)
    ("ae_dropout_amitriptyline", 0.002327, "1/day per score",
     "fitted: NNH 13.4 (dropout, Finnerup 2015; expected AE-dropout shares, not one seed's draws) by painloop.trials.calibrate on the built-in 'finnerup' design (seed 2015, 900 virtual twins per arm; refitted after the natural-history model of 2026-12 with the mood medians fitted first: coarse pass, then --refine); a tuning target, not independent evidence",
     "daily adverse-event dropout hazard per unit side-effect burden on amitriptyline"),
    ("ae_dropout_duloxetine", 0.00488, "1/day per score",
     "fitted: NNH 11.8 (dropout, Finnerup 2015; expected AE-dropout shares, not one seed's draws) by painloop.trials.calibrate on the built-in 'finnerup' design (seed 2015, 900 virtual twins per arm; refitted after the natural-history model of 2026-12 with the mood medians fitted first: coarse pass, then --refine); a tuning target, not independent evidence",
     "daily adverse-event dropout hazard per unit side-effect burden on duloxetine"),
    ("ae_dropout_pregabalin", 0.003313, "1/day per score",
     "fitted: NNH 13.9 (dropout, Finnerup 2015; expected AE-dropout shares, not one seed's draws) by painloop.trials.calibrate on the built-in 'finnerup' design (seed 2015, 900 virtual twins per arm; refitted after the natural-history model of 2026-12 with the mood medians fitted first: coarse pass, then --refine); a tuning target, not independent evidence",
     "daily adverse-event dropout hazard per unit side-effect burden on pregabalin"),
    ("ae_dropout_gabapentin", 0.003313, "1/day per score",
     "assumption: as pregabalin (same class and side effects; Finnerup 2015 gives no NNH for all gabapentin trials)",
     "daily adverse-event dropout hazard per unit side-effect burden on gabapentin"),
    ("ae_dropout_tramadol", 0.003717, "1/day per score",
     "fitted: NNH 12.6 (dropout, Finnerup 2015; expected AE-dropout shares, not one seed's draws) by painloop.trials.calibrate on the built-in 'finnerup' design (seed 2015, 900 virtual twins per arm; refitted after the natural-history model of 2026-12 with the mood medians fitted first: coarse pass, then --refine); a tuning target, not independent evidence",
     "daily adverse-event dropout hazard per unit side-effect burden on tramadol"),
    ("ae_dropout_oxycodone", 0.003202, "1/day per score",
     "fitted: NNH 11.7 (dropout, Finnerup 2015; expected AE-dropout shares, not one seed's draws) by painloop.trials.calibrate on the built-in 'finnerup' design (seed 2015, 900 virtual twins per arm; refitted after the natural-history model of 2026-12 with the mood medians fitted first: coarse pass, then --refine); a tuning target, not independent evidence",
     "daily adverse-event dropout hazard per unit side-effect burden on oxycodone"),
    ("ae_dropout_morphine", 0.003202, "1/day per score",
     "assumption: as oxycodone (strong opioids share the NNH of Finnerup 2015)",
     "daily adverse-event dropout hazard per unit side-effect burden on morphine"),
    ("ae_dropout_capsaicin_8pct_patch", 0.02, "1/day per score",
     "assumption: application burning is not counted in the dropout burden (no NNH in Finnerup 2015)",
     "daily adverse-event dropout hazard per unit side-effect burden on capsaicin_8pct_patch"),
    ("ae_dropout_base", 0.0006, "1/day",
     "assumption: ~5 % adverse-event (nocebo) dropout over 12 weeks on placebo (Papadopoulos & Clark 2011 Pain "
     "placebo-arm dropout in neuropathic pain RCTs)", "daily adverse-event dropout hazard without active drug"),
)

THERAPY_PARAMS = params(
    NAME,
    ("mindfulness_appraisal", 0.3, "fraction",
     "assumption: mindfulness lowers perceived stress (Khoury 2015 J Psychosom Res: stress SMD ~0.5 in healthy adults)",
     "reduction of stress appraisal at full mindfulness skill"),
    ("mindfulness_mood", 0.3, "fraction",
     "assumption: Hilton 2017 Ann Behav Med: depression improves more than pain (SMD ~0.5 vs ~0.3)",
     "reduction of depressive/anxious drive at full mindfulness skill"),
    ("mindfulness_catastrophizing", 0.25, "fraction", "assumption: decentring lowers pain catastrophizing (Hilton 2017)",
     "reduction of catastrophizing amplification at full mindfulness skill"),
    ("support_mood", 0.2, "fraction",
     "assumption: peer support lowers depressive symptoms (Pfeiffer 2011 Gen Hosp Psychiatry: SMD ~-0.6 vs usual care)",
     "reduction of depressive/anxious drive at full social connection"),
    ("support_appraisal", 0.15, "fraction", "assumption: social support buffers perceived stress (Cohen & Wills 1985 Psychol Bull)",
     "reduction of stress appraisal at full social connection"),
    ("support_participation", 0.2, "dimensionless",
     "assumption: peer support groups widen social networks and bring people back to social activities "
     "(Pfeiffer 2011 Gen Hosp Psychiatry)", "rise of the participation target at full social connection"),
    ("tau_support_fade", 120 * 24.0, "h", "assumption: connections made in a group fade over months after it ends",
     "time constant of fading social connection"),
    ("lifestyle_inflammation", 0.2, "fraction",
     "assumption: diet and less alcohol lower inflammatory markers by ~20 % (Schwingshackl & Hoffmann 2014)",
     "reduction of the peripheral inflammatory drive at full lifestyle habit"),
    ("lifestyle_arousal", 0.15, "fraction", "assumption: less evening alcohol gives less fragmented sleep (Ebrahim 2013)",
     "reduction of sleep arousal at full lifestyle habit"),
    ("acupuncture_gain", 0.2, "fraction",
     "assumption: acupuncture beats sham by ~0.5 SD on pain (Vickers 2018 J Pain) through segmental and opioid modulation",
     "reduction of dorsal-horn gain at full acupuncture effect"),
    ("tau_acupuncture", 72.0, "h", "assumption: the effect of a session lasts days; it builds over the first sessions and "
     "fades within about a week after the last (Vickers 2018: benefit persists partly at 12 months in some trials)",
     "time constant of the acupuncture effect"),
    ("pt_tension", 0.25, "fraction", "assumption: manual therapy and stretching lower muscle tension while the programme runs",
     "reduction of muscle tension during a physical-therapy programme at the reference schedule"),
)
"""Mechanism sizes of the session-based therapies (mindfulness, support group, lifestyle, acupuncture, physical therapy)."""

ADHERENCE_PARAMS = params(
    NAME,
    ("adherence_miss_base", 0.1, "fraction",
     "assumption: about 10 % of oral doses are missed without side effects (Osterberg & Blaschke 2005 N Engl J Med: "
     "adherence to long-term medication ~50-80 %, higher for daily once-or-twice regimens)",
     "probability that an oral dose is missed at zero side-effect burden"),
    ("adherence_miss_burden", 0.4, "fraction",
     "assumption: side effects are a leading reason for skipping or stopping drugs for chronic pain "
     "(Timmerman 2016 Acta Anaesthesiol Scand systematic review of non-adherence in chronic pain); at full burden "
     "40 % more doses are missed", "rise of the missed-dose probability per unit side-effect burden"),
)
"""Seeded adherence model (:mod:`painloop.treatments.adherence`), used only when a simulation asks for it."""

PARAMS = tuple(_pk_params()) + PD_PARAMS + THERAPY_PARAMS + ADHERENCE_PARAMS

_STATE_ROWS = [
    ("duloxetine_gut", "mg", "duloxetine in the first gut (delayed-release) stage"),
    ("duloxetine_gut2", "mg", "duloxetine in the second gut stage"),
    ("duloxetine_central", "mg", "duloxetine in the body"),
    ("amitriptyline_gut", "mg", "amitriptyline in the gut"),
    ("amitriptyline_central", "mg", "amitriptyline in the body"),
    ("nortriptyline_central", "mg", "nortriptyline (active metabolite) in the body"),
    ("pregabalin_gut", "mg", "pregabalin in the gut"),
    ("pregabalin_central", "mg", "pregabalin in the body"),
    ("gabapentin_gut", "mg", "gabapentin in the gut (absorption window)"),
    ("gabapentin_central", "mg", "gabapentin in the body"),
    ("tramadol_gut", "mg", "tramadol in the gut"),
    ("tramadol_central", "mg", "tramadol in the body"),
    ("m1_central", "mg", "O-desmethyltramadol (M1, active metabolite) in the body"),
    ("oxycodone_gut", "mg", "oxycodone in the gut"),
    ("oxycodone_central", "mg", "oxycodone in the body"),
    ("morphine_gut", "mg", "morphine in the gut"),
    ("morphine_central", "mg", "morphine in the body"),
    ("ibuprofen_gut", "mg", "ibuprofen in the gut"),
    ("ibuprofen_central", "mg", "ibuprofen in the body"),
    ("lidocaine_patch_on", "patches", "lidocaine 5 % patches being worn"),
    ("lidocaine_local", "patches", "local lidocaine under the patch site (patch-equivalents)"),
    ("capsaicin_patch_on", "patches", "capsaicin 8 % patches being worn"),
    ("capsaicin_defunctionalisation", "fraction", "fraction of nociceptor terminals defunctionalised by capsaicin"),
    ("opioid_tolerance", "fraction", "opioid analgesic tolerance (shifts the EC50)"),
    ("opioid_dependence", "fraction", "opioid physical dependence"),
    ("weight_gain", "kg", "drug-induced weight gain"),
    ("antidepressant_effect", "fraction", "direct (monoaminergic) mood effect of antidepressants, 0-1, building over weeks"),
    ("cbt_skill", "fraction", "coping skill learned in cognitive behavioural therapy"),
    ("exercise_habit", "fraction", "regular exercise/physical-therapy habit"),
    ("sleep_hygiene_habit", "fraction", "sleep hygiene habit"),
    ("mindfulness_skill", "fraction", "mindfulness/meditation practice skill"),
    ("support_connection", "fraction", "social connection built in a support group"),
    ("lifestyle_habit", "fraction", "lifestyle habit (alcohol reduction, anti-inflammatory diet)"),
    ("acupuncture_effect", "fraction", "lingering segmental/endogenous-opioid modulation after acupuncture sessions"),
]
STATES = states(NAME, *[(n, u, 0.0, m) for n, u, m in _STATE_ROWS])

_CONC = ("duloxetine", "amitriptyline", "nortriptyline", "pregabalin", "gabapentin", "tramadol", "m1", "oxycodone",
         "morphine", "ibuprofen")
_NEUTRAL = {
    "tx_serotonin": 0.0, "tx_noradrenaline": 0.0, "tx_glutamate_factor": 1.0, "tx_ectopic_factor": 1.0,
    "tx_inflammation_factor": 1.0, "tx_nociceptive_factor": 1.0, "tx_pain_gain": 1.0, "tx_catastrophizing": 1.0, "tx_appraisal": 1.0,
    "tx_mood_factor": 1.0, "tx_anxiety_drive": 0.0, "tx_arousal_factor": 1.0, "tx_arousal_extra": 0.0,
    "tx_fatigue_drive": 0.0, "tx_activity": 0.0, "tx_strength": 0.0, "tx_participation": 0.0, "tx_activity_loss": 0.0, "tx_tension_factor": 1.0,
    "opioid_occupancy": 0.0, "opioid_analgesia": 0.0, "opioid_withdrawal": 0.0, "tens_on": 0.0,
    "drowsiness": 0.0, "dizziness": 0.0, "nausea": 0.0, "cognitive_fog": 0.0, "dry_mouth": 0.0,
    "application_burning": 0.0, "sexual_dysfunction": 0.0, "side_effect_burden": 0.0,
    "tx_antidepressant": 0.0, "tx_dysphoria_drive": 0.0, **{f"{d}_conc": 0.0 for d in _CONC},
}
OUTPUTS = outputs(
    NAME,
    *[(f"{d}_conc", "mg/L", f"plasma concentration of {d}") for d in _CONC],
    ("tx_serotonin", "dimensionless", "treatment rise of the descending serotonergic target"),
    ("tx_noradrenaline", "dimensionless", "treatment rise of the descending noradrenergic target"),
    ("tx_glutamate_factor", "relative", "factor on glutamate release (gabapentinoids)"),
    ("tx_ectopic_factor", "relative", "factor on ectopic firing (lidocaine, capsaicin, TCA)"),
    ("tx_inflammation_factor", "relative", "factor on the peripheral inflammatory drive (anti-inflammatory lifestyle)"),
    ("tx_nociceptive_factor", "relative", "factor on the musculoskeletal and inflammatory pain inputs (NSAID)"),
    ("tx_pain_gain", "relative", "factor on dorsal-horn gain (opioid analgesia, TENS, withdrawal)"),
    ("tx_catastrophizing", "relative", "factor on catastrophizing amplification (CBT)"),
    ("tx_appraisal", "relative", "factor on stress appraisal (CBT)"),
    ("tx_mood_factor", "relative", "factor on depressive/anxious drive (CBT)"),
    ("tx_anxiety_drive", "dimensionless", "extra anxiety drive (opioid withdrawal)"),
    ("tx_dysphoria_drive", "dimensionless", "extra depressive drive (opioid withdrawal dysphoria)"),
    ("tx_antidepressant", "fraction", "reduction of the depressive drive by the direct mood effect of antidepressants"),
    ("tx_arousal_factor", "relative", "factor on sleep arousal (sleep hygiene, sedation)"),
    ("tx_arousal_extra", "fraction", "extra sleep arousal (withdrawal)"),
    ("tx_fatigue_drive", "dimensionless", "extra fatigue drive (daytime sedation)"),
    ("tx_activity", "dimensionless", "rise of the activity target (exercise)"),
    ("tx_activity_loss", "dimensionless", "extra activity loss (dizziness, nausea)"),
    ("tx_strength", "dimensionless", "rise of the strength target (exercise and physical-therapy training)"),
    ("tx_participation", "dimensionless", "rise of the social participation target (support group, CBT)"),
    ("tx_tension_factor", "relative", "factor on muscle tension (exercise)"),
    ("opioid_occupancy", "fraction", "mu-opioid effect without tolerance, E/(E+1) of morphine-equivalent exposure"),
    ("opioid_analgesia", "fraction", "reduction of central gain by opioids (after tolerance)"),
    ("opioid_withdrawal", "fraction", "opioid withdrawal: dependence not covered by current occupancy"),
    ("tens_on", "fraction", "TENS stimulator on (0-1)"),
    ("drowsiness", "score 0-1", "side effect: drowsiness/sedation"),
    ("dizziness", "score 0-1", "side effect: dizziness"),
    ("nausea", "score 0-1", "side effect: nausea"),
    ("cognitive_fog", "score 0-1", "side effect: cognitive fog"),
    ("dry_mouth", "score 0-1", "side effect: dry mouth (anticholinergic)"),
    ("application_burning", "score 0-10", "side effect: burning at the capsaicin application site"),
    ("sexual_dysfunction", "score 0-1", "side effect: sexual dysfunction (SNRI, TCA, opioids)"),
    ("side_effect_burden", "score 0-1",
     "overall side-effect burden: drowsiness, dizziness, nausea, fog, dry mouth, sexual dysfunction and weight gain "
     "combined as independent bothers, 1 - Π(1 - score)"),
)
THERAPY_INPUTS = ("cbt", "exercise", "sleep_hygiene", *SESSION_THERAPIES)


def inputs(c: Ctx, q: dict) -> dict:
    """Programme windows of the non-drug therapies and TENS sessions (0-1) when the scenario has treatments.

    A therapy the scenario does not use has no input lists in ``q`` and is
    identically 0 here (not a sum of windows that never open), so the
    generated code of drug-only scenarios evaluates no therapy windows.
    """
    if "treated" not in q:
        return {}
    xp, t, w = c.xp, c.t, c.p["therapy_edge_h"]
    zero = 0.0 * t
    u = {"treated": q["treated"] + zero}

    def windows(name: str, weights: object = 1.0) -> object:
        """Sum of ``name``'s programme windows (each times its weight), or 0 when ``q`` has none."""
        if f"{name}_start_h" not in q:
            return zero
        return xp.sum(window(xp, t, q[f"{name}_start_h"], q[f"{name}_end_h"], w) * weights, axis=0)

    for name in THERAPY_INPUTS + ("tens",):
        u[name] = xp.minimum(windows(name), 1.0) if f"{name}_start_h" in q else zero
    # placebo: expectation (0-1 per patient) acts while the patient believes they may be treated (blinded period)
    u["expectation"] = (q["expectation"] * window(xp, t, q["placebo_start_h"], q["placebo_end_h"], w)
                        if "expectation" in q else zero)
    for name in SESSION_THERAPIES:  # sessions per week relative to the reference schedule, while the programme runs
        u[f"{name}_intensity"] = windows(name, q.get(f"{name}_intensity", 0.0))
    if "tens_clock_h" in q:
        clock = t - 24.0 * xp.floor(t / 24.0)
        session = xp.sum(window(xp, clock, q["tens_clock_h"], q["tens_clock_h"] + q["tens_session_h"], w), axis=0)
        u["tens"] = u["tens"] * xp.minimum(session, 1.0)
    return u


def _emax(c: Ctx, conc, ec50):
    return conc / (conc + ec50)


def side_effect_burden(scores) -> object:
    """Overall side-effect burden (0-1) from 0-1 side-effect scores counted as independent bothers: 1 - Π(1 - x)."""
    spared = 1.0
    for x in scores:
        spared = spared * (1.0 - x)
    return 1.0 - spared


def antidepressant_occupancy(c: Ctx, conc: dict) -> object:
    """Target (0-1) of the direct mood effect: Emax of duloxetine (EC50 of the analgesic standard dose, an
    antidepressant dose) combined with amitriptyline/nortriptyline at ``amitriptyline_mood_fold`` × their EC50s."""
    p = c.p
    dul = _emax(c, conc["duloxetine"], p["duloxetine_ec50"])
    fold_ = p["amitriptyline_mood_fold"]
    tca = 1.0 - ((1.0 - _emax(c, conc["amitriptyline"], fold_ * p["amitriptyline_ec50"]))
                 * (1.0 - _emax(c, conc["nortriptyline"], fold_ * p["nortriptyline_ec50"])))
    return 1.0 - (1.0 - dul) * (1.0 - tca)


def algebraic(c: Ctx) -> dict:
    """Concentrations (mg/L), mechanism factors and side effects from the PK states and therapy inputs."""
    if "treated" not in c.u:
        return dict(_NEUTRAL)
    xp, s, p, u = c.xp, c.s, c.p, c.u
    conc = {d: c.pos(s[f"{d}_central"]) / p[f"{d}_V"] for d in _CONC if d not in ("nortriptyline", "m1")}
    conc["nortriptyline"] = c.pos(s["nortriptyline_central"]) / p["nortriptyline_V"]
    conc["m1"] = c.pos(s["m1_central"]) / p["m1_V"]
    dul = _emax(c, conc["duloxetine"], p["duloxetine_ec50"])
    ami = _emax(c, conc["amitriptyline"], p["amitriptyline_ec50"])
    nor = _emax(c, conc["nortriptyline"], p["nortriptyline_ec50"])
    tca = 0.5 * (ami + nor)
    tra = _emax(c, conc["tramadol"], p["tramadol_ec50"])
    gaba = 1.0 - (1.0 - _emax(c, conc["pregabalin"], p["pregabalin_ec50"])) * (1.0 - _emax(c, conc["gabapentin"], p["gabapentin_ec50"]))
    mme = conc["oxycodone"] / p["oxycodone_ref"] + conc["morphine"] / p["morphine_ref"] + conc["m1"] / p["m1_ref"]
    occ = mme / (mme + 1.0)
    analgesia = p["emax_opioid"] * mme / (mme + 1.0 + p["k_opioid_tolerance"] * s["opioid_tolerance"])
    withdrawal = c.pos(s["opioid_dependence"] - occ)
    lido = p["emax_lidocaine"] * _emax(c, c.pos(s["lidocaine_local"]), p["lidocaine_ec50"])
    caps = p["emax_capsaicin"] * s["capsaicin_defunctionalisation"]
    nsaid = p["emax_nsaid"] * _emax(c, conc["ibuprofen"], p["ibuprofen_ec50"])
    ex = s["exercise_habit"]
    cbt = s["cbt_skill"]
    mind, support = s["mindfulness_skill"], s["support_connection"]
    common = (p["emax_dulox_desc"] * dul + p["emax_tramadol_desc"] * tra + p["exercise_desc"] * ex
              + p["placebo_desc"] * u["expectation"])
    ser = common + p["emax_tca_desc"] * ami
    na = common + p["emax_tca_desc"] * (1.0 - (1.0 - ami) * (1.0 - nor))
    drowsy = xp.minimum(p["se_dulox_drowsy"] * dul + p["se_tca_drowsy"] * tca + p["se_gaba_drowsy"] * gaba
                        + p["se_opioid_drowsy"] * occ, 1.0)
    dizzy = xp.minimum(p["se_gaba_dizzy"] * gaba + 0.3 * p["se_opioid_drowsy"] * occ, 1.0)
    nausea = xp.minimum(p["se_dulox_nausea"] * dul + p["se_opioid_nausea"] * occ + 0.2 * nsaid, 1.0)
    fog = xp.minimum(p["se_tca_fog"] * tca + p["se_opioid_fog"] * occ + 0.3 * p["se_gaba_drowsy"] * gaba, 1.0)
    dry = xp.minimum(p["se_tca_anticholinergic"] * tca, 1.0)
    sexual = xp.minimum(p["se_dulox_sexual"] * dul + p["se_tca_sexual"] * tca + p["se_opioid_sexual"] * occ, 1.0)
    weight = xp.minimum(c.pos(s["weight_gain"]) / p["weight_burden_kg"], 1.0)
    out = {f"{d}_conc": v for d, v in conc.items()}
    out.update({
        "tx_serotonin": ser,
        "tx_noradrenaline": na,
        "tx_glutamate_factor": 1.0 - p["emax_gabapentinoid"] * gaba,
        "tx_ectopic_factor": (1.0 - lido) * (1.0 - caps) * (1.0 - p["emax_tca_nav"] * tca),
        "tx_inflammation_factor": 1.0 - p["lifestyle_inflammation"] * s["lifestyle_habit"],
        "tx_nociceptive_factor": 1.0 - nsaid,
        "tx_pain_gain": ((1.0 - analgesia) * (1.0 - p["tens_segmental"] * u["tens"]) * (1.0 + p["g_withdrawal_pain"] * withdrawal)
                         * (1.0 - p["acupuncture_gain"] * s["acupuncture_effect"])),
        "tx_catastrophizing": (1.0 - p["cbt_catastrophizing"] * cbt) * (1.0 - p["mindfulness_catastrophizing"] * mind),
        "tx_appraisal": ((1.0 - p["cbt_appraisal"] * cbt) * (1.0 - p["mindfulness_appraisal"] * mind)
                         * (1.0 - p["support_appraisal"] * support)),
        "tx_mood_factor": (1.0 - p["cbt_mood"] * cbt) * (1.0 - p["mindfulness_mood"] * mind) * (1.0 - p["support_mood"] * support),
        "tx_anxiety_drive": p["g_withdrawal_anxiety"] * withdrawal,
        "tx_dysphoria_drive": p["g_withdrawal_dysphoria"] * withdrawal,
        "tx_antidepressant": p["emax_antidepressant_mood"] * s["antidepressant_effect"],
        "tx_arousal_factor": ((1.0 - p["sleep_hygiene_arousal"] * s["sleep_hygiene_habit"]) * (1.0 - p["w_drowsy_sleep"] * drowsy)
                              * (1.0 - p["lifestyle_arousal"] * s["lifestyle_habit"])),
        "tx_arousal_extra": p["g_withdrawal_arousal"] * withdrawal,
        "tx_fatigue_drive": p["w_drowsy_fatigue"] * drowsy,
        "tx_activity": p["exercise_activity"] * ex,
        "tx_activity_loss": p["w_dizzy_activity"] * (dizzy + nausea),
        "tx_strength": p["exercise_strength"] * ex,
        "tx_participation": p["support_participation"] * support + p["cbt_participation"] * cbt,
        "tx_tension_factor": (1.0 - p["exercise_tension"] * ex) * (1.0 - p["pt_tension"] * xp.minimum(u["physical_therapy_intensity"], 1.0)),
        "opioid_occupancy": occ,
        "opioid_analgesia": analgesia,
        "opioid_withdrawal": withdrawal,
        "tens_on": u["tens"],
        "drowsiness": drowsy,
        "dizziness": dizzy,
        "nausea": nausea,
        "cognitive_fog": fog,
        "dry_mouth": dry,
        "application_burning": 10.0 * xp.minimum(c.pos(s["capsaicin_patch_on"]), 1.0) * 0.6,
        "sexual_dysfunction": sexual,
        "side_effect_burden": side_effect_burden((drowsy, dizzy, nausea, fog, dry, sexual, weight)),
    })
    out["_tca"], out["_gaba"] = tca, gaba
    out["_mood_target"] = antidepressant_occupancy(c, conc)
    return out


def rates(c: Ctx) -> dict:
    """d/dt of every PK compartment (mg/h or patches/h), tolerance, dependence, weight and therapy habits."""
    s, p = c.s, c.p
    if "treated" not in c.u:
        return {st.name: 0.0 * s[st.name] for st in STATES}
    a, u = c.a, c.u
    r: dict = {}
    for d in ("amitriptyline", "pregabalin", "tramadol", "oxycodone", "morphine", "ibuprofen"):
        absorbed = p[f"{d}_ka"] * s[f"{d}_gut"]
        r[f"{d}_gut"] = -absorbed
        r[f"{d}_central"] = p[f"{d}_F"] * absorbed - LN2 / p[f"{d}_half_life"] * s[f"{d}_central"]
    k = p["duloxetine_k_abs"]
    r["duloxetine_gut"] = -k * s["duloxetine_gut"]
    r["duloxetine_gut2"] = k * s["duloxetine_gut"] - k * s["duloxetine_gut2"]
    r["duloxetine_central"] = p["duloxetine_F"] * k * s["duloxetine_gut2"] - LN2 / p["duloxetine_half_life"] * s["duloxetine_central"]
    g = c.pos(s["gabapentin_gut"])
    gabs = p["gabapentin_vmax"] * g / (p["gabapentin_km"] + g)
    r["gabapentin_gut"] = -gabs - p["gabapentin_k_loss"] * s["gabapentin_gut"]
    r["gabapentin_central"] = gabs - LN2 / p["gabapentin_half_life"] * s["gabapentin_central"]
    r["nortriptyline_central"] = (p["amitriptyline_fm"] * LN2 / p["amitriptyline_half_life"] * s["amitriptyline_central"]
                                  - LN2 / p["nortriptyline_half_life"] * s["nortriptyline_central"])
    r["m1_central"] = (p["tramadol_fm"] * LN2 / p["tramadol_half_life"] * s["tramadol_central"]
                       - LN2 / p["m1_half_life"] * s["m1_central"])
    r["lidocaine_patch_on"] = 0.0 * s["lidocaine_patch_on"]
    r["lidocaine_local"] = (s["lidocaine_patch_on"] - s["lidocaine_local"]) / p["tau_lidocaine_local"]
    r["capsaicin_patch_on"] = 0.0 * s["capsaicin_patch_on"]
    D = s["capsaicin_defunctionalisation"]
    r["capsaicin_defunctionalisation"] = (p["k_capsaicin"] * c.pos(s["capsaicin_patch_on"]) * (1.0 - D)
                                          - D / p["tau_capsaicin_recovery"])
    occ = a["opioid_occupancy"]
    r["opioid_tolerance"] = (occ - s["opioid_tolerance"]) / p["tau_opioid_tolerance"]
    r["opioid_dependence"] = (occ - s["opioid_dependence"]) / p["tau_opioid_dependence"]
    r["antidepressant_effect"] = (a["_mood_target"] - s["antidepressant_effect"]) / p["tau_antidepressant_onset"]
    r["weight_gain"] = (p["weight_gain_gaba"] * a["_gaba"] + p["weight_gain_tca"] * a["_tca"] - s["weight_gain"]) / p["tau_weight"]
    for name, habit, learn, fade in (("cbt", "cbt_skill", "tau_skill_learn", "tau_skill_fade"),
                                     ("exercise", "exercise_habit", "tau_exercise_habit", "tau_exercise_fade"),
                                     ("sleep_hygiene", "sleep_hygiene_habit", "tau_skill_learn", "tau_skill_fade")):
        h = s[habit]
        r[habit] = u[name] * (1.0 - h) / p[learn] - (1.0 - u[name]) * h / p[fade]
    for name, habit, learn, fade in (("mindfulness", "mindfulness_skill", "tau_skill_learn", "tau_skill_fade"),
                                     ("support_group", "support_connection", "tau_skill_learn", "tau_support_fade"),
                                     ("lifestyle", "lifestyle_habit", "tau_exercise_habit", "tau_exercise_fade")):
        h = s[habit]  # learning speed scales with sessions per week; fading starts when the programme ends
        r[habit] = u[f"{name}_intensity"] * (1.0 - h) / p[learn] - (1.0 - u[name]) * h / p[fade]
    pt = u["physical_therapy_intensity"]  # supervised exercise in physical therapy also builds the exercise habit
    r["exercise_habit"] = r["exercise_habit"] + pt * (1.0 - s["exercise_habit"]) / p["tau_exercise_habit"]
    acu = u["acupuncture_intensity"]
    # a fraction: full (1) at the reference schedule; more sessions (up to 14 a week, or overlapping programmes)
    # cannot exceed the full effect
    full = c.xp.minimum(2.0 * acu / (1.0 + acu), 1.0)
    r["acupuncture_effect"] = (full - s["acupuncture_effect"]) / p["tau_acupuncture"]
    return r


SUBSYSTEM = Subsystem(NAME, "Treatments (PK/PD, side effects, non-drug therapies)", STATES, PARAMS, rates, algebraic,
                      OUTPUTS)
