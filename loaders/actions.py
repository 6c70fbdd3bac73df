"""Turn one sheet of cells into the actions of an action plan, as officers lay them out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from loaders.detect import ACTION_VOCABULARY, Header, detect_header
from loaders.errors import LoaderError, LoadWarning, cell_name, column_letter
from loaders.interpret import Accounting, Decision, Question
from loaders.rag import NOT_RATED, classify_colour, is_neutral_colour, normalise_rag
from loaders.readers.sheet import CellError, Sheet
from loaders.text import (
    cell_text,
    is_letter_ref,
    normalise_ref,
    pounds_in_text,
    split_leading_ref,
)
from loaders.timescale import UNDATED, UNREADABLE, Timescale, parse_timescale

if TYPE_CHECKING:
    from loaders.layouts.base import Context

# The answer that leaves a column out, and every answer a column question accepts.
IGNORE = "ignore"
COLUMN_CHOICES = (IGNORE, *ACTION_VOCABULARY)

# Rows spanning the table that open a section: "Ofsted recommendation 3:", "Service
# finding 2:", "Area for improvement 1 -". The label keeps its number so that refs which
# restart in each section stay distinct.
SECTION_ROW = re.compile(
    r"^\s*(?P<label>(?:ofsted\s+|service\s+|own\s+|internal\s+|additional\s+|inspection\s+)?"
    r"(?:recommendation|finding|area\s+for\s+(?:improvement|development)|priority|theme|"
    r"requirement|objective|section|workstream)s?\s*(?:no\.?\s*)?(?P<number>\d+[a-z]?)?)"
    r"\s*(?:[:.\-–]\s*(?P<rest>.*))?$",
    re.I | re.S,
)

# Meanings written beside a colour in a RAG key, for keys that do not use the RAG words.
KEY_PHRASES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "Red",
        re.compile(
            r"\b(off track|not on track|at risk|significant|not achieved|concern|no progress)\b",
            re.I,
        ),
    ),
    ("Complete", re.compile(r"\b(complete[d]?|achieved|closed|done|finished)\b", re.I)),
    ("Amber", re.compile(r"\b(slippage|slipp|too early|partial|delay|some progress|minor)", re.I)),
    ("Green", re.compile(r"\b(on track|on target|good progress|on schedule)\b", re.I)),
)
# Key cells are short: a RAG key entry is a colour name and a few words of meaning.
MAX_KEY_WORDS = 12
MAX_KEY_CHARS = 100
_KEY_LABEL = re.compile(r"^\s*(rag\s+|brag\s+)?key\s*:?\s*$", re.I)
_KEY_ENTRY = re.compile(r"^\s*(b|g|a|r|blue|green|amber|red|yellow)\s*[=:\-–]\s*\S", re.I)


@dataclass
class Action:
    """One action row as read, before it becomes a row of the ``actions`` view."""

    section: str | None
    recommendation_ref: str | None
    recommendation: str | None
    ref: str | None
    action: str
    lead: str | None
    timescale: Timescale
    rag: str
    progress: str | None
    outcome: str | None
    cost_gbp: float | None
    cost_text: str | None
    source_sheet: str
    source_row: int  # spreadsheet row number, 1-based
    # The cells the action text and the timescale were read from ("C7", "E7"), so that a
    # report that shortens a text, or a page listing an unreadable date, can name them.
    action_cell: str | None = None
    timescale_cell: str | None = None


@dataclass
class SheetActions:
    """What one sheet holds: its title lines, its actions and what to warn about."""

    sheet: str
    title_lines: list[str] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    warnings: list[LoadWarning] = field(default_factory=list)
    has_rag_column: bool = False


def key_meaning(text: str) -> str | None:
    """The RAG level a key entry describes ("Blue = action completed" -> Complete)."""
    words = text.split()
    if not words or len(words) > MAX_KEY_WORDS:
        return None
    entry = _KEY_ENTRY.match(text)
    if entry:
        return normalise_rag(entry.group(1))
    level = normalise_rag(text)
    if level and level != NOT_RATED:
        return level
    for level, pattern in KEY_PHRASES:
        if pattern.search(text):
            return level
    return None


def find_rag_key(sheet: Sheet) -> tuple[set[int], dict[str, str]]:
    """Rows that are a RAG key (never actions) and the key's own colour -> RAG mapping."""
    key_rows: set[int] = set()
    colours: dict[str, str] = {}
    for r, row in enumerate(sheet.rows):
        texts = [(c, v) for c, v in enumerate(row) if isinstance(v, str)]
        if not texts or len(texts) > 6 or any(not isinstance(v, str) for v in row if v is not None):
            continue
        if len(texts) == 1 and _KEY_LABEL.match(texts[0][1]):
            key_rows.add(r)
            continue
        if any(len(v) > MAX_KEY_CHARS for _, v in texts):
            continue  # body text, never a key entry
        labelled = len(texts) > 1 and _KEY_LABEL.match(texts[0][1])
        if not all(key_meaning(v) for _, v in texts[1 if labelled else 0 :]):
            continue
        if len(texts) == 1 and (r, texts[0][0]) not in sheet.fills and not _row_has_fill(sheet, r):
            continue  # one bare word such as "Complete" is not a key without a colour
        key_rows.add(r)
        for c, text in texts:
            meaning = key_meaning(text)
            for colour in _fills_near(sheet, r, c):
                colours.setdefault(colour, meaning)
    return key_rows, colours


