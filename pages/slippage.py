"""Slippage: overdue actions, re-dated actions, slippage by lead and recommendation, due dates."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from charts import slippage as slip_charts
from loaders.timescale import UNREADABLE
from report.views import slippage_table

ui.ensure_navigation()
st.title("Slippage")
plan = ui.choose_plan()

with st.sidebar:
    lead = ui.url_select("Lead", ui.query("leads", plan), "lead", allow_all="All leads")

rows = ui.query("slippage", plan, lead)
if rows.empty:
    st.info("No actions match this choice.")
    st.stop()
as_of = rows["as_of"].iloc[0]
as_of = as_of.date() if isinstance(as_of, pd.Timestamp) else as_of
st.caption(
    ui.literal(
        f"{plan}, latest snapshot as of {ui.date_text(as_of)}" + (f", lead: {lead}" if lead else "")
    )
)

overdue = rows[rows["overdue"]].sort_values("days_overdue", ascending=False)
redated = rows[rows["days_redated"] > 0].sort_values("days_redated", ascending=False)
unreadable = rows[rows["due_date_status"] == UNREADABLE]
cols = st.columns(4)
cols[0].metric(
    "Overdue actions",
    len(overdue),
    border=True,
    help="Due before the snapshot date and not Complete.",
)
cols[1].metric(
    "Re-dated actions", len(redated), border=True, help="Due later now than when first seen."
)
cols[2].metric("Days of slippage in all", int(redated["days_redated"].sum()), border=True)
cols[3].metric(
    "Due date unreadable",
    len(unreadable),
    border=True,
    help="A date is written in the timescale but cannot be read, so the action is counted "
    "neither overdue nor on time until the file is corrected.",
)


ui.show(ui.view("overdue", plan, lead=lead), full_table=True, name="overdue_actions")
if not unreadable.empty:
    ui.show(
        ui.view("unreadable_due_dates", plan, lead=lead),
        full_table=True,
        name="due_date_unreadable",
    )
ui.show(ui.view("redated", plan, lead=lead))

st.subheader(f"Slippage by lead and by recommendation, as of {ui.date_text(as_of)}")
# Recommendations are labelled so that the same number in two sections stays two groups.
for group, label in (("lead", "Lead"), ("recommendation_label", "Recommendation")):
    names = rows[group].fillna("None named").astype(str)
    grouped = (
        rows.assign(group=names, redated=rows["days_redated"] > 0)
        .groupby("group")
        .agg(overdue=("overdue", "sum"), redated=("redated", "sum"))
        .reset_index()
    )
    grouped = grouped[(grouped["overdue"] > 0) | (grouped["redated"] > 0)]
    if grouped.empty:
        st.info(f"No slippage by {label.lower()}.")
        continue
    top = (
        grouped.assign(total=grouped["overdue"] + grouped["redated"]).sort_values("total").iloc[-1]
    )
    text = f"{label} with the most slippage: {top['group']} ({int(top['overdue'])} overdue, {int(top['redated'])} re-dated)."
    table = grouped.rename(columns={"group": label, "overdue": "Overdue", "redated": "Re-dated"})
    ui.chart(slip_charts.slippage_by(grouped, label), text, table, key=f"by_{group}")

st.subheader(f"Due dates against the snapshot date, {ui.date_text(as_of)}")
dated = rows[rows["due_date"].notna()]
undated = len(rows) - len(dated) - len(unreadable)
not_shown = [
    *([f"{ui.plural(len(unreadable), 'action')} whose due date cannot be read (listed above)"] if len(unreadable) else []),
    *([ui.plural(undated, "recurring or undated action")] if undated else []),
]  # fmt: skip
text = (
    f"{len(dated)} dated actions: {int((dated['due_date'] < pd.Timestamp(as_of)).sum())} were due before "
    f"{ui.date_text(as_of)}" + (f"; not shown: {' and '.join(not_shown)}." if not_shown else ".")
)
ui.chart(slip_charts.due_timeline(dated, as_of), text, slippage_table(dated), key="timeline")
