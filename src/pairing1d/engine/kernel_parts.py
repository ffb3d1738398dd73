r"""The pieces both batched kernels are built of: event codes, the packed layout's constants, the Dormand-Prince 5(4)
tableau with its continuous extension, and the compiled routines of a step, its events and its end.

The scalar kernel (:mod:`pairing1d.engine.batch`, one device per thread) and the lane kernel
(:mod:`pairing1d.engine.lanes`, devices in SIMD lanes) both import this module and neither imports the other's
internals, so the lane kernel no longer reaches into the scalar one. The right-hand side is
:func:`pairing1d.theory.flow_equations.rhs` itself, compiled here (``_rhs``).

The compiled code is cached on disk, in a directory keyed by the source of the kernels' modules
(:data:`KERNEL_SOURCES`: this one, both kernels and :mod:`pairing1d.theory.flow_equations`), since numba itself only
notices changes to the file of the cached function. Each kernel module points numba there while its own functions
are decorated (``_dir``).
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
from pathlib import Path

import numba as nb
import numpy as np

from ..theory import flow_equations as fe

DEFAULT_RTOL = 1e-8
"""Relative tolerance of the batched Dormand-Prince steps (the scipy path uses the same, so the two agree)."""
DEFAULT_ATOL = 1e-10
"""Absolute tolerance of the batched steps."""
MAX_STEPS = 200_000
"""Accepted plus rejected steps after which a flow is abandoned (its events stay as found, ``l_end`` < lmax)."""

EVENTS = ("l_bar", "l_bbar", "l_bbar2", "l_runaway", "l_drop1", "l_drop2", "l_end", "singlet_weight") + tuple(
    f"{name}_hand{k}" for k in range(len(fe.HANDOVER_FACTORS)) for name in fe.SNAPSHOT)
"""Columns of the kernel's event array: the events, then for each hand-over threshold
(:data:`pairing1d.theory.flow_equations.HANDOVER_FACTORS` times ``y_strong``) the RG time where :math:`|y_1|` first
reached
it (``inf``: never) and the state there (:data:`pairing1d.theory.flow_equations.SNAPSHOT`)."""
E_BAR, E_BBAR, E_BBAR2, E_RUN, E_DROP1, E_DROP2, E_END, E_WEIGHT = range(8)
E_HAND = 8
"""First column of the hand-over snapshots; threshold ``k`` starts at ``E_HAND + k * N_SNAPSHOT``."""
N_SNAPSHOT = len(fe.SNAPSHOT)
N_HAND = len(fe.HANDOVER_FACTORS)
_LOG_FACTORS = tuple(math.log(f) for f in fe.HANDOVER_FACTORS)
_SNAPSHOT_STATE = fe.SNAPSHOT_STATE

N_STATE = fe.N_STATE


KERNEL_SOURCES = ("engine/kernel_parts.py", "engine/batch.py", "engine/lanes.py", "theory/flow_equations.py")
"""The files (relative to the package) whose source keys numba's cache directory: the compiled code of both kernels."""