def _row_has_fill(sheet: Sheet, r: int) -> bool:
    return any(row == r for row, _ in sheet.fills)


def _fills_near(sheet: Sheet, r: int, c: int) -> list[str]:
    """The coloured cell a key entry describes: itself, or the cell just left or right."""
    return [
        sheet.fills[(r, cc)]
        for cc in (c, c - 1, c + 1)
        if (r, cc) in sheet.fills and not is_neutral_colour(sheet.fills[(r, cc)])
    ][:1]


def _fill_merges_down(sheet: Sheet) -> None:
    """Copy each vertically merged cell's value and fill down its first column."""
    for r0, c0, r1, _ in sheet.merged:
        if r1 <= r0:
            continue
        value = sheet.value(r0, c0)
        fill = sheet.fills.get((r0, c0))
        for r in range(r0 + 1, min(r1, len(sheet.rows) - 1) + 1):
            row = sheet.rows[r]
            if c0 < len(row) and row[c0] is None:
                row[c0] = value
            if fill and (r, c0) not in sheet.fills:
                sheet.fills[(r, c0)] = fill


def _is_repeat(header: Header, cells: list[object]) -> bool:
    found = detect_header(0, cells)
    return found is not None and found.all_columns == header.all_columns


def parse_action_sheet(sheet: Sheet, ctx: Context | None = None) -> SheetActions | None:
    """The actions on a sheet, or None when it has no recognisable action-plan header.

    With a ``ctx`` (not while detecting), each column's role is recorded with its header,
    a column no header names is a question, and every cell is accounted for."""
    _fill_merges_down(sheet)
    key_rows, key_colours = find_rag_key(sheet)
    reader = _SheetReader(sheet, key_colours, ctx)
    for r, cells in enumerate(sheet.rows):
        if r in key_rows:
            reader.account(r, cells, "key")
            continue
        reader.read_row(r, cells)
    if reader.header_count == 0:
        return None
    if ctx is not None:
        ctx.interp.accounting.merge(reader.accounting)
        first, last = reader.first_header, _last_filled_row(sheet)
        ctx.interp.tables.append(
            Decision(
                "table",
                f"sheet '{sheet.name}' {cell_name(first, 0)}:{cell_name(last, max(sheet.width - 1, 0))}",
                f"action plan, {len(reader.result.actions)} actions",
                f"header row {first + 1}"
                + (
                    f", repeated {reader.header_count - 1} times" if reader.header_count > 1 else ""
                ),
                sheet=sheet.name,
                row=first,
            )
        )
    return reader.result


def _last_filled_row(sheet: Sheet) -> int:
    for r in range(len(sheet.rows) - 1, -1, -1):
        if any(v is not None for v in sheet.rows[r]):
            return r
    return 0


