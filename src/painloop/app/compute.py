"""What the Explore page computes, without Streamlit: scenario from the controls, one batched run, summaries.

One update is ONE call of :func:`painloop.simulate.simulate` with a batch of
``1 + len(LOOP_GAINS)`` patients that differ only in the loop gains: patient
0 is the nominal model, patient k has loop direction k cut (gain 0). It
starts from the cause's day-0 state after its built-in history, computed
once and cached (:func:`history_start`): the controls, the treatment and the
loop cuts act from day 0.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Hashable

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import xarray as xr

from ..model import loops as loop_module
from ..report import figures
from ..scenario import Scenario, builtin, parse_scenario

CAUSE_TYPES: tuple[str, ...] = ("none", "diabetes", "shingles", "chemotherapy", "trauma", "compression")

BASE_SCENARIO: dict[str, str] = {
    "none": "healthy",
    "diabetes": "diabetes-calm",
    "shingles": "shingles-phn",
    "chemotherapy": "chemotherapy",
    "trauma": "surgery",
    "compression": "sciatica-decompression",
}
"""Built-in scenario that supplies each cause's other settings (onset, HbA1c, age, cycles, history...)."""

CAUSE_LABELS: dict[str, str] = {
    "none": "none (no nerve injury)",
    "diabetes": "diabetes (diabetic neuropathy)",
    "shingles": "shingles (post-herpetic neuralgia)",
    "chemotherapy": "chemotherapy (CIPN)",
    "trauma": "trauma (nerve injury in surgery)",
    "compression": "compression (nerve root, decompressed day 120)",
}

DURATIONS_DAYS: tuple[int, ...] = (90, 180, 365)
"""Reported periods offered (days). Few fixed values so that compiled programs are reused."""

OUTPUT_EVERY_HOURS = 1.0
"""Hourly outputs: needed for the 24 h cortisol profile and the daily pain range."""

LAST_WEEK_DAYS = 7.0
LOOP_WINDOW_DAYS = 28.0
"""Loop strengths are averaged over the last 4 weeks of the reported period (or all of it if shorter)."""

LOOP_GAINS = loop_module.GAINS

TREATMENT_START_DAY = 30
"""Day of the reported period on which the chosen treatment starts (the first month shows the untreated course)."""

TREATMENTS: dict[str, object] = {
    "none": None,
    "duloxetine (SNRI) 60 mg once daily": "duloxetine 60 mg qd from day {d}",
    "amitriptyline (TCA) 25 mg at night": "amitriptyline 25 mg qhs from day {d}",
    "pregabalin 150 mg twice daily": "pregabalin 150 mg bid from day {d}",
    "gabapentin 600 mg three times daily": "gabapentin 600 mg tid from day {d}",
    "tramadol 50 mg four times daily": "tramadol 50 mg qid from day {d}",
    "lidocaine 5 % patch, 12 h on / 12 h off": "lidocaine_5pct_patch 1 patches daily from day {d}",
    "capsaicin 8 % patch, single application": "capsaicin_8pct_patch 1 patches once at day {d}",
    "cognitive behavioural therapy (10 weeks)": {"therapy": "cbt", "end_day": 70},
    "exercise programme (12 weeks)": {"therapy": "exercise", "end_day": 84},
    "sleep hygiene programme (6 weeks)": {"therapy": "sleep_hygiene", "end_day": 42},
    "TENS, two 30 min sessions a day": {"therapy": "tens"},
}
"""Treatment choices of the Explore page: typical regimens of published trials, shown to illustrate the model's
mechanisms (not a dosing recommendation). Strings are regimens (``{d}`` = start day); dicts are therapy programmes
whose ``end_day`` counts from the start day."""


def treatment_entry(choice: str, start_day: int = TREATMENT_START_DAY) -> object | None:
    """The scenario ``treatments`` entry of an Explore treatment choice, starting on ``start_day``."""
    if choice not in TREATMENTS:
        raise ValueError(f"treatment must be one of {list(TREATMENTS)}, got {choice!r}")
    spec = TREATMENTS[choice]
    if spec is None:
        return None
    if isinstance(spec, str):
        return spec.format(d=start_day)
    entry = {**spec, "start_day": start_day}
    if "end_day" in entry:
        entry["end_day"] = start_day + entry["end_day"]
    return entry


