"""Causes of neuropathy (SYSTEM.md §5): each cause's time course and its cause-specific treatment.

Variants of one cause are patients of one ``simulate`` call (batched scenario
inputs), sampled daily, so each claim costs one compiled run.
"""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from painloop.causes import CAUSES
from painloop.scenario import ScenarioError, parse_scenario
from painloop.scenario._inputs import event_days
from painloop.simulate import simulate

from conftest import daily_mean

_NEVER_H = 1e12


_PAINFUL = {"g_ectopic": 1.0}
"""A patient whose injured fibres fire readily (about the 90th percentile of the population's ectopic propensity):
the pain claims below concern the patients who have pain, not the typical, mostly painless lesion."""


def _run(cause: dict, days: float, every_hours: float = 24.0, history_days: int = 0, inputs: dict | None = None, **extra):
    sc = parse_scenario({"name": "cause-test", "duration_days": days, "history_days": history_days,
                         "output": {"every_hours": every_hours}, "cause": cause, **extra})
    ds = simulate(sc, inputs=inputs)
    assert bool(ds["solver_ok"].all())
    return ds


def _at(ds, var: str, day: float, patient: int = 0) -> float:
    return float(ds[var].isel(patient=patient).sel(time=day, method="nearest"))


def _series(ds, var: str, patient: int = 0) -> np.ndarray:
    return ds[var].isel(patient=patient).values


def test_every_cause_of_system_md_is_available_and_listed_with_its_parameters():
    expected = {"diabetes", "shingles", "chemotherapy", "trauma", "compression", "multiple_sclerosis",
                "rheumatoid_arthritis", "guillain_barre", "b12_deficiency", "b1_deficiency", "charcot_marie_tooth",
                "erythromelalgia", "alcohol", "toxin", "idiopathic", "spinal_cord_injury", "central_post_stroke",
                "trigeminal_neuralgia"}
    assert expected <= set(CAUSES)
    from painloop.cli import app
    r = CliRunner().invoke(app, ["causes"], env={"COLUMNS": "250"})
    assert r.exit_code == 0, r.output
    for name in expected:
        assert name in r.output
        for p in CAUSES[name].params:
            assert p.source.strip() and p.unit.strip()
            assert p.name in r.output


def test_chemotherapy_damage_rises_during_cycles_and_partly_recovers_after_the_last():
    ds = _run({"type": "chemotherapy", "severity": 0.8, "cycles": 4, "cycle_days": 21, "onset_day": 7}, 260)
    starts = 7 + 21 * np.arange(4)
    for s in starts:  # every cycle adds damage over its exposure days
        assert _at(ds, "damage", s + 5) > _at(ds, "damage", s) + 0.01
    damage = _series(ds, "damage")
    last = starts[-1] + 3
    peak = damage.max()
    assert _at(ds, "damage", last + 2) > 0.97 * peak  # the course's damage is complete after the last exposure
    assert _at(ds, "damage", last + 35) > 0.95 * peak  # repair is held off for weeks (coasting)...
    assert _at(ds, "damage", 259) < 0.6 * peak  # ...then recovery after the last cycle...
    assert _at(ds, "damage", last + 90) > 0.3 * peak  # ...over months, not days


@pytest.mark.parametrize("cause", ["b12_deficiency", "b1_deficiency"])
def test_deficiency_improves_after_supplementation_and_not_without(cause):
    ds = _run({"type": cause, "severity": 0.8, "supplement_day": 150}, 420,
              inputs={"supplement_h": np.array([24.0 * 150, _NEVER_H])}, params=_PAINFUL)
    treated_peak = _at(ds, "damage", 160, 0)
    assert _at(ds, "damage", 150, 0) > 0.05  # progressive while deficient
    assert _at(ds, "damage", 419, 0) < 0.7 * treated_peak
    assert daily_mean(ds, "nrs", 0)[-7:].mean() < daily_mean(ds, "nrs", 0)[150:157].mean() - 0.2
    # control: still deficient, damage keeps growing
    assert _at(ds, "damage", 419, 1) > _at(ds, "damage", 150, 1) + 0.02
    assert np.all(np.diff(_series(ds, "damage", 1)) > -1e-9)


def test_charcot_marie_tooth_progresses_and_never_recovers():
    ds = _run({"type": "charcot_marie_tooth", "severity": 1.0, "onset_day": -3650}, 3 * 365, history_days=3650)
    damage = _series(ds, "damage")
    assert np.all(np.diff(damage) >= -1e-9)
    assert damage[-1] > damage[0] + 0.02


