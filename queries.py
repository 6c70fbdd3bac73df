"""The dashboard's one data-access module: it holds every query the pages run.

Each function takes a DuckDB connection (a cursor from ``ui.connection``) and returns a
DataFrame or plain values with readable column names where a page shows them as-is.
Pages never write SQL; only loaders write.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from charts.rag import recommendation_key, recommendation_labels, recommendation_order
from loaders import benchmarks, settings, store
from loaders.indicators import NATIONAL_MEASURES, SUGGESTIONS, suggest_measures
from loaders.rag import RAG_LEVELS

# Views anyone may browse and download on the Data page, with a plain name for each.
BROWSABLE_VIEWS = {
    "actions_latest": "Actions (latest snapshot of each plan)",
    "actions": "Actions (every snapshot)",
    "slippage": "Slippage (latest snapshot)",
    "action_changes": "RAG and due-date changes between snapshots",
    "kpi_values": "KPI figures",
    "kpi_latest": "KPI latest values",
    "kpi_targets": "KPI targets",
    "indicators": "Indicators",
    "areas": "Areas",
    "statistical_neighbours": "Statistical neighbours",
    "uploads": "Uploads",
}


def connect(path=None) -> duckdb.DuckDBPyConnection:
    """The dashboard's connection (schema and views created on first use)."""
    return store.connect(path)


def data_version(con: duckdb.DuckDBPyConnection) -> tuple:
    """Changes whenever an upload is added or removed, a setting changes or anything else
    is written: a cache key."""
    return con.execute(
        "SELECT (SELECT count(*) FROM upload_files), (SELECT max(upload_id) FROM upload_files), "
        "(SELECT max(updated_at) FROM indicator_settings), "
        "(SELECT count(*) FROM layouts), (SELECT max(saved_at) FROM layouts), "
        # every write appends an audit row: a restore that leaves the counts alike too
        "(SELECT max(audit_id) FROM audit_log)"
    ).fetchone()


def _df(con, sql: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).fetch_df()


def _column(con, sql: str, params: list | None = None) -> list:
    """The first column of a query's rows, as a list."""
    return [r[0] for r in con.execute(sql, params or []).fetchall()]


# Plans and snapshots ------------------------------------------------------------------


def plans(con) -> list[str]:
    return [
        r[0]
        for r in con.execute("SELECT DISTINCT plan FROM action_snapshots ORDER BY 1").fetchall()
    ]


def snapshots(con, plan: str) -> list[dt.date]:
    rows = con.execute(
        "SELECT as_of FROM action_snapshots WHERE plan = ? ORDER BY as_of", [plan]
    ).fetchall()
    return [r[0] for r in rows]


def plan_overview(con) -> pd.DataFrame:
    """Per plan: the latest snapshot's RAG counts, % complete, overdue and re-dated counts,
    and the change since the previous snapshot."""
    return _df(
        con,
        """
        WITH snaps AS (
            SELECT plan, as_of, row_number() OVER (PARTITION BY plan ORDER BY as_of DESC) AS n
            FROM action_snapshots
        ),
        counts AS (
            SELECT a.plan, a.as_of, s.n, count(*) AS actions,
                   count(*) FILTER (WHERE rag = 'Complete') AS complete,
                   count(*) FILTER (WHERE rag = 'Green') AS green,
                   count(*) FILTER (WHERE rag = 'Amber') AS amber,
                   count(*) FILTER (WHERE rag = 'Red') AS red,
                   count(*) FILTER (WHERE rag = 'Not rated') AS not_rated
            FROM actions a JOIN snaps s USING (plan, as_of)
            WHERE s.n <= 2
            GROUP BY ALL
        ),
        slip AS (
            SELECT h.plan, h.as_of, count(*) FILTER (WHERE h.overdue) AS overdue,
                   count(*) FILTER (WHERE h.days_redated > 0) AS redated
            FROM slippage_history h JOIN snaps s USING (plan, as_of)
            WHERE s.n <= 2
            GROUP BY ALL
        )
        SELECT l.plan, l.as_of, p.as_of AS previous_as_of, l.actions, l.complete, l.green,
               l.amber, l.red, l.not_rated,
               round(100.0 * l.complete / l.actions, 1) AS pct_complete,
               coalesce(ls.overdue, 0) AS overdue, coalesce(ls.redated, 0) AS redated,
               l.complete - p.complete AS complete_change, l.green - p.green AS green_change,
               l.amber - p.amber AS amber_change, l.red - p.red AS red_change,
               coalesce(ls.overdue, 0) - coalesce(ps.overdue, 0) AS overdue_change,
               coalesce(ls.redated, 0) - coalesce(ps.redated, 0) AS redated_change
        FROM counts l
        LEFT JOIN counts p ON p.plan = l.plan AND p.n = 2
        LEFT JOIN slip ls ON ls.plan = l.plan AND ls.as_of = l.as_of
        LEFT JOIN slip ps ON ps.plan = p.plan AND ps.as_of = p.as_of
        WHERE l.n = 1
        ORDER BY l.plan
        """,
    )


