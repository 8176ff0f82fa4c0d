"""Adaptive Tsit5 over blocks of patients, with dose jumps and dense output: the kernel's integrator.

This file is a template: :mod:`painloop.simulate._kernel` appends the lane
count (``LANES``, one integrator module per lane count, the same for every
model) and compiles it with numba (cached on disk). The generated ``rhs``,
``rhs_up`` and ``outputs`` of a model structure
(:mod:`painloop.simulate._codegen`) are numba ``cfunc`` objects passed in as
``fns``: the integrator calls them through their addresses, so a new model or
input layout compiles only its generated functions, and the integrator's
machine code never contains (and never re-optimizes) them. It is written by
hand because no well-kept package integrates a batch of ODE
systems with per-block step control, per-patient failure isolation and exact
state jumps inside compiled code; the method and the step-size control are
those of diffrax's ``Tsit5`` with ``PIDController`` (integral control,
safety 0.9, factors 0.2–10, never shrinking after an accepted step), so the
two engines make the same choices.

Patients are grouped in blocks that share one step (the error is the largest
scaled error over the block's live patients); blocks are independent and run
in parallel threads (the compiled code releases the GIL), so a patient's
numbers do not depend on the number of threads. Inside a block, patients are
the lanes of chunks of ``LANES`` (a constant of the module): every
per-patient array is flat, one row of ``LANES`` values per state, so the loops
over lanes are SIMD code. A block's last chunk is padded with copies of its
last patient that never count (lane ``j`` computes the same numbers whatever
its neighbours, so padding and lane positions do not change any result).
Within a block a patient whose integration fails (a non-finite state or a step that collapses below ``H_MIN``) is stopped and
flagged; when the block runs out of steps, the patient whose error rejected
the most steps is flagged and the block stops. Either way the driver
(:func:`painloop.simulate._kernel.run_kernel`) integrates the block again
without the flagged patient. Dose jumps land exactly: a step is clipped to
the next dose time of the block, the amounts are added, and the derivative is
re-evaluated. Saved values come from Tsit5's own 5th-order interpolant; a
value saved at a dose time is the value just after the dose.

Status codes per patient: 0 ok, 1 step size collapsed or non-finite state,
2 step limit reached, 3 non-finite initial state or inputs.
"""

import math

import numba
import numpy as np
from numba import types
from numba.extending import intrinsic

H_MIN = 1e-7
"""Smallest step (h) before a patient is declared failed; the model's fastest time scale is ~0.1 h."""

C2 = 0.161
C3 = 0.327
C4 = 0.9
C5 = 0.9800255409045096857298102862870245954942137979563024768854764293221195950761080302604
A21 = 0.161
A31 = -0.8480655492356988544426874250230774675121177393430391537369234245294192976164141156943e-2
A32 = 0.3354806554923569885444268742502307746751211773934303915373692342452941929761641411569
A41 = 2.897153057105493432130432594192938764924887287701866490314866693455023795137503079289
A42 = -6.359448489975074843148159912383825625952700647415626703305928850207288721235210244366
A43 = 4.362295432869581411017727318190886861027813359713760212991062156752264926097707165077
A51 = 5.325864828439256604428877920840511317836476253097040101202360397727981648835607691791
A52 = -11.74888356406282787774717033978577296188744178259862899288666928009020615663593781589
A53 = 7.495539342889836208304604784564358155658679161518186721010132816213648793440552049753
A54 = -0.9249506636175524925650207933207191611349983406029535244034750452930469056411389539635e-1
A61 = 5.861455442946420028659251486982647890394337666164814434818157239052507339770711679748
A62 = -12.92096931784710929170611868178335939541780751955743459166312250439928519268343184452
A63 = 8.159367898576158643180400794539253485181918321135053305748355423955009222648673734986
A64 = -0.7158497328140099722453054252582973869127213147363544882721139659546372402303777878835e-1
A65 = -0.2826905039406838290900305721271224146717633626879770007617876201276764571291579142206e-1
B1 = 0.9646076681806522951816731316512876333711995238157997181903319145764851595234062815396e-1
B2 = 0.01
B3 = 0.4798896504144995747752495322905965199130404621990332488332634944254542060153074523509
B4 = 1.379008574103741893192274821856872770756462643091360525934940067397245698027561293331
B5 = -3.290069515436080679901047585711363850115683290894936158531296799594813811049925401677
B6 = 2.324710524099773982415355918398765796109060233222962411944060046314465391054716027841
E1 = B1 - 0.9468075576583945807478876255758922856117527357724631226139574065785592789071067303271e-1
E2 = B2 - 0.9183565540343253096776363936645313759813746240984095238905939532922955247253608687270e-2
E3 = B3 - 0.4877705284247615707855642599631228241516691959761363774365216240304071651579571959813
E4 = B4 - 1.234297566930478985655109673884237654035539930748192848315425833500484878378061439761
E5 = B5 + 2.707712349983525454881109975059321670689605166938197378763992255714444407154902012702
E6 = B6 - 1.866628418170587035753719399566211498666255505244122593996591602841258328965767580089
E7 = -1.0 / 66.0