def test_decompression_relieves_compression_pain():
    ds = _run({"type": "compression", "severity": 0.8, "decompression_day": 60}, 240,
              inputs={"release_h": np.array([24.0 * 60, _NEVER_H])})
    assert _at(ds, "damage", 55, 0) == pytest.approx(_at(ds, "damage", 55, 1), rel=1e-4)
    assert _at(ds, "damage", 239, 0) < 0.6 * _at(ds, "damage", 239, 1)
    assert daily_mean(ds, "nrs", 0)[-14:].mean() < daily_mean(ds, "nrs", 1)[-14:].mean() - 1.0
    assert daily_mean(ds, "nrs", 0)[-14:].mean() < daily_mean(ds, "nrs", 0)[45:59].mean() - 1.0


def test_post_herpetic_persistence_rises_with_age():
    ages = np.array([40.0, 60.0, 80.0])
    ds = _run({"type": "shingles", "severity": 0.8, "onset_day": 0}, 240, inputs={"age": ages}, params=_PAINFUL)
    late_damage = [_at(ds, "damage", 239, i) for i in range(3)]
    late_pain = [daily_mean(ds, "nrs", i)[-14:].mean() for i in range(3)]
    assert late_damage[0] < late_damage[1] < late_damage[2]
    assert late_pain[0] < late_pain[1] < late_pain[2] and late_pain[2] - late_pain[0] > 0.5
    acute = [_at(ds, "damage", 22, i) for i in range(3)]  # the acute episode itself barely depends on age
    assert max(acute) < 1.2 * min(acute)


def test_antiviral_and_vaccination_attenuate_zoster_damage():
    ds = _run({"type": "shingles", "severity": 0.8, "age": 75, "antiviral_within_72h": True, "vaccinated": True}, 120,
              inputs={"hz_antiviral": np.array([0.0, 1.0, 0.0]), "hz_vaccinated": np.array([0.0, 0.0, 1.0])})
    none, antiviral, vaccine = (_at(ds, "damage", 30, i) for i in range(3))
    assert antiviral < 0.9 * none and vaccine < 0.7 * none
    assert daily_mean(ds, "nrs", 2)[-14:].mean() < daily_mean(ds, "nrs", 0)[-14:].mean() - 0.3


def test_glucose_control_slows_diabetic_damage():
    ds = _run({"type": "diabetes", "severity": 0.8, "hba1c": 9.5, "glucose_control_day": 60, "hba1c_control": 6.0}, 540,
              inputs={"control_h": np.array([24.0 * 60, _NEVER_H])})
    assert _at(ds, "damage", 50, 0) == pytest.approx(_at(ds, "damage", 50, 1), rel=1e-3)
    assert _at(ds, "damage", 539, 0) < 0.7 * _at(ds, "damage", 539, 1)


def test_multiple_sclerosis_relapses_peak_and_partly_remit():
    relapses = [20.0, 160.0]
    ds = _run({"type": "multiple_sclerosis", "severity": 0.9, "relapse_days": relapses}, 320)
    damage, nrs = _series(ds, "central_lesion"), daily_mean(ds, "nrs")
    assert np.abs(_series(ds, "damage")).max() < 1e-9  # a central lesion: peripheral fibres spared
    for r in relapses:  # damage and pain rise during each relapse (peak within ~5 weeks of its start)
        seg = slice(int(r), int(r) + 60)
        peak = int(r) + int(np.argmax(damage[seg]))
        assert r + 20 <= peak <= r + 40
        assert damage[peak] > damage[int(r)] + 0.05
        assert nrs[int(r) + 20:int(r) + 35].mean() > nrs[max(int(r) - 10, 0):int(r)].mean() + 0.3
    first_peak = damage[20:80].max()
    assert damage[155] < 0.85 * first_peak  # remission between relapses...
    assert damage[155] > 0.3 * first_peak  # ...only partial
    assert damage[160:220].max() > first_peak  # residual damage accumulates


def test_seeded_relapses_are_reproducible_and_follow_the_rate():
    a = event_days([], 2.0, seed=7, start_day=0.0, end_day=3650.0)
    assert np.array_equal(a, event_days([], 2.0, seed=7, start_day=0.0, end_day=3650.0))
    assert not np.array_equal(a, event_days([], 2.0, seed=8, start_day=0.0, end_day=3650.0))
    assert 14 <= a.size <= 28 and a.min() >= 0.0 and a.max() < 3650.0  # ~20 expected (Poisson, 10 years × 2/year)
    assert event_days([], 0.0, seed=1, start_day=0.0, end_day=100.0).size == 0
    assert list(event_days([30.0, 10.0], 5.0, seed=1, start_day=0.0, end_day=100.0)) == [10.0, 30.0]
    sc = {"type": "multiple_sclerosis", "severity": 0.9, "relapse_rate_per_year": 3.0, "seed": 4}
    from painloop.scenario import scenario_inputs
    q1 = scenario_inputs(parse_scenario({"duration_days": 365, "cause": sc}))
    q2 = scenario_inputs(parse_scenario({"duration_days": 365, "cause": sc}))
    assert np.array_equal(q1["ms_relapse_h"], q2["ms_relapse_h"]) and q1["ms_relapse_h"].size >= 1


