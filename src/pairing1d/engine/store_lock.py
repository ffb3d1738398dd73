r"""The writer's lock of a sweep store: the file ``chunk_done/lock.json``, created exclusively, taken over when its
holder is no longer running on this host (the rules: :mod:`pairing1d.engine.store`, "The writer's lock").
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..support.errors import StoreLockedError
from .grid import (
    _clip,
)

__all__ = ["LOCK_FILE"]

LOCK_FILE = "chunk_done/lock.json"
"""The writer's lock, relative to the store (module docstring)."""


def _hostname() -> str:
    return socket.gethostname()


def _pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this host (a zombie, dead but not yet reaped, counts as not running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    except OSError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


@dataclass
class _StoreLock:
    """This process's hold on a store's lock file (module docstring): ``release()`` removes it if still ours."""

    path: Path
    nonce: str
    stale_note: str | None = None

    @staticmethod
    def record(nonce: str) -> dict[str, Any]:
        from datetime import UTC, datetime

        from .. import __version__

        return {"pid": os.getpid(), "host": _hostname(),
                "started": datetime.now(UTC).isoformat(timespec="seconds"), "nonce": nonce,
                "program": f"pairing1d {__version__}"}

    @classmethod
    def create(cls, path: Path) -> _StoreLock | None:
        """Create the lock file at ``path``, exclusively and complete: the lock, or None if a lock file exists."""
        nonce = uuid.uuid4().hex
        tmp = path.with_name(f"{path.name}.{nonce}.tmp")
        tmp.write_text(json.dumps(cls.record(nonce)))
        try:
            try:
                os.link(tmp, path)  # atomic and exclusive: readers never see a half-written lock
            except FileExistsError:
                return None
            except OSError as exc:  # a file system without hard links: an exclusive create, then the content
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                    raise
                try:
                    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
                except FileExistsError:
                    return None
                with os.fdopen(fd, "w") as f:
                    f.write(tmp.read_text())
        finally:
            tmp.unlink(missing_ok=True)
        return cls(path, nonce)

    @classmethod
    def acquire(cls, store: Path) -> _StoreLock:
        """The lock of the existing ``store``: created, or taken over from a holder no longer running on this host;
        StoreLockedError if a live (or uncheckable) holder has it."""
        path = store / LOCK_FILE
        stale_note = None
        for _ in range(8):
            lock = cls.create(path)
            if lock is not None:
                lock.stale_note = stale_note
                return lock
            try:
                raw = path.read_bytes()
            except FileNotFoundError:  # released in between: try again
                continue
            holder = _parse_lock(raw)
            if holder is None:
                raise StoreLockedError(f"store {str(store)!r} has an unreadable lock file {str(path)!r}; if no "
                                       "pairing1d is writing this store, delete that file and run again")
            who = f"pid {holder['pid']} on host {_clip(holder['host'])!r}"
            if isinstance(holder.get("started"), str):
                who += f", started {_clip(holder['started'], 40)}"
            if isinstance(holder.get("program"), str):
                who += f" ({_clip(holder['program'], 40)})"
            if holder["host"] != _hostname():
                raise StoreLockedError(f"store {str(store)!r} is locked by {who}, on another host: if that writer is "
                                       f"gone, delete {str(path)!r} and run again")
            if _pid_alive(holder["pid"]):
                raise StoreLockedError(f"store {str(store)!r} is being written by {who}; wait for it to finish (if "
                                       f"that process is not a pairing1d writer any more, delete {str(path)!r})")
            # stale: move it aside, and make sure what was moved is the lock judged stale, not a new one
            aside = path.with_name(f"{path.name}.stale-{uuid.uuid4().hex}")
            try:
                os.rename(path, aside)
            except FileNotFoundError:
                continue
            if aside.read_bytes() != raw:  # a new writer's lock: put it back
                with contextlib.suppress(FileExistsError):
                    os.link(aside, path)
                aside.unlink(missing_ok=True)
                continue
            aside.unlink(missing_ok=True)
            stale_note = f"took over the stale lock of {who}, which is no longer running"
        raise StoreLockedError(f"store {str(store)!r}: could not take its lock {str(path)!r} (other writers keep "
                               "taking it); run again when they are done")

    def release(self) -> None:
        """Remove the lock file if it still holds this lock (never another writer's)."""
        with contextlib.suppress(OSError, ValueError):
            holder = _parse_lock(self.path.read_bytes())
            if holder is not None and holder.get("nonce") == self.nonce:
                self.path.unlink()


def _parse_lock(raw: bytes) -> dict[str, Any] | None:
    """The holder recorded in a lock file, or None if it is not a valid lock record."""
    try:
        holder = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if (not isinstance(holder, dict) or not isinstance(holder.get("host"), str)
            or isinstance(holder.get("pid"), bool) or not isinstance(holder.get("pid"), int) or holder["pid"] < 1):
        return None
    return holder
