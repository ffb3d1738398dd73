r"""A device in the lab's units: a semiconductor wire next to a gated carbon nanotube, translated into a Model.

Over 600 lines because the device's parts (:class:`PrimaryWire`, :class:`Nanotube`, :class:`MottLadder`,
:class:`Geometry`), the :class:`Device` that turns them into a Model and the device files that hold them are one
translation from lab units, each unit conversion next to the field it converts.

This is the one place where physical units meet the dimensionless theory. A :class:`Device` holds

* the **primary wire** (:class:`PrimaryWire`): band mass :math:`m^*`, radius, electron density at the reference
  gate voltage, g-factor, how the scanned gate moves its chemical potential (a lever arm), and optionally its
  measured :math:`K_c`;
* the **secondary** nanotube of Appendix A (:class:`Nanotube`): :math:`v_F`, :math:`\Delta_0`, :math:`\Delta_{so}`,
  its diameter (the orbital moment :math:`\mu_{\rm orb} = eDv_F/4` that turns a field along the axis into
  :math:`\Delta_\Phi = \mu_{\rm orb}B`), g-factor, gate lever arm and offset, optionally its measured :math:`K`;
* the **geometry** (:class:`Geometry`): wire separation, distance to the screening gate, dielectric constant;
* the field (T), temperature (K), a weak impurity in the primary, the short-distance cutoff :math:`\alpha_0`
  and the ranges of the uncertain inputs (for :func:`pairing1d.devices.gate_map.sensitivity`).

**From volts to the Model** (:meth:`Device.bosonize`, derivations in ``docs/physics.md``, "Devices in physical
units"):

1. the gate sets the nanotube's chemical potential :math:`\mu = a_{\rm sec}\,e(V_g - V_0)` (lever arm
   :math:`a_{\rm sec}`, :math:`V_0` the gate voltage of mid-gap) and shifts the primary's Fermi energy by
   :math:`a_{\rm pri}\,e(V_g - V_{\rm ref})`;
2. the nanotube's bands (:func:`pairing1d.devices.cnt.crossing`) give its Fermi momentum :math:`k` and band velocity
   :math:`v`, or, with the gate inside a gap, the distance :math:`|m_{\rm sec}-\mu_{\rm sec}|` to the nearest band
   edge that sets the mass cutoff of Eq. (B1) (then :math:`k = 0` and :math:`v = v_F`, the massive Dirac band);
3. the gated Coulomb potential (:mod:`pairing1d.devices.coulomb`) gives :math:`V(0)` and :math:`V(2k_F)` within each
   wire and between them; g-ology gives :math:`K_c, u_c, y_s^0, u_s` of the primary and :math:`K, u` of the secondary
   (unless measured values are given), and Eq. (6) with :math:`V_\phi = \sqrt2V_{12}(0)` gives :math:`\upsilon`, and
   :math:`y^0 = 2\sqrt2\,V_{12}(k_F+|k|)/\pi(u_c+u)` (``docs/physics.md`` Sec. 12; the paper's normalization, 2.83 times
   smaller, with ``y_normalization = "paper"``);
4. the cutoffs of Eq. (15) use the mean :math:`k_F` of the two spins: a Zeeman energy :math:`E_Z = |g|\mu_BB` below
   the spin gap does not magnetize a spin-gapped wire (the spin sector stays commensurate), and one above it closes
   the gap (the commensurate-incommensurate transition of the spin sector; the flow's cutoff
   :math:`\ln(\Lambda/E_Z)` comes before :math:`\bar\ell`), which :func:`pairing1d.devices.gate_map.gate_map` applies to
   the verdict;
5. the bandwidth is :math:`\Lambda = \hbar u_s/\alpha_0` with :math:`\alpha_0 = \max(1/k_F, d)` unless given: the
   shortest length on which both the linearized band (:math:`1/k_F`) and a local inter-wire coupling (the
   separation :math:`d`) hold. Every energy of the flow is quoted as :math:`E = \Lambda e^{-\ell}`, in kelvin
   :math:`E/k_B`; the temperature enters as :math:`k_BT/\Lambda` (:math:`\ell_{\max} = \ln(\Lambda/k_BT)`).

Constants come from :mod:`scipy.constants` through :mod:`pairing1d.devices.units`. Lengths are in nm, momenta in 1/nm,
velocities in m/s, energies in meV, fields in T, temperatures in K.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ..support.errors import ModelError
from ..support.toml_io import read_toml
from ..theory.ladder import ladder_cutoffs, ladder_model, ladder_upsilon
from ..theory.model import Y_NORMALIZATIONS, Model, mass_cutoff, upsilon_from_coupling, y_from_backscattering
from .cnt import CNT, crossing
from .coulomb import gated_potential, spinful_wire, spinless_wire
from .units import (
    HBAR_MEV_S,
    K_B_MEV_PER_K,
    MU_B_MEV_PER_T,
    NM,
    fermi_momentum_per_nm,
    kinetic_energy_meV,
    orbital_moment_meV_per_T,
    velocity_m_s,
)

__all__ = [
    "PrimaryWire", "Nanotube", "MottLadder", "Geometry", "SECONDARY_KINDS", "Device", "DevicePoint", "read_device",
    "device_from_dict", "preset", "PRESETS", "preset_text",
]


def _number(where: str, value: Any, unit: str, low: float = -math.inf, high: float = math.inf,
            open_low: bool = True) -> float:
    """A finite real in (low, high) (or [low, high) with ``open_low=False``), else a one-line ModelError that names
    the quantity and its unit."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ModelError(f"{where} = {value!r} is not a finite number ({unit})")
    ok = (value > low if open_low else value >= low) and value < high
    if not ok:
        bracket = "(" if open_low else "["
        raise ModelError(f"{where} = {value!r} is outside the allowed range {bracket}{low:g}, {high:g}) {unit}")
    return float(value)


