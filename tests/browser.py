"""Headless Debian Chromium for the browser tests (Playwright), and the dashboard they
drive: `streamlit run app.py` on a free port. The `browser`, `server` and `demo_server`
fixtures are in conftest.py. Screenshots go to tests/output/ for people to look at."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "tests" / "output"
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(db: Path, port: int | None = None, *options: str):
    """`streamlit run app.py` on the database given, with any further command-line options
    (a secrets file with sign-in, say); returns the process and its address."""
    port = port or free_port()
    env = {**os.environ, "DASHBOARD_DB": str(db)}
    env.pop("DASHBOARD_AREA", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false", *options],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
            return process, url
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"streamlit did not start: {process.stdout.read().decode()[-2000:]}")


def stop(process) -> None:
    process.terminate()
    process.wait(timeout=10)


def new_page(browser, width: int = 1366, height: int = 900):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(30_000)
    return page


def with_param(path: str, param: str) -> str:
    return path + ("&" if "?" in path else "?") + param


def every_view_deck():
    """A deck with one slide of every kind of view, on the demo's plan and figures."""
    from report import decks
    from report.views import KINDS

    chosen = {
        "kpi": "Immunisations up to date", "every_council": "Immunisations up to date",
        "breakdowns": "Stability %", "measure_trend": "Dental checks",
        "measure_spread": "Dental checks", "neighbours": "Dental checks",
    }  # fmt: skip
    slides = []
    for kind, spec in KINDS.items():
        if "plan" in spec.needs:
            params = {"plan": "Post Ofsted Action Plan"}
        elif "indicators" in spec.needs:
            params = {"indicators": ["Dental checks", "Immunisations up to date",
                                     "Review health assessments on time", "SDQ average score"],
                      "area": "Anytown"}  # fmt: skip
        else:
            params = {"indicator": chosen[kind], "area": "Anytown"}
        slides.append(decks.Slide(kind, params, f"Note for {spec.label}"))
    return decks.Deck("Every view", slides)


EVERY_VIEW_DECK = 2  # the demo's own deck is 1


EVERY_VIEW_DECK = 2  # the demo's own deck is 1
