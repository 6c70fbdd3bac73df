"""Action plan progress: RAG by recommendation, over time, movement, by lead, and the actions."""

from __future__ import annotations

import streamlit as st

import ui

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

ui.show(ui.view("rag_over_time", plan))

if len(dates) < 2:
    ui.show(ui.view("rag_movement", plan))  # says there is one snapshot so far
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

ui.show(ui.view("actions_by_lead", plan, as_of))
ui.show(ui.view("actions_list", plan, as_of, **filters), full_table=True, name="actions")
