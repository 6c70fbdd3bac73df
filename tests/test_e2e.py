"""End to end in a real browser: `streamlit run app.py` on a free port, driven by headless
Chromium through Playwright. Screenshots go to tests/output/ for people to look at."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from data.demo import load_demo, write_kpis, write_snapshot
from loaders import store
from tests.browser import needs_chromium
from tests.workbooks import empty_database, write_xlsx

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "tests" / "output"

pytestmark = needs_chromium


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(db: Path, port: int | None = None, *options: str):
    """`streamlit run app.py` on the database given, with any further command-line options
    (a secrets file with sign-in, say); returns the process and its address."""
    port = port or _free_port()
    env = {**os.environ, "DASHBOARD_DB": str(db)}
    env.pop("DASHBOARD_AREA", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false", *options],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
            return process, url
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"streamlit did not start: {process.stdout.read().decode()[-2000:]}")


@pytest.fixture
def server(tmp_path):
    """A dashboard on an empty database (demo cleared), as a council starting out."""
    process, url = _serve(empty_database(tmp_path / "e2e.duckdb"))
    yield url
    process.terminate()
    process.wait(timeout=10)


def _page(browser, width: int = 1366, height: int = 900):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(30_000)
    return page


def _with(path: str, param: str) -> str:
    return path + ("&" if "?" in path else "?") + param


def _settle(page) -> None:
    """Wait until Streamlit has finished running the script."""
    page.wait_for_selector("[data-testid='stApp']")
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000
    )
    page.wait_for_timeout(500)


def test_upload_a_plan_and_see_it_on_progress_and_slippage(browser, server, tmp_path):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    plan = write_snapshot(tmp_path / "post_ofsted_action_plan_2018-04.xlsx", 3)
    page = _page(browser)
    page.goto(f"{server}/upload")  # a deep link as the server's very first request
    _settle(page)
    # app.py's navigation ("Action plan progress"), not the pages/ folder's ("rag progress")
    page.locator("[data-testid='stSidebarNav']").get_by_text("Action plan progress").wait_for()
    _settle(page)
    page.locator("input[type=file]").set_input_files(str(plan))
    page.get_by_text("What was found").filter(visible=True).first.wait_for()
    _settle(page)
    page.screenshot(path=OUTPUT / "upload_preview.png", full_page=True)
    page.get_by_role("button", name="Confirm and load").click()
    page.get_by_text(f"{plan.name}: actions, plan 'Post Ofsted Action Plan'").filter(
        visible=True
    ).first.wait_for()
    page.screenshot(path=OUTPUT / "upload_done.png", full_page=True)

    page.goto(f"{server}/rag_progress?plan=Post+Ofsted+Action+Plan")
    page.get_by_text("RAG by recommendation").filter(visible=True).first.wait_for()
    _settle(page)
    page.get_by_text("23 actions shown").filter(visible=True).first.wait_for()
    page.screenshot(path=OUTPUT / "rag_progress.png", full_page=True)

    page.goto(f"{server}/slippage?plan=Post+Ofsted+Action+Plan")
    page.get_by_text("Overdue actions").filter(visible=True).first.wait_for()
    _settle(page)
    page.get_by_text("4b (Legal Services Lead)").filter(visible=True).first.wait_for()
    page.screenshot(path=OUTPUT / "slippage.png", full_page=True)

    kpis = write_kpis(tmp_path / "panel_kpis_2017-18.xlsx")
    page.goto(f"{server}/upload")
    _settle(page)
    page.get_by_role("textbox", name="Council the figures are for").fill("Anytown")
    page.get_by_role("textbox", name="Council the figures are for").press("Enter")
    _settle(page)
    page.locator("input[type=file]").set_input_files(str(kpis))
    page.get_by_text("KPI figures:").filter(visible=True).first.wait_for()
    _settle(page)
    page.get_by_role("button", name="Confirm and load").click()
    page.get_by_text("panel_kpis_2017-18.xlsx: metrics, 127 figures").filter(
        visible=True
    ).first.wait_for()
    page.goto(f"{server}/kpi_trends?indicator=Immunisations+up+to+date")
    _settle(page)
    page.screenshot(path=OUTPUT / "kpi_trends_uploaded.png", full_page=True)
    page.get_by_text("Immunisations up to date for Anytown went from 94%").filter(
        visible=True
    ).first.wait_for()
    _settle(page)
    page.screenshot(path=OUTPUT / "kpi_trends_uploaded.png", full_page=True)
    page.close()


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    db = tmp_path_factory.mktemp("e2e_demo") / "demo.duckdb"
    con = store.connect(db)
    load_demo(con)
    con.close()
    process, url = _serve(db)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.mark.parametrize(
    ("path", "name", "expect"),
    [
        ("/", "overview", "Service metrics"),
        ("/rag_progress", "rag_progress_demo", "RAG over time"),
        ("/slippage", "slippage_demo", "Re-dated actions"),
        (
            "/kpi_trends?indicator=Immunisations+up+to+date&period=2017%2F18",
            "kpi_trends",
            "One year against every council",
        ),
        ("/compare?measure=Dental+checks", "compare", "Dental checks: every council"),
        ("/upload", "upload", "Templates that load without any changes"),
        ("/data", "data", "Indicator settings"),
    ],
)
def test_every_page_renders_in_the_browser(browser, demo_server, path, name, expect):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page = _page(browser)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(demo_server + path)
    page.get_by_text(expect).filter(visible=True).first.wait_for()
    _settle(page)
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=OUTPUT / f"{name}.png", full_page=True)
    assert errors == []
    page.close()


def test_chart_downloads_as_png_in_the_browser(browser, demo_server, tmp_path):
    page = _page(browser)
    page.goto(f"{demo_server}/rag_progress")
    page.get_by_text("RAG by recommendation").filter(visible=True).first.wait_for()
    _settle(page)
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

    page = _page(browser)
    page.goto(f"{demo_server}/report")
    page.get_by_text("KPIs to include").wait_for()
    _settle(page)
    page.get_by_role("button", name="Make the report").focus()
    page.keyboard.press("Enter")
    page.get_by_text("Made in").wait_for(timeout=60_000)
    _settle(page)
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


# The smallest font of any text drawn in the page's charts, in CSS pixels.
SMALLEST_CHART_TEXT = """() => Math.min(...[...document.querySelectorAll('.main-svg text')]
  .filter(t => t.textContent.trim() && t.getBBox().width > 0)
  .map(t => parseFloat(getComputedStyle(t).fontSize)))"""


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/", "overview"),
        ("/rag_progress", "rag_progress"),
        ("/slippage", "slippage"),
        ("/kpi_trends?indicator=Immunisations+up+to+date", "kpi_trends"),
        ("/compare?measure=Dental+checks", "compare"),
        ("/decks?deck=1&slide=6", "deck"),
        ("/decks", "decks"),
        ("/report", "report"),
        ("/upload", "upload"),
        ("/data", "data"),
        ("/accessibility", "accessibility"),
    ],
)
def test_presentation_mode_at_1280x720(browser, demo_server, path, name):
    """Every page on a projector's 1280x720: no sidebar, chart text at least 18 px, and the
    first view (heading, chart, sentence) inside the screen. Screenshots for people to see."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page = _page(browser, 1280, 720)
    page.goto(demo_server + _with(path, "present=1"))
    page.get_by_text("Exit presentation mode").filter(visible=True).first.wait_for()
    _settle(page)
    page.wait_for_timeout(1000)
    assert not page.locator("[data-testid='stSidebar']").is_visible()
    assert page.evaluate(SMALLEST_CHART_TEXT) >= 18
    page.screenshot(path=OUTPUT / f"present_{name}.png")
    if name == "deck":  # a slide is one screen: its chart and its sentence both show
        chart = page.locator(".stPlotlyChart").first.bounding_box()
        sentence = page.locator("[data-testid='stCaptionContainer']").nth(1).bounding_box()
        assert chart["y"] >= 0 and sentence["y"] + sentence["height"] <= 720
    page.close()


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
    page = _page(browser, 1280, 720)
    page.goto(f"{demo_server}/decks?deck=1&present=1")
    page.get_by_text("slide 1 of 8").wait_for()
    _settle(page)
    first = page.locator("h1").first.inner_text()
    _press_for(page, "ArrowRight", "slide 2 of 8", "slide 1 of 8")
    page.wait_for_url("**slide=2**")
    _settle(page)
    assert page.locator("h1").first.inner_text().startswith("RAG by recommendation")
    _press_for(page, "ArrowRight", "slide 3 of 8", "slide 2 of 8")
    _settle(page)
    _press_for(page, "ArrowLeft", "slide 2 of 8", "slide 3 of 8")
    _settle(page)
    _press_for(page, "ArrowLeft", "slide 1 of 8", "slide 2 of 8")
    _settle(page)
    assert page.locator("h1").first.inner_text() == first
    page.close()


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0-2.2 A and AA rules; serious and critical findings fail the test.
AXE_RUN = """async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a',
  'wcag21aa', 'wcag22aa']})).violations
  .filter(v => ['serious', 'critical'].includes(v.impact))
  .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`)"""


