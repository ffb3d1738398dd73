"""The batched engine against the scipy single-flow solver: two independent integrators (and event treatments) of
the one right-hand side, every flow, scheme and option."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pairing1d import Model, phase_of
from pairing1d.engine.batch import ORDERS, run_batch
from pairing1d.engine.kernel_parts import EVENTS
from pairing1d.theory.phases import PHASES


def random_models(n: int, seed: int) -> list[Model]:
    """Random valid devices covering every option: both flows, all three schemes, su2 on/off, theta, y2,
    upsilon_theta off the line (13), mass cutoff, T."""
    rng = np.random.default_rng(seed)
    models = []
    while len(models) < n:
        upsilon = rng.uniform(-0.5, 0.5)
        flow = str(rng.choice(["consistent", "paper", "diagonal"], p=[0.6, 0.25, 0.15]))
        kw = dict(
            Kc0=rng.uniform(0.4, 1.3), K0=rng.uniform(0.15, 1.0), ys0=rng.uniform(-0.4, 0.4),
            upsilon=upsilon, u_ratio=rng.uniform(0.5, 1.5), chi=rng.uniform(0.5, 2.5),
            y_strong=rng.uniform(0.5, 2.0), su2=bool(rng.integers(2)), flow=flow,
            scheme=str(rng.choice(["cic", "printed", "frozen"])),
            theta=float(rng.choice([0.0, math.pi, rng.uniform(0, 2 * math.pi)], p=[0.6, 0.2, 0.2])),
            lstar=float(rng.choice([math.inf, rng.uniform(-1, 8)], p=[0.1, 0.9])),
            lstar2=rng.uniform(-1, 4), lmass=float(rng.choice([math.inf, rng.uniform(0, 8)])),
            regulator=str(rng.choice(["j01", "delta1", "smooth"], p=[0.5, 0.25, 0.25])),
            velocity=str(rng.choice(["mean", "charge", "secondary"], p=[0.5, 0.25, 0.25])),
        )
        if flow != "paper" and rng.random() < 0.5:
            kw["upsilon_theta"] = rng.uniform(-0.8, 0.8)
        kw["y0"] = rng.uniform(-0.35, 0.35) * kw["y_strong"]
        kw["y2"] = float(rng.choice([0.0, rng.uniform(-0.2, 0.2)]))
        kw["vertex_charge"] = float(rng.choice([2.0, 1.0], p=[0.75, 0.25]))  # 1: Mott-ladder secondary
        if rng.random() < 0.3:
            kw["temperature"] = float(np.exp(-rng.uniform(4, 20)))
        else:
            kw["lmax"] = rng.uniform(4, 20)
        models.append(Model(**kw))
    return models


def near_boundary(m: Model, res) -> bool:
    """Within 1e-3 of a phase boundary in RG time: l_bbar at lstar (or at a cic drop), a spin gap at lmax, or
    l_bbar at the spin gap; or at a boundary of the strong-coupling step: the mismatch at the locking threshold, the
    spin coupling at zero or the dropped reading's gap at lmax."""
    f = res.flow
    close = []
    step = res.hand_over
    if step is not None:
        close.append(abs(step["mismatch"] - step["critical_mismatch"]) < 1e-4 * max(1.0, step["critical_mismatch"]))
        close.append(abs(step["ys"]) < 1e-4)
        if step["ys"] < 0:
            close.append(abs(step["l"] + (1 + step["ys"]) / -step["ys"] - m.lmax) < 1e-3)
    if res.l_bbar is not None:
        close.append(abs(res.l_bbar - m.lstar_eff) < 1e-3)
        if f.l_drop1 is not None:
            close.append(abs(res.l_bbar - f.l_drop1) < 1e-3)
        if f.l_spin_gap is not None:
            close.append(abs(res.l_bbar - f.l_spin_gap) < 1e-3)
    if f.l_spin_gap is not None:
        close.append(abs(f.l_spin_gap - m.lmax) < 1e-3)
    if f.singlet_weight is not None:
        close.append(abs(f.singlet_weight - 0.5) < 1e-3)
    return any(close)


@pytest.fixture(scope="module")
def agreement():
    models = random_models(2000, seed=20201)
    batch = run_batch(models)
    reference = [phase_of(m) for m in models]
    return models, batch, reference


