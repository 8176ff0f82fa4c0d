"""NONMEM-style dosing records (import, export, validation) and steady-state Cmax against the labels."""

from __future__ import annotations

import csv
import subprocess
import sys
from importlib import resources

import numpy as np
import pytest
import xarray as xr

from painloop.scenario import parse_scenario
from painloop.scenario._inputs import dose_records
from painloop.treatments.nonmem import (DosingRecordError, parse_dosing_records, read_dosing_records,
                                        write_dosing_records)

BASE = {"name": "dosing", "duration_days": 30, "cause": {"type": "none"}}


def _doses(sc) -> list[tuple[float, str, float]]:
    return sorted((round(t, 9), r.compartment, r.amount) for r in dose_records(sc) for t in r.times())


def test_nonmem_csv_round_trips_titration_patches_and_single_doses(tmp_path):
    sc = parse_scenario({**BASE, "treatments": [
        "duloxetine 30 mg qd from day 0 to day 7; 60 mg qd from day 7",
        "pregabalin 75 mg bid from day 2 to day 9 at 21:30",
        "lidocaine_5pct_patch 2 patches daily from day 3 to day 10",
        "capsaicin_8pct_patch 4 patches once at day 12"]})
    path = write_dosing_records(tmp_path / "doses.csv", sc)
    rows = list(csv.DictReader(path.open()))
    assert list(rows[0]) == ["ID", "TIME", "AMT", "CMT", "EVID", "II", "ADDL", "DRUG"]
    back = parse_scenario({**BASE, "treatments": read_dosing_records(path)})
    assert _doses(back) == _doses(sc)
    assert len(_doses(sc)) == 7 + 23 + 14 + 7 + 1  # qd×7 + qd×23 (days 7-29), bid×7 days, patches×7, capsaicin×1


def test_mrgsolve_style_lowercase_records_with_observation_rows_and_addl():
    text = ("ID,time,amt,cmt,evid,ii,addl,dv\n"
            "1,0,,.,0,,,0.0\n"                    # observation row: skipped
            "1,8,60,duloxetine_gut,1,24,6,.\n"     # 7 daily doses from 08:00
            "1,176,60,duloxetine_gut,1,24,13,.\n"  # then 14 more
            "1,20,150,pregabalin,1,0,0,.\n")       # one single dose, CMT as a drug name
    sc = parse_scenario({**BASE, "treatments": parse_dosing_records(text)})
    doses = _doses(sc)
    dul = [t for t, s, _ in doses if s == "duloxetine_gut"]
    assert dul == [8.0 + 24 * k for k in range(21)]
    assert [(t, a) for t, s, a in doses if s == "pregabalin_gut"] == [(20.0, 150.0)]


@pytest.mark.parametrize("row, expected", [
    ("1,8,-60,duloxetine_gut,1,24,6", "line 3, AMT: -60 must be > 0"),
    ("1,8,60,neurocure_gut,1,24,6", "line 3, CMT: 'neurocure_gut' is not a drug of the catalogue"),
    ("1,eight,60,duloxetine_gut,1,24,6", "line 3, TIME: 'eight' is not a number"),
    ("1,8,60,duloxetine_gut,1,0,6", "line 3, ADDL: 6 additional doses need an interval II > 0 h"),
    ("1,8,60,duloxetine_gut,1,24,2.5", "line 3, ADDL: 2.5 must be a whole number"),
    ("1,8,60,duloxetine_gut,4,24,6", "line 3, EVID: '4' is not supported"),
    ("2,8,60,duloxetine_gut,1,24,6", "holds 2 subjects"),
    ("1,8,900,duloxetine_gut,1,24,6", "line 3, AMT: 900 mg of duloxetine is above the catalogue maximum"),
])
def test_a_bad_row_is_named_with_its_line_and_field(row, expected):
    text = "ID,TIME,AMT,CMT,EVID,II,ADDL\n1,0,30,duloxetine_gut,1,24,0\n" + row + "\n"
    with pytest.raises(DosingRecordError, match=expected):
        parse_dosing_records(text)


def test_missing_columns_are_named():
    with pytest.raises(DosingRecordError, match="missing column.*AMT"):
        parse_dosing_records("ID,TIME,DOSE,CMT\n1,0,60,duloxetine_gut\n")


