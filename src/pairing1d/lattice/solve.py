"""One entry point for a ground state in a sector, whatever the method: what scans and the CLI call."""

from __future__ import annotations

from typing import Any

from .params import LatticeError, LatticeParams, Sector, SectorResult

__all__ = ["METHODS", "solve_sector"]

METHODS = ("ed", "dmrg")


def solve_sector(params: LatticeParams, sector: Sector, method: str = "dmrg", **options: Any) -> SectorResult:
    """Ground state of ``params`` in ``sector`` by exact diagonalization (``"ed"``, :mod:`.ed`) or finite DMRG
    (``"dmrg"``, :mod:`.dmrg`); ``options`` go to that solver."""
    sector.check(params.L)
    if method == "ed":
        from .ed import ground_state_ed

        return ground_state_ed(params, sector, **options)
    if method == "dmrg":
        from .dmrg import ground_state_dmrg

        return ground_state_dmrg(params, sector, **options)
    raise LatticeError(f"method = {method!r} is outside the allowed values {METHODS} (lattice solver)")
