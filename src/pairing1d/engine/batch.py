r"""Many RG flows at once: a compiled (numba) integrator for phase diagrams and the explorer.

The right-hand side is :func:`pairing1d.theory.flow_equations.rhs` itself, compiled by numba: the single-device solver
(:mod:`pairing1d.theory.rg`) and this kernel integrate the same code, with two different integrators and event
treatments, and ``tests/test_engine.py`` compares them on thousands of random devices. Each flow is integrated
by the embedded Runge-Kutta pair of Dormand & Prince, order 5(4), with the step-size control of
``scipy.integrate.RK45``. Events found inside an accepted step are located by the Illinois variant of regula
falsi, each trial being a fresh Runge-Kutta step from the start of the step (the accuracy of the integrator):
:math:`|Z| = 1` ends the flow (spin gap), :math:`|y_i| = y_{\rm strong}` is recorded, and in the ``cic`` scheme a
vertex whose mismatch reaches :math:`j_{0,1}` is dropped exactly there; the secondary mass drop is a fixed
breakpoint that no step straddles. Not reached events are ``inf``.

The event codes, the tableau and the routines of a step live in :mod:`pairing1d.engine.kernel_parts`, shared with
the lane kernel (:mod:`pairing1d.engine.lanes`); this module holds the scalar kernel (``_flow_one``), the public
entry points of both kernels (:func:`integrate_batch`, :func:`run_batch`, ...) and the classification of their
results. The compiled kernels are cached on disk, in a directory keyed by their source
(:data:`pairing1d.engine.kernel_parts.KERNEL_SOURCES`; numba itself only notices changes to the file of the cached
function).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numba as nb
import numpy as np

from ..theory import flow_equations as fe
from ..theory.flow_equations import PACKED_FIELDS, fields_of, pack_fields
from ..theory.model import Model, check_model, check_tolerances, smooth_cutoff
from ..theory.phases import PHASES, REPORTED, continued_phase, gap_first, handover_of_rows, order_exponents
from ..theory.trion import sc_threshold
from . import kernel_parts as _parts
from .kernel_parts import (  # noqa: F401 - the kernel's constants and routines, also read as batch.<name>
    _DROP1,
    _E,
    _SPIN,
    _STRONG1,
    _WALL1,
    _WALL2,
    DEFAULT_ATOL,
    DEFAULT_RTOL,
    E_BAR,
    E_BBAR,
    E_BBAR2,
    E_DROP1,
    E_DROP2,
    E_END,
    E_HAND,
    E_RUN,
    E_WEIGHT,
    EVENTS,
    MAX_STEPS,
    N_SNAPSHOT,
    N_STATE,
    _aggressive_unrolling,
    _crossed,
    _event,
    _first_step,
    _handovers_at_start,
    _handovers_in_step,
    _locate,
    _record_spin_gap,
    _rhs,
    _step,
    _su2_tail,
)

__all__ = [
    "BatchResult", "PACKED_FIELDS", "pack", "pack_fields", "integrate_batch", "classify_batch", "run_fields",
    "run_batch", "trion_luttinger", "load_kernel", "DEFAULT_RTOL", "DEFAULT_ATOL", "EVENTS", "MAX_STEPS", "KERNELS",
    "DEFAULT_KERNEL",
]

_dir = _parts._dir
"""numba's cache directory for the kernels (:func:`pairing1d.engine.kernel_parts._cache_dir`; None: numba's default)."""
_saved_cache_dir = nb.config.CACHE_DIR
if _dir is not None:
    nb.config.CACHE_DIR = _dir  # read when each cached function below is decorated


@nb.njit(cache=True)
def _flow_one(p, rtol, atol, out_state, ev):
    """Integrate one device (packed row ``p``); fills its end state and its events (``inf``: not reached)."""
    for j in range(ev.shape[0]):
        ev[j] = math.inf
    p = p.copy()  # completed here (scalar libm: batch-independent); alive flags of dropped vertices cleared below
    fe.complete_row(p)
    y = p[:N_STATE].copy()
    cic = p[fe.P_SCHEME] == fe.CIC
    l_mdrop = p[fe.P_LMDROP] if cic else math.inf
    lmax = p[fe.P_LMAX]
    alive = np.zeros(2, dtype=np.bool_)
    for i in range(2):
        alive[i] = p[fe.P_ALIVE1 + i] != 0.0
    k = np.empty((7, N_STATE))
    f0 = np.empty(N_STATE)
    ynew = np.empty(N_STATE)
    tmp = np.empty(N_STATE)
    l = 0.0
    _rhs(l, y, p, f0)
    h = _first_step(y, f0, rtol, atol)
    n_steps = 0
    _handovers_at_start(ev, y, p)
    # once every vertex is gone (dropped or absent) on the SU(2) line, the rest of the flow is a closed form
    su2_tail = cic and p[fe.P_SU2] != 0.0  # su2 is enforced only at theta = 0: real couplings on the SU(2) line
    if su2_tail and not alive[0] and not alive[1]:
        _su2_tail(l, y, lmax, out_state, ev)
        return n_steps
    while l < lmax and n_steps < MAX_STEPS:
        h = min(h, lmax - l)
        if l < l_mdrop:
            h = min(h, l_mdrop - l)  # the mass drop is a breakpoint no step straddles
        _step(l, y, f0, h, p, k, ynew, tmp)
        err = 0.0
        for i in range(N_STATE):
            sc = atol + rtol * max(abs(y[i]), abs(ynew[i]))
            e = 0.0
            for j in range(7):
                e += _E[j] * k[j, i]
            err += (h * e / sc) ** 2
        err = math.sqrt(err / N_STATE)
        n_steps += 1
        if err > 1.0 or not math.isfinite(err):
            h *= max(0.2, 0.9 * err ** -0.2) if math.isfinite(err) else 0.2
            continue
        # events inside [l, l + h], located on the continuous extension of the step: the terminal ones (the spin
        # gap, a cic drop; the earliest wins), then the recorded ones (|y_i| = y_strong) before it
        s_term = math.inf
        kind_term = -1
        if _crossed(_SPIN, y, ynew, p):
            s_term = _locate(y, k, h, p, _SPIN, _event(_SPIN, ynew, p))
            kind_term = _SPIN
        for i in range(2):
            if alive[i] and _crossed(_DROP1 + i, y, ynew, p):
                s = _locate(y, k, h, p, _DROP1 + i, _event(_DROP1 + i, ynew, p))
                if s < s_term:
                    s_term = s
                    kind_term = _DROP1 + i
            # |y_i| at the wall (fe.Y_WALL): the flow stops there (status FAILURES[2], classify_batch)
            if p[fe.P_HAS1 + i] != 0.0 and _crossed(_WALL1 + i, y, ynew, p):
                s = _locate(y, k, h, p, _WALL1 + i, _event(_WALL1 + i, ynew, p))
                if s < s_term:
                    s_term = s
                    kind_term = _WALL1 + i
        for i in range(2):
            if p[fe.P_HAS1 + i] != 0.0 and ev[E_BBAR + i] == math.inf and _crossed(_STRONG1 + i, y, ynew, p):
                s = _locate(y, k, h, p, _STRONG1 + i, _event(_STRONG1 + i, ynew, p))
                if s <= s_term:
                    ev[E_BBAR + i] = l + s
        _handovers_in_step(ev, l, y, ynew, k, h, p, s_term)
        h_take = h if kind_term < 0 else s_term
        if kind_term >= 0:  # a real step onto the terminal event: the state there is the integrator's own
            _step(l, y, f0, h_take, p, k, ynew, tmp)
        if kind_term == _SPIN:
            l_gap = l + h_take
            _record_spin_gap(ev, l_gap, ynew)
            for i in range(N_STATE):
                out_state[i] = ynew[i]
            ev[E_END] = l_gap
            return n_steps
        if kind_term == _WALL1 or kind_term == _WALL2:
            for i in range(N_STATE):
                out_state[i] = ynew[i]
            ev[E_END] = l + h_take
            return n_steps
        l += h_take
        for i in range(N_STATE):
            y[i] = ynew[i]
        if kind_term >= 0:  # a vertex dropped (delta = j01): frozen from here on; restart the stages
            i = kind_term - _DROP1
            alive[i] = False
            p[fe.P_ALIVE1 + i] = 0.0
            ev[E_DROP1 + i] = l
            if su2_tail and not alive[0] and not alive[1]:
                _su2_tail(l, y, lmax, out_state, ev)
                return n_steps
            _rhs(l, y, p, f0)
            continue
        for i in range(N_STATE):
            f0[i] = k[6, i]
        if l >= l_mdrop and (alive[0] or alive[1]):  # the secondary's gap drops every vertex
            for i in range(2):
                if alive[i]:
                    alive[i] = False
                    p[fe.P_ALIVE1 + i] = 0.0
                    ev[E_DROP1 + i] = l_mdrop
            if su2_tail:
                _su2_tail(l, y, lmax, out_state, ev)
                return n_steps
            _rhs(l, y, p, f0)
        factor = 10.0 if err == 0.0 else min(10.0, 0.9 * err ** -0.2)
        h *= factor
    for i in range(N_STATE):
        out_state[i] = y[i]
    ev[E_END] = l
    return n_steps


@nb.njit(cache=True, parallel=True, nogil=True)
def _integrate(params, order, rtol, atol, events, states, steps):
    # numba gives each thread one contiguous block of k; the cost of a flow varies smoothly over a grid (trion-rich
    # rows are dearer), so the devices are visited in a random order to balance the blocks (without moving the rows)
    for k in nb.prange(order.shape[0]):
        n = order[k]
        steps[n] = _flow_one(params[n], rtol, atol, states[n], events[n])


_KERNEL_SIGNATURE = (nb.types.Array(nb.float64, 2, "A"), nb.int64[::1], nb.float64, nb.float64,
                     nb.float64[:, ::1], nb.float64[:, ::1], nb.int64[::1])
"""The one signature the kernel is compiled for: packed rows of any layout (column-major from pack_columns, or a
single C-contiguous row), the visiting order, rtol, atol, events, states, steps."""


_compiled = False


def _compile_kernel() -> None:
    """Compile (or load from the cache) the kernel for :data:`_KERNEL_SIGNATURE` with unrolling on, and forbid
    further specialisations, which numba would compile lazily without it; once per process, at the kernel's first
    use (a process that only uses the default lane kernel does not pay its 25 s of first compilation)."""
    global _compiled
    if _compiled:
        return
    with _aggressive_unrolling():
        _integrate.compile(_KERNEL_SIGNATURE)
    _integrate.disable_compile()
    _compiled = True


nb.config.CACHE_DIR = _saved_cache_dir


def pack(models: Sequence[Model]) -> np.ndarray:
    """The packed rows (one per device) of a list of Models."""
    return pack_fields(fields_of(models))


KERNELS = ("lanes", "scalar")
"""The batched integrators: ``lanes`` (the default, :data:`DEFAULT_KERNEL`), blocks of devices in SIMD lanes
(:mod:`pairing1d.engine.lanes`; compiled at its first use, about 50 s, then loaded from numba's cache), and
``scalar``, one device per thread (this module; compiled at its first use, about 25 s). The same flow, integrator and
events; they agree to ~1e-7 in the events and exactly in the phases (``tests/test_engine_lanes.py``)."""

DEFAULT_KERNEL = "lanes"
"""The kernel of every batched computation (sweeps, maps, figures, gate maps) unless one is asked for: on the 256^2
Fig. 4 grid, two cores, 3.9-6.1x the scalar kernel for the default flow and 4.5-5.7x for the paper's (README,
"Phase diagrams"). A device's numbers do not depend on the batch it is computed in, for either kernel; they differ
between the kernels by ~1e-7 in the events."""


def load_kernel(kernel: str = DEFAULT_KERNEL) -> None:
    """Compile ``kernel`` (one of :data:`KERNELS`), or load it from numba's cache, now rather than at its first
    integration: for a command that times its work apart from this once-per-process cost (0.3-0.8 s from the cache,
    about a minute the first time after an install)."""
    if kernel == "lanes":
        from .lanes import _compile

        _compile()
    elif kernel == "scalar":
        _compile_kernel()
    else:
        raise ValueError(f"unknown kernel {kernel!r} (known: {', '.join(KERNELS)})")


def integrate_batch(
    params: np.ndarray, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL, kernel: str = DEFAULT_KERNEL
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run a kernel (:data:`KERNELS`) on packed rows (:func:`~pairing1d.theory.flow_equations.pack_fields`; completed
    inside): ``(events[N, 8]`` in the order of :data:`~pairing1d.engine.kernel_parts.EVENTS`, ``states[N, 12]`` at the
    end of each flow (:data:`pairing1d.theory.flow_equations.STATE`), ``steps[N])``. ``rtol`` and ``atol`` must lie in
    :data:`pairing1d.theory.model.RTOL_RANGE` and :data:`pairing1d.theory.model.ATOL_RANGE` (a one-line ModelError
    otherwise)."""
    rtol, atol = check_tolerances(rtol, atol)
    if kernel == "lanes":
        from .lanes import integrate_lanes

        return integrate_lanes(params, rtol, atol)
    if kernel != "scalar":
        raise ValueError(f"unknown kernel {kernel!r} (known: {', '.join(KERNELS)})")
    _compile_kernel()
    # column-major, as pack_columns makes them (no copy then): each flow copies its own row first
    params = np.asfortranarray(params, dtype=np.float64)
    n = params.shape[0]
    order = np.random.default_rng(0).permutation(n)  # the visiting order (_integrate); results stay in place
    events = np.empty((n, len(EVENTS)))
    states = np.empty((n, N_STATE))
    steps = np.empty(n, dtype=np.int64)
    _integrate(params, order, rtol, atol, events, states, steps)
    return events, states, steps


