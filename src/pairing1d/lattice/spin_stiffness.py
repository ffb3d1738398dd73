r"""The sign of the marginal spin coupling on a finite chain: the spin stiffness ratio and the spin-gap ratio.

Along the SU(2) line the spin sector flows as :math:`dy_s/d\ell = -y_s^2` once the inter-chain vertex is cut off, so
paired (a spin gap, however small) versus decoupled is the sign of :math:`y_s` there. A finite chain of :math:`L`
cells sees the coupling at :math:`\ell = \ln L` through the effective spin Luttinger parameter
:math:`K_s^{\rm eff}(L) = 1 + y_s(\ln L)/2 + \dots`: above 1 approaching 1 for :math:`y_s > 0` (marginally
irrelevant), below 1 and falling for :math:`y_s < 0` (marginally relevant; a Luther-Emery liquid, :math:`K_s \to 0`).
Two independent readings of :math:`K_s^{\rm eff}`:

* **From the ground state's correlations.** The spin structure factor at the lowest standing wave of the open chain
  (the cosine modes of :func:`.observables.structure_factor`, :math:`q_1 = \pi/L`),

  .. math::
      S_s(q_1) = \frac{2}{L}\sum_{ij}\cos[q_1(i-\tfrac12)]\cos[q_1(j-\tfrac12)]\,
          \langle S^z_iS^z_j\rangle_c \;\to\; \frac{K_s q_1}{4\pi},

  so :math:`4\pi S_s(q_1)/q_1` is a :math:`K_s` proxy (1 + O(1/L) for free fermions). The **stiffness ratio**
  :math:`\kappa(L) = S_s(q_1)/S_s^{\rm ref}(q_1)` divides by the same quantity of a reference chain of the same
  length and filling, which takes out the open chain's :math:`1/L` corrections: for a coupled point the Hubbard chain
  alone at the same :math:`U`, for a chain alone the free chain (:func:`free_chain`, exact).
* **From the energies.** The :math:`S^z = 1` gap of a Luttinger liquid's zero mode is
  :math:`\Delta_s = \pi v_s/(K_sL)` (:math:`L + 1` on an open chain), so :math:`(L+1)\Delta_s/\pi = v_s/K_s`, and
  the **gap ratio** :math:`\rho(L) = \Delta_s(L)/\Delta_{\rm ref}(L)` rises when :math:`K_s^{\rm eff}` falls.

**The rule** (:func:`spin_verdict`, fixed before the study's runs finished; ``docs/lattice.md`` Sec. 9) reads the
three longest lengths :math:`L_1 < L_2 < L_3`, each value with its uncertainty :math:`\sigma` (the two-:math:`\chi`
comparison of :class:`Ladder`, the reference's added in quadrature):

* *paired* if :math:`\kappa(L_3) < 1` by more than :math:`3\sigma`, :math:`\kappa` falls,
  :math:`\kappa(L_1) > \kappa(L_2) > \kappa(L_3)`, with :math:`\kappa(L_1) - \kappa(L_3) > 3\sigma`, and the gap
  ratio rises, :math:`\rho(L_3) - \rho(L_1) > 3\sigma`;
* *decoupled* if :math:`\kappa \to 1`: :math:`\kappa(L_3) > 1 - 3\sigma`, or :math:`\kappa` rises towards 1 by more
  than :math:`3\sigma`; and the gap ratio is flat: it rises by no more than :math:`\kappa` falls,
  :math:`\rho(L_3)\kappa(L_3) - \rho(L_1)\kappa(L_1) < 3\sigma` (in a Luttinger liquid
  :math:`\rho\kappa = v_s/v_s^{\rm ref}` does not depend on :math:`L`);
* *undetermined* otherwise, with the reason (a quantity whose error exceeds what it decides lands here). Amended
  once the first coupled point with a repulsive primary had its runs (``docs/lattice.md`` Sec. 9): *decoupled*
  also needs :math:`3\sigma(\kappa(L_3))` below :math:`1 - \kappa(L_3)` of the weakest attractive control at that
  length (``resolution``), since "consistent with 1" by a large error is no evidence against pairing.

**A gap** is quoted only from the two-parameter fit of the relativistic box (:func:`gap_fit`),
:math:`\Delta(L)^2 = \Delta_\infty^2 + A^2\Delta_{\rm ref}(L)^2` over three or more lengths, and only when
:math:`\Delta_\infty^2 > 0` by :math:`3\sigma`; otherwise the fit gives an upper bound.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from .observables import structure_factor
from .params import LatticeError

__all__ = [
    "N_SIGMA", "FIT_L_MIN", "spin_structure_factor", "ks_proxy", "FreeChain", "free_chain", "Ladder", "ladder",
    "Reading", "reading", "SpinVerdict", "spin_verdict", "GapFit", "gap_fit",
]

N_SIGMA = 3.0
"""How many standard deviations a change must exceed to count (the rule of the module docstring)."""
FIT_L_MIN = 24
"""The shortest length :func:`gap_fit` uses by default (the box formula holds for :math:`L \\gg` a lattice spacing;
:math:`L = 12` leaves the study's single unlocked hole in a box of twelve cells)."""


def spin_structure_factor(SzSz: Any) -> float:
    r""":math:`S_s(q_1)` of a connected :math:`\langle S^z_iS^z_j\rangle_c` matrix (module docstring)."""
    return structure_factor(np.asarray(SzSz, dtype=float), 1)[1]


def ks_proxy(S_s: float, L: int) -> float:
    r"""The :math:`K_s` proxy :math:`4\pi S_s(q_1)/q_1 = 4LS_s(q_1)` (1 + O(1/L) for free fermions)."""
    return 4.0 * L * S_s


@dataclass(frozen=True)
class FreeChain:
    r"""The free spinful chain of :math:`L` sites with open ends (the reference at :math:`U = 0`), exactly: ground
    energy, :math:`S^z = 1` gap :math:`E(N_\uparrow{+}1, N_\downarrow{-}1) - E(N_\uparrow, N_\downarrow)` and
    :math:`S_s(q_1)`."""

    L: int
    N_up: int
    N_dn: int
    t: float
    energy: float
    spin_gap: float
    S_s: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _orbitals(L: int, t: float) -> tuple[np.ndarray, np.ndarray]:
    k = np.arange(1, L + 1)
    levels = -2.0 * t * np.cos(np.pi * k / (L + 1))
    sites = np.arange(1, L + 1)
    return levels, math.sqrt(2.0 / (L + 1)) * np.sin(np.pi * np.outer(sites, k) / (L + 1))


def free_SzSz(L: int, N_up: int, N_dn: int) -> np.ndarray:
    r"""Exact :math:`\langle S^z_iS^z_j\rangle_c` of the free open chain:
    :math:`\frac14\sum_\sigma[\delta_{ij}G^\sigma_{ii} - (G^\sigma_{ij})^2]` with
    :math:`G^\sigma = \sum_{k \le N_\sigma}\phi_k\phi_k^T`, :math:`\phi_k(i) = \sqrt{2/(L+1)}\sin[\pi ki/(L+1)]`
    (Wick's theorem; the two spins are independent)."""
    _, phi = _orbitals(L, 1.0)
    out = np.zeros((L, L))
    for N in (N_up, N_dn):
        G = phi[:, :N] @ phi[:, :N].T
        out += np.diag(np.diag(G)) - G * G
    return out / 4.0


def free_chain(L: int, N_up: int, N_dn: int, t: float = 1.0) -> FreeChain:
    r"""The exact free chain (:class:`FreeChain`): levels :math:`-2t\cos[\pi k/(L+1)]`, :math:`k = 1 \dots L`."""
    if isinstance(L, bool) or not isinstance(L, int) or L < 2:
        raise LatticeError(f"L = {L!r} is outside the allowed range of integers >= 2 (sites)")
    if not (0 < N_dn <= L and 0 <= N_up < L):
        raise LatticeError(f"N_up = {N_up!r}, N_dn = {N_dn!r} leave no S^z = 1 sector on {L} sites")
    if not (math.isfinite(t) and t > 0):
        raise LatticeError(f"t = {t!r} is outside the allowed range (0, inf) (hopping)")
    levels, _ = _orbitals(L, t)
    energy = float(levels[:N_up].sum() + levels[:N_dn].sum())
    return FreeChain(L=L, N_up=N_up, N_dn=N_dn, t=float(t), energy=energy,
                     spin_gap=float(levels[N_up] - levels[N_dn - 1]),
                     S_s=spin_structure_factor(free_SzSz(L, N_up, N_dn)))


@dataclass(frozen=True)
class Ladder:
    r"""One quantity on the bond-dimension ladder: its values per :math:`\chi`, the value at the largest and its
    uncertainty, the change to the next largest (the two-:math:`\chi` comparison; None with one :math:`\chi`)."""

    chis: tuple[int, ...]
    values: tuple[float, ...]

    @property
    def value(self) -> float:
        return self.values[-1]

    @property
    def error(self) -> float | None:
        return abs(self.values[-1] - self.values[-2]) if len(self.values) > 1 else None

    def to_dict(self) -> dict[str, Any]:
        return {"chis": list(self.chis), "values": list(self.values), "value": self.value, "error": self.error}


def ladder(by_chi: Mapping[int, float]) -> Ladder | None:
    """A :class:`Ladder` from values by bond dimension (None if empty)."""
    chis = tuple(sorted(by_chi))
    return Ladder(chis, tuple(float(by_chi[c]) for c in chis)) if chis else None


def _ratio(a: float, sa: float | None, b: float, sb: float | None) -> tuple[float, float | None]:
    """a/b and its uncertainty (relative errors in quadrature); None if either is unknown."""
    if b == 0:
        raise LatticeError("a reference quantity is zero: the ratio is undefined")
    r = a / b
    if sa is None or sb is None:
        return r, None
    return r, abs(r) * math.hypot(sa / a if a else 0.0, sb / b)


@dataclass(frozen=True)
class Reading:
    r"""What one length says: :math:`S_s(q_1)` and :math:`\Delta_s` of the chain and of its reference, the stiffness
    ratio :math:`\kappa` and the gap ratio :math:`\rho` with uncertainties (None: a single :math:`\chi`, or no
    gap), the :math:`K_s` proxy and :math:`v_s/K_s = (L+1)\Delta_s/\pi`."""

    L: int
    S_s: Ladder
    S_ref: float
    S_ref_error: float | None
    gap: Ladder | None
    gap_ref: float | None
    gap_ref_error: float | None
    kappa: float
    kappa_error: float | None
    ratio: float | None
    ratio_error: float | None

    @property
    def ks_proxy(self) -> float:
        return ks_proxy(self.S_s.value, self.L)

    @property
    def vs_over_Ks(self) -> float | None:
        return None if self.gap is None else (self.L + 1) * self.gap.value / math.pi

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if k not in ("S_s", "gap")}
        return out | {"S_s": self.S_s.to_dict(), "gap": None if self.gap is None else self.gap.to_dict(),
                      "ks_proxy": self.ks_proxy, "vs_over_Ks": self.vs_over_Ks}


