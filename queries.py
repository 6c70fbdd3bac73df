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
from loaders import settings, store
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
            SELECT plan, count(*) FILTER (WHERE overdue) AS overdue,
                   count(*) FILTER (WHERE days_redated > 0) AS redated
            FROM slippage GROUP BY plan
        )
        SELECT l.plan, l.as_of, p.as_of AS previous_as_of, l.actions, l.complete, l.green,
               l.amber, l.red, l.not_rated,
               round(100.0 * l.complete / l.actions, 1) AS pct_complete,
               coalesce(s.overdue, 0) AS overdue, coalesce(s.redated, 0) AS redated,
               l.complete - p.complete AS complete_change, l.red - p.red AS red_change
        FROM counts l
        LEFT JOIN counts p ON p.plan = l.plan AND p.n = 2
        LEFT JOIN slip s ON s.plan = l.plan
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
    """Indicators with figures (for the area, if given) and their settings."""
    extra, params = (
        ("WHERE indicator IN (SELECT indicator FROM kpi_values WHERE area = ?)", [area])
        if area
        else ("", [])
    )
    return _df(con, f"SELECT * FROM indicators {extra} ORDER BY indicator", params)


def kpi_tiles(con, area: str) -> pd.DataFrame:
    """The latest value of each of the area's indicators (whole, not broken down)."""
    return _df(
        con,
        """
        SELECT l.*, s.values AS history
        FROM kpi_latest l
        LEFT JOIN (
            SELECT indicator, area, list(value ORDER BY period_end) AS values
            FROM kpi_values v
            WHERE breakdown IS NULL AND period_type = (
                SELECT period_type FROM kpi_latest k
                WHERE k.indicator = v.indicator AND k.area = v.area AND k.breakdown IS NULL)
            GROUP BY ALL
        ) s USING (indicator, area)
        WHERE l.area = ? AND l.breakdown IS NULL
        ORDER BY l.indicator
        """,
        [area],
    )


def kpi_series(con, indicator: str, area: str, breakdown: str | None = None) -> pd.DataFrame:
    return _df(
        con,
        """
        SELECT period_label, period_type, period_end, value, unit, numerator, denominator,
               missing, source_sheet, source_row, source_column, upload_id
        FROM kpi_values
        WHERE indicator = ? AND area = ? AND breakdown IS NOT DISTINCT FROM ?
          AND period_type = coalesce(
              (SELECT period_type FROM kpi_latest
               WHERE indicator = ? AND area = ? AND breakdown IS NOT DISTINCT FROM ?), period_type)
        ORDER BY period_end
        """,
        [indicator, area, breakdown, indicator, area, breakdown],
    )


def kpi_benchmarks(con, indicator: str, area: str) -> pd.DataFrame:
    """Comparison series for an area: benchmark figures in the area's own returns, its
    region and England from published data, and its statistical neighbours' average."""
    return _df(
        con,
        """
        WITH me AS (SELECT * FROM areas WHERE area = ?),
        series AS (
            SELECT v.area, v.period_label, v.period_end, v.value
            FROM kpi_values v
            WHERE v.indicator = ? AND v.breakdown IS NULL AND v.is_benchmark
              AND (v.area IN ('England', 'Statistical neighbours')
                   OR v.area = (SELECT region FROM me))
            UNION ALL
            SELECT 'Statistical neighbours (average of ' || n.neighbours_with_value || ')',
                   n.period_label, v.period_end, n.value
            FROM kpi_neighbour_average n
            JOIN (SELECT DISTINCT period_label, period_end FROM kpi_values WHERE indicator = ?) v
              USING (period_label)
            WHERE n.area = ? AND n.indicator = ? AND n.breakdown IS NULL
        )
        SELECT * FROM series ORDER BY area, period_end
        """,
        [area, indicator, indicator, area, indicator],
    )


def kpi_periods(con, indicator: str) -> list[str]:
    rows = con.execute(
        "SELECT period_label FROM kpi_values WHERE indicator = ? AND value IS NOT NULL "
        "GROUP BY period_label ORDER BY max(period_end) DESC",
        [indicator],
    ).fetchall()
    return [r[0] for r in rows]


def benchmark_year(con, indicator: str, period: str, area: str | None = None) -> pd.DataFrame:
    """Every area's figure for one period, with each council's rank and quartile band under
    the DfE's LAIT conventions: rank across councils only, 1 best given polarity, ties
    share the lowest rank, missing unranked; bands A (best) to D from the quartiles of all
    councils' values, a value on a cut point going to the worse band."""
    return _df(
        con,
        """
        WITH pol AS (SELECT coalesce((SELECT polarity FROM indicators WHERE indicator = ?), 'higher') AS p),
        -- every council, and of the comparators only England, the neighbours and the
        -- chosen council's own region
        vals AS (
            SELECT v.area, coalesce(a.kind, 'council') AS kind, v.value, v.unit
            FROM kpi_values v LEFT JOIN areas a USING (area)
            WHERE v.indicator = ? AND v.period_label = ? AND v.breakdown IS NULL
              AND (coalesce(a.kind, 'council') IN ('council', 'national', 'benchmark group')
                   OR v.area = (SELECT region FROM areas WHERE area = ?))
        ),
        councils AS (SELECT * FROM vals WHERE kind = 'council' AND value IS NOT NULL),
        cuts AS (
            SELECT quantile_cont(value, 0.25) AS q1, quantile_cont(value, 0.5) AS q2,
                   quantile_cont(value, 0.75) AS q3, count(*) AS n
            FROM councils
        ),
        ranked AS (
            SELECT area, CASE WHEN (SELECT p FROM pol) = 'lower'
                              THEN rank() OVER (ORDER BY value ASC)
                              ELSE rank() OVER (ORDER BY value DESC) END AS rank
            FROM councils
        )
        SELECT v.area, v.kind, v.value, v.unit,
               CASE WHEN v.kind = 'council' AND (SELECT p FROM pol) <> 'neutral' THEN r.rank END AS rank,
               (SELECT n FROM cuts) AS councils_ranked,
               CASE WHEN v.kind <> 'council' OR v.value IS NULL OR (SELECT p FROM pol) = 'neutral' THEN NULL
                    WHEN (SELECT p FROM pol) = 'lower' THEN CASE
                        WHEN v.value < c.q1 THEN 'A' WHEN v.value < c.q2 THEN 'B'
                        WHEN v.value < c.q3 THEN 'C' ELSE 'D' END
                    ELSE CASE
                        WHEN v.value > c.q3 THEN 'A' WHEN v.value > c.q2 THEN 'B'
                        WHEN v.value > c.q1 THEN 'C' ELSE 'D' END
               END AS quartile
        FROM vals v CROSS JOIN cuts c LEFT JOIN ranked r USING (area)
        ORDER BY rank NULLS LAST, v.area
        """,
        [indicator, indicator, period, area],
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