def test_run_with_doses_file_simulates_them_and_exports_its_records(tmp_path):
    doses = tmp_path / "doses.csv"
    doses.write_text("ID,TIME,AMT,CMT,EVID,II,ADDL\n1,8,60,duloxetine_gut,1,24,4\n")
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: dosed\nduration_days: 8\ncause: {type: none}\noutput: {every_hours: 1}\n")
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "painloop.cli", "run", str(scenario), "--doses", str(doses), "--out",
                        str(out), "--no-report"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    with xr.open_dataset(out / "results.nc") as ds:
        c = ds["duloxetine_conc"].isel(patient=0).values
        t = ds["time"].values
    assert c[t < 8 / 24].max() == 0.0 and c[(t > 1) & (t < 5)].min() > 0.0
    assert c[t > 7].max() < 0.5 * c.max()  # the last of the 5 doses was on day 4: concentrations fall afterwards
    rows = list(csv.DictReader((out / "doses.csv").open()))
    assert [(float(x["TIME"]), float(x["AMT"]), int(x["ADDL"])) for x in rows] == [(8.0, 60.0, 4)]
    bad = tmp_path / "bad.csv"
    bad.write_text("ID,TIME,AMT,CMT,EVID,II,ADDL\n1,8,sixty,duloxetine_gut,1,24,4\n")
    r = subprocess.run([sys.executable, "-m", "painloop.cli", "run", str(scenario), "--doses", str(bad), "--out",
                        str(tmp_path / "o2"), "--no-report"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 2 and "line 2, AMT: 'sixty' is not a number" in r.stderr
    assert not (tmp_path / "o2").exists()


def _label_rows() -> list[dict]:
    with resources.files("painloop").joinpath("data", "label_cmax.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_steady_state_cmax_within_30_percent_of_the_label():
    """Each regimen of data/label_cmax.csv, simulated to steady state (every 15 min): Cmax within ±30 % of the label."""
    import painloop as pl

    rows = _label_rows()
    assert {r["drug"] for r in rows} >= {"duloxetine", "gabapentin", "tramadol", "oxycodone", "morphine", "ibuprofen"}
    regimens = sorted({r["regimen"] for r in rows})
    ds = pl.simulate({**BASE, "duration_days": 14}, treat=[f"{g} from day 0" for g in regimens], every_hours=0.25)
    t = ds["time"].values
    results = {}
    for r in rows:
        c = 1000.0 * ds[f"{r['analyte']}_conc"].isel(patient=0).values  # mg/L → ng/mL
        day = float(r["steady_state_day"])
        key = f"{r['analyte']} ({r['role']}, {r['cmax_ng_per_ml']} ng/mL)"
        results[key] = (float(c[(t >= day) & (t < day + 1)].max()), float(r["cmax_ng_per_ml"]))
    assert len(results) == len(rows)
    off = {k: f"{sim:.3g} vs label {lab:.3g} ng/mL" for k, (sim, lab) in results.items() if abs(sim / lab - 1) > 0.30}
    assert off == {}, off


def test_duloxetine_volume_is_the_label_apparent_volume_times_f():
    """The label's 1640 L is V/F: with F applied in the model, the model's V must be 1640 × F (not 1640)."""
    from painloop.model import system

    p = system.default_params()
    assert p["duloxetine_V"] / p["duloxetine_F"] == pytest.approx(1640.0)
    assert np.isclose(p["duloxetine_F"], 0.5)


def test_every_cited_targets_file_ships_with_the_package():
    """Each `targets/<file>.csv` named in a parameter, cause or treatment source is a file of the package."""
    import re

    from painloop.causes import CAUSES
    from painloop.io import param_rows
    from painloop.treatments import DRUGS, THERAPIES

    sources = [r["source"] for r in param_rows()] + [p.source for c in CAUSES.values() for p in c.params]
    sources += [d.source for d in DRUGS.values()] + [t.source for t in THERAPIES.values()]
    cited = {m for s in sources for m in re.findall(r"targets/([A-Za-z0-9_]+\.csv)", str(s))}
    assert len(cited) >= 5
    shipped = resources.files("painloop").joinpath("data", "targets")
    missing = sorted(f for f in cited if not shipped.joinpath(f).is_file())
    assert missing == [], f"cited but not shipped: {missing}"
    readme = shipped.joinpath("README.md").read_text(encoding="utf-8")
    for f in cited:  # every shipped file names its source: a source column, or the publication in the README
        header = shipped.joinpath(f).read_text(encoding="utf-8").splitlines()[0].lower()
        assert "source" in header or (f in readme and "20" in readme.split(f, 1)[1].split("\n", 1)[0]), f
