"""The data contract's ``kpi_benchmarks`` view: every figure beside its national comparison,
computed as LAIT (the DfE's Local Authority Interactive Tool) computes it.

LAIT's rules (its R code: ``R/fn_analysis.R`` of dfe-analytical-services/
local-authority-interactive-tool): periods of a measure in the text order of their labels;
rank with ties at the lowest rank (R's ``rank(ties.method = "min")``) over councils with a
value, best first by polarity; cut points from R's default quantile (type 7); a value on a
cut point in the band below it in value; London councils compared with Inner or Outer
London, or with London where the measure has no figure for those (``clean_ldn_region``).
Rank and band are given for every period, not only the latest.
"""

from __future__ import annotations

import contextlib
import json
import threading

import duckdb


def type7_quantile(values: str, n: str, p: float) -> str:
    """SQL for R's default quantile (type 7) of a sorted list: index = 1 + (n - 1)p,
    (1 - h) * x[lo] + h * x[hi], and x[lo] itself where x[hi] equals it (as R does)."""
    index = f"(1 + ({n} - 1) * CAST({p!r} AS DOUBLE))"
    lo, hi = f"CAST(floor({index}) AS BIGINT)", f"CAST(ceil({index}) AS BIGINT)"
    h = f"({index} - floor({index}))"
    return (
        f"CASE WHEN {n} = 0 THEN NULL "
        f"WHEN {index} > floor({index}) AND {values}[{hi}] <> {values}[{lo}] "
        f"THEN (1 - {h}) * {values}[{lo}] + {h} * {values}[{hi}] "
        f"ELSE {values}[{lo}] END"
    )


