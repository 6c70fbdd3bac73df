"""What several test files share: where the LAIT files are, opening a page in AppTest, and
a dashboard running beside the command line."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import duckdb
from streamlit.testing.v1 import AppTest

from loaders import cli, handoff, store

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
DATA = Path(__file__).parent / "data"
LAIT_DATASET = DATA / "lait_bds_long_trimmed.parquet"  # 14 measures, 29 areas
LAIT_DICTIONARY = DATA / "lait_data_dictionary_trimmed.csv"
REAL = ROOT.parent / "shared" / "real-data"  # beside the checkout, in CI too
FULL_DATASET = REAL / "lait_bds_long.parquet"
FULL_DICTIONARY = REAL / "lait_data_dictionary.csv"


def page_opener(monkeypatch, db: Path, area: str | None = None) -> Callable[..., AppTest]:
    """A function that runs the app on ``db`` at a page (``pages/x.py``) with query
    parameters; the council is ``area``, else the database's own."""
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    if area:
        monkeypatch.setenv("DASHBOARD_AREA", area)
    else:
        monkeypatch.delenv("DASHBOARD_AREA", raising=False)

    def _open(page: str | None = None, **params: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        if page:
            at.switch_page(page)
        for key, value in params.items():
            at.query_params[key] = value
        return at.run()

    return _open


@contextmanager
def running_dashboard(db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The dashboard's connection to ``db`` with its watcher running the command-line work
    handed to it, as ``ui`` starts them; both end on leaving."""
    dashboard = store.connect(db)
    watcher = handoff.Watcher(db, partial(cli.run_handed, dashboard.cursor()))
    watcher.start()
    try:
        while not handoff.dashboard_alive(db) and not threading.Event().wait(0.1):
            pass
        yield dashboard
    finally:
        watcher.stop()
        watcher.join(5)
        dashboard.close()
