"""Shared fixtures: a fresh DuckDB per test and helpers to import files into it."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders import store
from loaders.importer import import_file


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"


@pytest.fixture
def con(db_path: Path):
    connection = store.connect(db_path)
    yield connection
    connection.close()


@pytest.fixture
def load(con):
    """Import a file into the test database and return the rows of the ``actions`` view."""

    def _load(path: Path, **kwargs):
        result = import_file(con, path, **kwargs)
        rows = con.execute(
            "SELECT * FROM actions WHERE upload_id = ? ORDER BY source_sheet, source_row",
            [result.upload_id],
        ).fetch_df()
        return result, rows

    return _load


@pytest.fixture
def db_state(con):
    """Every row of every table, to assert a rejected file changed nothing."""

    def _state() -> list[list[tuple]]:
        tables = [
            r[0]
            for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()
        ]
        return [con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables]

    return _state


@pytest.fixture
def no_browser(monkeypatch):
    """As on a machine without Chromium: Kaleido's own browser search finds nothing."""
    from choreographer.browsers.chromium import Chromium

    from charts import export

    monkeypatch.setattr(Chromium, "find_browser", classmethod(lambda cls, **_: None))
    export.unavailable.cache_clear()
    yield
    export.unavailable.cache_clear()


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for a module's browser tests."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS, OUTPUT

    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    """A database holding the demo, built once per test module (copy it to write to it)."""
    from data.demo import load_demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    con = store.connect(path)
    load_demo(con)
    con.close()
    return path


@pytest.fixture(scope="module")
def demo_con(demo_file):
    """A connection to the module's demo database."""
    con = store.connect(demo_file)
    yield con
    con.close()


@pytest.fixture
def server(tmp_path):
    """A dashboard on an empty database (demo cleared), as a council starting out."""
    from tests.browser import serve, stop
    from tests.workbooks import empty_database

    process, url = serve(empty_database(tmp_path / "e2e.duckdb"))
    yield url
    stop(process)


@pytest.fixture(scope="module")
def demo_server(demo_file, tmp_path_factory):
    """A dashboard on the demo, with a deck of every kind of view (tests.browser), started
    once per test module."""
    import shutil

    from loaders import access
    from report import decks
    from tests.browser import EVERY_VIEW_DECK, every_view_deck, serve, stop

    db = tmp_path_factory.mktemp("e2e_demo") / "demo.duckdb"
    shutil.copy(demo_file, db)
    con = store.connect(db)
    assert decks.save(con, every_view_deck(), access.DEMO) == EVERY_VIEW_DECK
    con.close()
    process, url = serve(db)
    yield url
    stop(process)
