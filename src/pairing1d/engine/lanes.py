r"""The RG flows of many devices in SIMD lanes: the lockstep kernel behind
:func:`pairing1d.engine.batch.integrate_batch`.

Over 600 lines because the lockstep integrator is one compiled unit: the lane step loop, the per-lane routines it
calls without reference counting (rebinds of :mod:`pairing1d.engine.kernel_parts`' step and event routines), the
vectorisable ``exp`` and ``log1p`` and the lane views the right-hand side is rebound to are compiled together, and
numba's on-disk cache is checked for this file's entry (``_in_cache``); the shared pieces of both kernels are
already in :mod:`pairing1d.engine.kernel_parts`.

The scalar kernel (:mod:`pairing1d.engine.batch`) integrates one device per thread; its time goes to latency, one
device's chain of dependent operations at a time. Here each thread integrates a block of :data:`LANES` devices side by
side, structure-of-arrays (variable ``i`` of lane ``j`` at ``y[i, j]``), so that every loop over the lanes is a loop the
compiler turns into vector instructions: the Runge-Kutta stages, the six right-hand sides per step, the error norm and
the step-size control. Each lane keeps its own RG time, step size and acceptance; a lane whose flow ends takes the next
device of the queue at once, so long flows do not idle a block. The rare things of a flow (an event inside the step, a
dropped vertex, the end) are done for that lane alone, by the scalar kernel's own routines on the lane's column.

**Same flow, same integrator.** The right-hand side is :func:`pairing1d.theory.flow_equations.rhs`: its very code
object, rebound (:func:`rebind`) to two other globals. ``math.exp`` and ``math.log1p`` become :func:`exp` and
:func:`log1p` below, pure arithmetic that vectorises (numba compiles ``math.exp`` to ``llvm.exp.f64``, which LLVM
vectorises only through Intel's SVML, absent from the PyPI llvmlite; ``log1p`` is a libm call). The arrays become
:class:`LaneView`\ s, one lane's column of a ``[rows, LANES]`` array, which may pin some flags of the packed row
(scheme, vertices present, real couplings) to compile-time constants, so that the branches of ``rhs`` on them fold away
instead of being executed by every lane: devices are grouped by these flags (:data:`VARIANTS`) and a block holds one
group. The integrator is the scalar kernel's: the Dormand-Prince 5(4) pair with scipy's step-size control,
:data:`pairing1d.engine.kernel_parts.MAX_STEPS`, the events located by Illinois regula falsi on the step's quartic
continuous extension. One difference: at a terminal event (spin gap, dropped vertex, wall) the state is taken from that
continuous extension instead of from a second Runge-Kutta step onto the event, so that no lane re-steps alone; the
events move by less than 1e-7 and the phases, control flags and step counts are the same on 2000 random devices
(``tests/test_engine_lanes.py``). Results do not depend on the batch: each lane computes the same operations whatever
its neighbours do.

**Status**: the default kernel (:data:`pairing1d.engine.batch.DEFAULT_KERNEL`). On the 256^2 Fig. 4 grid, two cores,
kernels alternately in one process (``make bench``, eight runs): 0.093-0.126 s for the default flow (3.9-6.1x the
scalar kernel), 0.13-0.195 s for the paper's (4.5-5.7x); README, "Phase diagrams". What it took, each found with
``perf`` on the running kernel:
array views and array arguments cost two atomic reference-count updates each (a quarter of the step loop's time,
then a tenth in the event location), hence the step loop and the per-lane routines compiled without reference
counting, and the event location compiled again for them (``_without_refcounts``); the right-hand side inlined
into the step loop was not vectorised, so it is a function of its own; a group integrates only the variables that
move (:func:`still_rows`: 6 of 12 for the paper's device in cic, 4 in printed); the lane loops index
``[variable, lane]`` with a lane index the compiler knows to be non-negative (a flat index with an unknown offset
made numba emit its negative-index wraparound for every element, and LLVM gathers instead of vector loads); the
tanh cutoff's feedback is one branch-free expression (:func:`pairing1d.theory.flow_equations.cutoff_weight`), which the
lanes had evaluated on both sides of a test; one vector pass decides every lane's step, and only a lane with an
event, an end, a drop or the step budget goes through ``_special``. 8 lanes per block gave 1.4x, 32 and 64
lanes 2.3x (before the rest); each thread runs its own pieces of the batch, shared by size (``_pieces``: with
numba's static schedule the lanes had gained 1.5x from the second core, the scalar kernel 1.8x). The first
compilation takes about 50 s (then numba's cache).
"""

from __future__ import annotations

import math
import operator
import sys
import types as _pytypes

import numba as nb
import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, models, overload, register_jitable, register_model

from ..theory import flow_equations as fe
from . import kernel_parts as _engine
from .kernel_parts import (
    _A,
    _B,
    _C,
    _DROP1,
    _E,
    _FAST,
    _SPIN,
    _STRONG1,
    _WALL1,
    E_BBAR,
    E_DROP1,
    E_END,
    MAX_STEPS,
    _first_step,
    _record_spin_gap,
    _su2_tail,
)
from .kernel_parts import E_HAND as _E_HAND
from .kernel_parts import N_HAND as _N_HAND
from .kernel_parts import N_SNAPSHOT as _N_SNAPSHOT
from .kernel_parts import _hand_level as _hand_level_counted

_saved_cache_dir = nb.config.CACHE_DIR
if _engine._dir is not None:
    nb.config.CACHE_DIR = _engine._dir  # the kernels' cache, keyed by the source of both kernels (kernel_parts)

__all__ = ["LANES", "VARIANTS", "still_rows", "exp", "log1p", "rebind", "LaneView", "integrate_lanes"]

LANES = 64
"""Devices integrated side by side by one thread: 16 AVX2 vectors of doubles, so that every loop over the lanes has
independent work to overlap (8 lanes: 1.4x the scalar kernel, 32 and 64 lanes: 2.3x, on the 256^2 grid)."""

N_STATE = fe.N_STATE
N_PACKED = fe.N_PACKED

# --- pure-arithmetic exp and log1p (vectorisable) -------------------------------------------------------------------


@intrinsic
def _as_int(typingctx, x):
    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], ir.IntType(64))
    return types.int64(types.float64), codegen


@intrinsic
def _as_float(typingctx, x):
    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], ir.DoubleType())
    return types.float64(types.int64), codegen


_LOG2E = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01  # fdlibm's split of ln 2: n * _LN2_HI is exact for |n| < 2^11
_LN2_LO = 1.90821492927058770002e-10
_EXP_C = tuple(1.0 / math.factorial(k) for k in range(14))  # Taylor to r^13/13!: 4e-18 at |r| = ln2/2
_ATANH_C = tuple(1.0 / (2 * k + 1) for k in range(12))  # 2 atanh z = 2 z sum z^2k/(2k+1), |z| <= 0.172