@dataclass(frozen=True)
class PrimaryWire:
    """The spinful primary wire: a single-subband semiconductor nanowire with a parabolic band.

    ``effective_mass`` (:math:`m^*/m_e`), ``radius_nm`` (sets the intra-wire Coulomb form factor),
    ``density_per_um`` (electrons per micron, both spins, at the device's ``gate_reference_V``), ``g_factor``
    (:math:`|g|`; Zeeman :math:`|g|\\mu_BB`), ``lever_arm`` (:math:`\\partial\\mu/\\partial(eV_g)` of the scanned gate
    on this wire; 0: the wire keeps its density), ``material`` (a label).

    Measured values replace the band and Coulomb estimates where given: ``vF_m_s`` (a linear band of that Fermi
    velocity instead of the parabolic one of ``effective_mass``), ``Kc`` (charge Luttinger parameter) and ``ys0``
    (the spin backscattering :math:`g_{1\\perp}/\\pi\\hbar v_F` at the scale :math:`\\alpha_0`)."""

    effective_mass: float = 0.023
    radius_nm: float = 15.0
    density_per_um: float = 10.0
    g_factor: float = 8.0
    lever_arm: float = 0.0
    vF_m_s: float | None = None
    Kc: float | None = None
    ys0: float | None = None
    material: str = "InAs"

    def __post_init__(self) -> None:
        _number("primary.effective_mass", self.effective_mass, "electron masses", 0.0, 100.0)
        _number("primary.radius_nm", self.radius_nm, "nm", 0.0, 1e4)
        _number("primary.density_per_um", self.density_per_um, "electrons per micron", 0.0, 1e4)
        _number("primary.g_factor", self.g_factor, "(|g|)", 0.0, 1e3, open_low=False)
        _number("primary.lever_arm", self.lever_arm, "(dimensionless: meV per mV)", -10.0, 10.0)
        if self.Kc is not None:
            _number("primary.Kc", self.Kc, "(charge Luttinger parameter)", 0.0, 10.0)
        if self.vF_m_s is not None:
            _number("primary.vF_m_s", self.vF_m_s, "m/s", 0.0, 3e8)
        if self.ys0 is not None:
            _number("primary.ys0", self.ys0, "(spin fugacity, Eq. (10))", -1.0, 1.0)

    @property
    def kF_per_nm(self) -> float:
        r""":math:`k_F = \pi n/2` (both spins) at the reference gate voltage, 1/nm."""
        return math.pi * self.density_per_um * 1e-3 / 2.0

    def fermi_momenta(self, shift_meV: float, zeeman_meV: float) -> tuple[float, float, float] | str:
        """(k_F, k_F up, k_F down) in 1/nm with the chemical potential moved by ``shift_meV`` and spins split by
        ``zeeman_meV``, or a sentence saying why there is no spinful wire (empty or fully polarized)."""
        if self.vF_m_s is not None:  # linear band: delta k = delta mu / (hbar vF)
            hv = HBAR_MEV_S * self.vF_m_s / NM  # meV nm
            kF = self.kF_per_nm + shift_meV / hv
            split = zeeman_meV / (2.0 * hv)
            if kF - split <= 0:
                return (f"the primary wire is {'empty' if kF <= 0 else 'fully spin-polarized'} here (k_F = "
                        f"{kF:.3g} 1/nm, Zeeman {zeeman_meV:.3g} meV): no spinful wire")
            return kF, kF + split, kF - split
        e_fermi = kinetic_energy_meV(self.kF_per_nm, self.effective_mass) + shift_meV
        if e_fermi <= zeeman_meV / 2:
            what = "empty" if e_fermi <= 0 else "fully spin-polarized"
            return (f"the primary wire is {what} here (Fermi energy {e_fermi:.3g} meV, Zeeman {zeeman_meV:.3g} meV): "
                    "no spinful wire")
        return tuple(fermi_momentum_per_nm(e_fermi + s * zeeman_meV / 2, self.effective_mass) for s in (0, 1, -1))

    def fermi_velocity(self, kF_per_nm: float) -> float:
        """Band velocity at k_F, m/s."""
        return self.vF_m_s if self.vF_m_s is not None else velocity_m_s(kF_per_nm, self.effective_mass)


