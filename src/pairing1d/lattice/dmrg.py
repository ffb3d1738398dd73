"""Finite two-site DMRG (TeNPy) for the ground state of the lattice model in one symmetry sector.

The initial state is a product state with the sector's particle numbers spread evenly over the chain, or (warm
start) the converged state of a nearby point in the same sector, read from a file; the charges of
:class:`~pairing1d.lattice.model.CoupledChainsModel` keep DMRG inside that sector. A warm start changes how many
sweeps the run needs, not what it converges to, so it is not part of a run's identity in a store (it is recorded
in the convergence data). The convergence
data of the run (largest truncation error, energy change of the last sweep, bond dimension, sweeps) is kept in
the :class:`~pairing1d.lattice.params.SectorResult`, so that every stored energy says how far to trust it.
"""

from __future__ import annotations

import logging
import math
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .params import LatticeError, LatticeParams, Sector, SectorResult

__all__ = ["initial_labels", "entanglement_profile", "ground_state_dmrg", "save_state", "load_state", "DEFAULT_CHI"]

DEFAULT_CHI = 200


def _spread(n: int, L: int) -> np.ndarray:
    """Boolean mask of n occupied sites out of L, as evenly spaced as possible."""
    mask = np.zeros(L, dtype=bool)
    if n:
        mask[np.floor((np.arange(n) + 0.5) * L / n).astype(int)] = True
    return mask


def initial_labels(L: int, sector: Sector) -> list[str]:
    """Product-state labels, in MPS order (Hubbard site, spinless site, ...), with the sector's particle numbers."""
    up, dn, sec = _spread(sector.N_up, L), _spread(sector.N_dn, L)[::-1], _spread(sector.N_sec, L)
    labels = []
    for j in range(L):
        labels.append({(0, 0): "empty", (1, 0): "up", (0, 1): "down", (1, 1): "full"}[(int(up[j]), int(dn[j]))])
        labels.append("full" if sec[j] else "empty")
    return labels


def entanglement_profile(psi, L: int) -> dict[str, list[float]]:
    r"""The entropy at the cuts between unit cells and the hopping across each cut, the inputs of
    :func:`~pairing1d.lattice.entanglement.central_charge`.

    ``entropy[x-1]``: von Neumann entropy of cells :math:`1..x` (MPS bond :math:`2x`, after the spinless site of
    cell :math:`x`; the bonds inside a cell are not conformal cuts of both chains), :math:`x = 1..L-1`.
    ``hopping_hubbard[x-1]`` :math:`= \sum_\sigma\langle c^\dagger_{x\sigma}c_{x+1,\sigma} + {\rm h.c.}\rangle`,
    ``hopping_secondary[x-1]`` :math:`= \langle f^\dagger_xf_{x+1} + {\rm h.c.}\rangle` (cells counted from 1;
    Jordan-Wigner strings through the site in between are inserted by TeNPy).
    """
    entropy = np.asarray(psi.entanglement_entropy())[1::2]  # bonds 1 .. 2L-1; every second one ends a cell

    def hop(left: str, right: str, site: int) -> float:
        return 2.0 * float(np.real(psi.expectation_value_term([(left, site), (right, site + 2)])))

    return {
        "entropy": entropy.tolist(),
        "hopping_hubbard": [hop("Cdu", "Cu", 2 * j) + hop("Cdd", "Cd", 2 * j) for j in range(L - 1)],
        "hopping_secondary": [hop("Cd", "C", 2 * j + 1) for j in range(L - 1)],
    }


def save_state(psi, params: LatticeParams, sector: Sector, path: str | Path) -> str:
    """Write an MPS with the point and sector it belongs to (HDF5 via TeNPy's ``hdf5_io``), by
    :func:`~pairing1d.support.files.write_atomically`: a reader never sees half a file. Returns the file's SHA-256,
    which a
    scan records with the run so that only this very file is ever loaded again (:func:`load_state`)."""
    import h5py
    from tenpy.tools import hdf5_io

    from ..support.files import write_atomically

    def write(tmp: Path) -> None:
        with h5py.File(tmp, "w") as f:
            hdf5_io.save_to_hdf5(f, {"psi": psi, "params": params.to_dict(), "sector": sector.to_dict()})

    from ..support.files import file_sha256

    def write_and_digest(tmp: Path) -> None:
        write(tmp)
        digests.append(file_sha256(tmp))

    digests: list[str] = []
    write_atomically(path, write_and_digest)
    return digests[0]