def test_rheumatoid_flares_raise_inflammation_and_pain():
    ds = _run({"type": "rheumatoid_arthritis", "severity": 0.9, "flare_days": [40.0], "onset_day": -200}, 90,
              history_days=200)
    infl = daily_mean(ds, "infl_peripheral")
    assert infl[44:54].mean() > 2.0 * infl[25:38].mean()
    assert infl[80:90].mean() < 0.6 * infl[44:54].mean()
    nrs = daily_mean(ds, "nrs")
    assert nrs[44:54].mean() > nrs[25:38].mean() + 0.3


def test_alcohol_damage_is_dose_dependent_and_partly_recovers_with_abstinence():
    drinks = np.array([4.0, 8.0, 12.0, 12.0])
    stop = np.array([300.0, 300.0, 300.0, np.inf])
    ds = _run({"type": "alcohol", "severity": 0.8, "drinks_per_day": 8, "abstinence_day": 300}, 660,
              inputs={"drinks_per_day": drinks, "abstinence_h": np.where(np.isinf(stop), _NEVER_H, 24.0 * stop)})
    at_stop = [_at(ds, "damage", 296, i) for i in range(4)]
    assert at_stop[0] < at_stop[1] < at_stop[2]
    assert at_stop[2] > 2.0 * at_stop[0]
    assert at_stop[2] == pytest.approx(at_stop[3], rel=1e-3)
    late = _at(ds, "damage", 659, 2)
    assert 0.2 * at_stop[2] < late < 0.75 * at_stop[2]  # partial recovery with abstinence
    assert _at(ds, "damage", 659, 3) > at_stop[3]  # none while drinking continues
    below = _run({"type": "alcohol", "severity": 0.8, "drinks_per_day": 1.5}, 120)
    assert float(below["damage"].max()) < 1e-6  # below the threshold intake: no injury


def test_erythromelalgia_pain_rises_on_hot_days():
    ds = _run({"type": "erythromelalgia", "severity": 1.0, "onset_day": -730, "hot_days": [30, 31, 32]}, 60,
              every_hours=6, history_days=730, params=_PAINFUL)
    nrs = daily_mean(ds, "nrs")
    before, hot, after = nrs[20:29].mean(), nrs[30:33].mean(), nrs[50:60].mean()
    assert hot > before + 0.5
    assert after < hot - 0.3  # the flare passes when it cools down


def test_temperature_schedule_drives_erythromelalgia_flares():
    cause = {"type": "erythromelalgia", "severity": 1.0, "onset_day": -730,
             "temperatures": [{"day": 20, "celsius": 30}, {"day": 40, "celsius": 18}]}
    ds = _run(cause, 60, history_days=730)
    infl = daily_mean(ds, "infl_peripheral")
    assert infl[25:40].mean() > 2.0 * infl[10:19].mean()
    assert infl[50:60].mean() < 0.5 * infl[25:40].mean()


def test_guillain_barre_acute_then_slow_incomplete_recovery():
    ds = _run({"type": "guillain_barre", "severity": 0.8, "onset_day": 5}, 400)
    damage = _series(ds, "damage")
    peak_day = int(np.argmax(damage))
    assert 10 <= peak_day <= 30  # nadir within weeks
    assert damage[peak_day] > 0.3
    assert damage[90] > 0.75 * damage[peak_day]  # slow: months
    assert damage[399] < 0.6 * damage[peak_day]  # recovery...
    assert damage[399] > 0.1 * damage[peak_day]  # ...incomplete after a year


def test_toxin_damage_depends_on_exposure_and_recovers_after_it():
    ds = _run({"type": "toxin", "severity": 0.8, "agent": "isoniazid", "exposure_end_day": 60}, 240,
              inputs={"exposure_end_h": np.array([24.0 * 30, 24.0 * 60])})
    assert _at(ds, "damage", 60, 0) < 0.75 * _at(ds, "damage", 60, 1)
    assert _at(ds, "damage", 239, 1) < 0.7 * _at(ds, "damage", 62, 1)


