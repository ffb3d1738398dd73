r"""The resumable store of a design search: every evaluated design's unit-cube row and results, verified.

One NetCDF file (:func:`pairing1d.engine.netcdf.save_netcdf`: written under a temporary name and renamed, so a
reader sees the old file or the new one, never half), rewritten after every chunk of the space-filling stage and every
:data:`FLUSH` evaluations of the refinement, so that an interrupted search loses at most that much:

* the **survey** (dimension ``survey``): all its unit-cube rows, drawn once when the store is made and stored with a
  checksum (a resumed search evaluates the stored rows, whatever the sampler of another scipy would draw), the
  results of :data:`pairing1d.design.evaluation.RESULTS` per row, and per chunk of :data:`CHUNK` rows a done flag and a
  BLAKE2b checksum of its rows and results;
* the **refinement** (dimension ``refine``): the rows the local optimizer evaluated, in order, with the seed each
  belongs to and their results, in blocks with a checksum each; on resume they are the optimizer's cache: it replays
  the same steps and finds every stored evaluation instead of computing it again;
* the refinement's ``seeds`` (survey rows) and the **ranked** designs' gate windows (``ranked_*``), each with a
  checksum.

A resumed store is verified before anything is reused: its space's fingerprint must be this space's; a survey chunk
whose checksum fails is computed again; a refinement block that fails is dropped with every later one (they are
recomputed by the replay); damaged seeds or rankings are recomputed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ..support.checksums import array_checksum as checksum
from .evaluation import RESULTS
from .space import DesignError, DesignSpace

__all__ = ["CHUNK", "FLUSH", "STORE_FORMAT", "new_data", "open_design", "load_data", "save_data", "verify",
           "checksum", "space_json"]

CHUNK = 1024
"""Survey rows per chunk (stored, with a checksum, as soon as they are evaluated)."""
FLUSH = 32
"""Refinement evaluations between two writes of the store (at most this many are lost to an interruption)."""
STORE_FORMAT = 1
"""The store's format (attribute ``design_format``)."""

RANKED = ("ranked_stage", "ranked_index", "ranked_window")


def space_json(space: DesignSpace) -> str:
    return json.dumps(space.to_dict(), sort_keys=True)


def _survey_checksum(data: dict[str, Any], c: int) -> int:
    rows = slice(c * CHUNK, (c + 1) * CHUNK)
    return checksum({"unit": data["survey_unit"][rows]} | {n: data[f"survey_{n}"][rows] for n in RESULTS})


def _block_checksum(data: dict[str, Any], start: int, stop: int) -> int:
    rows = slice(start, stop)
    return checksum({"unit": data["refine_unit"][rows], "seed": data["refine_seed"][rows]}
                    | {n: data[f"refine_{n}"][rows] for n in RESULTS})


