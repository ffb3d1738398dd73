"""One entry point for a ground state in a sector, whatever the method: what scans and the CLI call."""

from __future__ import annotations

import inspect
from typing import Any

from .params import LatticeError, LatticeParams, Sector, SectorResult

__all__ = ["METHODS", "solve_sector", "check_run", "option_names", "MANAGED_OPTIONS"]

METHODS = ("ed", "dmrg")

MANAGED_OPTIONS = ("initial_state", "initial_state_sha256", "save_to")
"""DMRG arguments a scan sets itself (warm starts, ``warm_start`` in the scan file), never a scan's options."""


def _solver(method: str):
    if method == "ed":
        from .ed import ground_state_ed

        return ground_state_ed
    if method == "dmrg":
        from .dmrg import ground_state_dmrg

        return ground_state_dmrg
    raise LatticeError(f"method = {method!r} is outside the allowed values {METHODS} (lattice solver)")


def _option_check(method: str):
    """The function that checks ``method``'s solver options (its parameters are the option names), and how many of its
    leading parameters are not options (the chain length and the sector)."""
    if method == "ed":
        from .ed import check_problem

        return check_problem, 2
    if method == "dmrg":
        from .dmrg import check_options

        return check_options, 0
    raise LatticeError(f"method = {method!r} is outside the allowed values {METHODS} (lattice solver)")


def option_names(method: str) -> list[str]:
    """The options a scan may give ``method``'s solver: its keyword arguments but :data:`MANAGED_OPTIONS`."""
    check, skip = _option_check(method)
    return list(inspect.signature(check).parameters)[skip:]


def check_run(method: str, L: int, sector: Sector, options: dict[str, Any]) -> None:
    """Everything about one run that can be checked without solving it: the method, the option names (the solver's
    keyword arguments, :func:`option_names`), their values and, for exact diagonalization, the length and the
    sector's dimension. A scan checks every run of its plan before the first one starts; one-line LatticeError."""
    known = option_names(method)
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise LatticeError(f"unknown {method} option(s) {', '.join(unknown)} (known: {', '.join(known)})")
    check, skip = _option_check(method)
    sector.check(L)
    check(*((L, sector) if skip else ()), **options)


def solve_sector(params: LatticeParams, sector: Sector, method: str = "dmrg", **options: Any) -> SectorResult:
    """Ground state of ``params`` in ``sector`` by exact diagonalization (``"ed"``, :mod:`.ed`) or finite DMRG
    (``"dmrg"``, :mod:`.dmrg`); ``options`` go to that solver."""
    sector.check(params.L)
    return _solver(method)(params, sector, **options)
