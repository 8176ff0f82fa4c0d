"""Pain diary CSV reading: good files load, each kind of bad file fails with the row and field named."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest

from painloop.twin import DiaryError, example_diary_path, read_diary_csv


def read(text: str) -> pd.DataFrame:
    return read_diary_csv(text.encode("utf-8"))


def problems(text: str | bytes) -> list[tuple[int, str, str]]:
    """(row, field, message) of each problem reported; fails the test if the file is accepted."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(DiaryError) as info:
        read_diary_csv(data)
    assert isinstance(info.value, ValueError)
    return [(p.row, p.field, p.message) for p in info.value.problems]


def test_good_file_is_sorted_typed_and_keeps_empty_optional_cells_as_nan():
    frame = read("date,pain,sleep_hours,stress,mood\n"
                 "2024-01-03,4,7.5,2,6\n"
                 "2024-01-01,6.5,,3,\n"
                 "\n"
                 "2024-01-02,0,0,0,10\n")
    assert list(frame.columns) == ["date", "pain", "sleep_hours", "stress", "mood"]
    assert list(frame["date"].dt.strftime("%Y-%m-%d")) == ["2024-01-01", "2024-01-02", "2024-01-03"]
    assert frame["pain"].tolist() == [6.5, 0.0, 4.0]
    assert math.isnan(frame.loc[0, "sleep_hours"]) and math.isnan(frame.loc[0, "mood"])
    assert frame.loc[1, "mood"] == 10.0


def test_only_required_columns_header_case_and_bom_and_sources():
    text = "\ufeffDate, Pain\n2024-02-29,3\n"
    for source in (text.encode("utf-8"), io.BytesIO(text.encode("utf-8")), io.StringIO(text)):
        frame = read_diary_csv(source)
        assert list(frame.columns) == ["date", "pain"] and frame["pain"].tolist() == [3.0]


