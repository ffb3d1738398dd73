r"""An atlas of pairing from repulsion: where, in the model's whole space, the paired phase exists and how sure it is.

The space (a scan file, :func:`read_atlas_file`) is a box over the bare parameters of a repulsive primary
(:math:`K_c^0 < 1`, :math:`y_s^0 > 0`) next to a secondary of any strength: :math:`K_c^0, K^0, y_s^0, y^0,
e^{-\ell^*}, \upsilon, \upsilon_\theta, u/u_c` (log-uniform) and the vertex charge :math:`p` (1 or 2). The study runs
in two stages, each a scrambled Sobol sequence (:class:`scipy.stats.qmc.Sobol`) evaluated with its verdict ensemble by
the batched engine (:func:`pairing1d.engine.ensemble_batch.run_ensemble`):

1. **survey**: :math:`2^m` points uniform in the box. Their fractions are volumes: the share of the space where the
   reported phase is paired and robust, leaning or undetermined, and where at least one member of the ensemble pairs;
2. **refinement**: :math:`2^{m_2}` points around the survey's best candidates (a candidate is reported paired, or
   paired under a third of the members: :data:`CANDIDATE_MEMBERS`). The :data:`REFINE_SEEDS` candidates with the
   most members pairing (ties: the larger spin gap) each get a box of half-width :data:`REFINE_HALF_WIDTH` of the
   unit cube around them (its vertex charge kept), and an equal, contiguous block of one scrambled Sobol sequence.
   It is a search, not a measure: if a robust paired verdict exists anywhere, it is most likely next to a point
   where most members pair already; the largest robust spin gap found (units of the bandwidth :math:`\Lambda`) and
   the device that has it are the study's answer.

**Store** (one NetCDF file, written atomically after every chunk, so that an interrupted study loses at most the chunk
in flight and resumes from the others): per point the reported phase, its certainty, the number of members that agree
and that pair, and the spin gap; the stage and index and the 18 members' phases of every candidate; per chunk a done
flag and a checksum of its results (BLAKE2b, as :func:`pairing1d.engine.store.chunk_checksum`), and one of the
candidates and the refinement's boxes, verified when the store is read (damage is refused) or resumed (a damaged chunk
is computed again; a damaged candidate index, everything). The points themselves are not stored: they are the Sobol
sequences of the scan file's seed (the refinement's in the stored boxes), and a resumed study refuses a store made from
another scan file (its fingerprint). :func:`atlas_summary` reads everything it says from the store.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..support.checksums import array_checksum
from ..support.errors import AtlasError
from ..theory.ensemble import MEMBERS

__all__ = ["AtlasSpace", "read_atlas_file", "atlas_points", "run_atlas", "open_atlas", "atlas_summary", "AtlasSummary",
           "PARAMETERS", "space_of", "candidate_table"]

PARAMETERS = ("Kc0", "K0", "ys0", "y0", "exp_neg_lstar", "upsilon", "upsilon_theta", "u_ratio", "vertex_charge")
"""The coordinates of the space, in the order of the Sobol dimensions."""

_LOG = {"u_ratio"}  # sampled uniformly in the logarithm
MAX_M = 22
"""The largest survey or refinement (2^22 points: about ten minutes of the engine on two cores)."""
CHUNK_M = 14
"""Points per chunk: 2^14 (a chunk's results are written, with their checksum, as soon as it is computed)."""
FORMAT = 2
"""The store's format (attribute ``atlas_format``): 2 stores the candidates' member phases."""
CANDIDATE_MEMBERS = 6
"""A point is a candidate (its parameters stored, its neighbourhood refined) when its reported phase is paired or at
least this many of the 18 members of its verdict ensemble pair (a third)."""


REFINE_SEEDS = 64
"""The number of survey candidates the refinement searches around."""
REFINE_HALF_WIDTH = 0.05
"""The half-width of each refinement box, in the unit cube (a tenth of every parameter's range)."""


@dataclass(frozen=True)
class AtlasSpace:
    """The box (``bounds``: parameter -> (low, high); ``vertex_charge`` -> the allowed charges), the survey and
    refinement sizes (log2), the Sobol seed, and the fixed Model fields (``fixed``, e.g. ``lmax``)."""

    bounds: dict[str, tuple[float, float]]
    charges: tuple[float, ...]
    survey_m: int
    refine_m: int
    seed: int
    fixed: dict[str, Any] = field(default_factory=dict)

    def fingerprint(self) -> str:
        """A hash of everything that determines the study's points."""
        payload = {"bounds": self.bounds, "charges": self.charges, "survey_m": self.survey_m,
                   "refine_m": self.refine_m, "seed": self.seed, "fixed": self.fixed,
                   "refinement": [REFINE_SEEDS, REFINE_HALF_WIDTH], "format": FORMAT}
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def read_atlas_file(path: str | Path) -> AtlasSpace:
    """The :class:`AtlasSpace` of a scan file (TOML): ``survey_m``, ``refine_m``, ``seed``, a ``[bounds]`` table with
    ``[low, high]`` for every parameter of :data:`PARAMETERS` but ``vertex_charge``, ``vertex_charges`` (a list of 1
    and/or 2) and an optional ``[fixed]`` table of Model fields. One-line :class:`~pairing1d.support.errors.AtlasError`
    for anything else."""
    from ..support.toml_io import read_toml
    from ..theory.model import Model

    raw = read_toml(path, "atlas scan file", AtlasError)
    known = {"survey_m", "refine_m", "seed", "bounds", "vertex_charges", "fixed", "budget_core_hours", "name"}
    unknown = set(raw) - known
    if unknown:
        raise AtlasError(f"atlas scan file {str(path)!r}: unknown keys {sorted(unknown)} (known: {sorted(known)})")
    bounds: dict[str, tuple[float, float]] = {}
    for name in PARAMETERS[:-1]:
        value = raw.get("bounds", {}).get(name)
        if (not isinstance(value, list) or len(value) != 2
                or not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in value)
                or not value[0] < value[1]):
            raise AtlasError(f"atlas scan file {str(path)!r}: bounds.{name} = {value!r} must be [low, high] with "
                             "finite low < high")
        bounds[name] = (float(value[0]), float(value[1]))
    extra = set(raw.get("bounds", {})) - set(PARAMETERS)
    if extra:
        raise AtlasError(f"atlas scan file {str(path)!r}: unknown bounds {sorted(extra)} (known: {PARAMETERS[:-1]})")
    charges = raw.get("vertex_charges", [2])
    if not isinstance(charges, list) or not charges or any(c not in (1, 2) for c in charges):
        raise AtlasError(f"atlas scan file {str(path)!r}: vertex_charges = {charges!r} must be a list of 1 and 2")
    sizes = {}
    for key, default in (("survey_m", 16), ("refine_m", 14), ("seed", 0)):
        value = raw.get(key, default)
        high = MAX_M if key != "seed" else 2**31
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
            raise AtlasError(f"atlas scan file {str(path)!r}: {key} = {value!r} is outside the allowed range "
                             f"[0, {high}]")
        sizes[key] = value
    fixed = dict(raw.get("fixed", {}))
    bad = set(fixed) - set(Model.field_names())
    if bad:
        raise AtlasError(f"atlas scan file {str(path)!r}: fixed fields {sorted(bad)} are not Model fields")
    space = AtlasSpace(bounds=bounds, charges=tuple(float(c) for c in charges), fixed=fixed, **sizes)
    for corner in (0.0, 1.0):  # every corner of the box must be a valid Model (the engine takes no invalid row)
        Model(**_model_fields(space, np.full((1, len(PARAMETERS)), corner), 0))
    return space


