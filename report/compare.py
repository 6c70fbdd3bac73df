"""How we compare: the views of one council against the others, as LAIT computes them.

Each builder takes a connection and plain parameters and returns a ``View`` (heading, as-of,
chart, sentence, table), like ``report.views``; the figures are the data contract's
``kpi_benchmarks``.
"""

from __future__ import annotations

import pandas as pd

import queries
from charts import compare as charts
from charts import kpi as kpi_charts
from charts.compare import format_measure as fmt
from report.views import NoData, View, plural

BAND_WORDS = {
    "A": "band A (best quarter)",
    "B": "band B",
    "C": "band C",
    "D": "band D (worst quarter)",
}


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_text(row: pd.Series) -> str:
    """'46th of 130, band B', 'not ranked: no side is better', 'no figure'."""
    if pd.isna(row["value"]):
        return "no figure"
    if pd.isna(row["rank"]):
        return "not ranked: neither higher nor lower is better"
    text = f"{ordinal(int(row['rank']))} of {int(row['ranked_count'])}"
    return f"{text}, band {row['band']}" if isinstance(row["band"], str) else text


def change_text(row: pd.Series) -> str:
    """'▲ 9 (better)', '▼ 1.2 points (worse)' (a percentage's change is in percentage
    points), '▲ 3' where no side is better, '' without one."""
    change = row["change"]
    if pd.isna(change):
        return ""
    if change == 0:
        return "no change"
    arrow = "▲" if change > 0 else "▼"
    if charts.measure_unit(row["unit"]) == "%":  # a change in a percentage is in points
        text = f"{arrow} {fmt(abs(change), None, row['dps'])} points"
    else:
        text = f"{arrow} {fmt(abs(change), row['unit'], row['dps'])}"
    if row["polarity"] in ("higher", "lower"):
        better = (change > 0) == (row["polarity"] == "higher")
        text += " (better)" if better else " (worse)"
    return text


def measure_row(con, indicator: str, area: str) -> pd.Series:
    table = queries.comparison(con, area)
    found = table[table["indicator"] == indicator]
    if found.empty:
        raise NoData(f"No national measure called {indicator!r} has figures for {area}.")
    return found.iloc[0]


def comparison_table(df: pd.DataFrame) -> pd.DataFrame:
    """The page's table: one row per measure, every figure written with its unit."""

    def each(column: str) -> list[str]:
        return [fmt(v, u, d) for v, u, d in zip(df[column], df["unit"], df["dps"], strict=True)]

    return pd.DataFrame(
        {
            "Topic": df["topic"],
            "Measure": df["indicator"],
            "Year": df["period_label"],
            "Value": each("value"),
            "Change": [change_text(r) for _, r in df.iterrows()],
            "Rank": [
                "" if pd.isna(r) else f"{int(r)} of {int(n)}"
                for r, n in zip(df["rank"], df["ranked_count"], strict=True)
            ],
            "Band": df["band"].fillna(""),
            "Neighbours": each("sn_average"),
            "Region": df["region"].fillna(""),
            "Region value": each("region_value"),
            "England": each("england_value"),
        }
    )


def bands(con, area: str, topic: str | None = None) -> View:
    """How many measures put the council in each band, topic by topic."""
    df = queries.comparison(con, area)
    if topic:
        df = df[df["topic"] == topic]
    if df.empty:
        raise NoData(f"No national measures for {area}" + (f" in {topic}." if topic else "."))
    counts = df["band"].value_counts()
    banded = int(counts.sum())
    years = sorted(df["period_label"].dropna().unique())
    span = years[0] if len(years) == 1 else f"{years[0]} to {years[-1]}"
    summary = (
        f"{area}, latest year of each of {plural(len(df), 'measure')} ({span}): "
        + (
            ", ".join(f"{int(counts.get(b, 0))} in band {b}" for b in charts.BANDS)
            if banded
            else "none is banded"
        )
        + f"; {len(df) - banded} not banded (no side is better, LAIT gives no quartiles, or "
        "no figure). Band A is the best quarter of councils, D the worst, as LAIT sets them."
    )
    table = (
        df.assign(Band=df["band"].fillna(charts.NOT_BANDED))
        .pivot_table(index="topic", columns="Band", values="indicator", aggfunc="count", sort=False)
        .reindex(columns=[*charts.BANDS, charts.NOT_BANDED])
        .fillna(0)
        .astype(int)
        .reset_index()
        .rename(columns={"topic": "Topic"})
    )
    table.columns.name = None
    title = f"Bands by topic: {topic}" if topic else "Bands by topic"
    return View(title, area, summary, charts.bands_by_topic(df), table, key="bands")


