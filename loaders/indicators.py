"""Officers' own settings for an indicator: polarity, target and description, and the
national measure a council's own indicator is compared with (with suggestions by name).

They live apart from imported rows, so a fresh import never wipes them.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import math
import re
from collections.abc import Sequence

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


# Links: a council's own indicator compared with a national measure ------------------------

LINK = "indicator link"  # the write's name in the audit trail (access.WRITES)

MANY_COUNCILS = 10
"""An indicator with figures for at least this many councils is a national measure one may
link to: a council's own return has figures for one, the DfE's files for about 150."""

NATIONAL_MEASURES = f"""
SELECT measure, bool_or(in_dictionary) AS in_dictionary, max(councils) AS councils
FROM (
    SELECT measure, true AS in_dictionary, NULL::BIGINT AS councils FROM measure_dictionary
    WHERE upload_id = (SELECT max(upload_id) FROM measure_dictionary)
    UNION ALL
    -- kpi_rows, not kpi_values: a count of councils needs no latest-upload-wins, and the
    -- national data set's 640,000 figures are read in a tenth of the time
    SELECT v.indicator, false, count(DISTINCT v.area)
    FROM kpi_rows v LEFT JOIN areas a USING (area)
    WHERE NOT v.is_benchmark AND coalesce(a.kind, 'council') = 'council'
      AND v.breakdown IS NULL AND v.value IS NOT NULL
    GROUP BY v.indicator HAVING count(DISTINCT v.area) >= {MANY_COUNCILS}
)
GROUP BY measure
"""
"""SQL: every national measure (``measure``): those of the latest measure dictionary and
any indicator with figures for many councils; ``in_dictionary`` and ``councils`` say which."""


def link_indicator(
    con: duckdb.DuckDBPyConnection, indicator: str, measure: str, *, actor: Actor | None = None
) -> None:
    """Compare a council's own indicator with a national measure (replacing any earlier
    link of that indicator), audited in the same transaction."""
    actor = access.acting(actor, LINK)
    indicator, measure = indicator.strip(), measure.strip()
    with transaction(con):
        _own_indicator(con, indicator)
        if indicator == measure:
            raise LoaderError(f"'{indicator}' cannot be linked to itself; choose another measure.")
        found = con.execute(
            f"SELECT count(*) FROM ({NATIONAL_MEASURES}) WHERE measure = ?", [measure]
        ).fetchone()[0]
        if not found:
            raise LoaderError(
                f"'{measure}' is not a national measure: link to a measure of the measure "
                f"dictionary, or to an indicator with figures for at least {MANY_COUNCILS} "
                "councils."
            )
        before = _link(con, indicator)
        con.execute(
            """
            INSERT INTO indicator_links (indicator, measure, linked_at, linked_by)
            VALUES (?, ?, ?, ?)
            ON CONFLICT (indicator) DO UPDATE SET measure = excluded.measure,
                linked_at = excluded.linked_at, linked_by = excluded.linked_by
            """,
            [indicator, measure, dt.datetime.now().replace(microsecond=0), actor.who],
        )
        access.record(con, actor, LINK, indicator, before, _link(con, indicator))


def unlink_indicator(
    con: duckdb.DuckDBPyConnection, indicator: str, *, actor: Actor | None = None
) -> str:
    """Remove an indicator's link, audited; returns the measure it was linked to."""
    actor = access.acting(actor, LINK)
    indicator = indicator.strip()
    with transaction(con):
        before = _link(con, indicator)
        if before is None:
            raise LoaderError(f"'{indicator}' is not linked to a national measure.")
        con.execute("DELETE FROM indicator_links WHERE indicator = ?", [indicator])
        access.record(con, actor, LINK, indicator, before, None)
    return before["measure"]


def _own_indicator(con: duckdb.DuckDBPyConnection, indicator: str) -> None:
    """Refuse a name that is not one of the council's own indicators."""
    if not con.execute(
        "SELECT count(*) FROM indicators WHERE indicator = ?", [indicator]
    ).fetchone()[0]:
        raise LoaderError(f"There is no indicator '{indicator}': give its name as listed.")
    national = con.execute(
        f"SELECT count(*) FROM ({NATIONAL_MEASURES}) WHERE measure = ?", [indicator]
    ).fetchone()[0]
    if national:
        raise LoaderError(
            f"'{indicator}' is itself a national measure, compared with every council "
            "already: link a council's own indicator to it instead."
        )


def _link(con: duckdb.DuckDBPyConnection, indicator: str) -> dict | None:
    row = con.execute(
        "SELECT measure FROM indicator_links WHERE indicator = ?", [indicator]
    ).fetchone()
    return {"measure": row[0]} if row else None


# Suggestions: which national measure an indicator's name most likely means ---------------