def test_same_phase_on_random_points(agreement):
    """>= 99.9 % of 2000 random points in the same phase and with the same control flag; any disagreement lies
    within 1e-3 of a boundary."""
    models, batch, reference = agreement
    codes = np.array([r.code for r in reference])
    differ = np.nonzero((codes != batch.phase) | (np.array([r.controlled for r in reference]) != batch.controlled))[0]
    assert len(differ) <= 2, f"{len(differ)} disagreements"
    for i in differ:
        assert near_boundary(models[i], reference[i]), (models[i], reference[i].to_dict(), batch.phase[i])
    # every phase and option is represented: the test is not satisfied by a trivial sample
    assert set(codes) >= {0, 1, 2, 3} and sum(r.hand_over is not None for r in reference) > 200
    assert {m.scheme for m in models} == {"cic", "printed", "frozen"} and {m.su2 for m in models} == {True, False}
    assert {m.flow for m in models} == {"consistent", "paper", "diagonal"} and {m.vertex_charge for m in models} == {
        1.0, 2.0}
    assert {m.regulator for m in models} == {"j01", "delta1", "smooth"} and {m.velocity for m in models} == {
        "mean", "charge", "secondary"}
    assert any(not m.on_line13 for m in models) and not all(r.controlled for r in reference)
    assert sum(r.flow.l_drop1 is not None for r in reference) > 100


def test_event_scales_agree_to_1e_5(agreement):
    """Spin-gap, strong-coupling and drop scales agree to 1e-5 (relative to max(1, l): a few flows with
    |y1| ~ e^30 are so ill-conditioned that neither integrator pins l_bar to better than ~2e-5 at l ~ 18)."""
    _, batch, reference = agreement

    def close(a, b):
        return abs(a - b) <= 1e-5 * max(1.0, abs(b))

    counts = dict.fromkeys(("gap", "bbar", "drop"), 0)
    for i, r in enumerate(reference):
        f = r.flow
        gap, batch_gap = f.l_spin_gap, min(batch.l_bar[i], batch.l_runaway[i])
        if (gap is None) != bool(np.isinf(batch_gap)):  # one solver stopped just before lmax
            assert abs((gap or batch_gap) - r.model.lmax) < 1e-3, i
            continue
        if gap is not None:
            assert close(batch_gap, gap), (i, gap, batch_gap)
            counts["gap"] += 1
        if r.code == batch.phase[i]:  # the spin sector's quoted scale (a hand-over's dropped reading, a trion's scale)
            assert batch.spin_gap[i] == pytest.approx(r.spin_gap or 0.0, rel=1e-5, abs=1e-300), i
        if r.l_bbar is not None and np.isfinite(batch.l_bbar[i]):
            assert close(batch.l_bbar[i], r.l_bbar), (i, r.l_bbar, batch.l_bbar[i])
            # the trion scale only in the trion phase (phases.py), by both paths
            assert batch.trion_scale[i] == pytest.approx(r.trion_scale or 0.0, rel=1e-4, abs=1e-12)
            assert (batch.trion_scale[i] > 0) == (r.phase == "trion") == (r.trion_scale is not None)
            counts["bbar"] += 1
        elif r.l_bbar is not None or np.isfinite(batch.l_bbar[i]):
            # one solver saw |y1| = y_strong and the other did not: only possible at the flow's end or at a drop
            other = [x for x in (gap, f.l_drop1) if x is not None]
            assert any(abs((r.l_bbar or batch.l_bbar[i]) - x) < 1e-3 for x in other), i
        drop = batch.events[i, EVENTS.index("l_drop1")]
        if f.l_drop1 is not None and np.isfinite(drop):
            assert close(drop, f.l_drop1), (i, f.l_drop1, drop)
            counts["drop"] += 1
    assert counts["gap"] > 500 and counts["bbar"] > 500 and counts["drop"] > 200, counts


def test_dominant_order_agrees(agreement):
    """The order rules (density wave against pairs at the spin gap, the trion's Kf) give the same order, up to
    points on the boundary of the two exponents."""
    _, batch, reference = agreement
    for i, r in enumerate(reference):
        if r.code != batch.phase[i]:
            continue
        if ORDERS[batch.dominant_order[i]] != (r.dominant_order or "none"):
            assert r.phase in ("paired", "triplet")
            assert abs(r.chi_cdw_exponent - r.chi_sc_exponent) < 1e-5


