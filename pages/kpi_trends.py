"""KPI trends: one indicator against target and benchmarks, several side by side, one year
against every council, and breakdowns such as churn by team.

The page is its filters (in the sidebar, kept in the address) and a view for each section
(``report.views.kpi`` and ``report.metrics``). Prompts to upload or set something up are
for officers: in presentation mode they give way to a neutral sentence, or to nothing."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import signin
import ui
from charts import kpi as kpi_charts
from charts.theme import format_value
from loaders.indicators import LINK
from report import metrics
from report.metrics import national_text
from report.views import NoData

SIDE_BY_SIDE = 6  # indicators shown side by side until some are chosen

ui.ensure_navigation()
st.title("KPI trends")
officer = not ui.presenting()
areas = ui.query("council_areas")
own = ui.query("default_area")
if not areas or own is None:
    if officer:
        ui.nothing_loaded(
            "No service metrics are loaded yet.", "Upload a KPI return or DfE statistics"
        )
    st.info("No service metrics are loaded yet.")
    st.stop()

with st.sidebar:
    st.subheader("Show")
    area = ui.url_select("Council", areas, "area", default=own)
    indicator_table = ui.query("indicators", area)
    names = list(indicator_table["indicator"])
    if not names:
        st.info(f"No figures for {ui.literal(area)} yet.")
        st.stop()
    tiles = ui.query("kpi_tiles", area)
    opening = metrics.default_indicator(indicator_table, tiles)
    indicator = ui.url_select("Indicator", names, "indicator", default=opening)
    periods = ui.query("kpi_periods", indicator)
    series = ui.query("kpi_series", indicator, area)
    ours = set(series.loc[series["value"].notna(), "period_label"])
    period = (
        ui.url_select(
            "Year against every council", periods, "period",
            default=next((p for p in periods if p in ours), None),  # the latest with our figure
        )
        if periods
        else None
    )  # fmt: skip
    with_breakdowns = ui.query("indicators_with_breakdowns", area)
    breakdown = (
        ui.url_select("Indicator with a breakdown", with_breakdowns, "breakdown", default=indicator)
        if with_breakdowns
        else None
    )
    # last: the chosen indicators' list grows downwards
    kept = ui.param("compare")
    first = names[:SIDE_BY_SIDE]
    asked = kept.split("|") if kept else st.session_state.get("keep_compare", first)
    chosen = st.multiselect(
        "Indicators side by side", names, default=[n for n in asked if n in names] or first,
        key="w_compare",
    )  # fmt: skip
    st.session_state["keep_compare"] = chosen
    ui.set_param("compare", "|".join(chosen))

info = indicator_table.set_index("indicator").loc[indicator]
unit, polarity, target, description = (
    None if pd.isna(info[c]) else info[c] for c in ("unit", "polarity", "target", "description")
)
target = None if target is None else float(target)
in_dictionary = bool(info["in_dictionary"])
latest = tiles[tiles["indicator"] == indicator]
latest = None if latest.empty else latest.iloc[0]
facts = [
    metrics.standing(latest, unit, polarity, target, ui.query("kpi_benchmarks", indicator, area))
]
if target is not None and latest is not None and latest["rag"] != "Not rated":
    facts.append(f"target {format_value(target, unit)}")  # a RAG says nothing of the target
about = kpi_charts.polarity_sentence(polarity, in_dictionary, officer=officer)
# The view's heading below names the indicator; this line says where it stands now.
st.markdown(
    f"**{ui.literal(indicator)}**, {ui.literal(area)}: {ui.literal('; '.join(facts))}. "
    f"{ui.literal(about)}."
)
if in_dictionary:
    with st.expander("What this measure is (the measure dictionary)"):
        st.markdown(ui.literal(f"Unit: {unit or 'not given'}. {description or ''}".strip()))

# A council's own indicator linked to a national measure: that measure's figures, in its
# own year, beside this series (never drawn into it).
national = ui.query("national_comparisons", area)
linked = national[national["indicator"] == indicator]
if not linked.empty:
    link = linked.iloc[0]
    st.markdown(f"**Against the nation.** {ui.literal(national_text(link, area))}.")
    about = [] if pd.isna(link["unit"]) else [str(link["unit"])]
    if link["polarity"] in kpi_charts.RANKED_POLARITIES:
        about.append(kpi_charts.POLARITY_TEXT[link["polarity"]])
    if isinstance(link["band"], str):
        about.append("band A is the best quarter of councils")
    st.caption(
        ui.literal(
            f"Linked national measure: {link['measure']}"
            + (f" ({'; '.join(about)})" if about else "")
            + ". These are that measure's own yearly figures, shown beside this indicator's "
            "series, never in it."
        )
    )
elif officer and indicator in ui.query("own_indicators"):
    if signin.may(LINK):
        st.page_link(
            "pages/data.py",
            label="Compare it with a national measure (link it on the Data page)",
            icon=":material/link:",
            query_params={"link": indicator},
        )
    else:
        st.caption("Not linked to a national measure: an officer can link it on the Data page.")

trend = ui.view("kpi", indicator, area)
ui.show(trend)
if trend.figure is not None and officer:
    with st.expander("Where each figure came from"):
        source = series.assign(
            period_type=[kpi_charts.series_word(k).capitalize() for k in series["period_type"]]
        ).rename(
            columns={"period_label": "Period", "period_type": "Series", "value": "Value", "numerator": "Numerator",
                     "denominator": "Denominator", "missing": "Marker", "source_sheet": "Sheet", "source_row": "Row",
                     "source_column": "Column", "upload_id": "Upload"}
        ).drop(columns=["period_end", "unit"])  # fmt: skip
        st.dataframe(source, hide_index=True, width="stretch")

if chosen:
    ui.show(ui.view("side_by_side", tuple(chosen), area))

try:
    ui.show(ui.view("every_council", indicator, area, period))
except NoData as exc:
    st.subheader("One year against every council")
    prompt = " To compare with every council, upload a DfE statistics file." if officer else ""
    st.info(ui.literal(f"{exc}{prompt if linked.empty else ''}"))

if breakdown is not None:
    ui.show(ui.view("breakdowns", breakdown, area))
elif officer:
    st.subheader(f"Breakdowns: {ui.literal(area)}")
    st.info("No breakdowns (by team, placement type and so on) are loaded for this council.")
