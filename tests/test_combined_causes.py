"""Several causes in one scenario: their drivers combine, and bad lists are rejected naming the field."""

from __future__ import annotations

import pytest

from painloop.scenario import ScenarioError, parse_scenario
from painloop.scenario._inputs import scenario_inputs
from painloop.simulate import simulate


def _damage(cause: object, days: float = 365.0) -> float:
    """Fibre damage (fraction) at the end of ``days`` days of ``cause`` (one mapping or a list)."""
    sc = parse_scenario({"name": "combined-test", "duration_days": days, "output": {"every_hours": 24.0},
                         "cause": cause})
    ds = simulate(sc)
    assert bool(ds["solver_ok"].all())
    return float(ds["damage"].isel(patient=0)[-1])


ALCOHOL = {"type": "alcohol", "severity": 0.6, "drinks_per_day": 8.0}
THIAMINE = {"type": "b1_deficiency", "severity": 0.6}
DIABETES = {"type": "diabetes", "severity": 0.6, "hba1c": 9.0, "onset_day": 0}
CHEMO = {"type": "chemotherapy", "severity": 0.6, "cycles": 6, "cycle_days": 21, "onset_day": 30}


def test_alcohol_with_thiamine_deficiency_damages_more_than_either_alone():
    alone = [_damage(ALCOHOL), _damage(THIAMINE)]
    both = _damage([ALCOHOL, THIAMINE])
    assert min(alone) > 0.02
    assert both > max(alone) + 0.05, (both, alone)
    assert both <= 1.0


def test_diabetes_with_chemotherapy_damages_more_than_either_alone():
    alone = [_damage(DIABETES, 240), _damage(CHEMO, 240)]
    both = _damage([DIABETES, CHEMO], 240)
    assert both > max(alone) + 0.02, (both, alone)


def test_a_single_cause_in_a_list_is_that_cause():
    assert _damage([ALCOHOL], 120) == pytest.approx(_damage(ALCOHOL, 120), rel=1e-9)
    assert parse_scenario({"cause": [ALCOHOL]}).cause.type == "alcohol"


def test_combined_cause_keeps_each_cause_settings_apart_and_reads_back():
    sc = parse_scenario({"cause": [ALCOHOL, CHEMO]})
    assert sc.cause.type == "alcohol+chemotherapy"
    assert sc.cause.onset_day == 0.0
    q = scenario_inputs(sc)
    assert q["alcohol__severity"] == 0.6 and q["alcohol__drinks_per_day"] == 8.0
    assert q["chemotherapy__cycle_starts_h"].shape == (6,)
    assert "severity" not in q
    again = parse_scenario(sc.model_dump(mode="json"))
    assert again.cause.type == sc.cause.type
    assert again.model_dump() == sc.model_dump()


@pytest.mark.parametrize("cause, message", [
    ([], "cause: Value error, the list of causes is empty"),
    ([ALCOHOL, {"type": "alcohol", "severity": 0.2}], "cause: Value error, cause type(s) ['alcohol'] listed more than once"),
    ([ALCOHOL, {"type": "wine"}], "cause[1]: Input tag 'wine'"),
    ([ALCOHOL, {"type": "none"}], "type 'none' cannot be combined"),
    ([ALCOHOL, {"type": "diabetes", "hba1c": 30}], "cause[1].diabetes.hba1c"),
])
def test_bad_cause_lists_name_the_field(cause, message):
    with pytest.raises(ScenarioError) as err:
        parse_scenario({"cause": cause})
    assert message in str(err.value)
