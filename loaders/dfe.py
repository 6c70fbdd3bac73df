"""DfE explore-education-statistics CSVs: every council, region and England, read by DuckDB.

These files run to millions of cells, so the whole reshaping (areas, periods, unpivoting
measure columns, missing-value markers) happens in one DuckDB query over the CSV, never
cell by cell in Python.
"""

from __future__ import annotations

import functools
import re

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from loaders.errors import LoaderError, LoadWarning
from loaders.interpret import Accounting, Answers, Interpretation
from loaders.kpi_tables import (
    AREA_SCHEMA,
    FIGURE_SCHEMA,
    INDICATOR_SCHEMA,
    TARGET_SCHEMA,
    MetricTables,
)
from loaders.numbers import MISSING_MARKERS
from loaders.periods import Period, from_dfe
from loaders.publishers import (
    CHOICES,
    KNOWN_MEASURES,
    KNOWN_POLARITY,
    MEANING_TEXT,
    read_identifiers,
)
from loaders.readers.csv import read_text_columns

REQUIRED = ("time_period", "time_identifier", "geographic_level")
# Columns describing where and when, never measures or filters.
GEOGRAPHY = {
    "time_period", "time_identifier", "geographic_level", "country_code", "country_name",
    "region_code", "region_name", "old_la_code", "new_la_code", "la_name", "la_code",
}  # fmt: skip
LEVELS = {
    "National": ("national", "country_name", "country_code"),
    "Regional": ("region", "region_name", "region_code"),
    "Local authority": ("council", "la_name", "new_la_code"),
}

# A count/percent file's row for the whole group ("Total all ages"): its count is the others'
# denominator, its percent always 100.
_IS_TOTAL = "coalesce(lower(trim(breakdown)) LIKE 'total%', false)"


