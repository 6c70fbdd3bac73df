"""Meeting decks: an ordered set of views with speaker notes, stored in DuckDB.

A deck names its views (kind + parameters), not their figures, so it always shows the
latest data when opened. Each save is one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import pandas as pd

from loaders import access, store
from loaders.access import Actor
from report.views import KINDS


@dataclass(frozen=True)
class Slide:
    kind: str
    params: dict
    note: str = ""


@dataclass
class Deck:
    name: str
    slides: list[Slide] = field(default_factory=list)
    deck_id: int | None = None
    saved_at: dt.datetime | None = None
    saved_by: str | None = None


class DeckError(ValueError):
    """A deck that cannot be saved, with what to change."""


def _check(name: str, slides: list[Slide]) -> str:
    name = name.strip()
    if not name:
        raise DeckError("Give the deck a name, such as 'Corporate parenting panel, March'.")
    if not slides:
        raise DeckError("Add at least one view to the deck.")
    for n, slide in enumerate(slides, 1):
        if slide.kind not in KINDS:
            raise DeckError(f"Slide {n} names a view this dashboard does not have: {slide.kind}.")
        missing = [p for p in KINDS[slide.kind].needs if not slide.params.get(p)]
        if missing:
            article = "an" if missing[0][0] in "aeiou" else "a"
            raise DeckError(f"Slide {n} ({KINDS[slide.kind].label}) needs {article} {missing[0]}.")
    return name


def save(con, deck: Deck, actor: Actor | None = None) -> int:
    """Store a new deck, or replace a stored one's name and slides; returns its id."""
    actor = access.acting(actor, "deck saved")
    name = _check(deck.name, deck.slides)
    now = dt.datetime.now().replace(microsecond=0)
    with store.transaction(con):
        before = None
        if deck.deck_id is None:
            deck_id = con.execute(
                "INSERT INTO decks (name, saved_at, saved_by) VALUES (?, ?, ?) RETURNING deck_id",
                [name, now, actor.who],
            ).fetchone()[0]
        else:
            deck_id = deck.deck_id
            before = _described(con, deck_id)
            con.execute(
                "UPDATE decks SET name = ?, saved_at = ?, saved_by = ? WHERE deck_id = ?",
                [name, now, actor.who, deck_id],
            )
            con.execute("DELETE FROM deck_slides WHERE deck_id = ?", [deck_id])
        con.executemany(
            "INSERT INTO deck_slides VALUES (?, ?, ?, ?, ?)",
            [
                [deck_id, n, s.kind, json.dumps(s.params, sort_keys=True), s.note.strip()]
                for n, s in enumerate(deck.slides, 1)
            ],
        )
        access.record(con, actor, "deck saved", f"deck {deck_id}", before, _described(con, deck_id))
    return deck_id


def _described(con, deck_id: int) -> dict | None:
    """A deck as the audit trail keeps it: its name and its slides' kinds and notes."""
    deck = load(con, deck_id)
    if deck is None:
        return None
    return {"name": deck.name, "slides": [[s.kind, s.params, s.note] for s in deck.slides]}


def load(con, deck_id: int) -> Deck | None:
    row = con.execute(
        "SELECT name, saved_at, saved_by FROM decks WHERE deck_id = ?", [deck_id]
    ).fetchone()
    if row is None:
        return None
    slides = [
        Slide(kind, json.loads(params), note)
        for kind, params, note in con.execute(
            "SELECT kind, params, note FROM deck_slides WHERE deck_id = ? ORDER BY position",
            [deck_id],
        ).fetchall()
    ]
    return Deck(row[0], slides, deck_id, row[1], row[2])


def listing(con) -> pd.DataFrame:
    """Every stored deck, newest first: id, name, number of slides, when and by whom saved."""
    return con.execute(
        """
        SELECT d.deck_id, d.name, count(s.position) AS slides, d.saved_at, d.saved_by
        FROM decks d LEFT JOIN deck_slides s USING (deck_id)
        GROUP BY ALL ORDER BY d.saved_at DESC, d.deck_id DESC
        """
    ).fetch_df()


def delete(con, deck_id: int, actor: Actor | None = None) -> None:
    actor = access.acting(actor, "deck deleted")
    with store.transaction(con):
        access.record(con, actor, "deck deleted", f"deck {deck_id}", _described(con, deck_id))
        con.execute("DELETE FROM deck_slides WHERE deck_id = ?", [deck_id])
        con.execute("DELETE FROM decks WHERE deck_id = ?", [deck_id])