@register_jitable(inline="always")
def exp(x):
    r""":math:`e^x = 2^n e^r` with :math:`n = \lfloor x/\ln2 + 1/2\rceil`, :math:`|r| \le \ln2/2` (Cody-Waite
    reduction with fdlibm's two-part :math:`\ln 2`), :math:`e^r` by its Taylor series to :math:`r^{13}/13!`
    (truncation :math:`4\times10^{-18}`), :math:`2^n` built in the exponent bits (as two factors, so that
    subnormal results come out right). Within 1 ulp of libm's exp (``tests/test_engine_lanes.py``); inf above
    709.78, 0 below -745.2, NaN kept."""
    xc = x if x > -746.0 else -746.0
    xc = xc if xc < 710.0 else 710.0
    n = math.floor(xc * _LOG2E + 0.5)
    r = xc - n * _LN2_HI
    r = r - n * _LN2_LO
    q = _EXP_C[13]
    for k in range(12, -1, -1):
        q = q * r + _EXP_C[k]
    ni = nb.int64(n)
    n1 = ni >> 1
    n2 = ni - n1
    res = q * _as_float((n1 + 1023) << 52) * _as_float((n2 + 1023) << 52)
    res = math.inf if x > 709.782712893384 else res
    res = 0.0 if x < -745.2 else res
    return res if x == x else x


@register_jitable(inline="always")
def _log_normal(u):
    r""":math:`\ln u` for a normal positive ``u``: :math:`u = m\,2^k` with :math:`1/\sqrt2 < m \le \sqrt2` read off
    the bits, :math:`\ln m = 2\,\mathrm{atanh}\,z`, :math:`z = (m-1)/(m+1)`, :math:`|z| \le 0.172`, by its series to
    :math:`z^{23}`."""
    bits = _as_int(u)
    k = ((bits >> 52) & 0x7FF) - 1023
    m = _as_float((bits & 0x000FFFFFFFFFFFFF) | 0x3FF0000000000000)  # u = m 2^k, 1 <= m < 2
    big = m > 1.4142135623730951
    m = 0.5 * m if big else m
    k = k + 1 if big else k
    z = (m - 1.0) / (m + 1.0)
    z2 = z * z
    s = _ATANH_C[11]
    for i in range(10, -1, -1):
        s = s * z2 + _ATANH_C[i]
    kf = float(k)
    return kf * _LN2_HI + (kf * _LN2_LO + 2.0 * z * s)


@register_jitable(inline="always")
def log1p(x):
    r""":math:`\ln(1+x)` by ``_log_normal`` of :math:`1 + x`, the rounding of :math:`1 + x` corrected to first
    order. Within 3 ulp of libm's log1p for :math:`x \ge -1` (``tests/test_engine_lanes.py``); -inf at -1, NaN
    below."""
    u = 1.0 + x
    res = _log_normal(u)
    res = res + (x - (u - 1.0)) / (u if u != 0.0 else 1.0)  # the rounding of 1 + x, to first order
    res = -math.inf if u == 0.0 else res
    res = math.nan if u < 0.0 else res
    return u if u == math.inf or u != u else res


@register_jitable(inline="always")
def log(x):
    r""":math:`\ln x` by ``_log_normal``: -inf at 0, inf at inf, NaN below 0; within 2 ulp of libm's for normal
    numbers (the step-size factor :math:`err^{-1/5}` of every lane)."""
    res = _log_normal(x)
    res = -math.inf if x == 0.0 else res
    res = math.nan if x < 0.0 else res
    return x if x == math.inf or x != x else res


# --- one lane's column of a [rows, LANES] array -----------------------------------------------------------------------


class LaneView(types.Type):
    """Numba type of column ``j`` of a C-contiguous float64 array ``[rows, LANES]``, indexed like the 1-D arrays of
    :func:`pairing1d.theory.flow_equations.rhs`; ``consts``: ``((row, value), ...)`` read as compile-time constants."""

    def __init__(self, consts=()):
        self.consts = tuple(consts)
        super().__init__(name=f"LaneView({LANES}, {self.consts})")


@register_model(LaneView)
class _LaneViewModel(models.StructModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, [("ptr", types.CPointer(types.float64))])


def _lane_maker(view_type):
    """An intrinsic ``(array, offset, j) -> view_type``: the column ``j`` of the ``[rows, LANES]`` block that starts
    ``offset`` elements into a C-contiguous array, as a bare pointer with the constant stride LANES (no array view is
    made: a view carries a run-time stride and a reference count, whose atomic updates took a quarter of the step
    loop's time and block vectorisation)."""
    @intrinsic
    def lane_at(typingctx, arr, offset, j):
        def codegen(context, builder, sig, args):
            a = context.make_array(sig.args[0])(context, builder, args[0])
            v = cgutils.create_struct_proxy(view_type)(context, builder)
            v.ptr = builder.gep(a.data, [builder.add(args[1], args[2])], inbounds=True)
            return v._getvalue()
        return view_type(arr, offset, j), codegen
    return lane_at


def _address(context, builder, view_type, view, i):
    ptr = cgutils.create_struct_proxy(view_type)(context, builder, view).ptr
    return builder.gep(ptr, [builder.mul(i, context.get_constant(types.intp, LANES))], inbounds=True)


@intrinsic
def _load(typingctx, v, i):
    def codegen(context, builder, sig, args):
        value = builder.load(_address(context, builder, sig.args[0], args[0], args[1]))
        for row, c in sig.args[0].consts:  # folds to the constant once the index is known (after unrolling)
            hit = builder.icmp_signed("==", args[1], context.get_constant(types.intp, row))
            value = builder.select(hit, context.get_constant(types.float64, c), value)
        return value
    return types.float64(v, types.intp), codegen


@intrinsic
def _store(typingctx, v, i, x):
    def codegen(context, builder, sig, args):
        builder.store(args[2], _address(context, builder, sig.args[0], args[0], args[1]))
        return context.get_dummy_value()
    return types.none(v, types.intp, types.float64), codegen


@overload(operator.getitem)
def _getitem(v, i):
    if isinstance(v, LaneView) and isinstance(i, types.Integer):
        return lambda v, i: _load(v, i)


@overload(operator.setitem)
def _setitem(v, i, x):
    if isinstance(v, LaneView) and isinstance(i, types.Integer):
        return lambda v, i, x: _store(v, i, float(x))


def rebind(function, **names):
    """The same code object as ``function`` with some of its globals replaced (the one definition of the flow,
    compiled for other types and other elementary functions)."""
    namespace = dict(function.__globals__)
    namespace.update(names)
    return _pytypes.FunctionType(function.__code__, namespace, function.__name__, function.__defaults__,
                                 function.__closure__)


