"""AppTest for every page: no exception, key figures match the demo database, filters and
query parameters change and restore what is shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.demo import load_demo, write_snapshot
from loaders import store
from report.views import describe
from tests.helpers import APP, page_opener
from tests.workbooks import empty_database


@pytest.fixture(scope="module")
def demo_db(demo_file) -> Path:
    return demo_file


@pytest.fixture
def app(demo_db, monkeypatch):
    return page_opener(monkeypatch, demo_db)


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_overview_figures(app):
    at = app()
    assert not at.exception
    got = metrics(at)
    assert got["Actions"] == "23"
    assert got["Complete (39%)"] == "9"
    assert got["Overdue"] == "1" and got["Re-dated"] == "7"
    assert got["Immunisations up to date"] == "92.4%"
    assert any("You are looking at demo data" in m.value for m in at.markdown)
    assert any("**RAG: Amber**" in m.value for m in at.markdown)


def test_rag_progress_filters_and_query_params(app):
    at = app("pages/rag_progress.py")
    assert not at.exception
    actions = at.dataframe[-1].value
    assert len(actions) == 23
    at = app("pages/rag_progress.py", rag="Red")
    assert len(at.dataframe[-1].value) == 1
    assert at.selectbox(key="w_rag").value == "Red"
    at = app("pages/rag_progress.py", lead="QA Manager")
    assert set(at.dataframe[-1].value["Lead"]) == {"QA Manager"}


def test_rag_progress_movement_between_chosen_snapshots(app):
    at = app("pages/rag_progress.py", **{"from": "2018-01-31", "to": "2018-02-28"})
    assert not at.exception
    summary = [c.value for c in at.caption if c.value.startswith("Between")]
    assert summary == [
        "Between 31 Jan 2018 and 28 Feb 2018: 4 actions improved, 3 worsened and 16 did not change."
    ]


def test_slippage(app):
    at = app("pages/slippage.py")
    assert not at.exception
    got = metrics(at)
    assert got["Overdue actions"] == "1" and got["Re-dated actions"] == "7"
    assert any("the longest, 4b (Legal Services Lead), by 30 days" in c.value for c in at.caption)
    at = app("pages/slippage.py", lead="QA Manager")
    assert metrics(at)["Re-dated actions"] == "2"


def test_kpi_trends(app):
    at = app("pages/kpi_trends.py", indicator="Immunisations up to date", period="2017/18")
    assert not at.exception
    assert at.subheader[0].value == "Immunisations up to date, Anytown, to 2017/18"
    texts = [c.value for c in at.caption]
    assert texts[0].startswith(
        "Immunisations up to date for Anytown went from 94% in 2014/15 to 92.4% in 2017/18, "
        "against a target of 95%; latest benchmarks: England 86%, Statistical neighbours 91%"
    )
    assert [t for t in texts if "ranked" in t] == [
        "In 2017/18, Anytown ranked 3 of 24 councils (quartile band A, A best) with 92.4%. "
        "England 86%; Statistical neighbours 91%; Yorkshire and The Humber 81.4%."
    ]
    at = app("pages/kpi_trends.py", indicator="SDQ average score")
    assert at.subheader[0].value.startswith("SDQ average score, Anytown, to ")
    assert any("Lower is better" in m.value for m in at.markdown)


def test_kpi_breakdowns(app):
    at = app("pages/kpi_trends.py", breakdown="Stability %")
    assert not at.exception
    assert any(c.value.startswith("Stability %, 2017: Leaving care 87%") for c in at.caption)


def test_upload_refuses_a_duplicate_with_its_date(app, demo_db):
    con = store.connect(demo_db)
    name, content = con.execute(
        "SELECT file_name, content FROM upload_files WHERE kind = 'metrics' LIMIT 1"
    ).fetchone()
    con.close()
    at = app("pages/upload.py")
    assert not at.exception
    at.file_uploader[0].set_value((name, content, "application/octet-stream"))
    at.run()
    assert "was already loaded on" in at.warning[0].value


def test_upload_preview_then_confirm(tmp_path, monkeypatch):
    path = empty_database(tmp_path / "fresh.duckdb")
    monkeypatch.setenv("DASHBOARD_DB", str(path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/upload.py")
    at.run()
    plan = write_snapshot(tmp_path / "post_ofsted_action_plan_2018-04.xlsx", 3)
    at.file_uploader[0].set_value((plan.name, plan.read_bytes(), "application/octet-stream"))
    at.run()
    assert not at.exception
    assert at.text_input(key="plan_name").value == "Post Ofsted Action Plan"
    assert metrics(at)["Actions"] == "23" and metrics(at)["Complete"] == "9"
    at.text_input(key="plan_name").set_value("ILACS plan")
    at.button[-1].click()
    at.run()
    assert at.success[-1].value.startswith(
        f"{plan.name}: actions, plan 'ILACS plan', as of 30 Apr 2018, 23 actions loaded"
    )
    con = store.connect(path)
    assert con.execute("SELECT plan, rows FROM uploads").fetchall() == [("ILACS plan", 23)]
    con.close()


def test_upload_rejects_bad_file_plainly(app):
    at = app("pages/upload.py")
    at.file_uploader[0].set_value(("plan.xlsx", b"not a workbook", "application/octet-stream"))
    at.run()
    assert not at.exception
    assert "plan.xlsx: This is not an Excel workbook" in at.error[0].value


def test_data_page(app):
    at = app("pages/data.py", view="slippage")
    assert not at.exception
    assert len(at.dataframe[0].value) == 6  # six demo uploads
    assert at.selectbox(key="w_view").value == "slippage"
    assert [b.label for b in at.download_button][-2:] == ["CSV", "Excel"]


def test_empty_database_is_helpful(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(empty_database(tmp_path / "empty.duckdb")))
    for page in (
        None,
        "pages/rag_progress.py",
        "pages/slippage.py",
        "pages/kpi_trends.py",
        "pages/data.py",
        "pages/decks.py",
        "pages/report.py",
    ):
        at = AppTest.from_file(APP, default_timeout=60)
        if page:
            at.switch_page(page)
        at.run()
        assert not at.exception, page
        assert at.info, page


def test_choices_persist_when_moving_between_pages(app):
    at = app("pages/rag_progress.py", lead="QA Manager")
    at.query_params.clear()
    at.switch_page("pages/slippage.py")
    at.run()
    assert not at.exception
    assert at.selectbox(key="w_lead").value == "QA Manager"
    assert metrics(at)["Re-dated actions"] == "2"


def test_presentation_mode_enlarges_chart_text_and_hides_controls(app):
    import json

    at = app("pages/rag_progress.py", present="1")
    assert not at.exception
    charts = at.get("plotly_chart")
    assert charts
    for chart in charts:
        layout = json.loads(chart.proto.spec)["layout"]
        assert layout["font"]["size"] >= 18
        assert layout["xaxis"]["tickfont"]["size"] >= 18
    assert not at.download_button  # nothing to click on the projector
    assert not any("You are looking at demo data" in m.value for m in at.markdown)
    assert at.get("page_link")[0].proto.label == "Exit presentation mode"


def test_accessibility_statement(app):
    at = app("pages/accessibility.py")
    assert not at.exception
    text = at.markdown[-1].value
    assert "partially compliant" in text and "WCAG" in text and "Enforcement procedure" in text


@pytest.fixture
def demo_deck(demo_db):
    """The demo's deck, as stored."""
    from report import decks

    con = store.connect(demo_db)
    deck = decks.load(con, int(decks.listing(con)["deck_id"][0]))
    con.close()
    return deck


