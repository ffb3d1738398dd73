r"""The strong-coupling step: what a device becomes when :math:`|y_1|` reaches strong coupling while its vertex acts.

The second-order flow stops being a controlled expansion once :math:`|y_1|` reaches ``y_strong``. There the package
hands over to the locked theory of Appendix C (``docs/physics.md``, Sec. 14, "The strong-coupling step") instead of
calling every such device a trion:

1. **Locking (Pokrovsky-Talapov).** At the hand-over scale :math:`\alpha_h = \alpha_0e^{\ell_h}` the vertex
   :math:`g\cos\sqrt2\phi_s\cos(b\cdot\Phi - \delta x/\alpha_h)` is a sine-Gordon potential for :math:`b\cdot\Phi`
   (with :math:`\phi_s` at its minimum). Its classical soliton, a :math:`2\pi` kink of :math:`b\cdot\Phi` with the
   other direction of :math:`\Phi` relaxed (stiffness :math:`1/b^TM^{-1}b`), costs

   .. math::
       E_{\rm sol} = \frac{4\sqrt2}{\pi\alpha_h}\sqrt{\frac{\bar u\,y}{b^TM^{-1}b}}\qquad (|g| = \pi\bar u\,y),

   and the mismatch is a chemical potential for these solitons, :math:`E_\mu = 2\delta/(\alpha_h\,b^TM^{-1}b)` per
   soliton (the cheapest uniform twist that absorbs it). The commensurate, locked state survives iff
   :math:`E_{\rm sol} > E_\mu`, i.e. iff the running mismatch at the hand-over is below

   .. math::
       \delta_c = \frac{2\sqrt2}{\pi}\sqrt{y\,\bar u\,b^TM(\ell_h)^{-1}b}, \qquad
       M(\ell) = M_0 + v_{\rm ref}\,(G(\ell) - G_0)

   (units :math:`u_c = 1`; :func:`critical_mismatch`). Locked: **trion**, with the trion scale
   :math:`\Lambda e^{-\ell_h}` as the gap of the whole spin-and-trion sector.
2. **Unlocked: does the spin gap survive?** The vertex slides and leaves the infrared; the spin sector keeps the
   backscattering :math:`y_s(\ell_h)` that :math:`y_1^2` has generated so far. Two readings bracket what the vertex
   does beyond ``y_strong``: *dropped* at the hand-over (the least it can do; the spin sector then follows its own
   Kosterlitz-Thouless flow from the hand-over state, in closed form: :func:`spin_after_drop`) and *continued* by the
   second-order flow (what Eq. 16 says past its range). If both give the same phase (paired, triplet or decoupled),
   that is the verdict, with the gap of the dropped reading (no gap is quoted from a flow continued past
   ``y_strong``); if they disagree, the derivation cannot decide: **undetermined**.

3. **A spin gap first.** A flow may reach its spin gap (:math:`y_s = -1`) while the vertex still acts and is still below
   the threshold. The spin field is then pinned, :math:`\langle\cos\sqrt2\phi_s\rangle \approx 1`, and the vertex is
   :math:`y\cos(b\cdot\Phi - \delta x/\alpha)` of dimension :math:`b^TCb/4` alone: its own C-IC flow, with the same
   regulator, lock-in and feedback, decides whether it reaches the threshold before its mismatch drops it
   (:func:`lock_after_gap`). If it does and locks, the device is a **trion** below that scale (Appendix C's order: the
   spin gap first, then :math:`\phi_g`); otherwise it stays **paired**.

Every function works on numpy arrays (one element per device), so that the single-device path
(:func:`pairing1d.theory.phases.classify`) and the batched engine (:func:`pairing1d.engine.batch.classify_batch`) share
them.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.integrate import quad
from scipy.optimize import brentq

__all__ = ["DECOUPLED", "PAIRED", "TRION", "TRIPLET", "UNDETERMINED", "soliton_charge", "critical_mismatch",
           "spin_after_drop", "handover_verdict", "kt_gap_time", "lock_after_gap", "GAP_STEP"]

DECOUPLED, PAIRED, TRION, TRIPLET, UNDETERMINED = range(5)
"""Phase codes (those of :data:`pairing1d.theory.phases.PHASES`)."""

SQRT2 = math.sqrt(2.0)


def soliton_charge(g11, g12, g22, G0, M0, b2, v_ref, ubar):
    r""":math:`\bar u\,b^TM(\ell)^{-1}b` for the charge :math:`b = (\sqrt2, b_2)` with the Hamiltonian stiffness
    :math:`M(\ell) = M_0 + v_{\rm ref}(G(\ell) - G_0)` of :math:`(\phi_c, \phi)` in the rotated basis (units
    :math:`u_c = 1`): the soliton's charge in :func:`critical_mismatch`, and :math:`\bar u/(\bar u^2/v_{\rm ref})`
    times the lock-in charge of the flow (:func:`pairing1d.theory.flow_equations.lock_charge`). Arrays."""
    m11 = M0[0] + v_ref * (g11 - G0[0])
    m12 = M0[1] + v_ref * (g12 - G0[1])
    m22 = M0[2] + v_ref * (g22 - G0[2])
    return ubar * (2.0 * m22 - 2.0 * SQRT2 * b2 * m12 + b2 * b2 * m11) / (m11 * m22 - m12 * m12)


def critical_mismatch(y, charge):
    r""":math:`\delta_c = \frac{2\sqrt2}{\pi}\sqrt{y\,q}`: the largest running mismatch at which the locked state of a
    vertex :math:`y` (at its hand-over scale) beats the chemical potential of its solitons; ``charge``
    :math:`q = \bar u\,b^TM^{-1}b` (:func:`soliton_charge`). For one field of stiffness :math:`u/K` at its own
    velocity, :math:`q = \beta^2K`: :math:`\delta_c = (4\sqrt2/\pi)\sqrt{y\Delta}` with :math:`\Delta = \beta^2K/4`
    (module docstring)."""
    return (2.0 * SQRT2 / math.pi) * np.sqrt(np.asarray(y, dtype=float) * np.asarray(charge, dtype=float))


def kt_gap_time(rho: float, inv_ks: float) -> float | None:
    r"""RG time for the spin sector alone, :math:`d|Z|/d\ell = (2 - 2K_s)|Z|`, :math:`dK_s^{-1}/d\ell = |Z|^2/2` (the
    flow with no vertex, off the SU(2) line), to take :math:`|Z|` from ``rho`` to 1 at :math:`K_s^{-1} = k_0` =
    ``inv_ks``; None when it never gets there. Exact: along the flow :math:`|Z|^2 - 8(k - \ln k)` is constant
    (:math:`k = K_s^{-1}`), so :math:`|Z|` reaches 1 iff :math:`k_0 \ge 1` or :math:`\rho^2 > 8(k_0 - \ln k_0 - 1)`,
    and the time is :math:`\int_{k_0}^{k_1} 2\,dk/|Z|^2(k)` with :math:`|Z|(k_1) = 1`."""
    if rho >= 1.0:
        return 0.0
    if rho <= 0.0:
        return None
    k0 = inv_ks
    c = rho * rho - 8.0 * (k0 - math.log(k0))

    def z2(k):
        return c + 8.0 * (k - math.log(k))

    if k0 < 1.0 and z2(1.0) <= 0.0:
        return None
    low = max(k0, 1.0)
    high = low + 1.0
    for _ in range(200):  # z2 grows at least linearly past k = 1 + ...: a bounded search for the bracket
        if z2(high) >= 1.0:
            break
        high = low + 2.0 * (high - low)
    k1 = brentq(lambda k: z2(k) - 1.0, low, high, xtol=1e-14) if z2(low) < 1.0 else low
    points = [1.0] if k0 < 1.0 < k1 else None
    value, _ = quad(lambda k: 2.0 / z2(k), k0, k1, points=points, limit=200, epsabs=1e-12, epsrel=1e-10)
    return value


def spin_after_drop(l_h, zr, zi, inv_ks, su2, lmax):
    r"""The spin sector after vertex 1 is dropped at :math:`\ell_h` (the *dropped* reading of the module docstring):
    ``(phase, l_gap)`` arrays, phase :data:`PAIRED` (:math:`Z \to -1`, singlet weight :math:`\ge 1/2`),
    :data:`TRIPLET` or :data:`DECOUPLED` (no gap by ``lmax``), ``l_gap`` = inf without a gap.

    On the SU(2) line (``su2``: :math:`K_s = 1 + y_s/2`, real :math:`y_s`) :math:`dy_s/d\ell = -y_s^2`, so a negative
    :math:`y_s(\ell_h)` reaches -1 at :math:`\ell_h + (1 - |y_s|)/|y_s|` (Sec. II B 1) and a positive one dies out;
    off it, :func:`kt_gap_time`."""
    l_h, zr, zi, inv_ks, lmax = (np.asarray(a, dtype=float) for a in (l_h, zr, zi, inv_ks, lmax))
    su2 = np.broadcast_to(np.asarray(su2, dtype=bool), l_h.shape)
    phase = np.full(l_h.shape, DECOUPLED, dtype=np.int8)
    l_gap = np.full(l_h.shape, np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        line = su2 & (zr < 0.0)
        l_gap = np.where(line, l_h + (1.0 + zr) / -zr, l_gap)
    for n in np.flatnonzero(~su2 & np.isfinite(l_h)):  # off the SU(2) line (theta != 0 or su2=False): rare
        t = kt_gap_time(math.hypot(zr[n], zi[n]), float(inv_ks[n]))
        if t is not None:
            l_gap[n] = l_h[n] + t
    rho = np.hypot(zr, zi)
    with np.errstate(divide="ignore", invalid="ignore"):
        singlet = 0.5 * (1.0 - np.where(rho > 0, zr / rho, 1.0)) >= 0.5
    gapped = l_gap <= lmax
    phase[gapped & singlet] = PAIRED
    phase[gapped & ~singlet] = TRIPLET
    return phase, np.where(gapped, l_gap, np.inf)


def handover_verdict(l_h, zr, zi, inv_ks, g11, g12, g22, delta, *, y, b2, G0, M0, v_ref, ubar, su2, lmax,
                     continued):
    r"""The strong-coupling step for devices handed over at :math:`\ell_h` (``l_h`` finite) with the recorded state
    there (:data:`pairing1d.theory.flow_equations.SNAPSHOT`): ``(phase, l_spin, locked, delta_c, dropped)``.

    ``y`` is the threshold reached (``y_strong`` times a hand-over factor), ``b2`` the second component of the
    vertex's rotated charge, ``G0`` and ``M0`` the bare inverse correlation matrix and Hamiltonian stiffness in the
    rotated basis (three arrays each), ``v_ref`` and ``ubar`` the reference and mean velocities (units
    :math:`u_c = 1`), ``continued`` the phase code the continued flow reached (its own spin gap or ``lmax``;
    :data:`UNDETERMINED` when it failed). ``l_spin`` is the RG time of the spin-sector scale: :math:`\ell_h` for a
    trion (its trion scale), the dropped reading's gap for paired and triplet, inf otherwise; ``dropped`` the phase
    of the dropped reading. Devices with :math:`\ell_h = \infty` get the phase of ``continued`` (and are not handed
    over: ``locked`` False, ``delta_c`` NaN)."""
    l_h = np.asarray(l_h, dtype=float)
    handed = np.isfinite(l_h)
    with np.errstate(invalid="ignore", divide="ignore"):
        q = soliton_charge(g11, g12, g22, G0, M0, b2, v_ref, ubar)
        delta_c = critical_mismatch(y, q)
        locked = handed & (np.asarray(delta, dtype=float) <= delta_c)  # as in lock_after_gap
    dropped, l_gap = spin_after_drop(np.where(handed, l_h, np.inf), zr, zi, inv_ks, su2, lmax)
    continued = np.asarray(continued)
    agree = dropped == continued
    phase = np.where(locked, TRION, np.where(agree, dropped, UNDETERMINED))
    phase = np.where(handed, phase, continued).astype(np.int8)
    l_spin = np.where(locked, l_h, np.where(handed & agree, l_gap, np.inf))
    return phase, l_spin, locked, np.where(handed, delta_c, np.nan), dropped


GAP_STEP = 0.01
"""Smallest RG-time step of :func:`lock_after_gap`'s fourth-order Runge-Kutta integration."""
GAP_STEP_MAX = 0.5
"""Largest RG-time step of :func:`lock_after_gap` (a vertex near marginality, a commensurate one)."""
GAP_CHANGE = 0.05
r"""The change of :math:`\ln y` and :math:`\ln\delta` per step of :func:`lock_after_gap` that sets its step between
:data:`GAP_STEP` and :data:`GAP_STEP_MAX` (the threshold is located by linear interpolation within a step)."""
GAP_GONE = 40.0
r"""A vertex below the threshold by this much in :math:`\ln y` and decaying is given up (no hand-over): its feedback,
of order :math:`y^2 \sim e^{-80}`, cannot turn it around."""


