"""LAIT's figures: its year labels as periods, its areas, and every Values cell read.

The data set runs to 641,070 rows, so nothing here loops over rows in Python: measures,
years and areas are looked up once per distinct value (434, ~65 and 170) and spread over
the rows by their codes; the Values text is read by Arrow compute functions.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from loaders.kpi_tables import FIGURE_SCHEMA
from loaders.lait import R_MISSING, MeasureName
from loaders.numbers import MISSING_MARKERS
from loaders.periods import Period

# LAIT numbers England 970 and the regions (London, Inner and Outer London too) 980-990.
ENGLAND_NUMBER = 970
# "(prov)", "(Rev)", "(Final)", "(OT)": a note on the figures, not part of the dates.
YEAR_SUFFIX = re.compile(r"\s*\([^()]*\)\s*$")
_SINGLE = re.compile(r"^(\d{4})$")
_PAIR = re.compile(r"^(\d{4})\s*[-/]\s*(\d{2}|\d{4})$")
_RANGE = re.compile(r"^(\d{4})/(\d{2})\s*-\s*(\d{2}|\d{4})/(\d{2})$")


@dataclass(frozen=True)
class YearBasis:
    """What a dictionary Year_Type makes of a year label."""

    period_type: str  # one of loaders.periods.PERIOD_TYPES
    first_month: int  # the month its years start: 1 calendar, 4 financial, 9 academic
    meaning: str  # said in the interpretation


CALENDAR = YearBasis("calendar_year", 1, "calendar year")
FINANCIAL = YearBasis("financial_year", 4, "financial year to 31 March")
# A lone year ("2016") names the year that ends in it: the figures at 31 March 2016, the
# academic year whose results come in summer 2016, the January 2016 school census.
YEAR_TYPES = {
    "calendar year": CALENDAR,
    "financial year": FINANCIAL,
    "annual": YearBasis("financial_year", 4, "year to 31 March (figures at 31 March)"),
    "academic year": YearBasis("academic_year", 9, "academic year to 31 August"),
    "annual - january": YearBasis("academic_year", 9, "academic year of the January census"),
    "annual (end of sept)": YearBasis("year_to_september", 10, "year to 30 September"),
}


def year_basis(year_type: str | None) -> YearBasis | None:
    return YEAR_TYPES.get((year_type or "").strip().lower())


def guessed_basis(label: str) -> YearBasis:
    """The project's convention where the dictionary gives no Year_Type: "2016/17" and
    "2013/14-15/16" are financial years, "2016" and "2014-16" calendar years."""
    text = YEAR_SUFFIX.sub("", label.strip())
    pair = _PAIR.match(text)
    if _RANGE.match(text) or (pair and _second_year(*pair.groups()) == int(pair[1]) + 1):
        return FINANCIAL
    return CALENDAR


def _second_year(first: str, second: str) -> int:
    y1 = int(first)
    if len(second) == 4:
        return int(second)
    y2 = y1 // 100 * 100 + int(second)
    return y2 + 100 if y2 < y1 else y2


def _span(first_start: int, last_start: int, basis: YearBasis) -> tuple[dt.date, dt.date]:
    """From the start of the year beginning in ``first_start`` to the end of the one
    beginning in ``last_start``."""
    m = basis.first_month
    return dt.date(first_start, m, 1), dt.date(last_start + 1, m, 1) - dt.timedelta(days=1)


def lait_period(label: str, basis: YearBasis) -> Period | None:
    """A LAIT year label as a period; the label itself is kept exactly as written, since
    LAIT orders years by this text. None for a label that names no year ("0")."""
    text = YEAR_SUFFIX.sub("", label.strip())
    calendar = basis.first_month == 1
    dates = None
    if match := _SINGLE.match(text):
        year = int(match[1])
        dates = _span(year, year, basis) if calendar else _span(year - 1, year - 1, basis)
    elif match := _PAIR.match(text):
        first, last = int(match[1]), _second_year(match[1], match[2])
        if calendar and last > first:  # "2014-16": three calendar years
            dates = _span(first, last, basis)
        elif last == first + 1:  # "2016-17", "2016/17": one year
            dates = _span(first, first, basis)
    elif (match := _RANGE.match(text)) and not calendar:  # "2013/14-15/16"
        first, last = int(match[1]), _second_year(match[1], match[3])
        whole = _second_year(match[1], match[2]) == first + 1
        if whole and _second_year(str(last), match[4]) == last + 1 and last >= first:
            dates = _span(first, last, basis)
    if dates is None or not 1990 <= dates[0].year <= 2100:
        return None
    return Period(label, basis.period_type, *dates)


# What became of each row's Values cell, by code.
# incomplete: no Short Desc, Years or LA and Regions; unknown: a measure not named;
# undated: a Years label that names no year ("0").
STATUSES = ("stored", "missing", "blank", "unreadable", "incomplete", "unknown", "undated")
STORED, MISSING, BLANK, UNREADABLE, INCOMPLETE, UNKNOWN, UNDATED = range(len(STATUSES))


def year_key(year_type: str | None) -> str:
    return (year_type or "").strip().lower()


def _encode(column: pa.ChunkedArray | pa.Array, trim: bool = False) -> tuple[np.ndarray, list[Any]]:
    """A text column as codes into its distinct values, -1 where blank; with ``trim``,
    values differing only in spaces around them share a code. Only the distinct values
    are looked at in Python."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    encoded = pc.dictionary_encode(column)
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    written = encoded.dictionary.to_pylist()
    distinct: dict[str, int] = {}
    remap = np.full(len(written) + 1, -1, np.int64)  # the last entry maps -1 to itself
    for i, value in enumerate(written):
        value = value.strip() if trim else value
        if value:
            remap[i] = distinct.setdefault(value, len(distinct))
    return remap[codes], list(distinct)


