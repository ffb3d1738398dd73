r"""The RG's prediction for a point of the spin-stiffness study, under every flow, scheme and :math:`y^0` convention.

Through :func:`.bridge.bosonize` (``line13`` for the paper's flow, as in :mod:`.phase_map`) and
:func:`pairing1d.theory.phases.phase_of`: the phase, whether it is controlled, the spin gap :math:`v_Fe^{-\bar\ell}` in
units of :math:`t`, and the marginal spin coupling at the lengths of the chain, :math:`y_s(\ell = \ln L)` (the
lattice spacing is the RG's :math:`\alpha_0`). From it the RG's own :math:`\kappa`,

.. math::
    \kappa_{\rm RG}(L) = \frac{1 + y_s(\ln L)/2}{1 + y_s^{\rm ref}(\ln L)/2}, \qquad
    y_s^{\rm ref}(\ell) = \frac{y_s^0}{1 + y_s^0\ell},

the reference being the Hubbard chain alone (no vertex: the closed form of the SU(2) line), to first order in
:math:`y_s` (:math:`K_s^{\rm eff} = 1 + y_s/2`). Where the flow reached a spin gap before :math:`\ln L`, :math:`y_s`
is past strong coupling and no :math:`\kappa_{\rm RG}` is given.

The verdict ensemble of :class:`~pairing1d.theory.phases.PhaseResult` (``ensemble``, ``agreement``, ``certainty``) and
the verdict under every scheme of the same flow (``verdict_by_scheme``) are reported beside each verdict.

:func:`rg_critical_U`: per flow, scheme and convention, the repulsion :math:`U_c` at which the RG's verdict at the
point turns from a spin gap (paired or trion) to decoupled, by bisection on :math:`[0, U_{\max}]`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ..support.errors import ModelError
from ..theory.model import FLOWS, SCHEMES
from ..theory.phases import phase_of
from .bridge import bosonize
from .params import LatticeParams

__all__ = ["COMBOS", "rg_prediction", "rg_critical_U", "kappa_rg", "GAPPED"]

COMBOS: tuple[tuple[str, str], ...] = tuple((flow, scheme) for flow in FLOWS for scheme in SCHEMES)
Y_NORMALIZATIONS = ("paper", "derived")
"""The normalizations of :math:`y^0` the prediction is given under
(:func:`pairing1d.theory.model.y_from_backscattering`),
the bridge's default first."""
GAPPED = ("paired", "trion")
"""The RG verdicts with a spin gap (the trion's spin sector is locked with the charge)."""


def kappa_rg(ys: float, ys0_ref: float, ell: float) -> float:
    r""":math:`\kappa_{\rm RG}` of the module docstring from :math:`y_s(\ell)` and the chain alone's :math:`y_s^0`."""
    ref = ys0_ref / (1.0 + ys0_ref * ell) if ys0_ref > -1.0 / ell else -1.0
    return (1.0 + ys / 2.0) / (1.0 + ref / 2.0)


def _solve(couplings: dict[str, float], n: float, ns: float, L: int, flow: str, scheme: str, convention: str):
    bos = bosonize(LatticeParams(L=L, **couplings), n, ns, flow=flow, scheme=scheme, line13=(flow == "paper"),
                   y_normalization=convention)
    return bos, phase_of(bos.model)


def _ensemble(result) -> dict[str, Any]:
    """The verdict ensemble of ``result``: its members' phases, the agreement and the certainty."""
    return {"ensemble": {str(k): str(v) for k, v in result.ensemble.items()}, "agreement": result.agreement,
            "certainty": str(result.certainty)}


def rg_prediction(couplings: dict[str, float], n: float, ns: float, lengths: Sequence[int]) -> dict[str, Any]:
    """Per ``"flow/scheme"`` and :math:`y^0` convention (``"paper"`` first): the RG's verdict at the point with the
    chain length ``max(lengths)`` (module docstring), :math:`y_s(\\ln L)` and :math:`\\kappa_{\\rm RG}(L)` at each
    length, the verdict under every scheme of the same flow and, when available, the verdict ensemble."""
    lengths = sorted(int(L) for L in lengths)
    out: dict[str, Any] = {}
    for convention in Y_NORMALIZATIONS:
        for flow, scheme in COMBOS:
            label = f"{flow}/{scheme}"
            try:
                bos, result = _solve(couplings, n, ns, lengths[-1], flow, scheme, convention)
            except ModelError as exc:  # a point outside the bridge's or the flow's range
                out.setdefault(convention, {})[label] = {"phase": None, "error": " ".join(str(exc).split())}
                continue
            f = result.flow
            ys, kap = {}, {}
            for L in lengths:
                ell = math.log(L)
                if f.l_bar is not None and f.l_bar <= ell or ell > f.l_end:
                    ys[str(L)] = kap[str(L)] = None
                    continue
                ys[str(L)] = float(f.at(ell)["ys"])
                kap[str(L)] = kappa_rg(ys[str(L)], bos.ys0, ell)
            by_scheme = dict(result.verdict_by_scheme)
            out.setdefault(convention, {})[label] = {
                "phase": result.phase, "controlled": result.controlled,
                "spin_gap": None if result.spin_gap is None else result.spin_gap * bos.vF,
                "l_bar": f.l_bar, "ys0": bos.ys0, "y0": bos.y0, "lstar1": bos.lstar1, "ys": ys, "kappa": kap,
                "verdict_by_scheme": by_scheme,
            } | _ensemble(result)
    return out


def rg_critical_U(rest: dict[str, float], n: float, ns: float, L: int, U_max: float = 2.0, steps: int = 12
                  ) -> dict[str, Any]:
    """Per convention and ``"flow/scheme"``: the :math:`U` in :math:`[0, U_{\\max}]` where the verdict turns from
    :data:`GAPPED` to decoupled (bisection, ``steps`` halvings: :math:`U_{\\max}/2^{12} = 5\\times10^{-4}`), the
    verdict at :math:`U = 0` and at :math:`U_{\\max}`; ``U_c`` None when both ends agree (``note`` says which)."""
    out: dict[str, Any] = {}
    for convention in Y_NORMALIZATIONS:
        for flow, scheme in COMBOS:
            def phase(U: float, flow=flow, scheme=scheme, convention=convention) -> str | None:
                try:
                    return _solve(rest | {"U": U}, n, ns, L, flow, scheme, convention)[1].phase
                except ModelError:
                    return None

            lo, hi = phase(0.0), phase(U_max)
            entry: dict[str, Any] = {"at_0": lo, "at_max": hi, "U_max": U_max, "U_c": None, "note": None}
            if lo is None or hi is None:
                entry["note"] = "outside the flow's range at an end"
            elif (lo in GAPPED) == (hi in GAPPED):
                entry["note"] = f"{lo} at U = 0 and {hi} at U = {U_max:g}: no transition in between"
            else:
                a, b = 0.0, U_max
                for _ in range(steps):
                    mid = 0.5 * (a + b)
                    p = phase(mid)
                    if p is not None and (p in GAPPED) == (lo in GAPPED):
                        a = mid
                    else:
                        b = mid
                entry["U_c"] = 0.5 * (a + b)
            out.setdefault(convention, {})[f"{flow}/{scheme}"] = entry
    return out
