"""Removing an upload moves it to the bin, bytes and rows, from which an admin restores it.

Emptying the bin is the only way an upload's bytes leave the database, and is its own
audited write.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from loaders import access
from loaders.access import Actor
from loaders.errors import DuplicateUpload, UnknownUpload
from loaders.store import BINNED, bin_upload, transaction, unbin_upload

SUMMARY = "SELECT file_name, kind, plan, as_of, rows, uploaded_by FROM {} WHERE upload_id = ?"


def _summary(con: duckdb.DuckDBPyConnection, table: str, upload_id: int) -> dict | None:
    row = con.execute(SUMMARY.format(table), [upload_id]).fetchone()
    if row is None:
        return None
    keys = ("file_name", "kind", "plan", "as_of", "rows", "uploaded_by")
    return {"upload_id": upload_id, **dict(zip(keys, row, strict=True))}


def remove_upload(
    con: duckdb.DuckDBPyConnection, upload_id: int, actor: Actor | None = None
) -> str:
    """Move one upload and every row derived from it to the bin; returns its file name."""
    actor = access.acting(actor, "upload removed")
    with transaction(con):
        before = _summary(con, "upload_files", upload_id)
        if before is None:
            raise UnknownUpload(
                f"There is no upload {upload_id}. List uploads to see their numbers."
            )
        bin_upload(con, upload_id, actor.who)
        access.record(con, actor, "upload removed", f"upload {upload_id}", before, "in the bin")
    return before["file_name"]


def restore_upload(
    con: duckdb.DuckDBPyConnection, upload_id: int, actor: Actor | None = None
) -> str:
    """Bring an upload back from the bin, as it was; returns its file name."""
    actor = access.acting(actor, "upload restored")
    with transaction(con):
        binned = _summary(con, "bin_upload_files", upload_id)
        if binned is None:
            raise UnknownUpload(f"Upload {upload_id} is not in the bin.")
        again = con.execute(
            "SELECT l.upload_id FROM upload_files l JOIN bin_upload_files b USING (sha256) "
            "WHERE b.upload_id = ?",
            [upload_id],
        ).fetchone()
        if again:
            raise DuplicateUpload(
                f"The same file was loaded again as upload {again[0]}; restoring upload "
                f"{upload_id} would count it twice. Remove upload {again[0]} first.",
                file=binned["file_name"],
            )
        unbin_upload(con, upload_id)
        access.record(con, actor, "upload restored", f"upload {upload_id}", "in the bin", binned)
    return binned["file_name"]


def empty_bin(con: duckdb.DuckDBPyConnection, actor: Actor | None = None) -> int:
    """Delete everything in the bin for good; returns how many uploads went."""
    actor = access.acting(actor, "bin emptied")
    with transaction(con):
        gone = binned_uploads(con)
        for table in BINNED:
            con.execute(f"DELETE FROM bin_{table}")
        access.record(
            con,
            actor,
            "bin emptied",
            f"{len(gone)} uploads",
            gone[["upload_id", "file_name"]].to_dict("records"),
            None,
        )
    return len(gone)


def binned_uploads(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """What is in the bin, most recently removed first."""
    return con.execute(
        "SELECT upload_id, file_name, kind, plan, as_of, rows, uploaded_by, loaded_at, "
        "removed_at, removed_by FROM bin_upload_files ORDER BY removed_at DESC, upload_id DESC"
    ).fetch_df()
