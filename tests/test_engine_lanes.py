"""The lane kernel (:mod:`pairing1d.engine.lanes`) against the scalar kernel, and its elementary functions against
libm. The kernel's first compilation takes one to two minutes, so its tests are in ``make test-long``."""

from __future__ import annotations

import math

import numba as nb
import numpy as np
import pytest

from pairing1d import Model
from pairing1d.engine.batch import classify_batch, integrate_batch, pack, run_batch
from pairing1d.engine.kernel_parts import EVENTS
from pairing1d.engine.lanes import exp, log, log1p


@nb.njit
def _lane_math(x, out):
    for i in range(x.shape[0]):
        out[0, i] = exp(x[i])
        out[1, i] = log1p(x[i])
        out[2, i] = log(x[i])


def _ulps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance in units in the last place (both finite)."""
    return np.abs(a - b) / np.spacing(np.maximum(np.abs(a), np.abs(b)))


def test_lane_exp_log1p_and_log_are_libm_to_a_few_ulp():
    """The pure-arithmetic exp, log1p and log that let the lanes vectorise, against numpy's (libm's), over their
    whole range, with the edges: overflow, underflow to subnormals and 0, -1, 0, inf and NaN."""
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.uniform(-745, 709.7, 20000), rng.uniform(-1, 1, 20000), rng.uniform(-1e-12, 1e-12, 2000),
                        np.exp(rng.uniform(-700, 700, 20000))])
    out = np.empty((3, len(x)))
    _lane_math(x, out)
    with np.errstate(all="ignore"):
        # measured: exp 1 ulp, log1p 3 ulp (near x ~ 1e-3, where the rounding of 1 + x is corrected to first order),
        # log 2 ulp
        for got, want, bound in ((out[0], np.exp(x), 1.0), (out[1], np.log1p(x), 3.0), (out[2], np.log(x), 2.0)):
            finite = np.isfinite(want) & (want != 0)
            assert np.array_equal(np.isnan(got), np.isnan(want))
            assert np.array_equal(got[~finite & ~np.isnan(want)], want[~finite & ~np.isnan(want)])
            normal = finite & (np.abs(want) > 1e-300)
            assert _ulps(got[normal], want[normal]).max() <= bound
    edges = np.array([710.0, -746.0, -1.0, 0.0, math.inf, -math.inf, math.nan, -2.0, 1e-310])
    out = np.empty((3, len(edges)))
    _lane_math(edges, out)
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(out[0], np.exp(edges))
        np.testing.assert_array_equal(out[1], np.log1p(edges))
        np.testing.assert_array_equal(out[2][:-1], np.log(edges)[:-1])  # a subnormal argument: not a use here


def test_the_variables_a_group_does_not_integrate_have_zero_slope():
    """still_rows, the variables the lanes leave out of a group's Runge-Kutta stages, against the right-hand side
    itself: on every random device of the group, at random states (the variables that move drawn at random, the
    still ones at their start) and RG times, their slope is exactly zero; and every variable the lanes do integrate
    moves on some device, so the list is not vacuous."""
    import sys
    from pathlib import Path

    from pairing1d.engine.lanes import VARIANTS, _complete, still_rows
    from pairing1d.theory import flow_equations as fe

    sys.path.insert(0, str(Path(__file__).parent))
    from test_engine import random_models

    params = np.empty((3000, fe.N_PACKED))
    groups = np.empty(len(params), dtype=np.int64)
    _complete(pack(random_models(3000, seed=7)), params, groups)
    rng = np.random.default_rng(8)
    out = np.empty(fe.N_STATE)
    for v, pins in enumerate(VARIANTS[:-1]):
        still = list(still_rows(pins))
        moving = [i for i in range(fe.N_STATE) if i not in still]
        members = np.flatnonzero(groups == v)
        assert len(members) >= 10 and still
        slopes = []
        for n in members:
            row = params[n]
            for _ in range(5):
                state = row[:fe.N_STATE].copy()
                state[moving] += rng.normal(0.0, 0.3, len(moving))
                fe.rhs(rng.uniform(0.0, 10.0), state, row, out)
                slopes.append(out.copy())
        slopes = np.array(slopes)
        assert np.all(slopes[:, still] == 0.0), pins
        assert np.all(np.any(slopes[:, moving] != 0.0, axis=0)), pins


def test_an_unknown_kernel_is_refused():
    with pytest.raises(ValueError, match="unknown kernel 'gpu'"):
        integrate_batch(pack([Model()]), kernel="gpu")


@pytest.mark.parametrize("counts, threads", [
    ([0, 65280, 256], 2),  # the Fig. 4 grid: the paper's devices, and the y0 = 0 column in the group pinning nothing
    ([1000, 0, 3], 2), ([5000, 7000, 300], 3), ([100, 200, 0], 1), ([0, 0, 0], 2), ([70000, 0, 10], 8),
])
def test_the_pieces_cover_every_device_once_and_balance_the_threads(counts, threads):
    """Each device is in exactly one piece, a piece holds one group, a group is cut into at most one piece per
    thread, and the threads' loads differ by at most the smallest piece a group is cut into (numba's static schedule
    had given one thread 5 of the Fig. 4 grid's 8 large pieces: loads 40800 against 24736)."""
    from pairing1d.engine.lanes import _pieces

    starts, ends, groups, thread_pieces = _pieces(np.array(counts), threads)
    assert len(thread_pieces) == threads + 1 and thread_pieces[0] == 0 and thread_pieces[-1] == len(starts)
    covered = np.zeros(sum(counts), dtype=int)
    edges = np.cumsum([0, *counts])
    for a, b, v in zip(starts, ends, groups, strict=True):
        covered[a:b] += 1
        assert edges[v] <= a < b <= edges[v + 1]  # inside its own group's devices
    assert (covered == 1).all()
    for v in range(len(counts)):
        assert np.sum(groups == v) <= threads
    size = ends - starts
    loads = [int(np.sum(size[thread_pieces[t]:thread_pieces[t + 1]])) for t in range(threads)]
    assert max(loads) - min(loads) <= min([c for c in counts if c], default=0)


