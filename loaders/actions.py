"""Turn one sheet of cells into the actions of an action plan, as officers lay them out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from loaders.detect import (
    ACTION_VOCABULARY,
    OLDER,
    ColumnPlan,
    Header,
    detect_header,
    header_labels,
    normalise_label,
    plan_columns,
)
from loaders.errors import LoaderError, LoadWarning, cell_name, column_letter
from loaders.interpret import Accounting, Decision, Question
from loaders.rag import (
    NOT_RATED,
    WORSE_OF_TWO,
    classify_colour,
    find_key_cells,
    find_rag_key,
    is_neutral_colour,
    normalise_rag,
    rate_confidence,
)
from loaders.readers.sheet import CellError, Sheet
from loaders.text import (
    PRIORITY_LEVEL,
    SUMMARY_ROW,
    cell_text,
    is_letter_ref,
    is_note_or_total,
    normalise_ref,
    pounds_in_text,
    split_leading_ref,
)
from loaders.timescale import (
    UNDATED,
    UNREADABLE,
    Timescale,
    parse_timescale,
    span,
    with_milestones,
)

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
PRIORITY_NOT_STORED = "priority level (the dashboard keeps no priority)"


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


def parse_action_sheet(sheet: Sheet, ctx: Context | None = None) -> SheetActions | None:
    """The actions on a sheet, or None when it has no recognisable action-plan header.

    With a ``ctx`` (not while detecting), each column's role is recorded with its header,
    a column no header names is a question, and every cell is accounted for."""
    _fill_merges_down(sheet)
    key_cells, key_colours = find_key_cells(sheet)
    reader = _SheetReader(sheet, key_colours, ctx)
    for r, cells in enumerate(sheet.rows):
        keyed = sum(1 for c, v in enumerate(cells) if v is not None and (r, c) in key_cells)
        rest = [None if (r, c) in key_cells else v for c, v in enumerate(cells)] if keyed else cells
        if keyed and not any(v is not None for v in rest):
            reader.account(r, cells, "key")
            continue
        # A key along a row beside a title: its cells are the key's, the rest is read.
        reader.accounting.add("key", keyed)
        reader.row_key_cells = keyed
        reader.read_row(r, rest)
        reader.row_key_cells = 0
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
        for text, (level, how, r, c) in reader.ratings.items():
            ctx.interp.decide("rating", f"'{text}'", level, how, sheet=sheet.name, row=r, column=c)
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
        self.answered: set[int] = set()  # columns whose role the officer gave
        self.not_stored: dict[int, str] = {}  # columns never read, and why
        self.width = 0  # the table's width so far, for counting its blank cells
        self.row_key_cells = 0  # cells of the current row that are a RAG key's
        self.fallbacks: set[int] = set()  # columns read only where an earlier one is blank
        self.result = SheetActions(sheet.name)
        self.header: Header | None = None
        self.detected: dict[str, tuple[int, ...]] | None = None  # header as found, for repeats
        self.plan = ColumnPlan()
        self.labels: dict[int, str] = {}
        self.sub_header_row: int | None = None
        self.used: set[int] = set()  # columns read on the current row
        self.ratings: dict[str, tuple[str, str, int, int]] = {}  # two-colour ratings read
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
        if r == self.sub_header_row:
            self.account(r, cells, "header")
            return
        header = detect_header(r, cells)
        if header is not None:
            if self.header is None or header.all_columns != self.detected:
                self.detected = header.all_columns
                self._set_header(r, header, cells)
                self.result.has_rag_column |= "rag" in self.header.columns
            elif header_labels(self.sheet, r, cells)[1]:
                self.sub_header_row = r + 1  # a two-row header repeated on a later page
            if self.header_count == 0:
                self.first_header = r
            self.header_count += 1
            self.awaiting_recommendation = False
            self.account(r, cells, "header")
            return
        texts = {cell_text(v) for _, v in filled}
        if len(texts) == 1:
            text = cell_text(filled[0][1]) or ""
            if self.header is not None and is_note_or_total(text):
                self.account(r, cells, "note")  # "Note: ...", "Total actions: 3"
                return
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

    def _set_header(self, r: int, header: Header, cells: list[object]) -> None:
        """Read a header: each column's field, which of several columns of one field is read,
        a column no header names (or two the headers cannot rank) a question."""
        labels, two_rows = header_labels(self.sheet, r, cells)
        header = detect_header(r, labels) or header
        self.sub_header_row = r + 1 if two_rows else None
        self.not_stored = {}
        self.labels = {c: " ".join(v.split()) for c, v in enumerate(labels) if isinstance(v, str)}
        roles = {k: list(v) for k, v in header.all_columns.items()}
        if self.ctx is not None:
            self.ctx.interp.headers.append(" | ".join(cell_text(v) or "" for v in cells))
            self._ask_unknown(r, roles, labels)
        self._priority_levels(r, roles)
        plan = plan_columns({k: tuple(v) for k, v in roles.items()}, self.labels)
        if plan.tied and self._settle_ties(r, roles, plan):
            plan = plan_columns({k: tuple(v) for k, v in roles.items()}, self.labels)
        self.plan = plan
        self.not_stored.update(plan.not_read)
        # Columns read on a row only where the one before them is blank: an older update.
        self.fallbacks = {c for cols in plan.read.values() for c in cols[1:]} | {
            c for groups in plan.groups.values() for group in groups for c in group[1:]
        }
        self._decide_columns(r, roles)
        read = {
            k: plan.read.get(k) or [c for g in plan.groups.get(k, []) for c in g] for k in roles
        }
        self.header = Header(
            r, {k: cols[0] for k, cols in read.items() if cols},
            {k: tuple(sorted(v)) for k, v in roles.items()},
        )  # fmt: skip

    def _label(self, c: int) -> str:
        return self.labels.get(c) or f"column {column_letter(c)}"

    def _question_key(self, c: int) -> str:
        label = self.labels.get(c)
        if not label:
            return f"column '{self.sheet.name}'!{column_letter(c)}"
        twins = [k for k, v in self.labels.items() if v == label]
        return f"column '{label}'" if len(twins) == 1 else f"column '{label}' ({column_letter(c)})"

    def _answer(self, c: int, r: int) -> str | None:
        """The officer's answer about column c, checked to be a role or 'ignore'."""
        if self.ctx is None:
            return None
        answer = self.ctx.answers.get(self._question_key(c))
        if answer is not None and answer != IGNORE and answer not in ACTION_VOCABULARY:
            raise LoaderError(
                f"The answer '{answer}' for column '{self.labels.get(c) or column_letter(c)}' is "
                f"not a role; use one of {', '.join(COLUMN_CHOICES)}.",
                sheet=self.sheet.name, row=r, column=c,
            )  # fmt: skip
        return answer

    def _ask_unknown(self, r: int, roles: dict[str, list[int]], labels: list[object]) -> None:
        """A filled column no header names: the officer's answer, else a question."""
        known = {c for cols in roles.values() for c in cols}
        for c in range(len(labels)):
            if c in known or not self._column_has_data(r, c):
                continue
            answer = self._answer(c, r)
            if answer is not None:
                self._apply_answer(r, c, answer, roles)
                continue
            self.asked.add(c)
            self.ctx.interp.ask(
                Question(
                    self._question_key(c),
                    f"Column {column_letter(c)} ('{self.labels.get(c) or 'no header'}') is not a "
                    "column the loader knows. What does it hold?",
                    COLUMN_CHOICES, likely=IGNORE, cells=tuple(self._column_sample(r, c)),
                    sheet=self.sheet.name, row=r, column=c,
                )
            )  # fmt: skip

    def _apply_answer(self, r: int, c: int, answer: str, roles: dict[str, list[int]]) -> None:
        self.answered.add(c)
        if answer == IGNORE:
            self.ignored.add(c)
        else:
            roles.setdefault(answer, []).append(c)
            roles[answer].sort()
        self.ctx.interp.decide(
            "column", f"column {column_letter(c)}", "not stored" if answer == IGNORE else answer,
            "the officer's answer", sheet=self.sheet.name, row=r, column=c,
        )  # fmt: skip

    def _settle_ties(self, r: int, roles: dict[str, list[int]], plan: ColumnPlan) -> bool:
        """Columns of one field whose headers cannot say which to read: the officer's answers
        (one column 'ignore', or another role), else a question about each. Whether any
        answer changed the roles."""
        changed = False
        for name, cols in plan.tied.items():
            answers = {c: self._answer(c, r) for c in cols}
            for c, answer in answers.items():
                if answer is not None and answer != name:
                    roles[name].remove(c)
                    self._apply_answer(r, c, answer, roles)
                    changed = True
            if self.ctx is None or len(roles[name]) < 2 or all(answers.values()):
                continue
            named = ", ".join(f"{column_letter(c)} ('{self._label(c)}')" for c in cols)
            for c in cols:
                if answers[c] is not None:
                    continue
                self.asked.add(c)
                self.ctx.interp.ask(
                    Question(
                        self._question_key(c),
                        f"Columns {named} all name the {name}, and their headers do not say which "
                        f"is current. What does column {column_letter(c)} ('{self._label(c)}') "
                        f"hold? Answer '{name}' for one and '{IGNORE}' (or another role) for the "
                        "others.",
                        COLUMN_CHOICES, likely=name if c == max(cols) else IGNORE,
                        cells=tuple(self._column_sample(r, c)), sheet=self.sheet.name, row=r,
                        column=c,
                    )
                )  # fmt: skip
        return changed

    def _priority_levels(self, r: int, roles: dict[str, list[int]]) -> None:
        """A "Priority" column of High / Medium / Low ranks actions; it is no recommendation."""
        for c in list(roles.get("recommendation", ())):
            sample = self._column_sample(r, c)
            if "priority" not in normalise_label(self._label(c)) or not sample:
                continue
            if all(PRIORITY_LEVEL.match(text) for text in sample):
                roles["recommendation"].remove(c)
                self.not_stored[c] = PRIORITY_NOT_STORED
                if self.ctx is not None:
                    self.ctx.interp.decide(
                        "column", f"column {column_letter(c)}", "not stored",
                        f"header '{self._label(c)}': priority levels ({', '.join(sample)}), not a "
                        "recommendation; the dashboard has no priority field",
                        sheet=self.sheet.name, row=r, column=c,
                    )  # fmt: skip
        if not roles.get("recommendation", True):
            del roles["recommendation"]

    def _decide_columns(self, r: int, roles: dict[str, list[int]]) -> None:
        if self.ctx is None:
            return
        for role, cols in roles.items():
            for c in cols:
                if c in self.answered:
                    continue  # decided by the officer's answer
                how = self.plan.how.get(c)
                reading = (
                    "not stored" if c in self.plan.not_read else f"{role}, {how}" if how else role
                )
                evidence = f"header '{self._label(c)}'" + (
                    f": {how}" if c in self.plan.not_read else ""
                )
                self.ctx.interp.decide("column", f"column {column_letter(c)}", reading, evidence,
                                       sheet=self.sheet.name, row=r, column=c)  # fmt: skip

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
        """The column to read a field from on this row: the first of its columns, in the
        header's order, that is filled in."""
        cols = self.plan.read.get(name, ())
        for col in cols:
            if col < len(cells) and (cells[col] is not None or (r, col) in self.sheet.fills):
                return col
        return cols[0] if cols and cols[0] < len(cells) else None

    def _get(self, r: int, cells: list[object], name: str) -> tuple[object, str | None]:
        """A field's value on this row and the number format it is shown with."""
        col = self._pick(r, cells, name)
        if col is None:
            return None, None
        if cells[col] is not None:
            self.used.add(col)
        return cells[col], self.sheet.number_formats.get((r, col))

    def _text(self, r: int, cells: list[object], name: str) -> str | None:
        if name in self.plan.groups:
            return self._joined(r, cells, name)
        return cell_text(*self._get(r, cells, name))

    def _joined(self, r: int, cells: list[object], name: str) -> str | None:
        """A field several columns hold: the latest filled update of each kind, each under
        its header when there are several kinds ("Evidence of impact: ...")."""
        groups = self.plan.groups[name]
        parts = []
        for group in groups:
            for col in group:
                value = cells[col] if col < len(cells) else None
                text = cell_text(value, self.sheet.number_formats.get((r, col)))
                if text:
                    self.used.add(col)
                    parts.append(text if len(groups) == 1 else f"{self._label(col)}: {text}")
                    break
        return "\n".join(parts) or None

    def _read_body_row(self, r: int, cells: list[object]) -> None:
        self.used = set()
        self._warn_errors(r, cells)
        rec_ref = self._text(r, cells, "recommendation_ref")
        rec_text = self._text(r, cells, "recommendation")
        # A recommendation merged down its actions, or repeated on each, is the same one.
        new_recommendation = bool(rec_ref and rec_ref != self.recommendation_ref) or bool(
            rec_text and rec_text != self.recommendation
        )
        if rec_ref:
            self.recommendation_ref = rec_ref
        if rec_text and rec_text != self.recommendation:
            self.recommendation = rec_text
            if not rec_ref and self._col("recommendation_ref") is None:
                self.recommendation_ref = _leading_number(rec_text) or self.section_number
        action = self._text(r, cells, "action")
        ref = self._text(r, cells, "ref")
        if self._not_an_action_row(r, cells, action, ref):
            return
        if action:
            leading, rest = split_leading_ref(action)
            if leading and is_letter_ref(leading) and ref and ref.isdigit():
                # A "No" column numbering the recommendation (on its first action only, or
                # merged down them), with the actions lettered in their text: 1 + "a) Recruit"
                # is action 1a.
                self.recommendation_ref = ref
                ref, action = leading, rest
            elif leading and not ref:
                ref, action = leading, rest
        if not action and not self._has_own_fields(r, cells, ref):
            self._continue_previous(r, cells, has_new_recommendation=new_recommendation)
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
        rec_ref = self.recommendation_ref
        ref = normalise_ref(ref, rec_ref or self.section_number)
        if rec_ref is None and ref and "." in ref:
            rec_ref = ref.split(".")[0]
        cost_text = self._text(r, cells, "cost")
        rag, written = self._rag(r, cells)
        progress = self._text(r, cells, "progress")
        if written:
            progress = "\n".join(p for p in (f"RAG as written: {written}", progress) if p)
        self.result.actions.append(
            Action(
                section=self.section,
                recommendation_ref=rec_ref,
                recommendation=self.recommendation,
                ref=ref,
                action=action,
                lead=self._text(r, cells, "lead"),
                timescale=self._timescale(r, cells),
                rag=rag,
                progress=progress,
                outcome=self._text(r, cells, "outcome"),
                cost_gbp=pounds_in_text(cost_text if cost_text is not None else action),
                cost_text=cost_text,
                source_sheet=self.sheet.name,
                source_row=r + 1,
                action_cell=self._cell(r, cells, "action"),
                timescale_cell=self._cell(r, cells, "timescale"),
            )
        )
        self._account_action_row(r, cells)

    def _not_an_action_row(
        self, r: int, cells: list[object], action: str | None, ref: str | None
    ) -> bool:
        """A note, a total or a recommendation's overall rating inside the table: it has no
        ref, lead or timescale of its own, and is accounted for as a note, never an action."""
        first = next((cell_text(v) for v in cells if v is not None), None)
        texts = [t for t in (action, ref, first) if t]
        if not any(is_note_or_total(t) or SUMMARY_ROW.search(t) for t in texts):
            return False
        if (ref and not is_note_or_total(ref)) or (action and split_leading_ref(action)[0]):
            return False
        if any(self._get(r, cells, name)[0] is not None for name in ("lead", "timescale")):
            return False
        self.used = set()
        if any(SUMMARY_ROW.search(t) for t in texts):
            rating = self._text(r, cells, "rag")
            self.warn(
                f"'{action or first}' is a summary row, not an action"
                + (f"; its rating ({rating}) is not stored" if rating else "")
                + ": each action keeps its own RAG.",
                r,
                self._col("action"),
            )
        self.account(r, cells, "note")
        return True

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
        for c in self.plan.start:
            timescale = span(self._timescale_at(r, cells, c), timescale)
        for c in self.plan.milestones:
            timescale = with_milestones(timescale, self._label(c), self._timescale_at(r, cells, c))
        if timescale.kind in ("unreadable", "undated"):
            self.warn(
                f"the timescale '{timescale.text}' cannot be read as a due date; "
                f"{_NO_DUE_DATE[timescale.due_date_status]} Write a month and year "
                "('April 2018'), a date ('30/04/2018') or a quarter ('Q1 2018/19').",
                r,
                col,
            )
        return timescale

    def _timescale_at(self, r: int, cells: list[object], c: int) -> Timescale:
        value = cells[c] if c < len(cells) else None
        if value is not None:
            self.used.add(c)
        return parse_timescale(value, self.sheet.number_formats.get((r, c)))

    def _has_own_fields(self, r: int, cells: list[object], ref: str | None) -> bool:
        """Whether a row without action text still has what only an action has."""
        return bool(ref) or any(
            self._get(r, cells, name)[0] is not None for name in ("timescale", "rag")
        )

    def _account_action_row(self, r: int, cells: list[object]) -> None:
        """An action row's cells: stored when read into the action; else not stored, and why
        (an older update, a column not read, ignored, awaiting an answer, or a note)."""
        filled = 0
        for c, v in enumerate(cells):
            if v is None:
                continue
            filled += 1
            if c in self.asked:
                self.accounting.add("unanswered")
            elif c in self.used:
                self.accounting.add(None)
            elif c in self.not_stored:
                self.accounting.add(self.not_stored[c])
            elif c in self.ignored:
                self.accounting.add("ignored")
            elif c in self.fallbacks:
                self.accounting.add(OLDER)
            else:
                self.accounting.add("note")
        self.width = max(self.width, len(cells))
        self.accounting.add("blank", max(self.width - filled - self.row_key_cells, 0))

    def _blanks(self, r: int, cells: list[object]) -> None:
        """Blank cells of a row inside the table: up to its widest header or row."""
        self.width = max(self.width, len(cells))
        if self.header is None:
            return
        filled = sum(v is not None for v in cells) + self.row_key_cells
        self.accounting.add("blank", max(self.width - filled, 0))

    def _continue_previous(self, r: int, cells: list[object], has_new_recommendation: bool) -> None:
        """A row with no action text: more progress or outcome for the action above, or nothing."""
        if has_new_recommendation:
            self._account_action_row(r, cells)  # the recommendation's number and text
            return
        if not self.result.actions:
            self.account(r, cells, "note")
            return
        previous = self.result.actions[-1]
        for name in ("progress", "outcome", "lead"):
            extra = self._text(r, cells, name)
            if extra:
                current = getattr(previous, name)
                setattr(previous, name, f"{current}\n{extra}" if current else extra)
        self._account_action_row(r, cells)

    def _rag(self, r: int, cells: list[object]) -> tuple[str, str | None]:
        """The action's RAG level, and its text as written when two colours were read as one."""
        col = self._pick(r, cells, "rag")
        if col is None:
            return NOT_RATED, None
        value = cells[col] if col < len(cells) else None
        if value is not None:
            self.used.add(col)
        if isinstance(value, CellError):
            self.warn(
                f"the cell holds the error {value}; loaded as Not rated. Correct the formula "
                "in Excel or type the rating (Complete, Green, Amber or Red).",
                r,
                col,
            )
            return NOT_RATED, None
        fill = self.sheet.fills.get((r, col))
        from_fill = self._fill_rag(fill) if fill else None
        if value is not None:
            text = value if isinstance(value, str) else cell_text(value)
            level = normalise_rag(text)
            if level is None:
                self.warn(
                    f"RAG '{cell_text(value)}' is not a RAG rating; loaded as Not rated. "
                    "Use Complete, Green, Amber or Red (or B, G, A, R).",
                    r,
                    col,
                )
                return NOT_RATED, None
            if from_fill and from_fill != level and level != NOT_RATED:
                self.warn(
                    f"RAG text says {level} but the cell is coloured {from_fill}; used the text.",
                    r,
                    col,
                )
            written = None
            read = rate_confidence(text)
            if read is not None and read[1] == WORSE_OF_TWO:
                written = " ".join(text.split())
                self.ratings.setdefault(written, (level, read[1], r, col))
            return (level if level != NOT_RATED or not from_fill else from_fill), written
        if fill is None or is_neutral_colour(fill):
            return NOT_RATED, None
        if from_fill is None:
            self.warn(
                f"the fill colour #{fill[-6:]} is not a RAG colour; loaded as Not rated. "
                "Colour the cell blue, green, amber or red, or type the rating.",
                r,
                col,
            )
            return NOT_RATED, None
        return from_fill, None

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
    """'4' from '4. Ensure that ...', 'Recommendation 4: ...' or 'Rec 4: ...'; None for text
    with no label."""
    match = re.match(
        r"^\s*(?:(?:ofsted\s+)?(?:recommendation|rec)\.?\s*)?(\d{1,2})\b[.:)\s]", text, re.I
    )
    return match.group(1) if match else None


__all__ = ["Action", "SheetActions", "cell_name", "find_rag_key", "parse_action_sheet"]