def _scale(space: AtlasSpace, unit: np.ndarray) -> dict[str, np.ndarray]:
    out = {}
    for j, name in enumerate(PARAMETERS[:-1]):
        lo, hi = space.bounds[name]
        u = unit[:, j]
        out[name] = np.exp(np.log(lo) + u * (np.log(hi) - np.log(lo))) if name in _LOG else lo + u * (hi - lo)
    charges = np.asarray(space.charges)
    out["vertex_charge"] = charges[np.minimum((unit[:, -1] * len(charges)).astype(int), len(charges) - 1)]
    return out


def _model_fields(space: AtlasSpace, unit: np.ndarray, index: int) -> dict[str, Any]:
    values = _scale(space, unit)
    x = float(values.pop("exp_neg_lstar")[index])
    out = {name: float(v[index]) for name, v in values.items()}
    out["lstar"] = -math.log(x) if x > 0 else math.inf
    return {**space.fixed, **out}


def atlas_points(space: AtlasSpace, stage: int, boxes: np.ndarray | None = None) -> np.ndarray:
    """The unit-cube coordinates of the survey (``stage = 0``) or of the refinement (``stage = 1``: ``boxes``, a
    (boxes, 2, d) array of low and high corners, each filled by an equal contiguous block of the sequence):
    scrambled Sobol, seeded by the scan file's seed and the stage."""
    from scipy.stats import qmc

    m = space.survey_m if stage == 0 else space.refine_m
    sobol = qmc.Sobol(d=len(PARAMETERS), scramble=True, seed=np.random.default_rng([space.seed, stage]))
    unit = sobol.random_base2(m)
    if stage == 1:
        which = np.arange(len(unit)) * len(boxes) // len(unit)
        unit = boxes[which, 0] + unit * (boxes[which, 1] - boxes[which, 0])
    return unit