def _recommendations(con, plan: str, as_of: dt.date) -> dict[tuple[str | None, str | None], str]:
    """Each (section, recommendation ref) of a snapshot and the label telling it apart."""
    rows = con.execute(
        "SELECT DISTINCT section, recommendation_ref FROM actions WHERE plan = ? AND as_of = ? "
        "AND recommendation_ref IS NOT NULL",
        [plan, as_of],
    ).fetchall()
    return recommendation_labels(recommendation_order(rows))


def _action_filter(con, plan: str, as_of: dt.date, filters: dict) -> tuple[str, list]:
    """SQL conditions for the optional table filters (section, recommendation, lead, RAG).

    A recommendation is chosen by its label ("Ofsted rec 1") or, as older links do, by its
    bare ref ("1"), which in a plan of several sections matches that number in each."""
    columns = {"section": "section", "lead": "lead", "rag": "rag"}
    clauses, params = [], []
    for key, column in columns.items():
        if filters.get(key):
            clauses.append(f"{column} = ?")
            params.append(filters[key])
    chosen = filters.get("recommendation")
    if chosen:
        pairs = [
            pair for pair, label in _recommendations(con, plan, as_of).items()
            if chosen in (label, pair[1])
        ]  # fmt: skip
        matches = " OR ".join(
            "(section IS NOT DISTINCT FROM ? AND recommendation_ref = ?)" for _ in pairs
        )
        clauses.append(f"({matches})" if pairs else "false")
        params.extend(value for pair in pairs for value in pair)
    return "".join(f" AND {c}" for c in clauses), params


def actions(con, plan: str, as_of: dt.date, **filters: str | None) -> pd.DataFrame:
    where, params = _action_filter(con, plan, as_of, filters)
    return _df(
        con,
        f"""
        SELECT section, recommendation_ref, recommendation, ref, action, lead, timescale,
               due_date, rag, progress, source_sheet, source_row, due_date_status,
               timescale_cell, action_cell
        FROM actions WHERE plan = ? AND as_of = ? {where}
        ORDER BY source_sheet, source_row
        """,
        [plan, as_of, *params],
    )


def filter_options(con, plan: str, as_of: dt.date) -> dict[str, list[str]]:
    """The values each action filter can take in one snapshot.

    Recommendations are their bare refs ("1") in a plan of one section, and their labels
    ("Ofsted rec 1", "Service finding 1") where refs restart in each of several sections."""
    out = {}
    for key, column in (("section", "section"), ("lead", "lead")):
        rows = con.execute(
            f"SELECT DISTINCT {column} FROM actions WHERE plan = ? AND as_of = ? AND {column} IS NOT NULL",
            [plan, as_of],
        ).fetchall()
        out[key] = sorted((r[0] for r in rows), key=_natural)
    labels = _recommendations(con, plan, as_of)
    many = len({section for section, _ in labels}) > 1
    out["recommendation"] = [label if many else ref for (_, ref), label in labels.items()]
    out["rag"] = list(RAG_LEVELS)
    return out


def _natural(text: str) -> tuple:
    import re

    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", str(text)))


def rag_by_recommendation(con, plan: str, as_of: dt.date, **filters) -> pd.DataFrame:
    """RAG counts per recommendation of each section: refs restart in each section."""
    where, params = _action_filter(con, plan, as_of, filters)
    return _df(
        con,
        f"""
        SELECT section, coalesce(recommendation_ref, '–') AS recommendation_ref,
               any_value(recommendation) AS recommendation, rag, count(*) AS count
        FROM actions WHERE plan = ? AND as_of = ? {where}
        GROUP BY ALL
        """,
        [plan, as_of, *params],
    )


