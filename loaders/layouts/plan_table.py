"""Action plans: a header row naming an Action column and a few of Lead, Timescale, RAG..."""

from __future__ import annotations

import datetime as dt

from loaders.actions import parse_action_sheet
from loaders.detect import detect_header
from loaders.errors import LoaderError, LoadWarning
from loaders.interpret import Question
from loaders.layouts.base import Context, Evidence, Layout, ParsedFile, Source
from loaders.plan_file import gather_actions, plan_and_as_of

# An as-of date outside these bounds is a misreading (a year typed wrong, a money cell
# taken for a date), never used; the officer is asked instead.
EARLIEST_AS_OF = dt.date(2000, 1, 1)
LATEST_AS_OF_AHEAD = dt.timedelta(days=92)
# Headers are looked for in this many rows at the top of a sheet when detecting.
DETECT_ROWS = 200


def detect(source: Source) -> Evidence | None:
    if source.suffix not in (".xlsx", ".xlsm", ".xls", ".csv"):
        return None
    for sheet in source.sheets:
        for r, cells in enumerate(sheet.rows[:DETECT_ROWS]):
            header = detect_header(r, cells)
            if header is not None:
                fields = ", ".join(header.columns)
                score = 0.9 if len(header.columns) >= 3 else 0.7
                return Evidence(
                    score, f"a header row naming {fields} (sheet '{sheet.name}', row {r + 1})"
                )
    return None


def plausible_as_of(date: dt.date, today: dt.date) -> bool:
    return EARLIEST_AS_OF <= date <= today + LATEST_AS_OF_AHEAD


def parse(source: Source, ctx: Context) -> ParsedFile:
    parsed_sheets, warnings = [], []
    for sheet in source.sheets:
        result = parse_action_sheet(sheet, ctx)
        if result is not None:
            parsed_sheets.append(result)
        elif sheet.rows:
            warnings.append(
                LoadWarning("no action-plan table found on this sheet; skipped.", sheet.name)
            )
    actions, found = gather_actions(parsed_sheets)
    plan, plan_source, as_of, as_of_source = settle_plan_and_as_of(source, ctx, parsed_sheets)
    return ParsedFile(
        source.file_name, source.content, "actions", plan, as_of, plan_source, as_of_source,
        actions, warnings=warnings + found,
    )  # fmt: skip


def settle_plan_and_as_of(
    source: Source, ctx: Context, parsed_sheets: list, title_name: str | None = None
) -> tuple[str, str, dt.date | None, str | None]:
    """Plan name and as-of date with their evidence; a missing or implausible date found in
    the file is a question, and one the officer gave that is implausible is refused.

    ``title_name`` is a plan name a layout found in its own title lines (a register's)."""
    interp, options = ctx.interp, ctx.options
    today = options.today or dt.date.today()
    given = options.plan or ctx.answers.get("plan")
    as_of, as_of_source = options.as_of, "command line"
    if as_of is None:
        as_of, as_of_source = _answered_date(ctx, source), "answer"
    plan, plan_source, as_of, as_of_source = plan_and_as_of(
        parsed_sheets, source.file_name, given or title_name, as_of, as_of_source
    )
    if title_name and not given:
        plan_source = "title line"
    interp.plan = plan
    interp.decide("plan", "plan name", plan, f"the {plan_source}")
    if as_of is not None and not plausible_as_of(as_of, today):
        if as_of_source in ("command line", "answer"):
            raise LoaderError(
                f"The as-of date {as_of:%-d %b %Y} is not a plausible date for a plan's progress "
                f"(before {EARLIEST_AS_OF:%Y} or more than three months ahead). Give the date the "
                "progress was written, like 2018-01-31.",
                file=source.file_name,
            )
        interp.decide(
            "as_of", "as-of date", as_of, f"the {as_of_source}: not plausible, not used",
            certain=False,
        )  # fmt: skip
        as_of = None
    if as_of is None:
        interp.ask(
            Question(
                "as_of",
                "No as-of date was found in the title lines or the file name. What date is this "
                "plan's progress as of?",
                ("a date such as 2018-01-31",),
                option="--as-of",
                free_text=True,
            )
        )
    else:
        interp.decide("as_of", "as-of date", as_of, f"the {as_of_source}")
    interp.as_of = as_of
    return plan, plan_source, as_of, as_of_source


def _answered_date(ctx: Context, source: Source) -> dt.date | None:
    text = ctx.answers.get("as_of")
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise LoaderError(
            f"The answer '{text}' for the as-of date is not a date; write it like 2018-01-31.",
            file=source.file_name,
        ) from exc


LAYOUT = Layout(
    "plan_table",
    "actions",
    "an action plan: a header row naming an Action column and at least one of Lead, "
    "Timescale, Progress, RAG or Ref",
    detect,
    parse,
    ceiling=0.9,
)
