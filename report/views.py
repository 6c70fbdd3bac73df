"""The dashboard's views: one chart or table with its heading, date and sentence.

A view is what a page section shows, what a meeting-deck slide shows and what a panel
report page holds, built once here from ``queries`` and ``charts`` so that all three say
the same thing. Each builder takes a DuckDB connection and plain parameters.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

import queries
from charts import kpi as kpi_charts
from charts import rag as rag_charts
from charts import slippage as slip_charts
from charts.compare import format_measure
from charts.theme import format_date, format_value, is_missing
from loaders.rag import RAG_LEVELS
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

    @property
    def heading(self) -> str:
        return f"{self.title}, {self.as_of}" if self.as_of else self.title


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


def _as_of(con, plan: str, as_of: dt.date | None) -> dt.date:
    """The snapshot to show: the one asked for, else the plan's latest."""
    dates = queries.snapshots(con, plan)
    if not dates:
        raise NoData(f"No action plan called {plan!r} is loaded.")
    if as_of is None:
        return dates[-1]
    if as_of not in dates:
        raise NoData(f"{plan} has no snapshot as of {date_text(as_of)}.")
    return as_of


def _previous(con, plan: str, as_of: dt.date) -> dt.date | None:
    earlier = [d for d in queries.snapshots(con, plan) if d < as_of]
    return earlier[-1] if earlier else None


# Action plans ---------------------------------------------------------------------------


def most_red_text(red: pd.Series) -> str:
    """Which recommendations have the most Red actions, ties named together:
    'Recommendation 8 has the most Red actions (3).', 'Recommendations 2 and 8 have the most
    Red actions (1 each).', '5 recommendations have 1 Red action each.'"""
    most = int(red.max())
    top = [str(name) for name, n in red.items() if n == most]
    if len(top) == 1:
        return f"{top[0]} has the most Red actions ({most})."
    if len(top) > 3:
        return f"{len(top)} recommendations have {plural(most, 'Red action')} each."
    names = [t.removeprefix("Recommendation ") for t in top]
    listed = ", ".join(names[:-1]) + f" and {names[-1]}"
    word = "Recommendations " if all(t.startswith("Recommendation ") for t in top) else ""
    if not word:
        listed = ", ".join(top[:-1]) + f" and {top[-1]}"
    return f"{word}{listed} have the most Red actions ({most} each)."


def rag_counts_text(counts: pd.Series) -> str:
    """'8 Complete, 10 Green, 6 Amber, 3 Red' in RAG order, leaving out zeros."""
    return ", ".join(
        f"{int(counts.get(level, 0))} {level}" for level in RAG_LEVELS if counts.get(level, 0)
    )


def overview(con, plan: str, as_of: dt.date | None = None) -> View:
    """The plan's headline figures at a snapshot, over its snapshots so far."""
    as_of = _as_of(con, plan, as_of)
    rows = queries.actions(con, plan, as_of)
    slip = queries.slippage(con, plan, as_of=as_of)
    counts = rows["rag"].value_counts()
    total = len(rows)
    complete = int(counts.get("Complete", 0))
    overdue = int(slip["overdue"].sum())
    unreadable = int((slip["due_date_status"] == UNREADABLE).sum())
    redated = int((slip["days_redated"] > 0).sum())
    previous = _previous(con, plan, as_of)
    redated_now = queries.redated_between(con, plan, previous, as_of) if previous else 0
    share = f"{100 * complete / total:.0f}%" if total else "0%"
    summary = (
        f"{plural(total, 'action')}: {rag_counts_text(counts)}. {complete} of {total} "
        f"({share}) are complete; {overdue} of {total} {'is' if overdue == 1 else 'are'} overdue; "
        + (
            f"{unreadable} {'has' if unreadable == 1 else 'have'} a due date that cannot be read; "
            if unreadable
            else ""
        )
        + f"{redated} {'has' if redated == 1 else 'have'} been "
        "re-dated since first planned"
        + (f", {redated_now} of them since {date_text(previous)}." if previous else ".")
    )
    history = queries.rag_over_time(con, plan)
    history = history[pd.to_datetime(history["as_of"]).dt.date <= as_of]
    facts = [
        ("Actions", str(total)),
        ("Complete", f"{complete} ({share})"),
        ("Red", str(int(counts.get("Red", 0)))),
        ("Amber", str(int(counts.get("Amber", 0)))),
        ("Overdue", str(overdue)),
        *([("Due date unreadable", str(unreadable))] if unreadable else []),
        ("Re-dated", str(redated)),
    ]
    table = pd.DataFrame([dict(facts)])
    return View(
        f"{plan}: where the plan stands",
        f"as of {date_text(as_of)}",
        summary,
        rag_charts.rag_over_time(history),
        table,
        key="overview",
    )


