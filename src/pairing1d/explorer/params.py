"""The explorer's parameter controls, described as data: one :class:`~pairing1d.explorer.params.Control` per
:class:`~pairing1d.theory.model.Model` field (label, slider range, help), and the conversion between widget values and a
Model; for the Device tab one :class:`~pairing1d.explorer.params.DeviceControl` per physical input in the lab's
units, and the conversion to a :class:`~pairing1d.devices.device.Device` through
:meth:`~pairing1d.devices.device.Device.with_inputs`.

No Panel here: the view builds its widgets from :data:`CONTROLS`, and the tests check that every Model field has
one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from ..devices.device import Device
from ..support.errors import ModelError
from ..theory.model import FLOWS, REGULATORS, SCHEMES, VELOCITIES, Model

__all__ = ["Control", "CONTROLS", "CONTROL_GROUPS", "model_from_values", "values_of", "DeviceControl",
           "DEVICE_CONTROLS", "device_from_values", "device_values"]

Kind = Literal["slider", "optional", "bool", "select"]


@dataclass(frozen=True)
class Control:
    """How the page shows one Model field.

    ``slider``: an editable slider (the typed value may leave the slider's range; the Model decides whether it
    is allowed); ``optional``: a number input that may stay empty (``None``: no temperature, no mass,
    ``upsilon_theta`` on the line of Eq. 13; ``placeholder`` says which); ``bool``: a checkbox; ``select``: a
    choice among ``options`` (label -> value).
    """

    name: str
    label: str
    help: str
    kind: Kind = "slider"
    start: float = 0.0
    end: float = 1.0
    step: float = 0.01
    options: tuple[tuple[str, Any], ...] = ()
    placeholder: str = "empty"


CONTROLS: tuple[Control, ...] = (
    Control("Kc0", "Kc0: primary charge Luttinger parameter", "Kc < 1: repulsive primary wire (Eq. 9)", start=0.1,
            end=2.0),
    Control("K0", "K0: secondary Luttinger parameter", "small K0: strongly correlated secondary (Eq. 11)",
            start=0.05, end=2.0),
    Control("ys0", "ys0: bare spin fugacity", "ys > 0: repulsive; ys -> -1 is a singlet spin gap, ys -> +1 a triplet "
            "/ SDW_z one (Eq. 16a)", start=-0.95, end=0.95),
    Control("y0", "y0: bare inter-wire backscattering y1", "g1/(pi u), drives ys down (Eq. 16c)", start=0.0,
            end=0.5, step=0.005),
    Control("y2", "y2: bare particle-like backscattering", "0 in the paper's figures (Eq. 16d)", start=0.0, end=0.5,
            step=0.005),
    Control("upsilon", "upsilon: forward coupling V_phi",
            "sqrt(Kc K) V_phi/(pi sqrt(uc u)), |upsilon| < 1 (Eq. 14)", start=-0.95, end=0.95),
    Control("upsilon_theta", "upsilon_theta: V_theta (empty: Eq. 13)",
            "V_theta/(pi sqrt(uc u Kc K)), |upsilon_theta| < 1. Empty: the line of Eq. (13), upsilon_theta = "
            "-(u/uc) upsilon, where one rotation removes all forward scattering; a pure density coupling (Eq. 6) "
            "has 0. Off the line only flow = consistent applies", kind="optional",
            placeholder="empty: line (13), -(u/uc) upsilon"),
    Control("u_ratio", "u/uc: velocity ratio", "secondary over primary charge velocity (Eq. 14a)", start=0.1,
            end=3.0, step=0.05),
    Control("lstar", "l*: incommensurability cutoff of y1", "ln(1/((kF + k) alpha0)), Eq. (15)", start=0.0,
            end=10.0, step=0.05),
    Control("lstar2", "l*2: cutoff of y2", "ln(1/((kF - k) alpha0)), Eq. (15)", start=-3.0, end=10.0, step=0.05),
    Control("chi", "chi: width of the tanh cutoff c(l) (printed, frozen)",
            "c(l) = [1 - tanh((l - l*)/chi)]/2; used by the printed and frozen schemes only (cic has no chi)",
            start=0.1, end=5.0, step=0.05),
    Control("lmax", "lmax: infrared end of the flow", "ln(Lambda/T) at temperature T", start=1.0, end=40.0,
            step=0.5),
    Control("temperature", "T/Lambda (empty: T = 0, use lmax)", "sets lmax = ln(Lambda/T)", kind="optional",
            placeholder="empty: T = 0"),
    Control("lmass", "l_m: mass cutoff (empty: no mass)", "ln(Lambda_sec/|m - mu|), Eq. (B1)", kind="optional",
            placeholder="empty: no mass"),
    Control("y_strong", "y_strong: |y1| taken as strong coupling",
            "defines the trion scale l_bbar; a verdict resting on |y| beyond it is not controlled", start=0.1,
            end=3.0, step=0.05),
    Control("theta", "theta: relative phase of g_up, g_down",
            "the vertices carry cos(sqrt2 phi_s + theta/2); theta != 0 breaks SU(2) (the SU(2) line is then not "
            "enforced); theta = pi favours a triplet / SDW_z spin gap (Sec. II B 4)", start=0.0,
            end=round(math.pi, 2), step=0.01),
    Control("su2", "SU(2) line Ks = 1 + ys/2", "otherwise Ks flows by Eq. (16b); not enforced when theta != 0",
            kind="bool"),
    Control("scheme", "cutoff scheme",
            "cic: commensurate-incommensurate RG with a flowing mismatch (the default, no chi); printed: Eq. (16) "
            "as printed, the paper's tanh cutoff c(l) of width chi in the feedback only; frozen: dy1/dl also "
            "times c1", kind="select", options=tuple((s, s) for s in SCHEMES)),
    Control("flow", "second-order flow",
            "consistent: every vertex feeds the full correlation matrix (the default, any upsilon_theta); paper: "
            "Eq. (16) as printed, on the line of Eq. (13) only; diagonal: Eq. (16)'s truncation on the exact "
            "Gaussian start, anywhere", kind="select", options=tuple((f, f) for f in FLOWS)),
    Control("regulator", "cic regulator",
            "j01: J0 weight, vertex dropped at J0's first zero (default); delta1: dropped at delta = 1; smooth: "
            "weight exp(-delta^2/4), dropped at 1/100", kind="select", options=tuple((r, r) for r in REGULATORS)),
    Control("velocity", "reference velocity",
            "of the second-order terms when u != uc: mean (u_bar, default), charge (uc) or secondary (u)",
            kind="select", options=tuple((v, v) for v in VELOCITIES)),
    Control("vertex_charge", "secondary vertex charge p", "2: spinless wire (Eq. 12); 1: Mott ladder (Eq. 22)",
            kind="select", options=(("2 (spinless wire)", 2.0), ("1 (Mott ladder)", 1.0))),
)
"""One control per Model field, in the order the page shows them."""

CONTROL_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Wires", ("Kc0", "K0", "ys0", "u_ratio", "su2")),
    ("Inter-wire coupling", ("y0", "y2", "upsilon", "upsilon_theta", "theta", "vertex_charge")),
    ("Cutoffs", ("lstar", "lstar2", "lmass", "lmax", "temperature")),
    ("RG scheme", ("flow", "scheme", "regulator", "velocity", "chi", "y_strong")),
)
"""How the controls are grouped on the page (every control in exactly one group)."""


def model_from_values(values: dict[str, Any]) -> Model:
    """The Model of the page's widget values (name -> value); raises :class:`~pairing1d.support.errors.ModelError`.

    An empty ``lmass`` means no mass (inf); an empty ``upsilon_theta`` stays ``None`` (the line of Eq. 13); a given
    ``temperature`` sets lmax, so the lmax slider is then ignored (the Model refuses both when they disagree, which a
    page could not resolve). ``flow = 'paper'`` with an ``upsilon_theta`` off the line is the Model's one-line
    error.
    """
    kwargs = dict(values)
    if kwargs.get("lmass") is None:
        kwargs["lmass"] = math.inf
    if kwargs.get("temperature") is not None:
        kwargs["lmax"] = None
    else:
        kwargs["temperature"] = None
    return Model(**kwargs)


def values_of(model: Model) -> dict[str, Any]:
    """Widget values showing ``model`` (the inverse of :func:`model_from_values`)."""
    out = {name: getattr(model, name) for name in Model.field_names()}
    if math.isinf(out["lmass"]):
        out["lmass"] = None
    return out


# --- the Device tab -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceControl:
    """How the Device tab shows one physical input of a :class:`~pairing1d.devices.device.Device`: ``name`` is the
    widget's key, ``input`` the dotted name :meth:`~pairing1d.devices.device.Device.with_inputs` takes, and the widget
    shows ``input``'s value divided by ``scale`` (``scale = 1e-3``: the page shows mK, the Device holds K)."""

    name: str
    input: str
    label: str
    help: str
    step: float
    scale: float = 1.0


