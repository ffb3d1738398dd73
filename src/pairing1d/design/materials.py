r"""The small sourced table of materials a design search may choose from (:mod:`pairing1d.design.space`).

A **primary wire** material gives its conduction band's effective mass :math:`m^*/m_e`, the :math:`|g|`-factor of its
electrons (the value a design is evaluated at, and the measured range that goes into the written device's
``[uncertain]`` table) and its static dielectric constant :math:`\varepsilon_{\rm bulk}`. A wire lying on a substrate
of its own material with vacuum above sees the mean of the two half-spaces,

.. math::
    \varepsilon_r = \tfrac12(1 + \varepsilon_{\rm bulk}),

the image-charge result for a line charge on the interface of two dielectrics (Jackson, *Classical
Electrodynamics*, 3rd ed., Sec. 4.4), which is what the shipped presets use ("between vacuum above and GaAs (12.9)
below": 7.0); a design space may bound :math:`\varepsilon_r` itself instead.

A **nanotube** secondary is set by its diameter :math:`D`: the curvature gap of a semiconducting tube
:math:`\Delta_0 = E_g/2` with :math:`E_g \simeq 0.8\,{\rm eV\,nm}/D` (Odom et al. 1998) and the orbital moment
:math:`\mu_{\rm orb} = eDv_F/4` (Minot et al. 2004; :attr:`pairing1d.devices.device.Nanotube.orbital_moment_meV_per_T`).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Material", "MATERIALS", "NANOTUBE_GAP_MEV_NM", "NANOTUBE_SOURCES", "nanotube_delta0_meV",
           "surface_epsilon"]


@dataclass(frozen=True)
class Material:
    """A primary-wire material: ``effective_mass`` (:math:`m^*/m_e`), ``g_factor`` (the :math:`|g|` a design is
    evaluated at: the low end of the measured range), ``g_range`` (measured low, high), ``epsilon_bulk`` (static
    dielectric constant) and ``sources`` (input name -> citation)."""

    name: str
    effective_mass: float
    g_factor: float
    g_range: tuple[float, float]
    epsilon_bulk: float
    sources: tuple[tuple[str, str], ...]


MATERIALS: dict[str, Material] = {
    "GaAs": Material(
        "GaAs", 0.067, 0.44, (0.3, 0.44), 12.9,
        (("primary.effective_mass", "Vurgaftman, Meyer & Ram-Mohan, J. Appl. Phys. 89, 5815 (2001): m* = 0.067 m_e"),
         ("primary.g_factor", "GaAs conduction band g = -0.44 (Weisbuch & Hermann, Phys. Rev. B 15, 816 (1977)); "
                              "|g| 0.3-0.44 in quantum wires and dots (Hanson et al., Rev. Mod. Phys. 79, 1217 "
                              "(2007))"),
         ("geometry.epsilon_r", "eps_r = (1 + 12.9)/2: GaAs below (static 12.9, Madelung, Semiconductors: Data "
                                "Handbook, Springer 2004), vacuum above (Jackson, Classical Electrodynamics, "
                                "Sec. 4.4)"))),
    "InAs": Material(
        "InAs", 0.023, 8.0, (8.0, 15.0), 15.15,
        (("primary.effective_mass", "Vurgaftman, Meyer & Ram-Mohan, J. Appl. Phys. 89, 5815 (2001): m* = 0.023 m_e"),
         ("primary.g_factor", "|g| = 8-15 in InAs nanowires (Csonka et al., Nano Lett. 8, 3932 (2008))"),
         ("geometry.epsilon_r", "eps_r = (1 + 15.15)/2: InAs below (static 15.15, Madelung, Semiconductors: Data "
                                "Handbook, Springer 2004), vacuum above (Jackson, Classical Electrodynamics, "
                                "Sec. 4.4)"))),
    "InSb": Material(
        "InSb", 0.014, 35.0, (35.0, 70.0), 16.8,
        (("primary.effective_mass", "Vurgaftman, Meyer & Ram-Mohan, J. Appl. Phys. 89, 5815 (2001): m* = 0.0135 m_e"),
         ("primary.g_factor", "|g| = 35-70 in InSb nanowires (Nilsson et al., Nano Lett. 9, 3151 (2009))"),
         ("geometry.epsilon_r", "eps_r = (1 + 16.8)/2: InSb below (static 16.8, Madelung, Semiconductors: Data "
                                "Handbook, Springer 2004), vacuum above (Jackson, Classical Electrodynamics, "
                                "Sec. 4.4)"))),
}
"""The primary-wire materials a design space may name (``[primary] materials = [...]``)."""

NANOTUBE_GAP_MEV_NM = 800.0
"""The band gap of a semiconducting nanotube times its diameter, :math:`E_gD \\simeq 0.8` eV nm (Odom et al.)."""

NANOTUBE_SOURCES = (
    ("secondary.delta0_meV", "Delta_0 = E_g/2, E_g ~ 0.8 eV nm / D for semiconducting tubes (Odom et al., Nature 391, "
                             "62 (1998))"),
    ("secondary.diameter_nm", "mu_orb = e D vF / 4 (Minot et al., Nature 428, 536 (2004)); D chosen by the design "
                              "search inside the space's bounds"),
)
"""Where a design's nanotube numbers come from (merged into the written device's ``[sources]``)."""


def nanotube_delta0_meV(diameter_nm):
    r"""The curvature gap :math:`\Delta_0 = E_g/2 = 0.4\,{\rm eV\,nm}/D` (meV) of a semiconducting nanotube of
    diameter ``diameter_nm`` (scalar or array)."""
    return NANOTUBE_GAP_MEV_NM / 2.0 / diameter_nm


def surface_epsilon(epsilon_bulk):
    r""":math:`\varepsilon_r = (1 + \varepsilon_{\rm bulk})/2` of a wire on the surface of a substrate of dielectric
    constant ``epsilon_bulk`` with vacuum above (module docstring)."""
    return 0.5 * (1.0 + epsilon_bulk)