def rag_over_time(con, plan: str) -> pd.DataFrame:
    return _df(
        con,
        "SELECT as_of, rag, count(*) AS count FROM actions WHERE plan = ? GROUP BY ALL ORDER BY as_of",
        [plan],
    )


def rag_movement(con, plan: str, before: dt.date, after: dt.date) -> pd.DataFrame:
    """Each action in both snapshots with its RAG in each and whether it improved."""
    order = "CASE {c} WHEN 'Complete' THEN 0 WHEN 'Green' THEN 1 WHEN 'Amber' THEN 2 WHEN 'Red' THEN 3 END"
    return _df(
        con,
        f"""
        WITH b AS (SELECT *, {store.action_key("actions")} AS k FROM actions WHERE plan = ? AND as_of = ?),
             a AS (SELECT *, {store.action_key("actions")} AS k FROM actions WHERE plan = ? AND as_of = ?)
        SELECT a.ref, a.action, a.lead, b.rag AS rag_before, a.rag AS rag_after,
               a.source_sheet, a.source_row, a.action_cell,
               CASE WHEN {order.format(c="a.rag")} < {order.format(c="b.rag")} THEN 'Improved'
                    WHEN {order.format(c="a.rag")} > {order.format(c="b.rag")} THEN 'Worsened'
                    WHEN a.rag = b.rag THEN 'No change'
                    ELSE 'Changed' END AS movement
        FROM b JOIN a ON a.k = b.k AND a.section IS NOT DISTINCT FROM b.section
        ORDER BY a.source_sheet, a.source_row
        """,
        [plan, before, plan, after],
    )


def actions_by_lead(con, plan: str, as_of: dt.date) -> pd.DataFrame:
    return _df(
        con,
        "SELECT coalesce(lead, 'No lead named') AS lead, rag, count(*) AS count FROM actions "
        "WHERE plan = ? AND as_of = ? GROUP BY ALL",
        [plan, as_of],
    )


def slippage(con, plan: str, lead: str | None = None, as_of: dt.date | None = None) -> pd.DataFrame:
    """A snapshot's actions (the latest unless ``as_of``) with due dates, overdue and re-dating.

    ``due_date_status`` says why a due date is missing: 'undated' (none meant) or
    'unreadable' (a date written so it cannot be read: neither overdue nor on time), with
    the ``timescale_cell`` it was read from.

    ``recommendation_label`` tells apart recommendations that share a number in different
    sections ("Ofsted rec 1", "Service finding 1"; "Rec 1" in a plan of one section)."""
    where = "AND lead = ?" if lead else ""
    source = "slippage_history" if as_of else "slippage"
    where += " AND as_of = ?" if as_of else ""
    rows = _df(
        con,
        f"""
        SELECT ref, action, lead, rag, section, recommendation_ref, timescale, due_date,
               first_due_date, days_redated, overdue, days_overdue, as_of, source_sheet,
               source_row, due_date_status, timescale_cell, action_cell
        FROM {source} WHERE plan = ? {where}
        ORDER BY source_sheet, source_row
        """,
        [plan, *([lead] if lead else []), *([as_of] if as_of else [])],
    )
    if rows.empty:
        return rows.assign(recommendation_label=pd.Series(dtype=object))
    snapshot = pd.Timestamp(rows["as_of"].iloc[0]).date()
    labels = _recommendations(con, plan, snapshot)  # as the filters name them, whoever leads
    keys = map(recommendation_key, rows["section"], rows["recommendation_ref"])
    return rows.assign(recommendation_label=[labels.get(key) for key in keys])


def redated_between(con, plan: str, before: dt.date, after: dt.date) -> int:
    """How many actions were given a later due date between two consecutive snapshots."""
    return con.execute(
        "SELECT count(*) FROM action_changes WHERE plan = ? AND as_of_before = ? "
        "AND as_of_after = ? AND due_after > due_before",
        [plan, before, after],
    ).fetchone()[0]


def leads(con, plan: str) -> list[str]:
    return _column(
        con,
        "SELECT DISTINCT lead FROM actions_latest WHERE plan = ? AND lead IS NOT NULL ORDER BY 1",
        [plan],
    )


# KPIs ---------------------------------------------------------------------------------

