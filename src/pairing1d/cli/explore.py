"""``pairing1d explore``: serve the interactive explorer (a Panel page) on this machine."""

from __future__ import annotations

from typing import Annotated

import typer

from ._app import InputError, app
from .options import model_from_flags, model_options


@app.command("explore")
@model_options
def explore(
    port: Annotated[int, typer.Option("--port", help="TCP port (0: any free port)")] = 5006,
    host: Annotated[
        str, typer.Option("--host", help="Interface to listen on; only 127.0.0.1 unless you say otherwise (any other "
                                       "address needs --allow-websocket-origin)")
    ] = "127.0.0.1",
    show: Annotated[bool, typer.Option("--show/--no-show", help="Open the page in a web browser")] = False,
    allow_websocket_origin: Annotated[
        list[str] | None,
        typer.Option("--allow-websocket-origin", metavar="HOST[:PORT]",
                     help="Origin whose pages may open the explorer's websocket (repeatable); required with a "
                          "--host other than loopback; * allows any (unsafe)"),
    ] = None,
    model_flags: dict | None = None,
) -> None:
    """Serve the interactive phase-diagram page (sliders, map, flow of a clicked device, nanotube gate, downloads).

    The model flags set the device the page starts from. The address is printed once the server listens;
    Ctrl-C stops it (exit code 0: the normal end of a server).
    """
    try:
        from ..explorer import serve
    except ImportError as exc:  # the explorer extra is not installed
        raise InputError(f"the explorer needs Panel: pip install 'pairing1d[explorer]' ({exc})") from None

    model = model_from_flags(model_flags)

    def announce(url: str) -> None:
        print(f"pairing1d explorer: {url}  (Ctrl-C stops it)", flush=True)

    # returns on Ctrl-C: how a server stops
    serve(model, host=host, port=port, show=show, allow_websocket_origin=allow_websocket_origin, announce=announce)
    print("pairing1d explorer: stopped", flush=True)