def reading(L: int, S_s: Ladder, S_ref: float, S_ref_error: float | None, gap: Ladder | None = None,
            gap_ref: float | None = None, gap_ref_error: float | None = None) -> Reading:
    """Combine a chain's ladders with its reference's values (an exact reference has error 0)."""
    kappa, kappa_error = _ratio(S_s.value, S_s.error, S_ref, S_ref_error)
    ratio = ratio_error = None
    if gap is not None and gap_ref is not None:
        ratio, ratio_error = _ratio(gap.value, gap.error, gap_ref, gap_ref_error)
    return Reading(L=L, S_s=S_s, S_ref=S_ref, S_ref_error=S_ref_error, gap=gap, gap_ref=gap_ref,
                   gap_ref_error=gap_ref_error, kappa=kappa, kappa_error=kappa_error, ratio=ratio,
                   ratio_error=ratio_error)


@dataclass(frozen=True)
class SpinVerdict:
    """The rule's verdict (module docstring): ``phase`` "paired", "decoupled" or None (undetermined), the ``reason``
    in words, the lengths it read and the changes it compared, each with its uncertainty."""

    phase: str | None
    reason: str
    lengths: tuple[int, ...] = ()
    numbers: dict[str, float | None] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.phase or "undetermined"

    def to_dict(self) -> dict[str, Any]:
        return {"phase": self.phase, "label": self.label, "reason": self.reason, "lengths": list(self.lengths),
                "numbers": dict(self.numbers)}


