r"""The RG flow written once: state, parameters, right-hand side and event functions.

Both the single-device solver (:mod:`pairing1d.theory.rg`, scipy) and the batched kernel (:mod:`pairing1d.engine.batch`,
numba) integrate *these* functions; they are plain Python on floats and flat arrays so that numba compiles the
very same code (``docs/physics.md``, Sec. 11-14, derives every term).

**State** (:data:`STATE`). The spin harmonic :math:`|Z|\cos(\sqrt8\phi_s - \arg Z)` with :math:`Z = y_s` for the
paper's device; :math:`1/K_s` (unused on the SU(2) line, :math:`K_s = 1 + y_s/2`); each inter-wire vertex
:math:`|Y_i|\cos(\sqrt2\phi_s - \arg Y_i)\cos(a_i\cdot\Phi)` as :math:`u_i = \ln|Y_i|` and
:math:`\alpha_i = \arg Y_i` (a relative phase :math:`\theta` of :math:`g_\uparrow, g_\downarrow` is
:math:`\alpha_i = -\theta/2`); the inverse correlation matrix :math:`G = C^{-1}` of :math:`(\phi_c, \phi)` in the
rotated basis of Sec. II B (entries ``g11, g12, g22``; :math:`\operatorname{diag}(1/\tilde K_c, 1/\tilde K)` on line
13); the flowing mismatches :math:`\delta_i` of the ``cic`` scheme.

**Flow.** With :math:`b_i = (\sqrt2, \pm p - \sqrt2Q)` the rotated charges, :math:`C = G^{-1}`,
:math:`\Delta_i = K_s/2 + b_i^TCb_i/4`, the feedback weight :math:`F_i` of the cutoff scheme (times the velocity
factor :math:`f_v = (\bar u/v_{\rm ref})^2`, 1 for the default ``velocity='mean'``) and the growth factor
:math:`\gamma_i` (1, or :math:`c_i` in ``frozen``, 0 for a dropped channel):

.. math::
    \frac{dZ}{d\ell} &= (2-2K_s)Z - \sum_i F_i\frac{Y_i^2}{4}, \qquad
    \frac{dK_s^{-1}}{d\ell} = \frac{|Z|^2}{2} + \sum_i F_i\frac{|Y_i|^2}{8},\\
    \frac{dY_i}{d\ell} &= \gamma_i\Big[(2-\Delta_i)Y_i - \frac{Z\bar Y_i}{2}\Big],\qquad
    \frac{dG}{d\ell} = \sum_i F_i\frac{|Y_i|^2}{16}\,b_ib_i^T \quad(\text{flow } ``consistent''),\\
    \frac{d\delta_i}{d\ell} &= \delta_i - \frac{\bar u^2}{8v_{\rm ref}}\,b_i^TM(\ell)^{-1}b_i\,|Y_i|^2
    w_1(\delta_i) \quad(\texttt{cic}),\qquad M(\ell) = M_0 + v_{\rm ref}\,(G(\ell) - G_0),

with :math:`M_0` the Hamiltonian stiffness of :math:`(\phi_c, \phi)` in the rotated basis (units :math:`u_c = 1`) and
:math:`w_1 = -dw/d\delta` the lock-in weight of the regulator (:math:`J_1` for :math:`w = J_0`).

The paper's truncation (flow ``paper``, Eq. 16) keeps only the diagonal of :math:`b_ib_i^T` with the unrotated
charges: :math:`dG_{11} = \sum F_i|Y_i|^2/8` (16f), :math:`dG_{22} = \sum F_i p^2|Y_i|^2/16` (16e). At
:math:`\theta = 0` all of it is real and reduces to Eq. (16) with :math:`Z = y_s`, :math:`Y_1 = y_1`.

**Schemes** (:data:`SCHEME_CODES`): ``printed`` :math:`F_i = c_i(\ell)`, :math:`\gamma_i = 1`; ``frozen``
:math:`F_i = \gamma_i = c_i(\ell)`, with :math:`c_i = [1-\tanh((\ell-\ell^*_i)/\chi)]/2`; ``cic``
:math:`F_i = w(\delta_i)w(\delta_m)`, :math:`\gamma_i = 1` while the channel is alive
(:math:`\delta_i < \delta_{\rm drop}` and :math:`\delta_m = 2e^{\ell-\ell_m} < \delta_{\rm drop}`), and
:math:`F_i = \gamma_i = 0`, :math:`\delta_i` frozen once it is dropped. The regulator
(:data:`pairing1d.theory.model.REGULATORS`) sets :math:`w` (:math:`J_0`, or :math:`e^{-\delta^2/4}`) and
:math:`\delta_{\rm drop}` (:data:`DELTA_DROP`).
"""

