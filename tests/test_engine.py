"""The compiled kernel engine: agreement with the JAX engine, exact doses, per-patient isolation, threads, cache."""

from __future__ import annotations

import platform
from pathlib import Path

import numpy as np
import pytest

from painloop.model import system
from painloop.scenario import builtin, builtin_names, parse_scenario
from painloop.simulate import simulate
from painloop.simulate._kernel import cache_dir, load_kernel, model_hash
from painloop.simulate._codegen import input_layout
from painloop.scenario import scenario_inputs

TREATED = ["duloxetine 60 mg qd from day 3", "gabapentin 300 mg tid from day 5",
           "lidocaine_5pct_patch 1 patch qd from day 8", {"therapy": "cbt", "start_day": 4, "end_day": 20},
           {"therapy": "tens", "start_day": 6}]


def _short(name: str, days: float = 45.0, history_days: float | None = None, **changes: object):
    """A built-in scenario cut to ``days`` reported days; with ``history_days`` its cause starts that early."""
    base = builtin(name).model_dump(mode="json")
    base.update(duration_days=min(days, base["duration_days"]), output={"every_hours": 3})
    if history_days is not None:
        base["history_days"] = history_days
        if base["cause"].get("onset_day") is not None:
            base["cause"]["onset_day"] = max(base["cause"]["onset_day"], -history_days)
    base.update(changes)
    return parse_scenario(base)


def _max_rel(a: np.ndarray, b: np.ndarray, floor: float = 0.5) -> float:
    """Largest |a - b| relative to |b| (NRS points below ``floor`` are compared absolutely against it)."""
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), floor)))


@pytest.mark.parametrize("name", builtin_names())
def test_kernel_agrees_with_jax_engine_on_every_builtin_scenario(name: str) -> None:
    sc = _short(name, days=40, history_days=120)
    k, j = simulate(sc), simulate(sc, engine="jax")
    assert int(k.solver_ok.sum()) == 1 and int(j.solver_ok.sum()) == 1
    assert _max_rel(k["nrs"].values, j["nrs"].values) <= 1e-3
    assert _max_rel(k["sens_central"].values, j["sens_central"].values, floor=1e-3) <= 1e-3


@pytest.mark.parametrize("name", ["default", "shingles-phn", "chemotherapy"])
def test_kernel_agrees_with_jax_engine_with_doses(name: str) -> None:
    sc = _short(name, days=24, history_days=30, treatments=TREATED)
    k, j = simulate(sc), simulate(sc, engine="jax")
    assert _max_rel(k["nrs"].values, j["nrs"].values) <= 1e-3
    for state in ("duloxetine_central", "gabapentin_central"):
        assert _max_rel(k[state].values, j[state].values, floor=1e-3) <= 1e-3


def test_doses_land_exactly_at_each_patients_own_times() -> None:
    """Three patients in one block, three regimens: the depot jumps by the dose exactly at its time, not before."""
    sc = _short("healthy", days=2, history_days=0, treatments=["ibuprofen 200 mg qd from day 1.9"],
                output={"every_hours": 0.5})
    own = [[(10.0, "duloxetine_gut", 60.0)], [(13.5, "duloxetine_gut", 30.0), (20.0, "duloxetine_gut", 30.0)], []]
    ds = simulate(sc, inputs={"severity": np.zeros(3)}, patient_doses=own)
    gut = ds["duloxetine_gut"]
    t_h = np.round(ds["time"].values * 24.0, 6)
    at = {h: int(np.flatnonzero(t_h == h)[0]) for h in (9.5, 10.0, 13.0, 13.5, 20.0)}
    assert gut.values[0, at[9.5]] == 0.0 and gut.values[0, at[10.0]] == 60.0
    assert gut.values[1, at[13.0]] == 0.0 and gut.values[1, at[13.5]] == 30.0
    assert 30.0 < gut.values[1, at[20.0]] < 60.0
    assert np.all(gut.values[2] == 0.0)
    assert gut.values[0, at[13.5]] < 60.0  # absorbed after the dose