def _q(*errors: float | None) -> float | None:
    return None if any(e is None for e in errors) else math.hypot(*errors)


def spin_verdict(readings: Sequence[Reading] | Mapping[int, Reading], kappa_of=None, n_sigma: float = N_SIGMA,
                 resolution: Mapping[int, float] | None = None) -> SpinVerdict:
    r"""The rule of the module docstring on the three longest lengths of ``readings``. ``kappa_of(reading)`` returns
    the (value, error) of the stiffness ratio to judge (default the reading's :math:`\kappa`; the study also judges
    :math:`\kappa_{\rm abs}` against the free chain). ``resolution`` (length -> :math:`1 - \kappa` of the weakest
    attractive control there; :func:`~pairing1d.lattice.stiffness_study.stiffness_study` passes it) makes *decoupled*
    also require :math:`3\sigma(\kappa(L_3))` below it: an error that large could hide a point paired like that
    control, so the rule could not have seen what it looks for (a length without a control: no decoupled verdict)."""
    rows = sorted(readings.values() if isinstance(readings, Mapping) else readings, key=lambda r: r.L)
    kappa_of = kappa_of or (lambda r: (r.kappa, r.kappa_error))
    if len(rows) < 3:
        return SpinVerdict(None, f"{len(rows)} length(s); the rule reads three")
    r1, r2, r3 = rows[-3:]
    lengths = (r1.L, r2.L, r3.L)
    (k1, s1), (k2, s2), (k3, s3) = kappa_of(r1), kappa_of(r2), kappa_of(r3)
    if None in (s1, s2, s3):
        return SpinVerdict(None, "a length has a single bond dimension: no error, no verdict", lengths)
    fall, s_fall = k1 - k3, math.hypot(s1, s3)
    numbers: dict[str, float | None] = {"kappa_1": k1, "kappa_3": k3, "sigma_kappa_3": s3, "fall": fall,
                                        "sigma_fall": s_fall}
    have_ratio = all(r.ratio is not None and r.ratio_error is not None for r in (r1, r3))
    rise = s_rise = flat = s_flat = None
    if have_ratio:
        rise, s_rise = r3.ratio - r1.ratio, math.hypot(r1.ratio_error, r3.ratio_error)
        flat = r3.ratio * k3 - r1.ratio * k1
        s_flat = math.hypot(r3.ratio * k3 * math.hypot(r3.ratio_error / r3.ratio, s3 / k3),
                            r1.ratio * k1 * math.hypot(r1.ratio_error / r1.ratio, s1 / k1))
    numbers |= {"ratio_rise": rise, "sigma_ratio_rise": s_rise, "ratio_kappa_change": flat,
                "sigma_ratio_kappa_change": s_flat}
    words = (f"kappa {k1:.4f} -> {k2:.4f} -> {k3:.4f} (L = {r1.L}, {r2.L}, {r3.L}; sigma {s1:.1e}, {s2:.1e}, "
             f"{s3:.1e})")
    if have_ratio:
        words += f", gap ratio {r1.ratio:.4f} -> {r3.ratio:.4f} (sigma {s_rise:.1e})"
    below = k3 < 1.0 - n_sigma * s3
    falls = k1 > k2 > k3 and fall > n_sigma * s_fall
    if below and falls:
        if not have_ratio:
            return SpinVerdict(None, f"{words}: kappa < 1 and falling, but no gap ratio to confirm", lengths, numbers)
        if rise > n_sigma * s_rise:
            return SpinVerdict("paired", f"{words}: kappa < 1 falls and the gap ratio rises", lengths, numbers)
        return SpinVerdict(None, f"{words}: kappa < 1 falls but the gap ratio does not rise by {n_sigma:g} sigma",
                           lengths, numbers)
    to_one = k3 > 1.0 - n_sigma * s3 or (k3 - k1 > n_sigma * s_fall)
    if to_one:
        if not have_ratio:
            return SpinVerdict(None, f"{words}: kappa -> 1, but no gap ratio to confirm", lengths, numbers)
        if resolution is not None and not n_sigma * s3 < resolution.get(r3.L, 0.0):
            weakest = resolution.get(r3.L)
            return SpinVerdict(None, f"{words}: kappa is consistent with 1, but {n_sigma:g} sigma = {n_sigma * s3:.2g} "
                               + (f"is not below 1 - kappa = {weakest:.2g} of the weakest attractive control at "
                                  f"L = {r3.L}: a point paired like it could not be told apart" if weakest is not None
                                  else f"cannot be compared with any attractive control at L = {r3.L}"),
                               lengths, numbers)
        if flat <= n_sigma * s_flat + 1e-9 * abs(r1.ratio * k1):  # the floor: rounding of an exact reading
            return SpinVerdict("decoupled", f"{words}: kappa -> 1 and the gap ratio rises no more than kappa falls",
                               lengths, numbers)
        return SpinVerdict(None, f"{words}: kappa -> 1 but the gap ratio rises by more than kappa falls "
                           f"(ratio x kappa changes by {flat:+.4f} +- {s_flat:.1e})", lengths, numbers)
    why = ("kappa < 1 but does not fall monotonically by " if below else "kappa neither below 1 by ") + \
        f"{n_sigma:g} sigma"
    return SpinVerdict(None, f"{words}: {why}", lengths, numbers)


