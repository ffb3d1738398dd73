r"""The exact Gaussian theory of the primary charge and secondary modes, for any forward coupling.

The forward part of Eq. (6) couples :math:`\Phi = (\phi_c, \phi)` and :math:`\Theta = (\theta_c, \theta)` through
Eq. (9), (11) and the first line of Eq. (12):

.. math::
    H_0 = \frac{1}{2\pi}\Big[\partial_x\Phi^T M\,\partial_x\Phi + \partial_x\Theta^T N\,\partial_x\Theta\Big],\qquad
    M = \begin{pmatrix} u_c/K_c & V_\phi/\pi \\ V_\phi/\pi & u/K\end{pmatrix},\quad
    N = \begin{pmatrix} u_cK_c & V_\theta/\pi \\ V_\theta/\pi & uK\end{pmatrix}.

In units :math:`u_c = 1`, with :math:`r = u/u_c` and the two dimensionless forward couplings

.. math::
    \upsilon = \frac{\sqrt{K_cK}\,V_\phi}{\pi\sqrt{u_cu}},\qquad
    \upsilon_\theta = \frac{V_\theta}{\pi\sqrt{u_cuK_cK}},

the off-diagonal entries are :math:`M_{12} = \upsilon\sqrt{r/(K_cK)}` and :math:`N_{12} = \upsilon_\theta\sqrt{rK_cK}`;
:math:`\det M \propto 1-\upsilon^2` and :math:`\det N \propto 1-\upsilon_\theta^2`, so the theory is stable iff
:math:`|\upsilon| < 1` and :math:`|\upsilon_\theta| < 1`. The line of Eq. (13) is :math:`\upsilon_\theta = -r\upsilon`.

**Correlations.** A canonical change of variables :math:`\Phi = A\Phi'`, :math:`\Theta = A^{-T}\Theta'` (it keeps
Eq. 8) that makes both forms diagonal and equal leaves free modes with unit Luttinger parameters, for which
:math:`\langle\Delta\Phi'\Delta\Phi'^T\rangle = \mathbb 1\ln(x/\alpha)`. Hence
:math:`\langle\Delta\Phi\,\Delta\Phi^T\rangle = C_\phi\ln(x/\alpha)` with :math:`C_\phi = AA^T`, and the
condition :math:`A^TMA = A^{-1}NA^{-T}` reads :math:`C_\phi M C_\phi = N`, whose positive solution is the matrix
geometric mean

.. math::
    C_\phi = M^{-1}\,\#\,N = M^{-1/2}\big(M^{1/2}NM^{1/2}\big)^{1/2}M^{-1/2},\qquad
    C_\theta = N^{-1}\,\#\,M = C_\phi^{-1}.

For 2x2 matrices :math:`\sqrt Y = (Y + \sqrt{\det Y})/\sqrt{\operatorname{tr}Y + 2\sqrt{\det Y}}` gives the closed
form used here, :math:`C_\phi = (N + dM^{-1})/\sqrt{\operatorname{tr}(MN) + 2d}` with :math:`d = \sqrt{\det M\det N}`.

**Scaling dimensions.** :math:`e^{i(a\cdot\Phi + b\cdot\Theta)}` has dimension
:math:`(a^TC_\phi a + b^TC_\theta b)/4` (a single mode: :math:`a^2K/4` and :math:`b^2/(4K)`, the convention of
``docs/physics.md``). The vertices :math:`y_{1,2}\cos\sqrt2\phi_s\cos(\sqrt2\phi_c \pm p\phi)` add the spin part
:math:`K_s/2`; the CDW of pairs :math:`e^{i\sqrt2\phi_c}` and the singlet-pair (SC) operator :math:`e^{i\sqrt2\theta_c}`
are taken with the spin sector gapped.

**The rotation of Sec. II B.** :math:`\phi_c \to \phi_c - Q\phi` is :math:`\Phi = T\Phi'` with
:math:`T = \begin{pmatrix}1 & -Q\\ 0 & 1\end{pmatrix}`, and :math:`Q = V_\phi K_c/(\pi u_c)` removes :math:`M_{12}`
for any :math:`V_\theta`. Then :math:`C' = T^{-1}C_\phi T^{-T}` and a charge vector becomes :math:`T^Ta`. On the
line (13) :math:`C'` is diagonal, :math:`\operatorname{diag}(\tilde K_c, \tilde K)` of Eq. (14).

Every function here takes plain numbers or numpy arrays (broadcast together) and works on the three independent
entries of each symmetric matrix, so that the batched engine and the single-device path share it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "SQRT2", "forward_matrices", "correlation_matrix", "rotate", "inverse", "quadratic", "line13_upsilon_theta",
    "GaussianTheory", "gaussian_theory", "vertex_charges", "trion_mode",
]

SQRT2 = math.sqrt(2.0)
""":math:`\\sqrt2`, the charge of the primary's fields in every vertex (:math:`\\cos\\sqrt2\\phi_c`, ...)."""


