"""An action-plan file: its sheets' actions gathered into one snapshot of one plan."""

from __future__ import annotations

import datetime as dt

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
