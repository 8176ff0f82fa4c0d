"""Generate the compiled kernel's right-hand side from the model declarations.

The vector field is evaluated once with SymPy symbols through the same
functions the other engines run (:func:`painloop.model.system.context` and
:func:`painloop.model.system.rates`, with
:class:`painloop.export.sbml.SympyNamespace` as the array namespace), common
subexpressions are shared (``sympy.cse``) and the result is printed as plain
scalar Python that numba compiles. Nothing of the equations is typed here.

Layout of the generated functions (all arrays 1-D, one patient):

* ``rhs(t, y, p, q, dy)``: ``dy[i]`` = d(state ``active[i]``)/dt (state unit
  per hour) for the *active* states only: the states whose rate is not
  identically zero for this scenario structure (untreated runs hold the
  treatment compartments constant, as the JAX engine does);
* ``outputs(t, y, p, q, out)``: every declared algebraic output, in the order
  of :data:`painloop.model.system.OUTPUT_NAMES`.

``y`` is indexed like :data:`~painloop.model.system.STATE_NAMES`, ``p`` like
:data:`~painloop.model.system.PARAM_NAMES` and ``q`` like the input layout
returned by :func:`input_layout` (one slot per scalar input and one per
element of an event list).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from ..model import system
from ..scenario._inputs import SCHEDULE_KEYS

CODEGEN_VERSION = "1"
"""Bumped whenever the printed form changes, so cached kernels of an older form are not reused."""


@dataclass(frozen=True)
class InputSlot:
    """Where a scenario input lives in the kernel's ``q`` row: ``key`` (and ``element`` for event lists)."""

    key: str
    element: int | None


def input_layout(q: Mapping[str, Any]) -> tuple[InputSlot, ...]:
    """One slot per scalar input (a value per patient allowed) and one per element of an event list.

    Event lists (:data:`~painloop.scenario._inputs.SCHEDULE_KEYS`) have their
    events on the first axis: shape (n_events,) for all patients or
    (n_events, n_patients) per patient. Keys are sorted so the layout does not
    depend on the order the inputs were built in.
    """
    slots: list[InputSlot] = []
    for key in sorted(q):
        shape = np.shape(q[key])
        if key in SCHEDULE_KEYS:
            n_events = shape[0] if shape else 1
            slots += [InputSlot(key, i) for i in range(n_events)]
        elif len(shape) <= 1:
            slots.append(InputSlot(key, None))
        else:
            raise ValueError(f"scenario input {key!r} has shape {shape}; expected a scalar or one value per patient")
    return tuple(slots)


def structure_key(cause: str, layout: tuple[InputSlot, ...]) -> str:
    """Text that identifies the generated code for a cause and an input layout (hashed into the cache key)."""
    return f"{CODEGEN_VERSION}|{cause}|" + ",".join(f"{s.key}:{s.element}" for s in layout)


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


def generate_source(cause: str, layout: tuple[InputSlot, ...]) -> tuple[str, np.ndarray]:
    """Python source of ``rhs`` and ``outputs`` for ``cause`` and the input ``layout``, and the active state indices.

    A value placed in ``q`` for the symbolic evaluation is a SymPy symbol per
    slot; event lists become :class:`~painloop.export.sbml.SymVec` vectors, as
    in the SBML export.
    """
    import sympy as sp

    from ..export.sbml import SymVec, SympyNamespace, _sym

    t = sp.Symbol("t")
    y = [sp.Symbol(f"s_{i}") for i in range(len(system.STATE_NAMES))]
    p = {name: sp.Symbol(f"p_{i}") for i, name in enumerate(system.PARAM_NAMES)}
    q: dict[str, Any] = {}
    events: dict[str, list[Any]] = {}
    for i, slot in enumerate(layout):
        symbol = sp.Symbol(f"q_{i}")
        if slot.element is None:
            q[slot.key] = symbol
        else:
            events.setdefault(slot.key, []).append(symbol)
    q.update({k: SymVec(v) for k, v in events.items()})

    c = system.context(SympyNamespace(), cause, t, y, p, q)
    rates = [_sym(r) for r in system.rates(c)]
    active = np.array([i for i, r in enumerate(rates) if r != 0], dtype=np.int64)
    outputs = [_sym(c.a[n]) for n in system.OUTPUT_NAMES]
    for name, expr in zip(system.OUTPUT_NAMES, outputs):
        if isinstance(expr, SymVec):
            raise ValueError(f"output {name!r} is a vector; the model must reduce event lists with xp.sum")

    printer = _float_printer()
    rhs_body = _function_body(printer, [rates[i] for i in active], "dy")
    out_body = _function_body(printer, outputs, "out")
    src = "\n".join([
        "", "",
        "@numba.njit(cache=True, fastmath=False, error_model='numpy')",
        "def rhs(t, y, p, q, dy):",
        '    """d(active state)/dt, state unit per hour (generated from the model declarations)."""',
        *rhs_body,
        "", "",
        "@numba.njit(cache=True, fastmath=False, error_model='numpy')",
        "def outputs(t, y, p, q, out):",
        '    """Every declared algebraic output (generated from the model declarations)."""',
        *out_body,
        "",
    ])
    return src, active


def _function_body(printer: Any, exprs: list[Any], target: str) -> list[str]:
    """Lines that load the used symbols, compute shared subexpressions and store ``target[i] = exprs[i]``."""
    import sympy as sp

    replacements, reduced = sp.cse(exprs, symbols=sp.numbered_symbols("x"), optimizations=None, order="none")
    used: set[str] = set()
    for e in [*(r for _, r in replacements), *reduced]:
        used |= {s.name for s in e.free_symbols}
    lines = []
    for name in sorted(used, key=_symbol_order):
        kind, _, idx = name.partition("_")
        if kind in ("s", "p", "q") and idx.isdigit():
            array = {"s": "y", "p": "p", "q": "q"}[kind]
            lines.append(f"    {name} = {array}[{idx}]")
    for symbol, expr in replacements:
        lines.append(f"    {symbol.name} = {printer.doprint(expr)}")
    for i, expr in enumerate(reduced):
        lines.append(f"    {target}[{i}] = {printer.doprint(expr)}")
    return lines


def _symbol_order(name: str) -> tuple[str, int]:
    kind, _, idx = name.partition("_")
    return (kind, int(idx) if idx.isdigit() else -1)