def test_the_results_do_not_depend_on_the_number_of_threads():
    """The same bits on one thread and on every thread numba has (each thread runs its own pieces; a device's lane
    computes the same operations whoever its neighbours are)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from test_engine import random_models

    params = pack(random_models(400, seed=7))
    threads = nb.get_num_threads()
    try:
        nb.set_num_threads(1)
        one = integrate_batch(params)
    finally:
        nb.set_num_threads(threads)
    every = integrate_batch(params)
    for a, b in zip(one, every, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.fixture(scope="module")
def both_kernels():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from test_engine import random_models

    models = random_models(2000, seed=20201)
    params = pack(models)
    return params, integrate_batch(params, kernel="scalar"), integrate_batch(params, kernel="lanes")


@pytest.mark.long
def test_the_lanes_give_the_scalar_kernels_phases_and_scales(both_kernels):
    """2000 random devices (every flow, scheme and option, so every group of devices a block pins and the group that
    pins nothing): the same phases, control flags, statuses and numbers of steps; the events within 1e-6 (the lanes
    take the state at a terminal event from the step's continuous extension, the scalar kernel from a second
    step onto it)."""
    params, scalar, lanes = both_kernels
    kf = np.zeros(len(params))
    a, b = classify_batch(params, *scalar, kf), classify_batch(params, *lanes, kf)
    np.testing.assert_array_equal(a.phase, b.phase)
    np.testing.assert_array_equal(a.controlled, b.controlled)
    np.testing.assert_array_equal(a.status, b.status)
    np.testing.assert_array_equal(scalar[2], lanes[2])
    for k, name in enumerate(EVENTS):
        x, y = scalar[0][:, k], lanes[0][:, k]
        np.testing.assert_array_equal(np.isinf(x), np.isinf(y), err_msg=name)
        finite = np.isfinite(x)
        np.testing.assert_allclose(y[finite], x[finite], rtol=1e-6, atol=1e-6, err_msg=name)
    from pairing1d.engine.lanes import VARIANTS, _complete

    groups = np.empty(len(params), dtype=np.int64)
    _complete(params, np.empty(params.shape), groups)
    assert set(groups.tolist()) == set(range(len(VARIANTS)))  # every group of devices was exercised


@pytest.mark.long
def test_a_device_gets_the_same_bits_in_any_batch(both_kernels):
    """Each lane computes the same operations whatever its neighbours: a device alone, every third device, and the
    whole batch give bit-identical events and end states."""
    params, _, lanes = both_kernels
    alone = integrate_batch(params[[17]], kernel="lanes")
    third = integrate_batch(params[::3], kernel="lanes")
    np.testing.assert_array_equal(alone[0][0], lanes[0][17])
    np.testing.assert_array_equal(alone[1][0], lanes[1][17])
    np.testing.assert_array_equal(third[0], lanes[0][::3])
    np.testing.assert_array_equal(third[1], lanes[1][::3])


@pytest.mark.long
def test_run_batch_takes_the_kernel():
    """run_batch with kernel="lanes" runs the lane kernel, and so does run_batch without one (the default): its events
    are the lane kernel's bits, which differ from the scalar kernel's in the last places (a run_batch that ignored
    the argument fails here); and the closed form of
    the SU(2) line comes out of it as out of the scalar one."""
    models = [Model(y0=y) for y in (0.05, 0.1, 0.2, 0.3)]
    lanes = integrate_batch(pack(models), kernel="lanes")[0]
    batch = run_batch(models, kernel="lanes")
    np.testing.assert_array_equal(batch.events, lanes)
    assert not np.array_equal(batch.events, run_batch(models, kernel="scalar").events)
    np.testing.assert_array_equal(run_batch(models).events, lanes)  # the default kernel
    ys0 = np.array([-0.05, -0.1, -0.2, -0.5, -0.9])
    batch = run_batch([Model(ys0=v, y0=0.0, lmax=40.0) for v in ys0], kernel="lanes")
    np.testing.assert_allclose(batch.l_bar, (1 - np.abs(ys0)) / np.abs(ys0), rtol=1e-6)