@dataclass(frozen=True)
class LoopEdge:
    """How one loop gain appears in the diagram and which variable it acts on."""

    gain: str
    source: str
    target: str
    receiving: str
    receiving_label: str
    receiving_unit: str


LOOP_EDGES: dict[str, LoopEdge] = {e.gain: e for e in (
    LoopEdge("loop_stress_to_pain", "stress", "pain", "nrs", "pain", "NRS"),
    LoopEdge("loop_pain_to_stress", "pain", "stress", "perceived_stress", "perceived stress", "score"),
    LoopEdge("loop_sleep_to_pain", "sleep", "pain", "nrs", "pain", "NRS"),
    LoopEdge("loop_pain_to_sleep", "pain", "sleep", "sleep_h", "sleep", "h/day"),
    LoopEdge("loop_mood_to_pain", "mood", "pain", "nrs", "pain", "NRS"),
    LoopEdge("loop_pain_to_mood", "pain", "mood", "depression", "depression", "score 0-1"),
    LoopEdge("loop_tension", "pain", "tension", "muscle_tension", "muscle tension", "score 0-1"),
    LoopEdge("loop_autonomic_to_stress", "autonomic", "stress", "perceived_stress", "perceived stress", "score"),
    LoopEdge("loop_isolation_to_mood", "social", "mood", "depression", "depression", "score 0-1"),
    LoopEdge("loop_gait_to_pain", "gait", "pain", "msk_pain", "musculoskeletal pain", "NRS"),
    LoopEdge("loop_hpa_to_stress", "hpa", "stress", "perceived_stress", "perceived stress", "score"),
    LoopEdge("loop_fatigue_to_mood", "fatigue", "mood", "anxiety", "anxiety (irritability)", "score 0-1"),
    LoopEdge("loop_sleep_to_repair", "sleep", "damage", "damage", "nerve damage", "fraction"),
    LoopEdge("loop_swelling_to_compression", "inflammation", "damage", "damage", "nerve damage", "fraction"),
)}
if set(LOOP_EDGES) != set(LOOP_GAINS):  # pragma: no cover - guards against a renamed loop gain
    raise RuntimeError(f"loop gains {sorted(LOOP_GAINS)} do not match the app's diagram {sorted(LOOP_EDGES)}")


@dataclass(frozen=True)
class ExploreSettings:
    """The Explore page's controls.

    ``severity`` 0-1 (ignored for cause ``none``), ``stress`` external life
    stress 0-2 (constant over the run), ``hours_in_bed`` h per night,
    ``duration_days`` one of :data:`DURATIONS_DAYS`, ``treatment`` a key of
    :data:`TREATMENTS` (started on day :data:`TREATMENT_START_DAY`).
    """

    cause: str = "diabetes"
    severity: float = 0.8
    stress: float = 0.1
    hours_in_bed: float = 8.0
    duration_days: int = 365
    treatment: str = "none"


@dataclass
class ExploreResult:
    """One update: the nominal patient's Dataset, the loop-strength table and headline numbers."""

    settings: ExploreSettings
    scenario: Scenario
    ds: xr.Dataset
    loops: pd.DataFrame
    summary: dict[str, float]
    damage: float
    solver_ok: bool
    wall_s: float = 0.0


