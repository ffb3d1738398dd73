"""Speed of the batched engine (its default kernel, engine.DEFAULT_KERNEL) against the scipy per-point baseline, on
the grid of Fig. 4 (K0 = 0.5), for the default flow (consistent, cic) and for the paper's Eq. (16) (paper, printed).

Prints one JSON line. Baseline: ``solve_ivp`` (DOP853, rtol 1e-8, atol 1e-10) with the same events, one flow
at a time, on 300 random points of the grid. Engine: the whole 256 x 256 grid through ``sweep`` (warm: same
process after a first call; cold: a fresh Python process, numba's on-disk cache already filled). A sweep gives every
device its verdict ensemble, so it integrates several flows per device (the packed rows of
``engine_ensemble.pack_ensemble``); the per-flow figures divide by those rows.

The floating-point estimate counts the operations of one Dormand-Prince step (6 evaluations of Eq. 16 and the
stage combinations) and multiplies by the measured mean number of steps; it is compared with the machine's
scalar and AVX2 (4-wide FMA) double-precision peaks on the cores numba uses: the sweep (the default kernel, SIMD
lanes) and the lane kernel against the vector peak, the scalar kernel against the scalar one. The count is the
useful work of the full 12-variable step; the lanes skip the variables that do not move (engine_lanes.still_rows).

``kernels`` compares the two batched integrators on the same packed rows, alternately in one run: the scalar kernel
(one device per thread) and the lane kernel (pairing1d.engine.lanes, devices in SIMD lanes).

``ensemble_against_single`` is the cost of the verdict ensemble (pairing1d.engine.ensemble_batch.run_ensemble: six flows
per device, each read at three thresholds, one pass over packed rows) against the single map of the reported flow
(engine.run_fields) on the same grid, alternately in one run; the goal is at most 6x.

The output starts with the machine (CPU model, SIMD width in doubles, cores, load): ratios are comparable between
runs on machines alike.

Run: .venv/bin/python benchmarks/sweep_speed.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import numpy as np
from machine import describe

from pairing1d import Model
from pairing1d.engine.batch import PACKED_FIELDS, integrate_batch, pack_fields, run_fields
from pairing1d.engine.grid import Grid
from pairing1d.engine.sweep import sweep
from pairing1d.theory.phases import classify
from pairing1d.theory.rg import solve_flow

N = 256
BASES = {"consistent, cic (default)": Model(K0=0.5), "paper, printed (Eq. 16)": Model(K0=0.5, flow="paper",
                                                                                        scheme="printed")}
AXES = dict(exp_neg_lstar=np.linspace(0.0, 0.6, N), y0=np.linspace(0.0, 0.3, N))

# Operations of one DP5 step in the engine's kernel, counted by hand from flow_equations.rhs and engine._step:
# rhs: per vertex ~6 transcendental calls (exp, cos, sin; the cic Bessel series: 2 x 15 multiply-adds; the tanh
# schemes: exp, log1p) at ~20 flops each and ~60 arithmetic operations, the 2x2 inverse and the spin sector ~30;
# stages: sum_{s=1..5} s multiply-adds for 12 variables = 15*2*12; solution 6*12*2; error 7*12*2 + 12*4.
RHS_FLOPS = 6 * 20 + 60 + 30
STEP_FLOPS = 6 * RHS_FLOPS + 15 * 2 * 12 + 6 * 12 * 2 + 7 * 12 * 2 + 12 * 4


def baseline_per_flow(base: Model, n_points: int = 300, seed: int = 0) -> float:
    rng = np.random.default_rng(seed)
    xs = rng.choice(AXES["exp_neg_lstar"], n_points)
    ys = rng.choice(AXES["y0"], n_points)
    models = [base.replace(lstar=-np.log(x) if x > 0 else np.inf, y0=float(y)) for x, y in zip(xs, ys, strict=True)]
    best = np.inf
    for part in np.array_split(np.arange(n_points), 3):  # the best third: the machine is shared and noisy
        start = time.perf_counter()
        for i in part:
            classify(solve_flow(models[i], rtol=1e-8, atol=1e-10))
        best = min(best, (time.perf_counter() - start) / len(part))
    return best


def cold_seconds() -> float:
    code = (
        "import time; t = time.perf_counter();"
        "import numpy as np; from pairing1d import Model; from pairing1d.engine.sweep import sweep;"
        f"sweep(Model(K0=0.5), exp_neg_lstar=np.linspace(0, 0.6, {N}), y0=np.linspace(0, 0.3, {N}));"
        "print(time.perf_counter() - t)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)  # make sure the cache is filled
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return float(out.stdout)


def best_of(repeats: int, run) -> float:
    """The shortest of ``repeats`` timings of ``run()`` (s): on a shared machine the least disturbed one."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def cli_against_kernel(n: int = 1024, rounds: int = 3) -> dict:
    """The n x n Fig. 4 grid (default flow) through ``pairing1d phase-diagram`` (a .zarr store and a .nc file, each
    in a fresh process) against the kernel alone on the same packed rows (integrate_batch, warm, in this process),
    timed right before and right after each command, so that the machine's load, which drifts by 20-30 % within a
    minute here, hits both sides of each ratio alike; ``rounds`` rounds. The kernel integrates the command's rows:
    every device's verdict ensemble. A command's ratio is its time over the
    faster of its two kernels; the best round is reported, with every round's ratio beside it.
    ``command_s`` is the time the command reports (its sweep, writing and reading back included), ``setup_s`` what
    it did before (importing xarray and the writer's libraries, loading the kernel from numba's cache: once per
    process, whatever the grid), ``wall_s`` the whole process (Python's start and the plot-free summary included)."""
    import tempfile

    from pairing1d.engine.ensemble_batch import pack_ensemble

    base = Model(K0=0.5)
    axes = dict(exp_neg_lstar=np.linspace(0.0, 0.6, n), y0=np.linspace(0.0, 0.3, n))
    params = pack_ensemble(Grid(base, axes).fields()).params  # the command's flows: every device's ensemble
    integrate_batch(params[:1000])
    exe = os.path.join(os.path.dirname(sys.executable), "pairing1d")
    argv = [exe, "phase-diagram", "--x", f"exp_neg_lstar=0:0.6:{n}", "--y", f"y0=0:0.3:{n}", "--K0", "0.5", "--json"]
    runs: dict[str, list[dict]] = {"zarr": [], "nc": []}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(rounds):
            for suffix in runs:
                before = best_of(1, lambda: integrate_batch(params))
                start = time.perf_counter()
                proc = subprocess.run([*argv, "--out", os.path.join(tmp, f"map{r}.{suffix}")], check=True,
                                      capture_output=True, text=True)
                wall = time.perf_counter() - start
                after = best_of(1, lambda: integrate_batch(params))
                summary = json.loads(proc.stdout)
                kernel = min(before, after)
                runs[suffix].append({"kernel_s": kernel, "command_s": summary["seconds"],
                                     "setup_s": summary["setup_seconds"], "wall_s": wall,
                                     "command_over_kernel": summary["seconds"] / kernel,
                                     "wall_over_kernel": wall / kernel})
    out = {}
    for suffix, rows in runs.items():
        best = min(rows, key=lambda row: row["command_over_kernel"])
        out[suffix] = {**best, "command_over_kernel_every_round": [row["command_over_kernel"] for row in rows]}
    return {"grid": f"{n}x{n}", "goal_ratio": 1.3, **out}