def load_state(path: str | Path, L: int, sector: Sector, sha256: str | None = None):
    """The MPS saved by :func:`save_state` at ``path`` if it exists, is readable and belongs to a chain of ``L``
    cells in ``sector`` (else None: a warm start is an optimization, never a reason to fail).

    With ``sha256`` the file's bytes must have that digest before anything reads them: TeNPy's HDF5 loader imports
    the modules a file names, so a scan loads only a state file whose digest it recorded when the file was written
    (a replaced or damaged file means a cold start)."""
    path = Path(path)
    if not path.is_file():
        return None
    if sha256 is not None:
        from ..support.files import file_sha256

        try:
            if file_sha256(path) != sha256:
                return None
        except OSError:
            return None
    try:
        import h5py
        from tenpy.tools import hdf5_io

        with h5py.File(path, "r") as f:
            data = hdf5_io.load_from_hdf5(f)
    except Exception:  # noqa: BLE001 - an unreadable cache file means a cold start
        return None
    if data.get("params", {}).get("L") != L or Sector(**data.get("sector", {})) != sector:
        return None
    return data["psi"]


MAX_SWEEPS = 10_000
"""Most sweeps a run may ask for (a bound on what an input can make a run do)."""
MAX_CHI = 100_000
"""Largest bond dimension a run may ask for (memory grows as the square, time as the cube)."""


