"""The package's error types, in one place: every module that raises imports them from here.

Two families, as the command line reports them: a bad *input* (:class:`ModelError`, a ``ValueError``, and its
kinds; exit code 2 at the command line) and a failure of the *environment* (:class:`WriteError` for a file that
could not be written, :class:`SchedulerUnreachable` for a Dask scheduler that does not answer; OSErrors, exit code
1). Every message is one line (:func:`shorten` cuts a huge quoted value). The lattice layer's own kinds
(:class:`pairing1d.lattice.params.LatticeError`, the lattice store's errors) derive from these. This module imports
nothing of the package.
"""

from __future__ import annotations

__all__ = ["MAX_WORD", "shorten", "ModelError", "WriteError", "StoreError", "StoreLockedError", "StoreWriteError",
           "AtlasError", "SchedulerUnreachable"]

MAX_WORD = 120
"""Longest run of non-blank characters an error message quotes in full (a pasted 10 MB value is cut)."""


def shorten(text: str, limit: int = MAX_WORD) -> str:
    """``text`` on one line, each run of non-blank characters longer than ``limit`` cut in its middle with the
    number of characters left out, so that an error quoting a huge bad value stays one readable line."""
    words = []
    for word in str(text).split():
        if len(word) > limit:
            keep = (limit - 20) // 2
            word = f"{word[:keep]}...[{len(word) - 2 * keep} characters]...{word[-keep:]}"
        words.append(word)
    return " ".join(words)


class ModelError(ValueError):
    """A parameter lies outside the domain where the model (and its RG) is defined.

    The message is one line: the parameter, its value (shortened by :func:`shorten` when huge), the allowed range
    and the equation that needs it.
    """

    def __init__(self, message: object = "", *args: object) -> None:
        super().__init__(shorten(str(message)), *args)


class WriteError(OSError):
    """Writing an output failed in the environment: ``str()`` is one line naming the file and saying that the old
    file is unchanged; ``errno`` is the original one (``errno.ENOSPC`` for a full disk)."""

    def __str__(self) -> str:
        return str(self.strerror)


class StoreError(ModelError):
    """A sweep store cannot be used as asked (not a sweep store, another sweep, incomplete, damaged): one line."""


class StoreLockedError(StoreError):
    """Another writer holds the store's lock: the message names it (pid, host, start) and says what to do."""


class StoreWriteError(WriteError):
    """Writing a sweep's output failed in the environment (a full disk, no permission): ``str()`` is one line naming
    the file and what to do; ``errno`` is the original one (``errno.ENOSPC`` for a full disk)."""


class AtlasError(ModelError):
    """A scan file or an atlas store that cannot be used as asked: one line."""


class SchedulerUnreachable(ConnectionError):
    """No Dask scheduler answered at a well-formed address: a failure of the network or of the scheduler, not of
    the input (exit code 1 at the command line)."""
