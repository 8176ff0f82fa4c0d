"""Trial design files: arms, randomisation, run-in, diary, dropout, analysis and endpoints (pydantic-validated).

Days in an arm's treatments count from randomisation (day 0 = first day of
double-blind treatment); the run-in week precedes it. Example::

    name: pregabalin-vs-placebo
    seed: 7
    duration_weeks: 12
    run_in_days: 7
    arms:
      - {name: placebo, placebo: true, n: 200}
      - name: pregabalin
        n: 200
        treatments: ["pregabalin 75 mg bid from day 0 to day 7; 150 mg bid from day 7"]
    control: placebo
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import PainloopInputError
from ..population import PopulationSpec
from ..scenario._schema import Scenario
from ..treatments import DRUGS


class TrialDesignError(PainloopInputError):
    """A design that cannot be run; the message names the field, what is wrong and what is allowed."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Arm(_Strict):
    """One arm: drugs (regimen strings or treatment entries), non-drug therapies, or a placebo."""

    name: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.+-]+$",
                      description="arm label (letters, digits, _ . + -)")
    n: int = Field(ge=1, le=100_000, description="patients randomised to this arm (≥ 1)")
    placebo: bool = Field(False, description="true for a placebo (dummy) arm: no active treatment")
    treatments: list = Field(default_factory=list,
                             description="drugs and therapies as in a scenario, e.g. 'duloxetine 60 mg qd from day 0'")
    endpoint_weeks: tuple[float, float] | None = Field(
        None, description="weeks [from, to) of treatment whose diary mean is the endpoint (default: the last week); "
                          "e.g. [2, 12] for the capsaicin 8 % patch trials' weeks 2-12 average (Simpson 2017 Diabetes Care)")

    @field_validator("endpoint_weeks")
    @classmethod
    def _window(cls, v: tuple[float, float] | None) -> tuple[float, float] | None:
        if v is not None and not 0.0 <= v[0] < v[1]:
            raise ValueError(f"endpoint_weeks must be [from, to) with 0 ≤ from < to, got {list(v)}")
        return v

    @model_validator(mode="after")
    def _placebo_has_no_drug(self) -> "Arm":
        if self.placebo and self.treatments:
            raise ValueError(f"arm {self.name!r}: a placebo arm cannot have treatments (got {len(self.treatments)})")
        return self


class Diary(_Strict):
    """Daily pain diary: the day's mean NRS plus fluctuation and rating noise, rounded to an integer 0-10."""

    fluctuation_sd: float = Field(0.0, ge=0.0, le=3.0, description="SD of an extra day-to-day fluctuation added to the diary, NRS points (0: the days differ only through the model's own day-to-day variation of sleep, stress and provocation)")
    fluctuation_autocorr: float = Field(0.5, ge=0.0, lt=1.0, description="day-to-day autocorrelation of the fluctuation")
    rating_sd: float = Field(0.5, ge=0.0, le=3.0, description="SD of independent rating noise, NRS points")
    mood_sd: float = Field(0.05, ge=0.0, le=0.5, description="SD of mood questionnaire noise, score 0-1")
    clock_hours: list[Literal[0, 6, 12, 18]] = Field(
        default_factory=lambda: [0, 6, 12, 18],
        description="clock hours (of 0, 6, 12, 18) whose model NRS is averaged into the day's entry; all four "
                    "average out the daily rhythm, a subset rates pain at those times (e.g. during TENS sessions)")

    @field_validator("clock_hours")
    @classmethod
    def _some(cls, v: list[int]) -> list[int]:
        if not v or len(set(v)) != len(v):
            raise ValueError(f"clock_hours must list distinct hours from 0, 6, 12, 18, got {v}")
        return sorted(v)


class Dropout(_Strict):
    """Dropout: random (constant hazard) and adverse-event driven (hazard ∝ side-effect burden, ae_dropout_* params)."""

    random_share: float = Field(0.08, ge=0.0, lt=1.0,
                                description="share dropping out for other reasons over 12 weeks (0-1)")
    adverse_events: bool = Field(True, description="simulate adverse-event dropout")


class Analysis(_Strict):
    """Who is analysed and how missing endpoints are filled."""

    population: Literal["itt", "completers"] = Field("itt", description="itt (all randomised) or completers")
    imputation: Literal["bocf", "locf"] = Field("bocf", description="baseline (BOCF) or last (LOCF) observation carried forward")


class Endpoints(_Strict):
    """What to compute: NNT needs a placebo control arm."""

    nnt: bool = Field(True, description="compute NNT/NNH against the control arm (which must be a placebo arm)")
    bootstrap: int = Field(1000, ge=100, le=100_000, description="bootstrap resamples for the NNT 95 % CI")


class Inclusion(_Strict):
    """Entry criteria applied to the run-in diary."""

    min_baseline_nrs: float = Field(4.0, ge=0.0, le=10.0, description="minimum run-in mean NRS")
    max_baseline_nrs: float = Field(10.0, ge=0.0, le=10.0, description="maximum run-in mean NRS")

    @model_validator(mode="after")
    def _ordered(self) -> "Inclusion":
        if self.max_baseline_nrs < self.min_baseline_nrs:
            raise ValueError(f"max_baseline_nrs ({self.max_baseline_nrs}) must be ≥ min_baseline_nrs ({self.min_baseline_nrs})")
        return self