def rag_by_recommendation(
    con, plan: str, as_of: dt.date | None = None, **filters: str | None
) -> View:
    as_of = _as_of(con, plan, as_of)
    by_rec = queries.rag_by_recommendation(con, plan, as_of, **filters)
    counts = by_rec.groupby("rag")["count"].sum()
    total = int(by_rec["count"].sum())
    # Recommendations are told apart by section too: "Ofsted rec 1" and "Service finding 1".
    keys = [
        rag_charts.recommendation_key(s, r)
        for s, r in zip(by_rec["section"], by_rec["recommendation_ref"], strict=True)
    ]
    order = rag_charts.recommendation_order(keys)
    short = rag_charts.recommendation_labels(order)
    named = rag_charts.recommendation_labels(order, word="Recommendation")
    by_rec = by_rec.assign(label=[short[k] for k in keys], named=[named[k] for k in keys])
    # Actions under no recommendation (a register's items) are never "a recommendation".
    numbered = by_rec["recommendation_ref"] != "–"
    red = by_rec[(by_rec["rag"] == "Red") & numbered].groupby("named", sort=False)["count"].sum()
    worst = red.sort_values(kind="stable")
    summary = f"{plural(total, 'action')} shown: {rag_counts_text(counts)}."
    if len(worst):
        summary += " " + most_red_text(worst)
    position = {short[k]: i for i, k in enumerate(order)}
    table = (
        by_rec.sort_values("label", key=lambda labels: labels.map(position), kind="stable")[
            ["label", "recommendation", "rag", "count"]
        ]
        .rename(
            columns={
                "label": "Recommendation",
                "recommendation": "Text",
                "rag": "RAG",
                "count": "Actions",
            }
        )
        .reset_index(drop=True)
    )
    return View(
        "RAG by recommendation",
        f"as of {date_text(as_of)}",
        summary,
        rag_charts.rag_by_recommendation(by_rec),
        table,
        ("RAG",),
        key="by_rec",
    )


def rag_movement(
    con, plan: str, before: dt.date | None = None, after: dt.date | None = None
) -> View:
    """Which actions improved or worsened between two snapshots (by default the latest two,
    or the one before ``after`` and ``after``)."""
    after = _as_of(con, plan, after)
    before = before or _previous(con, plan, after)
    if before is None:
        return View(
            "RAG movement",
            f"as of {date_text(after)}",
            f"{plan} has one snapshot so far, so there is no movement to show yet.",
            key="movement",
        )
    moved = queries.rag_movement(con, plan, before, after)
    matrix = moved.groupby(["rag_before", "rag_after"]).size().reset_index(name="count")
    tally = moved["movement"].value_counts()
    summary = (
        f"Between {date_text(before)} and {date_text(after)}: "
        f"{plural(int(tally.get('Improved', 0)), 'action')} improved, "
        f"{int(tally.get('Worsened', 0))} worsened and {int(tally.get('No change', 0))} did not change."
    )
    moved_rows = moved[moved["movement"] != "No change"]
    changed = moved_rows[["ref", "movement", "rag_before", "rag_after", "lead", "action"]].rename(
        columns={
            "ref": "Ref",
            "movement": "Movement",
            "rag_before": "Before",
            "rag_after": "After",
            "lead": "Lead",
            "action": "Action",
        }
    )
    figure = rag_charts.rag_movement(
        matrix, before_label=f"RAG at {date_text(before)}", after_label=f"RAG at {date_text(after)}"
    )
    return View(
        "RAG movement since the previous snapshot",
        f"{date_text(before)} to {date_text(after)}",
        summary,
        figure,
        changed,
        ("Before", "After"),
        key="movement",
        sources=action_sources(moved_rows),
    )


def _sections(df: pd.DataFrame) -> bool:
    """Whether the rows come from several sections, whose refs may repeat ("1.1" in each)."""
    return "section" in df and df["section"].nunique(dropna=False) > 1


