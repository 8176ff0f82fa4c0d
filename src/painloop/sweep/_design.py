"""The design: which value each factor takes for each patient, and how patients are cut into shards.

Seeds (NumPy ``SeedSequence``): the design-wide draw (Latin hypercube,
scrambled Sobol) uses ``SeedSequence(seed, spawn_key=(0,))``; shard ``i``
uses ``SeedSequence(seed, spawn_key=(1, i))`` for its own draws (random
design, population draw). Both are children of the spec's seed and depend on
nothing else, so results never depend on which worker ran which shard, in
which order, or how often a run was resumed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri
from scipy.stats import qmc

from ._spec import Factor, GridDesign, LatinHypercubeDesign, PopulationDesign, RandomDesign, SobolDesign, SweepSpec

_EDGE = 1e-12
"""Unit samples are kept in [1e-12, 1 - 1e-12] so normal quantiles stay finite (assumption: far beyond any design)."""


def design_seed(seed: int) -> np.random.SeedSequence:
    """Seed of the design-wide draw (Latin hypercube, Sobol scrambling)."""
    return np.random.SeedSequence(seed, spawn_key=(0,))


def shard_seed(seed: int, index: int) -> np.random.SeedSequence:
    """Seed of shard ``index``'s own draws (random design, population draw)."""
    return np.random.SeedSequence(seed, spawn_key=(1, index))


def from_unit(factor: Factor, u: np.ndarray) -> np.ndarray:
    """Map unit-interval samples ``u`` to the factor's values (inverse CDF of its distribution)."""
    u = np.clip(np.asarray(u, dtype=float), _EDGE, 1.0 - _EDGE)
    if factor.dist == "uniform":
        return factor.low + u * (factor.high - factor.low)
    if factor.dist == "loguniform":
        lo, hi = np.log(factor.low), np.log(factor.high)
        return np.exp(lo + u * (hi - lo))
    if factor.dist == "normal":
        return factor.mean + factor.sd * ndtri(u)
    return factor.median * np.exp(factor.sigma * ndtri(u))


def grid_values(factor: Factor) -> np.ndarray:
    """The grid points of one factor: its ``values``, or ``levels`` points from low to high."""
    if factor.values is not None:
        return np.asarray(factor.values, dtype=float)
    if factor.dist == "loguniform":
        return np.geomspace(factor.low, factor.high, factor.levels)
    return np.linspace(factor.low, factor.high, factor.levels)


def design_size(spec: SweepSpec) -> int:
    """Number of patients (design points) of the sweep."""
    d = spec.design
    if isinstance(d, GridDesign):
        return int(np.prod([grid_values(f).size for f in spec.vary.values()]))
    if isinstance(d, SobolDesign):
        k = len(spec.vary)
        return d.n * (2 * k + 2 if d.second_order else k + 2)
    return d.n


def sobol_unit_sample(n: int, k: int, second_order: bool, seed: np.random.SeedSequence) -> np.ndarray:
    """Saltelli's sample on the unit cube (SALib ``sobol.sample``), rows in SALib's order."""
    from SALib.sample import sobol as sobol_sample

    problem = {"num_vars": k, "names": [f"x{i}" for i in range(k)], "bounds": [[0.0, 1.0]] * k}
    return sobol_sample.sample(problem, n, calc_second_order=second_order, scramble=True,
                               seed=int(seed.generate_state(1)[0]))


@dataclass(frozen=True)
class Plan:
    """The patients of a sweep cut into shards; ``matrix`` holds design-wide values (None: drawn per shard)."""

    names: tuple[str, ...]
    n: int
    shard_size: int
    matrix: np.ndarray | None

    @property
    def n_shards(self) -> int:
        return -(-self.n // self.shard_size)

    def bounds(self, index: int) -> tuple[int, int]:
        """First and one-past-last patient of shard ``index``."""
        return index * self.shard_size, min(self.n, (index + 1) * self.shard_size)


def make_plan(spec: SweepSpec) -> Plan:
    """The sweep's plan: design-wide matrices are computed here once, per-shard draws later."""
    names = tuple(spec.vary)
    factors = list(spec.vary.values())
    n = design_size(spec)
    d = spec.design
    matrix = None
    if isinstance(d, GridDesign):
        axes = np.meshgrid(*[grid_values(f) for f in factors], indexing="ij")
        matrix = np.stack([a.reshape(-1) for a in axes], axis=1)
    elif isinstance(d, LatinHypercubeDesign):
        u = qmc.LatinHypercube(d=len(factors), rng=np.random.default_rng(design_seed(spec.seed))).random(d.n)
        matrix = np.stack([from_unit(f, u[:, j]) for j, f in enumerate(factors)], axis=1)
    elif isinstance(d, SobolDesign):
        u = sobol_unit_sample(d.n, len(factors), d.second_order, design_seed(spec.seed))
        matrix = np.stack([from_unit(f, u[:, j]) for j, f in enumerate(factors)], axis=1)
    return Plan(names, n, spec.shard_size, matrix)


def shard_columns(spec: SweepSpec, plan: Plan, index: int) -> dict[str, np.ndarray]:
    """Each factor's values for the patients of shard ``index`` (empty for a population draw)."""
    a, b = plan.bounds(index)
    if plan.matrix is not None:
        return {name: plan.matrix[a:b, j].copy() for j, name in enumerate(plan.names)}
    if isinstance(spec.design, RandomDesign):
        u = np.random.default_rng(shard_seed(spec.seed, index)).random((b - a, len(plan.names)))
        return {name: from_unit(f, u[:, j]) for j, (name, f) in enumerate(spec.vary.items())}
    assert isinstance(spec.design, PopulationDesign)
    return {}
