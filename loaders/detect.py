"""Find an action plan's header rows from the vocabulary of its column names.

Plans name their columns in many ways and in any order, so a header row is recognised by
how many of its cells are known column names, never by position.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from loaders.readers.sheet import Sheet

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
        "area of practice",
        "practice area",
        "area of focus",
        "focus area",
        "priority area",
        "theme",
        "key theme",
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
        "what are we going to do",
        "what we are going to do",
        "what action will we take",
        "what we are doing",
        "improvement action",
        "improvement actions",
        "activity",
        "activities",
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
        "who is responsible",
        "responsible lead",
        "lead responsible",
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
        "revised date",
        "new date",
        "end date",
        "finish date",
        "milestone",
        "milestones",
        "key milestones",
        "start date",
        "start",
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
# Words other tables use too ("Activity data", "Start of period", "Theme 2 indicators") name a
# column only on their own.
EXACT_ONLY = frozenset({"activity", "activities", "start", "theme"})
# "RAG status (B/R/A/G)", "Lead officer(s)": the longest known name at the start wins.
_STARTS = re.compile(
    "^("
    + "|".join(re.escape(s) for s in sorted(_EXACT, key=len, reverse=True) if s not in EXACT_ONLY)
    + ") "
)
# Otherwise a known name anywhere as whole words, fields in vocabulary order (RAG first).
# Very short names ("no", "who") only count on their own, never inside other text.
_CONTAINS = [
    (
        field,
        re.compile(
            r"\b("
            + "|".join(
                re.escape(s) for s in syns if (len(s) > 3 or s == "rag") and s not in EXACT_ONLY
            )
            + r")\b"
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
    refs, rec = found.get("ref", []), found.get("recommendation")
    if len(refs) > 1 and rec and refs[0] < rec[0] and "recommendation_ref" not in found:
        # "No | Recommendation | Ref | Action": the number before the recommendation is the
        # recommendation's, the ref after it the action's ("a", "b": actions 1a, 1b).
        found["recommendation_ref"] = [refs.pop(0)]
    return Header(
        row_index,
        {field: cols[0] for field, cols in found.items()},
        {field: tuple(cols) for field, cols in found.items()},
    )


# Words in a header that make its column the one to read, or one not to read, among several
# columns of one field: "Current RAG" over "Previous RAG", "Revised timescale" over
# "Original timescale".
LATER_WORDS = re.compile(r"\b(current|latest|revised|updated|amended|new|now|this month)\b")
EARLIER_WORDS = re.compile(r"\b(previous|original|baseline|prior|initial|old|was|last month)\b")
# A period in a header ("Progress update August 2023", "Q2 update", "RAG Jan 18"): columns
# whose headers differ only by one are a series, one column per update.
_MONTH_WORDS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|sept"
)
_PERIOD = re.compile(
    rf"\b(?:(?P<month>{_MONTH_WORDS})(?:\s+(?P<year>(?:19|20)?\d\d))?|(?:q|quarter\s*)(?P<q>[1-4])"
    r"(?:\s+(?P<qyear>(?:19|20)\d\d))?|(?P<alone>(?:19|20)\d\d)|update\s+\d+|\d+)\b"
)
_MONTH_NUMBER = {m: i % 12 + 1 for i, m in enumerate(_MONTH_WORDS.split("|"))} | {"sept": 9}


def series_key(label: str) -> str:
    """A header without its period and its current/previous words: columns sharing one are
    updates of one thing ("Progress update Aug 2023", "Progress update Sept 2023")."""
    text = _PERIOD.sub(" ", normalise_label(label))
    text = EARLIER_WORDS.sub(" ", LATER_WORDS.sub(" ", text))
    return " ".join(text.split())


def _when(label: str) -> tuple[int, int] | None:
    """The (year, month) a header's period ends, when it names a year."""
    for m in _PERIOD.finditer(normalise_label(label)):
        if m["month"] and m["year"]:
            year = int(m["year"]) + (2000 if len(m["year"]) == 2 else 0)
            return year, _MONTH_NUMBER[m["month"]]
        if m["q"] and m["qyear"]:
            return int(m["qyear"]), 3 * int(m["q"])
        if m["alone"]:
            return int(m["alone"]), 12
    return None


def _word_score(label: str) -> int:
    text = normalise_label(label)
    return bool(LATER_WORDS.search(text)) - bool(EARLIER_WORDS.search(text))


def is_earlier(label: str) -> bool:
    """A header that says its column is superseded: "Previous RAG", "Original timescale"."""
    return _word_score(label) < 0


def rank_columns(labels: dict[int, str]) -> list[int] | None:
    """Columns of one field, the one to read first; None when their headers cannot rank them.

    Headers rank by their words ("Current" over "Previous") and, within a series of updates,
    by the period they name ("Sept 2023" over "Aug 2023"), else the rightmost is the latest."""
    if len(labels) < 2:
        return list(labels)
    score = {c: _word_score(label) for c, label in labels.items()}
    top = max(score.values())
    best = [c for c in labels if score[c] == top]
    if len(best) > 1 and len({series_key(labels[c]) for c in best}) > 1:
        return None
    dated = all(_when(labels[c]) for c in labels)
    return sorted(
        labels,
        key=lambda c: (score[c], series_key(labels[c]) == series_key(labels[best[0]]),
                       _when(labels[c]) if dated else (0, 0), c),
        reverse=True,
    )  # fmt: skip


