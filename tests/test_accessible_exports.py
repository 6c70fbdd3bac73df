"""The panel report as assistive technology meets it: titled slides with alt text and no
empty placeholders; a PDF that names its language and title and tags its charts."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER
from pptx.enum.text import PP_ALIGN
from pptx.util import Inches, Pt
from pypdf import PdfReader
from pypdf.generic import ArrayObject, BooleanObject, DictionaryObject

import queries
from data import demo
from report import pack, plans

TITLES = (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)


@pytest.fixture(scope="module")
def report(demo_con):
    as_of = queries.snapshots(demo_con, demo.DEMO_PLAN)[-1]
    return pack.build(demo_con, demo.DEMO_PLAN, as_of, ["Dental checks"], demo.DEMO_AREA)


def _slides(report: pack.Report) -> list:
    return list(Presentation(io.BytesIO(pack.pptx_bytes(report))).slides)


def _titles(slides: list) -> list[str]:
    return [s.shapes.title.text_frame.text if s.shapes.title else "" for s in slides]


def _check_slides(slides: list) -> None:
    """Every slide titled in its title placeholder, each title its own; every picture and
    table described; no placeholder left empty."""
    titles = _titles(slides)
    assert all(titles), titles
    assert len(set(titles)) == len(titles), titles
    for slide in slides:
        title = slide.shapes.title
        assert title.is_placeholder and title.placeholder_format.type in TITLES
        assert slide.shapes[0] == title  # read first, as the outline reads it
        for placeholder in slide.placeholders:
            assert placeholder.has_text_frame and placeholder.text_frame.text.strip()
        for shape in slide.shapes:
            if shape.shape_type == MSO_SHAPE_TYPE.PICTURE or shape.has_table:
                assert shape._element._nvXxPr.cNvPr.get("descr", "").strip(), shape.name


def test_every_slide_has_its_own_title_and_alt_text(report):
    slides = _slides(report)
    _check_slides(slides)
    titles = _titles(slides)
    assert titles[0] == report.title
    assert all(v.heading in titles for v in report.views)
    pictures = [s for slide in slides for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]  # fmt: skip
    drawn = [v.summary for v, image in zip(report.views, report.images, strict=True) if image]
    assert [p._element.nvPicPr.cNvPr.get("descr") for p in pictures] == drawn
    tables = [s for slide in slides for s in slide.shapes if s.has_table]
    assert tables and all(
        ", as a table of " in t._element._nvXxPr.cNvPr.get("descr") for t in tables
    )


def test_slide_title_looks_as_the_text_box_it_replaced(report):
    for slide in _slides(report):
        title = slide.shapes.title
        position = (title.left, title.top, title.width, title.height)
        assert position == (Inches(0.5), Inches(0.3), Inches(12.3), Inches(0.9))
        paragraph = title.text_frame.paragraphs[0]
        assert paragraph.alignment == PP_ALIGN.LEFT
        font = paragraph.runs[0].font  # not the placeholder's 44 pt centred style
        assert font.bold and font.name == "Arial" and font.size in (Pt(28), Pt(22))


def test_continued_tables_and_repeated_views_have_distinct_titles(demo_con):
    view = plans.rag_movement(demo_con, demo.DEMO_PLAN)
    many = pd.concat([view.table] * (pack.ROWS_PER_SLIDE // len(view.table) + 2))
    view.table, view.figure = many, None
    # The same view twice, as when an officer picks one KPI twice.
    report = pack.Report("T", "Anytown", dt.date(2018, 4, 30), dt.datetime.now(), [view] * 2, [None] * 2)  # fmt: skip
    slides = _slides(report)
    _check_slides(slides)
    titles = _titles(slides)
    parts = (len(titles) - 1) // 2 - 1  # the cover, then twice the view's slide and its parts
    assert parts > 1
    assert titles[1 : 2 + parts] == [
        view.heading,
        f"{view.title}: the figures, 1 of {parts}",
        *(f"{view.title} (continued): the figures, {n} of {parts}" for n in range(2, parts + 1)),
    ]
    assert titles[2 + parts] == f"{view.heading} (2)"  # the second time round, numbered


@pytest.fixture(scope="module")
def pdf(report):
    return PdfReader(io.BytesIO(pack.pdf_bytes(report)))


def _figures(node) -> list[DictionaryObject]:
    """The structure elements tagged Figure under a node of the structure tree, in order."""
    node = node.get_object()
    if isinstance(node, ArrayObject):
        return [figure for kid in node for figure in _figures(kid)]
    if not isinstance(node, DictionaryObject):  # a marked-content id
        return []
    here = [node] if node.get("/S") == "/Figure" else []
    return here + _figures(node["/K"]) if "/K" in node else here


def test_pdf_names_language_and_title_and_is_tagged(pdf, report):
    root = pdf.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert root["/MarkInfo"]["/Marked"] == BooleanObject(True)
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == BooleanObject(True)
    assert pdf.metadata.title == report.title
    assert "/StructTreeRoot" in root


def test_pdf_every_chart_is_a_figure_with_its_alt_text(pdf, report):
    figures = _figures(pdf.trailer["/Root"]["/StructTreeRoot"])
    drawn = [v.summary for v, image in zip(report.views, report.images, strict=True) if image]
    assert drawn
    assert [str(f.get("/Alt", "")) for f in figures] == drawn
    assert len(figures) == sum(len(page.images) for page in pdf.pages)  # no image untagged
