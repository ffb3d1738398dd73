r"""Many RG flows at once: a compiled (numba) integrator of Eq. (16) for phase diagrams and the explorer.

Same equations, options, events and classification as :mod:`pairing1d.rg` and :mod:`pairing1d.phases`, for
N devices in one call, parallel over devices. Each flow is integrated by the embedded Runge-Kutta pair of
Dormand & Prince, order 5(4), with the step-size control of ``scipy.integrate.RK45``; an event
(:math:`y_s=-1`, :math:`|y_1| = y_{\rm strong}`) detected inside a step is located by the Illinois variant of
regula falsi, each trial being a fresh Runge-Kutta step from the start of the step, so its accuracy is that
of the integrator itself. The compiled kernel is cached on disk (numba ``cache=True``): a second process
loads it instead of compiling again.

Not reached events are ``inf`` inside the kernel and ``None`` / ``nan``-free sentinels at the Python edge;
the kernel returns no NaN for a device inside the model's domain (the tests draw thousands to check).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numba as nb
import numpy as np

from .model import Model, k_tilde0, kc_tilde0, rotation_q, vertex_coefficients
from .trion import sc_threshold, trion_sector_dimensionless

__all__ = [
    "BatchResult", "PACKED_FIELDS", "pack", "pack_fields", "integrate_batch", "classify_batch", "run_fields",
    "run_batch", "DEFAULT_RTOL", "DEFAULT_ATOL",
]

DEFAULT_RTOL = 1e-9
DEFAULT_ATOL = 1e-12

# Columns of the packed parameter array, one row per device.
(YS0, INV_KS0, Y1_0, Y2_0, INV_KT0, INV_KCT0, A1, A2, COS_THETA, LSTAR1, LSTAR2, CHI, LMAX, Y_STRONG, SU2, FROZEN,
 Q, K_FEEDBACK, VERTEX_CHARGE) = range(19)
N_PARAMS = 19
N_STATE = 6

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
# error estimate: b - b_hat, with the 7th (FSAL) stage
_E = np.array([-71 / 57600, 0.0, 71 / 16695, -71 / 1920, 17253 / 339200, -22 / 525, 1 / 40])


@nb.njit(cache=True, inline="always")
def _rhs(l, s, p, out):
    """Eq. (16a)-(16f) in the engine's variables (see the module docstring): u_i = ln|y_i| replaces y_i."""
    ys, inv_ks, u1, u2, inv_k, inv_kc = s[0], s[1], s[2], s[3], s[4], s[5]
    # tanh(-inf) = -1 makes lstar = inf a cutoff that stays 1: no special case needed
    c1 = 0.5 * (1.0 - math.tanh((l - p[LSTAR1]) / p[CHI]))
    feedback = c1 * math.exp(2.0 * u1) if p[Y1_0] != 0.0 else 0.0
    c2 = 0.0
    if p[Y2_0] != 0.0:  # y2 = 0 stays 0: skip its cutoff, the common case of the paper's figures
        c2 = 0.5 * (1.0 - math.tanh((l - p[LSTAR2]) / p[CHI]))
        feedback += c2 * math.exp(2.0 * u2)
    ks = 1.0 + 0.5 * ys if p[SU2] != 0.0 else 1.0 / inv_ks
    common = 2.0 - 0.5 / inv_kc - 0.5 * ks - 0.5 * ys
    du1 = common - p[A1] / inv_k  # d ln|y1| / dl, Eq. (16c) divided by y1
    du2 = common - p[A2] / inv_k
    if p[FROZEN] != 0.0:
        du1 *= c1
        du2 *= c2 if p[Y2_0] != 0.0 else 0.5 * (1.0 - math.tanh((l - p[LSTAR2]) / p[CHI]))
    out[0] = (2.0 - 2.0 * ks) * ys - p[COS_THETA] * feedback * 0.25
    out[1] = 0.0 if p[SU2] != 0.0 else 0.5 * ys * ys + feedback * 0.125
    out[2] = du1
    out[3] = du2
    out[4] = feedback * p[K_FEEDBACK]
    out[5] = feedback * 0.125


@nb.njit(cache=True)
def _step(l, y, f0, h, p, k, ynew, tmp):
    """One Dormand-Prince step of size h from (l, y) with f0 = rhs(l, y); fills k[0..6] and ynew.

    ``tmp`` is scratch space for the stage arguments (allocated once per flow, not per step)."""
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
def _event_values(y, log_y_strong):
    """ys + 1 (spin gap), ln|y1| - ln y_strong (trion scale), ys - 1 (runaway of ys to +1)."""
    return y[0] + 1.0, y[2] - log_y_strong, y[0] - 1.0


