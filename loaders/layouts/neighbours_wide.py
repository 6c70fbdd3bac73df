"""Statistical-neighbour lists in wide form: a column per council, its neighbours' names below.

The header row names the councils; the rows under it name each one's neighbours, closest
first, with no codes. Names are matched to councils (``loaders.councils``) only by
normalisations such as "St. Helens" for "St Helens"; any other name is asked about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyarrow as pa

from loaders.councils import LIKELY_CUTOFF, Council, match_council, nearest_councils
from loaders.councils import by_code as council_by_code
from loaders.errors import LoaderError, LoadWarning, cell_name
from loaders.interpret import Decision, Question
from loaders.layouts.base import Context, Evidence, Layout, ParsedFile, Source
from loaders.neighbours import NEIGHBOUR_SCHEMA
from loaders.numbers import MISSING_MARKERS
from loaders.readers.sheet import Sheet

# The header row is looked for in this many rows at the top (title lines may sit above it).
HEADER_ROWS = 20
# A header row names at least this many councils, so a table comparing a few councils'
# figures side by side is not taken for a neighbour list; or fewer (a council's own list,
# one column) with at least MIN_LIST_NAMES councils' names under each.
MIN_HEADER_COUNCILS = 5
MIN_LIST_NAMES = 5
# Of the names under the councils' columns, at least this share must be councils' names.
MOSTLY = 0.6
# How sure a neighbour list found this way is (a DfE model file, with codes, scores 1.0).
SCORE = 0.95
SKIP = "skip"
NOT_A_COUNCIL = "council name not known"  # an accounting reason, pending an answer
SKIPPED = "council name the officer chose to skip"


@dataclass
class WideTable:
    """Where the list is: its sheet, header row, council columns and neighbour rows."""

    sheet: Sheet
    header_row: int
    columns: list[int]  # the councils' columns, whether or not their header matched
    body: range  # the neighbours' rows, closest first
    matched: list[str] = field(default_factory=list)  # header cells that name councils


def find_table(sheet: Sheet) -> WideTable | None:
    """The first header row naming enough councils with mostly councils' names below it."""
    for r, cells in enumerate(sheet.rows[:HEADER_ROWS]):
        matched = [c for c, v in enumerate(cells) if match_council(v)]
        if not matched:
            continue
        named = [c for c, v in enumerate(cells) if isinstance(v, str) and v.strip()]
        end = r + 1
        while end < len(sheet.rows) and any(match_council(sheet.value(end, c)) for c in named):
            end += 1
        body = range(r + 1, end)
        columns = [c for c in named if c in matched or _mostly_councils(sheet, body, c)]
        below = [sheet.value(b, c) for b in body for c in matched]
        texts = [v for v in below if isinstance(v, str) and v.strip()]
        enough = len(matched) >= MIN_HEADER_COUNCILS or (
            len(body) >= MIN_LIST_NAMES and all(_list_heading(v) for v in cells if v is not None)
        )  # a row of a table (a code, a period, a count beside a name) is not a list's header
        if enough and texts and sum(bool(match_council(v)) for v in texts) >= MOSTLY * len(texts):
            return WideTable(sheet, r, columns, body, [str(cells[c]).strip() for c in matched])
    return None


_RANK_LABEL = re.compile(
    r"^\s*(rank|no\.?|#|position|neighbours?|statistical neighbours?)\s*$", re.I
)


def _list_heading(value: object) -> bool:
    """A cell a one-council list's header row may hold: the council, or a rank label."""
    return isinstance(value, str) and bool(match_council(value) or _RANK_LABEL.match(value))


def _mostly_councils(sheet: Sheet, body: range, column: int) -> bool:
    texts = [v for r in body if isinstance(v := sheet.value(r, column), str) and v.strip()]
    return bool(texts) and sum(bool(match_council(v)) for v in texts) >= MOSTLY * len(texts)


def _best_table(source: Source) -> WideTable | None:
    if "neighbours_wide" not in source.memo:
        found = [t for sheet in source.sheets if (t := find_table(sheet)) is not None]
        # The sheet naming the most councils, the first of equals.
        source.memo["neighbours_wide"] = max(found, key=lambda t: len(t.columns), default=None)
    return source.memo["neighbours_wide"]


