"""The personal model behind the digital twin: a few multipliers on the shared model, and a differentiable run.

A person's twin is the full painloop model (``model/system.py``) of an
established painful diabetic neuropathy (built-in scenario
:data:`BASE_SCENARIO`, three years after onset) with a small, documented set
of *personal parameters* (:data:`PERSONAL`). Each personal parameter is a
dimensionless multiplier ``m = exp(theta)`` on one or more model parameters;
``theta = 0`` is the nominal model. The diary's ``sleep_hours`` and ``stress``
columns drive the model's inputs (hours in bed per night, external life
stress); medication entries become exact dose jumps. ``mood``,
``sleep_quality``, ``activity`` and ``notes`` are read and kept but do not
drive the model in this version (mood and activity are model states, not
inputs; using them as extra observations is future work).

Time convention: day 0 at 00:00 is the first diary day. The run starts
:data:`RUNIN_DAYS` days earlier from the chronic state of the base scenario,
with the person's usual sleep, stress and first-day medication, so that the
slow states settle to the personal parameters before the diary begins. Pain
is evaluated every :data:`SEG_H` hours (00:00, 04:00, … 20:00) and averaged
per day: six equally spaced samples average a 24 h sinusoidal rhythm exactly,
so the daily mean is the diary's "average pain that day".

:func:`daily_nrs` is pure and jit-compiled: patients are columns of one state
array (as in the engine), and forward-mode differentiation
(``diffrax.ForwardMode``) gives the Jacobian of the daily NRS with respect to
each patient's personal parameters in one pass.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Mapping

from .. import _jax  # noqa: F401  (configures JAX before use)

import diffrax
import jax
import jax.numpy as jnp
import numpy as np

from ..model import system
from ..simulate._jax_engine import max_norm, vector_field
from ..treatments import DRUGS

BASE_SCENARIO = "diabetes-calm"
"""Built-in scenario whose chronic state starts every twin (assumption: the most common neuropathic pain, painful
diabetic neuropathy; the diary does not say its cause)."""
BASE_CAUSE = "diabetes"
SEG_H = 4.0
"""Sampling interval of pain within a day, h; doses are placed on this grid (08:00 and 20:00 fall on it)."""
SAVES_PER_DAY = int(round(24.0 / SEG_H))
RUNIN_DAYS = 28
"""Days simulated before the diary at the person's usual inputs (assumption: four weeks settle stress load,
sleep debt and drug levels; central sensitization keeps its chronic value)."""
RTOL_FIT = 1e-4
"""Relative tolerance of the fitting runs (assumption: daily NRS needs no more; DESIGN.md)."""
ATOL_FIT = 1e-6
NEVER_H = 1e12


@dataclass(frozen=True)
class PersonalParam:
    """A personal parameter: a multiplier exp(theta) on model parameters, with its log-normal population prior.

    The prior is theta ~ Normal(0, ``prior_sd_log``²), i.e. the multiplier has
    median 1 (the nominal model) and geometric SD exp(prior_sd_log).
    """

    name: str
    label: str
    targets: tuple[str, ...]
    prior_sd_log: float
    source: str
    unit: str = "multiplier (dimensionless)"


EMAX_PARAMS = tuple(n for n in ("emax_dulox_desc", "emax_tca_desc", "emax_tca_nav", "emax_gabapentinoid",
                                 "emax_tramadol_desc", "emax_opioid", "emax_nsaid", "emax_lidocaine", "emax_capsaicin")
                    if n in system.PARAM_NAMES)
"""Maximal drug effects scaled by the personal drug sensitivity (those the model declares)."""
_FRACTIONS = {"emax_tca_nav", "emax_gabapentinoid", "emax_opioid", "emax_nsaid", "emax_lidocaine", "emax_capsaicin"}
FRACTION_CAP = 0.95
"""Upper bound of a scaled maximal-effect fraction (assumption: no drug abolishes its target mechanism)."""

PERSONAL: tuple[PersonalParam, ...] = (
    PersonalParam("nociceptive_drive", "nerve damage / ectopic drive", ("g_ectopic",), 0.4,
                  "assumption: baseline NRS of painful diabetic neuropathy varies about ±1.5 points between "
                  "patients (SD ~1.5 in trial baselines, targets/trials_neuropathic.csv); a 40 % geometric SD of the "
                  "ectopic gain gives that spread"),
    PersonalParam("sensitization_gain", "central sensitization gain", ("g_csens_gain",), 0.4,
                  "assumption: people differ in dorsal-horn amplification (temporal summation varies ~2-fold, "
                  "Arendt-Nielsen 2010 Eur J Pain); 40 % geometric SD"),
    PersonalParam("sleep_coupling", "sleep → pain coupling", ("g_sleep_pain", "g_sleep_debt_pain"), 0.6,
                  "assumption: sleep-loss hyperalgesia varies widely between people (Krause 2019 J Neurosci; "
                  "Schrimpf 2015 Sleep Med); 60 % geometric SD"),
    PersonalParam("stress_coupling", "stress → pain coupling", ("loop_stress_to_pain",), 0.6,
                  "assumption: stress-induced hyperalgesia varies widely between people (Jennings 2014 "
                  "Neurobiol Stress); 60 % geometric SD"),
    PersonalParam("drug_sensitivity", "response to pain medicines", EMAX_PARAMS, 0.5,
                  "assumption: responders and non-responders in trials (NNT ~4-7, Finnerup 2015 Lancet Neurol) "
                  "imply a wide spread of drug effect; 50 % geometric SD on every maximal drug effect"),
)
PERSONAL_NAMES: tuple[str, ...] = tuple(p.name for p in PERSONAL)
COUPLINGS: tuple[str, ...] = ("sensitization_gain", "sleep_coupling", "stress_coupling")
"""Personal parameters that are couplings between parts of the system (the recovery test checks these)."""
PRIOR_SD = np.array([p.prior_sd_log for p in PERSONAL])


def personal_values(theta: Any, base: Mapping[str, Any], xp: Any = jnp) -> dict[str, Any]:
    """Model parameter values for personal log-multipliers ``theta`` (n_personal, ...) applied to ``base``."""
    out: dict[str, Any] = {}
    for k, pp in enumerate(PERSONAL):
        m = xp.exp(theta[k])
        for name in pp.targets:
            v = base[name] * m
            out[name] = xp.minimum(v, FRACTION_CAP) if name in _FRACTIONS else v
    return out


@functools.lru_cache(maxsize=1)
def base_params() -> dict[str, float]:
    """Model parameters of the person every twin starts from: the nominal values with the base scenario's own
    (its patient is in the painful minority, see the scenario file)."""
    from ..scenario import builtin

    return {**system.default_params(), **builtin(BASE_SCENARIO).params}


def chronic_start() -> tuple[np.ndarray, float, float, float]:
    """State at day 0 of the base scenario (after its history), its sleep efficiency, hours in bed and onset (h).

    Returns (state (n_states,), sleep efficiency = sleep obtained / time in bed
    on that day (fraction), hours in bed, cause onset relative to that state, h).
    Simulated once per process (years of history); each call gets its own copy of the state.
    """
    y0, efficiency, bed_h, onset_h = _chronic_start()
    return y0.copy(), efficiency, bed_h, onset_h


@functools.lru_cache(maxsize=1)
def _chronic_start() -> tuple[np.ndarray, float, float, float]:
    """:func:`chronic_start`, computed (the base scenario's history simulated with the JAX engine)."""
    from ..scenario import builtin
    from ..simulate import simulate

    sc = builtin(BASE_SCENARIO).model_copy(update={"duration_days": 1.0})
    ds = simulate(sc, engine="jax")  # the engine the personal model integrates with (its derivative checks rely on it)
    if not bool(ds["solver_ok"].all()):
        raise RuntimeError(f"the base scenario {BASE_SCENARIO!r} of the twin did not simulate")
    y0 = np.array([float(ds[n].isel(patient=0, time=0)) for n in system.STATE_NAMES])
    efficiency = float(ds["asleep"].isel(patient=0).mean()) * 24.0 / sc.sleep.hours_in_bed
    return y0, efficiency, float(sc.sleep.hours_in_bed), 24.0 * float(sc.cause.onset_day)


def base_inputs() -> dict[str, Any]:
    """Scenario inputs ``q`` of the base scenario (cause settings, wake time, …)."""
    from ..scenario import builtin, scenario_inputs

    return scenario_inputs(builtin(BASE_SCENARIO))


@functools.lru_cache(maxsize=1)
def _treated_keys() -> dict[str, Any]:
    from ..scenario import builtin, parse_scenario, scenario_inputs

    plain = builtin(BASE_SCENARIO)
    data = plain.model_dump(mode="json")
    data.update(duration_days=1.0, history_days=0, treatments=[{"drug": next(iter(DRUGS)), "dose": 1.0,
                                                                "every_hours": None}])
    data["cause"] = {**data["cause"], "onset_day": 0.0}
    q = scenario_inputs(parse_scenario(data, "twin treated inputs"))
    q0 = scenario_inputs(plain)
    return {k: v for k, v in q.items() if k not in q0}


def treated_inputs() -> dict[str, np.ndarray | float]:
    """``q`` entries that switch on the treatment subsystem with no therapy programme running.

    Taken from the scenario layer (a scenario with one drug and no therapy),
    so every therapy input it defines is present and switched off.
    """
    return dict(_treated_keys())


def _context(t: Any, y: Any, p: Mapping, q: Mapping):
    return system.context(jnp, BASE_CAUSE, t, y, p, q)


@functools.partial(jax.jit, static_argnames=("n_days", "treated", "dose_rows", "max_steps"))
def daily_nrs(theta: Any, y0: Any, p_base: Mapping[str, Any], q: Mapping[str, Any], doses: Any, *, n_days: int,
              treated: bool, dose_rows: tuple[int, ...] = (), max_steps: int = 200_000) -> tuple[Any, Any, Any]:
    """Daily mean model NRS (n_days, n_patients) for personal log-multipliers ``theta`` (n_personal, n_patients).

    ``y0`` (n_states, n_patients) is the state at the start of the run-in
    (t = -24·RUNIN_DAYS h); ``p_base`` maps every model parameter to a scalar
    or per-patient array; ``q`` holds the inputs (event lists as
    (n_events, 1 or n_patients) arrays). With ``treated`` the treatment
    states are integrated and ``doses`` (n_segments, len(dose_rows),
    n_patients) lists the amount added to each state of ``dose_rows`` at the
    start of each SEG_H-hour segment from the start of the run-in; otherwise
    the treatment states are held at ``y0`` and ``doses`` is ignored.

    Returns (daily NRS, state at the end of the last diary day (n_states,
    n_patients), solver success flag). Pure and differentiable in ``theta``
    (forward mode).
    """
    p = dict(p_base)
    p.update(personal_values(theta, p_base))
    t_start = -24.0 * RUNIN_DAYS
    t_end = 24.0 * n_days
    save_ts = SEG_H * jnp.arange(n_days * SAVES_PER_DAY, dtype=float)
    controller = diffrax.PIDController(rtol=RTOL_FIT, atol=ATOL_FIT, norm=max_norm)
    n_states = len(system.STATE_NAMES)
    if not treated:
        n_core = system.N_CORE_STATES
        tail = y0[n_core:]
        sol = diffrax.diffeqsolve(diffrax.ODETerm(vector_field(BASE_CAUSE, n_core)), diffrax.Tsit5(), t0=t_start,
                                  t1=t_end, dt0=0.05, y0=y0[:n_core], args=(p, q, tail),
                                  saveat=diffrax.SaveAt(ts=save_ts, t1=True), stepsize_controller=controller,
                                  max_steps=max_steps, throw=False, adjoint=diffrax.ForwardMode())
        ys = jnp.concatenate([sol.ys[:-1], jnp.broadcast_to(tail, (save_ts.size,) + tail.shape)], axis=1)
        y_end = jnp.concatenate([sol.ys[-1], tail], axis=0)
        ok = sol.result == diffrax.RESULTS.successful
    else:
        rows = jnp.asarray(dose_rows, dtype=int)
        f = vector_field(BASE_CAUSE)

        def segment(carry: tuple, inp: tuple) -> tuple:
            y, ok = carry
            k, dose = inp
            y = y.at[rows].add(dose)
            t0 = t_start + SEG_H * k
            sol = diffrax.diffeqsolve(diffrax.ODETerm(f), diffrax.Tsit5(), t0=t0, t1=t0 + SEG_H, dt0=0.05, y0=y,
                                      args=(p, q), saveat=diffrax.SaveAt(t1=True), stepsize_controller=controller,
                                      max_steps=max_steps // 100, throw=False, adjoint=diffrax.ForwardMode())
            return (sol.ys[-1], ok & (sol.result == diffrax.RESULTS.successful)), y

        n_seg = (RUNIN_DAYS + n_days) * SAVES_PER_DAY
        (y_end, ok), ys = jax.lax.scan(segment, (y0, jnp.asarray(True)), (jnp.arange(n_seg, dtype=float), doses))
        ys = ys[RUNIN_DAYS * SAVES_PER_DAY:]
        assert ys.shape[1] == n_states

    nrs = jax.vmap(lambda t, y: _context(t, list(y), p, q).a["nrs"])(save_ts, ys)
    nrs = jnp.broadcast_to(nrs, (save_ts.size, y0.shape[1]))
    return nrs.reshape(n_days, SAVES_PER_DAY, -1).mean(axis=1), y_end, ok


def jacobian(theta: Any, y0: Any, p_base: Mapping[str, Any], q: Mapping[str, Any], doses: Any, *, n_days: int,
             treated: bool, dose_rows: tuple[int, ...] = ()) -> tuple[np.ndarray, np.ndarray]:
    """Daily NRS (n_days, n) and its Jacobian (n_personal, n_days, n) w.r.t. each patient's own ``theta`` column.

    Patients are independent columns, so the tangent "row k of theta set to
    one for every patient" gives d NRS[:, i] / d theta[k, i] for all i at once.
    Without treatment the drug-sensitivity column is zero and is not computed.
    """
    active = tuple(range(len(PERSONAL))) if treated else tuple(i for i, n in enumerate(PERSONAL_NAMES)
                                                                   if n != "drug_sensitivity")
    f, jac_active = _jacobian(jnp.asarray(theta), y0, p_base, q, doses, n_days=n_days, treated=treated,
                              dose_rows=dose_rows, active=active)
    jac = np.zeros((len(PERSONAL),) + tuple(f.shape))
    jac[list(active)] = np.asarray(jac_active)
    return np.asarray(f), jac


@functools.partial(jax.jit, static_argnames=("n_days", "treated", "dose_rows", "active"))
def _jacobian(theta: Any, y0: Any, p_base: Mapping[str, Any], q: Mapping[str, Any], doses: Any, *, n_days: int,
              treated: bool, dose_rows: tuple[int, ...], active: tuple[int, ...]) -> tuple[Any, Any]:
    def g(th: Any) -> Any:
        return daily_nrs(th, y0, p_base, q, doses, n_days=n_days, treated=treated, dose_rows=dose_rows)[0]

    k = theta.shape[0]
    tangents = jnp.eye(k)[list(active), :, None] * jnp.ones_like(theta)[None]
    primal, jac = jax.vmap(lambda v: jax.jvp(g, (theta,), (v,)))(tangents)
    return primal[0], jac
