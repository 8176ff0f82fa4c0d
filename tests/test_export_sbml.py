"""The SBML export is the solver's model: it validates, and another engine reproduces painloop's trajectories.

libroadrunner (CVODE, rtol 1e-10, atol 1e-12) integrates the exported SBML
and its states are compared hour by hour with :func:`painloop.simulate.simulate`
at rtol 1e-9, atol 1e-11, on an untreated scenario, a dosed drug regimen
(doses are SBML events) and causes that resolve. A deliberately broken export
(a rate or a dose) must fail the same comparison, so the comparison can fail.
"""

from __future__ import annotations

import html

import numpy as np
import pytest

from painloop.export import symbolic_model, to_antimony, to_sbml, validate_sbml
from painloop.export.sbml import T_START, sbml_unit
from painloop.model import system
from painloop.scenario import builtin, builtin_names, parse_scenario, scenario_inputs
from painloop.simulate import patient_params, simulate

libsbml = pytest.importorskip("libsbml")
roadrunner = pytest.importorskip("roadrunner")

REL_TOL = 1e-4
"""Largest accepted relative difference between the engines, per state."""

FLOOR = 1e-6
"""Absolute floor of the relative difference: FLOOR × max(1, largest |value| of that state)."""

PAINLOOP_SOLVER = {"rtol": 1e-9, "atol": 1e-11}
RR_RTOL, RR_ATOL = 1e-10, 1e-12


def _shortened(name: str, duration_days: float, history_days: int = 0, **changes: object):
    """Built-in scenario ``name`` with a shorter run, tight solver tolerances and hourly output."""
    data = builtin(name).model_dump(mode="json")
    data.update(duration_days=duration_days, history_days=history_days, solver=PAINLOOP_SOLVER,
                output={"every_hours": 1.0}, **changes)
    if "onset_day" in data["cause"]:
        data["cause"]["onset_day"] = max(data["cause"]["onset_day"], -history_days)
    return parse_scenario(data, f"shortened {name!r}")


SCENARIOS = {
    # untreated default (diabetes under work stress), a month of history and a month reported
    "default": lambda: _shortened("default", 30, history_days=30),
    # a cause that resolves: nerve injury on day 7, 60 days
    "surgery": lambda: _shortened("surgery", 60),
    # chemotherapy cycles (an event list of 6 cycle starts) plus one short night (exercises where/floor)
    "chemotherapy": lambda: _shortened("chemotherapy", 60, sleep={"hours_in_bed": 8.0, "wake_time": 7.0,
                                                                  "nights": [{"morning_day": 20, "hours_in_bed": 4.0}]}),
    # a dosed drug regimen: oral drugs (delayed-release duloxetine, saturable gabapentin, tramadol with its active
    # metabolite), a 12 h on/off patch, CBT and TENS sessions. Doses fall on half hours, between the hourly samples
    # (an engine may report either side of a jump at the jump's own time).
    "dosed": lambda: _shortened(
        "diabetes-duloxetine", 21, history_days=7, stress={"baseline": 0.1, "schedule": [{"day": 3, "level": 0.5}]},
        treatments=["duloxetine 60 mg qd from day 2 at 08:30", "tramadol 50 mg q6h from day 4 to day 12 at 07:30",
                    "lidocaine_5pct_patch 1 patches daily from day 3 at 09:30", "gabapentin 300 mg tid from day 1 at 06:30",
                    {"therapy": "cbt", "start_day": 2},
                    {"therapy": "tens", "start_day": 5, "end_day": 15, "session_clock_hours": [10.5]}]),
}


@pytest.fixture(scope="module")
def painloop_runs() -> dict:
    """Cache of (scenario, painloop Dataset) per scenario name, computed on first use."""
    return {}


def _painloop(painloop_runs: dict, name: str):
    if name not in painloop_runs:
        sc = SCENARIOS[name]()
        painloop_runs[name] = (sc, simulate(sc))
    return painloop_runs[name]


