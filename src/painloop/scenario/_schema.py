"""Scenario files: validated descriptions of one simulated situation.

A scenario names a cause (with severity, onset and its own settings), the
external life-stress schedule, the sleep opportunity, the duration and the
output sampling. Days count from the start of the reported period (day 0 at
midnight); ``history_days`` simulates time before day 0 that is not reported
(e.g. years of diabetes before the year of interest).
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import (BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator, model_serializer,
                      model_validator)

from ..causes.combine import cause_key
from ..model import system
from ..treatments import DRUGS, THERAPIES, RegimenError, parse_treatment
from ..treatments.catalogue import check_daily_dose


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class _CauseBase(_Strict):
    severity: float = Field(0.5, ge=0.0, le=1.0, description="severity of the cause, 0 (none) to 1 (severe)")
    onset_day: float = Field(0.0, description="day the cause starts (negative: before the reported period)")


class NoCause(_Strict):
    type: Literal["none"] = "none"


def _after_onset(spec: _CauseBase, field: str) -> None:
    """Raise if the day in ``field`` is set and not after ``onset_day``."""
    day = getattr(spec, field)
    if day is not None and day <= spec.onset_day:
        raise ValueError(f"{field} ({day}) must be after onset_day ({spec.onset_day})")


def _events_after_onset(spec: _CauseBase, field: str) -> None:
    """Raise if a day listed in ``field`` is before ``onset_day``."""
    early = [d for d in getattr(spec, field) if d < spec.onset_day]
    if early:
        raise ValueError(f"{field} {early} are before onset_day ({spec.onset_day}); list days from onset_day on")


class Diabetes(_CauseBase):
    type: Literal["diabetes"]
    hba1c: float = Field(8.5, ge=4.0, le=16.0, description="glycated haemoglobin, % (4-16)")
    glucose_control_day: float | None = Field(None, description="day improved glucose control starts (null: never)")
    hba1c_control: float | None = Field(None, ge=4.0, le=16.0,
                                        description="HbA1c reached with improved glucose control, % (4-16)")

    @model_validator(mode="after")
    def _control_pair(self) -> "Diabetes":
        if (self.glucose_control_day is None) != (self.hba1c_control is None):
            raise ValueError("glucose_control_day and hba1c_control go together: give both (improved control from that "
                             "day) or neither")
        return self


class Shingles(_CauseBase):
    type: Literal["shingles"]
    age: float = Field(70.0, ge=18.0, le=110.0, description="age at the zoster episode, years")
    antiviral_within_72h: bool = Field(False, description="true if an antiviral was started within 72 h of the rash")
    vaccinated: bool = Field(False, description="true if vaccinated against zoster before this (breakthrough) episode")


class Chemotherapy(_CauseBase):
    type: Literal["chemotherapy"]
    cycles: int = Field(6, ge=1, le=24, description="number of chemotherapy cycles")
    cycle_days: float = Field(21.0, ge=7.0, le=56.0, description="days between cycles")


class Trauma(_CauseBase):
    type: Literal["trauma"]
    amputation: bool = Field(False, description="true for an amputation (no regeneration: phantom limb)")


class Compression(_CauseBase):
    type: Literal["compression"]
    kind: Literal["entrapment", "disc_herniation", "stenosis", "tumour"] = Field(
        "entrapment", description="form of compression: entrapment (constant), disc_herniation (resorbs over months), "
                                  "stenosis (slowly progressive) or tumour (grows)")
    decompression_day: float | None = Field(None, description="day of decompression surgery (none: never)")

    @model_validator(mode="after")
    def _after_onset(self) -> "Compression":
        if self.decompression_day is not None and self.decompression_day <= self.onset_day:
            raise ValueError(f"decompression_day ({self.decompression_day}) must be after onset_day ({self.onset_day})")
        return self


class MultipleSclerosis(_CauseBase):
    type: Literal["multiple_sclerosis"]
    relapse_days: list[float] = Field(default_factory=list,
                                      description="days relapses begin (empty: drawn at relapse_rate_per_year with seed)")
    relapse_rate_per_year: float = Field(0.5, ge=0.0, le=12.0, description="relapses per year when relapse_days is empty")
    seed: int = Field(0, ge=0, description="random seed of the drawn relapse days")

    @model_validator(mode="after")
    def _relapses(self) -> "MultipleSclerosis":
        _events_after_onset(self, "relapse_days")
        return self


class RheumatoidArthritis(_CauseBase):
    type: Literal["rheumatoid_arthritis"]
    flare_days: list[float] = Field(default_factory=list,
                                    description="days flares begin (empty: drawn at flares_per_year with seed)")
    flares_per_year: float = Field(2.0, ge=0.0, le=24.0, description="flares per year when flare_days is empty")
    seed: int = Field(0, ge=0, description="random seed of the drawn flare days")

    @model_validator(mode="after")
    def _flares(self) -> "RheumatoidArthritis":
        _events_after_onset(self, "flare_days")
        return self


class GuillainBarre(_CauseBase):
    type: Literal["guillain_barre"]


class _Deficiency(_CauseBase):
    supplement_day: float | None = Field(None, description="day supplementation starts (null: never)")

    @model_validator(mode="after")
    def _supplement_after_onset(self) -> "_Deficiency":
        _after_onset(self, "supplement_day")
        return self


class B12Deficiency(_Deficiency):
    type: Literal["b12_deficiency"]


class B1Deficiency(_Deficiency):
    type: Literal["b1_deficiency"]


class CharcotMarieTooth(_CauseBase):
    type: Literal["charcot_marie_tooth"]


class TemperatureStep(_Strict):
    day: float = Field(description="day from which this ambient temperature applies")
    celsius: float = Field(ge=-40.0, le=55.0, description="ambient temperature from that day, °C (-40 to 55)")


class Erythromelalgia(_CauseBase):
    type: Literal["erythromelalgia"]
    usual_celsius: float = Field(20.0, ge=-40.0, le=55.0, description="usual ambient temperature, °C")
    hot_days: list[float] = Field(default_factory=list, description="days (whole 24 h from their start) that are hot")
    hot_day_celsius: float = Field(32.0, ge=-40.0, le=55.0, description="ambient temperature on a hot day, °C")
    temperatures: list[TemperatureStep] = Field(default_factory=list,
                                                description="ambient temperature schedule (steps, in day order)")

    @field_validator("temperatures")
    @classmethod
    def _ordered(cls, v: list[TemperatureStep]) -> list[TemperatureStep]:
        days = [s.day for s in v]
        if days != sorted(days) or len(set(days)) != len(days):
            raise ValueError(f"temperature days must be strictly increasing, got {days}")
        return v

    @model_validator(mode="after")
    def _one_schedule(self) -> "Erythromelalgia":
        if self.hot_days and self.temperatures:
            raise ValueError("give either hot_days or temperatures (a full ambient schedule), not both")
        return self


class Alcohol(_CauseBase):
    type: Literal["alcohol"]
    drinks_per_day: float = Field(8.0, ge=0.0, le=40.0, description="standard drinks (~10-14 g ethanol) per day (0-40)")
    abstinence_day: float | None = Field(None, description="day drinking stops (null: never)")

    @model_validator(mode="after")
    def _abstinence_after_onset(self) -> "Alcohol":
        _after_onset(self, "abstinence_day")
        return self


class Toxin(_CauseBase):
    type: Literal["toxin"]
    agent: Literal["isoniazid", "metronidazole", "heavy_metal", "other"] = Field(
        "isoniazid", description="neurotoxic agent: isoniazid, metronidazole, heavy_metal or other")
    exposure_end_day: float | None = Field(None, description="day exposure ends (null: continues); onset_day starts it")

    @model_validator(mode="after")
    def _end_after_onset(self) -> "Toxin":
        _after_onset(self, "exposure_end_day")
        return self


class Idiopathic(_CauseBase):
    type: Literal["idiopathic"]


class SpinalCordInjury(_CauseBase):
    type: Literal["spinal_cord_injury"]


class CentralPostStroke(_CauseBase):
    type: Literal["central_post_stroke"]
    somatosensory: bool = Field(True, description="true if the stroke involves the spinothalamic–thalamocortical "
                                                  "pathway (a sensory deficit); false: no central pain can follow")


class TrigeminalNeuralgia(_CauseBase):
    type: Literal["trigeminal_neuralgia"]
    decompression_day: float | None = Field(None, description="day of microvascular decompression (null: never)")

    @model_validator(mode="after")
    def _decompression_after_onset(self) -> "TrigeminalNeuralgia":
        _after_onset(self, "decompression_day")
        return self


CauseSpec = Annotated[Union[NoCause, Diabetes, Shingles, Chemotherapy, Trauma, Compression, MultipleSclerosis,
                            RheumatoidArthritis, GuillainBarre, B12Deficiency, B1Deficiency, CharcotMarieTooth,
                            Erythromelalgia, Alcohol, Toxin, Idiopathic, SpinalCordInjury, CentralPostStroke,
                            TrigeminalNeuralgia], Field(discriminator="type")]


class CombinedCause(_Strict):
    """Several causes at once (a list under ``cause``); their drivers combine (:mod:`painloop.causes.combine`).

    Written and read back as the plain list. ``type`` is the engine's cause key (names joined by ``+``),
    ``onset_day`` the earliest onset and ``severity`` the largest severity of the listed causes.
    """

    causes: list[CauseSpec] = Field(description="the causes, each with its own type, severity, onset and settings")

    @field_validator("causes")
    @classmethod
    def _distinct(cls, v: list) -> list:
        names = [c.type for c in v]
        if len(names) < 2:
            raise ValueError("a list of causes needs at least two causes (give a single cause as a mapping)")
        if "none" in names:
            raise ValueError("type 'none' cannot be combined with other causes; leave it out of the list")
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"cause type(s) {dup} listed more than once; each cause may appear once (raise its "
                             "severity instead)")
        return v

    @property
    def type(self) -> str:
        """The engine's cause key: the listed cause types joined by ``+``."""
        return cause_key([c.type for c in self.causes])

    @property
    def onset_day(self) -> float:
        """Earliest onset of the listed causes (day)."""
        return min(c.onset_day for c in self.causes)

    @property
    def severity(self) -> float:
        """Largest severity of the listed causes (0-1)."""
        return max(c.severity for c in self.causes)

    @model_serializer(mode="wrap")
    def _as_list(self, handler) -> list:
        return handler(self)["causes"]