from __future__ import annotations

import math

import numpy as np

from .gaussian import SQRT2

try:  # the batched engine compiles these functions with numba; without numba they are plain Python
    from numba.extending import register_jitable as _compilable
except ImportError:  # pragma: no cover - numba is in the 'engine' extra
    def _compilable(function):
        return function

__all__ = [
    "STATE", "N_STATE", "PARAMS", "N_PARAMS", "SCHEME_CODES", "FLOW_CODES", "J01", "bessel_j0", "bessel_j1",
    "bessel_j0_j1", "cutoff_weight", "cic_weight", "cic_weights", "mismatch_rate", "rhs", "DELTA_DROP",
    "REGULATOR_WEIGHTS", "BESSEL", "GAUSSIAN", "HANDOVER_FACTORS", "SNAPSHOT", "rotated_stiffness",
    "velocity_factors", "lock_charge", "pack_columns", "complete_row", "mass_drop",
    "once_if_constant", "gaussian_inputs", "PACKED_FIELDS", "pack_fields", "fields_of", "pack_model", "Y_WALL",
    "U_WALL", "FAILURES",
]

Y_WALL = 1e30
"""The wall on the inter-wire couplings: a flow whose :math:`|y_i|` reaches it stops there (both solvers). Legitimate
flows pass ``y_strong`` (at most 1e3) and may go on growing in the tanh schemes, but nothing the weak-coupling
flow says about a coupling of 1e30 means anything, and :math:`y^2` would overflow near 1e154."""
U_WALL = math.log(Y_WALL)
r"""The wall in the integrated variable :math:`u_i = \ln|y_i|`."""

FAILURES = ("ok", "failed: step budget", "failed: |y| reached 1e30", "failed: non-finite value")
r"""Status codes of a flow (``BatchResult.status`` and :attr:`pairing1d.theory.rg.FlowResult.status` when it failed):
the integration ran out of steps, a coupling hit :data:`Y_WALL`, or a value stopped being a number. A failed flow ends
before ``lmax``; its verdict stands only if it was reached before the failure (a trion at :math:`\bar{\bar\ell}`),
and is otherwise marked not controlled with the failure as the reason."""

STATE = ("zr", "zi", "inv_Ks", "u1", "alpha1", "u2", "alpha2", "g11", "g12", "g22", "delta1", "delta2")
"""Integrated variables, in order (module docstring)."""
N_STATE = len(STATE)
"""Length of the integrated state."""
ZR, ZI, INV_KS, U1, A1, U2, A2, G11, G12, G22, D1, D2 = range(N_STATE)

PARAMS = ("b1", "b2", "p2", "chi", "lstar1", "lstar2", "lmass", "l_mass_drop", "scheme", "flow", "su2",
          "has1", "has2", "lmax", "log_y_strong", "alive1", "alive2", "y0", "y2", "theta", "lstar1_bare",
          "lstar2_bare", "y_strong", "real", "cos_theta", "weight", "delta_drop", "feedback_scale", "lock_scale",
          "v_ref", "m11", "m12", "m22")
"""Right-hand-side parameters, in order, after the bare state in a packed row (:func:`pack_columns`)."""
N_PARAMS = len(PARAMS)
"""Number of right-hand-side parameters in a packed row."""
(P_B1, P_B2, P_P2, P_CHI, P_LSTAR1, P_LSTAR2, P_LMASS, P_LMDROP, P_SCHEME, P_FLOW, P_SU2, P_HAS1, P_HAS2, P_LMAX,
 P_LOG_YSTRONG, P_ALIVE1, P_ALIVE2, P_Y1_BARE, P_Y2_BARE, P_THETA, P_LSTAR1_BARE, P_LSTAR2_BARE,
 P_YSTRONG, P_REAL, P_COS_THETA, P_WEIGHT, P_DDROP, P_FV, P_LOCK, P_VREF, P_M11, P_M12,
 P_M22) = range(N_STATE, N_STATE + N_PARAMS)
N_PACKED = N_STATE + N_PARAMS