def roadrunner_states(sbml: str, scenario) -> tuple[np.ndarray, np.ndarray]:
    """Hourly states (n_times, n_states) of the reported period from libroadrunner, and the times in days."""
    rr = roadrunner.RoadRunner(sbml)
    rr.setIntegrator("cvode")
    rr.integrator.relative_tolerance = RR_RTOL
    rr.integrator.absolute_tolerance = RR_ATOL
    rr.integrator.setValue("maximum_num_steps", 1_000_000)
    rr.timeCourseSelections = ["time", *system.STATE_NAMES]
    start_h = 24.0 * scenario.history_days
    end_h = start_h + 24.0 * scenario.duration_days
    result = np.asarray(rr.simulate(0.0, end_h, int(round(end_h)) + 1))
    t = result[:, 0]
    keep = (t >= start_h - 1e-9) & (t < end_h - 1e-9)
    return result[keep, 1:], (t[keep] - start_h) / 24.0


def relative_differences(ds, states: np.ndarray, days: np.ndarray) -> dict[str, float]:
    """Per state: max |a - b| / max(|b|, FLOOR × max(1, max|b|)) with b painloop's and a the other engine's."""
    assert np.allclose(ds["time"].values, days, atol=1e-9), "the engines were sampled at different times"
    out = {}
    for i, name in enumerate(system.STATE_NAMES):
        ref = ds[name].values[0]
        floor = FLOOR * max(1.0, float(np.max(np.abs(ref))))
        out[name] = float(np.max(np.abs(states[:, i] - ref) / np.maximum(np.abs(ref), floor)))
    return out


def _worst(diffs: dict[str, float]) -> str:
    return ", ".join(f"{k}={v:.2e}" for k, v in sorted(diffs.items(), key=lambda kv: -kv[1])[:5])


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_sbml_validates_without_errors(name: str) -> None:
    messages = validate_sbml(to_sbml(SCENARIOS[name]()))
    errors = [m for m in messages if m[0] in ("Error", "Fatal")]
    assert not errors, errors[:5]


def test_sbml_declares_every_state_parameter_and_input() -> None:
    sc = SCENARIOS["chemotherapy"]()
    doc = libsbml.readSBMLFromString(to_sbml(sc))
    model = doc.getModel()
    assert doc.getLevel() == 3 and doc.getVersion() == 2
    assert model.getTimeUnits() == "hour"
    rate_rules = {r.getVariable() for r in model.getListOfRules() if r.isRate()}
    assert rate_rules == set(system.STATE_NAMES)
    for s in system.STATES:
        par = model.getParameter(s.name)
        assert not par.getConstant() and par.getValue() == pytest.approx(s.initial)
    for p in system.PARAMS:
        par = model.getParameter(p.name)
        assert par is not None and par.getConstant(), p.name
        assert par.getValue() == pytest.approx(p.value)
        notes = html.unescape(par.getNotesString())
        assert f"<p>unit: {p.unit}</p>" in notes and f"<p>source: {p.source}</p>" in notes, p.name
        expected_unit = sbml_unit(p.unit)
        assert par.getUnits() == (expected_unit or ""), p.name
    q = scenario_inputs(sc)
    assert [model.getParameter(f"cycle_starts_h_{i}").getValue() for i in range(sc.cause.cycles)] == \
        pytest.approx(list(q["cycle_starts_h"]))
    assert model.getParameter(T_START).getValue() == pytest.approx(-24.0 * sc.history_days)
    for name in system.OUTPUT_NAMES:
        assert model.getAssignmentRule(name) is not None, name


def test_scenario_parameter_overrides_reach_the_sbml() -> None:
    sc = parse_scenario({**SCENARIOS["surgery"]().model_dump(mode="json"), "params": {"k_csens_on": 7e-4}})
    doc = libsbml.readSBMLFromString(to_sbml(sc, params={"tau_wake": 20.0}))  # keep the document alive
    model = doc.getModel()
    assert model.getParameter("k_csens_on").getValue() == pytest.approx(7e-4)
    assert model.getParameter("tau_wake").getValue() == pytest.approx(20.0)


