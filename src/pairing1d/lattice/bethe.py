r"""The attractive Hubbard chain by the Bethe ansatz: ground-state energy and spin gap at any filling (the controls'
known gaps, :mod:`.stiffness_study`).

:math:`H = -t\sum_{j\sigma}(c^\dagger_{j\sigma}c_{j+1,\sigma} + {\rm h.c.}) + U\sum_jn_{j\uparrow}n_{j\downarrow}`,
:math:`U < 0`, :math:`u = |U|/4t`. In the ground state at :math:`S^z = 0` every electron is bound in a
:math:`k`-:math:`\Lambda` string, :math:`\sin k_\pm = \Lambda \pm iu` (Lieb & Wu 1968; Takahashi 1972; Krivnov &
Ovchinnikov 1974; Woynarovich & Penc 1991), whose density on :math:`[-Q, Q]` solves

.. math::
    \sigma'(\Lambda) = \frac1\pi{\rm Re}\frac{1}{\sqrt{1 - (\Lambda - iu)^2}}
        - \int_{-Q}^{Q}a_2(\Lambda - \Lambda')\,\sigma'(\Lambda')\,d\Lambda', \qquad
    a_n(x) = \frac1\pi\frac{nu}{(nu)^2 + x^2},

with :math:`n = 2\int\sigma'` electrons per site and energy per site :math:`e = \int\varepsilon'_0\sigma'`,
:math:`\varepsilon'_0(\Lambda) = -4t\,{\rm Re}\sqrt{1 - (\Lambda - iu)^2}` (the energy of a bound pair,
:math:`\to U` for :math:`u \to \infty`). The dressed pair energy

.. math::
    \varepsilon'(\Lambda) = \varepsilon'_0(\Lambda) - 2\mu
        - \int_{-Q}^{Q}a_2(\Lambda - \Lambda')\varepsilon'(\Lambda')\,d\Lambda'

vanishes at :math:`\pm Q`, which fixes the chemical potential :math:`\mu` (tested: :math:`\mu = de/dn`); an
unpaired electron of momentum :math:`k` costs

.. math::
    \kappa(k) = -2t\cos k - \mu - \int_{-Q}^{Q}a_1(\sin k - \Lambda)\,\varepsilon'(\Lambda)\,d\Lambda,

and the spin gap, breaking one pair into two unpaired electrons of the same spin, is
:math:`\Delta_s = 2\min_k\kappa(k)`. The integral equations are solved by Gauss–Legendre quadrature (Nyström); the
second witnesses are the weak-coupling limits (first-order energy :math:`e_0 + Un^2/4`; the spin gap
:math:`\propto e^{-\pi v_F/|U|}` of the marginally relevant coupling) and DMRG on long chains
(``tests/test_lattice_spin_stiffness.py``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.polynomial.legendre import leggauss

from .params import LatticeError

__all__ = ["AttractiveHubbard", "attractive_hubbard", "U_MIN"]

NODES = 100
"""Gauss-Legendre nodes on [-Q, Q] (gap and energy agree to 1e-10 with 800 nodes at U = -0.5t ... -4t, n = 1/2)."""
U_MIN = 0.3
"""The weakest attraction (in t) solved: the kernels are Lorentzians of width :math:`|U|/4t`, which 100 nodes resolve
down to :math:`|U| = 0.3t` (gap 3.2e-7 t there, unchanged with 400 nodes); at :math:`|U| = 0.2t` the gap (2e-10 t) is
below the quadrature's error."""


@dataclass(frozen=True)
class AttractiveHubbard:
    """The thermodynamic limit of the attractive Hubbard chain at filling ``n`` (module docstring): energy per site,
    chemical potential, the strings' Fermi point ``Q`` and the spin gap, in units of ``t``."""

    U: float
    n: float
    t: float
    energy: float
    mu: float
    Q: float
    spin_gap: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _a(order: int, u: float, x: np.ndarray) -> np.ndarray:
    return (order * u / math.pi) / ((order * u) ** 2 + x**2)


@lru_cache(maxsize=64)
def attractive_hubbard(U: float, n: float = 0.5, t: float = 1.0) -> AttractiveHubbard:
    """Solve the equations of the module docstring for ``U < 0`` and ``0 < n < 1`` (the Fermi point ``Q`` by
    bisection on the density, 80 halvings; the gap's minimum over 4001 momenta refined by a parabola)."""
    if not (math.isfinite(U) and U < 0):
        raise LatticeError(f"U = {U!r} is outside the allowed range (-inf, 0) (attractive Hubbard chain)")
    if abs(U) < U_MIN * t:
        raise LatticeError(f"U = {U!r} is outside the allowed range |U| >= {U_MIN:g} t of the quadrature (the spin gap "
                           "is below 1e-6 t there)")
    if not (0 < n < 1):
        raise LatticeError(f"n = {n!r} is outside the allowed range (0, 1) (electrons per site, below half filling)")
    if not (math.isfinite(t) and t > 0):
        raise LatticeError(f"t = {t!r} is outside the allowed range (0, inf) (hopping)")
    u = abs(U) / (4.0 * t)
    x, w = leggauss(NODES)
    identity = np.eye(NODES)

    def strings(Q: float):
        lam, weights = Q * x, Q * w
        kernel = _a(2, u, lam[:, None] - lam[None, :]) * weights[None, :]
        drive = np.real(1.0 / np.sqrt(1.0 - (lam - 1j * u) ** 2)) / math.pi
        sigma = np.linalg.solve(identity + kernel, drive)
        return 2.0 * float(weights @ sigma), lam, weights, kernel, sigma

    lo, hi = 0.0, 1.0
    for _ in range(60):  # bounded: the density rises with Q towards 1 (half filling) as Q -> infinity
        if strings(hi)[0] >= n:
            break
        lo, hi = hi, 2.0 * hi
    else:
        raise LatticeError(f"n = {n!r}: no Fermi point found below Q = {hi:g}")
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if strings(mid)[0] < n else (lo, mid)
    Q = 0.5 * (lo + hi)
    _, lam, weights, kernel, sigma = strings(Q)
    bare = -4.0 * t * np.real(np.sqrt(1.0 - (lam - 1j * u) ** 2))
    e_bare = np.linalg.solve(identity + kernel, bare)
    e_mu = np.linalg.solve(identity + kernel, -2.0 * np.ones(NODES))  # the response to mu = 1
    edge = lambda drive, vec: drive - float(np.sum(_a(2, u, Q - lam) * weights * vec))  # noqa: E731 (Nyström)
    mu = -edge(-4.0 * t * float(np.real(np.sqrt(1.0 - (Q - 1j * u) ** 2))), e_bare) / edge(-2.0, e_mu)
    dressed = e_bare + mu * e_mu
    k = np.linspace(-math.pi, math.pi, 4001)
    kappa = -2.0 * t * np.cos(k) - mu - (_a(1, u, np.sin(k)[:, None] - lam[None, :]) * weights) @ dressed
    i = int(np.argmin(kappa))
    low = float(kappa[i])
    if 0 < i < len(k) - 1:  # parabola through the minimum and its neighbours
        left, right = float(kappa[i - 1]), float(kappa[i + 1])
        curvature = left + right - 2.0 * low
        if curvature > 0:
            low -= (right - left) ** 2 / (8.0 * curvature)
    return AttractiveHubbard(U=float(U), n=float(n), t=float(t), energy=float(weights @ (bare * sigma)), mu=float(mu),
                             Q=float(Q), spin_gap=2.0 * low)
