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


def test_missing_browser_is_said_plainly(no_browser):
    from charts.export import ExportUnavailable, unavailable

    assert "need the Chromium browser" in unavailable()
    with pytest.raises(ExportUnavailable, match="make run"):
        image_bytes(rag.rag_over_time(pd.DataFrame(columns=["as_of", "rag", "count"])), "png")
