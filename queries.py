"""The dashboard's one data-access module: it owns the DuckDB connection and holds the SQL.

Pages call these functions and never write SQL themselves. Only loaders write.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from loaders import store


def connect(path: Path | str | None = None) -> duckdb.DuckDBPyConnection:
    """The dashboard's connection (schema and views created on first use)."""
    return store.connect(path)


def plan_summaries(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per plan: its latest snapshot date, action count and RAG counts."""
    return con.execute(
        """
        SELECT plan AS "Plan",
               strftime(max(as_of), '%-d %b %Y') AS "As of",
               count(*) AS "Actions",
               count(*) FILTER (WHERE rag = 'Complete') AS "Complete",
               count(*) FILTER (WHERE rag = 'Green') AS "Green",
               count(*) FILTER (WHERE rag = 'Amber') AS "Amber",
               count(*) FILTER (WHERE rag = 'Red') AS "Red",
               count(*) FILTER (WHERE rag = 'Not rated') AS "Not rated"
        FROM actions_latest
        GROUP BY plan
        ORDER BY plan
        """
    ).fetch_df()


def upload_count(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT count(*) FROM uploads").fetchone()[0]
