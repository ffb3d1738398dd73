"""Devices in lab units: a device and its presets (:mod:`~pairing1d.devices.device`, the TOML files in
``device_presets/``), the gated Coulomb matrix elements (:mod:`~pairing1d.devices.coulomb`), nanotube bands
(:mod:`~pairing1d.devices.cnt`), physical constants (:mod:`~pairing1d.devices.units`), gate maps in volts, kelvin and
e²/h (:mod:`~pairing1d.devices.gate_map`), the ladder device along its back gate (:mod:`~pairing1d.devices.ladder_scan`)
and their figures (:mod:`~pairing1d.devices.device_plots`). It may import :mod:`pairing1d.engine`,
:mod:`pairing1d.theory`, :mod:`pairing1d.plotting` and :mod:`pairing1d.support`; not the paper, the lattice or the
applications.
"""