SCHEME_CODES = {"cic": 0, "printed": 1, "frozen": 2}
"""Integer code of each cutoff scheme in a packed row."""
FLOW_CODES = {"consistent": 0, "paper": 1, "diagonal": 2}
"""Integer code of each flow in a packed row (``paper`` and ``diagonal`` share the right-hand side; they differ in
the bare :math:`G` only)."""
CIC, PRINTED, FROZEN = 0, 1, 2
CONSISTENT, PAPER, DIAGONAL = 0, 1, 2
BESSEL = 0
r"""Weight code of the regulators with the sharp-shell average :math:`J_0(\delta)` (``j01``, ``delta1``)."""
GAUSSIAN = 1
r"""Weight code of the ``smooth`` regulator, :math:`e^{-\delta^2/4}`."""

J01 = 2.404825557695773
"""First zero of the Bessel function J0: a C-IC channel is dropped when its mismatch reaches it (the feedback
:math:`J_0(\\delta)` vanishes there, continuously, instead of turning negative)."""
_MAX_DELTA0 = 10.0  # a bare mismatch this large (past every drop) is simply "dropped from the start"

DELTA_DROP = {"j01": J01, "delta1": 1.0, "smooth": 2.0 * math.sqrt(math.log(100.0))}
r"""Mismatch :math:`\delta` at which each regulator (:data:`pairing1d.theory.model.REGULATORS`) drops a ``cic`` vertex:
the first zero of :math:`J_0`; :math:`\delta = 1`; where :math:`e^{-\delta^2/4}` falls to 1/100."""
REGULATOR_WEIGHTS = {"j01": BESSEL, "delta1": BESSEL, "smooth": GAUSSIAN}
r"""The weight of each regulator: :math:`J_0` (:data:`BESSEL`) or :math:`e^{-\delta^2/4}` (:data:`GAUSSIAN`)."""

HANDOVER_FACTORS = (0.5, 1.0, 2.0)
"""The strong-coupling thresholds of the verdict ensemble, in units of ``y_strong``: every flow records the state
where :math:`|y_1|` first reaches each of them (the hand-over to the locked theory,
:mod:`pairing1d.theory.strong_coupling`),
so that the members that differ only in ``y_strong`` are one flow read at three thresholds."""
SNAPSHOT = ("l", "zr", "zi", "inv_Ks", "g11", "g12", "g22", "delta1")
"""What a flow records at each hand-over threshold: the RG time and the state's spin, stiffness and mismatch
entries (:data:`STATE` names)."""
SNAPSHOT_STATE = (ZR, ZI, INV_KS, G11, G12, G22, D1)


_J0_COEFFS = tuple((-1.0) ** k / math.factorial(k) ** 2 for k in range(12))
_J1_COEFFS = tuple((-1.0) ** k / (math.factorial(k) * math.factorial(k + 1)) for k in range(12))


@_compilable
def bessel_j0_j1(x):
    r""":math:`(J_0(x), J_1(x))` from their series :math:`J_0 = \sum_k (-1)^k q^k/(k!)^2`,
    :math:`J_1 = (x/2)\sum_k (-1)^k q^k/(k!(k+1)!)`, :math:`q = x^2/4`, to :math:`10^{-13}` for
    :math:`0 \le x \le 3` (12 terms, Horner; the two chains interleaved)."""
    q = 0.25 * x * x
    a = 0.0
    b = 0.0
    for k in range(11, -1, -1):
        a = a * q + _J0_COEFFS[k]
        b = b * q + _J1_COEFFS[k]
    return a, 0.5 * x * b


@_compilable
def bessel_j0(x):
    r""":math:`J_0(x)` (:func:`bessel_j0_j1`)."""
    return bessel_j0_j1(x)[0]


@_compilable
def bessel_j1(x):
    r""":math:`J_1(x)` (:func:`bessel_j0_j1`)."""
    return bessel_j0_j1(x)[1]