PAGES = ["/", "/rag_progress", "/slippage", "/kpi_trends", "/compare", "/decks", "/decks?deck=1", "/report",
         "/upload", "/data", "/accessibility"]  # fmt: skip


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (make test installs it)")
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("present", [False, True])
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violations(browser, demo_server, path, present, scheme):
    """axe-core on every page, normal and presentation mode, in the light and dark themes
    (the dark one is what a viewer whose system prefers dark gets)."""
    page = browser.new_page(viewport={"width": 1366, "height": 900}, color_scheme=scheme)
    page.set_default_timeout(30_000)
    page.goto(demo_server + (_with(path, "present=1") if present else path))
    page.locator("h1").first.wait_for()
    _settle(page)
    page.wait_for_timeout(1000)
    page.add_script_tag(path=str(AXE))
    assert page.evaluate(AXE_RUN) == []
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
        if there() and (_settle(page) or there()):
            return
    pytest.fail(f"{name!r} cannot be reached with Tab; focus went to: {seen}")


def test_keyboard_only_filter_on_slippage(browser, demo_server):
    """Tab from the top of the page to the Lead filter, choose a lead by typing, and the
    figures and the address follow, without a mouse."""
    page = _page(browser)
    page.goto(f"{demo_server}/slippage")
    page.get_by_text("Re-dated actions").filter(visible=True).first.wait_for()
    _settle(page)
    _tab_to(page, "Lead")
    page.keyboard.type("QA Manager")
    page.keyboard.press("Enter")
    page.wait_for_url("**lead=QA+Manager**")
    _settle(page)
    page.get_by_text("lead: QA Manager").filter(visible=True).first.wait_for()
    page.close()


