"""Slippage: overdue actions, re-dated actions, slippage by lead and recommendation, due dates."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from loaders.timescale import UNREADABLE
from report.slippage import SLIPPAGE_GROUPS

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
cols[2].metric(
    "Most days re-dated",
    int(redated["days_redated"].max()) if len(redated) else 0,
    border=True,
    help="The longest any one action's due date has moved since it was first seen.",
)
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

for group in SLIPPAGE_GROUPS:
    ui.show(ui.view("slippage_by", plan, group, lead=lead))
ui.show(ui.view("due_dates", plan, lead=lead))
