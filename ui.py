"""Streamlit glue shared by the pages: the connection, cached queries, filters kept in the
URL and across pages, and the few display helpers every page uses."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

import queries
from charts.export import ExportUnavailable, image_bytes
from charts.export import unavailable as export_unavailable
from charts.tables import csv_bytes, excel_bytes
from charts.theme import PROJECTOR_HEIGHT, RAG_COLOURS, enlarged, for_projector, text_colour_on
from loaders import cli, handoff, settings
from loaders.errors import DatabaseBusy
from report import views
from report.views import View, date_text, plural  # noqa: F401  (pages use them through ui)

# Text from a file or a person, shown in an element that renders Markdown (st.markdown,
# st.caption, headings, alerts, metric and widget labels, st.table cells): backslash-escape
# what would otherwise become markup, so it is shown exactly as typed.
ALWAYS_ESCAPED = frozenset("\\`*{}[]<>$~|!#&")  # emphasis, code, links, images, HTML, LaTeX, tables
LINE_START_ESCAPED = frozenset("-+=>")  # list items, setext underlines, block quotes
_ORDERED_MARKER = re.compile(r"^[ \t]*\d{1,9}([.)])", re.MULTILINE)  # "1. " or "1) " opening a line


def literal(text: object) -> str:
    """``text`` as Markdown that Streamlit shows exactly as typed: no images (a remote one
    would be fetched), links, LaTeX (``$x$``), colour or icon directives (``:red[x]``),
    HTML, emphasis, headings, lists or tables.

    Characters that are always markup are backslash-escaped; the rest only where they
    would act, so ordinary sentences stay readable: ``_`` except inside a word, ``:``
    before a letter, ``/`` or ``:`` (directives, ``http://``), and ``- + = >`` or a
    number's ``.``/``)`` at the start of a line.

    Not prevented: a bare web or e-mail address is still shown as a link (GitHub-flavoured
    Markdown finds them after escapes are read), though it is never fetched.
    """
    if text is None:
        return ""
    text = str(text)
    markers = {m.start(1) for m in _ORDERED_MARKER.finditer(text)}
    out = []
    line_start = True
    for i, ch in enumerate(text):
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        if ch == "_":
            escape = not (before.isalnum() and after.isalnum())
        elif ch == ":":
            escape = after.isalpha() or after in ("/", ":")
        else:
            escape = (
                ch in ALWAYS_ESCAPED or (line_start and ch in LINE_START_ESCAPED) or i in markers
            )
        out.append("\\" + ch if escape else ch)
        if ch == "\n":
            line_start = True
        elif ch not in " \t":
            line_start = False
    return "".join(out)


def literal_table(df: pd.DataFrame) -> pd.DataFrame:
    """A table whose text cells and column names are shown as typed where cells render
    Markdown (st.table); numbers, dates and missing values are left as they are."""
    shown = df.rename(columns=lambda c: literal(c) if isinstance(c, str) else c)
    for i, dtype in enumerate(shown.dtypes):
        if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
            shown.iloc[:, i] = shown.iloc[:, i].map(
                lambda v: literal(v) if isinstance(v, str) else v
            )
    return shown


def ensure_navigation() -> None:
    """Give every visit app.py's navigation and frame.

    Until some visit has run app.py (which calls st.navigation), Streamlit treats the
    pages/ folder as an old-style multipage app: a deep link such as /slippage as the very
    first request after the server starts would run the page file alone, without app.py.
    Leaving that mode and rerunning routes the same address through app.py instead.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        # Once per session: a rerun discards widget events, so never rerun on a click.
        if not st.session_state.get("navigation_ready"):
            st.session_state["navigation_ready"] = True
            st.rerun()


@st.cache_resource(show_spinner=False)
def _connection(path: str):
    """The process's one connection, and the watcher that runs command-line work handed
    to the dashboard while it holds the file (loaders.handoff)."""
    con = queries.connect(path)
    handoff.Watcher(Path(path), partial(cli.run_handed, con.cursor())).start()
    return con


BUSY_WAIT_SECONDS = 120


def connection():
    """A cursor on the dashboard's one connection (the app is this process's only writer).

    Until some visit opens it the file is free, so a command-line import may hold it: wait
    for that to finish (with a note), rather than show an error."""
    path = str(settings.db_path())
    try:
        return _connection(path).cursor()
    except DatabaseBusy:
        pass
    deadline = time.monotonic() + BUSY_WAIT_SECONDS
    with st.spinner("Waiting for an import from the command line to finish…", show_time=True):
        while True:
            try:
                return _connection(path).cursor()
            except DatabaseBusy:
                if time.monotonic() > deadline:
                    break
                time.sleep(1)
    st.info(
        "The database is still busy with a command-line import or backup. Reload the page "
        "in a minute."
    )
    st.stop()


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(module: str, name: str, version: tuple, db: str, args: tuple, kwargs: tuple) -> Any:
    return getattr(_MODULES[module], name)(connection(), *args, **dict(kwargs))


def _call(module: str, name: str, args: tuple, kwargs: dict) -> Any:
    version = queries.data_version(connection())
    return _cached(
        module, name, version, str(settings.db_path()), args, tuple(sorted(kwargs.items()))
    )


def query(name: str, *args: Any, **kwargs: Any) -> Any:
    """Run ``queries.<name>`` through the cache; any upload or setting change refreshes it."""
    return _call("queries", name, args, kwargs)


def view(name: str, *args: Any, **kwargs: Any) -> View:
    """Build the view ``name`` (report.plans, slippage, metrics or compare) through the same
    cache; ``view("build", kind, params)`` is a deck's slide."""
    if name == "build":
        return _call("views", "build", args, kwargs)
    return _call("views", "built", (name, *args), kwargs)


_MODULES = {"queries": queries, "views": views}


def refresh() -> None:
    """Drop cached query results after a write (the version key also catches this)."""
    _cached.clear()


# Query parameters -----------------------------------------------------------------------
# The address bar holds the view: the page and its filters. Streamlit carries the previous
# page's parameters over to the next page; a parameter no part of this run read is such a
# leftover, and is dropped when the run ends, so an address never mixes two pages.
GLOBAL_PARAMS = frozenset({"present", "screen"})


def _params_used() -> set[str]:
    return st.session_state.setdefault("params_used", set())


def start_run() -> None:
    """Called by app.py before a page runs: no parameter read yet."""
    st.session_state["params_used"] = set(GLOBAL_PARAMS)


def param(name: str) -> str | None:
    """The URL parameter ``name`` as this page reads it (kept in the address)."""
    _params_used().add(name)
    return st.query_params.get(name)


def set_param(name: str, value: str | None) -> None:
    """Write (or, for None or '', remove) the URL parameter ``name``."""
    _params_used().add(name)
    if value:
        st.query_params[name] = value
    else:
        st.query_params.pop(name, None)


def drop_unused_params() -> None:
    """Called by app.py when a page has run to its end (or st.stop): leftovers go."""
    used = _params_used()
    for name in [k for k in st.query_params if k not in used]:
        del st.query_params[name]


# One history entry per thing a person does. Streamlit adds an entry whenever the address
# changes, so one page visit (the page, then each parameter as the page sets it) made
# several and Back needed several presses. Until a click or key press, a change of address
# replaces the entry rather than adding one; Back and Forward are Streamlit's own.
HISTORY_SCRIPT = """
if (!window.dashboardHistory) {
  window.dashboardHistory = true;
  let acted = false;
  const mark = () => { acted = true; };
  window.addEventListener('pointerdown', mark, true);
  window.addEventListener('keydown', mark, true);
  const push = window.history.pushState.bind(window.history);
  window.history.pushState = (state, title, url) => {
    if (acted) { acted = false; return push(state, title, url); }
    return window.history.replaceState(state, title, url);
  };
}
"""


def script(js: str, key: str = "script") -> None:
    """Run ``js`` in the page (the project's own code, never text from a file or a person);
    run again whenever its text changes. Its element takes no room on the page."""
    with st.container(key=f"js_{key}"):
        st.html(f"<script>{js}</script>", unsafe_allow_javascript=True)


def _parse(value: str, options: Sequence[Any]) -> Any:
    for option in options:
        if _encode(option) == value:
            return option
    return None


def _encode(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def url_select(
    label: str,
    options: Sequence[Any],
    param: str,
    *,
    default: Any = None,
    format_func: Callable[[Any], str] = str,
    container: Any = None,
    allow_all: str | None = None,
    help: str | None = None,
) -> Any:
    """A select box whose choice lives in the URL (``?param=``) and persists across pages.

    ``allow_all`` adds a first option (e.g. "All leads") that means no filter (None)."""
    container = container or st
    choices: list[Any] = ([None] if allow_all else []) + list(options)
    if not choices:
        return None
    unset = object()
    chosen: Any = unset
    _params_used().add(param)
    asked = st.query_params.get(param)
    if asked is not None:
        parsed = _parse(asked, options)
        chosen = unset if parsed is None else parsed
    kept = f"keep_{param}"
    if chosen is unset and kept in st.session_state and st.session_state[kept] in choices:
        chosen = st.session_state[kept]
    if chosen is unset:
        chosen = default if default in choices else choices[0]
    if asked is not None and _parse(asked, options) is None:
        # a link to something not loaded (a plan removed, a typing slip): say so, never
        # silently show another in its place
        shown = allow_all if chosen is None else format_func(chosen)
        st.warning(
            literal(f"This link asks for {label.lower()} '{asked}', which is not loaded here; "
                    f"showing {shown} instead."),
            icon=":material/link_off:",
        )  # fmt: skip
    value = container.selectbox(
        label,
        choices,
        index=choices.index(chosen),
        format_func=lambda v: allow_all if v is None else format_func(v),
        key=f"w_{param}",
        help=help,
    )
    st.session_state[f"keep_{param}"] = value
    if value is None:
        st.query_params.pop(param, None)
    else:
        st.query_params[param] = _encode(value)
    return value


def rag_table(df: pd.DataFrame, rag_columns: Sequence[str] = ("RAG",)):
    """A table with RAG cells coloured and always labelled in words."""

    def paint(value: Any) -> str:
        fill = RAG_COLOURS.get(value)
        return f"background-color: {fill}; color: {text_colour_on(fill)}" if fill else ""

    present = [c for c in rag_columns if c in df.columns]
    return df.style.map(paint, subset=present) if present else df.style


PRESENT_TABLE_ROWS = 8  # with a heading and a sentence, a screenful at 1280x720
PRESENT_CELL_CHARS = 60  # a long text in a projector's table: two lines at most
# pandas' Styler refuses to render more cells than this (styler.render.max_elements)
STYLED_CELLS = 262_144


def table(
    df: pd.DataFrame,
    rag_columns: Sequence[str] = ("RAG",),
    present: Sequence[str] | None = None,
    rows: int = PRESENT_TABLE_ROWS,
) -> None:
    """A table on screen: a sortable grid, or in presentation mode a plain HTML table whose
    text is enlarged with the rest of the page: the first screenful (``rows``, of the
    ``present`` columns where given, long texts shortened at a word), and how many more."""
    if presenting():
        shown = df.head(rows)
        if present:
            shown = shown[[c for c in present if c in shown.columns]]
            shown = shown.map(lambda v: views.clipped(v, PRESENT_CELL_CHARS))  # texts only
        # st.table renders Markdown in cells and headers; the grid shows text as it is.
        styled = rag_table(literal_table(shown), [literal(c) for c in rag_columns])
        st.table(styled.format(na_rep="", precision=1), hide_index=True)
        if len(df) > len(shown):
            st.caption(
                f"The first {len(shown)} of {len(df)} rows; the other {len(df) - len(shown)} are "
                "in the full list outside presentation mode."
            )
    elif df.size > STYLED_CELLS:
        st.dataframe(df, hide_index=True, width="stretch")
        st.caption(
            f"RAG colours are not drawn on a table of {df.size:,} cells; each RAG is in words."
        )
    else:
        st.dataframe(rag_table(df, rag_columns), hide_index=True, width="stretch")


# On every page: script elements take no room; labels wrap at spaces rather than being cut
# short with "…" (a button reading "Clear dem…"), at any width and zoom.
FRAME_CSS = """
<style>
  [class*="st-key-js_"] { display: none !important; }
  [data-testid="stMain"] button p, [data-testid="stMain"] button div,
  [data-testid="stPageLink"] p, [data-testid="stPageLink"] span,
  [data-testid="stWidgetLabel"] p, [data-testid="stExpander"] summary p {
    white-space: normal !important; text-overflow: clip !important; overflow: visible !important;
    overflow-wrap: break-word; }
  [data-testid="stMain"] button { height: auto; min-height: 2.5rem; }
  [data-testid="stMultiSelectTagsContainer"], [data-testid="stMultiSelectTagsContainer"] span,
  [data-baseweb="tag"], [data-baseweb="tag"] span { max-width: none !important; height: auto !important;
    white-space: normal !important; text-overflow: clip !important; overflow: visible !important; }
</style>
"""

# A screen narrower than this starts with the sidebar closed (Streamlit closes it only on a
# phone), leaving the page its width; the arrow at the top left opens it.
NARROW_PX = 1000
SIDEBAR_SCRIPT = """
if (!window.dashboardSidebar) {
  window.dashboardSidebar = true;
  if (window.innerWidth < NARROW_PX) {
    const close = () => {
      const bar = document.querySelector('[data-testid="stSidebar"]');
      const button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
      if (!bar || !button) return false;
      if (bar.getAttribute('data-collapsed') === 'false') button.click();
      return true;
    };
    if (!close()) { const timer = setInterval(() => { if (close()) clearInterval(timer); }, 100);
                    setTimeout(() => clearInterval(timer), 10000); }
  }
}
""".replace("NARROW_PX", str(NARROW_PX))

# Presentation mode: no sidebar or Streamlit chrome, and no text under 20 px at 1280x720.
# Everything is laid out for a 1280x720 screen and zoomed as a whole on larger ones, so a
# 1920x1080 projector shows the same screenful at 1.5 times the size.
CHROMELESS_CSS = """
<style>
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stExpandSidebarButton"] { display: none !important; }
  .stMainBlockContainer, [data-testid="stMainBlockContainer"] { padding: 0.75rem 2rem 0.5rem; max-width: 100%; }
</style>
"""
PRESENT_CSS = """
<style>
  [data-testid="stMain"] *:not(svg):not(svg *) { font-size: max(20px, 1em); }
  .stMarkdown p, [data-testid="stMetricLabel"] p { font-size: 1.5rem !important; }
  .stCaption, [data-testid="stCaptionContainer"] p { font-size: 1.35rem !important; line-height: 1.4 !important; }
  [data-testid="stMetricValue"] { font-size: 3.5rem !important; }
  [data-testid="stMetricDelta"], [data-testid="stMetricDelta"] div { font-size: 1.3rem !important; }
  [data-testid="stTable"] td, [data-testid="stTable"] th { font-size: 1.25rem !important; padding: 0.3rem 0.5rem !important; }
  h1 { font-size: 2rem !important; padding: 0.25rem 0 0.5rem !important; }
  h2, h3 { font-size: 2rem !important; padding: 0.5rem 0 0.25rem !important; }
  /* One view per screen: scrolling comes to rest at each view. */
  [data-testid="stMain"] { scroll-snap-type: y proximity; }
  [class*="st-key-view_"] { scroll-snap-align: start; }
  [data-testid="stCaptionContainer"] { opacity: 1 !important; }  /* full contrast on a projector */
  /* Plotly cannot be zoomed (it measures itself with the zoom and draws twice as large):
     a chart is drawn at the screen's own size and enlarged by screen_zoom() instead. */
ZOOM_RULES
</style>
"""


# Presentation mode lays a page out for 1280x720 and zooms it whole on a larger screen; a
# chart, which cannot be zoomed, is drawn enlarged as much (the page tells the server which
# step its screen is on in ?screen=, kept up to date as the window moves or resizes).
ZOOMS = ((1600, 900, 1.25), (1920, 1080, 1.5), (2560, 1440, 2.0))
PRESENT_CSS = PRESENT_CSS.replace(
    "ZOOM_RULES",
    "\n".join(
        f'  @media (min-width: {w}px) and (min-height: {h}px) {{ [data-testid="stMain"] '
        f'{{ zoom: {z:g}; }} [class*="st-key-chart_"] {{ zoom: {1 / z:.4f}; }} }}'
        for w, h, z in ZOOMS
    ),
)
SCREEN_SCRIPT = """
if (!window.dashboardScreen) {
  window.dashboardScreen = () => {
    const url = new URL(window.location.href);
    if (url.searchParams.get('present') !== '1') return;
    let zoom = '1';
    for (const [w, h, z] of ZOOMS) {
      if (window.matchMedia(`(min-width: ${w}px) and (min-height: ${h}px)`).matches) zoom = z;
    }
    if ((url.searchParams.get('screen') || '1') === zoom) return;
    if (zoom === '1') url.searchParams.delete('screen'); else url.searchParams.set('screen', zoom);
    window.history.replaceState({}, '', url);
    window.dispatchEvent(new PopStateEvent('popstate'));  // Streamlit draws it again, in place
  };
  window.addEventListener('resize', () => window.dashboardScreen());
}
window.dashboardScreen();
""".replace("ZOOMS", json.dumps([[w, h, f"{z:g}"] for w, h, z in ZOOMS]))


def screen_zoom() -> float:
    """How many times 1280x720 the presenting screen is (1 unless ?screen= says)."""
    return {f"{z:g}": z for _w, _h, z in ZOOMS}.get(param("screen") or "", 1.0)


def presenting() -> bool:
    """Presentation mode, switched on by ?present=1 (so a link opens a page ready to show)."""
    return param("present") == "1"


def chromeless() -> bool:
    """No menus or banners: presentation mode, or a deck's presenter view (?presenter=1)."""
    return presenting() or param("presenter") == "1"


def frame() -> None:
    """Every page's frame: its styles, one history entry per visit, the sidebar closed on a
    narrow screen, and in presentation mode no chrome and text for a projector."""
    # One hidden element holds it all: each element on a page, even an empty one, adds a gap.
    styles = FRAME_CSS + (CHROMELESS_CSS if chromeless() else "")
    with st.container(key="js_frame"):
        # in presentation mode, the screen size this run draws for (tests wait for it)
        drawn = f'<span class="dashboard-screen" data-screen="{screen_zoom():g}" hidden></span>'
        st.html(styles + (PRESENT_CSS + drawn if presenting() else ""))
        st.html(f"<script>{HISTORY_SCRIPT + SIDEBAR_SCRIPT}</script>", unsafe_allow_javascript=True)
        if presenting():
            st.html(f"<script>{SCREEN_SCRIPT}</script>", unsafe_allow_javascript=True)
        elif "screen" in st.query_params:
            del st.query_params["screen"]  # a projector's setting, left from presentation mode


def exit_presentation(page: Any, container: Any = None) -> None:
    """The way out of presentation mode, to the same address without ``present``."""
    kept = {k: v for k, v in st.query_params.to_dict().items() if k not in ("present", "screen")}
    (container or st).page_link(
        page, label="Exit presentation mode", icon=":material/close_fullscreen:", query_params=kept
    )


def _image(fig, fmt: str) -> bytes:
    try:
        return image_bytes(fig, fmt)
    except ExportUnavailable as exc:
        st.toast(literal(exc), icon=":material/error:")
        return str(exc).encode()


# At 1280x720 in presentation mode, about how many characters a line holds: a view's
# sentence (21.6 px) and its heading (32 px bold). A chart gives up a line's height for each
# line past two of its sentence and past one of its heading, so the view still fits.
SENTENCE_LINE, SENTENCE_LINE_PX = 105, 31
HEADING_LINE, HEADING_LINE_PX = 60, 42


def _chart_height(heading: str, summary: str) -> int:
    """How tall a chart may be on the projector beside a heading and sentence this long."""
    sentence_lines = -(-len(summary) // SENTENCE_LINE)
    heading_lines = -(-len(heading) // HEADING_LINE)
    less = (
        max(0, sentence_lines - 2) * SENTENCE_LINE_PX + max(0, heading_lines - 1) * HEADING_LINE_PX
    )
    return max(PROJECTOR_HEIGHT - less, 260)


def chart(
    fig, summary: str, table: pd.DataFrame | None = None, key: str | None = None, heading: str = ""
) -> None:
    """A chart with its text alternative beneath it, a 'view as table' expander and image
    downloads (made only when asked for: an export takes a few seconds)."""
    if presenting():
        fig = for_projector(fig)  # and no taller than fits a screen with its heading and sentence
        most = _chart_height(heading, summary)
        fig.update_layout(height=min(fig.layout.height or most, most))
        fig = enlarged(fig, screen_zoom())
    # theme=None keeps the project's own fonts and contrast rather than Streamlit's greys
    with st.container(key=f"chart_{key or id(fig)}"):
        st.plotly_chart(
            fig, width="stretch", alt=summary, key=key, theme=None, config={"displaylogo": False}
        )
    st.caption(literal(summary))
    if chromeless():
        return  # on the projector: the chart and its sentence, nothing to click
    name = key or "chart"
    formats = (("png", "PNG", "image/png"), ("svg", "SVG", "image/svg+xml"))
    if reason := export_unavailable():
        st.caption(f":material/image_not_supported: {reason}")
        formats = ()
    for column, (fmt, label, mime) in zip(st.columns([1, 1, 4]), formats, strict=False):
        column.download_button(
            label,
            lambda fmt=fmt: _image(fig, fmt),
            f"{name}.{fmt}",
            mime,
            key=f"{name}_{fmt}",
            on_click="ignore",
            icon=":material/image:",
        )
    if table is not None:
        with st.expander("View as table"):
            st.dataframe(table, hide_index=True, width="stretch")
            table_downloads(table, f"{name}_data")


def show(
    view: View, *, full_table: bool = False, name: str | None = None, title: bool = False
) -> None:
    """A view under its heading (what it shows, as of when): the chart with its sentence,
    and its table in a 'view as table' expander or shown in full (``full_table``, with
    downloads). In presentation mode each view fills one screen."""
    # a view with no chart is its table (a deck's "Actions" slide is the list)
    shown = (full_table or view.figure is None) and view.table is not None and not view.table.empty
    with st.container(key=f"view_{view.key}"):
        (st.title if title else st.subheader)(literal(view.heading))
        if view.figure is not None and presenting() and view.present_figure is not None:
            # too many rows for one screen: the first of them, and a note of how many more
            summary = f"{view.summary} {view.present_note}"
            chart(view.present_figure, summary, None, view.key, view.heading)
        elif view.figure is not None:
            chart(view.figure, view.summary, None if shown else view.table, view.key, view.heading)
        else:
            st.markdown(literal(view.summary))
        if shown and not (presenting() and view.figure is not None):
            table(view.table, view.rag_columns, view.present_columns, view.present_rows)
            table_downloads(view.table, name or view.key)
    if shown and presenting() and view.figure is not None:
        # on the projector the chart fills one screen and its list the next
        with st.container(key=f"view_{view.key}_list"):
            st.subheader(
                literal(
                    f"{view.title}: the list, {view.as_of}"
                    if view.as_of
                    else f"{view.title}: the list"
                )
            )
            table(view.table, view.rag_columns, view.present_columns, view.present_rows)


def table_downloads(df: pd.DataFrame, name: str) -> None:
    """CSV and formatted Excel downloads of a table (safe to open: no formulas run)."""
    if presenting():
        return
    left, right, _ = st.columns([1, 1, 4])
    left.download_button(
        "CSV", lambda: csv_bytes(df), f"{name}.csv", "text/csv",
        key=f"{name}_csv", on_click="ignore", icon=":material/download:",
    )  # fmt: skip
    right.download_button(
        "Excel", lambda: excel_bytes(df, name), f"{name}.xlsx", key=f"{name}_xlsx",
        on_click="ignore", icon=":material/download:",
    )  # fmt: skip


def empty_state(message: str, link_label: str) -> None:
    """Say what is missing and link to the Upload page (not on a projector: the audience
    has nothing to upload)."""
    st.info(message)
    if not presenting():
        st.page_link("pages/upload.py", label=link_label, icon=":material/upload_file:")


def nothing_loaded(message: str, link_label: str) -> None:
    """The empty state of a page that has nothing else to show: it stops there."""
    empty_state(message, link_label)
    st.stop()


def choose_plan() -> str:
    """The sidebar's plan choice (kept in ?plan=), or the empty state when there is none."""
    plans = query("plans")
    if not plans:
        nothing_loaded("No action plan is loaded yet.", "Upload an action plan")
    st.sidebar.subheader("Show")
    return url_select("Plan", plans, "plan", container=st.sidebar)