def _action_ref(row: pd.Series, sections: bool) -> str:
    """An action as a sentence names it: its ref ("Ofsted rec 1 action 1.1" where sections
    repeat refs), or its text when it has no ref (a register's project or risk)."""
    ref = row.get("ref")
    if not isinstance(ref, str) or not ref:
        text = str(row.get("action") or "")
        return f"'{text if len(text) <= 40 else text[:39].rstrip() + '…'}'"
    label = row.get("recommendation_label") if sections else None
    return f"{label} action {ref}" if isinstance(label, str) else ref


def slippage_table(df: pd.DataFrame) -> pd.DataFrame:
    """Slippage rows as people read them: dates in words, leads named, columns titled; with
    each action's recommendation ("Ofsted rec 1") where several sections repeat refs."""
    out = df.copy()
    out["first_due_date"] = out["first_due_date"].map(date_text)
    status = df["due_date_status"] if "due_date_status" in df else [None] * len(df)
    out["due_date"] = [due_text(d, s) for d, s in zip(df["due_date"], status, strict=True)]
    rec = ["Rec"] if _sections(df) and "recommendation_label" in df else []
    return out.rename(
        columns={
            "ref": "Ref", "action": "Action", "lead": "Lead", "rag": "RAG", "timescale": "Timescale",
            "due_date": "Due", "first_due_date": "First due", "days_overdue": "Days overdue",
            "days_redated": "Days re-dated", "recommendation_label": "Rec",
        }
    )[[*rec, "Ref", "Action", "Lead", "RAG", "Timescale", "First due", "Due", "Days re-dated", "Days overdue"]]  # fmt: skip


def action_sources(df: pd.DataFrame) -> pd.DataFrame:
    """Where each row's action text (and timescale) was read in the file, for View.sources."""
    sheets, rows = df["source_sheet"], df["source_row"]
    sources = {"Action": map(file_cell, sheets, df["action_cell"], rows)}
    if "timescale_cell" in df:
        sources["Timescale"] = map(file_cell, sheets, df["timescale_cell"], rows)
    return pd.DataFrame({k: list(v) for k, v in sources.items()})


def unreadable_list(rows: pd.DataFrame, sections: bool, most: int = 3) -> str:
    """'1.2 (timescale '13/13/2018' in cell Plan!E7) and 2.1 (...)', naming up to ``most``."""
    named = [
        f"{_action_ref(row, sections)} (timescale '{shortened(row['timescale'])}' in cell "
        f"{file_cell(row['source_sheet'], row['timescale_cell'], row['source_row'])})"
        for _, row in rows.head(most).iterrows()
    ]
    if len(rows) > most:
        named.append(plural(len(rows) - most, "other"))
    return named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"


def _unreadable_note(rows: pd.DataFrame) -> str:
    """The sentence that keeps actions whose due date cannot be read from passing as on time."""
    unread = rows[rows["due_date_status"] == UNREADABLE]
    if unread.empty:
        return ""
    n = len(unread)
    return (
        f" {plural(n, 'action has', 'actions have')} a due date that cannot be read, so "
        f"{'it' if n == 1 else 'they'} may be overdue: {unreadable_list(unread, _sections(rows))}."
    )


def overdue(con, plan: str, as_of: dt.date | None = None, lead: str | None = None) -> View:
    as_of = _as_of(con, plan, as_of)
    rows = queries.slippage(con, plan, lead, as_of)
    late = rows[rows["overdue"]].sort_values("days_overdue", ascending=False)
    who = f" led by {lead}" if lead else ""
    if late.empty:
        summary = f"None of the {plural(len(rows), 'action')}{who} is overdue."
        figure = None
    else:
        worst = late.iloc[0]
        summary = (
            f"{len(late)} of {plural(len(rows), 'action')}{who} "
            f"{'is' if len(late) == 1 else 'are'} overdue; the longest, {_action_ref(worst, _sections(rows))} "
            f"({shortened(worst['lead'], 120) or 'no lead named'}), by {int(worst['days_overdue'])} days."
        )
        figure = slip_charts.overdue_actions(late)
    return View(
        "Overdue actions",
        f"as of {date_text(as_of)}",
        summary + _unreadable_note(rows),
        figure,
        slippage_table(late),
        ("RAG",),
        key="overdue",
        sources=action_sources(late),
    )


def unreadable_table(df: pd.DataFrame) -> pd.DataFrame:
    """Actions whose due date cannot be read, with the timescale as written and its cell."""
    rec = ["Rec"] if _sections(df) and "recommendation_label" in df else []
    cells = map(file_cell, df["source_sheet"], df["timescale_cell"], df["source_row"])
    return (
        df.assign(cell=list(cells), due=UNREADABLE_DUE)
        .rename(
            columns={
                "recommendation_label": "Rec", "ref": "Ref", "action": "Action", "lead": "Lead",
                "rag": "RAG", "timescale": "Timescale as written", "cell": "Cell", "due": "Due",
            }
        )[[*rec, "Ref", "Action", "Lead", "RAG", "Timescale as written", "Cell", "Due"]]
        .reset_index(drop=True)
    )  # fmt: skip