# Fields whose several columns are all kept, each with its header ("Evidence of impact: ...",
# "Outcome / success measure: ..."); updates of one thing keep only the latest filled.
JOINED_FIELDS = ("progress", "outcome")
# Why a filled cell of a recognised column is not stored (the interpretation's accounting): a
# column read only where a preferred one is blank, and one never read.
OLDER = "superseded by another column of its field"
NOT_READ = "a previous rating (the current one is read)"
_START = re.compile(r"\bstart")
_MILESTONE = re.compile(r"\bmilestone")


@dataclass
class ColumnPlan:
    """Which columns of a header are read for each field, in what order, and which are not."""

    read: dict[str, list[int]] = dataclasses.field(default_factory=dict)  # first filled one is read
    groups: dict[str, list[list[int]]] = dataclasses.field(default_factory=dict)  # joined fields
    start: list[int] = dataclasses.field(default_factory=list)  # start dates: never the due date
    milestones: list[int] = dataclasses.field(default_factory=list)  # kept beside the timescale
    not_read: dict[int, str] = dataclasses.field(default_factory=dict)  # column -> why never read
    tied: dict[str, list[int]] = dataclasses.field(
        default_factory=dict
    )  # headers that cannot rank them
    how: dict[int, str] = dataclasses.field(default_factory=dict)  # column -> how it is read


def plan_columns(columns: dict[str, tuple[int, ...]], labels: dict[int, str]) -> ColumnPlan:
    """How each field is read when several columns name it (see ``rank_columns``)."""
    plan = ColumnPlan()
    labels = {c: labels.get(c) or "" for cols in columns.values() for c in cols}
    for name, cols in columns.items():
        cols = list(cols)
        if name == "timescale":
            plan.start = [c for c in cols if _START.search(normalise_label(labels[c]))]
            plan.milestones = [c for c in cols if c not in plan.start and _MILESTONE.search(
                normalise_label(labels[c]))]  # fmt: skip
            cols = [c for c in cols if c not in plan.start + plan.milestones] or plan.milestones
            plan.milestones = [c for c in plan.milestones if c not in cols]
            for c in plan.start:
                plan.how[c] = "start date, kept with the timescale (never the due date)"
            for c in plan.milestones:
                plan.how[c] = (
                    "milestones, kept with the timescale (the due date is the timescale's)"
                )
        if not cols:
            plan.read[name] = []  # start dates only: no due date
        elif name in JOINED_FIELDS:
            plan.groups[name] = _series_groups(cols, labels, plan)
        else:
            plan.read[name] = _read_order(name, cols, labels, plan)
    return plan


def _series_groups(cols: list[int], labels: dict[int, str], plan: ColumnPlan) -> list[list[int]]:
    keys = list(dict.fromkeys(series_key(labels[c]) for c in cols))
    groups = []
    for key in keys:
        members = [c for c in cols if series_key(labels[c]) == key]
        order = rank_columns({c: labels[c] for c in members}) or sorted(members, reverse=True)
        groups.append(order)
        for c in order[1:]:
            plan.how[c] = f"read only where '{labels[order[0]]}' is blank (an older update)"
    if len(groups) > 1:
        for group in groups:
            plan.how.setdefault(group[0], "kept with its header, beside the field's other columns")
    return groups


def _read_order(name: str, cols: list[int], labels: dict[int, str], plan: ColumnPlan) -> list[int]:
    order = rank_columns({c: labels[c] for c in cols})
    if order is None:
        plan.tied[name] = cols
        return sorted(cols, reverse=True)
    best = order[0]
    # Any other column is read where the preferred one is blank ("Revised timescale" blank:
    # the original one), except a previous rating: never shown as the current one.
    read = [c for c in order if c == best or not (name == "rag" and is_earlier(labels[c]))]
    for c in order:
        if c not in read:
            plan.not_read[c] = NOT_READ
            plan.how[c] = f"'{labels[best]}' is read for the {name}"
        elif c != best:
            plan.how[c] = f"read only where '{labels[best]}' is blank"
    if len(order) > 1:
        others = ", ".join(f"'{labels[c]}'" for c in order[1:])
        plan.how[best] = f"read first (its header ranks it above {others})"
    return read


# A second header row under a merged label holds short labels ("Q1 update").
MAX_SUB_LABEL_WORDS = 4


def header_labels(sheet: Sheet, r: int, cells: list[object]) -> tuple[list[object], bool]:
    """A header row's labels, and whether the row below is a second header row.

    A label merged across columns names each of them, and a second row under it adds to
    each ("Progress" over "Q1 update" and "Q2 update"), so no column is left unnamed."""
    labels = list(cells)
    spanned: set[int] = set()
    merged_down: set[int] = set()
    for r0, c0, r1, c1 in sheet.merged:
        if r0 <= r <= r1 and c1 > c0:
            labels += [None] * (c1 + 1 - len(labels))
            for c in range(c0, c1 + 1):
                if labels[c] is None:
                    labels[c] = sheet.value(r0, c0)
                spanned.add(c)
        if r0 <= r < r1:
            merged_down.update(range(c0, c1 + 1))
    below = sheet.rows[r + 1] if r + 1 < len(sheet.rows) else []
    extra: dict[int, str] = {}
    for c, value in enumerate(below):
        if value is None or c in merged_down:
            continue
        unnamed = c in spanned or c >= len(cells) or cells[c] is None
        if not (isinstance(value, str) and unnamed and len(value.split()) <= MAX_SUB_LABEL_WORDS):
            return labels, False
        extra[c] = value
    if not any(c in spanned for c in extra):
        return labels, False
    labels += [None] * (max(extra) + 1 - len(labels))
    for c, value in extra.items():
        labels[c] = f"{labels[c]} {value}" if isinstance(labels[c], str) else value
    return labels, True