@dataclass(frozen=True)
class BatchResult:
    """Phases and scales of N devices, arrays of length N, the conventions of :mod:`pairing1d.theory.phases`.

    An event not reached has ``l_bar`` / ``l_bbar`` / ``l_runaway`` = ``inf``. ``spin_gap`` is the scale of the
    spin sector: the gap of a paired or triplet verdict (after a hand-over, the one with the vertex dropped there),
    the trion scale in the trion phase, 0 otherwise; ``trion_scale`` is 0 outside the trion phase (an ``l_bbar``
    past the cutoff of a tanh scheme forms no trion).
    ``phase``: codes of :data:`pairing1d.theory.phases.PHASES` (4: undetermined); ``dominant_order``: 0 none, 1 CDW,
    2 SC, 3 SDW, 4 TS;
    ``controlled``: the verdict stays inside the perturbative range; ``status``: 0 when the flow reached its end,
    else the code of its failure in :data:`pairing1d.theory.flow_equations.FAILURES` (then ``controlled`` is false
    unless
    the verdict, a trion, was reached before it)."""

    phase: np.ndarray
    l_bar: np.ndarray
    l_bbar: np.ndarray
    l_runaway: np.ndarray
    spin_gap: np.ndarray
    trion_scale: np.ndarray
    dominant_order: np.ndarray
    controlled: np.ndarray
    Kc_tilde_end: np.ndarray
    K_tilde_end: np.ndarray
    Kf: np.ndarray
    steps: np.ndarray
    events: np.ndarray
    status: np.ndarray