# What each indicator means as the KPI pages show it: an officer's own setting wins, then
# the latest measure dictionary for its own measures (polarity exactly as kpi_benchmarks
# takes it, so a page never colours what the view will not rank), then what files said.
_MEANING = """
measure_meaning AS (
    SELECT measure, arg_max(polarity, polarity IS NOT NULL) AS polarity,
           arg_min(unit, measure_short) AS unit, arg_min(dps, measure_short) AS dps,
           arg_min(description, measure_short) AS description,
           arg_min(topic, measure_short) AS topic
    FROM measure_dictionary
    WHERE upload_id = (SELECT max(upload_id) FROM measure_dictionary)
    GROUP BY measure
),
meaning AS (
    SELECT i.indicator,
           CASE WHEN s.polarity IS NULL AND d.measure IS NOT NULL THEN d.polarity
                ELSE i.polarity END AS polarity,
           coalesce(d.unit, i.unit) AS unit,
           coalesce(s.description, d.description, i.description) AS description,
           d.dps, d.topic, d.measure IS NOT NULL AS in_dictionary
    FROM indicators i
    LEFT JOIN indicator_settings s USING (indicator)
    LEFT JOIN measure_meaning d ON d.measure = i.indicator
)"""


def default_area(con) -> str | None:
    """The dashboard's own council: the setting, else the area of the councils' own returns."""
    if settings.own_area():
        return settings.own_area()
    chosen = store.get_state(con, "own_area")
    if chosen:
        return chosen
    row = con.execute(
        """
        SELECT v.area FROM kpi_values v JOIN areas a USING (area)
        WHERE a.kind = 'council' AND a.code IS NULL
        GROUP BY v.area ORDER BY count(*) DESC, v.area LIMIT 1
        """
    ).fetchone()
    if row:
        return row[0]
    row = con.execute(
        "SELECT area FROM areas WHERE kind = 'council' ORDER BY area LIMIT 1"
    ).fetchone()
    return row[0] if row else None


def council_areas(con) -> list[str]:
    return [
        r[0]
        for r in con.execute("SELECT area FROM areas WHERE kind = 'council' ORDER BY 1").fetchall()
    ]


def indicators(con, area: str | None = None) -> pd.DataFrame:
    """Indicators with figures (for the area, if given): unit, polarity and description (an
    officer's setting, else the measure dictionary's, else the file's), target, source, and
    for the dictionary's measures its decimal places and topic; the council's own
    indicators first (the KPI pages open at the first), then the dictionary's measures."""
    extra, params = (
        ("WHERE i.indicator IN (SELECT indicator FROM kpi_values WHERE area = ?)", [area])
        if area
        else ("", [])
    )
    return _df(
        con,
        f"""
        WITH {_MEANING}
        SELECT i.indicator, m.unit, m.polarity, i.target, m.description, i.source, m.dps,
               m.topic, m.in_dictionary
        FROM indicators i JOIN meaning m USING (indicator) {extra}
        ORDER BY m.in_dictionary, i.indicator  -- the council's own first, then national ones
        """,
        params,
    )


def kpi_tiles(con, area: str, dictionary: bool = True) -> pd.DataFrame:
    """The latest value of each of the area's indicators (whole, not broken down), with the
    polarity the KPI pages use; with none, no RAG either: never coloured good or bad.
    ``dictionary=False`` leaves out the measure dictionary's measures (the national data
    set's hundreds, which How we compare shows), keeping the council's own."""
    return _df(
        con,
        f"""
        WITH {_MEANING}
        SELECT l.* REPLACE (
                   m.polarity AS polarity,
                   CASE WHEN m.polarity IN ('higher', 'lower') THEN l.rag ELSE 'Not rated' END
                   AS rag),
               s.values AS history
        FROM kpi_latest l
        LEFT JOIN meaning m USING (indicator)
        LEFT JOIN (
            SELECT indicator, area, list(value ORDER BY period_end) AS values
            FROM kpi_values v
            WHERE breakdown IS NULL AND period_type = (
                SELECT period_type FROM kpi_latest k
                WHERE k.indicator = v.indicator AND k.area = v.area AND k.breakdown IS NULL)
            GROUP BY ALL
        ) s USING (indicator, area)
        WHERE l.area = ? AND l.breakdown IS NULL AND (? OR NOT coalesce(m.in_dictionary, false))
        ORDER BY l.indicator
        """,
        [area, dictionary],
    )