@_compilable
def cutoff_weight(l, lstar, chi, two_u):
    r""":math:`c(\ell)\,e^{2u}`, the tanh cutoff :math:`c = [1-\tanh((\ell-\ell^*)/\chi)]/2 = 1/(1+e^x)`,
    :math:`x = 2(\ell-\ell^*)/\chi`, times :math:`y^2 = e^{2u}` (``two_u = 0``: :math:`c` itself), computed as
    :math:`e^{2u - x_+}/(1 + e^{-|x|})` with :math:`x_+ = \max(x, 0)`. The same number for :math:`x \le 0`
    and, multiplying by :math:`e^{-x}/e^{-x}`, for :math:`x > 0`; written so that neither factor overflows
    (:math:`e^{-|x|} \le 1`; the exponential overflows only where :math:`c\,y^2` itself does, far past
    :math:`\ell^*` where the feedback of the ``printed`` scheme is a ratio of two huge numbers), without a branch
    (so that the SIMD lanes of :mod:`pairing1d.engine.lanes` compute one expression, not both sides of a test), at
    the cost of the naive :math:`e^{2u}/(1+e^x)`: two exponentials and a division. :math:`\ell^* = \infty` gives
    :math:`x = -\infty`, :math:`c = 1`."""
    x = 2.0 * (l - lstar) / chi  # -inf for lstar = inf: c = 1
    return math.exp(two_u - max(x, 0.0)) / (1.0 + math.exp(-abs(x)))


@_compilable
def cic_weight(delta):
    r"""Feedback weight of a vertex with mismatch :math:`\delta` in the ``cic`` scheme: :math:`J_0(\delta)` up to its
    first zero :math:`j_{0,1}`, 0 beyond (the shell average of :math:`e^{i\delta\cos\vartheta}` over the
    directions; beyond :math:`j_{0,1}` it would turn negative, an artefact of the sharp shell, and the vertex is
    dropped instead -- continuously, since :math:`J_0(j_{0,1}) = 0`)."""
    return bessel_j0(delta) if delta < J01 else 0.0


@_compilable
def cic_weights(delta, kind):
    r"""``(w, w1)``: the feedback weight :math:`w(\delta)` of a vertex of mismatch :math:`\delta` and its lock-in
    weight :math:`w_1 = -dw/d\delta`, for the regulator's weight ``kind``: :math:`(J_0, J_1)` (:data:`BESSEL`, the
    angular average of :math:`e^{i\delta\cos\vartheta}` over a sharp shell) or :math:`(e^{-\delta^2/4},
    \frac{\delta}{2}e^{-\delta^2/4})` (:data:`GAUSSIAN`: a smooth shell; the same expansion to
    :math:`O(\delta^2)`)."""
    if kind == GAUSSIAN:
        w = math.exp(-0.25 * delta * delta)
        return w, 0.5 * delta * w
    return bessel_j0_j1(delta)


def velocity_factors(u_ratio, velocity):
    r"""``(v_ref, feedback_scale, lock_scale)`` of a reference velocity (:data:`pairing1d.theory.model.VELOCITIES`) in
    units :math:`u_c = 1`: :math:`v_{\rm ref}` = :math:`\bar u = (1 + u/u_c)/2`, 1 or :math:`u/u_c`;
    :math:`f_v = (\bar u/v_{\rm ref})^2` multiplies every :math:`y^2` feedback (the state's :math:`y` is the paper's
    :math:`g/\pi\bar u`, the second-order coefficients are those of one velocity :math:`v_{\rm ref}`), and the lock-in
    carries :math:`\bar u^2/v_{\rm ref}` in front of the Hamiltonian stiffness :math:`b^TM^{-1}b`
    (``docs/physics.md`` Sec. 14). Arrays or numbers."""
    r = np.asarray(u_ratio, dtype=float)
    ubar = 0.5 * (1.0 + r)
    names = np.asarray(velocity)
    v = np.where(names == "charge", 1.0, np.where(names == "secondary", r, ubar))
    return v, (ubar / v) ** 2, ubar * ubar / v


def rotated_stiffness(Kc0, K0, u_ratio, upsilon, upsilon_theta):
    r"""Entries ``(m11, m12, m22)`` of the bare Hamiltonian stiffness of :math:`(\phi_c, \phi)` in the rotated basis,
    :math:`T^TMT` with :math:`Q = M_{12}/M_{11}` (which removes the off-diagonal): :math:`(M_{11}, 0,
    M_{22} - M_{12}^2/M_{11})` (units :math:`u_c = 1`; :mod:`pairing1d.theory.gaussian`)."""
    from .gaussian import forward_matrices

    m11, m12, m22, _, _, _ = forward_matrices(Kc0, K0, u_ratio, upsilon, upsilon_theta)
    return m11, 0.0 * m12, m22 - m12 * m12 / m11


