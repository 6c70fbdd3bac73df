"""KPI trends' views beside the single trend (``report.views.kpi``): several indicators side
by side, one year against every council, and breakdowns; with the page's choice of the
indicator to open at and its line on where the latest figure stands.

Each builder takes a connection and plain parameters and returns a ``View``, like
``report.views`` and ``report.compare``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

import queries
from charts import kpi as kpi_charts
from charts.compare import format_measure
from charts.theme import format_value, is_missing
from report.views import NoData, View, plural

ENGLAND = "England"
NEIGHBOURS = "Statistical neighbours"  # the council's own returns' group, and LAIT's average


def listed(names: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    names = [str(n) for n in names]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"


def _meaning(con, indicator: str, area: str) -> tuple[str | None, str | None]:
    """An indicator's unit and polarity as the KPI pages take them."""
    info = queries.indicators(con, area)
    info = info[info["indicator"] == indicator]
    if info.empty:
        raise NoData(f"No figures for {indicator} in {area}.")
    row = info.iloc[0]
    unit, polarity = row["unit"], row["polarity"]
    return (None if is_missing(unit) else unit), (None if is_missing(polarity) else polarity)


# The indicator a page opens at ------------------------------------------------------------


def default_indicator(indicators: pd.DataFrame, latest: pd.DataFrame) -> str | None:
    """The indicator a panel expects to see first: of the council's own indicators (the
    measure dictionary's national ones only where it has none with a figure), one with a
    figure in the most recent period loaded; of those, one with a target, then by name.

    ``indicators`` is ``queries.indicators`` for the council (own first), ``latest`` its
    ``queries.kpi_tiles`` (each indicator's latest figure and the day its period ends)."""
    if indicators.empty:
        return None
    ends = latest[latest["value"].notna()].groupby("indicator")["period_end"].max()
    national = indicators.get("in_dictionary", False)
    table = indicators.assign(
        national=pd.Series(national, index=indicators.index).fillna(False).astype(bool),
        untargeted=indicators["target"].isna(),
        end=pd.to_datetime(indicators["indicator"].map(ends)),
    )
    with_figures = table[table["end"].notna()]
    if with_figures.empty:
        return str(indicators["indicator"].iloc[0])
    group = with_figures[with_figures["national"] == with_figures["national"].min()]
    current = group[group["end"] == group["end"].max()]
    chosen = current.sort_values(["untargeted", "indicator"], kind="stable")
    return str(chosen["indicator"].iloc[0])


# Where the latest figure stands ----------------------------------------------------------


def _against(value: float, other: float, polarity: object, name: str) -> str:
    """'better than England (90%)' given a polarity; 'above the target of 95%' without."""
    if value == other:
        return f"level with {name}"
    if polarity in kpi_charts.RANKED_POLARITIES:
        better = (value > other) == (polarity == "higher")
        return f"{'better' if better else 'worse'} than {name}"
    return f"{'above' if value > other else 'below'} {name}"


def standing(
    latest: pd.Series | None,
    unit: str | None,
    polarity: object,
    target: float | None,
    benchmarks: pd.DataFrame | None = None,
) -> str:
    """Where an indicator's latest figure (a row of ``queries.kpi_tiles``) stands: 'latest
    92.4% (2017/18), RAG Amber'; with no RAG, what it means against its target and the
    benchmarks of the same period, in words ('not rated: below the target of 95%; better
    than England (86%)'), better or worse only where the polarity says which is better."""
    if latest is None or is_missing(latest["value"]):
        return "no figure yet"
    value, period = float(latest["value"]), latest["period_label"]
    text = f"latest {format_value(value, unit)} ({period})"
    if latest["rag"] != "Not rated":
        return f"{text}, RAG {latest['rag']}"
    against = []
    if target is not None:
        against.append(
            _against(value, target, polarity, f"the target of {format_value(target, unit)}")
        )
    same = pd.DataFrame() if benchmarks is None else benchmarks
    if not same.empty:
        same = same[(same["period_label"] == period) & same["value"].notna()]
        same = same.assign(order=[0 if a == ENGLAND else 1 if str(a).startswith(NEIGHBOURS) else 2
                                  for a in same["area"]]).sort_values(["order", "area"])  # fmt: skip
    for row in same.drop_duplicates("area").itertuples():
        figure = format_value(row.value, unit)
        against.append(_against(value, float(row.value), polarity, f"{row.area} ({figure})"))
    if not against:
        return f"{text}, not rated: no target or benchmark to compare it with"
    return f"{text}, not rated: " + "; ".join(against)


