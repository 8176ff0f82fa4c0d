"""Scenario files: validated descriptions of one simulated situation.

A scenario names a cause (with severity, onset and its own settings), the
external life-stress schedule, the sleep opportunity, the duration and the
output sampling. Days count from the start of the reported period (day 0 at
midnight); ``history_days`` simulates time before day 0 that is not reported
(e.g. years of diabetes before the year of interest).
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..model import system


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _CauseBase(_Strict):
    severity: float = Field(0.5, ge=0.0, le=1.0, description="severity of the cause, 0 (none) to 1 (severe)")
    onset_day: float = Field(0.0, description="day the cause starts (negative: before the reported period)")


class NoCause(_Strict):
    type: Literal["none"] = "none"


class Diabetes(_CauseBase):
    type: Literal["diabetes"]
    hba1c: float = Field(8.5, ge=4.0, le=16.0, description="glycated haemoglobin, % (4-16)")


class Shingles(_CauseBase):
    type: Literal["shingles"]
    age: float = Field(70.0, ge=18.0, le=110.0, description="age at the zoster episode, years")


class Chemotherapy(_CauseBase):
    type: Literal["chemotherapy"]
    cycles: int = Field(6, ge=1, le=24, description="number of chemotherapy cycles")
    cycle_days: float = Field(21.0, ge=7.0, le=56.0, description="days between cycles")


class Trauma(_CauseBase):
    type: Literal["trauma"]
    amputation: bool = Field(False, description="true for an amputation (no regeneration: phantom limb)")


class Compression(_CauseBase):
    type: Literal["compression"]
    decompression_day: float | None = Field(None, description="day of decompression surgery (none: never)")

    @model_validator(mode="after")
    def _after_onset(self) -> "Compression":
        if self.decompression_day is not None and self.decompression_day <= self.onset_day:
            raise ValueError(f"decompression_day ({self.decompression_day}) must be after onset_day ({self.onset_day})")
        return self


CauseSpec = Annotated[Union[NoCause, Diabetes, Shingles, Chemotherapy, Trauma, Compression], Field(discriminator="type")]


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


class Output(_Strict):
    every_hours: float = Field(1.0, gt=0.0, le=24.0, description="sampling interval of the results, hours (≤ 24)")


class Solver(_Strict):
    rtol: float = Field(1e-5, gt=0.0, le=1e-2, description="relative tolerance")
    atol: float = Field(1e-7, gt=0.0, le=1e-2, description="absolute tolerance")
    method: Literal["tsit5", "kvaerno5"] = "tsit5"


class Scenario(_Strict):
    """One situation to simulate (see the module docstring for the time convention)."""

    name: str = "custom"
    description: str = ""
    duration_days: float = Field(365.0, gt=0.0, le=3650.0, description="reported period, days (≤ 3650)")
    history_days: int = Field(0, ge=0, le=7300, description="whole days simulated before day 0 and not reported")
    cause: CauseSpec = Field(default_factory=NoCause)
    stress: Stress = Field(default_factory=Stress)
    sleep: Sleep = Field(default_factory=Sleep)
    output: Output = Field(default_factory=Output)
    solver: Solver = Field(default_factory=Solver)
    params: dict[str, float] = Field(default_factory=dict, description="parameter overrides, name → value")

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
