"""Real diaries: several entries a day (stated aggregation rule), explicit date formats, column mapping, and a
person's report that says which columns were used and when the diary says nothing about a factor."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from painloop.twin import DiaryError, read_diary, read_diary_csv
from painloop.twin.diary import AGGREGATION_RULE, daily_diary

APP_EXPORT = """Date/Time,Pain level,Slept (h),Mood,Notes
01/03/2024 08:10,6,7.5,5,woke stiff
01/03/2024 13:00,7,,4,
01/03/2024 21:45,8,,4,long day
02/03/2024 09:00,5,8.0,6,
03/03/2024 20:00,4,6.0,7,walk
"""
MAPPING = {"date": "Date/Time", "pain": "Pain level", "sleep_hours": "Slept (h)", "mood": "Mood", "notes": "Notes"}


def test_app_export_with_mapped_columns_date_format_and_several_entries_a_day(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(APP_EXPORT, encoding="utf-8")
    entries = read_diary_csv(path, columns=MAPPING, date_format="%d/%m/%Y %H:%M")
    assert len(entries) == 5 and entries["date"].iloc[2] == pd.Timestamp("2024-03-01 21:45")
    daily = read_diary(path, columns=MAPPING, date_format="%d/%m/%Y %H:%M", aggregate="mean")
    assert list(daily["date"]) == list(pd.to_datetime(["2024-03-01", "2024-03-02", "2024-03-03"]))
    assert daily["entries"].tolist() == [3, 1, 1]
    assert daily["pain"].tolist() == [7.0, 5.0, 4.0]                       # mean of 6, 7, 8
    assert daily["sleep_hours"].tolist() == [7.5, 8.0, 6.0]                # the one non-empty value
    assert daily["mood"].iloc[0] == pytest.approx(13 / 3)
    assert daily["notes"].iloc[0] == "woke stiff | long day"
    highest = daily_diary(entries, pain="max")
    assert highest["pain"].tolist() == [8.0, 5.0, 4.0]
    assert "mean of that day's ratings" in AGGREGATION_RULE


def test_activity_minutes_add_up_and_medications_are_listed_once():
    frame = pd.DataFrame({"date": pd.to_datetime(["2024-01-01 08:00", "2024-01-01 18:00"]), "pain": [4.0, 6.0],
                          "activity": [20.0, 35.0], "medication": ["pregabalin 75 mg qd", "pregabalin 75 mg qd"]})
    d = daily_diary(frame)
    assert d["activity"].tolist() == [55.0] and d["medication"].tolist() == ["pregabalin 75 mg qd"]


@pytest.mark.parametrize("mapping, fmt, expected", [
    ({"pain": "Pain"}, "%d/%m/%Y %H:%M", "the file has no column 'Pain'"),
    ({"ache": "Pain level"}, "%d/%m/%Y %H:%M", "'ache' is not a painloop column"),
    (MAPPING, "%Y-%m-%d", "does not match the date format '%Y-%m-%d'"),
    (MAPPING, None, "is not an ISO 8601 date"),
])
def test_bad_mapping_or_date_format_names_row_and_field(tmp_path, mapping, fmt, expected):
    path = tmp_path / "export.csv"
    path.write_text(APP_EXPORT, encoding="utf-8")
    with pytest.raises(DiaryError, match=expected):
        read_diary_csv(path, columns=mapping, date_format=fmt)


def _diary_without_stress(tmp_path, days: int = 40) -> str:
    """A diary app export: two ratings a day, sleep and mood, no stress column (the model's pain is not involved)."""
    rng = np.random.default_rng(5)
    rows = ["When,Pain level,Slept (h),Mood"]
    for d in pd.date_range("2024-02-01", periods=days, freq="D"):
        sleep = float(np.clip(rng.normal(7.0, 1.0), 4, 10))
        base = 6.5 - 0.5 * (sleep - 7.0)
        for hour in ("08:30", "20:15"):
            rows.append(f"{d:%d.%m.%Y} {hour},{int(np.clip(round(base + rng.normal(0, 0.8)), 0, 10))},"
                        f"{sleep:.1f},{int(rng.integers(3, 8))}")
    path = tmp_path / "two_a_day.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return str(path)


def test_twin_fit_cli_on_an_app_export_says_what_it_used_and_what_the_diary_cannot_tell(tmp_path):
    diary = _diary_without_stress(tmp_path)
    out = tmp_path / "twin"
    r = subprocess.run([sys.executable, "-m", "painloop.cli", "twin", "fit", diary, "--out", str(out), "--draws", "8",
                        "--weeks", "2", "--column", "date=When", "--column", "pain=Pain level",
                        "--column", "sleep_hours=Slept (h)", "--column", "mood=Mood", "--date-format", "%d.%m.%Y %H:%M"],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr
    assert "40 day(s) had several entries" in r.stderr
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Summary to bring to a clinician" in page and "@media print" in page
    unused = page[page.index("id='unused-columns'"):][:400]
    assert "mood" in unused and "does not use them" in unused
    assert "Levenberg" not in page.split("<details>")[0] and "lognormal(" not in page
    import xarray as xr

    from painloop.twin.report import LITTLE_INFORMATION, NO_INFORMATION, information

    with xr.open_dataset(out / "twin.nc") as tw:
        info = information(tw.load()).set_index("param")
    # no stress column and no medication: those factors keep their prior, and the report says so
    # no medication: the drug sensitivity keeps its prior, and the report says the diary carries no information
    assert info.loc["drug_sensitivity", "shrinkage"] > NO_INFORMATION
    assert "carries no information" in info.loc["drug_sensitivity", "diary_says"]
    # no stress ratings: stress coupling is barely informed (only through the constant usual stress)
    assert info.loc["stress_coupling", "shrinkage"] > LITTLE_INFORMATION, info["shrinkage"].to_dict()
    assert info.loc["stress_coupling", "diary_says"].startswith(("very little", "nothing"))
    assert info.loc["nociceptive_drive", "shrinkage"] < NO_INFORMATION  # the pain ratings pin the pain level
    assert page.count("carries no information") >= 1
