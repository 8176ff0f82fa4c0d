"""The wide results table behind results.csv: layout, order, units and errors (synthetic Datasets, no solver)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from painloop.io import columns_frame, csv_writers, wide_frame


def _results(n_patients: int = 3, n_times: int = 5) -> xr.Dataset:
    rng = np.random.default_rng(7)
    time = np.arange(n_times) / 24.0
    return xr.Dataset(
        {"nrs": (("patient", "time"), rng.uniform(0, 10, (n_patients, n_times)), {"units": "NRS 0-10",
                                                                                  "long_name": "pain"}),
         "cortisol": (("time", "patient"), rng.uniform(5, 20, (n_times, n_patients)), {"units": "nmol/L"}),
         "drug_conc": (("patient", "time"), np.zeros((n_patients, n_times)), {"units": "ng/mL"}),
         "solver_ok": ("patient", np.ones(n_patients, dtype=bool))},
        coords={"patient": np.arange(n_patients), "time": ("time", time, {"long_name": "time, days"})})


def test_one_row_per_patient_and_time_with_each_variable_in_its_column():
    ds = _results()
    frame = wide_frame(ds)
    assert list(frame.columns) == ["patient", "time_days", "nrs", "cortisol", "drug_conc"]
    assert len(frame) == 3 * 5
    assert frame["patient"].tolist() == [p for p in range(3) for _ in range(5)]
    for (p, t), row in frame.set_index(["patient", "time_days"]).iterrows():
        i = int(np.argmin(np.abs(ds["time"].values - t)))
        assert row["nrs"] == ds["nrs"].values[p, i] and row["cortisol"] == ds["cortisol"].values[i, p]


def test_columns_table_gives_units_and_lists_left_out_constants():
    full = _results()
    kept = full.drop_vars("drug_conc")
    table = columns_frame(kept, full)
    assert table["column"].tolist() == ["patient", "time_days", "nrs", "cortisol", "drug_conc"]
    units = dict(zip(table["column"], table["unit"]))
    assert units["nrs"] == "NRS 0-10" and units["cortisol"] == "nmol/L" and units["time_days"] == "days"
    assert table.set_index("column").loc["drug_conc", "in_results_csv"] == False  # noqa: E712
    assert table.set_index("column").loc["drug_conc", "constant_value"] == 0.0


def test_written_csv_reads_back_with_distinct_times(tmp_path):
    ds = _results(n_patients=2, n_times=4).assign_coords(time=364.0 + np.arange(4) * 0.01 / 24.0)
    csv_writers(ds)["results.csv"](tmp_path / "results.csv")
    back = pd.read_csv(tmp_path / "results.csv")
    assert back.shape == (8, 5)
    assert back["time_days"].nunique() == 4, "a 0.01 h interval late in a year keeps distinct times"
    assert np.allclose(back["nrs"].to_numpy(), ds["nrs"].values.reshape(-1), rtol=1e-5)


def test_a_time_variable_with_another_dimension_is_refused_by_name():
    ds = _results().assign(extra=(("patient", "time", "site"), np.zeros((3, 5, 2))))
    with pytest.raises(ValueError, match="extra"):
        wide_frame(ds)
    with pytest.raises(ValueError, match="time"):
        wide_frame(xr.Dataset({"x": ("patient", np.zeros(2))}))
