"""DfE explore-education-statistics CSVs: every council, region and England, read by DuckDB.

These files run to millions of cells, so the whole reshaping (areas, periods, unpivoting
measure columns, missing-value markers) happens in one DuckDB query over the CSV, never
cell by cell in Python.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from loaders.errors import LoaderError, LoadWarning
from loaders.interpret import Accounting, Answers, Interpretation, MappingError, Question
from loaders.kpi_tables import (
    AREA_SCHEMA,
    FIGURE_SCHEMA,
    INDICATOR_SCHEMA,
    TARGET_SCHEMA,
    MetricTables,
)
from loaders.metric_sheet import quoted
from loaders.metric_vocabulary import (
    UNIT_CHOICES,
    is_ambiguous_unit,
    metric_field,
    names_what_is_counted,
    series_suffix,
    unit_of,
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
# A column of numbers with a few cells that are neither numbers nor missing-value markers (a
# stray "n/k" or note) is still a column of figures: each such cell is warned and stored as
# missing with its text. Up to this share of its filled cells; with more, the officer is asked.
FEW_ODD_CELLS = 0.05
# Measure columns whose name says they hold percentages ("percentage", "pupils_pct").
_PERCENT_COLUMN = re.compile(r"(?:^|_)(?:percent|percentage|pct|%)(?:_|$)")
# Percent markers meaning "rounds to 0": a count kept beside one must round to 0% too.
_ROUNDS_TO_ZERO = ("k", "low")
# A count of a count/percent file that does not give its percent out of the total row's count
# (the SDQ bands are out of the children with a score, not of all children): not stored.
OTHER_BASE = "count that does not give its percent out of the total"
# A count beside a withheld percent (suppressed, not applicable): nothing to check it by.
WITHHELD = "count beside a withheld percent"
# What a column of numbers and text can be, when the officer is asked.
COLUMN_CHOICES = (
    "a measure: its text cells are missing, each warned",
    "a label naming the figures",
)
# Filter columns that name a series rather than a breakdown (metric_vocabulary's fields).
SERIES_FIELDS = ("indicator", "measure", "unit")


def _sql_list(values: list[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _measure_name(column: str) -> str:
    return re.sub(r"_+", " ", column).strip().capitalize()


def _column_unit(column: str) -> str | None:
    """The unit a measure column's name gives: 'percentage', 'pupils_pct' -> %, 'number' ->
    count; 'rate' alone could be a percentage or per 10,000, so gives none."""
    if _PERCENT_COLUMN.search(column):
        return "%"
    return unit_of(_measure_name(column))


def _number_sql(cell: str) -> str:
    """SQL for the number a text cell holds ('1,234' -> 1234), NULL if none ('NaN' is none)."""
    number = f"TRY_CAST(replace(trim({cell}), ',', '') AS DOUBLE)"
    return f"CASE WHEN isfinite({number}) THEN {number} END"


def _odd_sql(cell: str, markers: str) -> str:
    """SQL true for a cell that is neither a number nor a missing-value marker."""
    return (
        f"({cell} IS NOT NULL AND {_number_sql(cell)} IS NULL "
        f"AND lower(trim({cell})) NOT IN ({markers}))"
    )


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
    """One in-memory database kept for reshaping (opening one costs ~15 ms). Its memory is
    bounded well inside the reading worker's address space: by default DuckDB sizes itself
    from the machine's memory, and an allocation past the worker's limit fails the file."""
    return duckdb.connect(config={"memory_limit": "512MB", "threads": 2})


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
        periods = all(q.key.startswith("period meaning") for q in interp.questions)
        raise LoaderError(
            f"{'The periods of this file need' if periods else 'This file needs'} an answer "
            f"first: {asked} Answer on the Upload page, or give --mapping.",
            file=file_name,
        )
    return result


def _reshape(
    con: duckdb.DuckDBPyConnection, file_name: str, interp: Interpretation, answers: Answers | None
) -> tuple[MetricTables, list[LoadWarning]]:
    columns = [r[0] for r in con.execute("SELECT name FROM pragma_table_info('raw')").fetchall()]
    columns = [c for c in columns if c != "source_row"]
    markers = _sql_list(sorted(MISSING_MARKERS))
    area_sql = _area_sql(set(columns))
    candidates = [c for c in columns if c not in GEOGRAPHY]
    measures, filters, odd = _column_roles(
        con, candidates, markers, area_sql["area"], interp, answers
    )
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
    count_percent = _count_percent_pairs(measures)
    if count_percent and "breakdown" in filters:
        figures, indicators, cells = _count_percent_figures(
            con, interp, area_sql, count_percent, filters, markers
        )
        read = list(count_percent)
    else:
        count_percent = None
        figures, indicators = _measure_figures(con, interp, answers, area_sql, measures, filters)
        cells = _cells_of(figures)
        read = measures
    warnings += _odd_cell_warnings(
        con, file_name, columns, [c for c in odd if c in read], area_sql["area"], markers
    )
    warnings += _account(con, interp, area_sql, len(columns), measures, count_percent, cells)
    areas = con.sql(
        f"SELECT DISTINCT {area_sql['area']} AS area, {area_sql['kind']} AS kind, "
        f"{area_sql['code']} AS code, {area_sql['old_code']} AS old_code, "
        f"{area_sql['region']} AS region FROM raw "
        f"WHERE geographic_level IN ({_sql_list(list(LEVELS))}) AND {area_sql['area']} IS NOT NULL"
    ).to_arrow_table()
    tables = MetricTables(
        figures.select(FIGURE_SCHEMA.names).cast(FIGURE_SCHEMA),
        TARGET_SCHEMA.empty_table(),
        indicators.cast(INDICATOR_SCHEMA),
        areas.cast(AREA_SCHEMA),
    )
    return tables, warnings


COLUMNS_PER_QUERY = 10


def _column_roles(
    con, candidates: list[str], markers: str, area: str, interp: Interpretation, answers
) -> tuple[list[str], list[str], list[str]]:
    """(measures, filters, measures with odd cells). A measure column holds numbers and
    missing-value markers, a filter (a label naming the figures) text. A column of numbers
    with some other text is a filter if that text names a whole ('Total') or its values tell
    rows apart (an age breakdown); else a measure whose odd cells are each warned, or, with
    more than a few, what the officer says."""
    if not candidates:
        return [], [], []
    # A few columns per query: one query of them all grows with the columns (a file of a
    # hundred measures needed more than the reading worker's 2 GB of address space).
    found: dict[str, tuple] = {}
    for start in range(0, len(candidates), COLUMNS_PER_QUERY):
        names = candidates[start : start + COLUMNS_PER_QUERY]
        # each cell is read once, in the inner queries: its number, and its text in lower case
        read = ", ".join(
            f"TRY_CAST(replace(trim({c}), ',', '') AS DOUBLE) AS r{i}, lower(trim({c})) AS t{i}"
            for i, c in enumerate(map(_ident, names))
        )
        kinds = ", ".join(
            f"CASE WHEN isfinite(r{i}) THEN r{i} END AS n{i}, t{i}, (t{i} IS NOT NULL AND "
            f"(r{i} IS NULL OR NOT isfinite(r{i})) AND t{i} NOT IN ({markers})) AS o{i}"
            for i in range(len(names))
        )
        counts = ", ".join(
            f"count(*) FILTER (WHERE o{i}), count(n{i}), coalesce(bool_or(o{i} AND "
            f"(t{i} LIKE 'total%' OR t{i} = 'all' OR t{i} LIKE 'all %')), false)"
            for i in range(len(names))
        )
        stats = con.execute(
            f"SELECT {counts} FROM (SELECT {kinds} FROM (SELECT {read} FROM raw))"
        ).fetchone()
        found |= {name: stats[3 * i : 3 * i + 3] for i, name in enumerate(names)}
    labels = [c for c, (odd, numbers, _) in found.items() if odd and not numbers]
    measures = {c for c, (odd, _, _) in found.items() if not odd}
    odd_measures, pending = [], []
    for c, (odd, numbers, whole) in found.items():
        if not (odd and numbers):
            continue
        examples = [
            t
            for (t,) in con.execute(
                f"SELECT DISTINCT trim({_ident(c)}) FROM raw "
                f"WHERE {_odd_sql(_ident(c), markers)} ORDER BY 1 LIMIT 5"
            ).fetchall()
        ]
        subject = f"column '{c}'"
        seen = f"{numbers:,} numbers and {odd:,} other cells ({quoted(examples)})"
        if whole or _tells_rows_apart(con, c, labels, area):
            labels.append(c)
            why = "text naming a whole" if whole else "its values tell rows apart"
            interp.decide("column", subject, "label", f"{seen}: {why}")
            continue
        if odd <= FEW_ODD_CELLS * (odd + numbers):
            measures.add(c)
            odd_measures.append(c)
            interp.decide("column", subject, "measure", f"{seen}, each warned")
            continue
        answer = _answer(answers, subject)
        if answer is None:
            interp.ask(
                Question(
                    subject,
                    f"Column '{c}' holds {seen} that are neither numbers nor missing-value "
                    "markers. Is it a measure (each text cell stored as missing, with a "
                    "warning) or a label naming the figures?",
                    COLUMN_CHOICES,
                    cells=tuple(examples),
                )
            )
            pending.append(c)
            continue
        if "label" in answer.lower():
            labels.append(c)
        elif "measure" in answer.lower():
            measures.add(c)
            odd_measures.append(c)
        else:
            raise MappingError(
                f"The answer '{answer}' to [{subject}] is not one of: {'; '.join(COLUMN_CHOICES)}."
            )
        interp.decide("column", subject, answer, f"the officer's answer to [{subject}]")
    # Until the officer answers, the file is read as if the column were a label (or, if it
    # is the only column of numbers, a measure): nothing is stored before the answer.
    if not measures:
        measures.update(pending)
        odd_measures += pending
    else:
        labels += pending
    return (
        [c for c in candidates if c in measures],
        [c for c in candidates if c not in measures],
        [c for c in candidates if c in odd_measures],
    )


def _tells_rows_apart(con, column: str, labels: list[str], area: str) -> bool:
    """The column's values tell apart rows that time, area and the other labels do not."""
    keys = ["time_period", "time_identifier", "geographic_level", area, *map(_ident, labels)]
    without, with_ = ", ".join(keys), ", ".join([*keys, _ident(column)])
    a, b = con.execute(
        f"SELECT count(DISTINCT ({without},)), count(DISTINCT ({with_},)) FROM raw "
        f"WHERE geographic_level IN ({_sql_list(list(LEVELS))})"
    ).fetchall()[0]
    return b > a


