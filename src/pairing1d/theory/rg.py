r"""The RG flow of one device, integrated with scipy's ``solve_ivp`` (DOP853).

The right-hand side is :func:`pairing1d.theory.flow_equations.rhs`, the one definition shared with the batched engine:
the second-order flow of the spin harmonic :math:`Z` (:math:`= y_s` at :math:`\theta = 0`), of :math:`1/K_s`, of
the inter-wire vertices :math:`Y_{1,2}` and of the inverse correlation matrix :math:`G` of :math:`(\phi_c, \phi)`,
under one of two flows (``consistent``, the multi-field KT rule; ``paper``, Eq. 16 as printed) and three cutoff
schemes (``cic``, ``printed``, ``frozen``). At :math:`\theta = 0` with ``flow='paper'`` it is exactly

.. math::
    \frac{dy_s}{d\ell} &= (2-2K_s)\,y_s - \frac{C}{4},                      &(16a)\\
    \frac{dK_s^{-1}}{d\ell} &= \frac{y_s^2}{2} + \frac{C}{8},                            &(16b)\\
    \frac{dy_{1,2}}{d\ell} &= \Big(2-\frac{\tilde K_c}{2}-\frac{K_s}{2}
                           -\big(1\mp\tfrac{Q}{\sqrt2}\big)^2\tilde K-\frac{y_s}{2}\Big) y_{1,2}, &(16c,d)\\
    \frac{d\tilde K^{-1}}{d\ell} &= \frac{C}{4}, \qquad
    \frac{d\tilde K_c^{-1}}{d\ell} = \frac{C}{8},                                        &(16e,f)

with :math:`C = c_1y_1^2 + c_2y_2^2` in the ``printed`` scheme.

Events: :math:`|Z| = 1` ends the flow (the spin sector is at strong coupling): at :math:`\bar\ell` if the pinned
:math:`\sqrt2\phi_s` is mostly singlet (:math:`Z \to -1`, pairs), at ``l_runaway`` if it is mostly
:math:`S_z = 0` triplet / SDW_z (:math:`Z \to +1`, e.g. :math:`\theta = \pi`); :math:`|Y_1| = y_{\rm strong}` is
recorded as :math:`\bar{\bar\ell}` (and :math:`|Y_2|` as ``l_bbar2``), the flow goes on; in the ``cic`` scheme a
vertex whose mismatch reaches :math:`j_{0,1}` is dropped (``l_drop1``, ``l_drop2``), and the flow is restarted
there with the vertex frozen, so that no integrator step straddles the switch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.integrate import OdeSolution, solve_ivp

from . import flow_equations as fe
from .model import Model, check_model, check_tolerances

__all__ = ["STATE", "FlowResult", "flow_rhs", "solve_flow", "named_couplings"]

STATE = fe.STATE
"""Order of the integrated variables (:mod:`pairing1d.theory.flow_equations`)."""

_MAX_SEGMENTS = 8  # at most two drops and one mass breakpoint split the flow: the loop below is bounded
MAX_EVALUATIONS = 400_000
"""Right-hand-side evaluations after which a single flow is abandoned (status ``failed: step budget``): about
33,000 DOP853 steps, a hundred times what the longest valid flow takes, a few seconds."""


_HUGE = 1e300


class _Failed(Exception):
    """Raised inside the integration to stop a flow that cannot go on; carries its status."""

    def __init__(self, status: str):
        super().__init__(status)
        self.status = status


def flow_rhs(l: float, state: np.ndarray, row: np.ndarray) -> np.ndarray:
    """The right-hand side at RG time ``l`` for ``state`` and the packed row of a device
    (:func:`pairing1d.theory.flow_equations.pack_model`), as a new array."""
    out = np.empty(fe.N_STATE)
    fe.rhs(l, state, row, out)
    return out


def named_couplings(state: np.ndarray, row: np.ndarray) -> dict[str, Any]:
    r"""Physical couplings of a state (or of an array of states along the last axis): ``ys`` (:math:`\Re Z`),
    ``ys_imag``, ``Ks``, ``y1``, ``y2`` (:math:`|Y_i|` with the sign of the bare value), ``Kc_tilde``, ``K_tilde``,
    ``K_mixed`` (the entries of :math:`C = G^{-1}` in the rotated basis), ``delta1``, ``delta2``."""
    s = np.asarray(state, dtype=float)
    su2 = row[fe.P_SU2] != 0.0
    ks = 1.0 + 0.5 * s[fe.ZR] if su2 else 1.0 / s[fe.INV_KS]
    det = s[fe.G11] * s[fe.G22] - s[fe.G12] ** 2
    ys = {}
    for i, name in enumerate(("y1", "y2")):
        has = row[fe.P_HAS1 + i] != 0.0
        sign = math.copysign(1.0, math.cos(row[fe.A1 + 2 * i] + 0.0)) if has else 0.0
        ys[name] = sign * np.exp(s[fe.U1 + 2 * i]) if has else np.zeros_like(s[fe.U1])
    return {
        "ys": s[fe.ZR], "ys_imag": s[fe.ZI], "Ks": ks, **ys,
        "Kc_tilde": s[fe.G22] / det, "K_tilde": s[fe.G11] / det, "K_mixed": -s[fe.G12] / det,
        "delta1": s[fe.D1], "delta2": s[fe.D2],
    }


_TRAJECTORY = ("ys", "ys_imag", "Ks", "y1", "y2", "Kc_tilde", "K_tilde", "K_mixed", "delta1", "delta2")


@dataclass(frozen=True)
class FlowResult:
    r"""The solved flow of one device, in the manner of scipy's ``OdeResult``.

    ``l`` and the coupling arrays hold the accepted integrator steps from 0 to ``l_end``; ``at(l)`` evaluates
    the continuous (dense-output) solution. Events (None if not reached): ``l_bar`` where the spin sector reaches
    strong coupling as singlet pairs (:math:`y_s = -1`), ``l_runaway`` where it does so as :math:`S_z = 0`
    triplet / SDW_z (:math:`y_s = +1`), ``l_bbar`` where :math:`|y_1|` first reached ``y_strong`` (``l_bbar2``:
    :math:`|y_2|`), ``l_drop1``/``l_drop2`` where the ``cic`` scheme dropped a vertex. ``singlet_weight`` is
    :math:`\langle\cos^2\sqrt2\phi_s\rangle` of the pinned spin field at the spin gap (1 singlet, 0 triplet).
    ``y1``, ``y2`` are magnitudes with the sign of the bare value; ``Kc_tilde``, ``K_tilde``, ``K_mixed`` the
    entries of the correlation matrix of :math:`(\phi_c, \phi)` in the rotated basis of Sec. II B. ``status``
    says how the flow ended: at a spin gap, at ``lmax``, or failed (one of
    :data:`pairing1d.theory.flow_equations.FAILURES`: a coupling reached the wall
    :data:`~pairing1d.theory.flow_equations.Y_WALL`, or the :data:`MAX_EVALUATIONS` budget ran out), and then
    ``l_end`` < ``lmax``. ``handovers[k]`` is the state where :math:`|y_1|` first reached
    ``HANDOVER_FACTORS[k] * y_strong`` while the vertex acted (``l`` and the entries of
    :data:`pairing1d.theory.flow_equations.SNAPSHOT`; None: never), what the strong-coupling step
    (:mod:`pairing1d.theory.strong_coupling`) starts from.
    """

    model: Model
    l: np.ndarray
    ys: np.ndarray
    ys_imag: np.ndarray
    Ks: np.ndarray
    y1: np.ndarray
    y2: np.ndarray
    Kc_tilde: np.ndarray
    K_tilde: np.ndarray
    K_mixed: np.ndarray
    delta1: np.ndarray
    delta2: np.ndarray
    l_bar: float | None
    l_bbar: float | None
    l_bbar2: float | None
    l_runaway: float | None
    l_drop1: float | None
    l_drop2: float | None
    singlet_weight: float | None
    l_end: float
    status: str
    nfev: int
    handovers: tuple[dict[str, float] | None, ...] = field(repr=False, compare=False)
    row: np.ndarray = field(repr=False, compare=False)
    sol: OdeSolution = field(repr=False, compare=False)

    def at(self, l: float | np.ndarray) -> dict[str, Any]:
        """Couplings at RG time(s) ``l`` in [0, l_end] from the dense output, by name (``ys``, ``ys_imag``, ``Ks``,
        ``y1``, ``y2``, ``Kc_tilde``, ``K_tilde``, ``K_mixed``, ``delta1``, ``delta2``: the coupling arrays)."""
        return named_couplings(np.asarray(self.sol(l)), self.row)

    @property
    def end(self) -> dict[str, float]:
        """Couplings at the end of the flow (at the spin gap if one opened, else at lmax)."""
        return {name: float(getattr(self, name)[-1]) for name in _TRAJECTORY}

    @property
    def l_spin_gap(self) -> float | None:
        """Where the spin sector reached strong coupling, of either kind (l_bar or l_runaway)."""
        return self.l_bar if self.l_bar is not None else self.l_runaway

    def to_dict(self, trajectory: bool = False) -> dict[str, Any]:
        """Event scales, status and the couplings at the end; the whole trajectory with ``trajectory=True``."""
        out: dict[str, Any] = {
            "l_bar": self.l_bar, "l_bbar": self.l_bbar, "l_bbar2": self.l_bbar2, "l_runaway": self.l_runaway,
            "l_drop1": self.l_drop1, "l_drop2": self.l_drop2, "singlet_weight": self.singlet_weight,
            "l_end": self.l_end, "status": self.status, "nfev": self.nfev, "end": self.end,
        }
        if trajectory:
            out["trajectory"] = {name: getattr(self, name).tolist() for name in ("l", *_TRAJECTORY)}
        return out


def solve_flow(model: Model, *, rtol: float = 1e-10, atol: float = 1e-12) -> FlowResult:
    """Integrate the flow of ``model`` with DOP853 from the bare values to the spin gap or ``lmax``.

    Returns a :class:`FlowResult` with the trajectory, the dense output and the event scales (module docstring).
    ``rtol`` and ``atol`` must lie in :data:`pairing1d.theory.model.RTOL_RANGE` and
    :data:`pairing1d.theory.model.ATOL_RANGE` (a
    one-line ModelError otherwise, before anything is integrated).
    """
    check_model(model, "solve_flow")
    rtol, atol = check_tolerances(rtol, atol)
    row = fe.pack_model(model)  # a private copy: the solver clears the alive flags of dropped vertices
    lmax = model.lmax
    cic = model.scheme == "cic"
    l_mdrop = row[fe.P_LMDROP] if cic else math.inf
    has = [row[fe.P_HAS1] != 0.0, row[fe.P_HAS2] != 0.0]
    bare_row = row.copy()  # for named_couplings (the signs of the bare vertices)
    log_strong = row[fe.P_LOG_YSTRONG]
    out = np.empty(fe.N_STATE)

    evaluations = [0]

    def fun(l, s):
        evaluations[0] += 1
        if evaluations[0] > MAX_EVALUATIONS:
            raise _Failed(fe.FAILURES[1])
        try:
            fe.rhs(l, s, row, out)
        except (OverflowError, ValueError, ZeroDivisionError):  # math.exp refuses what numba returns as inf
            out.fill(_HUGE)
        # a trial stage beyond what floats hold (a wild step far past the wall) gets a huge finite slope, which the
        # step control rejects, as the compiled kernel rejects its non-finite error; NaN would stall scipy's control.
        # The check is cheap; the replacement runs only on such stages
        if not np.isfinite(out).all():
            return np.nan_to_num(out, nan=_HUGE, posinf=_HUGE, neginf=-_HUGE)
        return out.copy()

    def wall(i):
        def event(l, s):  # |Y_i| = Y_WALL: the flow stops, the weak-coupling equations mean nothing beyond
            return s[fe.U1 + 2 * i] - fe.U_WALL
        event.terminal, event.direction = True, 1
        return event

    def spin_gap(l, s):  # |Z| = 1: the spin sector at strong coupling; the flow ends
        return s[fe.ZR] ** 2 + s[fe.ZI] ** 2 - 1.0

    spin_gap.terminal, spin_gap.direction = True, 1

    def strong(i):
        def event(l, s):  # |Y_i| = y_strong, recorded
            return s[fe.U1 + 2 * i] - log_strong
        event.direction = 1
        return event

    def drop(i):
        def event(l, s):  # cic: the mismatch of vertex i reaches the regulator's drop; restart with it frozen
            return s[fe.D1 + i] - row[fe.P_DDROP]
        event.terminal, event.direction = True, 1
        return event

    levels = [log_strong + math.log(f) for f in fe.HANDOVER_FACTORS]

    def hand(k):
        def event(l, s):  # |Y_1| = HANDOVER_FACTORS[k] y_strong: the state is recorded, the flow goes on
            return s[fe.U1] - levels[k]
        event.direction = 1
        return event

    def hands_over():  # vertex 1 present and (cic) not dropped: engine._hands_over
        return has[0] and (not cic or row[fe.P_ALIVE1] != 0.0)

    alive = [row[fe.P_ALIVE1 + i] != 0.0 for i in range(2)]
    state = row[: fe.N_STATE].copy()
    handovers: list[dict[str, float] | None] = [None] * len(levels)
    if hands_over():
        for k, level in enumerate(levels):
            if state[fe.U1] >= level:  # a bare |y1| at or above a lower threshold: handed over at l = 0
                handovers[k] = _snapshot(0.0, state)
    l = 0.0
    l_bar = l_run = weight = None
    found: dict[str, float] = {}
    ts: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    interpolants: list = []
    nfev = 0
    failure = None
    for _ in range(_MAX_SEGMENTS):
        l_stop = min(lmax, l_mdrop) if l < l_mdrop else lmax
        events = [spin_gap]
        names = ["spin"]
        for i in range(2):
            if has[i] and f"strong{i}" not in found:
                events.append(strong(i))
                names.append(f"strong{i}")
            if alive[i]:
                events.append(drop(i))
                names.append(f"drop{i}")
            if has[i]:
                events.append(wall(i))
                names.append(f"wall{i}")
        if hands_over():
            for k in range(len(levels)):
                if handovers[k] is None:
                    events.append(hand(k))
                    names.append(f"hand{k}")
        try:
            sol = solve_ivp(fun, (l, l_stop), state, method="DOP853", rtol=rtol, atol=atol, events=events,
                            dense_output=True)
        except _Failed as failed:  # the flow so far is kept (its events stand); it ends where it failed
            failure = failed.status
            break
        except ValueError as exc:  # scipy's event root finder met a NaN state ("solver cannot continue")
            if "NaN" not in str(exc):
                raise
            failure = fe.FAILURES[3]
            break
        if not sol.success:  # the step size underflowed: the same verdict as a spent budget
            failure = fe.FAILURES[1]
            break
        nfev += int(sol.nfev)
        if sol.t[-1] > l:
            ts.append(sol.t if not ts else sol.t[1:])
            ys.append(sol.y if len(ys) == 0 else sol.y[:, 1:])
            interpolants.extend(sol.sol.interpolants)
        for name, t_ev, y_ev in zip(names, sol.t_events, sol.y_events, strict=True):
            if len(t_ev) and name not in found:
                found[name] = float(t_ev[0])
                if name.startswith("hand"):
                    handovers[int(name[4:])] = _snapshot(float(t_ev[0]), y_ev[0])
        state = sol.y[:, -1].copy()
        l = float(sol.t[-1])
        if sol.status == 1 and ("wall0" in found or "wall1" in found):
            failure = fe.FAILURES[2]
            break
        if sol.status == 1 and "spin" in found:
            z = sol.y_events[0][0]
            weight = float(0.5 * (1.0 - z[fe.ZR] / math.hypot(z[fe.ZR], z[fe.ZI])))
            if weight >= 0.5:
                l_bar = found["spin"]
            else:
                l_run = found["spin"]
            break
        if sol.status == 1:  # a vertex dropped (delta = j01): it is frozen from here on
            for i in range(2):
                if alive[i] and f"drop{i}" in found:
                    alive[i] = False
                    row[fe.P_ALIVE1 + i] = 0.0
            continue
        if l >= lmax:
            break
        if l >= l_mdrop:  # the secondary's gap drops every vertex
            for i in range(2):
                if alive[i]:
                    alive[i] = False
                    row[fe.P_ALIVE1 + i] = 0.0
                    found.setdefault(f"drop{i}", l_mdrop)
    t_all = np.concatenate(ts) if ts else np.array([0.0])
    y_all = np.concatenate(ys, axis=1) if ys else row[: fe.N_STATE, None]
    dense = OdeSolution(t_all, interpolants) if interpolants else _Constant(y_all[:, 0])
    l_end = float(t_all[-1])
    l_bbar = found.get("strong0")
    l_bbar2 = found.get("strong1")
    if failure is not None:
        status = failure
    elif l_bar is not None:
        status = "spin gap: singlet pairs (ys = -1)"
    elif l_run is not None:
        status = "spin gap: Sz = 0 triplet / SDW_z (ys = +1)"
    else:
        status = "reached lmax"
    named = named_couplings(y_all, bare_row)
    return FlowResult(
        model=model, l=t_all, **{k: np.asarray(named[k]) for k in _TRAJECTORY},
        l_bar=l_bar, l_bbar=l_bbar, l_bbar2=l_bbar2, l_runaway=l_run,
        l_drop1=found.get("drop0"), l_drop2=found.get("drop1"), singlet_weight=weight,
        l_end=l_end, status=status, nfev=nfev, handovers=tuple(handovers), row=bare_row, sol=dense,
    )


def _snapshot(l: float, state: np.ndarray) -> dict[str, float]:
    """The hand-over record of a state at RG time ``l`` (:data:`pairing1d.theory.flow_equations.SNAPSHOT`)."""
    return {"l": l, **{name: float(state[i]) for name, i in zip(fe.SNAPSHOT[1:], fe.SNAPSHOT_STATE, strict=True)}}


class _Constant:
    """Dense output of a flow of zero length."""

    def __init__(self, y: np.ndarray) -> None:
        self.y = y

    def __call__(self, l):
        return self.y if np.ndim(l) == 0 else np.repeat(self.y[:, None], np.size(l), axis=1)