@nb.njit(cache=True)
def _locate(l, y, f0, h, p, which, k, ynew, tmp):
    """Root in (0, h] of event ``which`` (0: ys + 1, 1: y1^2 - y_strong^2) along fresh steps from (l, y).

    Illinois regula falsi on s -> event(step(l, y, s)); returns s (the end of the bracket past the root for
    the terminal events 0 and 2, so that the flow ends on the far side of ys = -1 or +1)."""
    g_a = _event_values(y, math.log(p[Y_STRONG]))[which]
    a, b = 0.0, h
    _step(l, y, f0, b, p, k, ynew, tmp)
    g_b = _event_values(ynew, math.log(p[Y_STRONG]))[which]
    side = 0
    for _ in range(100):
        if g_b == g_a:
            break
        s = (a * g_b - b * g_a) / (g_b - g_a)
        if not (a < s < b):
            s = 0.5 * (a + b)
        _step(l, y, f0, s, p, k, ynew, tmp)
        g_s = _event_values(ynew, math.log(p[Y_STRONG]))[which]
        if (g_s > 0.0) == (g_b > 0.0):
            b, g_b = s, g_s
            if side == -1:
                g_a *= 0.5
            side = -1
        else:
            a, g_a = s, g_s
            if side == 1:
                g_b *= 0.5
            side = 1
        if b - a <= 1e-14 * max(1.0, l + b) or g_s == 0.0:
            break
    return 0.5 * (a + b) if which == 1 else b


@nb.njit(cache=True)
def _export(y, p, out):
    """Engine variables back to the state of :data:`pairing1d.rg.STATE` (y_i = sign(y_i^0) exp(u_i))."""
    for i in range(N_STATE):
        out[i] = y[i]
    out[2] = math.copysign(math.exp(y[2]), p[Y1_0]) if p[Y1_0] != 0.0 else 0.0
    out[3] = math.copysign(math.exp(y[3]), p[Y2_0]) if p[Y2_0] != 0.0 else 0.0


@nb.njit(cache=True)
def _flow_one(p, rtol, atol, out_state):
    """Integrate one device; returns (l_bar, l_bbar, l_runaway, l_end, n_steps), inf for an event not reached."""
    y = np.empty(N_STATE)
    # ln|y_i| for y_i != 0; a vanishing y_i stays 0 and its log is never used (the rhs checks p[Y*_0])
    u1 = math.log(abs(p[Y1_0])) if p[Y1_0] != 0.0 else 0.0
    u2 = math.log(abs(p[Y2_0])) if p[Y2_0] != 0.0 else 0.0
    y[0], y[1], y[2], y[3], y[4], y[5] = p[YS0], p[INV_KS0], u1, u2, p[INV_KT0], p[INV_KCT0]
    k = np.empty((7, N_STATE))
    f0 = np.empty(N_STATE)
    ynew = np.empty(N_STATE)
    tmp = np.empty(N_STATE)
    _rhs(0.0, y, p, f0)
    lmax = p[LMAX]
    l = 0.0
    l_bar = math.inf
    l_bbar = math.inf
    log_strong = math.log(p[Y_STRONG])
    # |y1| = y_strong is u1 = ln y_strong; y1 = 0 never gets there
    g_strong = y[2] - log_strong if p[Y1_0] != 0.0 else -math.inf
    # initial step: the scipy heuristic reduced to its first guess
    d0 = 0.0
    d1 = 0.0
    for i in range(N_STATE):
        sc = atol + abs(y[i]) * rtol
        d0 += (y[i] / sc) ** 2
        d1 += (f0[i] / sc) ** 2
    d0 = math.sqrt(d0 / N_STATE)
    d1 = math.sqrt(d1 / N_STATE)
    h = 1e-6 if d0 < 1e-5 or d1 < 1e-5 else 0.01 * d0 / d1
    h = min(h, lmax)
    n_steps = 0
    while l < lmax:
        h = min(h, lmax - l)
        _step(l, y, f0, h, p, k, ynew, tmp)
        err = 0.0
        for i in range(N_STATE):
            sc = atol + rtol * max(abs(y[i]), abs(ynew[i]))
            e = 0.0
            for j in range(7):
                e += _E[j] * k[j, i]
            err += (h * e / sc) ** 2
        err = math.sqrt(err / N_STATE)
        if err > 1.0 or not math.isfinite(err):
            h *= max(0.2, 0.9 * err ** -0.2) if math.isfinite(err) else 0.2
            continue
        n_steps += 1
        # events inside the accepted step [l, l + h]
        g_strong_new = ynew[2] - log_strong if p[Y1_0] != 0.0 else -math.inf
        if l_bbar == math.inf and g_strong < 0.0 <= g_strong_new:
            s = _locate(l, y, f0, h, p, 1, k, ynew, tmp)
            l_bbar = l + s
            _step(l, y, f0, h, p, k, ynew, tmp)  # restore the accepted step
        if ynew[0] <= -1.0:
            s = _locate(l, y, f0, h, p, 0, k, ynew, tmp)
            l_bar = l + s
            _step(l, y, f0, s, p, k, ynew, tmp)
            if l_bbar > l_bar:  # y1 became strong only after the flow ended
                l_bbar = math.inf
            _export(ynew, p, out_state)
            return l_bar, l_bbar, math.inf, l_bar, n_steps
        if y[0] < 1.0 <= ynew[0]:  # runaway of ys to +1: the flow ends (see pairing1d.rg)
            s = _locate(l, y, f0, h, p, 2, k, ynew, tmp)
            l_run = l + s
            _step(l, y, f0, s, p, k, ynew, tmp)
            if l_bbar > l_run:
                l_bbar = math.inf
            _export(ynew, p, out_state)
            return l_bar, l_bbar, l_run, l_run, n_steps
        l += h
        for i in range(N_STATE):
            y[i] = ynew[i]
            f0[i] = k[6, i]
        g_strong = g_strong_new
        factor = 10.0 if err == 0.0 else min(10.0, 0.9 * err ** -0.2)
        h *= factor
    _export(y, p, out_state)
    return l_bar, l_bbar, math.inf, lmax, n_steps


