"""The DuckDB store: tables the loaders write, and the views that are the data contract.

Only loaders write the data; the one other writer is report.decks, for the meeting decks
officers save (which name views, never figures). Each file is one transaction; views are
recreated on every connect so a changed definition reaches existing databases.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from loaders import access, settings
from loaders.access import Actor
from loaders.benchmarks import KPI_BENCHMARKS
from loaders.councils import COUNCILS_CSV
from loaders.errors import DatabaseBusy, LoaderError
from loaders.periods import PERIOD_PRIORITY

if TYPE_CHECKING:
    from loaders.interpret import Interpretation

SCHEMA = """
CREATE SEQUENCE IF NOT EXISTS upload_id_seq START 1;
CREATE TABLE IF NOT EXISTS upload_files (
    upload_id   INTEGER PRIMARY KEY DEFAULT nextval('upload_id_seq'),
    file_name   VARCHAR NOT NULL,
    sha256      VARCHAR NOT NULL UNIQUE,
    kind        VARCHAR NOT NULL,
    plan        VARCHAR,
    as_of       DATE,
    loaded_at   TIMESTAMP NOT NULL,
    rows        INTEGER NOT NULL,
    warnings    VARCHAR[] NOT NULL,
    content     BLOB NOT NULL        -- the original bytes, so any snapshot can be re-derived
);
ALTER TABLE upload_files ADD COLUMN IF NOT EXISTS uploaded_by VARCHAR;
ALTER TABLE upload_files ADD COLUMN IF NOT EXISTS layout VARCHAR;      -- loaders.layouts entry
ALTER TABLE upload_files ADD COLUMN IF NOT EXISTS layout_id INTEGER;   -- saved answers applied
ALTER TABLE upload_files ADD COLUMN IF NOT EXISTS accounting VARCHAR;  -- JSON: cells, stored, not_stored
CREATE TABLE IF NOT EXISTS action_rows (
    upload_id          INTEGER NOT NULL,
    plan               VARCHAR NOT NULL,
    section            VARCHAR,
    recommendation_ref VARCHAR,
    recommendation     VARCHAR,
    ref                VARCHAR,
    action             VARCHAR NOT NULL,
    lead               VARCHAR,
    timescale          VARCHAR,
    due_date           DATE,
    milestones         STRUCT(date DATE, text VARCHAR)[],
    rag                VARCHAR NOT NULL,
    progress           VARCHAR,
    outcome            VARCHAR,
    cost_gbp           DOUBLE,
    cost_text          VARCHAR,
    as_of              DATE NOT NULL,
    source_sheet       VARCHAR NOT NULL,
    source_row         INTEGER NOT NULL
);
-- Why an action has no due date: 'dated', 'undated' (none meant: TBC, Ongoing, blank) or
-- 'unreadable' (a date written so it cannot be read); and the cells read, to name them.
ALTER TABLE action_rows ADD COLUMN IF NOT EXISTS due_date_status VARCHAR;
ALTER TABLE action_rows ADD COLUMN IF NOT EXISTS timescale_cell VARCHAR;  -- "E7"
ALTER TABLE action_rows ADD COLUMN IF NOT EXISTS action_cell VARCHAR;     -- "C7"
CREATE TABLE IF NOT EXISTS kpi_rows (
    upload_id     INTEGER NOT NULL,
    indicator     VARCHAR NOT NULL,
    area          VARCHAR NOT NULL,
    breakdown     VARCHAR,
    period_label  VARCHAR NOT NULL,
    period_type   VARCHAR NOT NULL,
    period_start  DATE NOT NULL,
    period_end    DATE NOT NULL,
    value         DOUBLE,            -- NULL where the figure is missing, never 0
    unit          VARCHAR,
    numerator     DOUBLE,
    denominator   DOUBLE,
    is_benchmark  BOOLEAN NOT NULL,
    missing       VARCHAR,           -- the marker written instead of a figure ('c', 'x', 'N/A')
    source_sheet  VARCHAR,
    source_row    INTEGER,
    source_column VARCHAR
);
CREATE TABLE IF NOT EXISTS kpi_target_rows (
    upload_id     INTEGER NOT NULL,
    indicator     VARCHAR NOT NULL,
    period_label  VARCHAR,           -- NULL: a standing target
    period_end    DATE,
    target        DOUBLE NOT NULL,
    source_sheet  VARCHAR,
    source_row    INTEGER,
    source_column VARCHAR
);
CREATE TABLE IF NOT EXISTS indicator_file_info (
    upload_id   INTEGER NOT NULL,
    indicator   VARCHAR NOT NULL,
    unit        VARCHAR,
    polarity    VARCHAR,
    description VARCHAR,
    source      VARCHAR
);
-- What officers set themselves; imports never write here, so a fresh import keeps it.
CREATE TABLE IF NOT EXISTS indicator_settings (
    indicator   VARCHAR PRIMARY KEY,
    polarity    VARCHAR,
    target      DOUBLE,
    description VARCHAR,
    updated_at  TIMESTAMP NOT NULL
);
-- The national measure an officer compares a council's own indicator with (one each): a
-- measure of the measure dictionary, or an indicator with figures for many councils.
CREATE TABLE IF NOT EXISTS indicator_links (
    indicator   VARCHAR PRIMARY KEY,  -- the council's own indicator
    measure     VARCHAR NOT NULL,     -- the national measure
    linked_at   TIMESTAMP NOT NULL,
    linked_by   VARCHAR
);
CREATE TABLE IF NOT EXISTS area_rows (
    upload_id INTEGER NOT NULL,
    area      VARCHAR NOT NULL,
    kind      VARCHAR NOT NULL,      -- council, region, national, benchmark group
    code      VARCHAR,
    old_code  VARCHAR,
    region    VARCHAR                -- a council's region, where the file says
);
-- Small dashboard settings kept with the data (the own council, the demo's uploads).
CREATE TABLE IF NOT EXISTS app_state (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR
);
-- Meeting decks officers build in the app: an ordered list of views with speaker notes.
CREATE SEQUENCE IF NOT EXISTS deck_id_seq START 1;
CREATE TABLE IF NOT EXISTS decks (
    deck_id  INTEGER PRIMARY KEY DEFAULT nextval('deck_id_seq'),
    name     VARCHAR NOT NULL,
    saved_at TIMESTAMP NOT NULL,
    saved_by VARCHAR
);
CREATE TABLE IF NOT EXISTS deck_slides (
    deck_id  INTEGER NOT NULL,
    position INTEGER NOT NULL,     -- 1 is the first slide
    kind     VARCHAR NOT NULL,     -- a report.views.KINDS key
    params   VARCHAR NOT NULL,     -- JSON: the plan, or the indicator and area
    note     VARCHAR NOT NULL      -- the speaker note ('' when none)
);
-- A measure dictionary (LAIT's lait_data_dictionary.csv): what each national measure is.
CREATE TABLE IF NOT EXISTS measure_dictionary (
    upload_id     INTEGER NOT NULL,
    measure_short VARCHAR NOT NULL,   -- joins to the data set's Short Desc
    measure       VARCHAR NOT NULL,   -- the name shown (the indicator)
    measure_code  VARCHAR,
    topic         VARCHAR,
    polarity      VARCHAR,            -- higher, lower, or NULL when the dictionary gives none
    polarity_text VARCHAR,            -- as written: High, Low, -, NA
    unit          VARCHAR,            -- the dictionary's y_axis_name
    dps           INTEGER,
    year_type     VARCHAR,
    no_quartile   BOOLEAN NOT NULL,
    description   VARCHAR,
    source        VARCHAR
);
-- Officers' answers to the loaders' questions, kept per file layout (its header
-- fingerprint) and applied to the next upload laid out the same way.
CREATE SEQUENCE IF NOT EXISTS layout_id_seq START 1;
CREATE TABLE IF NOT EXISTS layouts (
    layout_id   INTEGER PRIMARY KEY DEFAULT nextval('layout_id_seq'),
    fingerprint VARCHAR NOT NULL UNIQUE,
    name        VARCHAR NOT NULL,     -- the first file's name, editable
    kind        VARCHAR NOT NULL,
    layout      VARCHAR NOT NULL,     -- the loaders.layouts entry that reads it
    answers     VARCHAR NOT NULL,     -- JSON: question key -> answer
    saved_at    TIMESTAMP NOT NULL,
    saved_by    VARCHAR
);
-- Every write, appended in the write's own transaction (loaders.access); never updated.
CREATE SEQUENCE IF NOT EXISTS audit_id_seq START 1;
CREATE TABLE IF NOT EXISTS audit_log (
    audit_id  BIGINT PRIMARY KEY DEFAULT nextval('audit_id_seq'),
    done_at   TIMESTAMP NOT NULL,
    who       VARCHAR NOT NULL,   -- e-mail from sign-in, or who ran the command
    role      VARCHAR,
    how       VARCHAR NOT NULL,   -- sign-in, local, command line, dashboard
    action    VARCHAR NOT NULL,   -- loaders.access.WRITES
    target    VARCHAR,
    before    VARCHAR,            -- JSON, where the write changed something that was there
    after     VARCHAR             -- JSON
);
-- Roles admins set on the Data page; they override the identity provider's claims.
CREATE TABLE IF NOT EXISTS roles (
    email   VARCHAR PRIMARY KEY,
    role    VARCHAR NOT NULL,
    set_by  VARCHAR NOT NULL,
    set_at  TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS neighbour_rows (
    upload_id          INTEGER NOT NULL,
    old_la_code        VARCHAR NOT NULL,
    la_name            VARCHAR,
    region             VARCHAR,
    rank               INTEGER NOT NULL, -- 1 is the closest neighbour
    neighbour_old_code VARCHAR NOT NULL,
    closeness          VARCHAR            -- Extremely close ... Not close
);
"""

# Tables holding rows derived from an upload; removing the upload moves its rows from each
# to the table's bin (bin_<table>), with its upload_files row, until the bin is emptied.
UPLOAD_TABLES = (
    "action_rows",
    "kpi_rows",
    "kpi_target_rows",
    "indicator_file_info",
    "area_rows",
    "neighbour_rows",
    "measure_dictionary",
)


BINNED = ("upload_files", *UPLOAD_TABLES)


def _ensure_bins(con: duckdb.DuckDBPyConnection) -> None:
    """A bin table beside each upload table, with the same columns (and any added later),
    so a removed upload keeps its bytes and its rows until the bin is emptied."""
    for table in BINNED:
        con.execute(f"CREATE TABLE IF NOT EXISTS bin_{table} AS FROM {table} LIMIT 0")
        have = {row[0] for row in con.execute(f"DESCRIBE bin_{table}").fetchall()}
        for name, type_, *_ in con.execute(f"DESCRIBE {table}").fetchall():
            if name not in have:
                con.execute(f'ALTER TABLE bin_{table} ADD COLUMN "{name}" {type_}')
    con.execute("ALTER TABLE bin_upload_files ADD COLUMN IF NOT EXISTS removed_at TIMESTAMP")
    con.execute("ALTER TABLE bin_upload_files ADD COLUMN IF NOT EXISTS removed_by VARCHAR")


def bin_upload(con: duckdb.DuckDBPyConnection, upload_id: int, removed_by: str) -> None:
    """Move one upload's file and rows into the bin; call inside a transaction."""
    removed_at = dt.datetime.now().replace(microsecond=0)
    for table in BINNED:
        stamp, params = "", []
        if table == "upload_files":
            stamp, params = ", ? AS removed_at, ? AS removed_by", [removed_at, removed_by]
        con.execute(
            f"INSERT INTO bin_{table} BY NAME SELECT *{stamp} FROM {table} WHERE upload_id = ?",
            [*params, upload_id],
        )
        con.execute(f"DELETE FROM {table} WHERE upload_id = ?", [upload_id])


def unbin_upload(con: duckdb.DuckDBPyConnection, upload_id: int) -> None:
    """Move one upload back from the bin, as it was; call inside a transaction."""
    for table in BINNED:
        stamp = " EXCLUDE (removed_at, removed_by)" if table == "upload_files" else ""
        con.execute(
            f"INSERT INTO {table} BY NAME SELECT *{stamp} FROM bin_{table} WHERE upload_id = ?",
            [upload_id],
        )
        con.execute(f"DELETE FROM bin_{table} WHERE upload_id = ?", [upload_id])


def _period_rank_sql() -> str:
    """Which period of a series counts first when several end on one day (periods.py)."""
    whens = " ".join(f"WHEN '{t}' THEN {rank}" for t, rank in PERIOD_PRIORITY.items())
    return f"CASE period_type {whens} ELSE {len(PERIOD_PRIORITY)} END"


# An action's identity across snapshots is plan + section + ref; an action with no ref
# is matched on its text, so that unreferenced actions still pair up month to month.
def action_key(alias: str) -> str:
    """SQL for the key of an action row under a table alias."""
    return f"coalesce({alias}.ref, lower(trim({alias}.action)))"


VIEWS = f"""
CREATE OR REPLACE VIEW uploads AS
SELECT upload_id, file_name, sha256, kind, plan, as_of, loaded_at, rows, warnings, uploaded_by,
       layout, layout_id,
       -- every cell of the tables found: how many, how many stored, the rest by reason
       CAST(accounting::JSON->>'cells' AS BIGINT) AS cells,
       CAST(accounting::JSON->>'stored' AS BIGINT) AS cells_stored,
       CAST(accounting::JSON->'not_stored' AS MAP(VARCHAR, BIGINT)) AS cells_not_stored
FROM upload_files;

-- A plan re-uploaded for the same as-of date replaces the earlier upload (which stays
-- in upload_files, recoverable); only the latest counts, so nothing is double-counted.
CREATE OR REPLACE VIEW action_snapshots AS
SELECT upload_id, plan, as_of
FROM upload_files
WHERE kind = 'actions'
QUALIFY row_number() OVER (PARTITION BY plan, as_of ORDER BY loaded_at DESC, upload_id DESC) = 1;

CREATE OR REPLACE VIEW actions AS
SELECT a.plan, a.section, a.recommendation_ref, a.recommendation, a.ref, a.action, a.lead,
       a.timescale, a.due_date, a.milestones, a.rag, a.progress, a.cost_gbp, a.as_of,
       a.upload_id, a.source_sheet, a.source_row, a.outcome, a.cost_text,
       -- rows loaded before the status was kept: a timescale with no due date but a digit
       -- or an Excel error in it held a date that could not be read
       coalesce(a.due_date_status, CASE WHEN a.due_date IS NOT NULL THEN 'dated'
                WHEN regexp_matches(a.timescale, '[0-9#]') THEN 'unreadable'
                ELSE 'undated' END) AS due_date_status,
       a.timescale_cell, a.action_cell
FROM action_rows a
JOIN action_snapshots s USING (upload_id);

CREATE OR REPLACE VIEW actions_latest AS
SELECT *
FROM actions
WHERE (plan, as_of) IN (SELECT (plan, max(as_of)) FROM action_snapshots GROUP BY plan);

CREATE OR REPLACE VIEW action_changes AS
WITH numbered AS (
    SELECT plan, as_of, dense_rank() OVER (PARTITION BY plan ORDER BY as_of) AS n
    FROM action_snapshots
),
keyed AS (
    SELECT a.*, {action_key("a")} AS action_key, s.n
    FROM actions a JOIN numbered s USING (plan, as_of)
)
SELECT b.plan, b.section, b.ref, b.as_of AS as_of_before, f.as_of AS as_of_after,
       b.rag AS rag_before, f.rag AS rag_after, b.due_date AS due_before,
       f.due_date AS due_after, f.action, f.lead, f.recommendation_ref
FROM keyed b
JOIN keyed f
  ON f.plan = b.plan
 AND f.n = b.n + 1
 AND f.section IS NOT DISTINCT FROM b.section
 AND f.action_key = b.action_key;

-- Every snapshot's actions with slippage as it stood then: the first due date is the
-- earliest snapshot's (up to that one) that gave a date.
CREATE OR REPLACE VIEW slippage_history AS
WITH seen AS (
    SELECT a.*,
           first_value(a.due_date IGNORE NULLS) OVER (
               PARTITION BY a.plan, a.section, {action_key("a")} ORDER BY a.as_of
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS first_due_date
    FROM actions a
)
SELECT plan, section, ref, lead, rag, due_date, first_due_date,
       greatest(coalesce(date_diff('day', first_due_date, due_date), 0), 0) AS days_redated,
       coalesce(due_date < as_of AND rag <> 'Complete', false) AS overdue,
       CASE WHEN due_date < as_of AND rag <> 'Complete'
            THEN date_diff('day', due_date, as_of) ELSE 0 END AS days_overdue,
       as_of, recommendation_ref, action, timescale, upload_id, source_sheet, source_row,
       due_date_status, timescale_cell, action_cell
FROM seen;

CREATE OR REPLACE VIEW slippage AS
SELECT *
FROM slippage_history
WHERE (plan, as_of) IN (SELECT (plan, max(as_of)) FROM action_snapshots GROUP BY plan);

-- Re-imported figures replace earlier ones for the same indicator, area, breakdown and
-- period (latest upload wins); the replaced rows stay in kpi_rows under their upload.
CREATE OR REPLACE VIEW kpi_values AS
SELECT indicator, area, breakdown, period_label, period_type, period_start, period_end,
       value, unit, numerator, denominator, is_benchmark, upload_id, source_sheet,
       source_row, source_column, missing
FROM kpi_rows
QUALIFY row_number() OVER (
    PARTITION BY indicator, area, breakdown, period_label ORDER BY upload_id DESC) = 1;

-- Targets from files (latest upload wins) and officers' standing targets, which take
-- the place of a file's standing target.
CREATE OR REPLACE VIEW kpi_targets AS
WITH from_files AS (
    SELECT indicator, period_label, period_end, target
    FROM kpi_target_rows
    QUALIFY row_number() OVER (
        PARTITION BY indicator, period_label ORDER BY upload_id DESC) = 1
)
SELECT indicator, period_label, target, period_end
FROM from_files
WHERE period_label IS NOT NULL
   OR indicator NOT IN (SELECT indicator FROM indicator_settings WHERE target IS NOT NULL)
UNION ALL
SELECT indicator, NULL, target, NULL FROM indicator_settings WHERE target IS NOT NULL;

CREATE OR REPLACE VIEW indicators AS
WITH names AS (
    SELECT indicator FROM kpi_rows
    UNION SELECT indicator FROM indicator_file_info
    UNION SELECT indicator FROM indicator_settings
),
seen AS (
    SELECT indicator, arg_max(unit, upload_id) FILTER (WHERE unit IS NOT NULL) AS unit
    FROM kpi_rows GROUP BY indicator
),
info AS (
    SELECT indicator,
           arg_max(unit, upload_id) FILTER (WHERE unit IS NOT NULL) AS unit,
           arg_max(polarity, upload_id) FILTER (WHERE polarity IS NOT NULL) AS polarity,
           arg_max(description, upload_id) FILTER (WHERE description IS NOT NULL) AS description,
           arg_max(source, upload_id) FILTER (WHERE source IS NOT NULL) AS source
    FROM indicator_file_info GROUP BY indicator
),
-- "target (latest)": the target of the latest period that has one, else a standing one
file_target AS (
    SELECT indicator, arg_max(target, coalesce(period_end, DATE '1900-01-01')) AS target
    FROM kpi_targets GROUP BY indicator
)
SELECT n.indicator,
       coalesce(i.unit, s.unit) AS unit,
       coalesce(o.polarity, i.polarity) AS polarity,
       coalesce(o.target, t.target) AS target,
       coalesce(o.description, i.description) AS description,
       i.source
FROM names n
LEFT JOIN seen s USING (indicator)
LEFT JOIN info i USING (indicator)
LEFT JOIN file_target t USING (indicator)
LEFT JOIN indicator_settings o USING (indicator);

CREATE OR REPLACE VIEW kpi_latest AS
WITH observed AS (
    SELECT *,
           {_period_rank_sql()} AS type_rank
    FROM kpi_values WHERE value IS NOT NULL
),
-- Q4, the year and YTD can all end on 31 March: a series is the period type of the
-- latest figure, whole years first, so "previous" is the same kind of period.
series AS (
    SELECT indicator, area, breakdown,
           arg_min(period_type, (-epoch(period_end), type_rank)) AS period_type
    FROM observed GROUP BY ALL
),
ranked AS (
    SELECT o.*, row_number() OVER (
        PARTITION BY o.indicator, o.area, o.breakdown ORDER BY o.period_end DESC) AS n
    FROM observed o JOIN series s
      ON s.indicator = o.indicator AND s.area = o.area
     AND s.breakdown IS NOT DISTINCT FROM o.breakdown AND s.period_type = o.period_type
),
paired AS (
    SELECT l.indicator, l.area, l.breakdown, l.period_label, l.period_type, l.period_end,
           l.value, l.unit, l.is_benchmark, p.period_label AS previous_period,
           p.value AS previous_value, l.value - p.value AS change
    FROM ranked l LEFT JOIN ranked p
      ON p.indicator = l.indicator AND p.area = l.area
     AND p.breakdown IS NOT DISTINCT FROM l.breakdown AND p.n = 2
    WHERE l.n = 1
),
targeted AS (
    SELECT p.*, i.polarity, coalesce(t.target, i.target) AS target
    FROM paired p
    LEFT JOIN indicators i USING (indicator)
    LEFT JOIN kpi_targets t
      ON t.indicator = p.indicator AND t.period_label = p.period_label
)
SELECT indicator, area, breakdown, period_label, period_type, period_end, value, unit,
       previous_period, previous_value, change, target, polarity, is_benchmark,
       -- RAG against target given polarity: Green met, Amber within 5% of it, Red worse
       CASE
           WHEN target IS NULL OR polarity IS NULL OR polarity = 'neutral' OR is_benchmark
               THEN 'Not rated'
           WHEN polarity = 'higher' THEN CASE
               WHEN value >= target THEN 'Green'
               WHEN value >= target - abs(target) * 0.05 THEN 'Amber'
               ELSE 'Red' END
           ELSE CASE
               WHEN value <= target THEN 'Green'
               WHEN value <= target + abs(target) * 0.05 THEN 'Amber'
               ELSE 'Red' END
       END AS rag
FROM targeted;

CREATE OR REPLACE VIEW areas AS
SELECT area,
       arg_max(kind, upload_id) AS kind,
       arg_max(code, upload_id) FILTER (WHERE code IS NOT NULL) AS code,
       arg_max(old_code, upload_id) FILTER (WHERE old_code IS NOT NULL) AS old_code,
       arg_max(region, upload_id) FILTER (WHERE region IS NOT NULL) AS region
FROM area_rows
GROUP BY area;

-- Each council's neighbours from the latest upload that lists that council (a list for one
-- council replaces only that council's); names from the list, else from the councils table.
CREATE OR REPLACE VIEW statistical_neighbours AS
WITH model AS (
    SELECT * FROM neighbour_rows
    QUALIFY upload_id = max(upload_id) OVER (PARTITION BY old_la_code)
),
names AS (
    SELECT old_la_code, arg_max(la_name, upload_id) AS la_name
    FROM neighbour_rows GROUP BY old_la_code
)
SELECT coalesce(m.la_name, own.la_name) AS council, m.old_la_code, m.rank,
       coalesce(n.la_name, c.la_name) AS neighbour, m.neighbour_old_code, m.closeness
FROM model m
LEFT JOIN names n ON n.old_la_code = m.neighbour_old_code
LEFT JOIN councils c ON c.old_la_code = m.neighbour_old_code
LEFT JOIN councils own ON own.old_la_code = m.old_la_code;

-- The DfE's benchmarking convention (LAIT): the statistical-neighbour figure is the plain
-- mean of the neighbours' values, skipping missing ones (missing if all are).
CREATE OR REPLACE VIEW kpi_neighbour_average AS
SELECT c.area, v.indicator, v.breakdown, v.period_label,
       avg(v.value) AS value, count(v.value) AS neighbours_with_value,
       count(*) AS neighbours_in_data, any_value(v.unit) AS unit
FROM statistical_neighbours n
JOIN areas c ON c.old_code = n.old_la_code AND c.kind = 'council'
JOIN areas a ON a.old_code = n.neighbour_old_code AND a.kind = 'council'
JOIN kpi_values v ON v.area = a.area
GROUP BY ALL;
"""
VIEWS += KPI_BENCHMARKS


def connect(path: Path | str | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the dashboard database with its schema and views."""
    path = Path(path) if path else settings.db_path()
    if read_only and path.exists():
        return duckdb.connect(str(path), read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path))
    except duckdb.IOException as exc:
        raise DatabaseBusy(
            "The database is in use by another program (another command line import, or a "
            "dashboard from another folder). Wait for it to finish and try again.",
            file=path.name,
        ) from exc
    con.execute(SCHEMA)
    # Reference data shipped with the code (councils' codes, names and regions), refreshed
    # on every connect so a newer list reaches existing databases.
    con.execute(
        "CREATE OR REPLACE TABLE councils AS SELECT * FROM read_csv(?, all_varchar = true)",
        [str(COUNCILS_CSV)],
    )
    _ensure_bins(con)
    con.execute(VIEWS)
    # DuckDB draws a progress bar on the terminal for long queries: never in our output.
    con.execute("SET enable_progress_bar = false")
    return con


_IN_TRANSACTION: set[int] = set()  # connections inside ``transaction`` (by id)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """One file, one transaction: either everything it brings lands, or nothing does.

    Inside another (a refresh that bins the old national set and loads the new), the
    writes join it, as DuckDB does not nest transactions: the outer one commits them, or
    rolls them all back."""
    if id(con) in _IN_TRANSACTION:
        yield con
        return
    con.begin()
    _IN_TRANSACTION.add(id(con))
    try:
        yield con
    except BaseException:
        con.rollback()
        raise
    finally:
        _IN_TRANSACTION.discard(id(con))
    con.commit()


def get_state(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    row = con.execute("SELECT value FROM app_state WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def set_state(con: duckdb.DuckDBPyConnection, key: str, value: str | None) -> None:
    if value is None:
        con.execute("DELETE FROM app_state WHERE key = ?", [key])
    else:
        con.execute(
            "INSERT INTO app_state VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )


def find_duplicate(
    con: duckdb.DuckDBPyConnection, sha256: str
) -> tuple[int, str, dt.datetime] | None:
    """(upload_id, file_name, loaded_at) of an earlier upload of the same bytes."""
    return con.execute(
        "SELECT upload_id, file_name, loaded_at FROM upload_files WHERE sha256 = ?", [sha256]
    ).fetchone()


def saved_layout_map(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, dict[str, str]]]:
    """Every saved layout's answers by its fingerprint: fingerprint -> (layout_id, answers)."""
    rows = con.execute("SELECT fingerprint, layout_id, answers FROM layouts").fetchall()
    return {
        fingerprint: (layout_id, json.loads(answers)) for fingerprint, layout_id, answers in rows
    }


def save_layout(
    con: duckdb.DuckDBPyConnection,
    interp: Interpretation,
    answers: dict[str, str],
    name: str,
    saved_by: str | None,
) -> int:
    """Keep the officer's answers for files laid out like this one; returns its layout_id."""
    return con.execute(
        "INSERT INTO layouts (fingerprint, name, kind, layout, answers, saved_at, saved_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (fingerprint) DO UPDATE SET "
        "answers = excluded.answers, saved_at = excluded.saved_at, saved_by = excluded.saved_by "
        "RETURNING layout_id",
        [
            interp.fingerprint,
            name,
            interp.kind,
            interp.layout,
            json.dumps(answers, sort_keys=True),
            dt.datetime.now().replace(microsecond=0),
            saved_by,
        ],
    ).fetchone()[0]


def reference_data(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """Data already in the store that reading a file may need (the latest measure dictionary)."""
    with con.cursor() as cur:  # its own result, whatever the caller left unfetched
        dictionary = cur.sql(
            "SELECT * EXCLUDE (upload_id) FROM measure_dictionary "
            "WHERE upload_id = (SELECT max(upload_id) FROM measure_dictionary)"
        ).to_arrow_table()
    return {"measure_dictionary": dictionary} if dictionary.num_rows else {}


def _layout(con: duckdb.DuckDBPyConnection, layout_id: int) -> dict | None:
    row = con.execute(
        "SELECT name, answers FROM layouts WHERE layout_id = ?", [layout_id]
    ).fetchone()
    return {"name": row[0], "answers": json.loads(row[1])} if row else None


def update_layout(
    con: duckdb.DuckDBPyConnection,
    layout_id: int,
    name: str,
    answers: dict[str, str],
    actor: Actor | None = None,
) -> None:
    """Rename a saved layout or change its answers (the next upload uses them)."""
    actor = access.acting(actor, "layout saved")
    if not name.strip():
        raise LoaderError("A layout needs a name. Type one, then save.")
    with transaction(con):
        before = _layout(con, layout_id)
        found = con.execute(
            "UPDATE layouts SET name = ?, answers = ?, saved_at = ? WHERE layout_id = ? "
            "RETURNING layout_id",
            [
                name.strip(),
                json.dumps(answers, sort_keys=True),
                dt.datetime.now().replace(microsecond=0),
                layout_id,
            ],
        ).fetchone()
        if not found:
            raise LoaderError(f"There is no saved layout {layout_id}.")
        access.record(
            con, actor, "layout saved", f"layout {layout_id}", before, _layout(con, layout_id)
        )


def delete_layout(
    con: duckdb.DuckDBPyConnection, layout_id: int, actor: Actor | None = None
) -> None:
    """Forget a saved layout: the next file laid out like it is asked its questions again.
    Uploads it read keep their number, so their history still says how they were read."""
    actor = access.acting(actor, "layout deleted")
    with transaction(con):
        before = _layout(con, layout_id)
        if before is None:
            raise LoaderError(f"There is no saved layout {layout_id}.")
        con.execute("DELETE FROM layouts WHERE layout_id = ?", [layout_id])
        access.record(con, actor, "layout deleted", f"layout {layout_id}", before)
