"""Which plan a file is and the date it is as of: from the command line, title lines or name."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import PurePath

from loaders.timescale import parse_timescale

# Title lines that state the snapshot date use words like these; other dates in titles
# ("Action Plan 2017-2019") are the plan's span, not its as-of date.
AS_OF_CUE = re.compile(
    r"\b(as at|as of|updated?|progress|position|review(ed)?|date[d]?|report(ed)?|snapshot)\b", re.I
)
PLAN_WORD = re.compile(r"\bplan\b", re.I)
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
_LASTPLAN_WORD = re.compile(r"\bplan$", re.I)

# A date as written in a title or file name; ``parse_timescale`` reads its value. A month
# and year alone ("June 2024", "Oct-23") is a month: its last day, as for a due date.
_MONTH_WORD = rf"(?:{_MONTH})(?![a-z])\.?"
_MONTH_YEAR = rf"{_MONTH_WORD}[\s,'’-]*(?:\d{{4}}|\d{{2}})(?!\d)|\d{{1,2}}/\d{{4}}"
_DATE = (
    rf"(?<![\w/.-])(?:\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_WORD}[\s,'-]*(?:\d{{4}}|\d{{2}})"
    rf"|{_MONTH_WORD}\s+\d{{1,2}}(?:st|nd|rd|th)?,\s*\d{{4}}|{_MONTH_YEAR})(?![\w/-])"
)
_DATE_RE = re.compile(_DATE, re.I)
_MONTH_ONLY = re.compile(_MONTH_YEAR, re.I)
_CUE_WORDS = (
    r"progress|position|status|last\s+updated|updated?|updates|reviewed|report(?:ed)?|"
    r"snapshot|dated"
)
# Words that say a date is the progress date, before it ("as at 31 October 2023",
# "Progress update: October 2023") or after it ("31 October 2023 update").
_CUED_DATE = re.compile(
    rf"(?:(?:\b(?:{_CUE_WORDS})\b[\s:,–-]*)+(?:\b(?:as\s+)?(?:at|of|on|to)\b\s*)?"
    rf"|\bas\s+(?:at|of)\b\s*)[:–-]?\s*(?:{_DATE})"
    rf"|(?:{_DATE})\s+(?:progress\s+)?(?:update|progress|position|review|report)\b",
    re.I,
)
_VERSION = re.compile(r"\b(?:version|ver\.?|v)\s*\d+(?:\.\d+)*\b", re.I)
# A date ending a plan's title, right after "Plan" or a separator ("... Plan – June 2024").
# Not after a number: "inspection 12 – 23 June 2023" is a range of days, kept in the name.
_BARE_END = re.compile(rf"(?:(?<=\bplan)|(?<![\d\s])\s*[-–|:,(])\s*({_DATE})\s*\)?\s*$", re.I)
# "2023 – 2025", "12 – 23 June": a span written with a spaced dash is one piece of a title
# ("Plan 2023 – 31 October 2023" is a plan and its date).
_NUMBER_RANGE = re.compile(
    rf"(?<=\d)(?<!\d{{4}})\s+[-–]\s+(?=\d)|(?<=\d{{4}})\s+[-–]\s+(?=\d)(?!{_DATE})", re.I
)
_LEFTOVER = re.compile(r"\(\s*\)|\s+(?=[,.)])")


@dataclass(frozen=True)
class WrittenDate:
    """A date as written in a title or file name, and whether it names only a month."""

    date: dt.date
    written: str  # the words that gave it: "as at 31 October 2023", "June 2024"
    month_only: bool = False
    cued: bool = False  # introduced as the progress date ("as at", "updated")


def split_title(
    line: str, names: re.Pattern[str] = PLAN_WORD
) -> tuple[str, list[WrittenDate]] | None:
    """A title line naming a plan (a part ``names`` finds: "plan", or "register" for a
    register) as (the plan's name, the as-of dates it gives), else None.

    The dates are those the name dropped: cued ones ("as at ..."), and a bare date ending
    the title or standing alone beside it ("... Plan – 31 October 2023")."""
    cued: list[WrittenDate] = []
    text = _CUED_DATE.sub(lambda m: _drop(m, cued, cued=True), line)
    parts = [p.replace("\x00", " ") for p in _SEPARATORS.split(_NUMBER_RANGE.sub(_keep, text))]
    for i, part in enumerate(parts):
        if not names.search(part) or len(part) > 120:
            continue
        name = _VERSION.sub(" ", part)
        end = _BARE_END.search(name)
        bare = _written(end[1]) if end else []
        name = name[: end.start()] if end else name
        name = _LEFTOVER.sub("", " ".join(name.split()))
        name = name.strip(" .:-–|,(").strip()
        if not names.search(name):
            continue
        for j, other in enumerate(parts):
            if j != i and _DATE_RE.fullmatch(other.strip(" .()")):
                bare += _written(other)
        return name, cued + bare
    return None


def _keep(match: re.Match[str]) -> str:
    return match[0].replace(" ", "\x00")


def _drop(match: re.Match[str], into: list[WrittenDate], cued: bool = False) -> str:
    into.extend(_written(match[0], cued=cued))
    return " "


def _written(text: str, cued: bool = False) -> list[WrittenDate]:
    """The dates written in a piece of text, each with the words around it."""
    found = []
    for match in _DATE_RE.finditer(text):
        date = parse_timescale(match[0]).due_date
        if date is not None:
            month_only = bool(_MONTH_ONLY.fullmatch(match[0]))
            found.append(WrittenDate(date, " ".join(text.split()), month_only, cued))
    return found


def title_dates(line: str) -> list[WrittenDate]:
    """The as-of dates a title line gives: the date of a line that says it is the progress
    date ("Updated: 4 Jan 2018"), or one standing alone as the whole line."""
    if AS_OF_CUE.search(line):
        due = parse_timescale(line).due_date
        if due is not None:
            same = [w for w in _written(line) if w.date == due]
            written = " ".join(line.split())
            return [WrittenDate(due, written, bool(same) and same[0].month_only, cued=True)]
    if _DATE_RE.fullmatch(line.strip(" .")):
        return _written(line)
    return []


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
    if PLAN_WORD.search(cleaned):
        cleaned = _LASTPLAN_WORD.sub("plan", cleaned)
    else:
        cleaned += " plan"
    return cleaned[0].upper() + cleaned[1:]


_YEAR_MONTH = re.compile(r"(?<!\d)(20\d\d)[-_. ](0[1-9]|1[0-2])(?![-_.]?\d)")


def file_name_date(file_name: str) -> WrittenDate | None:
    """A date in a file name: '2018-01-04', '4 Jan 2018', or year and month ('2018-01')."""
    stem = PurePath(file_name).stem.replace("_", " ")
    found = parse_timescale(stem).due_date
    if found:
        same = [w for w in _written(stem) if w.date == found]
        return WrittenDate(found, file_name, bool(same) and same[0].month_only)
    match = _YEAR_MONTH.search(stem)
    if match:
        year, month = int(match[1]), int(match[2])
        day = parse_timescale(f"{calendar.month_abbr[month]} {year}").due_date
        return WrittenDate(day, file_name, month_only=True) if day else None
    return None