CAUSE_TAGS = ("single", "combined")
"""Tags of the two forms of ``cause`` (one mapping, or a list); error messages leave them out of field paths."""


def _cause_kind(v: object) -> str:
    """``combined`` for a list of causes (or its :class:`CombinedCause`), ``single`` otherwise."""
    combined = isinstance(v, CombinedCause) or (isinstance(v, dict) and "causes" in v and "type" not in v)
    return "combined" if combined else "single"


def _combined_from_list(v: object) -> object:
    """A list of causes → :class:`CombinedCause` input; an empty list is an error naming the field."""
    if isinstance(v, list):
        if not v:
            raise ValueError("the list of causes is empty; name at least two causes, or give one cause as a mapping")
        if len(v) == 1:
            return v[0]
        return {"causes": v}
    return v


class StressStep(_Strict):
    day: float = Field(description="day from which this level applies")
    level: float = Field(ge=0.0, le=2.0, description="external life stress from that day, 0 (everyday) to 2 (extreme)")


class Stress(_Strict):
    baseline: float = Field(0.0, ge=0.0, le=2.0, description="external life stress before the first step (0-2)")
    schedule: list[StressStep] = Field(default_factory=list, description="steps of the stress level, in day order")

    @field_validator("schedule")
    @classmethod
    def _ordered(cls, v: list[StressStep]) -> list[StressStep]:
        days = [s.day for s in v]
        if days != sorted(days) or len(set(days)) != len(days):
            raise ValueError(f"schedule days must be strictly increasing, got {days}")
        return v


