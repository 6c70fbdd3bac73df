"""Static chart images (PNG, SVG) for panel packs, through Kaleido and Debian's Chromium."""

from __future__ import annotations

import plotly.graph_objects as go

# Slide-sized by default: a chart exported for a pack reads like the projected one.
WIDTH, HEIGHT = 1280, 720


class ExportUnavailable(RuntimeError):
    """Static export cannot run here (Kaleido or Chromium missing)."""


def image_bytes(fig: go.Figure, fmt: str, width: int = WIDTH, height: int | None = None) -> bytes:
    """The figure as PNG or SVG bytes; ExportUnavailable with a plain reason if it cannot be."""
    if fmt not in ("png", "svg"):
        raise ValueError(f"unsupported image format {fmt}")
    try:
        return fig.to_image(
            format=fmt,
            width=width,
            height=height or fig.layout.height or HEIGHT,
            scale=2 if fmt == "png" else 1,
        )
    except Exception as exc:  # Kaleido reports a missing browser or package in several ways
        raise ExportUnavailable(
            "Chart images need Kaleido and the Chromium browser; run `make setup` (or install "
            "Debian's chromium package) and restart the dashboard."
        ) from exc