@_compilable
def lock_charge(s, p, b2):
    r""":math:`\frac{\bar u^2}{v_{\rm ref}}\,b^TM(\ell)^{-1}b` for the charge :math:`b = (\sqrt2, b_2)` with
    :math:`M(\ell) = M_0 + v_{\rm ref}(G(\ell) - G_0)` (the bare :math:`G_0` is the packed row's state part): the
    charge of the lock-in term of vertex :math:`b` (and of its soliton, :mod:`pairing1d.theory.strong_coupling`)."""
    v = p[P_VREF]
    m11 = p[P_M11] + v * (s[G11] - p[G11])
    m12 = p[P_M12] + v * (s[G12] - p[G12])
    m22 = p[P_M22] + v * (s[G22] - p[G22])
    return p[P_LOCK] * (2.0 * m22 - 2.0 * SQRT2 * b2 * m12 + b2 * b2 * m11) / (m11 * m22 - m12 * m12)


@_compilable
def mismatch_rate(delta, charge, y2, j1):
    r""":math:`d\delta/d\ell = \delta - \frac{q}{8}y^2w_1(\delta)` for a vertex
    :math:`y\cos(a\cdot\Phi - \delta x/\alpha)` with :math:`q` its lock-in charge (:func:`lock_charge`:
    :math:`\beta^2K` for one field at its own velocity). The :math:`w_1` term (:math:`J_1` for the Bessel weight) is
    the :math:`\partial_x\Phi` generated at second order, which shifts the densities towards commensurability
    (``docs/physics.md``, Sec. 14). ``j1`` is :math:`w_1(\delta)` (:func:`cic_weights`)."""
    return delta - 0.125 * charge * y2 * j1  # j1 = J_1(delta)


def mass_drop(lmass, delta_drop=J01):
    r"""RG time where the secondary mass drops every channel in the ``cic`` scheme: :math:`\delta_m = 2e^{\ell-\ell_m}`
    reaches the regulator's :math:`\delta_{\rm drop}` (:data:`DELTA_DROP`), i.e. :math:`\ell = \ell_m +
    \ln(\delta_{\rm drop}/2)` (inf without a mass). Numbers or arrays."""
    return lmass + np.log(np.asarray(delta_drop, dtype=float) / 2.0) if np.ndim(delta_drop) else (
        lmass + math.log(delta_drop / 2.0))


@_compilable
def rhs(l, s, p, out):
    """The flow (module docstring) at RG time ``l`` for the state ``s`` and the packed row ``p``; writes ``out``."""
    zr = s[ZR]
    zi = s[ZI]
    su2 = p[P_SU2] != 0.0
    ks = 1.0 + 0.5 * zr if su2 else 1.0 / s[INV_KS]
    g11 = s[G11]
    g12 = s[G12]
    g22 = s[G22]
    inv_det = 1.0 / (g11 * g22 - g12 * g12)
    c11 = g22 * inv_det
    c12 = -g12 * inv_det
    c22 = g11 * inv_det
    scheme = p[P_SCHEME]
    consistent = p[P_FLOW] == CONSISTENT
    dzr = (2.0 - 2.0 * ks) * zr
    dzi = (2.0 - 2.0 * ks) * zi
    dinv_ks = 0.5 * (zr * zr + zi * zi)
    dg11 = 0.0
    dg12 = 0.0
    dg22 = 0.0
    for i in range(2):
        iu = U1 + 2 * i
        ia = iu + 1
        idl = D1 + i
        if p[P_HAS1 + i] == 0.0:  # a vertex absent from the start stays absent
            out[iu] = 0.0
            out[ia] = 0.0
            out[idl] = 0.0
            continue
        b2 = p[P_B1 + i]
        q = 2.0 * c11 + 2.0 * SQRT2 * b2 * c12 + b2 * b2 * c22  # b^T C b
        dimension = 0.5 * ks + 0.25 * q
        u = s[iu]
        if scheme == CIC:
            d = s[idl]
            # alive until the solver stops at delta = delta_drop (or at the mass drop) and clears the flag: the
            # right-hand side stays smooth inside every integration step, past the switch included
            if p[P_ALIVE1 + i] != 0.0:
                y2 = math.exp(2.0 * u)
                w, w1 = cic_weights(d, p[P_WEIGHT])
                fy = w * y2 * p[P_FV]
                if p[P_LMASS] != math.inf:
                    fy *= cic_weights(2.0 * math.exp(l - p[P_LMASS]), p[P_WEIGHT])[0]
                grow = 1.0
                out[idl] = mismatch_rate(d, lock_charge(s, p, b2), y2, w1)
            else:  # dropped: the vertex averages out and acts on nothing any more
                fy = 0.0
                grow = 0.0
                out[idl] = 0.0
        else:
            fy = cutoff_weight(l, p[P_LSTAR1 + i], p[P_CHI], 2.0 * u) * p[P_FV]  # c_i y_i^2
            grow = cutoff_weight(l, p[P_LSTAR1 + i], p[P_CHI], 0.0) if scheme == FROZEN else 1.0
            out[idl] = 0.0
        if p[P_REAL] != 0.0:  # theta = 0 or pi: Z and the vertices stay real, 2 alpha = -theta (mod 2 pi)
            cos2a = p[P_COS_THETA]
            sin2a = 0.0
        else:
            cos2a = math.cos(2.0 * s[ia])
            sin2a = math.sin(2.0 * s[ia])
        wr = zr * cos2a + zi * sin2a  # Z conj(Y)/Y = Z exp(-2 i alpha)
        wi = zi * cos2a - zr * sin2a
        out[iu] = grow * (2.0 - dimension - 0.5 * wr)
        out[ia] = -0.5 * grow * wi
        dzr -= 0.25 * fy * cos2a
        dzi -= 0.25 * fy * sin2a
        dinv_ks += 0.125 * fy
        dg11 += 0.125 * fy
        if consistent:
            dg12 += SQRT2 * b2 * fy / 16.0
            dg22 += b2 * b2 * fy / 16.0
        else:
            dg22 += p[P_P2] * fy / 16.0
    out[ZR] = dzr
    out[ZI] = dzi
    out[INV_KS] = 0.0 if su2 else dinv_ks
    out[G11] = dg11
    out[G12] = dg12
    out[G22] = dg22


