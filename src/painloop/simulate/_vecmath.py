"""``exp``, ``log``, ``sin``, ``cos`` and ``pow`` for the generated kernel, emitted inline so that LLVM vectorizes them.

The generated right-hand side (:mod:`painloop.simulate._codegen`) loops over
the lanes of a chunk of patients and LLVM computes all lanes at once; a call
to the C library's ``sin`` or ``exp`` in that loop is made lane by lane, and
those calls took about half of a step's time. These functions are numba
intrinsics: each use emits the C library's algorithm (fdlibm: Cody–Waite
argument reduction and its minimax polynomials) as LLVM instructions in the
calling function, so that the loop over lanes vectorizes with them inside
(the same algorithms as called numba functions stayed scalar: not inlined,
or inlined only after LLVM had unrolled the loop) and numba types one call
instead of their ~40 operations (printed as Python lines, the kernel took
17 s to compile instead of 4).

Accuracy: ``exp`` and ``log`` within 1 unit in the last place; ``sin`` and
``cos`` within 1.2e-16 absolute up to |x| ≈ 8·10⁵ (the phase 2π·t/24 of a
daily cycle after 350 years in hours: the reduction uses a 99-bit π/2), beyond that within the order of
the argument's own rounding, and 0 from |x| = 1e15 on (where that rounding
exceeds a tenth of a radian); ``pow`` is exp(y·log|x|), within a few tens of
units in the last place for the model's Hill exponents. No fast-math: a
vectorized lane computes exactly what the scalar code computes, so a lane's
result does not depend on its neighbours. Special values follow C (inf, NaN,
zero and negative bases of ``pow``; ±0 results are not signed).
"""

from __future__ import annotations

import math
from typing import Callable, Union

from llvmlite import ir
from numba import types
from numba.extending import intrinsic

_D = ir.DoubleType()
_I = ir.IntType(64)


class _Num:
    """An LLVM value (float64 or int64) of one IR builder with Python's operators, so the algorithms read as arithmetic.

    Float operations are IEEE operations without fast-math flags, in the
    order written, as numba compiles Python arithmetic.
    """

    def __init__(self, builder: ir.IRBuilder, value: ir.Value) -> None:
        self.b = builder
        self.v = value

    def _lift(self, other: Union["_Num", float, int]) -> ir.Value:
        if isinstance(other, _Num):
            return other.v
        return ir.Constant(self.v.type, float(other) if self.v.type == _D else int(other))

    def _op(self, fop: str, iop: str, other: Union["_Num", float, int], swap: bool = False) -> "_Num":
        a, b = self.v, self._lift(other)
        a, b = (b, a) if swap else (a, b)
        return _Num(self.b, getattr(self.b, fop if self.v.type == _D else iop)(a, b))

    def __add__(self, o): return self._op("fadd", "add", o)
    def __radd__(self, o): return self._op("fadd", "add", o, True)
    def __sub__(self, o): return self._op("fsub", "sub", o)
    def __rsub__(self, o): return self._op("fsub", "sub", o, True)
    def __mul__(self, o): return self._op("fmul", "mul", o)
    def __rmul__(self, o): return self._op("fmul", "mul", o, True)
    def __truediv__(self, o): return self._op("fdiv", "sdiv", o)
    def __rtruediv__(self, o): return self._op("fdiv", "sdiv", o, True)
    def __neg__(self): return _Num(self.b, self.b.fneg(self.v))
    def __rshift__(self, n): return _Num(self.b, self.b.ashr(self.v, self._lift(n)))
    def __lshift__(self, n): return _Num(self.b, self.b.shl(self.v, self._lift(n)))
    def __and__(self, o): return _Num(self.b, self.b.and_(self.v, self._lift(o)))
    def __or__(self, o): return _Num(self.b, self.b.or_(self.v, self._lift(o)))

    def _cmp(self, op: str, o: Union["_Num", float]) -> "_Num":  # ordered: False when either side is NaN
        return _Num(self.b, self.b.fcmp_ordered(op, self.v, self._lift(o)))

    def __lt__(self, o): return self._cmp("<", o)
    def __le__(self, o): return self._cmp("<=", o)
    def __gt__(self, o): return self._cmp(">", o)
    def __ge__(self, o): return self._cmp(">=", o)

    def eq(self, o: Union["_Num", float]) -> "_Num":
        """``self == o`` (False for NaN)."""
        return self._cmp("==", o)

    def is_nan(self) -> "_Num":
        return _Num(self.b, self.b.fcmp_unordered("uno", self.v, self.v))

    def both(self, o: "_Num") -> "_Num":
        """Logical and of two conditions (no branch)."""
        return _Num(self.b, self.b.and_(self.v, o.v))

    def either(self, o: "_Num") -> "_Num":
        """Logical or of two conditions (no branch)."""
        return _Num(self.b, self.b.or_(self.v, o.v))

    def where(self, a: Union["_Num", float, int], b: Union["_Num", float, int]) -> "_Num":
        """``a if self else b`` for a condition ``self`` (a select: no branch)."""
        ref = a if isinstance(a, _Num) else b if isinstance(b, _Num) else _Num(self.b, ir.Constant(_D, 0.0))
        return _Num(self.b, self.b.select(self.v, ref._lift(a), ref._lift(b)))

    def _intrinsic(self, name: str) -> "_Num":
        fn = self.b.module.declare_intrinsic(name, [_D])
        return _Num(self.b, self.b.call(fn, [self.v]))

    def floor(self) -> "_Num":
        return self._intrinsic("llvm.floor")

    def abs(self) -> "_Num":
        return self._intrinsic("llvm.fabs")

    def to_int(self) -> "_Num":
        """The int64 of a whole float64 in range."""
        return _Num(self.b, self.b.fptosi(self.v, _I))

    def to_float(self) -> "_Num":
        """The float64 of an int64."""
        return _Num(self.b, self.b.sitofp(self.v, _D))

    def bits(self) -> "_Num":
        """The IEEE-754 bits of a float64 as an int64."""
        return _Num(self.b, self.b.bitcast(self.v, _I))

    def from_bits(self) -> "_Num":
        """The float64 whose IEEE-754 bits are this int64."""
        return _Num(self.b, self.b.bitcast(self.v, _D))


