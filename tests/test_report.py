"""The panel report (PDF and PowerPoint) and meeting decks: open what is produced and
check its pages, titles and figures against the database."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from pptx import Presentation
from pypdf import PdfReader

import queries
from charts.theme import RAG_COLOURS
from data import demo
from loaders import store
from loaders.access import Actor
from report import decks, pack, plans, views

KPIS = ["Dental checks", "Average caseload per social worker"]


@pytest.fixture(scope="module")
def report(demo_con):
    # The snapshot before the latest, so "as of a date" is tested, not only "latest".
    as_of = queries.snapshots(demo_con, demo.DEMO_PLAN)[-2]
    return pack.build(demo_con, demo.DEMO_PLAN, as_of, KPIS, demo.DEMO_AREA)


@pytest.fixture(scope="module")
def pdf(report):
    return PdfReader(io.BytesIO(pack.pdf_bytes(report)))


@pytest.fixture(scope="module")
def pptx(report):
    return Presentation(io.BytesIO(pack.pptx_bytes(report)))


def test_report_holds_every_required_view_at_the_chosen_date(report, demo_con):
    keys = [v.key for v in report.views]
    assert keys == ["overview", "by_rec", "movement", "overdue", "redated", "trend", "trend"]
    as_of = report.as_of
    assert all(v.as_of.endswith("31 Mar 2018") for v in report.views[:5])
    rows = queries.actions(demo_con, demo.DEMO_PLAN, as_of)
    assert report.views[0].summary.startswith(f"{len(rows)} actions")
    # Every chart was drawn (PNG bytes), and the movement view compares with the month before.
    assert all(i is not None and i[:4] == b"\x89PNG" for i in report.images[:3])
    assert report.views[2].as_of == "28 Feb 2018 to 31 Mar 2018"


def test_pdf_is_a4_landscape_with_numbered_pages_and_council(pdf, report):
    pages = pdf.pages
    assert len(pages) >= 1 + len(report.views)
    for n, page in enumerate(pages, 1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (842, 595)  # A4 landscape in points
        text = page.extract_text()
        assert f"Page {n} of {len(pages)}" in text
        assert "Anytown" in text and "generated" in text
    assert "Panel report: Post Ofsted Action Plan" in pages[0].extract_text()
    assert pdf.metadata.title == report.title


def test_pdf_pages_carry_each_views_heading_and_figures(pdf, report, demo_con):
    text = "\n".join(p.extract_text() for p in pdf.pages)
    flat = " ".join(text.split())
    for view in report.views:
        assert " ".join(view.heading.split()) in flat
    overdue = queries.slippage(demo_con, demo.DEMO_PLAN, as_of=report.as_of)
    late = overdue[overdue["overdue"]]
    assert len(late) > 0
    for row in late.itertuples():  # overdue actions with their leads
        assert row.ref in text and row.lead in flat
    dental = queries.kpi_series(demo_con, "Dental checks", demo.DEMO_AREA)
    for value in dental["value"]:
        assert f"{value:g}" in text


def test_pptx_one_chart_per_slide_with_title_notes_and_alt_text(pptx, report):
    slides = list(pptx.slides)
    titles = [s.shapes[0].text_frame.text for s in slides]
    assert titles[0] == report.title
    for view in report.views:
        assert view.heading in titles
        slide = slides[titles.index(view.heading)]
        pictures = [s for s in slide.shapes if s.shape_type == 13]  # PICTURE
        if view.figure is not None:
            assert len(pictures) == 1
            assert pictures[0]._element.nvPicPr.cNvPr.get("descr") == view.summary
        assert view.summary in slide.notes_slide.notes_text_frame.text
    for n, slide in enumerate(slides, 1):
        assert slide.shapes[-1].text_frame.text.endswith(f"· {n} of {len(slides)}")
        assert "Anytown" in slide.shapes[-1].text_frame.text


def test_pptx_tables_colour_and_label_rag(pptx, report):
    overdue = next(v for v in report.views if v.key == "overdue")
    slide = next(
        s for s in pptx.slides if s.shapes[0].text_frame.text.startswith("Overdue actions") and s.has_notes_slide
        and any(shape.has_table for shape in s.shapes)
    )  # fmt: skip
    grid = next(shape.table for shape in slide.shapes if shape.has_table)
    header = [grid.cell(0, c).text for c in range(len(grid.columns))]
    assert header == list(overdue.table.columns)
    rag = header.index("RAG")
    for r in range(1, len(grid.rows)):
        cell = grid.cell(r, rag)
        assert cell.text in RAG_COLOURS  # labelled in words...
        assert (
            f"#{cell.fill.fore_color.rgb}".lower() == RAG_COLOURS[cell.text].lower()
        )  # ...and coloured


def test_long_tables_continue_on_further_slides(demo_con):
    view = plans.rag_movement(demo_con, demo.DEMO_PLAN)
    many = pd.concat([view.table] * (pack.ROWS_PER_SLIDE // len(view.table) + 2))
    view.table, view.figure = many, None
    report = pack.Report("T", "Anytown", dt.date(2018, 4, 30), dt.datetime.now(), [view], [None])
    titles = [
        s.shapes[0].text_frame.text
        for s in Presentation(io.BytesIO(pack.pptx_bytes(report))).slides
    ]
    assert sum("(continued)" in t for t in titles) == (len(many) - 1) // pack.ROWS_PER_SLIDE


# Meeting decks --------------------------------------------------------------------------


def test_demo_deck_is_stored_and_cleared_with_the_demo(tmp_path):
    con = store.connect(tmp_path / "d.duckdb")
    demo.load_demo(con)
    listed = decks.listing(con)
    assert list(listed["name"]) == ["Corporate parenting panel (demo)"]
    deck = decks.load(con, int(listed["deck_id"][0]))
    assert [s.kind for s in deck.slides][:2] == ["overview", "rag_by_recommendation"]
    for slide in deck.slides:  # every slide of the demo deck builds, with data
        built = views.build(con, slide.kind, slide.params)
        assert built.figure is not None and built.summary
    demo.clear_demo(con)
    assert decks.listing(con).empty


def test_deck_save_edit_reorder_and_delete(con):
    slides = [
        decks.Slide("overdue", {"plan": "P"}, " Ask for dates "),
        decks.Slide("kpi", {"indicator": "X", "area": "A"}),
    ]
    officer = Actor("officer@example.test", "officer", "sign-in")
    deck_id = decks.save(con, decks.Deck("Panel, March", slides), officer)
    got = decks.load(con, deck_id)
    assert got.name == "Panel, March" and got.saved_by == "officer@example.test"
    assert got.slides == [decks.Slide("overdue", {"plan": "P"}, "Ask for dates"), slides[1]]
    decks.save(con, decks.Deck("Panel, April", list(reversed(slides)), deck_id))
    again = decks.load(con, deck_id)
    assert again.name == "Panel, April" and [s.kind for s in again.slides] == ["kpi", "overdue"]
    assert len(decks.listing(con)) == 1
    decks.delete(con, deck_id)
    assert decks.load(con, deck_id) is None
    assert con.execute("SELECT count(*) FROM deck_slides").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("name", "slides", "message"),
    [
        (" ", [decks.Slide("overview", {"plan": "P"})], "Give the deck a name"),
        ("D", [], "Add at least one view"),
        ("D", [decks.Slide("pie", {"plan": "P"})], "Slide 1 names a view this dashboard does not have: pie"),
        ("D", [decks.Slide("overview", {"plan": "P"}), decks.Slide("kpi", {"area": "A"})], "Slide 2 (KPI trend) needs an indicator"),
    ],
)  # fmt: skip
def test_a_deck_that_cannot_be_saved_says_why_and_changes_nothing(
    con, db_state, name, slides, message
):
    before = db_state()
    with pytest.raises(decks.DeckError, match=message.replace("(", r"\(").replace(")", r"\)")):
        decks.save(con, decks.Deck(name, slides))
    assert db_state() == before


def test_a_slide_whose_plan_has_gone_says_so(con):
    with pytest.raises(views.NoData, match="No action plan called 'Gone'"):
        views.build(con, "overview", {"plan": "Gone"})
