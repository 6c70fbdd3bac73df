"""Static chart images (PNG, SVG) for panel packs, through Kaleido and Debian's Chromium.

Kaleido starts a browser for every image unless its server is running (about 3 s each);
after the first image proves a browser is there, one server serves the rest (about 0.2 s
each), which is what makes a whole panel report quick.
"""

from __future__ import annotations

import functools
import threading
import warnings

import kaleido
import plotly.graph_objects as go

# Slide-sized by default: a chart exported for a pack reads like the projected one.
WIDTH, HEIGHT = 1280, 720

_lock = threading.Lock()  # the server answers one request at a time, in order
_server_started = False


UNAVAILABLE = (
    "Chart images and panel reports need the Chromium browser, which is not installed "
    "here: run `make run` (it installs Debian's chromium package) or ask IT to install "
    "Chromium, then restart the dashboard."
)


class ExportUnavailable(RuntimeError):
    """Static export cannot run here (Kaleido or Chromium missing)."""


@functools.cache
def unavailable() -> str | None:
    """Why chart images cannot be made here, or None when they can: Kaleido's own search
    for a Chromium-based browser (PATH, the usual install places, BROWSER_PATH)."""
    try:
        from choreographer.browsers.chromium import Chromium
    except ImportError:
        return UNAVAILABLE
    return None if Chromium.find_browser(skip_local=False) else UNAVAILABLE


def _render(fig: go.Figure, fmt: str, width: int, height: int) -> bytes:
    global _server_started
    with _lock, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "kopts ignored if using a server"
        image = fig.to_image(format=fmt, width=width, height=height, scale=2 if fmt == "png" else 1)
        if not _server_started:
            # A browser is there (or the first call would have failed): keep one running.
            kaleido.start_sync_server(silence_warnings=True)
            _server_started = True
        return image


def image_bytes(fig: go.Figure, fmt: str, width: int = WIDTH, height: int | None = None) -> bytes:
    """The figure as PNG or SVG bytes; ExportUnavailable with a plain reason if it cannot be."""
    if fmt not in ("png", "svg"):
        raise ValueError(f"unsupported image format {fmt}")
    if reason := unavailable():
        raise ExportUnavailable(reason)
    try:
        return _render(fig, fmt, width, height or fig.layout.height or HEIGHT)
    except Exception as exc:  # Kaleido reports a failing browser in several ways
        raise ExportUnavailable(f"{UNAVAILABLE} ({type(exc).__name__}: {exc})") from exc
