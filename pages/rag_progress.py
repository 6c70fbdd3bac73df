"""Action plan progress: RAG by recommendation, over time, movement, by lead, and the actions."""

from __future__ import annotations

import streamlit as st

import ui
from charts import rag as rag_charts
from loaders.timescale import UNREADABLE
from report.views import UNREADABLE_DUE, due_text, unreadable_list

ui.ensure_navigation()
st.title("Action plan progress")
plan = ui.choose_plan()

with st.sidebar:
    dates = ui.query("snapshots", plan)
    as_of = ui.url_select("Snapshot", list(reversed(dates)), "as_of", format_func=ui.date_text)
    options = ui.query("filter_options", plan, as_of)
    section = (
        ui.url_select("Section", options["section"], "section", allow_all="All sections")
        if options["section"]
        else None
    )
    recommendation = ui.url_select(
        "Recommendation",
        options["recommendation"],
        "rec",
        allow_all="All recommendations",
        # a bare number reads "Recommendation 4"; a section's label ("Service finding 1") as it is
        format_func=lambda r: f"Recommendation {r}" if str(r).isdigit() else str(r),
    )
    lead = ui.url_select("Lead", options["lead"], "lead", allow_all="All leads")
    rag = ui.url_select("RAG", options["rag"], "rag", allow_all="All ratings")
filters = {"section": section, "recommendation": recommendation, "lead": lead, "rag": rag}

st.caption(f"{ui.literal(plan)}, as of {ui.date_text(as_of)}")

ui.show(ui.view("rag_by_recommendation", plan, as_of, **filters))

st.subheader(f"RAG over time, {ui.plural(len(dates), 'snapshot')} to {ui.date_text(dates[-1])}")
over_time = ui.query("rag_over_time", plan)
complete = (
    over_time[over_time["rag"] == "Complete"]
    .set_index("as_of")["count"]
    .reindex(sorted(set(over_time["as_of"])), fill_value=0)
)
trend = (
    f"Complete actions went from {int(complete.iloc[0])} on {ui.date_text(complete.index[0])} to "
    f"{int(complete.iloc[-1])} on {ui.date_text(complete.index[-1])}, over {len(dates)} snapshots."
    if len(complete) > 1
    else f"{ui.plural(len(dates), 'snapshot')} loaded."
)
table = over_time.assign(as_of=over_time["as_of"].map(ui.date_text)).rename(
    columns={"as_of": "Snapshot", "rag": "RAG", "count": "Actions"}
)
ui.chart(rag_charts.rag_over_time(over_time), trend, table, key="over_time")

if len(dates) < 2:
    st.subheader("RAG movement")
    st.info("Load a second snapshot of this plan to see which actions improved or worsened.")
else:
    left, right = st.columns(2)
    before = ui.url_select(
        "From", dates[:-1], "from", default=dates[-2], format_func=ui.date_text, container=left
    )
    after = ui.url_select(
        "To",
        [d for d in dates if d > before],
        "to",
        default=dates[-1],
        format_func=ui.date_text,
        container=right,
    )
    ui.show(ui.view("rag_movement", plan, before, after), full_table=True, name="rag_movement")

st.subheader(f"Actions by lead, as of {ui.date_text(as_of)}")
by_lead = ui.query("actions_by_lead", plan, as_of)
busiest = by_lead.groupby("lead")["count"].sum().sort_values(ascending=False)
lead_text = (
    f"{len(busiest)} leads; {busiest.index[0]} leads the most actions ({int(busiest.iloc[0])})."
    if len(busiest)
    else "No leads named."
)
ui.chart(
    rag_charts.actions_by_lead(by_lead),
    lead_text,
    by_lead.rename(columns={"lead": "Lead", "rag": "RAG", "count": "Actions"}),
    key="by_lead",
)

st.subheader(f"Actions, as of {ui.date_text(as_of)}")
table = ui.query("actions", plan, as_of, **filters)
unreadable = table[table["due_date_status"] == UNREADABLE]
table = table.assign(
    due_date=list(map(due_text, table["due_date"], table["due_date_status"]))
).drop(columns=["due_date_status", "timescale_cell", "action_cell"])
table = table.rename(
    columns={
        "section": "Section", "recommendation_ref": "Rec", "recommendation": "Recommendation", "ref": "Ref",
        "action": "Action", "lead": "Lead", "timescale": "Timescale", "due_date": "Due", "rag": "RAG",
        "progress": "Progress", "source_sheet": "Sheet", "source_row": "Row",
    }
)  # fmt: skip
if table["Section"].isna().all():
    table = table.drop(columns=["Section"])
unreadable_text = (
    f" {len(unreadable)} {'has' if len(unreadable) == 1 else 'have'} a due date that cannot be "
    f"read ('{UNREADABLE_DUE}' under Due): {unreadable_list(unreadable, sections=False)}."
    if len(unreadable)
    else ""
)
st.caption(
    ui.literal(
        f"{ui.plural(len(table), 'action')}. Sheet and row say where each came from in the "
        f"uploaded file.{unreadable_text}"
    )
)
ui.table(table)
ui.table_downloads(table, "actions")