class Night(_Strict):
    morning_day: int = Field(description="the night that ends on the morning of this day")
    hours_in_bed: float = Field(ge=0.0, le=14.0, description="hours in bed that night (0-14)")


class Sleep(_Strict):
    hours_in_bed: float = Field(8.0, ge=3.0, le=14.0, description="usual hours in bed per night (3-14)")
    wake_time: float = Field(7.0, ge=0.0, lt=24.0, description="usual wake time, clock hours (0-24)")
    nights: list[Night] = Field(default_factory=list, description="nights that differ from the usual")


class Variation(_Strict):
    """Day-to-day variation of the drivers inside the model (sleep, stress, provocation of the lesion)."""

    seed: int | None = Field(None, ge=0, le=2**31 - 1,
                             description="seed of the day-to-day variation (null: every day alike); the same seed "
                                         "gives the same days")


class Output(_Strict):
    every_hours: float = Field(1.0, gt=0.0, le=24.0, description="sampling interval of the results, hours (≤ 24)")


class Solver(_Strict):
    rtol: float = Field(1e-5, gt=0.0, le=1e-2, description="relative tolerance")
    atol: float = Field(1e-7, gt=0.0, le=1e-2, description="absolute tolerance")
    method: Literal["tsit5", "kvaerno5"] = "tsit5"
    engine: Literal["kernel", "jax"] = Field(
        "kernel", description="kernel: numba-compiled Tsit5 (fast on a CPU); jax: diffrax (implicit method, GPU)")