_MATH = _pytypes.ModuleType("lane_math")
_MATH.__dict__.update({k: v for k, v in vars(math).items() if not k.startswith("_")})
_MATH.exp = exp
_MATH.log1p = log1p


def _inlined(function, **names):
    """``function`` rebound to the lane math (and to ``names``), inlined wherever it is called: a call left inside
    the loop over the lanes stops its vectorisation."""
    return register_jitable(inline="always")(rebind(function, math=_MATH, **names))


_bessel_j0_j1 = _inlined(fe.bessel_j0_j1)
_lane_helpers = dict(bessel_j0_j1=_bessel_j0_j1, bessel_j0=_inlined(fe.bessel_j0, bessel_j0_j1=_bessel_j0_j1),
                     mismatch_rate=_inlined(fe.mismatch_rate), cutoff_weight=_inlined(fe.cutoff_weight))
_lane_rhs = nb.njit(inline="always", fastmath=_FAST, error_model="numpy")(rebind(fe.rhs, math=_MATH, **_lane_helpers))

# --- groups of devices whose flags a block pins --------------------------------------------------------------------

_FLAGS = (fe.P_SCHEME, fe.P_FLOW, fe.P_HAS1, fe.P_HAS2, fe.P_REAL, fe.P_SU2, fe.P_LMASS)
_FLAG_NAMES = ("scheme", "flow", "has1", "has2", "real", "su2", "lmass")
VARIANTS = (
    {"scheme": "cic", "flow": "consistent", "has1": 1.0, "has2": 0.0, "real": 1.0, "su2": 1.0, "lmass": math.inf},
    {"scheme": "printed", "flow": "paper", "has1": 1.0, "has2": 0.0, "real": 1.0, "su2": 1.0, "lmass": math.inf},
    {"scheme": "cic", "flow": "diagonal", "has1": 1.0, "has2": 0.0, "real": 1.0, "su2": 1.0, "lmass": math.inf},
    {},
)
"""The groups of devices a block holds, each with the flags of the packed row it pins (a device goes to the first
group whose flags it has; the last group pins nothing and takes every device): the paper's device (one vertex,
real couplings, the SU(2) line, no secondary mass) in the default flow and scheme, in the paper's, and in the
diagonal flow of the verdict ensemble (:mod:`pairing1d.theory.ensemble`: every map computes it)."""


def still_rows(pins: dict) -> tuple[int, ...]:
    r"""The variables of the state whose slope :func:`pairing1d.theory.flow_equations.rhs` is exactly zero for every
    device with the flags ``pins`` (a group of :data:`VARIANTS`), so that the lanes need not integrate them:

    - the SU(2) line: :math:`1/K_s` (its slope is set to zero, :math:`K_s = 1 + Z/2` instead);
    - real couplings: :math:`Z` starts real (:func:`~pairing1d.theory.flow_equations.complete_row` asks for
      :math:`\mathrm{Im}\,Z = 0`) and :math:`\sin 2\alpha_i = 0`, so :math:`d\,\mathrm{Im}Z/d\ell =
      (2 - 2K_s)\,\mathrm{Im}Z = 0` and :math:`d\alpha_i/d\ell \propto \mathrm{Im}(Z e^{-2i\alpha_i}) = 0`;
    - a vertex absent from the start: its :math:`u_i, \alpha_i, \delta_i`;
    - a tanh scheme (printed, frozen): both mismatches :math:`\delta_i` (only the cic scheme moves them);
    - the paper's and the diagonal flow: :math:`G_{12}` (Eq. 16 feeds the vertices into :math:`G_{11}` and
      :math:`G_{22}` only).

    Checked against ``rhs`` itself on random states of each group (``tests/test_engine_lanes.py``)."""
    still = set()
    if pins.get("su2") == 1.0:
        still.add(fe.INV_KS)
    if pins.get("real") == 1.0:
        still.update((fe.ZI, fe.A1, fe.A2))
    for i in range(2):
        if pins.get(f"has{i + 1}") == 0.0:
            still.update((fe.U1 + 2 * i, fe.A1 + 2 * i, fe.D1 + i))
    if pins.get("scheme") in ("printed", "frozen"):
        still.update((fe.D1, fe.D2))
    if pins.get("flow") in ("paper", "diagonal"):
        still.add(fe.G12)
    return tuple(sorted(still))


def _variant_table() -> np.ndarray:
    table = np.full((len(VARIANTS), len(_FLAGS)), np.nan)
    for v, pins in enumerate(VARIANTS):
        for k, name in enumerate(_FLAG_NAMES):
            if name in pins:
                codes = fe.SCHEME_CODES if name == "scheme" else fe.FLOW_CODES if name == "flow" else None
                table[v, k] = codes[pins[name]] if codes else pins[name]
    return table


def _moving_table() -> np.ndarray:
    """``[group, k]``: the k-th variable the lanes integrate for a group of :data:`VARIANTS`, padded with -1."""
    table = np.full((len(VARIANTS), N_STATE), -1, dtype=np.int64)
    for v, pins in enumerate(VARIANTS):
        moving = [i for i in range(N_STATE) if i not in still_rows(pins)]
        table[v, :len(moving)] = moving
    return table


_MOVING = _moving_table()
_N_MOVING = np.array([int((row >= 0).sum()) for row in _MOVING], dtype=np.int64)
_VARIANT_TABLE = _variant_table()
_at = _lane_maker(LaneView())
_pin0, _pin1, _pin2 = (  # the pinned groups, one per branch of _rhs_lanes (the last group pins nothing: _at)
    _lane_maker(LaneView(tuple((row, float(value)) for row, value in zip(_FLAGS, _VARIANT_TABLE[v], strict=True)
                               if not math.isnan(value))))
    for v in range(len(VARIANTS) - 1))


@nb.njit(fastmath=_FAST, error_model="numpy", _nrt=False, cache=True)  # its own function: inlined, not vectorised
def _rhs_lanes(variant, l, y, y_at, p, out, out_at):
    """``rhs`` of every lane, ``out[:, j] = rhs(l[j], y[:, j], p[:, j])`` for the ``[N_STATE, LANES]`` blocks that
    start ``y_at`` and ``out_at`` elements into ``y`` and ``out``, the flags of ``variant`` pinned (one loop per
    group, each vectorised on its own)."""
    n = l.shape[0]  # a run-time trip count: a constant one would be unrolled instead of vectorised
    if variant == 0:
        for j in range(n):
            _lane_rhs(l[j], _at(y, y_at, j), _pin0(p, 0, j), _at(out, out_at, j))
    elif variant == 1:
        for j in range(n):
            _lane_rhs(l[j], _at(y, y_at, j), _pin1(p, 0, j), _at(out, out_at, j))
    elif variant == 2:
        for j in range(n):
            _lane_rhs(l[j], _at(y, y_at, j), _pin2(p, 0, j), _at(out, out_at, j))
    else:
        for j in range(n):
            _lane_rhs(l[j], _at(y, y_at, j), _at(p, 0, j), _at(out, out_at, j))