# Several indicators side by side -------------------------------------------------------


def _latest_of_each(series: pd.DataFrame) -> list[tuple[str, float, str]]:
    """Each series' latest figure: (series word, value, period), in time order."""
    out = []
    observed = series[series["value"].notna()]
    for kind in kpi_charts.series_types(observed):
        part = observed if kind is None else observed[observed["period_type"] == kind]
        if not part.empty:
            last = part.iloc[-1]
            out.append((kpi_charts.series_word(kind), float(last["value"]), last["period_label"]))
    order = kpi_charts.period_order(observed)
    return sorted(out, key=lambda f: order.index(f[2]))


def side_by_side(con, indicators: Sequence[str], area: str) -> View:
    """Small multiples: each chosen indicator's trend for the council in its own panel,
    percentages on one scale, and the latest figure of each series in the sentence."""
    names = list(dict.fromkeys(indicators))
    if not names:
        raise NoData("No indicators are chosen to show side by side.")
    frames = {n: queries.kpi_series(con, n, area) for n in names}
    latest = {n: _latest_of_each(f) for n, f in frames.items()}
    shown = [n for n in names if latest[n]]
    missing = [n for n in names if not latest[n]]
    periods = {p for n in shown for _, _, p in latest[n]}
    one_period = len(periods) == 1
    parts = []
    for name in shown:
        unit = frames[name]["unit"].dropna().iloc[0] if frames[name]["unit"].notna().any() else None
        figures = [
            format_value(v, unit) + ("" if one_period else f" ({p})") for _, v, p in latest[name]
        ]
        parts.append(f"{name} {listed(figures)}")
    if shown:
        when = f" in {next(iter(periods))}" if one_period else ""
        summary = f"Latest figures for {area}{when}, {plural(len(shown), 'indicator')}: "
        summary += "; ".join(parts) + "."
    else:
        summary = f"No figures for {area} in the {plural(len(names), 'indicator')} chosen."
    if missing and shown:
        summary += f" No figures yet for {listed(missing)}."
    multiples = pd.concat(
        [f.assign(indicator=n) for n, f in frames.items() if not f.empty] or [pd.DataFrame()],
        ignore_index=True,
    )
    figure = kpi_charts.kpi_small_multiples(multiples) if not multiples.empty else None
    table = pd.DataFrame(
        {
            "Indicator": multiples.get("indicator", pd.Series(dtype=object)),
            "Series": [
                kpi_charts.series_word(k).capitalize() for k in multiples.get("period_type", [])
            ],
            "Period": multiples.get("period_label", pd.Series(dtype=object)),
            "Value": [format_value(v, u) for v, u in zip(multiples.get("value", []),
                                                          multiples.get("unit", []), strict=True)],
        }
    )  # fmt: skip
    return View("Several indicators side by side", area, summary, figure, table, key="multiples")


# One year against every council ---------------------------------------------------------


def _rank_text(councils: pd.DataFrame, area: str, period: str, unit: str | None, polarity) -> str:
    """The council's place among every council with a figure that year, ties named."""
    counted = len(councils)
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
            f"{band} with {format_value(row['value'], unit)}"
        )
        level = list(
            councils[(councils["rank"] == row["rank"]) & (councils["area"] != area)]["area"]
        )
        if level:  # LAIT's ties share the rank
            text += f", level with {listed(level) if len(level) <= 3 else plural(len(level), 'other council')}"
        return text + "."
    if polarity not in kpi_charts.RANKED_POLARITIES:
        return (
            f"In {period}, {plural(counted, 'council has', 'councils have')} a figure; none is "
            "ranked or banded, as neither higher nor lower is better for this indicator."
        )
    if mine.empty or is_missing(mine.iloc[0]["value"]):
        return f"In {period}, {area} has no figure; {plural(counted, 'council has', 'councils have')} one."
    return (
        f"In {period}, {area} has {format_value(mine.iloc[0]['value'], unit)} but no rank; "
        f"{plural(counted, 'council has', 'councils have')} a figure."
    )


