r"""Physical constants in the lab's units (meV, nm, kelvin, tesla), every one derived from :mod:`scipy.constants`.

The package's physics is dimensionless (energies in units of the bandwidth :math:`\Lambda`); a device in physical
units (:mod:`pairing1d.devices.device`) is translated with these and nothing else, so that no constant is typed by hand.

* ``HBAR_MEV_S``: :math:`\hbar` in meV s, so that :math:`\hbar v k` with :math:`v` in m/s and :math:`k` in 1/m is in
  meV;
* ``K_B_MEV_PER_K``: :math:`k_B` in meV/K (an energy :math:`E` is :math:`E/k_B` kelvin);
* ``MU_B_MEV_PER_T``: the Bohr magneton in meV/T (Zeeman energy :math:`g\mu_B B`);
* ``COULOMB_MEV_NM``: :math:`e^2/(4\pi\varepsilon_0)` in meV nm (1.44 eV nm);
* band masses :math:`m^*` in units of :math:`m_e` enter through :func:`kinetic_energy_meV` and its inverse.

Lengths shown to a user are in nm and momenta in 1/nm, everywhere (Python, CLI, JSON, plots, explorer).
"""

from __future__ import annotations

import math

from scipy import constants as _c

__all__ = [
    "HBAR_MEV_S", "K_B_MEV_PER_K", "MU_B_MEV_PER_T", "COULOMB_MEV_NM", "MEV", "NM",
    "kinetic_energy_meV", "fermi_momentum_per_nm", "velocity_m_s", "kelvin", "orbital_moment_meV_per_T",
]

MEV = 1e-3 * _c.e
"""One meV in joules."""

NM = _c.nano
"""One nanometre in metres."""

HBAR_MEV_S = _c.hbar / MEV
r""":math:`\hbar` in meV s (6.582e-13)."""

K_B_MEV_PER_K = _c.k / MEV
r""":math:`k_B` in meV/K (8.617e-2)."""

MU_B_MEV_PER_T = _c.physical_constants["Bohr magneton"][0] / MEV
r""":math:`\mu_B` in meV/T (5.788e-2)."""

COULOMB_MEV_NM = _c.e**2 / (4.0 * math.pi * _c.epsilon_0) / MEV / NM
r""":math:`e^2/(4\pi\varepsilon_0)` in meV nm (1439.96)."""


def kinetic_energy_meV(k_per_nm: float, effective_mass: float) -> float:
    r""":math:`\hbar^2k^2/(2m^*m_e)` in meV for :math:`k` in 1/nm and the band mass :math:`m^*` in units of
    :math:`m_e`."""
    k = k_per_nm / NM
    return (_c.hbar * k) ** 2 / (2.0 * effective_mass * _c.m_e) / MEV


def fermi_momentum_per_nm(energy_meV: float, effective_mass: float) -> float:
    r"""The inverse of :func:`kinetic_energy_meV`: :math:`k = \sqrt{2m^*m_eE}/\hbar` in 1/nm (:math:`E \ge 0`)."""
    return math.sqrt(2.0 * effective_mass * _c.m_e * energy_meV * MEV) / _c.hbar * NM


def velocity_m_s(k_per_nm: float, effective_mass: float) -> float:
    r"""Band velocity :math:`\hbar k/(m^*m_e)` in m/s of a parabolic band at :math:`k` (1/nm)."""
    return _c.hbar * (k_per_nm / NM) / (effective_mass * _c.m_e)


def kelvin(energy_meV: float) -> float:
    """An energy in meV as a temperature in kelvin, :math:`E/k_B`."""
    return energy_meV / K_B_MEV_PER_K


def orbital_moment_meV_per_T(diameter_nm: float, vF_m_s: float) -> float:
    r"""Orbital magnetic moment of a nanotube's band edge in a field along its axis, :math:`\mu_{\rm orb} =
    eDv_F/4` (Minot et al., Nature 428, 536 (2004)), in meV/T: the flux term of Eq. (A1) is
    :math:`\Delta_\Phi = \mu_{\rm orb}B_\parallel`."""
    return _c.e * diameter_nm * NM * vF_m_s / 4.0 / MEV
