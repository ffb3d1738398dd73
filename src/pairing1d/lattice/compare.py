r"""The RG's verdict next to the lattice's evidence, point by point (``pairing1d lattice compare``).

For a lattice point (couplings, fillings :math:`n`, :math:`n_s`) the RG side is :func:`.bridge.bosonize` followed
by :func:`pairing1d.theory.phases.phase_of`; its spin gap :math:`\Lambda e^{-\bar\ell}` is converted to lattice units
with :math:`\Lambda = v_F/a` (an order-of-magnitude identification: the RG fixes :math:`\Lambda` only up to a
number of order one). The lattice side computes the sector energies that the spin gap, the pair binding energy,
the secondary gap and the trion binding energy need (:data:`.observables.GAP_SHIFTS`) on several lengths and
extrapolates each in :math:`1/L` with an uncertainty (:func:`.observables.extrapolate`). A gap counts as open when
its extrapolation exceeds twice its uncertainty; a binding energy as binding when it is below minus twice its
uncertainty. With two lengths the uncertainty is the whole finite-size correction of the larger one: use three.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..theory.phases import phase_of
from .bridge import bosonize
from .observables import extrapolate, gap_sectors, gaps_from_energies
from .params import LatticeError, LatticeParams, Sector, SectorResult
from .solve import solve_sector

__all__ = ["QUANTITIES", "base_sector", "LatticeEvidence", "Comparison", "compare_point"]

QUANTITIES = ("spin_gap", "pair_binding", "secondary_gap", "trion_binding")


def base_sector(L: int, n: float, ns: float) -> Sector:
    """Sector of ``n`` electrons per site (as many up as down) and ``ns`` secondary fermions per site on ``L`` cells:
    :math:`N_\\uparrow = N_\\downarrow = \\mathrm{round}(nL/2)`, :math:`N_{\\rm sec} = \\mathrm{round}(n_sL)`; refused
    when the rounding moves the filling by more than 1e-9 (pick L so that the fillings are exact)."""
    n_half, n_sec = n * L / 2.0, ns * L
    if abs(n_half - round(n_half)) > 1e-9 or abs(n_sec - round(n_sec)) > 1e-9:
        raise LatticeError(f"L = {L} does not fit the fillings n = {n:g}, ns = {ns:g} exactly (n L / 2 and ns L must "
                           "be integers)")
    return Sector(round(n_half), round(n_half), round(n_sec)).check(L)


@dataclass(frozen=True)
class LatticeEvidence:
    """One extrapolated quantity: values per size, the 1/L extrapolation and its uncertainty."""

    name: str
    sizes: tuple[int, ...]
    values: tuple[float, ...]
    value: float
    error: float

    @property
    def significant(self) -> bool:
        """Distinct from zero by more than twice the uncertainty."""
        return abs(self.value) > 2.0 * self.error

    def to_dict(self) -> dict[str, Any]:
        return {"sizes": list(self.sizes), "values": list(self.values), "value": self.value, "error": self.error,
                "significant": self.significant}


@dataclass(frozen=True)
class Comparison:
    """RG prediction and lattice evidence for one point."""

    couplings: dict[str, float]
    n: float
    ns: float
    rg_phase: str
    rg_spin_gap: float | None  # in units of t, with Lambda = vF / a
    bosonized: dict[str, Any]
    evidence: dict[str, LatticeEvidence]
    runs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def lattice_verdict(self) -> str:
        """``"spin gap"`` if the extrapolated spin gap is significantly positive, else ``"gapless"``; with
        ``" + bound pairs"`` / ``" + bound trions"`` if the pair / trion binding energy is significantly negative."""
        gap = self.evidence.get("spin_gap")
        verdict = "spin gap" if gap is not None and gap.significant and gap.value > 0 else "gapless"
        for quantity, words in (("pair_binding", "bound pairs"), ("trion_binding", "bound trions")):
            e = self.evidence.get(quantity)
            if e is not None and e.significant and e.value < 0:
                verdict += f" + {words}"
        return verdict

    def to_dict(self) -> dict[str, Any]:
        return {"couplings": self.couplings, "n": self.n, "ns": self.ns, "rg_phase": self.rg_phase,
                "rg_spin_gap": self.rg_spin_gap, "lattice_verdict": self.lattice_verdict,
                "bosonized": self.bosonized, "evidence": {k: v.to_dict() for k, v in self.evidence.items()}}


def compare_point(
    couplings: dict[str, float], n: float, ns: float, sizes: Sequence[int], method: str = "dmrg",
    solver: Callable[..., SectorResult] = solve_sector, on_result: Callable[[SectorResult], None] | None = None,
    quantities: Sequence[str] = QUANTITIES, **solver_options: Any,
) -> Comparison:
    """Compare the RG and the lattice at one point (module docstring). ``solver(params, sector, method, **options)``
    computes a sector (default :func:`.solve.solve_sector`; a scan passes a cached one); ``on_result`` sees each
    :class:`~pairing1d.lattice.params.SectorResult` (a progress bar, a store)."""
    sizes = sorted({int(L) for L in sizes})
    if len(sizes) < 2:
        raise LatticeError(f"sizes = {sizes} must hold at least two lengths (the gaps are extrapolated in 1/L)")
    bos = bosonize(LatticeParams(L=sizes[0], **couplings), n, ns)
    rg = phase_of(bos.model)
    values: dict[str, list[float]] = {q: [] for q in quantities}
    for L in sizes:
        params = LatticeParams(L=L, **couplings)
        base = base_sector(L, n, ns)
        energies: dict[Sector, float] = {}
        for sector in gap_sectors(base, ["ground", *quantities], L):
            result = solver(params, sector, method, **solver_options)
            energies[sector] = result.energy
            if on_result is not None:
                on_result(result)
        gaps = gaps_from_energies(base, energies.get)
        for q in quantities:
            values[q].append(math.nan if gaps[q] is None else gaps[q])
    evidence = {}
    for q, vals in values.items():
        if all(math.isfinite(v) for v in vals):
            value, error = extrapolate(sizes, vals)
            evidence[q] = LatticeEvidence(q, tuple(sizes), tuple(vals), value, error)
    rg_gap = None if rg.spin_gap is None else rg.spin_gap * bos.vF
    return Comparison(couplings=dict(couplings), n=n, ns=ns, rg_phase=rg.phase, rg_spin_gap=rg_gap,
                      bosonized=bos.to_dict(), evidence=evidence)
