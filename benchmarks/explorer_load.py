"""The explorer under load (issue 17, point 5): memory over many page loads and latency of concurrent loads.

A server is started in a subprocess on a free loopback port (:func:`pairing1d.explorer.server.serve`, never another
interface). A *page load* does what a browser does: an HTTP GET of the page (the server builds the session's
document), then the session's websocket (with the token of that page) pulls the document, then the websocket is
closed (the tab is closed). Two phases:

1. ``--loads`` loads one after the other; the server's resident memory (RSS) is printed every ``--every`` loads,
   then once more after the server has had the time to discard the closed sessions. Memory is *flat after warm-up*
   when the last samples stay within a few MB of the one taken after the first tenth of the loads.
2. ``--burst`` loads, ``--concurrent`` at a time: the time until each page is answered (its HTML) and until its
   document is on the client; the median and the maximum, and how many were not answered within ``--timeout``.

Bounded in count and time: every request has ``--timeout`` seconds, the whole run ``--deadline`` seconds (the
loads left are then skipped and reported as such), and the server is killed at the end whatever happened. The
machine's load average is printed, since other processes on the cores slow every number down. Run:
``.venv/bin/python benchmarks/explorer_load.py [--loads 300 --every 20 --burst 200 --concurrent 20]``.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from machine import describe

from pairing1d._subprocess import stop, wait_for_line
from pairing1d.explorer.server import LOOPBACK, free_port

_SERVER = """\
import sys
from pairing1d.explorer.server import serve
serve(host={host!r}, port={port}, announce=lambda url: print("URL", url, flush=True))
"""

_TOKEN = re.compile(r'"token"\s*:\s*"([A-Za-z0-9_\-.]+)"')


def rss_mb(pid: int) -> float:
    """Resident memory of process ``pid`` in MB (``/proc``; psutil when /proc is missing)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    import psutil

    return psutil.Process(pid).memory_info().rss / 2**20