def _integer(name: str, value: Any, low: int, high: int, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise LatticeError(f"{name} = {value!r} is outside the allowed range of integers [{low}, {high}] ({what})")


def check_options(chi_max: Any = DEFAULT_CHI, max_sweeps: Any = 40, min_sweeps: Any = 4, max_E_err: Any = 1e-10,
                  max_S_err: Any = 1e-5, svd_min: Any = 1e-12, mixer: Any = True, measure: Any = True,
                  correlations: Any = False, variance: Any = False) -> None:
    """The checks of :func:`ground_state_dmrg`'s solver options (a scan runs them before its first run): one-line
    LatticeError for a bad value."""
    _integer("chi_max", chi_max, 2, MAX_CHI, "bond dimension")
    _integer("max_sweeps", max_sweeps, 1, MAX_SWEEPS, "DMRG sweeps")
    _integer("min_sweeps", min_sweeps, 1, MAX_SWEEPS, "DMRG sweeps")
    for name, value in (("max_E_err", max_E_err), ("max_S_err", max_S_err), ("svd_min", svd_min)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not (math.isfinite(value) and value >= 0):
            raise LatticeError(f"{name} = {value!r} is outside the allowed range [0, inf) (DMRG tolerance)")
    for name, value in (("mixer", mixer), ("measure", measure), ("variance", variance)):
        if not isinstance(value, bool):
            raise LatticeError(f"{name} = {value!r} is not a bool (true or false)")
    if not isinstance(correlations, bool):
        from .observables import CORRELATIONS

        if not (isinstance(correlations, list | tuple) and correlations
                and all(isinstance(c, str) and c in CORRELATIONS for c in correlations)):
            raise LatticeError(f"correlations = {correlations!r} must be true, false or a list of some of "
                               f"{', '.join(CORRELATIONS)}")


def ground_state_dmrg(
    params: LatticeParams, sector: Sector, chi_max: int = DEFAULT_CHI, max_sweeps: int = 40, min_sweeps: int = 4,
    max_E_err: float = 1e-10, max_S_err: float = 1e-5, svd_min: float = 1e-12, mixer: bool = True,
    measure: bool = True, correlations: bool | Sequence[str] = False, variance: bool = False,
    initial_state: str | Path | None = None, initial_state_sha256: str | None = None,
    save_to: str | Path | None = None,
) -> SectorResult:
    """Ground state of ``params`` in ``sector`` by two-site DMRG with a subspace-expansion mixer.

    The bond dimension is ramped (``chi_max``/4, /2, then ``chi_max``) over the first sweeps. Returns a
    :class:`~pairing1d.lattice.params.SectorResult` with ``convergence = {max_truncation_error, energy_change,
    max_bond_dimension, sweeps, chi_max}`` and, if ``measure``, the site densities ``n_up, n_dn, m``,
    ``double_occupancy`` and the entanglement profile of :func:`entanglement_profile`; with ``correlations`` also
    the connected correlation matrices of :func:`~pairing1d.lattice.observables.mps_correlations` (``True``: all
    four; a list of names, e.g. ``["SzSz"]``: those only). With ``variance`` the convergence data also holds the
    energy variance of the final MPS, :math:`\\sigma^2 = \\langle H^2\\rangle - \\langle H\\rangle^2` (TeNPy's
    ``MPO.variance``, the full contraction: about 2 % of the DMRG time), which vanishes only for an eigenstate.

    ``initial_state``: a file of :func:`save_state` to start from (a warm start: no bond-dimension ramp; a missing
    or mismatched file, or one whose SHA-256 is not ``initial_state_sha256`` when that is given, means a cold
    start); ``save_to``: where to write the converged state. The convergence data says ``warm_start`` (whether a
    saved state was used) and, with ``save_to``, ``state_sha256`` (the written file's digest).
    """
    from tenpy.algorithms.dmrg import TwoSiteDMRGEngine
    from tenpy.networks.mps import MPS

    from .model import coupled_chains

    sector.check(params.L)
    check_options(chi_max=chi_max, max_sweeps=max_sweeps, min_sweeps=min_sweeps, max_E_err=max_E_err,
                  max_S_err=max_S_err, svd_min=svd_min, mixer=mixer, measure=measure, correlations=correlations,
                  variance=variance)
    start = time.perf_counter()
    logging.getLogger("tenpy").setLevel(logging.WARNING)  # TeNPy logs every sweep at INFO
    model = coupled_chains(params)
    # one lattice unit cell (a rung: Hubbard site + spinless site) spans 2 MPS sites
    psi = None if initial_state is None else load_state(initial_state, params.L, sector, initial_state_sha256)
    warm = psi is not None
    if warm:
        # the saved MPS carries its own sites; DMRG needs the model's (same local Hilbert spaces and charges)
        psi.sites = model.lat.mps_sites()
        ramp = {0: chi_max}
        # the state is close already: a short mixer phase (TeNPy keeps it 15 sweeps by default)
        mixer_params = {"amplitude": 1e-6, "decay": 2.0, "disable_after": 4}
    else:
        psi = MPS.from_product_state(model.lat.mps_sites(), initial_labels(params.L, sector), bc="finite",
                                     unit_cell_width=2)
        ramp = {0: max(2, chi_max // 4), 2: max(2, chi_max // 2), 4: chi_max}
        mixer_params = {}
    options = {
        "mixer_params": mixer_params,
        "mixer": mixer, "max_E_err": max_E_err, "max_S_err": max_S_err, "max_sweeps": max_sweeps,
        "min_sweeps": min_sweeps,
        "chi_list": ramp, "trunc_params": {"chi_max": chi_max, "svd_min": svd_min},
        "combine": True,
        "max_trunc_err": 1.0,  # never abort: the truncation error is recorded in the convergence data instead
    }
    engine = TwoSiteDMRGEngine(psi, model, options)
    with warnings.catch_warnings():
        # an empty (or full) chain gives blocks where H vanishes; TeNPy warns and keeps the state, which is right
        warnings.filterwarnings("ignore", message="H is zero in the given block")
        energy, psi = engine.run()
    stats = engine.sweep_stats
    energies = stats["E"]
    convergence: dict[str, Any] = {
        "max_truncation_error": float(max(stats["max_trunc_err"][-2:])) if stats["max_trunc_err"] else 0.0,
        "energy_change": float(abs(energies[-1] - energies[-2])) if len(energies) > 1 else float("nan"),
        "max_bond_dimension": int(max(psi.chi)) if len(psi.chi) else 1,
        "sweeps": int(len(energies)),
        "chi_max": chi_max,
        "warm_start": warm,
    }
    if variance:
        convergence["energy_variance"] = float(np.real(model.H_MPO.variance(psi, exp_val=energy)))
    if save_to is not None:
        convergence["state_sha256"] = save_state(psi, params, sector, save_to)
    observables: dict[str, Any] = {}
    if measure:
        n_up = psi.expectation_value("Nu", sites=list(range(0, 2 * params.L, 2)))
        n_dn = psi.expectation_value("Nd", sites=list(range(0, 2 * params.L, 2)))
        observables = {
            "n_up": np.real(n_up).tolist(), "n_dn": np.real(n_dn).tolist(),
            "m": np.real(psi.expectation_value("N", sites=list(range(1, 2 * params.L, 2)))).tolist(),
            "double_occupancy": np.real(psi.expectation_value("NuNd", sites=list(range(0, 2 * params.L, 2))))
            .tolist(),
        } | entanglement_profile(psi, params.L)
    if correlations:
        from .observables import mps_correlations

        observables |= mps_correlations(psi, params.L, None if correlations is True else correlations)
    return SectorResult(params=params, sector=sector, method="dmrg", energy=float(energy), convergence=convergence,
                        observables=observables, wall_time=time.perf_counter() - start)