@dataclass(frozen=True)
class Nanotube:
    """The secondary: a zig-zag nanotube of Eq. (A1) on its own gate.

    ``vF_m_s``; ``delta0_meV`` (curvature gap), ``delta_so_meV`` (spin-orbit), ``delta_phi_meV`` (flux term at zero
    field, usually 0); ``diameter_nm`` (orbital moment :math:`eDv_F/4` and the Coulomb radius :math:`D/2`);
    ``g_factor`` (spin Zeeman, 2); ``lever_arm`` (:math:`\\partial\\mu/\\partial(eV_g)`) and ``gate_offset_V`` (the
    gate voltage at which :math:`\\mu = 0`, mid-gap); ``K`` (a measured Luttinger parameter; None: from Coulomb)."""

    vF_m_s: float = 8e5
    delta0_meV: float = 4.0
    delta_so_meV: float = 1.0
    delta_phi_meV: float = 0.0
    diameter_nm: float = 2.0
    g_factor: float = 2.0
    lever_arm: float = 0.1
    gate_offset_V: float = 0.0
    K: float | None = None

    def __post_init__(self) -> None:
        _number("secondary.vF_m_s", self.vF_m_s, "m/s", 0.0, 3e8)
        _number("secondary.delta0_meV", self.delta0_meV, "meV", 0.0, 1e4)
        _number("secondary.delta_so_meV", self.delta_so_meV, "meV", 0.0, self.delta0_meV, open_low=False)
        _number("secondary.delta_phi_meV", self.delta_phi_meV, "meV", -1e4, 1e4)
        _number("secondary.diameter_nm", self.diameter_nm, "nm", 0.0, 1e3)
        _number("secondary.g_factor", self.g_factor, "(|g|)", 0.0, 1e3, open_low=False)
        _number("secondary.lever_arm", self.lever_arm, "(dimensionless: meV per mV)", 0.0, 10.0)
        _number("secondary.gate_offset_V", self.gate_offset_V, "V", -1e4, 1e4)
        if self.K is not None:
            _number("secondary.K", self.K, "(Luttinger parameter)", 0.0, 10.0)

    @property
    def orbital_moment_meV_per_T(self) -> float:
        r""":math:`\mu_{\rm orb} = eDv_F/4` in meV/T."""
        return orbital_moment_meV_per_T(self.diameter_nm, self.vF_m_s)

    def bands(self, field_T: float = 0.0) -> CNT:
        r"""Eq. (A1) in a field :math:`B` along the axis: :math:`\Delta_\Phi = \Delta_\Phi^0 + \mu_{\rm orb}B`,
        :math:`E_Z = g\mu_BB`."""
        return CNT(vF=self.vF_m_s, delta0=self.delta0_meV, delta_so=self.delta_so_meV,
                   delta_phi=self.delta_phi_meV + self.orbital_moment_meV_per_T * field_T,
                   zeeman=self.g_factor * MU_B_MEV_PER_T * field_T)

    def chemical_potential(self, gate_V: float) -> float:
        """:math:`\\mu = a\\,e(V_g - V_0)` in meV (a lever arm a moves mu by a meV per mV)."""
        return self.lever_arm * (gate_V - self.gate_offset_V) * 1e3

    def window(self, field_T: float = 0.0) -> tuple[float, float]:
        r"""The hole-like single-band window (meV) at this field: between the tops of the two highest valence bands,
        :math:`-m_{\sigma\nu} + \sigma E_Z/2`. Without a field the bands are Kramers pairs and there is none
        (a ModelError says so)."""
        cnt = self.bands(field_T)
        tops = sorted((-m + s * cnt.zeeman / 2 for (s, _), m in cnt.gaps().items()), reverse=True)
        if tops[0] - tops[1] <= 0:
            raise ModelError(f"at B = {field_T:g} T the nanotube's bands are degenerate (Kramers pairs): no "
                             "single-band window at any gate voltage; give a field along the tube")
        return tops[1], tops[0]