class DrugTreatment(_Strict):
    """A drug given at a regular interval between two days (one step of a titration or taper)."""

    drug: str = Field(description="drug name from the catalogue (`painloop treatments`)")
    dose: float = Field(gt=0.0, description="amount per dose: mg for oral drugs, number of patches for patches")
    every_hours: float | None = Field(24.0, gt=0.0, le=24.0 * 365, description="dosing interval, h (null: a single dose)")
    start_day: float = Field(0.0, description="day of the first dose (its clock time is clock_hour)")
    end_day: float | None = Field(None, description="day from which no more doses are given (null: end of the run)")
    clock_hour: float = Field(8.0, ge=0.0, lt=24.0, description="clock time of the first dose of the day, hours")

    @field_validator("drug")
    @classmethod
    def _known_drug(cls, v: str) -> str:
        if v not in DRUGS:
            raise ValueError(f"unknown drug {v!r}; known drugs: {', '.join(DRUGS)} (see `painloop treatments`)")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> "DrugTreatment":
        d = DRUGS[self.drug]
        if self.dose > d.max_single_dose:
            raise ValueError(f"dose {self.dose:g} {d.dose_unit} of {self.drug} is above the catalogue maximum of "
                             f"{d.max_single_dose:g} {d.dose_unit} per dose")
        check_daily_dose(self.drug, self.dose, self.every_hours)
        if self.end_day is not None and self.end_day <= self.start_day:
            raise ValueError(f"end_day ({self.end_day}) must be after start_day ({self.start_day})")
        if d.wear_hours and self.every_hours is not None and self.every_hours < d.wear_hours:
            raise ValueError(f"{self.drug} is worn {d.wear_hours:g} h; every_hours ({self.every_hours:g}) must be at least that")
        if d.min_interval_h and self.every_hours is not None and self.every_hours < d.min_interval_h:
            raise ValueError(f"{self.drug} may be repeated every {d.min_interval_h / 24:g} days at most "
                             f"(every_hours ≥ {d.min_interval_h:g}, or null for a single application)")
        return self


class TherapyTreatment(_Strict):
    """A non-drug therapy programme between two days."""

    therapy: str = Field(description="therapy name: " + ", ".join(THERAPIES))
    start_day: float = Field(0.0, description="first day of the programme")
    end_day: float | None = Field(None, description="day the programme ends (null: end of the run)")
    session_clock_hours: list[float] = Field(default_factory=lambda: [9.0, 18.0],
                                             description="TENS only: clock times at which sessions start, hours")
    session_minutes: float = Field(30.0, gt=0.0, le=240.0, description="TENS only: length of a session, minutes")
    sessions_per_week: float | None = Field(None, gt=0.0, le=14.0,
                                            description="session-based therapies only: sessions per week (null: the "
                                                        "therapy's reference schedule, see `painloop treatments`)")

    @field_validator("therapy")
    @classmethod
    def _known_therapy(cls, v: str) -> str:
        if v not in THERAPIES:
            raise ValueError(f"unknown therapy {v!r}; known therapies: {', '.join(THERAPIES)}")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> "TherapyTreatment":
        if self.end_day is not None and self.end_day <= self.start_day:
            raise ValueError(f"end_day ({self.end_day}) must be after start_day ({self.start_day})")
        if self.sessions_per_week is not None and THERAPIES[self.therapy].sessions_per_week is None:
            session_based = ", ".join(n for n, t in THERAPIES.items() if t.sessions_per_week is not None)
            raise ValueError(f"sessions_per_week applies only to session-based therapies ({session_based}), "
                             f"not to {self.therapy}")
        for h in self.session_clock_hours:
            if not 0.0 <= h or h + self.session_minutes / 60.0 > 24.0:
                raise ValueError(f"TENS session at {h:g} h of {self.session_minutes:g} min must lie within one day (0-24 h)")
        return self


