"""Generate the compiled kernel's right-hand side from the model declarations.

The vector field is evaluated once with SymPy symbols through the same
functions the other engines run (:func:`painloop.model.system.context` and
:func:`painloop.model.system.rates`, with
:class:`painloop.export.sbml.SympyNamespace` as the array namespace), common
subexpressions are shared (``sympy.cse``) and the result is printed as plain
scalar Python that numba compiles. Nothing of the equations is typed here.

Layout of the generated functions: patients are *lanes* of a chunk of
``LANES`` patients (a module constant: 1, 8 or 16), every array is flat and
holds one row of ``LANES`` values per state, parameter or input, so that the
loop over lanes has a constant trip count and contiguous loads and LLVM turns
it into SIMD code (arithmetic on all lanes at once, ``exp``, ``sin`` and
``pow`` too: :mod:`painloop.simulate._vecmath`; one lane calls the C
library's):

* ``rhs(t, y, p, q, E, e_stride, eoff, NE, ne_stride, lane_p, ev, dy)``, a
  numba ``cfunc`` (arrays as pointers: the integrator of
  :mod:`painloop.simulate._tsit5`, the same for every model, calls it through
  its address, so it is compiled once per lane count and never re-optimizes
  the generated code): ``dy[m*LANES + j]`` =
  d(state ``active[m]``)/dt (state unit per hour) of lane ``j`` for the
  *active* states only (those whose rate is not identically zero for this
  scenario structure: untreated runs hold the treatment compartments
  constant, as the JAX engine does), from ``y[i*LANES + j]`` (state ``i``),
  ``p[...]`` and ``q[...]`` (one chunk's views);
* ``outputs(...)``, same arguments: every declared algebraic output, in the
  order of :data:`painloop.model.system.OUTPUT_NAMES`.

States follow :data:`~painloop.model.system.STATE_NAMES`, parameters
:data:`~painloop.model.system.PARAM_NAMES` and scalar inputs
:attr:`InputLayout.scalars`. Lane ``j``'s patient is ``lane_p[j]``; its
event list ``k`` of :attr:`InputLayout.events` holds ``NE[patient, k]`` values
from ``E[patient, eoff[k]]`` on (``E`` and ``NE`` are flat, rows of
``e_stride`` and ``ne_stride``). A sum over events (``xp.sum`` in the model)
becomes a loop, run per lane before the SIMD loop into the scratch ``ev``, so
the code does not depend on how many events a scenario has.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from ..model import system
from ..scenario._inputs import SCHEDULE_KEYS

CODEGEN_VERSION = "6"
"""Bumped whenever the printed form changes, so cached kernels of an older form are not reused."""


@dataclass(frozen=True)
class InputLayout:
    """Which scenario inputs the kernel reads: scalar inputs (a value per patient allowed) and event lists.

    The generated code depends only on the names, not on the number of
    events: every event list is read in a loop over its per-patient length,
    so scenarios that differ in how many doses, stress steps, relapses or
    cycles they have share one compiled kernel.
    """

    scalars: tuple[str, ...]
    events: tuple[str, ...]


def input_layout(q: Mapping[str, Any]) -> InputLayout:
    """The layout of ``q``: event lists are :data:`~painloop.scenario._inputs.SCHEDULE_KEYS`, the rest scalars."""
    for key, value in q.items():
        if key not in SCHEDULE_KEYS and np.ndim(value) > 1:
            raise ValueError(f"scenario input {key!r} has shape {np.shape(value)}; expected a scalar or one value "
                             "per patient")
    return InputLayout(tuple(sorted(k for k in q if k not in SCHEDULE_KEYS)),
                       tuple(sorted(k for k in q if k in SCHEDULE_KEYS)))


LANE_COUNTS = (1, 8, 16)
"""Patients per SIMD chunk a kernel can be generated for: one (scalar code), 8 or 16 lanes."""

VECTORIZER_MIN_TRIP_COUNT = 4
"""LLVM's loop vectorizer leaves loops of fewer than 16 iterations scalar by default (its tiny-trip-count
threshold); set to 4 (an LLVM option of this process, :func:`_allow_short_simd_loops`) so that chunks of 8 lanes
are vectorized too (measured: 8 % of the 8-lane right-hand side's double instructions packed by default, 48 % with
the option, as with 16 lanes). Without fast-math a loop computes the same numbers vectorized or not."""

STORES_PER_LANE_LOOP = 16
"""Most results one loop over lanes stores; a function with more results gets several loops, each recomputing
the common subexpressions it needs. Why: LLVM left the whole right-hand side in one loop as scalar code on an AMD
EPYC (Zen 4) host (3 116 scalar against 222 packed double instructions), while loops of 4-17 of its results were
vectorized (35.6 against 12.1 patient-years/s on one thread); 12, 16 and 20 results per loop gave 31.8, 35.6
and 32.1 (README, Performance)."""

MIN_PATIENTS_FOR_LANES = 6
"""Smallest block that runs in SIMD chunks (8 lanes up to 8 patients, 16 above, padded); smaller blocks run scalar
code, one patient at a time. Measured (91 days, one thread, AMD EPYC Zen 4): a padded 16-lane chunk costs what
~5.5 patients cost in scalar code (16 patients 0.14 s in one chunk; 8 patients 0.21 s in scalar code)."""


def _allow_short_simd_loops() -> None:
    """Let LLVM vectorize loops of :data:`VECTORIZER_MIN_TRIP_COUNT` or more iterations (numba's LLVM, this process)."""
    import llvmlite.binding as llvm

    llvm.set_option("painloop", f"--vectorizer-min-trip-count={VECTORIZER_MIN_TRIP_COUNT}")


_allow_short_simd_loops()


def lanes_for(block_size: int) -> int:
    """The lane count for blocks of ``block_size`` patients: 1 below :data:`MIN_PATIENTS_FOR_LANES`, then 8, then 16."""
    if block_size < MIN_PATIENTS_FOR_LANES:
        return 1
    return 8 if block_size <= 8 else 16


def structure_key(cause: str, layout: InputLayout, lanes: int, zero: tuple[int, ...] = ()) -> str:
    """Text that identifies the generated code for a cause, an input layout, a lane count and the states held at 0.

    (Hashed into the kernel's file name.)
    """
    return (f"{CODEGEN_VERSION}|{cause}|{','.join(layout.scalars)}|{','.join(layout.events)}|{lanes}|"
            f"{','.join(map(str, zero))}")


def _loop_namespace() -> Any:
    """A :class:`~painloop.export.sbml.SympyNamespace` in which a sum over an event list stays a loop.

    Each event list is a one-element vector of an *element symbol*
    ``e_<k>``; ``sum`` records the summand and returns a fresh symbol
    ``evsum_<n>`` that the generated code computes in a loop over the events.
    (Built on first use so that loading a cached kernel does not import SymPy.)
    """
    import sympy as sp

    from ..export.sbml import SymVec, SympyNamespace, _sym

    class LoopNamespace(SympyNamespace):
        def __init__(self) -> None:
            self.sums: list[tuple[Any, Any]] = []

        def sum(self, x: Any, axis: int | None = None) -> Any:  # type: ignore[override]
            if axis not in (None, 0):
                raise ValueError(f"symbolic sum supports axis=0 only, got axis={axis}")
            if not isinstance(x, SymVec):
                return _sym(x)
            (summand,) = x.items
            symbol = sp.Symbol(f"evsum_{len(self.sums)}")
            self.sums.append((symbol, summand))
            return symbol

    return LoopNamespace()


def _float_printer(vector_math: bool):
    """A SymPy printer of plain scalar Python for numba: exact float literals, small whole powers as products.

    With ``vector_math``, ``exp``, ``log``, ``sin``, ``cos`` and the other
    powers are those of :mod:`painloop.simulate._vecmath`, which LLVM
    vectorizes over the lanes; without it (scalar code, one lane) the C
    library's, which are faster one value at a time.
    """
    import sympy as sp
    from sympy.printing.pycode import PythonCodePrinter

    lib = "vm" if vector_math else "math"

    class _Printer(PythonCodePrinter):
        def _print_Float(self, expr: Any) -> str:  # shortest round-trip form: no digits lost
            return repr(float(expr))

        def _print_Rational(self, expr: Any) -> str:
            return repr(float(expr))

        def _print_Integer(self, expr: Any) -> str:
            return f"{int(expr)}.0"

        def _print_Max(self, expr: Any) -> str:
            return self._nested("max", expr.args)

        def _print_Min(self, expr: Any) -> str:
            return self._nested("min", expr.args)

        def _nested(self, fn: str, args: tuple) -> str:
            text = self._print(args[0])
            for a in args[1:]:
                text = f"{fn}({text}, {self._print(a)})"
            return text

        def _print_Pow(self, expr: Any, rational: bool = False) -> str:
            base, exp = expr.args
            b = self._print(base)
            if exp.is_Integer and 1 <= abs(int(exp)) <= 4:
                product = "*".join([f"({b})"] * abs(int(exp)))
                return f"({product})" if exp > 0 else f"(1.0/({product}))"
            if exp == sp.Rational(1, 2):
                return f"math.sqrt({b})"
            return f"vm.pow({b}, {self._print(exp)})" if vector_math else f"(({b})**({self._print(exp)}))"

        def _print_exp(self, expr: Any) -> str:
            return f"{lib}.exp({self._print(expr.args[0])})"

        def _print_log(self, expr: Any) -> str:
            return f"{lib}.log({self._print(expr.args[0])})"

        def _print_sin(self, expr: Any) -> str:
            return f"{lib}.sin({self._print(expr.args[0])})"

        def _print_cos(self, expr: Any) -> str:
            return f"{lib}.cos({self._print(expr.args[0])})"

    return _Printer({"fully_qualified_modules": True, "standard": "python3"})


@functools.lru_cache(maxsize=8)
def _symbolic_rates(cause: str, layout: InputLayout, zero: tuple[int, ...] = ()) -> tuple[Any, list, list, Any, Any]:
    """The model at symbols: (context, state symbols, rates, time symbol, loop namespace); states ``zero`` are 0.

    Remembered (callers only read it): a cold run reads it twice, for the general structure and for its kernel.
    """
    import sympy as sp

    from ..export.sbml import SymVec, _sym

    t = sp.Symbol("t")
    y = [sp.Symbol(f"s_{i}") for i in range(len(system.STATE_NAMES))]
    values = [sp.Integer(0) if i in set(zero) else s for i, s in enumerate(y)]
    p = {name: sp.Symbol(f"p_{i}") for i, name in enumerate(system.PARAM_NAMES)}
    q: dict[str, Any] = {key: sp.Symbol(f"q_{i}") for i, key in enumerate(layout.scalars)}
    q.update({key: SymVec([sp.Symbol(f"e_{k}")]) for k, key in enumerate(layout.events)})
    xp = _loop_namespace()
    c = system.context(xp, cause, t, values, p, q)
    rates = [_sym(r) for r in system.rates(c)]
    return c, y, rates, t, xp


def model_structure(cause: str, layout: InputLayout) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Active states, dormancy rules and upstream mask of the general kernel, without generating its code."""
    _, y, rates, _, _ = _symbolic_rates(cause, layout, ())
    active = np.array([i for i, r in enumerate(rates) if r != 0], dtype=np.int64)
    exprs = [rates[i] for i in active]
    return active, dormancy_rules(exprs, active, y), upstream_states(exprs, active, y)


def generate_source(cause: str, layout: InputLayout, lanes: int,
                    zero: tuple[int, ...] = ()) -> tuple[str, np.ndarray, np.ndarray, np.ndarray]:
    """Python source of ``rhs``, ``rhs_up`` and ``outputs`` for ``cause``, the input ``layout`` and ``lanes``.

    The states ``zero`` are 0 in the generated code (dormant states of the
    run: :func:`painloop.simulate._kernel.dormant_states`), so the code of
    drugs and therapies a scenario does not use disappears.

    Also returns the active states, their dormancy rules
    (:func:`dormancy_rules`) and the mask of the active states that form the
    upstream subsystem (:func:`upstream_states`): ``rhs_up`` computes their
    rates and ``rhs`` the others' (all of them when there is no upstream
    subsystem); both write ``dy`` at the state's position in ``active``.
    """
    from ..export.sbml import SymVec, _sym

    c, y, rates, t, xp = _symbolic_rates(cause, layout, zero)
    active = np.array([i for i, r in enumerate(rates) if r != 0], dtype=np.int64)
    rules = dormancy_rules([rates[i] for i in active], active, y)
    up = upstream_states([rates[i] for i in active], active, y)
    outputs = [_sym(c.a[n]) for n in system.OUTPUT_NAMES]
    for name, expr in [*zip(system.OUTPUT_NAMES, outputs), *zip(system.STATE_NAMES, rates)]:
        if isinstance(expr, SymVec):
            raise ValueError(f"{name!r} is a vector; the model must reduce event lists with xp.sum")

    printer = _float_printer(vector_math=lanes > 1)
    down_m = [m for m in range(active.size) if not up[m]]
    up_m = [m for m in range(active.size) if up[m]]
    jit = "@numba.cfunc(SIGNATURE, cache=True, fastmath=False, error_model='numpy')"
    signature = "(t, y, p, q, E, e_stride, eoff, NE, ne_stride, lane_p, ev, dy):"
    src = "\n".join([
        '"""Generated by painloop from the model declarations: do not edit."""',
        "",
        "import math",
        "",
        "import numba",
        "from numba import types",
        "",
        "from painloop.simulate import _vecmath as vm",
        "",
        f"LANES = {lanes}",
        f"N_SUMS = {len(xp.sums)}",
        "_F = types.CPointer(types.float64)",
        "_I = types.CPointer(types.int64)",
        "SIGNATURE = types.void(types.float64, _F, _F, _F, _F, types.int64, _I, _I, types.int64, _I, _F, _F)",
        '"""C signature of the generated functions (flat arrays as pointers; E and NE with their row strides)."""',
        "", "",
        jit,
        f"def rhs{signature}",
        '    """d(state)/dt of the downstream active states of every lane, state unit per hour (generated)."""',
        *_function_body(printer, [rates[active[m]] for m in down_m], "dy", xp.sums, lanes, down_m),
        "", "",
        jit,
        f"def rhs_up{signature}",
        '    """d(state)/dt of the upstream active states of every lane, state unit per hour (generated)."""',
        *_function_body(printer, [rates[active[m]] for m in up_m], "dy", xp.sums, lanes, up_m),
        "", "",
        jit,
        f"def outputs{signature}",
        '    """Every declared algebraic output of every lane (generated from the model declarations)."""',
        *_function_body(printer, outputs, "dy", xp.sums, lanes),
        "",
    ])
    return src, active, rules, up


def upstream_states(rhs_exprs: list[Any], active: np.ndarray, y: list[Any]) -> np.ndarray:
    """Mask (int8, one per active state) of the upstream subsystem: states integrated with their own steps.

    Upstream states are those whose rates read neither time nor any scenario
    input and only states that are upstream or held (not active): an
    autonomous subsystem that the rest reads but that reads nothing of the
    rest, e.g. the drugs' compartments (doses are jumps between steps). Its
    fast transients (absorption after each dose) then do not limit the step
    of the whole model. Empty (all 0) when fewer than two states qualify.
    """
    index = {symbol: k for k, symbol in enumerate(y)}
    held_ok = set(range(len(y))) - {int(i) for i in active}
    up = {int(i) for i, r in zip(active, rhs_exprs)
          if not any(s.name == "t" or s.name[:2] in ("q_", "e_") or s.name.startswith("evsum_")
                     for s in r.free_symbols)}
    deps = {int(i): {index[s] for s in r.free_symbols if s in index} for i, r in zip(active, rhs_exprs)}
    while True:
        broken = {i for i in up if not deps[i] <= up | held_ok}
        if not broken:
            break
        up -= broken
    mask = np.array([int(i) in up for i in active], dtype=np.int8)
    return mask if mask.sum() >= 2 else np.zeros_like(mask)


def dormancy_rules(rhs_exprs: list[Any], active: np.ndarray, y: list[Any]) -> np.ndarray:
    """When each active state provably stays exactly 0: an int8 array (n_active, 1 + n_states).

    Row ``m`` is about state ``active[m]``: column 0 is 1 when its rate is
    identically zero once it and every state its rate reads are zero, and
    columns ``1 + k`` mark those states ``k``. A state that is 0, receives no
    dose and whose marked states all stay 0 then keeps a rate of exactly 0
    (e.g. a drug's compartments when the drug is not given, a therapy habit
    when the therapy is absent), so the integrator may leave it out
    (:func:`painloop.simulate._kernel.dormant_states`): its stage values and
    error terms would all be 0.
    """
    import sympy as sp

    index = {symbol: k for k, symbol in enumerate(y)}
    rules = np.zeros((len(active), 1 + len(y)), dtype=np.int8)
    for m, (i, rate) in enumerate(zip(active, rhs_exprs)):
        deps = {index[s] for s in rate.free_symbols if s in index} | {int(i)}
        try:
            at_zero = rate.xreplace({y[k]: sp.Integer(0) for k in deps})
        except (ValueError, TypeError):  # e.g. 0/0 inside Min/Max at the zero state: not provably dormant
            continue
        if at_zero == 0:
            rules[m, 0] = 1
            rules[m, 1 + np.array(sorted(deps))] = 1
    return rules


def _needed(definitions: list[tuple[Any, Any]], exprs: list[Any]) -> list[tuple[Any, Any]]:
    """The ``(symbol, expression)`` definitions (in their order) that ``exprs`` read, directly or through others.

    Serves the event sums a function needs and the common subexpressions a loop over lanes needs.
    """
    needed = {s.name for e in exprs for s in e.free_symbols}
    for symbol, expr in reversed(definitions):
        if symbol.name in needed:
            needed |= {s.name for s in expr.free_symbols}
    return [(symbol, expr) for symbol, expr in definitions if symbol.name in needed]


def _loads(names: set[str], indent: str, lanes: int) -> list[str]:
    """Lines that read lane ``j``'s state, parameter and scalar-input symbols in ``names`` from the flat arrays."""
    arrays = {"s": "y", "p": "p", "q": "q"}
    lines = []
    for name in sorted(names, key=_symbol_order):
        kind, _, idx = name.partition("_")
        if kind in arrays and idx.isdigit():
            lines.append(f"{indent}{name} = {arrays[kind]}[{int(idx) * lanes} + j]")
    return lines