A = np.array([
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [A21, 0.0, 0.0, 0.0, 0.0, 0.0],
    [A31, A32, 0.0, 0.0, 0.0, 0.0],
    [A41, A42, A43, 0.0, 0.0, 0.0],
    [A51, A52, A53, A54, 0.0, 0.0],
    [A61, A62, A63, A64, A65, 0.0],
    [B1, B2, B3, B4, B5, B6],
])
"""Tsit5 stage coefficients: row s gives stage s from stages 0..s-1 (row 6, the solution, is also stage 7: FSAL)."""
C = np.array([0.0, C2, C3, C4, C5, 1.0, 1.0])
E = np.array([E1, E2, E3, E4, E5, E6, E7])
"""Error estimate weights (5th- minus embedded 4th-order solution)."""
ERR_W = E
""":data:`E` under a name that the integrator's argument ``E`` (event values) does not hide."""

UP_STEPS_KEPT = 64
"""Upstream steps kept for the downstream stages (a downstream step never spans more; it is shortened if it would)."""


_JIT = dict(cache=True, fastmath=False, error_model="numpy", nogil=True, no_cpython_wrapper=True)
"""Options of the functions called only from compiled code (no Python entry point to compile)."""


@numba.njit(**_JIT)
def _interp_weights(theta, w):
    """Tsit5's 5th-order dense-output weights at ``theta`` in [0, 1] (Tsitouras 2011; as diffrax)."""
    t = theta
    w[0] = -1.0530884977290216 * t * (t - 1.3299890189751412) * (t * t - 1.4364028541716351 * t + 0.7139816917074209)
    w[1] = 0.1017 * t * t * (t * t - 2.1966568338249754 * t + 1.2949852507374631)
    w[2] = 2.490627285651252793 * t * t * (t * t - 2.38535645472061657 * t + 1.57803468208092486)
    w[3] = -16.54810288924490272 * (t - 1.21712927295533244) * (t - 0.61620406037800089) * t * t
    w[4] = 47.37952196281928122 * (t - 1.203071208372362603) * (t - 0.658047292653547382) * t * t
    w[5] = -34.87065786149660974 * (t - 1.2) * (t - 0.666666666666666667) * t * t
    w[6] = 2.5 * (t - 1.0) * (t - 0.6) * t * t


@numba.njit(**_JIT)
def _finite_inputs(pj, y0, P, Q, E, eoff, NE):
    """True when patient ``pj``'s state, parameters, scalar inputs and used event values are all finite."""
    for v in y0[pj]:
        if not math.isfinite(v):
            return False
    for v in P[pj]:
        if not math.isfinite(v):
            return False
    for v in Q[pj]:
        if not math.isfinite(v):
            return False
    for k in range(eoff.size):
        for i in range(NE[pj, k]):
            if not math.isfinite(E[pj, eoff[k] + i]):
                return False
    return True


