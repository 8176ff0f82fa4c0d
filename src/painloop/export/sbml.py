"""SBML (Level 3 Version 2) and Antimony export of the model for one scenario.

The exported model is generated from the same declarations the solver uses:
:func:`painloop.model.system.context` and :func:`painloop.model.system.rates`
are evaluated with :class:`SympyNamespace` as the array namespace ``xp``, with
SymPy symbols for the states, the parameters, the scenario inputs (``q``) and
time. The resulting expressions are printed as SBML Level 3 infix and parsed
to MathML with ``libsbml.parseL3Formula``; nothing of the equations is written
by hand here.

Layout of the SBML model (model time unit: hour):

* every state is a non-constant ``parameter`` with a ``rateRule`` (state unit
  per hour) and its declared initial value;
* every model parameter is a constant ``parameter`` with its value (after the
  scenario's overrides), an SBML unit where the declared unit string can be
  expressed, and notes (XHTML) giving its meaning, unit string and source;
* every scenario input (``q``: sleep schedule, life-stress steps, cause
  settings; event lists become one parameter per event, ``name_0``,
  ``name_1``, …) is a constant parameter;
* the time-dependent inputs (``sleep_opportunity``, ``life_stress``,
  ``injury_rate``, ``regen_capacity``, ``infl_drive``) and the declared
  algebraic outputs (``nrs``, ``asleep``, …) are non-constant parameters with
  ``assignmentRule``s, so that another engine can report them too; a rate rule
  refers to them where its expression contains theirs verbatim, otherwise the
  expression is inlined (both are exactly the solver's expression);
* every dose of the scenario's drug treatments is an SBML ``event`` at its
  exact time (trigger ``time + t_start >= dose time``): the amount is added
  to the drug's depot state (a patch raises the worn-patch state at
  application and lowers it at removal), as the solver's dose jumps do;
* SBML ``time`` starts at 0 at the start of the simulated history: painloop's
  time (hours since day 0, 00:00) is ``time + t_start`` with the constant
  ``t_start = -24 * history_days`` hours, so a simulation from ``time = 0`` to
  ``24 * (history_days + duration_days)`` hours reproduces
  :func:`painloop.simulate.simulate` (whose output starts at ``time = -t_start``).
"""

from __future__ import annotations

import html
import math
import operator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import sympy as sp

from .. import DISCLAIMER, __version__
from ..model import system
from ..scenario import Scenario, scenario_inputs
from ..causes.toxic_metabolic import TOXIN_AGENTS
from ..scenario._inputs import SCHEDULE_KEYS, dose_schedule
from ..treatments import THERAPIES
from ..treatments.catalogue import SESSION_THERAPIES

__all__ = ["SympyNamespace", "SymVec", "SymbolicModel", "symbolic_model", "sbml_infix", "to_sbml", "to_antimony",
           "write_sbml", "write_antimony", "validate_sbml", "T_START"]

T_START = "t_start"
"""Id of the constant (h) that maps SBML ``time`` to painloop time: t = time + t_start."""

_XHTML = "http://www.w3.org/1999/xhtml"


# --------------------------------------------------------------------------------------------------------------
# A SymPy-backed array namespace
# --------------------------------------------------------------------------------------------------------------

def _sym(x: Any) -> Any:
    """A SymPy object for a Python/NumPy number or an existing SymPy expression."""
    if isinstance(x, (sp.Basic, SymVec)):
        return x
    if isinstance(x, (bool, np.bool_)):
        return sp.true if x else sp.false
    if isinstance(x, (int, np.integer)):
        return sp.Integer(int(x))
    if isinstance(x, (float, np.floating)):
        return sp.Float(float(x))
    raise TypeError(f"cannot use {type(x).__name__} in a symbolic model expression")