def kpi_series(con, indicator: str, area: str, breakdown: str | None = None) -> pd.DataFrame:
    """Every figure of an indicator for an area, missing ones too (value NULL), with the kind
    of period it is for (``period_type``): quarters, months, years and the year to date are
    separate series, each drawn as its own line. In time order; where periods of several
    kinds end on one day, the shorter first (Q4, then the year to date, then the year).
    ``kpi_latest`` (and so the tiles) still takes one series, that of the latest figure."""
    from loaders.periods import PERIOD_PRIORITY

    shorter_first = " ".join(f"WHEN '{t}' THEN {-r}" for t, r in PERIOD_PRIORITY.items())
    return _df(
        con,
        f"""
        SELECT period_label, period_type, period_end, value, unit, numerator, denominator,
               missing, source_sheet, source_row, source_column, upload_id
        FROM kpi_values
        WHERE indicator = ? AND area = ? AND breakdown IS NOT DISTINCT FROM ?
        ORDER BY period_end, CASE period_type {shorter_first} ELSE 0 END, period_label
        """,
        [indicator, area, breakdown],
    )


def kpi_benchmarks(con, indicator: str, area: str) -> pd.DataFrame:
    """Comparison series for a council's indicator, as ``kpi_benchmarks`` has them beside
    each of its periods: England, its region and its statistical neighbours' average (LAIT's
    rules), and the benchmark groups its own returns give ("Statistical neighbours")."""
    table = benchmarks.comparisons(con)
    return _df(
        con,
        f"""
        WITH mine AS (SELECT * FROM {table} WHERE indicator = ? AND area = ?),
        series AS (
            SELECT 'England' AS area, period_label, period_end, england_value AS value FROM mine
            UNION ALL
            SELECT region, period_label, period_end, region_value FROM mine
            WHERE region IS NOT NULL
            UNION ALL
            SELECT 'Statistical neighbours (average)', period_label, period_end, sn_average
            FROM mine
            UNION ALL
            SELECT b.area, b.period_label, b.period_end, b.value
            FROM {table} b JOIN areas a ON a.area = b.area AND a.kind = 'benchmark group'
            WHERE b.indicator = ?
        )
        SELECT * FROM series WHERE value IS NOT NULL ORDER BY area, period_end
        """,
        [indicator, area, indicator],
    )


def kpi_periods(con, indicator: str) -> list[str]:
    rows = con.execute(
        "SELECT period_label FROM kpi_values WHERE indicator = ? AND value IS NOT NULL "
        "GROUP BY period_label ORDER BY max(period_end) DESC",
        [indicator],
    ).fetchall()
    return [r[0] for r in rows]


def benchmark_year(con, indicator: str, period: str, area: str | None = None) -> pd.DataFrame:
    """Every council's figure for one period with its rank and quartile band, and England,
    the benchmark groups, the chosen council's region and its statistical neighbours'
    average, all as ``kpi_benchmarks`` has them (LAIT's rules: rank and band only where the
    polarity is known; a value on a cut point in the band below it in value)."""
    table = benchmarks.comparisons(con)
    return _df(
        con,
        f"""
        WITH year AS (
            SELECT b.*, coalesce(a.kind, 'council') AS kind
            FROM {table} b LEFT JOIN areas a USING (area)
            WHERE b.indicator = ? AND b.period_label = ?
        ),
        mine AS (SELECT * FROM year WHERE area = ?),
        units AS (
            SELECT area, unit FROM kpi_values
            WHERE indicator = ? AND period_label = ? AND breakdown IS NULL
        )
        SELECT y.area, y.kind, y.value, u.unit, y.rank, y.ranked_count AS councils_ranked,
               y.band AS quartile
        FROM year y LEFT JOIN units u USING (area)
        WHERE y.kind IN ('council', 'national', 'benchmark group')
           OR y.area = coalesce((SELECT region FROM mine),
                                (SELECT region FROM areas WHERE area = ?))
        UNION ALL
        SELECT 'Statistical neighbours (average)', 'benchmark group', sn_average,
               (SELECT any_value(unit) FROM units), NULL, NULL, NULL
        FROM mine WHERE sn_average IS NOT NULL
        ORDER BY rank NULLS LAST, area
        """,
        [indicator, period, area, indicator, period, area],
    )


