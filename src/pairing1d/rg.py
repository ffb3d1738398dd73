r"""The RG flow of Eq. (16) for a single device, integrated with scipy's ``solve_ivp``.

With :math:`C(\ell) = c_1(\ell) y_1^2 + c_2(\ell) y_2^2` and the cutoffs
:math:`c_i(\ell) = \frac12[1-\tanh((\ell-\ell^*_i)/\chi)]`, the flow is

.. math::
    \frac{dy_s}{d\ell} &= (2-2K_s)\,y_s - \cos\theta\,\frac{C}{4},                      &(16a)\\
    \frac{dK_s^{-1}}{d\ell} &= \frac{y_s^2}{2} + \frac{C}{8},                            &(16b)\\
    \frac{dy_1}{d\ell} &= \Big(2-\frac{\tilde K_c}{2}-\frac{K_s}{2}
                           -\big(1-\tfrac{Q}{\sqrt2}\big)^2\tilde K-\frac{y_s}{2}\Big) y_1, &(16c)\\
    \frac{dy_2}{d\ell} &= \Big(2-\frac{\tilde K_c}{2}-\frac{K_s}{2}
                           -\big(1+\tfrac{Q}{\sqrt2}\big)^2\tilde K-\frac{y_s}{2}\Big) y_2, &(16d)\\
    \frac{d\tilde K^{-1}}{d\ell} &= \frac{C}{4},                                          &(16e)\\
    \frac{d\tilde K_c^{-1}}{d\ell} &= \frac{C}{8}.                                        &(16f)

For a secondary vertex of charge :math:`p` (``Model.vertex_charge``; 2 above, 1 for the Mott ladder of Sec.
III A) the factors :math:`(1\mp Q/\sqrt2)^2` become :math:`(p\mp\sqrt2Q)^2/4` and the :math:`C/4` of (16e)
becomes :math:`p^2C/16` (:func:`pairing1d.model.vertex_coefficients`).

Options (see :class:`~pairing1d.model.Model`): on the SU(2) line (``su2=True``) :math:`K_s = 1 + y_s/2` and
Eq. (16b) is dropped; the relative phase :math:`\theta` multiplies the :math:`C` term of (16a) by
:math:`\cos\theta` (Sec. II B 4); the ``frozen`` scheme multiplies the right-hand sides of (16c)-(16d) by
:math:`c_{1,2}(\ell)`; the mass cutoff (Appendix B) replaces :math:`\ell^*_i` by :math:`\min(\ell^*_i, \ell_m)`.

Events: :math:`y_s = -1` ends the flow at :math:`\bar\ell` (a spin gap :math:`\Lambda e^{-\bar\ell}` opens);
:math:`|y_1| = y_{\rm strong}` is recorded as :math:`\bar{\bar\ell}` and the flow goes on;
:math:`\ell_{\max}` ends it. :math:`y_s` can also run away to strong *positive* coupling: off the SU(2) line
(``su2=False``) when :math:`K_s` falls below 1 while :math:`y_s > 0`, and on it when :math:`\cos\theta < 0` turns
the :math:`y^2` feedback of (16a) repulsive (a spin gap with
:math:`\langle\cos\sqrt2\phi_s\rangle = 0`, which kills the pairing terms; not one of the paper's phases);
:math:`y_s = +1` ends the flow there as well and is recorded as ``l_runaway`` (the perturbative flow beyond it
is meaningless, and stiff: :math:`dy_1/d\ell \propto -y_s y_1/2`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.integrate import OdeSolution, solve_ivp

from .model import Model, smooth_cutoff, vertex_coefficients

__all__ = ["STATE", "FlowResult", "FlowCoefficients", "flow_rhs", "solve_flow"]

STATE = ("ys", "inv_Ks", "y1", "y2", "inv_K_tilde", "inv_Kc_tilde")
"""Order of the integrated variables. Eq. (16) is linear in the inverse Luttinger parameters, so those are
integrated rather than the parameters themselves."""


@dataclass(frozen=True)
class FlowCoefficients:
    """The numbers of a Model that the right-hand side of Eq. (16) needs, computed once per flow."""

    a1: float  # (p - sqrt2 Q)^2 / 4 = (1 - Q/sqrt2)^2 at p = 2, Eq. (16c)
    a2: float  # (p + sqrt2 Q)^2 / 4, Eq. (16d)
    k_feedback: float  # p^2 / 16 = 1/4 at p = 2, Eq. (16e)
    cos_theta: float
    lstar1: float  # effective cutoffs min(lstar_i, lmass)
    lstar2: float
    chi: float
    su2: bool
    frozen: bool

    @classmethod
    def from_model(cls, model: Model) -> FlowCoefficients:
        a1, a2, k_feedback = vertex_coefficients(model.Q, model.vertex_charge)
        return cls(
            a1=float(a1), a2=float(a2), k_feedback=float(k_feedback), cos_theta=math.cos(model.theta),
            lstar1=model.lstar_eff, lstar2=model.lstar2_eff, chi=model.chi,
            su2=model.su2, frozen=model.scheme == "frozen",
        )


def flow_rhs(l: float, state: np.ndarray, co: FlowCoefficients) -> np.ndarray:
    """Right-hand side of Eq. (16a)-(16f) at RG time ``l`` for ``state`` ordered as :data:`STATE`."""
    ys, inv_ks, y1, y2, inv_k, inv_kc = state
    c1 = smooth_cutoff(l, co.lstar1, co.chi)
    c2 = smooth_cutoff(l, co.lstar2, co.chi)
    ks = 1.0 + 0.5 * ys if co.su2 else 1.0 / inv_ks
    k_tilde, kc_tilde = 1.0 / inv_k, 1.0 / inv_kc
    feedback = c1 * y1 * y1 + c2 * y2 * y2  # C(l): second-order feedback of y1, y2
    common = 2.0 - 0.5 * kc_tilde - 0.5 * ks - 0.5 * ys  # scaling shared by (16c) and (16d)
    dy1 = (common - co.a1 * k_tilde) * y1
    dy2 = (common - co.a2 * k_tilde) * y2
    if co.frozen:  # the y_i stop renormalizing once the incommensurability is seen
        dy1 *= c1
        dy2 *= c2
    return np.array([
        (2.0 - 2.0 * ks) * ys - co.cos_theta * feedback / 4.0,
        0.0 if co.su2 else 0.5 * ys * ys + feedback / 8.0,
        dy1,
        dy2,
        co.k_feedback * feedback,
        feedback / 8.0,
    ])


@dataclass(frozen=True)
class FlowResult:
    r"""The solved flow of one device, in the manner of scipy's ``OdeResult``.

    ``l`` and the coupling arrays hold the accepted integrator steps from 0 to ``l_end``; ``at(l)`` evaluates
    the continuous (dense-output) solution. ``l_bar`` is where :math:`y_s = -1` (None if the flow reached
    ``lmax`` first), ``l_bbar`` where :math:`|y_1|` first reached ``y_strong`` (None if never).
    """

    model: Model
    l: np.ndarray
    ys: np.ndarray
    Ks: np.ndarray
    y1: np.ndarray
    y2: np.ndarray
    K_tilde: np.ndarray
    Kc_tilde: np.ndarray
    l_bar: float | None
    l_bbar: float | None
    l_end: float
    status: str
    l_runaway: float | None
    nfev: int
    sol: OdeSolution = field(repr=False, compare=False)

    def at(self, l: float | np.ndarray) -> dict[str, Any]:
        """Couplings at RG time(s) ``l`` in [0, l_end] from the dense output: ys, Ks, y1, y2, K_tilde, Kc_tilde."""
        state = np.asarray(self.sol(l))
        return _named(state, self.model.su2)

    @property
    def end(self) -> dict[str, float]:
        """Couplings at the end of the flow (at l_bar if a spin gap opened, else at lmax)."""
        return {name: float(getattr(self, name)[-1]) for name in ("ys", "Ks", "y1", "y2", "K_tilde", "Kc_tilde")}

    def to_dict(self, trajectory: bool = False) -> dict[str, Any]:
        """Event scales, status and the couplings at the end; the whole trajectory with ``trajectory=True``."""
        out: dict[str, Any] = {
            "l_bar": self.l_bar, "l_bbar": self.l_bbar, "l_runaway": self.l_runaway, "l_end": self.l_end,
            "status": self.status,
            "nfev": self.nfev, "end": self.end,
        }
        if trajectory:
            out["trajectory"] = {
                name: getattr(self, name).tolist() for name in ("l", "ys", "Ks", "y1", "y2", "K_tilde", "Kc_tilde")
            }
        return out


def _named(state: np.ndarray, su2: bool) -> dict[str, Any]:
    ys, inv_ks, y1, y2, inv_k, inv_kc = state
    ks = 1.0 + 0.5 * ys if su2 else 1.0 / inv_ks
    return {"ys": ys, "Ks": ks, "y1": y1, "y2": y2, "K_tilde": 1.0 / inv_k, "Kc_tilde": 1.0 / inv_kc}


def initial_state(model: Model) -> np.ndarray:
    """Bare values ordered as :data:`STATE`: ys0, 1/Ks0, y0, y2, 1/K~0, 1/Kc~0 (Eq. 14)."""
    return np.array([model.ys0, 1.0 / model.Ks0, model.y0, model.y2, 1.0 / model.K_tilde0, 1.0 / model.Kc_tilde0])


def solve_flow(model: Model, *, rtol: float = 1e-10, atol: float = 1e-12) -> FlowResult:
    """Integrate Eq. (16) from the bare ``model`` with DOP853 to the first of ys = -1 or lmax.

    Returns a :class:`FlowResult` with the trajectory and the event scales ``l_bar`` (ys = -1, terminal)
    and ``l_bbar`` (first ``|y1| = y_strong``, recorded only).
    """
    co = FlowCoefficients.from_model(model)

    def spin_gap(l, s, co):  # ys = -1: strong coupling of the spin sector, the flow ends (Fig. 3)
        return s[0] + 1.0

    spin_gap.terminal = True
    spin_gap.direction = -1

    def y1_strong(l, s, co):  # |y1| = y_strong, written smooth in y1
        return s[2] * s[2] - model.y_strong**2

    y1_strong.direction = 1

    def spin_runaway(l, s, co):  # ys = +1 (off the SU(2) line, or cos(theta) < 0): the flow ends
        return s[0] - 1.0

    spin_runaway.terminal = True
    spin_runaway.direction = 1

    sol = solve_ivp(
        flow_rhs, (0.0, model.lmax), initial_state(model), method="DOP853", args=(co,),
        rtol=rtol, atol=atol, events=(spin_gap, y1_strong, spin_runaway), dense_output=True,
    )
    if not sol.success:  # pragma: no cover - DOP853 on this smooth system does not fail inside the domain
        raise RuntimeError(f"RG integration failed for {model!r}: {sol.message}")
    l_bar = float(sol.t_events[0][0]) if len(sol.t_events[0]) else None
    l_bbar = float(sol.t_events[1][0]) if len(sol.t_events[1]) else None
    l_runaway = float(sol.t_events[2][0]) if len(sol.t_events[2]) else None
    status = "reached lmax"
    if l_bar is not None:
        status = "spin gap (ys = -1)"
    elif l_runaway is not None:
        status = "ys runaway to +1 (spin sector at strong repulsive coupling)"
    named = _named(sol.y, model.su2)
    return FlowResult(
        model=model, l=sol.t, **{k: np.asarray(v) for k, v in named.items()},
        l_bar=l_bar, l_bbar=l_bbar, l_end=float(sol.t[-1]),
        status=status, l_runaway=l_runaway,
        nfev=int(sol.nfev), sol=sol.sol,
    )
