"""KPI trends: one indicator against target and benchmarks, several side by side, one year
against every council, and breakdowns such as churn by team."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import signin
import ui
from charts import kpi as kpi_charts
from charts.theme import format_value
from loaders.indicators import LINK
from report.views import national_text

ui.ensure_navigation()
st.title("KPI trends")
areas = ui.query("council_areas")
own = ui.query("default_area")
if not areas or own is None:
    ui.nothing_loaded("No service metrics are loaded yet.", "Upload a KPI return or DfE statistics")

with st.sidebar:
    st.subheader("Show")
    area = ui.url_select("Council", areas, "area", default=own)
    indicator_table = ui.query("indicators", area)
    names = list(indicator_table["indicator"])
    if not names:
        st.info(f"No figures for {ui.literal(area)} yet.")
        st.stop()
    indicator = ui.url_select("Indicator", names, "indicator")

info = indicator_table.set_index("indicator").loc[indicator]
unit, polarity, target, description = (
    None if pd.isna(info[c]) else info[c] for c in ("unit", "polarity", "target", "description")
)
target = None if target is None else float(target)
in_dictionary = bool(info["in_dictionary"])
series = ui.query("kpi_series", indicator, area)
latest = ui.query("kpi_tiles", area)
latest = latest[latest["indicator"] == indicator]

facts = [kpi_charts.polarity_sentence(polarity, in_dictionary)]
if target is not None:
    facts.append(f"target {format_value(target, unit)}")
if not latest.empty:
    row = latest.iloc[0]
    facts.insert(
        0,
        f"latest {format_value(row['value'], unit)} ({ui.literal(row['period_label'])}), "
        f"RAG **{ui.literal(row['rag'])}**",
    )
# The view's heading below names the indicator; this line says where it stands now.
st.markdown(f"**{ui.literal(indicator)}**, {ui.literal(area)}: " + "; ".join(facts) + ".")
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
elif indicator in ui.query("own_indicators"):
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
if trend.figure is not None:
    with st.expander("Where each figure came from"):
        source = series.rename(
            columns={"period_label": "Period", "value": "Value", "numerator": "Numerator", "denominator": "Denominator",
                     "missing": "Marker", "source_sheet": "Sheet", "source_row": "Row", "source_column": "Column", "upload_id": "Upload"}
        ).drop(columns=["period_type", "period_end", "unit"])  # fmt: skip
        st.dataframe(source, hide_index=True, width="stretch")

st.subheader(f"Several indicators side by side: {ui.literal(area)}")
chosen_default = names[: min(6, len(names))]
kept = st.query_params.get("compare")
initial = [
    n
    for n in (kept.split("|") if kept else st.session_state.get("keep_compare", chosen_default))
    if n in names
]
chosen = st.multiselect("Indicators", names, default=initial or chosen_default, key="w_compare")
st.session_state["keep_compare"] = chosen
st.query_params["compare"] = "|".join(chosen)
if chosen:
    frames = [ui.query("kpi_series", name, area).assign(indicator=name) for name in chosen]
    multiples = pd.concat(frames)
    text = "; ".join(
        f"{name}: {format_value(g.dropna(subset=['value']).iloc[-1]['value'], g['unit'].iloc[0])}"
        for name, g in multiples.groupby("indicator", sort=False) if g["value"].notna().any()
    )  # fmt: skip
    ui.chart(
        kpi_charts.kpi_small_multiples(multiples),
        f"Latest figures for {area}: {text}.",
        key="multiples",
    )

st.subheader("One year against every council")
periods = ui.query("kpi_periods", indicator)
period = ui.url_select("Year", periods, "period") if periods else None
ranked = ui.query("benchmark_year", indicator, period, area) if period else pd.DataFrame()
councils = ranked[ranked["kind"] == "council"] if not ranked.empty else ranked
if len(councils) < 2 and not linked.empty:
    st.info(
        "Other councils have no figures for this indicator of the council's own: it is compared "
        "with every council through its linked national measure, above."
    )
elif len(councils) < 2:
    st.info(
        "Comparing with every council needs published figures for other councils: upload a DfE statistics file."
    )
else:
    mine = councils[councils["area"] == area]
    if not mine.empty and pd.notna(mine.iloc[0]["rank"]):
        row = mine.iloc[0]
        band = (
            f" (quartile band {row['quartile']}, A best)"
            if isinstance(row["quartile"], str)
            else ""
        )
        text = (
            f"In {period}, {area} ranked {int(row['rank'])} of {int(row['councils_ranked'])} councils"
            f"{band} with {format_value(row['value'], unit)}."
        )
    elif polarity not in kpi_charts.RANKED_POLARITIES:
        text = (
            f"In {period}, {len(councils)} councils have a figure; none is ranked or banded, as "
            "neither higher nor lower is better for this indicator."
        )
    else:
        text = f"In {period}, {area} has no ranked figure; {len(councils)} councils have one."
    others = ranked[ranked["kind"] != "council"]
    if not others.empty:
        text += (
            " "
            + "; ".join(
                f"{r.area} {format_value(r.value, unit)}"
                for r in others.itertuples()
                if pd.notna(r.value)
            )
            + "."
        )
    fig = kpi_charts.benchmark_ranking(ranked, own_area=area, polarity=polarity, unit=unit)
    table = ranked.rename(
        columns={
            "area": "Area",
            "kind": "Kind",
            "value": "Value",
            "unit": "Unit",
            "rank": "Rank",
            "councils_ranked": "Of",
            "quartile": "Quartile band",
        }
    )
    ui.chart(fig, text, table, key="ranking")

st.subheader(f"Breakdowns: {ui.literal(area)}")
with_breakdowns = ui.query("indicators_with_breakdowns", area)
if not with_breakdowns:
    st.info("No breakdowns (by team, placement type and so on) are loaded for this council.")
else:
    chosen_breakdown = ui.url_select("Indicator with a breakdown", with_breakdowns, "breakdown")
    parts = ui.query("breakdown_series", chosen_breakdown, area)
    b_unit = parts["unit"].dropna().iloc[0] if parts["unit"].notna().any() else None
    latest_period = parts.sort_values("period_end").iloc[-1]["period_label"]
    now = parts[parts["period_label"] == latest_period].sort_values("value", ascending=False)
    text = (
        f"{chosen_breakdown}, {latest_period}: "
        + "; ".join(f"{r.breakdown} {format_value(r.value, b_unit)}" for r in now.itertuples())
        + "."
    )
    table = (
        parts.pivot_table(index="breakdown", columns="period_label", values="value", sort=False)
        .reset_index()
        .rename(columns={"breakdown": "Breakdown"})
    )
    ui.chart(kpi_charts.breakdown_bars(parts, unit=b_unit), text, table, key="breakdown")