def _answer(answers: Answers | None, key: str) -> str | None:
    return ((answers.get(key) or "").strip() or None) if answers is not None else None


def _odd_cell_warnings(con, file_name, columns, odd, area, markers) -> list[LoadWarning]:
    """A warning for each cell of a loaded row, in a measure column, that is neither a number
    nor a missing-value marker: stored as missing, its text kept."""
    warnings = []
    for column in odd:
        rows = con.execute(
            f"SELECT source_row, trim({_ident(column)}) FROM raw "
            "JOIN period_map USING (time_period, time_identifier) "
            f"WHERE geographic_level IN ({_sql_list(list(LEVELS))}) AND {area} IS NOT NULL "
            f"AND {_odd_sql(_ident(column), markers)} ORDER BY source_row"
        ).fetchall()
        warnings += [
            LoadWarning(
                f"'{text}' in column '{column}' of {file_name} is neither a number nor a "
                "missing-value marker: stored as missing, with its text kept.",
                row=row - 1,
                column=columns.index(column),
            )
            for row, text in rows
        ]
    return warnings


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


def _account(con, interp, area_sql, width, measures, pair, cells) -> list[LoadWarning]:
    """Account for every cell of the CSV: the header; each measure cell of a loaded row as
    ``cells`` says (stored, missing, unreadable ...; the rest blank); its time, geography and
    filter cells as labels; and every cell of rows not loaded, with the reason."""
    counts = con.execute(
        f"""
        WITH r AS (
            SELECT coalesce(geographic_level IN ({_sql_list(list(LEVELS))}), false) AS lvl,
                   geographic_level, {area_sql["area"]} AS area_,
                   p.period_label IS NOT NULL AS known
            FROM raw LEFT JOIN period_map p USING (time_period, time_identifier)
        )
        SELECT count(*) FILTER (WHERE NOT lvl) AS other_level,
               count(*) FILTER (WHERE lvl AND area_ IS NULL) AS no_area,
               list(DISTINCT geographic_level) FILTER (WHERE lvl AND area_ IS NULL) AS levels,
               count(*) FILTER (WHERE lvl AND area_ IS NOT NULL AND NOT known) AS unanswered,
               count(*) FILTER (WHERE lvl AND area_ IS NOT NULL AND known) AS loaded
        FROM r
        """
    ).fetchall()[0]
    other_level, no_area, no_area_levels, unanswered, rows = counts
    read = list(pair) if pair else measures
    extra = [m for m in measures if m not in read]
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
    for reason, n in cells:
        if n or reason is None:
            found.add(reason, n)
    blank = rows * len(read) - sum(n for _, n in cells)  # UNPIVOT leaves out blank cells
    if blank:
        found.add("blank", blank)
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


