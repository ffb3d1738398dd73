"""Speed of the design search (pairing1d.design.search): the space-filling stage of 10,000 devices of the
shipped example space (examples/design_space.toml) with every device's 18-member verdict ensemble, and its
refinement (4 seeds, Nelder-Mead, 120 evaluations each), in engine flows and seconds.

Flows are counted where the gate map's evaluation calls the engine: the distinct packed rows of each batch's verdict
ensemble (engine_ensemble.run_ensemble's ``flows``) and the flows at the base temperature (gate_map.run_batch).
The goal: the 10,000-device stage in under a minute on a 2-core machine.

Prints one JSON line, with the machine it ran on (benchmarks/machine.py). Run: .venv/bin/python benchmarks/design.py
"""

from __future__ import annotations

import dataclasses
import json
import sys
import tempfile
import time
from pathlib import Path

from machine import describe  # benchmarks/ is on the path of a script run from it

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    from pairing1d.design.search import run_design
    from pairing1d.design.space import read_design_space
    from pairing1d.devices import gate_map
    from pairing1d.engine.lanes import _compile

    _compile()  # numba's cache: the first compilation is not the search's cost
    counts = {"flows": 0}
    ensemble, batch = gate_map.run_ensemble, gate_map.run_batch

    def counting_ensemble(values, *args, **kwargs):
        result = ensemble(values, *args, **kwargs)
        counts["flows"] += result.flows
        return result

    def counting_batch(models, *args, **kwargs):
        counts["flows"] += len(models)
        return batch(models, *args, **kwargs)

    gate_map.run_ensemble, gate_map.run_batch = counting_ensemble, counting_batch
    base = read_design_space(ROOT / "examples" / "design_space.toml")
    out = {"machine": describe()}
    with tempfile.TemporaryDirectory() as tmp:
        for label, space in (("survey_10000", dataclasses.replace(base, survey_devices=10_000, refine_seeds=0)),
                             ("example_search", base)):
            counts["flows"] = 0
            started = time.perf_counter()
            report = run_design(space, Path(tmp) / f"{label}.nc")
            seconds = time.perf_counter() - started
            devices = space.survey_devices + report.evaluations_computed
            out[label] = {"devices": devices, "seconds": round(seconds, 2), "devices_per_s": round(devices / seconds),
                          "flows": counts["flows"], "refine_evaluations": report.evaluations_computed}
    print(json.dumps(out))
    if out["survey_10000"]["seconds"] > 60:
        print("the 10,000-device stage took more than a minute", file=sys.stderr)


if __name__ == "__main__":
    main()
