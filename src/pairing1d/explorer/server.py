"""Serving the explorer: ``pairing1d explore`` and :func:`~pairing1d.explorer.server.serve` (one fresh page per
browser session).

A session lives while its tab is open; once the websocket is closed the server discards it within
:data:`SESSION_DISCARD_S` seconds and the page is released with it (:meth:`~pairing1d.explorer.app.Explorer.release`),
so that memory stays flat however many pages are loaded (``benchmarks/explorer_load.py``).

A websocket whose session token is garbage (not one this server could have issued: undecodable, without a session id
or an expiry), or that Bokeh refuses (expired, a bad signature, no token), is closed with one line in the server's
log (:func:`token_problem`) instead of the traceback Bokeh's handler would print.

The server listens on loopback (127.0.0.1) unless told otherwise. Any other address is reachable from other machines
and the page has no authentication: :func:`serve` then prints a warning and refuses to start unless the origins whose
pages may open a session's websocket are named explicitly (``allow_websocket_origin``, Panel's
``--allow-websocket-origin``); it never falls back to accepting any origin.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import socket
import sys
from collections.abc import Callable, Sequence

from ..support.errors import ModelError
from ..theory.model import Model

__all__ = ["serve", "make_server", "free_port", "is_loopback", "websocket_origins", "token_problem", "LOOPBACK",
           "SESSION_CHECK_MS", "SESSION_LINGER_MS", "SESSION_DISCARD_S"]

log = logging.getLogger("pairing1d.explorer")

LOOPBACK = "127.0.0.1"

SESSION_CHECK_MS = 2_000
"""How often the server looks for sessions to discard (Bokeh's ``check_unused_sessions_milliseconds``; its default
is 17 s)."""
SESSION_LINGER_MS = 30_000
"""How long a session without a websocket is kept (Bokeh's ``unused_session_lifetime_milliseconds``, default 15 s).
It also covers the time between the page's HTML and its websocket: under load (20 pages at once) that reaches tens of
seconds, and a session discarded before its websocket arrives is built a second time."""
SESSION_DISCARD_S = (SESSION_CHECK_MS + SESSION_LINGER_MS) / 1000
"""At most this many seconds after a tab is closed, its session and page are released."""


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port nobody listens on at ``host`` right now."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def is_loopback(host: str) -> bool:
    """Whether ``host`` is an address of this machine only (127.0.0.0/8, ::1, ``localhost``)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a name other than localhost: it may resolve to anything
        return False


def _loopback_origins(port: int) -> list[str]:
    return [f"{name}:{port}" for name in ("127.0.0.1", "localhost")]


def websocket_origins(host: str, port: int, allow_websocket_origin: Sequence[str] | None = None) -> list[str]:
    """The origins (``HOST[:PORT]``, Panel's ``--allow-websocket-origin``; ``*`` for any) whose pages may open a
    session's websocket when serving at ``host:port``. On loopback: this machine's names for the address served, and
    ``allow_websocket_origin`` if given. On any other address ``allow_websocket_origin`` must be given (a ModelError
    otherwise): the origins named, and this machine's loopback names."""
    given = [str(o).strip() for o in (allow_websocket_origin or ())]
    for origin in given:
        if not origin or "/" in origin or any(c.isspace() for c in origin):
            raise ModelError(f"--allow-websocket-origin {origin!r} is not HOST[:PORT] (e.g. myhost:{port or 5006}), "
                             "nor *")
    if not is_loopback(host) and not given:
        raise ModelError(
            f"--host {host} serves the explorer to other machines: name the origins whose pages may open its "
            f"websocket with --allow-websocket-origin HOST[:PORT] (e.g. myhost.example.org:{port or 5006}; * for any, "
            "unsafe)"
        )
    names = {host, "localhost", LOOPBACK} if host in ("localhost", LOOPBACK) else {host}
    names = {name for name in names if ":" not in name} or {"localhost"}  # Bokeh matches no IPv6 literal (::1)
    own = [f"{name}:{port}" for name in sorted(names)] if is_loopback(host) else _loopback_origins(port)
    own = own if port else []  # the port is not chosen yet (0: a free one): only the origins named
    origins = list(dict.fromkeys([*own, *given]))
    from bokeh.server.util import create_hosts_allowlist

    try:
        create_hosts_allowlist(origins, port)  # Bokeh's own check of each HOST[:PORT]
    except ValueError as exc:
        raise ModelError(f"--allow-websocket-origin: {exc}") from None
    return origins


def token_problem(token: str | None) -> str | None:
    """Why ``token`` (the second subprotocol of a websocket's handshake) cannot be a session token this server
    issued, in a few words; None when it may be one (Bokeh then checks its signature and expiry). Never raises,
    whatever the token holds."""
    from bokeh.util.token import get_session_id, get_token_payload

    if not token:
        return "no session token"
    try:
        session_id = get_session_id(token)
        payload = get_token_payload(token)
    except Exception:  # noqa: BLE001 - base64, zlib, JSON or a missing key: all of them garbage
        return f"a malformed session token ({len(token)} characters)"
    if not isinstance(session_id, str) or not session_id:
        return "a session token without a session id"
    expiry = payload.get("session_expiry") if isinstance(payload, dict) else None
    if isinstance(expiry, bool) or not isinstance(expiry, int | float):
        return "a session token without an expiry"
    return None


@functools.cache
def _checked(handler: type) -> type:
    """``handler`` (the server's websocket handler) with its token checked first: a connection with a garbage token,
    or one that Bokeh refuses, is closed with one line in the log instead of a traceback."""
    from bokeh.protocol.exceptions import ProtocolError

    class CheckedWSHandler(handler):
        def open(self, *args, **kwargs):
            where = self.request.remote_ip
            problem = (token_problem(getattr(self, "_token", None)) if self.selected_subprotocol == "bokeh"
                       else "not the bokeh websocket protocol")
            if problem is not None:
                log.warning("explorer: websocket from %s refused: %s", where, problem)
                self.close(1008, "invalid session token")  # 1008: policy violation
                return None
            try:
                return super().open(*args, **kwargs)
            except ProtocolError as exc:  # expired, or a bad signature: Bokeh has closed the connection already
                log.warning("explorer: websocket from %s refused: %s", where, " ".join(str(exc).split()))
                return None

    CheckedWSHandler.__name__ = CheckedWSHandler.__qualname__ = f"Checked{handler.__name__}"
    return CheckedWSHandler


def _check_tokens(server) -> int:
    """Put :func:`_checked` websocket handlers on every websocket route of ``server`` (a Bokeh server, not yet
    started); returns how many routes."""
    from bokeh.server.views.ws import WSHandler

    swapped = 0
    for rule in server._tornado.wildcard_router.rules:  # Bokeh's own route table: one websocket route per app
        if isinstance(rule.target, type) and issubclass(rule.target, WSHandler):
            rule.target = _checked(rule.target)
            swapped += 1
    return swapped


def _warning(host: str, port: int, origins: Sequence[str]) -> str:
    anyone = " (any origin: any web page a visitor opens can drive the explorer)" if "*" in origins else ""
    where = f"{host}:{port}" if port else f"{host} (a free port)"
    return (f"warning: the explorer will listen on {where}, reachable from other machines, with no "
            f"authentication; websocket origins allowed: {', '.join(origins)}{anyone}")


def make_server(model: Model | None = None, *, host: str = LOOPBACK, port: int = 0,
                allow_websocket_origin: Sequence[str] | None = None, loop=None,
                check_ms: int = SESSION_CHECK_MS, linger_ms: int = SESSION_LINGER_MS,
                page: Callable[[], object] | None = None):
    """The explorer's Panel server at ``host:port`` (not started) and its URL: each browser session gets its own
    page (``page()``, default ``build_app(model)``), released when the session is destroyed (``check_ms``/
    ``linger_ms``: Bokeh's unused-session check and lifetime). ``port = 0`` picks a free port. A ModelError for a
    port out of range, an address that cannot be listened on, or a non-loopback ``host`` without
    ``allow_websocket_origin`` (:func:`websocket_origins`)."""
    import panel as pn

    from .app import build_app

    if not 0 <= port <= 65535:
        raise ModelError(f"port = {port} is outside the allowed range [0, 65535]")
    websocket_origins(host, port, allow_websocket_origin)  # a refusal comes before anything is bound
    try:
        port = port or free_port(host)
        origins = websocket_origins(host, port, allow_websocket_origin)
        # location=False: the page never reads or sets its URL, and a Location model would be one more per page
        server = pn.serve(page or (lambda: build_app(model)), port=port, address=host, websocket_origin=origins,
                          loop=loop, show=False, start=False, title="pairing1d explorer", verbose=False,
                          location=False, check_unused_sessions_milliseconds=check_ms,
                          unused_session_lifetime_milliseconds=linger_ms)
    except OSError as exc:
        raise ModelError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    _check_tokens(server)
    shown = f"[{host}]" if ":" in host else host
    return server, f"http://{shown}:{port}/"


def serve(model: Model | None = None, *, host: str = LOOPBACK, port: int = 5006, show: bool = False,
          allow_websocket_origin: Sequence[str] | None = None, announce: Callable[[str], None] = print,
          warn: Callable[[str], None] | None = None) -> None:
    """Serve the explorer at ``http://host:port/`` until interrupted; ``announce`` gets the address once the
    server listens. ``port = 0`` picks a free port. Each browser session gets its own page and state.

    A ``host`` other than loopback needs ``allow_websocket_origin`` (``HOST[:PORT]`` names, Panel's
    ``--allow-websocket-origin``; a ModelError otherwise, before anything listens) and prints a warning through
    ``warn`` (default: one line on stderr)."""
    from .compute import warm_up

    if not 0 <= port <= 65535:
        raise ModelError(f"port = {port} is outside the allowed range [0, 65535]")
    if not is_loopback(host):  # refused, or warned about, before anything listens
        (warn or _stderr)(_warning(host, port, websocket_origins(host, port, allow_websocket_origin)))
    warm_up()  # load the engine's compiled kernel now, not on the first visitor's first map
    # Bokeh checks every new session's document (layout and reference integrity) before sending it: 7 ms of each
    # page load's 100 ms of CPU, for a page that is the same every time. The tests check it once instead
    # (tests/test_explorer_load.py); this process serves nothing else.
    from bokeh.settings import settings

    settings.perform_document_validation.set_value(False)
    server, url = make_server(model, host=host, port=port, allow_websocket_origin=allow_websocket_origin)
    announce(url)
    server.start()
    if show:
        server.io_loop.add_callback(server.show, "/")
    try:
        server.io_loop.start()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
