"""Period labels as councils and the DfE write them, normalised to one label per period.

Financial year "2016/17" (1 Apr 2016 - 31 Mar 2017), quarter "Q1 2016/17" (Q1 = Apr-Jun),
month "Apr 2017", calendar year "2017", year to date "2016/17 YTD" (the year's running
total, not a quarter), academic year "AY 2016/17" (1 Sep - 31 Aug), and the year to
30 September "Year to Sep 2025" (1 Oct 2024 - 30 Sep 2025: the social work workforce census).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from loaders.publishers import Publication, meaning_of
from loaders.timescale import MONTHS

PERIOD_TYPES = (
    "financial_year", "quarter", "month", "calendar_year", "ytd", "academic_year",
    "year_to_september",
)  # fmt: skip
# Which period of an indicator counts as its latest when several end on the same day
# (Q4, the year and YTD all end on 31 March): the whole year first.
PERIOD_PRIORITY = {
    "financial_year": 0,
    "calendar_year": 1,
    "academic_year": 2,
    "year_to_september": 3,
    "ytd": 4,
    "quarter": 5,
    "month": 6,
}


@dataclass(frozen=True)
class Period:
    label: str
    type: str
    start: dt.date
    end: dt.date


def _year_from(start_year: int, first_month: int, period_type: str, prefix: str = "") -> Period:
    """A twelve-month year starting in ``first_month``, labelled like "2016/17"."""
    return Period(
        f"{prefix}{start_year}/{(start_year + 1) % 100:02d}",
        period_type,
        dt.date(start_year, first_month, 1),
        dt.date(start_year + 1, first_month, 1) - dt.timedelta(days=1),
    )


def financial_year(start_year: int) -> Period:
    return _year_from(start_year, 4, "financial_year")


def _month_span(year: int, first_month: int, months: int) -> tuple[dt.date, dt.date]:
    """First and last day of ``months`` months from ``first_month`` (which may pass December)."""
    start = dt.date(year + (first_month - 1) // 12, (first_month - 1) % 12 + 1, 1)
    last_index = start.month - 1 + months - 1
    end_year, end_month = start.year + last_index // 12, last_index % 12 + 1
    return start, dt.date(end_year, end_month, calendar.monthrange(end_year, end_month)[1])


def quarter(number: int, start_year: int) -> Period:
    # Q1 = Apr-Jun of the financial year's first year, Q4 = Jan-Mar of the next
    start, end = _month_span(start_year, 4 + 3 * (number - 1), 3)
    return Period(f"Q{number} {financial_year(start_year).label}", "quarter", start, end)


def year_to_date(start_year: int) -> Period:
    fy = financial_year(start_year)
    return Period(f"{fy.label} YTD", "ytd", fy.start, fy.end)


def month(year: int, number: int) -> Period:
    start, end = _month_span(year, number, 1)
    return Period(f"{calendar.month_abbr[number]} {year}", "month", start, end)


def calendar_year(year: int) -> Period:
    return Period(str(year), "calendar_year", dt.date(year, 1, 1), dt.date(year, 12, 31))


def academic_year(start_year: int) -> Period:
    return _year_from(start_year, 9, "academic_year", prefix="AY ")


def year_to_september(end_year: int) -> Period:
    """The twelve months to 30 September ``end_year``, as the workforce census counts them."""
    return Period(
        f"Year to Sep {end_year}",
        "year_to_september",
        dt.date(end_year - 1, 10, 1),
        dt.date(end_year, 9, 30),
    )


def _full_year(text: str) -> int | None:
    year = int(text)
    if len(text) == 2:
        year += 2000
    return year if 1990 <= year <= 2099 else None


# "2016/17", "2016-17", "2016/2017", "FY 2016/17", "16/17"
_FY = re.compile(r"^(?:fy\s*)?(?P<y1>\d{4}|\d{2})\s*[/-]\s*(?P<y2>\d{4}|\d{2})$", re.I)
# "Q1", "Q1 2016/17", "2016/17 Q1", "Qtr 1", "Quarter 1"
_QUARTER = re.compile(r"^(?:q|qtr|quarter)\s*(?P<q>[1-4])(?:\s+(?P<fy>.+))?$", re.I)
_QUARTER_AFTER = re.compile(r"^(?P<fy>.+?)\s+(?:q|qtr|quarter)\s*(?P<q>[1-4])$", re.I)
_YTD = re.compile(r"^(?:(?P<fy1>.+?)\s+)?(?:ytd|year to date)(?:\s+(?P<fy2>.+))?$", re.I)
_MONTH = re.compile(r"^(?P<month>[a-z]+)\.?[\s'’-]*(?P<year>\d{4}|\d{2})$", re.I)
_YEAR = re.compile(r"^(?:cy\s*)?(?P<year>(19|20)\d{2})$", re.I)
_AY = re.compile(r"^(?:ay|academic year)\s*(?P<fy>.+)$", re.I)
_TO_SEPTEMBER = re.compile(
    r"^year (?:to|ending) (?:30 )?sep(?:t|tember)?\.? (?P<year>\d{4})$", re.I
)
# A financial year written inside a title line: "Performance Data 2016-17".
_FY_IN_TEXT = re.compile(r"(?<!\d)(?P<y1>(?:19|20)\d{2})\s*[/-]\s*(?P<y2>\d{4}|\d{2})(?!\d)")


def _fy_start(text: str) -> int | None:
    match = _FY.match(text.strip())
    if not match:
        return None
    y1 = _full_year(match["y1"])
    if y1 is None:
        return None
    y2 = int(match["y2"])
    if len(match["y2"]) == 2:  # the second year's century follows the first ("1999/00")
        y2 += y1 // 100 * 100 + (100 if y2 < y1 % 100 else 0)
    return y1 if y2 - y1 == 1 else None


def financial_year_in(text: str) -> int | None:
    """The start year of a financial year mentioned in free text ("Data 2016-17" -> 2016)."""
    for match in _FY_IN_TEXT.finditer(text):
        start = _fy_start(f"{match['y1']}/{match['y2']}")
        if start is not None:
            return start
    return None


def parse_period(value: object, context_year: int | None = None) -> Period | None:
    """A period from a header cell or period column; quarters and YTD take the year of the
    table's title (``context_year``, the financial year's start) when they do not name one."""
    if isinstance(value, dt.datetime | dt.date):
        return month(value.year, value.month)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return (
            calendar_year(int(value))
            if float(value).is_integer() and 1990 <= value <= 2099
            else None
        )
    if not isinstance(value, str):
        return None
    text = " ".join(value.replace("\n", " ").split())
    if not text:
        return None
    start = _fy_start(text)
    if start is not None:
        return financial_year(start)
    for pattern in (_QUARTER, _QUARTER_AFTER):
        match = pattern.match(text)
        if match:
            year = _fy_start(match["fy"]) if match["fy"] else context_year
            return quarter(int(match["q"]), year) if year is not None else None
    match = _YTD.match(text)
    if match:
        named = match["fy1"] or match["fy2"]
        year = _fy_start(named) if named else context_year
        return year_to_date(year) if year is not None else None
    match = _AY.match(text)
    if match:
        year = _fy_start(match["fy"])
        return academic_year(year) if year is not None else None
    match = _YEAR.match(text)
    if match:
        return calendar_year(int(match["year"]))
    match = _TO_SEPTEMBER.match(text)
    if match:
        return year_to_september(int(match["year"]))
    match = _MONTH.match(text)
    if match and match["month"].lower() in MONTHS:
        year = _full_year(match["year"])
        return month(year, MONTHS[match["month"].lower()]) if year else None
    return None


def from_dfe(
    time_period: str,
    time_identifier: str,
    publication: Publication | None = None,
    meaning: str | None = None,
) -> Period | None:
    """A DfE time_period ("2025", "201617") as the period its publication means.

    ``meaning`` (a ``publishers.MEANING_TEXT`` key) is what the officer answered; without it
    the meaning comes from ``publishers.PERIOD_MEANINGS``. A four-digit year names the year
    the period ends in, as the DfE numbers its reporting years ("Reporting year 2025" of the
    looked-after children statistics is the year ending 31 March 2025: "2024/25").
    """
    meaning = meaning or meaning_of(time_identifier, publication)
    text = (time_period or "").strip()
    if meaning is None:
        return None
    if not text.isdigit() or len(text) not in (4, 6):
        written = parse_period(text)  # "2016/17" written out: only as the meaning says
        kind = {"financial_quarter": "quarter"}.get(meaning, meaning)
        return written if written is not None and written.type == kind else None
    year = int(text[:4])
    if len(text) == 6:
        if _fy_start(f"{text[:4]}/{text[4:]}") != year:
            return None  # not two consecutive years
        ending = year + 1
    else:
        ending = year
    if meaning == "financial_year":
        return financial_year(ending - 1)
    if meaning == "academic_year":
        return academic_year(ending - 1)
    if meaning == "year_to_september":
        return year_to_september(ending)
    if meaning == "calendar_year" and len(text) == 4:
        return calendar_year(year)
    if meaning == "financial_quarter" and len(text) == 6:
        return quarter(int(time_identifier.strip()[-1]), year)
    if meaning == "month" and len(text) == 4:
        return month(year, MONTHS[time_identifier.strip().lower()])
    return None