def test_a_failing_patient_is_flagged_and_its_block_mates_are_unchanged() -> None:
    sc = _short("surgery", days=20)
    d = system.default_params()["k_psens_off"]
    values = np.full(5, d) * np.array([1.0, 0.9, -60.0, 1.1, 1.2])
    bad = simulate(sc, params={"k_psens_off": values})
    assert bad.solver_ok.values.tolist() == [1, 1, 0, 1, 1]
    assert int(bad.solver_status.values[2]) != 0
    assert np.isnan(bad["nrs"].values[2]).all()
    good = simulate(sc, params={"k_psens_off": values[[0, 1, 3, 4]]})
    np.testing.assert_array_equal(bad["nrs"].values[[0, 1, 3, 4]], good["nrs"].values)


def test_a_stiff_patient_exhausting_the_step_budget_does_not_take_its_block_down() -> None:
    """A glutamate time constant of 1e-5 h (far outside its range) makes one patient too stiff for the step budget."""
    sc = _short("surgery", days=2, history_days=0)
    values = np.full(3, system.default_params()["tau_glutamate"]) * np.array([1.0, 1e-5 / 6.0, 1.0])
    ds = simulate(sc, params={"tau_glutamate": values})
    assert ds.solver_ok.values.tolist() == [1, 0, 1]
    assert int(ds.solver_status.values[1]) == 2


def test_same_numbers_on_one_and_two_threads() -> None:
    sc = _short("default", days=20)
    sev = np.linspace(0.3, 0.9, 40)
    one = simulate(sc, inputs={"severity": sev}, threads=1, block_size=8)
    two = simulate(sc, inputs={"severity": sev}, threads=2, block_size=8)
    np.testing.assert_array_equal(one["nrs"].values, two["nrs"].values)
    np.testing.assert_array_equal(one["cortisol"].values, two["cortisol"].values)


def test_block_size_changes_steps_not_results_beyond_tolerance() -> None:
    sc = _short("default", days=20)
    sev = np.linspace(0.3, 0.9, 16)
    a = simulate(sc, inputs={"severity": sev}, block_size=1)
    b = simulate(sc, inputs={"severity": sev}, block_size=16)
    assert _max_rel(a["nrs"].values, b["nrs"].values) <= 1e-3


def test_patients_may_have_different_numbers_of_events() -> None:
    """Per-patient event lists (NaN after a patient's last event) equal separate runs with their own lists."""
    sc = _short("default", days=60)
    steps_h = np.array([[24.0 * 10, 24.0 * 10], [24.0 * 30, np.nan]])
    levels = np.array([[0.5, 0.5], [-0.3, np.nan]])
    both = simulate(sc, inputs={"stress_step_h": steps_h, "stress_steps": levels})
    for j in range(2):
        n = int(np.sum(~np.isnan(steps_h[:, j])))
        alone = simulate(sc, inputs={"stress_step_h": steps_h[:n, j], "stress_steps": levels[:n, j]})
        assert _max_rel(both["nrs"].values[j], alone["nrs"].values[0]) <= 1e-3
    assert not np.allclose(both["nrs"].values[0], both["nrs"].values[1])


