"""An action-plan file: its sheets' actions gathered into one snapshot of one plan."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pyarrow as pa

from loaders import snapshot
from loaders.actions import Action, SheetActions
from loaders.errors import LoadWarning, cell_name
from loaders.readers.sheet import Sheet
from loaders.text import cell_text
from loaders.timescale import dates_in

MILESTONE_TYPE = pa.list_(pa.struct([("date", pa.date32()), ("text", pa.string())]))


def gather_actions(parsed_sheets: list[SheetActions]) -> tuple[list[Action], list[LoadWarning]]:
    """Every sheet's actions; with several sheets, each sheet's name leads its sections."""
    actions: list[Action] = []
    warnings: list[LoadWarning] = []
    many = len(parsed_sheets) > 1
    for result in parsed_sheets:
        warnings.extend(result.warnings)
        if not result.actions:
            warnings.append(LoadWarning("a header row but no actions below it.", result.sheet))
        if not result.has_rag_column:
            warnings.append(
                LoadWarning("no RAG column; its actions are loaded as Not rated.", result.sheet)
            )
        for action in result.actions:
            if many:
                action.section = (
                    f"{result.sheet}: {action.section}" if action.section else result.sheet
                )
            actions.append(action)
    warnings.extend(_duplicate_refs(actions))
    return actions, warnings


@dataclass(frozen=True)
class TitleCell:
    """One cell of a title line, where it is: names and dates are read cell by cell, so a
    RAG key beside the title ("Key", "Complete") never joins the plan's name."""

    text: str
    sheet: str
    row: int | None = None  # 0-based; None where the line was not found in its sheet
    column: int | None = None

    @property
    def place(self) -> str:
        """'sheet 'Plan', cell A1'."""
        cell = f", cell {cell_name(self.row, self.column)}" if self.row is not None else ""
        return f"sheet '{self.sheet}'{cell}"


@dataclass(frozen=True)
class DateFound:
    """A date the file gives for its progress, and where: a title cell or the file name."""

    date: dt.date
    source: str  # "title line" or "file name"
    written: str  # the cell's text or the file name, as written
    month_only: bool = False  # "June 2024": read as the month's last day
    cell: TitleCell | None = None

    @property
    def evidence(self) -> str:
        """ "the title line in sheet 'Plan', cell A2 ('Updated: 30 November 2033')"."""
        place = f" in {self.cell.place}" if self.cell else ""
        month = ", a month read as its last day" if self.month_only else ""
        return f"the {self.source}{place} ('{self.written}'{month})"

    def agrees(self, other: DateFound) -> bool:
        """The same date, or the same month where one of the two names only a month."""
        if self.date == other.date:
            return True
        same_month = (self.date.year, self.date.month) == (other.date.year, other.date.month)
        return same_month and (self.month_only or other.month_only)


def title_cells(parsed_sheets: list[SheetActions], sheets: list[Sheet]) -> list[list[TitleCell]]:
    """Each sheet's title lines as the cells they were read from, in order."""
    by_name = {sheet.name: sheet for sheet in sheets}
    lines: list[list[TitleCell]] = []
    for result in parsed_sheets:
        rows = by_name[result.sheet].rows if result.sheet in by_name else []
        start = 0
        for line in result.title_lines:
            for r in range(start, len(rows)):
                cells = _cells_writing(line, rows[r])
                if cells:
                    start = r + 1
                    lines.append([TitleCell(text, result.sheet, r, c) for c, text in cells])
                    break
            else:
                lines.append([TitleCell(line, result.sheet)])
    return lines


def _cells_writing(line: str, row: list[object]) -> list[tuple[int, str]]:
    """The cells of a row whose texts, joined by spaces, are the title line (cells left out
    of it, such as a RAG key beside the title, are skipped); none where the row is not it."""
    used: list[tuple[int, str]] = []
    rest = line
    for c, value in enumerate(row):
        text = cell_text(value)
        if text and rest.startswith(text) and rest[len(text) : len(text) + 1] in ("", " "):
            if all(text != t for _, t in used):  # a merged title repeats: its first cell
                used.append((c, text))
            rest = rest[len(text) + 1 :]
            if not rest:
                return used
    return []


def plan_and_dates(
    parsed_sheets: list[SheetActions],
    sheets: list[Sheet],
    file_name: str,
    plan: str | None,
    title_words: tuple[re.Pattern[str], ...] = (snapshot.PLAN_WORD,),
) -> tuple[str, str, list[DateFound]]:
    """(plan, its source, the dates the file gives for its progress), by the README's
    precedence: the plan is ``plan``, else the title's (the first title cell naming one of
    ``title_words``, tried in turn: "plan", then "register" for a register), else the file
    name's; the dates are the title lines' (those said to be the progress date, else a bare
    date on the plan's title) and then the file name's. Never today's date."""
    lines = title_cells(parsed_sheets, sheets)
    title = next(
        (
            (cell, found)
            for words in title_words
            for line in lines
            for cell in line
            if (found := snapshot.split_title(cell.text, words))
        ),
        None,
    )
    plan_source = "command line"
    if not plan and title:
        plan, plan_source = title[1][0], f"title line in {title[0].place}"
    if not plan:
        plan, plan_source = snapshot.plan_from_file_name(file_name), "file name"
    cued, bare = [], []
    for line in lines:
        joined = " ".join(cell.text for cell in line)
        for written in snapshot.title_dates(joined):
            (cued if written.cued else bare).append(_title_date(written, line))
        if title and title[0] in line:
            bare += [_title_date(w, [title[0]]) for w in title[1][1] if not w.cued]
            for cell in line:
                if cell is not title[0] and len(line) > 1:  # "Plan" | "31 October 2023"
                    found = snapshot.title_dates(cell.text)
                    bare += [_title_date(w, [cell]) for w in found if not w.cued]
    dates = cued or bare
    named = snapshot.file_name_date(file_name)
    if named is not None:
        dates.append(DateFound(named.date, "file name", file_name, named.month_only))
    return plan, plan_source, dates


