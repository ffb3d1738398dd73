"""The explorer under load (issue 30): how long a page load takes alone and with 5, 10 and 20 at once, what the server
spends on each, and its memory over many loads.

A server is started in a subprocess on a free loopback port (:func:`pairing1d.explorer.server.serve`, as
``pairing1d explore`` runs it; never another interface). A *page load* does what a browser does: an HTTP GET of the
page (the server builds the session's document), then the session's websocket (with the token of that page) pulls
the document, then the websocket is closed (the tab is closed). The time of a load is until the document is on the
client. Four phases, after three loads that warm the server up (the first computes the map every page shares):

1. Two rounds of ``--loads`` loads one after the other; the server's resident memory (RSS) is printed every
   ``--every`` loads, and after each round once the server has discarded its closed sessions. A closed page's
   session is kept :data:`~pairing1d.explorer.server.SESSION_DISCARD_S` seconds (a browser may reconnect), so during
   a round the RSS grows with the sessions still kept (about the load rate times that time) and levels off once the
   first ones are discarded; how high depends on the speed of a load, not on a leak. What a leak shows is the second
   round: memory is *flat* when the second round's peak and its RSS after the discard exceed the first round's by
   less than ``--flat-kb`` per load (the first round has filled the caches and the allocator's arenas, which the
   second reuses).
2. ``--single`` loads one after the other, once the closed sessions are discarded: a single load's time (median).
3. For each number in ``--levels``: ``--per-level`` loads (at least three rounds of that many), that many at a time:
   the median (p50), p90 and maximum time of a load, how many failed or were not answered within ``--timeout``.
4. The RSS after the loads' sessions are discarded.

Each phase also prints the server's CPU time per load (``/proc``) and its share of a core over the phase: with ``c``
loads at a time the server answers one after another, so a load waits about ``c`` times the CPU per load divided by
the share of a core the server gets; other processes on the two cores (the load average is printed) lower that share.
The page's weight (Bokeh models and bytes of the document a load pulls) and every line the server logged are printed
too. The goals (a single load under 2 s, p50 under 5 s at 20 at a time, memory flat) are printed with each number's
ratio to its goal, all measured in this run; the exit status is 1 when one is missed or a load failed.

Bounded in count and time: every load has ``--timeout`` seconds, the whole run ``--deadline`` seconds (the loads
left are then skipped and reported as such), and the server is killed at the end whatever happened. Run:
``.venv/bin/python benchmarks/explorer_load.py [--loads 300 --levels 5,10,20]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from machine import describe

from pairing1d.explorer.server import LOOPBACK, free_port
from pairing1d.support.subprocesses import stop, wait_for_line

GOAL_SINGLE_S = 2.0
"""A single page load, alone on the server (median)."""
GOAL_P50_S = 5.0
"""The median page load with :data:`GOAL_CONCURRENT` loads at a time."""
GOAL_CONCURRENT = 20

_SERVER = """\
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


def cpu_s(pid: int) -> float:
    """CPU time (user + system, every thread) process ``pid`` has used, in seconds."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()  # the command name may hold spaces: split after it
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except FileNotFoundError:
        import psutil

        times = psutil.Process(pid).cpu_times()
        return times.user + times.system


def start_server(timeout: float, log_path: str) -> tuple[subprocess.Popen, str]:
    """The explorer on a free loopback port in a subprocess, and its URL once it listens; what it logs (stderr)
    goes to ``log_path``."""
    port = free_port(LOOPBACK)
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-c", _SERVER.format(host=LOOPBACK, port=port)],
                                stdout=subprocess.PIPE, stderr=log, text=True)
    line, seen = wait_for_line(proc, "URL ", timeout)
    if line is None:
        stop_server(proc)
        raise SystemExit(f"the server did not start within {timeout:g} s: {''.join(seen)}")
    return proc, line.split()[1]


stop_server = stop


@dataclass
class Load:
    """One page load: seconds until the page's HTML, seconds until its document is on the client, and (when asked
    for) the document's Bokeh models and bytes."""

    html_s: float
    doc_s: float
    models: int = 0
    doc_bytes: int = 0


