"""Action plan views: where a plan stands, RAG by recommendation, over time and movement
between snapshots, actions by lead and the actions themselves. Each builder takes a DuckDB
connection and plain parameters and returns a ``report.views.View``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

import queries
from charts import rag as rag_charts
from loaders.rag import RAG_LEVELS
from loaders.timescale import UNREADABLE
from report.slippage import (
    action_sources,
    chosen_snapshot,
    more_text,
    previous_snapshot,
    unreadable_list,
)
from report.views import (
    MOST_BARS,
    UNREADABLE_DUE,
    NoData,
    View,
    date_text,
    due_text,
    first_on_projector,
    plural,
)


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
    as_of = chosen_snapshot(con, plan, as_of)
    rows = queries.actions(con, plan, as_of)
    slip = queries.slippage(con, plan, as_of=as_of)
    counts = rows["rag"].value_counts()
    total = len(rows)
    complete = int(counts.get("Complete", 0))
    overdue = int(slip["overdue"].sum())
    unreadable = int((slip["due_date_status"] == UNREADABLE).sum())
    redated = int((slip["days_redated"] > 0).sum())
    previous = previous_snapshot(con, plan, as_of)
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
    as_of = chosen_snapshot(con, plan, as_of)
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
        **first_on_projector(
            len(order),
            "recommendations, most Red and Amber actions first",
            lambda n: rag_charts.rag_by_recommendation(
                by_rec[by_rec["label"].isin(_worst(by_rec, n))]
            ),
        ),
    )


def _worst(by_rec: pd.DataFrame, n: int) -> list[str]:
    """The ``n`` recommendations (chart labels) with the most Red, then Amber, actions."""
    open_ = by_rec.assign(
        red=by_rec["count"].where(by_rec["rag"] == "Red", 0),
        amber=by_rec["count"].where(by_rec["rag"] == "Amber", 0),
    )
    totals = open_.groupby("label", sort=False)[["red", "amber"]].sum()
    return list(totals.sort_values(["red", "amber"], ascending=False, kind="stable").index[:n])


def rag_movement(
    con, plan: str, before: dt.date | None = None, after: dt.date | None = None
) -> View:
    """Which actions improved or worsened between two snapshots (by default the latest two,
    or the one before ``after`` and ``after``)."""
    after = chosen_snapshot(con, plan, after)
    before = before or previous_snapshot(con, plan, after)
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
        present_columns=("Ref", "Movement", "Before", "After", "Action"),
        present_rows=6,
    )


def rag_over_time(con, plan: str) -> View:
    """RAG counts at every snapshot so far."""
    dates = queries.snapshots(con, plan)
    if not dates:
        raise NoData(f"No action plan called {plan!r} is loaded.")
    over_time = queries.rag_over_time(con, plan)
    complete = (
        over_time[over_time["rag"] == "Complete"]
        .set_index("as_of")["count"]
        .reindex(sorted(set(over_time["as_of"])), fill_value=0)
    )
    summary = (
        f"Complete actions went from {int(complete.iloc[0])} on {date_text(complete.index[0])} "
        f"to {int(complete.iloc[-1])} on {date_text(complete.index[-1])}, over "
        f"{plural(len(dates), 'snapshot')}."
        if len(complete) > 1
        else f"{plural(len(dates), 'snapshot')} loaded, as of {date_text(dates[-1])}: "
        "a second shows how the plan moves."
    )
    table = over_time.assign(as_of=over_time["as_of"].map(date_text)).rename(
        columns={"as_of": "Snapshot", "rag": "RAG", "count": "Actions"}
    )
    return View(
        "RAG over time",
        f"{plural(len(dates), 'snapshot')} to {date_text(dates[-1])}",
        summary,
        rag_charts.rag_over_time(over_time),
        table,
        ("RAG",),
        key="over_time",
    )


def actions_by_lead(con, plan: str, as_of: dt.date | None = None) -> View:
    """How many actions each lead holds, by RAG, the busiest first."""
    as_of = chosen_snapshot(con, plan, as_of)
    by_lead = queries.actions_by_lead(con, plan, as_of)
    busiest = by_lead.groupby("lead")["count"].sum().sort_values(ascending=False, kind="stable")
    if busiest.empty:
        summary = "No actions in this snapshot."
    else:
        most = int(busiest.iloc[0])
        top = [str(lead) for lead, n in busiest.items() if n == most]
        who = (
            f"{top[0]} leads the most actions ({most})"
            if len(top) == 1
            else f"{', '.join(top[:-1])} and {top[-1]} lead the most actions ({most} each)"
            if len(top) <= 3
            else f"{len(top)} leads have {plural(most, 'action')} each"
        )
        summary = f"{plural(len(busiest), 'lead')}; {who}." + more_text(
            MOST_BARS, len(busiest), "lead"
        )
    shown = by_lead[by_lead["lead"].isin(busiest.index[:MOST_BARS])]
    return View(
        "Actions by lead",
        f"as of {date_text(as_of)}",
        summary,
        rag_charts.actions_by_lead(shown),
        by_lead.rename(columns={"lead": "Lead", "rag": "RAG", "count": "Actions"}),
        ("RAG",),
        key="by_lead",
    )


ACTION_COLUMNS = {
    "section": "Section", "recommendation_ref": "Rec", "recommendation": "Recommendation",
    "ref": "Ref", "action": "Action", "lead": "Lead", "timescale": "Timescale", "due_date": "Due",
    "rag": "RAG", "progress": "Progress", "source_sheet": "Sheet", "source_row": "Row",
}  # fmt: skip


def actions_list(con, plan: str, as_of: dt.date | None = None, **filters: str | None) -> View:
    """The actions themselves, as the file has them, with where each was read."""
    as_of = chosen_snapshot(con, plan, as_of)
    rows = queries.actions(con, plan, as_of, **filters)
    unread = rows[rows["due_date_status"] == UNREADABLE]
    sources = action_sources(rows)
    table = rows.assign(due_date=list(map(due_text, rows["due_date"], rows["due_date_status"])))
    table = table.drop(columns=["due_date_status", "timescale_cell", "action_cell"]).rename(
        columns=ACTION_COLUMNS
    )
    if table["Section"].isna().all():
        table = table.drop(columns=["Section"])
    unreadable_text = (
        f" {len(unread)} {'has' if len(unread) == 1 else 'have'} a due date that cannot be "
        f"read ('{UNREADABLE_DUE}' under Due): {unreadable_list(unread, sections=False)}."
        if len(unread)
        else ""
    )
    summary = (
        f"{plural(len(table), 'action')}. Sheet and row say where each came from in the "
        f"uploaded file.{unreadable_text}"
    )
    return View(
        "Actions", f"as of {date_text(as_of)}", summary, None, table, ("RAG",), key="actions",
        sources=sources, present_columns=("Rec", "Ref", "Action", "Lead", "Due", "RAG"),
        present_rows=6,
    )  # fmt: skip