def pack_columns(v: dict[str, np.ndarray]) -> np.ndarray:
    """Packed rows (bare state, then :data:`PARAMS`) from 1-D arrays of model quantities, one row per device, as a
    column-major ``(devices, columns)`` array; the entries that need a logarithm or an exponential are left for
    :func:`complete_row`.

    ``v`` holds ``ys0, y0, y2, theta, su2_enforced, G0 (3 arrays), M0 (3 arrays: the rotated Hamiltonian stiffness),
    Q, vertex_charge, chi, lstar, lstar2, lmass, scheme, flow, lmax, y_strong, regulator, velocity factors
    (v_ref, feedback_scale, lock_scale)`` (already valid). The scipy path packs its single device with the same
    function.
    """
    n = len(v["ys0"])
    # column-major: each column contiguous (filling the columns of a row-major (n, 31) array strided through it 31
    # times, 1.3 s for a million devices); the kernel copies each device's row when it starts its flow
    cols = np.zeros((N_PACKED, n))
    cols[ZR] = v["ys0"]
    cols[INV_KS] = 1.0 / (1.0 + 0.5 * np.asarray(v["ys0"], dtype=float))
    cols[P_Y1_BARE] = v["y0"]
    cols[P_Y2_BARE] = v["y2"]
    cols[P_HAS1] = np.asarray(v["y0"], dtype=float) != 0.0
    cols[P_HAS2] = np.asarray(v["y2"], dtype=float) != 0.0
    cols[P_THETA] = v["theta"]
    cols[G11], cols[G12], cols[G22] = v["G0"]
    p = np.asarray(v["vertex_charge"], dtype=float)
    cols[P_B1] = p - SQRT2 * v["Q"]
    cols[P_B2] = -p - SQRT2 * v["Q"]
    cols[P_P2] = p * p
    scheme = np.asarray(v["scheme"])
    printed_like = scheme != "cic"  # the tanh schemes cut at min(lstar_i, lmass) (Appendix B)
    cols[P_LSTAR1] = np.where(printed_like, np.minimum(v["lstar"], v["lmass"]), v["lstar"])
    cols[P_LSTAR2] = np.where(printed_like, np.minimum(v["lstar2"], v["lmass"]), v["lstar2"])
    cols[P_LSTAR1_BARE] = v["lstar"]
    cols[P_LSTAR2_BARE] = v["lstar2"]
    cols[P_CHI] = v["chi"]
    cols[P_LMASS] = v["lmass"]
    regulator = np.asarray(v["regulator"])
    drop = np.full(n, np.nan)
    weight = np.full(n, np.nan)
    for name, delta in DELTA_DROP.items():
        drop[regulator == name] = delta
        weight[regulator == name] = REGULATOR_WEIGHTS[name]
    if np.isnan(drop).any():
        raise ValueError(f"unknown regulator {regulator[np.isnan(drop)][0]!r} (known: {', '.join(DELTA_DROP)})")
    cols[P_DDROP] = drop
    cols[P_WEIGHT] = weight
    cols[P_LMDROP] = mass_drop(np.asarray(v["lmass"], dtype=float), drop)
    cols[P_VREF], cols[P_FV], cols[P_LOCK] = v["velocity_factors"]
    cols[P_M11], cols[P_M12], cols[P_M22] = v["M0"]
    cols[P_SCHEME] = _codes(scheme, SCHEME_CODES, "scheme")
    cols[P_FLOW] = _codes(np.asarray(v["flow"]), FLOW_CODES, "flow")
    cols[P_SU2] = v["su2_enforced"]
    cols[P_LMAX] = v["lmax"]
    cols[P_YSTRONG] = v["y_strong"]
    cols[[U1, A1, U2, A2, D1, D2, P_LOG_YSTRONG, P_ALIVE1, P_ALIVE2, P_REAL, P_COS_THETA]] = np.nan  # complete_row
    return cols.T