def breakdown_series(con, indicator: str, area: str) -> pd.DataFrame:
    return _df(
        con,
        "SELECT breakdown, period_label, period_end, value, unit FROM kpi_values "
        "WHERE indicator = ? AND area = ? AND breakdown IS NOT NULL ORDER BY breakdown, period_end",
        [indicator, area],
    )


def indicators_with_breakdowns(con, area: str) -> list[str]:
    return _column(
        con,
        "SELECT DISTINCT indicator FROM kpi_values WHERE area = ? AND breakdown IS NOT NULL ORDER BY 1",
        [area],
    )


# Links from a council's own indicators to national measures ---------------------------


def indicator_links(con) -> pd.DataFrame:
    """Every council's own indicator linked to a national measure, and who linked it."""
    return _df(
        con,
        "SELECT indicator, measure, linked_at, linked_by FROM indicator_links ORDER BY indicator",
    )


def national_measures(con) -> pd.DataFrame:
    """Every national measure one may link to (the measure dictionary's, and indicators with
    figures for many councils) with its topic, unit, polarity and description."""
    return _df(
        con,
        f"""
        WITH {_MEANING}, national AS ({NATIONAL_MEASURES})
        SELECT n.measure, n.in_dictionary, n.councils, d.topic,
               coalesce(d.unit, m.unit) AS unit,
               CASE WHEN n.in_dictionary AND m.indicator IS NULL THEN d.polarity
                    ELSE m.polarity END AS polarity,
               coalesce(m.description, d.description) AS description
        FROM national n
        LEFT JOIN measure_meaning d USING (measure)
        LEFT JOIN meaning m ON m.indicator = n.measure
        ORDER BY n.measure
        """,
    )


def own_indicators(con) -> list[str]:
    """The councils' own indicators (with figures, and not national measures themselves):
    those an officer may link to a national measure."""
    return _column(
        con,
        f"""
        SELECT DISTINCT indicator FROM kpi_rows
        WHERE indicator NOT IN (SELECT measure FROM ({NATIONAL_MEASURES}))
        ORDER BY 1
        """,
    )


def measure_choices(con, indicator: str) -> pd.DataFrame:
    """Every national measure one may link the indicator to: the few that match its name
    best first (``suggested``, best first), then every other by name."""
    measures = national_measures(con)
    measures = measures[measures["measure"] != indicator]
    texts = [None if pd.isna(d) else str(d) for d in measures["description"]]
    scores = dict(suggest_measures(indicator, list(zip(measures["measure"], texts, strict=True))))
    measures = measures.assign(score=measures["measure"].map(scores).fillna(0.0))
    best = measures[measures["score"] > 0].sort_values(
        ["score", "measure"], ascending=[False, True]
    )[:SUGGESTIONS]
    rest = measures.drop(best.index).sort_values("measure")
    return pd.concat([best.assign(suggested=True), rest.assign(suggested=False)], ignore_index=True)


def _recency(table: str, where: str = "") -> str:
    """SQL: each measure's periods numbered newest first (``recency`` 1 is its latest):
    LAIT's year order for the dictionary's measures (the text of the label, so "2025
    (prov)" follows "2024"), else the date the period ends."""
    return f"""
        SELECT p.indicator, p.period_label, row_number() OVER (
                   PARTITION BY p.indicator
                   ORDER BY CASE WHEN p.indicator IN (
                                SELECT measure FROM measure_dictionary WHERE upload_id =
                                    (SELECT max(upload_id) FROM measure_dictionary))
                            THEN p.period_label END DESC NULLS LAST,
                            p.period_end DESC NULLS LAST, p.period_label DESC) AS recency
        FROM (SELECT DISTINCT indicator, period_label, period_end FROM {table} {where}) p
    """