def test_deck_opens_by_link_and_steps_with_next_and_previous(app, demo_deck):
    deck = demo_deck
    at = app("pages/decks.py", deck=str(deck.deck_id), slide="2", present="1")
    assert not at.exception
    assert at.title[0].value == "RAG by recommendation, as of 30 Apr 2018"
    assert at.caption[0].value == f"{deck.name} · slide 2 of {len(deck.slides)}"
    assert at.button(key="deck_next").proto.shortcut.lower() == "right"
    at.button(key="deck_next").click().run()
    assert at.query_params["slide"] == "3"
    assert at.title[0].value.startswith("RAG movement since the previous snapshot")
    # the speaker note is the presenter's, never on the shared screen
    assert not at.expander and not any(deck.slides[2].note in m.value for m in at.markdown)
    at.button(key="deck_previous").click().run()
    at.button(key="deck_previous").click().run()
    assert at.query_params["slide"] == "1"
    assert at.button(key="deck_previous").disabled


def test_presenter_view_has_the_note_the_next_slide_and_a_clock(app, demo_deck):
    deck = demo_deck
    at = app("pages/decks.py", deck=str(deck.deck_id), slide="3", presenter="1")
    assert not at.exception
    texts = [m.value for m in at.markdown]
    assert any("Presenter view" in t and f"slide 3 of {len(deck.slides)}" in t for t in texts)
    assert deck.slides[2].note in texts  # this slide's note
    following = f"Slide 4: {describe(deck.slides[3].kind, deck.slides[3].params)}"
    assert following in texts  # the next slide, named
    assert any("deck-clock" in h.proto.body for h in at.get("html"))
    # this window and the audience's follow each other through the deck's channel
    assert any(f"dashboard-deck-{deck.deck_id}" in h.proto.body for h in at.get("html"))
    at.button(key="deck_next").click().run()
    assert at.query_params["slide"] == "4" and at.query_params["presenter"] == "1"
    # the move is told to the other windows, once
    told = [h for h in at.get("html") if "postMessage({slide: 4})" in h.proto.body]
    assert len(told) == 1