def detect(source: Source) -> Evidence | None:
    if source.suffix not in (".xlsx", ".xlsm", ".xls", ".csv"):
        return None
    table = _best_table(source)
    if table is None:
        return None
    examples = ", ".join(f"'{name}'" for name in table.matched[:3])
    return Evidence(
        SCORE,
        f"a header row naming {len(table.matched)} councils ({examples} ...) with their "
        f"neighbours' names below (sheet '{table.sheet.name}', row {table.header_row + 1})",
    )


class _Names:
    """Names to councils for one file: each normalisation said once, each unknown name asked."""

    def __init__(self, ctx: Context, sheet: Sheet) -> None:
        self.ctx, self.sheet = ctx, sheet
        self.seen: dict[str, Council | str | None] = {}

    def resolve(self, value: str, row: int, col: int, role: str) -> Council | str | None:
        """The council, SKIP, or None while the officer has not said which council it is."""
        text = " ".join(value.split())
        if text not in self.seen:
            self.seen[text] = self._first(text, row, col, role)
        return self.seen[text]

    def _first(self, text: str, row: int, col: int, role: str) -> Council | str | None:
        interp, where = self.ctx.interp, {"sheet": self.sheet.name, "row": row, "column": col}
        found = match_council(text)
        if found is not None:
            council, how = found
            if how != "exact":
                interp.decide("council", f"'{text}'", council.la_name, how, **where)
            return council
        key = f"council name '{text}'"
        answer = self.ctx.answers.get(key)
        if answer is None:
            nearest = nearest_councils(text)
            likely = nearest[0][0].la_name if nearest and nearest[0][1] >= LIKELY_CUTOFF else None
            interp.ask(
                Question(
                    key,
                    f"'{text}' ({role}) is not a name the loaders know for a council of "
                    "England. Which council is it? Choose 'skip' to leave it out.",
                    (*(c.la_name for c, _ in nearest), SKIP),
                    likely=likely,
                    cells=(text,),
                    **where,
                )
            )
            return None
        if answer.strip().lower() == SKIP:
            interp.decide("council", f"'{text}'", "left out", "the officer's answer", **where)
            return SKIP
        found = match_council(answer)
        council = found[0] if found else council_by_code(answer.strip())
        if council is None:
            raise LoaderError(
                f"The answer '{answer}' for '{text}' in cell {cell_name(row, col)} is not a "
                "council of England. Give the council's name as the DfE writes it, its 3-digit "
                f"code, or '{SKIP}'.",
                **where,
            )
        interp.decide("council", f"'{text}'", council.la_name, "the officer's answer", **where)
        return council


def parse(source: Source, ctx: Context) -> ParsedFile:
    table = _best_table(source)
    if table is None:
        raise LoaderError(
            "No statistical-neighbour list was found: a header row naming the councils, with "
            "each council's neighbours' names below it.",
            file=source.file_name,
        )
    sheet, interp, top = table.sheet, ctx.interp, table.header_row
    names, warnings = _Names(ctx, sheet), []
    interp.headers = [str(v).strip() for v in sheet.rows[top] if v is not None and str(v).strip()]
    rows: list[tuple] = []
    headed: dict[str, int] = {}  # council code -> its column
    stored: set[tuple[int, int]] = set()
    reasons: dict[tuple[int, int], str] = {}
    # The councils at the top first, so a name asked about is shown where it heads a column.
    heads = {
        col: names.resolve(str(sheet.value(top, col)), top, col, "heading a column")
        for col in table.columns
    }
    for col, head in heads.items():
        if isinstance(head, Council):
            if head.old_la_code in headed:
                first = cell_name(top, headed[head.old_la_code])
                raise LoaderError(
                    f"{head.la_name} heads two columns ({first} and {cell_name(top, col)}). "
                    "Keep one list per council.",
                    sheet=sheet.name,
                    row=top,
                    column=col,
                )
            headed[head.old_la_code] = col
        listed: dict[str, int] = {}
        for rank, r in enumerate(table.body, start=1):
            value = sheet.value(r, col)
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if head == SKIP:
                reasons[r, col] = SKIPPED
                continue
            if not isinstance(value, str):
                warnings.append(
                    LoadWarning(
                        f"'{value}' is not a council's name; not stored.", sheet.name, r, col
                    )
                )
                reasons[r, col] = "unreadable"
                continue
            if value.strip().lower() in MISSING_MARKERS:  # "-" or "n/a" for a shorter list
                reasons[r, col] = "missing"
                continue
            role = f"a neighbour of {head.la_name}" if isinstance(head, Council) else "a neighbour"
            neighbour = names.resolve(value, r, col, role)
            if neighbour == SKIP:
                reasons[r, col] = SKIPPED
            elif not isinstance(neighbour, Council) or not isinstance(head, Council):
                reasons[r, col] = NOT_A_COUNCIL
            else:
                _check_neighbour(head, neighbour, listed, sheet, r, col)
                listed[neighbour.old_la_code] = r
                stored.add((r, col))
                rows.append(
                    (head.old_la_code, head.la_name, head.region, rank, neighbour.old_la_code, None)
                )
    _account(ctx, table, stored, reasons)
    interp.tables.append(
        Decision(
            "table",
            f"sheet '{sheet.name}' rows {top + 1}-{table.body.stop}",
            f"{len({row[0] for row in rows})} councils, up to {len(table.body)} neighbours each",
            f"header row {top + 1}",
            sheet=sheet.name,
            row=top,
        )
    )
    return neighbours_file(source, rows, warnings)