def _sum_loop(printer: Any, k: int, symbol: Any, summand: Any, lanes: int) -> list[str]:
    """Lines (inside the loop over lanes) computing the sum of ``summand`` over the lane's events into ``ev``.

    The lists read together (e.g. a therapy's start and end times) have one
    length per patient; the loop runs over the first one's.
    """
    import sympy as sp

    keys = sorted({int(s.name[2:]) for s in summand.free_symbols if s.name.startswith("e_")})
    if not keys:
        return [f"        {symbol.name} = {printer.doprint(summand)}", f"        ev[{k * lanes} + j] = {symbol.name}"]
    replacements, (reduced,) = sp.cse([summand], symbols=sp.numbered_symbols(f"{symbol.name}_x"),
                                      optimizations=None, order="none")
    lines = [f"        {symbol.name} = 0.0", f"        for i in range(NE[pj * ne_stride + {keys[0]}]):"]
    lines += [f"            e_{key} = E[pj * e_stride + eoff[{key}] + i]" for key in keys]
    lines += [f"            {sym.name} = {printer.doprint(expr)}" for sym, expr in replacements]
    lines.append(f"            {symbol.name} += {printer.doprint(reduced)}")
    lines.append(f"        ev[{k * lanes} + j] = {symbol.name}")
    return lines