def every_council(con, indicator: str, area: str, period: str | None = None) -> View:
    """Every council's figure in one year (the latest unless ``period``), best first given
    the polarity, the council highlighted and its rank and band in the sentence, with
    England, its region and its neighbours' average. NoData where other councils have none."""
    periods = queries.kpi_periods(con, indicator)
    if not periods:
        raise NoData(f"No figures for {indicator}.")
    period = period or periods[0]
    if period not in periods:
        raise NoData(f"{indicator} has no figures for {period}.")
    unit, polarity = _meaning(con, indicator, area)
    ranked = queries.benchmark_year(con, indicator, period, area)
    councils = ranked[(ranked["kind"] == "council") & ranked["value"].notna()]
    if len(councils) < 2:
        if indicator in set(queries.indicator_links(con)["indicator"]):
            raise NoData(
                "Other councils have no figures for this indicator of the council's own: it is "
                "compared with every council through its linked national measure, above."
            )
        raise NoData(f"No other council has a figure for {indicator} in {period}.")
    text = _rank_text(councils, area, period, unit, polarity)
    others = ranked[(ranked["kind"] != "council") & ranked["value"].notna()]
    if not others.empty:
        text += (
            " "
            + "; ".join(f"{r.area} {format_value(r.value, unit)}" for r in others.itertuples())
            + "."
        )
    figure = kpi_charts.benchmark_ranking(ranked, own_area=area, polarity=polarity, unit=unit)
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
    return View(
        f"One year against every council: {indicator}", period, text, figure, table, key="ranking"
    )


# Breakdowns -------------------------------------------------------------------------------


def _ranked_parts(now: pd.DataFrame, unit: str | None) -> str:
    """'Leaving care 87%; Court and permanence and Assessment 85% each', highest first."""
    groups = now.groupby("value", sort=False)["breakdown"].apply(list)
    groups = groups.sort_index(ascending=False)
    return "; ".join(
        f"{listed(names)} {format_value(value, unit)}{' each' if len(names) > 1 else ''}"
        for value, names in groups.items()
    )


def breakdowns(con, indicator: str, area: str) -> View:
    """An indicator broken down (by team, placement type and so on): a bar per period for
    each part, and the latest period's parts in the sentence, highest first, ties together."""
    parts = queries.breakdown_series(con, indicator, area)
    if parts.empty:
        raise NoData(f"No breakdowns of {indicator} are loaded for {area}.")
    unit = parts["unit"].dropna().iloc[0] if parts["unit"].notna().any() else None
    names = list(dict.fromkeys(parts.sort_values("breakdown")["breakdown"]))
    observed = parts[parts["value"].notna()]
    order = kpi_charts.period_order(parts)
    if observed.empty:
        summary, as_of = (
            f"{indicator}: no figures for any of its {plural(len(names), 'part')}.",
            area,
        )
    else:
        # periods of several kinds may end on the latest day (Q4 and the year to date): each
        ends = pd.to_datetime(observed["period_end"])
        latest = [p for p in order if p in set(observed.loc[ends == ends.max(), "period_label"])]
        clauses = []
        for label in latest:
            now = observed[observed["period_label"] == label]
            clause = f"{label}: {_ranked_parts(now, unit)}"
            gone = [n for n in names if n not in set(now["breakdown"])]
            if gone:
                clause += f"; no figure for {listed(gone)}"
            clauses.append(clause)
        summary = f"{indicator}, " + ". ".join(clauses) + "."
        as_of = f"{area}, {listed(latest)}"
    table = (
        parts.pivot_table(
            index="breakdown", columns="period_label", values="value", aggfunc="first", sort=False
        )
        .reindex(index=names, columns=[p for p in order if p in set(parts["period_label"])])
        .reset_index()
        .rename(columns={"breakdown": "Breakdown"})
    )
    table.columns.name = None
    figure = kpi_charts.breakdown_bars(parts, unit=unit)
    return View(f"Breakdowns: {indicator}", as_of, summary, figure, table, key="breakdown")


# One indicator's trend ---------------------------------------------------------------


