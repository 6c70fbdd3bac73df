"""End to end in a real browser, as officers and presenters use the dashboard: uploading,
downloading, making the panel report, presenting a deck, going Back, and the keyboard alone.
How every page looks and fits the room is tests/test_e2e_room.py."""

from __future__ import annotations

import pytest

from data.demo import write_kpis, write_snapshot
from tests.browser import OUTPUT, needs_chromium, new_page, settle
from tests.workbooks import write_xlsx

pytestmark = needs_chromium


def test_upload_a_plan_and_see_it_on_progress_and_slippage(browser, server, tmp_path):
    plan = write_snapshot(tmp_path / "post_ofsted_action_plan_2018-04.xlsx", 3)
    page = new_page(browser)
    page.goto(f"{server}/upload")  # a deep link as the server's very first request
    settle(page)
    # app.py's navigation ("Action plan progress"), not the pages/ folder's ("rag progress")
    page.locator("[data-testid='stSidebarNav']").get_by_text("Action plan progress").wait_for()
    settle(page)
    page.locator("input[type=file]").set_input_files(str(plan))
    page.get_by_text("What was found").filter(visible=True).first.wait_for()
    settle(page)
    page.screenshot(path=OUTPUT / "upload_preview.png", full_page=True)
    page.get_by_role("button", name="Confirm and load").click()
    page.get_by_text(f"{plan.name}: actions, plan 'Post Ofsted Action Plan'").filter(
        visible=True
    ).first.wait_for()
    page.screenshot(path=OUTPUT / "upload_done.png", full_page=True)

    page.goto(f"{server}/rag_progress?plan=Post+Ofsted+Action+Plan")
    page.get_by_text("RAG by recommendation").filter(visible=True).first.wait_for()
    settle(page)
    page.get_by_text("23 actions shown").filter(visible=True).first.wait_for()
    page.screenshot(path=OUTPUT / "rag_progress.png", full_page=True)

    page.goto(f"{server}/slippage?plan=Post+Ofsted+Action+Plan")
    page.get_by_text("Overdue actions").filter(visible=True).first.wait_for()
    settle(page)
    page.get_by_text("4b (Legal Services Lead)").filter(visible=True).first.wait_for()
    page.screenshot(path=OUTPUT / "slippage.png", full_page=True)

    kpis = write_kpis(tmp_path / "panel_kpis_2017-18.xlsx")
    page.goto(f"{server}/upload")
    settle(page)
    page.get_by_role("textbox", name="Council the figures are for").fill("Anytown")
    page.get_by_role("textbox", name="Council the figures are for").press("Enter")
    settle(page)
    page.locator("input[type=file]").set_input_files(str(kpis))
    page.get_by_text("KPI figures:").filter(visible=True).first.wait_for()
    settle(page)
    page.get_by_role("button", name="Confirm and load").click()
    page.get_by_text("panel_kpis_2017-18.xlsx: metrics, 127 figures").filter(
        visible=True
    ).first.wait_for()
    page.goto(f"{server}/kpi_trends?indicator=Immunisations+up+to+date")
    settle(page)
    page.screenshot(path=OUTPUT / "kpi_trends_uploaded.png", full_page=True)
    page.get_by_text("Immunisations up to date for Anytown went from 94%").filter(
        visible=True
    ).first.wait_for()
    settle(page)
    page.screenshot(path=OUTPUT / "kpi_trends_uploaded.png", full_page=True)
    page.close()


def test_chart_downloads_as_png_in_the_browser(browser, demo_server, tmp_path):
    page = new_page(browser)
    page.goto(f"{demo_server}/rag_progress")
    page.get_by_text("RAG by recommendation").filter(visible=True).first.wait_for()
    settle(page)
    with page.expect_download(timeout=60_000) as download:
        page.locator(".st-key-by_rec_png button").click()  # the first chart's PNG button
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "by_rec.png"
    assert saved.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    page.close()


