r"""The verdict ensemble of many devices in one pass of the batched engine.

:mod:`pairing1d.theory.ensemble` defines the ensemble (six flows, each read at three hand-over thresholds) and its
certainty rule; this module computes it for arrays of devices: every device's own flow and its six ensemble flows are
packed rows of one batch, integrated together by the kernel (:func:`pairing1d.engine.batch.integrate_batch`), and each
is classified at the thresholds it is read at (:func:`pairing1d.engine.batch.classify_batch`). A flow that is the same
row as another of the same device is integrated once: the device's own flow is the ensemble's default flow unless the
device asks otherwise, and at :math:`u = u_c` the three velocity conventions are one row (their packed rows are equal to
the bit), so the ensemble of the Fig. 4 planes costs four flows per device, and six in general.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..theory import flow_equations as fe
from ..theory.ensemble import ENSEMBLE_FLOWS, MEMBERS, certainty_of, member_phases
from ..theory.phases import REPORTED

__all__ = ["EnsembleRows", "EnsembleBatch", "pack_ensemble", "classify_ensemble", "run_ensemble"]


@dataclass(frozen=True)
class EnsembleRows:
    """The packed rows of a batch of devices and their ensembles: ``params[R, ...]`` (each distinct row once),
    ``own[N]`` the row of each device's own flow, ``flows[N, F]`` the row of each of its
    :data:`pairing1d.theory.ensemble.ENSEMBLE_FLOWS`."""

    params: np.ndarray
    own: np.ndarray
    flows: np.ndarray


@dataclass(frozen=True)
class EnsembleBatch:
    """The verdicts of N devices: ``reported`` (a :class:`pairing1d.engine.batch.BatchResult` of their own flows at
    ``y_strong``), ``members[N, 18]`` the phase code under each member (:data:`pairing1d.theory.ensemble.MEMBERS`) and
    ``member_scale[N, 18]`` the scale of its spin sector (its spin gap, or trion scale, in units of the bandwidth;
    0: none), ``agreement[N]`` and ``certainty[N]`` (codes of :data:`pairing1d.theory.ensemble.CERTAINTIES`), and
    ``flows``
    the number of flows integrated."""

    reported: object
    members: np.ndarray
    member_scale: np.ndarray
    agreement: np.ndarray
    certainty: np.ndarray
    flows: int


_SIGNATURE = (fe.P_FLOW, fe.P_WEIGHT, fe.P_DDROP, fe.P_FV, fe.P_VREF)
"""Columns in which the rows of different ensemble flows usually differ: compared first, so that the whole rows are
compared only where these agree."""


def _same_rows(a: np.ndarray, b: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Rows of ``a`` (among ``candidates``, a boolean mask) equal to the same rows of ``b``, bit for bit (as 64-bit
    integers: the NaNs of the columns :func:`pairing1d.theory.flow_equations.complete_row` fills later have one bit
    pattern). Bitwise equality is conservative: rows it calls different (a -0.0 against a 0.0) are integrated twice,
    never merged wrongly."""
    ai, bi = a.view(np.uint64), b.view(np.uint64)
    same = candidates.copy()
    for j in _SIGNATURE:
        same &= ai[:, j] == bi[:, j]
    idx = np.flatnonzero(same)
    same[idx] = (ai[idx] == bi[idx]).all(axis=1)
    return same


def pack_ensemble(values: dict[str, np.ndarray]) -> EnsembleRows:
    """The packed rows of the devices given as arrays of Model fields
    (:data:`pairing1d.theory.flow_equations.PACKED_FIELDS`),
    of their own flows and of their ensemble flows, each distinct row once."""
    n = len(np.asarray(values["ys0"]))
    blocks = [fe.pack_fields(values)]
    for flow, regulator, velocity in ENSEMBLE_FLOWS:
        member = dict(values)
        member.update(scheme=np.full(n, "cic"), flow=np.full(n, flow), regulator=np.full(n, regulator),
                      velocity=np.full(n, velocity))
        blocks.append(fe.pack_fields(member))
    index = np.empty((n, len(blocks)), dtype=np.int64)
    index[:, 0] = np.arange(n)
    kept = [blocks[0]]
    count = n
    for b in range(1, len(blocks)):
        row = np.full(n, -1, dtype=np.int64)
        for a in range(b):  # the first earlier flow of the same device with the same row
            free = row < 0
            if not free.any():
                break
            same = _same_rows(blocks[b], blocks[a], free)
            row[same] = index[same, a]
        new = row < 0
        row[new] = count + np.arange(int(new.sum()))
        count += int(new.sum())
        kept.append(blocks[b] if new.all() else blocks[b][new])
        index[:, b] = row
    return EnsembleRows(params=np.concatenate(kept), own=index[:, 0], flows=index[:, 1:])


