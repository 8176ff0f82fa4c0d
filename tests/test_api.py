"""The Python front door (``import painloop as pl``): arguments, errors and the shapes it returns."""

from __future__ import annotations

import numpy as np
import pytest

import painloop as pl
from painloop.scenario import ScenarioError

SHORT = {"name": "api-short", "duration_days": 6, "cause": {"type": "diabetes", "severity": 0.8, "onset_day": 0},
         "output": {"every_hours": 12}}


def test_population_patients_differ_and_identical_copies_do_not():
    pop = pl.population(3, seed=4)
    ds = pl.simulate(SHORT, patients=pop, vars=["nrs"])
    assert ds["nrs"].shape == (3, 12) and bool(ds["solver_ok"].all())
    assert np.unique(ds["nrs"].values[:, -1].round(6)).size == 3
    same = pl.simulate(SHORT, n=3, variability=0.0, vars=["nrs"])
    assert np.ptp(same["nrs"].values, axis=0).max() == 0.0
    again = pl.simulate(SHORT, patients=pl.population(3, seed=4), vars=["nrs"])
    np.testing.assert_array_equal(again["nrs"].values, ds["nrs"].values)  # same seed, same numbers


def test_per_patient_parameter_arrays_and_compact():
    ds = pl.simulate(SHORT, params={"k_nrs": np.array([0.5, 1.0])}, n=2, variability=0.0)
    assert ds.sizes["patient"] == 2 and abs(float(ds["nrs"][0, -1]) - float(ds["nrs"][1, -1])) > 1e-3
    small = pl.compact(ds)
    assert "duloxetine_conc" not in small and "nrs" in small
    assert "duloxetine_conc=0" in small.attrs["constant_variables"]


@pytest.mark.parametrize("call, error, words", [
    (lambda: pl.simulate(SHORT, vars=["nrs", "nope"]), ValueError, "unknown variable"),
    (lambda: pl.scenario("no-such-scenario"), ScenarioError, "unknown scenario"),
    (lambda: pl.scenario("healthy", params={"no_such": 1.0}), ScenarioError, "unknown parameter"),
    (lambda: pl.scenario("healthy", treat=["homeopathy from day 1"]), ScenarioError, "unknown drug or therapy"),
    (lambda: pl.plot(pl.simulate(SHORT, vars=["nrs"]), "no_such_figure"), ValueError, "unknown figure"),
])
def test_bad_arguments_say_what_is_allowed(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_diary_reads_an_app_export_with_mapping(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("Day,Pain score\n2024-05-01,4\n2024-05-01,6\n2024-05-02,3\n", encoding="utf-8")
    with pytest.raises(Exception, match="duplicate date"):
        pl.diary(path, columns={"date": "Day", "pain": "Pain score"})
    path.write_text("Day,Pain score\n2024-05-01 08:00,4\n2024-05-01 20:00,6\n2024-05-02 09:00,3\n", encoding="utf-8")
    d = pl.diary(path, columns={"date": "Day", "pain": "Pain score"})
    assert d["pain"].tolist() == [5.0, 3.0] and d["entries"].tolist() == [2, 1]
