r"""Bare parameters of the primary-secondary model and their validation.

Over 600 lines because :class:`Model` alone is some 360: one frozen dataclass whose every field stands with its
range, the equation that needs it and its one-line check, read together; split, a field would lose its check.

The device of Shavit & Oreg [PRR 2, 043283 (2020)] is a spinful primary wire (charge and spin Luttinger
parameters :math:`K_c, K_s`, spin fugacity :math:`y_s`) capacitively coupled to a spinless secondary
Luttinger liquid (:math:`K`). The forward couplings :math:`V_\phi` and :math:`V_\theta` of Eq. (12) enter through

.. math::
    \upsilon = \frac{\sqrt{K_c K}\,V_\phi}{\pi\sqrt{u_c u}}, \qquad
    \upsilon_\theta = \frac{V_\theta}{\pi\sqrt{u_cuK_cK}},

and the exact Gaussian theory of any pair (:mod:`pairing1d.theory.gaussian`) gives every scaling dimension. On the line
of Eq. (13), :math:`V_\theta = -V_\phi (u/u_c) K_c K` (:math:`\upsilon_\theta = -(u/u_c)\upsilon`, the default
when ``upsilon_theta`` is not given), the rotation of Sec. II B removes both forward couplings and

.. math::
    \tilde K_c^0 = \sqrt{1-(u\upsilon/u_c)^2}\,K_c^0, \qquad
    \tilde K^0 = \frac{K^0}{\sqrt{1-\upsilon^2}}, \qquad           (14a,b)
    Q = \frac{V_\phi K_c}{\pi u_c} = \upsilon\,\sqrt{\frac{u}{u_c}\frac{K_c^0}{K^0}} .

The paper prints :math:`\upsilon = K_c K V_\phi/(\pi\sqrt{u_c u})`; with that definition Eq. (14) does not
follow from the rotation (one finds :math:`\sqrt{1-\upsilon^2/(K_cK)}` instead). We keep Eq. (14) as printed,
which is exact for the definition above, and derive Q from the same :math:`V_\phi`; see
``docs/physics.md`` ("The definition of upsilon") for the derivation.

Incommensurability cutoffs, Eq. (15): :math:`\ell^*_{1,2} = \ln[1/((k_F \pm k)\alpha_0)]`; the secondary mass
of Appendix B adds :math:`\ell_m = \ln[\Lambda_{\rm sec}/|m_{\rm sec}-\mu_{\rm sec}|]`. In the ``printed`` and
``frozen`` schemes the cutoff of :math:`y_i` is :math:`\min(\ell^*_i, \ell_m)`; in the ``cic`` scheme each
vertex carries a flowing mismatch :math:`\delta_i(\ell)` starting at :math:`2e^{-\ell^*_i}` and the mass drops
the vertices at :math:`2e^{\ell-\ell_m} = j_{0,1}` (:mod:`pairing1d.theory.flow_equations`).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, fields, replace
from typing import Any, Literal

import numpy as np

from ..support.errors import ModelError, shorten
from .gaussian import GaussianTheory, gaussian_theory, line13_upsilon_theta

__all__ = [
    "check_model",
    "check_tolerances",
    "RTOL_RANGE",
    "ATOL_RANGE",
    "smooth_cutoff",
    "ModelError",
    "Model",
    "SCHEMES",
    "FLOWS",
    "REGULATORS",
    "VELOCITIES",
    "Y_NORMALIZATIONS",
    "VERTEX_CHARGES",
    "lstar_from_momenta",
    "mass_cutoff",
    "upsilon_from_coupling",
    "y_from_backscattering",
    "rotation_q",
    "kc_tilde0",
    "k_tilde0",
]

SCHEMES = ("cic", "printed", "frozen")
"""Cutoff schemes: ``cic`` the commensurate-incommensurate RG with a flowing mismatch per vertex (the default);
``printed`` Eq. (16) as printed (c_i only in the feedback); ``frozen`` dy_i/dl also multiplied by c_i(l)."""

Scheme = Literal["cic", "printed", "frozen"]

FLOWS = ("consistent", "paper", "diagonal")
"""Second-order flows: ``consistent`` flows the inverse correlation matrix of (phi_c, phi) with every vertex's
rotated charges (the multi-field Kosterlitz-Thouless rule, the default); ``paper`` is Eq. (16), which keeps the
diagonal only and the unrotated charge in (16e), and is defined on the line of Eq. (13) only; ``diagonal`` is the
same truncation of the feedback (Eq. 16e-f) started from the exact Gaussian theory, so that it is defined off the
line (13) too (on the line it is ``paper`` to 1e-12): the truncation member of the verdict ensemble."""

Flow = Literal["consistent", "paper", "diagonal"]

REGULATORS = ("j01", "delta1", "smooth")
r"""Regulators of the commensurate-incommensurate cutoff (``scheme='cic'``; ``docs/physics.md`` Sec. 14): the weight
of a vertex of mismatch :math:`\delta` in every second-order term and where the vertex is dropped. ``j01`` (the
default): :math:`J_0(\delta)`, dropped at its first zero :math:`j_{0,1} = 2.405`; ``delta1``: :math:`J_0(\delta)`,
dropped at :math:`\delta = 1`; ``smooth``: :math:`e^{-\delta^2/4}` (the shell average with a Gaussian shell; the
same expansion as :math:`J_0` to second order), dropped where it falls to 1/100,
:math:`\delta = 2\sqrt{\ln 100} = 4.29`."""

Regulator = Literal["j01", "delta1", "smooth"]

VELOCITIES = ("mean", "charge", "secondary")
r"""Reference velocity :math:`v_{\rm ref}` of the second-order terms when :math:`u \neq u_c` (``docs/physics.md``
Sec. 14): ``mean`` :math:`\bar u = (u_c + u)/2` (the paper's normalization of :math:`y`; the default),
``charge`` :math:`u_c`, ``secondary`` :math:`u`. Every :math:`y^2` feedback carries :math:`(\bar u/v_{\rm ref})^2`,
and the lock-in and the soliton of the strong-coupling step use the Hamiltonian stiffness :math:`a^TM^{-1}a`
consistently. All three coincide at :math:`u = u_c` on the line of Eq. (13)."""

Velocity = Literal["mean", "charge", "secondary"]

Y_NORMALIZATIONS = ("derived", "paper")
r"""How a density-density coupling V becomes the bare :math:`y^0` (:meth:`Model.from_density_coupling`):
``derived`` :math:`y^0 = 2\sqrt2 V/(\pi(u_c+u))` (standard bosonization, :math:`g_1 = 2V`, in the normalization
for which Eq. 16 is exact, ``docs/physics.md`` Sec. 12; the default), ``paper`` the paper's
:math:`V/(\pi(u_c+u))`, for reproducing it."""

VERTEX_CHARGES = (2.0, 1.0)
"""Allowed charges p of the secondary field in the inter-wire vertex cos(sqrt2 phi_c + p phi): 2 for the
spinless secondary wire (Eq. 12), 1 for the relative-charge sector of a Mott ladder (Eq. 22). The flow
(:mod:`pairing1d.theory.flow_equations`, charges :func:`pairing1d.theory.gaussian.vertex_charges`) holds for any p; the
trion-phase composite (:mod:`pairing1d.theory.trion`) is worked out for these two."""


MAX_LMAX = 1000.0
"""Longest RG time a flow runs: ``lmax = ln(Lambda/T)`` = 1000 is T = e^-1000 Lambda, below any temperature (the
smallest positive float gives 744); ``lmax = 1e30`` stepped the solvers into numbers no float holds."""

POSITIVE_RANGES = {"Kc0": (1e-3, 1e3), "K0": (1e-3, 1e3), "u_ratio": (1e-3, 1e3), "chi": (1e-6, 1e6),
                   "y_strong": (1e-6, 1e3)}
"""Allowed ranges of the positive parameters. A Luttinger liquid has K and velocity ratios of order one; outside
[1e-3, 1e3] the derived quantities of Eq. (13)-(14) overflow (``Kc0 = 1e200, u_ratio = 1e200, upsilon = 0`` gave
Q = 0 x inf = NaN and a flow that never started), and from about 1e-6 the forward matrices are so ill-conditioned
that the trion mode's Schur complement (:func:`pairing1d.theory.gaussian.trion_mode`) rounds to a negative number.
``y_strong`` above 1e3 asks the weak-coupling flow to follow a coupling a thousand times past its range; below
1e-6 it is no threshold of strong coupling."""


def _fail(name: str, value: Any, allowed: str, why: str) -> ModelError:
    return ModelError(f"{name} = {value!r} is outside the allowed range {allowed} ({why})")


def _real(name: str, value: Any, why: str) -> float:
    """Coerce to float, refusing booleans, strings, NaN and infinities with a ModelError."""
    # numbers.Real admits Python and numpy floats and ints; booleans are numbers too, but never meant as one
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or type(value).__name__ == "bool_":
        raise ModelError(f"{name} = {value!r} is not a real number ({why})")
    value = float(value)
    if math.isnan(value):
        raise ModelError(f"{name} = nan is not a number ({why})")
    return value


def _finite(name: str, value: Any, why: str) -> float:
    value = _real(name, value, why)
    if math.isinf(value):
        raise _fail(name, value, "of finite real numbers", why)
    return value


RTOL_RANGE = (1e-14, 0.1)
"""Allowed relative tolerances of the RG integration, in both solvers (tighter ones reach the float64 floor; looser
ones flip phases)."""
ATOL_RANGE = (1e-300, 0.1)
"""Allowed absolute tolerances (below: subnormal step scales; above: a coupling of 0.1 counts as zero)."""


def check_tolerances(rtol: Any, atol: Any) -> tuple[float, float]:
    """``rtol`` and ``atol`` as floats inside :data:`RTOL_RANGE` and :data:`ATOL_RANGE`, or a one-line
    :class:`~pairing1d.support.errors.ModelError` (NaN, booleans, strings and negative values included). One rule for
    every solver: the scipy path (:func:`pairing1d.theory.rg.solve_flow`), the engine
    (:func:`pairing1d.engine.batch.integrate_batch`) and sweeps."""
    out = []
    for name, value, (low, high), why in (
        ("rtol", rtol, RTOL_RANGE, "relative tolerance of the RG integration"),
        ("atol", atol, ATOL_RANGE, "absolute tolerance of the RG integration"),
    ):
        value = _real(name, value, why)
        if not low <= value <= high:
            raise _fail(name, value, f"[{low:g}, {high:g}]", why)
        out.append(value)
    return out[0], out[1]


def check_model(model: Any, where: str) -> Model:
    """``model`` if it is a :class:`Model`, else a one-line :class:`~pairing1d.support.errors.ModelError` naming
    ``where`` it was given."""
    if not isinstance(model, Model):
        raise ModelError(f"{where} needs a pairing1d.Model, not {shorten(repr(model), 60)}")
    return model


def lstar_from_momenta(kF: float, k: float, alpha0: float) -> tuple[float, float]:
    r"""Incommensurability cutoffs of Eq. (15), :math:`\ell^*_{1,2} = \ln\frac{1}{|k_F \pm k|\,\alpha_0}`.

    ``kF`` is the primary Fermi momentum, ``k`` the secondary one (negative for a hole-like secondary, the
    case where y1 matters), ``alpha0`` the short-distance cutoff, all in the same units (e.g. 1/m and m).
    A vanishing mismatch (exact commensurability) gives ``inf``: the corresponding cosine is never cut off.
    """
    kF = _finite("kF", kF, "Fermi momentum of the primary wire, Eq. (15)")
    k = _finite("k", k, "Fermi momentum of the secondary system, Eq. (15)")
    alpha0 = _finite("alpha0", alpha0, "short-distance cutoff, Eq. (15)")
    if kF <= 0:
        raise _fail("kF", kF, "(0, inf)", "Fermi momentum of the primary wire, Eq. (15)")
    if alpha0 <= 0:
        raise _fail("alpha0", alpha0, "(0, inf)", "short-distance cutoff, Eq. (15)")
    out = []
    for mismatch in (kF + k, kF - k):
        out.append(math.inf if mismatch == 0 else -math.log(abs(mismatch) * alpha0))
    return out[0], out[1]


def mass_cutoff(m_sec: float, mu_sec: float, lambda_sec: float) -> float:
    r"""RG time at which a secondary mass cuts off y1 and y2, Eq. (B1): :math:`\ell_m = \ln\frac{\Lambda_{\rm sec}}
    {|m_{\rm sec}-\mu_{\rm sec}|}` with :math:`\Lambda_{\rm sec} = u_{\rm sec}/\alpha_0`.

    All three in the same energy unit. ``m_sec == mu_sec`` (the gap closed by the chemical potential) gives
    ``inf``: no mass cutoff.
    """
    m_sec = _finite("m_sec", m_sec, "secondary mass, Eq. (B1)")
    mu_sec = _finite("mu_sec", mu_sec, "secondary chemical potential, Eq. (B1)")
    lambda_sec = _finite("lambda_sec", lambda_sec, "secondary bandwidth, Eq. (B1)")
    if lambda_sec <= 0:
        raise _fail("lambda_sec", lambda_sec, "(0, inf)", "secondary bandwidth, Eq. (B1)")
    gap = abs(m_sec - mu_sec)
    return math.inf if gap == 0 else math.log(lambda_sec / gap)


# Eq. (13)-(14) as functions of plain numbers or numpy arrays: the Model's properties and the batched
# engine's packing both call these, so the formulas live in one place.


def rotation_q(upsilon, u_ratio, Kc0, K0):
    r""":math:`Q = V_\phi K_c/(\pi u_c) = \upsilon\sqrt{(u/u_c)K_c^0/K^0}` (Sec. II B, with our definition of
    :math:`\upsilon`)."""
    return upsilon * np.sqrt(u_ratio * Kc0 / K0)


def kc_tilde0(Kc0, u_ratio, upsilon):
    r"""Eq. (14a): :math:`\tilde K_c^0 = \sqrt{1-(u\upsilon/u_c)^2}\,K_c^0`."""
    return np.sqrt(1.0 - (u_ratio * upsilon) ** 2) * Kc0


def k_tilde0(K0, upsilon):
    r"""Eq. (14b): :math:`\tilde K^0 = K^0/\sqrt{1-\upsilon^2}`."""
    return K0 / np.sqrt(1.0 - upsilon**2)


Y_SCALE = {"derived": 2.0 * math.sqrt(2.0), "paper": 1.0}
r"""The factor :math:`y^0\,\pi(u_c+u)/V` of each of :data:`Y_NORMALIZATIONS`."""


def y_from_backscattering(V_back: float, u: float, uc: float, normalization: str = "derived") -> float:
    r"""Bare :math:`y^0` of a density-density coupling whose :math:`2k_F` Fourier component is ``V_back``:
    :math:`2\sqrt2 V/(\pi(u_c+u))` (``"derived"``: :math:`g_1 = 2V` from standard bosonization, :math:`y =
    g_1/(\sqrt2\pi\bar u)` the normalization in which Eq. 16 is exact; ``docs/physics.md`` Sec. 12) or
    :math:`V/(\pi(u_c+u))` (``"paper"``: the paper's :math:`g_1 = V/2`, :math:`y = g_1/(\pi\bar u)`)."""
    if normalization not in Y_SCALE:
        raise ModelError(f"y_normalization = {normalization!r} is outside the allowed values "
                         f"{{{', '.join(map(repr, Y_NORMALIZATIONS))}}} (how V becomes y0, docs/physics.md Sec. 12)")
    return Y_SCALE[normalization] * V_back / (math.pi * (uc + u))


def upsilon_from_coupling(V_phi: float, u: float, uc: float, Kc: float, K: float) -> float:
    r"""Dimensionless forward-scattering coupling :math:`\upsilon = \sqrt{K_c K}\,V_\phi/(\pi\sqrt{u_c u})`.

    This is the definition for which Eq. (14) is exact (see the module docstring); :math:`|\upsilon| < 1` is
    the stability of the quadratic form of :math:`\phi_c, \phi`.
    """
    return math.sqrt(Kc * K) * V_phi / (math.pi * math.sqrt(uc * u))


@dataclass(frozen=True)
class Model:
    r"""Validated bare parameters of the RG flow and its options (the controlled flow by default); immutable.

    Attributes (all dimensionless; energies in units of the bandwidth :math:`\Lambda`):

    ``Kc0``, ``K0``
        bare Luttinger parameters of the primary charge sector and of the secondary system, > 0.
    ``ys0``
        bare spin fugacity :math:`y_s = g_s/(\pi u_s)` in (-1, 1): -1 is the strong-coupling end of the flow
        (spin gap), +1 its end when ys runs away to repulsive strong coupling (see :mod:`pairing1d.theory.rg`).
    ``y0``
        bare inter-wire backscattering fugacity :math:`y_1 = g_1/(\pi \bar u)` (the paper's :math:`y^0`),
        ``|y0| < y_strong``.
    ``y2``
        bare :math:`y_2 = g_2/(\pi\bar u)`; 0 by default (the paper's figures keep only y1).
    ``upsilon``
        forward-scattering coupling of Eq. (14), ``|upsilon| < 1``.
    ``u_ratio``
        :math:`u/u_c`, > 0, with ``|u_ratio * upsilon| < 1`` on the line of Eq. (13) (Eq. 14a).
    ``upsilon_theta``
        the :math:`\partial\theta_c\partial\theta` forward coupling,
        :math:`\upsilon_\theta = V_\theta/(\pi\sqrt{u_cuK_cK})`, ``|upsilon_theta| < 1``; ``None`` (default) means
        the line of Eq. (13), :math:`\upsilon_\theta = -(u/u_c)\upsilon`. A pure density coupling (Eq. 6) has 0.
        The exact Gaussian theory (:mod:`pairing1d.theory.gaussian`) gives every scaling dimension for any value.
    ``lstar``, ``lstar2``
        incommensurability cutoffs :math:`\ell^*_{1,2}` of Eq. (15); ``inf`` means commensurate. The default
        ``lstar2 = ln(1/2)`` is Eq. (15) with :math:`k=-k_F`, :math:`\alpha_0 = 1/k_F`.
    ``chi``
        width of the smooth cutoff :math:`c_i(\ell) = [1-\tanh((\ell-\ell^*_i)/\chi)]/2`, > 0.
    ``lmax``, ``temperature``
        infrared end of the flow, or a temperature :math:`T/\Lambda \in (0, 1)` with
        :math:`\ell_{\max} = \ln(\Lambda/T)`; give at most one (default ``lmax = 20``).
    ``lmass``
        mass cutoff :math:`\ell_m` of Eq. (B1) (see :func:`mass_cutoff`); ``inf`` (default) means no mass.
    ``y_strong``
        the value of ``|y1|`` taken as strong coupling (the trion scale :math:`\bar{\bar\ell}`), > 0.
    ``su2``
        enforce the SU(2) line :math:`K_s = 1 + y_s/2` (drops Eq. 16b) where the coupling respects SU(2)
        (:attr:`su2_enforced`: not for :math:`\theta \not\equiv 0`, which couples to :math:`S^z`); otherwise
        :math:`K_s` flows.
    ``scheme``
        ``"cic"`` (default: the commensurate-incommensurate RG, a flowing mismatch per vertex), ``"printed"``
        (Eq. 16 as printed) or ``"frozen"`` (dy_i/dl also multiplied by c_i); :data:`SCHEMES`.
    ``flow``
        ``"consistent"`` (default: the multi-field second-order flow of the inverse correlation matrix),
        ``"paper"`` (Eq. 16, on the line of Eq. 13 only) or ``"diagonal"`` (Eq. 16's truncation of the feedback on
        the exact Gaussian start, defined anywhere); :data:`FLOWS`.
    ``regulator``
        the regulator of the ``cic`` cutoff: ``"j01"`` (default), ``"delta1"`` or ``"smooth"`` (:data:`REGULATORS`).
    ``velocity``
        the reference velocity of the second-order terms: ``"mean"`` (default, :math:`\bar u`), ``"charge"``
        (:math:`u_c`) or ``"secondary"`` (:math:`u`) (:data:`VELOCITIES`).
    ``theta``
        relative phase of :math:`g_\uparrow, g_\downarrow` (Sec. II B 4): the vertices carry
        :math:`\cos(\sqrt2\phi_s + \theta/2)`, which puts :math:`\cos\theta` on both the :math:`y_i^2` term of
        Eq. (16a) and the :math:`-y_sy_i/2` of (16c-d), and generates :math:`\sin` vertices otherwise
        (``docs/physics.md``, "The relative phase").
    ``vertex_charge``
        the charge :math:`p` of the secondary field in the inter-wire vertex
        :math:`\cos(\sqrt2\phi_c \pm p\phi)`, 1 or 2 (:data:`VERTEX_CHARGES`): 2 for the spinless wire of the
        paper (Eq. 12, default), 1 for the relative-charge sector of a Mott ladder (Eq. 22,
        :mod:`pairing1d.theory.ladder`); see
        :func:`pairing1d.theory.gaussian.vertex_charges`.
    """

    Kc0: float = 0.9
    K0: float = 0.6
    ys0: float = 0.1
    y0: float = 0.1
    y2: float = 0.0
    upsilon: float = 0.12
    u_ratio: float = 1.0
    upsilon_theta: float | None = None
    lstar: float = 2.0
    lstar2: float = -math.log(2.0)
    chi: float = 1.5
    lmax: float | None = None
    temperature: float | None = None
    lmass: float = math.inf
    y_strong: float = 1.0
    su2: bool = True
    scheme: Scheme = "cic"
    flow: Flow = "consistent"
    regulator: Regulator = "j01"
    velocity: Velocity = "mean"
    theta: float = 0.0
    vertex_charge: float = 2.0

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        pos = {
            "Kc0": "primary charge Luttinger parameter, Eq. (9)",
            "K0": "secondary Luttinger parameter, Eq. (11)",
            "u_ratio": "velocity ratio u/uc, Eq. (13)-(14)",
            "chi": "width of the cutoff c_i(l), after Eq. (16f)",
            "y_strong": "strong-coupling threshold for |y1|, trion scale",
        }
        for name, why in pos.items():
            value = _finite(name, getattr(self, name), why)
            low, high = POSITIVE_RANGES[name]
            if not low <= value <= high:
                raise _fail(name, value, f"[{low:g}, {high:g}]", why)
            set_(self, name, value)

        ys0 = _finite("ys0", self.ys0, "spin fugacity, Eq. (16a)")
        if not -1 < ys0 < 1:
            raise _fail("ys0", ys0, "(-1, 1)", "ys = -1 and +1 are the strong-coupling ends of Eq. (16a)")
        set_(self, "ys0", ys0)

        for name in ("y0", "y2"):
            value = _finite(name, getattr(self, name), "inter-wire backscattering fugacity, Eq. (16c)-(16d)")
            if abs(value) >= self.y_strong:
                raise _fail(
                    name, value, f"(-{self.y_strong:g}, {self.y_strong:g})",
                    "|y| must start below y_strong, the strong-coupling threshold of Eq. (16c)-(16d)",
                )
            set_(self, name, value)

        upsilon = _finite("upsilon", self.upsilon, "forward-scattering coupling, Eq. (14b)")
        if abs(upsilon) >= 1:
            raise _fail("upsilon", upsilon, "(-1, 1)", "Eq. (14b) needs 1 - upsilon^2 > 0")
        set_(self, "upsilon", upsilon)
        if self.upsilon_theta is None:
            if abs(self.u_ratio * upsilon) >= 1:
                raise _fail(
                    "u_ratio*upsilon", self.u_ratio * upsilon, "(-1, 1)",
                    "on the line of Eq. (13) upsilon_theta = -u_ratio*upsilon, and Eq. (14a) needs "
                    "1 - (u/uc)^2 upsilon^2 > 0",
                )
        else:
            ups_t = _finite("upsilon_theta", self.upsilon_theta, "forward coupling V_theta, Eq. (12)")
            if abs(ups_t) >= 1:
                raise _fail("upsilon_theta", ups_t, "(-1, 1)",
                            "the (theta_c, theta) quadratic form of Eq. (9), (11), (12) must be positive definite")
            set_(self, "upsilon_theta", ups_t)

        for name in ("lstar", "lstar2", "lmass"):
            why = "incommensurability cutoff, Eq. (15)" if name != "lmass" else "mass cutoff, Eq. (B1)"
            value = _real(name, getattr(self, name), why)
            if value == -math.inf:
                raise _fail(name, value, "of real numbers or +inf", why)
            set_(self, name, value)

        set_(self, "theta", _finite("theta", self.theta, "relative phase of g_up, g_down, Sec. II B 4"))
        p = _finite("vertex_charge", self.vertex_charge, "secondary charge p in cos(sqrt2 phi_c + p phi)")
        if p not in VERTEX_CHARGES:
            raise ModelError(
                f"vertex_charge = {self.vertex_charge!r} is outside the allowed values {{1, 2}} (charge p of the "
                "secondary field in cos(sqrt2 phi_c + p phi): 2 spinless wire, Eq. (12); 1 Mott ladder, Eq. (22))"
            )
        set_(self, "vertex_charge", p)

        if self.scheme not in SCHEMES:
            raise ModelError(
                f"scheme = {self.scheme!r} is outside the allowed values {{{', '.join(map(repr, SCHEMES))}}} "
                "(cutoff scheme of the RG flow)"
            )
        if self.flow not in FLOWS:
            raise ModelError(
                f"flow = {self.flow!r} is outside the allowed values {{{', '.join(map(repr, FLOWS))}}} "
                "(second-order flow: 'consistent', Eq. (16) as printed, 'paper', or its truncation on the exact "
                "Gaussian start, 'diagonal')"
            )
        if self.regulator not in REGULATORS:
            raise ModelError(
                f"regulator = {self.regulator!r} is outside the allowed values "
                f"{{{', '.join(map(repr, REGULATORS))}}} (regulator of the commensurate-incommensurate cutoff)"
            )
        if self.velocity not in VELOCITIES:
            raise ModelError(
                f"velocity = {self.velocity!r} is outside the allowed values "
                f"{{{', '.join(map(repr, VELOCITIES))}}} (reference velocity of the second-order terms)"
            )
        if self.flow == "paper" and not self.on_line13:
            raise ModelError(
                f"upsilon_theta = {self.upsilon_theta!r} is outside the allowed values {{None, "
                f"{-self.u_ratio * upsilon!r}}} for flow = 'paper' (Eq. (16) is derived on the line of Eq. (13), "
                "upsilon_theta = -u_ratio*upsilon; use flow = 'consistent' off that line)"
            )
        if not isinstance(self.su2, bool):
            raise ModelError(f"su2 = {self.su2!r} is not a boolean (SU(2) line Ks = 1 + ys/2, Eq. (16b))")

        lmax, temperature = self.lmax, self.temperature
        if temperature is not None:
            temperature = _finite("temperature", temperature, "T/Lambda sets lmax = ln(Lambda/T)")
            if not 0 < temperature < 1:
                raise _fail("temperature", temperature, "(0, 1)", "T/Lambda sets lmax = ln(Lambda/T) > 0")
            from_t = -math.log(temperature)
            if lmax is not None and not math.isclose(_real("lmax", lmax, ""), from_t, rel_tol=1e-12):
                raise ModelError(
                    f"lmax = {lmax!r} and temperature = {temperature!r} disagree "
                    f"(lmax = ln(Lambda/T) = {from_t:.6g}); give only one of them"
                )
            lmax = from_t
        elif lmax is None:
            lmax = 20.0
        lmax = _finite("lmax", lmax, "infrared end of the RG flow")
        if not 0 < lmax <= MAX_LMAX:
            raise _fail("lmax", lmax, f"(0, {MAX_LMAX:g}]", "infrared end of the RG flow, ln(Lambda/T)")
        set_(self, "lmax", lmax)
        set_(self, "temperature", temperature)

    # --- derived quantities, Eq. (13)-(15) -------------------------------------------------------------

    @property
    def Q(self) -> float:
        r"""Rotation parameter :math:`Q = V_\phi K_c/(\pi u_c) = \upsilon\sqrt{(u/u_c) K_c^0/K^0}` (Sec. II B)."""
        return float(rotation_q(self.upsilon, self.u_ratio, self.Kc0, self.K0))

    @property
    def upsilon_theta_eff(self) -> float:
        r""":math:`\upsilon_\theta` in use: the given value, or the line of Eq. (13), :math:`-(u/u_c)\upsilon`."""
        if self.upsilon_theta is None:
            return float(line13_upsilon_theta(self.upsilon, self.u_ratio))
        return self.upsilon_theta

    @property
    def on_line13(self) -> bool:
        """Whether the forward couplings lie on the line of Eq. (13) (where Eq. 14 and Eq. 16 are derived)."""
        line = -self.u_ratio * self.upsilon
        return self.upsilon_theta is None or abs(self.upsilon_theta - line) <= 1e-12 * max(1.0, abs(line))

    @property
    def gaussian(self) -> GaussianTheory:
        """The exact bare Gaussian theory of (phi_c, phi) and (theta_c, theta) (:mod:`pairing1d.theory.gaussian`)."""
        return gaussian_theory(self.Kc0, self.K0, self.u_ratio, self.upsilon, self.upsilon_theta_eff)

    @property
    def dimensions(self) -> dict[str, float]:
        r"""Bare scaling dimensions of the :math:`y_1`, :math:`y_2` vertices (spin part :math:`K_s^0/2` included),
        of the CDW of pairs :math:`e^{i\sqrt2\phi_c}` and of the SC operator :math:`e^{i\sqrt2\theta_c}`."""
        return self.gaussian.dimensions(Ks=self.Ks0, p=self.vertex_charge)

    @property
    def Kc_tilde0(self) -> float:
        r""":math:`\tilde K_c^0`: the :math:`\phi_c` correlation in the rotated basis, Eq. (14a) on the line (13),
        :math:`\sqrt{1-(u\upsilon/u_c)^2}\,K_c^0` (``flow='paper'`` uses that closed form)."""
        if self.flow == "paper":
            return float(kc_tilde0(self.Kc0, self.u_ratio, self.upsilon))
        return float(self.gaussian.C_rotated[0, 0])

    @property
    def K_tilde0(self) -> float:
        r""":math:`\tilde K^0`: the :math:`\phi` correlation in the rotated basis, Eq. (14b) on the line (13),
        :math:`K^0/\sqrt{1-\upsilon^2}` (``flow='paper'`` uses that closed form)."""
        if self.flow == "paper":
            return float(k_tilde0(self.K0, self.upsilon))
        return float(self.gaussian.C_rotated[1, 1])

    @property
    def su2_enforced(self) -> bool:
        r"""Whether the flow keeps :math:`K_s = 1 + y_s/2`: asked for (``su2``) *and* allowed, i.e. the inter-wire
        vertices respect SU(2): :math:`\theta \equiv 0 \pmod{2\pi}` or no vertex at all. A relative phase
        couples the secondary to :math:`S^z` (at :math:`\theta = \pi`, :math:`g_\uparrow = -g_\downarrow`) and
        the flow leaves the SU(2) line at second order (``docs/physics.md``, Sec. 13)."""
        symmetric = abs(math.sin(0.5 * self.theta)) < 1e-12 or (self.y0 == 0 and self.y2 == 0)
        return self.su2 and symmetric

    @property
    def Ks0(self) -> float:
        """Bare spin Luttinger parameter on the SU(2) line, Ks = 1 + ys/2 (also the start when su2=False)."""
        return 1.0 + self.ys0 / 2.0

    @property
    def lstar_eff(self) -> float:
        """Effective cutoff of y1: min(lstar, lmass) (Appendix B)."""
        return min(self.lstar, self.lmass)

    @property
    def lstar2_eff(self) -> float:
        """Effective cutoff of y2: min(lstar2, lmass) (Appendix B)."""
        return min(self.lstar2, self.lmass)

    def cutoff1(self, l: float) -> float:
        r"""Smooth cutoff of y1, :math:`c_1(\ell) = [1-\tanh((\ell-\ell^*_{1})/\chi)]/2` (after Eq. 16f)."""
        return smooth_cutoff(l, self.lstar_eff, self.chi)

    # --- constructors and conversions --------------------------------------------------------------------

    @classmethod
    def from_density_coupling(
        cls,
        V: float,
        *,
        u: float,
        uc: float,
        Kc: float,
        K: float,
        kF: float | None = None,
        k: float | None = None,
        alpha0: float | None = None,
        line13: bool = False,
        V_back: float | None = None,
        y_normalization: str = "derived",
        **params: Any,
    ) -> Model:
        r"""A model from the density-density coupling :math:`H_{\rm int} = \rho_{\rm sec} V (\rho_\uparrow +
        \rho_\downarrow)` of Eq. (6).

        ``V`` (energy x length, as ``u`` and ``uc`` are velocities with :math:`\hbar=1`) gives
        :math:`V_\phi = \sqrt2 V` and :math:`V_\theta = 0` (Eq. 6 has no current-current part), i.e.
        ``upsilon_theta = 0``; ``line13=True`` moves the device onto the line of Eq. (13),
        :math:`V_\theta = -V_\phi (u/u_c) K_c K`, as the paper does (needed for ``flow='paper'``);
        :math:`\upsilon = \sqrt{K_cK}V_\phi/(\pi\sqrt{u_cu})`. The backscattering: standard bosonization of both
        :math:`2k_F` densities gives :math:`g_1 = g_2 = 2V`, and Eq. (16) is exact for
        :math:`y = g_1/(\sqrt2\pi\bar u)` (``docs/physics.md``, Sec. 12), hence

        .. math::
            y_1^0 = y_2^0 = \frac{2\sqrt2\,V}{\pi(u_c + u)} \qquad (\texttt{y\_normalization="derived"},
            \text{the default}),

        2.83 times the paper's :math:`g_1 = V/2`, :math:`y = g_1/(\pi\bar u)`, i.e. :math:`V/(\pi(u_c+u))`
        (``y_normalization="paper"``, for reproducing it). With ``kF``, ``k`` and ``alpha0`` the cutoffs come from
        Eq. (15) (:func:`lstar_from_momenta`). Other Model fields pass through ``params`` (``ys0``, ``chi``,
        ``lmax``, ...).

        A coupling with a range (Coulomb, :mod:`pairing1d.devices.coulomb`) has a different Fourier component at the
        momentum :math:`\simeq 2k_F` that the backscattering vertices transfer: ``V_back`` is that component,
        used in :math:`g_1 = g_2` in place of :math:`V`, while ``V`` stays :math:`V(q\to0)` of the forward coupling
        (default: ``V``).
        """
        for name, value in (("u", u), ("uc", uc), ("Kc", Kc), ("K", K)):
            value = _finite(name, value, "bosonized parameter of Eq. (9)-(11)")
            if value <= 0:
                raise _fail(name, value, "(0, inf)", "bosonized parameter of Eq. (9)-(11)")
        V = _finite("V", V, "density-density coupling, Eq. (6)")
        V_back = V if V_back is None else _finite("V_back", V_back, "backscattering component V(2kF), Eq. (6), (12)")
        V_phi = math.sqrt(2.0) * V
        y_bare = y_from_backscattering(V_back, u, uc, y_normalization)
        kw: dict[str, Any] = {
            "Kc0": Kc, "K0": K, "u_ratio": u / uc, "upsilon": upsilon_from_coupling(V_phi, u, uc, Kc, K),
            "y0": y_bare, "y2": y_bare, "upsilon_theta": None if line13 else 0.0,
        }
        given = [x is not None for x in (kF, k, alpha0)]
        if any(given) and not all(given):
            raise ModelError("kF, k and alpha0 must be given together (Eq. (15) needs all three)")
        if all(given):
            kw["lstar"], kw["lstar2"] = lstar_from_momenta(kF, k, alpha0)  # type: ignore[arg-type]
        kw.update(params)
        return cls(**kw)

    def replace(self, **changes: Any) -> Model:
        """A copy with some fields changed (validated again). Changing lmax drops a given temperature."""
        if "lmax" in changes and "temperature" not in changes:
            changes["temperature"] = None
        if "temperature" in changes and "lmax" not in changes:
            changes["lmax"] = None
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """All fields plus the derived Q, Kc_tilde0, K_tilde0, upsilon_theta_eff and su2_enforced (JSON-ready;
        inf stays a float, an unset upsilon_theta is None)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out.update(Q=self.Q, Kc_tilde0=self.Kc_tilde0, K_tilde0=self.K_tilde0,
                   upsilon_theta_eff=self.upsilon_theta_eff, su2_enforced=self.su2_enforced)
        return out

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """Names of the parameters a user sets (the constructor's keywords)."""
        return tuple(f.name for f in fields(cls))


def smooth_cutoff(l, lstar: float, chi: float):
    r"""The smooth incommensurability cutoff :math:`c(\ell) = \frac12[1-\tanh((\ell-\ell^*)/\chi)]
    = 1/(1 + e^{2(\ell-\ell^*)/\chi})`, computed as :math:`\exp(-\operatorname{logaddexp}(0, 2(\ell-\ell^*)/\chi))`
    (no overflow far past :math:`\ell^*`; the flow's right-hand side multiplies it by :math:`y^2` in
    :func:`pairing1d.theory.flow_equations.cutoff_weight`).

    Works on floats and numpy arrays; :math:`\ell^* = \infty` gives 1 everywhere.
    """
    with np.errstate(invalid="ignore"):
        x = 2.0 * (np.asarray(l, dtype=float) - lstar) / chi  # -inf for lstar = inf
    out = np.exp(-np.logaddexp(0.0, x))
    return float(out) if np.ndim(out) == 0 else out