PHRASES = {
    "health assessment": "health check",  # LAIT counts looked-after children's health checks
    "re-referral": "rereferral",
    "caseload": "case",
}
"""Phrases councils and the DfE write differently for the same thing, as the DfE writes them."""

ABBREVIATIONS = {
    "cla": "looked after", "lac": "looked after", "cic": "looked after", "cin": "in need",
    "cp": "child protection", "cpp": "child protection plan", "sw": "social worker",
    "eet": "education employment training", "neet": "not education employment training",
    "iha": "initial health check", "rha": "review health check", "uasc": "unaccompanied asylum",
    "sdq": "strengths difficulties questionnaire emotional health", "sgo": "special guardianship",
    "ehcp": "education health care plan", "camhs": "mental health", "fte": "full time",
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
}  # fmt: skip
"""Abbreviations in indicator names, spelt out as the dictionary's measure names have them."""

STOP_WORDS = frozenset({
    "a", "an", "and", "the", "of", "to", "in", "on", "for", "by", "with", "at", "from", "who",
    "were", "was", "are", "is", "be", "been", "their", "his", "her", "had", "having", "has",
    "have", "as", "or", "per", "than", "this", "that", "these", "those", "into", "during",
})  # fmt: skip
"""Words that say nothing about which measure a name means."""

WEAK_WORDS = frozenset({
    "within", "working", "day", "week", "month", "year", "time", "timescale", "percentage",
    "number",
})  # fmt: skip
"""Words about when or how a figure is counted, shared by many unrelated measures: half weight."""

FUZZY = 0.85
"""How alike two words must be (difflib's ratio) to count as one ('immunisation', 'immunization')."""

SUGGESTIONS = 5
"""How many suggested measures are offered first, before every other measure."""


@functools.lru_cache(maxsize=4096)  # the dictionary's descriptions are read once, not per name
def _words(text: str | None) -> tuple[str, ...]:
    """A name's words as the matcher compares them: lower case, abbreviations spelt out,
    plurals made singular, words that say nothing left out."""
    text = f" {(text or '').lower().replace('&', ' and ')} "
    for phrase, same in PHRASES.items():
        text = re.sub(rf"\b{re.escape(phrase)}s?\b", same, text)
    out = []
    for word in re.findall(r"[a-z0-9]+", text):
        for part in ABBREVIATIONS.get(word, word).split():
            if part in STOP_WORDS:
                continue
            if len(part) > 4 and part.endswith("ies"):
                part = part[:-3] + "y"
            elif len(part) > 3 and part.endswith("s") and not part.endswith("ss"):
                part = part[:-1]
            out.append(part)
    return tuple(out)


def suggest_measures(
    name: str, measures: Sequence[tuple[str, str | None]]
) -> list[tuple[str, float]]:
    """Every measure, given as (name, description), with a score from 0 to 1 for how well
    it matches an indicator's name, best first: mostly the share of the indicator's words
    found in the measure's name, each weighted by how rare it is among the measures' names,
    then how much of the measure's name that covers, and a little for its description."""
    names = [set(_words(measure)) for measure, _ in measures]
    seen: dict[str, int] = {}
    for words in names:
        for word in words:
            seen[word] = seen.get(word, 0) + 1

    def weight(word: str) -> float:
        rare = math.log((len(measures) + 1) / (seen.get(word, 0) + 1)) + 1
        return rare / 2 if word in WEAK_WORDS or word.isdigit() else rare

    mine = set(_words(name))
    # each of our words as the measures' names have it: itself, or where they never use it
    # (a long word), the words they spell alike ("immunization", "immunisation")
    equivalents = {
        word: {word: 1.0}
        if word in seen or len(word) < 5
        else {
            other: difflib.SequenceMatcher(None, word, other).ratio()
            for other in difflib.get_close_matches(word, seen, n=3, cutoff=FUZZY)
        }
        for word in mine
    }
    total = sum(weight(w) for w in mine) or 1.0
    scored = []
    for (measure, description), theirs in zip(measures, names, strict=True):
        covered, matched = 0.0, {}  # matched: their word -> how alike one of ours is
        for word, options in equivalents.items():
            hits = {other: r for other, r in options.items() if other in theirs}
            if hits:
                covered += weight(word) * max(hits.values())
                for other, r in hits.items():
                    matched[other] = max(matched.get(other, 0.0), r)
        own_share = sum(weight(w) * r for w, r in matched.items()) / (
            sum(weight(w) for w in theirs) or 1.0
        )
        described = set(_words(description))
        told = sum(weight(w) for w in mine if w in described)
        scored.append((measure, 0.6 * covered / total + 0.25 * own_share + 0.15 * told / total))
    return sorted(scored, key=lambda pair: (-pair[1], pair[0]))