@dataclass(frozen=True)
class MottLadder:
    """The secondary of Sec. III A: a half-filled two-leg ladder in its D-Mott phase, felt through its relative
    charge :math:`\\phi_{\\rho-}` (vertex charge 1, :mod:`pairing1d.theory.ladder`).

    ``gap_meV`` (the relative-charge gap :math:`\\Delta`), ``K_minus`` (:math:`K_{\\rho-}`, given: no Coulomb estimate
    of a ladder's correlations is attempted), ``velocity_m_s`` (:math:`u_-`), ``k1_per_nm`` (the legs' Fermi momentum,
    signed as the secondary momentum of Eq. 15: its mismatch with the primary is :math:`k_F + k_1`), ``amplitude``
    (the O(1) weight of a leg's :math:`2k_1` density wave once the total charge is pinned, 1 by default), and the back
    gate: ``lever_arm`` and ``gate_offset_V`` set the potential difference between the legs,
    :math:`\\mu^* = a\\,e(V_g - V_0)` (meV). ``geometry.separation_nm`` is the distance to the nearer leg."""

    gap_meV: float = 1.0
    K_minus: float = 0.9
    velocity_m_s: float = 1e5
    k1_per_nm: float = -0.01
    amplitude: float = 1.0
    lever_arm: float = 0.1
    gate_offset_V: float = 0.0

    def __post_init__(self) -> None:
        _number("secondary.gap_meV", self.gap_meV, "meV", 0.0, 1e4)
        _number("secondary.K_minus", self.K_minus, "(Luttinger parameter)", 0.0, 10.0)
        _number("secondary.velocity_m_s", self.velocity_m_s, "m/s", 0.0, 3e8)
        _number("secondary.k1_per_nm", self.k1_per_nm, "1/nm", -1e3, 1e3)
        _number("secondary.amplitude", self.amplitude, "", 0.0, 10.0)
        _number("secondary.lever_arm", self.lever_arm, "(dimensionless: meV per mV)", 0.0, 10.0)
        _number("secondary.gate_offset_V", self.gate_offset_V, "V", -1e4, 1e4)

    def chemical_potential(self, gate_V: float) -> float:
        """The back gate's :math:`\\mu^* = a\\,e(V_g - V_0)` in meV."""
        return self.lever_arm * (gate_V - self.gate_offset_V) * 1e3

    def window(self, field_T: float = 0.0) -> tuple[float, float]:
        """The back-gate range (meV) where the ladder's phases change: gapped inside (-gap, gap), solitons outside;
        twice the gap on each side."""
        return -2.0 * self.gap_meV, 2.0 * self.gap_meV


@dataclass(frozen=True)
class Geometry:
    """Where the wires sit: centre-to-centre ``separation_nm``, their height ``gate_distance_nm`` above a
    metallic gate, and the relative permittivity ``epsilon_r`` of their surroundings."""

    separation_nm: float = 20.0
    gate_distance_nm: float = 50.0
    epsilon_r: float = 4.0

    def __post_init__(self) -> None:
        _number("geometry.separation_nm", self.separation_nm, "nm", 0.0, 1e5)
        _number("geometry.gate_distance_nm", self.gate_distance_nm, "nm", 0.0, 1e6)
        _number("geometry.epsilon_r", self.epsilon_r, "(relative permittivity)", 1.0, 1e4, open_low=False)


@dataclass(frozen=True)
class DevicePoint:
    """The device at one gate voltage, field and temperature: every intermediate quantity in physical units, the
    dimensionless :class:`~pairing1d.theory.model.Model` at zero temperature (``ground``; None when the theory does not
    apply, and ``reason`` says why) and ``T_over_Lambda`` = :math:`k_BT/\\Lambda`;
    :attr:`~pairing1d.devices.device.DevicePoint.model` is the Model at the temperature (None also when
    :math:`k_BT \\ge \\Lambda`: nothing flows, regime ``"above bandwidth"``).

    ``regime``: ``"single band"`` (one nanotube band at the Fermi level), ``"gapped"`` (gate in a nanotube gap, or
    a ladder's back gate below its gap: mass cutoff of Eq. (B1)), ``"soliton liquid"`` (a ladder's back gate above
    its gap), ``"multiband"``, ``"depleted"`` (the primary is empty), ``"above bandwidth"`` or ``"outside"`` (a
    parameter left the model's domain). ``mu_meV`` is the nanotube's chemical potential, or a ladder's
    :math:`\\mu^*`."""

    gate_V: float
    field_T: float
    temperature_K: float
    mu_meV: float
    regime: str
    ground: Model | None = None
    reason: str | None = None
    T_over_Lambda: float | None = None
    kF_per_nm: float | None = None
    k_secondary_per_nm: float | None = None
    vF_m_s: float | None = None
    v_secondary_m_s: float | None = None
    Kc: float | None = None
    uc_m_s: float | None = None
    us_m_s: float | None = None
    K: float | None = None
    u_m_s: float | None = None
    ys0: float | None = None
    y0: float | None = None
    upsilon: float | None = None
    lstar: float | None = None
    lstar2: float | None = None
    lmass: float | None = None
    alpha0_nm: float | None = None
    Lambda_meV: float | None = None
    zeeman_primary_meV: float | None = None
    V_inter_meV_nm: float | None = None
    V_inter_back_meV_nm: float | None = None

    @property
    def Lambda_K(self) -> float | None:
        """The bandwidth in kelvin."""
        return None if self.Lambda_meV is None else self.Lambda_meV / K_B_MEV_PER_K

    @property
    def model(self) -> Model | None:
        """The Model at this temperature: ``ground`` with :math:`T/\\Lambda`, None above the bandwidth."""
        tau = self.T_over_Lambda
        if self.ground is None or not tau:
            return self.ground
        return None if tau >= 1 else self.ground.replace(temperature=tau)

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "ground"}
        out["Lambda_K"] = self.Lambda_K
        out["model"] = None if self.model is None else self.model.to_dict()
        return out