def test_keyboard_only_deck_building(browser, demo_server):
    """An officer names a deck, adds a view, writes its note and saves, without a mouse."""
    page = _page(browser)
    page.goto(f"{demo_server}/decks")
    page.get_by_text("New deck").wait_for()
    _settle(page)
    _tab_to(page, "Deck name")
    page.keyboard.type("Panel by keyboard")
    _tab_to(page, "View")
    page.keyboard.type("Overdue actions")
    page.keyboard.press("Enter")
    _settle(page)
    _tab_to(page, "Add to the deck")
    page.keyboard.press("Enter")
    page.get_by_text("1. Overdue actions: Post Ofsted Action Plan").wait_for()
    _settle(page)
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
            _settle(page)
            continue
        chooser.value.set_files(str(path))
        return
    pytest.fail(f"Enter on the uploader's button opened no file chooser in {tries} tries")


def test_keyboard_only_upload(browser, server, tmp_path):
    """An officer opens the file chooser, loads a plan and confirms it, without a mouse."""
    plan = write_snapshot(tmp_path / "post_ofsted_action_plan_2018-02.xlsx", 1)
    page = _page(browser)
    page.goto(f"{server}/upload")
    page.get_by_text("What was found").or_(page.get_by_text("Spreadsheet")).first.wait_for()
    _settle(page)
    _choose_file_with_keyboard(page, plan)
    page.get_by_role("button", name="Confirm and load").wait_for()  # the preview is drawn
    _settle(page)
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
    page = _page(browser, width, height)
    page.goto(f"{server}/upload")
    _settle(page)
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_text("2 questions before anything is saved").filter(visible=True).first.wait_for()
    _settle(page)
    page.get_by_text("2 questions before anything is saved").first.scroll_into_view_if_needed()
    page.screenshot(path=OUTPUT / f"upload_questions_{width}.png", full_page=True)
    page.get_by_text("What does it hold?").filter(visible=True).first.wait_for()
    page.get_by_text("Cells: Audit report").filter(visible=True).first.wait_for()
    page.get_by_role("spinbutton", name="day, As of").click()
    page.keyboard.type("30092016")
    page.get_by_role("button", name="Apply the answers").click()
    page.get_by_role("button", name="Confirm and load").wait_for()
    _settle(page)
    page.screenshot(path=OUTPUT / f"upload_answered_{width}.png", full_page=True)
    page.get_by_role("button", name="Confirm and load").click()
    page.get_by_text("evidence_plan.xlsx: actions, plan 'evidence plan', as of 30 Sep 2016").filter(
        visible=True
    ).first.wait_for()
    page.close()