def test_panel_report_made_and_downloaded_with_the_keyboard(browser, demo_server, tmp_path):
    """An officer makes the demo plan's panel report and downloads the PDF and PowerPoint,
    pressing Enter on focused buttons rather than clicking."""
    from pptx import Presentation
    from pypdf import PdfReader

    page = new_page(browser)
    page.goto(f"{demo_server}/report")
    page.get_by_text("KPIs to include").wait_for()
    settle(page)
    page.get_by_role("button", name="Make the report").focus()
    page.keyboard.press("Enter")
    page.get_by_text("Made in").wait_for(timeout=60_000)
    settle(page)
    files = {}
    for label in ("PDF", "PowerPoint"):
        page.get_by_role("button", name=label).focus()
        with page.expect_download() as download:
            page.keyboard.press("Enter")
        files[label] = tmp_path / download.value.suggested_filename
        download.value.save_as(files[label])
    assert files["PDF"].name == "panel_report_post_ofsted_action_plan_2018-04-30.pdf"
    pdf = PdfReader(files["PDF"])
    assert "Panel report: Post Ofsted Action Plan" in pdf.pages[0].extract_text()
    assert f"Page {len(pdf.pages)} of {len(pdf.pages)}" in pdf.pages[-1].extract_text()
    slides = Presentation(files["PowerPoint"]).slides
    assert slides[0].shapes[0].text_frame.text == "Panel report: Post Ofsted Action Plan"
    page.close()


def test_back_returns_to_each_view_and_the_address_is_right(browser, demo_server):
    """One history entry per page visited or filter changed: Back steps through them in
    turn, and each address names only its own page's choices."""
    page = new_page(browser, 1280, 720)
    page.goto(demo_server + "/")
    settle(page)
    nav = page.locator("[data-testid='stSidebarNav']")
    visited = []
    for title in ("Slippage", "KPI trends", "How we compare"):
        nav.get_by_text(title).click()
        page.locator("h1").filter(has_text=title).wait_for()
        settle(page)
        visited.append((title, page.url))
    assert "plan=" in visited[0][1] and "plan=" not in visited[1][1]  # no leftovers
    assert "indicator=" in visited[1][1] and "indicator=" not in visited[2][1]
    # a filter change is its own step back
    page.get_by_label("Topic").first.click()
    page.get_by_role("option").nth(1).click()
    page.wait_for_url("**topic=**")
    settle(page)
    page.go_back()
    page.wait_for_url(visited[2][1])
    settle(page)
    for title, url in reversed(visited[:2]):
        page.go_back()
        page.locator("h1").filter(has_text=title).wait_for()
        settle(page)
        assert page.url == url
    page.go_back()
    page.locator("h1").filter(has_text="Overview").wait_for()
    page.close()


def test_a_deck_presented_with_a_presenter_window(browser, demo_server):
    """The presenter opens their own window from the deck; the audience's window (the deck
    in presentation mode) follows it slide by slide, and it follows the audience's, with the
    arrow keys in one and a clicker's Page Down in the other, without reloading."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    audience = context.new_page()
    audience.goto(f"{demo_server}/decks?deck=1")
    settle(audience)
    with context.expect_page() as opened:
        audience.get_by_role("link", name="Open presenter view").click()
    presenter = opened.value
    presenter.get_by_text("Presenter view").wait_for()
    settle(presenter)
    assert "presenter=1" in presenter.url
    assert presenter.get_by_text("Speaker note").count() and presenter.get_by_text("Next").count()
    assert presenter.locator(".deck-clock").inner_text().strip()  # the clock is running
    audience.goto(f"{demo_server}/decks?deck=1&present=1")
    audience.get_by_text("slide 1 of 8").wait_for()
    settle(audience)
    assert audience.get_by_text("Speaker note").count() == 0  # notes are the presenter's
    audience.evaluate("window.notReloaded = true")
    presenter.keyboard.press("ArrowRight")
    audience.get_by_text("slide 2 of 8").wait_for()
    settle(audience)
    assert audience.evaluate("window.notReloaded") is True
    audience.keyboard.press("PageDown")  # a clicker
    presenter.get_by_text("slide 3 of 8").wait_for()
    audience.get_by_text("slide 3 of 8").wait_for()
    presenter.screenshot(path=OUTPUT / "presenter_view.png")
    context.close()


def _press_for(page, key: str, expect: str, before: str, tries: int = 3) -> None:
    """Press a key until the text expected shows. A press that lands while Streamlit swaps
    the page (a rerun) is lost; it is pressed again only while the page still shows
    ``before``, so a slow press is never counted twice."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(tries):
        page.keyboard.press(key)
        try:
            page.get_by_text(expect).wait_for(timeout=5_000)
            return
        except PlaywrightTimeout:
            assert page.get_by_text(before).count(), f"{key} went neither to {expect!r} nor stayed"
    pytest.fail(f"{key} did not reach {expect!r} in {tries} presses")