def test_reads_a_path(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("date,pain\n2024-01-01,2\n", encoding="utf-8")
    assert read_diary_csv(path)["pain"].tolist() == [2.0]
    assert read_diary_csv(str(path))["pain"].tolist() == [2.0]


@pytest.mark.parametrize("value", ["11", "-1", "10.5", "nan", "inf"])
def test_pain_out_of_range_names_row_and_field(value):
    found = problems(f"date,pain\n2024-01-01,5\n2024-01-02,{value}\n")
    assert [(r, f) for r, f, _ in found] == [(3, "pain")]
    assert "out of range" in found[0][2] and "0 to 10" in found[0][2]


@pytest.mark.parametrize("field,value", [("sleep_hours", "25"), ("sleep_hours", "-0.5"), ("stress", "12"),
                                         ("mood", "-3")])
def test_optional_fields_out_of_range(field, value):
    found = problems(f"date,pain,{field}\n2024-01-01,5,{value}\n")
    assert [(r, f) for r, f, _ in found] == [(2, field)] and "out of range" in found[0][2]


def test_non_numeric_and_missing_pain():
    found = problems("date,pain\n2024-01-01,high\n2024-01-02,\n")
    assert [(r, f) for r, f, _ in found] == [(2, "pain"), (3, "pain")]
    assert "'high' is not a number" in found[0][2] and "missing" in found[1][2]


@pytest.mark.parametrize("value", ["2024-13-01", "01/02/2024", "yesterday", "2024-02-30", ""])
def test_unparseable_dates(value):
    found = problems(f"date,pain\n2024-01-01,5\n{value},4\n")
    assert [(r, f) for r, f, _ in found] == [(3, "date")]


def test_duplicate_dates_name_both_rows():
    found = problems("date,pain\n2024-01-01,5\n2024-01-02,4\n2024-01-01,6\n")
    assert [(r, f) for r, f, _ in found] == [(4, "date")]
    assert "duplicate date 2024-01-01" in found[0][2] and "row 2" in found[0][2]


@pytest.mark.parametrize("header,missing", [("date,sleep_hours", "pain"), ("pain,mood", "date")])
def test_missing_required_column(header, missing):
    found = problems(f"{header}\n2024-01-01,5\n")
    assert (1, missing) in [(r, f) for r, f, _ in found]
    assert any("missing required column" in m for _, f, m in found if f == missing)


def test_unknown_and_repeated_columns():
    found = problems("date,pain,slep_hours,pain\n2024-01-01,5,7,5\n")
    fields = {(r, f) for r, f, _ in found}
    assert (1, "slep_hours") in fields and (1, "pain") in fields


@pytest.mark.parametrize("content", [b"", b"   \n\n", b",,\n"])
def test_empty_file(content):
    found = problems(content)
    assert len(found) == 1 and "empty" in found[0][2]


def test_header_only():
    assert "no data rows" in problems("date,pain\n")[0][2]


def test_not_utf8():
    found = problems("date,pain\n2024-01-01,5\n".encode("utf-8") + "caf\u00e9,4\n".encode("latin-1"))
    assert len(found) == 1 and "not UTF-8" in found[0][2] and "row 3" in found[0][2]


def test_wrong_number_of_fields():
    found = problems("date,pain\n2024-01-01,5,extra\n")
    assert [r for r, _, _ in found] == [2] and "expected 2 fields" in found[0][2]


def test_every_problem_is_reported_and_the_message_names_row_and_field():
    with pytest.raises(DiaryError) as info:
        read("date,pain,sleep_hours\n2024-01-01,11,7\n2024-01-0x,4,30\n")
    rows_fields = [(p.row, p.field) for p in info.value.problems]
    assert rows_fields == [(2, "pain"), (3, "date"), (3, "sleep_hours")]
    message = str(info.value)
    assert "row 2, field 'pain'" in message and "row 3, field 'date'" in message
    assert "row 3, field 'sleep_hours'" in message


def test_example_diary_is_valid_and_has_the_documented_shape():
    frame = read_diary_csv(example_diary_path())
    assert list(frame.columns) == ["date", "pain", "sleep_hours", "sleep_quality", "stress", "mood", "activity"]
    span = (frame["date"].iloc[-1] - frame["date"].iloc[0]).days + 1
    assert span <= 90 and len(frame) == 90 - round(0.15 * 90)
    assert np.all(frame["pain"] == np.round(frame["pain"])) and frame["pain"].between(0, 10).all()
    assert frame["pain"].std() > 0.3  # the added noise is visible
    assert frame["sleep_hours"].between(3, 14).all()
    # realistic variation: nights and stress differ from day to day (the stressful weeks 30-51 stand out)
    assert frame["sleep_hours"].std() > 0.4 and frame["sleep_hours"].nunique() > 15
    day = (frame["date"] - frame["date"].iloc[0]).dt.days
    assert frame.loc[day.between(30, 50), "stress"].mean() > frame.loc[day < 30, "stress"].mean() + 2


def test_example_diary_matches_its_generator():
    """The shipped file is what the generator makes from the current model (regenerate it if this fails)."""
    from painloop.twin.make_example_diary import example_diary

    shipped = pd.read_csv(example_diary_path())
    fresh = example_diary()
    assert list(fresh["date"]) == list(shipped["date"])
    assert (fresh["pain"].to_numpy() == shipped["pain"].to_numpy()).mean() >= 0.9
    assert np.abs(fresh["sleep_hours"].to_numpy() - shipped["sleep_hours"].to_numpy()).max() <= 0.3


def test_all_columns_times_timezones_medication_and_notes():
    frame = read("date,pain,sleep_hours,sleep_quality,stress,mood,activity,medication,notes\n"
                 "2024-01-01T20:30+01:00,5,7,6,3,5,30,pregabalin 75 mg bid; Duloxetine 60 mg,\"bad day, rain\"\n"
                 "2024-01-01 08:00,4,,,,,,,\n"
                 "2024-01-02,3,8,7,2,6,45,lidocaine_5pct_patch 2 patches,\n")
    assert list(frame.columns) == ["date", "pain", "sleep_hours", "sleep_quality", "stress", "mood", "activity",
                                   "medication", "notes"]
    assert list(frame["date"].dt.strftime("%Y-%m-%d %H:%M")) == ["2024-01-01 08:00", "2024-01-01 20:30",
                                                                  "2024-01-02 00:00"]
    assert frame["medication"].tolist() == ["", "pregabalin 75 mg bid; duloxetine 60 mg qd",
                                            "lidocaine_5pct_patch 2 patches qd"]
    assert frame["notes"].tolist() == ["", "bad day, rain", ""]
    assert frame["activity"].tolist()[1:] == [30.0, 45.0]


@pytest.mark.parametrize("cell,words", [
    ("aspirin 100 mg", "unknown medication 'aspirin'; known: duloxetine"),
    ("pregabalin", "cannot read medication 'pregabalin'; expected"),
    ("pregabalin 900 mg", "at most 300 mg"),
    ("duloxetine 2 patches", "dosed in mg"),
])
def test_bad_medication_names_row_and_field(cell, words):
    found = problems(f"date,pain,medication\n2024-01-01,5,\n2024-01-02,4,{cell}\n")
    assert [(r, f) for r, f, _ in found] == [(3, "medication")]
    assert words in found[0][2]


def test_duplicate_timestamps_and_bad_times():
    found = problems("date,pain\n2024-01-01T08:00,5\n2024-01-01T08:00:00,4\n2024-01-01T25:00,3\n")
    assert [(r, f) for r, f, _ in found] == [(3, "date"), (4, "date")]
    assert "duplicate timestamp 2024-01-01T08:00:00 (also in row 2)" in found[0][2]


@pytest.mark.parametrize("field,value", [("sleep_quality", "11"), ("activity", "2000"), ("activity", "-5")])
def test_new_numeric_fields_out_of_range(field, value):
    found = problems(f"date,pain,{field}\n2024-01-01,5,{value}\n")
    assert [(r, f) for r, f, _ in found] == [(2, field)] and "out of range" in found[0][2]