def new_data(space: DesignSpace) -> dict[str, Any]:
    """An empty store for ``space``: the survey's rows drawn (a scrambled Latin hypercube of
    :mod:`scipy.stats.qmc`, seeded by the space's seed), nothing evaluated."""
    from scipy.stats import qmc

    n, d = space.survey_devices, len(space.coordinates)
    unit = qmc.LatinHypercube(d=d, seed=np.random.default_rng([space.seed, 0])).random(n)
    data: dict[str, Any] = {"survey_unit": unit, "refine_unit": np.zeros((0, d)),
                            "refine_seed": np.zeros(0, np.int32), "refine_block_end": np.zeros(0, np.int64),
                            "refine_checksum": np.zeros(0, np.uint64), "seeds": np.zeros(0, np.int64),
                            "ranked_stage": np.zeros(0, np.int8), "ranked_index": np.zeros(0, np.int64),
                            "ranked_window": np.zeros((0, 2))}
    for name, dtype in RESULTS.items():
        data[f"survey_{name}"] = np.zeros(n, dtype=dtype)
        data[f"refine_{name}"] = np.zeros(0, dtype=dtype)
    chunks = -(-n // CHUNK)
    data["survey_done"] = np.zeros(chunks, np.int8)
    data["survey_checksum"] = np.zeros(chunks, np.uint64)
    data["meta"] = {"seconds": 0.0, "unit_checksum": str(checksum({"unit": unit})), "seeds_checksum": "",
                    "ranked_checksum": ""}
    return data


def seeds_checksum(data: dict[str, Any]) -> str:
    return str(checksum({"seeds": data["seeds"]}))


def ranked_checksum(data: dict[str, Any]) -> str:
    return str(checksum({name: data[name] for name in RANKED}))


def _dims(name: str, values: np.ndarray) -> tuple[str, ...]:
    """The NetCDF dimensions of a store variable, by its name."""
    if name in ("survey_done", "survey_checksum"):
        dims: tuple[str, ...] = ("chunk",)
    elif name in ("refine_block_end", "refine_checksum"):
        dims = ("block",)
    else:
        dims = ({"survey": "survey", "refine": "refine", "ranked": "rank", "seeds": "seed"}[name.split("_")[0]],)
    if np.ndim(values) == 2:
        dims += ("coordinate",) if name.endswith("_unit") else ("end",)
    return dims


def save_data(space: DesignSpace, data: dict[str, Any], path: str | Path) -> Path:
    """Write the store (atomically) with the space, its fingerprint and the format as attributes."""
    import xarray as xr

    from .. import __version__
    from ..engine.netcdf import save_netcdf
    from ..support.environment import provenance_json

    variables = {name: (_dims(name, values), values) for name, values in data.items() if name != "meta"}
    ds = xr.Dataset(variables, coords={"coordinate": list(space.coordinates), "end": ["low", "high"]})
    for var in ds.data_vars.values():
        var.encoding.update(zlib=True, complevel=4)
    meta = data["meta"]
    ds.attrs.update(title="pairing1d design search", pairing1d_version=__version__, provenance=provenance_json(),
                    design_format=STORE_FORMAT, fingerprint=space.fingerprint(), space=space_json(space),
                    **{k: v for k, v in meta.items()})
    return save_netcdf(ds, path)


def open_design(path: str | Path):
    """The design store at ``path`` as an :class:`xarray.Dataset` (loaded), or a one-line
    :class:`~pairing1d.design.space.DesignError`."""
    from ..support.files import read_netcdf

    path = Path(path)
    ds = read_netcdf(path, DesignError, "design store")
    if "fingerprint" not in ds.attrs or "survey_unit" not in ds:
        raise DesignError(f"{str(path)!r} is not a pairing1d design store")
    if int(ds.attrs.get("design_format", -1)) != STORE_FORMAT:
        raise DesignError(f"the design store {str(path)!r} has format {ds.attrs.get('design_format')}, this version "
                          f"reads {STORE_FORMAT}: run the search again into a new store")
    return ds


def load_data(ds) -> dict[str, Any]:
    """The arrays of an opened store as the mutable dict the search works on."""
    data: dict[str, Any] = {name: ds[name].values.copy() for name in ds.data_vars}
    data["meta"] = {"seconds": float(ds.attrs.get("seconds", 0.0)),
                    "unit_checksum": str(ds.attrs.get("unit_checksum", "")),
                    "seeds_checksum": str(ds.attrs.get("seeds_checksum", "")),
                    "ranked_checksum": str(ds.attrs.get("ranked_checksum", ""))}
    for key in ("flows", "evaluations"):
        if key in ds.attrs:
            data["meta"][key] = int(ds.attrs[key])
    return data


def verify(data: dict[str, Any], repair: bool) -> list[str]:
    """Check every checksum of a loaded store; return what is damaged (sentences). With ``repair`` the damage is
    undone so that the search recomputes it: damaged survey chunks are marked not done, a damaged refinement block
    is dropped with every later one, damaged seeds or rankings are emptied. A damaged survey row set (its
    coordinates) cannot be repaired: a :class:`~pairing1d.design.space.DesignError` says so."""
    problems = []
    if str(checksum({"unit": data["survey_unit"]})) != data["meta"]["unit_checksum"]:
        raise DesignError("the design store's survey rows do not match their checksum (damaged): run the search "
                          "again into a new store")
    for c in np.flatnonzero(data["survey_done"]):
        if _survey_checksum(data, int(c)) != int(data["survey_checksum"][c]):
            problems.append(f"survey chunk {int(c)} does not match its checksum")
            if repair:
                data["survey_done"][c] = 0
    start = 0
    for b, end in enumerate(data["refine_block_end"]):
        if _block_checksum(data, start, int(end)) != int(data["refine_checksum"][b]):
            problems.append(f"refinement block {b} does not match its checksum")
            if repair:
                truncate_refinement(data, b)
            break
        start = int(end)
    else:
        if len(data["refine_unit"]) != start:  # rows after the last block: never checksummed, dropped
            if repair:
                truncate_refinement(data, len(data["refine_block_end"]))
    if len(data["seeds"]) and seeds_checksum(data) != data["meta"]["seeds_checksum"]:
        problems.append("the refinement's seeds do not match their checksum")
        if repair:
            data["seeds"] = np.zeros(0, np.int64)
    if len(data["ranked_index"]) and ranked_checksum(data) != data["meta"]["ranked_checksum"]:
        problems.append("the ranked designs do not match their checksum")
        if repair:
            clear_ranked(data)
    return problems


def truncate_refinement(data: dict[str, Any], blocks: int) -> None:
    """Keep the first ``blocks`` refinement blocks, drop every later evaluation."""
    end = int(data["refine_block_end"][blocks - 1]) if blocks else 0
    for name in ["refine_unit", "refine_seed"] + [f"refine_{n}" for n in RESULTS]:
        data[name] = data[name][:end]
    data["refine_block_end"] = data["refine_block_end"][:blocks]
    data["refine_checksum"] = data["refine_checksum"][:blocks]


def close_block(data: dict[str, Any]) -> None:
    """Checksum the refinement rows added since the last block as a new block."""
    start = int(data["refine_block_end"][-1]) if len(data["refine_block_end"]) else 0
    end = len(data["refine_unit"])
    if end == start:
        return
    data["refine_block_end"] = np.append(data["refine_block_end"], np.int64(end))
    data["refine_checksum"] = np.append(data["refine_checksum"], np.uint64(_block_checksum(data, start, end)))


def store_chunk(data: dict[str, Any], c: int, results: dict[str, np.ndarray]) -> None:
    """Put a survey chunk's results in place, checksum it and mark it done."""
    rows = slice(c * CHUNK, min((c + 1) * CHUNK, len(data["survey_unit"])))
    for name in RESULTS:
        data[f"survey_{name}"][rows] = results[name]
    data["survey_checksum"][c] = _survey_checksum(data, c)
    data["survey_done"][c] = 1


def clear_ranked(data: dict[str, Any]) -> None:
    data["ranked_stage"] = np.zeros(0, np.int8)
    data["ranked_index"] = np.zeros(0, np.int64)
    data["ranked_window"] = np.zeros((0, 2))
    data["meta"]["ranked_checksum"] = ""
