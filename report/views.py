"""The dashboard's views: one chart or table with its heading, date and sentence.

A view is what a page section shows, what a meeting-deck slide shows and what a panel
report page holds, built once from ``queries`` and ``charts`` so that all three say the
same thing: ``report.plans`` (action plans), ``report.metrics`` (KPI trends) and
``report.compare`` (How we compare) build them; ``KINDS`` here lists every one a deck or
the panel report can hold, and the helpers their sentences share are here too.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import pandas as pd
import plotly.graph_objects as go

from charts.theme import format_date, is_missing
from loaders.timescale import UNREADABLE

UNREADABLE_DUE = "due date unreadable"  # what a table says for a date that cannot be read


@dataclass
class View:
    """One screenful: a heading, what date it is as of, a chart and/or a table, and the
    sentence that says what the chart shows (its text alternative)."""

    title: str
    as_of: str
    summary: str
    figure: go.Figure | None = None
    table: pd.DataFrame | None = None
    rag_columns: tuple[str, ...] = ()
    key: str = "view"
    # Where the table's long texts were read in the file ("Plan!C7"), row for row and under
    # the table's column names, so that a report which shortens one can say where it is.
    sources: pd.DataFrame | None = None
    # On a projector the table shows these columns (all where None) and this many rows, the
    # rest counted beneath it, so that the view fits one 1280x720 screen.
    present_columns: tuple[str, ...] | None = None
    present_rows: int = 8
    # On a projector a chart of one row per item shows the first MOST_BARS (present_figure),
    # and its sentence says so (present_note); None where the chart fits as it is.
    present_figure: go.Figure | None = None
    present_note: str = ""

    @property
    def heading(self) -> str:
        return f"{self.title}, {self.as_of}" if self.as_of else self.title


# A chart of one bar per item shows this many on a projector (and, for leads and slippage
# groups, anywhere), the busiest or worst first; the rest are counted and in its table.
MOST_BARS = 10


def first_on_projector(total: int, what: str, draw: Callable[[int], go.Figure]) -> dict:
    """View fields for a chart of one row per item: on a projector, ``draw(MOST_BARS)``
    and a note of how many more there are; nothing where all fit."""
    if total <= MOST_BARS:
        return {}
    return {
        "present_figure": draw(MOST_BARS),
        "present_note": f"This screen shows the first {MOST_BARS} of {total} {what}; the "
        "others are on the page outside presentation mode.",
    }


class NoData(LookupError):
    """The view has nothing to show for these parameters (a plan or indicator has gone)."""


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def date_text(value: object) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        value = value.date()
    return format_date(value)


def due_text(due: object, status: object) -> str:
    """An action's due date as a table shows it: the date, or 'due date unreadable' for a
    date written so that it cannot be read (never blank, as if none were due)."""
    return UNREADABLE_DUE if status == UNREADABLE else date_text(due)


def file_cell(sheet: object, cell: object, row: object = None) -> str | None:
    """Where a value is in the uploaded file, as Excel names a cell on a sheet ("Plan!E7",
    "'Ofsted recs'!E7"); the sheet's row where the cell is not known."""
    if not isinstance(sheet, str):
        return None
    name = sheet if re.fullmatch(r"[A-Za-z_]\w*", sheet) else "'" + sheet.replace("'", "''") + "'"
    if isinstance(cell, str) and cell:
        return f"{name}!{cell}"
    return None if row is None or pd.isna(row) else f"{name}, row {int(row)}"


