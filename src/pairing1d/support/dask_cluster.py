"""The one local Dask cluster of the package (sweeps, lattice scans, the commands' ``--workers N``), quiet under
Ctrl-C.

A terminal sends Ctrl-C (SIGINT) to every process of the foreground group, so Dask's worker processes receive it
too, each printing a traceback, and the cluster's shutdown logs warnings: the user would read fifty lines instead of
``pairing1d: error: interrupted``. Here SIGINT is blocked in this thread while the cluster starts, so that the
worker processes (and the threads that start them) inherit the block and never see it; a Ctrl-C pressed meanwhile
stays pending and interrupts this process as soon as the cluster is up. The workers log only errors, and the
cluster is closed with ``distributed``'s loggers silenced: the command itself reports what went wrong.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
from collections.abc import Iterator
from typing import Any

from .errors import SchedulerUnreachable

_LOGGERS = ("distributed", "distributed.core", "distributed.worker", "distributed.nanny", "distributed.scheduler",
            "distributed.client", "distributed.batched", "distributed.comm", "distributed.process")


@contextlib.contextmanager
def sigint_blocked() -> Iterator[None]:
    """Block SIGINT in the calling thread (the main thread) for the block's duration: the threads and processes
    started meanwhile inherit the block; a SIGINT received meanwhile is delivered when the block ends. A no-op
    outside the main thread or where threads' signal masks cannot be set."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def _environ(**values: str) -> Iterator[None]:
    """Environment variables set for the block only (the processes spawned meanwhile inherit them)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def quiet_loggers(names: tuple[str, ...] = _LOGGERS) -> Iterator[None]:
    """Raise the given loggers to CRITICAL for the block (a cluster's shutdown after an interruption)."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


@contextlib.contextmanager
def local_client(workers: int) -> Iterator[Any]:
    """A ``dask.distributed.Client`` on a new local cluster of ``workers`` single-threaded processes that ignore
    Ctrl-C (module docstring), listening on 127.0.0.1 only, without dashboard; closed quietly on exit."""
    from multiprocessing import resource_tracker

    from dask.distributed import Client, LocalCluster

    # multiprocessing's resource tracker, when first started, unblocks SIGINT in the thread that starts it (the
    # cluster's event loop, which starts the workers): start it now, before the block
    resource_tracker.ensure_running()
    with sigint_blocked(), _environ(DASK_LOGGING__DISTRIBUTED="error"):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                               silence_logs=logging.ERROR)
        try:
            client = Client(cluster)
        except BaseException:
            with quiet_loggers():
                cluster.close()
            raise
    try:
        yield client
    finally:
        with quiet_loggers():
            client.close()
            cluster.close()


@contextlib.contextmanager
def remote_client(address: str, timeout: float = 10.0) -> Iterator[Any]:
    """A ``dask.distributed.Client`` connected to the running scheduler at ``address`` (``tcp://HOST:PORT``), closed on
    exit. A malformed address is a one-line :class:`~pairing1d.support.errors.ModelError` (bad input); a scheduler that
    does not answer within ``timeout`` seconds a one-line :class:`~pairing1d.support.errors.SchedulerUnreachable` (an
    OSError)."""
    from dask.distributed import Client
    from distributed.comm.addressing import parse_address, parse_host_port

    from .errors import ModelError

    try:  # distributed's own parser, so that what passes here is what Client accepts
        _, location = parse_address(address)
        parse_host_port(location)
    except (ValueError, TypeError) as exc:
        raise ModelError(f"--scheduler {address!r} is not a Dask scheduler address like tcp://HOST:PORT "
                         f"({' '.join(str(exc).split())})") from None
    try:
        client = Client(address, timeout=f"{timeout:g}s")
    except (OSError, TimeoutError) as exc:
        raise SchedulerUnreachable(f"cannot reach the Dask scheduler at {address!r} "
                                   f"({' '.join(str(exc).split()) or type(exc).__name__})") from None
    except ValueError as exc:  # a well-formed address of a protocol Client cannot use
        raise ModelError(f"--scheduler {address!r}: {' '.join(str(exc).split())}") from None
    try:
        yield client
    finally:
        with quiet_loggers():
            client.close()