@nb.njit(cache=True, parallel=True)
def _integrate(params, rtol, atol, events, states, steps):
    for n in nb.prange(params.shape[0]):
        l_bar, l_bbar, l_run, l_end, n_steps = _flow_one(params[n], rtol, atol, states[n])
        events[n, 0] = l_bar
        events[n, 1] = l_bbar
        events[n, 2] = l_run
        events[n, 3] = l_end
        steps[n] = n_steps


# Model fields the kernel reads, in the order of the packed columns they feed
PACKED_FIELDS = (
    "ys0", "y0", "y2", "Kc0", "K0", "upsilon", "u_ratio", "theta", "lstar", "lstar2", "lmass", "chi", "lmax",
    "y_strong", "su2", "scheme", "vertex_charge",
)


def pack_fields(values: dict[str, np.ndarray]) -> np.ndarray:
    """Packed parameter array from 1-D arrays of Model fields (all of :data:`PACKED_FIELDS`, equal length).

    Uses the same Eq. (13)-(14) functions as :class:`~pairing1d.model.Model`; the values must already be valid
    (each row a valid Model): this function does not check them.
    """
    v = {name: np.asarray(values[name]) for name in PACKED_FIELDS}
    q = rotation_q(v["upsilon"], v["u_ratio"], v["Kc0"], v["K0"])
    n = len(v["ys0"])
    params = np.empty((n, N_PARAMS))
    params[:, YS0] = v["ys0"]
    params[:, INV_KS0] = 1.0 / (1.0 + 0.5 * v["ys0"])
    params[:, Y1_0] = v["y0"]
    params[:, Y2_0] = v["y2"]
    params[:, INV_KT0] = 1.0 / k_tilde0(v["K0"], v["upsilon"])
    params[:, INV_KCT0] = 1.0 / kc_tilde0(v["Kc0"], v["u_ratio"], v["upsilon"])
    params[:, A1], params[:, A2], params[:, K_FEEDBACK] = vertex_coefficients(q, v["vertex_charge"])
    params[:, COS_THETA] = np.cos(v["theta"])
    params[:, LSTAR1] = np.minimum(v["lstar"], v["lmass"])  # Appendix B: effective cutoff
    params[:, LSTAR2] = np.minimum(v["lstar2"], v["lmass"])
    params[:, CHI] = v["chi"]
    params[:, LMAX] = v["lmax"]
    params[:, Y_STRONG] = v["y_strong"]
    params[:, SU2] = v["su2"].astype(float)
    params[:, FROZEN] = (v["scheme"] == "frozen").astype(float)
    params[:, Q] = q
    params[:, VERTEX_CHARGE] = v["vertex_charge"]
    return params


