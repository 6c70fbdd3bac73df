"""Overview: each plan's state and the KPI tiles, every figure linking to its explanation."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from charts.kpi import delta_colour, sparkline
from charts.theme import format_value, is_missing
from report.views import national_text

ui.ensure_navigation()
st.title("Overview")
st.header("Action plans", divider="gray")
plans = ui.query("plan_overview")
if plans.empty:
    ui.empty_state("No action plan is loaded yet.", "Upload an action plan")


def _since(delta, previous) -> str | None:
    if delta is None or pd.isna(delta) or previous is None or pd.isna(previous):
        return None
    return f"{int(delta):+d} since {ui.date_text(previous)[:-5]}"


for plan in plans.itertuples():
    st.subheader(ui.literal(plan.plan))
    previous = ui.date_text(plan.previous_as_of)
    st.caption(
        f"Latest snapshot {ui.date_text(plan.as_of)}"
        + (f", compared with {previous}" if previous else "")
    )
    figures = [
        ("Actions", plan.actions, None, "off", "pages/rag_progress.py", None),
        (f"Complete ({plan.pct_complete:.0f}%)", plan.complete, _since(plan.complete_change, plan.previous_as_of), "normal", "pages/rag_progress.py", {"rag": "Complete"}),
        ("Red: off track", plan.red, _since(plan.red_change, plan.previous_as_of), "inverse", "pages/rag_progress.py", {"rag": "Red"}),
        ("Amber: some slippage", plan.amber, None, "off", "pages/rag_progress.py", {"rag": "Amber"}),
        ("Overdue", plan.overdue, None, "off", "pages/slippage.py", None),
        ("Re-dated", plan.redated, None, "off", "pages/slippage.py", None),
    ]  # fmt: skip
    for start in (0, 3):
        for col, (label, value, delta, colour, target, extra) in zip(
            st.columns(3), figures[start : start + 3], strict=True
        ):
            with col.container(border=True):
                st.metric(label, value, delta=delta, delta_color=colour)
                st.page_link(
                    target,
                    label="Explain",
                    icon=":material/arrow_forward:",
                    query_params={"plan": plan.plan, **(extra or {})},
                )

area = ui.query("default_area")
st.header("Service metrics" + (f": {ui.literal(area)}" if area else ""), divider="gray")
# The council's own indicators: the national data set's hundreds are on How we compare.
tiles = ui.query("kpi_tiles", area, dictionary=False) if area else None
if tiles is None or tiles.empty:
    if area and not ui.query("kpi_tiles", area).empty:
        ui.empty_state(
            f"Only national measures are loaded for {ui.literal(area)} (How we compare shows "
            "them); the council's own KPIs appear here once its KPI return is uploaded.",
            "Upload a KPI return",
        )
    else:
        ui.empty_state("No service metrics are loaded yet.", "Upload a KPI return")
else:
    national = ui.query("national_comparisons", area).set_index("indicator")
    cols = st.columns(3)
    for i, tile in enumerate(tiles.itertuples()):
        change = None
        if tile.change is not None and not pd.isna(tile.change):
            sign = "+" if tile.change > 0 else ""
            # the sign leads, as st.metric reads it for the arrow; the period is file text
            change = f"{sign}{format_value(tile.change, tile.unit)} on {ui.literal(tile.previous_period)}"
        has_target = tile.target is not None and not pd.isna(tile.target)
        target = f" · target {format_value(tile.target, tile.unit)}" if has_target else ""
        history = [
            v for v in (tile.history if tile.history is not None else []) if not is_missing(v)
        ]
        with cols[i % 3].container(border=True):
            st.metric(
                ui.literal(tile.indicator),
                format_value(tile.value, tile.unit),
                delta=change,
                delta_color=delta_colour(tile.polarity),
            )
            if len(history) > 1:
                # Our own sparkline rather than st.metric's, which has no text alternative.
                trend = ", ".join(format_value(v, tile.unit) for v in history)
                st.plotly_chart(
                    sparkline(history), width="stretch", theme=None, alt=f"Trend: {trend}",
                    key=f"spark_{i}", config={"staticPlot": True},
                )  # fmt: skip
            st.markdown(
                f"**RAG: {ui.literal(tile.rag)}** · {ui.literal(tile.period_label)}{target}"
            )
            if tile.indicator in national.index:
                # the linked national measure's own year, never mixed into our series
                st.caption(ui.literal(national_text(national.loc[tile.indicator], area)))
            st.page_link(
                "pages/kpi_trends.py",
                label="See the trend",
                icon=":material/arrow_forward:",
                query_params={"indicator": tile.indicator, "area": area},
            )
