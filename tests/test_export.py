"""Static chart export through Kaleido and Chromium: real PNG and SVG bytes."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from charts import rag
from charts.export import image_bytes

needs_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None, reason="Chromium is not installed"
)


@needs_chromium
def test_png_and_svg_of_a_chart():
    df = pd.DataFrame(
        {
            "recommendation_ref": ["1"],
            "recommendation": ["Supervision"],
            "rag": ["Red"],
            "count": [3],
        }
    )
    fig = rag.rag_by_recommendation(df)
    png = image_bytes(fig, "png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    svg = image_bytes(fig, "svg").decode()
    assert svg.lstrip().startswith("<svg") and "Rec 1: Supervision" in svg


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        image_bytes(rag.rag_over_time(pd.DataFrame(columns=["as_of", "rag", "count"])), "gif")


@pytest.fixture
def no_browser(monkeypatch):
    """As on a machine without Chromium: Kaleido's own browser search finds nothing."""
    from choreographer.browsers.chromium import Chromium

    from charts import export

    monkeypatch.setattr(Chromium, "find_browser", classmethod(lambda cls, **_: None))
    export.unavailable.cache_clear()
    yield
    export.unavailable.cache_clear()


def test_missing_browser_is_said_plainly(no_browser):
    from charts.export import ExportUnavailable, unavailable

    assert "need the Chromium browser" in unavailable()
    with pytest.raises(ExportUnavailable, match="make run"):
        image_bytes(rag.rag_over_time(pd.DataFrame(columns=["as_of", "rag", "count"])), "png")


def test_pages_say_so_when_images_cannot_be_made(no_browser, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from data.demo import load_demo
    from loaders import store
    from tests.test_pages import APP

    db = tmp_path / "demo.duckdb"
    con = store.connect(db)
    load_demo(con)
    con.close()
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/rag_progress.py")
    at.run()
    assert not at.exception
    assert "PNG" not in [b.label for b in at.download_button]
    assert any("need the Chromium browser" in c.value for c in at.caption)
    at.switch_page("pages/report.py")
    at.run()
    assert "need the Chromium browser" in at.warning[0].value
    assert next(b for b in at.button if b.label == "Make the report").disabled
