"""Find an action plan's header rows from the vocabulary of its column names.

Plans name their columns in many ways and in any order, so a header row is recognised by
how many of its cells are known column names, never by position.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

# Each field of an action and the column names officers use for it, normalised (lower
# case, punctuation as spaces). Order matters only to break ties: a cell reading
# "Progress RAG" names the RAG column, so "rag" is listed before "progress".
ACTION_VOCABULARY: dict[str, tuple[str, ...]] = {
    "rag": (
        "rag",
        "rag status",
        "rag rating",
        "brag",
        "brag rating",
        "brag status",
        "status",
        "rating",
        "current rag",
        "rag progress",
        "progress rag",
        "overall rag",
        "rag rating blue red amber green",
        "red amber green",
    ),
    "recommendation_ref": (
        "rec",
        "rec no",
        "rec ref",
        "recommendation no",
        "recommendation number",
        "recommendation ref",
        "rec number",
        "ofsted rec",
        "priority no",
    ),
    "recommendation": (
        "recommendation",
        "recommendations",
        "ofsted recommendation",
        "ofsted recommendations",
        "area for improvement",
        "areas for improvement",
        "area for development",
        "what ofsted said",
        "finding",
        "findings",
        "issue",
        "requirement",
        "priority",
        "improvement required",
        "objective",
        "what needs to improve",
    ),
    "ref": (
        "ref",
        "reference",
        "action ref",
        "action no",
        "action number",
        "no",
        "number",
        "item",
        "action reference",
        "ref no",
        "id",
    ),
    "action": (
        "action",
        "actions",
        "action required",
        "actions required",
        "action to be taken",
        "actions to be taken",
        "what we will do",
        "key actions",
        "key action",
        "tasks",
        "task",
        "how we will do it",
        "action planned",
        "planned action",
        "actions agreed",
        "specific actions",
        "what will we do",
    ),
    "lead": (
        "lead",
        "lead officer",
        "responsible officer",
        "owner",
        "responsible",
        "who",
        "by whom",
        "accountable officer",
        "lead person",
        "officer responsible",
        "action owner",
        "lead manager",
        "responsibility",
        "lead officers",
        "led by",
    ),
    "timescale": (
        "timescale",
        "timescales",
        "deadline",
        "due date",
        "target date",
        "by when",
        "when",
        "completion date",
        "date for completion",
        "target completion date",
        "due",
        "date due",
        "target",
        "timeframe",
        "time scale",
        "completion",
    ),
    "progress": (
        "progress",
        "progress update",
        "update",
        "progress to date",
        "current position",
        "comments",
        "commentary",
        "progress evidence",
        "update on progress",
        "position",
        "progress made",
        "monthly update",
        "latest update",
        "progress comments",
    ),
    "outcome": (
        "outcome",
        "outcomes",
        "desired outcome",
        "desired outcomes",
        "success measure",
        "success measures",
        "measures of success",
        "impact",
        "expected outcome",
        "how will we know",
        "what difference will it make",
        "evidence of impact",
        "success criteria",
        "intended outcome",
    ),
    "cost": (
        "cost",
        "costs",
        "cost implications",
        "resources",
        "resource implications",
        "budget",
        "financial implications",
        "resource",
        "costings",
        "resources required",
    ),
}

# A header needs an action column and at least this many recognised columns in all:
# two is enough for a bare "Action | Lead" table, and a single word never qualifies.
MIN_HEADER_FIELDS = 2

# Most cells of a header row are column names; an action row whose texts happen to
# mention a few ("Write the action here", "Progress so far") is still an action.
HEADER_MIN_SHARE = 0.6

# Header cells are short; a longer cell is body text that happens to start with a column
# word ("Action was taken to ...").
MAX_HEADER_CELL_WORDS = 8

# Longer cells are body text, not column names; checked before any normalising.
MAX_HEADER_CELL_CHARS = 80

_NON_WORD = re.compile(r"[^a-z0-9£#]+")


def normalise_label(value: object) -> str:
    """Lower case, punctuation and line breaks as single spaces."""
    return _NON_WORD.sub(" ", str(value).lower()).strip()


_EXACT = {syn: field for field, syns in ACTION_VOCABULARY.items() for syn in syns}
# "RAG status (B/R/A/G)", "Lead officer(s)": the longest known name at the start wins.
_STARTS = re.compile(
    "^(" + "|".join(re.escape(s) for s in sorted(_EXACT, key=len, reverse=True)) + ") "
)
# Otherwise a known name anywhere as whole words, fields in vocabulary order (RAG first).
# Very short names ("no", "who") only count on their own, never inside other text.
_CONTAINS = [
    (
        field,
        re.compile(
            r"\b(" + "|".join(re.escape(s) for s in syns if len(s) > 3 or s == "rag") + r")\b"
        ),
    )
    for field, syns in ACTION_VOCABULARY.items()
]


@functools.lru_cache(maxsize=8192)
def _field_for_text(text: str) -> str | None:
    label = normalise_label(text)
    if not label or label.count(" ") >= MAX_HEADER_CELL_WORDS:
        return None
    if label in _EXACT:
        return _EXACT[label]
    start = _STARTS.match(label)
    if start:
        return _EXACT[start.group(1)]
    for field, pattern in _CONTAINS:
        if pattern.search(label):
            return field
    return None


def field_for_label(value: object) -> str | None:
    """The action field a header cell names, or None."""
    if not isinstance(value, str) or len(value) > MAX_HEADER_CELL_CHARS:
        return None
    return _field_for_text(value)


@dataclass(frozen=True)
class Header:
    """A recognised header row: which column holds which field."""

    row: int
    columns: dict[str, int]  # field -> its first 0-based column
    # field -> every column naming it, left to right: plans re-issued monthly often add a
    # column per update ("Progress Jan 18", "Progress Feb 18") or a "Revised timescale".
    all_columns: dict[str, tuple[int, ...]]


def detect_header(row_index: int, cells: list[object]) -> Header | None:
    """The header this row is, if it names an action column and enough other fields."""
    found: dict[str, list[int]] = {}
    named = filled = 0
    for col, value in enumerate(cells):
        if value is None:
            continue
        filled += 1
        field = field_for_label(value)
        if field:
            named += 1
            found.setdefault(field, []).append(col)
    if named < HEADER_MIN_SHARE * filled:
        return None
    if "action" not in found and "recommendation" in found and len(found) > 2:
        # Some plans call the action column "Recommendation" and have no separate one.
        found["action"] = found.pop("recommendation")
    if "action" not in found or len(found) < MIN_HEADER_FIELDS:
        return None
    return Header(
        row_index,
        {field: cols[0] for field, cols in found.items()},
        {field: tuple(cols) for field, cols in found.items()},
    )