@numba.njit(**_JIT)
def _copy(src, dst):
    """``dst[i] = src[i]`` (a loop: slice assignment compiles numba's shape-mismatch error formatting, ~2 s cold)."""
    for i in range(src.size):
        dst[i] = src[i]


@numba.njit(**_JIT)
def _to_lanes(src, lane_p, dst):
    """Copy rows ``src[lane_p[l]]`` (one patient each) into the lane layout ``dst[(c*width + i)*LANES + j]``."""
    width = src.shape[1]
    for lane in range(lane_p.size):
        c, j = divmod(lane, LANES)  # noqa: F821 (LANES is defined by the generated module)
        for i in range(width):
            dst[(c * width + i) * LANES + j] = src[lane_p[lane], i]  # noqa: F821


@intrinsic
def _data(typingctx, arr):
    """The data pointer of array ``arr`` (``arr.ctypes`` would add a reference-count increment and decrement)."""
    sig = types.CPointer(arr.dtype)(arr)

    def codegen(context, builder, signature, args):
        return context.make_array(signature.args[0])(context, builder, args[0]).data

    return sig, codegen


@numba.njit(**_JIT)
def _call(f, t, y, P, Q, E, eoff, NE, lane_p, ev, out):
    """Call the generated function ``f`` (a cfunc: flat arrays as pointers, ``E`` and ``NE`` with their row strides)."""
    f(t, _data(y), _data(P), _data(Q), _data(E), E.shape[1], _data(eoff), _data(NE), NE.shape[1], _data(lane_p),
      _data(ev), _data(out))


@numba.njit(**_JIT)
def _rates(fns, mode, t, y, P, Q, E, eoff, NE, lane_p, ev, out, n, npar, nq, nc):
    """The generated ``rhs`` (``mode`` 0), ``rhs_up`` (1) or both (2) of every chunk at time ``t`` (h).

    Rates go to ``out[(c*n_active + m)*LANES + j]`` at the state's position
    ``m`` in the active states. Each chunk's arrays are passed as views, so
    that the generated code indexes them at constant offsets (which LLVM
    needs to vectorize).
    """
    L = LANES  # noqa: F821
    if nc == 1:  # one chunk (e.g. one patient): the arrays themselves, no views to make
        if mode != 0:
            _call(fns[1], t, y, P, Q, E, eoff, NE, lane_p, ev, out)  # noqa: F821
        if mode != 1:
            _call(fns[0], t, y, P, Q, E, eoff, NE, lane_p, ev, out)  # noqa: F821
        return
    na = out.size // (nc * L)
    for c in range(nc):
        yc, pc, qc = y[c * n * L:(c + 1) * n * L], P[c * npar * L:(c + 1) * npar * L], Q[c * nq * L:(c + 1) * nq * L]
        lc, oc = lane_p[c * L:(c + 1) * L], out[c * na * L:(c + 1) * na * L]
        if mode != 0:
            _call(fns[1], t, yc, pc, qc, E, eoff, NE, lc, ev, oc)  # noqa: F821
        if mode != 1:
            _call(fns[0], t, yc, pc, qc, E, eoff, NE, lc, ev, oc)  # noqa: F821


@numba.njit(**_JIT)
def _combine(weights, nw, k, kb, acc):
    """``acc[j]`` = sum over r < ``nw`` of ``weights[r] * k[r, kb + j]`` for every lane (r outer: SIMD over lanes).

    Indices into rows of lanes are unsigned (``kb`` too): numba then emits no
    negative-index wrap-around, so LLVM sees contiguous loads and vectorizes.
    """
    for j in range(U_LANES):
        acc[j] = weights[0] * k[0, kb + j]
    for r in range(1, nw):
        wr = weights[r]
        for j in range(U_LANES):
            acc[j] += wr * k[r, kb + j]


@numba.njit(**_JIT)
def _row(c, n, i):
    """Unsigned flat index of the first lane of row ``i`` of chunk ``c`` (rows of ``n``, ``LANES`` lanes each)."""
    return np.uint64((c * n + i) * LANES)  # noqa: F821