class SymVec:
    """A short 1-D vector of SymPy expressions with NumPy-like elementwise operators.

    Event lists of a scenario (e.g. chemotherapy cycle start times, h) are
    small arrays in ``q``; for the symbolic evaluation each element is its own
    symbol and operations broadcast elementwise against scalars and vectors of
    the same length (or length 1). ``==`` and the other comparisons return
    vectors of SymPy relationals, as NumPy returns boolean arrays.
    """

    _op_priority = 1e6  # SymPy defers binary operators with a SymVec to the SymVec
    __array_priority__ = 1e6  # and so does NumPy
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, items: Iterable[Any]) -> None:
        self.items = tuple(_sym(x) for x in items)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self):
        return iter(self.items)

    def __repr__(self) -> str:
        return f"SymVec({list(self.items)!r})"

    def _zip(self, other: Any) -> list[tuple[Any, Any]]:
        if isinstance(other, SymVec):
            if len(other) == len(self):
                return list(zip(self.items, other.items))
            if len(other) == 1:
                return [(a, other.items[0]) for a in self.items]
            if len(self) == 1:
                return [(self.items[0], b) for b in other.items]
            raise ValueError(f"cannot broadcast vectors of lengths {len(self)} and {len(other)}")
        if isinstance(other, np.ndarray):
            return self._zip(SymVec(other.ravel()))
        o = _sym(other)
        return [(a, o) for a in self.items]

    def _map2(self, other: Any, fn: Callable[[Any, Any], Any], reflected: bool = False) -> "SymVec":
        return SymVec(fn(b, a) if reflected else fn(a, b) for a, b in self._zip(other))

    def __add__(self, o):  # noqa: D105
        return self._map2(o, operator.add)

    def __radd__(self, o):  # noqa: D105
        return self._map2(o, operator.add, True)

    def __sub__(self, o):  # noqa: D105
        return self._map2(o, operator.sub)

    def __rsub__(self, o):  # noqa: D105
        return self._map2(o, operator.sub, True)

    def __mul__(self, o):  # noqa: D105
        return self._map2(o, operator.mul)

    def __rmul__(self, o):  # noqa: D105
        return self._map2(o, operator.mul, True)

    def __truediv__(self, o):  # noqa: D105
        return self._map2(o, operator.truediv)

    def __rtruediv__(self, o):  # noqa: D105
        return self._map2(o, operator.truediv, True)

    def __pow__(self, o):  # noqa: D105
        return self._map2(o, operator.pow)

    def __rpow__(self, o):  # noqa: D105
        return self._map2(o, operator.pow, True)

    def __neg__(self):  # noqa: D105
        return SymVec(-a for a in self.items)

    def __pos__(self):  # noqa: D105
        return self

    def __eq__(self, o):  # type: ignore[override]  # noqa: D105
        return self._map2(o, lambda a, b: sp.Eq(a, b, evaluate=False))

    def __ne__(self, o):  # type: ignore[override]  # noqa: D105
        return self._map2(o, lambda a, b: sp.Ne(a, b, evaluate=False))

    def __lt__(self, o):  # noqa: D105
        return self._map2(o, sp.StrictLessThan)

    def __le__(self, o):  # noqa: D105
        return self._map2(o, sp.LessThan)

    def __gt__(self, o):  # noqa: D105
        return self._map2(o, sp.StrictGreaterThan)

    def __ge__(self, o):  # noqa: D105
        return self._map2(o, sp.GreaterThan)