def kpi(con, indicator: str, area: str) -> View:
    """An indicator's trend for a council against its target and benchmarks."""
    info = queries.indicators(con, area)
    info = info[info["indicator"] == indicator]
    if info.empty:
        raise NoData(f"No figures for {indicator!r} in {area}.")
    row = info.iloc[0]
    unit, polarity, target = (
        None if pd.isna(row[c]) else row[c] for c in ("unit", "polarity", "target")
    )
    target = None if target is None else float(target)
    series = queries.kpi_series(con, indicator, area)
    benchmarks = queries.kpi_benchmarks(con, indicator, area)
    observed = series[series["value"].notna()]
    if observed.empty:
        return View(indicator, area, f"No figures for {indicator} in {area}.", key="trend")
    # Quarters, months, years and the year to date are separate series: each said in turn.
    kinds = kpi_charts.series_types(observed)
    spans = []
    for kind in kinds:
        part = observed if len(kinds) == 1 else observed[observed["period_type"] == kind]
        first, last = part.iloc[0], part.iloc[-1]
        span = f"{format_value(last['value'], unit)} in {last['period_label']}"
        if len(part) > 1:
            span = f"from {format_value(first['value'], unit)} in {first['period_label']} to {span}"
        spans.append(span if len(kinds) == 1 else f"{kpi_charts.series_word(kind)} {span}")
    last = observed.iloc[-1]
    if len(kinds) == 1:
        summary = f"{indicator} for {area} {'went' if len(observed) > 1 else 'was'} {spans[0]}"
        if target is not None:
            summary += f", against a target of {format_value(target, unit)}"
    else:
        summary = f"{indicator} for {area}, as {len(kinds)} separate series: " + "; ".join(spans)
        if target is not None:
            summary += f"; target {format_value(target, unit)}"
    compare = [
        f"{name} {format_value(g.iloc[-1]['value'], unit)}"
        for name, g in benchmarks.groupby("area")
        if g["value"].notna().any()
    ]
    summary += f"; latest benchmarks: {', '.join(compare)}." if compare else "."
    if polarity in kpi_charts.POLARITY_TEXT:
        summary += f" {kpi_charts.POLARITY_TEXT[polarity].capitalize()}."
    figure = kpi_charts.kpi_trend(
        series,
        title=f"{indicator}: {area}",
        unit=unit,
        target=target,
        polarity=polarity,
        benchmarks=benchmarks,
    ).update_layout(title=None, margin={"t": 40})  # the view's heading names it
    # A row per period on the chart's time axis (Q4 and the year to date apart, though both
    # end on 31 March), with the series each is in where there are several.
    order = kpi_charts.period_order(series, benchmarks)
    columns: dict[str, list] = {"Period": order}
    if len(kinds) > 1:
        kind_of = dict(zip(series["period_label"], series["period_type"], strict=True))
        columns["Series"] = [kpi_charts.series_word(kind_of.get(p)).capitalize() for p in order]
    figures = {area: series}
    figures.update(dict(list(benchmarks.groupby("area"))))
    for name, part in figures.items():
        by_period = part.drop_duplicates("period_label").set_index("period_label")["value"]
        columns[name] = list(by_period.reindex(order))
    table = pd.DataFrame(columns)
    table = table[table[list(figures)].notna().any(axis=1)].reset_index(drop=True)
    if target is not None:
        table["Target"] = target
    return View(
        indicator, f"{area}, to {last['period_label']}", summary, figure, table, key="trend"
    )


def national_text(row: pd.Series, area: str) -> str:
    """A linked indicator's national comparison, in the national measure's own year (a row
    of ``queries.national_comparisons``): 'National (LAIT), 2025: 95%, rank 47 of 151,
    band B; neighbours 91.7%, Yorkshire and the Humber 92%, England 90%'."""
    source = "National (LAIT)" if row["in_dictionary"] else "National"

    def figure(value: object) -> str:
        return format_measure(value, row["unit"], row["dps"])

    if pd.isna(row["value"]):
        return f"{source}: {area} has no figure in the national set for this measure"
    year, latest = row["period_label"], row["latest_period"]
    if isinstance(latest, str) and latest != year:  # the latest year has none for the area
        text = f"{source}, {latest}: no figure for {area}; {year}: {figure(row['value'])}"
    else:
        text = f"{source}, {year}: {figure(row['value'])}"
    if pd.notna(row["rank"]):
        text += f", rank {int(row['rank'])} of {int(row['ranked_count'])}"
        text += f", band {row['band']}" if isinstance(row["band"], str) else ""
    elif row["polarity"] not in kpi_charts.RANKED_POLARITIES:
        text += " (not ranked: neither higher nor lower is better)"
    beside = [f"neighbours {figure(row['sn_average'])}"] if pd.notna(row["sn_average"]) else []
    if isinstance(row["region"], str) and pd.notna(row["region_value"]):
        beside.append(f"{row['region']} {figure(row['region_value'])}")
    if pd.notna(row["england_value"]):
        beside.append(f"England {figure(row['england_value'])}")
    return text + ("; " + ", ".join(beside) if beside else "")