@dataclass(frozen=True)
class GapFit:
    r"""The fit :math:`\Delta(L)^2 = \Delta_\infty^2 + A^2\Delta_{\rm ref}(L)^2` (:func:`gap_fit`): ``gap_squared``
    :math:`\Delta_\infty^2` and its error, ``amplitude`` :math:`A`, the lengths used, ``resolved`` when
    :math:`\Delta_\infty^2 > 3\sigma`; then ``gap`` :math:`\Delta_\infty` and ``gap_error``, else ``upper_bound``
    :math:`\sqrt{\max(0, \Delta_\infty^2) + 3\sigma}`."""

    lengths: tuple[int, ...]
    gap_squared: float
    gap_squared_error: float
    amplitude: float
    chi2_per_dof: float | None
    resolved: bool
    gap: float | None
    gap_error: float | None
    upper_bound: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def gap_fit(readings: Sequence[Reading] | Mapping[int, Reading], L_min: int = FIT_L_MIN,
            n_sigma: float = N_SIGMA) -> GapFit | None:
    r"""Weighted least squares of :math:`\Delta^2` on :math:`\Delta_{\rm ref}^2` over the lengths
    :math:`\ge` ``L_min`` with a gap, its reference and their errors (at least three; else None). Weights from the
    gaps' two-:math:`\chi` errors (floored at :math:`10^{-9}` relative, so an exact reference does not divide by zero);
    the parameters' covariance is scaled by :math:`\max(1, \chi^2/\text{dof})` (the box formula is only the leading
    term: the residuals, not only the DMRG errors, set the uncertainty)."""
    rows = sorted(readings.values() if isinstance(readings, Mapping) else readings, key=lambda r: r.L)
    rows = [r for r in rows if r.L >= L_min and r.gap is not None and r.gap_ref is not None
            and r.gap.error is not None and r.gap_ref_error is not None]
    if len(rows) < 3:
        return None
    y = np.array([r.gap.value ** 2 for r in rows])
    x = np.array([r.gap_ref ** 2 for r in rows])
    sy = np.array([max(2.0 * abs(r.gap.value) * math.hypot(r.gap.error, r.ratio * r.gap_ref_error if r.ratio else 0.0),
                       1e-9 * abs(r.gap.value) ** 2) for r in rows])
    A = np.column_stack([np.ones_like(x), x]) / sy[:, None]
    b = y / sy
    coef, *_ = np.linalg.lstsq(A, b, rcond=None)
    residual = b - A @ coef
    dof = len(rows) - 2
    chi2 = float(residual @ residual) / dof if dof > 0 else None
    cov = np.linalg.inv(A.T @ A) * max(1.0, chi2 or 1.0)
    a, slope = float(coef[0]), float(coef[1])
    sa = math.sqrt(max(float(cov[0, 0]), 0.0))
    resolved = a > n_sigma * sa
    gap = math.sqrt(a) if resolved else None
    return GapFit(lengths=tuple(r.L for r in rows), gap_squared=a, gap_squared_error=sa,
                  amplitude=math.sqrt(slope) if slope > 0 else 0.0, chi2_per_dof=chi2, resolved=resolved, gap=gap,
                  gap_error=None if gap is None else sa / (2.0 * gap),
                  upper_bound=None if resolved else math.sqrt(max(a, 0.0) + n_sigma * sa))