@numba.njit(**_JIT)
def _stage_state(s, a_s, hh, y, yt, k, active, live_m, n, nc, acc):
    """Integrated states (``active[live_m]``) of stage ``s`` of every lane into ``yt``: y + hh * sum_r a_s[r] k_r.

    ``a_s`` is row ``s`` of :data:`A` (a writable copy: every weight vector
    passed to :func:`_combine` has one array type, so it compiles once).
    """
    na = active.size
    for c in range(nc):
        for m in live_m:
            base = _row(c, n, active[m])
            _combine(a_s, s, k, _row(c, na, m), acc)
            for j in range(U_LANES):
                yt[base + j] = y[base + j] + hh * acc[j]


@numba.njit(**_JIT)
def _lane_errors(hh, e_w, y, yt, k, active, live_m, rtol, atol, n, nc, err, acc):
    """Largest scaled error of each lane's attempted step (inf when not finite), as diffrax's PIDController.

    ``atol[i]`` is state ``i``'s absolute tolerance (its unit), ``rtol`` the relative one; ``e_w`` the error
    weights :data:`E` (a writable copy).
    """
    na = active.size
    err[:] = 0.0
    for c in range(nc):
        for m in live_m:
            a_tol = atol[active[m]]
            base = _row(c, n, active[m])
            _combine(e_w, e_w.size, k, _row(c, na, m), acc)
            first = np.uint64(c * LANES)  # noqa: F821
            for j in range(U_LANES):
                sc = abs(hh * acc[j]) / (a_tol + rtol * max(abs(y[base + j]), abs(yt[base + j])))
                sc = sc if sc < math.inf else math.inf  # NaN counts as an infinite error
                err[first + j] = max(err[first + j], sc)


@numba.njit(**_JIT)
def _interpolate(hh, w, y, yt, k, active, live_m, n, nc, acc):
    """Every lane's integrated states inside the accepted step into ``yt``, from the dense-output weights ``w``."""
    na = active.size
    for c in range(nc):
        for m in live_m:
            base = _row(c, n, active[m])
            _combine(w, w.size, k, _row(c, na, m), acc)
            for j in range(U_LANES):
                yt[base + j] = y[base + j] + hh * acc[j]


@numba.njit(**_JIT)
def _store(fns, ys_out, outs_out, i_save, t, y, P, Q, E, eoff, NE, lane_p, live, keep, ev, obuf, n, npar, nq, nc):
    """Write the kept states and every output of each live lane (state ``y`` at time ``t``) at save ``i_save``."""
    nout = outs_out.shape[0]
    L = LANES  # noqa: F821
    if nc == 1:
        _call(fns[2], t, y, P, Q, E, eoff, NE, lane_p, ev, obuf)  # noqa: F821
    else:
        for c in range(nc):
            _call(fns[2], t, y[c * n * L:(c + 1) * n * L], P[c * npar * L:(c + 1) * npar * L],  # noqa: F821
                    Q[c * nq * L:(c + 1) * nq * L], E, eoff, NE, lane_p[c * L:(c + 1) * L], ev,
                    obuf[c * nout * L:(c + 1) * nout * L])
    for lane in range(lane_p.size):
        if not live[lane]:
            continue
        c, j = divmod(lane, LANES)  # noqa: F821
        pj = lane_p[lane]
        for m in range(keep.size):
            ys_out[m, pj, i_save] = y[(c * n + keep[m]) * LANES + j]  # noqa: F821
        for m in range(nout):
            outs_out[m, pj, i_save] = obuf[(c * nout + m) * LANES + j]  # noqa: F821


@numba.njit(**_JIT)
def _apply_doses(t, y, lane, pj, n, evpos, ev_end, ev_t, ev_state, ev_amt, tol):
    """Add every dose of lane ``lane`` (patient ``pj``) due at or before ``t``; True when a state jumped."""
    c, j = divmod(lane, LANES)  # noqa: F821
    jumped = False
    while evpos[lane] < ev_end[lane] and ev_t[evpos[lane]] <= t + tol:
        y[(c * n + ev_state[evpos[lane]]) * LANES + j] += ev_amt[evpos[lane]]  # noqa: F821
        evpos[lane] += 1
        jumped = True
    return jumped


