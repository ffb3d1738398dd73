"""Every flow ends: bounded values, a step budget, inputs whose derived quantities overflow refused (issue 17, 1).

A flow that fails is reported as such by both solvers (``FlowResult.status``, ``BatchResult.status``) and its
verdict is not presented as controlled; the compiled kernel and the scipy path agree on which flows fail.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from pairing1d import Model, ModelError, phase_of
from pairing1d.theory import rg
from pairing1d.theory.flow_equations import FAILURES, Y_WALL

engine = pytest.importorskip("pairing1d.engine.batch")


@pytest.mark.parametrize("fields, named", [
    (dict(Kc0=1e200, u_ratio=1e200, upsilon=0.0), "Kc0"),  # Q = 0 x inf was NaN: a flow that never started
    (dict(Kc0=1e308), "Kc0"), (dict(K0=1e-6), "K0"), (dict(u_ratio=1e25), "u_ratio"),
    (dict(y_strong=1e300, y0=1e200), "y_strong"),  # exp(2 ln|y|) overflowed in the right-hand side
    (dict(y_strong=1e-300, y0=1e-301), "y_strong"), (dict(chi=1e-300), "chi"),
])
def test_inputs_whose_derived_quantities_overflow_are_refused_in_one_line(fields, named):
    with pytest.raises(ModelError) as info:
        Model(**fields)
    message = str(info.value)
    assert message.startswith(f"{named} = ") and "allowed range" in message and "\n" not in message


# |y1| grows without bound after l* in the printed scheme when its dimension stays below 2 (K0 = 1, Kc0 small):
# the flow reaches the wall at |y1| = 1e30 near l = 194, long before lmax = 1000
RUNAWAY = Model(Kc0=0.001, K0=1.0, ys0=0.0, y0=1e-12, upsilon=0.0, u_ratio=1.0, lstar=2.0, chi=1e-6, lmax=1000.0,
                y_strong=0.001, scheme="printed", flow="paper")


def test_a_coupling_at_the_wall_stops_both_solvers_at_the_same_place():
    r = phase_of(RUNAWAY)
    assert r.flow.status == FAILURES[2] and r.flow.l_end < RUNAWAY.lmax
    assert abs(r.flow.end["y1"]) == pytest.approx(Y_WALL, rel=1e-6)
    assert not r.controlled and "1e30" in r.uncontrolled_reason and r.to_dict()["status"] == FAILURES[2]
    batch = engine.run_batch([RUNAWAY])
    assert FAILURES[int(batch.status[0])] == FAILURES[2] and not batch.controlled[0]
    assert batch.events[0, engine.EVENTS.index("l_end")] == pytest.approx(r.flow.l_end, rel=1e-6)
    # the same device with a shorter flow never reaches the wall: no failure
    short = phase_of(RUNAWAY.replace(lmax=150.0))
    assert short.flow.status == "reached lmax" and int(engine.run_batch([RUNAWAY.replace(lmax=150.0)]).status[0]) == 0


def test_the_scipy_step_budget_ends_a_flow_as_failed(monkeypatch):
    monkeypatch.setattr(rg, "MAX_EVALUATIONS", 40)
    r = phase_of(Model(K0=0.4, y0=0.2, lstar=3.0))
    assert r.flow.status == FAILURES[1] and r.flow.l_end < r.model.lmax
    assert r.phase != "trion" and not r.controlled and "step budget" in r.uncontrolled_reason


def test_extreme_valid_devices_end_finite_and_both_solvers_agree_on_failures():
    """A seeded sample of devices at the corners of the allowed ranges (the fuzz of issue 17 found NaN loops and
    overflow tracebacks there): every flow ends within a second, nothing is NaN, and the engine and the scipy path
    report the same status and the same control on all but edge cases where an event falls on lmax itself."""
    rng = np.random.default_rng(7)

    def pick(values):
        return values[rng.integers(len(values))]

    models = [RUNAWAY]  # one known failure, so that the agreement below is not vacuous
    while len(models) < 100:
        fields = dict(Kc0=pick([1e-3, 1e-2, 0.5, 3.0, 1e3]), K0=pick([1e-3, 1e-2, 0.3, 1.0, 1e3]),
                      u_ratio=pick([1e-3, 0.5, 2.0, 1e3]), upsilon=pick([0.0, 0.5, 0.9999999, -0.9999999]),
                      chi=pick([1e-6, 0.1, 1.5, 1e6]), y_strong=pick([1e-6, 1e-3, 1.0, 1e3]),
                      lstar=pick([0.0, 2.0, 1e3, math.inf]), lmax=pick([20.0, 1000.0]),
                      flow=pick(["consistent", "paper"]), scheme=pick(["cic", "printed", "frozen"]),
                      ys0=pick([-0.999, 0.0, 0.999]))
        fields["y0"] = fields["y_strong"] * pick([0.0, 1e-9, 0.5, 0.999999])
        try:
            models.append(Model(**fields))
        except ModelError:
            continue
    batch = engine.run_batch(models)
    assert np.all(np.isfinite(batch.events[:, engine.EVENTS.index("l_end")]))
    failed = 0
    for i, m in enumerate(models):
        started = time.perf_counter()
        r = phase_of(m)
        assert time.perf_counter() - started < 5.0, m
        status = FAILURES.index(r.flow.status) if r.flow.status.startswith("failed") else 0
        failed += status != 0
        assert status == int(batch.status[i]), m
        if status and r.phase != "trion":  # a trion is decided at l_bbar, before the flow failed
            assert not r.controlled and not batch.controlled[i]
    assert failed > 0


def test_a_sweep_records_which_flows_failed():
    """The sweep variable ``status`` (CF flags) marks the failed flow, and its verdict is not controlled."""
    from pairing1d.engine.sweep import sweep

    ds = sweep(RUNAWAY, lmax=[150.0, 1000.0])
    assert ds["status"].values.tolist() == [0, 2] and ds["controlled"].values[1] == 0
    assert ds["status"].attrs["flag_meanings"].split()[2] == "failed_coupling_at_wall"
