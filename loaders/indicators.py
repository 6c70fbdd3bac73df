"""Officers' own settings for an indicator: polarity, target and description.

They live apart from imported rows, so a fresh import never wipes them.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from loaders import access
from loaders.access import Actor
from loaders.errors import LoaderError
from loaders.store import transaction

POLARITIES = ("higher", "lower", "neutral")


def set_indicator(
    con: duckdb.DuckDBPyConnection,
    name: str,
    *,
    polarity: str | None = None,
    target: float | None = None,
    description: str | None = None,
    actor: Actor | None = None,
) -> bool:
    """Record what an officer set (only the parts given); True if figures exist for it."""
    actor = access.acting(actor, "indicator setting")
    name = name.strip()
    if not name:
        raise LoaderError("Give the indicator's name as it appears in the indicators list.")
    if polarity is not None and polarity not in POLARITIES:
        raise LoaderError(f"Polarity '{polarity}' is not one of {', '.join(POLARITIES)}.")
    with transaction(con):
        before = _settings(con, name)
        con.execute(
            """
            INSERT INTO indicator_settings (indicator, polarity, target, description, updated_at)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (indicator) DO UPDATE SET
                polarity = coalesce(excluded.polarity, indicator_settings.polarity),
                target = coalesce(excluded.target, indicator_settings.target),
                description = coalesce(excluded.description, indicator_settings.description),
                updated_at = excluded.updated_at
            """,
            [name, polarity, target, description, dt.datetime.now().replace(microsecond=0)],
        )
        access.record(con, actor, "indicator setting", name, before, _settings(con, name))
    return (
        con.execute("SELECT count(*) FROM kpi_rows WHERE indicator = ?", [name]).fetchone()[0] > 0
    )


def _settings(con: duckdb.DuckDBPyConnection, name: str) -> dict | None:
    row = con.execute(
        "SELECT polarity, target, description FROM indicator_settings WHERE indicator = ?", [name]
    ).fetchone()
    return dict(zip(("polarity", "target", "description"), row, strict=True)) if row else None
