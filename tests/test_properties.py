"""Property tests (hypothesis) over the four input schemas: scenario, trial design, regimen, diary.

* Random inputs of any shape (wrong types, NaN, ±inf, huge, negative, unknown
  names) are either accepted or refused with the schema's own error
  (:class:`painloop.errors.PainloopInputError`) — never another exception.
* Random *valid* inputs (drawn inside every declared limit) are accepted.

Validation only (nothing is simulated), except the last test, which runs a
handful of valid random scenarios through ``painloop run``. The default run
draws ~50 examples per schema; the ``slow`` marker 1 000.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from painloop.errors import PainloopInputError
from painloop.scenario import parse_scenario
from painloop.treatments import DRUGS
from painloop.treatments.catalogue import MAX_DAILY_DOSE, doses_per_day
from painloop.trials._design import parse_design
from painloop.twin.diary import read_diary_csv

FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ---------------------------------------------------------------- building blocks
anything_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from([0, -1, 1e-12, 1e12, float("nan"), float("inf"), "", "x", "3", [], {}]))
anything = st.recursive(anything_scalar, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                                st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                        max_leaves=8)
CAUSES = ["none", "diabetes", "shingles", "chemotherapy", "trauma", "compression", "multiple_sclerosis",
          "rheumatoid_arthritis", "guillain_barre", "b12_deficiency", "b1_deficiency", "charcot_marie_tooth",
          "erythromelalgia", "alcohol", "toxin", "idiopathic", "migraine"]


def maybe(value_strategy):
    """A field that is present with a plausible value, an arbitrary one, or absent."""
    return st.one_of(value_strategy, anything)


def wild_number(lo: float, hi: float):
    return st.one_of(st.floats(lo, hi), st.floats(allow_nan=True, allow_infinity=True),
                     st.sampled_from([lo - 1, hi + 1, lo, hi, -1e300, 1e300]))


def regimen_text(draw_valid: bool):
    drug = st.sampled_from(sorted(DRUGS) + ([] if draw_valid else ["snakeoil", ""]))
    num = st.floats(0.001, 5000).map(lambda x: f"{x:.3g}") if draw_valid else \
        st.one_of(st.floats(-1e6, 1e9).map(lambda x: f"{x:g}"), st.sampled_from(["0", "-5", "1e999", "nan", "99999999"]))
    unit = st.sampled_from(["mg", "patches", "patch"])
    freq = st.one_of(st.sampled_from(["qd", "bid", "tid", "qid", "qhs", "once", "daily", "od"]),
                     st.floats(0.01, 500).map(lambda x: f"q{x:.3g}h"))
    start = st.one_of(st.just(""), st.integers(-50, 500).map(lambda d: f" from day {d}"))
    clock = st.one_of(st.just(""), st.tuples(st.integers(0, 30), st.integers(0, 99)).map(lambda t: f" at {t[0]}:{t[1]:02d}"))
    return st.tuples(drug, num, unit, freq, start, clock).map(lambda t: f"{t[0]} {t[1]} {t[2]} {t[3]}{t[4]}{t[5]}")


@st.composite
def valid_regimen(draw) -> str:
    """A regimen inside every limit: catalogue drug, its unit, dose ≤ per-dose and daily maxima, a real clock time."""
    name = draw(st.sampled_from(sorted(DRUGS)))
    d = DRUGS[name]
    if d.min_interval_h:
        every, freq = None, "once"
    elif d.wear_hours:
        every, freq = 24.0, "daily"
    else:
        freq = draw(st.sampled_from(["qd", "bid", "tid", "qid", "q4h", "q48h"]))
        every = {"qd": 24.0, "bid": 12.0, "tid": 8.0, "qid": 6.0, "q4h": 4.0, "q48h": 48.0}[freq]
    top = min(d.max_single_dose, MAX_DAILY_DOSE[name][0] / doses_per_day(every))
    dose = draw(st.floats(0.01 * top, top))
    dose = math.floor(dose * 100) / 100 or 0.01
    start = draw(st.integers(0, 20))
    hour, minute = draw(st.integers(0, 23)), draw(st.integers(0, 59))
    return f"{name} {dose:g} {d.dose_unit} {freq} from day {start} at {hour}:{minute:02d}"


# ---------------------------------------------------------------- scenario
def scenario_dict(valid: bool):
    if valid:
        cause = st.fixed_dictionaries({"type": st.sampled_from(["none", "trauma", "diabetes", "idiopathic"])}).map(
            lambda c: c if c["type"] == "none" else {**c, "severity": 0.5, "onset_day": 0.0})
        return st.fixed_dictionaries({
            "duration_days": st.floats(0.5, 3650), "history_days": st.integers(0, 7300), "cause": cause,
            "stress": st.fixed_dictionaries({"baseline": st.floats(0, 2)}),
            "sleep": st.fixed_dictionaries({"hours_in_bed": st.floats(3, 14), "wake_time": st.floats(0, 23.99)}),
            "output": st.fixed_dictionaries({"every_hours": st.floats(0.01, 24)}),
            "params": st.dictionaries(st.sampled_from(["k_nrs", "g_ectopic", "loop_tension"]), st.floats(0, 100),
                                      max_size=2),
        })
    return st.fixed_dictionaries({}, optional={
        "duration_days": maybe(wild_number(0, 3650)), "history_days": maybe(st.integers(-10, 10**7)),
        "cause": maybe(st.fixed_dictionaries({"type": st.sampled_from(CAUSES)},
                                             optional={"severity": wild_number(0, 1), "onset_day": wild_number(-10, 10),
                                                       "hba1c": wild_number(4, 16), "age": wild_number(18, 110)})),
        "stress": maybe(st.fixed_dictionaries({}, optional={"baseline": wild_number(0, 2), "schedule": anything})),
        "sleep": maybe(st.fixed_dictionaries({}, optional={"hours_in_bed": wild_number(3, 14),
                                                            "wake_time": wild_number(0, 24)})),
        "output": maybe(st.fixed_dictionaries({"every_hours": wild_number(0, 24)})),
        "solver": maybe(st.fixed_dictionaries({}, optional={"rtol": wild_number(0, 0.01), "method": anything})),
        "params": maybe(st.dictionaries(st.sampled_from(["k_nrs", "g_ectopic", "nope"]), wild_number(0, 10), max_size=3)),
        "treatments": maybe(st.lists(st.one_of(regimen_text(False), valid_regimen(), anything), max_size=3)),
        "unknown_field": anything,
    })


def _scenario_refused_or_accepted(data) -> None:
    from painloop.limits import check_scenario_fits

    try:
        sc = parse_scenario(data, "random")
        check_scenario_fits(sc)
    except PainloopInputError as e:
        assert str(e).strip()


@FAST
@given(scenario_dict(False))
def test_random_scenarios_are_accepted_or_refused_cleanly(data):
    _scenario_refused_or_accepted(data)


@pytest.mark.slow
@SLOW
@given(scenario_dict(False))
def test_random_scenarios_are_accepted_or_refused_cleanly_many(data):
    _scenario_refused_or_accepted(data)


def _valid_scenario_accepted(data, regimen) -> None:
    data = {**data, "treatments": [regimen.replace("from day ", f"from day {0 * 1}")]}
    start = int(regimen.split("from day ")[1].split()[0])
    data["duration_days"] = max(data["duration_days"], start + 1.0)
    sc = parse_scenario(data, "valid random")
    assert sc.duration_days == data["duration_days"]


@FAST
@given(scenario_dict(True), valid_regimen())
def test_valid_scenarios_are_accepted(data, regimen):
    _valid_scenario_accepted(data, regimen)


@pytest.mark.slow
@SLOW
@given(scenario_dict(True), valid_regimen())
def test_valid_scenarios_are_accepted_many(data, regimen):
    _valid_scenario_accepted(data, regimen)


# ---------------------------------------------------------------- regimen
def _regimen_refused_or_accepted(text) -> None:
    try:
        sc = parse_scenario({"duration_days": 600, "history_days": 100, "treatments": [text]}, "regimen")
    except PainloopInputError as e:
        assert str(e).strip()
        return
    for t in sc.treatments:  # what is accepted is inside every limit
        d = DRUGS[t.drug]
        assert 0 < t.dose <= d.max_single_dose
        assert t.dose * doses_per_day(t.every_hours) <= MAX_DAILY_DOSE[t.drug][0] + 1e-9
        assert 0 <= t.clock_hour < 24 and (t.every_hours is None or t.every_hours >= 1.0)


@FAST
@given(st.one_of(regimen_text(False), regimen_text(True), st.text(max_size=40)))
def test_random_regimens_are_accepted_only_within_limits(text):
    _regimen_refused_or_accepted(text)


@pytest.mark.slow
@SLOW
@given(st.one_of(regimen_text(False), regimen_text(True), st.text(max_size=40)))
def test_random_regimens_are_accepted_only_within_limits_many(text):
    _regimen_refused_or_accepted(text)


@FAST
@given(valid_regimen())
def test_valid_regimens_are_accepted(text):
    parse_scenario({"duration_days": 60, "treatments": [text]}, "valid regimen")


# ---------------------------------------------------------------- trial design
ARM = st.fixed_dictionaries({"name": st.one_of(st.sampled_from(["placebo", "a", "b"]), st.text(max_size=6)),
                             "n": wild_number(1, 100).map(lambda x: x if not isinstance(x, float) or not math.isfinite(x)
                                                          else int(x))},
                            optional={"placebo": st.booleans(), "treatments": st.lists(
                                st.one_of(regimen_text(False), valid_regimen()), max_size=2),
                                "endpoint_weeks": anything})
design_dict = st.fixed_dictionaries({"arms": st.one_of(st.lists(ARM, max_size=3), anything)}, optional={
    "seed": st.one_of(st.integers(-5, 10**6), anything), "duration_weeks": maybe(wild_number(0, 104)),
    "run_in_days": maybe(st.integers(-2, 40)), "screen_factor": maybe(wild_number(1, 10)),
    "randomisation": st.sampled_from(["parallel", "virtual_twin", "cluster"]),
    "population": maybe(st.fixed_dictionaries({}, optional={
        "history_years": wild_number(0.5, 10), "variability": wild_number(0, 3),
        "overrides": st.dictionaries(st.sampled_from(["severity_a", "hba1c_mean", "female_share", "k_nrs", "nope"]),
                                     wild_number(0, 10), max_size=3)})),
    "inclusion": maybe(st.fixed_dictionaries({}, optional={"min_baseline_nrs": wild_number(0, 10),
                                                           "max_baseline_nrs": wild_number(0, 10)})),
    "endpoints": maybe(st.fixed_dictionaries({}, optional={"nnt": st.booleans(), "bootstrap": st.integers(0, 10**6)})),
    "control": anything, "diary": maybe(st.fixed_dictionaries({}, optional={"rating_sd": wild_number(0, 3)})),
})


def _design_refused_or_accepted(data) -> None:
    from painloop.trials._run import check_trial_fits

    try:
        d = parse_design(data, "random")
        check_trial_fits(d)
    except PainloopInputError as e:
        assert str(e).strip()


@FAST
@given(design_dict)
def test_random_designs_are_accepted_or_refused_cleanly(data):
    _design_refused_or_accepted(data)


@pytest.mark.slow
@SLOW
@given(design_dict)
def test_random_designs_are_accepted_or_refused_cleanly_many(data):
    _design_refused_or_accepted(data)


@FAST
@given(st.integers(1, 500), valid_regimen(), st.floats(6.5, 13), st.floats(0.1, 50))
def test_valid_designs_are_accepted(n, regimen, hba1c, severity_a):
    parse_design({"arms": [{"name": "placebo", "placebo": True, "n": n},
                           {"name": "active", "n": n, "treatments": [regimen]}],
                  "duration_weeks": 12, "population": {"overrides": {"hba1c_mean": hba1c, "severity_a": severity_a}}},
                 "valid design")


# ---------------------------------------------------------------- diary
CELL = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr), st.integers(-20, 2000).map(str),
                 st.text(alphabet="abc,;\"\n 0123456789-:.", max_size=8), st.just(""))
DATE = st.one_of(st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(dt.date.isoformat),
                 st.dates(dt.date(2020, 1, 1), dt.date(2021, 1, 1)).map(dt.date.isoformat), CELL)
MED = st.one_of(regimen_text(False).map(lambda s: s.split(" from")[0]), st.just(""), CELL)


@st.composite
def diary_text(draw, valid: bool) -> str:
    columns = ["date", "pain"] + draw(st.lists(st.sampled_from(["sleep_hours", "stress", "mood", "medication",
                                                                "notes"] + ([] if valid else ["weather", "pain"])),
                                               unique=True, max_size=3))
    n = draw(st.integers(1 if valid else 0, 30))
    start = draw(st.dates(dt.date(1990, 1, 1), dt.date(2100, 1, 1)))
    rows = []
    for i in range(n):
        row = []
        for c in columns:
            if valid:
                value = {"date": (start + dt.timedelta(days=i)).isoformat(),
                         "pain": f"{draw(st.floats(0, 10)):.1f}", "sleep_hours": f"{draw(st.floats(0, 24)):.1f}",
                         "stress": str(draw(st.integers(0, 10))), "mood": str(draw(st.integers(0, 10))),
                         "medication": "pregabalin 75 mg bid", "notes": "ok"}[c]
            else:
                value = draw(DATE if c == "date" else MED if c == "medication" else CELL)
            row.append('"' + value.replace('"', '""') + '"' if any(ch in value for ch in ',"\n') else value)
        rows.append(",".join(row))
    return "\n".join([",".join(columns), *rows]) + "\n"


def _diary_refused_or_accepted(text) -> None:
    try:
        frame = read_diary_csv(text.encode("utf-8"))
    except PainloopInputError as e:
        assert str(e).strip()
        return
    assert frame["pain"].between(0, 10).all()
    assert (frame["date"].iloc[-1] - frame["date"].iloc[0]).days < 3 * 366


@FAST
@given(diary_text(False))
def test_random_diaries_are_accepted_or_refused_cleanly(text):
    _diary_refused_or_accepted(text)


@pytest.mark.slow
@SLOW
@given(diary_text(False))
def test_random_diaries_are_accepted_or_refused_cleanly_many(text):
    _diary_refused_or_accepted(text)


@FAST
@given(diary_text(True))
def test_valid_diaries_are_accepted(text):
    frame = read_diary_csv(text.encode("utf-8"))
    assert len(frame) == text.count("\n") - 1


# ---------------------------------------------------------------- a handful run through the command
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.floats(1, 4), st.floats(0, 2), st.floats(2, 12), valid_regimen())
def test_a_few_valid_random_scenarios_run(tmp_path_factory, days, stress, every, regimen):
    from test_bad_inputs import run_in_process

    tmp = tmp_path_factory.mktemp("run")
    scenario = tmp / "s.yaml"
    start = int(regimen.split("from day ")[1].split()[0])
    regimen = regimen.replace(f"from day {start}", "from day 0")
    scenario.write_text(yaml.safe_dump({"duration_days": days, "cause": {"type": "trauma", "severity": 0.5},
                                        "stress": {"baseline": stress}, "output": {"every_hours": every},
                                        "treatments": [regimen]}), encoding="utf-8")
    code, text = run_in_process(["run", str(scenario), "--out", str(tmp / "out"), "--no-report"])
    assert code == 0, text
    assert "Traceback" not in text and (tmp / "out" / "results.nc").is_file()
