"""Slippage views: overdue and re-dated actions, due dates that cannot be read, slippage by
lead and by recommendation, and due dates against the snapshot date; with the helpers that
name an action and say where it was read, which the plan views share.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

import queries
from charts import slippage as slip_charts
from loaders.timescale import UNREADABLE
from report.views import (
    MOST_BARS,
    UNREADABLE_DUE,
    NoData,
    View,
    date_text,
    due_text,
    file_cell,
    first_on_projector,
    plural,
    shortened,
)


def chosen_snapshot(con, plan: str, as_of: dt.date | None) -> dt.date:
    """The snapshot to show: the one asked for, else the plan's latest."""
    dates = queries.snapshots(con, plan)
    if not dates:
        raise NoData(f"No action plan called {plan!r} is loaded.")
    if as_of is None:
        return dates[-1]
    if as_of not in dates:
        raise NoData(f"{plan} has no snapshot as of {date_text(as_of)}.")
    return as_of


def previous_snapshot(con, plan: str, as_of: dt.date) -> dt.date | None:
    earlier = [d for d in queries.snapshots(con, plan) if d < as_of]
    return earlier[-1] if earlier else None


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
    as_of = chosen_snapshot(con, plan, as_of)
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
        present_columns=("Rec", "Ref", "Action", "Lead", "Due", "Days overdue", "RAG"),
        present_rows=6,
        sources=action_sources(late),
        **first_on_projector(
            len(late),
            "overdue actions, longest overdue first",
            lambda n: slip_charts.overdue_actions(late.head(n)),
        ),
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
    as_of = chosen_snapshot(con, plan, as_of)
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
        present_columns=("Rec", "Ref", "Action", "Timescale as written", "Cell"),
        present_rows=6,
        sources=action_sources(unread).rename(columns={"Timescale": "Timescale as written"}),
    )


def redated(con, plan: str, as_of: dt.date | None = None, lead: str | None = None) -> View:
    as_of = chosen_snapshot(con, plan, as_of)
    rows = queries.slippage(con, plan, lead, as_of)
    later = rows[rows["days_redated"] > 0].sort_values("days_redated", ascending=False)
    previous = previous_snapshot(con, plan, as_of)
    if later.empty:
        summary = "No action has been given a later due date than when it was first seen."
        figure = None
    else:
        summary = (
            f"{plural(len(later), 'action has', 'actions have')} been re-dated"
            + (
                f", by {plural(int(later['days_redated'].median()), 'day')} or more for half of them"
                if len(later) > 1
                else ""
            )
            + f"; most, {_action_ref(later.iloc[0], _sections(rows))}, by "
            f"{plural(int(later.iloc[0]['days_redated']), 'day')}."
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
        present_columns=("Rec", "Ref", "Action", "Lead", "First due", "Due", "Days re-dated"),
        present_rows=6,
        sources=action_sources(later),
        **first_on_projector(
            len(later),
            "re-dated actions, most re-dated first",
            lambda n: slip_charts.redated_actions(later.head(n)),
        ),
    )


def more_text(shown: int, total: int, what: str) -> str:
    """' The chart shows the 10 with the most; 14 more are in its table.' or ''."""
    if total <= shown:
        return ""
    return (
        f" The chart shows the {shown} with the most; {plural(total - shown, 'more ' + what, 'more ' + what + 's')} "
        f"{'is' if total - shown == 1 else 'are'} in its table."
    )


SLIPPAGE_GROUPS = {"lead": "Lead", "recommendation_label": "Recommendation"}


def slippage_by(
    con, plan: str, group: str, as_of: dt.date | None = None, lead: str | None = None
) -> View:
    """Overdue and re-dated actions counted by lead or by recommendation (``group``)."""
    if group not in SLIPPAGE_GROUPS:
        raise NoData(f"Slippage is counted by lead or by recommendation, not by {group!r}.")
    label = SLIPPAGE_GROUPS[group]
    as_of = chosen_snapshot(con, plan, as_of)
    rows = queries.slippage(con, plan, lead, as_of)
    # Recommendations are labelled so that the same number in two sections stays two groups.
    names = rows[group].fillna("None named").astype(str)
    grouped = (
        rows.assign(group=names, redated=rows["days_redated"] > 0)
        .groupby("group")
        .agg(overdue=("overdue", "sum"), redated=("redated", "sum"))
        .reset_index()
    )
    grouped = grouped[(grouped["overdue"] > 0) | (grouped["redated"] > 0)]
    grouped = grouped.assign(total=grouped["overdue"] + grouped["redated"]).sort_values(
        ["total", "group"], ascending=[False, True], kind="stable"
    )
    table = grouped.rename(
        columns={"group": label, "overdue": "Overdue", "redated": "Re-dated"}
    ).drop(columns="total")
    heading = f"Slippage by {label.lower()}"
    if grouped.empty:
        summary = f"No {label.lower()} has an overdue or re-dated action."
        return View(heading, f"as of {date_text(as_of)}", summary, None, table, key=f"by_{group}")
    most = int(grouped["total"].iloc[0])
    top = grouped[grouped["total"] == most]

    def named(row) -> str:
        return f"{row.group} ({int(row.overdue)} overdue, {int(row.redated)} re-dated)"

    if len(top) == 1:
        summary = f"{label} with the most slippage: {named(next(top.itertuples()))}."
    else:
        listed = [named(r) for r in top.head(3).itertuples()]
        summary = (
            f"{len(top)} {label.lower()}s share the most slippage: "
            + "; ".join(listed)
            + (f"; and {len(top) - 3} more" if len(top) > 3 else "")
            + "."
        )
    summary += more_text(MOST_BARS, len(grouped), label.lower())
    return View(
        heading,
        f"as of {date_text(as_of)}",
        summary,
        slip_charts.slippage_by(grouped.head(MOST_BARS).drop(columns="total"), label),
        table,
        key=f"by_{group}",
    )


def due_dates(con, plan: str, as_of: dt.date | None = None, lead: str | None = None) -> View:
    """Each dated action at its due date against the snapshot date."""
    as_of = chosen_snapshot(con, plan, as_of)
    rows = queries.slippage(con, plan, lead, as_of)
    dated = rows[rows["due_date"].notna()]
    unreadable = int((rows["due_date_status"] == UNREADABLE).sum())
    undated = len(rows) - len(dated) - unreadable
    not_shown = [
        *([f"{plural(unreadable, 'action')} whose due date cannot be read"] if unreadable else []),
        *([plural(undated, "recurring or undated action")] if undated else []),
    ]
    before = int((dated["due_date"] < pd.Timestamp(as_of)).sum())
    summary = (
        f"{plural(len(dated), 'dated action')}: {before} {'was' if before == 1 else 'were'} due "
        f"before {date_text(as_of)}"
        + (f"; not shown: {' and '.join(not_shown)}." if not_shown else ".")
    )
    return View(
        "Due dates against the snapshot date",
        date_text(as_of),
        summary,
        slip_charts.due_timeline(dated, as_of),
        slippage_table(dated),
        ("RAG",),
        key="timeline",
        present_columns=("Rec", "Ref", "Action", "Lead", "Due", "RAG"),
        present_rows=6,
        sources=action_sources(dated),
        **first_on_projector(
            len(dated),
            "dated actions, earliest due first",
            lambda n: slip_charts.due_timeline(dated.sort_values("due_date").head(n), as_of),
        ),
    )
