"""Overview: each plan's state and the KPI tiles, every figure linking to its explanation."""

from __future__ import annotations

import streamlit as st

import ui
from charts.theme import format_value

st.title("Overview")

plans = ui.query("plan_overview")
st.header("Action plans", divider="gray")
if plans.empty:
    st.info("No action plan is loaded yet.")
    st.page_link("pages/upload.py", label="Upload an action plan", icon=":material/upload_file:")
for plan in plans.itertuples():
    st.subheader(plan.plan)
    previous = (
        f" (previous {ui.date_text(plan.previous_as_of)})"
        if ui.date_text(plan.previous_as_of)
        else ""
    )
    st.caption(f"Latest snapshot {ui.date_text(plan.as_of)}{previous}")
    cols = st.columns(6)
    changes = plan.previous_as_of is not None and str(plan.previous_as_of) != "NaT"
    figures = [
        ("Actions", plan.actions, None, "off", "pages/rag_progress.py"),
        ("Complete", f"{plan.complete} ({plan.pct_complete:g}%)", plan.complete_change if changes else None, "normal", "pages/rag_progress.py"),
        ("Red (off track)", plan.red, plan.red_change if changes else None, "inverse", "pages/rag_progress.py"),
        ("Amber (some slippage)", plan.amber, None, "off", "pages/rag_progress.py"),
        ("Overdue", plan.overdue, None, "off", "pages/slippage.py"),
        ("Re-dated", plan.redated, None, "off", "pages/slippage.py"),
    ]  # fmt: skip
    for col, (label, value, delta, colour, target) in zip(cols, figures, strict=True):
        with col:
            st.metric(
                label,
                value,
                delta=None
                if delta is None or delta != delta
                else f"{int(delta):+d} since {ui.date_text(plan.previous_as_of)}",
                delta_color=colour,
                border=True,
            )
            st.page_link(
                target,
                label="Explain",
                icon=":material/arrow_forward:",
                query_params={"plan": plan.plan},
            )

area = ui.query("default_area")
st.header("Service metrics" + (f": {area}" if area else ""), divider="gray")
tiles = ui.query("kpi_tiles", area) if area else None
if tiles is None or tiles.empty:
    st.info("No service metrics are loaded yet.")
    st.page_link("pages/upload.py", label="Upload a KPI return", icon=":material/upload_file:")
else:
    DELTA_COLOUR = {"higher": "normal", "lower": "inverse"}
    cols = st.columns(4)
    for i, tile in enumerate(tiles.itertuples()):
        with cols[i % 4]:
            change = None
            if tile.change == tile.change and tile.change is not None:
                sign = "+" if tile.change > 0 else ""
                change = f"{sign}{format_value(tile.change, tile.unit)} on {tile.previous_period}"
            target = (
                f", target {format_value(tile.target, tile.unit)}"
                if tile.target == tile.target and tile.target is not None
                else ""
            )
            history = [v for v in (tile.history if tile.history is not None else []) if v == v]
            st.metric(
                tile.indicator,
                format_value(tile.value, tile.unit),
                delta=change,
                delta_color=DELTA_COLOUR.get(tile.polarity, "off"),
                border=True,
                chart_data=history if len(history) > 1 else None,
                help=f"{tile.period_label}. RAG {tile.rag}{target}.",
            )
            st.markdown(f"**RAG: {tile.rag}** · {tile.period_label}{target}")
            st.page_link(
                "pages/kpi_trends.py",
                label="See the trend",
                icon=":material/arrow_forward:",
                query_params={"indicator": tile.indicator, "area": area},
            )