def explore_scenario(settings: ExploreSettings) -> Scenario:
    """The scenario for the controls: the cause's built-in scenario with severity, stress, sleep and duration set."""
    if settings.cause not in BASE_SCENARIO:
        raise ValueError(f"cause must be one of {CAUSE_TYPES}, got {settings.cause!r}")
    if int(settings.duration_days) not in DURATIONS_DAYS:
        raise ValueError(f"duration_days must be one of {DURATIONS_DAYS}, got {settings.duration_days}")
    data = builtin(BASE_SCENARIO[settings.cause]).model_dump(mode="json")
    if settings.cause != "none":
        data["cause"]["severity"] = float(settings.severity)
    data.update(
        name=f"explore-{settings.cause}",
        description=f"Explore page: {CAUSE_LABELS[settings.cause]}, other settings from built-in "
                    f"'{BASE_SCENARIO[settings.cause]}'",
        duration_days=float(settings.duration_days),
        stress={"baseline": float(settings.stress), "schedule": []},
        sleep={**data["sleep"], "hours_in_bed": float(settings.hours_in_bed), "nights": []},
        output={"every_hours": OUTPUT_EVERY_HOURS},
    )
    entry = treatment_entry(settings.treatment)
    data["treatments"] = [entry] if entry is not None else []
    return parse_scenario(data, "from the Explore controls")


def loop_cut_params(scenario: Scenario) -> dict[str, np.ndarray]:
    """Loop gains per patient: patient 0 nominal (the scenario's values), patient k+1 with gain k set to 0."""
    n = len(LOOP_GAINS) + 1
    params = {}
    for k, name in enumerate(LOOP_GAINS):
        gain = np.full(n, float(scenario.params.get(name, loop_module.PARAMS[k].value)))
        gain[k + 1] = 0.0
        params[name] = gain
    return params


def _window_mean(da: xr.DataArray, days: float) -> np.ndarray:
    """Mean over the last ``days`` days of the reported period, per patient."""
    t = da["time"].values
    end = t[-1] + (t[1] - t[0] if t.size > 1 else 0.0)
    return da.isel(time=t >= end - days - 1e-9).mean("time").values


def _receiving(ds: xr.Dataset, name: str, days: float) -> np.ndarray:
    if name == "sleep_h":
        return _window_mean(ds["asleep"], days) * 24.0
    return _window_mean(ds[name], days)


def loop_table(ds_batch: xr.Dataset, window_days: float = LOOP_WINDOW_DAYS) -> pd.DataFrame:
    """Strength of each loop direction from the batched run (patient 0 nominal, k+1 with loop k cut).

    Columns: ``loop``, ``source``, ``target``; ``delta_nrs`` = mean NRS
    nominal − cut over the window (NRS points that direction carries; may be
    negative if the direction protects); ``receiving`` (variable acted on),
    ``receiving_unit``, ``delta_receiving`` = nominal − cut of that variable.
    """
    days = min(window_days, float(ds_batch["time"].values[-1]) + 1.0)
    nrs = _window_mean(ds_batch["nrs"], days)
    rows = []
    for k, gain in enumerate(LOOP_GAINS):
        edge = LOOP_EDGES[gain]
        recv = _receiving(ds_batch, edge.receiving, days)
        rows.append({"loop": gain, "source": edge.source, "target": edge.target,
                     "delta_nrs": float(nrs[0] - nrs[k + 1]), "receiving": edge.receiving_label,
                     "receiving_unit": edge.receiving_unit, "delta_receiving": float(recv[0] - recv[k + 1]),
                     "window_days": days})
    return pd.DataFrame(rows)


def summarize(ds: xr.Dataset, days: float = LAST_WEEK_DAYS) -> dict[str, float]:
    """Headline means of patient 0 over the last ``days`` days.

    Keys: ``nrs_last_week`` (NRS 0-10), ``sleep_h_last_week`` (h/day asleep),
    ``depression_last_week`` (score 0-1), ``sens_central_last_week`` (fraction), ``qol_last_week`` (EQ-5D-like
    utility), ``bp_drop_last_week`` (orthostatic fall, mmHg), ``gait_strain_last_week`` (score 0-1) and
    ``participation_last_week`` (score 0-1).
    """
    return {
        "nrs_last_week": float(_window_mean(ds["nrs"], days)[0]),
        "sleep_h_last_week": float(_window_mean(ds["asleep"], days)[0] * 24.0),
        "depression_last_week": float(_window_mean(ds["depression"], days)[0]),
        "sens_central_last_week": float(_window_mean(ds["sens_central"], days)[0]),
        "qol_last_week": float(_window_mean(ds["qol_utility"], days)[0]),
        "bp_drop_last_week": float(_window_mean(ds["orthostatic_bp_drop"], days)[0]),
        "gait_strain_last_week": float(_window_mean(ds["gait_strain"], days)[0]),
        "participation_last_week": float(_window_mean(ds["participation"], days)[0]),
    }