def test_no_nan_at_the_edges_of_the_domain():
    """The engine returns no NaN for devices at the edges of the model's domain."""
    edges = [
        dict(upsilon=0.999), dict(upsilon=-0.999), dict(u_ratio=1.9, upsilon=0.52), dict(ys0=-0.999),
        dict(ys0=0.999), dict(y0=0.999), dict(y0=-0.999), dict(y0=0.0), dict(K0=1e-3), dict(K0=50.0),
        dict(Kc0=1e-3), dict(Kc0=50.0), dict(lstar=-50.0), dict(lstar=math.inf), dict(chi=1e-3), dict(chi=100.0),
        dict(theta=math.pi), dict(lmax=1e-6), dict(lmax=40.0), dict(y_strong=1e-3, y0=1e-4),
        dict(y_strong=1e3, y0=0.5), dict(su2=False, ys0=0.9, lmax=8.0), dict(scheme="frozen", lstar=math.inf, K0=0.1),
        dict(y2=0.9, lstar2=20.0, upsilon=-0.9), dict(lmass=0.0), dict(temperature=0.999999),
    ]
    models = [Model(**kw) for kw in edges]
    batch = run_batch(models)
    for name in ("l_bar", "l_bbar", "spin_gap", "trion_scale", "Kc_tilde_end", "K_tilde_end"):
        values = getattr(batch, name)
        assert not np.any(np.isnan(values)), (name, [edges[i] for i in np.nonzero(np.isnan(values))[0]])
    assert set(batch.phase.tolist()) <= {0, 1, 2, 3, 4}
    for m, code in zip(models, batch.phase, strict=True):  # and they are the phases scipy finds
        assert PHASES[code] == phase_of(m).phase or near_boundary(m, phase_of(m)), m


def test_closed_form_in_the_engine():
    """SU(2) line, y = 0: l_bar = (1-|ys0|)/|ys0| from the engine as well."""
    ys0 = np.array([-0.05, -0.1, -0.2, -0.5, -0.9])
    batch = run_batch([Model(ys0=v, y0=0.0, lmax=40.0) for v in ys0])
    # rtol 1e-9 per step on an RMS over the 12 variables (most of them constant here): 2e-7 of l_bar at l_bar = 19
    np.testing.assert_allclose(batch.l_bar, (1 - np.abs(ys0)) / np.abs(ys0), rtol=1e-6)
    assert np.all(batch.phase == 1)


@pytest.mark.parametrize("kernel", ["lanes", pytest.param("scalar", marks=pytest.mark.long)])
def test_jit_cache_is_on_disk_and_bit_for_bit(tmp_path: Path, kernel: str):
    """A second process loads the compiled kernel from numba's on-disk cache instead of compiling it, and the
    loaded kernel gives exactly the freshly compiled one's results (a Dask worker and its parent must agree
    bit for bit; with fastmath "contract" + "nsz" they did not). The default kernel in ``make test``, the scalar one
    in ``make test-long`` (a cold compilation each: about a minute and 25 s)."""
    dispatcher = ("engine.lanes import _integrate_lanes as k" if kernel == "lanes"
                  else "engine.batch import _integrate as k")
    code = (
        f"import sys, hashlib; sys.path.insert(0, {str(Path(__file__).parent)!r});"
        "from test_engine import random_models; from pairing1d.engine.batch import run_batch;"
        f"from pairing1d.{dispatcher};"
        f"b = run_batch(random_models(400, seed=5), kernel={kernel!r});"
        "h = hashlib.sha256(b.events.tobytes() + b.Kc_tilde_end.tobytes() + b.K_tilde_end.tobytes()).hexdigest();"
        "sys.stdout.write(f'{len(k.stats.cache_hits)} {h}')"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}  # an empty cache: the first process compiles
    procs = [subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=600,
                            env=env) for _ in range(2)]
    runs = [proc.stdout.split() for proc in procs]
    assert int(runs[0][0]) == 0 and int(runs[1][0]) >= 1
    assert runs[0][1] == runs[1][1]
    if kernel == "lanes":  # the first compilation says so in one line, the cached load says nothing
        from pairing1d.engine.lanes import COMPILING_NOTICE

        assert procs[0].stderr.strip() == COMPILING_NOTICE and procs[1].stderr == ""


@pytest.mark.long  # the scalar kernel (no longer the default) compiles cold in 25-35 s; make test uses only the lanes
def test_the_kernel_has_one_compiled_signature_for_every_layout():
    """The kernel is compiled once, with LLVM's unrolling on (engine._aggressive_unrolling), for packed rows of any
    layout; a single C-contiguous row, a column-major batch and a sliced (strided) one all run that one
    compilation: a lazily compiled second specialisation would miss the unrolling and cost 15 s."""
    from pairing1d.engine import batch as engine

    one = engine.integrate_batch(engine.pack([Model()]), kernel="scalar")
    rows = engine.pack([Model(), Model(y0=0.2), Model(K0=0.4)])
    batch = engine.integrate_batch(rows, kernel="scalar")
    strided = engine.integrate_batch(np.asfortranarray(rows)[::2], kernel="scalar")
    assert len(engine._integrate.signatures) == 1 and not engine._integrate._can_compile
    np.testing.assert_array_equal(one[0][0], batch[0][0])
    np.testing.assert_array_equal(strided[0][1], batch[0][2])
