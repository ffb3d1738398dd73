"""The explorer under load (issue 17, point 5), the cheap checks: a closed page's session is destroyed and its page
released (garbage-collected), Panel's registry of JS callbacks does not keep a released page alive, the map cache
stays within its bounds, and an address other than loopback is refused without explicitly allowed websocket
origins, and warned about with them. The memory and latency numbers are ``benchmarks/explorer_load.py``'s."""

from __future__ import annotations

import concurrent.futures
import gc
import queue
import threading
import time
import weakref

import numpy as np
import pytest

pytest.importorskip("panel")

from pairing1d import Model, ModelError  # noqa: E402
from pairing1d.explorer import app as app_module  # noqa: E402
from pairing1d.explorer import compute  # noqa: E402
from pairing1d.explorer import server as server_module  # noqa: E402
from pairing1d.explorer.app import Explorer, live_pages  # noqa: E402
from pairing1d.explorer.compute import Axis, MapCache, compute_map  # noqa: E402
from pairing1d.explorer.server import is_loopback, make_server, serve, websocket_origins  # noqa: E402

X = Axis("exp_neg_lstar", 0.0, 0.6, 6)
Y = Axis("y0", 0.0, 0.3, 5)


def _registered(page: Explorer) -> int:
    """How many of ``page``'s objects are keys of Panel's registry of JS callbacks."""
    from panel.links import Callback

    mine = {id(obj) for obj in page.view.select()}
    return sum(1 for source in list(Callback.registry.keys()) if id(source) in mine)