_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10


def _exp(x: _Num) -> _Num:
    """e**x: x = n·ln 2 + r with |r| ≤ ln 2 / 2, e**r by fdlibm's rational form, times 2**n as 2**⌊n/2⌋·2**⌈n/2⌉
    (so that subnormal results need no special case)."""
    c = (x > -746.0).where(x, -746.0)
    c = (c < 710.0).where(c, 710.0)
    n = (c * 1.44269504088896338700e+00 + 0.5).floor()
    hi = c - n * _LN2_HI
    lo = n * _LN2_LO
    r = hi - lo
    z = r * r
    p = r - z * (1.66666666666666019037e-01 + z * (-2.77777777770155933842e-03 + z * (
        6.61375632143793436117e-05 + z * (-1.65339022054652515390e-06 + z * 4.13813679705723846039e-08))))
    e = 1.0 - ((lo - (r * p) / (2.0 - p)) - hi)
    k = n.to_int()
    half = k >> 1
    y = e * ((half + 1023) << 52).from_bits() * (((k - half) + 1023) << 52).from_bits()
    small = x.is_nan().where(x, 0.0)
    return (x > 709.782712893384).where(math.inf, (x >= -745.1332191019412).where(y, small))


def _log(x: _Num) -> _Num:
    """Natural logarithm: x = 2**k·m with √½ < m ≤ √2, log m by fdlibm's polynomial in s = (m-1)/(m+1)."""
    tiny = x < 2.2250738585072014e-308
    b = tiny.where(x * 18014398509481984.0, x).bits()  # subnormals scaled by 2**54 first
    m = ((b & 0x000FFFFFFFFFFFFF) | 0x3FF0000000000000).from_bits()
    big = m > 1.4142135623730951
    m = big.where(m * 0.5, m)
    kf = (b >> 52).to_float() - tiny.where(1077.0, 1023.0) + big.where(1.0, 0.0)
    f = m - 1.0
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    t1 = w * (3.999999999940941908e-01 + w * (2.222219843214978396e-01 + w * 1.531383769920937332e-01))
    t2 = z * (6.666666666666735130e-01 + w * (2.857142874366239149e-01 + w * (1.818357216161805012e-01
                                                                               + w * 1.479819860511658591e-01)))
    hfsq = 0.5 * f * f
    y = kf * _LN2_HI - ((hfsq - (s * (hfsq + (t2 + t1)) + kf * _LN2_LO)) - f)
    y = x.eq(0.0).where(-math.inf, (x < 0.0).where(math.nan, y))
    return x.eq(math.inf).either(x.is_nan()).where(x, y)


