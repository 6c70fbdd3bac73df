"""Read a timescale as officers write it into a due date and its dated milestones."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

# Why an action has the due date it has (Timescale.due_date_status).
DATED, UNDATED, UNREADABLE = "dated", "undated", "unreadable"
# The kind of a timescale that is a financial year alone ("2023/24"): due at its end.
FINANCIAL_YEAR = "financial year"


@dataclass(frozen=True)
class Milestone:
    date: dt.date
    text: str


@dataclass(frozen=True)
class Timescale:
    text: str | None  # as written; for an Excel date, the date as the cell shows it
    due_date: dt.date | None
    milestones: tuple[Milestone, ...]
    # date, milestones, financial year, recurring, completed, immediate, blank, undated (text or a number
    # with no date in it), unreadable (a date written so it cannot be read: "13/13/2018",
    # "31 Apr 2018", "By 30 April" with no year). Neither of the last two has a due date.
    kind: str

    @property
    def due_date_status(self) -> str:
        """Why the action has the due date it has: 'dated'; 'unreadable' (a date is written
        but cannot be read, so whether it is overdue is unknown); or 'undated' (none is
        meant: "TBC", "Ongoing", "Completed", blank)."""
        if self.due_date is not None:
            return DATED
        return UNREADABLE if self.kind == "unreadable" else UNDATED


MONTHS = {
    name: number
    for number in range(1, 13)
    for name in {
        calendar.month_name[number].lower(),
        calendar.month_abbr[number].lower(),
        "sept" if number == 9 else calendar.month_abbr[number].lower(),
    }
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
# "31 March 2018", "31st Mar 18"
_DAY_MONTH_YEAR = re.compile(
    rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}[\s,'-]*(?P<year>\d{{4}}|\d{{2}})\b",
    re.I,
)
# "March 31, 2018"
_MONTH_DAY_YEAR = re.compile(
    rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,\s*(?P<year>\d{{4}})\b", re.I
)
# "April 18", "Feb-18", "Sept 2018", "Apr '18". A number after a month is a year, never
# a day (DOMAIN: "March 17" in a 2017 plan means March 2017).
_MONTH_YEAR = re.compile(rf"\b{_MONTH}[\s,'’-]*(?P<year>\d{{4}}|\d{{2}})\b", re.I)
# "31/03/2018", "31.03.18", "31-3-2018": UK order, day first.
_NUMERIC_DMY = re.compile(r"\b(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})[/.-](?P<year>\d{4}|\d{2})\b")
_ISO = re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b")
# "04/2018": a month and a four-digit year (a two-digit one would be "2023/24", a year).
_NUMERIC_MONTH_YEAR = re.compile(r"(?<![\d/.-])(?P<month>\d{1,2})/(?P<year>\d{4})\b(?![/.-]\d)")
# "Q1 2018/19", "Q4 2018-19": quarters of the financial year (Q1 = Apr-Jun).
_QUARTER = re.compile(
    r"\bQ(?P<quarter>[1-4])\s*(?:FY\s*)?(?P<year>\d{4}|\d{2})\s*[/-]\s*(?P<next>\d{4}|\d{2})\b",
    re.I,
)
# A financial year alone: "2023/24", "FY 2023-24", "By end of 2023/2024" runs 1 April 2023 to
# 31 March 2024 (DOMAIN), so it is due on 31 March of its second year. Only a cell saying no
# more than that: in a title ("Plan 2023/24 - update to 30 Sept 2023") it is not a date.
_FINANCIAL_YEAR = re.compile(
    r"^\s*(?:(?:by\s+)?(?:the\s+)?(?:end\s+(?:of\s+)?)?(?:the\s+)?|during\s+|in\s+)?"
    r"(?:fy|financial\s+year)?\s*(?P<year>(?:19|20)\d\d)\s*"
    r"(?:/\s*(?P<next>\d\d|(?:19|20)\d\d)|-\s*(?P<short>\d\d))\s*\.?\s*$",
    re.I,
)
# Dates missing their year: "30 April", "April 30th", "By end of April". A month word alone
# is read only when it is all the cell says ("May" in a sentence is not a month).
_DAY_MONTH = re.compile(
    rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?![\w'’])", re.I
)
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*,?\s*\d)", re.I)
_MONTH_ALONE = re.compile(
    rf"^\s*(?:(?:by|before|in|during|from|until|til+)\s+)?(?:(?:the\s+)?end\s+(?:of\s+)?)?{_MONTH}\s*$",
    re.I,
)

RECURRING = re.compile(
    r"\b(monthly|weekly|fortnightly|quarterly|annually|annual|yearly|termly|ongoing|on-going|"
    r"continuous|every\s+\d+\s+\w+|bi-?monthly|daily)\b",
    re.I,
)
COMPLETED = re.compile(r"^\s*(completed?|done|achieved|closed)\b", re.I)
IMMEDIATE = re.compile(r"\bimmediate(ly)?\b", re.I)
# Milestones are one per line, or separated by " / " or ";" within a line.
_PARTS = re.compile(r"\n+|\s/\s|;")
# Excel month-only formats ("mmm-yy", "mmmm yyyy") show no day: the date means the month.
_DAY_TOKEN = re.compile(r"d", re.I)


# Years a plan, project or register date can fall in. Outside them a "date" is a misreading
# (a money figure or a count typed into a date column, a year typed wrong): not a date.
EARLIEST_YEAR = 1990
LATEST_YEAR = 2100


def plausible(day: dt.date) -> bool:
    """Whether a date falls in the years any plan or register date can."""
    return EARLIEST_YEAR <= day.year <= LATEST_YEAR


def _year(text: str) -> int | None:
    year = int(text)
    if len(text) == 2:
        year += 2000  # two-digit years are 20YY
    return year if EARLIEST_YEAR <= year <= LATEST_YEAR else None


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _safe_date(year: int | None, month: int, day: int) -> dt.date | None:
    if year is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def dates_in(text: str) -> list[dt.date]:
    """Every date written in a piece of text, in order of appearance."""
    return _scan(text)[0]


def _scan(text: str) -> tuple[list[dt.date], bool]:
    """The dates written in a piece of text, and whether any date in it cannot be read."""
    found: list[tuple[int, dt.date]] = []
    taken: list[tuple[int, int]] = []
    unreadable = False

    def free(m: re.Match[str]) -> bool:
        return all(m.end() <= a or m.start() >= b for a, b in taken)

    def add(m: re.Match[str], date: dt.date | None) -> None:
        # An impossible date ("31 Apr 2018") still takes its place, so that no shorter
        # pattern reads part of it ("Apr 2018") as another date.
        nonlocal unreadable
        taken.append(m.span())
        if date is None:
            unreadable = True
        else:
            found.append((m.start(), date))

    for m in _ISO.finditer(text):
        add(m, _safe_date(_year(m["year"]), int(m["month"]), int(m["day"])))
    for m in _NUMERIC_DMY.finditer(text):
        if free(m):
            add(m, _safe_date(_year(m["year"]), int(m["month"]), int(m["day"])))
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        for m in pattern.finditer(text):
            if free(m):
                add(m, _safe_date(_year(m["year"]), MONTHS[m["month"].lower()], int(m["day"])))
    for m in _QUARTER.finditer(text):
        if free(m):
            add(m, _quarter_end(m))
    for m in _NUMERIC_MONTH_YEAR.finditer(text):
        year = _year(m["year"])
        if free(m) and year is not None:
            month = int(m["month"])
            add(m, _month_end(year, month) if 1 <= month <= 12 else None)
    for m in _MONTH_YEAR.finditer(text):
        year = _year(m["year"])
        if free(m) and year is not None:
            add(m, _month_end(year, MONTHS[m["month"].lower()]))
    for pattern in (_DAY_MONTH, _MONTH_DAY, _MONTH_ALONE):
        for m in pattern.finditer(text):
            if free(m) and m["month"] != "may":  # "6 may be late": a verb, not the month
                add(m, None)  # a day and month with no year: which year is a guess
    return [date for _, date in sorted(found, key=lambda item: item[0])], unreadable


def _quarter_end(m: re.Match[str]) -> dt.date | None:
    """The last day of a financial-year quarter: Q1 2018/19 ends 30 June 2018."""
    start, following = _year(m["year"]), _year(m["next"])
    if start is None or following is None or following % 100 != (start + 1) % 100:
        return None
    month = 3 * int(m["quarter"]) + 3  # Q1 -> June, Q4 -> March (15 -> 3 of the next year)
    end = _month_end(start + (month > 12), (month - 1) % 12 + 1)
    return end if plausible(end) else None


def _financial_year_end(text: str) -> dt.date | None:
    """31 March 2024 for "2023/24"; None when the second year does not follow the first."""
    m = _FINANCIAL_YEAR.match(text)
    if m is None:
        return None
    start = int(m["year"])
    following = m["next"] or m["short"]
    if int(following) % 100 != (start + 1) % 100 or (
        len(following) == 4 and int(following) != start + 1
    ):
        return None
    return dt.date(start + 1, 3, 31)


def parse_timescale(value: object, number_format: str | None = None) -> Timescale:
    """A timescale cell as text, due date and milestones; never raises."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return Timescale(None, None, (), "blank")
    if isinstance(value, dt.datetime | dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        if not plausible(day):
            return Timescale(day.strftime("%d/%m/%Y"), None, (), "undated")
        if number_format and not _DAY_TOKEN.search(
            number_format.split(";")[0].replace("[$-809]", "")
        ):
            return Timescale(day.strftime("%b-%y"), _month_end(day.year, day.month), (), "date")
        return Timescale(day.strftime("%d/%m/%Y"), day, (), "date")
    if isinstance(value, bool) or not isinstance(value, str):
        return Timescale(str(value), None, (), "undated")
    text = value.strip()
    parts = [p.strip() for p in _PARTS.split(text) if p and p.strip()]
    scanned = [(part, _scan(part)) for part in parts]
    if any(unreadable for _, (_, unreadable) in scanned):
        # One date that cannot be read makes the due date unknown: it may be the last.
        return Timescale(text, None, (), "unreadable")
    milestones = tuple(Milestone(d, part) for part, (dates, _) in scanned for d in dates)
    if milestones:
        due = max(m.date for m in milestones)
        return Timescale(
            text,
            due,
            milestones if len(milestones) > 1 else (),
            "milestones" if len(milestones) > 1 else "date",
        )
    year_end = _financial_year_end(text)
    if year_end is not None:
        return Timescale(text, year_end, (), FINANCIAL_YEAR)
    if COMPLETED.search(text):
        return Timescale(text, None, (), "completed")
    if RECURRING.search(text):
        return Timescale(text, None, (), "recurring")
    if IMMEDIATE.search(text):
        return Timescale(text, None, (), "immediate")
    return Timescale(text, None, (), "undated")


def parse_date(value: object, number_format: str | None = None) -> dt.date | None:
    """One day-first date in a cell (a real date, "31.03.18", "31/03/2018"), else None.

    A start or end date column: a month alone ("Mar-18") is its last day, as for a
    timescale; numbers (money, years, counts) and years ("2023/24") are never dates.
    """
    if value is None:
        return None
    timescale = parse_timescale(value, number_format)
    return None if timescale.kind == FINANCIAL_YEAR else timescale.due_date


def span(start: Timescale, end: Timescale) -> Timescale:
    """A start and an end column read as one timescale: due at the end, both kept as
    milestones; a start date alone is never a due date."""
    if start.text is None:
        return end
    if end.text is None:
        return Timescale(f"from {start.text}", None, (), "undated")
    text = f"{start.text} to {end.text}"
    if start.due_date is None or end.due_date is None:
        return Timescale(text, end.due_date, end.milestones, end.kind)
    milestones = (Milestone(start.due_date, f"Start: {start.text}"),
                  Milestone(end.due_date, f"End: {end.text}"))  # fmt: skip
    return Timescale(text, end.due_date, milestones, "milestones")


def with_milestones(main: Timescale, label: str, extra: Timescale) -> Timescale:
    """A timescale with a milestones column beside it: the due date stays the timescale's;
    the milestones' text is kept after it under their header, their dates as milestones."""
    if extra.text is None:
        return main
    if main.text is None:
        return extra
    text = f"{main.text}\n{label}: {extra.text}"
    if main.due_date is None:
        return Timescale(text, None, (), main.kind)
    dated = extra.milestones or (
        (Milestone(extra.due_date, extra.text),) if extra.due_date is not None else ()
    )
    milestones = tuple(sorted((*dated, Milestone(main.due_date, main.text)), key=lambda m: m.date))
    return Timescale(
        text, main.due_date, milestones if dated else (), "milestones" if dated else main.kind
    )
