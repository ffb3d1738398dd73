"""The numerical engine: many RG flows at once and sweeps over grids of devices. The pieces both compiled kernels
share (:mod:`.kernel_parts`: event codes, packed layout, the Dormand-Prince tableau and step routines), the scalar
kernel with the public batch functions (:mod:`.batch`), the SIMD lane kernel (:mod:`.lanes`), the verdict ensemble
in one pass (:mod:`.ensemble_batch`), the sweeps (:mod:`.sweep` and the modules it is split into) and what this
installation runs (:mod:`.installation`). It may import :mod:`pairing1d.theory` and :mod:`pairing1d.support` only.
Importing this package imports nothing (numba loads with :mod:`.batch`), so that ``pairing1d --version`` stays fast.
"""