def _codes(names: np.ndarray, table: dict[str, int], what: str) -> np.ndarray:
    """The numeric code of each name (an array of strings): one vectorized comparison per known name (np.vectorize
    over a million strings took 0.2 s)."""
    out = np.full(names.shape, np.nan)
    for name, code in table.items():
        out[names == name] = code
    if np.isnan(out).any():
        raise ValueError(f"unknown {what} {names[np.isnan(out)][0]!r} (known: {', '.join(table)})")
    return out


@_compilable
def complete_row(p):
    """Fill, in place, the entries of a packed row that need ``log`` or ``exp``: :math:`u_i = \\ln|y_i^0|`,
    :math:`\\alpha_i = -\\theta/2` (+ pi for a negative bare value), :math:`\\delta_i(0) = 2e^{-\\ell^*_i}`,
    :math:`\\ln y_{\\rm strong}` and the cic alive flags. Scalar libm calls, so that a device gives bit-identical
    results whatever batch it is computed in (numpy's vectorized exp and log differ in the last bit between the
    SIMD body and the tail of an array)."""
    cic = p[P_SCHEME] == CIC
    for i in range(2):
        y = p[P_Y1_BARE + i]
        p[U1 + 2 * i] = math.log(abs(y)) if y != 0.0 else 0.0
        p[A1 + 2 * i] = -0.5 * p[P_THETA] + (math.pi if y < 0.0 else 0.0)
        lstar = p[P_LSTAR1_BARE + i]
        d = 2.0 * math.exp(-lstar) if lstar > -2.0 else _MAX_DELTA0  # e^2 > 5: past every drop in any case
        p[D1 + i] = min(d, _MAX_DELTA0)
        p[P_ALIVE1 + i] = 1.0 if cic and y != 0.0 and p[D1 + i] < p[P_DDROP] and p[P_LMDROP] > 0.0 else 0.0
    p[P_LOG_YSTRONG] = math.log(p[P_YSTRONG])
    p[P_COS_THETA] = math.cos(p[P_THETA])
    p[P_REAL] = 1.0 if abs(math.sin(p[P_THETA])) < 1e-12 and p[ZI] == 0.0 else 0.0


PACKED_FIELDS = (
    "ys0", "y0", "y2", "Kc0", "K0", "upsilon", "upsilon_theta", "u_ratio", "theta", "lstar", "lstar2", "lmass",
    "chi", "lmax", "y_strong", "su2", "scheme", "flow", "vertex_charge", "regulator", "velocity",
)
"""Model fields that determine a flow (an unset ``upsilon_theta`` travels as NaN: the line of Eq. 13)."""


def once_if_constant(function, *columns: np.ndarray):
    """``function(*columns)`` for an elementwise ``function`` of 1-D arrays of one length, returning arrays (or
    tuples of them, nested) of that length: evaluated on the first element alone when every column holds one value
    (a sweep over other parameters, as the Gaussian inputs of the Fig. 4 grid), and broadcast (read-only views). The
    same numbers either way; a NaN anywhere takes the elementwise path."""
    n = len(columns[0])
    if n < 2 or not all(bool(np.all(c == c[0])) for c in columns):
        return function(*columns)

    def spread(x):
        return tuple(spread(e) for e in x) if isinstance(x, tuple) else np.broadcast_to(np.asarray(x)[:1], (n,))

    return spread(function(*(c[:1] for c in columns)))