def neighbours_file(source: Source, rows: list[tuple], warnings: list) -> ParsedFile:
    """The ParsedFile of a neighbour list: one row per council and neighbour."""
    return ParsedFile(
        source.file_name, source.content, "neighbours", None, None,
        neighbours=neighbour_table(rows), warnings=warnings,
    )  # fmt: skip


def neighbour_table(rows: list[tuple]) -> pa.Table:
    """Rows of (old_la_code, la_name, region, rank, neighbour_old_code, closeness) as a table."""
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in NEIGHBOUR_SCHEMA]
    return pa.table(
        dict(zip(NEIGHBOUR_SCHEMA.names, columns, strict=True)), schema=NEIGHBOUR_SCHEMA
    )


def _check_neighbour(
    head: Council, neighbour: Council, listed: dict[str, int], sheet: Sheet, r: int, col: int
) -> None:
    where = {"sheet": sheet.name, "row": r, "column": col}
    if neighbour.old_la_code == head.old_la_code:
        raise LoaderError(
            f"{head.la_name} is listed as its own neighbour in cell {cell_name(r, col)}. "
            "Check the column's list.",
            **where,
        )
    if neighbour.old_la_code in listed:
        first = cell_name(listed[neighbour.old_la_code], col)
        raise LoaderError(
            f"{neighbour.la_name} is listed twice as a neighbour of {head.la_name} ({first} and "
            f"{cell_name(r, col)}). Check the column's list.",
            **where,
        )


def _account(ctx: Context, table: WideTable, stored: set[tuple[int, int]], reasons: dict) -> None:
    """Every non-blank cell of the sheet, and the blanks inside the table, by what became of it."""
    sheet, top, accounting = table.sheet, table.header_row, ctx.interp.accounting
    header = [c for c, v in enumerate(sheet.rows[top]) if _filled(v)]
    span = range(min(header), max(header) + 1)
    for r, cells in enumerate(sheet.rows):
        in_table = r == top or r in table.body
        for c in range(max(len(cells), span.stop if in_table else 0)):
            value = sheet.value(r, c)
            if (r, c) in stored:
                accounting.add(None)
            elif (r, c) in reasons:
                accounting.add(reasons[r, c])
            elif not _filled(value):
                if in_table and c in span:
                    accounting.add("blank")
            elif r < top:
                accounting.add("title")
            elif r == top:
                accounting.add("header" if c in table.columns else "label")
            elif in_table:
                # A rank column (1, 2, 3 ...) or other words beside the councils' columns.
                accounting.add("label")
            else:
                accounting.add("note")


def _filled(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


LAYOUT = Layout(
    "neighbours_wide",
    "neighbours",
    "a statistical-neighbour list: a header row naming the councils, each council's "
    "neighbours' names below it, closest first",
    detect,
    parse,
    ceiling=SCORE,
)