EXPLORE_BLOCK = 8
"""Patients sharing one step in an Explore update: the nominal patient and the 14 loop cuts run as two blocks of
8-lane SIMD chunks, one per core. Measured (one year hourly, 3 repeats, medians): blocks of 8 407 ms, one block of
16 lanes 725 ms, four blocks of 4 in scalar code 810 ms."""


def history_start(cause: str) -> np.ndarray:
    """State at day 0 after the cause's built-in history at the default controls (computed once per cause, cached).

    Why: the history (years of disease before day 0) is most of the work of
    an update, and the controls act on what happens next; so the Explore page
    starts every update from this cached state and applies the controls,
    the treatment and the loop cuts from day 0.
    """
    from ..simulate import history_state

    cached = _HISTORIES.get(cause)
    if cached is None:
        cached = history_state(explore_scenario(ExploreSettings(cause=cause, duration_days=DURATIONS_DAYS[0])))[:, 0]
        _HISTORIES.put(cause, cached)
    return cached


def run_explore(settings: ExploreSettings, progress: Callable[[float], None] | None = None) -> ExploreResult:
    """One Explore update: a single batched simulation (nominal + each loop cut) from the cached day-0 state."""
    import time

    t0 = time.perf_counter()
    from ..simulate import simulate

    scenario = explore_scenario(settings)
    batch = simulate(scenario, loop_cut_params(scenario), progress=progress, y0=history_start(settings.cause),
                     skip_history=True, block_size=EXPLORE_BLOCK)
    ok = bool(batch["solver_ok"].all())
    nominal = batch.isel(patient=[0])
    nominal = nominal.assign_coords(patient=[0])
    return ExploreResult(settings=settings, scenario=scenario, ds=nominal, loops=loop_table(batch),
                         summary=summarize(nominal),
                         damage=float(_window_mean(nominal["damage"], LOOP_WINDOW_DAYS)[0]),
                         solver_ok=ok, wall_s=time.perf_counter() - t0)


def explore_figures(result: ExploreResult) -> dict[str, go.Figure]:
    """The Explore page's figures, by name (the report's figure functions plus the loop diagram)."""
    from .figures import loop_diagram

    ds = result.ds
    treated = {"dosing": figures.dosing_figure(ds), "side_effects": figures.side_effect_figure(ds)} \
        if result.scenario.treatments else {}
    return {
        **treated,
        "pain": figures.pain_figure(ds),
        "loops": loop_diagram(result),
        "cortisol": figures.cortisol_figure(ds),
        "sleep": figures.sleep_figure(ds),
        "mood": figures.mood_figure(ds),
        "mechanism": figures.mechanism_figure(ds),
        "symptoms": figures.symptom_figure(ds),
        "function": figures.function_figure(ds),
        "autonomic": figures.autonomic_figure(ds),
        "gait": figures.gait_figure(ds),
        "social": figures.social_figure(ds),
    }


def warm_up(cause: str) -> float:
    """Compile the kernel for ``cause`` and compute its cached day-0 state; returns seconds."""
    import time

    t0 = time.perf_counter()
    history_start(cause)
    return time.perf_counter() - t0


class ResultCache:
    """A small thread-safe least-recently-used store of results (shared by all browser sessions)."""

    def __init__(self, max_entries: int = 16) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> object | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            return None

    def put(self, key: Hashable, value: object) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)


_HISTORIES = ResultCache(max_entries=len(CAUSE_TYPES))
"""Day-0 states per cause (shared by all browser sessions)."""