KPI_BENCHMARKS = f"""
-- One row per indicator, area and period (headline figures, no breakdown) with how it
-- compares: LAIT's rank, quartile band and cut points, neighbours, region and England.
CREATE OR REPLACE VIEW kpi_benchmarks AS
WITH dictionary AS (
    SELECT measure AS indicator,
           arg_max(polarity, polarity IS NOT NULL) AS polarity,
           bool_or(no_quartile) AS no_quartile
    FROM measure_dictionary
    WHERE upload_id = (SELECT max(upload_id) FROM measure_dictionary)
    GROUP BY measure
),
-- an officer's own setting wins, then the dictionary, then what the file said; only
-- higher and lower are polarities to rank by (neutral, blank, "-" are none)
-- LAIT lists a few measures under two names (two topics); the figures are stored under
-- one (the importer's choice) and LAIT shows them under both, each with its own
-- dictionary row (No_Quartile can differ): so does this view
aliases AS (
    SELECT other.measure AS indicator, stored.measure AS stored_as
    FROM measure_dictionary stored
    JOIN measure_dictionary other USING (upload_id, measure_short)
    WHERE stored.upload_id = (SELECT max(upload_id) FROM measure_dictionary)
      AND other.measure <> stored.measure
      AND stored.measure IN (SELECT indicator FROM indicators)
      AND other.measure NOT IN (SELECT indicator FROM indicators)
),
polarities AS (
    SELECT i.indicator,
           CASE WHEN s.polarity IS NULL AND d.indicator IS NOT NULL THEN d.polarity
                ELSE i.polarity END AS raw_polarity,
           d.indicator IS NOT NULL AS lait,
           coalesce(d.no_quartile, false) AS no_quartile
    FROM (SELECT indicator, polarity FROM indicators
          UNION ALL
          SELECT a.indicator, s.polarity FROM aliases a
          LEFT JOIN indicator_settings s USING (indicator)) i
    LEFT JOIN indicator_settings s USING (indicator)
    LEFT JOIN dictionary d USING (indicator)
),
measures AS (
    SELECT indicator, lait, no_quartile,
           CASE WHEN lower(raw_polarity) IN ('higher', 'lower') THEN lower(raw_polarity)
           END AS polarity
    FROM polarities
),
stored_figures AS (
    SELECT v.indicator, v.area, v.period_label, v.period_type, v.period_end, v.value,
           NOT v.is_benchmark AND coalesce(a.kind, 'council') = 'council' AS is_council,
           a.kind = 'national' OR (a.kind IS NULL AND lower(v.area) = 'england') AS is_england
    FROM kpi_values v
    LEFT JOIN areas a USING (area)
    WHERE v.breakdown IS NULL
),
figures AS MATERIALIZED (
    SELECT * FROM stored_figures
    UNION ALL
    SELECT a.indicator, f.* EXCLUDE (indicator)
    FROM aliases a JOIN stored_figures f ON f.indicator = a.stored_as
),
-- LAIT orders a measure's years by their text ("2025 (prov)" after "2024"); a council's
-- own indicator by date, within each kind of period
periods AS (
    SELECT f.indicator, f.period_label, any_value(f.period_type) AS period_type,
           any_value(f.period_end) AS period_end, coalesce(any_value(m.lait), false) AS lait
    FROM figures f LEFT JOIN measures m USING (indicator)
    GROUP BY f.indicator, f.period_label
),
sequenced AS (
    SELECT indicator, period_label,
           lag(period_label) OVER (
               PARTITION BY indicator, CASE WHEN lait THEN '' ELSE period_type END
               ORDER BY CASE WHEN lait THEN period_label END, period_end, period_label
           ) AS previous_period
    FROM periods
),
councils_values AS (
    SELECT indicator, period_label, count(value) AS n,
           list_sort(list(value) FILTER (WHERE value IS NOT NULL)) AS xs
    FROM figures WHERE is_council GROUP BY indicator, period_label
),
cuts AS (
    SELECT indicator, period_label, n,
           {type7_quantile("xs", "n", 0.25)} AS q25,
           {type7_quantile("xs", "n", 0.5)} AS q50,
           {type7_quantile("xs", "n", 0.75)} AS q75
    FROM councils_values
),
ranked AS (
    SELECT f.*, m.polarity, coalesce(m.no_quartile, false) AS no_quartile,
           -- no rank where no other council has a figure to compare with
           m.polarity IS NOT NULL AND c.n >= 2 AS rankable,
           -- one ordering for both polarities: best first (ties share the lowest rank)
           rank() OVER (
               PARTITION BY f.indicator, f.period_label, f.is_council, f.value IS NULL
               ORDER BY CASE WHEN m.polarity = 'higher' THEN -f.value ELSE f.value END
           ) AS raw_rank,
           c.n, c.q25, c.q50, c.q75
    FROM figures f
    LEFT JOIN measures m USING (indicator)
    LEFT JOIN cuts c USING (indicator, period_label)
),
-- a council's region: LAIT's own (Inner or Outer London for London), else the councils
-- list; London where the measure has no figure at all for Inner or Outer London
places AS (
    SELECT a.area, coalesce(a.region, byc.region, byn.region) AS region
    FROM (SELECT DISTINCT area FROM figures WHERE is_council) f
    LEFT JOIN areas a USING (area)
    LEFT JOIN councils byc ON byc.old_la_code = a.old_code
    LEFT JOIN councils byn ON lower(byn.la_name) = lower(f.area)
),
region_keys AS (
    SELECT area,
           CASE lower(region) WHEN 'inner london' THEN 'london (inner)'
                WHEN 'outer london' THEN 'london (outer)' ELSE lower(region) END AS key,
           region
    FROM places WHERE region IS NOT NULL
),
region_figures AS (
    SELECT indicator, lower(area) AS key, any_value(area) AS area, count(value) AS with_value
    FROM figures WHERE NOT is_council GROUP BY indicator, lower(area)
),
regions AS (
    SELECT m.indicator, k.area,
           CASE WHEN k.key LIKE 'london%' AND coalesce(r.with_value, 0) = 0
                THEN coalesce(l.area, 'London') ELSE coalesce(r.area, k.region) END AS region
    FROM region_keys k
    CROSS JOIN (SELECT DISTINCT indicator FROM figures) m
    LEFT JOIN region_figures r ON r.indicator = m.indicator AND r.key = k.key
    LEFT JOIN region_figures l ON l.indicator = m.indicator AND l.key = 'london'
),
-- LAIT's statistical-neighbour figure: the plain mean of the neighbours' values, skipping
-- missing ones (missing if all are)
neighbour_pairs AS (
    SELECT c.area, a.area AS neighbour
    FROM statistical_neighbours n
    JOIN areas c ON c.old_code = n.old_la_code AND c.kind = 'council'
    JOIN areas a ON a.old_code = n.neighbour_old_code AND a.kind = 'council'
),
neighbour_means AS (
    SELECT n.area, f.indicator, f.period_label,
           avg(f.value) AS value, count(f.value) AS neighbours_with_value
    FROM neighbour_pairs n JOIN figures f ON f.area = n.neighbour
    GROUP BY ALL
)
SELECT r.indicator, r.area, r.period_label, r.period_end, r.value,
       s.previous_period, p.value AS previous_value, r.value - p.value AS change,
       r.polarity,
       CASE WHEN r.rankable AND r.is_council AND r.value IS NOT NULL THEN r.raw_rank
       END AS rank,
       CASE WHEN r.rankable THEN r.n END AS ranked_count,
       CASE WHEN r.rankable AND r.is_council AND r.value IS NOT NULL AND NOT r.no_quartile
            THEN CASE
                WHEN r.value <= r.q25 THEN CASE r.polarity WHEN 'lower' THEN 'A' ELSE 'D' END
                WHEN r.value <= r.q50 THEN CASE r.polarity WHEN 'lower' THEN 'B' ELSE 'C' END
                WHEN r.value <= r.q75 THEN CASE r.polarity WHEN 'lower' THEN 'C' ELSE 'B' END
                ELSE CASE r.polarity WHEN 'lower' THEN 'D' ELSE 'A' END END
       END AS band,
       CASE WHEN r.n >= 2 AND NOT r.no_quartile THEN r.q25 END AS q25,
       CASE WHEN r.n >= 2 AND NOT r.no_quartile THEN r.q50 END AS q50,
       CASE WHEN r.n >= 2 AND NOT r.no_quartile THEN r.q75 END AS q75,
       CASE WHEN r.is_council THEN nb.value END AS sn_average,
       CASE WHEN r.is_council THEN nb.neighbours_with_value END AS sn_count,
       g.region, rv.value AS region_value, e.value AS england_value
FROM ranked r
LEFT JOIN sequenced s USING (indicator, period_label)
LEFT JOIN figures p
  ON p.indicator = r.indicator AND p.area = r.area AND p.period_label = s.previous_period
LEFT JOIN neighbour_means nb
  ON nb.area = r.area AND nb.indicator = r.indicator AND nb.period_label = r.period_label
LEFT JOIN regions g ON r.is_council AND g.indicator = r.indicator AND g.area = r.area
LEFT JOIN figures rv
  ON rv.indicator = r.indicator AND rv.area = g.region AND rv.period_label = r.period_label
 AND NOT rv.is_council
LEFT JOIN (SELECT indicator, period_label, any_value(value) AS value
           FROM figures WHERE is_england GROUP BY ALL) e
  ON e.indicator = r.indicator AND e.period_label = r.period_label;
"""


