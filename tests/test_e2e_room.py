"""Every page in a real browser, as its audience sees it: accessible (axe-core), nothing cut
short, in the light and dark themes; and in the room, in presentation mode at 1280x720 and
1920x1080, every page, a deck of every kind of view and a long plan fit the screen with text
large enough to read. Screenshots go to tests/output/ for people to look at."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders import store
from tests.browser import (
    EVERY_VIEW_DECK,
    OUTPUT,
    ROOT,
    every_view_deck,
    needs_chromium,
    new_page,
    serve,
    settle,
    stop,
    with_param,
)
from tests.probes import OVERFLOW, SIDEBAR_OPEN, TEXTS, TRUNCATED, VIEWS_TALLER
from tests.workbooks import empty_database, write_xlsx

pytestmark = needs_chromium

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0-2.2 A and AA rules; serious and critical findings fail the test.
AXE_RUN = """async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a',
  'wcag21aa', 'wcag22aa']})).violations
  .filter(v => ['serious', 'critical'].includes(v.impact))
  .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`)"""

# Each page, and a text that shows only once its content is drawn.
PAGES = [
    ("/", "Service metrics"),
    ("/rag_progress", "RAG over time"),
    ("/slippage", "Re-dated actions"),
    ("/kpi_trends?indicator=Immunisations+up+to+date&period=2017%2F18", "One year against every council"),
    ("/compare?measure=Dental+checks", "Dental checks: every council"),
    ("/decks", "New deck"),
    ("/decks?deck=1", "Open presenter view"),
    ("/report", "KPIs to include"),
    ("/upload", "Templates that load without any changes"),
    ("/data", "Indicator settings"),
    ("/accessibility", "Accessibility"),
]  # fmt: skip


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


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (make test installs it)")
# Presentation mode changes sizes, not colours: its dark theme is the normal page's.
@pytest.mark.parametrize(
    ("present", "scheme"), [(False, "light"), (False, "dark"), (True, "light")]
)
@pytest.mark.parametrize(("path", "expect"), PAGES)
def test_each_page_in_the_browser(browser, demo_server, path, expect, present, scheme):
    """Every page, normal (in the light and dark themes: the dark one is what a viewer whose
    system prefers dark gets) and in presentation mode, at 1280x720: it draws its content
    with no error, axe-core finds no serious or critical WCAG finding and no text is cut
    short. In presentation mode each page also fits the room at 1280x720 and then
    1920x1080: no sidebar, no text under 20 px, each view (heading, chart, sentence or
    list) within one screen. Screenshots for people to see."""
    page = browser.new_page(viewport={"width": 1280, "height": 720}, color_scheme=scheme)
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(demo_server + (with_param(path, "present=1") if present else path))
    page.locator("h1").first.wait_for()
    if not present:  # presentation mode leaves out the officers' prompts some pages show
        page.get_by_text(expect).filter(visible=True).first.wait_for()
    settle(page)
    assert page.locator("[data-testid='stException']").count() == 0
    page.add_script_tag(path=str(AXE))
    assert page.evaluate(AXE_RUN) == []
    assert page.evaluate(TRUNCATED) == [], f"{path}: text cut short"
    name = path.strip("/").split("&")[0].replace("?", "_").replace("=", "").replace("+", "_")
    name = name or "overview"
    if not present:
        page.screenshot(path=OUTPUT / f"{name}_{scheme}.png", full_page=True)
    else:
        for width, height in SCREENS:
            page.set_viewport_size({"width": width, "height": height})
            settle(page)
            assert not page.locator("[data-testid='stSidebar']").is_visible()
            _readable(page, f"{path} at {width}x{height}")
            assert page.evaluate(VIEWS_TALLER) == []
            page.screenshot(path=OUTPUT / f"present_{name}_{width}.png")
    assert errors == []
    page.close()


def test_every_view_kind_fits_a_slide(browser, demo_server):
    """A deck of every kind of view, stepped through: each slide with its controls fits the
    screen at 1280x720 and at 1920x1080 with no scrolling, its text at least 20 px, and on
    the larger screen everything is enlarged 1.5 times."""
    page = new_page(browser, *SCREENS[0])
    page.goto(f"{demo_server}/decks?deck={EVERY_VIEW_DECK}&present=1")
    total = len(every_view_deck().slides)
    for number in range(1, total + 1):
        page.get_by_text(f"slide {number} of {total}").wait_for()
        for width, height in SCREENS if number % 2 else reversed(SCREENS):
            page.set_viewport_size({"width": width, "height": height})
            settle(page)
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
    process, url = serve(db)
    try:
        page = new_page(browser, 1280, 720)
        for path in ("/rag_progress?present=1", "/slippage?present=1"):
            page.goto(url + path)
            page.locator("h1").first.wait_for()
            settle(page)
            _readable(page, path)
            page.screenshot(path=OUTPUT / f"long_plan_{path[1:].split('?')[0]}.png", full_page=True)
            assert page.evaluate(VIEWS_TALLER) == [], path
        assert page.get_by_text("This screen shows the first 10 of").count() >= 2
        page.close()
    finally:
        stop(process)


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
        settle(page)
        assert not page.evaluate(SIDEBAR_OPEN), path
        assert page.evaluate(TRUNCATED) == [], f"{path} at {width}px: text cut short"
        main = page.locator("[data-testid='stMain']").bounding_box()
        assert main["width"] >= width - 20, f"{path}: the page is not given the screen"
        page.screenshot(path=OUTPUT / f"narrow_{_name}_{width}.png", full_page=True)
    page.close()
