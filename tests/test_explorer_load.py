"""The explorer under load (issues 17 and 30), the cheap checks: a new page is light (its sections are built when
first shown) and shares the first map, its colours and its device with the other pages while each page changes
alone; the whole page passes Bokeh's validation (which the server skips per session); a closed page's session is
destroyed and its page released (garbage-collected), Panel's registry of JS callbacks does not keep a released page
alive, the map cache stays within its bounds; a garbage websocket token is one line in the log, not a traceback;
and an address other than loopback is refused without explicitly allowed websocket origins, and warned about with
them. The memory and latency numbers are ``benchmarks/explorer_load.py``'s."""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import gc
import logging
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
from pairing1d.explorer.params import CONTROL_GROUPS  # noqa: E402
from pairing1d.explorer.sections import GROUP_OF  # noqa: E402
from pairing1d.explorer.server import (  # noqa: E402
    is_loopback,
    make_server,
    serve,
    token_problem,
    websocket_origins,
)

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


def _document(page: Explorer):
    """A Bokeh document holding ``page``, as a server session's (without its Location model)."""
    from bokeh.document import Document

    doc = Document()
    page.view.server_doc(doc, location=False)
    return doc


def _everything_built(page: Explorer) -> Explorer:
    """``page`` with every section shown and the Device tab built and drawn (the Phase map tab still the active one:
    the tabs are dynamic, a document holds the active tab's content only)."""
    page.show.value = list(page.sections)
    page.device_tab.ensure_drawn()
    return page


def test_a_new_page_is_light_and_builds_each_section_when_first_shown():
    page = Explorer(Model(K0=0.5), X, Y)
    light = len(_document(page).models)
    assert light < 80  # the whole page was 456 models (issue 30): the map, its captions and the section buttons
    assert not any(section.built for section in page.sections.values()) and page._device_tab is None
    assert page.controls.widgets == {} and page._axis_widgets is None and page.cnt.widgets is None
    # ... and it shows what the page always showed first: the map, its status, the device solved, both markers
    assert page.map_view.source.data["image"] and "5 × 6 map" in page.map_status.object
    assert "Device at exp_neg_lstar" in page.point_text.object
    assert sorted(page.map_view.markers.data["marker"]) == ["star", "x"]

    page.show.value = ["group-0"]  # the Wires button: its controls are built and shown, nothing else
    wires = page.sections["group-0"]
    assert wires.built and wires.view.visible and set(page.controls.widgets) == set(CONTROL_GROUPS[0][1])
    assert not page.sections["group-1"].built and not page.sections["flow"].built
    page.show.value = []  # hidden again, kept built
    assert wires.built and not wires.view.visible
    upsilon = page.controls["upsilon"]  # a control asked for builds its group, hidden
    assert page.sections["group-1"].built and not page.sections["group-1"].view.visible
    upsilon.value = 0.2
    page._on_control()
    assert page.model.upsilon == 0.2 and not page.alert.visible

    page.on_tap(type("Tap", (), {"x": 0.3, "y": 0.15})())  # the first click shows the flow
    assert page.sections["flow"].built and "flow" in page.show.value and page.flow_view.source.data["l"]
    everything = len(_document(_everything_built(page)).models)
    assert everything > 2 * light and page.device_tab.drawn


def test_the_nanotube_gate_opens_with_its_device_and_sets_controls_not_built_yet():
    page = Explorer(Model(K0=0.5), X, Y)
    star = page.map_view.markers.data["marker"].index("star")
    placed = page.map_view.markers.data["x"][star]  # placed from the starting values, before the section exists
    page.open_section("cnt")
    section = page.sections["cnt"]
    assert section.built and section.view.visible and page.cnt.widgets["mu"].value == -3.0
    assert "The nanotube device" in page.cnt.text.object and not page.cnt.apply_button.disabled
    assert page.map_view.markers.data["x"][star] == placed  # the same device, now with its widgets
    cutoffs = page.sections[GROUP_OF["lstar"]]
    assert not cutoffs.built
    lstar, lstar2 = page.cnt.device.lstar, page.cnt.device.lstar2
    page.cnt._apply()  # "Use this l* for the device": the l* sliders were never built
    assert not page.alert.visible and not cutoffs.built
    assert (page.model.lstar, page.model.lstar2) == (pytest.approx(lstar), pytest.approx(lstar2))
    assert page.controls["lstar"].value == pytest.approx(lstar)  # built now, from the value the gate set
    assert cutoffs.built and not cutoffs.view.visible