def line13_upsilon_theta(upsilon, u_ratio):
    r"""The :math:`\upsilon_\theta` of the line of Eq. (13), :math:`V_\theta = -V_\phi(u/u_c)K_cK`:
    :math:`\upsilon_\theta = -(u/u_c)\,\upsilon`."""
    return -u_ratio * upsilon


def forward_matrices(Kc, K, u_ratio, upsilon, upsilon_theta):
    r"""Entries ``(m11, m12, m22, n11, n12, n22)`` of :math:`M` and :math:`N` (module docstring) in units
    :math:`u_c = 1`: :math:`M = [[1/K_c, \upsilon\sqrt{r/(K_cK)}], [\cdot, r/K]]`,
    :math:`N = [[K_c, \upsilon_\theta\sqrt{rK_cK}], [\cdot, rK]]`, :math:`r = u/u_c`."""
    m12 = upsilon * np.sqrt(u_ratio / (Kc * K))
    n12 = upsilon_theta * np.sqrt(u_ratio * Kc * K)
    return 1.0 / Kc, m12, u_ratio / K, Kc, n12, u_ratio * K


def inverse(a11, a12, a22):
    """Entries of the inverse of the symmetric 2x2 matrix [[a11, a12], [a12, a22]]."""
    det = a11 * a22 - a12 * a12
    return a22 / det, -a12 / det, a11 / det


def correlation_matrix(m11, m12, m22, n11, n12, n22):
    r"""Entries of :math:`C_\phi = M^{-1}\#N`, the solution of :math:`C M C = N` (module docstring).

    :math:`C_\theta = C_\phi^{-1}` (:func:`inverse`). Both forms must be positive definite (not checked here:
    :func:`gaussian_theory` and :class:`~pairing1d.theory.model.Model` refuse the others)."""
    det_m = m11 * m22 - m12 * m12
    d = np.sqrt(det_m * (n11 * n22 - n12 * n12))
    scale = np.sqrt(m11 * n11 + 2.0 * m12 * n12 + m22 * n22 + 2.0 * d)  # sqrt(tr(MN) + 2 d)
    w = d / det_m  # d M^{-1} = w [[m22, -m12], [-m12, m11]]
    return (n11 + w * m22) / scale, (n12 - w * m12) / scale, (n22 + w * m11) / scale


def rotate(c11, c12, c22, Q):
    r"""Entries of :math:`C' = T^{-1}CT^{-T}` in the basis of the rotation :math:`\phi_c \to \phi_c - Q\phi`."""
    return c11 + 2.0 * Q * c12 + Q * Q * c22, c12 + Q * c22, c22


def quadratic(a1, a2, c11, c12, c22):
    r""":math:`a^TCa` for the charge vector :math:`a = (a_1, a_2)`."""
    return a1 * a1 * c11 + 2.0 * a1 * a2 * c12 + a2 * a2 * c22


def vertex_charges(p=2.0, Q=0.0):
    r"""Charge vectors of the :math:`y_1` and :math:`y_2` vertices :math:`\cos(\sqrt2\phi_c \pm p\phi)` on
    :math:`(\phi_c, \phi)`; with ``Q`` in the rotated basis, :math:`T^Ta = (\sqrt2, \pm p - \sqrt2Q)` (Eq. 14c)."""
    return (SQRT2, p - SQRT2 * Q), (SQRT2, -p - SQRT2 * Q)


@dataclass(frozen=True)
class GaussianTheory:
    r"""The bare Gaussian theory of one device: forms, correlations and the dimensions that follow.

    ``M``, ``N``, ``C_phi``, ``C_theta`` are 2x2 arrays on :math:`(\phi_c, \phi)` (units :math:`u_c = 1`);
    ``Q`` is the rotation parameter; ``C_rotated`` is :math:`C_\phi` in the rotated basis (diagonal on line 13,
    with :math:`\tilde K_c, \tilde K` on its diagonal).
    """

    M: np.ndarray
    N: np.ndarray
    C_phi: np.ndarray
    C_theta: np.ndarray
    Q: float
    C_rotated: np.ndarray

    def dimension(self, a_phi=(0.0, 0.0), a_theta=(0.0, 0.0)) -> float:
        r"""Scaling dimension of :math:`e^{i(a_\phi\cdot\Phi + a_\theta\cdot\Theta)}`:
        :math:`(a_\phi^TC_\phi a_\phi + a_\theta^TC_\theta a_\theta)/4`."""
        a, b = np.asarray(a_phi, float), np.asarray(a_theta, float)
        return float(a @ self.C_phi @ a + b @ self.C_theta @ b) / 4.0

    def dimensions(self, Ks: float = 1.0, p: float = 2.0) -> dict[str, float]:
        r"""Bare dimensions of the :math:`y_1`, :math:`y_2` vertices (spin part :math:`K_s/2` included), of the CDW of
        pairs :math:`e^{i\sqrt2\phi_c}` and of the singlet-pair operator :math:`e^{i\sqrt2\theta_c}` (spin gapped)."""
        a1, a2 = vertex_charges(p)
        return {
            "y1": Ks / 2.0 + self.dimension(a1), "y2": Ks / 2.0 + self.dimension(a2),
            "cdw": self.dimension((SQRT2, 0.0)), "sc": self.dimension(a_theta=(SQRT2, 0.0)),
        }