@numba.njit(**_JIT)
def _push_up(buf_t, buf_h, buf_y, buf_k, slot, t, hh, y, k, active, live_u, n, nc):
    """Keep the accepted upstream step [``t``, ``t + hh``] (its start state and its 7 stages) in ring slot ``slot``."""
    buf_t[slot] = t
    buf_h[slot] = hh
    na = active.size
    for c in range(nc):
        for m in live_u:
            src = _row(c, n, active[m])
            dst = _row(c, na, m)
            for j in range(U_LANES):
                buf_y[slot, dst + j] = y[src + j]
            for r in range(7):
                for j in range(U_LANES):
                    buf_k[slot, r, dst + j] = k[r, dst + j]


@numba.njit(**_JIT)
def _fill_up(tau, buf_t, buf_h, buf_y, buf_k, head, count, cap, tol, w, yt, active, live_u, n, nc, acc):
    """The upstream states at ``tau`` (h) into ``yt``, from the kept step that ends at or after ``tau``.

    Left-continuous: at a dose time the step that ends there gives the value
    just before the dose (the downstream step that ends there lands on it).
    """
    b = (head + count - 1) % cap
    for i in range(count):
        bi = (head + i) % cap
        if tau <= buf_t[bi] + buf_h[bi] + tol:
            b = bi
            break
    theta = min(1.0, max(0.0, (tau - buf_t[b]) / buf_h[b]))
    _interp_weights(theta, w)
    hb = buf_h[b]
    na = active.size
    kb = buf_k[b]
    for c in range(nc):
        for m in live_u:
            src = _row(c, na, m)
            dst = _row(c, n, active[m])
            _combine(w, w.size, kb, src, acc)
            for j in range(U_LANES):
                yt[dst + j] = buf_y[b, src + j] + hb * acc[j]


@numba.njit(**_JIT)
def _worst_lane(nb, live, err):
    """The largest scaled error over the live lanes and its lane (0.0 and lane 0 when none is live)."""
    e_max = 0.0
    worst = 0
    for lane in range(nb):
        if live[lane] and err[lane] > e_max:
            e_max = err[lane]
            worst = lane
    return e_max, worst


@numba.njit(**_JIT)
def _grown(hh, e_max):
    """The next step (h) after an accepted step ``hh`` with largest scaled error ``e_max``: ×1 to ×10."""
    return hh * (10.0 if e_max == 0.0 else min(10.0, max(1.0, 0.9 * e_max ** -0.2)))


@numba.njit(**_JIT)
def _shrunk(hh, e_max):
    """The retried step (h) after a rejected step ``hh``: ×0.2 to ×0.9 (×0.2 when the error is not finite)."""
    return hh * (0.2 if not math.isfinite(e_max) else min(0.9, max(0.2, 0.9 * e_max ** -0.2)))


@numba.njit(**_JIT)
def _drop_failing(nb, live, err, status, idx):
    """Stop the lanes whose error still exceeds 1 when the step has collapsed (status 1); returns how many."""
    dropped = 0
    for lane in range(nb):
        if live[lane] and not err[lane] <= 1.0:
            live[lane] = False
            status[idx[lane]] = 1
            dropped += 1
    return dropped