@nb.njit
def _variant_of(row):
    """The first group of :data:`VARIANTS` whose pinned flags the completed packed ``row`` has."""
    for v in range(_VARIANT_TABLE.shape[0]):
        match = True
        for k in range(_VARIANT_TABLE.shape[1]):
            pinned = _VARIANT_TABLE[v, k]
            if pinned == pinned and row[_FLAGS[k]] != pinned:
                match = False
        if match:
            return v
    return _VARIANT_TABLE.shape[0] - 1


@nb.njit(cache=True, parallel=True, nogil=True)
def _complete(params, rows, groups):
    """``rows[n]``: the packed row ``params[n]`` (any layout) completed
    (:func:`pairing1d.theory.flow_equations.complete_row`),
    C-contiguous; ``groups[n]``: its group of :data:`VARIANTS`. One parallel pass, before the lanes start (the copy
    to C order and the completion had been two passes, one of them single-threaded)."""
    for n in nb.prange(params.shape[0]):
        row = rows[n]
        for c in range(N_PACKED):
            row[c] = params[n, c]
        fe.complete_row(row)
        groups[n] = _variant_of(row)


# --- the lockstep integrator ------------------------------------------------------------------------------------------


_A_ROWS = tuple(tuple(float(a) for a in _A[s, :s]) for s in range(1, 6))  # tuples: their lengths are constants
_B_ROW = tuple(float(b) for b in _B[:6])
_E_ROW = tuple(float(e) for e in _E)
_C_END = np.append(_C, 1.0)  # the stage times, and the end of the step
_REJECTED, _NO_STOP, _RESTARTED, _ENDED = range(4)  # what became of a lane's step


# the routines of one lane, called from the step loop: no reference counting either (they allocate nothing), since
# the atomic updates of their many array arguments took 8 % of the kernel's time
_PER_LANE = dict(fastmath=_FAST, error_model="numpy", _nrt=False)


def _without_refcounts(function, **names):
    """The scalar kernel's routine ``function`` (a numba dispatcher), compiled again from its own code without
    reference counting (and with ``names`` rebound to such copies): numba's counted copies incref and decref their
    array arguments at each call, which in the Illinois iterations of the event location took 10 % of the time."""
    return nb.njit(**_PER_LANE)(rebind(function.py_func, **names))


_hand_level = _without_refcounts(_hand_level_counted)
_event = _without_refcounts(_engine._event, _hand_level=_hand_level)
_dense = _without_refcounts(_engine._dense)
_locate = _without_refcounts(_engine._locate, _event=_event,
                             _event_dense=_without_refcounts(_engine._event_dense, _dense=_dense,
                                                             _hand_level=_hand_level))
_hands_over = _without_refcounts(_engine._hands_over)
_handovers_at_start = _without_refcounts(_engine._handovers_at_start, _event=_event, _hands_over=_hands_over)
_handovers_in_step = _without_refcounts(
    _engine._handovers_in_step, _event=_event, _locate=_locate, _hands_over=_hands_over,
    _crossed=_without_refcounts(_engine._crossed, _event=_event),
    _snapshot=_without_refcounts(_engine._snapshot, _dense=_dense))


@nb.njit(**_PER_LANE)
def _y1_threshold(row, ev, u):
    r"""The next level of :math:`\ln|y_1|` (now ``u``) at which a lane's step must stop for an event of vertex 1: the
    lowest level above ``u`` of the hand-over thresholds not yet recorded (while the vertex can hand over) and of
    ``y_strong`` until ``l_bbar`` is recorded, else the wall."""
    level = fe.U_WALL
    if ev[E_BBAR] == math.inf and u < row[fe.P_LOG_YSTRONG]:
        level = min(level, row[fe.P_LOG_YSTRONG])
    if _hands_over(row):
        for k in range(_N_HAND):
            hand = _hand_level(row, k)
            if ev[_E_HAND + k * _N_SNAPSHOT] == math.inf and u < hand:
                level = min(level, hand)
    return level


@nb.njit(inline="always", fastmath=_FAST, error_model="numpy")
def _combine(out, y, K, hs, c, moving, n_moving):
    """``out = y + h sum_m c_m K_m`` for the variables ``moving[:n_moving]`` of every lane (a Runge-Kutta stage or
    the step's end; ``[N_STATE, LANES]`` arrays, ``hs`` the step of each lane)."""
    W = hs.shape[0]  # a run-time trip count: a constant one would be unrolled instead of vectorised
    for k in range(n_moving):
        i = moving[k]  # the variable's index: a second index j >= 0 (no wraparound) keeps the lane loop contiguous
        for j in range(W):
            acc = 0.0
            for m in range(len(c)):
                acc += c[m] * K[m, i, j]
            out[i, j] = y[i, j] + hs[j] * acc


@nb.njit(inline="always", fastmath=_FAST, error_model="numpy")
def _stage_state(s, tmp, y, K, hs, moving, n_moving):
    """The state at which stage ``s`` (1-6: 6 is the step's end) evaluates the right-hand side."""
    if s == 1:
        _combine(tmp, y, K, hs, _A_ROWS[0], moving, n_moving)
    elif s == 2:
        _combine(tmp, y, K, hs, _A_ROWS[1], moving, n_moving)
    elif s == 3:
        _combine(tmp, y, K, hs, _A_ROWS[2], moving, n_moving)
    elif s == 4:
        _combine(tmp, y, K, hs, _A_ROWS[3], moving, n_moving)
    elif s == 5:
        _combine(tmp, y, K, hs, _A_ROWS[4], moving, n_moving)
    else:
        _combine(tmp, y, K, hs, _B_ROW, moving, n_moving)


@nb.njit(inline="always", fastmath=_FAST, error_model="numpy")
def _error_norms(err2, y, ynew, K, hs, rtol, atol, moving, n_moving):
    r"""Each lane's sum of squared scaled errors, :math:`\sum_i (h\sum_m e_mk_{m,i} / (a + r\max(|y_i|,
    |y_{new,i}|)))^2`, as in :func:`pairing1d.engine.batch._flow_one` (a variable that does not move adds an exact
    0)."""
    W = hs.shape[0]
    for j in range(W):
        err2[j] = 0.0
    for k in range(n_moving):
        i = moving[k]
        for j in range(W):
            e = 0.0
            for m in range(7):
                e += _E_ROW[m] * K[m, i, j]
            sc = atol + rtol * max(abs(y[i, j]), abs(ynew[i, j]))
            err2[j] += (hs[j] * e / sc) ** 2


