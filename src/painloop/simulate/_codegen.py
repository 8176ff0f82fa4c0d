"""Generate the compiled kernel's right-hand side from the model declarations.

The vector field is evaluated once with SymPy symbols through the same
functions the other engines run (:func:`painloop.model.system.context` and
:func:`painloop.model.system.rates`, with
:class:`painloop.export.sbml.SympyNamespace` as the array namespace), common
subexpressions are shared (``sympy.cse``) and the result is printed as plain
scalar Python that numba compiles. Nothing of the equations is typed here.

Layout of the generated functions (all arrays 1-D, one patient):

* ``rhs(t, y, p, q, e, eoff, ne, dy)``: ``dy[i]`` = d(state ``active[i]``)/dt (state unit
  per hour) for the *active* states only: the states whose rate is not
  identically zero for this scenario structure (untreated runs hold the
  treatment compartments constant, as the JAX engine does);
* ``outputs(t, y, p, q, e, eoff, ne, out)``: every declared algebraic output, in the order
  of :data:`painloop.model.system.OUTPUT_NAMES`.

``y`` is indexed like :data:`~painloop.model.system.STATE_NAMES`, ``p`` like
:data:`~painloop.model.system.PARAM_NAMES` and ``q`` like
:attr:`InputLayout.scalars`; event list ``k`` of :attr:`InputLayout.events`
holds ``ne[k]`` values from ``e[eoff[k]]`` on. A sum over events
(``xp.sum`` in the model) becomes a loop, so the code does not depend on how
many events a scenario has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from ..model import system
from ..scenario._inputs import SCHEDULE_KEYS

CODEGEN_VERSION = "2"
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


def structure_key(cause: str, layout: InputLayout) -> str:
    """Text that identifies the generated code for a cause and an input layout (hashed into the cache key)."""
    return f"{CODEGEN_VERSION}|{cause}|{','.join(layout.scalars)}|{','.join(layout.events)}"


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


def _float_printer():
    """A SymPy printer of plain scalar Python for numba: ``math`` functions, exact float literals."""
    import sympy as sp
    from sympy.printing.pycode import PythonCodePrinter

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
            if exp == -1:
                return f"(1.0/({self._print(base)}))"
            if exp == 2:
                b = self._print(base)
                return f"(({b})*({b}))"
            if exp == sp.Rational(1, 2):
                return f"math.sqrt({self._print(base)})"
            return f"(({self._print(base)})**({self._print(exp)}))"

    return _Printer({"fully_qualified_modules": True, "standard": "python3"})


def generate_source(cause: str, layout: InputLayout) -> tuple[str, np.ndarray]:
    """Python source of ``rhs`` and ``outputs`` for ``cause`` and the input ``layout``, and the active state indices."""
    import sympy as sp

    from ..export.sbml import SymVec, _sym

    t = sp.Symbol("t")
    y = [sp.Symbol(f"s_{i}") for i in range(len(system.STATE_NAMES))]
    p = {name: sp.Symbol(f"p_{i}") for i, name in enumerate(system.PARAM_NAMES)}
    q: dict[str, Any] = {key: sp.Symbol(f"q_{i}") for i, key in enumerate(layout.scalars)}
    q.update({key: SymVec([sp.Symbol(f"e_{k}")]) for k, key in enumerate(layout.events)})

    xp = _loop_namespace()
    c = system.context(xp, cause, t, y, p, q)
    rates = [_sym(r) for r in system.rates(c)]
    active = np.array([i for i, r in enumerate(rates) if r != 0], dtype=np.int64)
    outputs = [_sym(c.a[n]) for n in system.OUTPUT_NAMES]
    for name, expr in [*zip(system.OUTPUT_NAMES, outputs), *zip(system.STATE_NAMES, rates)]:
        if isinstance(expr, SymVec):
            raise ValueError(f"{name!r} is a vector; the model must reduce event lists with xp.sum")

    printer = _float_printer()
    rhs_exprs = [rates[i] for i in active]
    src = "\n".join([
        "", "",
        "@numba.njit(cache=True, fastmath=False, error_model='numpy', nogil=True)",
        "def rhs(t, y, p, q, e, eoff, ne, dy):",
        '    """d(active state)/dt, state unit per hour (generated from the model declarations)."""',
        *_function_body(printer, rhs_exprs, "dy", xp.sums),
        "", "",
        "@numba.njit(cache=True, fastmath=False, error_model='numpy', nogil=True)",
        "def outputs(t, y, p, q, e, eoff, ne, out):",
        '    """Every declared algebraic output (generated from the model declarations)."""',
        *_function_body(printer, outputs, "out", xp.sums),
        "",
    ])
    return src, active


def _used_sums(exprs: list[Any], sums: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """The event sums that ``exprs`` need, directly or through other sums, in the order they were recorded."""
    needed = {s.name for e in exprs for s in e.free_symbols if s.name.startswith("evsum_")}
    for symbol, summand in reversed(sums):
        if symbol.name in needed:
            needed |= {s.name for s in summand.free_symbols if s.name.startswith("evsum_")}
    return [(symbol, summand) for symbol, summand in sums if symbol.name in needed]


def _loads(names: set[str], indent: str) -> list[str]:
    """Lines that read the state, parameter and scalar-input symbols in ``names`` from their arrays."""
    arrays = {"s": "y", "p": "p", "q": "q"}
    lines = []
    for name in sorted(names, key=_symbol_order):
        kind, _, idx = name.partition("_")
        if kind in arrays and idx.isdigit():
            lines.append(f"{indent}{name} = {arrays[kind]}[{idx}]")
    return lines


def _sum_loop(printer: Any, symbol: Any, summand: Any) -> list[str]:
    """Lines computing ``symbol`` = the sum of ``summand`` over the events of the event lists it reads.

    The lists read together (e.g. a therapy's start and end times) have one
    length per patient; the loop runs over the first one's.
    """
    import sympy as sp

    keys = sorted({int(s.name[2:]) for s in summand.free_symbols if s.name.startswith("e_")})
    if not keys:
        return [f"    {symbol.name} = {printer.doprint(summand)}"]
    replacements, (reduced,) = sp.cse([summand], symbols=sp.numbered_symbols(f"{symbol.name}_x"),
                                      optimizations=None, order="none")
    lines = [f"    {symbol.name} = 0.0", f"    for i in range(ne[{keys[0]}]):"]
    lines += [f"        e_{k} = e[eoff[{k}] + i]" for k in keys]
    lines += [f"        {sym.name} = {printer.doprint(expr)}" for sym, expr in replacements]
    lines.append(f"        {symbol.name} += {printer.doprint(reduced)}")
    return lines


def _function_body(printer: Any, exprs: list[Any], target: str, sums: list[tuple[Any, Any]]) -> list[str]:
    """Lines that load the used symbols, run the event sums, compute shared subexpressions and store ``target[i]``."""
    import sympy as sp

    loops = _used_sums(exprs, sums)
    replacements, reduced = sp.cse(exprs, symbols=sp.numbered_symbols("x"), optimizations=None, order="none")
    used: set[str] = set()
    for e in [*(r for _, r in replacements), *reduced, *(summand for _, summand in loops)]:
        used |= {s.name for s in e.free_symbols}
    lines = _loads(used, "    ")
    for symbol, summand in loops:
        lines += _sum_loop(printer, symbol, summand)
    for symbol, expr in replacements:
        lines.append(f"    {symbol.name} = {printer.doprint(expr)}")
    for i, expr in enumerate(reduced):
        lines.append(f"    {target}[{i}] = {printer.doprint(expr)}")
    return lines


def _symbol_order(name: str) -> tuple[str, int]:
    kind, _, idx = name.partition("_")
    return (kind, int(idx) if idx.isdigit() else -1)