class _SheetReader:
    """Walks a sheet top to bottom, keeping the current header, section and recommendation."""

    def __init__(self, sheet: Sheet, key_colours: dict[str, str], ctx: Context | None) -> None:
        self.sheet = sheet
        self.key_colours = key_colours
        self.ctx = ctx
        self.accounting = Accounting()
        self.ignored: set[int] = set()  # columns the officer said to ignore
        self.asked: set[int] = set()  # columns the officer is asked about
        self.width = 0  # the table's width so far, for counting its blank cells
        self._roles_of: Header | None = None  # the header self._roles was worked out for
        self._roles: set[int] = set()  # columns that header names
        self.result = SheetActions(sheet.name)
        self.header: Header | None = None
        self.header_count = 0
        self.first_header = 0  # the row of the first header: where the table starts
        self.section: str | None = None
        self.section_number: str | None = None
        self.recommendation: str | None = None
        self.recommendation_ref: str | None = None
        self.awaiting_recommendation = False

    def warn(self, message: str, row: int | None = None, col: int | None = None) -> None:
        self.result.warnings.append(LoadWarning(message, self.sheet.name, row, col))

    def account(self, r: int, cells: list[object], reason: str | None) -> None:
        """Count a row's cells: blank ones inside the table's width, the rest for ``reason``."""
        self.accounting.add(reason, sum(v is not None for v in cells))
        self._blanks(r, cells)

    def read_row(self, r: int, cells: list[object]) -> None:
        filled = [(c, v) for c, v in enumerate(cells) if v is not None]
        if not filled:
            if self.header is not None:
                self.account(r, cells, "blank")
            return
        header = detect_header(r, cells)
        if header is not None:
            if self.header is None or not _is_repeat(self.header, cells):
                self.header = self._with_answers(r, header, cells)
                self.result.has_rag_column |= "rag" in self.header.columns
            if self.header_count == 0:
                self.first_header = r
            self.header_count += 1
            self.awaiting_recommendation = False
            self.account(r, cells, "header")
            return
        texts = {cell_text(v) for _, v in filled}
        if len(texts) == 1:
            text = cell_text(filled[0][1]) or ""
            section = SECTION_ROW.match(text)
            if (
                section
                and (section["number"] or section["rest"] is not None)
                and (self.header is None or filled[0][0] != self._col("action"))
            ):
                self._open_section(section)
                self.account(r, cells, None)  # the section's name and text are stored
                return
            if self.header is None and not self.awaiting_recommendation:
                self.result.title_lines.append(text)
                self.account(r, cells, "title")
                return
            if self.awaiting_recommendation:
                self.recommendation = text
                self.awaiting_recommendation = False
                self.account(r, cells, None)
                return
            if filled[0][0] not in self._body_columns():
                # A row spanning the table that is not a section: a recommendation heading.
                self.recommendation = text
                self.recommendation_ref = _leading_number(text) or self.section_number
                self.account(r, cells, None)
                return
        if self.header is None:
            self.result.title_lines.append(" ".join(cell_text(v) or "" for _, v in filled))
            self.account(r, cells, "title")
            return
        self._read_body_row(r, cells)

    def _with_answers(self, r: int, header: Header, cells: list[object]) -> Header:
        """Record each column's role; a filled column no header names is a question."""
        if self.ctx is None:
            return header
        interp, answers = self.ctx.interp, self.ctx.answers
        known = {c for cols in header.all_columns.values() for c in cols}
        all_columns = {k: list(v) for k, v in header.all_columns.items()}
        for role, cols in header.all_columns.items():
            for c in cols:
                interp.decide(
                    "column", f"column {column_letter(c)}", role,
                    f"header '{cell_text(cells[c])}'", sheet=self.sheet.name, row=r, column=c,
                )  # fmt: skip
        interp.headers.append(" | ".join(cell_text(v) or "" for v in cells))
        for c, value in enumerate(cells):
            if c in known or not self._column_has_data(r, c):
                continue
            label = cell_text(value)
            key = f"column '{label}'" if label else f"column '{self.sheet.name}'!{column_letter(c)}"
            answer = answers.get(key)
            if answer == IGNORE:
                self.ignored.add(c)
                interp.decide("column", f"column {column_letter(c)}", "not stored",
                              "the officer's answer", sheet=self.sheet.name, row=r, column=c)  # fmt: skip
            elif answer in ACTION_VOCABULARY:
                all_columns.setdefault(answer, []).append(c)
                interp.decide("column", f"column {column_letter(c)}", answer,
                              "the officer's answer", sheet=self.sheet.name, row=r, column=c)  # fmt: skip
            else:
                if answer is not None:
                    raise LoaderError(
                        f"The answer '{answer}' for column '{label or column_letter(c)}' is not a "
                        f"role; use one of {', '.join(COLUMN_CHOICES)}.",
                        sheet=self.sheet.name, row=r, column=c,
                    )  # fmt: skip
                self.asked.add(c)
                interp.ask(
                    Question(
                        key,
                        f"Column {column_letter(c)} ('{label or 'no header'}') is not a column the "
                        "loader knows. What does it hold?",
                        COLUMN_CHOICES,
                        likely=IGNORE,
                        cells=tuple(self._column_sample(r, c)),
                        sheet=self.sheet.name,
                        row=r,
                        column=c,
                    )
                )
        columns = {k: sorted(v) for k, v in all_columns.items()}
        return Header(
            r, {k: v[0] for k, v in columns.items()}, {k: tuple(v) for k, v in columns.items()}
        )

    def _column_sample(self, r: int, c: int) -> list[str]:
        values = (
            self.sheet.value(row, c) for row in range(r + 1, min(r + 40, len(self.sheet.rows)))
        )
        return [t for t in (cell_text(v) for v in values) if t][:4]

    def _column_has_data(self, r: int, c: int) -> bool:
        return bool(self._column_sample(r, c))

    def _open_section(self, match: re.Match[str]) -> None:
        self.section = " ".join(match["label"].split())
        self.section_number = match["number"]
        self.recommendation_ref = match["number"]
        rest = (match["rest"] or "").strip()
        self.recommendation = rest or None
        self.awaiting_recommendation = not rest

    def _body_columns(self) -> set[int]:
        names = ("action", "progress", "outcome", "lead", "timescale", "rag", "cost")
        if self.header is None:
            return set()
        return {c for n, cols in self.header.all_columns.items() if n in names for c in cols}

    def _col(self, name: str) -> int | None:
        return self.header.columns.get(name) if self.header else None

    def _pick(self, r: int, cells: list[object], name: str) -> int | None:
        """The column to read a field from on this row: the rightmost one filled in."""
        cols = self.header.all_columns.get(name, ()) if self.header else ()
        for col in reversed(cols):
            if col < len(cells) and (cells[col] is not None or (r, col) in self.sheet.fills):
                return col
        return cols[0] if cols and cols[0] < len(cells) else None

    def _get(self, r: int, cells: list[object], name: str) -> tuple[object, str | None]:
        """A field's value on this row and the number format it is shown with."""
        col = self._pick(r, cells, name)
        if col is None:
            return None, None
        return cells[col], self.sheet.number_formats.get((r, col))

    def _text(self, r: int, cells: list[object], name: str) -> str | None:
        return cell_text(*self._get(r, cells, name))

    def _read_body_row(self, r: int, cells: list[object]) -> None:
        self._warn_errors(r, cells)
        rec_ref = self._text(r, cells, "recommendation_ref")
        rec_text = self._text(r, cells, "recommendation")
        if rec_ref:
            self.recommendation_ref = rec_ref
        if rec_text:
            self.recommendation = rec_text
            if not rec_ref and self._col("recommendation_ref") is None:
                self.recommendation_ref = _leading_number(rec_text) or self.section_number
        action = self._text(r, cells, "action")
        ref = self._text(r, cells, "ref")
        if action:
            leading, rest = split_leading_ref(action)
            if leading and is_letter_ref(leading) and ref and ref.isdigit():
                # A "No" column numbering the recommendation on its first action only, with
                # the actions lettered in their text: 1 + "a) Recruit" is action 1a.
                self.recommendation_ref = ref
                ref, action = leading, rest
            elif leading and not ref:
                ref, action = leading, rest
        if not action and not self._has_own_fields(r, cells, ref):
            self._continue_previous(r, cells, has_new_recommendation=bool(rec_ref or rec_text))
            return
        if not action:
            # A row with its own ref, timescale or RAG is an action whose text is blank, not
            # more words for the action above: loaded as it is, with a warning.
            action = ""
            self.warn(
                "this action's text is blank; it is loaded with its ref, lead, timescale and "
                "RAG. Write the action in its cell.",
                r,
                self._col("action"),
            )
        self._account_action_row(r, cells)
        rec_ref = self.recommendation_ref
        ref = normalise_ref(ref, rec_ref or self.section_number)
        if rec_ref is None and ref and "." in ref:
            rec_ref = ref.split(".")[0]
        cost_text = self._text(r, cells, "cost")
        self.result.actions.append(
            Action(
                section=self.section,
                recommendation_ref=rec_ref,
                recommendation=self.recommendation,
                ref=ref,
                action=action,
                lead=self._text(r, cells, "lead"),
                timescale=self._timescale(r, cells),
                rag=self._rag(r, cells),
                progress=self._text(r, cells, "progress"),
                outcome=self._text(r, cells, "outcome"),
                cost_gbp=pounds_in_text(cost_text if cost_text is not None else action),
                cost_text=cost_text,
                source_sheet=self.sheet.name,
                source_row=r + 1,
                action_cell=self._cell(r, cells, "action"),
                timescale_cell=self._cell(r, cells, "timescale"),
            )
        )

    def _cell(self, r: int, cells: list[object], name: str) -> str | None:
        """The cell a field was read from on this row ("E7"), if the table has the column."""
        col = self._pick(r, cells, name)
        return None if col is None else cell_name(r, col)

    def _warn_errors(self, r: int, cells: list[object]) -> None:
        """An Excel error in a cell ('#REF!') is kept as its text, with a warning; the RAG and
        timescale columns warn about their own."""
        own = {c for name in ("rag", "timescale") for c in self.header.all_columns.get(name, ())}
        for c, value in enumerate(cells):
            if not isinstance(value, CellError) or c in own:
                continue
            what = (
                "the action is loaded with it as its text"
                if c in self.header.all_columns.get("action", ())
                else "it is loaded as written"
            )
            self.warn(
                f"the cell holds the error {value}; {what}. Correct the formula in Excel (or "
                "type the value) and upload again.",
                r,
                c,
            )

    def _timescale(self, r: int, cells: list[object]) -> Timescale:
        """The action's timescale; one that gives no due date it should is a warning."""
        value, number_format = self._get(r, cells, "timescale")
        col = self._pick(r, cells, "timescale")
        if isinstance(value, CellError):
            self.warn(
                f"the cell holds the error {value}; the action is loaded with no due date "
                "(due date unreadable). Correct the formula in Excel or type the timescale.",
                r,
                col,
            )
            return Timescale(str(value), None, (), "unreadable")
        timescale = parse_timescale(value, number_format)
        if timescale.kind in ("unreadable", "undated"):
            self.warn(
                f"the timescale '{timescale.text}' cannot be read as a due date; "
                f"{_NO_DUE_DATE[timescale.due_date_status]} Write a month and year "
                "('April 2018'), a date ('30/04/2018') or a quarter ('Q1 2018/19').",
                r,
                col,
            )
        return timescale

    def _has_own_fields(self, r: int, cells: list[object], ref: str | None) -> bool:
        """Whether a row without action text still has what only an action has."""
        return bool(ref) or any(
            self._get(r, cells, name)[0] is not None for name in ("timescale", "rag")
        )

    def _account_action_row(self, r: int, cells: list[object]) -> None:
        """An action row's cells: stored in a named column, ignored, or a note; one pass,
        as it runs for every action."""
        if self.header is not self._roles_of:
            self._roles_of = self.header
            self._roles = {c for cols in self.header.all_columns.values() for c in cols}
        stored = ignored = asked = filled = 0
        for c, v in enumerate(cells):
            if v is not None:
                filled += 1
                if c in self._roles:
                    stored += 1
                elif c in self.ignored:
                    ignored += 1
                elif c in self.asked:
                    asked += 1
        accounting = self.accounting
        accounting.add(None, stored)
        for reason, n in (("ignored", ignored), ("unanswered", asked)):
            if n:
                accounting.add(reason, n)
        if filled - stored - ignored - asked:
            accounting.add("note", filled - stored - ignored - asked)
        self.width = max(self.width, len(cells))
        accounting.add("blank", max(self.width - filled, 0))

    def _blanks(self, r: int, cells: list[object]) -> None:
        """Blank cells of a row inside the table: up to its widest header or row."""
        self.width = max(self.width, len(cells))
        if self.header is None:
            return
        self.accounting.add("blank", max(self.width - sum(v is not None for v in cells), 0))

    def _continue_previous(self, r: int, cells: list[object], has_new_recommendation: bool) -> None:
        """A row with no action text: more progress or outcome for the action above, or nothing."""
        if has_new_recommendation:
            self._account_action_row(r, cells)  # the recommendation's number and text
            return
        if not self.result.actions:
            self.account(r, cells, "note")
            return
        previous = self.result.actions[-1]
        used = 0
        for name in ("progress", "outcome", "lead"):
            extra = self._text(r, cells, name)
            if extra:
                used += 1
                current = getattr(previous, name)
                setattr(previous, name, f"{current}\n{extra}" if current else extra)
        filled = sum(1 for v in cells if v is not None)
        self.accounting.add(None, used)
        self.accounting.add("note", filled - used)
        self._blanks(r, cells)

    def _rag(self, r: int, cells: list[object]) -> str:
        col = self._pick(r, cells, "rag")
        if col is None:
            return NOT_RATED
        value = cells[col] if col < len(cells) else None
        if isinstance(value, CellError):
            self.warn(
                f"the cell holds the error {value}; loaded as Not rated. Correct the formula "
                "in Excel or type the rating (Complete, Green, Amber or Red).",
                r,
                col,
            )
            return NOT_RATED
        fill = self.sheet.fills.get((r, col))
        from_fill = self._fill_rag(fill) if fill else None
        if value is not None:
            level = normalise_rag(value if isinstance(value, str) else cell_text(value))
            if level is None:
                self.warn(
                    f"RAG '{cell_text(value)}' is not a RAG rating; loaded as Not rated. "
                    "Use Complete, Green, Amber or Red (or B, G, A, R).",
                    r,
                    col,
                )
                return NOT_RATED
            if from_fill and from_fill != level and level != NOT_RATED:
                self.warn(
                    f"RAG text says {level} but the cell is coloured {from_fill}; used the text.",
                    r,
                    col,
                )
            return level if level != NOT_RATED or not from_fill else from_fill
        if fill is None or is_neutral_colour(fill):
            return NOT_RATED
        if from_fill is None:
            self.warn(
                f"the fill colour #{fill[-6:]} is not a RAG colour; loaded as Not rated. "
                "Colour the cell blue, green, amber or red, or type the rating.",
                r,
                col,
            )
            return NOT_RATED
        return from_fill

    def _fill_rag(self, fill: str) -> str | None:
        if fill in self.key_colours:
            return self.key_colours[fill]
        if is_neutral_colour(fill):
            return None
        return classify_colour(fill)


# What the dashboard shows for an action whose timescale gives no due date, by why.
_NO_DUE_DATE = {
    UNREADABLE: "the action is loaded with no due date and shown as 'due date unreadable' "
    "(neither overdue nor on time) until it is corrected.",
    UNDATED: "the action is loaded as undated (no due date), as 'TBC' or 'Ongoing' are; if "
    "a date was meant, correct it.",
}


def _leading_number(text: str) -> str | None:
    """'4' from '4. Ensure that ...' or 'Recommendation 4: ...'; None for text with no label."""
    match = re.match(r"^\s*(?:(?:ofsted\s+)?recommendation\s*)?(\d{1,2})\b[.:)\s]", text, re.I)
    return match.group(1) if match else None


__all__ = ["Action", "SheetActions", "cell_name", "parse_action_sheet"]