def test_deck_steps_with_the_arrow_keys(browser, demo_server):
    """A presenter moves through the demo deck with the keyboard alone."""
    page = new_page(browser, 1280, 720)
    page.goto(f"{demo_server}/decks?deck=1&present=1")
    page.get_by_text("slide 1 of 8").wait_for()
    settle(page)
    first = page.locator("h1").first.inner_text()
    _press_for(page, "ArrowRight", "slide 2 of 8", "slide 1 of 8")
    page.wait_for_url("**slide=2**")
    settle(page)
    assert page.locator("h1").first.inner_text().startswith("RAG by recommendation")
    _press_for(page, "ArrowRight", "slide 3 of 8", "slide 2 of 8")
    settle(page)
    _press_for(page, "ArrowLeft", "slide 2 of 8", "slide 3 of 8")
    settle(page)
    _press_for(page, "ArrowLeft", "slide 1 of 8", "slide 2 of 8")
    settle(page)
    assert page.locator("h1").first.inner_text() == first
    page.close()


# The focused control's tag and name; the page's regions (main, body) are not controls.
FOCUSED = """() => { const e = document.activeElement;
  if (['MAIN', 'BODY'].includes(e.tagName)) return e.tagName;
  return e.tagName + ' ' + (e.getAttribute('aria-label') || e.innerText || '').trim(); }"""


def _tab_to(page, name: str, tag: str = "", limit: int = 80) -> None:
    """Press Tab until the focused control is the one named (its label or its text), and
    of the tag given (BUTTON rather than the navigation's link of the same name)."""
    seen = []

    def there() -> bool:
        focused = page.evaluate(FOCUSED)
        seen.append(focused.replace("\n", " ")[:40])
        return focused.endswith(name) and focused.startswith(tag)

    for _ in range(limit):
        page.keyboard.press("Tab")
        # Leaving a text box reruns the page: wait for that, then check focus is still here.
        if there() and (settle(page) or there()):
            return
    pytest.fail(f"{name!r} cannot be reached with Tab; focus went to: {seen}")


def test_keyboard_only_filter_on_slippage(browser, demo_server):
    """Tab from the top of the page to the Lead filter, choose a lead by typing, and the
    figures and the address follow, without a mouse."""
    page = new_page(browser)
    page.goto(f"{demo_server}/slippage")
    page.get_by_text("Re-dated actions").filter(visible=True).first.wait_for()
    settle(page)
    _tab_to(page, "Lead")
    page.keyboard.type("QA Manager")
    page.keyboard.press("Enter")
    page.wait_for_url("**lead=QA+Manager**")
    settle(page)
    page.get_by_text("lead: QA Manager").filter(visible=True).first.wait_for()
    page.close()