ORDERS = ("none", "CDW", "SC", "SDW", "TS")
"""Codes of the dominant order in sweeps."""


def classify_batch(params: np.ndarray, events: np.ndarray, states: np.ndarray, steps: np.ndarray,
                   kf: np.ndarray, threshold: int = REPORTED) -> BatchResult:
    """Vectorized :func:`pairing1d.theory.phases.classify` (same rules, the same strong-coupling step) on the kernel's
    output; ``threshold`` picks the hand-over threshold (:data:`pairing1d.theory.flow_equations.HANDOVER_FACTORS`)."""
    l_bar, l_bbar, l_bbar2, l_run = (events[:, j] for j in (E_BAR, E_BBAR, E_BBAR2, E_RUN))
    kf = np.broadcast_to(kf, l_bar.shape)
    lmax = params[:, fe.P_LMAX]
    cic = params[:, fe.P_SCHEME] == fe.CIC
    lstar_eff = params[:, fe.P_LSTAR1]  # min(lstar, lmass) for the tanh schemes
    # a flow that ended before lmax without a spin gap failed (fe.FAILURES): out of steps, at the wall, not finite
    early = ~(np.isfinite(l_bar) | np.isfinite(l_run)) & (events[:, E_END] < lmax)
    finite = np.isfinite(states[:, 0])
    for i in range(1, states.shape[1]):  # column by column: a reduction along the rows' 12 entries took 3 ms per 65536
        finite &= np.isfinite(states[:, i])
    at_wall = np.maximum(states[:, fe.U1], states[:, fe.U2]) >= fe.U_WALL - 1e-6  # located to ~1e-14 in l
    status = np.select([early & ~finite, early & at_wall, early], [3, 2, 1], 0).astype(np.int8)
    continued = continued_phase(l_bar, l_run, lmax, status != 0)
    code = {name: PHASES.index(name) for name in PHASES}
    base = E_HAND + threshold * N_SNAPSHOT
    snapshot = events[:, base:base + N_SNAPSHOT]
    handed = cic & np.isfinite(snapshot[:, 0])
    l_gap = np.minimum(l_bar, l_run)
    det = states[:, fe.G11] * states[:, fe.G22] - states[:, fe.G12] ** 2
    kc, k, kx = states[:, fe.G22] / det, states[:, fe.G11] / det, -states[:, fe.G12] / det
    tanh_trion = ~cic & np.isfinite(l_bbar) & (l_bbar < lstar_eff)
    phase = np.where(tanh_trion, code["trion"], np.where(continued == code["undetermined"], code["decoupled"],
                                                         continued)).astype(np.int8)
    l_trion = np.where(tanh_trion, l_bbar, np.inf)
    if handed.any():  # the strong-coupling step, on the handed-over devices only
        h = np.flatnonzero(handed)
        step, l_spin, locked, _, _ = handover_of_rows(params[h], snapshot[h], threshold, continued[h])
        phase[h] = step
        l_trion[h] = np.where(locked, snapshot[h, 0], np.inf)
        l_gap[h] = np.where(locked, np.inf, l_spin)
        g11, g12, g22 = (snapshot[h, fe.SNAPSHOT.index(n)] for n in ("g11", "g12", "g22"))
        det_h = g11 * g22 - g12 * g12
        kc[h], k[h], kx[h] = g22 / det_h, g11 / det_h, -g12 / det_h  # G is frozen once the vertex is dropped
    # a spin gap first, with the vertex still acting: it may lock below the gap (strong_coupling.lock_after_gap)
    l_spin = np.where(phase == code["trion"], l_trion, l_gap)
    first = (phase == code["paired"]) & ~handed & cic
    if first.any():
        l_lock, locks = gap_first(params, states, l_bar, events[:, E_DROP1], threshold, first)
        phase = np.where(locks, code["trion"], phase).astype(np.int8)
        l_trion = np.where(locks, l_lock, l_trion)
        l_spin = np.where(locks, l_bar, l_spin)
    trion = phase == code["trion"]
    paired = phase == code["paired"]
    triplet = phase == code["triplet"]
    Q = -(params[:, fe.P_B1] + params[:, fe.P_B2]) / (2.0 * math.sqrt(2.0))  # b1 + b2 = -2 sqrt2 Q
    x_cdw, x_sc = order_exponents(kc, k, kx, Q)
    pairs_win = x_sc < x_cdw
    sc_trion = kf > fe.once_if_constant(lambda p2: sc_threshold(np.sqrt(p2)), params[:, fe.P_P2])
    order = np.select([paired, triplet, trion],
                      [np.where(pairs_win, 2, 1), np.where(pairs_win, 4, 3), np.where(sc_trion, 2, 1)], 0)
    l_verdict = np.where(np.isfinite(l_gap), l_gap, lmax)
    # in cic a vertex reaching strong coupling while it acts is handed over: only y2 can leave the range there
    y1_beyond = ~cic & (l_bbar <= l_verdict)
    controlled = trion | (~(y1_beyond | (l_bbar2 <= l_verdict)) & (status == 0) & (phase != code["undetermined"]))
    lb = np.where(trion, l_trion, 0.0)
    c1 = np.ones(len(lb))
    tanh = ~cic & trion
    if tanh.any():  # the cutoff at the trion scale, in the tanh schemes only
        c1[tanh] = smooth_cutoff(lb[tanh], lstar_eff[tanh], params[tanh, fe.P_CHI])
    trion_scale = np.where(trion, np.exp(-lb) * c1, 0.0)
    # the spin sector's scale: the gap of a paired or triplet verdict, the trion scale of a trion (the spin gap where
    # it opened first), none otherwise
    spin_gap = np.where(paired | triplet, np.exp(-np.where(paired | triplet, l_gap, np.inf)), trion_scale)
    spin_gap = np.where(trion & (l_spin < l_trion), np.exp(-l_spin), spin_gap)
    return BatchResult(
        phase=phase, l_bar=l_bar, l_bbar=l_bbar, l_runaway=l_run, spin_gap=spin_gap, trion_scale=trion_scale,
        dominant_order=order.astype(np.int8), controlled=controlled, Kc_tilde_end=kc, K_tilde_end=k, Kf=kf,
        steps=steps, events=events, status=status,
    )