POPULATION_LIMITS: dict[str, tuple[float, float, bool, str]] = {
    "age_mean": (30.0, 85.0, False, "years; ages are drawn truncated to 30-85"),
    "age_sd": (0.0, 30.0, False, "years"),
    "female_share": (0.0, 1.0, False, "a share"),
    "severity_a": (0.0, 100.0, True, "a Beta shape, > 0"),
    "severity_b": (0.0, 100.0, True, "a Beta shape, > 0"),
    "hba1c_mean": (6.5, 13.0, False, "% HbA1c; HbA1c is drawn truncated to 6.5-13"),
    "hba1c_sd": (0.0, 5.0, False, "% HbA1c"),
    "stress_median": (0.0, 2.0, False, "life-stress level 0-2"),
    "stress_gsd": (0.0, 3.0, False, "log units"),
    "hours_in_bed_mean": (5.0, 10.0, False, "h; hours in bed are drawn truncated to 5-10"),
    "hours_in_bed_sd": (0.0, 5.0, False, "h"),
    "mood_vulnerability_depression": (0.0, 5.0, True, "relative multiplier, > 0"),
    "mood_vulnerability_anxiety": (0.0, 5.0, True, "relative multiplier, > 0"),
    "female_pain_factor": (0.0, 3.0, True, "relative multiplier, > 0"),
    "female_anxiety_factor": (0.0, 3.0, True, "relative multiplier, > 0"),
    "age_renal_slope": (0.0, 0.05, False, "1/year"),
    "expectation_a": (0.0, 100.0, True, "a Beta shape, > 0"),
    "expectation_b": (0.0, 100.0, True, "a Beta shape, > 0"),
}
"""Allowed values of ``population.overrides`` of the virtual-population parameters (low, high, low bound
excluded, unit and reason): the ranges the sampler can use (Beta shapes > 0, shares 0-1, means inside the
truncation bounds of the draw; assumption: upper bounds of SDs and multipliers far above any published spread)."""


def check_population_overrides(overrides: dict[str, float]) -> None:
    """Raise ``ValueError`` naming each override that is unknown, not finite or outside its allowed range."""
    import math

    from ..model import system
    from ..population import POPULATION_PARAMS

    known = {p.name for p in POPULATION_PARAMS}
    problems = []
    for name, value in overrides.items():
        if name not in known and name not in system.PARAM_NAMES:
            problems.append(f"unknown parameter {name!r}; allowed: population parameters ({', '.join(sorted(known))}) "
                            f"or model parameters (`painloop params`)")
        elif not math.isfinite(value):
            problems.append(f"{name} = {value!r} is not a finite number")
        elif name in POPULATION_LIMITS:
            lo, hi, open_lo, unit = POPULATION_LIMITS[name]
            if value > hi or value < lo or (open_lo and value == lo):
                problems.append(f"{name} = {value:g} is outside {'(' if open_lo else '['}{lo:g}, {hi:g}] ({unit})")
        elif name not in known and value < 0:
            problems.append(f"{name} = {value:g}: model parameters must be ≥ 0")
    if problems:
        raise ValueError("population.overrides: " + "; ".join(problems))


