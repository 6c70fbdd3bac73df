"""The DuckDB store: tables the loaders write, and the views that are the data contract.

Only loaders write. Each file is one transaction; views are recreated on every connect
so a changed definition reaches existing databases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from loaders import settings
from loaders.errors import LoaderError

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
"""


# An action's identity across snapshots is plan + section + ref; an action with no ref
# is matched on its text, so that unreferenced actions still pair up month to month.
def action_key(alias: str) -> str:
    """SQL for the key of an action row under a table alias."""
    return f"coalesce({alias}.ref, lower(trim({alias}.action)))"


VIEWS = f"""
CREATE OR REPLACE VIEW uploads AS
SELECT upload_id, file_name, sha256, kind, plan, as_of, loaded_at, rows, warnings
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
       a.upload_id, a.source_sheet, a.source_row, a.outcome, a.cost_text
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

CREATE OR REPLACE VIEW slippage AS
WITH first_seen AS (
    SELECT a.plan, a.section, {action_key("a")} AS action_key,
           arg_min(a.due_date, a.as_of) FILTER (WHERE a.due_date IS NOT NULL) AS first_due_date
    FROM actions a
    GROUP BY ALL
)
SELECT l.plan, l.section, l.ref, l.lead, l.rag, l.due_date, f.first_due_date,
       greatest(coalesce(date_diff('day', f.first_due_date, l.due_date), 0), 0) AS days_redated,
       coalesce(l.due_date < l.as_of AND l.rag <> 'Complete', false) AS overdue,
       CASE WHEN l.due_date < l.as_of AND l.rag <> 'Complete'
            THEN date_diff('day', l.due_date, l.as_of) ELSE 0 END AS days_overdue,
       l.as_of, l.recommendation_ref, l.action, l.timescale, l.upload_id, l.source_sheet,
       l.source_row
FROM actions_latest l
LEFT JOIN first_seen f
  ON f.plan = l.plan
 AND f.section IS NOT DISTINCT FROM l.section
 AND f.action_key = {action_key("l")};
"""


def connect(path: Path | str | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the dashboard database with its schema and views."""
    path = Path(path) if path else settings.db_path()
    if read_only and path.exists():
        return duckdb.connect(str(path), read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path))
    except duckdb.IOException as exc:
        raise LoaderError(
            "The database is in use by another program (is the dashboard running?). Load the "
            "file through the dashboard's Upload page, or stop the dashboard and try again.",
            file=path.name,
        ) from exc
    con.execute(SCHEMA)
    con.execute(VIEWS)
    return con


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """One file, one transaction: either everything it brings lands, or nothing does."""
    con.begin()
    try:
        yield con
    except BaseException:
        con.rollback()
        raise
    con.commit()


def find_duplicate(
    con: duckdb.DuckDBPyConnection, sha256: str
) -> tuple[int, str, dt.datetime] | None:
    """(upload_id, file_name, loaded_at) of an earlier upload of the same bytes."""
    return con.execute(
        "SELECT upload_id, file_name, loaded_at FROM upload_files WHERE sha256 = ?", [sha256]
    ).fetchone()