# The view above is always right but reads every figure of every council: on LAIT's data
# set that is seconds. Pages read a copy of it instead, rebuilt whenever its inputs change.
CACHE = "benchmark_cache"
_INPUT_UPLOADS = ("kpi_rows", "indicator_file_info", "area_rows", "neighbour_rows",
                  "measure_dictionary")  # fmt: skip
_building = threading.Lock()


def inputs_version(con: duckdb.DuckDBPyConnection) -> str:
    """What the view's figures depend on: the uploads in each table it reads (an upload's
    rows never change), officers' settings, the councils list and the last restore."""
    uploads = ", ".join(
        f"(SELECT list(DISTINCT upload_id ORDER BY upload_id) FROM {table})"
        for table in _INPUT_UPLOADS
    )
    row = con.execute(
        f"SELECT {uploads}, "
        "(SELECT sum(hash(s)::HUGEINT) FROM indicator_settings s), "
        "(SELECT sum(hash(c)::HUGEINT) FROM councils c), "
        "(SELECT max(audit_id) FROM audit_log WHERE action = 'database restored')"
    ).fetchone()
    return json.dumps(row, default=str)


def _cached_version(con: duckdb.DuckDBPyConnection) -> str | None:
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = ?",
        [f"{CACHE}_version"],
    ).fetchone()[0]  # (a failed query would end the transaction it is in)
    if not exists:
        return None
    row = con.execute(f"SELECT version FROM {CACHE}_version").fetchone()
    return row[0] if row else None


def comparisons(con: duckdb.DuckDBPyConnection) -> str:
    """The name of a table holding exactly what ``kpi_benchmarks`` holds now: the copy,
    rebuilt first if any input changed since it was made (once per change, seconds on the
    national data set), or the view itself where the copy cannot be written."""
    if _cached_version(con) == inputs_version(con):
        return CACHE
    with _building:
        try:
            con.execute("BEGIN TRANSACTION")
            version = inputs_version(con)  # of the data this transaction sees
            if _cached_version(con) != version:
                con.execute(f"CREATE OR REPLACE TABLE {CACHE} AS SELECT * FROM kpi_benchmarks")
                con.execute(f"CREATE OR REPLACE TABLE {CACHE}_version (version VARCHAR)")
                con.execute(f"INSERT INTO {CACHE}_version VALUES (?)", [version])
            con.execute("COMMIT")
        except duckdb.Error:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            return "kpi_benchmarks"  # read-only, or written meanwhile: the view is right
    return CACHE
