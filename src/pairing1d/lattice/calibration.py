r"""Luttinger parameters and velocities of each chain alone, measured by DMRG: the lattice-calibrated bridge.

"Alone" is the coupled model with the other chain empty (:math:`N_{\rm sec} = 0`, or
:math:`N_\uparrow = N_\downarrow = 0`): the inter-chain terms then vanish identically, so these are the same runs,
in the same store, as any other sector.

**Luttinger parameter** from the structure factor at the smallest open-chain momentum
(:func:`.observables.luttinger_parameter`): :math:`K = 2\pi S(q_1)/q_1` for the spinless chain, :math:`K_c = \pi
S(q_1)/q_1` for the charge of the Hubbard chain.

**Velocity** from the compressibility. With the energy density :math:`e(n)` of a Luttinger liquid,
:math:`e''(n) = \pi v/K` (spinless) and :math:`\pi v_c/(2K_c)` (spinful); the finite differences of the ground
state energies of an open chain then give

.. math::
    \frac{v}{K} = \frac{L+1}{\pi}\big[E(N{+}1) + E(N{-}1) - 2E(N)\big], \qquad
    \frac{v_c}{K_c} = \frac{L+1}{2\pi}\big[E(N{+}2) + E(N{-}2) - 2E(N)\big],

:math:`N \pm 2` adding or removing one electron of each spin. :math:`L + 1` rather than :math:`L` because the open
chain's levels are spaced by :math:`\pi v/(L+1)`: for free fermions both are exact to leading order in
:math:`1/L` (second witness: ``tests/test_lattice_calibration.py``, against the closed-form levels
:math:`-2t\cos[\pi k/(L+1)]`). Each quantity is computed per length and extrapolated linearly in :math:`1/L`
(:func:`.observables.extrapolate`, whose uncertainty with three lengths is the change under a quadratic fit).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from .compare import base_sector
from .observables import extrapolate, gaps_from_energies, luttinger_parameter
from .params import LatticeError, LatticeParams, Sector, SectorResult

__all__ = ["ChainParameters", "chain_parameters", "gaps_of_runs", "hubbard_alone", "secondary_alone"]

Lookup = Callable[[LatticeParams, Sector], SectorResult | None]


@dataclass(frozen=True)
class ChainParameters:
    """A chain's Luttinger parameter and velocity extrapolated to :math:`L \\to \\infty`, with uncertainties, and
    the per-length values they come from (``None`` where a run was missing)."""

    chain: str
    K: float
    K_error: float
    velocity: float
    velocity_error: float
    sizes: tuple[int, ...]
    K_by_size: tuple[float, ...]
    velocity_by_size: tuple[float, ...]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def chain_parameters(
    chain: str, sizes: Sequence[int], K_of: Callable[[int], float | None], v_over_K_of: Callable[[int], float | None]
) -> ChainParameters:
    """Extrapolate :math:`K(L)` and :math:`v(L) = K(L)\\,(v/K)(L)` in :math:`1/L` over the sizes where both are
    known (at least two)."""
    rows = [(L, K_of(L), v_over_K_of(L)) for L in sorted(sizes)]
    rows = [(L, K, r) for L, K, r in rows if K is not None and r is not None and math.isfinite(K * r)]
    if len(rows) < 2:
        raise LatticeError(f"the {chain} chain alone is known at {len(rows)} length(s); the extrapolation needs 2")
    Ls = [L for L, _, _ in rows]
    Ks = [K for _, K, _ in rows]
    vs = [K * r for _, K, r in rows]
    K, K_err = extrapolate(Ls, Ks)
    v, v_err = extrapolate(Ls, vs)
    return ChainParameters(chain, K, K_err, v, v_err, tuple(Ls), tuple(Ks), tuple(vs))


def _energy(lookup: Lookup, params: LatticeParams, sector: Sector) -> float | None:
    if not sector.fits(params.L):
        return None
    result = lookup(params, sector)
    return None if result is None else result.energy


def gaps_of_runs(lookup: Lookup, params: LatticeParams, base: Sector) -> dict[str, float | None]:
    """Every gap of :func:`.observables.gaps_from_energies` around ``base`` whose sectors ``lookup`` finds."""
    return gaps_from_energies(base, lambda sector: _energy(lookup, params, sector))


def hubbard_alone(lookup: Lookup, couplings: Mapping[str, float], n: float, sizes: Sequence[int]) -> ChainParameters:
    """:math:`K_c` and :math:`v_c` of the Hubbard chain at filling ``n``, from the runs of the chain alone
    (``couplings`` with ``W = W1 = 0``; the spinless chain empty) that ``lookup(params, sector)`` finds."""
    def K_of(L: int) -> float | None:
        base = base_sector(L, n, 0.0)
        ground = lookup(LatticeParams(L=L, **couplings), base)
        if ground is None or "nn" not in ground.observables:
            return None
        return luttinger_parameter(np.asarray(ground.observables["nn"]), spinful=True)

    def v_over_K(L: int) -> float | None:
        params, base = LatticeParams(L=L, **couplings), base_sector(L, n, 0.0)
        E = [_energy(lookup, params, base.shifted(d, d, 0)) for d in (1, -1, 0)]
        return None if None in E else (L + 1) / (2.0 * math.pi) * (E[0] + E[1] - 2.0 * E[2])

    return chain_parameters("Hubbard", sizes, K_of, v_over_K)


def secondary_alone(lookup: Lookup, couplings: Mapping[str, float], ns: float, sizes: Sequence[int]
                    ) -> ChainParameters:
    """:math:`K` and :math:`u` of the spinless chain at filling ``ns`` from the runs of the chain alone (the Hubbard
    chain empty)."""
    def K_of(L: int) -> float | None:
        ground = lookup(LatticeParams(L=L, **couplings), base_sector(L, 0.0, ns))
        if ground is None or "mm" not in ground.observables:
            return None
        return luttinger_parameter(np.asarray(ground.observables["mm"]), spinful=False)

    def v_over_K(L: int) -> float | None:  # E(N+1) + E(N-1) - 2E(N) is the secondary gap of observables
        gap = gaps_of_runs(lookup, LatticeParams(L=L, **couplings), base_sector(L, 0.0, ns))["secondary_gap"]
        return None if gap is None else (L + 1) / math.pi * gap

    return chain_parameters("secondary", sizes, K_of, v_over_K)