def _fields(space: AtlasSpace, unit: np.ndarray) -> dict[str, np.ndarray]:
    """Arrays of every Model field (:data:`pairing1d.theory.flow_equations.PACKED_FIELDS`) of the points ``unit``."""
    from ..theory.model import Model

    values = _scale(space, unit)
    x = values.pop("exp_neg_lstar")
    with np.errstate(divide="ignore"):
        values["lstar"] = np.where(x > 0, -np.log(np.where(x > 0, x, 1.0)), np.inf)
    base = Model(**_model_fields(space, unit[:1], 0))
    n = len(unit)
    out = {}
    from ..theory.flow_equations import PACKED_FIELDS

    for name in PACKED_FIELDS:
        if name in values:
            out[name] = np.asarray(values[name], dtype=float)
        else:
            value = getattr(base, name)
            out[name] = np.full(n, np.nan if value is None else value, dtype=object if isinstance(value, str)
                                else float)
    return out


_INDEX = ("candidates", "candidate_members", "boxes", "seeds")
"""The store's variables that are not per chunk, checksummed together (attribute ``index_checksum``)."""

_RESULTS = {"phase": np.int8, "certainty": np.int8, "agree": np.int8, "paired_members": np.int8,
            "spin_gap": np.float32}


def _empty(space: AtlasSpace) -> dict[str, Any]:
    n = {0: 2**space.survey_m, 1: 2**space.refine_m}
    data: dict[str, Any] = {}
    for stage in (0, 1):
        for name, dtype in _RESULTS.items():
            data[f"{name}_{stage}"] = np.zeros(n[stage], dtype=dtype)
        chunks = max(1, n[stage] >> CHUNK_M)
        data[f"done_{stage}"] = np.zeros(chunks, dtype=np.int8)
        data[f"checksum_{stage}"] = np.zeros(chunks, dtype=np.uint64)
    data["candidates"] = np.zeros((0, 2), dtype=np.int64)  # stage, index (the coordinates: atlas_points)
    data["candidate_members"] = np.zeros((0, len(MEMBERS)), dtype=np.int8)  # their members' phase codes
    data["boxes"] = np.zeros((0, 2, len(PARAMETERS)))
    data["seeds"] = np.zeros(0, dtype=np.int64)
    return data


