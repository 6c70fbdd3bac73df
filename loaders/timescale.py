"""Read a timescale as officers write it into a due date and its dated milestones."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Milestone:
    date: dt.date
    text: str


@dataclass(frozen=True)
class Timescale:
    text: str | None  # as written; for an Excel date, the date as the cell shows it
    due_date: dt.date | None
    milestones: tuple[Milestone, ...]
    kind: str  # date, milestones, recurring, completed, immediate, blank, undated


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
    found: list[tuple[int, dt.date]] = []
    taken: list[tuple[int, int]] = []

    def free(m: re.Match[str]) -> bool:
        return all(m.end() <= a or m.start() >= b for a, b in taken)

    def add(m: re.Match[str], date: dt.date | None) -> None:
        if date is not None:
            found.append((m.start(), date))
            taken.append(m.span())

    for m in _ISO.finditer(text):
        add(m, _safe_date(_year(m["year"]), int(m["month"]), int(m["day"])))
    for m in _NUMERIC_DMY.finditer(text):
        if free(m):
            add(m, _safe_date(_year(m["year"]), int(m["month"]), int(m["day"])))
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        for m in pattern.finditer(text):
            if free(m):
                add(m, _safe_date(_year(m["year"]), MONTHS[m["month"].lower()], int(m["day"])))
    for m in _MONTH_YEAR.finditer(text):
        year = _year(m["year"])
        if free(m) and year is not None:
            add(m, _month_end(year, MONTHS[m["month"].lower()]))
    return [date for _, date in sorted(found, key=lambda item: item[0])]


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
    milestones = tuple(Milestone(d, part) for part in parts for d in dates_in(part))
    if milestones:
        due = max(m.date for m in milestones)
        return Timescale(
            text,
            due,
            milestones if len(milestones) > 1 else (),
            "milestones" if len(milestones) > 1 else "date",
        )
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
    timescale; numbers (money, years, counts) are never dates.
    """
    return parse_timescale(value, number_format).due_date if value is not None else None