def _collected(refs: list[weakref.ref], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        gc.collect()
        if all(r() is None for r in refs):
            return True
        time.sleep(0.05)
    return False


def test_a_released_page_is_collected_with_its_figures():
    page = Explorer(Model(K0=0.5), X, Y)
    assert page.ds is not None and _registered(page) > 0  # the editable sliders' text boxes are registered
    refs = [weakref.ref(page), weakref.ref(page.map_figure), weakref.ref(page.device_tab)]
    page.release()
    assert _registered(page) == 0 and page.ds is None and page.released
    page.release()  # once is enough; twice is harmless
    del page
    assert _collected(refs), "a released page is still referenced"


def test_build_app_outside_a_server_leaves_the_page_to_its_view():
    view = app_module.build_app(Model(), X, Y)  # no session: nothing to be destroyed, nothing released
    pages = [p for p in list(app_module._LIVE) if p.view is view]
    assert len(pages) == 1 and not pages[0].released
    pages[0].release()


class _Server:
    """The explorer's server (:func:`make_server`) on loopback in a thread with its own IO loop, with a small map
    and discarding unused sessions after 0.2 s instead of seconds."""

    def __init__(self):
        self._ready: queue.Queue = queue.Queue()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        item = self._ready.get(timeout=60)
        if isinstance(item, BaseException):
            raise item
        self.url = item

    def _run(self) -> None:
        from tornado.ioloop import IOLoop

        try:
            self.loop = IOLoop()
            self.server, url = make_server(port=0, loop=self.loop, check_ms=100, linger_ms=200,
                                           page=lambda: app_module.build_app(Model(K0=0.5), X, Y))
            self.server.start()
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            self._ready.put(exc)
            return
        self._ready.put(url)
        self.loop.start()

    def call(self, fn):
        """``fn()`` run on the server's loop; its result."""
        future: concurrent.futures.Future = concurrent.futures.Future()

        def run():
            try:
                future.set_result(fn())
            except BaseException as exc:  # noqa: BLE001
                future.set_exception(exc)

        self.loop.add_callback(run)
        return future.result(timeout=30)

    def sessions(self) -> int:
        return self.call(lambda: len(self.server.get_sessions("/")))

    def stop(self) -> None:
        def stop():
            self.server.stop()
            self.loop.stop()

        self.loop.add_callback(stop)
        self.thread.join(timeout=30)


def test_a_closed_session_is_destroyed_and_its_page_released():
    from bokeh.client import pull_session

    before = {id(p) for p in list(app_module._LIVE)}
    server = _Server()
    try:
        session = pull_session(url=server.url)  # a page opened: the server builds its document and its page
        try:
            assert session.document.roots and server.sessions() == 1
            pages = [weakref.ref(p) for p in list(app_module._LIVE) if id(p) not in before]
            assert len(pages) == 1 and not pages[0]().released
        finally:
            session.close()  # the tab is closed
        deadline = time.monotonic() + 30
        while server.sessions() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert server.sessions() == 0, "the closed session was never discarded"
        assert _collected(pages, timeout=10), "the closed session's page is still in memory"
        assert live_pages() <= len(before)
    finally:
        server.stop()


def test_the_map_cache_is_bounded_in_entries_and_bytes():
    grids = [compute_map(Model(K0=k), X, Y) for k in (0.3, 0.4, 0.5, 0.6)]
    size = int(grids[0].nbytes)
    cache = MapCache(max_entries=3, max_bytes=2 * size)
    for i, ds in enumerate(grids):
        cache.put((i,), ds)
        assert len(cache) <= 2 and cache.nbytes <= 2 * size  # bytes bind first here
    assert cache.get((0,)) is None and cache.get((3,)) is grids[3]  # least recently used first out
    cache = MapCache(max_entries=3, max_bytes=100 * size)
    for i, ds in enumerate(grids):
        cache.put((i,), ds)
    assert len(cache) == 3 and cache.get((0,)) is None
    cache.put(("big",), compute_map(Model(), Axis("exp_neg_lstar", 0.0, 0.6, 40), Y))
    assert cache.get(("big",)) is not None
    tiny = MapCache(max_entries=3, max_bytes=size - 1)
    tiny.put(("too big",), grids[0])
    assert len(tiny) == 0 and tiny.nbytes == 0  # larger than the cache: never kept


def test_the_shared_map_cache_gives_the_same_map_read_only_and_stays_bounded():
    cache = compute.MAP_CACHE
    model = Model(K0=0.47)
    first = compute_map(model, X, Y)
    again = compute_map(model, X, Y)
    assert again is not first  # each page its own Dataset (attrs) ...
    np.testing.assert_array_equal(again["phase"].values, first["phase"].values)
    with pytest.raises(ValueError, match="read-only"):  # ... over arrays no page may write to
        again["phase"].values[0, 0] = 0
    for k in np.linspace(0.2, 0.9, cache.max_entries + 5):
        compute_map(Model(K0=float(k)), X, Y)
        assert len(cache) <= cache.max_entries and cache.nbytes <= cache.max_bytes


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_hosts_need_no_origin(host):
    assert is_loopback(host)
    origins = websocket_origins(host, 5006)
    assert "*" not in origins and all(o.endswith(":5006") for o in origins)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.7", "myhost.example.org"])
def test_other_hosts_are_refused_without_an_explicit_websocket_origin(host):
    assert not is_loopback(host)
    for origins in (None, []):
        with pytest.raises(ModelError, match="--allow-websocket-origin"):
            websocket_origins(host, 5006, origins)
        with pytest.raises(ModelError, match=f"--host {host} serves the explorer to other machines"):
            serve(host=host, port=5006, allow_websocket_origin=origins)  # refused before anything listens
    allowed = websocket_origins(host, 5006, ["myhost.example.org:5006"])
    assert "myhost.example.org:5006" in allowed and "*" not in allowed  # never any origin unless asked for


@pytest.mark.parametrize("origin", ["http://myhost:5006", "my host:5006", "", "a:b:c"])
def test_malformed_websocket_origins_are_one_line_errors(origin):
    with pytest.raises(ModelError, match="--allow-websocket-origin") as info:
        websocket_origins("0.0.0.0", 5006, [origin])
    assert "\n" not in str(info.value)


def test_other_hosts_with_an_origin_print_a_warning_before_listening(monkeypatch):
    class Stop(Exception):
        pass

    def no_server(*args, **kwargs):
        raise Stop  # the test stops here: nothing is bound on 0.0.0.0

    monkeypatch.setattr(server_module, "make_server", no_server)
    monkeypatch.setattr(compute, "warm_up", lambda: None)
    warnings: list[str] = []
    with pytest.raises(Stop):
        serve(host="0.0.0.0", port=5006, allow_websocket_origin=["lab-pc:5006"], warn=warnings.append,
              announce=lambda url: pytest.fail("announced before listening"))
    assert len(warnings) == 1 and warnings[0].startswith("warning: the explorer will listen on 0.0.0.0:5006")
    assert "reachable from other machines" in warnings[0] and "lab-pc:5006" in warnings[0]
    warnings.clear()
    with pytest.raises(Stop):
        serve(host="0.0.0.0", port=5006, allow_websocket_origin=["*"], warn=warnings.append)
    assert "any origin" in warnings[0]
    warnings.clear()
    with pytest.raises(Stop):
        serve(host="127.0.0.1", port=5006, warn=warnings.append)
    assert warnings == []  # loopback: no warning


def test_the_command_refuses_a_public_host_without_an_origin(capsys):
    from pairing1d.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["explore", "--host", "0.0.0.0", "--port", "0"])
    err = capsys.readouterr().err.strip().splitlines()
    assert exit_info.value.code == 2 and len(err) == 1 and "--allow-websocket-origin" in err[0]