def _sin(x: _Num, quarter_turns: int = 0) -> _Num:
    """sin(x + quarter_turns·π/2) (``cos`` with 1): x = n·π/2 + r, |r| ≤ π/4, fdlibm's kernels by quadrant."""
    finite = x.abs() < 1e15
    a = finite.where(x, 0.0)
    n = (a * 6.36619772367581382433e-01 + 0.5).floor()
    r = ((a - n * 1.57079632673412561417e+00) - n * 6.07710050630396597660e-11) - n * 2.02226624871116645580e-21
    q = n + float(quarter_turns)
    q = q - 4.0 * (0.25 * q).floor()
    z = r * r
    s = r + z * r * (-1.66666666666666324348e-01 + z * (8.33333333332248946124e-03 + z * (
        -1.98412698298579493134e-04 + z * (2.75573137070700676789e-06 + z * (
            -2.50507602534068634195e-08 + z * 1.58969099521155010221e-10)))))
    w = 1.0 - 0.5 * z
    c = w + (((1.0 - w) - 0.5 * z) + z * z * (4.16666666666666019037e-02 + z * (-1.38888888888741095749e-03 + z * (
        2.48015872894767294178e-05 + z * (-2.75573143513906633035e-07 + z * (
            2.08757232129817482790e-09 + z * -1.13596475577881948265e-11))))))
    v = q.eq(0.0).where(s, q.eq(1.0).where(c, q.eq(2.0).where(-s, -c)))
    return finite.where(v, x - x)


def _cos(x: _Num) -> _Num:
    """Cosine: sin(x + π/2)."""
    return _sin(x, 1)


def _pow(x: _Num, y: _Num) -> _Num:
    """x**y as exp(y·log|x|), with C's sign, zero and NaN rules (a negative base needs a whole exponent)."""
    e = _exp(y * _log(x.abs()))
    c = (y.abs() < 4503599627370496.0).where(y, 0.0)  # beyond 2**52 every float is even
    whole = c.floor().eq(c).both(y.eq(y))
    odd = whole.both((0.5 * c).floor() * 2.0 < c)
    v = (x < 0.0).both(odd).where(-e, e)
    v = (x >= 0.0).either(whole).where(v, math.nan)
    v = x.eq(0.0).where(y.is_nan().where(y, (y > 0.0).where(0.0, math.inf)), v)
    return y.eq(0.0).either(x.eq(1.0)).where(1.0, v)


def _intrinsic_of(algorithm: Callable[..., _Num], arity: int):
    """A numba intrinsic (float64 arguments and result) that emits ``algorithm``'s instructions at each call."""
    def codegen(context, builder, signature, args):
        return algorithm(*(_Num(builder, a) for a in args)).v

    if arity == 1:
        def typer(typingctx, x):
            return types.float64(types.float64), codegen
    else:
        def typer(typingctx, x, y):
            return types.float64(types.float64, types.float64), codegen
    typer.__name__ = typer.__qualname__ = algorithm.__name__.lstrip("_")
    typer.__doc__ = algorithm.__doc__
    return intrinsic(typer)


exp = _intrinsic_of(_exp, 1)
log = _intrinsic_of(_log, 1)
sin = _intrinsic_of(_sin, 1)
cos = _intrinsic_of(_cos, 1)
pow = _intrinsic_of(_pow, 2)  # noqa: A001 (SymPy's name of the function printed as it)