def unreadable_due_dates(
    con, plan: str, as_of: dt.date | None = None, lead: str | None = None
) -> View:
    """Actions whose timescale holds a date that cannot be read ("13/13/2018", "31 Apr 2018",
    "By 30 April"): neither overdue nor on time until corrected, so listed where to correct."""
    as_of = _as_of(con, plan, as_of)
    rows = queries.slippage(con, plan, lead, as_of)
    unread = rows[rows["due_date_status"] == UNREADABLE]
    who = f" led by {lead}" if lead else ""
    if unread.empty:
        summary = (
            f"The due date of every one of the {plural(len(rows), 'action')}{who} can be read."
        )
    else:
        n = len(unread)
        summary = (
            f"{n} of {plural(len(rows), 'action')}{who} {'has' if n == 1 else 'have'} a due date "
            f"that cannot be read, so {'it is' if n == 1 else 'they are'} counted neither overdue "
            f"nor on time: {unreadable_list(unread, _sections(rows))}. Correct the timescale in "
            "the file and upload it again."
        )
    return View(
        "Due date unreadable",
        f"as of {date_text(as_of)}",
        summary,
        None,
        unreadable_table(unread),
        ("RAG",),
        key="unreadable",
        sources=action_sources(unread).rename(columns={"Timescale": "Timescale as written"}),
    )


def redated(con, plan: str, as_of: dt.date | None = None, lead: str | None = None) -> View:
    as_of = _as_of(con, plan, as_of)
    rows = queries.slippage(con, plan, lead, as_of)
    later = rows[rows["days_redated"] > 0].sort_values("days_redated", ascending=False)
    previous = _previous(con, plan, as_of)
    if later.empty:
        summary = "No action has been given a later due date than when it was first seen."
        figure = None
    else:
        summary = (
            f"{plural(len(later), 'action has', 'actions have')} been re-dated, by "
            f"{int(later['days_redated'].sum())} days in all; most, "
            f"{_action_ref(later.iloc[0], _sections(rows))}, by "
            f"{int(later.iloc[0]['days_redated'])} days."
        )
        if previous and not lead:
            since = queries.redated_between(con, plan, previous, as_of)
            summary += f" {plural(since, 'was', 'were')} re-dated since {date_text(previous)}."
        figure = slip_charts.redated_actions(later)
    return View(
        "Re-dated actions: first due date against current due date",
        f"as of {date_text(as_of)}",
        summary,
        figure,
        slippage_table(later),
        ("RAG",),
        key="redated",
        sources=action_sources(later),
    )


# Service metrics ------------------------------------------------------------------------


def kpi(con, indicator: str, area: str) -> View:
    """An indicator's trend for a council against its target and benchmarks."""
    info = queries.indicators(con, area)
    info = info[info["indicator"] == indicator]
    if info.empty:
        raise NoData(f"No figures for {indicator!r} in {area}.")
    row = info.iloc[0]
    unit, polarity, target = (
        None if pd.isna(row[c]) else row[c] for c in ("unit", "polarity", "target")
    )
    target = None if target is None else float(target)
    series = queries.kpi_series(con, indicator, area)
    benchmarks = queries.kpi_benchmarks(con, indicator, area)
    observed = series[series["value"].notna()]
    if observed.empty:
        return View(indicator, area, f"No figures for {indicator} in {area}.", key="trend")
    first, last = observed.iloc[0], observed.iloc[-1]
    summary = (
        f"{indicator} for {area} went from {format_value(first['value'], unit)} in "
        f"{first['period_label']} to {format_value(last['value'], unit)} in {last['period_label']}"
    )
    if target is not None:
        summary += f", against a target of {format_value(target, unit)}"
    compare = [
        f"{name} {format_value(g.iloc[-1]['value'], unit)}"
        for name, g in benchmarks.groupby("area")
        if g["value"].notna().any()
    ]
    summary += f"; latest benchmarks: {', '.join(compare)}." if compare else "."
    if polarity in kpi_charts.POLARITY_TEXT:
        summary += f" {kpi_charts.POLARITY_TEXT[polarity].capitalize()}."
    figure = kpi_charts.kpi_trend(
        series,
        title=f"{indicator}: {area}",
        unit=unit,
        target=target,
        polarity=polarity,
        benchmarks=benchmarks,
    ).update_layout(title=None, margin={"t": 40})  # the view's heading names it
    table = pd.concat(
        [
            series.assign(area=area)[["area", "period_label", "value"]],
            benchmarks[["area", "period_label", "value"]],
        ]
    )
    table = (
        table.pivot_table(index="period_label", columns="area", values="value", sort=False)
        .reset_index()
        .rename(columns={"period_label": "Period"})
    )
    if target is not None:
        table["Target"] = target
    table.columns.name = None
    return View(
        indicator, f"{area}, to {last['period_label']}", summary, figure, table, key="trend"
    )


