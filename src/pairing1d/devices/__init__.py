"""Devices in lab units: a device and its presets (:mod:`.device`, the TOML files in ``device_presets/``), the
gated Coulomb matrix elements (:mod:`.coulomb`), nanotube bands (:mod:`.cnt`), physical constants (:mod:`.units`),
gate maps in volts, kelvin and e²/h (:mod:`.gate_map`), the ladder device along its back gate
(:mod:`.ladder_scan`) and their figures (:mod:`.device_plots`). It may import :mod:`pairing1d.engine`,
:mod:`pairing1d.theory`, :mod:`pairing1d.plotting` and :mod:`pairing1d.support`; not the paper, the lattice or the
applications.
"""