def load_page(url: str, timeout: float, weigh: bool = False) -> Load:
    """One page load as a browser makes it: GET the page, open its session's websocket with the page's token and
    the page's origin, pull the document, close the websocket. Every step waits at most ``timeout`` seconds in all
    (Bokeh's own client gives up connecting after 20 s, which a browser does not). ``weigh``: count the document's
    models and bytes."""
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=timeout) as response:
        html = response.read().decode()
    answered = time.perf_counter() - started
    match = _TOKEN.search(html)
    if match is None:
        raise RuntimeError("the page holds no session token")
    left = max(1.0, timeout - answered)
    weight = asyncio.run(asyncio.wait_for(_pull_document(url, match.group(1), left, weigh), left))
    return Load(answered, time.perf_counter() - started, *weight)


def _count_models(value) -> int:
    """Bokeh models in a document's JSON: each is sent once in full (``type: object`` with an ``id``), then
    referred to by its id alone. Bounded by the document's own size (a finite tree of JSON)."""
    if isinstance(value, dict):
        own = 1 if value.get("type") == "object" and "id" in value else 0
        return own + sum(_count_models(v) for v in value.values())
    if isinstance(value, list):
        return sum(_count_models(v) for v in value)
    return 0


async def _pull_document(url: str, token: str, timeout: float, weigh: bool) -> tuple[int, int]:
    """The Bokeh protocol's opening, as BokehJS does it: websocket (subprotocols ``bokeh`` and the token), ACK,
    PULL-DOC-REQ, PULL-DOC-REPLY; then close. (models, bytes) of the document when ``weigh``, else (0, 0)."""
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
    received = 0

    async def message():
        nonlocal received
        while True:
            fragment = await ws.read_message()
            if fragment is None:
                raise RuntimeError(f"the server closed the websocket ({ws.close_code} {ws.close_reason})")
            received += len(fragment)
            msg = await receiver.consume(fragment)
            if msg is not None:
                return msg

    try:
        if (msg := await message()).msgtype != "ACK":
            raise RuntimeError(f"expected ACK, got {msg.msgtype}")
        received = 0
        await protocol.create("PULL-DOC-REQ").send(WebSocketClientConnectionWrapper(ws))
        while (msg := await message()).msgtype != "PULL-DOC-REPLY":
            if msg.msgtype == "ERROR":
                raise RuntimeError(f"server error: {msg.content}")
        if not msg.content["doc"]["roots"]:
            raise RuntimeError("the document came back empty")
        return (_count_models(msg.content["doc"]), received) if weigh else (0, 0)
    finally:
        ws.close()


def _timed_load(url: str, timeout: float) -> Load | str:
    try:
        return load_page(url, timeout)
    except Exception as exc:  # noqa: BLE001 - counted and reported, the run goes on
        return f"{type(exc).__name__}: {exc}"


class Meter:
    """The server's CPU time and the wall time over one phase."""

    def __init__(self, pid: int):
        self.pid = pid
        self.cpu0, self.wall0 = cpu_s(pid), time.perf_counter()

    def report(self, loads: int) -> str:
        cpu, wall = cpu_s(self.pid) - self.cpu0, time.perf_counter() - self.wall0
        per = f"{1e3 * cpu / loads:.0f} ms per load, " if loads else ""
        return f"server CPU {per}{100 * cpu / max(wall, 1e-9):.0f} % of a core"


def sequential(url: str, pid: int, loads: int, every: int, timeout: float, deadline: float) -> list[tuple[int, float]]:
    """``loads`` page loads one after another; (loads done, RSS in MB) every ``every`` loads."""
    series = [(0, rss_mb(pid))]
    failures: list[str] = []
    done = 0
    meter = Meter(pid)
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
    print(f"  {meter.report(done)}")
    if failures:
        print(f"{len(failures)} of {done} sequential loads failed, first: {failures[0]}")
    return series


