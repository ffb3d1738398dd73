"""One solved flow to a NetCDF file and back, with its whole trajectory.

:func:`~pairing1d.theory.flow_io.save_flow` writes it, :func:`~pairing1d.theory.flow_io.load_flow` reads it back.

The file (an :class:`xarray.Dataset`, ``flow_dataset``) holds, over the dimension ``l`` of the solver's accepted steps,
the named couplings of :class:`~pairing1d.theory.rg.FlowResult` (``ys``, ``y1``, ``Kc_tilde``, ...) and the raw state
``state[variable, l]`` (:data:`pairing1d.theory.flow_equations.STATE`); the packed row the flow was integrated with
(``row[packed]``); and, as attributes, the Model's fields (JSON), the events, the status, the hand-over states (JSON)
and the provenance (:func:`pairing1d.support.environment.provenance`).
A loaded flow is the same :class:`~pairing1d.theory.rg.FlowResult` (every field equal), and its dense output too:
the solver's interpolant is a polynomial of degree 7 within each step
(DOP853), so the file stores it at :data:`NODES` interior Chebyshev-Lobatto nodes of every step
(``dense[variable, step, node]``), and the loaded ``at(l)`` interpolates the step's ten nodes (both ends included)
with the polynomial of degree 9 through them, which is that polynomial again, to rounding.
:func:`pairing1d.theory.phases.classify` of a loaded flow gives the verdict of the original.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from ..support.errors import ModelError
from . import flow_equations as fe
from .model import Model

__all__ = ["flow_dataset", "save_flow", "load_flow", "FLOW_FORMAT", "NODES"]

FLOW_FORMAT = 1
"""Version of the file layout (attribute ``pairing1d_flow_format``)."""

NODES = 8
"""Interior nodes per step at which the file stores the dense output (with the step's ends: ten, one more than a
polynomial of degree 7 needs, for a margin on rounding)."""
_X = (1.0 - np.cos(np.pi * np.arange(NODES + 2) / (NODES + 1))) / 2.0  # Chebyshev-Lobatto on [0, 1], ends included

_EVENTS = ("l_bar", "l_bbar", "l_bbar2", "l_runaway", "l_drop1", "l_drop2", "singlet_weight")


def _json_value(value: Any) -> Any:
    """JSON-safe: an infinity as the string "inf" (the convention of every output), None as null."""
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def _from_json(value: Any) -> Any:
    return {"inf": math.inf, "-inf": -math.inf}.get(value, value) if isinstance(value, str) else value


def flow_dataset(flow) -> Any:
    """The :class:`xarray.Dataset` of a :class:`~pairing1d.theory.rg.FlowResult` (module docstring)."""
    import xarray as xr

    from .. import __version__
    from ..support.environment import provenance_json
    from .rg import _TRAJECTORY

    l = np.asarray(flow.l, dtype=float)
    states = np.asarray(flow.sol(l), dtype=float).reshape(fe.N_STATE, -1)
    width = np.diff(l)
    at = l[:-1, None] + width[:, None] * _X[None, 1:-1]  # (step, node)
    dense = np.asarray(flow.sol(at.ravel()), dtype=float).reshape(fe.N_STATE, *at.shape) if at.size else \
        np.zeros((fe.N_STATE, 0, NODES))
    model = {name: _json_value(getattr(flow.model, name)) for name in Model.field_names()}
    handovers = [None if h is None else {k: _json_value(float(v)) for k, v in h.items()} for h in flow.handovers]
    ds = xr.Dataset(
        {**{name: ("l", np.asarray(getattr(flow, name), dtype=float)) for name in _TRAJECTORY},
         "state": (("variable", "l"), states), "dense": (("variable", "step", "node"), dense),
         "row": ("packed", np.asarray(flow.row, dtype=float))},
        coords={"l": np.asarray(flow.l, dtype=float), "variable": list(fe.STATE)},
        attrs={"title": "pairing1d RG flow", "pairing1d_version": __version__, "pairing1d_flow_format": FLOW_FORMAT,
               "provenance": provenance_json(), "model": json.dumps(model),
               "events": json.dumps({name: _json_value(getattr(flow, name)) for name in _EVENTS}),
               "handovers": json.dumps(handovers), "status": flow.status, "nfev": int(flow.nfev),
               "l_end": float(flow.l_end),
               "conventions": "l: RG time of the solver's accepted steps; events null when not reached"},
    )
    ds["l"].attrs["long_name"] = "RG time l = ln(Lambda_0 / Lambda)"
    return ds


def save_flow(flow, path: str | Path) -> Path:
    """Write a :class:`~pairing1d.theory.rg.FlowResult` to the NetCDF file ``path``, atomically (a temporary name in the
    same
    folder, renamed into place; an existing file is replaced only by a complete new one). Returns the path."""
    from ..support.files import write_atomically

    image = flow_dataset(flow).to_netcdf(engine="h5netcdf")
    return write_atomically(Path(path), lambda tmp: tmp.write_bytes(image))


class _StoredSolution:
    """The dense output of a loaded flow: ``sol(l)`` of shape (12,) for a number, (12, m) for m values, as scipy's
    ``OdeSolution``: in each step the polynomial through its ten stored nodes (module docstring)."""

    def __init__(self, l: np.ndarray, states: np.ndarray, dense: np.ndarray) -> None:
        self._l = l
        # values at the ten nodes of every step: (variable, step, node)
        self._values = np.concatenate([states[:, :-1, None], dense, states[:, 1:, None]], axis=2)
        self._states = states

    def __call__(self, l):
        from scipy.interpolate import BarycentricInterpolator

        scalar = np.ndim(l) == 0
        query = np.atleast_1d(np.asarray(l, dtype=float))
        out = np.empty((fe.N_STATE, query.size))
        if self._l.size == 1:
            out[:] = self._states[:, :1]
        else:
            # the step holding each l (a zero-length step, a solver restart, holds none)
            step = np.clip(np.searchsorted(self._l, query, side="right") - 1, 0, self._l.size - 2)
            for k in np.unique(step):
                sel = step == k
                a, b = self._l[k], self._l[k + 1]
                if b <= a:
                    out[:, sel] = self._states[:, k + 1, None]
                    continue
                poly = BarycentricInterpolator(_X, self._values[:, k, :].T)
                out[:, sel] = poly((query[sel] - a) / (b - a)).T
        return out[:, 0] if scalar else out


def load_flow(path: str | Path):
    """The :class:`~pairing1d.theory.rg.FlowResult` saved by :func:`save_flow` in ``path`` (a one-line
    :class:`~pairing1d.support.errors.ModelError` for a file that is not one)."""
    from ..support.files import read_netcdf
    from .rg import _TRAJECTORY, FlowResult

    path = Path(path)
    ds = read_netcdf(path, ModelError, "flow file")
    if ds.attrs.get("pairing1d_flow_format") != FLOW_FORMAT or "state" not in ds:
        raise ModelError(f"{str(path)!r} is not a pairing1d flow file (pairing1d.save_flow, format {FLOW_FORMAT})")
    model = Model(**{name: _from_json(value) for name, value in json.loads(ds.attrs["model"]).items()})
    events = {name: _from_json(value) for name, value in json.loads(ds.attrs["events"]).items()}
    handovers = tuple(None if h is None else {k: _from_json(v) for k, v in h.items()}
                      for h in json.loads(ds.attrs["handovers"]))
    l = ds["l"].values.astype(float)
    row = ds["row"].values.astype(float)
    return FlowResult(
        model=model, l=l, **{name: ds[name].values.astype(float) for name in _TRAJECTORY}, **events,
        l_end=float(ds.attrs["l_end"]), status=str(ds.attrs["status"]), nfev=int(ds.attrs["nfev"]),
        handovers=handovers, row=row,
        sol=_StoredSolution(l, ds["state"].values.astype(float), ds["dense"].values.astype(float)),
    )