def _to_dataset(space: AtlasSpace, data: dict[str, Any], meta: dict[str, Any]):
    import xarray as xr

    from .. import __version__
    from ..support.environment import provenance_json
    from ..theory.ensemble import CERTAINTIES, member_name
    from ..theory.phases import PHASES

    variables = {}
    for stage in (0, 1):
        for name in _RESULTS:
            variables[f"{name}_{stage}"] = (f"point_{stage}", data[f"{name}_{stage}"])
        variables[f"done_{stage}"] = (f"chunk_{stage}", data[f"done_{stage}"])
        variables[f"checksum_{stage}"] = (f"chunk_{stage}", data[f"checksum_{stage}"])
    variables["candidates"] = (("candidate", "column"), data["candidates"])  # (stage, index)
    variables["candidate_members"] = (("candidate", "member"), data["candidate_members"])
    variables["boxes"] = (("box", "corner", "parameter"), data["boxes"])
    variables["seeds"] = ("box", data["seeds"])
    ds = xr.Dataset(variables, coords={"column": ["stage", "index"], "parameter": list(PARAMETERS),
                                       "member": [member_name(m) for m in MEMBERS]})
    for var in ds.data_vars.values():  # the results are mostly zeros and small codes: compressed fivefold or more
        var.encoding.update(zlib=True, complevel=6)
    ds.attrs.update(
        title="pairing1d atlas of pairing from repulsion", pairing1d_version=__version__,
        provenance=provenance_json(),
        space=json.dumps({"bounds": space.bounds, "charges": space.charges, "survey_m": space.survey_m,
                          "refine_m": space.refine_m, "seed": space.seed, "fixed": space.fixed}),
        fingerprint=space.fingerprint(), atlas_format=FORMAT, phase_codes=" ".join(PHASES),
        index_checksum=str(array_checksum({name: data[name] for name in _INDEX})),
        certainty_codes=" ".join(CERTAINTIES),
        conventions=("per point: phase (codes of phase_codes), certainty, agree = members that give the phase, "
                     "paired_members = members that pair, spin_gap in units of the bandwidth (0: none); stage 0 the "
                     "survey, stage 1 the refinement inside boxes (unit-cube corners) around the survey points seeds; "
                     "candidates: (stage, index) of every point with a third of its members or its reported phase "
                     "paired (coordinates: the Sobol sequences), candidate_members: their members' phases"),
        **meta)
    return ds


def open_atlas(path: str | Path, verify: bool = True):
    """The atlas store at ``path`` as an :class:`xarray.Dataset`, every done chunk verified against its checksum (a
    one-line :class:`~pairing1d.support.errors.AtlasError` for a store that is not an atlas, of another format, or whose
    data no longer match)."""
    from ..support.files import read_netcdf

    path = Path(path)
    ds = read_netcdf(path, AtlasError, "atlas store")
    if "fingerprint" not in ds.attrs or "done_0" not in ds:
        raise AtlasError(f"{str(path)!r} is not a pairing1d atlas store")
    if int(ds.attrs.get("atlas_format", 1)) != FORMAT:
        raise AtlasError(f"the atlas store {str(path)!r} has format {int(ds.attrs.get('atlas_format', 1))}, this "
                         f"version reads {FORMAT}: compute it again (pairing1d atlas run)")
    if verify and not index_intact(ds):
        raise AtlasError(f"atlas store {str(path)!r}: its candidates or refinement boxes do not match their checksum "
                         "(damaged); run the study again with --resume to recompute it")
    damaged = damaged_chunks(ds) if verify else {}
    if any(damaged.values()):
        stage, chunks = next((k, v) for k, v in damaged.items() if v)
        raise AtlasError(f"atlas store {str(path)!r}: chunk {chunks[0]} of stage {stage} does not match its checksum "
                         "(damaged); run the study again with --resume to recompute it")
    return ds


def index_intact(ds) -> bool:
    """Whether the store's candidates and refinement boxes match their checksum."""
    return array_checksum({name: ds[name].values for name in _INDEX}) == int(ds.attrs.get("index_checksum", -1))


def damaged_chunks(ds) -> dict[int, list[int]]:
    """The done chunks of each stage whose results no longer match their checksum."""
    out: dict[int, list[int]] = {0: [], 1: []}
    for stage in (0, 1):
        for c in np.flatnonzero(ds[f"done_{stage}"].values):
            rows = slice(c << CHUNK_M, (c + 1) << CHUNK_M)
            chunk = {name: ds[f"{name}_{stage}"].values[rows] for name in _RESULTS}
            if array_checksum(chunk) != int(ds[f"checksum_{stage}"].values[c]):
                out[stage].append(int(c))
    return out