@nb.njit(**_PER_LANE)
def _set_column(j, values, y, stage_states):
    """Lane ``j`` starts from the state ``values``: in ``y``, and in the stage states, whose variables that do not
    move are never written by the step loop."""
    for i in range(N_STATE):
        y[i, j] = values[i]
        for b in range(2):
            stage_states[b, i, j] = values[i]


@nb.njit(**_PER_LANE)
def _start(j, n, params, rows, P, y, stage_states, K, l, h, lmax, lmdrop, thr, nst, su2tail, rtol, atol, events,
           states, steps, ys, f0):
    """Load device ``n`` into lane ``j`` (the setup of :func:`pairing1d.engine.batch._flow_one`); returns False when its
    flow is already over (nothing to integrate, or all vertices gone on the SU(2) line: a closed form)."""
    ev = events[n]
    for e in range(ev.shape[0]):
        ev[e] = math.inf
    row = rows[j]
    for c in range(N_PACKED):
        row[c] = params[n, c]  # completed by _complete
    for c in range(N_PACKED):
        P[c, j] = row[c]
    for i in range(N_STATE):
        ys[i] = row[i]
    _set_column(j, ys, y, stage_states)
    cic = row[fe.P_SCHEME] == fe.CIC
    lmdrop[j] = row[fe.P_LMDROP] if cic else math.inf
    lmax[j] = row[fe.P_LMAX]
    l[j] = 0.0
    nst[j] = 0
    su2tail[j] = cic and row[fe.P_SU2] != 0.0
    if su2tail[j] and row[fe.P_ALIVE1] == 0.0 and row[fe.P_ALIVE2] == 0.0:
        _su2_tail(0.0, ys, lmax[j], states[n], ev)
        steps[n] = 0
        return False
    if lmax[j] <= 0.0:
        for i in range(N_STATE):
            states[n, i] = ys[i]
        ev[E_END] = 0.0
        steps[n] = 0
        return False
    _engine._rhs(0.0, ys, row, f0)
    for i in range(N_STATE):
        K[0, i, j] = f0[i]
    h[j] = _first_step(ys, f0, rtol, atol)
    # thresholds of the cheap event test of _lockstep: vertex 1's |y| at the next hand-over threshold or y_strong not
    # yet recorded (those the bare value reaches are recorded here), vertex 2's at y_strong, then at the wall; a cic
    # mismatch at the regulator's drop while the vertex is alive
    _handovers_at_start(ev, ys, row)
    thr[0, j] = _y1_threshold(row, ev, ys[fe.U1]) if row[fe.P_HAS1] != 0.0 else math.inf
    if row[fe.P_HAS2] == 0.0:
        thr[1, j] = math.inf
    elif ys[fe.U2] < row[fe.P_LOG_YSTRONG]:
        thr[1, j] = row[fe.P_LOG_YSTRONG]
    else:
        thr[1, j] = fe.U_WALL
    for i in range(2):
        thr[2 + i, j] = row[fe.P_DDROP] if row[fe.P_ALIVE1 + i] != 0.0 else math.inf
    return True


@nb.njit(**_PER_LANE)
def _refill(j, nxt, queue, dev, params, rows, P, y, stage_states, K, l, h, lmax, lmdrop, thr, nst, su2tail, rtol,
            atol, events, states, steps, ys, f0):
    """Lane ``j`` takes the next device of ``queue`` (from position ``nxt``) whose flow needs integrating, or goes
    idle (``dev[j] = -1``) when the queue is empty; returns the new position."""
    dev[j] = -1
    while nxt < queue.shape[0]:
        n = queue[nxt]
        nxt += 1
        if _start(j, n, params, rows, P, y, stage_states, K, l, h, lmax, lmdrop, thr, nst, su2tail, rtol, atol,
                  events, states, steps, ys, f0):
            dev[j] = n
            break
    return nxt


@nb.njit(**_PER_LANE)
def _finish(j, n, state, l_end, nst, events, states, steps):
    for i in range(N_STATE):
        states[n, i] = state[i]
    events[n, E_END] = l_end
    steps[n] = nst[j]


@nb.njit(fastmath=_FAST, error_model="numpy")
def _run_lanes(params, queue, variant, n_stages, rtol, atol, events, states, steps):
    """Integrate the devices ``queue`` (indices into ``params``, all of group ``variant``) in :data:`LANES` lanes:
    the lanes' arrays, then :func:`_lockstep`."""
    W = LANES
    P = np.zeros((N_PACKED, W))
    rows = np.zeros((W, N_PACKED))
    y = np.zeros((N_STATE, W))
    stage_states = np.zeros((3, N_STATE, W))  # a stage's state, the state at the end of the step, a slope
    K = np.zeros((7, N_STATE, W))
    l = np.zeros(W)
    h = np.zeros(W)
    hs = np.zeros(W)
    ls = np.zeros(W)
    lmax = np.zeros(W)
    lmdrop = np.full(W, math.inf)
    err2 = np.zeros(W)
    fac = np.zeros(W)
    thr = np.full((4, W), math.inf)
    keep = np.zeros(W)  # 1: the lane takes its step's end (ynew, K[6]) as its new start
    special = np.zeros(W)  # the lane's step needs attention of its own: 2 a threshold passed, 1 the end, drop, budget
    nst = np.zeros(W, dtype=np.int64)
    su2tail = np.zeros(W, dtype=np.bool_)
    dev = np.full(W, -1, dtype=np.int64)
    ys = np.empty(N_STATE)
    ye = np.empty(N_STATE)
    ks = np.empty((7, N_STATE))
    f0 = np.empty(N_STATE)
    moving = _MOVING[variant].copy()
    _lockstep(params, queue, variant, moving, _N_MOVING[variant], n_stages, rtol, atol, events, states, steps, P,
              rows, y, stage_states, K, l, h, hs, ls, lmax, lmdrop, err2, fac, thr, keep, special, nst, su2tail, dev,
              ys, ye, ks, f0)