def _treatment_kind(v: object) -> str:
    if isinstance(v, DrugTreatment) or (isinstance(v, dict) and "drug" in v):
        return "drug"
    return "therapy"


TreatmentSpec = Annotated[Union[Annotated[DrugTreatment, Tag("drug")], Annotated[TherapyTreatment, Tag("therapy")]],
                          Discriminator(_treatment_kind)]


class Scenario(_Strict):
    """One situation to simulate (see the module docstring for the time convention)."""

    name: str = "custom"
    description: str = ""
    duration_days: float = Field(365.0, gt=0.0, le=3650.0, description="reported period, days (≤ 3650)")
    history_days: int = Field(0, ge=0, le=7300, description="whole days simulated before day 0 and not reported")
    cause: Annotated[Union[Annotated[CauseSpec, Tag("single")], Annotated[CombinedCause, Tag("combined")]],
                     Discriminator(_cause_kind)] = Field(
        default_factory=NoCause, description="the cause, or a list of causes acting together")
    stress: Stress = Field(default_factory=Stress)
    sleep: Sleep = Field(default_factory=Sleep)
    variation: Variation = Field(default_factory=Variation)
    output: Output = Field(default_factory=Output)
    solver: Solver = Field(default_factory=Solver)
    params: dict[str, float] = Field(default_factory=dict, description="parameter overrides, name → value")
    treatments: list[TreatmentSpec] = Field(
        default_factory=list,
        description="drugs and therapies; a string is a regimen such as 'duloxetine 60 mg qd from day 14'")

    @field_validator("cause", mode="before")
    @classmethod
    def _cause_list(cls, v: object) -> object:
        return _combined_from_list(v)

    @field_validator("treatments", mode="before")
    @classmethod
    def _expand_regimens(cls, v: object) -> object:
        if not isinstance(v, list):
            return v
        out: list = []
        for i, item in enumerate(v):
            text = item if isinstance(item, str) else (item.get("regimen") if isinstance(item, dict) else None)
            if text is None:
                out.append(item)
                continue
            if isinstance(item, dict) and set(item) != {"regimen"}:
                raise ValueError(f"treatments[{i}]: 'regimen' cannot be combined with other fields {sorted(set(item) - {'regimen'})}")
            try:
                out.extend(parse_treatment(text))
            except RegimenError as e:
                raise ValueError(f"treatments[{i}]: {e}") from None
        return out

    @model_validator(mode="after")
    def _no_overlaps(self) -> "Scenario":
        end_default = self.duration_days
        spans: dict[str, list[tuple[float, float, int]]] = {}
        for i, t in enumerate(self.treatments):
            name = t.drug if isinstance(t, DrugTreatment) else t.therapy
            end = t.end_day if t.end_day is not None else end_default
            if t.start_day < -self.history_days or t.start_day >= self.duration_days:
                raise ValueError(f"treatments[{i}] ({name}): start_day {t.start_day} is outside the simulated time "
                                 f"(-history_days = {-self.history_days} to duration_days = {self.duration_days})")
            for a, b, j in spans.get(name, []):
                if t.start_day < b and a < end:
                    raise ValueError(f"treatments[{j}] and treatments[{i}] give {name} on overlapping days "
                                     f"({a:g}-{b:g} and {t.start_day:g}-{end:g}); contradictory schedules: end one "
                                     f"step (end_day) where the next starts")
            spans.setdefault(name, []).append((t.start_day, end, i))
        return self

    @field_validator("params")
    @classmethod
    def _known_params(cls, v: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(v) - set(system.PARAM_NAMES))
        if unknown:
            raise ValueError(f"unknown parameter(s) {unknown}; see `painloop params` for the names")
        negative = sorted(k for k, x in v.items() if x < 0)
        if negative:
            raise ValueError(f"parameter(s) {negative} must be ≥ 0")
        return v

    @model_validator(mode="after")
    def _cause_in_window(self) -> "Scenario":
        onset = getattr(self.cause, "onset_day", 0.0)
        if onset < -self.history_days:
            raise ValueError(f"cause.onset_day ({onset}) is before the start of the simulated history "
                             f"(-history_days = {-self.history_days}); raise history_days")
        return self
