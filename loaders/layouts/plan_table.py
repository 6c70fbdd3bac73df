"""Action plans: a header row naming an Action column and a few of Lead, Timescale, RAG..."""

from __future__ import annotations

import datetime as dt
import re

from loaders.actions import parse_action_sheet
from loaders.detect import detect_header
from loaders.errors import LoaderError, LoadWarning
from loaders.interpret import Question
from loaders.layouts.base import Context, Evidence, Layout, ParsedFile, Source
from loaders.plan_file import DateFound, gather_actions, plan_and_dates
from loaders.snapshot import PLAN_WORD

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
    source: Source,
    ctx: Context,
    parsed_sheets: list,
    title_words: tuple[re.Pattern[str], ...] = (PLAN_WORD,),
) -> tuple[str, str, dt.date | None, str | None]:
    """Plan name and as-of date with their evidence. A date the officer gave that is
    implausible is refused; the file's own dates are used only when they agree and are
    plausible, else the officer is asked, each date named with the cell it came from.

    ``title_words`` are the words a title naming the plan has ("plan"; a register's title
    may name a register instead)."""
    interp, options = ctx.interp, ctx.options
    given = options.plan or ctx.answers.get("plan")
    plan, plan_source, found = plan_and_dates(
        parsed_sheets, source.sheets, source.file_name, given, title_words
    )
    interp.plan = plan
    interp.decide("plan", "plan name", plan, f"the {plan_source}")
    as_of, as_of_source = options.as_of, "command line"
    if as_of is None:
        as_of, as_of_source = _answered_date(ctx, source), "answer"
    if as_of is not None:
        if not plausible_as_of(as_of, options.today or dt.date.today()):
            raise LoaderError(
                f"The as-of date {as_of:%-d %b %Y} is not a plausible date for a plan's progress "
                f"(before {EARLIEST_AS_OF:%Y} or more than three months ahead). Give the date the "
                "progress was written, like 2018-01-31.",
                file=source.file_name,
            )
        interp.decide("as_of", "as-of date", as_of, f"the {as_of_source}")
    else:
        chosen = _settle_found_date(found, ctx)
        as_of, as_of_source = (chosen.date, chosen.source) if chosen else (None, None)
    interp.as_of = as_of
    return plan, plan_source, as_of, as_of_source


def _settle_found_date(found: list[DateFound], ctx: Context) -> DateFound | None:
    """The file's as-of date where its title lines and name agree on one plausible date;
    otherwise a question naming every date found and where (none is ever guessed)."""
    interp, today = ctx.interp, ctx.options.today or dt.date.today()
    odd = [f for f in found if not plausible_as_of(f.date, today)]
    readings: list[DateFound] = []  # one per date; a full date beats the month it is in
    for f in (f for f in found if f not in odd):
        same = next((i for i, r in enumerate(readings) if r.agrees(f)), None)
        if same is None:
            readings.append(f)
        elif readings[same].month_only and not f.month_only:
            readings[same] = f
    for f in odd:
        interp.decide(
            "as_of", "as-of date", f.date, f"{f.evidence}: not plausible, not used",
            certain=False,
        )  # fmt: skip
    if len(readings) == 1 and not odd:
        evidence = " and ".join(f.evidence for f in found)
        interp.decide("as_of", "as-of date", readings[0].date, evidence)
        return readings[0]
    doubts = [f"{f.date:%-d %b %Y}, in {f.evidence}, is {_implausible(f.date, today)}" for f in odd]
    if len(readings) > 1:
        says = "; ".join(f"{f.evidence} says {f.date:%-d %b %Y}" for f in readings)
        doubts.append(f"the file gives more than one as-of date: {says}")
    if not doubts:
        doubts.append("No as-of date was found in the title lines or the file name")
    prompt = "; ".join(doubts)
    cell = next((f.cell for f in (*odd, *readings) if f.cell), None)
    interp.ask(
        Question(
            "as_of",
            f"{prompt[0].upper()}{prompt[1:]}. What date is this plan's progress as of?",
            tuple(f"{f.date:%Y-%m-%d}" for f in readings) or ("a date such as 2018-01-31",),
            likely=f"{readings[0].date:%Y-%m-%d}" if readings else None,
            option="--as-of",
            cells=tuple(f.written for f in (*odd, *readings)),
            sheet=cell.sheet if cell else None,
            row=cell.row if cell else None,
            column=cell.column if cell else None,
            free_text=True,
        )
    )
    return None


def _implausible(date: dt.date, today: dt.date) -> str:
    if date < EARLIEST_AS_OF:
        return f"before {EARLIEST_AS_OF:%Y}"
    return "more than three months ahead"


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
