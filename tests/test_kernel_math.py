"""The kernel's own exp, log, sin, cos and pow (:mod:`painloop.simulate._vecmath`) against NumPy's."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from painloop.simulate import _vecmath as vm


@njit(cache=False)
def _unary(kind: int, x: np.ndarray) -> np.ndarray:
    out = np.empty_like(x)
    for i in range(x.size):
        if kind == 0:
            out[i] = vm.exp(x[i])
        elif kind == 1:
            out[i] = vm.log(x[i])
        elif kind == 2:
            out[i] = vm.sin(x[i])
        else:
            out[i] = vm.cos(x[i])
    return out


@njit(cache=False)
def _pow(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    out = np.empty_like(x)
    for i in range(x.size):
        out[i] = vm.pow(x[i], y[i])
    return out


def _ulps(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b) / np.spacing(np.abs(b))))


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))


RNG = np.random.default_rng(0)


def test_exp_and_log_are_within_one_unit_in_the_last_place() -> None:
    x = np.concatenate([RNG.uniform(-50, 50, 50_000), RNG.uniform(-708, 709, 50_000)])
    assert _ulps(_unary(0, x), np.exp(x)) <= 1.0
    x = np.concatenate([np.exp(RNG.uniform(-700, 700, 50_000)), RNG.uniform(0.5, 2.0, 50_000)])
    keep = np.abs(np.log(x)) > 1e-300
    assert _ulps(_unary(1, x)[keep], np.log(x)[keep]) <= 1.0


@pytest.mark.parametrize("kind, reference", [(2, np.sin), (3, np.cos)])
def test_sin_and_cos_are_accurate_over_a_lifetime_of_hours(kind: int, reference) -> None:
    for half_width in (3.0, 1e4, 8e5):
        x = RNG.uniform(-half_width, half_width, 50_000)
        assert np.max(np.abs(_unary(kind, x) - reference(x))) <= 1.2e-16


def test_pow_is_close_to_numpy_for_hill_terms() -> None:
    x, y = RNG.uniform(0.0, 10.0, 50_000), RNG.uniform(-6.0, 6.0, 50_000)
    assert np.max(np.abs(_pow(x, y) / np.power(x, y) - 1.0)) <= 1e-14


def test_special_values_follow_c() -> None:
    with np.errstate(all="ignore"):
        x = np.array([0.0, 709.78, 709.79, -745.13, -746.0, np.inf, -np.inf, np.nan])
        assert _same(_unary(0, x), np.exp(x))
        x = np.array([0.0, 5e-324, 1e-310, 1.0, np.inf, -1.0, np.nan])
        assert _same(_unary(1, x), np.log(x))
        x = np.array([0.0, np.inf, -np.inf, np.nan])
        assert _same(_unary(2, x), np.sin(x)) and _same(_unary(3, x), np.cos(x))
        base = np.array([0.0, 0.0, 0.0, -2.0, -8.0, 1.0, np.nan, 2.0, -2.0, 0.5])
        expo = np.array([2.5, -1.0, 0.0, 2.0, 1 / 3, np.nan, 0.0, np.nan, 1e20, np.inf])
        assert _same(_pow(base, expo), np.power(base, expo))
        assert _pow(np.array([-2.0]), np.array([3.0]))[0] == pytest.approx(-8.0, rel=1e-15)