def _cache_dir() -> str | None:
    """A numba cache directory keyed by the source of the compiled code (None: numba's default)."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for name in KERNEL_SOURCES:
        digest.update((package / name).read_bytes())
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pairing1d"
    path = base / f"numba-{digest.hexdigest()[:16]}"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return str(path)


_saved_cache_dir = nb.config.CACHE_DIR
_dir = _cache_dir()
if _dir is not None:
    nb.config.CACHE_DIR = _dir  # read when each cached function below is decorated

# fast math without the finite-math assumptions (lstar = inf and lmass = inf are meaningful values here), without
# reassociation, and without "nsz": with "contract" + "nsz" (numba 0.68, measured) the code compiled in a process
# and the same code loaded from numba's cache differed in the last bit, so a Dask worker and its parent disagreed
# (tests/test_engine.py::test_jit_cache_is_on_disk_and_bit_for_bit)
_FAST = {"contract", "arcp", "afn"}
_rhs = nb.njit(cache=True, inline="always", fastmath=_FAST)(fe.rhs)

# Dormand-Prince 5(4) tableau (the one of scipy's RK45)
_C = np.array([0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0])
_A = np.array([
    [0.0, 0.0, 0.0, 0.0, 0.0],
    [1 / 5, 0.0, 0.0, 0.0, 0.0],
    [3 / 40, 9 / 40, 0.0, 0.0, 0.0],
    [44 / 45, -56 / 15, 32 / 9, 0.0, 0.0],
    [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729, 0.0],
    [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
])
_B = np.array([35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84])
_E = np.array([-71 / 57600, 0.0, 71 / 16695, -71 / 1920, 17253 / 339200, -22 / 525, 1 / 40])
# the quartic continuous extension of the pair (scipy's RK45.P): y(l + t h) = y + h sum_j k_j (P_j . (t, t^2, t^3, t^4))
_P = np.array([
    [1.0, -8048581381 / 2820520608, 8663915743 / 2820520608, -12715105075 / 11282082432],
    [0.0, 0.0, 0.0, 0.0],
    [0.0, 131558114200 / 32700410799, -68118460800 / 10900136933, 87487479700 / 32700410799],
    [0.0, -1754552775 / 470086768, 14199869525 / 1410260304, -10690763975 / 1880347072],
    [0.0, 127303824393 / 49829197408, -318862633887 / 49829197408, 701980252875 / 199316789632],
    [0.0, -282668133 / 205662961, 2019193451 / 616988883, -1453857185 / 822651844],
    [0.0, 40617522 / 29380423, -110615467 / 29380423, 69997945 / 29380423],
])

# event kinds inside the kernel: _HAND0 + k is |y1| at HANDOVER_FACTORS[k] * y_strong (k = 1 is _STRONG1's threshold)
_SPIN, _STRONG1, _STRONG2, _DROP1, _DROP2, _WALL1, _WALL2, _HAND0 = range(8)


@nb.njit(cache=True, fastmath=_FAST)
def _step(l, y, f0, h, p, k, ynew, tmp):
    """One Dormand-Prince step of size h from (l, y) with f0 = rhs(l, y); fills k[0..6] and ynew."""
    for i in range(N_STATE):
        k[0, i] = f0[i]
    for stage in range(1, 6):
        for i in range(N_STATE):
            acc = 0.0
            for j in range(stage):
                acc += _A[stage, j] * k[j, i]
            tmp[i] = y[i] + h * acc
        _rhs(l + _C[stage] * h, tmp, p, k[stage])
    for i in range(N_STATE):
        acc = 0.0
        for j in range(6):
            acc += _B[j] * k[j, i]
        ynew[i] = y[i] + h * acc
    _rhs(l + h, ynew, p, k[6])


@nb.njit(cache=True)
def _hand_level(p, k):
    r""":math:`\ln|y_1|` of hand-over threshold ``k``: :math:`\ln y_{\rm strong} + \ln f_k`."""
    return p[fe.P_LOG_YSTRONG] + _LOG_FACTORS[k]


@nb.njit(cache=True)
def _event(kind, y, p):
    """Value of an event function; each crosses zero upwards."""
    if kind == _SPIN:
        return y[fe.ZR] * y[fe.ZR] + y[fe.ZI] * y[fe.ZI] - 1.0
    if kind == _STRONG1:
        return y[fe.U1] - p[fe.P_LOG_YSTRONG]
    if kind == _STRONG2:
        return y[fe.U2] - p[fe.P_LOG_YSTRONG]
    if kind == _DROP1:
        return y[fe.D1] - p[fe.P_DDROP]
    if kind == _WALL1:
        return y[fe.U1] - fe.U_WALL
    if kind == _WALL2:
        return y[fe.U2] - fe.U_WALL
    if kind >= _HAND0:
        return y[fe.U1] - _hand_level(p, kind - _HAND0)
    return y[fe.D2] - p[fe.P_DDROP]


@nb.njit(cache=True)
def _dense(y, k, h, t, i):
    """Component ``i`` of the continuous extension of the step just taken, at the fraction ``t`` of it."""
    acc = 0.0
    for j in range(7):
        acc += k[j, i] * (t * (_P[j, 0] + t * (_P[j, 1] + t * (_P[j, 2] + t * _P[j, 3]))))
    return y[i] + h * acc


@nb.njit(cache=True)
def _event_dense(kind, y, k, h, t, p):
    """Event value on the continuous extension at the fraction ``t`` of the step (the state of :func:`_event`)."""
    if kind == _SPIN:
        zr = _dense(y, k, h, t, fe.ZR)
        zi = _dense(y, k, h, t, fe.ZI)
        return zr * zr + zi * zi - 1.0
    if kind == _STRONG1:
        return _dense(y, k, h, t, fe.U1) - p[fe.P_LOG_YSTRONG]
    if kind == _STRONG2:
        return _dense(y, k, h, t, fe.U2) - p[fe.P_LOG_YSTRONG]
    if kind == _DROP1:
        return _dense(y, k, h, t, fe.D1) - p[fe.P_DDROP]
    if kind == _WALL1:
        return _dense(y, k, h, t, fe.U1) - fe.U_WALL
    if kind == _WALL2:
        return _dense(y, k, h, t, fe.U2) - fe.U_WALL
    if kind >= _HAND0:
        return _dense(y, k, h, t, fe.U1) - _hand_level(p, kind - _HAND0)
    return _dense(y, k, h, t, fe.D2) - p[fe.P_DDROP]


@nb.njit(cache=True)
def _locate(y, k, h, p, kind, g_end):
    """Root in (0, h] of event ``kind`` on the step's continuous extension (as scipy locates events): Illinois
    regula falsi in the fraction t; ``g_end`` is the event value at the end of the step. Returns the root's offset
    from the start of the step."""
    g_a = _event(kind, y, p)
    a, b, g_b = 0.0, 1.0, g_end
    side = 0
    for _ in range(100):
        if g_b == g_a:
            break
        t = (a * g_b - b * g_a) / (g_b - g_a)
        if not (a < t < b):
            t = 0.5 * (a + b)
        g_t = _event_dense(kind, y, k, h, t, p)
        if g_t == 0.0:
            return t * h
        if (g_t > 0.0) == (g_b > 0.0):
            b, g_b = t, g_t
            if side == -1:
                g_a *= 0.5
            side = -1
        else:
            a, g_a = t, g_t
            if side == 1:
                g_b *= 0.5
            side = 1
        if (b - a) * h <= 1e-14 * max(1.0, h):
            break
    return 0.5 * (a + b) * h


@nb.njit(cache=True)
def _crossed(kind, y, ynew, p):
    return _event(kind, y, p) < 0.0 <= _event(kind, ynew, p)


@nb.njit(cache=True)
def _first_step(y, f0, rtol, atol):
    """The first step of a flow from the state ``y`` and its slope ``f0``: scipy's heuristic reduced to its first
    guess, 1% of the ratio of the scaled norms of ``y`` and ``f0``."""
    d0 = 0.0
    d1 = 0.0
    for i in range(N_STATE):
        sc = atol + abs(y[i]) * rtol
        d0 += (y[i] / sc) ** 2
        d1 += (f0[i] / sc) ** 2
    d0 = math.sqrt(d0 / N_STATE)
    d1 = math.sqrt(d1 / N_STATE)
    return 1e-6 if d0 < 1e-5 or d1 < 1e-5 else 0.01 * d0 / d1


@nb.njit(cache=True)
def _record_spin_gap(ev, l_gap, y):
    r"""|Z| = 1 at ``l_gap`` with the state ``y``: the singlet weight :math:`(1 - \mathrm{Re}Z/|Z|)/2` decides between a
    spin gap of pairs (``l_bar``, weight >= 1/2) and a runaway towards the triplet (``l_runaway``)."""
    weight = 0.5 * (1.0 - y[fe.ZR] / math.hypot(y[fe.ZR], y[fe.ZI]))
    ev[E_WEIGHT] = weight
    if weight >= 0.5:
        ev[E_BAR] = l_gap
    else:
        ev[E_RUN] = l_gap


@nb.njit(cache=True)
def _hands_over(p):
    """Whether vertex 1 can hand over to the locked theory now: present, and in ``cic`` not dropped (a dropped vertex
    acts on nothing; the tanh schemes record every crossing, classified against their cutoff)."""
    return p[fe.P_HAS1] != 0.0 and (p[fe.P_SCHEME] != fe.CIC or p[fe.P_ALIVE1] != 0.0)


@nb.njit(cache=True)
def _snapshot(ev, k, l_at, y, ks, h, t):
    """Record hand-over ``k`` at ``l_at``: the snapshot entries of the state on the step's continuous extension at the
    fraction ``t`` of the step."""
    base = E_HAND + k * N_SNAPSHOT
    ev[base] = l_at
    for m in range(N_SNAPSHOT - 1):
        ev[base + 1 + m] = _dense(y, ks, h, t, _SNAPSHOT_STATE[m])


@nb.njit(cache=True)
def _handovers_at_start(ev, y, p):
    """Hand-over thresholds that a bare |y1| already reaches (possible for the lower ones): recorded at l = 0 with the
    bare state."""
    if not _hands_over(p):
        return
    for k in range(N_HAND):
        if _event(_HAND0 + k, y, p) >= 0.0:
            base = E_HAND + k * N_SNAPSHOT
            ev[base] = 0.0
            for m in range(N_SNAPSHOT - 1):
                ev[base + 1 + m] = y[_SNAPSHOT_STATE[m]]


@nb.njit(cache=True)
def _handovers_in_step(ev, l, y, ynew, k_stages, h, p, s_term):
    """Hand-over thresholds of vertex 1 crossed inside an accepted step, before its terminal event at ``s_term``
    (``inf``: none): located on the continuous extension and recorded with the state there."""
    if not _hands_over(p):
        return
    for k in range(N_HAND):
        if ev[E_HAND + k * N_SNAPSHOT] == math.inf and _crossed(_HAND0 + k, y, ynew, p):
            s = _locate(y, k_stages, h, p, _HAND0 + k, _event(_HAND0 + k, ynew, p))
            if s <= s_term:
                _snapshot(ev, k, l + s, y, k_stages, h, s / h)


@nb.njit(cache=True)
def _su2_tail(l, y, lmax, out_state, ev):
    """The rest of a flow whose vertices are all gone, on the SU(2) line: dys/dl = -ys^2 exactly, so
    ys(l) = ys0/(1 + ys0 (l - l0)) reaches -1 after (1 - |ys0|)/|ys0| if ys0 < 0 (the closed form of Sec. II B 1)."""
    ys0 = y[fe.ZR]
    for i in range(N_STATE):
        out_state[i] = y[i]
    if ys0 < 0.0 and l + (1.0 + ys0) / (-ys0) <= lmax:
        l_gap = l + (1.0 + ys0) / (-ys0)
        out_state[fe.ZR] = -1.0
        ev[E_BAR] = l_gap
        ev[E_WEIGHT] = 1.0
        ev[E_END] = l_gap
        return
    out_state[fe.ZR] = ys0 / (1.0 + ys0 * (lmax - l))
    ev[E_END] = lmax


UNROLL_THRESHOLD = 20000
"""LLVM's loop-unrolling threshold while the kernel, and only the kernel, is compiled (README, "Phase diagrams")."""
_LLVM_O3_UNROLL_THRESHOLD = 300  # LLVM's own value at -O3 (numba's level), restored after the kernel is compiled


@contextlib.contextmanager
def _aggressive_unrolling():
    """Let LLVM unroll the kernel's fixed-length loops (the 12 variables, the 7 stages, the 2 vertices) for the block
    only. The option is global to the process, so it is reset to LLVM's -O3 value when the block ends: numba code
    compiled later (the user's own) is left as it would be. Measured (256^2 Fig. 4 grid, two cores, three
    alternating processes each): 1.12-1.19x faster for (consistent, cic), 1.15-1.39x for (paper, printed), events
    and end states bit for bit the same; the first compilation takes about 25 s instead of 15."""
    import llvmlite.binding as llvm

    llvm.set_option("pairing1d", f"-unroll-threshold={UNROLL_THRESHOLD}")
    try:
        yield
    finally:
        llvm.set_option("pairing1d", f"-unroll-threshold={_LLVM_O3_UNROLL_THRESHOLD}")


nb.config.CACHE_DIR = _saved_cache_dir
