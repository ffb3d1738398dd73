"""The checksum of a set of named arrays, stored beside them so that a resumed store is verified before it is used."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import numpy as np

__all__ = ["array_checksum"]


def array_checksum(arrays: Mapping[str, np.ndarray]) -> int:
    """BLAKE2b (8 bytes, as an integer in [0, 2**64)) of the arrays in name order: each name, then its values as
    little-endian bytes of their own dtype. The atlas (:mod:`pairing1d.paper.atlas`) and the design search
    (:mod:`pairing1d.design.store`) store it per chunk and per index; the bytes hashed are fixed, since a change
    would make every committed store read as damaged."""
    digest = hashlib.blake2b(digest_size=8)
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        digest.update(name.encode())
        digest.update(a.astype(a.dtype.newbyteorder("<")).tobytes())
    return int.from_bytes(digest.digest(), "little")