def area_table(rows: pa.Table) -> pa.Table:
    """Each area once, in order of first appearance: its kind from LAIT's numbering, and a
    council's 3-digit code and region."""
    codes, distinct = _encode(rows["area"])
    # Codes number the areas in order of first appearance, so each area's first row is
    # where the code first exceeds every code before it.
    before = np.maximum.accumulate(np.concatenate(([-1], codes[:-1])))
    first = np.flatnonzero(codes > before)
    if len(first) != len(distinct):  # not numbered in order of appearance after all
        present = np.flatnonzero(codes >= 0)
        first = np.sort(present[np.unique(codes[present], return_index=True)[1]])
    numbers = rows["la_number"].take(first).to_pylist()
    regions = rows["region"].take(first).to_pylist()
    areas, kinds, olds, council_regions = [], [], [], []
    for i, number, region in zip(first, numbers, regions, strict=True):
        area = distinct[codes[i]]
        code = int(float(number)) if number and re.fullmatch(r"\d+(\.0+)?", number) else None
        region = (region or "").strip()
        if code == ENGLAND_NUMBER or (code is None and area.strip().lower() == "england"):
            kind = "national"
        elif (code or 0) > ENGLAND_NUMBER or (code is None and region in R_MISSING):
            kind = "region"
        else:
            kind = "council"
        areas.append(area)
        kinds.append(kind)
        olds.append(f"{code:03d}" if kind == "council" and code is not None else None)
        council_regions.append(region if kind == "council" and region not in R_MISSING else None)
    return pa.table(
        {
            "area": pa.array(areas, pa.string()),
            "kind": pa.array(kinds, pa.string()),
            "code": pa.nulls(len(areas), pa.string()),
            "old_code": pa.array(olds, pa.string()),
            "region": pa.array(council_regions, pa.string()),
        }
    )


# A figure as LAIT writes it ("12.13", "-0.28999999999999998", "4.7980000000000002E-2"), or
# with commas between thousands; anything else that is not a marker is not a figure
# (so "inf", "nan" and "1_000", which a plain cast would take, are not).
NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
THOUSANDS = r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$"


def _read_values(text: pa.ChunkedArray) -> tuple[pa.Array, pa.Array, np.ndarray]:
    """Each Values cell's number (with full precision: "97.199999999999989" is not 97.2),
    its missing-value marker as written, and its status code."""
    text = pc.utf8_trim_whitespace(text.combine_chunks())
    none = pa.scalar(None, pa.string())
    digits = pc.if_else(pc.match_substring_regex(text, NUMBER), text, none)
    if pc.any(pc.match_substring(text, ",")).as_py():
        grouped = pc.match_substring_regex(text, THOUSANDS)
        digits = pc.if_else(grouped, pc.replace_substring(text, ",", ""), digits)
    value = pc.cast(digits, pa.float64())
    # Markers are looked for only among the cells that are not figures.
    others = np.flatnonzero(pc.is_null(value).to_numpy(zero_copy_only=False))
    rest = text.take(pa.array(others))
    markers = pa.array(sorted(m for m in MISSING_MARKERS if m))
    marker = pc.fill_null(pc.is_in(pc.utf8_lower(rest), value_set=markers), False)
    status = np.full(len(text), STORED, np.int8)
    status[others] = np.where(
        marker.to_numpy(zero_copy_only=False),
        MISSING,
        np.where(
            pc.fill_null(pc.equal(rest, ""), True).to_numpy(zero_copy_only=False), BLANK, UNREADABLE
        ),
    )
    missing = pc.if_else(pa.array(status == MISSING), text, none)
    return value, missing, status