def national_comparisons(con, area: str) -> pd.DataFrame:
    """For each indicator linked to a national measure: the council's figures in the
    measure's latest year (``latest_period``), or in its own latest year with a figure where
    that one has none, as ``kpi_benchmarks`` has them (value, rank of ranked_count, band,
    neighbours' average, region, England), with the measure's unit, decimal places and
    description; NULL figures where the council has none in the national set."""
    table = benchmarks.comparisons(con)
    return _df(
        con,
        f"""
        WITH {_MEANING},
        linked AS (SELECT indicator, measure FROM indicator_links),
        periods AS (
            SELECT indicator AS measure, period_label, recency
            FROM ({_recency(table, "WHERE indicator IN (SELECT measure FROM linked)")})
        ),
        figures AS (
            SELECT b.* FROM {table} b
            JOIN periods p ON p.measure = b.indicator AND p.period_label = b.period_label
            WHERE b.area = ? AND b.value IS NOT NULL
            QUALIFY row_number() OVER (PARTITION BY b.indicator ORDER BY p.recency) = 1
        )
        SELECT l.indicator, l.measure, coalesce(m.in_dictionary, false) AS in_dictionary,
               m.unit, m.dps, m.description,
               (SELECT period_label FROM periods p WHERE p.measure = l.measure AND p.recency = 1)
               AS latest_period,
               f.period_label, f.value, coalesce(f.polarity, m.polarity) AS polarity, f.rank,
               f.ranked_count, f.band, f.sn_average, f.sn_count, f.region, f.region_value,
               f.england_value
        FROM linked l
        LEFT JOIN meaning m ON m.indicator = l.measure
        LEFT JOIN figures f ON f.indicator = l.measure
        ORDER BY l.indicator
        """,
        [area],
    )


# Uploads and views --------------------------------------------------------------------


def uploads(con) -> pd.DataFrame:
    return _df(
        con,
        "SELECT upload_id, loaded_at, uploaded_by, file_name, kind, plan, as_of, rows, "
        "len(warnings) AS warnings, layout, layout_id, cells, cells_stored, cells_not_stored, "
        "warnings AS warning_list "
        "FROM uploads ORDER BY upload_id DESC",
    )


def upload_count(con) -> int:
    return con.execute("SELECT count(*) FROM uploads").fetchone()[0]


def view(con, name: str) -> pd.DataFrame:
    """A whole view of the data contract, for browsing and download."""
    if name not in BROWSABLE_VIEWS:
        raise ValueError(f"unknown view {name}")
    order = "ORDER BY upload_id DESC" if name == "uploads" else ""
    return _df(con, f'SELECT * FROM "{name}" {order}')


def layouts(con) -> pd.DataFrame:
    """Saved layouts (the officer's answers for files laid out alike) and their use."""
    return _df(
        con,
        "SELECT l.layout_id, l.name, l.kind, l.layout, l.answers, l.saved_at, l.saved_by, "
        "count(u.upload_id) AS uploads FROM layouts l "
        "LEFT JOIN upload_files u USING (layout_id) GROUP BY ALL ORDER BY l.layout_id",
    )


# How we compare -------------------------------------------------------------------------
# Every comparison comes from the data contract's ``kpi_benchmarks`` (through its copy,
# ``benchmarks.comparisons``): LAIT's rules, computed once.

OTHER_TOPIC = "Other figures for every council"  # measures from files, not LAIT's dictionary


_DICTIONARY = """dictionary AS (
    SELECT * EXCLUDE (upload_id) FROM measure_dictionary
    WHERE upload_id = (SELECT max(upload_id) FROM measure_dictionary)
    QUALIFY row_number() OVER (PARTITION BY measure ORDER BY measure_short) = 1
)"""


def compare_areas(con) -> list[str]:
    """Councils with figures to compare: those some measure ranks."""
    table = benchmarks.comparisons(con)
    return _column(con, f"SELECT DISTINCT area FROM {table} WHERE rank IS NOT NULL ORDER BY area")


def comparison(con, area: str) -> pd.DataFrame:
    """For one council, every measure compared across councils (LAIT's dictionary, and any
    other with figures for several councils) at its latest period: the council's value,
    change, rank, band, cut points, neighbours, region and England, with the dictionary's
    topic, unit, decimal places and description."""
    table = benchmarks.comparisons(con)
    return _df(
        con,
        f"""
        WITH {_DICTIONARY},
        latest AS (SELECT indicator, period_label FROM ({_recency(table)}) WHERE recency = 1),
        compared AS (
            SELECT DISTINCT indicator FROM {table}
            WHERE ranked_count >= 2 OR indicator IN (SELECT measure FROM dictionary)
        )
        SELECT b.indicator, coalesce(d.topic, ?) AS topic, d.measure_code,
               coalesce(d.unit, i.unit) AS unit, d.dps, coalesce(d.description, i.description)
               AS description, d.no_quartile, b.* EXCLUDE (indicator, area),
               p.rank AS previous_rank
        FROM latest l
        JOIN compared USING (indicator)
        LEFT JOIN {table} b
          ON b.indicator = l.indicator AND b.period_label = l.period_label AND b.area = ?
        LEFT JOIN {table} p
          ON p.indicator = b.indicator AND p.area = b.area AND p.period_label = b.previous_period
        LEFT JOIN dictionary d ON d.measure = l.indicator
        LEFT JOIN indicators i ON i.indicator = l.indicator
        WHERE b.indicator IS NOT NULL
        ORDER BY d.topic NULLS LAST, d.measure_code NULLS LAST, b.indicator
        """,
        [OTHER_TOPIC, area],
    )


