"""Serving the explorer: ``pairing1d explore`` and :func:`~pairing1d.explorer.server.serve` (one fresh page per
browser session)."""

from __future__ import annotations

import socket
from collections.abc import Callable

from ..model import Model, ModelError

__all__ = ["serve", "free_port", "LOOPBACK"]

LOOPBACK = "127.0.0.1"


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port nobody listens on at ``host`` right now."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _origins(host: str, port: int) -> list[str]:
    """Origins whose pages may open the session's websocket: the address served, and loopback names for it."""
    if host in ("0.0.0.0", "::"):
        return ["*"]  # every interface was asked for explicitly (--host): any name of this machine may be used
    names = {host, "localhost", LOOPBACK} if host in ("localhost", LOOPBACK) else {host}
    return [f"{name}:{port}" for name in sorted(names)]


def serve(model: Model | None = None, *, host: str = LOOPBACK, port: int = 5006, show: bool = False,
          announce: Callable[[str], None] = print) -> None:
    """Serve the explorer at ``http://host:port/`` until interrupted; ``announce`` gets the address once the
    server listens. ``port = 0`` picks a free port. Each browser session gets its own page and state."""
    import panel as pn

    from .app import build_app
    from .compute import warm_up

    if not 0 <= port <= 65535:
        raise ModelError(f"port = {port} is outside the allowed range [0, 65535]")
    warm_up()  # load the engine's compiled kernel now, not on the first visitor's first map
    try:
        port = port or free_port(host)
        server = pn.serve(lambda: build_app(model), port=port, address=host, websocket_origin=_origins(host, port),
                          show=False, start=False, title="pairing1d explorer", verbose=False)
    except OSError as exc:
        raise ModelError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
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
