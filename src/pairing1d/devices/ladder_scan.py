"""The ladder device of Sec. III A (:mod:`pairing1d.theory.ladder`) along a sweep of its back gate, computed by the
batched engine with its verdict ensemble: ``pairing1d ladder --scan-mu``, the paper's statement on the back gate
(:mod:`pairing1d.paper.claims`). The ladder's theory (cutoffs, Model, Little's limit) stays in the theory layer;
this scan needs the engine, so it lives a layer above it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..support.errors import ModelError
from ..theory.ladder import ladder_cutoffs, ladder_model

__all__ = ["back_gate_scan"]


def back_gate_scan(mu_star, K_minus: float = 0.9, gap: float = 0.05, mismatch1: float = 0.05,
                   mismatch2: float = 2.0, **model_fields: Any):
    """Phase of the ladder device along a sweep of the back gate: an :class:`xarray.Dataset` over ``mu_star`` with
    the cutoffs, the phase (codes of :data:`pairing1d.theory.phases.PHASES`), its certainty under the verdict ensemble
    (codes of :data:`pairing1d.theory.ensemble.CERTAINTIES`) and agreement, whether it is controlled, the gaps and the
    dominant order (batched engine)."""
    import xarray as xr

    from ..engine.batch import ORDERS
    from ..engine.ensemble_batch import run_ensemble
    from ..theory.ensemble import CERTAINTIES
    from ..theory.flow_equations import fields_of
    from ..theory.phases import PHASES

    mu = np.asarray(mu_star, dtype=float)
    if mu.ndim != 1 or mu.size == 0:
        raise ModelError("mu_star must be a non-empty 1D sequence of back-gate values")
    cuts = [ladder_cutoffs(gap, m, mismatch1, mismatch2) for m in mu]
    models = [ladder_model(K_minus, gap, m, mismatch1, mismatch2, **model_fields) for m in mu]
    verdicts = run_ensemble(fields_of(models))
    batch = verdicts.reported
    field = lambda name: np.array([getattr(c, name) for c in cuts])  # noqa: E731
    ds = xr.Dataset(
        {
            "lstar": ("mu_star", field("lstar")), "lstar2": ("mu_star", field("lstar2")),
            "lmass": ("mu_star", field("lmass")), "soliton_kF": ("mu_star", field("soliton_kF")),
            "phase": ("mu_star", batch.phase), "certainty": ("mu_star", verdicts.certainty),
            "agreement": ("mu_star", verdicts.agreement), "controlled": ("mu_star", batch.controlled.astype(np.int8)),
            "spin_gap": ("mu_star", batch.spin_gap),
            "trion_scale": ("mu_star", batch.trion_scale), "dominant_order": ("mu_star", batch.dominant_order),
        },
        coords={"mu_star": mu},
        attrs={"K_minus": K_minus, "gap": gap, "mismatch1": mismatch1, "mismatch2": mismatch2,
               "phase_codes": ", ".join(f"{i} {p}" for i, p in enumerate(PHASES)),
               "certainty_codes": ", ".join(f"{i} {c}" for i, c in enumerate(CERTAINTIES)),
               "dominant_order_codes": ", ".join(f"{i} {o}" for i, o in enumerate(ORDERS)),
               "energy_unit": "Lambda_sec = u_-/alpha0",
               **{k: (str(v) if isinstance(v, bool) else v) for k, v in model_fields.items()}},
    )
    ds["mu_star"].attrs["long_name"] = "back-gate potential difference mu* / Lambda_sec"
    return ds
