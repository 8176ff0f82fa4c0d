"""Robustness over the declared parameter ranges: draws, bounds checks and a list of failures.

Every model parameter declares a plausible :class:`~painloop.model._declare.Range`.
:func:`draw` samples parameter sets uniformly over those ranges (in log space
for log-scale ranges, in the value for linear ones), :func:`violations` says
for each simulated patient whether it integrated and kept every state within
its declared bounds and the NRS within 0-10, and :func:`sweep` runs a batch of
draws through the batched simulator and returns the failures with their
parameters, so a failure can be rerun and studied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import xarray as xr

from ..model import system
from ..model._declare import Param
from ..scenario import Scenario, builtin, parse_scenario

BOUND_TOL = 1e-6
"""Slack (in each state's unit) allowed on a declared bound (assumption: the solver's absolute tolerance is 1e-7,
so an excursion beyond 1e-6 is a model property, not rounding)."""

DEFAULT_DAYS = 56.0
"""Horizon of a robustness run, days from onset (assumption: eight weeks, the length of a typical trial's
treatment phase, covers the fast and the weeks-long dynamics)."""

DEFAULT_EVERY_HOURS = 6.0
"""Output interval of a robustness run, hours (assumption: four points a day resolve the daily rhythms)."""


def ranged_params() -> tuple[Param, ...]:
    """The model parameters swept: every declared model parameter (each has a range)."""
    missing = [p.name for p in system.PARAMS if p.range is None]
    if missing:
        raise ValueError(f"parameters without a declared range: {missing}")
    return system.PARAMS


def draw(n: int, seed: int, params: Sequence[Param] | None = None) -> dict[str, np.ndarray]:
    """``n`` parameter sets uniform over each declared range: in log space (log scale) or in the value (linear).

    Returns parameter name → array of ``n`` values; the same ``seed`` gives the same draws.
    """
    params = ranged_params() if params is None else params
    u = np.random.default_rng(seed).random((len(params), n))
    out: dict[str, np.ndarray] = {}
    for row, p in zip(u, params):
        lo, hi = p.range.lower, p.range.upper
        if p.range.scale == "log":
            out[p.name] = np.exp(np.log(lo) + row * (np.log(hi) - np.log(lo)))
        else:
            out[p.name] = lo + row * (hi - lo)
    return out


def from_onset(name: str = "default", days: float = DEFAULT_DAYS, every_hours: float = DEFAULT_EVERY_HOURS) -> Scenario:
    """Built-in scenario ``name`` from the onset of its cause: no history, onset on day 0, ``days`` reported.

    The scenario's own parameter overrides are dropped (the draws set every parameter).
    """
    data = builtin(name).model_dump(mode="json")
    data.update(history_days=0, duration_days=days, output={"every_hours": every_hours}, params={})
    data["cause"] = {**data["cause"], "onset_day": 0}
    return parse_scenario(data)


EVERY_TREATMENT: tuple[object, ...] = (
    "duloxetine 60 mg qd from day 7", "amitriptyline 25 mg qhs from day 7", "pregabalin 150 mg bid from day 7",
    "gabapentin 600 mg tid from day 7", "tramadol 50 mg qid from day 7 to day 35",
    "oxycodone 10 mg bid from day 7 to day 35", "morphine 15 mg bid from day 14 to day 42",
    "ibuprofen 400 mg tid from day 7", "lidocaine_5pct_patch 3 patches daily from day 7",
    "capsaicin_8pct_patch 4 patches once at day 10",
    *({"therapy": t, "start_day": 7} for t in ("cbt", "exercise", "sleep_hygiene", "tens", "mindfulness",
                                               "support_group", "lifestyle", "physical_therapy")),
    {"therapy": "acupuncture", "start_day": 7, "sessions_per_week": 14},
)
"""Every drug and non-drug therapy at once, from day 7 (opioids stopped on days 35-42, so withdrawal occurs;
acupuncture at the schedule's maximum of 14 sessions a week): not a regimen anyone would prescribe, but it
exercises every treatment parameter in one robustness run."""


def with_every_treatment(scenario: Scenario) -> Scenario:
    """``scenario`` with :data:`EVERY_TREATMENT` as its treatments."""
    return parse_scenario({**scenario.model_dump(mode="json"), "name": f"{scenario.name}-every-treatment",
                           "treatments": list(EVERY_TREATMENT)})


def violations(ds: xr.Dataset, tol: float = BOUND_TOL) -> list[str]:
    """Per patient: "" when it integrated, every state is finite and within its declared bounds and the NRS in 0-10;
    otherwise the reasons, separated by "; "."""
    n = ds.sizes["patient"]
    reasons: list[list[str]] = [[] for _ in range(n)]
    for j in np.flatnonzero(ds["solver_ok"].values == 0):
        reasons[j].append(f"solver status {int(ds['solver_status'].values[j])}")
    not_finite: list[list[str]] = [[] for _ in range(n)]
    checks = [(s.name, s.lower, s.upper) for s in system.STATES] + [("nrs", 0.0, 10.0)]
    for name, lower, upper in checks:
        v = ds[name].values
        finite = np.isfinite(v)
        vmin = np.where(finite, v, np.inf).min(axis=1)
        vmax = np.where(finite, v, -np.inf).max(axis=1)
        for j in np.flatnonzero(~finite.all(axis=1)):
            not_finite[j].append(name)
        for j in np.flatnonzero(vmin < lower - tol):
            reasons[j].append(f"{name} min {vmin[j]:.4g} < {lower:g}")
        for j in np.flatnonzero(vmax > upper + tol):
            reasons[j].append(f"{name} max {vmax[j]:.4g} > {upper:g}")
    for j, names in enumerate(not_finite):
        if names:
            more = f" and {len(names) - 3} more" if len(names) > 3 else ""
            reasons[j].append(f"not finite: {', '.join(names[:3])}{more}")
    return ["; ".join(r) for r in reasons]


@dataclass
class Failure:
    """One failing draw: its index in the sweep, the reasons and its parameter values."""

    index: int
    reasons: str
    params: dict[str, float]

    def extreme(self, k: int = 6) -> list[tuple[str, float, float]]:
        """The ``k`` parameters furthest from nominal, as (name, value, position 0-1 within the range)."""
        rows = []
        for p in ranged_params():
            lo, hi, v = p.range.lower, p.range.upper, self.params[p.name]
            if hi == lo:
                continue
            if p.range.scale == "log":
                pos = (np.log(v) - np.log(lo)) / (np.log(hi) - np.log(lo))
                nom = (np.log(p.value) - np.log(lo)) / (np.log(hi) - np.log(lo))
            else:
                pos, nom = (v - lo) / (hi - lo), (p.value - lo) / (hi - lo)
            rows.append((abs(pos - nom), p.name, v, pos))
        rows.sort(reverse=True)
        return [(name, v, pos) for _, name, v, pos in rows[:k]]


@dataclass
class SweepResult:
    """Outcome of :func:`sweep`: how many draws ran, which failed and why."""

    n: int
    failures: list[Failure] = field(default_factory=list)

    @property
    def share_ok(self) -> float:
        """Share of draws that integrated within bounds (0-1)."""
        return 1.0 - len(self.failures) / self.n if self.n else 1.0

    def report(self) -> str:
        """Text listing of the failures with their reasons and most extreme parameters."""
        lines = [f"{self.n - len(self.failures)}/{self.n} draws integrate within bounds ({100 * self.share_ok:.2f} %)"]
        for f in self.failures:
            lines.append(f"draw {f.index}: {f.reasons}")
            lines.append("    " + ", ".join(f"{n}={v:.4g} (at {pos:.2f} of range)" for n, v, pos in f.extreme()))
        return "\n".join(lines)


def sweep(n: int, seed: int, scenario: Scenario | None = None, batch: int = 500,
          inputs: Mapping[str, object] | None = None, threads: int | None = 1) -> SweepResult:
    """Simulate ``n`` draws (:func:`draw` with ``seed``) of ``scenario`` (default: the default scenario from onset)
    in batches of ``batch`` patients and collect the draws that fail :func:`violations`."""
    from ..simulate import simulate

    scenario = from_onset() if scenario is None else scenario
    drawn = draw(n, seed)
    result = SweepResult(n)
    for start in range(0, n, batch):
        part = {k: v[start:start + batch] for k, v in drawn.items()}
        ds = simulate(scenario, part, inputs=inputs, threads=threads)
        for j, why in enumerate(violations(ds)):
            if why:
                i = start + j
                result.failures.append(Failure(i, why, {k: float(v[i]) for k, v in drawn.items()}))
    return result