SYMBOLIC_CASES = {**{name: (lambda name=name: builtin(name)) for name in builtin_names()},
                  "chemotherapy-short-night": SCENARIOS["chemotherapy"]}


@pytest.mark.parametrize("case", list(SYMBOLIC_CASES))
def test_symbolic_rates_equal_the_numpy_vector_field(case: str) -> None:
    """The SymPy expressions (assignment rules substituted) are the NumPy rates at random times and states.

    Every built-in scenario, so every cause's drivers, is checked; no integration is involved.
    """
    import sympy as sp

    sc = SYMBOLIC_CASES[case]()
    sym = symbolic_model(sc)
    p = patient_params(sc)
    q = scenario_inputs(sc)
    values = {T_START: -24.0 * sc.history_days, **p}
    for info in sym.inputs:
        values[info.name] = info.value
    rng = np.random.default_rng(1)
    rule_syms = [sp.Symbol(n) for n in sym.rules]
    times = [*rng.uniform(-24.0 * sc.history_days, 24.0 * sc.duration_days, size=5),
             24.0 * 20 + 1.0, 24.0 * 20 + 5.0]  # 01:00 and 05:00 of day 20: awake and in bed after a 4 h night
    for t in times:
        n = len(system.STATES)
        y = np.asarray(system.initial_state()) * rng.uniform(0.5, 1.5, size=n) + rng.uniform(0.0, 0.2, size=n)
        env = {sp.Symbol(k): sp.Float(v) for k, v in values.items()}
        env.update({sp.Symbol(n): sp.Float(v) for n, v in zip(system.STATE_NAMES, y)})
        env[sym.time] = sp.Float(t + 24.0 * sc.history_days)  # SBML time starts with the history
        for s, (name, expr) in zip(rule_syms, sym.rules.items()):
            env[s] = sp.Float(float(expr.xreplace(env)))
        got = np.array([float(sym.rates[n].xreplace(env)) for n in system.STATE_NAMES])
        with np.errstate(over="ignore"):  # exp of a far-away step overflows to inf, and 1/(1 + inf) is 0
            want = np.array(system.rates(system.context(np, sc.cause.type, t, list(y), p, q)), dtype=float)
        # rtol 1e-11: SymPy and NumPy evaluate sums in different orders; cancellation in the HPA rates (terms ~1,
        # rate ~0.02) magnifies double-precision rounding to a few 1e-12 at some random states
        np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-14)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_roadrunner_reproduces_painloop(painloop_runs: dict, name: str) -> None:
    sc, ds = _painloop(painloop_runs, name)
    assert bool(ds["solver_ok"].all())
    states, days = roadrunner_states(to_sbml(sc), sc)
    diffs = relative_differences(ds, states, days)
    assert max(diffs.values()) <= REL_TOL, _worst(diffs)


def _scale_rate_rule(sbml: str, state: str, factor: float) -> str:
    doc = libsbml.readSBMLFromString(sbml)
    rule = doc.getModel().getRateRule(state)
    rule.setMath(libsbml.parseL3Formula(f"{factor!r} * ({libsbml.formulaToL3String(rule.getMath())})"))
    return libsbml.writeSBMLToString(doc)


def _scale_parameter_in_rate(sbml: str, state: str, param: str, factor: float) -> str:
    """Multiply every use of ``param`` in the rate rule of ``state`` (and nowhere else) by ``factor``."""
    doc = libsbml.readSBMLFromString(sbml)
    rule = doc.getModel().getRateRule(state)
    math = rule.getMath().deepCopy()
    scaled = libsbml.parseL3Formula(f"({param} * {factor!r})")
    assert param in libsbml.formulaToL3String(math), f"{param} is not in the rate of {state}"
    math.replaceArgument(param, scaled)
    rule.setMath(math)
    return libsbml.writeSBMLToString(doc)