# no reference counting in the step loop: its arrays are allocated by the caller, and each array view or array
# argument would otherwise cost two atomic updates (measured: a quarter of the kernel's time)
@nb.njit(fastmath=_FAST, error_model="numpy", _nrt=False)
def _lockstep(params, queue, variant, moving, n_moving, n_stages, rtol, atol, events, states, steps, P, rows, y,
              stage_states, K, l, h, hs, ls, lmax, lmdrop, err2, fac, thr, keep, special, nst, su2tail, dev, ys, ye, ks,
              f0):
    """The lockstep loop of :func:`_run_lanes`: every step's stages, error norms and step-size factors for all lanes
    at once, over the variables that move (``moving[:n_moving]``); a lane whose step ends its flow, passes a
    threshold or a breakpoint, or exhausts the step budget is then handled alone."""
    W = l.shape[0]  # run-time trip counts: constant ones would be unrolled instead of vectorised
    tmp = stage_states[0]
    ynew = stage_states[1]
    kout = stage_states[2]
    L = N_STATE * LANES  # the offset of the slope in stage_states
    nxt = 0
    for j in range(W):
        nxt = _refill(j, nxt, queue, dev, params, rows, P, y, stage_states, K, l, h, lmax, lmdrop, thr, nst, su2tail,
                      rtol, atol, events, states, steps, ys, f0)
    active = 0
    for j in range(W):
        if dev[j] >= 0:
            active += 1
    while active > 0:
        for j in range(W):
            hj = min(h[j], lmax[j] - l[j])
            hj = min(hj, lmdrop[j] - l[j]) if l[j] < lmdrop[j] else hj  # the mass drop: a breakpoint
            hs[j] = hj if dev[j] >= 0 else 0.0
        # stages 1-5, then the end of the step (stage 6): one call site of the right-hand side, and a trip count
        # unknown to the compiler (n_stages), so that the raised unrolling does not copy it six times
        for s in range(1, n_stages):
            _stage_state(s, tmp, y, K, hs, moving, n_moving)
            for j in range(W):
                ls[j] = l[j] + _C_END[s] * hs[j]
            # the right-hand side between fixed blocks (state at 0, slope at 2L of stage_states): with offsets known
            # to the compiler it proves the lanes independent and vectorises the loop; then the slope is filed
            _rhs_lanes(variant, ls, stage_states, 0, P, stage_states, 2 * L)
            for k in range(n_moving):
                i = moving[k]
                for j in range(W):
                    K[s, i, j] = kout[i, j]
                if s == 6:
                    for j in range(W):
                        ynew[i, j] = tmp[i, j]
        _error_norms(err2, y, ynew, K, hs, rtol, atol, moving, n_moving)
        # each lane's verdict on its step, all lanes at once: scipy's step-size factor 0.9 err^(-1/5) within
        # [0.2, 10]; an accepted step that passes no threshold (_start), ends nothing and keeps within the step
        # budget is taken here, any other lane is marked special
        for j in range(W):
            err = math.sqrt(err2[j] / N_STATE)
            grow = 0.9 * exp(-0.2 * log(err))
            accepted = err <= 1.0  # false for inf and NaN
            f = (min(10.0, grow) if err > 0.0 else 10.0) if accepted else max(0.2, grow)
            fac[j] = f if err == err and err != math.inf else 0.2
            z2 = ynew[fe.ZR, j] * ynew[fe.ZR, j] + ynew[fe.ZI, j] * ynew[fe.ZI, j]
            hit = (z2 >= 1.0) | (ynew[fe.U1, j] >= thr[0, j]) | (ynew[fe.U2, j] >= thr[1, j])
            hit = hit | (ynew[fe.D1, j] >= thr[2, j]) | (ynew[fe.D2, j] >= thr[3, j])
            l_new = l[j] + hs[j]
            alive = (P[fe.P_ALIVE1, j] != 0.0) | (P[fe.P_ALIVE2, j] != 0.0)
            past = (l_new >= lmax[j]) | ((l_new >= lmdrop[j]) & alive)
            running = dev[j] >= 0
            count = nst[j] + (1 if running else 0)
            odd = running & ((accepted & (hit | past)) | (count >= MAX_STEPS))
            plain = running & ~odd
            nst[j] = count
            take = plain & accepted
            keep[j] = 1.0 if take else 0.0
            l[j] = l_new if take else l[j]
            h[j] = hs[j] * fac[j] if plain else h[j]
            special[j] = (2.0 if accepted & hit else 1.0) if odd else 0.0
        for j in range(W):
            if special[j] != 0.0:
                nxt, ended = _special(j, nxt, queue, dev, params, rows, P, y, stage_states, K, hs, l, h, lmax,
                                      lmdrop, thr, fac, err2, keep, special, nst, su2tail, rtol, atol, events, states,
                                      steps, ys, ye, ks, f0)
                active -= ended
        for k in range(n_moving):
            i = moving[k]
            for j in range(W):
                if keep[j] != 0.0:
                    y[i, j] = ynew[i, j]
                    K[0, i, j] = K[6, i, j]


@nb.njit(**_PER_LANE)
def _special(j, nxt, queue, dev, params, rows, P, y, stage_states, K, hs, l, h, lmax, lmdrop, thr, fac, err2, keep,
             special, nst, su2tail, rtol, atol, events, states, steps, ys, ye, ks, f0):
    """A step of lane ``j`` that the lockstep loop does not take on its own (its step count already advanced): a
    rejected step at the step budget, or an accepted step with a threshold passed (the events, :func:`_events`),
    the end of the flow, the mass drop, or the budget reached. Returns the queue's new position and 1 when the lane
    went idle (0 otherwise)."""
    n = dev[j]
    ynew = stage_states[1]
    keep[j] = 0.0
    err = math.sqrt(err2[j] / N_STATE)
    done = False
    if err > 1.0 or not math.isfinite(err):
        h[j] = hs[j] * fac[j]
        stop = _REJECTED
    elif special[j] != 2.0:
        stop = _NO_STOP
    else:  # a threshold passed: the events inside the step, located on its continuous extension
        stop = _events(j, n, y, ynew, K, hs, l, h, lmax, rows, P, thr, su2tail, nst, events, states, steps, ys, ye,
                       ks, f0, stage_states)
    if stop == _NO_STOP:  # an accepted step that goes on (an event inside it at most recorded)
        keep[j] = 1.0
        l[j] += hs[j]
        h[j] = hs[j] * fac[j]
        ends = l[j] >= lmax[j]
        drops = not ends and l[j] >= lmdrop[j] and (rows[j, fe.P_ALIVE1] != 0.0 or rows[j, fe.P_ALIVE2] != 0.0)
        if ends or drops:
            for i in range(N_STATE):
                ye[i] = ynew[i, j]
        if ends:
            _finish(j, n, ye, l[j], nst, events, states, steps)
            done = True
        elif drops:
            keep[j] = 0.0
            done = _mass_drop(j, n, ye, l, lmax, rows, P, y, stage_states, K, thr, su2tail, nst, events, states, steps,
                              f0)
    done = done or stop == _ENDED
    if not done and nst[j] >= MAX_STEPS:  # abandoned: its events stay as found (engine.MAX_STEPS)
        for i in range(N_STATE):
            ye[i] = ynew[i, j] if keep[j] != 0.0 else y[i, j]
        _finish(j, n, ye, l[j], nst, events, states, steps)
        done = True
    if not done:
        return nxt, 0
    keep[j] = 0.0
    nxt = _refill(j, nxt, queue, dev, params, rows, P, y, stage_states, K, l, h, lmax, lmdrop, thr, nst, su2tail,
                  rtol, atol, events, states, steps, ys, f0)
    return nxt, 1 if dev[j] < 0 else 0