def _title_date(written: snapshot.WrittenDate, line: list[TitleCell]) -> DateFound:
    """A title line's date, placed in the cell of the line that writes it."""
    cell = next(
        (c for c in line if written.date in dates_in(c.text)),
        line[0],
    )
    return DateFound(written.date, "title line", cell.text, written.month_only, cell)


def _duplicate_refs(actions: list[Action]) -> list[LoadWarning]:
    seen: dict[tuple[str | None, str], Action] = {}
    warnings = []
    for action in actions:
        if action.ref is None:
            continue
        key = (action.section, action.ref)
        if key in seen:
            first = seen[key]
            warnings.append(
                LoadWarning(
                    f"ref {action.ref} is used twice (also row {first.source_row} of sheet "
                    f"'{first.source_sheet}'); month-to-month tracking may pair the wrong actions.",
                    action.source_sheet,
                    action.source_row - 1,
                )
            )
        else:
            seen[key] = action
    return warnings


# The Upload page previews a sample a browser can draw (a styled table stops at 262,144
# cells): the first actions of the file, then those with warnings, up to these numbers.
PREVIEW_FIRST = 200
PREVIEW_WITH_WARNINGS = 800


@dataclass(frozen=True)
class ActionPreview:
    """The actions an upload shows before it is confirmed, and how many it leaves out."""

    rows: list[dict[str, object]]  # one per action shown, in file order
    total: int  # actions in the file, every one of which will be loaded
    warned_below: int  # actions after the first ones on a row a warning names

    @property
    def sentence(self) -> str | None:
        """'Showing 1,000 of 41,000 actions: ... All 41,000 will be loaded.' when sampled."""
        if len(self.rows) == self.total:
            return None
        first = min(self.total, PREVIEW_FIRST)
        warned = len(self.rows) - first
        rest = (
            f" and {warned:,} of the {self.warned_below:,} below them with warnings"
            if warned
            else ""
        )
        return (
            f"Showing {len(self.rows):,} of {self.total:,} actions: the first {first:,}{rest}. "
            f"All {self.total:,} will be loaded."
        )


def action_preview(actions: list[Action], warnings: list[LoadWarning]) -> ActionPreview:
    """The first actions of a file and, after them, those on a row a warning names (each
    with its first warning), as few as a browser can always draw."""
    warned: dict[tuple[str | None, int | None], str] = {}
    for warning in warnings:
        warned.setdefault((warning.sheet, warning.row), warning.message)
    problems = [warned.get((a.source_sheet, a.source_row - 1)) for a in actions]
    later = [i for i in range(PREVIEW_FIRST, len(actions)) if problems[i] is not None]
    shown = [*range(min(len(actions), PREVIEW_FIRST)), *later[:PREVIEW_WITH_WARNINGS]]
    return ActionPreview(
        [_preview_row(actions[i], problems[i]) for i in shown],
        len(actions),
        len(later),
    )


def _preview_row(action: Action, warning: str | None) -> dict[str, object]:
    return {
        "Sheet": action.source_sheet, "Row": action.source_row, "Section": action.section,
        "Ref": action.ref, "Action": action.action, "Lead": action.lead,
        "Timescale": action.timescale.text, "Due": action.timescale.due_date,
        "due_date_status": action.timescale.due_date_status, "RAG": action.rag,
        "Warning": warning or "",
    }  # fmt: skip


def action_table(upload_id: int, plan: str, as_of: dt.date, acts: list[Action]) -> pa.Table:
    """The actions as rows of the ``action_rows`` table."""
    n = len(acts)
    columns = {
        "upload_id": pa.array([upload_id] * n, pa.int32()),
        "plan": [plan] * n,
        "section": [a.section for a in acts],
        "recommendation_ref": [a.recommendation_ref for a in acts],
        "recommendation": [a.recommendation for a in acts],
        "ref": [a.ref for a in acts],
        "action": [a.action for a in acts],
        "lead": [a.lead for a in acts],
        "timescale": [a.timescale.text for a in acts],
        "due_date": pa.array([a.timescale.due_date for a in acts], pa.date32()),
        "due_date_status": [a.timescale.due_date_status for a in acts],
        "timescale_cell": [a.timescale_cell for a in acts],
        "action_cell": [a.action_cell for a in acts],
        "milestones": pa.array(
            [[{"date": m.date, "text": m.text} for m in a.timescale.milestones] for a in acts],
            MILESTONE_TYPE,
        ),
        "rag": [a.rag for a in acts],
        "progress": [a.progress for a in acts],
        "outcome": [a.outcome for a in acts],
        "cost_gbp": pa.array([a.cost_gbp for a in acts], pa.float64()),
        "cost_text": [a.cost_text for a in acts],
        "as_of": pa.array([as_of] * n, pa.date32()),
        "source_sheet": [a.source_sheet for a in acts],
        "source_row": pa.array([a.source_row for a in acts], pa.int32()),
    }
    return pa.table(
        {k: v if isinstance(v, pa.Array) else pa.array(v, pa.string()) for k, v in columns.items()}
    )