def test_kernels_are_cached_by_model_and_input_layout() -> None:
    q = scenario_inputs(builtin("default"))
    m1, _ = load_kernel("diabetes", input_layout(q))
    path = next(cache_dir().glob("kernel_*.py"))
    assert path.exists() and len(model_hash()) == 64
    m2, _ = load_kernel("diabetes", input_layout(q))
    assert m1 is m2
    more = dict(q, stress_step_h=np.array([1.0, 2.0, 3.0]), stress_steps=np.array([0.1, 0.1, 0.1]))
    assert input_layout(more) == input_layout(q)  # the number of events does not make a new kernel
    m3, _ = load_kernel("shingles", input_layout(scenario_inputs(builtin("shingles-phn"))))
    assert m3 is not m1


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="counts x86-64 double-precision instructions")
@pytest.mark.parametrize("lanes", [8, 16])
def test_the_lane_right_hand_side_compiles_to_simd_arithmetic(tmp_path, monkeypatch, lanes) -> None:
    """LLVM vectorizes the generated loops over lanes: much of the double arithmetic of the rhs is packed.

    (One loop holding every rate had stayed scalar: 222 packed against 3 116 scalar instructions; loops of at most
    16 results: ~4 000 packed against ~4 100 scalar, the scalar ones mostly LLVM's unused remainder loops. Chunks of
    8 lanes stay scalar, 8 % packed, unless LLVM's tiny-trip-count threshold is lowered.)
    """
    import importlib.util
    import sys

    module, _ = load_kernel("diabetes", input_layout(scenario_inputs(builtin("default"))), lanes)
    copy = tmp_path / f"painloop_simd_check_{lanes}.py"  # compiled afresh (the cached machine code has no assembly text)
    copy.write_text(Path(module.__file__).read_text().replace("cache=True", "cache=False"))
    spec = importlib.util.spec_from_file_location(copy.stem, copy)
    fresh = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, copy.stem, fresh)
    spec.loader.exec_module(fresh)
    ops = [line.split()[0] for line in fresh.rhs._library.get_asm_str().splitlines()
           if line.startswith("\t") and not line.startswith("\t.")]
    packed, scalar = sum(o.endswith("pd") for o in ops), sum(o.endswith("sd") for o in ops)
    assert packed > 0.25 * (packed + scalar), (packed, scalar)


def _treated_kernel_inputs(days: float = 10.0):
    """Kernel inputs of the default scenario on duloxetine qd + gabapentin tid from day 0, hourly saves."""
    from painloop.scenario._inputs import dose_schedule
    from painloop.simulate._engine import save_grid
    from painloop.simulate._run import patient_params

    sc = _short("default", days=days, history_days=0,
                treatments=["duloxetine 60 mg qd from day 0", "gabapentin 300 mg tid from day 0"])
    n = 3
    p = patient_params(sc, {"k_csens_on": system.default_params()["k_csens_on"] * np.array([0.8, 1.0, 1.3])})
    y0 = np.repeat(np.asarray(system.initial_state())[:, None], n, axis=1)
    kw = dict(t_start_h=0.0, t_end_h=24.0 * days, save_t=save_grid(0.0, 0.0, 24.0 * days, 1.0), rtol=1e-5,
              atol=1e-7, doses=dose_schedule(sc))
    return sc.cause.type, p, scenario_inputs(sc), y0, kw


