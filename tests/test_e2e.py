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
from tests.browser import needs_chromium, settle
from tests.probes import OVERFLOW, SIDEBAR_OPEN, TEXTS, TRUNCATED, VIEWS_TALLER
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
    """Wait until Streamlit is idle (tests.browser.settle): no fixed waits."""
    settle(page)


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


def every_view_deck():
    """A deck with one slide of every kind of view, on the demo's plan and figures."""
    from report import decks
    from report.views import KINDS

    chosen = {
        "kpi": "Immunisations up to date", "every_council": "Immunisations up to date",
        "breakdowns": "Stability %", "measure_trend": "Dental checks",
        "measure_spread": "Dental checks", "neighbours": "Dental checks",
    }  # fmt: skip
    slides = []
    for kind, spec in KINDS.items():
        if "plan" in spec.needs:
            params = {"plan": "Post Ofsted Action Plan"}
        elif "indicators" in spec.needs:
            params = {"indicators": ["Dental checks", "Immunisations up to date",
                                     "Review health assessments on time", "SDQ average score"],
                      "area": "Anytown"}  # fmt: skip
        else:
            params = {"indicator": chosen[kind], "area": "Anytown"}
        slides.append(decks.Slide(kind, params, f"Note for {spec.label}"))
    return decks.Deck("Every view", slides)


EVERY_VIEW_DECK = 2  # the demo's own deck is 1


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    from loaders import access
    from report import decks

    db = tmp_path_factory.mktemp("e2e_demo") / "demo.duckdb"
    con = store.connect(db)
    load_demo(con)
    assert decks.save(con, every_view_deck(), access.DEMO) == EVERY_VIEW_DECK
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


ALL_PAGES = [
    ("/", "overview"),
    ("/rag_progress", "rag_progress"),
    ("/slippage", "slippage"),
    ("/kpi_trends?indicator=Immunisations+up+to+date", "kpi_trends"),
    ("/compare?measure=Dental+checks", "compare"),
    ("/decks", "decks"),
    ("/report", "report"),
    ("/upload", "upload"),
    ("/data", "data"),
    ("/accessibility", "accessibility"),
]
SCREENS = [(1280, 720), (1920, 1080)]
# How much the page's text is enlarged (CSS zoom) beyond its CSS size.
ZOOM = "document.querySelector('[data-testid=\"stMain\"] p').currentCSSZoom"


def _readable(page, where: str) -> list[dict]:
    """The page's text, checked: there is some (a page still loading has none), and none
    of it is under 20 px or cut short."""
    texts = page.evaluate(TEXTS)
    assert len(texts) >= 3, f"{where}: almost no text on screen ({texts})"
    small = [t for t in texts if t["size"] < 20]
    assert small == [], f"{where}: text under 20 px: {small[:5]}"
    assert page.evaluate(TRUNCATED) == [], f"{where}: text cut short"
    return texts


def test_every_view_kind_fits_a_slide(browser, demo_server):
    """A deck of every kind of view, stepped through: each slide with its controls fits the
    screen at 1280x720 and at 1920x1080 with no scrolling, its text at least 20 px, and on
    the larger screen everything is enlarged 1.5 times."""
    page = _page(browser, *SCREENS[0])
    page.goto(f"{demo_server}/decks?deck={EVERY_VIEW_DECK}&present=1")
    total = len(every_view_deck().slides)
    for number in range(1, total + 1):
        page.get_by_text(f"slide {number} of {total}").wait_for()
        for width, height in SCREENS if number % 2 else reversed(SCREENS):
            page.set_viewport_size({"width": width, "height": height})
            _settle(page)
            where = f"slide {number} at {width}x{height}"
            assert page.locator("[data-testid='stException']").count() == 0, where
            texts = _readable(page, where)
            assert page.evaluate(OVERFLOW) == 0, f"{where}: the slide scrolls"
            # the whole slide is 1280x720's enlarged to fill the larger screen: the page by
            # zooming it, a chart (which cannot be zoomed) drawn with its text as much larger
            zoom = 1.5 if width == 1920 else 1
            assert page.evaluate(ZOOM) == zoom, where
            in_charts = [t["size"] for t in texts if t["tag"] in ("text", "tspan")]
            assert min(in_charts, default=20 * zoom) >= 20 * zoom, f"{where}: chart text"
            page.screenshot(path=OUTPUT / f"slide_{number}_{width}.png")
        if number < total:
            page.locator(".st-key-deck_next button").click()
    page.close()


def big_plan(path: Path) -> Path:
    """A plan too long for one screen: 25 recommendations of 3 actions, long texts, most
    of them overdue, every lead different."""
    from tests.workbooks import STANDARD_HEADER

    rows = [["Anytown Children's Services"], ["Big Plan"], ["Progress as at 30 June 2018"], []]
    rows.append(STANDARD_HEADER)
    for rec in range(1, 26):
        for n in range(1, 4):
            rows.append([
                f"{rec}.{n}", f"Recommendation {rec}: improve the quality and timeliness of "
                "practice so that every child's plan is reviewed", f"Action {rec}.{n}: "
                "audit a sample of case files each month and report the findings to the "
                "leadership team with the themes found", f"Lead officer {rec}-{n}",
                f"{1 + rec % 12}/03/2018", "Begun", ["Red", "Amber", "Green"][(rec + n) % 3],
            ])  # fmt: skip
    return write_xlsx(path, {"Plan": rows})