def shortened(text: object, most: int = 40) -> str:
    """A text quoted in a sentence, cut with '…' past ``most`` characters (the table beside
    the sentence holds it in full); '' for a missing one, never 'nan'."""
    text = "" if is_missing(text) else " ".join(str(text).split())
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def clipped(text: object, most: int = 90) -> object:
    """A long text shortened at a word with '…' for a projector's table (the page outside
    presentation mode has it in full); anything else as it is."""
    if not isinstance(text, str) or len(text) <= most:
        return text
    cut = text[: most - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:") + "…"


# The catalogue a deck chooses from ------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    label: str
    module: str  # the report module that builds it (VIEW_MODULES)
    name: str  # its builder there
    needs: tuple[str, ...]  # "plan", or "indicator" or "indicators" with the area
    fixed: tuple[tuple[str, object], ...] = ()  # parameters the kind sets itself

    @property
    def build(self) -> Callable[..., View]:
        """The builder (its module imported when first asked for: they build on this one)."""
        builder = getattr(importlib.import_module(f"report.{self.module}"), self.name)
        return partial(builder, **dict(self.fixed)) if self.fixed else builder


PLAN, INDICATOR = ("plan",), ("indicator", "area")
KINDS: dict[str, Kind] = {
    "overview": Kind("Plan overview", "plans", "overview", PLAN),
    "rag_by_recommendation": Kind("RAG by recommendation", "plans", "rag_by_recommendation", PLAN),
    "rag_movement": Kind("RAG movement", "plans", "rag_movement", PLAN),
    "overdue": Kind("Overdue actions", "slippage", "overdue", PLAN),
    "redated": Kind("Re-dated actions", "slippage", "redated", PLAN),
    "rag_over_time": Kind("RAG over time", "plans", "rag_over_time", PLAN),
    "actions_by_lead": Kind("Actions by lead", "plans", "actions_by_lead", PLAN),
    "slippage_by_lead": Kind(
        "Slippage by lead", "slippage", "slippage_by", PLAN, (("group", "lead"),)
    ),
    "slippage_by_recommendation": Kind(
        "Slippage by recommendation",
        "slippage",
        "slippage_by",
        PLAN,
        (("group", "recommendation_label"),),
    ),
    "due_dates": Kind("Due dates against the snapshot date", "slippage", "due_dates", PLAN),
    "actions": Kind("Actions", "plans", "actions_list", PLAN),
    "unreadable_due_dates": Kind("Due date unreadable", "slippage", "unreadable_due_dates", PLAN),
    "kpi": Kind("KPI trend", "metrics", "kpi", INDICATOR),
    "measure_trend": Kind(
        "Against neighbours, region and England", "compare", "measure_trend", INDICATOR
    ),
    "measure_spread": Kind(
        "Every council, with cut points", "compare", "measure_spread", INDICATOR
    ),
    "neighbours": Kind("Statistical neighbours", "compare", "neighbours", INDICATOR),
    "side_by_side": Kind(
        "Several indicators side by side", "metrics", "side_by_side", ("indicators", "area")
    ),
    "every_council": Kind("One year against every council", "metrics", "every_council", INDICATOR),
    "breakdowns": Kind("Breakdowns", "metrics", "breakdowns", INDICATOR),
}


VIEW_MODULES = ("plans", "slippage", "metrics", "compare")


def built(con, name: str, *args, **kwargs) -> View:
    """The view that the builder called ``name`` makes, in whichever module has it."""
    for module in VIEW_MODULES:
        builder = getattr(importlib.import_module(f"report.{module}"), name, None)
        if callable(builder):
            return builder(con, *args, **kwargs)
    raise NoData(f"This dashboard has no view called {name!r}.")


def build(con, kind: str, params: dict) -> View:
    """The view a stored deck slide names, with its latest data."""
    if kind not in KINDS:
        raise NoData(f"This dashboard has no view called {kind!r}.")
    return KINDS[kind].build(con, **params)


def describe(kind: str, params: dict) -> str:
    """A slide's name in a list: 'Overdue actions: Improvement plan 2026'."""
    label = KINDS[kind].label if kind in KINDS else kind
    if "indicators" in params:
        names = list(params["indicators"])
        listed = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        return f"{label}: {listed} ({params.get('area', '')})"
    if "indicator" in params:
        named = f"{params['indicator']} ({params.get('area', '')})"
        return named if kind == "kpi" else f"{label}: {named}"
    return f"{label}: {params.get('plan', '')}"