def trion_luttinger(values: dict[str, np.ndarray]) -> np.ndarray:
    """Luttinger parameter K_f of the trion mode (:func:`pairing1d.theory.gaussian.trion_mode`) of the devices given as
    arrays of Model fields: what :func:`classify_batch` needs beyond the flow (the trion phase's dominant order)."""
    from ..theory.gaussian import trion_mode

    return fe.once_if_constant(lambda *args: trion_mode(*args)[0], *fe.gaussian_inputs(values),
                               np.asarray(values["vertex_charge"], dtype=float))


def run_fields(values: dict[str, np.ndarray], rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL,
               kernel: str = DEFAULT_KERNEL) -> BatchResult:
    """Phases of the devices given as arrays of (valid) Model fields: pack, integrate (with ``kernel``, one of
    :data:`KERNELS`), classify."""
    params = pack_fields(values)
    events, states, steps = integrate_batch(params, rtol, atol, kernel)
    return classify_batch(params, events, states, steps, trion_luttinger(values))


def run_batch(models: Sequence[Model], rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL,
              kernel: str = DEFAULT_KERNEL) -> BatchResult:
    """Phases of a list of Models, the batched counterpart of :func:`pairing1d.theory.phases.phase_of`."""
    for model in models:
        check_model(model, "run_batch")
    return run_fields(fields_of(models), rtol, atol, kernel)