def fields_of(models: Sequence[Model]) -> dict[str, np.ndarray]:
    """Arrays of the packed fields of a list of Models."""
    return {name: np.array([getattr(m, name) for m in models]) for name in PACKED_FIELDS}


def pack(models: Sequence[Model]) -> np.ndarray:
    """The packed parameter array (one row per device) of a list of Models."""
    return pack_fields(fields_of(models))


def integrate_batch(
    params: np.ndarray, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run the kernel on a packed array: (events[N, 4] = l_bar, l_bbar, l_runaway, l_end; states[N, 6];
    steps[N]).

    ``states`` holds the couplings at the end of each flow in the order of :data:`pairing1d.rg.STATE`.
    """
    params = np.ascontiguousarray(params, dtype=np.float64)
    n = params.shape[0]
    events = np.empty((n, 4))
    states = np.empty((n, N_STATE))
    steps = np.empty(n, dtype=np.int64)
    _integrate(params, rtol, atol, events, states, steps)
    return events, states, steps


@dataclass(frozen=True)
class BatchResult:
    """Phases and scales of N devices, arrays of length N, the conventions of :mod:`pairing1d.phases`.

    An event not reached has ``l_bar`` / ``l_bbar`` = ``inf``, and then ``spin_gap`` / ``trion_scale`` = 0
    (no gap opened above the infrared end of the flow). ``dominant_order``: 0 none, 1 CDW, 2 SC.
    """

    phase: np.ndarray
    l_bar: np.ndarray
    l_bbar: np.ndarray
    l_runaway: np.ndarray
    spin_gap: np.ndarray
    trion_scale: np.ndarray
    dominant_order: np.ndarray
    Kc_tilde_end: np.ndarray
    K_tilde_end: np.ndarray
    Kf: np.ndarray
    steps: np.ndarray


def classify_batch(
    params: np.ndarray, events: np.ndarray, states: np.ndarray, steps: np.ndarray, kf: np.ndarray
) -> BatchResult:
    """Vectorized :func:`pairing1d.phases.classify` (same rules) on the kernel's output."""
    l_bar, l_bbar = events[:, 0], events[:, 1]
    lstar1, lmax, chi = params[:, LSTAR1], params[:, LMAX], params[:, CHI]
    trion = l_bbar < lstar1
    paired = ~trion & (l_bar <= lmax)
    phase = np.where(trion, 2, np.where(paired, 1, 0)).astype(np.int8)
    kc_end, k_end = 1.0 / states[:, 5], 1.0 / states[:, 4]
    sc_paired = kc_end + params[:, Q] ** 2 * k_end > 1.0 / kc_end  # Eq. (18)
    sc_trion = kf > sc_threshold(params[:, VERTEX_CHARGE])
    order = np.where(paired, np.where(sc_paired, 2, 1), np.where(trion, np.where(sc_trion, 2, 1), 0))
    reached = np.isfinite(l_bbar)
    c1 = np.where(reached, 0.5 * (1.0 - np.tanh((np.where(reached, l_bbar, 0.0) - lstar1) / chi)), 0.0)
    return BatchResult(
        phase=phase, l_bar=l_bar, l_bbar=l_bbar, l_runaway=events[:, 2], spin_gap=np.exp(-l_bar),
        trion_scale=np.exp(-l_bbar) * c1,
        dominant_order=order.astype(np.int8), Kc_tilde_end=kc_end, K_tilde_end=k_end, Kf=kf, steps=steps,
    )


def run_fields(
    values: dict[str, np.ndarray], rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL
) -> BatchResult:
    """Phases of the devices given as arrays of (valid) Model fields: pack, integrate, classify."""
    params = pack_fields(values)
    events, states, steps = integrate_batch(params, rtol, atol)
    kf, _ = trion_sector_dimensionless(
        values["Kc0"], values["K0"], values["upsilon"], values["u_ratio"], values["vertex_charge"]
    )
    return classify_batch(params, events, states, steps, np.broadcast_to(kf, events[:, 0].shape))


def run_batch(models: Sequence[Model], rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL) -> BatchResult:
    """Phases of a list of Models, the batched counterpart of :func:`pairing1d.phases.phase_of`."""
    return run_fields(fields_of(models), rtol, atol)