@dataclass(frozen=True)
class Device:
    """A device in physical units (module docstring); :meth:`~pairing1d.devices.device.Device.point` and
    :meth:`~pairing1d.devices.device.Device.model` translate it.

    ``gate_reference_V`` is the gate voltage at which the primary has ``primary.density_per_um``; ``field_T``,
    ``temperature_K`` the defaults of :meth:`point`; ``impurity`` the bare strength :math:`g_{\\rm imp}/\\Lambda`
    of a weak impurity in the primary (0: clean; :func:`pairing1d.theory.transport.linear_conductance`); ``alpha0_nm``
    the short-distance cutoff (None: :math:`\\max(1/k_F, d)`); ``chi`` the width of the tanh cutoff (used by the
    paper's schemes only); ``uncertain`` maps dotted input names (``"geometry.epsilon_r"``) to (low, high) ranges
    sampled by :func:`pairing1d.devices.gate_map.sensitivity`; ``sources`` says where each number comes from."""

    primary: PrimaryWire = field(default_factory=PrimaryWire)
    secondary: Nanotube | MottLadder = field(default_factory=Nanotube)
    geometry: Geometry = field(default_factory=Geometry)
    name: str = "device"
    gate_reference_V: float = 0.0
    field_T: float = 0.0
    temperature_K: float = 0.1
    impurity: float = 0.0
    alpha0_nm: float | None = None
    chi: float = 1.5
    y_normalization: str = "derived"
    y_scale: float = 1.0
    uncertain: tuple[tuple[str, float, float], ...] = ()
    sources: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        for name, kinds in (("primary", (PrimaryWire,)), ("secondary", (Nanotube, MottLadder)),
                            ("geometry", (Geometry,))):
            value = getattr(self, name)
            if not isinstance(value, kinds):
                raise ModelError(f"Device {name} = {repr(value)[:60]} is not a "
                                 f"{' or '.join(k.__name__ for k in kinds)}")
        _number("gate_reference_V", self.gate_reference_V, "V", -1e4, 1e4)
        _number("field_T", self.field_T, "T", -100.0, 100.0)
        _number("temperature_K", self.temperature_K, "K", 0.0, 1e5, open_low=False)
        _number("impurity", self.impurity, "(g_imp / Lambda)", 0.0, 1.0, open_low=False)
        _number("chi", self.chi, "(width of the tanh cutoff)", 0.0, 100.0)
        _number("y_scale", self.y_scale, "(factor on the derived y0)", 0.0, 100.0)
        if self.y_normalization not in Y_NORMALIZATIONS:
            raise ModelError(f"y_normalization = {self.y_normalization!r} is outside the allowed values "
                             f"{{{', '.join(map(repr, Y_NORMALIZATIONS))}}} (how V becomes y0)")
        if self.alpha0_nm is not None:
            _number("alpha0_nm", self.alpha0_nm, "nm", 0.0, 1e5)
        for entry in self.uncertain:
            name, low, high = entry
            if name not in UNCERTAIN_INPUTS:
                raise ModelError(f"uncertain input {name!r} is outside the known ones {sorted(UNCERTAIN_INPUTS)}")
            _number(f"uncertain[{name}] low", low, "")
            _number(f"uncertain[{name}] high", high, "", low)

    # --- variations -------------------------------------------------------------------------------------------

    def with_inputs(self, values: dict[str, float]) -> Device:
        """A copy with some inputs changed, by dotted name (``{"geometry.epsilon_r": 6}``), validated again."""
        parts: dict[str, dict[str, Any]] = {"primary": {}, "secondary": {}, "geometry": {}}
        top: dict[str, Any] = {}
        for name, value in values.items():
            head, _, tail = name.partition(".")
            if tail:
                if head not in parts:
                    raise ModelError(f"input {name!r} is outside the known parts (primary, secondary, geometry)")
                parts[head][tail] = value
            else:
                top[name] = value
        try:
            new = {k: dataclasses.replace(getattr(self, k), **v) for k, v in parts.items() if v}
            return dataclasses.replace(self, **new, **top)
        except TypeError as exc:
            raise ModelError(f"unknown device input in {sorted(values)}: {exc}") from None

    def gate_window(self, margin: float = 0.25) -> tuple[float, float]:
        """The gate voltages (V) worth scanning: the secondary's window (a nanotube's single-band hole window at the
        device's field, twice a ladder's gap) through its lever arm and offset, widened by ``margin`` of its width
        on each side. A ModelError says why there is none (no field, or a lever arm of 0)."""
        sec = self.secondary
        if sec.lever_arm == 0:
            raise ModelError("the secondary's lever_arm is 0: the gate does not move it; give the gate range by hand")
        lo, hi = sec.window(self.field_T)
        lo, hi = lo - margin * (hi - lo), hi + margin * (hi - lo)
        return tuple(sec.gate_offset_V + mu * 1e-3 / sec.lever_arm for mu in (lo, hi))

    # --- translation --------------------------------------------------------------------------------------------

    def point(self, gate_V: float, field_T: float | None = None, temperature_K: float | None = None) -> DevicePoint:
        """The device at gate voltage ``gate_V`` (V), field (T) and temperature (K): the nanotube's chemical
        potential from the lever arm, the primary's Fermi energy shifted by its own lever arm, then
        :meth:`bosonize`."""
        gate_V = _number("gate_V", gate_V, "V", -1e4, 1e4)
        mu = self.secondary.chemical_potential(gate_V)
        shift = self.primary.lever_arm * (gate_V - self.gate_reference_V) * 1e3
        return self.bosonize(mu, field_T=field_T, temperature_K=temperature_K, primary_shift_meV=shift,
                             gate_V=gate_V)

    def model(self, mu: float, temperature_K: float | None = None, field_T: float | None = None) -> Model:
        """The dimensionless Model at the nanotube chemical potential ``mu`` (meV) and temperature (K); a
        ModelError names the cause when the theory does not apply there (or when k_B T is above the bandwidth)."""
        p = self.bosonize(mu, field_T=field_T, temperature_K=temperature_K)
        if p.model is None:
            raise ModelError(p.reason or f"no model at mu = {mu:g} meV ({p.regime})")
        return p.model

    def bosonize(self, mu: float, *, field_T: float | None = None, temperature_K: float | None = None,
                 primary_shift_meV: float = 0.0, gate_V: float = math.nan) -> DevicePoint:
        """Steps 2-5 of the module docstring at the nanotube chemical potential ``mu`` (meV)."""
        mu = _number("mu", mu, "meV")
        B = self.field_T if field_T is None else _number("field_T", field_T, "T", -100.0, 100.0)
        T = self.temperature_K if temperature_K is None else _number("temperature_K", temperature_K, "K", 0.0, 1e5,
                                                                        open_low=False)
        base = {"gate_V": gate_V, "field_T": B, "temperature_K": T, "mu_meV": mu}
        if abs(mu) > 1e5:  # far beyond any band structure of Eq. (A2): a point outside, not an error of the map
            return DevicePoint(**base, regime="outside", reason=f"mu = {mu:g} meV is outside the allowed range "
                               "(-1e5, 1e5) meV of the secondary's chemical potential")
        prim, geo, sec = self.primary, self.geometry, self.secondary

        # the primary: Fermi momenta (reference density, moved by the gate, split by the Zeeman energy)
        zeeman1 = prim.g_factor * MU_B_MEV_PER_T * abs(B)
        momenta = prim.fermi_momenta(primary_shift_meV, zeeman1)
        if isinstance(momenta, str):
            return DevicePoint(**base, regime="depleted", reason=momenta)
        kF = momenta[0]  # (the split k_F up/down only decides whether the wire is still spinful)
        vF = prim.fermi_velocity(kF)

        # the secondary: its Fermi momentum (signed, Eq. 7) and velocity, or why the theory does not apply
        ladder = isinstance(sec, MottLadder)
        if ladder:  # the relative charge of a half-filled ladder: k1 and u_- as given, the back gate mu* = mu
            k, v_sec, regime, band = sec.k1_per_nm, sec.velocity_m_s, "ladder", None
        else:
            band = crossing(sec.bands(B), mu)
            if band.bands_crossing > 1:
                return DevicePoint(**base, regime="multiband", reason=band.reason, kF_per_nm=kF, vF_m_s=vF)
            if band.single_band:
                k = band.k_fermi * NM * (-1.0 if band.hole_like else 1.0)
                v_sec, regime = band.velocity, "single band"
            else:
                k, v_sec, regime = 0.0, sec.vF_m_s, "gapped"

        # Coulomb matrix elements within and between the wires, at q = 0 and at the backscattering momentum
        V1 = [gated_potential(q, prim.radius_nm, geo.gate_distance_nm, geo.epsilon_r) for q in (0.0, 2 * kF)]
        V12 = [gated_potential(q, geo.separation_nm, geo.gate_distance_nm, geo.epsilon_r)
               for q in (0.0, kF + abs(k))]
        info = {"kF_per_nm": kF, "k_secondary_per_nm": k, "vF_m_s": vF, "v_secondary_m_s": v_sec,
                "zeeman_primary_meV": zeeman1, "V_inter_meV_nm": V12[0], "V_inter_back_meV_nm": V12[1]}
        to_velocity = NM / HBAR_MEV_S  # V in meV nm -> V/hbar in m/s
        try:
            lut1 = spinful_wire(vF, V1[0], V1[1] if prim.ys0 is None else prim.ys0 * math.pi * HBAR_MEV_S * vF / NM)
            Kc, uc = (lut1.K, lut1.u) if prim.Kc is None else (prim.Kc, vF / prim.Kc)
            if ladder:
                K, u = sec.K_minus, sec.velocity_m_s
            else:
                V2 = [gated_potential(q, sec.diameter_nm / 2.0, geo.gate_distance_nm, geo.epsilon_r)
                      for q in (0.0, 2 * abs(k))]
                if regime == "gapped":  # no Fermi sea, no exchange: the massive band's forward coupling alone
                    V2[1] = 0.0
                lut2 = spinless_wire(v_sec, *V2)
                K, u = (lut2.K, lut2.u) if sec.K is None else (sec.K, v_sec / sec.K)
            us = lut1.u_spin
            alpha0 = self.alpha0_nm if self.alpha0_nm is not None else max(1.0 / kF, geo.separation_nm)
            Lambda = HBAR_MEV_S * us / (alpha0 * NM)  # meV
            lambda_sec = HBAR_MEV_S * u / (alpha0 * NM)  # meV, the secondary's bandwidth of Eq. (B1)
            ys0 = lut1.ys0 if prim.ys0 is None else prim.ys0
            info |= {"Kc": Kc, "uc_m_s": uc, "us_m_s": us, "K": K, "u_m_s": u, "ys0": ys0,
                     "alpha0_nm": alpha0, "Lambda_meV": Lambda, "T_over_Lambda": K_B_MEV_PER_K * T / Lambda}
            # Eq. (15) with the mean k_F: below the spin gap a Zeeman field does not split a spin-gapped wire's
            # Fermi momenta, above it the gap closes (gate_map applies that to the verdict)
            d1, d2 = (kF + k) * alpha0, (kF - k) * alpha0
            y_back = V12[1] * to_velocity * (sec.amplitude if ladder else 1.0)
            if ladder:
                cut = ladder_cutoffs(sec.gap_meV / lambda_sec, mu / lambda_sec, d1, d2)
                info |= {"lstar": cut.lstar, "lstar2": cut.lstar2, "lmass": cut.lmass}
                ups = ladder_upsilon(V12[0] * to_velocity, u, uc, Kc, K)
                y0 = self.y_scale * y_from_backscattering(y_back, u, uc, self.y_normalization)
                ground = ladder_model(K, sec.gap_meV / lambda_sec, mu / lambda_sec, d1, d2, Kc0=Kc, ys0=ys0, y0=y0,
                                      y2=y0, upsilon=ups, u_ratio=u / uc, upsilon_theta=0.0, chi=self.chi)
                regime = cut.regime
            else:
                lstar = math.inf if d1 == 0 else -math.log(abs(d1))
                lstar2 = math.inf if d2 == 0 else -math.log(abs(d2))
                lmass = mass_cutoff(band.edge_distance, 0.0, lambda_sec) if regime == "gapped" else math.inf
                info |= {"lstar": lstar, "lstar2": lstar2, "lmass": lmass}
                ups = upsilon_from_coupling(math.sqrt(2.0) * V12[0] * to_velocity, u, uc, Kc, K)
                if abs(ups) >= 1:
                    raise ModelError(f"the forward coupling upsilon = {ups:.3g} is outside the allowed range (-1, 1): "
                                     "the two wires' densities are unstable together (phase separation; the nanotube's "
                                     f"band velocity is {v_sec:.3g} m/s here, slow near its band edge)")
                ground = Model.from_density_coupling(
                    V12[0] * to_velocity, V_back=self.y_scale * y_back, u=u, uc=uc, Kc=Kc, K=K, ys0=ys0,
                    lstar=lstar, lstar2=lstar2, lmass=lmass, chi=self.chi, y_normalization=self.y_normalization,
                )
        except ModelError as exc:
            where = f"at gate {gate_V:g} V" if math.isfinite(gate_V) else f"at mu = {mu:g} meV"
            return DevicePoint(**base, regime="outside", reason=f"{where}: {exc}", **info)
        reason = None
        if info["T_over_Lambda"] >= 1:
            regime, reason = "above bandwidth", (f"k_B T = {K_B_MEV_PER_K * T:.3g} meV is above the bandwidth Lambda = "
                                                 f"{Lambda:.3g} meV: nothing flows, the wires are decoupled")
        return DevicePoint(**base, regime=regime, ground=ground, reason=reason, y0=ground.y0,
                           upsilon=ground.upsilon, **info)

    # --- files ----------------------------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The device's inputs as nested dicts (the TOML layout of :func:`read_device`)."""
        out = {"name": self.name, "gate_reference_V": self.gate_reference_V, "field_T": self.field_T,
               "temperature_K": self.temperature_K, "impurity": self.impurity, "alpha0_nm": self.alpha0_nm,
               "chi": self.chi, "y_normalization": self.y_normalization, "y_scale": self.y_scale,
               "primary": asdict(self.primary), "secondary": asdict(self.secondary) |
               {"kind": "mott_ladder" if isinstance(self.secondary, MottLadder) else "nanotube"},
               "geometry": asdict(self.geometry)}
        out["uncertain"] = {name: [low, high] for name, low, high in self.uncertain}
        out["sources"] = dict(self.sources)
        return out