def _cells_of(figures: pa.Table) -> list[tuple[str | None, int]]:
    """How the measure cells behind a file's figures are accounted for: a figure per filled
    cell, its value stored, or its text kept as missing (a marker, or text that is neither)."""
    texts = figures["missing"].drop_null()
    markers = pc.sum(
        pc.is_in(pc.utf8_lower(texts), value_set=pa.array(sorted(MISSING_MARKERS)))
    ).as_py()
    return [
        (None, len(figures) - figures["value"].null_count),
        ("missing", markers or 0),
        ("unreadable", len(texts) - (markers or 0)),
    ]


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


def _value_sql(column: str) -> tuple[str, str]:
    """SQL for a cell's number and, when it holds none, its text (a marker, or warned)."""
    c = _ident(column)
    value = _number_sql(c)
    return value, f"CASE WHEN {value} IS NULL THEN trim({c}) END"


def _count_percent_pairs(measures: list[str]) -> tuple[str, str] | None:
    counts = [m for m in measures if m.endswith("_count")]
    for count in counts:
        percent = count[: -len("_count")] + "_percent"
        if percent in measures:
            return count, percent
    return None


def _count_percent_figures(
    con, interp, area_sql, pair, filters, markers
) -> tuple[pa.Table, pa.Table, list[tuple[str | None, int]]]:
    """Files such as the children-looked-after health outcomes: a count and a percent per
    breakdown, with a 'Total ...' breakdown giving the denominator.

    Each breakdown is one series of one unit: a percent series if any of its percents is a
    number (a row whose percent is withheld is missing, never its count), else a series of
    its counts (the SDQ average score). A count is kept as the numerator, with the total as
    denominator, only where it gives the percent as published (within the rounding shown)."""
    count, percent = pair
    group = [f for f in filters if f != "breakdown"]
    description = " || ' / ' || ".join(f"coalesce({_ident(f)}, '')" for f in group) or "NULL"
    indicator = f"CASE WHEN {_IS_TOTAL} THEN {description} || ': total' ELSE trim(breakdown) END"
    partition = ", ".join(
        ["time_period", "time_identifier", "geographic_level", area_sql["area"]]
        + [_ident(f) for f in group]
    )
    counted = _measure_name(count[: -len("_count")]).lower() or "count"
    # half a unit of the last decimal the percent shows: 42 is 41.5 to 42.5
    tolerance = r"0.5 * pow(10, -length(regexp_extract(percent_text, '\.(\d+)$', 1))) + 1e-9"

    def cell(text: str, number: str, stored: str) -> str:
        return (
            f"CASE WHEN {text} IS NULL THEN 'blank' WHEN {number} IS NULL THEN CASE WHEN "
            f"lower({text}) IN ({markers}) THEN 'missing' ELSE 'unreadable' END ELSE {stored} END"
        )

    query = f"""
        WITH base AS (
            SELECT source_row, time_period, time_identifier, {area_sql["area"]} AS area,
                   {area_sql["kind"]} AS kind, {indicator} AS indicator, {_IS_TOTAL} AS is_total,
                   trim({_ident(count)}) AS count_text, trim({_ident(percent)}) AS percent_text,
                   {_number_sql(_ident(count))} AS count_value,
                   {_number_sql(_ident(percent))} AS percent_value,
                   max(CASE WHEN {_IS_TOTAL} THEN {_number_sql(_ident(count))} END)
                       OVER (PARTITION BY {partition}) AS total
            FROM raw WHERE geographic_level IN ({_sql_list(list(LEVELS))})
        ),
        loaded AS (
            SELECT base.*, p.period_label, p.period_type, p.period_start, p.period_end,
                   CASE WHEN is_total THEN 'total'
                        WHEN bool_or(percent_value IS NOT NULL) OVER (PARTITION BY indicator)
                        THEN 'percent' ELSE 'count' END AS role
            FROM base JOIN period_map p USING (time_period, time_identifier)
            WHERE area IS NOT NULL
        ),
        paired AS (
            SELECT *, coalesce(role = 'percent' AND count_value IS NOT NULL AND total > 0 AND (
                       abs(100 * count_value / total - percent_value) <= {tolerance}
                       OR (lower(percent_text) IN ({_sql_list(list(_ROUNDS_TO_ZERO))})
                           AND 100 * count_value / total <= 0.5 + 1e-9)), false) AS paired
            FROM loaded
        )
        SELECT indicator, area, NULL AS breakdown, period_label, period_type, period_start,
               period_end,
               CASE WHEN role = 'percent' THEN percent_value ELSE count_value END AS value,
               CASE WHEN role = 'percent' THEN CASE WHEN percent_value IS NOT NULL THEN '%' END
                    WHEN role = 'count' AND indicator ILIKE '%score%' THEN 'score'
                    ELSE {_sql_list([counted])} END AS unit,
               CASE WHEN paired THEN count_value END AS numerator,
               CASE WHEN paired THEN total END AS denominator,
               kind <> 'council' AS is_benchmark,
               CASE WHEN role = 'percent' THEN CASE WHEN percent_value IS NULL THEN
                        coalesce(percent_text, CASE WHEN count_value IS NULL THEN count_text END) END
                    WHEN role = 'total' THEN CASE WHEN count_value IS NULL THEN count_text END
                    ELSE CASE WHEN count_value IS NULL THEN coalesce(count_text, percent_text) END
               END AS missing,
               NULL AS source_sheet, source_row,
               -- the column the value (or its marker) was read from
               CASE WHEN (role = 'percent' AND (percent_text IS NOT NULL
                          OR count_value IS NOT NULL OR count_text IS NULL))
                      OR (role = 'count' AND count_text IS NULL AND percent_text IS NOT NULL)
                    THEN {_sql_list([percent])} ELSE {_sql_list([count])} END AS source_column,
               role,
               {cell("count_text", "count_value",
                     f"CASE WHEN role <> 'percent' OR paired THEN 'stored' "
                     f"WHEN percent_value IS NULL THEN '{WITHHELD}' ELSE '{OTHER_BASE}' END")}
                   AS count_cell,
               {cell("percent_text", "percent_value",
                     "CASE WHEN role = 'total' THEN 'redundant' ELSE 'stored' END")} AS percent_cell
        FROM paired
    """  # fmt: skip
    figures = con.sql(query).to_arrow_table()
    con.register("pairs", figures)
    cells = [
        (None if reason == "stored" else reason, n)
        for reason, n in con.execute(
            "SELECT cell, count(*) FROM (SELECT count_cell AS cell FROM pairs "
            "UNION ALL SELECT percent_cell FROM pairs) GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    ]
    series = con.execute(
        f"""SELECT indicator, max(unit), any_value(role),
                   count(*) FILTER (WHERE count_cell = 'stored'),
                   count(*) FILTER (WHERE count_cell = '{OTHER_BASE}')
            FROM pairs GROUP BY indicator ORDER BY indicator"""
    ).fetchall()
    units = {}
    for name, unit, role, kept, other in series:
        units[name] = unit
        if role == "total":
            continue
        interp.decide(
            "unit", f"indicator '{name}'", unit,
            f"its {percent} cells are numbers: a row whose percent is withheld is missing, "
            "never its count" if role == "percent" else
            f"none of its {percent} cells is a number: its figure is its {count}",
        )  # fmt: skip
        if other:
            interp.decide(
                "denominator", f"indicator '{name}'",
                f"the total's count for {kept:,} figures, none for {other:,}",
                f"{other:,} of its {count} cells do not give their percent out of the total "
                "row's count (within the rounding shown): they are out of another base, so "
                "the percent is stored alone",
            )  # fmt: skip
    info = con.execute(
        f"SELECT DISTINCT {indicator} AS indicator, {description} AS description "
        f"FROM raw WHERE geographic_level IN ({_sql_list(list(LEVELS))})"
    ).fetchall()
    indicators = pa.table(
        {
            "indicator": [name for name, _ in info],
            "unit": [units.get(name) for name, _ in info],
            "polarity": [KNOWN_POLARITY.get(name.lower()) for name, _ in info],
            "description": [desc for _, desc in info],
            "source": ["DfE explore-education-statistics"] * len(info),
        }
    )
    return figures, indicators, cells


def _measure_figures(
    con, interp, answers, area_sql, measures, filters
) -> tuple[pa.Table, pa.Table]:
    """Files with one column per measure, such as the social work workforce statistics, or
    a value column whose series indicator, measure and unit columns name."""
    roles: dict[str, str] = {}
    for f in filters:
        role = metric_field(f)
        if role in SERIES_FIELDS and role not in roles:
            roles[role] = f
    texts = {
        role: f"nullif(trim({_ident(roles[role])}), '')" if role in roles else "NULL::VARCHAR"
        for role in SERIES_FIELDS
    }
    series = _series(con, interp, answers, roles, texts, measures)
    con.register("series_map", series)
    # Filter values name the breakdown; "Total" rows are the whole, with no breakdown.
    parts = [
        f"CASE WHEN lower(trim({_ident(f)})) LIKE 'total%' THEN NULL ELSE trim({_ident(f)}) END"
        for f in filters
        if f not in roles.values()
    ]
    breakdown = f"nullif(concat_ws(' / ', {', '.join(parts)}), '')" if parts else "NULL"
    value, missing = _value_sql("raw_value")
    query = f"""
        WITH long AS (
            UNPIVOT (
                SELECT source_row, time_period, time_identifier, geographic_level,
                       {area_sql["area"]} AS area, {area_sql["kind"]} AS kind,
                       {breakdown} AS breakdown, {texts["indicator"]} AS s_indicator,
                       {texts["measure"]} AS s_measure, {texts["unit"]} AS s_unit,
                       {", ".join(_ident(m) for m in measures)}
                FROM raw WHERE geographic_level IN ({_sql_list(list(LEVELS))})
            ) ON {", ".join(_ident(m) for m in measures)} INTO NAME measure VALUE raw_value
        )
        SELECT m.indicator, area, breakdown, p.period_label, p.period_type, p.period_start,
               p.period_end, {value} AS value, m.unit, NULL AS numerator,
               NULL AS denominator, kind <> 'council' AS is_benchmark,
               {missing} AS missing, NULL AS source_sheet, source_row,
               l.measure AS source_column
        FROM long l
        JOIN period_map p USING (time_period, time_identifier)
        JOIN series_map m ON m.measure = l.measure
            AND m.s_indicator IS NOT DISTINCT FROM l.s_indicator
            AND m.s_measure IS NOT DISTINCT FROM l.s_measure
            AND m.s_unit IS NOT DISTINCT FROM l.s_unit
        WHERE area IS NOT NULL
    """
    figures = con.sql(query).to_arrow_table()
    first = {}
    for row in series.to_pylist():
        first.setdefault(row["indicator"], row)
    indicators = pa.table(
        {
            "indicator": list(first),
            "unit": [r["unit"] for r in first.values()],
            "polarity": [r["polarity"] for r in first.values()],
            "description": [r["description"] for r in first.values()],
            "source": ["DfE explore-education-statistics"] * len(first),
        }
    )
    return figures, indicators


def _series(con, interp, answers, roles, texts, measures) -> pa.Table:
    """Each series of the file: its measure column and indicator, measure and unit texts,
    named and given its unit. An indicator column names the indicator; a measure or unit
    that tells series apart becomes part of the name ('... (count)', '... (per 10,000 ...)');
    the unit comes from a unit column naming a unit, else the measure, else the column name.
    A unit column naming what is counted ('Persons') gives no unit."""
    combos = con.execute(
        f"SELECT DISTINCT {texts['indicator']}, {texts['measure']}, {texts['unit']} FROM raw "
        f"WHERE geographic_level IN ({_sql_list(list(LEVELS))}) ORDER BY ALL"
    ).fetchall()
    names = {
        m: KNOWN_MEASURES.get(m) or (_measure_name(m), _column_unit(m), None) for m in measures
    }
    said = {}
    for role in ("unit", "measure"):
        if role in roles:
            index = SERIES_FIELDS.index(role)
            words = [w for w in dict.fromkeys(c[index] for c in combos) if w is not None]
            said[role] = {w: _unit_word(w, roles[role], role, interp, answers) for w in words}
            _decide_column(interp, roles[role], role, said[role])
    by_indicator: dict[str | None, list[tuple]] = defaultdict(list)
    for combo in combos:
        by_indicator[combo[0]].append(combo)
    rows = []
    for indicator, group in by_indicator.items():
        split_measure = len({m for _, m, _ in group}) > 1
        units: dict[str | None, set] = defaultdict(set)
        for _, m, u in group:
            units[m].add(u)
        split_unit = any(len(us) > 1 for us in units.values())
        named = []
        for _, m, u in group:
            parts = [series_suffix(m)] if split_measure and m else []
            parts += [series_suffix(u)] if split_unit and u else []
            for column in measures:
                label, column_unit, polarity = names[column]
                # an indicator column names the indicator; several value columns, its series
                base, told = label, parts
                if indicator is not None:
                    base, told = indicator, ([label] if len(measures) > 1 else []) + parts
                name = f"{base} ({', '.join(told)})" if told else base
                unit, evidence = _series_unit(roles, said, m, u, column, column_unit)
                named.append(name)
                rows.append({
                    "measure": column, "s_indicator": indicator, "s_measure": m, "s_unit": u,
                    "indicator": name, "unit": unit,
                    "polarity": polarity or KNOWN_POLARITY.get(name.lower()),
                    "description": f"DfE column {column}" + (
                        f", {roles['indicator']} '{indicator}'" if indicator else ""),
                })  # fmt: skip
                interp.decide("unit", f"indicator '{name}'", unit or "number", evidence)
        if indicator is not None and (split_measure or split_unit):
            told = " and ".join(r for r, split in (("measure", split_measure),
                                                   ("unit", split_unit)) if split)  # fmt: skip
            interp.decide(
                "series", f"indicator '{indicator}'", "; ".join(dict.fromkeys(named)),
                f"its {told} tells series apart",
            )  # fmt: skip
    return pa.table(
        {
            key: pa.array([r[key] for r in rows], pa.string())
            for key in (
                "measure",
                "s_indicator",
                "s_measure",
                "s_unit",
                "indicator",
                "unit",
                "polarity",
                "description",
            )
        }
    )


def _series_unit(roles, said, measure, unit, column, column_unit) -> tuple[str | None, str]:
    """A series' unit and its evidence: its unit column if that names a unit, else its
    measure, else its column's name."""
    if unit and said.get("unit", {}).get(unit):
        return said["unit"][unit], f"column {roles['unit']} '{unit}'"
    if measure and said.get("measure", {}).get(measure):
        return said["measure"][measure], f"column {roles['measure']} '{measure}'"
    if column_unit:
        return column_unit, f"column {column}"
    return None, "no unit in its measure, unit or column name"


def _unit_word(text: str, column: str, role: str, interp: Interpretation, answers) -> str | None:
    """The unit a unit or measure cell names. 'Rate' (a percentage or per 10,000?) and, in a
    unit column, a word that is neither a unit nor what is counted ('Score') are asked."""
    key = f"unit '{column}' '{text}'"
    if is_ambiguous_unit(text):
        answer = _answer(answers, key)
        if answer is None:
            interp.ask(
                Question(
                    key,
                    f"'{text}' in column '{column}' could be a percentage or a rate per 1,000, "
                    "10,000 or 100,000. Which is it?",
                    UNIT_CHOICES,
                    cells=(text,),
                )
            )
            return None
        if answer.lower() == UNIT_CHOICES[-1]:
            return None
        if unit_of(answer) is None:
            raise MappingError(
                f"The answer '{answer}' to [{key}] is not a unit; give one of "
                f"{', '.join(UNIT_CHOICES)}."
            )
        return unit_of(answer)
    unit = unit_of(text)
    if unit or role == "measure" or names_what_is_counted(text):
        return unit
    choices = (f"'{text}' is the unit", f"'{text}' is what is counted, not a unit")
    answer = _answer(answers, key)
    if answer is None:
        interp.ask(
            Question(
                key,
                f"Column '{column}' holds '{text}': is it the unit of the figures beside it, "
                "or what they count?",
                choices,
                cells=(text,),
            )
        )
        return None
    if answer == choices[0] or ("unit" in answer.lower() and "not" not in answer.lower()):
        return " ".join(text.split())
    return None


def _decide_column(interp: Interpretation, column: str, role: str, units: dict) -> None:
    subject = f"column '{column}'"
    if role == "measure":
        found = ", ".join(f"'{t}' {u or 'no unit'}" for t, u in units.items())
        interp.decide("unit", subject, "measure: tells series apart", f"units {found}")
        return
    read = [t for t, u in units.items() if u]
    not_units = [t for t, u in units.items() if not u]
    if read:
        interp.decide("unit", subject, "the unit", f"values {quoted(read)} are units")
    if not_units:
        interp.decide(
            "unit", subject, "not the unit: what is counted",
            f"values {quoted(not_units)} are not units (%, count, per 10,000, £); they name "
            "what is counted",
        )  # fmt: skip
