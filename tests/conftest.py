"""Shared helpers for the tests: scenarios built from the built-ins and daily summaries."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from painloop.scenario import Scenario, builtin, parse_scenario


def daily_mean(ds: xr.Dataset, var: str, patient: int = 0) -> np.ndarray:
    """Daily means of ``var`` (index = whole day since day 0)."""
    da = ds[var].isel(patient=patient)
    return da.groupby(np.floor(da["time"])).mean().values


def variant(base: Scenario, **changes: object) -> Scenario:
    """A validated copy of ``base`` with top-level fields replaced."""
    return parse_scenario({**base.model_dump(mode="json"), **changes})


@pytest.fixture(scope="session")
def calm_pain() -> Scenario:
    """Established painful diabetic neuropathy, everyday stress, 12 weeks reported."""
    return variant(builtin("diabetes-calm"), duration_days=84)
