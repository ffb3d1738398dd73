"""Widget helpers shared by the explorer's tabs: labels and button colours across Panel versions, and the guard that
turns a bad value into one line in a tab's alert."""

from __future__ import annotations

import functools
import logging

import panel as pn

log = logging.getLogger("pairing1d.explorer")

# Panel 1.9 renamed a widget's `name` to `label` and `button_type` to `color`; Panel 1.4 knows only the old names
_LABEL = "label" if "label" in pn.widgets.FloatInput.param else "name"


def _label(text: str) -> dict[str, str]:
    return {_LABEL: text}


def _primary() -> dict[str, str]:
    return {"color": "primary"} if "color" in pn.widgets.Button.param else {"button_type": "primary"}


def _guarded(method):
    """Run a callback; turn a bad value into one line in the alert of the callback's owner (its ``show_error``)
    instead of an exception."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except ValueError as exc:  # ModelError is a ValueError: out of the model's domain, or a malformed value
            self.show_error(str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug: full traceback on the server's log, one line in the page
            log.exception("explorer callback %s failed", method.__name__)
            self.show_error(f"internal error ({type(exc).__name__}): {exc}")
        return None

    return wrapper


class WithAlert:
    """A tab with its own one-line alert (``self.alert``, a Panel Alert): :func:`_guarded` reports through it."""

    alert: pn.pane.Alert

    def show_error(self, message: str) -> None:
        self.alert.object = " ".join(message.split())  # one line, whatever the message held
        self.alert.visible = True

    def clear_error(self) -> None:
        self.alert.visible = False
        self.alert.object = ""