def start_server(timeout: float) -> tuple[subprocess.Popen, str]:
    """The explorer on a free loopback port in a subprocess, and its URL once it listens."""
    port = free_port(LOOPBACK)
    proc = subprocess.Popen([sys.executable, "-c", _SERVER.format(host=LOOPBACK, port=port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line, seen = wait_for_line(proc, "URL ", timeout)
    if line is None:
        stop_server(proc)
        raise SystemExit(f"the server did not start within {timeout:g} s: {''.join(seen)}")
    return proc, line.split()[1]


stop_server = stop


def load_page(url: str, timeout: float) -> tuple[float, float]:
    """One page load as a browser makes it: GET the page, open its session's websocket with the page's token and
    the page's origin, pull the document, close the websocket. Returns (seconds until the HTML, seconds until the
    document). Every step waits at most ``timeout`` seconds in all (Bokeh's own client gives up connecting after
    20 s, which a browser does not)."""
    import asyncio

    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=timeout) as response:
        html = response.read().decode()
    answered = time.perf_counter() - started
    match = _TOKEN.search(html)
    if match is None:
        raise RuntimeError("the page holds no session token")
    left = max(1.0, timeout - answered)
    asyncio.run(asyncio.wait_for(_pull_document(url, match.group(1), left), left))
    return answered, time.perf_counter() - started


async def _pull_document(url: str, token: str, timeout: float) -> None:
    """The Bokeh protocol's opening, as BokehJS does it: websocket (subprotocols ``bokeh`` and the token), ACK,
    PULL-DOC-REQ, PULL-DOC-REPLY; then close."""
    from bokeh.client.websocket import WebSocketClientConnectionWrapper
    from bokeh.protocol import Protocol
    from bokeh.protocol.receiver import Receiver
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    origin = url.rstrip("/")
    request = HTTPRequest(origin.replace("http://", "ws://") + "/ws", connect_timeout=timeout,
                          request_timeout=timeout, headers={"Origin": origin})
    ws = await websocket_connect(request, subprotocols=["bokeh", token], max_message_size=100 * 2**20)
    protocol = Protocol()
    receiver = Receiver(protocol)

    async def message():
        while True:
            fragment = await ws.read_message()
            if fragment is None:
                raise RuntimeError(f"the server closed the websocket ({ws.close_code} {ws.close_reason})")
            msg = await receiver.consume(fragment)
            if msg is not None:
                return msg

    try:
        if (msg := await message()).msgtype != "ACK":
            raise RuntimeError(f"expected ACK, got {msg.msgtype}")
        await protocol.create("PULL-DOC-REQ").send(WebSocketClientConnectionWrapper(ws))
        while (msg := await message()).msgtype != "PULL-DOC-REPLY":
            if msg.msgtype == "ERROR":
                raise RuntimeError(f"server error: {msg.content}")
        if not msg.content["doc"]["roots"]:
            raise RuntimeError("the document came back empty")
    finally:
        ws.close()


def _timed_load(url: str, timeout: float) -> tuple[float, float] | str:
    try:
        return load_page(url, timeout)
    except Exception as exc:  # noqa: BLE001 - counted and reported, the run goes on
        return f"{type(exc).__name__}: {exc}"


def sequential(url: str, pid: int, loads: int, every: int, timeout: float, deadline: float) -> list[tuple[int, float]]:
    """``loads`` page loads one after another; (loads done, RSS in MB) every ``every`` loads."""
    series = [(0, rss_mb(pid))]
    failures: list[str] = []
    done = 0
    print(f"loads   RSS MB   (sequential, {loads} loads)", flush=True)
    print(f"{0:5d} {series[0][1]:8.1f}", flush=True)
    for done in range(1, loads + 1):
        if time.monotonic() > deadline:
            print(f"deadline reached: {loads - done + 1} loads skipped", flush=True)
            done -= 1
            break
        result = _timed_load(url, timeout)
        if isinstance(result, str):
            failures.append(result)
        if done % every == 0 or done == loads:
            series.append((done, rss_mb(pid)))
            print(f"{done:5d} {series[-1][1]:8.1f}", flush=True)
    if failures:
        print(f"{len(failures)} of {done} sequential loads failed, first: {failures[0]}")
    return series


def _slope_kb(a: tuple[int, float], b: tuple[int, float]) -> float:
    return 1024 * (b[1] - a[1]) / max(1, b[0] - a[0])


def _memory_summary(series: list[tuple[int, float]], flat_kb: float) -> bool:
    """Print the growth after warm-up (the first third of the loads: the sessions still open, caches and the
    allocator's arenas filling) and over the last half; True when the last half grows by less than ``flat_kb``
    per load."""
    warm, half, last = series[max(1, len(series) // 3)], series[len(series) // 2], series[-1]
    print(f"after warm-up ({warm[0]} loads, {warm[1]:.1f} MB) to {last[0]} loads ({last[1]:.1f} MB): "
          f"{last[1] - warm[1]:+.1f} MB, {_slope_kb(warm, last):+.0f} kB per load; "
          f"max {max(m for n, m in series if n >= warm[0]):.1f} MB")
    slope = _slope_kb(half, last)
    flat = slope < flat_kb
    print(f"last half ({half[0]} to {last[0]} loads): {slope:+.0f} kB per load: memory "
          + ("flat" if flat else f"GROWS (more than {flat_kb:g} kB per load)"))
    return flat


def burst(url: str, total: int, concurrent: int, timeout: float,
          deadline: float) -> tuple[list[float], list[float], list[str], int]:
    """``total`` page loads, ``concurrent`` at a time; the HTML and document times of those answered, the errors
    of the others, and how many were not started because the run's deadline had passed."""
    html, doc, errors = [], [], []
    skipped = 0

    def one(_):
        if time.monotonic() > deadline:
            return None
        return _timed_load(url, timeout)

    with ThreadPoolExecutor(max_workers=concurrent) as pool:
        for result in pool.map(one, range(total)):
            if result is None:
                skipped += 1
            elif isinstance(result, str):
                errors.append(result)
            else:
                html.append(result[0])
                doc.append(result[1])
    return html, doc, errors, skipped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loads", type=int, default=300, help="sequential page loads (memory)")
    parser.add_argument("--every", type=int, default=20, help="RSS sample every this many loads")
    parser.add_argument("--burst", type=int, default=200, help="page loads of the concurrent phase (latency)")
    parser.add_argument("--concurrent", type=int, default=20, help="page loads at a time in the concurrent phase")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds a page load may take")
    parser.add_argument("--deadline", type=float, default=1500.0, help="seconds the whole run may take")
    parser.add_argument("--flat-kb", type=float, default=100.0,
                        help="memory is flat when the last half of the loads grows by less than this per load")
    parser.add_argument("--linger", type=float, default=None,
                        help="seconds to wait after the loads for closed sessions to be discarded (default: the "
                             "server's discard time, explorer.server.SESSION_DISCARD_S, plus 5 s)")
    args = parser.parse_args(argv)
    for name in ("loads", "every", "burst", "concurrent"):
        if getattr(args, name) < (0 if name in ("loads", "burst") else 1):
            parser.error(f"--{name} = {getattr(args, name)} is too small")
    if args.concurrent > 64 or args.loads > 5000 or args.burst > 2000:
        parser.error("bounded run: at most 5000 loads, 2000 in the burst, 64 at a time")
    from pairing1d.explorer import server as server_module

    linger = args.linger if args.linger is not None else getattr(server_module, "SESSION_DISCARD_S", 32.0) + 5
    started = time.monotonic()
    deadline = started + args.deadline
    print(f"explorer load benchmark, machine: {describe()}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # killed (timeout): still stop the server on the way out
    proc, url = start_server(timeout=min(180.0, args.deadline))
    try:
        pid = proc.pid
        print(f"server {url} pid {pid}, RSS {rss_mb(pid):.1f} MB before the first load")
        series = sequential(url, pid, args.loads, args.every, args.timeout, deadline) if args.loads else []
        if series and len(series) > 2:
            flat = _memory_summary(series, args.flat_kb)
        else:
            flat = True
        if series:
            wait = min(linger, max(0.0, deadline - time.monotonic()))
            time.sleep(wait)
            print(f"{wait:.0f} s after the last load (closed sessions discarded): RSS {rss_mb(pid):.1f} MB")
        if args.burst and time.monotonic() < deadline:
            t0 = time.perf_counter()
            html, doc, errors, skipped = burst(url, args.burst, args.concurrent, args.timeout, deadline)
            wall = time.perf_counter() - t0
            print(f"burst: {args.burst} loads, {args.concurrent} at a time, {wall:.1f} s in all, "
                  f"{len(doc)} answered, {len(errors)} not answered within {args.timeout:g} s or failed"
                  + (f", {skipped} not started (deadline)" if skipped else ""))
            if doc:
                print(f"  page (HTML) answered: median {statistics.median(html):.2f} s, max {max(html):.2f} s")
                print(f"  document on the client: median {statistics.median(doc):.2f} s, max {max(doc):.2f} s")
            if errors:
                print(f"  first error: {errors[0]}")
            print(f"RSS after the burst {rss_mb(pid):.1f} MB")
            time.sleep(min(linger, max(0.0, deadline - time.monotonic())))
            print(f"RSS after the burst's sessions were discarded {rss_mb(pid):.1f} MB")
            if errors or skipped:
                return 1
        if not flat:
            return 1
        print(f"load average {os.getloadavg()[0]:.2f}, run {time.monotonic() - started:.0f} s")
    finally:
        stop_server(proc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
