r"""The design search: a global space-filling stage, then a bounded local refinement of the best few.

:func:`run_design` takes a :class:`~pairing1d.design.space.DesignSpace` and a store path
(:mod:`pairing1d.design.store`) and

1. **survey**: evaluates the store's Latin-hypercube rows (``survey_devices`` of them) chunk by chunk with
   :func:`pairing1d.design.evaluation.evaluate` (the batched engine with the verdict ensemble), locally or on a Dask
   cluster (``workers``); every chunk is stored as soon as it is done;
2. **seeds**: picks the ``refine_seeds`` best survey designs by merit (:mod:`pairing1d.design.evaluation`), each
   at least :data:`~pairing1d.design.space.DISTINCT` apart in the unit cube from the ones before it (or of another
   material or kind);
3. **refinement**: from each seed, :func:`scipy.optimize.minimize` (Nelder-Mead) of minus the merit inside a box of
   half-width :data:`HALF_WIDTH` around it (the material and kind held), at most ``refine_evaluations`` evaluations
   per seed; each evaluation is stored, and a resumed search replays the optimizer against the stored evaluations
   (Nelder-Mead is deterministic: the same steps find the same rows) and computes only what is missing;
4. **ranking**: the ``top`` designs (:func:`pairing1d.design.rank.rank`), each with its gate window from a gate map
   of the device (:func:`pairing1d.design.rank.gate_window`), stored with a checksum.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import store
from .evaluation import RESULTS, evaluate
from .space import DesignError, DesignSpace, distinct

__all__ = ["run_design", "SearchReport", "HALF_WIDTH", "SIMPLEX_STEP", "pick_seeds"]

HALF_WIDTH = 0.15
"""Half-width of a refinement box in the unit cube."""
SIMPLEX_STEP = 0.05
"""The initial Nelder-Mead simplex: the seed and one step of this size along each continuous coordinate."""

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class SearchReport:
    """What :func:`run_design` did: the store, the survey chunks computed and found done, the refinement
    evaluations computed and replayed from the store, the damage repaired, and the compute seconds of this call."""

    path: Path
    chunks_computed: int
    chunks_reused: int
    evaluations_computed: int
    evaluations_reused: int
    repaired: list[str]
    seconds: float


def _load(space: DesignSpace, path: Path, resume: bool) -> tuple[dict[str, Any], list[str]]:
    if not path.exists():
        return store.new_data(space), []
    if not resume:
        raise DesignError(f"the design store {str(path)!r} exists; give --resume to continue it, or another path")
    ds = store.open_design(path)
    if ds.attrs["fingerprint"] != space.fingerprint():
        raise DesignError(f"the design store {str(path)!r} was made from another design space (its bounds, fixed "
                          "values or search settings differ)")
    data = store.load_data(ds)
    return data, store.verify(data, repair=True)


def _survey(space, data, path, progress, workers) -> tuple[int, int]:
    todo = [int(c) for c in np.flatnonzero(data["survey_done"] == 0)]
    total = len(data["survey_done"])
    reused = total - len(todo)
    n = len(data["survey_unit"])

    def rows(c):
        return data["survey_unit"][c * store.CHUNK:min((c + 1) * store.CHUNK, n)]

    def done(c, results, seconds):
        store.store_chunk(data, c, results)
        data["meta"]["seconds"] += seconds
        store.save_data(space, data, path)
        if progress is not None:
            progress("survey", int(data["survey_done"].sum()), total)

    if progress is not None:
        progress("survey", reused, total)
    if workers and todo:
        from dask.distributed import as_completed

        from ..support.dask_cluster import local_client

        with local_client(workers) as client:
            started = time.perf_counter()
            futures = {client.submit(evaluate, space, rows(c), pure=False): c for c in todo}
            for future in as_completed(futures):
                now = time.perf_counter()
                done(futures[future], future.result(), now - started)
                started = now
    else:
        for c in todo:
            started = time.perf_counter()
            results = evaluate(space, rows(c))
            done(c, results, time.perf_counter() - started)
    return len(todo), reused


def pick_seeds(space: DesignSpace, data: dict[str, Any]) -> np.ndarray:
    """The survey rows the refinement starts from (module docstring, step 2): best merit first, then the larger
    value; outside-the-theory rows never."""
    merit = data["survey_merit"]
    order = np.lexsort((-data["survey_value"], -merit))
    chosen: list[np.ndarray] = []
    out = []
    for i in order:
        if len(out) == space.refine_seeds:
            break
        if data["survey_limit"][i] == 1:  # outside the theory: no verdict to climb from
            continue
        if distinct(space, data["survey_unit"][i], chosen):
            chosen.append(data["survey_unit"][i])
            out.append(int(i))
    return np.array(out, dtype=np.int64)


def _refine(space, data, path, progress) -> tuple[int, int]:
    from scipy.optimize import Bounds, minimize

    cont = len(space.continuous)
    cache = {(int(s), row.tobytes()): j for j, (s, row) in enumerate(zip(data["refine_seed"], data["refine_unit"],
                                                                          strict=True))}
    counts = {"computed": 0, "reused": 0, "since_save": 0}
    total = len(data["seeds"]) * space.refine_evaluations

    def evaluate_row(s: int, row: np.ndarray) -> float:
        key = (s, row.tobytes())
        if key in cache:
            counts["reused"] += 1
            return -float(data["refine_merit"][cache[key]])
        started = time.perf_counter()
        results = evaluate(space, row[None])
        data["refine_unit"] = np.concatenate([data["refine_unit"], row[None]])
        data["refine_seed"] = np.append(data["refine_seed"], np.int32(s))
        for name in RESULTS:
            data[f"refine_{name}"] = np.concatenate([data[f"refine_{name}"], results[name]])
        cache[key] = len(data["refine_unit"]) - 1
        data["meta"]["seconds"] += time.perf_counter() - started
        counts["computed"] += 1
        counts["since_save"] += 1
        if counts["since_save"] >= store.FLUSH:
            store.close_block(data)
            store.save_data(space, data, path)
            counts["since_save"] = 0
        if progress is not None:
            progress("refinement", min(counts["computed"] + counts["reused"], total), total)
        return -float(results["merit"][0])

    for s, index in enumerate(data["seeds"]):
        seed_row = data["survey_unit"][index]
        x0 = seed_row[:cont]
        low, high = np.clip(x0 - HALF_WIDTH, 0.0, 1.0), np.clip(x0 + HALF_WIDTH, 0.0, 1.0)
        simplex = [x0.copy()]
        for j in range(cont):
            step = np.zeros(cont)
            step[j] = SIMPLEX_STEP if x0[j] + SIMPLEX_STEP <= high[j] else -SIMPLEX_STEP
            simplex.append(x0 + step)
        calls = {"n": 0}

        def fun(x, s=s, seed_row=seed_row, low=low, high=high, calls=calls):
            calls["n"] += 1
            if calls["n"] > space.refine_evaluations:  # the bound on every seed's work, whatever the optimizer does
                return 1e9
            row = seed_row.copy()
            row[:cont] = np.clip(x, low, high)
            return evaluate_row(s, row)

        if space.refine_evaluations:
            minimize(fun, x0, method="Nelder-Mead", bounds=Bounds(low, high),
                     options={"maxfev": space.refine_evaluations, "initial_simplex": np.array(simplex),
                              "xatol": 1e-4, "fatol": 1e-6})
    store.close_block(data)
    store.save_data(space, data, path)
    return counts["computed"], counts["reused"]


def run_design(space: DesignSpace, path: str | Path, *, resume: bool = False, progress: Progress | None = None,
               workers: int = 0) -> SearchReport:
    """Run (or, with ``resume``, continue) the design search of ``space`` into the store ``path`` (module
    docstring); ``progress(stage, done, total)`` is called as chunks and evaluations finish; ``workers`` > 0 runs
    the survey on a local Dask cluster of that many processes."""
    from .rank import store_ranking

    path = Path(path)
    started = time.perf_counter()
    data, repaired = _load(space, path, resume)
    chunks_computed, chunks_reused = _survey(space, data, path, progress, workers)
    seeds = pick_seeds(space, data)
    if not np.array_equal(seeds, data["seeds"]):  # new seeds (a recomputed chunk changed them): refine afresh
        data["seeds"] = seeds
        data["meta"]["seeds_checksum"] = store.seeds_checksum(data)
        store.truncate_refinement(data, 0)
        store.clear_ranked(data)
    computed, reused = _refine(space, data, path, progress)
    if computed or not len(data["ranked_index"]):
        store_ranking(space, data)
        store.save_data(space, data, path)
    return SearchReport(path=path, chunks_computed=chunks_computed, chunks_reused=chunks_reused,
                        evaluations_computed=computed, evaluations_reused=reused, repaired=repaired,
                        seconds=time.perf_counter() - started)