def _memory_summary(rounds: list[tuple[float, float]], loads: int, flat_kb: float) -> bool:
    """Print each round's peak RSS and its RSS after the discard (MB), and how much the second round adds to the
    first per load; True when both additions are below ``flat_kb`` kB per load."""
    for i, (peak, after) in enumerate(rounds, 1):
        print(f"round {i}: peak {peak:.1f} MB, {after:.1f} MB once its sessions are discarded")
    (peak1, after1), (peak2, after2) = rounds
    grow_peak, grow_after = (1024 * (b - a) / loads for a, b in ((peak1, peak2), (after1, after2)))
    flat = max(grow_peak, grow_after) < flat_kb
    verdict = "flat" if flat else f"GROWS (more than {flat_kb:g} kB per load)"
    print(f"the second {loads} loads against the first: peak {grow_peak:+.0f} kB per load, after the discard "
          f"{grow_after:+.0f} kB per load: memory {verdict}")
    return flat


def _percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values``, by linear interpolation (statistics' inclusive method)."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(100 * q) - 1]


def concurrent(url: str, total: int, at_once: int, timeout: float,
               deadline: float) -> tuple[list[Load], list[str], int]:
    """``total`` page loads, ``at_once`` at a time; the loads answered, the errors of the others, and how many
    were not started because the run's deadline had passed."""
    done, errors = [], []
    skipped = 0

    def one(_):
        if time.monotonic() > deadline:
            return None
        return _timed_load(url, timeout)

    with ThreadPoolExecutor(max_workers=at_once) as pool:
        for result in pool.map(one, range(total)):
            if result is None:
                skipped += 1
            elif isinstance(result, str):
                errors.append(result)
            else:
                done.append(result)
    return done, errors, skipped


def _goal(label: str, value: float, goal: float) -> bool:
    met = value < goal
    print(f"  {label}: {value:.2f} s, goal {goal:g} s: {value / goal:.2f} of the goal, "
          + ("met" if met else "NOT MET"))
    return met


def _server_log(path: str) -> None:
    """What the server printed on stderr: the count of lines, of tracebacks, and the first lines."""
    try:
        with open(path) as fh:
            lines = fh.read().splitlines()
    except OSError:
        return
    tracebacks = sum(line.startswith("Traceback") for line in lines)
    print(f"server log: {len(lines)} lines, {tracebacks} tracebacks" + (":" if lines else ""))
    for line in lines[:10]:
        print(f"  | {line[:200]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loads", type=int, default=300, help="sequential page loads (memory)")
    parser.add_argument("--every", type=int, default=20, help="RSS sample every this many loads")
    parser.add_argument("--single", type=int, default=10, help="page loads one after the other (a single load)")
    parser.add_argument("--levels", default="5,10,20", help="page loads at a time, comma-separated")
    parser.add_argument("--per-level", type=int, default=60,
                        help="page loads at each level (at least three times the level)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds a page load may take")
    parser.add_argument("--deadline", type=float, default=1800.0, help="seconds the whole run may take")
    parser.add_argument("--flat-kb", type=float, default=100.0,
                        help="memory is flat when the second round of loads adds less than this per load")
    parser.add_argument("--linger", type=float, default=None,
                        help="seconds to wait after the loads for closed sessions to be discarded (default: the "
                             "server's discard time, explorer.server.SESSION_DISCARD_S, plus 5 s)")
    args = parser.parse_args(argv)
    try:
        levels = [int(v) for v in args.levels.split(",") if v.strip()]
    except ValueError:
        parser.error(f"--levels {args.levels!r} is not a comma-separated list of whole numbers")
    for name in ("loads", "every", "single", "per_level"):
        if getattr(args, name) < (0 if name in ("loads", "single") else 1):
            parser.error(f"--{name.replace('_', '-')} = {getattr(args, name)} is too small")
    if any(not 1 <= c <= 64 for c in levels) or args.loads > 5000 or args.single > 200 or args.per_level > 2000:
        parser.error("bounded run: at most 5000 sequential loads, 200 single ones, 2000 per level, 64 at a time")
    from pairing1d.explorer import server as server_module

    linger = args.linger if args.linger is not None else getattr(server_module, "SESSION_DISCARD_S", 32.0) + 5
    started = time.monotonic()
    deadline = started + args.deadline
    print(f"explorer load benchmark, machine: {describe()}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # killed (timeout): still stop the server on the way out
    log_path = tempfile.NamedTemporaryFile(prefix="explorer_load_", suffix=".log", delete=False).name
    proc, url = start_server(timeout=min(180.0, args.deadline), log_path=log_path)
    ok = True
    try:
        pid = proc.pid
        print(f"server {url} pid {pid}, RSS {rss_mb(pid):.1f} MB before the first load")
        first = load_page(url, args.timeout, weigh=True)
        print(f"first load (computes the map every page shares): {first.doc_s:.2f} s; the page: {first.models} "
              f"Bokeh models, a document of {first.doc_bytes / 1e3:.0f} kB")
        for _ in range(2):
            load_page(url, args.timeout)

        flat = True
        if args.loads:
            rounds = []
            for _ in range(2):
                series = sequential(url, pid, args.loads, args.every, args.timeout, deadline)
                wait = min(linger, max(0.0, deadline - time.monotonic()))
                time.sleep(wait)
                rounds.append((max(rss for _, rss in series), rss_mb(pid)))
                print(f"{wait:.0f} s after the last load (closed sessions discarded): RSS {rounds[-1][1]:.1f} MB")
                if series[-1][0] < args.loads:  # cut by the deadline: the rounds would not compare
                    break
            if len(rounds) == 2 and series[-1][0] == args.loads:
                flat = _memory_summary(rounds, args.loads, args.flat_kb)
            else:
                print("memory not judged: the deadline cut a round short")
                flat = False

        results: dict[str, float] = {}
        if args.single and time.monotonic() < deadline:
            meter = Meter(pid)
            loads, errors, skipped = concurrent(url, args.single, 1, args.timeout, deadline)
            if loads:
                times = [ld.doc_s for ld in loads]
                results["single"] = statistics.median(times)
                print(f"single loads ({len(loads)}, one after the other): median {results['single']:.2f} s, "
                      f"min {min(times):.2f} s, max {max(times):.2f} s; {meter.report(len(loads))}")
            ok &= not errors and not skipped

        for level in levels:
            if time.monotonic() > deadline:
                print(f"deadline reached: {level} at a time skipped")
                ok = False
                continue
            total = max(args.per_level, 3 * level)
            meter, t0 = Meter(pid), time.perf_counter()
            loads, errors, skipped = concurrent(url, total, level, args.timeout, deadline)
            wall = time.perf_counter() - t0
            line = (f"{level:2d} at a time: {total} loads in {wall:.1f} s, {len(loads)} answered, "
                    f"{len(errors)} failed" + (f", {skipped} not started (deadline)" if skipped else ""))
            if loads:
                times = sorted(ld.doc_s for ld in loads)
                p50, p90 = statistics.median(times), _percentile(times, 0.9)
                results[f"p50@{level}"] = p50
                line += (f"; load p50 {p50:.2f} s, p90 {p90:.2f} s, max {times[-1]:.2f} s (HTML p50 "
                         f"{statistics.median(ld.html_s for ld in loads):.2f} s); {meter.report(len(loads))}")
            print(line, flush=True)
            if errors:
                print(f"  first error: {errors[0]}")
            ok &= not errors and not skipped

        wait = min(linger, max(0.0, deadline - time.monotonic()))
        time.sleep(wait)
        print(f"RSS {wait:.0f} s after the last load (closed sessions discarded): {rss_mb(pid):.1f} MB")
        _server_log(log_path)

        print(f"goals (load average {os.getloadavg()[0]:.2f} now; two cores, shared):")
        if "single" in results:
            ok &= _goal("single load, median", results["single"], GOAL_SINGLE_S)
        if f"p50@{GOAL_CONCURRENT}" in results:
            ok &= _goal(f"p50 at {GOAL_CONCURRENT} at a time", results[f"p50@{GOAL_CONCURRENT}"], GOAL_P50_S)
        met = "flat, met" if flat else "grows or not judged, NOT MET"
        print(f"  memory over two rounds of {args.loads} loads: {met}")
        ok &= flat
        print(f"run {time.monotonic() - started:.0f} s")
    finally:
        stop_server(proc)
        os.unlink(log_path)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
