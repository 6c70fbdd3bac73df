"""Which plan a file is and the date it is as of: from the command line, title lines or name."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from pathlib import PurePath

from loaders.timescale import parse_timescale

# Title lines that state the snapshot date use words like these; other dates in titles
# ("Action Plan 2017-2019") are the plan's span, not its as-of date.
AS_OF_CUE = re.compile(
    r"\b(as at|as of|updated?|progress|position|review(ed)?|date[d]?|report(ed)?|snapshot)\b", re.I
)
_PLAN_WORD = re.compile(r"\bplan\b", re.I)
_SEPARATORS = re.compile(r"\s+[-–|]\s+|:\s+|,\s+")
_MONTH = (
    r"jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|"
    r"oct(ober)?|nov(ember)?|dec(ember)?"
)
# Dates and version marks in file names, removed to give a plan name that stays the same
# from one month's file to the next ("ILACS plan Jan18 v2.xlsx" -> "ILACS plan").
_NAME_NOISE = re.compile(
    rf"\b(\d{{1,4}}[-._]\d{{1,2}}[-._]\d{{1,4}}|\d{{4}}[-._]\d{{2}}|\d{{8}}|({_MONTH})[-_ ]?\d{{2,4}}|\d{{4}}|"
    rf"{_MONTH}|v\d+(\.\d+)?|final|draft|copy|updated?)\b",
    re.I,
)
# Marks a copy of a file gets: "X (1).xlsx", "X - Copy.xlsx", "Copy of X.xlsx", "X copy 2".
_COPY_MARK = re.compile(r"\(\s*\d+\s*\)|\[\s*\d+\s*\]|\bcopy\b(\s+of\b|\s*\d{1,2}\b)?", re.I)
_LAST_PLAN_WORD = re.compile(r"\bplan$", re.I)


def plan_from_titles(title_lines: list[str]) -> str | None:
    """The plan's title: the part of a title line that names a plan."""
    for line in title_lines:
        for part in _SEPARATORS.split(line):
            if _PLAN_WORD.search(part) and len(part) <= 120:
                return " ".join(part.split()).strip(" .:-")
    return None


def plan_from_file_name(file_name: str) -> str:
    """The plan a file is, the same for every month's file and every copy of one.

    Dates, month names, versions and copy marks are dropped ("Copy of X 2018-02 (1)" ->
    "X plan"). The name always ends in the word "plan", lower case, added where the file
    name lacks it, so "X 2018-02" and "X Plan Feb 2018" are one plan; its first letter is a
    capital and the rest is kept as written, so "x 2018-02" is the same plan too. A name
    retyped in other capitals ("ILACS" and "ilacs") stays two names: compare plan names
    case-insensitively where that matters.
    """
    stem = PurePath(file_name).stem.replace("_", " ")
    cleaned = _COPY_MARK.sub(" ", stem)
    words = _NAME_NOISE.sub(" ", cleaned).split()
    cleaned = " ".join(w for w in words if any(ch.isalnum() for ch in w)).strip(" -.,")
    if not cleaned:
        return stem
    if _PLAN_WORD.search(cleaned):
        cleaned = _LAST_PLAN_WORD.sub("plan", cleaned)
    else:
        cleaned += " plan"
    return cleaned[0].upper() + cleaned[1:]


def as_of_from_titles(title_lines: list[str]) -> dt.date | None:
    for line in title_lines:
        if not AS_OF_CUE.search(line):
            continue
        found = parse_timescale(line).due_date
        if found:
            return found
    return None


_YEAR_MONTH = re.compile(r"(?<!\d)(20\d\d)[-_. ](0[1-9]|1[0-2])(?![-_.]?\d)")


def as_of_from_file_name(file_name: str) -> dt.date | None:
    """A date in a file name: '2018-01-04', '4 Jan 2018', or year and month ('2018-01')."""
    stem = PurePath(file_name).stem.replace("_", " ")
    found = parse_timescale(stem).due_date
    if found:
        return found
    match = _YEAR_MONTH.search(stem)
    if match:
        year, month = int(match[1]), int(match[2])
        return parse_timescale(f"{calendar.month_abbr[month]} {year}").due_date
    return None
