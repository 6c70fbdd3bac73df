"""Overview: each plan's state and the KPI tiles, every figure linking to its explanation."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from charts.kpi import delta_colour, sparkline
from charts.theme import format_change, format_value, is_missing
from report.metrics import national_text
from report.metrics import standing as standing_text

ui.ensure_navigation()
st.title("Overview")
st.header("Action plans", divider="gray")
plans = ui.query("plan_overview")
if plans.empty:
    ui.empty_state("No action plan is loaded yet.", "Upload an action plan")


def _delta(delta) -> str | None:
    """'+2', '-1' or 'no change' (st.metric reads the leading sign for its arrow)."""
    if delta is None or pd.isna(delta):
        return None
    return f"{int(delta):+d}" if delta else "no change"


def _colour(delta, more_is: str) -> str:
    """st.metric's delta colour: 'normal' where more is better, 'inverse' where more is
    worse, and 'off' (grey) for no change, which is neither."""
    return "off" if delta is None or pd.isna(delta) or delta == 0 else more_is


for plan in plans.itertuples():
    st.subheader(ui.literal(plan.plan))
    previous = ui.date_text(plan.previous_as_of)
    st.caption(
        f"Latest snapshot {ui.date_text(plan.as_of)}"
        + (f", compared with {previous}" if previous else "")
    )
    tiles = [  # label, value, its change, more is better or worse, where it is explained, what
        ("Actions", plan.actions, None, "off", "pages/rag_progress.py", None, ""),
        (f"Complete ({plan.pct_complete:.0f}%)", plan.complete, plan.complete_change, "normal", "pages/rag_progress.py", {"rag": "Complete"}, "complete "),
        ("Green: on track", plan.green, plan.green_change, "normal", "pages/rag_progress.py", {"rag": "Green"}, "Green "),
        ("Amber: some slippage", plan.amber, plan.amber_change, "inverse", "pages/rag_progress.py", {"rag": "Amber"}, "Amber "),
        ("Red: off track", plan.red, plan.red_change, "inverse", "pages/rag_progress.py", {"rag": "Red"}, "Red "),
        ("Overdue", plan.overdue, plan.overdue_change, "inverse", "pages/slippage.py", None, "overdue "),
        ("Re-dated", plan.redated, plan.redated_change, "inverse", "pages/slippage.py", None, "re-dated "),
    ]  # fmt: skip
    for start in range(0, len(tiles), 4):
        for col, (label, value, delta, more_is, target, extra, what) in zip(
            st.columns(4), tiles[start : start + 4], strict=False
        ):
            delta = None if delta is None or pd.isna(delta) else int(delta)  # one snapshot: none
            with col.container(border=True):
                st.metric(
                    label, value, delta=_delta(delta) if previous else None,
                    delta_color=_colour(delta, more_is), delta_arrow="auto" if delta else "off",
                    delta_description=f"since {previous[:-5]}" if previous and delta is not None else None,
                )  # fmt: skip
                st.page_link(
                    target,
                    # a link's name says which figure it explains: "Explain the 9 complete actions"
                    label=f"Explain the {ui.plural(int(value), what + 'action')}",
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
            "them)"
            + ("." if ui.presenting() else "; the council's own KPIs appear here once its KPI "
               "return is uploaded."),
            "Upload a KPI return",
        )  # fmt: skip
    else:
        ui.empty_state("No service metrics are loaded yet.", "Upload a KPI return")
else:
    national = ui.query("national_comparisons", area).set_index("indicator")

    def benchmarks(indicator: str) -> pd.DataFrame:
        return ui.query("kpi_benchmarks", indicator, area)

    def standing(tile, polarity, benchmarks: pd.DataFrame) -> str:
        """'Not rated: 92.4% is below the target of 95%; better than England (90%)'."""
        target = None if is_missing(tile.target) else float(tile.target)
        text = standing_text(pd.Series(tile._asdict()), tile.unit, polarity, target, benchmarks)
        words = text.split(", not rated: ", 1)[-1]
        return f"{words[:1].upper()}{words[1:]} ({tile.period_label})."

    cols = st.columns(3)
    for i, tile in enumerate(tiles.itertuples()):
        change = None
        if tile.change is not None and not pd.isna(tile.change):
            # the sign leads, as st.metric reads it for the arrow; the period is file text
            change = format_change(tile.change, tile.unit) if tile.change else "no change"
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
                delta_color="off" if change == "no change" else delta_colour(tile.polarity),
                delta_arrow="off" if change == "no change" else "auto",
                delta_description=f"on {ui.literal(tile.previous_period)}" if change else None,
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
                if tile.rag != "Not rated"
                # no RAG: where the figure stands against its target and benchmarks, in words
                else ui.literal(standing(tile, tile.polarity, benchmarks(tile.indicator)))
            )
            if tile.indicator in national.index:
                # the linked national measure's own year, never mixed into our series
                st.caption(ui.literal(national_text(national.loc[tile.indicator], area)))
            st.page_link(
                "pages/kpi_trends.py",
                label=f"See the trend of {ui.literal(tile.indicator)}",
                icon=":material/arrow_forward:",
                query_params={"indicator": tile.indicator, "area": area},
            )