def _matrix(a11, a12, a22) -> np.ndarray:
    return np.array([[a11, a12], [a12, a22]], dtype=float)


def gaussian_theory(Kc: float, K: float, u_ratio: float, upsilon: float, upsilon_theta: float) -> GaussianTheory:
    """The :class:`GaussianTheory` of one device from its bare parameters (units u_c = 1).

    Raises :class:`~pairing1d.support.errors.ModelError` if either form is not positive definite."""
    from ..support.errors import ModelError

    for name, value in (("upsilon", upsilon), ("upsilon_theta", upsilon_theta)):
        if not abs(value) < 1:
            raise ModelError(f"{name} = {value!r} is outside the allowed range (-1, 1) (the forward-scattering "
                             "quadratic form of Eq. (9), (11), (12) must be positive definite)")
    m11, m12, m22, n11, n12, n22 = forward_matrices(Kc, K, u_ratio, upsilon, upsilon_theta)
    c = correlation_matrix(m11, m12, m22, n11, n12, n22)
    Q = float(upsilon * math.sqrt(u_ratio * Kc / K))  # V_phi Kc / (pi u_c) in these units
    return GaussianTheory(
        M=_matrix(m11, m12, m22), N=_matrix(n11, n12, n22), C_phi=_matrix(*c), C_theta=_matrix(*inverse(*c)),
        Q=Q, C_rotated=_matrix(*rotate(*c, Q)),
    )


def trion_mode(Kc, K, u_ratio, upsilon, upsilon_theta, p=2.0):
    r"""The gapless mode left when the :math:`y_1` vertex pins :math:`\phi_g \propto \sqrt2\phi_c + p\phi`
    (Eq. 19-20, Appendix C), from the exact Gaussian theory. Returns ``(Kf, uf, Kf_eq20)`` (units :math:`u_c = 1`).

    In the orthonormal basis :math:`e_g = (\sqrt2, p)/\mathcal N`, :math:`e_f = (p, -\sqrt2)/\mathcal N`,
    :math:`\mathcal N = \sqrt{2+p^2}`, pinning :math:`\phi_g` removes it from the :math:`\phi` form (its gradient
    vanishes), while its dual :math:`\theta_g` fluctuates freely and is integrated out of the :math:`\theta` form:

    .. math::
        \frac{u_f}{K_f} = M_{ff},\qquad u_fK_f = N_{ff} - \frac{N_{fg}^2}{N_{gg}},\qquad
        K_f = \sqrt{\frac{N_{ff} - N_{fg}^2/N_{gg}}{M_{ff}}} .

    Eq. (20) keeps :math:`N_{ff}` alone, i.e. drops the :math:`V'_\times\partial\theta_g\partial\theta_f` coupling of
    Eq. (C1d); its value is returned as ``Kf_eq20``. Numbers or arrays.
    """
    m11, m12, m22, n11, n12, n22 = forward_matrices(Kc, K, u_ratio, upsilon, upsilon_theta)
    norm2 = 2.0 + p * p

    def project(a11, a12, a22, u, v):  # u^T A v for the unit vectors u, v given unnormalized
        return (u[0] * v[0] * a11 + (u[0] * v[1] + u[1] * v[0]) * a12 + u[1] * v[1] * a22) / norm2

    eg, ef = (SQRT2, p), (p, -SQRT2)
    m_ff = project(m11, m12, m22, ef, ef)
    n_ff, n_fg, n_gg = project(n11, n12, n22, ef, ef), project(n11, n12, n22, ef, eg), project(n11, n12, n22, eg, eg)
    n_eff = n_ff - n_fg * n_fg / n_gg
    return np.sqrt(n_eff / m_ff), np.sqrt(m_ff * n_eff), np.sqrt(n_ff / m_ff)