@pytest.mark.parametrize("mutate", [
    lambda x: _scale_rate_rule(x, "sens_central", 1.01),
    lambda x: _scale_parameter_in_rate(x, "cortisol", "Kd3", 1.01),
], ids=["rate-of-sens_central-x1.01", "Kd3-in-cortisol-rate-x1.01"])
def test_comparison_fails_for_a_broken_export(painloop_runs: dict, mutate) -> None:
    sc, ds = _painloop(painloop_runs, "default")
    broken = mutate(to_sbml(sc))
    assert not [m for m in validate_sbml(broken, units=False) if m[0] in ("Error", "Fatal")]
    states, days = roadrunner_states(broken, sc)
    diffs = relative_differences(ds, states, days)
    assert max(diffs.values()) > REL_TOL, _worst(diffs)


def test_every_dose_is_an_sbml_event_at_its_time() -> None:
    """One event per dose time of the simulated period; patches are put on (+1) and taken off (-1) 12 h later."""
    from painloop.scenario._inputs import dose_schedule

    sc = SCENARIOS["dosed"]()
    doc = libsbml.readSBMLFromString(to_sbml(sc))
    model = doc.getModel()
    in_run = [d for d in dose_schedule(sc) if d[0] < 24.0 * sc.duration_days]
    assert model.getNumEvents() == len({t for t, _, _ in in_run})
    jumps = sorted((float(libsbml.formulaToL3String(e.getTrigger().getMath()).split(">=")[1]),
                    a.getVariable(), libsbml.formulaToL3String(a.getMath()))
                   for e in model.getListOfEvents() for a in e.getListOfEventAssignments())
    assert [(t, state) for t, state, _ in jumps] == sorted((t, state) for t, state, _ in in_run)
    patch = [formula for _, state, formula in jumps if state == "lidocaine_patch_on"]
    assert patch[:2] == ["lidocaine_patch_on + 1", "lidocaine_patch_on + -1"]


def test_comparison_fails_when_a_dose_is_lost(painloop_runs: dict) -> None:
    """Removing one duloxetine dose event from the SBML makes the engines disagree."""
    sc, ds = _painloop(painloop_runs, "dosed")
    doc = libsbml.readSBMLFromString(to_sbml(sc))
    model = doc.getModel()
    victim = next(e.getId() for e in model.getListOfEvents()
                  if any(a.getVariable() == "duloxetine_gut" for a in e.getListOfEventAssignments()))
    model.removeEvent(victim)
    states, days = roadrunner_states(libsbml.writeSBMLToString(doc), sc)
    diffs = relative_differences(ds, states, days)
    assert diffs["duloxetine_central"] > REL_TOL, _worst(diffs)


def test_antimony_text_has_the_model() -> None:
    antimony = pytest.importorskip("antimony")
    text = to_antimony(SCENARIOS["surgery"]())
    for name in ("sens_central", "k_csens_on", "nrs", T_START):
        assert name in text
    antimony.clearPreviousLoads()
    assert antimony.loadAntimonyString(text) >= 0, antimony.getLastError()
    sbml = antimony.getSBMLString(antimony.getMainModuleName())
    doc = libsbml.readSBMLFromString(sbml)  # keep the document alive while its rules are read
    rate_rules = {r.getVariable() for r in doc.getModel().getListOfRules() if r.isRate()}
    assert rate_rules == set(system.STATE_NAMES)


def test_every_scenario_input_of_every_builtin_has_a_unit_and_meaning() -> None:
    """Each exported scenario input (every built-in scenario, plus treatments) carries a declared unit and meaning."""
    cases = [builtin(n) for n in builtin_names()] + [SCENARIOS["dosed"]()]
    for sc in cases:
        for info in symbolic_model(sc).inputs:
            assert info.unit and info.meaning != "scenario input", (sc.name, info.name)
