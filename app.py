"""Children's services improvement dashboard: navigation, first-run demo data, the frame."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import StopException

import signin
import ui
from data import demo

ui.ensure_navigation()
st.set_page_config(
    page_title="Improvement plan dashboard", page_icon=":material/insights:", layout="wide"
)


@st.cache_resource(show_spinner="Loading the demo data…")
def _first_run(path: str) -> list[int]:
    """On an empty database, load the built-in demo once per process."""
    del path  # the cache key: one first run per database file
    return demo.load_demo(ui.connection())


PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("pages/rag_progress.py", title="Action plan progress", icon=":material/checklist:", url_path="rag_progress"),
    st.Page("pages/slippage.py", title="Slippage", icon=":material/schedule:", url_path="slippage"),
    st.Page("pages/kpi_trends.py", title="KPI trends", icon=":material/trending_up:", url_path="kpi_trends"),
    st.Page("pages/compare.py", title="How we compare", icon=":material/leaderboard:", url_path="compare"),
    st.Page("pages/decks.py", title="Meeting decks", icon=":material/slideshow:", url_path="decks"),
    st.Page("pages/report.py", title="Panel report", icon=":material/description:", url_path="report"),
    st.Page("pages/upload.py", title="Upload", icon=":material/upload_file:", url_path="upload"),
    st.Page("pages/data.py", title="Data", icon=":material/table_view:", url_path="data"),
    st.Page("pages/accessibility.py", title="Accessibility", icon=":material/accessibility:", url_path="accessibility"),
]  # fmt: skip
who = signin.gate([p.url_path for p in PAGES if p.url_path])
_first_run(str(ui.settings.db_path()))
page = st.navigation(PAGES)
ui.start_run()

ui.frame()
if not ui.chromeless():
    signin.banner(who)
if ui.presenting() and not (page.url_path == "decks" and "deck" in st.query_params):
    ui.exit_presentation(page)  # a deck's slide has it in its own toolbar
with st.sidebar:
    if st.toggle(
        "Presentation mode",
        value=ui.presenting(),
        help="Hide the menus and enlarge text for a projector. Add ?present=1 to a link to open it this way.",
    ):
        ui.set_param("present", "1")
    else:
        ui.set_param("present", None)

con = ui.connection()
if demo.demo_uploads(con) and not ui.chromeless():
    with st.container(border=True):
        left, right = st.columns([5, 1], vertical_alignment="center")
        left.markdown(
            "**You are looking at demo data** for a fictional council, Anytown: a post-Ofsted "
            "plan over four months and four years of health and workforce figures. Upload your "
            "own spreadsheets on the Upload page, or clear the demo first."
        )
        if who.may("demo cleared") and right.button(
            "Clear demo data", icon=":material/delete_sweep:"
        ):
            demo.clear_demo(con, who)
            ui.refresh()
            st.rerun()

try:
    page.run()
except StopException:  # st.stop(): the page ended early, and as it meant to
    ui.drop_unused_params()
    raise
ui.drop_unused_params()
