"""What should a group build? The design search: a design space of devices in lab units
(:mod:`~pairing1d.design.space`, with the sourced materials of :mod:`~pairing1d.design.materials`), their evaluation
through the gate map's batched path with the verdict ensemble (:mod:`~pairing1d.design.evaluation`), the resumable,
checksummed store (:mod:`~pairing1d.design.store`), the space-filling stage and the bounded refinement
(:mod:`~pairing1d.design.search`), the ranking (:mod:`~pairing1d.design.rank`), the device files and figures it
writes (:mod:`~pairing1d.design.output`) and the picture of its couplings against the atlas
(:mod:`~pairing1d.design.plot`). It sits above the devices and the paper's atlas: it may import
:mod:`pairing1d.devices`, :mod:`pairing1d.paper`, :mod:`pairing1d.engine`, :mod:`pairing1d.theory`,
:mod:`pairing1d.plotting` and :mod:`pairing1d.support`; only the command line and the explorer import it.
"""