def kernels_side_by_side(base: Model, rounds: int = 3) -> dict:
    """The 256^2 grid's packed rows through the scalar kernel and the lane kernel (engine.KERNELS), warm, alternately
    in ``rounds`` rounds (the best of each): the issue's goal is the lanes in <= 0.25 s and >= 4x the scalar."""
    params = pack_fields(Grid(base, AXES).fields())
    for kernel in ("scalar", "lanes"):
        integrate_batch(params[:100], kernel=kernel)  # compiled, or loaded from the cache
    times = {"scalar": [], "lanes": []}
    for _ in range(rounds):
        for kernel in times:
            times[kernel].append(best_of(1, lambda kernel=kernel: integrate_batch(params, kernel=kernel)))
    scalar, lanes = min(times["scalar"]), min(times["lanes"])
    return {"scalar_kernel_s": scalar, "lanes_kernel_s": lanes, "lanes_speedup": scalar / lanes,
            "goal_lanes_s": 0.25, "goal_speedup": 4.0}


def ensemble_against_single(rounds: int = 3) -> dict:
    """The 256^2 Fig. 4 grid (default flow) as one map (the reported flow alone, run_fields) and with its verdict
    ensemble (run_ensemble), warm, alternately in ``rounds`` rounds; the best of each and their ratio. At u = uc (the
    Fig. 4 planes) the three velocity conventions are one flow (four flows per device); at u = 2 uc they are three
    (six flows per device)."""
    from pairing1d.engine.ensemble_batch import pack_ensemble, run_ensemble

    out = {}
    for label, base in (("u = uc (Fig. 4)", Model(K0=0.5)), ("u = 2 uc", Model(K0=0.5, u_ratio=2.0))):
        fields = Grid(base, AXES).fields()
        run_fields({k: v[:100] for k, v in fields.items()})
        run_ensemble({k: v[:100] for k, v in fields.items()})
        times: dict[str, list[float]] = {"single": [], "ensemble": []}
        for _ in range(rounds):
            times["single"].append(best_of(1, lambda fields=fields: run_fields(fields)))
            times["ensemble"].append(best_of(1, lambda fields=fields: run_ensemble(fields)))
        single, ensemble = min(times["single"]), min(times["ensemble"])
        out[label] = {"single_map_s": single, "ensemble_map_s": ensemble, "ensemble_over_single": ensemble / single,
                      "flows_per_device": len(pack_ensemble(fields).params) / N**2, "members_per_device": 18,
                      "every_round": times}
    return {"goal_ratio": 6.0, **out}


