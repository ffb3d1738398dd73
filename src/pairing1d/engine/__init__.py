"""The numerical engine: many RG flows at once and sweeps over grids of devices. The pieces both compiled kernels share
(:mod:`~pairing1d.engine.kernel_parts`: event codes, packed layout, the Dormand-Prince tableau and step routines), the
scalar kernel with the public batch functions (:mod:`~pairing1d.engine.batch`), the SIMD lane kernel
(:mod:`~pairing1d.engine.lanes`), the verdict ensemble in one pass (:mod:`~pairing1d.engine.ensemble_batch`), the sweeps
(:mod:`~pairing1d.engine.sweep` and the modules it is split into) and what this installation runs
(:mod:`~pairing1d.engine.installation`). It may import :mod:`pairing1d.theory` and :mod:`pairing1d.support` only.
Importing this package imports nothing (numba loads with :mod:`~pairing1d.engine.batch`), so that ``pairing1d
--version`` stays fast.
"""