def run_atlas(space: AtlasSpace, path: str | Path, *, resume: bool = False,
              progress: Callable[[int, int], None] | None = None) -> Path:
    """Compute (or, with ``resume``, complete) the atlas of ``space`` into the store ``path``: the survey, then the
    refinement boxes around the survey's best candidates, then the refinement; the store is written atomically after
    every chunk. ``progress(done, total)`` is called with the chunks done. Returns the path."""
    import time

    from ..engine.ensemble_batch import run_ensemble
    from ..engine.sweep import save_netcdf
    from ..theory.phases import PHASES

    path = Path(path)
    meta: dict[str, Any] = {"seconds": 0.0}
    if path.exists():
        if not resume:
            raise AtlasError(f"the atlas store {str(path)!r} exists; give --resume to complete it, or another path")
        ds = open_atlas(path, verify=False)
        if ds.attrs["fingerprint"] != space.fingerprint():
            raise AtlasError(f"the atlas store {str(path)!r} was made from another scan file (its space differs)")
        data = {name: ds[name].values.copy() for name in ds.data_vars}
        meta["seconds"] = float(ds.attrs.get("seconds", 0.0))
        if not index_intact(ds):  # the candidates cannot be trusted: everything is computed again
            data = _empty(space)
        for stage, chunks in damaged_chunks(ds).items():  # computed again, their candidates with them
            for c in chunks:
                data[f"done_{stage}"][c] = 0
                _forget_candidates(data, stage, c)
    else:
        data = _empty(space)
    paired = PHASES.index("paired")
    total = len(data["done_0"]) + len(data["done_1"])
    for stage in (0, 1):
        if stage == 1:
            boxes, data["seeds"] = _refinement_boxes(space, data)
            if not np.array_equal(boxes, data["boxes"]):  # other boxes (a recomputed survey chunk): start again
                data["done_1"][:] = 0
                _forget_candidates(data, 1, None)
            data["boxes"] = boxes
        unit_all = atlas_points(space, stage, data["boxes"])
        for c in range(len(data[f"done_{stage}"])):
            if data[f"done_{stage}"][c]:
                continue
            started = time.perf_counter()
            rows = slice(c << CHUNK_M, min((c + 1) << CHUNK_M, len(unit_all)))
            unit = unit_all[rows]
            verdicts = run_ensemble(_fields(space, unit))
            reported = verdicts.reported
            members_paired = (verdicts.members == paired).sum(axis=1)
            chunk = {"phase": reported.phase.astype(np.int8), "certainty": verdicts.certainty.astype(np.int8),
                     "agree": np.round(verdicts.agreement * verdicts.members.shape[1]).astype(np.int8),
                     "paired_members": members_paired.astype(np.int8),
                     "spin_gap": np.where(reported.phase == paired, reported.spin_gap, 0.0).astype(np.float32)}
            for name, values in chunk.items():
                data[f"{name}_{stage}"][rows] = values
            data[f"checksum_{stage}"][c] = array_checksum(chunk)
            data[f"done_{stage}"][c] = 1
            new = np.flatnonzero((members_paired >= CANDIDATE_MEMBERS) | (reported.phase == paired))
            if new.size:
                data["candidates"] = np.concatenate(
                    [data["candidates"], np.column_stack([np.full(new.size, stage), rows.start + new])])
                data["candidate_members"] = np.concatenate([data["candidate_members"],
                                                            verdicts.members[new].astype(np.int8)])
            meta["seconds"] += time.perf_counter() - started
            save_netcdf(_to_dataset(space, data, meta), path)
            if progress is not None:
                progress(int(data["done_0"].sum() + data["done_1"].sum()), total)
    return path


def _forget_candidates(data: dict[str, Any], stage: int, chunk: int | None) -> None:
    """Drop the candidates of one chunk of ``stage`` (all of the stage's for ``chunk=None``)."""
    cand = data["candidates"]
    if not len(cand):
        return
    drop = cand[:, 0] == stage
    if chunk is not None:
        drop &= (cand[:, 1] >= chunk << CHUNK_M) & (cand[:, 1] < (chunk + 1) << CHUNK_M)
    data["candidates"], data["candidate_members"] = cand[~drop], data["candidate_members"][~drop]


