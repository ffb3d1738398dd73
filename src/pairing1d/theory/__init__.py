"""The paper's physics, with no numerics beyond numpy and scipy: the bare parameters (:mod:`.model`), the exact
Gaussian theory (:mod:`.gaussian`), the RG flow written once (:mod:`.flow_equations`) and its scipy solver
(:mod:`.rg`), the phases (:mod:`.phases`) and the verdict ensemble (:mod:`.ensemble`), the strong-coupling hand-over
(:mod:`.strong_coupling`), the trion sector (:mod:`.trion`), transport (:mod:`.transport`), coupled wires
(:mod:`.coupled_wires`), the Mott ladder (:mod:`.ladder`) and a flow saved to and loaded from a file
(:mod:`.flow_io`). It may import only :mod:`pairing1d.support`; nothing here knows of the engine, devices, the
paper's reproduction or the applications (``tests/test_architecture.py`` checks it).
"""
