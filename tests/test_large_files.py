"""Issue 10, part 7: the longest texts that load go into the panel report cut with a marker
saying how much more there is and where (never silently, never a crash), and the Upload
page previews a plan of any size as a sample with its counts."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from pptx import Presentation
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

import ui
from loaders import store
from loaders.actions import Action
from loaders.errors import LoadWarning
from loaders.importer import import_file
from loaders.plan_file import PREVIEW_FIRST, PREVIEW_WITH_WARNINGS, action_preview
from loaders.timescale import parse_timescale
from report import pack, views
from tests.workbooks import simple_plan, write_csv, write_xlsx

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PLAN = "Post Ofsted Action Plan"
EXCEL_CELL_LIMIT = 32_767
# Line breaks, emoji, right-to-left scripts, Chinese and a hieroglyph no font here draws.
MIXED = "Audit supervision files.\nSee 👍🏽 the notes, مراجعة الملفات, בדיקת תיקים, 审核文件, 𓀀. "
LONGEST = (MIXED * (EXCEL_CELL_LIMIT // len(MIXED) + 1))[: EXCEL_CELL_LIMIT - 1] + "."
ONE_WORD = "x" * 5_000
CONTINUES = (
    r"\(continues: (?P<more>[\d,]+) more characters; see the Data page"
    r"(?: or the file's cell (?P<cell>[^)]+))?\)"
)
MARKER = re.compile("…\n" + CONTINUES)  # as a cell holds it, on a line of its own
PDF_MARKER = re.compile(CONTINUES)  # as read back from a PDF


@pytest.fixture(scope="module")
def long_plan(tmp_path_factory):
    """A plan as of 30 June 2018 whose three overdue actions hold the longest texts, and
    one more whose due date cannot be read."""
    folder = tmp_path_factory.mktemp("long")
    rows = simple_plan("Progress as at 30 June 2018")
    rows[5][2] = LONGEST  # 1.1, due April 2018: C6
    rows[6][2] = ONE_WORD  # 1.2, due February 2018: C7
    rows[6][3] = "Head of Service " * 300  # a lead of 4,800 characters
    rows[7][4:7] = ["March 2018", "Tracker live", "Red"]  # 2.1: overdue, a short text
    rows.append(["2.2", None, "Review PLO tracker", "Legal lead", "13/13/2018", None, "Red"])
    con = store.connect(folder / "long.duckdb")
    import_file(con, write_xlsx(folder / "plan.xlsx", {"Plan": rows}))
    yield con
    con.close()


@pytest.fixture(scope="module")
def report(long_plan):
    return pack.build(long_plan, PLAN)


@pytest.fixture(scope="module")
def pdf_text(report):
    data = pack.pdf_bytes(report)
    assert data[:5] == b"%PDF-"
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


@pytest.fixture(scope="module")
def slides(report):
    return list(Presentation(io.BytesIO(pack.pptx_bytes(report))).slides)


def test_the_longest_texts_load_whole(long_plan):
    texts = dict(long_plan.execute("SELECT ref, action FROM actions").fetchall())
    assert texts["1.1"] == LONGEST and texts["1.2"] == ONE_WORD


def test_pdf_cuts_long_texts_with_the_marker_naming_the_cell(pdf_text):
    cut = {m["cell"]: int(m["more"].replace(",", "")) for m in PDF_MARKER.finditer(pdf_text)}
    # the overdue page's table, each cut text citing the cell it came from
    assert {"Plan!C6", "Plan!C7"} <= set(cut)
    assert 0 < cut["Plan!C6"] < EXCEL_CELL_LIMIT and 0 < cut["Plan!C7"] < len(ONE_WORD)
    assert None in cut  # the long lead: no cell known, the Data page has it whole
    assert "Review PLO tracker" in pdf_text  # short texts whole


def test_pptx_cuts_long_texts_and_counts_exactly_what_is_left_out(slides):
    cells = [
        cell.text
        for slide in slides
        for shape in slide.shapes
        if shape.has_table
        for row in shape.table.rows
        for cell in row.cells
    ]
    originals = {"Plan!C6": LONGEST, "Plan!C7": ONE_WORD}
    for text in cells:
        marker = MARKER.search(text)
        if marker and marker["cell"] in originals:
            kept = text[: marker.start()]
            more = int(marker["more"].replace(",", ""))
            assert originals[marker["cell"]].startswith(kept)
            assert len(kept) + more == len(originals[marker["cell"]])
            originals.pop(marker["cell"])
    assert originals == {}  # both cut texts found, each counted to the character


def test_slide_tables_stay_on_the_slide(report):
    view = next(v for v in report.views if v.key == "overdue")
    table = pack._printable(view)
    per_line = pack._slide_chars_per_line(table)
    fitted = pack._slide_cells(view, table.map(pack._plain), per_line)
    for part in pack._slide_parts(fitted, per_line):
        lines = [
            max(len(pack._slide_wrap(str(v), n)) for v, n in zip(row, per_line, strict=True))
            for row in [list(part.columns), *part.itertuples(index=False)]
        ]
        assert sum(pack.SLIDE_ROW_MARGIN + pack.SLIDE_LINE * n for n in lines) <= (
            pack.SLIDE_TABLE_HEIGHT
        )


def test_report_lists_due_dates_that_cannot_be_read(report, pdf_text, slides):
    view = next(v for v in report.views if v.key == "unreadable")
    assert view.summary.startswith("1 of 4 actions has a due date that cannot be read")
    assert "Due date unreadable" in pdf_text and "13/13/2018 Plan!E9" in pdf_text
    grid = next(
        shape.table
        for slide in slides
        if slide.shapes[0].text_frame.text.startswith("Due date unreadable")
        for shape in slide.shapes
        if shape.has_table
    )
    row = [grid.cell(1, c).text for c in range(len(grid.columns))]
    assert row[-3:] == ["13/13/2018", "Plan!E9", "due date unreadable"]


# Upload preview ---------------------------------------------------------------------------


def _actions(n: int) -> list[Action]:
    due = parse_timescale("April 18")
    return [
        Action(None, "1", None, f"1.{i}", f"Action {i}", "SH", due, "Green", None, None, None,
               None, "Plan", i + 2)
        for i in range(n)
    ]  # fmt: skip


def test_preview_of_41000_actions_is_a_sample_a_browser_can_draw():
    actions = _actions(41_000)
    warned_rows = list(range(100, 41_000, 20))  # 2,045 rows with a problem, 2,040 below 200
    warnings = [LoadWarning(f"problem on row {r + 3}", "Plan", r + 1) for r in warned_rows]
    preview = action_preview(actions, warnings)
    assert len(preview.rows) == PREVIEW_FIRST + PREVIEW_WITH_WARNINGS == 1_000
    assert [row["Row"] for row in preview.rows[:PREVIEW_FIRST]] == list(range(2, 202))
    below = preview.rows[PREVIEW_FIRST:]
    assert all(row["Warning"].startswith("problem on row") for row in below)
    assert [row["Row"] for row in below] == [r + 2 for r in warned_rows if r >= 200][:800]
    assert preview.sentence == (
        "Showing 1,000 of 41,000 actions: the first 200 and 800 of the 2,040 below them with "
        "warnings. All 41,000 will be loaded."
    )
    frame = pd.DataFrame(preview.rows)
    assert frame.size <= pd.get_option("styler.render.max_elements")
    ui.rag_table(frame).to_html()  # the styled table the page draws


def test_a_small_plan_is_previewed_whole():
    preview = action_preview(_actions(23), [])
    assert len(preview.rows) == 23 and preview.sentence is None


def test_upload_page_previews_a_plan_of_40000_actions(tmp_path, monkeypatch):
    rows = [["Post Ofsted Action Plan"], ["Progress as at 30 April 2018"], ["Ref", "Action", "Lead", "Timescale", "RAG"]]  # fmt: skip
    rows += [[f"1.{i}", f"Action {i}", "SH", "TBC" if i % 1000 == 0 else "April 18", "Green"]
             for i in range(1, 40_001)]  # fmt: skip
    plan = write_csv(tmp_path / "big_plan.csv", rows)
    db = tmp_path / "big.duckdb"
    con = store.connect(db)
    store.set_state(con, "demo_cleared", "1")
    con.close()
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=180)
    at.switch_page("pages/upload.py")
    at.run()
    at.file_uploader[0].set_value((plan.name, plan.read_bytes(), "text/csv"))
    at.run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Actions"] == "40000"
    assert (
        "Showing 240 of 40,000 actions: the first 200 and 40 of the 40 below them with "
        "warnings. All 40,000 will be loaded." in [c.value for c in at.caption]
    )
    shown = next(d.value for d in at.dataframe if "Timescale" in d.value.columns)
    assert len(shown) == 240 and set(shown["Timescale"][200:]) == {"TBC"}


def test_any_character_a_cell_can_hold_goes_into_both_files():
    odd = "bell\x07 tab\tnon-character\ufffe joiner\u200d👩‍👩‍👧 private\ue000 𓀀 עברית\nend"
    table = pd.DataFrame({"Ref": ["1.1"], "Action": [odd * 200], "RAG": ["Red"]})
    view = views.View("Overdue actions", "as of 30 Jun 2018", odd, table=table, key="overdue")
    report = pack.Report("Panel report: " + odd, "Anytown", dt.date(2018, 6, 30),
                         dt.datetime(2018, 7, 1, 9), [view], [None])  # fmt: skip
    pages = PdfReader(io.BytesIO(pack.pdf_bytes(report))).pages
    text = " ".join(" ".join(p.extract_text() for p in pages).split())
    assert PDF_MARKER.search(text) and "bell tab" in text
    deck = Presentation(io.BytesIO(pack.pptx_bytes(report)))
    cells = [
        shape.table.cell(1, 1).text for s in deck.slides for shape in s.shapes if shape.has_table
    ]
    assert cells[0].startswith("bell tab") and MARKER.search(cells[0])


def test_a_table_beyond_the_styler_limit_is_drawn_plain_with_its_rag_in_words():
    """The progress page's table of every action: past pandas' styled-cell limit it is
    still drawn, without colours, and says so."""

    def page():
        import pandas as pd

        import ui

        rows = 30_000
        ui.table(pd.DataFrame({c: ["x"] * rows for c in ("Ref", "Action", "Lead", "Due", "Progress",
                                                          "Sheet", "Row", "Source", "RAG")}))  # fmt: skip

    at = AppTest.from_function(page, default_timeout=60).run()
    assert not at.exception
    assert at.dataframe[0].value.shape == (30_000, 9)
    assert [c.value for c in at.caption] == [
        "RAG colours are not drawn on a table of 270,000 cells; each RAG is in words."
    ]
