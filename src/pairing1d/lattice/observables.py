r"""Observables of the lattice model: gaps from sector energies, correlations, Luttinger parameters, 1/L fits.

Gaps (ground-state energies :math:`E(N_\uparrow, N_\downarrow, N_{\rm sec})` of :class:`~.params.Sector` s):

.. math::
    \Delta_s &= E(N_\uparrow{+}1, N_\downarrow{-}1) - E(N_\uparrow, N_\downarrow)
        \quad\text{(spin gap, } S^z = 0 \to 1),\\
    E_{\rm pair} &= E(N{+}2) + E(N) - 2E(N{+}1) \quad\text{(pair binding; < 0: bound pairs)},\\
    E_{\rm trion} &= E(N{+}2, N_{\rm sec}{-}1) + E(N, N_{\rm sec}) - E(N{+}2, N_{\rm sec}) - E(N, N_{\rm sec}{-}1)
        \quad\text{(pair + secondary hole; < 0: bound)},\\
    \Delta_{\rm sec} &= E(N_{\rm sec}{+}1) + E(N_{\rm sec}{-}1) - 2E(N_{\rm sec}) \quad\text{(secondary charge gap)}.

:math:`N{+}1` adds a spin-up electron, :math:`N{+}2` one of each spin.

Luttinger parameters from the static structure factor of an open chain. No current leaves the chain, so the
bosonic field is pinned at both ends and the density, its derivative, has the standing-wave modes
:math:`\cos[q_k(i - \tfrac12)]`, :math:`q_k = \pi k/L`, :math:`i = 1..L` (the discrete cosine transform; sine
modes would mix in the boundary and give :math:`K \approx 0.4` for free fermions). With
:math:`S(q_k) = \frac{2}{L}\sum_{ij}\cos[q_k(i-\tfrac12)]\cos[q_k(j-\tfrac12)]\langle n_in_j\rangle_c`,
:math:`S(q) \to Kq/(2\pi)` for spinless fermions and :math:`K_cq/\pi` for the charge of spinful ones, so
:math:`K = 2\pi S(q_1)/q_1` (spinless), :math:`K_c = \pi S(q_1)/q_1`. For free fermions this gives
:math:`1 + 0.97/L` (1.0306 at :math:`L = 32`): extrapolate in :math:`1/L` (:func:`extrapolate`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .params import LatticeError, Sector

__all__ = [
    "GAP_SHIFTS", "gap_sectors", "gaps_from_energies", "structure_factor", "luttinger_parameter",
    "mps_correlations", "CORRELATIONS", "extrapolate",
]

GAP_SHIFTS: dict[str, tuple[tuple[int, int, int], ...]] = {
    "ground": ((0, 0, 0),),
    "spin_gap": ((0, 0, 0), (1, -1, 0)),
    "pair_binding": ((0, 0, 0), (1, 0, 0), (1, 1, 0)),
    "trion_binding": ((0, 0, 0), (1, 1, 0), (1, 1, -1), (0, 0, -1)),
    "secondary_gap": ((0, 0, 0), (0, 0, 1), (0, 0, -1)),
}
"""Sector offsets (d N_up, d N_dn, d N_sec) from the base filling that each quantity needs."""


def gap_sectors(base: Sector, quantities: Sequence[str], L: int | None = None) -> list[Sector]:
    """The distinct sectors needed for ``quantities`` (keys of :data:`GAP_SHIFTS`), base first; with ``L``, those
    that do not fit on ``L`` cells (a number outside [0, L]) are left out."""
    out: list[Sector] = []
    for q in quantities:
        if q not in GAP_SHIFTS:
            raise LatticeError(f"quantity {q!r} is outside the known ones {sorted(GAP_SHIFTS)}")
        for shift in GAP_SHIFTS[q]:
            s = base.shifted(*shift)
            if s not in out and (L is None or s.fits(L)):
                out.append(s)
    return out


def gaps_from_energies(base: Sector, energy: Callable[[Sector], float | None]) -> dict[str, float | None]:
    """Every quantity of the module docstring whose sectors ``energy`` knows (it returns None for the others)."""
    def e(*shift):
        return energy(base.shifted(*shift))

    out: dict[str, float | None] = {}
    formulas = {
        "spin_gap": lambda E: E[1] - E[0],
        "pair_binding": lambda E: E[2] + E[0] - 2 * E[1],
        "trion_binding": lambda E: E[2] + E[0] - E[1] - E[3],
        "secondary_gap": lambda E: E[1] + E[2] - 2 * E[0],
    }
    for name, f in formulas.items():
        values = [e(*s) for s in GAP_SHIFTS[name]]
        out[name] = None if any(v is None for v in values) else float(f(values))
    return out


def structure_factor(C: np.ndarray, k: int = 1) -> tuple[float, float]:
    """(q_k, S(q_k)) of a connected density correlation matrix of an open chain (module docstring)."""
    C = np.asarray(C, dtype=float)
    L = C.shape[0]
    if C.shape != (L, L) or not 1 <= k <= L:
        raise LatticeError(f"correlation matrix of shape {C.shape} and mode k = {k} do not fit an open chain")
    q = np.pi * k / L
    mode = np.cos(q * (np.arange(1, L + 1) - 0.5))
    return float(q), float(2.0 / L * mode @ C @ mode)


def luttinger_parameter(C: np.ndarray, spinful: bool = False, k: int = 1) -> float:
    """K = 2 pi S(q)/q (spinless) or K_c = pi S(q)/q (charge of spinful fermions) at the k-th open-chain mode."""
    q, S = structure_factor(C, k)
    return (np.pi if spinful else 2.0 * np.pi) * S / q


CORRELATIONS = ("SzSz", "nn", "mm", "pair")
"""The correlation matrices :func:`mps_correlations` can measure."""


def mps_correlations(psi, L: int, which: Sequence[str] | None = None) -> dict[str, list[list[float]]]:
    """Connected correlation matrices of an MPS of :class:`~.model.CoupledChainsModel` (lists, for storage):
    ``SzSz`` and ``nn`` of the Hubbard chain, ``mm`` of the spinless chain, and the on-site pair correlation
    ``pair`` :math:`\\langle\\Delta^\\dagger_i\\Delta_j\\rangle`, :math:`\\Delta_j = c_{j\\downarrow}c_{j\\uparrow}`;
    ``which`` (default: all of :data:`CORRELATIONS`) names those to measure."""
    which = CORRELATIONS if which is None else tuple(which)
    unknown = [w for w in which if w not in CORRELATIONS]
    if unknown or not which:
        raise LatticeError(f"correlations = {list(which)!r} must name some of {', '.join(CORRELATIONS)}")
    hub, sec = list(range(0, 2 * L, 2)), list(range(1, 2 * L, 2))

    def connected(op, sites):
        full = np.real(psi.correlation_function(op, op, sites1=sites, sites2=sites))
        mean = np.real(psi.expectation_value(op, sites=sites))
        return (full - np.outer(mean, mean)).tolist()

    out: dict[str, list[list[float]]] = {}
    for name in which:
        if name == "pair":
            out[name] = np.real(psi.correlation_function("Cdu Cdd", "Cd Cu", sites1=hub, sites2=hub)).tolist()
        else:
            op, sites = {"SzSz": ("Sz", hub), "nn": ("Ntot", hub), "mm": ("N", sec)}[name]
            out[name] = connected(op, sites)
    return out


def extrapolate(L: Sequence[float], values: Sequence[float], order: int = 1) -> tuple[float, float]:
    """Extrapolate ``values`` to 1/L -> 0 with a polynomial of ``order`` in 1/L; return (value, uncertainty).

    The uncertainty is the larger of the fit's standard error (when there are more points than parameters) and a
    systematic estimate: the change of the extrapolated value when the order is raised by one (if there are
    enough points), else when it is lowered by one on the largest sizes (conservative: for ``order = 1`` with two
    sizes it is the whole finite-size correction of the largest size).
    """
    x, y = 1.0 / np.asarray(L, dtype=float), np.asarray(values, dtype=float)
    if x.shape != y.shape or len(x) < order + 1 or not np.all(np.isfinite(y)):
        raise LatticeError(f"{len(y)} finite values cannot be extrapolated with a polynomial of order {order} in 1/L")
    idx = np.argsort(x)  # largest L first
    x, y = x[idx], y[idx]
    coef = np.polyfit(x, y, order)
    value = float(coef[-1])
    errors = [0.0]
    if len(x) > order + 1:
        residual = y - np.polyval(coef, x)
        design = np.vander(x, order + 1)
        cov = np.linalg.inv(design.T @ design) * float(residual @ residual) / (len(x) - order - 1)
        errors.append(float(np.sqrt(max(cov[-1, -1], 0.0))))
        errors.append(abs(value - float(np.polyfit(x, y, order + 1)[-1])))
    elif order >= 1:
        errors.append(abs(value - float(np.polyfit(x[:order], y[:order], order - 1)[-1])))
    return value, max(errors)