@dataclass
class Figures:
    """The figures to store, and what became of every row of the file."""

    figures: pa.Table  # FIGURE_SCHEMA
    status: np.ndarray  # a STATUSES code per row
    periods: dict[tuple[str, str], Period | None]  # (label, year key) -> its period
    pairs: list[tuple[str, str]]  # (short, label) of every measure and year in the file

    def count(self, status: int) -> int:
        return int(np.count_nonzero(self.status == status))

    def rows_of(self, status: int, limit: int | None = None) -> np.ndarray:
        return np.flatnonzero(self.status == status)[:limit]


def figures(rows: pa.Table, names: dict[str, MeasureName], areas: pa.Table) -> Figures:
    """Every row's figure. Measures, years and areas are looked up once per distinct
    value (434, ~65 and 170) and spread over the rows by their codes."""
    n = rows.num_rows
    short_codes, shorts = _encode(rows["short"], trim=True)
    year_codes, labels = _encode(rows["years"])
    area_codes, area_names = _encode(rows["area"])

    known = [names.get(s) for s in shorts]
    indicators = pa.array([k.indicator if k else None for k in known] + [None], pa.string())
    units = pa.array([k.unit if k else None for k in known] + [None], pa.string())
    # every (measure, year) pair's period; -1 codes index the extra last entry (none)
    width = len(labels) + 1
    both = (short_codes >= 0) & (year_codes >= 0)
    pair_codes = np.flatnonzero(np.bincount(short_codes[both] * width + year_codes[both]))
    periods: dict[tuple[str, str], Period | None] = {}
    lookup = np.full((len(shorts) + 1) * width, -1, np.int32)
    found: list[Period] = []
    pairs = []
    for code in pair_codes.tolist():
        s, y = divmod(code, width)
        pairs.append((shorts[s], labels[y]))
        if known[s] is None:
            continue
        key = (labels[y], year_key(known[s].year_type))
        if key not in periods:
            basis = year_basis(known[s].year_type) or guessed_basis(labels[y])
            periods[key] = lait_period(labels[y], basis)
        if periods[key] is not None:
            lookup[s * width + y] = len(found)
            found.append(periods[key])
    blank = (short_codes < 0) | (year_codes < 0)
    period_index = np.where(blank, -1, lookup[np.where(blank, 0, short_codes * width + year_codes)])

    value, missing, status = _read_values(rows["value_text"])
    known_code = np.array([k is not None for k in known] + [False])[short_codes]
    status = np.where(period_index < 0, UNDATED, status)
    status = np.where(~known_code, UNKNOWN, status)
    incomplete = (short_codes < 0) | (year_codes < 0) | (area_codes < 0)
    status = np.where(incomplete, INCOMPLETE, status).astype(np.int8)

    keep = status <= BLANK
    kept = np.flatnonzero(keep)
    mask = pa.array(keep) if len(kept) < n else None

    def pick(column: pa.Array | pa.ChunkedArray):
        return column if mask is None else column.filter(mask)

    idx = period_index[kept]
    kinds = dict(zip(areas["area"].to_pylist(), areas["kind"].to_pylist(), strict=True))
    benchmark = np.array([kinds.get(a) != "council" for a in area_names] + [True])
    table = pa.table(
        {
            "indicator": indicators.take(pa.array(short_codes[kept])),
            "area": pick(rows["area"]),
            "breakdown": pa.nulls(len(kept), pa.string()),
            "period_label": pick(rows["years"]),
            "period_type": pa.array([p.type for p in found] or [""], pa.string()).take(
                pa.array(idx)
            ),
            "period_start": pa.array([p.start for p in found] or [None], pa.date32()).take(
                pa.array(idx)
            ),
            "period_end": pa.array([p.end for p in found] or [None], pa.date32()).take(
                pa.array(idx)
            ),
            "value": pick(value),
            "unit": units.take(pa.array(short_codes[kept])),
            "numerator": pa.nulls(len(kept), pa.float64()),
            "denominator": pa.nulls(len(kept), pa.float64()),
            "is_benchmark": pa.array(benchmark[area_codes[kept]]),
            "missing": pick(missing),
            "source_sheet": pick(rows["source_sheet"]),
            "source_row": pick(rows["source_row"]),
            "source_column": pa.repeat(pa.scalar("Values"), len(kept)),
        }
    )
    return Figures(table.cast(FIGURE_SCHEMA), status, periods, pairs)
