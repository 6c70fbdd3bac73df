"""Headless Debian Chromium for the browser tests (Playwright); the `browser` fixture that
launches it is in conftest.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Chromium as root in a container, with no network beyond localhost.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Chromium is not installed (make test installs it)"
)


def settle(page, timeout: float = 60_000) -> None:
    """Wait until Streamlit is idle: the script run ended and everything is drawn."""
    from tests.probes import IDLE

    page.wait_for_selector("[data-testid='stApp']")
    page.wait_for_function(IDLE, timeout=timeout, polling=100)