def test_keyboard_only_deck_building(browser, demo_server):
    """An officer names a deck, adds a view, writes its note and saves, without a mouse."""
    page = new_page(browser)
    page.goto(f"{demo_server}/decks")
    page.get_by_text("New deck").wait_for()
    settle(page)
    _tab_to(page, "Deck name")
    page.keyboard.type("Panel by keyboard")
    _tab_to(page, "View")
    page.keyboard.type("Overdue actions")
    page.keyboard.press("Enter")
    settle(page)
    _tab_to(page, "Add to the deck")
    page.keyboard.press("Enter")
    page.get_by_text("1. Overdue actions: Post Ofsted Action Plan").wait_for()
    settle(page)
    _tab_to(page, "Speaker note for slide 1")
    page.keyboard.type("Ask each lead for a recovery date")
    _tab_to(page, "Save deck")
    page.keyboard.press("Enter")
    page.get_by_text("Deck saved").wait_for()
    page.get_by_text("Panel by keyboard (just saved)").wait_for()
    page.get_by_text("1 slide, saved").first.wait_for()
    page.close()


def _choose_file_with_keyboard(page, path, tries: int = 3) -> None:
    """Tab to the uploader's button and press Enter. A rerun that lands between the Tab and
    the Enter replaces the button (focus and the key press go with it), so the press is
    tried again from the keyboard, never with the mouse."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(tries):
        if page.evaluate(FOCUSED) != "BUTTON Upload":
            _tab_to(page, "Upload", tag="BUTTON")
        try:
            with page.expect_file_chooser(timeout=5_000) as chooser:
                page.keyboard.press("Enter")
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            settle(page)
            continue
        chooser.value.set_files(str(path))
        return
    pytest.fail(f"Enter on the uploader's button opened no file chooser in {tries} tries")


def test_keyboard_only_upload(browser, server, tmp_path):
    """An officer opens the file chooser, loads a plan and confirms it, without a mouse."""
    plan = write_snapshot(tmp_path / "post_ofsted_action_plan_2018-02.xlsx", 1)
    page = new_page(browser)
    page.goto(f"{server}/upload")
    page.get_by_text("What was found").or_(page.get_by_text("Spreadsheet")).first.wait_for()
    settle(page)
    _choose_file_with_keyboard(page, plan)
    page.get_by_role("button", name="Confirm and load").wait_for()  # the preview is drawn
    settle(page)
    _tab_to(page, "Confirm and load", tag="BUTTON")
    page.keyboard.press("Enter")
    page.get_by_text(f"{plan.name}: actions, plan 'Post Ofsted Action Plan'").filter(
        visible=True
    ).first.wait_for()
    page.close()


@pytest.mark.parametrize("width,height", [(1280, 720), (800, 900)])
def test_upload_asks_its_questions_and_loads_the_answers(browser, server, tmp_path, width, height):
    """A plan with no date and a column no header names: asked in place, answered, loaded."""
    from tests.test_interpret import plan_with_unknown_column

    rows = plan_with_unknown_column("4 Jan 2018")[3:]  # no title lines: no date anywhere
    path = write_xlsx(tmp_path / "evidence_plan.xlsx", {"Plan": rows})
    page = new_page(browser, width, height)
    page.goto(f"{server}/upload")
    settle(page)
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_text("2 questions before anything is saved").filter(visible=True).first.wait_for()
    settle(page)
    page.get_by_text("2 questions before anything is saved").first.scroll_into_view_if_needed()
    page.screenshot(path=OUTPUT / f"upload_questions_{width}.png", full_page=True)
    page.get_by_text("What does it hold?").filter(visible=True).first.wait_for()
    page.get_by_text("Cells: Audit report").filter(visible=True).first.wait_for()
    page.get_by_role("spinbutton", name="day, As of").click()
    page.keyboard.type("30092016")
    page.get_by_role("button", name="Apply the answers").click()
    page.get_by_role("button", name="Confirm and load").wait_for()
    settle(page)
    page.screenshot(path=OUTPUT / f"upload_answered_{width}.png", full_page=True)
    page.get_by_role("button", name="Confirm and load").click()
    page.get_by_text("evidence_plan.xlsx: actions, plan 'evidence plan', as of 30 Sep 2016").filter(
        visible=True
    ).first.wait_for()
    page.close()