DEVICE_CONTROLS: tuple[DeviceControl, ...] = (
    DeviceControl("temperature_mK", "temperature_K", "temperature T (mK)",
                  "the flow stops at ln(Lambda / k_B T); 0: T = 0", step=5.0, scale=1e-3),
    DeviceControl("field_T", "field_T", "magnetic field B along the wires (T)",
                  "moves the nanotube's bands (orbital and spin Zeeman, Appendix A) and splits the primary's spins "
                  "(a Zeeman energy above the spin gap closes it)", step=0.05),
    DeviceControl("impurity", "impurity", "impurity strength g_imp/Λ, in [0, 1)",
                  "a weak impurity in the primary wire: sets the conductance G at the temperature", step=0.01),
    DeviceControl("separation_nm", "geometry.separation_nm", "inter-wire separation d (nm)",
                  "centre to centre: sets the inter-wire Coulomb coupling and the cutoff alpha0 = max(1/k_F, d)",
                  step=1.0),
    DeviceControl("epsilon_r", "geometry.epsilon_r", "dielectric constant ε_r",
                  "relative permittivity around the wires: screens every Coulomb coupling", step=0.5),
    DeviceControl("density_per_um", "primary.density_per_um", "primary density n (electrons per µm)",
                  "both spins, at the reference gate voltage: k_F = pi n / 2", step=0.5),
)
"""The physical inputs the Device tab edits, in the order it shows them (the others come from the preset)."""


def device_values(device: Device) -> dict[str, float]:
    """Widget values (name -> number in the page's unit) showing ``device``'s inputs."""
    out = {}
    for c in DEVICE_CONTROLS:
        head, _, tail = c.input.partition(".")
        value = getattr(getattr(device, head), tail) if tail else getattr(device, head)
        out[c.name] = float(f"{value / c.scale:.12g}")  # 0.03 K is 30 mK, not 30.000000000000004
    return out


def device_from_values(device: Device, values: dict[str, float | None]) -> Device:
    """``device`` with the widget values (name -> number in the page's unit) applied through
    :meth:`~pairing1d.devices.device.Device.with_inputs`; an empty box or an out-of-range value is a one-line
    :class:`~pairing1d.support.errors.ModelError` that names the input and its unit."""
    inputs = {}
    for c in DEVICE_CONTROLS:
        value = values.get(c.name)
        if value is None:
            raise ModelError(f"{c.label} is empty: type a number")
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ModelError(f"{c.label} = {value!r} is not a finite number")
        inputs[c.input] = float(value) * c.scale
    return device.with_inputs(inputs)
