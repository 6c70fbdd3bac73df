"""Slippage: overdue actions, re-dated actions, slippage by lead and recommendation, due dates."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from charts import slippage as slip_charts

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
    f"{plan}, latest snapshot as of {ui.date_text(as_of)}" + (f", lead: {lead}" if lead else "")
)

overdue = rows[rows["overdue"]].sort_values("days_overdue", ascending=False)
redated = rows[rows["days_redated"] > 0].sort_values("days_redated", ascending=False)
cols = st.columns(3)
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


def readable(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for column in ("due_date", "first_due_date"):
        out[column] = out[column].map(ui.date_text)
    return out.rename(
        columns={
            "ref": "Ref", "action": "Action", "lead": "Lead", "rag": "RAG", "timescale": "Timescale",
            "due_date": "Due", "first_due_date": "First due", "days_overdue": "Days overdue",
            "days_redated": "Days re-dated", "recommendation_ref": "Rec",
        }
    )[["Ref", "Action", "Lead", "RAG", "Timescale", "First due", "Due", "Days re-dated", "Days overdue"]]  # fmt: skip


st.subheader("Overdue actions")
if overdue.empty:
    st.success(f"No action is overdue as of {ui.date_text(as_of)}.")
else:
    worst = overdue.iloc[0]
    text = (
        f"{ui.plural(len(overdue), 'action is', 'actions are')} overdue; the longest, {worst['ref']} "
        f"({worst['lead']}), by {int(worst['days_overdue'])} days."
    )
    ui.chart(slip_charts.overdue_actions(overdue), text, key="overdue")
    st.dataframe(ui.rag_table(readable(overdue)), hide_index=True, width="stretch")
    ui.table_downloads(readable(overdue), "overdue_actions")

st.subheader("Re-dated actions: first due date against current due date")
if redated.empty:
    st.success("No action has been given a later due date than when it was first seen.")
else:
    text = (
        f"{ui.plural(len(redated), 'action has', 'actions have')} been re-dated, by "
        f"{int(redated['days_redated'].sum())} days in all; most, {redated.iloc[0]['ref']}, by "
        f"{int(redated.iloc[0]['days_redated'])} days."
    )
    ui.chart(slip_charts.redated_actions(redated), text, readable(redated), key="redated")

st.subheader("Slippage by lead and by recommendation")
for group, label in (("lead", "Lead"), ("recommendation_ref", "Recommendation")):
    names = rows[group].fillna("None named").astype(str)
    if group == "recommendation_ref":
        names = "Rec " + names
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

st.subheader("Due dates against the snapshot date")
dated = rows[rows["due_date"].notna()]
undated = len(rows) - len(dated)
text = (
    f"{len(dated)} dated actions: {int((dated['due_date'] < pd.Timestamp(as_of)).sum())} were due before "
    f"{ui.date_text(as_of)}"
    + (f"; {undated} recurring or undated actions are not shown." if undated else ".")
)
ui.chart(slip_charts.due_timeline(dated, as_of), text, readable(dated), key="timeline")