def test_a_long_plan_fits_the_room(browser, tmp_path):
    """A real plan's length on the projector: every view of Action plan progress and
    Slippage still fits one screen, the charts of one row per item showing their first
    ten and saying how many more."""
    from loaders.importer import import_file

    db = empty_database(tmp_path / "big.duckdb")
    con = store.connect(db)
    import_file(con, big_plan(tmp_path / "big_plan.xlsx"))
    con.close()
    process, url = _serve(db)
    try:
        page = _page(browser, 1280, 720)
        for path in ("/rag_progress?present=1", "/slippage?present=1"):
            page.goto(url + path)
            page.locator("h1").first.wait_for()
            _settle(page)
            _readable(page, path)
            page.screenshot(path=OUTPUT / f"long_plan_{path[1:].split('?')[0]}.png", full_page=True)
            assert page.evaluate(VIEWS_TALLER) == [], path
        assert page.get_by_text("This screen shows the first 10 of").count() >= 2
        page.close()
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize(
    ("width", "height", "scale"), [(800, 900, 1), (640, 360, 2)]
)  # a split screen, and 1280x720 at 200% zoom (1280 itself: test_each_page_in_the_browser)
def test_narrow_screens_cut_no_text(browser, demo_server, width, height, scale):
    """At 800 px (a split screen) and at 200% zoom the sidebar starts closed, leaving the
    page the width, and no label, button or chip is cut short on any page."""
    page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=scale)
    page.set_default_timeout(30_000)
    for path, _name in ALL_PAGES:
        page.goto(demo_server + path)
        page.locator("h1").first.wait_for()
        _settle(page)
        assert not page.evaluate(SIDEBAR_OPEN), path
        assert page.evaluate(TRUNCATED) == [], f"{path} at {width}px: text cut short"
        main = page.locator("[data-testid='stMain']").bounding_box()
        assert main["width"] >= width - 20, f"{path}: the page is not given the screen"
        page.screenshot(path=OUTPUT / f"narrow_{_name}_{width}.png", full_page=True)
    page.close()


def test_back_returns_to_each_view_and_the_address_is_right(browser, demo_server):
    """One history entry per page visited or filter changed: Back steps through them in
    turn, and each address names only its own page's choices."""
    page = _page(browser, 1280, 720)
    page.goto(demo_server + "/")
    _settle(page)
    nav = page.locator("[data-testid='stSidebarNav']")
    visited = []
    for title in ("Slippage", "KPI trends", "How we compare"):
        nav.get_by_text(title).click()
        page.locator("h1").filter(has_text=title).wait_for()
        _settle(page)
        visited.append((title, page.url))
    assert "plan=" in visited[0][1] and "plan=" not in visited[1][1]  # no leftovers
    assert "indicator=" in visited[1][1] and "indicator=" not in visited[2][1]
    # a filter change is its own step back
    page.get_by_label("Topic").first.click()
    page.get_by_role("option").nth(1).click()
    page.wait_for_url("**topic=**")
    _settle(page)
    page.go_back()
    page.wait_for_url(visited[2][1])
    _settle(page)
    for title, url in reversed(visited[:2]):
        page.go_back()
        page.locator("h1").filter(has_text=title).wait_for()
        _settle(page)
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
    _settle(audience)
    with context.expect_page() as opened:
        audience.get_by_role("link", name="Open presenter view").click()
    presenter = opened.value
    presenter.get_by_text("Presenter view").wait_for()
    _settle(presenter)
    assert "presenter=1" in presenter.url
    assert presenter.get_by_text("Speaker note").count() and presenter.get_by_text("Next").count()
    assert presenter.locator(".deck-clock").inner_text().strip()  # the clock is running
    audience.goto(f"{demo_server}/decks?deck=1&present=1")
    audience.get_by_text("slide 1 of 8").wait_for()
    _settle(audience)
    assert audience.get_by_text("Speaker note").count() == 0  # notes are the presenter's
    audience.evaluate("window.notReloaded = true")
    presenter.keyboard.press("ArrowRight")
    audience.get_by_text("slide 2 of 8").wait_for()
    _settle(audience)
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
# Presentation mode changes sizes, not colours: its dark theme is the normal page's.
@pytest.mark.parametrize(
    ("present", "scheme"), [(False, "light"), (False, "dark"), (True, "light")]
)
@pytest.mark.parametrize("path", PAGES)
def test_each_page_in_the_browser(browser, demo_server, path, present, scheme):
    """Every page, normal (in the light and dark themes: the dark one is what a viewer whose
    system prefers dark gets) and in presentation mode, at 1280x720: axe-core finds no
    serious or critical WCAG finding and no text is cut short. In presentation mode each
    page also fits the room at 1280x720 and then 1920x1080: no sidebar, no text under 20
    px, each view (heading, chart, sentence or list) within one screen; screenshots for
    people to see."""
    page = browser.new_page(viewport={"width": 1280, "height": 720}, color_scheme=scheme)
    page.set_default_timeout(30_000)
    page.goto(demo_server + (_with(path, "present=1") if present else path))
    page.locator("h1").first.wait_for()
    _settle(page)
    page.add_script_tag(path=str(AXE))
    assert page.evaluate(AXE_RUN) == []
    assert page.evaluate(TRUNCATED) == [], f"{path}: text cut short"
    if present and scheme == "light":
        name = path.strip("/").replace("?", "_").replace("=", "") or "overview"
        for width, height in SCREENS:
            page.set_viewport_size({"width": width, "height": height})
            _settle(page)
            assert not page.locator("[data-testid='stSidebar']").is_visible()
            _readable(page, f"{path} at {width}x{height}")
            assert page.evaluate(VIEWS_TALLER) == []
            page.screenshot(path=OUTPUT / f"present_{name}_{width}.png")
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