UNCERTAIN_INPUTS = frozenset(
    [f"primary.{f.name}" for f in dataclasses.fields(PrimaryWire) if f.name != "material"]
    + [f"secondary.{f.name}" for f in dataclasses.fields(Nanotube) + dataclasses.fields(MottLadder)]
    + [f"geometry.{f.name}" for f in dataclasses.fields(Geometry)]
    + ["alpha0_nm", "impurity", "gate_reference_V", "y_scale"]
)
"""Inputs that may be given a range in a device file's ``[uncertain]`` table."""

SECONDARY_KINDS = {"nanotube": Nanotube, "mott_ladder": MottLadder}
"""The ``kind`` of a device file's ``[secondary]`` table."""

_TOP_KEYS = {"name", "description", "gate_reference_V", "field_T", "temperature_K", "impurity", "alpha0_nm", "chi",
             "y_normalization", "y_scale", "primary", "secondary", "geometry", "uncertain", "sources"}


def device_from_dict(raw: dict[str, Any], source: str = "device") -> Device:
    """A :class:`Device` from the nested tables of a device file; unknown keys are refused by name."""
    raw = dict(raw)
    unknown = sorted(set(raw) - _TOP_KEYS)
    if unknown:
        raise ModelError(f"{source}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(_TOP_KEYS))})")
    raw.pop("description", None)
    parts = {}
    for key, cls in (("primary", PrimaryWire), ("secondary", Nanotube), ("geometry", Geometry)):
        table = raw.pop(key, {}) or {}
        if not isinstance(table, dict):
            raise ModelError(f"{source}: [{key}] must be a table")
        table = dict(table)
        if key == "secondary":
            kind = table.pop("kind", "nanotube")
            if kind not in SECONDARY_KINDS:
                raise ModelError(f"{source}: secondary.kind = {kind!r} is outside the allowed values "
                                 f"{{{', '.join(map(repr, SECONDARY_KINDS))}}}")
            cls = SECONDARY_KINDS[kind]
        names = {f.name for f in dataclasses.fields(cls)}
        bad = sorted(set(table) - names)
        if bad:
            raise ModelError(f"{source}: unknown key(s) {', '.join(f'{key}.{b}' for b in bad)} "
                             f"(known: {', '.join(sorted(names))})")
        parts[key] = cls(**table)
    uncertain = []
    for name, value in (raw.pop("uncertain", {}) or {}).items():
        if not (isinstance(value, list) and len(value) == 2):
            raise ModelError(f"{source}: uncertain.{name} = {value!r} must be a range [low, high]")
        uncertain.append((name, value[0], value[1]))
    sources = tuple((str(k), str(v)) for k, v in (raw.pop("sources", {}) or {}).items())
    try:
        return Device(**parts, **raw, uncertain=tuple(uncertain), sources=sources)
    except TypeError as exc:  # a wrong type for a top-level key
        raise ModelError(f"{source}: {exc}") from None


def read_device(path: str | Path) -> Device:
    """A :class:`Device` from a TOML device file (the layout of the presets, :func:`preset_text`)."""
    return device_from_dict(read_toml(path, "device file", ModelError), source=str(path))


def _preset_files() -> dict[str, Any]:
    folder = resources.files("pairing1d") / "device_presets"
    return {p.name.removesuffix(".toml"): p for p in folder.iterdir() if p.name.endswith(".toml")}


PRESETS: tuple[str, ...] = tuple(sorted(_preset_files()))
"""Names of the shipped device presets (``pairing1d device --list-presets``)."""


def preset_text(name: str) -> str:
    """The TOML text of a preset (a starting point for one's own device file)."""
    files = _preset_files()
    if name not in files:
        raise ModelError(f"preset {name!r} is outside the known presets {{{', '.join(sorted(files))}}}")
    return files[name].read_text()


def preset(name: str) -> Device:
    """A shipped device (:data:`PRESETS`), with the sources of its numbers in ``Device.sources``."""
    import tomllib

    return device_from_dict(tomllib.loads(preset_text(name)), source=f"preset {name!r}")
