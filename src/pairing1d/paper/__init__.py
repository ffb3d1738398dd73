"""The reproduction of Shavit & Oreg (2020): the figures' set-ups (:mod:`~pairing1d.paper.setups`), the figures and
Table I (:mod:`~pairing1d.paper.figures`), the paper's statements measured under a cutoff scheme
(:mod:`~pairing1d.paper.claims`, gathering the modules ``claims_*`` split by the part of the paper they measure), and
the atlas, a survey of the paper's model space (:mod:`~pairing1d.paper.atlas`, :mod:`~pairing1d.paper.atlas_plot`). It
may import :mod:`pairing1d.engine`, :mod:`pairing1d.theory`, :mod:`pairing1d.plotting`, :mod:`pairing1d.support` and,
for the nanotube of Fig. 8 and the ladder's back gate, :mod:`pairing1d.devices`; not the lattice or the applications.
"""