def _elementwise(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Lift a scalar SymPy function to SymVec arguments (broadcasting like NumPy)."""
    def lifted(*args: Any) -> Any:
        vecs = [a for a in args if isinstance(a, SymVec)]
        if not vecs:
            return fn(*(_sym(a) for a in args))
        n = max(len(v) for v in vecs)
        cols = [a.items if isinstance(a, SymVec) and len(a) == n
                else (a.items * n if isinstance(a, SymVec) else (_sym(a),) * n) for a in args]
        return SymVec(fn(*row) for row in zip(*cols))
    return lifted


def _max(a: Any, b: Any) -> Any:
    if a.is_Number and b.is_Number:
        return sp.Max(a, b)
    return sp.Max(a, b, evaluate=False)


def _min(a: Any, b: Any) -> Any:
    if a.is_Number and b.is_Number:
        return sp.Min(a, b)
    return sp.Min(a, b, evaluate=False)


def _where(cond: Any, a: Any, b: Any) -> Any:
    if cond is sp.true or cond is True:
        return a
    if cond is sp.false or cond is False:
        return b
    return sp.Piecewise((a, cond), (b, True))


class SympyNamespace:
    """The subset of the NumPy/JAX array API the model uses, building SymPy expressions.

    ``exp``, ``cos``, ``floor`` map to the SymPy functions, ``where`` to
    ``Piecewise``, ``maximum``/``minimum`` to ``Max``/``Min`` and
    ``sum(x, axis=0)`` adds the elements of an event vector as explicit terms.
    """

    exp = staticmethod(_elementwise(sp.exp))
    cos = staticmethod(_elementwise(sp.cos))
    sin = staticmethod(_elementwise(sp.sin))
    tanh = staticmethod(_elementwise(sp.tanh))
    log = staticmethod(_elementwise(sp.log))
    sqrt = staticmethod(_elementwise(sp.sqrt))
    abs = staticmethod(_elementwise(sp.Abs))
    floor = staticmethod(_elementwise(sp.floor))
    maximum = staticmethod(_elementwise(_max))
    minimum = staticmethod(_elementwise(_min))
    where = staticmethod(_elementwise(_where))
    pi = sp.pi

    @staticmethod
    def sum(x: Any, axis: int | None = None) -> Any:
        """Sum over the (only) axis of an event vector; a scalar is returned unchanged."""
        if axis not in (None, 0):
            raise ValueError(f"symbolic sum supports axis=0 only, got axis={axis}")
        if isinstance(x, SymVec):
            return sp.Add(*x.items)
        return _sym(x)

    @staticmethod
    def asarray(x: Any, dtype: Any = None) -> Any:
        """Identity for symbolic values; lists become :class:`SymVec`."""
        if isinstance(x, (list, tuple, np.ndarray)):
            return SymVec(np.ravel(x))
        return _sym(x)


# --------------------------------------------------------------------------------------------------------------
# The model as SymPy expressions
# --------------------------------------------------------------------------------------------------------------

@dataclass
class QuantityInfo:
    """Metadata of one SBML quantity: value (in ``unit``), unit string, meaning, source and role."""

    name: str
    value: float | None
    unit: str
    meaning: str = ""
    source: str = ""
    subsystem: str = ""
    role: str = ""


@dataclass
class SymbolicModel:
    """The vector field of one scenario as SymPy expressions (time in hours).

    ``rates`` maps each state to d/dt (state unit per hour); ``rules`` maps
    each input and algebraic output to its expression, in an order in which
    every rule uses only earlier rules; ``parameters``, ``inputs`` and
    ``states`` carry values and metadata. The symbol ``time`` is SBML time
    (h since the start of the simulated history).
    """

    scenario: Scenario
    states: list[QuantityInfo]
    parameters: list[QuantityInfo]
    inputs: list[QuantityInfo]
    rules: dict[str, Any]
    rule_info: dict[str, QuantityInfo]
    rates: dict[str, Any]
    time: sp.Symbol = field(default_factory=lambda: sp.Symbol("time"))


_INPUT_INFO = {
    # time-dependent inputs (painloop.model.inputs, painloop.causes): unit, meaning
    "sleep_opportunity": ("fraction", "fraction of the moment spent in bed (scenario sleep schedule)"),
    "life_stress": ("dimensionless", "external life stress, 0 everyday, 1 severe (scenario stress schedule)"),
    "injury_rate": ("1/h", "rate at which healthy fibres are damaged by the cause"),
    "regen_capacity": ("fraction", "share of the normal regeneration rate that is possible"),
    "infl_drive": ("dimensionless", "drive of peripheral inflammation by the cause"),
    "deafferentation": ("fraction", "share of the afferent territory lost altogether (amputation)"),
    "provocation": ("relative", "factor on lesion firing from the day's activity (1 without day-to-day variation)"),
}

_Q_INFO = {
    # scenario inputs q (painloop.scenario._inputs): unit, meaning
    "wake_h": ("h (clock time)", "usual wake time"),
    "hours_in_bed": ("h", "usual hours in bed per night"),
    "night_days": ("dimensionless", "morning day (day index) of a night that differs from the usual"),
    "night_hours": ("h", "hours in bed in that night"),
    "stress_base": ("dimensionless", "external life stress before the first step"),
    "stress_steps": ("dimensionless", "change of external life stress at a step"),
    "stress_step_h": ("h", "time of a step of external life stress (h since day 0)"),
    "day_variation": ("dimensionless", "1 when the drivers vary from day to day (seeded), 0 for identical days"),
    "day_seed": ("dimensionless", "seed of the day-to-day variation"),
    "severity": ("dimensionless", "severity of the cause, 0 (none) to 1 (severe)"),
    "onset_h": ("h", "onset of the cause (h since day 0)"),
    "hba1c": ("% HbA1c", "glycated haemoglobin"),
    "age": ("years", "age at the zoster episode"),
    "cycle_starts_h": ("h", "start of a chemotherapy cycle (h since day 0)"),
    "amputation": ("dimensionless", "1 for an amputation (no regeneration), 0 otherwise"),
    "release_h": ("h", "time of decompression (h since day 0; 1e12 = never)"),
    "control_h": ("h", "start of improved glucose control (h since day 0)"),
    "hba1c_control": ("% HbA1c", "glycated haemoglobin reached with improved control"),
    "hz_antiviral": ("dimensionless", "1 when antivirals started within 72 h of the zoster rash"),
    "hz_vaccinated": ("dimensionless", "1 when vaccinated against zoster (breakthrough episode)"),
    "ms_relapse_h": ("h", "start of a multiple sclerosis relapse (h since day 0)"),
    "ra_flare_h": ("h", "start of a rheumatoid arthritis flare (h since day 0)"),
    "supplement_h": ("h", "start of vitamin supplementation (h since day 0; 1e12 = never)"),
    "em_heat_start_h": ("h", "start of an ambient temperature period (h since day 0)"),
    "em_heat_end_h": ("h", "end of that ambient temperature period (h since day 0)"),
    "em_heat_c": ("degC", "ambient temperature during that period"),
    "em_usual_c": ("degC", "usual ambient temperature"),
    "drinks_per_day": ("drinks/day", "alcohol intake, standard drinks per day"),
    "abstinence_h": ("h", "start of abstinence from alcohol (h since day 0; 1e12 = never)"),
    "exposure_end_h": ("h", "end of the toxic exposure (h since day 0; 1e12 = never)"),
    "treated": ("dimensionless", "1 when the scenario has treatments (the treatment subsystem is active)"),
    "tens_clock_h": ("h (clock time)", "clock time at which a TENS session starts"),
    "tens_session_h": ("h", "length of a TENS session"),
}
_Q_INFO.update({f"agent_{a}": ("dimensionless", f"1 when the toxic agent is {a.replace('_', ' ')}")
                for a in TOXIN_AGENTS})
_Q_INFO.update({f"{t}_{edge}_h": ("h", f"{'start' if edge == 'start' else 'end'} of a {t.replace('_', ' ')} programme "
                                        "(h since day 0)") for t in THERAPIES for edge in ("start", "end")})
_Q_INFO.update({f"{t}_intensity": ("dimensionless", f"sessions per week of {t.replace('_', ' ')} relative to the "
                                                    "reference schedule") for t in SESSION_THERAPIES})


def _q_symbols(q: Mapping[str, Any], scenario: Scenario) -> tuple[dict[str, Any], list[QuantityInfo]]:
    """Symbols for the scenario inputs: one per scalar, one per element of an event list."""
    out: dict[str, Any] = {}
    info: list[QuantityInfo] = []
    for key, value in q.items():
        unit, meaning = _Q_INFO.get(key, ("", "scenario input"))
        source = f"scenario {scenario.name!r} (painloop.scenario.scenario_inputs)"
        arr = np.asarray(value, dtype=float)
        if key in SCHEDULE_KEYS or arr.ndim == 1:
            names = [f"{key}_{i}" for i in range(arr.size)]
            out[key] = SymVec(sp.Symbol(n) for n in names)
            info += [QuantityInfo(n, float(v), unit, f"{meaning} (event {i})", source, "scenario", "input")
                     for i, (n, v) in enumerate(zip(names, arr.ravel()))]
        elif arr.ndim == 0:
            out[key] = sp.Symbol(key)
            info.append(QuantityInfo(key, float(arr), unit, meaning, source, "scenario", "input"))
        else:
            raise ValueError(f"scenario input {key!r} has shape {arr.shape}; only scalars and event lists export")
    return out, info


def _share_subexpressions(rules: list[tuple[str, Any]], rates: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Replace verbatim copies of each rule's expression by the rule's symbol.

    Later rules may contain earlier ones (never the reverse), so each rule is
    rewritten with the earlier rules only and the rates with all of them;
    ``xreplace`` matches whole subtrees, so the result is exactly equal.
    """
    shared: dict[str, Any] = {}
    seen: dict[Any, sp.Symbol] = {}
    for name, expr in rules:
        shared[name] = expr.xreplace(seen) if seen else expr
        if not expr.is_Atom and expr not in seen:
            seen[expr] = sp.Symbol(name)
    new_rates = {k: v.xreplace(seen) for k, v in rates.items()}
    return shared, new_rates


def symbolic_model(scenario: Scenario, params: Mapping[str, float] | None = None) -> SymbolicModel:
    """Evaluate the solver's vector field for ``scenario`` with SymPy symbols.

    ``params`` overrides parameter values (scalars, declared units) on top of
    the scenario's own overrides. Values do not enter the expressions: they
    are the SBML parameter values.
    """
    p_values: dict[str, Any] = system.default_params()
    p_values.update(scenario.params)
    for name, value in (params or {}).items():
        if name not in p_values:
            raise KeyError(f"unknown parameter {name!r}; see `painloop params`")
        p_values[name] = value
    for k, v in p_values.items():
        if np.ndim(v) != 0:
            raise ValueError(f"parameter {k!r} must be a scalar for export, got shape {np.shape(v)}")
    q_values = scenario_inputs(scenario)
    xp = SympyNamespace()
    time = sp.Symbol("time")
    t = time + sp.Symbol(T_START)
    y = [sp.Symbol(n) for n in system.STATE_NAMES]
    p = {name: sp.Symbol(name) for name in system.PARAM_NAMES}
    q, q_info = _q_symbols(q_values, scenario)

    c = system.context(xp, scenario.cause.type, t, y, p, q)
    rate_list = system.rates(c)
    rates = {n: _sym(r) for n, r in zip(system.STATE_NAMES, rate_list)}

    rule_info: dict[str, QuantityInfo] = {}
    rules: list[tuple[str, Any]] = []
    for name, expr in c.u.items():
        if name in q:  # an input passed through unchanged (e.g. ``treated``) is already a parameter
            if _sym(expr) != q[name]:
                raise ValueError(f"time-dependent input {name!r} shadows the scenario input of the same name")
            continue
        unit, meaning = _INPUT_INFO.get(name, ("", "time-dependent input"))
        rule_info[name] = QuantityInfo(name, None, unit, meaning, "computed: painloop.model.system.context",
                                       "inputs", "input rule")
        rules.append((name, _sym(expr)))
    outputs = {o.name: o for o in system.OUTPUTS}
    for name, expr in c.a.items():
        o = outputs.get(name)
        rule_info[name] = QuantityInfo(name, None, o.unit if o else "", o.meaning if o else "algebraic quantity",
                                       "computed: painloop.model.system.context", o.subsystem if o else "",
                                       "output rule")
        rules.append((name, _sym(expr)))
    for name, expr in rules:
        if isinstance(expr, SymVec):
            raise ValueError(f"{name!r} is a vector; the model must reduce event lists with xp.sum")
    shared_rules, rates = _share_subexpressions(rules, rates)

    state_info = [QuantityInfo(s.name, float(s.initial), s.unit, s.meaning,
                               "declared healthy initial state (painloop.model)", s.subsystem, "state")
                  for s in system.STATES]
    param_info = [QuantityInfo(pr.name, float(p_values[pr.name]), pr.unit, pr.meaning, pr.source, pr.subsystem,
                               "parameter") for pr in system.PARAMS]
    t_start = -24.0 * scenario.history_days
    q_info.append(QuantityInfo(T_START, t_start, "h",
                               "painloop time (h since day 0, 00:00) at SBML time 0: t = time + t_start",
                               f"scenario {scenario.name!r}: -24 h x history_days", "scenario", "input"))
    return SymbolicModel(scenario, state_info, param_info, q_info, shared_rules, rule_info, rates, time)


# --------------------------------------------------------------------------------------------------------------
# SBML Level 3 infix printing
# --------------------------------------------------------------------------------------------------------------

_FUNCTIONS = {sp.exp: "exp", sp.cos: "cos", sp.sin: "sin", sp.tanh: "tanh", sp.log: "ln", sp.floor: "floor",
              sp.ceiling: "ceil", sp.Abs: "abs", sp.Max: "max", sp.Min: "min"}
_RELATIONS = {sp.Eq: "==", sp.Ne: "!=", sp.StrictLessThan: "<", sp.LessThan: "<=", sp.StrictGreaterThan: ">",
              sp.GreaterThan: ">="}


def _number(x: Any) -> str:
    if isinstance(x, sp.Integer):
        return str(int(x))
    v = float(x)
    if not math.isfinite(v):
        raise ValueError(f"non-finite number {x} in a model expression")
    return repr(v)


def _is_negative_term(e: Any) -> bool:
    return bool((e.is_Number and e < 0) or (e.is_Mul and e.args[0].is_Number and e.args[0] < 0))


def _operand(e: Any) -> str:
    """Print ``e`` wrapped in parentheses unless it is a name, a call or a non-negative number."""
    text = sbml_infix(e)
    if e.is_Symbol or (e.is_Number and e >= 0) or (e.is_Function and type(e) in _FUNCTIONS) or e.is_Piecewise:
        return text
    return f"({text})"


def sbml_infix(e: Any) -> str:
    """SBML Level 3 infix text (``libsbml.parseL3Formula`` syntax) of a SymPy expression.

    Floats are printed with ``repr`` (shortest round-trip form), so no
    precision is lost; ``Piecewise`` prints as ``piecewise(value, condition,
    …, otherwise)``, ``Max``/``Min`` as ``max``/``min``, powers with ``^``.
    """
    if e is sp.true:
        return "true"
    if e is sp.false:
        return "false"
    if e.is_Symbol:
        return e.name
    if e.is_Number:
        return _number(e)
    if e.is_Add:
        terms = sorted(e.args, key=_is_negative_term)  # positive terms first, for readability
        parts = [sbml_infix(terms[0])]
        for term in terms[1:]:
            if _is_negative_term(term):
                parts.append(f"- {_product(-term)}")
            else:
                parts.append(f"+ {_product(term)}")
        return " ".join(parts)
    if e.is_Mul:
        return _product(e)
    if e.is_Pow:
        base, ex = e.args
        if ex.is_Number and ex < 0:
            return f"1 / {_operand(base if float(ex) == -1.0 else sp.Pow(base, -ex, evaluate=False))}"
        return f"{_operand(base)}^{_operand(ex)}"
    if e.is_Piecewise:
        parts: list[str] = []
        for value, cond in e.args:
            if cond is sp.true:
                parts.append(sbml_infix(value))
                break
            parts += [sbml_infix(value), sbml_infix(cond)]
        else:
            raise ValueError("a Piecewise without an 'otherwise' branch is undefined for some inputs")
        return f"piecewise({', '.join(parts)})"
    if type(e) in _RELATIONS:
        return f"{_operand(e.lhs)} {_RELATIONS[type(e)]} {_operand(e.rhs)}"
    if isinstance(e, sp.And):
        return " && ".join(_operand(a) for a in e.args)
    if isinstance(e, sp.Or):
        return " || ".join(_operand(a) for a in e.args)
    if isinstance(e, sp.Not):
        return f"!{_operand(e.args[0])}"
    if e.is_Function and type(e) in _FUNCTIONS:
        return f"{_FUNCTIONS[type(e)]}({', '.join(sbml_infix(a) for a in e.args)})"
    if e is sp.pi:
        return "pi"
    if e is sp.E:
        return "exponentiale"
    raise TypeError(f"no SBML infix form for {type(e).__name__}: {e}")


def _product(e: Any) -> str:
    """A product as ``num1 * num2 / (den1 * den2)``; a leading ``-`` for a negative coefficient."""
    if not e.is_Mul:
        return _operand(e) if e.is_Add else sbml_infix(e)
    coeff, factors = e.as_coeff_mul()
    sign = ""
    if coeff < 0:
        sign, coeff = "-", -coeff
    num: list[str] = [] if float(coeff) == 1.0 else [_number(coeff)]  # x * 1.0 == x exactly
    den: list[str] = []
    for f in factors:
        if f.is_Pow and f.args[1].is_Number and f.args[1] < 0:
            base, ex = f.args
            den.append(_operand(base if float(ex) == -1.0 else sp.Pow(base, -ex, evaluate=False)))
        else:
            num.append(_operand(f))
    text = " * ".join(num) if num else "1"
    if den:
        text += " / " + (den[0] if len(den) == 1 else f"({' * '.join(den)})")
    if sign and (len(num) > 1 or den):
        return f"-({text})"
    return sign + text


# --------------------------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------------------------

# unit id -> list of (kind, exponent, scale, multiplier)
_UNIT_DEFS: dict[str, list[tuple[str, float, int, float]]] = {
    "hour": [("second", 1, 0, 3600.0)],
    "per_hour": [("second", -1, 0, 3600.0)],
    "day": [("second", 1, 0, 86400.0)],
    "year": [("second", 1, 0, 31557600.0)],
    "millisecond": [("second", 1, -3, 1.0)],
    "per_minute": [("second", -1, 0, 60.0)],
    "percent": [("dimensionless", 1, 0, 0.01)],
    "per_percent": [("dimensionless", 1, 0, 100.0)],
    "per_hour_per_percent": [("second", -1, 0, 36.0)],
    "hour_per_day": [("dimensionless", 1, 0, 1.0 / 24.0)],
    "microgram_per_decilitre": [("gram", 1, -6, 1.0), ("litre", -1, -1, 1.0)],
    "microgram_per_decilitre_per_hour": [("gram", 1, -6, 1.0), ("litre", -1, -1, 1.0), ("second", -1, 0, 3600.0)],
    "per_hour_per_microgram_per_decilitre": [("second", -1, 0, 3600.0), ("gram", -1, -6, 1.0), ("litre", 1, -1, 1.0)],
}

_DIMENSIONLESS_UNITS = {"dimensionless", "fraction", "relative", "per NRS/10", "per score/10"}

_UNIT_OF: dict[str, str] = {
    "h": "hour", "h (clock time)": "hour", "1/h": "per_hour", "days": "day", "years": "year", "ms": "millisecond",
    "beats/min": "per_minute", "% HbA1c": "percent", "1/% HbA1c": "per_percent",
    "1/h per % HbA1c": "per_hour_per_percent", "h/day": "hour_per_day", "µg/dL": "microgram_per_decilitre",
    "µg/dL/h": "microgram_per_decilitre_per_hour", "1/h per µg/dL": "per_hour_per_microgram_per_decilitre",
}


def sbml_unit(unit: str) -> str | None:
    """SBML unit id for a declared unit string, or ``None`` where it cannot be expressed.

    Scores (``score 0-10``, ``NRS 0-10``) and fractions are dimensionless;
    arbitrary concentration units (the Sriram 2012 HPA scale) are not
    expressible and are only given in the notes.
    """
    if unit in _DIMENSIONLESS_UNITS or unit.startswith("score ") or unit.startswith("NRS "):
        return "dimensionless"
    return _UNIT_OF.get(unit)


# --------------------------------------------------------------------------------------------------------------
# SBML document
# --------------------------------------------------------------------------------------------------------------

def _libsbml():
    try:
        import libsbml
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("SBML export needs python-libsbml: pip install python-libsbml") from err
    return libsbml


def _check(code: int, what: str) -> None:
    libsbml = _libsbml()
    if code != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise RuntimeError(f"libsbml failed to {what}: {libsbml.OperationReturnValue_toString(code)}")


def _notes(info: QuantityInfo) -> str:
    rows = [info.meaning, f"unit: {info.unit or 'not declared'}"]
    if info.source:
        rows.append(f"source: {info.source}")
    if info.subsystem:
        rows.append(f"subsystem: {info.subsystem}")
    if info.role:
        rows.append(f"role: {info.role}")
    body = "".join(f"<p>{html.escape(r, quote=False)}</p>" for r in rows if r)
    return f'<body xmlns="{_XHTML}">{body}</body>'


def _math(formula: str, where: str):
    libsbml = _libsbml()
    settings = libsbml.L3ParserSettings()
    settings.setParseUnits(False)  # numbers carry no unit annotations here
    settings.setParseLog(libsbml.L3P_PARSE_LOG_AS_LN)
    settings.setComparisonCaseSensitivity(True)
    ast = libsbml.parseL3FormulaWithSettings(formula, settings)
    if ast is None:
        raise ValueError(f"could not parse the formula of {where}: {libsbml.getLastParseL3Error()}\n{formula}")
    return ast


def _ast_names(ast) -> set[str]:
    libsbml = _libsbml()
    names: set[str] = set()
    stack = [ast]
    while stack:
        node = stack.pop()
        if node.getType() == libsbml.AST_NAME:
            names.add(node.getName())
        stack.extend(node.getChild(i) for i in range(node.getNumChildren()))
    return names


def _add_parameter(model, info: QuantityInfo, constant: bool) -> None:
    libsbml = _libsbml()
    if not libsbml.SyntaxChecker.isValidSBMLSId(info.name):
        raise ValueError(f"{info.name!r} is not a valid SBML identifier")
    par = model.createParameter()
    _check(par.setId(info.name), f"set id {info.name}")
    if info.meaning:
        par.setName(info.meaning)
    _check(par.setConstant(constant), f"set constant on {info.name}")
    if info.value is not None:
        _check(par.setValue(float(info.value)), f"set value of {info.name}")
    unit = sbml_unit(info.unit)
    if unit is not None:
        _check(par.setUnits(unit), f"set units of {info.name}")
    _check(par.setNotes(_notes(info)), f"set notes of {info.name}")


def to_sbml(scenario: Scenario, params: Mapping[str, float] | None = None) -> str:
    """SBML Level 3 Version 2 text of the model for ``scenario`` (time unit: hour).

    ``params`` optionally overrides parameter values (declared units). The
    rate rules are the solver's own vector field (see the module docstring
    for the layout and the time origin).
    """
    libsbml = _libsbml()
    sym = symbolic_model(scenario, params)
    doc = libsbml.SBMLDocument(3, 2)
    model = doc.createModel()
    model_id = "painloop_" + "".join(ch if ch.isalnum() else "_" for ch in scenario.name)
    _check(model.setId(model_id), "set the model id")
    model.setName(f"painloop {__version__}: {scenario.name}")
    history_h = 24.0 * scenario.history_days
    end_h = history_h + 24.0 * scenario.duration_days
    paragraphs = [
        f"painloop {__version__} model of neuropathic pain, scenario {scenario.name!r}: {scenario.description}",
        "Generated from the model declarations by painloop.export.sbml; every equation is the solver's own.",
        f"Time unit: hour. painloop time t (h since day 0, 00:00) = time + {T_START}. To reproduce "
        f"`painloop run`, simulate from time 0 to {end_h:g} h and report from time {history_h:g} h "
        f"(history_days = {scenario.history_days}, duration_days = {scenario.duration_days:g}).",
        DISCLAIMER,
    ]
    body = "".join(f"<p>{html.escape(x, quote=False)}</p>" for x in paragraphs)
    _check(model.setNotes(f'<body xmlns="{_XHTML}">{body}</body>'), "set the model notes")

    for uid, units in _UNIT_DEFS.items():
        ud = model.createUnitDefinition()
        _check(ud.setId(uid), f"set unit id {uid}")
        for kind, exponent, scale, multiplier in units:
            u = ud.createUnit()
            u.setKind(libsbml.UnitKind_forName(kind))
            u.setExponent(exponent)
            u.setScale(scale)
            u.setMultiplier(multiplier)
    _check(model.setTimeUnits("hour"), "set the time units")

    for info in sym.parameters:
        _add_parameter(model, info, constant=True)
    for info in sym.inputs:
        _add_parameter(model, info, constant=True)
    for info in sym.states:
        _add_parameter(model, info, constant=False)
    for name in sym.rules:
        _add_parameter(model, sym.rule_info[name], constant=False)

    known = {p.getId() for p in model.getListOfParameters()}
    for name, expr in sym.rules.items():
        rule = model.createAssignmentRule()
        _check(rule.setVariable(name), f"set the variable of the rule of {name}")
        ast = _math(sbml_infix(expr), f"the assignment rule of {name}")
        unknown = _ast_names(ast) - known
        if unknown:
            raise ValueError(f"assignment rule of {name} refers to unknown ids {sorted(unknown)}")
        _check(rule.setMath(ast), f"set the math of the rule of {name}")
    for name, expr in sym.rates.items():
        rule = model.createRateRule()
        _check(rule.setVariable(name), f"set the variable of the rate rule of {name}")
        ast = _math(sbml_infix(expr), f"the rate rule of {name}")
        unknown = _ast_names(ast) - known
        if unknown:
            raise ValueError(f"rate rule of {name} refers to unknown ids {sorted(unknown)}")
        _check(rule.setMath(ast), f"set the math of the rate rule of {name}")
    _add_dose_events(model, scenario)

    return libsbml.writeSBMLToString(doc)


def _dose_groups(scenario: Scenario) -> list[tuple[float, dict[str, float]]]:
    """Doses of the simulated period grouped by time: (painloop time h, {state: jump}), in time order."""
    t_start, t_end = -24.0 * scenario.history_days, 24.0 * scenario.duration_days
    groups: dict[float, dict[str, float]] = {}
    for t, state, amount in dose_schedule(scenario):
        if t_start - 1e-9 <= t < t_end - 1e-9:
            jumps = groups.setdefault(float(t), {})
            jumps[state] = jumps.get(state, 0.0) + amount
    return sorted(groups.items())


def _add_dose_events(model, scenario: Scenario) -> None:
    """One SBML event per dose time: ``state = state + amount`` for each drug state dosed at that time.

    The trigger is false at time 0 (``initialValue`` false), so a dose at the
    very start of the simulation fires at once, as in the solver.
    """
    libsbml = _libsbml()
    for k, (t_dose, jumps) in enumerate(_dose_groups(scenario)):
        event = model.createEvent()
        _check(event.setId(f"dose_{k}"), f"set the id of dose event {k}")
        _check(event.setUseValuesFromTriggerTime(True), f"set useValuesFromTriggerTime of dose {k}")
        listing = ", ".join(f"{state} {amount:+g}" for state, amount in jumps.items())
        event.setName(f"dose at t = {t_dose:g} h: {listing}")
        trigger = event.createTrigger()
        _check(trigger.setInitialValue(False), f"set the trigger initial value of dose {k}")
        _check(trigger.setPersistent(True), f"set the trigger persistence of dose {k}")
        _check(trigger.setMath(_math(f"time + {T_START} >= {_number(sp.Float(t_dose))}", f"dose event {k}")),
               f"set the trigger of dose {k}")
        for state, amount in jumps.items():
            assignment = event.createEventAssignment()
            _check(assignment.setVariable(state), f"set the variable of dose {k}")
            _check(assignment.setMath(_math(f"{state} + {_number(sp.Float(amount))}", f"dose event {k}")),
                   f"set the assignment of dose {k}")


def validate_sbml(text: str, units: bool = True) -> list[tuple[str, int, str]]:
    """All libsbml consistency messages as (severity, id, message).

    Severities are libsbml's (``Error``, ``Fatal``, ``Warning``, ``Info``);
    ``units`` includes the unit-consistency checks.
    """
    libsbml = _libsbml()
    doc = libsbml.readSBMLFromString(text)
    doc.setConsistencyChecks(libsbml.LIBSBML_CAT_UNITS_CONSISTENCY, units)
    doc.checkConsistency()
    log = doc.getErrorLog()
    return [(log.getError(i).getSeverityAsString(), log.getError(i).getErrorId(), log.getError(i).getMessage().strip())
            for i in range(log.getNumErrors())]


def to_antimony(scenario: Scenario, params: Mapping[str, float] | None = None) -> str:
    """Antimony text of the same model (via the ``antimony`` package from the SBML)."""
    try:
        import antimony
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("Antimony export needs the antimony package: pip install antimony") from err
    text = to_sbml(scenario, params)
    antimony.clearPreviousLoads()
    if antimony.loadSBMLString(text) < 0:
        raise RuntimeError(f"antimony could not read the SBML: {antimony.getLastError()}")
    out = antimony.getAntimonyString(antimony.getMainModuleName())
    if not out:
        raise RuntimeError(f"antimony could not write the model: {antimony.getLastError()}")
    return out


def write_sbml(path: str | Path, scenario: Scenario, params: Mapping[str, float] | None = None) -> Path:
    """Write :func:`to_sbml` to ``path`` (UTF-8) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_sbml(scenario, params), encoding="utf-8")
    return path


def write_antimony(path: str | Path, scenario: Scenario, params: Mapping[str, float] | None = None) -> Path:
    """Write :func:`to_antimony` to ``path`` (UTF-8) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_antimony(scenario, params), encoding="utf-8")
    return path
