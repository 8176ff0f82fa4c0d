"""``painloop calibrate``: re-fit the free population parameters jointly to the shipped calibration targets.

Optimiser: CMA-ES (the ``cma`` package, N. Hansen's reference implementation). Why CMA-ES and not optuna's
TPE: the free parameters are a handful of continuous, bounded values; the loss comes from finite simulated
populations (slightly rough, no gradients); CMA-ES is the standard derivative-free method for exactly this,
adapts to correlated parameters (e.g. the two expectation shapes), handles box bounds, and is deterministic
given its seed. TPE shines with categorical/conditional search spaces and large trial counts, which we do not
have. Every evaluation uses the same population seed (common random numbers), so differences in the loss come
from the parameters, not from a new draw of patients.

Loss: Σ_targets ((simulated − published) / half-width of the published interval)², over the calibration targets
whose check runs (a target the model cannot produce yet is reported and left out). Search space: each free
parameter mapped linearly from its [lower, upper] bounds to [0, 1].

Output (YAML, date-free, deterministic): fitted values, the target ids and the target file's SHA-256, optimiser
and version, seed, budget, evaluations, start and final loss, population size. ``painloop params`` shows the
fitted values with "fitted by painloop calibrate to …" when the file is the package's
``data/fitted/population.yaml`` (or the file in ``$PAINLOOP_POPULATION_FIT``).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from importlib import resources
from typing import Callable, Sequence

import numpy as np
import yaml


@dataclass(frozen=True)
class FreeParameter:
    """A population parameter the calibration may move, within bounds (its unit and source are declared in
    ``painloop.population.POPULATION_PARAMS``)."""

    name: str
    lower: float
    upper: float
    reason: str


FREE_PARAMETERS: tuple[FreeParameter, ...] = (
    FreeParameter("mood_vulnerability_depression", 0.6, 2.0, "depression prevalence among people with neuropathic pain"),
    FreeParameter("mood_vulnerability_anxiety", 0.6, 2.0, "anxiety prevalence among people with neuropathic pain"),
    FreeParameter("expectation_a", 0.3, 3.0, "placebo responder rates (shape of the expectation distribution)"),
    FreeParameter("expectation_b", 0.5, 6.0, "placebo responder rates (shape of the expectation distribution)"),
    FreeParameter("stress_median", 0.05, 0.8, "prevalence of painful neuropathy and of mood disorders (life stress)"),
)
"""The free population parameters and their bounds (assumption: bounds wide enough to contain any plausible fit)."""

DEFAULT_TARGETS = ("dpn_painful_prevalence", "depression_prevalence", "anxiety_prevalence", "within_person_sd",
                   "placebo_responders_50", "placebo_responders_30")
"""Calibration targets the free population parameters act on (the NNTs are fitted by ``painloop.trials.calibrate``)."""

CALIBRATION_SEED = 2015
"""Default seed of ``painloop calibrate`` (tests and ``painloop validate`` use other seeds)."""


@dataclass
class CalibrationResult:
    """Fitted values with their provenance."""

    values: dict[str, float]
    loss_start: float
    loss: float
    evaluations: int
    history: list[float]
    targets: list[str]
    skipped: dict[str, str]
    document: dict


def _target_file_digest() -> str:
    from ..validation.targets import CALIBRATION_FILE
    data = resources.files("painloop").joinpath("data", "targets", CALIBRATION_FILE).read_bytes()
    return hashlib.sha256(data).hexdigest()[:16]


def loss_of(values: dict[str, float], targets: list, n: int, seed: int, diabetes_years: float,
            trial_n: int) -> tuple[float, dict[str, float], dict[str, str]]:
    """Loss at ``values`` (population-parameter overrides), the simulated value of each target, and skipped ones."""
    from ..validation.checks import PopulationCache, TrialCache, evaluate

    cache = PopulationCache(n=n, seed=seed, diabetes_years=diabetes_years, overrides=dict(values))
    needs_trials = any(t.check.startswith(("trial_", "placebo_")) for t in targets)
    trials = TrialCache(n=trial_n, seed=seed, overrides=dict(values)) if needs_trials else None
    total, sims, skipped = 0.0, {}, {}
    for t in targets:
        o = evaluate(t, cache, trials)
        if not math.isfinite(o.simulated):
            skipped[t.target_id] = o.note or "not evaluable"
            continue
        half = max((t.high - t.low) / 2.0, 1e-9)
        total += ((o.simulated - t.value) / half) ** 2
        sims[t.target_id] = o.simulated
    return total, sims, skipped


def calibrate(target_ids: Sequence[str] = DEFAULT_TARGETS, *, parameters: Sequence[str] | None = None,
              budget: int = 40, seed: int = CALIBRATION_SEED, n: int = 200, diabetes_years: float = 2.0,
              trial_n: int = 100, start: dict[str, float] | None = None,
              progress: Callable[[str], None] | None = None) -> CalibrationResult:
    """Fit the free parameters (all, or those named) to the calibration targets with CMA-ES, ``budget`` evaluations.

    The search starts from the declared values (or ``start``, e.g. to check that a poor start is corrected).
    """
    import cma

    from ..population import POPULATION_PARAMS
    from ..validation.targets import load_targets

    by_id = {t.target_id: t for t in load_targets("calibration")}
    unknown = [t for t in target_ids if t not in by_id]
    if unknown:
        raise ValueError(f"targets: unknown calibration target(s) {unknown}; known: {', '.join(sorted(by_id))}")
    free = [p for p in FREE_PARAMETERS if parameters is None or p.name in parameters]
    if parameters is not None and len(free) != len(set(parameters)):
        known = ", ".join(p.name for p in FREE_PARAMETERS)
        raise ValueError(f"parameters: unknown free parameter(s) {sorted(set(parameters) - {p.name for p in free})}; "
                         f"known: {known}")
    declared = {p.name: p.value for p in POPULATION_PARAMS}
    bad_start = sorted(set(start or {}) - {p.name for p in free})
    if bad_start:
        raise ValueError(f"start: {bad_start} are not free parameters being fitted ({', '.join(p.name for p in free)})")
    declared.update(start or {})
    targets = [by_id[t] for t in target_ids]
    lo, hi = np.array([p.lower for p in free]), np.array([p.upper for p in free])
    to_values = lambda u: {p.name: float(v) for p, v in zip(free, lo + np.clip(u, 0, 1) * (hi - lo))}  # noqa: E731
    x0 = np.clip((np.array([declared[p.name] for p in free]) - lo) / (hi - lo), 0.0, 1.0)
    history: list[float] = []
    skipped: dict[str, str] = {}

    def f(u: np.ndarray) -> float:
        value, _, skip = loss_of(to_values(u), targets, n, seed, diabetes_years, trial_n)
        skipped.update(skip)
        history.append(value)
        if progress:
            progress(f"evaluation {len(history)}/{budget}: loss {value:.4g}")
        return value

    loss_start = f(x0)
    best_u, best = x0.copy(), loss_start
    if len(free) == 1:
        # CMA-ES needs ≥ 2 dimensions: a golden-section search on [0, 1] for one parameter
        a, b = 0.0, 1.0
        g = (math.sqrt(5) - 1) / 2
        while len(history) < budget:
            c, d = b - g * (b - a), a + g * (b - a)
            fc, fd = f(np.array([c])), f(np.array([d]))
            for u_, l_ in ((c, fc), (d, fd)):
                if l_ < best:
                    best, best_u = l_, np.array([u_])
            a, b = (a, d) if fc < fd else (c, b)
    else:
        popsize = max(4, min(8, (budget - 1) // 2))
        es = cma.CMAEvolutionStrategy(list(x0), 0.25, {"seed": int(seed) + 1, "bounds": [0.0, 1.0],
                                                       "verbose": -9, "popsize": popsize})
        while not es.stop() and len(history) + popsize <= budget:
            xs = es.ask()
            ls = [f(np.asarray(x)) for x in xs]
            es.tell(xs, ls)
            i = int(np.argmin(ls))
            if ls[i] < best:
                best, best_u = ls[i], np.asarray(xs[i])
    values = to_values(best_u)
    values = {k: float(f"{v:.4g}") for k, v in values.items()}
    doc = {
        "values": values,
        "targets": list(target_ids),
        "target_set": f"painloop/data/targets/calibration_targets.csv sha256:{_target_file_digest()}",
        "skipped_targets": dict(sorted(skipped.items())),
        "optimiser": f"CMA-ES (cma {cma.__version__})" if len(free) > 1 else "golden-section search",
        "seed": int(seed), "budget": int(budget), "evaluations": len(history),
        "start": {p.name: float(declared[p.name]) for p in free},
        "loss_start": float(f"{loss_start:.6g}"), "loss": float(f"{best:.6g}"),
        "patients_per_population": int(n), "longest_diabetes_years": float(diabetes_years),
        "patients_per_trial_arm": int(trial_n),
        "bounds": {p.name: [p.lower, p.upper] for p in free},
    }
    return CalibrationResult(values, loss_start, best, len(history), history, list(target_ids), skipped, doc)


def write_fit(doc: dict, path) -> None:
    """Write the fitted-values document (YAML) to ``path``."""
    from pathlib import Path
    Path(path).write_text("# written by painloop calibrate; read by painloop.population (painloop params)\n"
                          + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
