"""An action-plan file: its sheets' actions gathered into one snapshot of one plan."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyarrow as pa

from loaders import snapshot
from loaders.actions import Action, SheetActions
from loaders.errors import LoadWarning

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


def plan_and_as_of(
    parsed_sheets: list[SheetActions],
    file_name: str,
    plan: str | None,
    as_of: dt.date | None,
    as_of_source: str = "command line",
) -> tuple[str, str, dt.date | None, str | None]:
    """(plan, its source, as-of date or None, its source), by the precedence in the README.

    Never today's date: a file with no date in it is a question for the officer."""
    titles = [line for result in parsed_sheets for line in result.title_lines]
    plan_source = "command line"
    if not plan:
        plan, plan_source = snapshot.plan_from_titles(titles), "title line"
    if not plan:
        plan, plan_source = snapshot.plan_from_file_name(file_name), "file name"
    if as_of is None:
        as_of, as_of_source = snapshot.as_of_from_titles(titles), "title line"
    if as_of is None:
        as_of, as_of_source = snapshot.as_of_from_file_name(file_name), "file name"
    return plan, plan_source, as_of, as_of_source if as_of else None


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