def _weights(delta, kind):
    from scipy.special import j0, j1

    gauss = np.exp(-0.25 * delta * delta)
    return np.where(kind == 1, gauss, j0(delta)), np.where(kind == 1, 0.5 * delta * gauss, j1(delta))


def lock_after_gap(l0, states, params, y):
    r"""The vertex's own flow after the spin gap opened at :math:`\ell_0` with vertex 1 alive and below the threshold
    ``y``, from the flows' states ``states[N, 12]`` there and their packed rows ``params[N, ...]``: the spin field
    pinned, :math:`dy/d\ell = (2 - b^TCb/4)y`, and the rest of :func:`pairing1d.theory.flow_equations.rhs` with the spin
    entries gone (the regulator's weight and drop, the mass cutoff, the lock-in of
    :func:`~pairing1d.theory.flow_equations.lock_charge` and :func:`~pairing1d.theory.flow_equations.mismatch_rate`, the
    consistent or the diagonal feedback with the velocity factor), integrated by fourth-order Runge-Kutta with a step
    that changes :math:`\ln y` and :math:`\ln\delta` by at most :data:`GAP_CHANGE` (between :data:`GAP_STEP` and
    :data:`GAP_STEP_MAX`) until :math:`|y|` reaches ``y`` (a hand-over, tested by :func:`critical_mismatch`), the
    mismatch reaches the drop or the mass drop, or :math:`\ell_{\max}`. Returns ``(l_lock, locked)``: the RG time of the
    hand-over (inf: none) and whether it locks. Arrays (one element per device)."""
    from . import flow_equations as fe

    params = np.asarray(params, dtype=float)
    p = params.T
    n = params.shape[0]
    s = np.array(states, dtype=float).T.copy()  # (12, n): the flow's state, of which the reduced flow moves five
    moving = (fe.U1, fe.D1, fe.G11, fe.G12, fe.G22)
    l = np.array(l0, dtype=float, copy=True)
    y = np.broadcast_to(np.asarray(y, dtype=float), (n,))
    target = np.log(y)
    drop, lmass = p[fe.P_DDROP], p[fe.P_LMASS]
    with np.errstate(invalid="ignore", over="ignore"):
        l_end = np.minimum(p[fe.P_LMAX], np.where(np.isfinite(lmass), p[fe.P_LMDROP], np.inf))
    l_lock = np.full(n, np.inf)
    locked = np.zeros(n, dtype=bool)
    active = (l < l_end) & (s[fe.D1] < drop) & (s[fe.U1] < target)

    def rhs(t, state, idx):
        full = s[:, idx].copy()
        full[list(moving)] = state
        q_idx = p[:, idx]
        b2 = q_idx[fe.P_B1]
        det = full[fe.G11] * full[fe.G22] - full[fe.G12] ** 2
        q = (2.0 * full[fe.G22] - 2.0 * SQRT2 * b2 * full[fe.G12] + b2 * b2 * full[fe.G11]) / det  # b^T C b
        y2 = np.exp(2.0 * full[fe.U1])
        w, w1 = _weights(full[fe.D1], q_idx[fe.P_WEIGHT])
        with np.errstate(invalid="ignore", over="ignore"):
            mass = np.where(np.isfinite(q_idx[fe.P_LMASS]),
                            _weights(2.0 * np.exp(t - q_idx[fe.P_LMASS]), q_idx[fe.P_WEIGHT])[0], 1.0)
        fy = w * mass * y2 * q_idx[fe.P_FV]
        consistent = q_idx[fe.P_FLOW] == fe.CONSISTENT
        return np.array([2.0 - 0.25 * q, fe.mismatch_rate(full[fe.D1], fe.lock_charge(full, q_idx, b2), y2, w1),
                         0.125 * fy, np.where(consistent, SQRT2 * b2 * fy / 16.0, 0.0),
                         np.where(consistent, b2 * b2, q_idx[fe.P_P2]) * fy / 16.0])

    # at most one step of GAP_STEP per GAP_STEP of RG time: the loop ends (lmax <= 1000)
    for _ in range(int(np.ceil(float(np.max(l_end[active] - l[active], initial=0.0)) / GAP_STEP)) + 1):
        idx = np.flatnonzero(active)
        if not idx.size:
            break
        state = s[list(moving)][:, idx]
        t = l[idx]
        k1 = rhs(t, state, idx)
        # a vertex decaying far below the threshold cannot come back (its feedback is O(y^2)): no hand-over
        gone = (k1[0] <= 0.0) & (state[0] < target[idx] - GAP_GONE)
        if gone.any():
            active[idx[gone]] = False
            keep = ~gone
            idx, state, t, k1 = idx[keep], state[:, keep], t[keep], k1[:, keep]
            if not idx.size:
                continue
        # the step: ln y and ln delta change by at most GAP_CHANGE per step, between GAP_STEP and GAP_STEP_MAX
        with np.errstate(divide="ignore", invalid="ignore"):
            speed = np.maximum(np.abs(k1[0]), np.where(state[1] > 0.0, np.abs(k1[1]) / state[1], 0.0))
            h = np.clip(GAP_CHANGE / speed, GAP_STEP, GAP_STEP_MAX)
        step = np.minimum(np.where(np.isfinite(h), h, GAP_STEP), l_end[idx] - t)
        k2 = rhs(t + step / 2, state + step / 2 * k1, idx)
        k3 = rhs(t + step / 2, state + step / 2 * k2, idx)
        k4 = rhs(t + step, state + step * k3, idx)
        new = state + step / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        reach = new[0] >= target[idx]
        if reach.any():  # the hand-over, located by linear interpolation within the step
            r = idx[reach]
            frac = (target[r] - state[0][reach]) / (new[0][reach] - state[0][reach])
            at = state[:, reach] + frac * (new[:, reach] - state[:, reach])
            l_lock[r] = t[reach] + frac * step[reach]
            pr = p[:, r]
            v = pr[fe.P_VREF]
            q = soliton_charge(at[2], at[3], at[4], (pr[fe.G11], pr[fe.G12], pr[fe.G22]),
                               (pr[fe.P_M11], pr[fe.P_M12], pr[fe.P_M22]), pr[fe.P_B1], v, v * np.sqrt(pr[fe.P_FV]))
            locked[r] = at[1] <= critical_mismatch(y[r], q)  # exactly commensurate (delta = 0) always locks
        for k, i in enumerate(moving):
            s[i, idx] = new[k]
        l[idx] = t + step
        active[idx] = ~reach & (new[1] < drop[idx]) & (l[idx] < l_end[idx] - 1e-12) & np.isfinite(new[0])
    return l_lock, locked
