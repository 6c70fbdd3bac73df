"""Text is text: whatever came from a file or a person (plan, action, lead, progress and
file names, deck names and speaker notes) is shown as typed, never as Markdown, Streamlit
directives, LaTeX or HTML, on the pages, in the charts and in the downloads."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

import ui
from charts import kpi, rag, slippage
from charts.tables import csv_bytes, excel_bytes
from charts.theme import plain
from loaders import store
from loaders.access import Actor
from loaders.importer import check_loadable, interpret_file, write_parsed
from report import decks, views
from tests.workbooks import STANDARD_HEADER, empty_database, write_xlsx

APP = str(Path(__file__).resolve().parent.parent / "app.py")

IMAGE = "![x](http://127.0.0.1:9/x.png)"  # a remote image would be fetched by the browser
BAD = f"<b>bold</b> {IMAGE} :red[alert] $x^2$ **strong**"
FORMULA = '=HYPERLINK("http://x","y")'
PLAN = f"Action Plan {BAD}"
# What must never reach a Markdown element as is.
LIVE = ("![", ":red[", "$x^2$", "<b>", "**strong**")


def plan_rows() -> list[list]:
    return [
        ["Anytown Children's Services"],
        [PLAN],
        ["Progress as at 4 January 2018"],
        [],
        STANDARD_HEADER,
        ["1.1", f"Rec {BAD}", f"Audit {BAD}", f"Lead {BAD}", "December 17", "Begun", "Red"],
        ["1.2", None, "Train managers", "Head of Service", "Feb-18", f"Progress {BAD}", "Amber"],
    ]


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory) -> Path:
    """A database holding one plan, one upload and one deck, all named with markup."""
    folder = tmp_path_factory.mktemp("text")
    book = write_xlsx(folder / "plan.xlsx", {"Plan": plan_rows()})
    path = empty_database(folder / "text.duckdb")
    con = store.connect(path)
    parsed = interpret_file(book.read_bytes(), f"plan {BAD}.xlsx")
    check_loadable(parsed)
    write_parsed(con, parsed, actor=Actor(f"Officer {BAD}", "officer", "sign-in"))
    slides = [decks.Slide("overdue", {"plan": PLAN}, f"Say {BAD}")]
    decks.save(con, decks.Deck(f"Panel {BAD}", slides))
    con.close()
    return path


@pytest.fixture
def app(hostile_db, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(hostile_db))
    monkeypatch.delenv("DASHBOARD_AREA", raising=False)

    def _open(page: str, **params: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        at.switch_page(page)
        for key, value in params.items():
            at.query_params[key] = value
        return at.run()

    return _open


def shown_text(at: AppTest) -> list[str]:
    """Every Markdown-rendered string on the page: text, headings, alerts, metric labels."""
    kinds = ("markdown", "caption", "title", "header", "subheader")
    kinds += ("info", "warning", "error", "success")
    texts = [e.value for kind in kinds for e in at.get(kind)]
    return texts + [m.label for m in at.metric] + [e.label for e in at.expander]


def assert_literal(texts: list[str], *expected: str) -> None:
    for text in texts:
        assert not any(live in text for live in LIVE), text
    for want in expected:
        assert any(ui.literal(want) in text for text in texts), want


def chart_specs(at: AppTest) -> list[str]:
    """Each figure as the page sends it, decoded (plotly writes '/' as '\\u002f')."""
    return [
        json.dumps(json.loads(chart.proto.spec), ensure_ascii=False)
        for chart in at.get("plotly_chart")
    ]


def assert_charts_literal(at: AppTest) -> None:
    specs = chart_specs(at)
    assert specs
    assert not any("<b>bold</b>" in spec for spec in specs)
    assert any("&lt;b&gt;bold&lt;/b&gt;" in spec for spec in specs)


# The helper ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "escaped"),
    [
        (IMAGE, r"\!\[x\](http\://127.0.0.1:9/x.png)"),
        (":red[alert]", r"\:red\[alert\]"),
        (":material/home:", r"\:material/home:"),
        ("$x^2$", r"\$x^2\$"),
        ("<img src=x>", r"\<img src=x\>"),
        ("**strong** _em_ `code` ~~gone~~", r"\*\*strong\*\* \_em\_ \`code\` \~\~gone\~\~"),
        ("# Heading\n- item\n+ item\n> quote\n1. one\n2) two", "\\# Heading\n\\- item\n\\+ item\n\\> quote\n1\\. one\n2\\) two"),
        ("a | b", r"a \| b"),
        ("Tom &amp; Jerry", r"Tom \&amp; Jerry"),
        ("back\\slash", r"back\\slash"),
        (FORMULA, r'\=HYPERLINK("http\://x","y")'),
    ],
)  # fmt: skip
def test_literal_escapes_markup(typed, escaped):
    assert ui.literal(typed) == escaped


@pytest.mark.parametrize(
    "ordinary",
    [
        "Between 31 Jan 2018 and 28 Feb 2018: 4 actions improved, 3 worsened.",
        "post_ofsted_action_plan_2018-04.xlsx",
        "the longest, 4b (Legal Services Lead), by 30 days; 92.4% in 2017/18",
        "Re-dated actions: first due date against current due date",
    ],
)
def test_literal_leaves_ordinary_sentences_readable(ordinary):
    assert ui.literal(ordinary) == ordinary


def test_literal_table_escapes_text_cells_and_headers_only():
    df = pd.DataFrame({"Action <b>": [BAD, None], "Count": [1, 2]})
    shown = ui.literal_table(df)
    assert list(shown.columns) == [r"Action \<b\>", "Count"]
    assert shown.iloc[0, 0] == ui.literal(BAD) and pd.isna(shown.iloc[1, 0])
    assert list(shown["Count"]) == [1, 2]


# Pages --------------------------------------------------------------------------------


def test_rag_progress_shows_plan_rec_lead_and_progress_as_typed(app):
    at = app("pages/rag_progress.py", present="1")
    assert not at.exception
    assert_literal(shown_text(at), PLAN)
    assert_charts_literal(at)
    # On the projector the actions are an st.table, whose cells render Markdown (progress is
    # on the page outside presentation mode: a projector's list has the action and its lead).
    cells = at.table[-1].value.astype(str).to_numpy().ravel()

    def shown(text: str) -> str:  # as a projector's table shows it: cut at a word
        return ui.literal(views.clipped(text, ui.PRESENT_CELL_CHARS))

    assert shown(f"Audit {BAD}") in cells and shown(f"Lead {BAD}") in cells
    assert not any(live in cell for cell in cells for live in LIVE)


def test_slippage_shows_plan_and_lead_as_typed(app):
    at = app("pages/slippage.py")
    assert not at.exception
    assert_literal(shown_text(at), PLAN, f"Lead {BAD}")
    assert_charts_literal(at)


def test_overview_shows_plan_as_typed(app):
    at = app("pages/overview.py")
    assert not at.exception
    assert any(s.value == ui.literal(PLAN) for s in at.subheader)
    assert_literal(shown_text(at), PLAN)


def test_data_page_shows_file_and_uploader_as_typed(app):
    at = app("pages/data.py", present="1")
    assert not at.exception
    assert_literal(shown_text(at))
    history = at.table[0].value.astype(str).to_numpy().ravel()
    assert ui.literal(f"plan {BAD}.xlsx") in history
    assert ui.literal(f"Officer {BAD}") in history and ui.literal(PLAN) in history
    assert not any(live in cell for cell in history for live in LIVE)


def test_decks_list_and_slide_show_name_and_note_as_typed(app, hostile_db):
    at = app("pages/decks.py")
    assert not at.exception
    assert_literal(shown_text(at), f"Panel {BAD}")
    con = store.connect(hostile_db)
    deck_id = int(decks.listing(con)["deck_id"][0])
    con.close()
    at = app("pages/decks.py", deck=str(deck_id), present="1")
    assert not at.exception
    assert_literal(shown_text(at), f"Panel {BAD}", f"Lead {BAD}")
    assert_charts_literal(at)
    at = app("pages/decks.py", deck=str(deck_id), presenter="1")  # the note is the presenter's
    assert not at.exception
    assert_literal(shown_text(at), f"Panel {BAD}", f"Say {BAD}", f"Lead {BAD}")


# Charts -------------------------------------------------------------------------------


def test_chart_text_from_files_is_not_html():
    assert (
        plain("<a href='http://x'>y</a> & <b>")
        == "&lt;a href='http://x'&gt;y&lt;/a&gt; &amp; &lt;b&gt;"
    )
    by_rec = pd.DataFrame(
        {"section": [None], "recommendation_ref": ["1"], "recommendation": ["<b>bold</b>"],
         "rag": ["Red"], "count": [2]}
    )  # fmt: skip
    labels = list(rag.rag_by_recommendation(by_rec).layout.yaxis.categoryarray)
    assert labels == ["Rec 1: &lt;b&gt;bold&lt;/b&gt;"]
    by_lead = pd.DataFrame({"lead": ["<b>bold</b>"], "rag": ["Red"], "count": [1]})
    assert list(rag.actions_by_lead(by_lead).data[0].y) == ["&lt;b&gt;bold&lt;/b&gt;"]

    periods = pd.DataFrame(
        {
            "period_label": ["<b>2017</b>"],
            "period_end": [pd.Timestamp("2017-03-31")],
            "value": [5.0],
        }
    )
    benchmarks = periods.assign(area="<a href='http://x'>Region</a>")
    trend = kpi.kpi_trend(periods, title="<b>bold</b>: <i>Me</i>", unit=None, benchmarks=benchmarks)
    assert trend.layout.title.text == "&lt;b&gt;bold&lt;/b&gt;: &lt;i&gt;Me&lt;/i&gt;"
    assert [t.name for t in trend.data] == [
        "&lt;a href='http://x'&gt;Region&lt;/a&gt;",
        "&lt;i&gt;Me&lt;/i&gt;",
    ]
    assert list(trend.layout.xaxis.categoryarray) == ["&lt;b&gt;2017&lt;/b&gt;"]
    assert not any("<a href" in (t.hovertemplate or "") for t in trend.data)

    multiples = periods.assign(indicator="<b>bold</b>", unit=None)
    small = kpi.kpi_small_multiples(multiples)
    assert small.layout.annotations[0].text == "&lt;b&gt;bold&lt;/b&gt;"
    assert list(small.data[0].x) == ["&lt;b&gt;2017&lt;/b&gt;"]

    ranked = pd.DataFrame(
        {"area": ["<b>Me</b>", "Other", "England <a href='x'>"], "kind": ["council", "council", "england"],
         "value": [1.0, 2.0, 1.5]}
    )  # fmt: skip
    ranking = kpi.benchmark_ranking(ranked, own_area="<b>Me</b>", polarity="higher", unit=None)
    assert list(ranking.data[0].y) == ["Other", "<b>&lt;b&gt;Me&lt;/b&gt;</b>"]
    assert any(a.text.startswith("England &lt;a href='x'&gt;") for a in ranking.layout.annotations)

    parts = periods.assign(breakdown="<b>Team</b>")
    bars = kpi.breakdown_bars(parts, unit=None)
    assert bars.data[0].name == "&lt;b&gt;2017&lt;/b&gt;"
    assert list(bars.data[0].x) == ["&lt;b&gt;Team&lt;/b&gt;"]


def test_slippage_chart_text_from_files_is_not_html():
    rows = pd.DataFrame(
        {"ref": ["<b>1</b>"], "lead": ["<a href='x'>Lead</a>"], "action": ["<b>bold</b>"], "rag": ["Red"],
         "days_overdue": [3], "due_date": [pd.Timestamp("2018-01-31")],
         "first_due_date": [pd.Timestamp("2017-12-31")], "days_redated": [31]}
    )  # fmt: skip
    late = slippage.overdue_actions(rows).data[0]
    assert list(late.y) == ["&lt;b&gt;1&lt;/b&gt; – &lt;a href='x'&gt;Lead&lt;/a&gt;"]
    assert list(late.customdata) == ["&lt;b&gt;bold&lt;/b&gt;"]
    assert set(slippage.redated_actions(rows).data[-1].y) == {"&lt;b&gt;1&lt;/b&gt;"}
    timeline = slippage.due_timeline(rows, pd.Timestamp("2018-02-28").date())
    assert list(timeline.layout.yaxis.categoryarray) == ["&lt;b&gt;1&lt;/b&gt;"]
    groups = pd.DataFrame({"group": ["<b>Lead</b>"], "overdue": [1], "redated": [0]})
    assert list(slippage.slippage_by(groups, "Lead").data[0].y) == ["&lt;b&gt;Lead&lt;/b&gt;"]


# Downloads ----------------------------------------------------------------------------


def test_download_headers_never_become_formulas():
    df = pd.DataFrame({FORMULA: ["=1+1"], "Count": [1]})
    header = csv_bytes(df).decode("utf-8-sig").splitlines()[0]
    assert header.startswith("\"'=HYPERLINK(")
    sheet = load_workbook(io.BytesIO(excel_bytes(df))).active
    assert sheet["A1"].value == FORMULA and sheet["A1"].data_type == "s"
    assert sheet["A2"].data_type == "s"


def test_page_chart_specs_are_json_with_escaped_labels(app):
    """The figure a page sends to the browser carries the escaped text, not the tag."""
    at = app("pages/rag_progress.py")
    labels = [
        label
        for spec in chart_specs(at)
        for trace in json.loads(spec)["data"]
        for label in (trace.get("y") or [])
        if isinstance(label, str)
    ]
    assert any("&lt;b&gt;bold&lt;/b&gt;" in label for label in labels)
    assert not any("<b>" in label for label in labels)


def test_upload_preview_shows_plan_names_and_file_text_as_typed(app, tmp_path):
    at = app("pages/upload.py")
    rows = plan_rows()
    rows[1] = [f"Second plan {BAD}"]
    book = write_xlsx(tmp_path / "second.xlsx", {"Plan": rows})
    at.file_uploader[0].set_value(
        (f"second {BAD}.xlsx", book.read_bytes(), "application/octet-stream")
    )
    at.run()
    assert not at.exception and not at.error
    assert_literal(shown_text(at))
    # The plan name's help lists the plans already loaded; help text renders Markdown.
    assert ui.literal(PLAN) in at.text_input(key="plan_name").help
    assert at.text_input(key="plan_name").value == f"Second plan {BAD}"  # a text box: as typed