class TrialDesign(_Strict):
    """A virtual randomised controlled trial."""

    name: str = "trial"
    description: str = ""
    seed: int = Field(0, ge=0, description="random seed: the same seed gives identical endpoints")
    duration_weeks: float = Field(12.0, gt=0.0, le=104.0, description="double-blind treatment period, weeks")
    run_in_days: int = Field(7, ge=1, le=28, description="untreated run-in before randomisation, days (baseline diary)")
    blinded: bool = Field(True, description="patients believe they may be on active treatment (placebo expectation)")
    randomisation: Literal["parallel", "virtual_twin"] = Field(
        "parallel", description="parallel: included patients are randomised to the arms; virtual_twin: every "
                                "included patient is simulated in every arm (all arms need the same n)")
    screen_factor: float = Field(4.0, ge=1.0, le=10.0, description="patients screened per patient to randomise")
    population: PopulationSpec = Field(default_factory=PopulationSpec)
    inclusion: Inclusion = Field(default_factory=Inclusion)
    diary: Diary = Field(default_factory=Diary)
    dropout: Dropout = Field(default_factory=Dropout)
    analysis: Analysis = Field(default_factory=Analysis)
    endpoints: Endpoints = Field(default_factory=Endpoints)
    arms: list[Arm] = Field(min_length=1, description="the arms (at least one)")
    control: str | None = Field(None, description="name of the comparator arm (default: the placebo arm, if any)")
    published: dict[str, str] = Field(default_factory=dict,
                                      description="arm → treatment row of trials_neuropathic.csv to compare with")

    @field_validator("arms")
    @classmethod
    def _unique(cls, v: list[Arm]) -> list[Arm]:
        names = [a.name for a in v]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"arm names must be unique, repeated: {dup}")
        return v

    @model_validator(mode="after")
    def _check(self) -> "TrialDesign":
        check_population_overrides(self.population.overrides)
        names = [a.name for a in self.arms]
        if self.randomisation == "virtual_twin" and len({a.n for a in self.arms}) > 1:
            raise ValueError(f"randomisation virtual_twin needs the same n in every arm, got "
                             f"{ {a.name: a.n for a in self.arms} }")
        if self.control is None:
            placebos = [a.name for a in self.arms if a.placebo]
            self.control = placebos[0] if placebos else None
        elif self.control not in names:
            raise ValueError(f"control: no arm named {self.control!r}; arms are {names}")
        if self.endpoints.nnt:
            ctrl = next((a for a in self.arms if a.name == self.control), None)
            if ctrl is None or not ctrl.placebo:
                raise ValueError("endpoints.nnt is true but the design has no placebo control arm: add an arm with "
                                 "'placebo: true' (and name it in 'control'), or set endpoints.nnt to false")
        for arm in self.arms:  # validate treatments through the scenario schema (unknown drug, bad regimen, …)
            arm_scenario(self, arm)
        for arm in self.arms:
            if arm.endpoint_weeks is not None and arm.endpoint_weeks[1] > self.duration_weeks:
                raise ValueError(f"arm {arm.name!r}: endpoint_weeks {list(arm.endpoint_weeks)} ends after duration_weeks "
                                 f"({self.duration_weeks:g})")
        for arm_name in self.published:
            if arm_name not in names:
                raise ValueError(f"published: no arm named {arm_name!r}; arms are {names}")
        return self


def n_to_randomise(design: "TrialDesign") -> int:
    """Distinct patients to randomise: the sum of arm sizes (parallel) or one arm's size (virtual twin)."""
    return design.arms[0].n if design.randomisation == "virtual_twin" else sum(a.n for a in design.arms)


def arm_scenario(design: TrialDesign, arm: Arm) -> Scenario:
    """The scenario of one arm: randomisation at day 0, ``duration_weeks`` reported every 6 h, arm treatments."""
    try:
        return Scenario.model_validate({
            "name": f"{design.name}:{arm.name}", "duration_days": 7.0 * design.duration_weeks, "history_days": 0,
            "cause": {"type": design.population.cause, "severity": 0.8, "onset_day": 0.0},
            "output": {"every_hours": 6.0}, "solver": {"rtol": 1e-4, "atol": 1e-6},
            "treatments": list(arm.treatments),
        })
    except ValidationError as e:
        msgs = "; ".join(f"{'.'.join(str(x) for x in err['loc']) or 'treatments'}: {err['msg']}" for err in e.errors())
        raise ValueError(f"arm {arm.name!r} treatments: {msgs}") from None


def arm_drugs(design: TrialDesign, arm: Arm) -> list[str]:
    """Names of the catalogue drugs given in an arm."""
    sc = arm_scenario(design, arm)
    return sorted({t.drug for t in sc.treatments if hasattr(t, "drug") and t.drug in DRUGS})


def _format(err: ValidationError, origin: str) -> str:
    lines = [f"invalid trial design {origin}:"]
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"]) or "(top level)"
        lines.append(f"  {loc}: {e['msg']}" + (f" (got {e['input']!r})" if e["type"] != "value_error" and
                                               not isinstance(e.get("input"), (dict, list)) else ""))
    return "\n".join(lines)


def parse_design(data: object, origin: str = "") -> TrialDesign:
    """Validate a design mapping; raise :class:`TrialDesignError` with every problem listed."""
    if not isinstance(data, dict):
        raise TrialDesignError(f"invalid trial design {origin}: expected a mapping of fields, got {type(data).__name__}")
    try:
        return TrialDesign.model_validate(data)
    except ValidationError as e:
        raise TrialDesignError(_format(e, origin)) from None


def load_design(path: Path | str) -> TrialDesign:
    """Read and validate a design YAML file."""
    from ..scenario._load import safe_yaml

    path = Path(path)
    if path.is_dir():
        raise TrialDesignError(f"design file {str(path)!r} is a directory; give the path of a YAML file")
    if not path.is_file():
        raise TrialDesignError(f"design file {str(path)!r} does not exist")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise TrialDesignError(f"design file {str(path)!r} is not UTF-8 text ({e.reason} at byte {e.start}); "
                               f"save it as UTF-8") from None
    except OSError as e:
        raise TrialDesignError(f"design file {str(path)!r} cannot be read ({e.strerror or e})") from None
    return parse_design(safe_yaml(text, f"design file {str(path)!r}", TrialDesignError), str(path))


BUILTIN_DIR = Path(__file__).parent / "designs"


def builtin_design(name: str) -> TrialDesign:
    """A built-in design by name (``finnerup``, ``cbt``, ``tens``)."""
    path = BUILTIN_DIR / f"{name}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))
        raise TrialDesignError(f"unknown built-in design {name!r}; known: {', '.join(known)}")
    return load_design(path)
