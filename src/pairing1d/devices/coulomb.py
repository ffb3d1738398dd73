r"""Coulomb matrix elements of wires above a metallic gate, and the Luttinger parameters they give (g-ology).

**The potential.** Two line charges at distance :math:`d` from each other, both at height :math:`h` above a
grounded metallic plane, in a medium of relative permittivity :math:`\varepsilon_r`: the plane adds image charges
at distance :math:`\sqrt{d^2 + 4h^2}`, so

.. math::
    V(x) = \frac{e^2}{4\pi\varepsilon_0\varepsilon_r}\Big[\frac{1}{\sqrt{x^2+d^2}} - \frac{1}{\sqrt{x^2+d^2+4h^2}}\Big],
    \qquad
    V(q) = \frac{e^2}{4\pi\varepsilon_0\varepsilon_r}\,2\big[K_0(|q|d) - K_0(|q|\sqrt{d^2+4h^2})\big],

using :math:`\int dx\,e^{-iqx}/\sqrt{x^2+a^2} = 2K_0(|q|a)`. At :math:`q = 0`,
:math:`V(0) = \frac{e^2}{4\pi\varepsilon_0\varepsilon_r}\ln\frac{d^2+4h^2}{d^2}` (finite only because of the gate).
Within one wire of radius :math:`a` the same formula with :math:`d \to a` is the usual regularization of the
wire's transverse extent (it gives the form factor that suppresses :math:`V(2k_F)` once :math:`2k_Fa \gtrsim 1`).

**The Luttinger parameters** (Giamarchi, *Quantum Physics in One Dimension*, Sec. 2.3, g-ology to all orders in the
quadratic part). For the spinful primary wire, :math:`g_{2} = g_{4} = V(0)` and :math:`g_{1} = V(2k_F)`, so with
:math:`y = g/(\pi\hbar v_F)`: :math:`y_{4\rho} = 2V(0)/\pi\hbar v_F`, :math:`y_\rho = [V(2k_F) - 2V(0)]/\pi\hbar v_F`,

.. math::
    K_c = \sqrt{\frac{1 + y_{4\rho}/2 + y_\rho/2}{1 + y_{4\rho}/2 - y_\rho/2}}
        = \Big[\frac{1 + V(2k_F)/2\pi\hbar v_F}{1 + [4V(0) - V(2k_F)]/2\pi\hbar v_F}\Big]^{1/2},\qquad
    u_c = v_F\sqrt{(1 + y_{4\rho}/2)^2 - (y_\rho/2)^2},

and the spin sector's backscattering :math:`g_{1\perp} = V(2k_F)` is the spin fugacity of Eq. (10),
:math:`y_s^0 = V(2k_F)/(\pi\hbar v_F)` (> 0: marginally irrelevant), with :math:`u_s = v_F\sqrt{1 - (y_s^0/2)^2}`.
For a spinless band :math:`g_1` and :math:`g_2` are the same process, :math:`g_2 = g_4 = V(0) - V(2k)`, so
:math:`K = [1 + (V(0)-V(2k))/\pi\hbar v]^{-1/2}` and :math:`u = v/K`.

These are exact for the quadratic (forward) part and first order in the backscattering; they are trustworthy while
:math:`V(0)/\pi\hbar v \lesssim 1` (:func:`coupling_strength`). A strongly interacting wire should be given its
measured :math:`K` instead (``Kc`` or ``K`` in a device file).

Units: lengths in nm, momenta in 1/nm, velocities in m/s, potentials :math:`V(q)` in meV nm (an energy times a
length; :math:`V/\hbar` is a velocity).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy.special import k0

from ..support.errors import ModelError
from .units import COULOMB_MEV_NM, HBAR_MEV_S, NM

__all__ = ["gated_potential", "LuttingerParameters", "spinful_wire", "spinless_wire", "coupling_strength"]


def _positive(name: str, value: float, unit: str, why: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise ModelError(f"{name} = {value!r} is outside the allowed range (0, inf) {unit} ({why})")
    return float(value)


def gated_potential(q_per_nm, distance_nm: float, gate_distance_nm: float, epsilon_r: float):
    r""":math:`V(q)` in meV nm of two line charges ``distance_nm`` apart (or one wire of that radius), both
    ``gate_distance_nm`` above a metallic gate, in a dielectric :math:`\varepsilon_r` (module docstring). Works on
    arrays of ``q_per_nm``; :math:`q = 0` gives the closed form :math:`\ln[(d^2+4h^2)/d^2]`."""
    d = _positive("distance", distance_nm, "nm", "wire separation or radius in the Coulomb potential")
    h = _positive("gate_distance", gate_distance_nm, "nm", "distance to the screening gate; without a gate "
                  "V(q = 0) of a wire diverges")
    eps = _positive("epsilon_r", epsilon_r, "", "relative permittivity of the dielectric")
    q = np.abs(np.asarray(q_per_nm, dtype=float))
    far = math.sqrt(d * d + 4.0 * h * h)
    with np.errstate(divide="ignore", invalid="ignore"):
        bessel = 2.0 * (k0(q * d) - k0(q * far))
    out = COULOMB_MEV_NM / eps * np.where(q == 0, math.log(far * far / (d * d)), bessel)
    return float(out) if out.ndim == 0 else out


def coupling_strength(V_meV_nm: float, v_m_s: float) -> float:
    r""":math:`V/(\pi\hbar v)`, the dimensionless strength of a coupling :math:`V` (meV nm) against the kinetic
    energy of a band of velocity :math:`v` (m/s)."""
    return V_meV_nm * NM / (math.pi * HBAR_MEV_S * v_m_s)


@dataclass(frozen=True)
class LuttingerParameters:
    """Luttinger parameter and velocity (m/s) of a wire's charge mode; for a spinful wire also the spin fugacity
    :math:`y_s^0` and spin velocity; ``strength`` is :math:`V(0)/\\pi\\hbar v_F` (weak coupling needs it below 1)."""

    K: float
    u: float
    strength: float
    ys0: float | None = None
    u_spin: float | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def spinful_wire(vF_m_s: float, V0_meV_nm: float, V2k_meV_nm: float) -> LuttingerParameters:
    r""":math:`K_c`, :math:`u_c`, :math:`y_s^0`, :math:`u_s` of a spinful wire of Fermi velocity :math:`v_F` with
    :math:`g_2 = g_4 = V(0)`, :math:`g_1 = V(2k_F)` (module docstring)."""
    v = _positive("vF", vF_m_s, "m/s", "Fermi velocity of the primary wire")
    y0, y2k = coupling_strength(V0_meV_nm, v), coupling_strength(V2k_meV_nm, v)
    y4rho, yrho = 2.0 * y0, y2k - 2.0 * y0
    a, b = 1.0 + y4rho / 2.0, yrho / 2.0
    if a - b <= 0 or a + b <= 0:
        raise ModelError(f"V(0)/(pi hbar vF) = {y0:.3g}, V(2kF)/(pi hbar vF) = {y2k:.3g} are outside the allowed range "
                         "of the g-ology formulas (1 + y4/2 +- y/2 > 0); give the wire's measured Kc")
    if abs(y2k) >= 2:
        raise ModelError(f"V(2kF)/(pi hbar vF) = {y2k:.3g} is outside the allowed range (-2, 2) (spin velocity "
                         "vF sqrt(1 - ys^2/4) of the g-ology formulas)")
    return LuttingerParameters(K=math.sqrt((a + b) / (a - b)), u=v * math.sqrt(a * a - b * b), strength=y0,
                               ys0=y2k, u_spin=v * math.sqrt(1.0 - y2k * y2k / 4.0))


def spinless_wire(v_m_s: float, V0_meV_nm: float, V2k_meV_nm: float) -> LuttingerParameters:
    r""":math:`K = [1 + (V(0)-V(2k))/\pi\hbar v]^{-1/2}` and :math:`u = v/K` of a spinless band of velocity
    :math:`v` (module docstring)."""
    v = _positive("v", v_m_s, "m/s", "band velocity of the secondary")
    y = coupling_strength(V0_meV_nm - V2k_meV_nm, v)
    if 1.0 + y <= 0:
        raise ModelError(f"(V(0) - V(2k))/(pi hbar v) = {y:.3g} is outside the allowed range (-1, inf) (an attractive "
                         "forward coupling that makes the spinless wire unstable)")
    K = 1.0 / math.sqrt(1.0 + y)
    return LuttingerParameters(K=K, u=v / K, strength=coupling_strength(V0_meV_nm, v))