def test_pages_share_the_first_map_and_device_and_change_alone():
    first, second = Explorer(Model(K0=0.5), X, Y), Explorer(Model(K0=0.5), X, Y)
    image = first.map_view.source.data["image"][0]
    assert second.map_view.source.data["image"][0] is image  # coloured once, for every page ...
    assert np.shares_memory(second.ds["phase"].values, first.ds["phase"].values)  # ... computed once ...
    assert second.point is first.point  # ... and the device solved once
    with pytest.raises(ValueError, match="read-only"):  # which no page may change
        image[0, 0] = 0
    second.controls["K0"].value = 0.3  # one visitor moves a slider: the other page does not move
    second._on_control()
    assert second.model.K0 == 0.3 and second.point.model.K0 == 0.3
    assert first.model.K0 == 0.5 and first.point.model.K0 == 0.5 and first.map_view.source.data["image"][0] is image
    assert not np.array_equal(second.map_view.source.data["image"][0], image)


def test_the_whole_page_passes_bokehs_validation():
    from bokeh.core.validation.check import check_integrity

    page = _everything_built(Explorer(Model(K0=0.5), X, Y))
    for tab in (0, 1):  # the server skips this per session (serve): it is checked here, on either tab
        page.tabs.active = tab
        for root in _document(page).roots:
            issues = check_integrity(root.references())
            assert not issues.error and not issues.warning, (tab, issues.error, issues.warning)


def test_a_released_page_is_collected_with_its_figures():
    page = _everything_built(Explorer(Model(K0=0.5), X, Y))
    assert page.ds is not None and _registered(page) > 0  # the editable sliders' text boxes are registered
    refs = [weakref.ref(page), weakref.ref(page.map_view.figure), weakref.ref(page.flow_view.figure),
            weakref.ref(page.device_tab)]
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


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _refused(url: str, subprotocols: list[str]) -> tuple[bool, int | None]:
    """Open a websocket to the server at ``url`` with ``subprotocols``; (closed by the server, close code)."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    async def attempt():
        origin = url.rstrip("/")
        request = HTTPRequest(origin.replace("http://", "ws://") + "/ws", headers={"Origin": origin},
                              connect_timeout=20, request_timeout=20)
        ws = await websocket_connect(request, subprotocols=subprotocols)
        try:
            message = await asyncio.wait_for(ws.read_message(), 20)
            return message is None, ws.close_code
        finally:
            ws.close()

    return asyncio.run(attempt())


def test_a_garbage_websocket_token_is_one_line_in_the_log_and_the_server_goes_on(caplog):
    from bokeh.client import pull_session
    from bokeh.util.token import generate_jwt_token

    garbage = ["garbage", "a.b", "!!!", "x" * 5000, _b64("[]"), _b64('{"session_id": "abc"}'),
               _b64('{"session_id": "abc", "session_expiry": "tomorrow"}'),
               generate_jwt_token("expired-session", signed=False, expiration=-60)]
    assert all(token_problem(t) for t in garbage[:-1]) and token_problem(garbage[-1]) is None  # Bokeh: expired
    caplog.set_level(logging.WARNING)
    server = _Server()
    try:
        for subprotocols in [["bokeh", token] for token in garbage] + [["bokeh"], ["chat", "x"]]:
            caplog.clear()
            closed, _ = _refused(server.url, subprotocols)
            assert closed, subprotocols
            deadline = time.monotonic() + 10  # the server logs from its own thread
            while not caplog.records and time.monotonic() < deadline:
                time.sleep(0.05)
            lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
            assert len(lines) == 1, [r.getMessage() for r in lines]
            [line] = lines
            assert line.name == "pairing1d.explorer" and line.exc_info is None
            assert line.getMessage().startswith("explorer: websocket from 127.0.0.1 refused: ")
            assert "\n" not in line.getMessage() and len(line.getMessage()) < 200
        session = pull_session(url=server.url)  # a real page still opens
        try:
            assert session.document.roots
        finally:
            session.close()
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