@numba.njit(**{**_JIT, "no_cpython_wrapper": False})
def integrate_block(fns, n_sums, idx, t0, t1, y0, P, Q, E, eoff, NE, active, live_m, live_u, down_mode, keep, save_t, ev_ptr,
                    ev_t, ev_state, ev_amt, rtol, atol, h_state, max_steps, ys_out, outs_out, status, counts):
    """Integrate the patients ``idx`` (one block sharing a step) over [``t0``, ``t1``) hours.

    ``y0[patient]`` is the state at ``t0`` (doses at ``t0`` not yet given)
    and is overwritten with the state at ``t1``; ``t1`` is exclusive (doses
    and save times at ``t1`` belong to the next call), so a run cut into
    chunks gives doses and saves exactly once. ``h_state[patient]`` carries
    the proposed step (h) from one chunk to the next. Writes saved states
    (``ys_out[kept state, patient, save]``), outputs
    (``outs_out[output, patient, save]``), ``status[patient]`` and adds the
    block's accepted and rejected (downstream) steps to ``counts[patient, 0:2]``.

    ``live_m`` and ``live_u`` list the positions in ``active`` of the
    downstream and upstream states integrated (the others are dormant: 0
    with a rate of exactly 0 all along). The upstream subsystem (e.g. drug
    compartments: it reads nothing of the rest) runs ahead with its own
    steps and error control; the downstream stages read it from Tsit5's
    dense output of those steps, so a fast absorption transient after a dose
    shortens only the cheap upstream steps. ``down_mode`` is 0 when the
    downstream stages evaluate ``rhs`` only, 2 when they evaluate
    ``rhs_up`` too (upstream states integrated with the rest, in ``live_m``).
    """
    nb = idx.size
    n = y0.shape[1]
    npar = P.shape[1]
    nq = Q.shape[1]
    na = active.size
    ns = save_t.size
    nc = (nb + LANES - 1) // LANES  # noqa: F821
    nl = nc * LANES  # noqa: F821
    tol_t = 1e-9 * max(1.0, abs(t1))
    lane_p = np.empty(nl, dtype=np.int64)
    for lane in range(nl):
        lane_p[lane] = idx[min(lane, nb - 1)]
    y = np.empty(nc * n * LANES)  # noqa: F821
    yt = np.empty_like(y)
    pl = np.empty(nc * npar * LANES)  # noqa: F821
    ql = np.empty(nc * nq * LANES)  # noqa: F821
    _to_lanes(y0, lane_p, y)
    _to_lanes(P, lane_p, pl)
    _to_lanes(Q, lane_p, ql)
    k = np.empty((7, nc * na * LANES))  # noqa: F821
    ynew = np.empty(nc * n * LANES)  # noqa: F821
    ev = np.empty(max(1, n_sums) * LANES)  # noqa: F821
    obuf = np.empty(nc * outs_out.shape[0] * LANES)  # noqa: F821
    w = np.empty(7)
    tab = np.zeros((8, 7))  # rows 0-6: A (stage weights), row 7: E (error weights), writable copies
    for r in range(7):
        tab[7, r] = ERR_W[r]
        for c2 in range(6):
            tab[r, c2] = A[r, c2]
    acc = np.empty(LANES)  # noqa: F821
    err = np.empty(nl)
    live = np.zeros(nl, dtype=np.bool_)
    blame = np.zeros(nl, dtype=np.int64)
    evpos = np.zeros(nl, dtype=np.int64)
    ev_end = np.zeros(nl, dtype=np.int64)
    has_up = live_u.size > 0
    cap = UP_STEPS_KEPT if has_up else 1
    nk = nc * na * LANES if has_up else 1  # noqa: F821
    buf_t = np.zeros(cap)
    buf_h = np.ones(cap)
    buf_y = np.zeros((cap, nk))
    buf_k = np.zeros((cap, 7, nk))
    yu = np.empty(nc * n * LANES if has_up else 1)  # noqa: F821
    ytu = np.empty_like(yu)
    ku = np.empty((7, nk))
    evpos_u = np.zeros(nl, dtype=np.int64)
    n_live = 0
    for lane in range(nb):
        pj = idx[lane]
        evpos[lane] = ev_ptr[pj]
        ev_end[lane] = ev_ptr[pj + 1]
        while evpos[lane] < ev_end[lane] and ev_t[evpos[lane]] < t0 - tol_t:
            evpos[lane] += 1
        if status[pj] == 0 and not _finite_inputs(pj, y0, P, Q, E, eoff, NE):
            status[pj] = 3
        live[lane] = status[pj] == 0
        n_live += live[lane]
    t = t0
    i_save = 0
    while i_save < ns and save_t[i_save] < t0 - tol_t:
        i_save += 1
    for lane in range(nb):
        if live[lane]:
            _apply_doses(t, y, lane, idx[lane], n, evpos, ev_end, ev_t, ev_state, ev_amt, tol_t)
    _copy(y, yt)  # held (inactive) states, e.g. patches worn, are read from yt and change only at doses
    while i_save < ns and save_t[i_save] <= t + tol_t and save_t[i_save] < t1 - tol_t:
        _store(fns, ys_out, outs_out, i_save, save_t[i_save], y, pl, ql, E, eoff, NE, lane_p, live, keep, ev, obuf, n,
               npar, nq, nc)
        i_save += 1
    _rates(fns, down_mode, t, y, pl, ql, E, eoff, NE, lane_p, ev, k[0], n, npar, nq, nc)
    h = h_state[idx[0]]
    n_acc = 0
    n_rej = 0
    # upstream subsystem: its own state, stages, step, dose pointers and kept steps (ring of ``cap``)
    tu = t
    hu = h
    nu = 0
    head = np.int64(0)  # np.int64: not a literal, so that the callees compile for one type only
    count = np.int64(0)
    up_mode = np.int64(1)
    if has_up:
        _copy(y, yu)
        _copy(y, ytu)
        for lane in range(nl):
            evpos_u[lane] = evpos[lane]
        _rates(fns, up_mode, t, yu, pl, ql, E, eoff, NE, lane_p, ev, ku[0], n, npar, nq, nc)
    while t < t1 - tol_t and n_live > 0:
        if n_acc + n_rej + nu >= max_steps:
            worst = -1
            for lane in range(nb):
                if live[lane] and (worst < 0 or blame[lane] > blame[worst]):
                    worst = lane
            status[idx[worst]] = 2
            break
        t_stop = t1
        for lane in range(nb):
            if live[lane] and evpos[lane] < ev_end[lane] and ev_t[evpos[lane]] < t_stop:
                t_stop = ev_t[evpos[lane]]
        land = t + h >= t_stop - tol_t
        hh = t_stop - t if land else h
        if has_up:
            while tu < t + hh - tol_t and count < cap and n_live > 0 and n_acc + n_rej + nu < max_steps:
                tu_stop = t1
                for lane in range(nb):
                    if live[lane] and evpos_u[lane] < ev_end[lane] and ev_t[evpos_u[lane]] < tu_stop:
                        tu_stop = ev_t[evpos_u[lane]]
                land_u = tu + hu >= tu_stop - tol_t
                hhu = tu_stop - tu if land_u else hu
                for s in range(1, 7):
                    _stage_state(s, tab[s], hhu, yu, ytu, ku, active, live_u, n, nc, acc)
                    _rates(fns, up_mode, tu + C[s] * hhu, ytu, pl, ql, E, eoff, NE, lane_p, ev, ku[s], n, npar, nq, nc)
                _lane_errors(hhu, tab[7], yu, ytu, ku, active, live_u, rtol, atol, n, nc, err, acc)
                nu += 1
                e_max, worst = _worst_lane(nb, live, err)
                if e_max <= 1.0:
                    _push_up(buf_t, buf_h, buf_y, buf_k, (head + count) % cap, tu, hhu, yu, ku, active, live_u, n, nc)
                    count += 1
                    tu = tu_stop if land_u else tu + hhu
                    _copy(ytu, yu)
                    _copy(ku[6], ku[0])
                    if land_u and tu < t1 - tol_t:
                        jumped = False
                        for lane in range(nb):
                            if live[lane] and _apply_doses(tu, yu, lane, idx[lane], n, evpos_u, ev_end, ev_t, ev_state,
                                                           ev_amt, tol_t):
                                jumped = True
                        if jumped:
                            _rates(fns, up_mode, tu, yu, pl, ql, E, eoff, NE, lane_p, ev, ku[0], n, npar, nq, nc)
                            _copy(yu, ytu)
                    hu = _grown(hhu, e_max) if not land_u else max(hu, _grown(hhu, e_max))
                else:
                    blame[worst] += 1
                    hu = _shrunk(hhu, e_max)
                    if hu < H_MIN:
                        n_live -= _drop_failing(nb, live, err, status, idx)
                        hu = h_state[idx[0]]
            if n_live == 0:
                break
            if tu < t + hh - tol_t:  # the kept steps do not reach the end of this step: shorten it
                hh = tu - t
                land = False
                if hh <= 0.0:
                    continue
        for s in range(1, 7):
            _stage_state(s, tab[s], hh, y, yt, k, active, live_m, n, nc, acc)
            if has_up:
                _fill_up(t + C[s] * hh, buf_t, buf_h, buf_y, buf_k, head, count, cap, tol_t, w, yt, active, live_u, n,
                         nc, acc)
            _rates(fns, down_mode, t + C[s] * hh, yt, pl, ql, E, eoff, NE, lane_p, ev, k[s], n, npar, nq, nc)
        _lane_errors(hh, tab[7], y, yt, k, active, live_m, rtol, atol, n, nc, err, acc)
        e_max, worst = _worst_lane(nb, live, err)
        if e_max <= 1.0:
            n_acc += 1
            t_new = t_stop if land else t + hh
            if i_save < ns and save_t[i_save] < t_new - tol_t:  # saves inside the step: yt is needed for them
                _copy(yt, ynew)
                while i_save < ns and save_t[i_save] < t_new - tol_t:
                    _interp_weights((save_t[i_save] - t) / hh, w)
                    _interpolate(hh, w, y, yt, k, active, live_m, n, nc, acc)
                    if has_up:
                        _fill_up(save_t[i_save], buf_t, buf_h, buf_y, buf_k, head, count, cap, tol_t, w, yt, active,
                                 live_u, n, nc, acc)
                    _store(fns, ys_out, outs_out, i_save, save_t[i_save], yt, pl, ql, E, eoff, NE, lane_p, live, keep,
                           ev, obuf, n, npar, nq, nc)
                    i_save += 1
                _copy(ynew, y)
            else:
                _copy(yt, y)
            t = t_new
            _copy(k[6], k[0])
            while count > 1 and buf_t[head] + buf_h[head] <= t - tol_t:  # kept steps wholly before t
                head = (head + 1) % cap
                count -= 1
            if land and t < t1 - tol_t:
                jumped = False
                for lane in range(nb):
                    if live[lane] and _apply_doses(t, y, lane, idx[lane], n, evpos, ev_end, ev_t, ev_state, ev_amt,
                                                   tol_t):
                        jumped = True
                if jumped:
                    _rates(fns, down_mode, t, y, pl, ql, E, eoff, NE, lane_p, ev, k[0], n, npar, nq, nc)
                    _copy(y, yt)  # held states that jumped
            while i_save < ns and save_t[i_save] <= t + tol_t and save_t[i_save] < t1 - tol_t:
                _store(fns, ys_out, outs_out, i_save, save_t[i_save], y, pl, ql, E, eoff, NE, lane_p, live, keep, ev,
                       obuf, n, npar, nq, nc)
                i_save += 1
            h = _grown(hh, e_max) if not land else max(h, _grown(hh, e_max))
        else:
            n_rej += 1
            blame[worst] += 1
            h = _shrunk(hh, e_max)
            if h < H_MIN:
                n_live -= _drop_failing(nb, live, err, status, idx)
                h = h_state[idx[0]]
    for lane in range(nb):
        pj = idx[lane]
        c, j = divmod(lane, LANES)  # noqa: F821
        counts[pj, 0] += n_acc
        counts[pj, 1] += n_rej
        h_state[pj] = h
        for m in range(n):
            y0[pj, m] = y[(c * n + m) * LANES + j] if live[lane] else math.nan  # noqa: F821
