"""The placebo arm made of its parts (natural course, regression to the mean, expectation), over several seeds."""

from __future__ import annotations

import numpy as np
import pytest

from painloop.trials import builtin_design
from painloop.trials._design import TrialDesignError, parse_design
from painloop.trials.placebo import CALIBRATION_SEED, components, placebo_only, placebo_report

SEEDS = (101, 102, 103, 104, 105)


def _small(seed: int, n: int = 40):
    data = builtin_design("finnerup").model_dump(mode="json")
    data.update(seed=seed, screen_factor=6.0)
    data["population"]["history_years"] = 1.0
    return placebo_only(parse_design(data), n=n)


def test_seed_rules_refuse_the_calibration_seed_and_fewer_than_five_seeds():
    d = _small(101)
    with pytest.raises(TrialDesignError, match="calibration seed"):
        placebo_report(d, seeds=(101, 102, 103, 104, CALIBRATION_SEED))
    with pytest.raises(TrialDesignError, match="at least 5"):
        placebo_report(d, seeds=(101, 102))
    assert CALIBRATION_SEED not in SEEDS


def test_parts_add_up_to_the_observed_placebo_change_and_expectation_lowers_pain():
    parts = components(_small(107))
    total = parts["natural_course"] + parts["regression_to_mean"] + parts["expectation"]
    assert abs(parts["observed_change"] - total) < 0.25  # the rest is integer rounding of 40 patients' diaries
    assert parts["expectation"] < -0.2  # the placebo's expectation lowers pain below the untreated course
    assert 0.0 <= parts["responders_50"] <= parts["responders_30"] <= 1.0


@pytest.mark.slow
def test_placebo_report_gives_mean_and_sd_over_five_seeds():
    per_seed, summary = placebo_report(_small(101), seeds=SEEDS)
    assert list(per_seed["seed"]) == list(SEEDS)
    s = summary.set_index("quantity")
    assert (s["seeds"] == 5).all()
    assert np.isfinite(s["mean"]).all() and (s["sd"] >= 0).all()
    # a finite-sample SD: seeds do differ (new patients), so a zero SD would mean the seed is ignored
    assert s.loc["responders_50", "sd"] > 0
    assert s.loc["expectation", "mean"] < 0