def gaussian_inputs(values: dict) -> tuple[np.ndarray, ...]:
    """``(Kc0, K0, u_ratio, upsilon, upsilon_theta)`` as float arrays from arrays of Model fields, an unset
    ``upsilon_theta`` (NaN) replaced by the line of Eq. (13), :math:`-r\\upsilon`: the batched
    :attr:`pairing1d.theory.model.Model.upsilon_theta_eff`, the arguments of :mod:`pairing1d.theory.gaussian`'s
    functions."""
    Kc0, K0, r, ups, ups_t = (np.asarray(values[n], dtype=float)
                              for n in ("Kc0", "K0", "u_ratio", "upsilon", "upsilon_theta"))
    return Kc0, K0, r, ups, np.where(np.isnan(ups_t), -r * ups, ups_t)


def pack_fields(values: dict) -> np.ndarray:
    """Packed rows from 1-D arrays of the :data:`PACKED_FIELDS` of valid Models (equal lengths).

    The bare inverse correlation matrix comes from the exact Gaussian theory (:mod:`pairing1d.theory.gaussian`) in the
    rotated basis; for ``flow='paper'`` it is ``diag(1/Kc~0, 1/K~0)`` of Eq. (14) exactly."""
    from .gaussian import correlation_matrix, forward_matrices, inverse, rotate
    from .model import k_tilde0, kc_tilde0, rotation_q

    v = {name: np.asarray(values[name]) for name in PACKED_FIELDS}
    Kc0, K0, r, ups, ups_t = gaussian_inputs(values)

    def gaussian(Kc0, K0, r, ups, ups_t):
        Q = rotation_q(ups, r, Kc0, K0)
        forward = forward_matrices(Kc0, K0, r, ups, ups_t)
        return (inverse(*rotate(*correlation_matrix(*forward), Q)), Q,
                rotated_stiffness(Kc0, K0, r, ups, ups_t))

    g, Q, m0 = once_if_constant(gaussian, Kc0, K0, r, ups, ups_t)
    paper = np.asarray(v["flow"]) == "paper"
    with np.errstate(invalid="ignore", divide="ignore"):
        # Eq. (14)'s closed forms are only taken where flow == "paper" (Model has checked |u upsilon/u_c| < 1 there);
        # np.where evaluates them everywhere, and off the line (13) they may be NaN: discarded, not worth a warning
        g = (np.where(paper, 1.0 / kc_tilde0(Kc0, r, ups), g[0]), np.where(paper, 0.0, g[1]),
             np.where(paper, 1.0 / k_tilde0(K0, ups), g[2]))
    theta = np.asarray(v["theta"], dtype=float)
    y0, y2 = np.asarray(v["y0"], dtype=float), np.asarray(v["y2"], dtype=float)
    symmetric = (np.abs(np.sin(0.5 * theta)) < 1e-12) | ((y0 == 0) & (y2 == 0))  # Model.su2_enforced
    cols = {name: v[name] for name in ("ys0", "y0", "y2", "theta", "vertex_charge", "chi", "lstar", "lstar2",
                                       "lmass", "scheme", "flow", "lmax", "y_strong")}
    cols.update(G0=g, Q=Q, M0=m0, su2_enforced=np.asarray(v["su2"], dtype=bool) & symmetric,
                regulator=v["regulator"],
                velocity_factors=once_if_constant(velocity_factors, r, np.asarray(v["velocity"])))
    return pack_columns(cols)


def fields_of(models) -> dict:
    """Arrays of the :data:`PACKED_FIELDS` of a list of Models."""
    out = {name: np.array([getattr(m, name) for m in models]) for name in PACKED_FIELDS}
    out["upsilon_theta"] = np.array([np.nan if m.upsilon_theta is None else m.upsilon_theta for m in models])
    return out


def pack_model(model) -> np.ndarray:
    """The packed row of one Model (bare state, then parameters), completed (:func:`complete_row`)."""
    row = pack_fields(fields_of([model]))[0].copy()  # contiguous (the packed rows are column-major)
    complete_row(row)
    return row
