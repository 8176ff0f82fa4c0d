"""(i) Invariants under random parameter draws: no NaN, no negative quantities, NRS within 0-10."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from painloop.model import system
from painloop.scenario import builtin
from painloop.simulate import simulate

from conftest import variant

N_PATIENTS = 6
_SKIP = {"sleep_threshold", "sleep_gate_width", "homeostat_ref", "sleep_need", "hpa_circ_peak", "pain_circ_peak",
         "dm_hba1c_ref", "hz_age_ref", "bed_edge_h", "stress_ramp_h", "n1", "n2"}
_PERTURBABLE = [p.name for p in system.PARAMS if p.subsystem not in ("hpa",) and p.name not in _SKIP]


@settings(max_examples=4, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), spread=st.floats(0.05, 0.5), severity=st.floats(0.0, 1.0))
def test_invariants_hold_under_random_parameter_draws(seed, spread, severity):
    """Every parameter outside the HPA oscillator scaled by a log-normal factor (σ = spread) per patient.

    σ up to 0.5 (factors of about 0.2-5 at 3σ) covers between-patient variability; wider draws can
    make the batch fail (documented limitation), which ``solver_ok`` reports.
    """
    rng = np.random.default_rng(seed)
    params = {name: system.default_params()[name] * np.exp(spread * rng.standard_normal(N_PATIENTS))
              for name in _PERTURBABLE}
    params.update({name: np.clip(v, 0.0, 1.0) for name, v in params.items() if name.startswith("loop_")})
    sc = variant(builtin("chemotherapy"), duration_days=120, output={"every_hours": 6})
    ds = simulate(sc, params, inputs={"severity": np.full(N_PATIENTS, severity)})
    assert bool(ds["solver_ok"].all())
    for name in list(system.STATE_NAMES) + list(system.OUTPUT_NAMES):
        values = ds[name].values
        assert np.isfinite(values).all(), name
        assert values.min() >= -1e-6, name
    assert float(ds["nrs"].max()) <= 10.0
    for symptom in ("burning", "paroxysmal", "allodynia", "numbness", "weakness", "sleep_quality"):
        assert float(ds[symptom].max()) <= 10.0 + 1e-9, symptom
