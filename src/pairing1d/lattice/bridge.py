r"""Weak-coupling map from the lattice model to the bosonized parameters of the RG (the field theory's input).

Lattice spacing :math:`a = 1 = \alpha_0`, energies in the unit of :math:`t`. Fillings: :math:`n` electrons and
:math:`n_s` secondary fermions per site; :math:`k_F = \pi n/2`, :math:`k_s = \pi n_s`,
:math:`v_F = 2t\sin k_F`, :math:`v_s = 2t_s\sin k_s`.

**Hubbard chain** (g-ology with spin-independent couplings, :math:`V(q) = U + 2V\cos q`):
:math:`g_1 = V(2k_F)`, :math:`g_2 = g_4 = V(0)`; with :math:`y_\rho = (g_1 - 2g_2)/(\pi v_F)` and
:math:`y_{4\rho} = 2g_4/(\pi v_F)`,

.. math::
    K_c = \sqrt{\frac{1 + y_{4\rho}/2 + y_\rho/2}{1 + y_{4\rho}/2 - y_\rho/2}}
    \ \big(= 1 - U/(2\pi v_F) + \ldots\ \text{for Hubbard}\big), \qquad
    y_s^0 = \frac{g_1}{\pi v_F} = \frac{U + 2V\cos2k_F}{\pi v_F}.

**Spinless chain**, :math:`V_s(q) = 2V_s\cos q + 2V_{s2}\cos2q`: to first order
:math:`K = [1 + (V_s(0) - V_s(2k_s))/(\pi v_s)]^{-1/2}`; at half filling with :math:`V_{s2} = 0` and
:math:`|\Delta| < 1`, :math:`\Delta = V_s/(2t_s)`, the exact Bethe-ansatz value
:math:`K = \pi/[2(\pi - \arccos\Delta)]` (XXZ chain) is used instead.

**Inter-chain coupling**, :math:`W(q) = W + 2W_1\cos q`: Eq. (6) with the forward part :math:`V = W(0)`
(:meth:`pairing1d.theory.model.Model.from_density_coupling`: :math:`V_\phi = \sqrt2W(0)`), and the backscattering
amplitude at the momentum :math:`2k_F` the vertex transfers, :math:`y^0 = W(2k_F)/(\pi(v_F + v_s))` (the paper's
normalization, ``y_normalization="paper"``, the bridge's default) or :math:`2\sqrt2` times it (``"derived"``:
:math:`g_1 = 2V` of standard bosonization, :math:`y = g_1/(\sqrt2\pi\bar u)`, the normalization in which Eq. (16) is
exact and a :class:`~pairing1d.devices.device.Device`'s default), both from
:func:`pairing1d.theory.model.y_from_backscattering`. The bridge keeps the paper's by default so that the committed
studies' RG columns (``docs/lattice.md``, Secs. 7-8) are the ones they were written with; the spin-stiffness report
(:mod:`.stiffness_rg`) shows both.

**Cutoffs.** The vertex :math:`y_1` oscillates as :math:`e^{2i(k_F + k_s)x}`, which on the lattice equals
:math:`e^{2i(k_F - k_h)x}` with the hole Fermi momentum :math:`k_h = \pi - k_s`: it is commensurate when the
number of electron pairs equals the number of secondary *holes* (:math:`n/2 = 1 - n_s`), the hole-like case of the
paper. :math:`y_2` oscillates as :math:`e^{2i(k_F - k_s)x}` (pairs = secondary particles). With the mismatches
wrapped into :math:`(-\pi/2, \pi/2]`, :math:`\ell^*_1 = \ln(1/|k_F + k_s - \pi|)`,
:math:`\ell^*_2 = \ln(1/|k_F - k_s|)` (Eq. 15, :math:`\alpha_0 = a`).

These are first-order estimates: they fix the starting point of the flow, not its fate, and are least reliable
where the lattice couplings are comparable to the bandwidth. ``docs/lattice.md`` compares them with DMRG.

**Lattice-calibrated bridge** (``calibration=(hubbard, secondary)``, :mod:`.calibration`): :math:`K_c`,
:math:`v_c` of the Hubbard chain and :math:`K`, :math:`u` of the spinless chain measured by DMRG on each chain
alone replace the estimates above, everywhere they enter (:math:`u_c = v_c` and :math:`u` in the model, and the
velocities in :math:`y_s^0` and :math:`y^0`). What stays first order: the two backscattering amplitudes
:math:`y_s^0` and :math:`y^0` (their couplings) and the cutoffs.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from ..theory.model import Y_SCALE, Model
from .params import LatticeError, LatticeParams

__all__ = ["BosonizedLattice", "bosonize", "xxz_luttinger_parameter"]


def xxz_luttinger_parameter(delta: float) -> float:
    r"""Bethe ansatz for the half-filled t-V chain (XXZ, :math:`\Delta = V_s/2t_s`, :math:`-1 < \Delta \le 1`):
    :math:`K = \pi/[2(\pi - \arccos\Delta)]` (1 free, 1/2 at the Heisenberg point)."""
    if not -1 < delta <= 1:
        raise LatticeError(f"Delta = {delta!r} is outside the allowed range (-1, 1] (gapless XXZ chain)")
    return math.pi / (2.0 * (math.pi - math.acos(delta)))


def _wrap(q: float) -> float:
    """Momentum mismatch modulo the reciprocal lattice of 2 k: into (-pi/2, pi/2]."""
    return (q + math.pi / 2) % math.pi - math.pi / 2


def _lstar(mismatch: float) -> float:
    return math.inf if abs(mismatch) < 1e-15 else -math.log(abs(mismatch))


@dataclass(frozen=True)
class BosonizedLattice:
    """Bosonized parameters of a lattice point (module docstring) and the :class:`~pairing1d.theory.model.Model` they
    define."""

    kF: float
    ks: float
    vF: float
    vs: float
    Kc: float
    ys0: float
    K: float
    K_source: str
    W_forward: float
    W_backscattering: float
    y0: float
    lstar1: float
    lstar2: float
    model: Model

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if k != "model"}
        return out | {"model": self.model.to_dict()}


def bosonize(params: LatticeParams, n: float, ns: float, calibration: tuple[Any, Any] | None = None,
             y_normalization: str = "paper", **model_fields: Any) -> BosonizedLattice:
    """The weak-coupling map of the module docstring for electron filling ``n`` (per site, in (0, 2)) and
    secondary filling ``ns`` (in (0, 1)); ``calibration`` = (Hubbard, secondary)
    :class:`~.calibration.ChainParameters` measured on each chain alone replaces the Luttinger parameters and
    velocities; ``y_normalization`` (``"paper"`` or ``"derived"``, module docstring) normalizes :math:`y^0`;
    ``model_fields`` (``chi``,
    ``lmax``, ``scheme``, ...) pass to the Model."""
    if y_normalization not in Y_SCALE:
        raise LatticeError(f"y_normalization = {y_normalization!r} is outside the allowed values "
                           f"{tuple(Y_SCALE)} (normalization of the inter-chain vertex y0)")
    if not 0 < n < 2:
        raise LatticeError(f"n = {n!r} is outside the allowed range (0, 2) (electrons per site, gapless chain)")
    if not 0 < ns < 1:
        raise LatticeError(f"ns = {ns!r} is outside the allowed range (0, 1) (secondary fermions per site)")
    p = params
    kF, ks = math.pi * n / 2.0, math.pi * ns
    vF, vs = 2.0 * p.t * math.sin(kF), 2.0 * p.t_s * math.sin(ks)
    if vF <= 0 or vs <= 0:
        raise LatticeError(f"velocities vF = {vF:.3g}, vs = {vs:.3g} are not positive (t and t_s must be > 0)")
    # Hubbard chain
    V_of = lambda q: p.U + 2.0 * p.V * math.cos(q)  # noqa: E731
    g1, g2 = V_of(2 * kF), V_of(0.0)
    y_rho, y_4rho = (g1 - 2.0 * g2) / (math.pi * vF), 2.0 * g2 / (math.pi * vF)
    num, den = 1 + y_4rho / 2 + y_rho / 2, 1 + y_4rho / 2 - y_rho / 2
    if num <= 0 or den <= 0:
        raise LatticeError("the Hubbard couplings are outside the weak-coupling range (Kc of g-ology is not real)")
    Kc = math.sqrt(num / den)
    # spinless chain
    if abs(ns - 0.5) < 1e-12 and p.V_s2 == 0 and -1 < p.V_s / (2 * p.t_s) <= 1:
        K, source = xxz_luttinger_parameter(p.V_s / (2 * p.t_s)), "Bethe ansatz (XXZ)"
    else:
        Vs_of = lambda q: 2.0 * p.V_s * math.cos(q) + 2.0 * p.V_s2 * math.cos(2 * q)  # noqa: E731
        arg = 1.0 + (Vs_of(0.0) - Vs_of(2 * ks)) / (math.pi * vs)
        if arg <= 0:
            raise LatticeError("the spinless couplings are outside the weak-coupling range (K is not real)")
        K, source = arg**-0.5, "weak coupling"
    if calibration is not None:
        hubbard, secondary = calibration
        if not all(x > 0 and math.isfinite(x) for x in (hubbard.K, hubbard.velocity, secondary.K, secondary.velocity)):
            raise LatticeError("the calibration holds a Luttinger parameter or velocity that is not positive")
        Kc, vF, K, vs, source = hubbard.K, hubbard.velocity, secondary.K, secondary.velocity, "DMRG (chain alone)"
    ys0 = g1 / (math.pi * vF)
    # inter-chain coupling and cutoffs
    W_of = lambda q: p.W + 2.0 * p.W1 * math.cos(q)  # noqa: E731
    lstar1, lstar2 = _lstar(_wrap(kF + ks - math.pi)), _lstar(_wrap(kF - ks))
    fields = {"ys0": ys0, "lstar": lstar1, "lstar2": lstar2} | model_fields
    model = Model.from_density_coupling(W_of(0.0), u=vs, uc=vF, Kc=Kc, K=K, V_back=W_of(2 * kF),
                                        y_normalization=y_normalization, **fields)
    y0 = model.y0
    return BosonizedLattice(kF=kF, ks=ks, vF=vF, vs=vs, Kc=Kc, ys0=ys0, K=K, K_source=source,
                            W_forward=W_of(0.0), W_backscattering=W_of(2 * kF), y0=y0, lstar1=lstar1, lstar2=lstar2,
                            model=model)