def test_drugs_not_given_are_dormant_and_leaving_them_out_changes_no_number() -> None:
    from painloop.simulate._kernel import dormant_states, run_kernel

    cause, p, q, y0, kw = _treated_kernel_inputs()
    from painloop.simulate._kernel import general_structure, kernel_zeros

    structure = general_structure(cause, input_layout(q))
    dosed = np.array([system.STATE_INDEX["duloxetine_gut"], system.STATE_INDEX["gabapentin_gut"]])
    dormant = dormant_states(structure, y0, dosed)
    names = {system.STATE_NAMES[i] for i in np.flatnonzero(dormant)}
    assert {"pregabalin_central", "oxycodone_gut", "opioid_tolerance", "cbt_skill"} <= names
    assert not names & {"duloxetine_gut", "duloxetine_gut2", "duloxetine_central", "gabapentin_central",
                        "weight_gain", "sens_central"}
    y_busy = y0.copy()
    y_busy[system.STATE_INDEX["amitriptyline_gut"], 1] = 5.0  # one patient still has amitriptyline in the gut
    again = {system.STATE_NAMES[i] for i in np.flatnonzero(dormant_states(structure, y_busy, dosed))}
    assert not again & {"amitriptyline_gut", "amitriptyline_central", "nortriptyline_central", "weight_gain"}
    held = {system.STATE_NAMES[i] for i in kernel_zeros(cause, input_layout(q), y0, dosed)}
    general_active = {system.STATE_NAMES[i] for i in structure.active}
    assert held == names & general_active & set(system.STATE_NAMES[system.N_CORE_STATES:])
    assert "pregabalin_gut" in held and "lidocaine_patch_on" not in held  # held patches are not active anyway
    skip = run_kernel(cause, p, q, y0, specialize=False, **kw)
    full = run_kernel(cause, p, q, y0, skip_dormant=False, **kw)
    np.testing.assert_array_equal(skip.states, full.states)
    np.testing.assert_array_equal(skip.outputs, full.outputs)
    # the kernel generated with those states at 0: the same equations, other rounding (e.g. 1 - (1 - x) is x)
    special = run_kernel(cause, p, q, y0, **kw)
    assert special.accepted.tolist() == full.accepted.tolist()
    np.testing.assert_allclose(special.states, full.states, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(special.outputs, full.outputs, rtol=1e-9, atol=1e-12)


def test_drug_compartments_take_their_own_steps_with_the_same_accuracy() -> None:
    """The upstream (PK) split: as accurate as one shared step against a tight reference, far fewer model steps."""
    from painloop.simulate._kernel import run_kernel

    cause, p, q, y0, kw = _treated_kernel_inputs()
    _, structure = load_kernel(cause, input_layout(q), 1)
    upstream = {system.STATE_NAMES[i] for i in structure.active[structure.upstream.astype(bool)]}
    assert {"duloxetine_gut", "gabapentin_gut", "gabapentin_central", "m1_central"} <= upstream
    assert not upstream & {"sens_central", "cortisol", "sleep_pressure"}  # they read time, inputs or the rest
    split = run_kernel(cause, p, q, y0, **kw)
    shared = run_kernel(cause, p, q, y0, split_upstream=False, **kw)
    tight = run_kernel(cause, p, q, y0, split_upstream=False, **{**kw, "rtol": 1e-9, "atol": 1e-11})
    nrs = system.OUTPUT_NAMES.index("nrs")
    assert (split.status == 0).all() and (shared.status == 0).all()
    assert _max_rel(split.outputs[nrs], tight.outputs[nrs]) <= 1e-4
    for state in ("gabapentin_central", "duloxetine_central", "sens_central"):
        i = system.STATE_NAMES.index(state)
        assert _max_rel(split.states[i], tight.states[i], floor=1e-3) <= 1e-4
    assert split.accepted.max() < 0.6 * shared.accepted.max()


def test_drug_only_scenarios_have_no_therapy_inputs() -> None:
    """Absent therapies are absent from the inputs (the kernel then evaluates no programme windows)."""
    drugs = scenario_inputs(_short("default", treatments=["duloxetine 60 mg qd from day 0"]))
    assert drugs["treated"] == 1.0 and not [k for k in drugs if k.startswith(("cbt_", "tens_", "exercise_"))]
    both = scenario_inputs(_short("default", treatments=TREATED))
    assert {"cbt_start_h", "cbt_end_h", "tens_clock_h", "tens_start_h"} <= set(both)


def test_one_integrator_serves_every_model_and_layout() -> None:
    """The integrator is compiled once per lane count; kernels of other causes and layouts reuse it."""
    from painloop.simulate._kernel import load_integrator

    a = load_integrator(1)
    assert load_integrator(1) is a and load_integrator(16) is not a
    before = sorted(p.name for p in cache_dir().glob("integrator_*.py"))
    simulate(_short("shingles-phn", days=2, history_days=0))
    simulate(_short("chemotherapy", days=2, history_days=0, treatments=["pregabalin 75 mg bid from day 0"]))
    assert sorted(p.name for p in cache_dir().glob("integrator_*.py")) == before