@nb.njit(**_PER_LANE)
def _mass_drop(j, n, ys, l, lmax, rows, P, y, stage_states, K, thr, su2tail, nst, events, states, steps, f0):
    """The secondary's gap drops every vertex of lane ``j`` at its breakpoint (state ``ys``); returns True when the
    flow is over (the SU(2) closed form)."""
    row = rows[j]
    for i in range(2):
        if row[fe.P_ALIVE1 + i] != 0.0:
            _drop_vertex(j, i, row[fe.P_LMDROP], row, P, thr, events[n])
    return _after_drops(j, n, ys, l[j], lmax, rows, y, stage_states, K, su2tail, nst, events, states, steps, f0)


@nb.njit(**_PER_LANE)
def _drop_vertex(j, i, l_drop, row, P, thr, ev):
    """Vertex ``i`` of lane ``j`` averages out at ``l_drop`` (mismatch at j01, or the mass drop): frozen from then."""
    row[fe.P_ALIVE1 + i] = 0.0
    P[fe.P_ALIVE1 + i, j] = 0.0
    thr[2 + i, j] = math.inf
    ev[E_DROP1 + i] = l_drop


@nb.njit(**_PER_LANE)
def _after_drops(j, n, ys, l_at, lmax, rows, y, stage_states, K, su2tail, nst, events, states, steps, f0):
    """Lane ``j`` after vertices dropped at ``l_at`` (state ``ys``): the SU(2) closed form when none is left on the
    SU(2) line (returns True: the flow is over), else its flow starts again from there (False)."""
    row = rows[j]
    if su2tail[j] and row[fe.P_ALIVE1] == 0.0 and row[fe.P_ALIVE2] == 0.0:
        _su2_tail(l_at, ys, lmax[j], states[n], events[n])
        steps[n] = nst[j]
        return True
    _restart(j, ys, l_at, rows, y, stage_states, K, f0)
    return False


@nb.njit(**_PER_LANE)
def _restart(j, ys, l, rows, y, stage_states, K, f0):
    """Lane ``j`` starts again from the state ``ys`` at ``l`` (after a vertex dropped): its first stage anew."""
    _engine._rhs(l, ys, rows[j], f0)
    _set_column(j, ys, y, stage_states)
    for i in range(N_STATE):
        K[0, i, j] = f0[i]


@nb.njit(**_PER_LANE)
def _events(j, n, y, ynew, K, hs, l, h, lmax, rows, P, thr, su2tail, nst, events, states, steps, ys, ye, ks, f0,
            stage_states):
    """An accepted step of lane ``j`` whose end passed a threshold: the events of
    :func:`pairing1d.engine.batch._flow_one`, located on the step's continuous extension. Returns ``_NO_STOP`` (the step
    stands, a crossing of y_strong at most recorded), ``_RESTARTED`` (a vertex dropped: the lane goes on from the
    event) or ``_ENDED`` (spin gap, wall, or the SU(2) closed form)."""
    row = rows[j]
    ev = events[n]
    hj = hs[j]
    lj = l[j]
    for i in range(N_STATE):
        ys[i] = y[i, j]
        ye[i] = ynew[i, j]
        for m in range(7):
            ks[m, i] = K[m, i, j]
    s_term = math.inf
    kind_term = -1
    if _event(_SPIN, ys, row) < 0.0 <= _event(_SPIN, ye, row):
        s_term = _locate(ys, ks, hj, row, _SPIN, _event(_SPIN, ye, row))
        kind_term = _SPIN
    for i in range(2):
        if row[fe.P_ALIVE1 + i] != 0.0 and _event(_DROP1 + i, ys, row) < 0.0 <= _event(_DROP1 + i, ye, row):
            s = _locate(ys, ks, hj, row, _DROP1 + i, _event(_DROP1 + i, ye, row))
            if s < s_term:
                s_term = s
                kind_term = _DROP1 + i
        if row[fe.P_HAS1 + i] != 0.0 and _event(_WALL1 + i, ys, row) < 0.0 <= _event(_WALL1 + i, ye, row):
            s = _locate(ys, ks, hj, row, _WALL1 + i, _event(_WALL1 + i, ye, row))
            if s < s_term:
                s_term = s
                kind_term = _WALL1 + i
    for i in range(2):
        if (row[fe.P_HAS1 + i] != 0.0 and ev[E_BBAR + i] == math.inf
                and _event(_STRONG1 + i, ys, row) < 0.0 <= _event(_STRONG1 + i, ye, row)):
            s = _locate(ys, ks, hj, row, _STRONG1 + i, _event(_STRONG1 + i, ye, row))
            if s <= s_term:
                ev[E_BBAR + i] = lj + s
                thr[i, j] = fe.U_WALL
    _handovers_in_step(ev, lj, ys, ye, ks, hj, row, s_term)
    if kind_term < 0:
        if row[fe.P_HAS1] != 0.0:  # the next threshold above where the lane goes on
            thr[0, j] = _y1_threshold(row, ev, ye[fe.U1])
        return _NO_STOP
    t = s_term / hj
    for i in range(N_STATE):  # the state at the event, on the step's continuous extension
        ye[i] = _dense(ys, ks, hj, t, i)
    if row[fe.P_HAS1] != 0.0:  # the lane goes on from the event (a dropped vertex) or ends there
        thr[0, j] = _y1_threshold(row, ev, ye[fe.U1])
    l_event = lj + s_term
    if kind_term == _SPIN:
        _record_spin_gap(ev, l_event, ye)
        _finish(j, n, ye, l_event, nst, events, states, steps)
        return _ENDED
    if kind_term >= _WALL1:
        _finish(j, n, ye, l_event, nst, events, states, steps)
        return _ENDED
    _drop_vertex(j, kind_term - _DROP1, l_event, row, P, thr, ev)  # delta = j01
    l[j] = l_event
    h[j] = hj
    ended = _after_drops(j, n, ye, l_event, lmax, rows, y, stage_states, K, su2tail, nst, events, states, steps, f0)
    return _ENDED if ended else _RESTARTED