def _function_body(printer: Any, exprs: list[Any], target: str, sums: list[tuple[Any, Any]], lanes: int,
                   positions: list[int] | None = None) -> list[str]:
    """Lines of a lane function: event sums per lane, then loops over lanes storing ``target[pos*lanes + j]``.

    Expression ``i`` is stored at row ``positions[i]`` (default ``i``).

    The loops that store the results (at most :data:`STORES_PER_LANE_LOOP`
    each) read only flat arrays at constant offsets from their lane (no
    runtime offset: LLVM must see every access's distance from the array's
    start), so LLVM vectorizes them (their trip count is the constant
    ``lanes``).
    """
    import sympy as sp

    if not exprs:
        return ["    return"]
    positions = list(range(len(exprs))) if positions is None else positions
    loops = _needed(sums, exprs)
    index = {symbol.name: k for k, (symbol, _) in enumerate(sums)}
    lines = []
    if loops:
        used_in_sums: set[str] = set()
        for _, summand in loops:
            used_in_sums |= {s.name for s in summand.free_symbols}
        lines += [f"    for j in range({lanes}):", "        pj = lane_p[j]"]
        lines += _loads(used_in_sums, "        ", lanes)
        for symbol, summand in loops:
            lines += _sum_loop(printer, index[symbol.name], symbol, summand, lanes)
    replacements, reduced = sp.cse(exprs, symbols=sp.numbered_symbols("x"), optimizations=None, order="none")
    per_loop = STORES_PER_LANE_LOOP if lanes > 1 else len(reduced)
    for first in range(0, len(reduced), per_loop):
        group = range(first, min(first + per_loop, len(reduced)))
        needed = _needed(replacements, [reduced[i] for i in group])
        used: set[str] = set()
        for e in [*(r for _, r in needed), *(reduced[i] for i in group)]:
            used |= {s.name for s in e.free_symbols}
        lines.append(f"    for j in range({lanes}):")
        lines += _loads(used, "        ", lanes)
        lines += [f"        {symbol.name} = ev[{index[symbol.name] * lanes} + j]" for symbol, _ in loops
                  if symbol.name in used]
        for symbol, expr in needed:
            lines.append(f"        {symbol.name} = {printer.doprint(expr)}")
        for i in group:
            lines.append(f"        {target}[{positions[i] * lanes} + j] = {printer.doprint(reduced[i])}")
    return lines


def _symbol_order(name: str) -> tuple[str, int]:
    kind, _, idx = name.partition("_")
    return (kind, int(idx) if idx.isdigit() else -1)