def measure_trend(con, indicator: str, area: str) -> View:
    """Up to ten years of the council beside its neighbours' average, its region and England."""
    row = measure_row(con, indicator, area)
    history = queries.measure_history(con, indicator, area)
    unit, dps = row["unit"], row["dps"]
    region = row["region"] if isinstance(row["region"], str) else "Region"
    comparators = pd.concat(
        [
            history.assign(area="Statistical neighbours (average)", value=history["sn_average"]),
            history.assign(area=region, value=history["region_value"]),
            history.assign(area="England", value=history["england_value"]),
        ]
    )[["area", "period_label", "period_end", "value"]]
    figure = kpi_charts.kpi_trend(
        history[["period_label", "period_end", "value"]],
        title=indicator,
        unit=charts.measure_unit(unit),
        polarity=row["polarity"] if isinstance(row["polarity"], str) else None,
        benchmarks=comparators,
    ).update_layout(title=None, margin={"t": 40})
    latest = history.iloc[-1] if not history.empty else None
    summary = f"{indicator} for {area}"
    if latest is not None and pd.notna(latest["value"]):
        summary += f" was {fmt(latest['value'], unit, dps)} in {latest['period_label']}"
        if pd.notna(row["previous_value"]):
            summary += f" ({fmt(row['previous_value'], unit, dps)} in {row['previous_period']})"
    else:
        summary += f" has no figure for {row['period_label']}"
    beside = [
        f"{name} {fmt(row[column], unit, dps)}"
        for name, column in (("neighbours' average", "sn_average"), (region, "region_value"),
                             ("England", "england_value"))
        if pd.notna(row[column])
    ]  # fmt: skip
    summary += f"; {', '.join(beside)}." if beside else "."
    if isinstance(row["polarity"], str):
        summary += f" {kpi_charts.POLARITY_TEXT[row['polarity']].capitalize()}."
    table = pd.DataFrame(
        {
            "Year": history["period_label"],
            area: [fmt(v, unit, dps) for v in history["value"]],
            "Neighbours' average": [fmt(v, unit, dps) for v in history["sn_average"]],
            "Neighbours with a figure": history["sn_count"].astype("Int64"),
            region: [fmt(v, unit, dps) for v in history["region_value"]],
            "England": [fmt(v, unit, dps) for v in history["england_value"]],
            "Rank": [
                "" if pd.isna(r) else f"{int(r)} of {int(n)}"
                for r, n in zip(history["rank"], history["ranked_count"], strict=True)
            ],
            "Band": history["band"].fillna(""),
        }
    )
    years = f"{history['period_label'].iloc[0]} to {history['period_label'].iloc[-1]}"
    return View(indicator, f"{area}, {years}", summary, figure, table, key="measure_trend")


def measure_spread(con, indicator: str, area: str) -> View:
    """Every council's latest value, best first, the council highlighted, cut points drawn."""
    row = measure_row(con, indicator, area)
    period = row["period_label"]
    df = queries.measure_spread(con, indicator, period)
    unit, dps = row["unit"], row["dps"]
    figure = charts.spread(df, own_area=area, unit=unit, dps=dps)
    where = rank_text(row)
    summary = f"In {period}, {area}: {fmt(row['value'], unit, dps)}, {where}."
    cuts = [(n, row[c]) for n, c in (("lower quartile", "q25"), ("median", "q50"),
                                       ("upper quartile", "q75")) if pd.notna(row[c])]  # fmt: skip
    if cuts:
        summary += " Cut points: " + ", ".join(f"{n} {fmt(v, unit, dps)}" for n, v in cuts) + "."
    if pd.notna(row["no_quartile"]) and row["no_quartile"]:
        summary += " LAIT gives this measure no quartile bands."
    table = pd.DataFrame(
        {
            "Rank": df["rank"].astype("Int64"),
            "Council": df["area"],
            "Value": [fmt(v, unit, dps) for v in df["value"]],
            "Band": df["band"].fillna(""),
        }
    )
    return View(f"{indicator}: every council", period, summary, figure, table, key="measure_spread")


def neighbours(con, indicator: str, area: str) -> View:
    """The council beside each of its statistical neighbours over time, with their average,
    and which neighbours have no figure."""
    row = measure_row(con, indicator, area)
    df = queries.neighbour_history(con, indicator, area)
    if not (df["area"] != area).any():
        raise NoData(f"No statistical neighbours are loaded for {area}.")
    history = queries.measure_history(con, indicator, area)
    unit, dps = row["unit"], row["dps"]
    figure = charts.neighbours(df, history, own_area=area, unit=unit, dps=dps)
    latest = row["period_label"]
    members = df[df["area"] != area]
    names = list(dict.fromkeys(members["area"]))
    in_latest = members[members["period_label"] == latest]
    missing = list(in_latest.loc[in_latest["value"].isna(), "area"])
    summary = (
        f"{area} and its {plural(len(names), 'statistical neighbour')} for {indicator}. "
        f"In {latest}, {len(names) - len(missing)} of {len(names)} have a figure"
    )
    summary += f"; no figure: {', '.join(missing)}." if missing else "."
    summary += f" Their average: {fmt(row['sn_average'], unit, dps)}."
    table = (
        df.assign(shown=[fmt(v, unit, dps) for v in df["value"]])
        .pivot_table(
            index=["closeness_order", "area"],
            columns="period_label",
            values="shown",
            aggfunc="first",
            sort=False,
        )
        .reset_index()
        .drop(columns="closeness_order")
        .rename(columns={"area": "Council"})
    )
    table.columns.name = None
    average = {"Council": "Neighbours' average"} | {
        p: fmt(v, unit, dps)
        for p, v in zip(history["period_label"], history["sn_average"], strict=True)
    }
    table = pd.concat([table, pd.DataFrame([average])], ignore_index=True).fillna("–")
    return View(
        f"{indicator}: statistical neighbours", area, summary, figure, table, key="neighbours"
    )
