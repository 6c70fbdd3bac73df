"""How we compare: every national measure for one council, ranked and banded as the DfE's
LAIT does, and any measure opened beside neighbours, region, England and every council."""

from __future__ import annotations

import streamlit as st

import ui
from report.compare import comparison_table
from report.views import NoData

VIEWS = {
    "all": "All measures",
    "band_d": "Where we are in band D",
    "changes": "Biggest changes in rank",
}

PRESENT_ROWS = 10

ui.ensure_navigation()
st.title("How we compare")
areas = ui.query("compare_areas")
if not areas:
    ui.nothing_loaded(
        "No national figures are loaded yet: upload LAIT's data set and dictionary, or run "
        "python -m loaders fetch-benchmarks.",
        "Upload national figures",
    )
own = ui.query("default_area")

with st.sidebar:
    st.subheader("Show")
    area = ui.url_select("Council", areas, "area", default=own if own in areas else None)
    everything = ui.query("comparison", area)
    topics = list(dict.fromkeys(everything["topic"]))
    topic = ui.url_select("Topic", topics, "topic", allow_all="All topics")
    choice = ui.url_select("Measures", list(VIEWS), "show", format_func=VIEWS.get)
    found = st.text_input(
        "Find a measure", value=ui.param("find") or "", key="w_find",
        placeholder="e.g. adopted, absence", disabled=ui.presenting(),
    )  # fmt: skip
    ui.set_param("find", found)

shown = everything if topic is None else everything[everything["topic"] == topic]
if found:
    shown = shown[shown["indicator"].str.contains(found, case=False, regex=False)]
if choice == "band_d":
    shown = shown[shown["band"] == "D"].sort_values("rank", ascending=False)
elif choice == "changes":
    moved = shown["rank"].notna() & shown["previous_rank"].notna()
    shown = shown[moved].assign(moved=lambda d: d["previous_rank"] - d["rank"])
    shown = shown.reindex(shown["moved"].abs().sort_values(ascending=False).index)
    shown = shown[shown["moved"] != 0]

try:
    ui.show(ui.view("bands", area, topic))
except NoData as exc:
    st.info(ui.literal(exc))

heading = {
    "all": "Every measure",
    "band_d": "Where we are in band D (the worst quarter of councils)",
    "changes": "Biggest changes in rank since the year before",
}[choice]
st.subheader(ui.literal(heading + (f": {topic}" if topic else "")))
if shown.empty:
    st.info(
        "No measures match this choice."
        if choice == "all"
        else f"{ui.literal(area)} has no measures in this view for this choice."
    )
else:
    table = comparison_table(shown)
    if choice == "changes":
        table.insert(
            4,
            "Rank moved",
            [
                f"{'up' if m > 0 else 'down'} {abs(int(m))} (from {int(p)})"
                for m, p in zip(shown["moved"], shown["previous_rank"], strict=True)
            ],
        )
    if topic:
        table = table.drop(columns="Topic")
    regions = table["Region"].unique()
    if len(regions) == 1:  # one region for every measure: named once, above the table
        table = table.drop(columns="Region").rename(
            columns={"Region value": regions[0] or "Region"}
        )
    st.caption(
        ui.literal(
            f"{ui.plural(len(table), 'measure')}. Rank: 1 is best, among councils with a figure; "
            "band A is the best quarter, D the worst (LAIT's cut points)."
            + ("" if ui.presenting() else " Select a row to open the measure.")
        )
    )
    if ui.presenting():
        # on the projector: a screenful, and how many more there are
        ui.table(table.head(PRESENT_ROWS), rag_columns=())
        if len(table) > PRESENT_ROWS:
            st.caption(f"The first {PRESENT_ROWS} of {len(table)}; {len(table) - PRESENT_ROWS} more "
                       "are on the page outside presentation mode.")  # fmt: skip
    else:
        picked = st.dataframe(
            table, hide_index=True, width="stretch", on_select="rerun",
            selection_mode="single-row", key="w_compare_table",
            height=min(36 * (len(table) + 1) + 3, 560),
            column_config={"Measure": st.column_config.TextColumn(width="large"),
                           "Topic": st.column_config.TextColumn(width="small")},
        )  # fmt: skip
        chosen = (
            shown.iloc[picked.selection.rows[0]]["indicator"] if picked.selection.rows else None
        )
        if chosen and chosen != st.session_state.get("compare_picked"):
            st.session_state["w_measure"] = chosen  # the row chosen opens below
        st.session_state["compare_picked"] = chosen
    ui.table_downloads(table, f"how_we_compare_{area}")

st.divider()
names = list(shown["indicator"]) or list(everything["indicator"])
kept = st.session_state.get("w_measure") or ui.param("measure")
if kept in everything["indicator"].values and kept not in names:
    names.insert(0, kept)
if kept in names:
    st.session_state["w_measure"] = kept
else:
    st.session_state.pop("w_measure", None)  # a measure this council has no figures for
measure = st.selectbox("Open a measure", names, key="w_measure")
ui.set_param("measure", measure)
row = everything[everything["indicator"] == measure].iloc[0]
if isinstance(row["description"], str) and not ui.presenting():
    st.caption(ui.literal(row["description"]))
for name in ("measure_trend", "measure_spread", "neighbours"):
    try:
        ui.show(ui.view(name, measure, area))
    except NoData as exc:
        st.info(ui.literal(exc))