def test_deck_page_opens_the_presenter_view_in_its_own_window(app, demo_db):
    at = app("pages/decks.py", deck="1", slide="2")
    assert not at.exception
    button = at.get("link_button")[0].proto
    assert button.label == "Open presenter view"
    assert button.url.endswith("/decks?deck=1&slide=2&presenter=1")


def test_deck_builder_adds_orders_notes_and_saves(tmp_path, monkeypatch):
    from report import decks

    path = tmp_path / "decks.duckdb"
    con = store.connect(path)
    load_demo(con)
    con.close()
    monkeypatch.setenv("DASHBOARD_DB", str(path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/decks.py")
    at.run()
    assert any("Corporate parenting panel (demo)" in m.value for m in at.markdown)
    at.text_input[0].input("Panel, December").run()
    at.selectbox(key="add_kind").select("overdue").run()
    at.button[-2].click().run()  # Add to the deck
    at.selectbox(key="add_kind").select("kpi").run()
    at.selectbox(key="add_indicator").select("Dental checks").run()
    at.button(key=next(b.key for b in at.button if b.label == "Add to the deck")).click().run()
    up = next(b for b in at.button if b.label == "Up" and not b.disabled)
    up.click().run()  # the KPI first
    at.text_area[0].input("Dental checks are well above neighbours").run()
    next(b for b in at.button if b.label == "Save deck").click().run()
    assert not at.exception and not at.error
    assert at.success
    con = store.connect(path)
    saved = decks.listing(con)
    deck = decks.load(con, int(saved[saved["name"] == "Panel, December"]["deck_id"].iloc[0]))
    con.close()
    assert [s.kind for s in deck.slides] == ["kpi", "overdue"]
    assert deck.slides[0].params == {"indicator": "Dental checks", "area": "Anytown"}
    assert deck.slides[0].note == "Dental checks are well above neighbours"


def test_deck_that_is_not_there(app):
    at = app("pages/decks.py", deck="999")
    assert not at.exception
    assert "There is no deck number 999" in at.error[0].value


def test_panel_report_page_makes_pdf_and_pptx(app):
    at = app("pages/report.py")
    assert not at.exception
    kpis = at.multiselect(key="report_kpis")
    assert kpis.value  # KPIs with targets chosen to start with
    at.multiselect(key="report_kpis").set_value(["Dental checks"])
    next(b for b in at.button if b.label == "Make the report").click().run()
    assert not at.exception and not at.error
    assert "6 chart pages for Post Ofsted Action Plan as of 30 Apr 2018" in at.success[0].value
    assert [b.label for b in at.download_button] == ["PDF", "PowerPoint"]


def test_pages_say_so_when_images_cannot_be_made(no_browser, app):
    at = app("pages/rag_progress.py")
    assert not at.exception
    assert "PNG" not in [b.label for b in at.download_button]
    assert any("need the Chromium browser" in c.value for c in at.caption)
    at = app("pages/report.py")
    assert "need the Chromium browser" in at.warning[0].value
    assert next(b for b in at.button if b.label == "Make the report").disabled


def test_a_link_to_a_plan_not_loaded_says_so(app):
    at = app("pages/slippage.py", plan="No Such Plan")
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "This link asks for plan 'No Such Plan', which is not loaded here" in warning
    assert "showing Post Ofsted Action Plan instead" in warning


def test_overview_tiles_say_each_change_and_colour_no_change_grey(app, demo_db):
    from streamlit.proto.Metric_pb2 import Metric as MetricProto

    import queries

    at = app()
    tiles = {m.label: m for m in at.metric}
    assert "Green: on track" in tiles
    con = store.connect(demo_db)
    try:
        plan = queries.plan_overview(con).iloc[0]
    finally:
        con.close()
    assert tiles["Green: on track"].value == str(plan["green"])
    for label, column in [("Green: on track", "green_change"), ("Amber: some slippage", "amber_change"),
                          ("Overdue", "overdue_change"), ("Re-dated", "redated_change")]:  # fmt: skip
        change = int(plan[column])
        tile = tiles[label]
        assert tile.delta == (f"{change:+d}" if change else "no change"), (label, tile.delta)
        assert tile.proto.delta_description == "since 31 Mar", label
        if change == 0:
            assert tile.proto.color == MetricProto.MetricColor.GRAY, label
    # every link says which figure it explains, so no two have the same name
    links = [link.label for link in at.get("page_link")]
    assert "Explain the 1 overdue action" in links and "Explain the 9 complete actions" in links
    assert "See the trend of Dental checks" in links
    assert len(links) == len(set(links))