def measure_history(con, indicator: str, area: str) -> pd.DataFrame:
    """One measure for one council over its periods, beside its neighbours' average, its
    region and England (as ``kpi_benchmarks`` has them)."""
    table = benchmarks.comparisons(con)
    return _df(
        con,
        f"""
        SELECT period_label, period_end, value, change, rank, ranked_count, band,
               sn_average, sn_count, region, region_value, england_value
        FROM {table} WHERE indicator = ? AND area = ?
        ORDER BY CASE WHEN ? IN (SELECT measure FROM measure_dictionary) THEN period_label
                 END, period_end, period_label
        """,
        [indicator, area, indicator],
    )


def measure_spread(con, indicator: str, period: str) -> pd.DataFrame:
    """Every council's value of one measure in one period, best first where ranked, with its
    rank and band and the period's cut points."""
    table = benchmarks.comparisons(con)
    return _df(
        con,
        f"""
        SELECT area, value, rank, ranked_count, band, q25, q50, q75, polarity
        FROM {table}
        WHERE indicator = ? AND period_label = ? AND value IS NOT NULL
          AND area IN (SELECT area FROM areas WHERE kind = 'council')
        ORDER BY rank, area
        """,
        [indicator, period],
    )


def neighbour_history(con, indicator: str, area: str) -> pd.DataFrame:
    """A council and each of its statistical neighbours (closest first) for one measure over
    its periods; a neighbour with no figure in a period has a row with value NULL."""
    table = benchmarks.comparisons(con)
    return _df(
        con,
        f"""
        WITH me AS (SELECT old_code FROM areas WHERE area = ? AND kind = 'council'),
        members AS (
            SELECT ? AS area, 0 AS closeness_order
            UNION ALL
            SELECT coalesce(a.area, n.neighbour, 'council ' || n.neighbour_old_code) AS area,
                   row_number() OVER (ORDER BY n.rank) AS closeness_order
            FROM statistical_neighbours n
            LEFT JOIN areas a ON a.old_code = n.neighbour_old_code AND a.kind = 'council'
            WHERE n.old_la_code = (SELECT old_code FROM me)
        ),
        periods AS (SELECT DISTINCT period_label, period_end FROM {table} WHERE indicator = ?)
        SELECT m.area, m.closeness_order, p.period_label, p.period_end, b.value
        FROM members m CROSS JOIN periods p
        LEFT JOIN {table} b
          ON b.indicator = ? AND b.area = m.area AND b.period_label = p.period_label
        ORDER BY m.closeness_order, p.period_label
        """,
        [area, area, indicator, indicator],
    )


def national_refresh(con) -> dict | None:
    """When LAIT's national data set now in use was loaded, by whom, from which file, and
    how many measures and councils it holds; None before any is loaded."""
    from loaders.layouts import lait

    row = con.execute(
        "SELECT u.upload_id, u.file_name, u.loaded_at, u.uploaded_by, "
        "(SELECT count(DISTINCT indicator) FROM kpi_rows k WHERE k.upload_id = u.upload_id), "
        "(SELECT count(DISTINCT area) FROM kpi_rows k WHERE k.upload_id = u.upload_id) "
        "FROM upload_files u WHERE u.layout = ? ORDER BY u.upload_id DESC LIMIT 1",
        [lait.DATASET.name],
    ).fetchone()
    if row is None:
        return None
    keys = ("upload_id", "file_name", "loaded_at", "uploaded_by", "measures", "areas")
    return dict(zip(keys, row, strict=True))