def _refinement_boxes(space: AtlasSpace, data: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """The refinement's boxes (boxes, 2, d) and their seeds (survey point indices; -1: none): around each of the
    :data:`REFINE_SEEDS` survey candidates with the most members pairing (then the larger spin gap), half-width
    :data:`REFINE_HALF_WIDTH`, clipped to the unit cube, the vertex charge held; the whole cube when the survey found
    no candidate."""
    from ..theory.phases import PHASES

    d = len(PARAMETERS)
    cand = data["candidates"]
    survey = np.flatnonzero(cand[:, 0] == 0) if len(cand) else np.zeros(0, dtype=int)
    if not survey.size:
        return np.array([[np.zeros(d), np.ones(d)]]), np.array([-1])
    pairing = (data["candidate_members"][survey] == PHASES.index("paired")).sum(axis=1)
    gap = data["spin_gap_0"][cand[survey, 1].astype(int)]
    best = survey[np.lexsort((-gap, -pairing))[:REFINE_SEEDS]]
    centre = atlas_points(space, 0)[cand[best, 1]]
    low = np.clip(centre - REFINE_HALF_WIDTH, 0.0, 1.0)
    high = np.clip(centre + REFINE_HALF_WIDTH, 0.0, 1.0)
    low[:, -1] = high[:, -1] = centre[:, -1]  # the vertex charge is the seed's
    return np.stack([low, high], axis=1), cand[best, 1]


@dataclass(frozen=True)
class AtlasSummary:
    """What the atlas says (:func:`atlas_summary`): ``survey_points``, the survey's ``volume`` fractions (keys
    ``paired_robust``, ``paired_leaning``, ``paired_undetermined``, ``paired_anywhere`` (a paired member), and
    ``phases`` per phase), the ``largest`` spin gaps (per certainty: the gap, in units of Lambda, and its device's
    parameters), the refinement's counts, ``dissent`` (per member of the ensemble, the shares of its phases at the
    paired verdicts of both stages: who keeps them from being robust), ``complete`` (every chunk done) and the compute
    ``seconds``."""

    survey_points: int
    refine_points: int
    volume: dict[str, Any]
    refined: dict[str, int]
    largest: dict[str, Any]
    dissent: dict[str, dict[str, float]]
    complete: bool
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {"survey_points": self.survey_points, "refine_points": self.refine_points, "volume": self.volume,
                "refined": self.refined, "largest": self.largest, "dissent": self.dissent,
                "complete": self.complete, "seconds": self.seconds}


def space_of(ds) -> AtlasSpace:
    """The :class:`AtlasSpace` an atlas store was computed from (its ``space`` attribute)."""
    space = json.loads(ds.attrs["space"])
    return AtlasSpace(bounds={k: tuple(v) for k, v in space["bounds"].items()}, charges=tuple(space["charges"]),
                      survey_m=space["survey_m"], refine_m=space["refine_m"], seed=space["seed"], fixed=space["fixed"])


def candidate_table(ds) -> dict[str, np.ndarray]:
    """The candidates of an atlas store as columns: ``stage``, ``index``, every parameter of :data:`PARAMETERS` (in
    its own units; ``lstar`` for ``exp_neg_lstar``), their ``phase``, ``certainty`` and ``spin_gap``, and
    ``members`` (candidate, member) phase codes."""
    cand = ds["candidates"].values
    stage, index = cand[:, 0].astype(int), cand[:, 1].astype(int)
    table: dict[str, np.ndarray] = {"stage": stage, "index": index}
    values = _scale(space_of(ds), candidate_units(ds))
    x = values.pop("exp_neg_lstar")
    with np.errstate(divide="ignore"):
        values["lstar"] = np.where(x > 0, -np.log(np.where(x > 0, x, 1.0)), np.inf)
    table.update(values)
    for name in ("phase", "certainty", "spin_gap"):
        survey, refinement = ds[f"{name}_0"].values, ds[f"{name}_1"].values
        table[name] = np.where(stage == 0, survey[np.where(stage == 0, index, 0)],
                               refinement[np.where(stage == 1, index, 0)])
    table["members"] = ds["candidate_members"].values
    return table


def candidate_units(ds) -> np.ndarray:
    """The unit-cube coordinates of an atlas store's candidates, regenerated from the Sobol sequences of its space
    (the survey's, and the refinement's in the stored boxes): (candidate, parameter)."""
    cand = ds["candidates"].values
    space = space_of(ds)
    out = np.zeros((len(cand), len(PARAMETERS)))
    for stage in (0, 1):
        sel = cand[:, 0] == stage
        if sel.any():
            out[sel] = atlas_points(space, stage, ds["boxes"].values)[cand[sel, 1]]
    return out


def atlas_summary(ds) -> AtlasSummary:
    """The summary of an atlas store (:func:`open_atlas`), from the stored results alone."""
    from ..theory.ensemble import CERTAINTIES
    from ..theory.phases import PHASES

    sp = space_of(ds)
    paired = PHASES.index("paired")
    volume: dict[str, Any] = {}
    refined: dict[str, int] = {}
    largest: dict[str, Any] = {}
    done0 = np.repeat(ds["done_0"].values.astype(bool), 1 << CHUNK_M)[:ds.sizes["point_0"]]
    n0 = int(done0.sum())
    phase0, cert0 = ds["phase_0"].values[done0], ds["certainty_0"].values[done0]
    for c, name in enumerate(CERTAINTIES):
        volume[f"paired_{name}"] = float(np.mean((phase0 == paired) & (cert0 == c))) if n0 else None
    volume["paired_anywhere"] = float(np.mean(ds["paired_members_0"].values[done0] > 0)) if n0 else None
    volume["phases"] = {p: float(np.mean(phase0 == k)) if n0 else None for k, p in enumerate(PHASES)}
    done1 = np.repeat(ds["done_1"].values.astype(bool), 1 << CHUNK_M)[:ds.sizes["point_1"]]
    phase1, cert1 = ds["phase_1"].values[done1], ds["certainty_1"].values[done1]
    for c, name in enumerate(CERTAINTIES):
        refined[f"paired_{name}"] = int(np.sum((phase1 == paired) & (cert1 == c)))
    refined["paired_anywhere"] = int(np.sum(ds["paired_members_1"].values[done1] > 0))
    candidates = ds["candidates"].values
    units = candidate_units(ds)
    for c, name in enumerate(CERTAINTIES):
        best, where = 0.0, None
        for stage, done in ((0, done0), (1, done1)):
            gap = np.where(done & (ds[f"phase_{stage}"].values == paired) & (ds[f"certainty_{stage}"].values == c),
                           ds[f"spin_gap_{stage}"].values, 0.0)
            if gap.size and gap.max() > best:
                best, where = float(gap.max()), (stage, int(np.argmax(gap)))
        device = None
        if where is not None:
            row = np.flatnonzero((candidates[:, 0] == where[0]) & (candidates[:, 1] == where[1]))
            if len(row):
                device = _model_fields(sp, units[row[:1]], 0)
                device["agree"] = int(ds[f"agree_{where[0]}"].values[where[1]])
        largest[name] = {"spin_gap": best if where is not None else None, "device": device}
    table = candidate_table(ds)
    at_paired = table["members"][table["phase"] == paired]
    dissent = {name: ({p: float(np.mean(at_paired[:, j] == k)) for k, p in enumerate(PHASES)
                       if np.any(at_paired[:, j] == k)} if len(at_paired) else {})
               for j, name in enumerate(ds["member"].values.tolist())}
    complete = bool(ds["done_0"].values.all() and ds["done_1"].values.all())
    return AtlasSummary(survey_points=n0, refine_points=int(done1.sum()), volume=volume, refined=refined,
                        largest=largest, dissent=dissent, complete=complete,
                        seconds=float(ds.attrs.get("seconds", 0.0)))