@nb.njit(cache=True, parallel=True, nogil=True)  # nogil: a sweep writes the last chunk meanwhile
def _integrate_lanes(params, order, piece_start, piece_end, piece_variant, thread_pieces, n_stages, rtol, atol, events,
                     states, steps):
    # one iteration per thread, each running its own pieces (thread_pieces[t] to thread_pieces[t + 1]): numba's
    # static schedule would give one thread a contiguous half of the pieces, whatever their sizes
    for t in nb.prange(thread_pieces.shape[0] - 1):
        for b in range(thread_pieces[t], thread_pieces[t + 1]):
            _run_lanes(params, order[piece_start[b]:piece_end[b]], piece_variant[b], n_stages, rtol, atol, events,
                       states, steps)


_RHS_SIGNATURE = (nb.int64, nb.float64[::1], nb.float64[:, :, ::1], types.literal(0), nb.float64[:, ::1],
                  nb.float64[:, :, ::1], nb.int64)  # as _lockstep calls it: the state at the literal offset 0
_SIGNATURE = (nb.float64[:, ::1], nb.int64[::1], nb.int64[::1], nb.int64[::1], nb.int64[::1], nb.int64[::1], nb.int64,
              nb.float64, nb.float64, nb.float64[:, ::1], nb.float64[:, ::1], nb.int64[::1])
_compiled = False

COMPILING_NOTICE = ("pairing1d: compiling the lane kernel, once for this installation (about a minute; then it is "
                    "loaded from numba's cache)")
"""The line written to stderr before a first compilation (a silent minute would look like a hang)."""


def _in_cache() -> bool:
    """Whether numba's cache holds the lane kernel compiled for *this* installation (an index file of
    ``_integrate_lanes`` in the subdirectory numba keys by this file's folder: another installation with the same
    sources shares the cache directory but not the entry, and numba compiles again for it); True when the directory
    is unknown (nothing to say then)."""
    if _engine._dir is None:
        return True
    from pathlib import Path

    return any((Path(_engine._dir) / _cache_subpath(__file__)).glob(f"{Path(__file__).stem}._integrate_lanes-*.nbi"))


def _cache_subpath(py_file: str) -> str:
    """The subdirectory of the cache directory where numba keeps the entries of ``py_file``: its folder's name and
    the SHA-1 of the folder's absolute path (numba's ``_CacheLocator.get_suitable_cache_subpath``, used when numba
    has it, rebuilt by its rule otherwise)."""
    try:
        from numba.core.caching import _CacheLocator

        return _CacheLocator.get_suitable_cache_subpath(py_file)
    except (ImportError, AttributeError):  # pragma: no cover - a numba without the private helper
        import hashlib
        import os

        folder = os.path.dirname(os.path.abspath(py_file))
        return "_".join([os.path.split(folder)[-1], hashlib.sha1(folder.encode()).hexdigest()])


def _compile() -> None:
    """Compile the kernel (or load it from numba's cache) once, for its one signature. The right-hand side first, with
    the scalar kernel's raised loop unrolling, which it needs (``rhs``'s loop over the two vertices must be unrolled
    for the loop over the lanes to be the innermost one), then the rest, linked to it, with LLVM's own (the same
    speed, and 49 s of first compilation instead of 65). Numba's pedantic warnings about the inlined loops
    (NumbaIRAssumptionWarning) are silenced while it runs."""
    global _compiled
    if _compiled:
        return
    import warnings

    if not _in_cache():
        sys.stderr.write(COMPILING_NOTICE + "\n")
        sys.stderr.flush()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", nb.errors.NumbaIRAssumptionWarning)
        with _engine._aggressive_unrolling():  # only the right-hand side needs it (compiled first, then linked)
            _rhs_lanes.compile(_RHS_SIGNATURE)
        _integrate_lanes.compile(_SIGNATURE)
        _complete.compile((nb.types.Array(nb.float64, 2, "A"), nb.float64[:, ::1], nb.int64[::1]))
    _integrate_lanes.disable_compile()
    _complete.disable_compile()
    _compiled = True


def _pieces(counts: np.ndarray, threads: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """How the devices, sorted by group (``counts[v]`` of group ``v``), are cut into pieces (a piece holds one group,
    and fills its lanes four times at least unless the group is smaller) and shared among ``threads``: ``(start,
    end, group)`` of each piece, in order of thread, and ``thread_pieces``, where each thread's pieces begin
    (``threads + 1`` entries). A group is
    cut into at most one piece per thread (each piece's end drains its lanes, so fewer are better), and the pieces
    go to the least loaded thread, largest first. Numba's static schedule had cut 4 pieces per thread and group into
    contiguous halves: on the Fig. 4 grid, whose y0 = 0 column forms a second group of 256 devices, one thread got 5
    of the 8 large pieces and two threads ran 1.5x one instead of 1.8x."""
    pieces = []
    first = 0
    for v, count in enumerate(counts):
        cuts = min(threads, max(1, count // (4 * LANES))) if count else 0
        for c in range(cuts):
            size = count // cuts + (1 if c < count % cuts else 0)
            pieces.append((size, first, v))
            first += size
    load = [0] * threads
    mine: list[list[tuple[int, int, int]]] = [[] for _ in range(threads)]
    for size, start, v in sorted(pieces, reverse=True):
        t = load.index(min(load))
        load[t] += size
        mine[t].append((start, start + size, v))
    flat = [piece for thread in mine for piece in thread]
    thread_pieces = np.cumsum([0] + [len(thread) for thread in mine]).astype(np.int64)
    columns = np.array(flat, dtype=np.int64).reshape(-1, 3).T
    return columns[0].copy(), columns[1].copy(), columns[2].copy(), thread_pieces


def integrate_lanes(params: np.ndarray, rtol: float, atol: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(events, states, steps)`` of the packed rows ``params`` (as :func:`pairing1d.engine.batch.integrate_batch`), by
    the lane kernel."""
    _compile()
    params = np.asarray(params, dtype=np.float64)
    n = params.shape[0]
    variant = np.empty(n, dtype=np.int64)
    rows = np.empty((n, N_PACKED))
    _complete(params, rows, variant)
    shuffle = np.random.default_rng(0).permutation(n)  # balances the pieces, as in the scalar kernel
    order = shuffle[np.argsort(variant[shuffle], kind="stable")]
    starts, ends, kinds, thread_pieces = _pieces(np.bincount(variant, minlength=len(VARIANTS)), nb.get_num_threads())
    events = np.empty((n, len(_engine.EVENTS)))
    states = np.empty((n, N_STATE))
    steps = np.empty(n, dtype=np.int64)
    _integrate_lanes(rows, order, starts, ends, kinds, thread_pieces, 7, float(rtol), float(atol), events, states,
                     steps)
    return events, states, steps


nb.config.CACHE_DIR = _saved_cache_dir