def national_text(row: pd.Series, area: str) -> str:
    """A linked indicator's national comparison, in the national measure's own year (a row
    of ``queries.national_comparisons``): 'National (LAIT), 2025: 95%, rank 47 of 151,
    band B; neighbours 91.7%, Yorkshire and the Humber 92%, England 90%'."""
    source = "National (LAIT)" if row["in_dictionary"] else "National"

    def figure(value: object) -> str:
        return format_measure(value, row["unit"], row["dps"])

    if pd.isna(row["value"]):
        return f"{source}: {area} has no figure in the national set for this measure"
    year, latest = row["period_label"], row["latest_period"]
    if isinstance(latest, str) and latest != year:  # the latest year has none for the area
        text = f"{source}, {latest}: no figure for {area}; {year}: {figure(row['value'])}"
    else:
        text = f"{source}, {year}: {figure(row['value'])}"
    if pd.notna(row["rank"]):
        text += f", rank {int(row['rank'])} of {int(row['ranked_count'])}"
        text += f", band {row['band']}" if isinstance(row["band"], str) else ""
    elif row["polarity"] not in kpi_charts.RANKED_POLARITIES:
        text += " (not ranked: neither higher nor lower is better)"
    beside = [f"neighbours {figure(row['sn_average'])}"] if pd.notna(row["sn_average"]) else []
    if isinstance(row["region"], str) and pd.notna(row["region_value"]):
        beside.append(f"{row['region']} {figure(row['region_value'])}")
    if pd.notna(row["england_value"]):
        beside.append(f"England {figure(row['england_value'])}")
    return text + ("; " + ", ".join(beside) if beside else "")


# The catalogue a deck chooses from ------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    label: str
    build: Callable[..., View]
    needs: tuple[str, ...]  # "plan" or "indicator" (with the area)


def _compared(name: str) -> Callable[..., View]:
    """A How we compare view (``report.compare``, which builds on this module)."""

    def build(con, indicator: str, area: str) -> View:
        from report import compare

        return getattr(compare, name)(con, indicator, area)

    return build


KINDS: dict[str, Kind] = {
    "overview": Kind("Plan overview", overview, ("plan",)),
    "rag_by_recommendation": Kind("RAG by recommendation", rag_by_recommendation, ("plan",)),
    "rag_movement": Kind("RAG movement", rag_movement, ("plan",)),
    "overdue": Kind("Overdue actions", overdue, ("plan",)),
    "redated": Kind("Re-dated actions", redated, ("plan",)),
    "unreadable_due_dates": Kind("Due date unreadable", unreadable_due_dates, ("plan",)),
    "kpi": Kind("KPI trend", kpi, ("indicator", "area")),
    "measure_trend": Kind(
        "Against neighbours, region and England", _compared("measure_trend"), ("indicator", "area")
    ),
    "measure_spread": Kind(
        "Every council, with cut points", _compared("measure_spread"), ("indicator", "area")
    ),
    "neighbours": Kind("Statistical neighbours", _compared("neighbours"), ("indicator", "area")),
}


def build(con, kind: str, params: dict) -> View:
    """The view a stored deck slide names, with its latest data."""
    if kind not in KINDS:
        raise NoData(f"This dashboard has no view called {kind!r}.")
    return KINDS[kind].build(con, **params)


def describe(kind: str, params: dict) -> str:
    """A slide's name in a list: 'Overdue actions: Improvement plan 2026'."""
    label = KINDS[kind].label if kind in KINDS else kind
    if "indicator" in params:
        named = f"{params['indicator']} ({params.get('area', '')})"
        return named if kind == "kpi" else f"{label}: {named}"
    return f"{label}: {params.get('plan', '')}"
