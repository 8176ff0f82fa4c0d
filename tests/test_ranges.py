"""Declared parameter ranges and state bounds, and robustness of the equations over those ranges.

Every model parameter declares a plausible range with its source; draws uniform in log space (linear for the
ranges declared linear) across all of them must integrate with every state within its declared bounds and the
NRS within 0-10. The default run checks 200 draws, the slow marker 10 000 (issue 18, item 6).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from painloop.analysis import robustness as rb
from painloop.model import system
from painloop.model._declare import FOLD3, Range, around, fold, params, states
from painloop.simulate import simulate

SCENARIOS = ("default", "surgery", "shingles-phn", "chemotherapy", "diabetes-duloxetine", "every-treatment")
"""Built-ins run from the onset of their cause: slow diabetic injury under a stress step, acute nerve trauma,
zoster, cycles of chemotherapy, the diabetic patient starting duloxetine, and the default patient on every drug and
therapy at once (:data:`painloop.analysis.robustness.EVERY_TREATMENT`: every treatment parameter)."""
SHARES = (0.2, 0.2, 0.2, 0.2, 0.1, 0.1)
"""Share of the draws per scenario (assumption: the treated runs are the slowest; 10 % each still draws every
treatment parameter 1 000 times in the slow run)."""


def _scenario(name: str):
    """A scenario of :data:`SCENARIOS` from onset."""
    if name == "every-treatment":
        return rb.with_every_treatment(rb.from_onset("default"))
    return rb.from_onset(name)

def test_every_model_parameter_declares_a_range_containing_its_value_with_a_source():
    assert len(system.PARAMS) > 300
    for p in system.PARAMS:
        r = p.range
        assert r is not None, p.name
        assert r.lower <= p.value <= r.upper, p.name
        assert r.scale in ("log", "linear"), p.name
        assert r.scale == "linear" or r.lower > 0.0, p.name
        assert r.source.strip(), p.name
        if p.unit == "fraction" and p.value <= 1.0:
            assert r.upper <= 1.0 and r.lower >= 0.0, p.name


def test_parameters_that_may_be_zero_or_negative_are_drawn_linearly():
    by_name = {p.name: p for p in system.PARAMS}
    for name in ("cmt_regen", "hpa_circ_peak", "loop_stress_to_pain"):
        assert by_name[name].range.scale == "linear", name
    assert by_name["cmt_regen"].range.lower == 0.0 and by_name["hpa_circ_peak"].range.lower < 0.0
    assert by_name["loop_tension"].range.lower == 0.0 and by_name["loop_tension"].range.upper == 1.0


def test_range_declarations_are_validated():
    with pytest.raises(ValueError, match="lower > 0"):
        Range(0.0, 1.0, "assumption: test", "log")
    with pytest.raises(ValueError, match="lower <= upper"):
        Range(2.0, 1.0, "assumption: test", "linear")
    with pytest.raises(ValueError, match="source"):
        Range(1.0, 2.0, " ")
    with pytest.raises(ValueError, match="outside its range"):
        params("t", ("x", 5.0, "h", "assumption: test", "", Range(1.0, 2.0, "assumption: test")))
    with pytest.raises(ValueError, match="x: a fold range needs a positive value"):
        params("t", ("x", 0.0, "h", "assumption: test", ""))
    (p,) = params("t", ("x", 0.6, "fraction", "assumption: test", ""))
    assert p.range == FOLD3(0.6, "fraction") and p.range.lower == pytest.approx(0.2) and p.range.upper == 1.0
    (q,) = params("t", ("y", 2.0, "h", "assumption: test", "", fold(2.0, "assumption: r")))
    assert (q.range.lower, q.range.upper) == (1.0, 4.0)
    (c,) = params("t", ("z", 20.0, "h (clock time)", "assumption: test", "", around(3.0, "assumption: r")))
    assert (c.range.lower, c.range.upper, c.range.scale) == (17.0, 23.0, "linear")
    (none,) = params("t", ("w", 1.0, "h", "assumption: test", ""), ranges=None)
    assert none.range is None


def test_states_declare_bounds_from_their_units():
    by_name = {s.name: s for s in system.STATES}
    for s in system.STATES:
        assert s.lower <= s.initial <= s.upper, s.name
        assert s.lower >= 0.0, s.name
        if s.unit in ("fraction", "score 0-1"):
            assert (s.lower, s.upper) == (0.0, 1.0), s.name
    assert by_name["pain_avg"].upper == 10.0 and by_name["sleep_hours_avg"].upper == 24.0
    assert by_name["cortisol"].lower == 0.0 and math.isinf(by_name["cortisol"].upper)
    with pytest.raises(ValueError, match="no default bounds"):
        states("t", ("x", "furlongs", 0.0, "test"))
    with pytest.raises(ValueError, match="outside its bounds"):
        states("t", ("x", "fraction", 1.5, "test"))


def test_draws_are_uniform_in_log_space_within_each_range_and_reproducible():
    n = 4000
    d = rb.draw(n, seed=5)
    assert set(d) == set(system.PARAM_NAMES)
    for p in system.PARAMS:
        v = d[p.name]
        assert v.shape == (n,) and (v >= p.range.lower).all() and (v <= p.range.upper).all(), p.name
    by_name = {p.name: p for p in system.PARAMS}
    k = by_name["k_csens_on"].range  # log scale: the log of the draws is uniform, its mean at the log midpoint
    x = (np.log(d["k_csens_on"]) - math.log(k.lower)) / (math.log(k.upper) - math.log(k.lower))
    assert abs(x.mean() - 0.5) < 0.02 and abs(np.quantile(x, 0.25) - 0.25) < 0.03
    lin = by_name["pain_circ_peak"].range  # linear scale: uniform in the value
    y = (d["pain_circ_peak"] - lin.lower) / (lin.upper - lin.lower)
    assert abs(y.mean() - 0.5) < 0.02 and abs(np.quantile(y, 0.75) - 0.75) < 0.03
    assert np.array_equal(rb.draw(10, seed=5)["k_nrs"], rb.draw(10, seed=5)["k_nrs"])
    assert not np.array_equal(rb.draw(10, seed=5)["k_nrs"], rb.draw(10, seed=6)["k_nrs"])


def test_violations_name_the_state_out_of_bounds_and_the_non_finite_patient():
    sc = rb.from_onset("surgery", days=3)
    ds = simulate(sc, {"k_nrs": np.array([3.0, 3.0, 3.0])})
    assert rb.violations(ds) == ["", "", ""]
    ds["damage"].values[1, 5] = 1.2
    ds["anxiety"].values[2, 3] = -0.01
    ds["cortisol"].values[0, 7] = np.nan
    v = rb.violations(ds)
    assert "damage max 1.2 > 1" in v[1] and "anxiety min -0.01 < 0" in v[2] and "not finite: cortisol" in v[0]


def test_the_every_treatment_scenario_gives_every_drug_and_therapy():
    from painloop.treatments.catalogue import DRUGS, THERAPIES

    sc = _scenario("every-treatment")
    given = {getattr(t, "drug", None) or t.therapy for t in sc.treatments}
    assert given == set(DRUGS) | set(THERAPIES)


def test_acupuncture_above_the_reference_schedule_keeps_its_effect_a_fraction():
    sc = rb.from_onset("default", days=21)
    sc = sc.model_copy(update={"treatments": []})
    from painloop.scenario import parse_scenario

    fast = parse_scenario({**sc.model_dump(mode="json"),
                           "treatments": [{"therapy": "acupuncture", "start_day": 0, "sessions_per_week": 14}]})
    ref = parse_scenario({**sc.model_dump(mode="json"), "treatments": [{"therapy": "acupuncture", "start_day": 0}]})
    e_fast, e_ref = (simulate(s)["acupuncture_effect"].values for s in (fast, ref))
    assert e_fast.max() <= 1.0 + 1e-9 and e_fast.max() > 0.9
    assert e_fast.max() >= e_ref.max() - 1e-9


def test_from_onset_starts_the_cause_on_day_zero_without_history():
    sc = rb.from_onset("default", days=56)
    assert sc.history_days == 0 and sc.cause.onset_day == 0 and sc.duration_days == 56 and sc.params == {}
    assert sc.output.every_hours == rb.DEFAULT_EVERY_HOURS


def _sweep_all(n: int, seed: int) -> list[rb.SweepResult]:
    """``n`` draws split over :data:`SCENARIOS` by :data:`SHARES`, each scenario with its own seed; prints every
    failure with its parameters."""
    results = []
    for k, (name, share) in enumerate(zip(SCENARIOS, SHARES)):
        r = rb.sweep(round(n * share), seed + k, scenario=_scenario(name), batch=1000)
        print(f"{name}: {r.report()}")
        results.append(r)
    return results


def test_200_draws_across_the_declared_ranges_integrate_within_bounds():
    results = _sweep_all(200, seed=100)
    assert sum(r.n for r in results) == 200
    failures = [f for r in results for f in r.failures]
    assert not failures, "\n".join(r.report() for r in results)


@pytest.mark.slow
def test_10000_draws_across_the_declared_ranges_integrate_within_bounds():
    """Done-criterion of issue 18 item 6: ≥ 99.9 % of 10 000 draws integrate, within bounds, NRS in 0-10."""
    results = _sweep_all(10_000, seed=18_000)
    n = sum(r.n for r in results)
    failures = [f for r in results for f in r.failures]
    assert n == 10_000
    assert len(failures) <= 10, "\n".join(r.report() for r in results)


def test_a_failure_is_reported_with_its_reasons_and_most_extreme_parameters():
    d = rb.draw(1, seed=1)
    values = {k: float(v[0]) for k, v in d.items()}
    values.update(k_nrs=system.default_params()["k_nrs"] * 3.0 - 1e-12, ki=1.1)
    result = rb.SweepResult(4, [rb.Failure(2, "solver status 2", values)])
    assert result.share_ok == 0.75
    text = result.report()
    assert "3/4 draws" in text and "draw 2: solver status 2" in text
    names = [name for name, _, _ in result.failures[0].extreme(40)]
    assert "k_nrs" in names and "ki" in names
