"""The paper's physics, with no numerics beyond numpy and scipy: the bare parameters (:mod:`~pairing1d.theory.model`),
the exact Gaussian theory (:mod:`~pairing1d.theory.gaussian`), the RG flow written once
(:mod:`~pairing1d.theory.flow_equations`) and its scipy solver (:mod:`~pairing1d.theory.rg`), the phases
(:mod:`~pairing1d.theory.phases`) and the verdict ensemble (:mod:`~pairing1d.theory.ensemble`), the strong-coupling
hand-over (:mod:`~pairing1d.theory.strong_coupling`), the trion sector (:mod:`~pairing1d.theory.trion`), transport
(:mod:`~pairing1d.theory.transport`), coupled wires (:mod:`~pairing1d.theory.coupled_wires`), the Mott ladder
(:mod:`~pairing1d.theory.ladder`) and a flow saved to and loaded from a file (:mod:`~pairing1d.theory.flow_io`). It may
import only :mod:`pairing1d.support`; nothing here knows of the engine, devices, the paper's reproduction or the
applications (``tests/test_architecture.py`` checks it).
"""