def _sql_list(values: list[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _measure_name(column: str) -> str:
    return re.sub(r"_+", " ", column).strip().capitalize()


def _arrow_csv(content: bytes, file_name: str) -> pa.Table:
    """The CSV as an Arrow table of text columns, named in lower case, with its line numbers."""
    table, _ = read_text_columns(content, file_name, blank_is_null=True)
    names = [name.strip().lower() for name in table.column_names]
    # The header is line 1, so the first record is line 2 (counting records, not lines: a
    # quoted cell may hold a line break).
    lines = pa.array(range(2, table.num_rows + 2), pa.int32())
    return table.rename_columns(names).append_column("source_row", lines)


@functools.cache
def _scratch_database() -> duckdb.DuckDBPyConnection:
    """One in-memory database kept for reshaping (opening one costs ~15 ms)."""
    return duckdb.connect()


def _scratch() -> duckdb.DuckDBPyConnection:
    return _scratch_database().cursor()


def read_dfe_csv(
    content: bytes,
    file_name: str,
    *,
    interp: Interpretation | None = None,
    answers: Answers | None = None,
) -> tuple[MetricTables, list[LoadWarning]]:
    """Every figure of a DfE tidy CSV, for every council, region and England.

    Given ``interp``, what each time_identifier means (with its evidence), any question
    (its rows are not read until ``answers`` has the answer) and the account of every cell
    go into it. Without it, a period that needs the officer's answer refuses the file.
    """
    own = interp is None
    interp = interp if interp is not None else Interpretation(file_name)
    con = _scratch()
    try:
        con.register("raw", _arrow_csv(content, file_name))
        result = _reshape(con, file_name, interp, answers)
    finally:
        con.close()
    if own and interp.questions:
        asked = " ".join(str(q) for q in interp.questions)
        raise LoaderError(
            f"The periods of this file need an answer first: {asked} Answer on the Upload "
            "page, or give --mapping.",
            file=file_name,
        )
    return result


def _reshape(
    con: duckdb.DuckDBPyConnection, file_name: str, interp: Interpretation, answers: Answers | None
) -> tuple[MetricTables, list[LoadWarning]]:
    columns = [r[0] for r in con.execute("SELECT name FROM pragma_table_info('raw')").fetchall()]
    columns = [c for c in columns if c != "source_row"]
    markers = _sql_list(sorted(MISSING_MARKERS))
    candidates = [c for c in columns if c not in GEOGRAPHY]
    # A measure column holds only numbers and missing-value markers; anything else filters.
    checks = ", ".join(
        f"count(*) FILTER (WHERE {_ident(c)} IS NOT NULL AND lower(trim({_ident(c)})) NOT IN ({markers}) "
        f"AND TRY_CAST(replace({_ident(c)}, ',', '') AS DOUBLE) IS NULL)"
        for c in candidates
    )
    bad = con.execute(f"SELECT {checks} FROM raw").fetchone() if candidates else ()
    measures = [c for c, n in zip(candidates, bad, strict=True) if n == 0]
    filters = [c for c in candidates if c not in measures]
    if not measures:
        raise LoaderError(
            "No measure columns were found: every column other than time and geography holds "
            "text. Check this is a DfE data file (not its metadata).",
            file=file_name,
        )
    warnings: list[LoadWarning] = []
    levels = dict(con.execute("SELECT geographic_level, count(*) FROM raw GROUP BY ALL").fetchall())
    skipped = {level: n for level, n in levels.items() if level not in LEVELS}
    if skipped:
        listed = ", ".join(f"{level} ({n} rows)" for level, n in skipped.items())
        warnings.append(LoadWarning(f"rows of other geographic levels were not loaded: {listed}."))

    _register_periods(con, _read_periods(con, file_name, columns, filters, interp, answers))
    area_sql = _area_sql(set(columns))
    count_percent = _count_percent_pairs(measures)
    if count_percent and "breakdown" in filters:
        figures, indicators = _count_percent_figures(con, area_sql, count_percent, filters, markers)
    else:
        count_percent = None
        figures, indicators = _measure_figures(con, area_sql, measures, filters, markers)
    warnings += _account(
        con, interp, area_sql, len(columns), measures, count_percent, markers, figures
    )
    areas = con.sql(
        f"SELECT DISTINCT {area_sql['area']} AS area, {area_sql['kind']} AS kind, "
        f"{area_sql['code']} AS code, {area_sql['old_code']} AS old_code, "
        f"{area_sql['region']} AS region FROM raw "
        f"WHERE geographic_level IN ({_sql_list(list(LEVELS))}) AND {area_sql['area']} IS NOT NULL"
    ).to_arrow_table()
    tables = MetricTables(
        figures.cast(FIGURE_SCHEMA),
        TARGET_SCHEMA.empty_table(),
        indicators.cast(INDICATOR_SCHEMA),
        areas.cast(AREA_SCHEMA),
    )
    return tables, warnings


def _read_periods(con, file_name, columns, filters, interp, answers) -> dict[tuple, Period]:
    """Each (time_period, time_identifier) as the period its publication means; a meaning
    that only the officer can give is asked, and its rows wait for the answer."""
    pairs = sorted(
        (tp or "", ti or "")
        for tp, ti in con.execute(
            "SELECT DISTINCT time_period, time_identifier FROM raw"
        ).fetchall()
    )
    examples = {ti: [f"{tp} ({ti})" for tp, t in pairs if t == ti][-3:] for _, ti in pairs}
    meanings = read_identifiers(
        examples,
        columns,
        lambda: [
            v
            for f in filters
            for (v,) in con.execute(f"SELECT DISTINCT {_ident(f)} FROM raw LIMIT 500").fetchall()
        ],
        file_name,
        interp,
        answers,
    )
    periods, unreadable = {}, []
    for tp, ti in pairs:
        reading = meanings[ti]
        if reading.question is None:
            periods[tp, ti] = period = from_dfe(tp, ti, meaning=reading.meaning)
        else:  # its rows wait for the answer, but a period no answer could read is refused now
            period = next(
                filter(None, (from_dfe(tp, ti, meaning=m) for m in CHOICES.values())), None
            )
        if period is None:
            unreadable.append(f"{tp or '(blank)'} ({ti or 'no time_identifier'})")
    if unreadable:
        raise LoaderError(
            f"Time periods {', '.join(unreadable)} could not be read. Expected years such as "
            "2025 or 201617.",
            file=file_name,
        )
    for ident, reading in meanings.items():
        if reading.meaning is not None:
            shown = ", ".join(
                f"{tp} is {p.label}" for (tp, ti), p in periods.items() if ti == ident
            )
            interp.decide(
                "period", f"time_identifier '{ident}'",
                f"{MEANING_TEXT[reading.meaning]}: {shown}", reading.evidence,
            )  # fmt: skip
    return periods


def _register_periods(con: duckdb.DuckDBPyConnection, periods: dict[tuple, Period]) -> None:
    con.register(
        "period_map",
        pa.table(
            {
                "time_period": pa.array([tp for tp, _ in periods], pa.string()),
                "time_identifier": pa.array([ti for _, ti in periods], pa.string()),
                "period_label": pa.array([p.label for p in periods.values()], pa.string()),
                "period_type": pa.array([p.type for p in periods.values()], pa.string()),
                "period_start": pa.array([p.start for p in periods.values()], pa.date32()),
                "period_end": pa.array([p.end for p in periods.values()], pa.date32()),
            }
        ),
    )


def _account(con, interp, area_sql, width, measures, pair, markers, figures) -> list[LoadWarning]:
    """Account for every cell of the CSV: the header; each measure cell of a loaded row
    stored, missing (a marker) or blank; its time, geography and filter cells as labels; and
    every cell of rows not loaded, with the reason. A file with a column per measure has a
    figure per measure cell, so its cells are counted from the figures (re-reading a
    national file's every cell in SQL doubled its import); count/percent pairs from the
    cells themselves."""

    def classes(column: str, rows: str) -> list[str]:
        # stored (a number), missing (a marker; never a number too), in the rows chosen
        value, missing = _value_sql(column, markers)
        return [f"count(*) FILTER (WHERE {rows})", f"count(CASE WHEN {rows} THEN {value} END)",
                f"count(CASE WHEN {rows} THEN {missing} END)"]  # fmt: skip

    # (reason for a number in the cell, column, rows): the number is stored unless a reason
    if pair:
        count, percent = pair
        groups = [(None, count, "true"), (None, percent, f"NOT {_IS_TOTAL}"),
                  ("redundant", percent, _IS_TOTAL)]  # fmt: skip
        extra = [m for m in measures if m not in pair]
    else:
        groups, extra = [(None, m, "true") for m in measures], []
    counts = con.execute(
        f"""
        WITH r AS (
            SELECT raw.*, coalesce(geographic_level IN ({_sql_list(list(LEVELS))}), false) AS lvl,
                   {area_sql["area"]} AS area_, p.period_label IS NOT NULL AS known
            FROM raw LEFT JOIN period_map p USING (time_period, time_identifier)
        ),
        by_row AS (
            SELECT count(*) FILTER (WHERE NOT lvl) AS other_level,
                   count(*) FILTER (WHERE lvl AND area_ IS NULL) AS no_area,
                   list(DISTINCT geographic_level) FILTER (WHERE lvl AND area_ IS NULL) AS levels,
                   count(*) FILTER (WHERE lvl AND area_ IS NOT NULL AND NOT known) AS unanswered,
                   count(*) FILTER (WHERE lvl AND area_ IS NOT NULL AND known) AS loaded
            FROM r
        ),
        by_cell AS (
            SELECT {", ".join(e for _, column, rows in groups for e in classes(column, rows))}
            FROM r WHERE lvl AND area_ IS NOT NULL AND known
        )
        SELECT * FROM by_row{", by_cell" if pair else ""}
        """
    ).fetchall()[0]
    other_level, no_area, no_area_levels, unanswered, rows, *cells = counts
    if not pair:  # one figure per measure cell of a loaded row
        groups = [(None, "measures", "true")]
        cells = [
            figures.num_rows,
            pc.sum(pc.is_valid(figures["value"])).as_py() or 0,
            pc.sum(pc.is_valid(figures["missing"])).as_py() or 0,
        ]
    found = Accounting()
    found.add(None, 0)
    for reason, n in [
        ("header", width),
        ("skipped", (other_level + no_area) * width + rows * len(extra)),
        ("unanswered", unanswered * width),
        ("label", rows * (width - len(measures))),
    ]:
        if n:
            found.add(reason, n)
    for (reason, _, _), (n, numbers, markers) in zip(
        groups, zip(*[iter(cells)] * 3, strict=True), strict=True
    ):
        for why, k in ((reason, numbers), ("missing", markers), ("blank", n - numbers - markers)):
            if k or why is None:
                found.add(why, k)
    interp.accounting.merge(found)
    warnings = []
    if no_area:
        warnings.append(
            LoadWarning(
                f"{no_area} row(s) with no area name were not loaded (geographic level "
                f"{', '.join(sorted(no_area_levels))})."
            )
        )
    if extra and rows:
        warnings.append(
            LoadWarning(
                f"columns {', '.join(extra)} were not loaded: only the {pair[0]} and {pair[1]} "
                "columns are read in a file of counts and percentages."
            )
        )
    return warnings


def _area_sql(columns: set[str]) -> dict[str, str]:
    def col(name: str) -> str:
        return _ident(name) if name in columns else "NULL"

    area = (
        "CASE geographic_level "
        + " ".join(
            f"WHEN '{level}' THEN trim({col(name)})" for level, (_, name, _) in LEVELS.items()
        )
        + " END"
    )
    kind = (
        "CASE geographic_level "
        + " ".join(f"WHEN '{level}' THEN '{kind}'" for level, (kind, _, _) in LEVELS.items())
        + " END"
    )
    code = (
        "CASE geographic_level "
        + " ".join(f"WHEN '{level}' THEN {col(code)}" for level, (_, _, code) in LEVELS.items())
        + " END"
    )
    old = f"CASE geographic_level WHEN 'Local authority' THEN {col('old_la_code')} END"
    region = f"CASE geographic_level WHEN 'Local authority' THEN trim({col('region_name')}) END"
    return {"area": area, "kind": kind, "code": code, "old_code": old, "region": region}


def _value_sql(column: str, markers: str) -> tuple[str, str]:
    """SQL for a cell's number and for its missing-value marker."""
    c = _ident(column)
    value = f"TRY_CAST(replace({c}, ',', '') AS DOUBLE)"
    missing = f"CASE WHEN lower(trim({c})) IN ({markers}) THEN trim({c}) END"
    return value, missing


def _count_percent_pairs(measures: list[str]) -> tuple[str, str] | None:
    counts = [m for m in measures if m.endswith("_count")]
    for count in counts:
        percent = count[: -len("_count")] + "_percent"
        if percent in measures:
            return count, percent
    return None


def _count_percent_figures(con, area_sql, pair, filters, markers) -> tuple[pa.Table, pa.Table]:
    """Files such as the children-looked-after health outcomes: a count and a percent per
    breakdown, with a 'Total ...' breakdown giving the denominator."""
    count, percent = pair
    count_value, count_missing = _value_sql(count, markers)
    percent_value, percent_missing = _value_sql(percent, markers)
    names = [_sql_list([count]), _sql_list([percent])]
    group = [f for f in filters if f != "breakdown"]
    description = " || ' / ' || ".join(f"coalesce({_ident(f)}, '')" for f in group) or "NULL"
    is_total = _IS_TOTAL
    indicator = f"CASE WHEN {is_total} THEN {description} || ': total' ELSE trim(breakdown) END"
    partition = ", ".join(
        ["time_period", "time_identifier", "geographic_level", area_sql["area"]]
        + [_ident(f) for f in group]
    )
    query = f"""
        WITH base AS (
            SELECT *, {area_sql["area"]} AS area, {area_sql["kind"]} AS kind,
                   {indicator} AS indicator, {description} AS description,
                   {count_value} AS count_value, {percent_value} AS percent_value,
                   CASE WHEN {is_total} THEN {count_missing}
                        ELSE coalesce({percent_missing}, {count_missing}) END AS marker,
                   max(CASE WHEN {is_total} THEN {count_value} END) OVER (PARTITION BY {partition}) AS total
            FROM raw WHERE geographic_level IN ({_sql_list(list(LEVELS))})
        )
        SELECT indicator, area, NULL AS breakdown, p.period_label, p.period_type, p.period_start,
               p.period_end,
               CASE WHEN {is_total} THEN count_value ELSE coalesce(percent_value, count_value) END AS value,
               CASE WHEN {is_total} THEN 'children'
                    WHEN percent_value IS NOT NULL THEN '%'
                    WHEN indicator ILIKE '%score%' THEN 'score'
                    WHEN count_value IS NOT NULL THEN 'children' END AS unit,
               CASE WHEN percent_value IS NOT NULL AND NOT {is_total} THEN count_value END AS numerator,
               CASE WHEN percent_value IS NOT NULL AND NOT {is_total} THEN total END AS denominator,
               kind <> 'council' AS is_benchmark,
               CASE WHEN (CASE WHEN {is_total} THEN count_value ELSE coalesce(percent_value, count_value) END) IS NULL
                    THEN marker END AS missing,
               NULL AS source_sheet, source_row,
               -- the column the value (or its marker) was read from
               CASE WHEN {is_total} THEN {names[0]}
                    WHEN percent_value IS NOT NULL THEN {names[1]}
                    WHEN count_value IS NOT NULL THEN {names[0]}
                    WHEN marker IS NOT NULL AND {percent_missing} IS NULL THEN {names[0]}
                    ELSE {names[1]} END AS source_column
        FROM base JOIN period_map p USING (time_period, time_identifier)
        WHERE area IS NOT NULL
    """
    figures = con.sql(query).to_arrow_table()
    info = con.execute(
        f"SELECT DISTINCT {indicator} AS indicator, {description} AS description "
        f"FROM raw WHERE geographic_level IN ({_sql_list(list(LEVELS))})"
    ).fetchall()
    indicators = pa.table(
        {
            "indicator": [name for name, _ in info],
            "unit": [None] * len(info),
            "polarity": [KNOWN_POLARITY.get(name.lower()) for name, _ in info],
            "description": [desc for _, desc in info],
            "source": ["DfE explore-education-statistics"] * len(info),
        }
    )
    return figures, indicators


def _measure_figures(con, area_sql, measures, filters, markers) -> tuple[pa.Table, pa.Table]:
    """Files with one column per measure, such as the social work workforce statistics."""
    names = {m: KNOWN_MEASURES.get(m, (_measure_name(m), None, None)) for m in measures}
    con.register(
        "measure_map",
        pa.table(
            {
                "measure": list(names),
                "indicator": [n[0] for n in names.values()],
                "measure_unit": [n[1] for n in names.values()],
            }
        ),
    )
    # Filter values name the breakdown; "Total" rows are the whole, with no breakdown.
    parts = [
        f"CASE WHEN lower(trim({_ident(f)})) LIKE 'total%' THEN NULL ELSE trim({_ident(f)}) END"
        for f in filters
    ]
    breakdown = f"nullif(concat_ws(' / ', {', '.join(parts)}), '')" if parts else "NULL"
    value, missing = _value_sql("raw_value", markers)
    query = f"""
        WITH long AS (
            UNPIVOT (
                SELECT source_row, time_period, time_identifier, geographic_level,
                       {area_sql["area"]} AS area, {area_sql["kind"]} AS kind,
                       {breakdown} AS breakdown, {", ".join(_ident(m) for m in measures)}
                FROM raw WHERE geographic_level IN ({_sql_list(list(LEVELS))})
            ) ON {", ".join(_ident(m) for m in measures)} INTO NAME measure VALUE raw_value
        )
        SELECT m.indicator, area, breakdown, p.period_label, p.period_type, p.period_start,
               p.period_end, {value} AS value, m.measure_unit AS unit, NULL AS numerator,
               NULL AS denominator, kind <> 'council' AS is_benchmark,
               CASE WHEN {value} IS NULL THEN {missing} END AS missing,
               NULL AS source_sheet, source_row, measure AS source_column
        FROM long
        JOIN period_map p USING (time_period, time_identifier)
        JOIN measure_map m USING (measure)
        WHERE area IS NOT NULL
    """
    figures = con.sql(query).to_arrow_table()
    indicators = pa.table(
        {
            "indicator": [n[0] for n in names.values()],
            "unit": [n[1] for n in names.values()],
            "polarity": [n[2] for n in names.values()],
            "description": [f"DfE column {m}" for m in names],
            "source": ["DfE explore-education-statistics"] * len(names),
        }
    )
    return figures, indicators