def test_idiopathic_onset_is_slow():
    ds = _run({"type": "idiopathic", "severity": 1.0}, 730)
    damage = _series(ds, "damage")
    assert np.all(np.diff(damage) > -1e-9)
    assert damage[90] < 0.05 and damage[-1] > 2.5 * damage[180] > 0.0


@pytest.mark.parametrize("cause, message", [
    ({"type": "multiple_sclerosis", "relapse_rate_per_year": -1}, "cause.multiple_sclerosis.relapse_rate_per_year"),
    ({"type": "multiple_sclerosis", "onset_day": 10, "relapse_days": [5]}, "relapse_days"),
    ({"type": "rheumatoid_arthritis", "flares_per_year": 100}, "cause.rheumatoid_arthritis.flares_per_year"),
    ({"type": "guillain_barre", "severity": 2}, "cause.guillain_barre.severity"),
    ({"type": "b12_deficiency", "onset_day": 30, "supplement_day": 10}, "supplement_day"),
    ({"type": "b1_deficiency", "supplement_day": "soon"}, "cause.b1_deficiency.supplement_day"),
    ({"type": "charcot_marie_tooth", "recovers": True}, "cause.charcot_marie_tooth.recovers"),
    ({"type": "erythromelalgia", "hot_day_celsius": 90}, "cause.erythromelalgia.hot_day_celsius"),
    ({"type": "erythromelalgia", "temperatures": [{"day": 5, "celsius": 30}, {"day": 2, "celsius": 20}]},
     "strictly increasing"),
    ({"type": "erythromelalgia", "hot_days": [3], "temperatures": [{"day": 5, "celsius": 30}]}, "either hot_days or"),
    ({"type": "alcohol", "drinks_per_day": -3}, "cause.alcohol.drinks_per_day"),
    ({"type": "alcohol", "onset_day": 10, "abstinence_day": 5}, "abstinence_day"),
    ({"type": "toxin", "agent": "snake_oil"}, "cause.toxin.agent"),
    ({"type": "idiopathic", "severity": -0.1}, "cause.idiopathic.severity"),
    ({"type": "diabetes", "glucose_control_day": 30}, "glucose_control_day and hba1c_control"),
    ({"type": "shingles", "antiviral_within_72h": "maybe"}, "cause.shingles.antiviral_within_72h"),
    ({"type": "lupus"}, "cause"),
])
def test_bad_cause_settings_name_the_field(cause, message):
    with pytest.raises(ScenarioError, match=message.replace(".", r"\.")):
        parse_scenario({"cause": cause}, "test")


def _compression_forms(days: float, **cause) -> object:
    """Patients 0-3: entrapment, disc herniation, stenosis, tumour (one batched run, daily samples)."""
    kinds = {"cmp_kind_disc_herniation": np.array([0.0, 1.0, 0.0, 0.0]),
             "cmp_kind_stenosis": np.array([0.0, 0.0, 1.0, 0.0]),
             "cmp_kind_tumour": np.array([0.0, 0.0, 0.0, 1.0])}
    return _run({"type": "compression", "severity": 0.8, "kind": "disc_herniation", **cause}, days, inputs=kinds)


def test_compression_forms_follow_their_own_time_courses():
    ds = _compression_forms(3 * 365)
    entrap, disc, stenosis, tumour = (_series(ds, "damage", i) for i in range(4))
    # disc herniation: resorbs; damage peaks within months and is mostly repaired by the end of the first year,
    # while an entrapment persists
    peak_day = int(np.argmax(disc))
    assert 20 < peak_day < 200
    assert disc[365] < 0.5 * disc[peak_day]
    assert disc[365] < 0.3 * entrap[365]
    assert daily_mean(ds, "neuropathic_pain", 1)[330:365].mean() < daily_mean(ds, "neuropathic_pain", 1)[40:70].mean()
    # stenosis: milder at first, then slowly progressive (still rising in year 3)
    assert stenosis[60] < entrap[60]
    assert stenosis[-1] > stenosis[365] + 0.01
    # tumour: small at first, then growing: more damage added in the second 120 days than in the first
    assert tumour[60] < 0.5 * entrap[60]
    assert tumour[240] - tumour[120] > tumour[120] - tumour[0]
    assert tumour[-1] > stenosis[-1]


def test_removing_a_growing_tumour_stops_its_damage():
    ds = _run({"type": "compression", "kind": "tumour", "severity": 0.8, "decompression_day": 200}, 400,
              inputs={"release_h": np.array([24.0 * 200, _NEVER_H])})
    treated, untreated = _series(ds, "damage", 0), _series(ds, "damage", 1)
    assert treated[195] == pytest.approx(untreated[195], rel=1e-4)
    assert treated[-1] < treated[205]
    assert untreated[-1] > untreated[205]