def cpu_mhz() -> float | None:
    try:
        with open("/proc/cpuinfo") as f:
            values = [float(line.split(":")[1]) for line in f if line.startswith("cpu MHz")]
        return max(values) if values else None
    except OSError:
        return None


def main() -> None:
    import numba

    mhz = cpu_mhz()
    threads = numba.get_num_threads()
    scalar_peak = None if mhz is None else threads * mhz * 1e6 * 2  # 2 scalar double flops per cycle
    vector_peak = None if mhz is None else threads * mhz * 1e6 * 16  # 2 AVX2 FMA units x 4 doubles x 2
    results = {}
    for label, base in BASES.items():
        from pairing1d.engine.ensemble_batch import pack_ensemble

        sweep(base, y0=[0.1])  # warm the kernel
        warm = best_of(3, lambda base=base: sweep(base, **AXES))
        rows = pack_ensemble(Grid(base, AXES).fields()).params  # the sweep's flows: every device's ensemble
        _, _, steps = integrate_batch(pack_fields(Grid(base, AXES).fields()))
        per_flow_engine = warm / len(rows)
        per_flow_scipy = baseline_per_flow(base)  # measured right after the engine: the same machine load
        # one core against one core: a ratio that another process on the machine disturbs much less. run_fields on
        # one numba thread does all of it in this thread (sweep's pipeline would pack and write on the other core)
        numba.set_num_threads(1)
        fields = Grid(base, AXES).fields()
        one_core = best_of(2, lambda fields=fields: run_fields(fields)) / N**2
        numba.set_num_threads(threads)
        flops_per_flow = float(steps.mean()) * STEP_FLOPS
        achieved = flops_per_flow * N**2 / warm
        kernels = kernels_side_by_side(base)
        for kernel, peak in (("scalar", scalar_peak), ("lanes", vector_peak)):
            gflops = flops_per_flow * N**2 / kernels[f"{kernel}_kernel_s"] / 1e9
            kernels[f"{kernel}_achieved_gflops"] = gflops
            kernels[f"{kernel}_fraction_of_{'scalar' if kernel == 'scalar' else 'vector'}_peak"] = (
                None if peak is None else gflops * 1e9 / peak)
        results[label] = {
            "baseline_scipy_dop853_per_flow_s": per_flow_scipy,
            "engine_grid_warm_s (with every device's ensemble)": warm,
            "flows_per_device": len(rows) / N**2,
            "engine_per_flow_s": per_flow_engine,
            "speedup_per_flow": per_flow_scipy / per_flow_engine,
            "engine_per_flow_one_core_s": one_core,
            "speedup_per_flow_one_core": per_flow_scipy / one_core,
            "mean_steps_per_flow": float(steps.mean()),
            "flops_per_flow_estimate": flops_per_flow,
            "achieved_gflops": achieved / 1e9,
            "fraction_of_vector_peak": None if vector_peak is None else achieved / vector_peak,
            "kernels": kernels,
        }
    print(json.dumps({
        "machine": describe(),
        "ensemble_against_single": ensemble_against_single(),
        "grid": f"{N}x{N} Fig. 4 (K0=0.5, exp(-l*) in [0, 0.6], y0 in [0, 0.3])",
        "goal_speedup": 300, "goal_grid_warm_s": 1.0,
        "by_flow": results,
        "engine_grid_cold_fresh_process_s (default flow)": cold_seconds(),
        "scalar_peak_gflops": None if scalar_peak is None else scalar_peak / 1e9,
        "avx2_peak_gflops": None if vector_peak is None else vector_peak / 1e9,
        "numba_threads": threads, "cpu_count": os.cpu_count(),
        "packed_fields": len(PACKED_FIELDS),
        "cli_sweep_against_kernel": cli_against_kernel(),
    }, indent=1))


if __name__ == "__main__":
    main()
