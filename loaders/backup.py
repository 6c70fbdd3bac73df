"""Backups: a consistent copy of the database, and bringing one back.

A backup is taken in one transaction, so it is consistent while the dashboard runs. A
restore replaces every table's rows with the backup's in one transaction, through the
connection that holds the file (the dashboard's, when it runs), so pages never see half a
restore. The audit trail is never restored over: it keeps every row it had, and the
restore itself is appended to it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from loaders import access
from loaders.access import Actor
from loaders.errors import LoaderError
from loaders.store import transaction

KEPT = ("audit_log", "councils")  # the trail stays whole; councils is reference data
# Each id sequence, and the largest id it has given (ids are never reused)
SEQUENCES = {
    "upload_id_seq": "SELECT max(upload_id) FROM (FROM upload_files UNION ALL BY NAME "
    "FROM bin_upload_files)",
    "deck_id_seq": "SELECT max(deck_id) FROM decks",
    "layout_id_seq": "SELECT max(layout_id) FROM layouts",
}


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def backup(con: duckdb.DuckDBPyConnection, path: Path) -> Path:
    """Write a consistent copy of the database to a new file ``path``."""
    path = Path(path).resolve()
    if path.exists():
        raise LoaderError(
            f"{path.name} already exists; a backup never overwrites a file. Name a new one, "
            "for example with the date: dashboard-2026-11-28.duckdb."
        )
    if not path.parent.is_dir():
        raise LoaderError(f"There is no folder {path.parent.name!r} to write {path.name} in.")
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    database = con.execute("SELECT current_database()").fetchone()[0]
    con.execute(f"ATTACH {_literal(partial)} AS backup_copy")
    try:
        con.execute(f'COPY FROM DATABASE "{database}" TO backup_copy')
    finally:
        con.execute("DETACH backup_copy")
    partial.rename(path)
    return path


def _tables(con: duckdb.DuckDBPyConnection, database: str) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ? "
            "AND schema_name = 'main' AND NOT temporary ORDER BY table_name",
            [database],
        ).fetchall()
        if name not in KEPT
    ]


def _counts(con: duckdb.DuckDBPyConnection, prefix: str) -> dict[str, int]:
    counted = {}
    for table in ("upload_files", "bin_upload_files", "decks", "layouts", "roles"):
        try:
            counted[table] = con.execute(f"SELECT count(*) FROM {prefix}{table}").fetchone()[0]
        except duckdb.CatalogException:
            counted[table] = 0
    return counted


def restore(con: duckdb.DuckDBPyConnection, path: Path, actor: Actor | None = None) -> dict:
    """Bring back the backup at ``path`` in place of every table's rows; returns the number
    of uploads, decks, layouts and roles before and after."""
    actor = access.acting(actor, "database restored")
    path = Path(path).resolve()
    if not path.is_file():
        raise LoaderError(f"There is no backup file {path.name}.")
    try:
        con.execute(f"ATTACH {_literal(path)} AS restore_source (READ_ONLY)")
    except duckdb.Error as exc:
        raise LoaderError(
            f"{path.name} is not a dashboard backup (DuckDB could not open it: "
            f"{str(exc).splitlines()[0]})."
        ) from exc
    try:
        return _restore_from(con, path, actor)
    finally:
        con.execute("DETACH restore_source")


def _restore_from(con: duckdb.DuckDBPyConnection, path: Path, actor: Actor) -> dict:
    ours = _tables(con, con.execute("SELECT current_database()").fetchone()[0])
    theirs = _tables(con, "restore_source")
    if "upload_files" not in theirs:
        raise LoaderError(f"{path.name} is a DuckDB file but not a dashboard backup.")
    unknown = sorted(set(theirs) - set(ours))
    if unknown:
        raise LoaderError(
            f"{path.name} has tables this version of the dashboard does not know "
            f"({', '.join(unknown)}); restore it with the version that made it."
        )
    before = _counts(con, "")
    with transaction(con):
        for table in ours:
            con.execute(f"DELETE FROM {table}")
        for table in theirs:
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM restore_source.{table}")
        for sequence, largest in SEQUENCES.items():
            _move_past(con, sequence, largest)
        after = _counts(con, "")
        access.record(con, actor, "database restored", path.name, before, after)
    return {"before": before, "after": after}


def _move_past(con: duckdb.DuckDBPyConnection, sequence: str, largest: str) -> None:
    """Advance a sequence past every id the restored rows hold, so none is given twice."""
    (top,) = con.execute(f"SELECT coalesce(({largest}), 0)").fetchone()
    (last,) = con.execute(
        "SELECT coalesce(last_value, start_value - 1) FROM duckdb_sequences() "
        "WHERE sequence_name = ?",
        [sequence],
    ).fetchone()
    if top > last:
        con.execute(f"SELECT nextval('{sequence}') FROM range(?)", [top - last]).fetchall()
