"""A server started in a subprocess, as the explorer's browser test and load benchmark start one: wait for the line
that announces it, stop it for sure."""

from __future__ import annotations

import queue
import subprocess
import threading
import time


def wait_for_line(proc: subprocess.Popen, prefix: str, timeout: float) -> tuple[str | None, list[str]]:
    """The first line of ``proc``'s text stdout that starts with ``prefix`` (None if the process ends or ``timeout``
    seconds pass first) and every line read until then. A daemon thread reads stdout, so a silent process cannot
    block the caller beyond ``timeout``, and keeps draining it afterwards, so that the process never blocks on a
    full pipe."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        seen.append(line)
        if line.startswith(prefix):
            return line, seen
    return None, seen


def stop(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    """Terminate ``proc``, and kill it if it has not ended within ``timeout`` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