def classify_ensemble(rows: EnsembleRows, events: np.ndarray, states: np.ndarray, steps: np.ndarray,
                      kf: np.ndarray) -> EnsembleBatch:
    """The reported verdicts, the members' phases and the certainty from the integrated rows of
    :func:`pack_ensemble` (``kf``: the trion modes' K_f of the N devices)."""
    from dataclasses import fields

    from .batch import BatchResult, classify_batch

    n_rows = len(rows.params)
    kf_rows = np.empty(n_rows)
    for column in (rows.own[:, None], rows.flows):
        for j in range(column.shape[1]):
            kf_rows[column[:, j]] = kf  # K_f depends on the bare forward couplings only, the same in every row
    own = rows.own
    used = np.zeros(n_rows, dtype=bool)
    used[rows.flows.ravel()] = True
    needed = np.flatnonzero(used)  # the rows some member reads, each classified once per threshold
    position = np.full(n_rows, -1, dtype=np.int64)
    position[needed] = np.arange(needed.size)
    if needed.size == n_rows:  # the usual case: no copy of the wide packed rows
        subset = (rows.params, events, states, steps, kf_rows)
    else:
        subset = (rows.params[needed], events[needed], states[needed], steps[needed], kf_rows[needed])
    members = np.empty((len(own), len(MEMBERS)), dtype=np.int8)
    scales = np.empty((len(own), len(MEMBERS)))
    phase_at, scale_at, result_at = {}, {}, {}
    for k in sorted({k for _, k in MEMBERS}):
        result = result_at[k] = classify_batch(*subset, threshold=k)
        phase_at[k] = member_phases(result.phase, result.controlled)
        scale_at[k] = result.spin_gap
    for m, (f, k) in enumerate(MEMBERS):
        at = position[rows.flows[:, f]]
        members[:, m] = phase_at[k][at]
        scales[:, m] = scale_at[k][at]
    if np.all(position[own] >= 0):  # every device's own flow is an ensemble flow (the default): read, not redone
        at, result = position[own], result_at[REPORTED]
        reported = BatchResult(**{f.name: getattr(result, f.name)[at] for f in fields(result)})
    else:
        reported = classify_batch(rows.params[own], events[own], states[own], steps[own], kf)
    agreement, certainty = certainty_of(reported.phase, members)
    return EnsembleBatch(reported=reported, members=members, member_scale=scales, agreement=agreement,
                         certainty=certainty, flows=n_rows)


def run_ensemble(values: dict[str, np.ndarray], rtol: float | None = None, atol: float | None = None,
                 kernel: str | None = None) -> EnsembleBatch:
    """The verdicts and their ensembles of the devices given as arrays of (valid) Model fields: pack, integrate every
    distinct row in one batch, classify (the counterpart of :attr:`pairing1d.theory.phases.PhaseResult.certainty`)."""
    from .batch import DEFAULT_ATOL, DEFAULT_KERNEL, DEFAULT_RTOL, integrate_batch, trion_luttinger

    rows = pack_ensemble(values)
    integrated = integrate_batch(rows.params, DEFAULT_RTOL if rtol is None else rtol,
                                 DEFAULT_ATOL if atol is None else atol, kernel or DEFAULT_KERNEL)
    return classify_ensemble(rows, *integrated, trion_luttinger(values))


assert REPORTED == 1  # the reported verdict is read at y_strong itself
