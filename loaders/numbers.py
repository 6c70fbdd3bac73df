"""KPI cell values: numbers, percentages, pounds, 'x out of y', and markers for missing."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# Blank and "not available" markers, including the DfE's own symbols: c confidential
# (suppressed), z not applicable, x not available, k and low (rounds to zero, so not
# zero), u low reliability withheld, ':', '.' and '..' not available (the DfE's and the
# ONS's). Never read as 0.
MISSING_MARKERS = frozenset(
    {"", "-", "–", "—", "n/a", "na", "n.a.", "nil return", "c", "z", "x", "k", "u", ":", ".", "..",
     "...", "*", "low", "tbc", "not available", "not applicable", "suppressed", "no data", "#n/a"}
)  # fmt: skip

# Thousands separators, decimals, and the exponent CSV exports write for tiny rates (1.5E-05).
_NUMBER = r"(?:[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+)(?:[eE][-+]?\d+)?"
_PLAIN = re.compile(rf"^\s*(?P<n>{_NUMBER})\s*$")
_PERCENT = re.compile(rf"^\s*(?P<n>{_NUMBER})\s*%\s*$")
_POUNDS = re.compile(rf"^\s*(?P<neg>-)?\s*£\s*(?P<n>{_NUMBER})\s*(?P<k>k|m)?\s*$", re.I)
# "90 out of 116", "90 of 116", "90/116 children"
_FRACTION = re.compile(rf"^\s*(?P<a>{_NUMBER})\s*(?:out of|of|/)\s*(?P<b>{_NUMBER})\b", re.I)
# "93.5% (90 of 116)": a percentage with its counts in brackets.
_PERCENT_WITH_COUNTS = re.compile(
    rf"^\s*(?P<p>{_NUMBER})\s*%\s*\(\s*(?P<a>{_NUMBER})\s*(?:out of|of|/)\s*(?P<b>{_NUMBER})[^)]*\)\s*$",
    re.I,
)


@dataclass(frozen=True)
class Reading:
    """A cell read as a KPI figure; value None means missing (with ``problem`` if unreadable)."""

    value: float | None
    unit: str | None = None
    numerator: float | None = None
    denominator: float | None = None
    marker: str | None = None  # the missing-value marker as written ("c", "N/A", ...)
    problem: str | None = None  # set when the cell held something that is not a figure


MISSING = Reading(None)


def _num(text: str) -> float:
    return float(text.replace(",", ""))


def is_percent_format(number_format: str | None) -> bool:
    return bool(number_format) and "%" in number_format.split(";")[0]


def read_value(value: object, number_format: str | None = None) -> Reading:
    """One cell as a figure. Percent formatted 0.935 and text '93.5%' both read 93.5 '%'."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return Reading(None, problem=f"'{value}' is not a figure")
    if isinstance(value, int | float):
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            return MISSING
        if is_percent_format(number_format):
            # rounded so that 0.906 reads 90.6, not 90.60000000000001
            return Reading(round(number * 100, 10), "%")
        if number_format and "£" in number_format:
            return Reading(number, "£")
        return Reading(number)
    if not isinstance(value, str):
        return Reading(None, problem=f"'{value}' is not a figure")
    text = value.strip()
    if text.lower() in MISSING_MARKERS:
        return Reading(None, marker=text or None)
    for pattern, build in _TEXT_FORMS:
        match = pattern.match(text)
        if match:
            return build(match)
    return Reading(None, problem=f"'{text}' is not a figure")


def _fraction(match: re.Match[str]) -> Reading:
    a, b = _num(match["a"]), _num(match["b"])
    text = match.group(0).strip()
    if not b:
        return Reading(None, "%", a, b, problem=f"'{text}' is out of nothing")
    if a > b:
        # "90 out of 116" counts some of a whole; "2015/16" is a year and "19/4" a date, and
        # reading either as a share (12,593.75%) would show a councillor nonsense.
        return Reading(None, problem=f"'{text}' is not a share of a whole (more than all of it)")
    return Reading(a / b * 100, "%", a, b)


def _pounds(match: re.Match[str]) -> Reading:
    scale = {"k": 1e3, "m": 1e6}.get((match["k"] or "").lower(), 1)
    return Reading(_num(match["n"]) * scale * (-1 if match["neg"] else 1), "£")


_TEXT_FORMS = (
    (_PLAIN, lambda m: Reading(_num(m["n"]))),
    (_PERCENT, lambda m: Reading(_num(m["n"]), "%")),
    (_POUNDS, _pounds),
    (_PERCENT_WITH_COUNTS, lambda m: Reading(_num(m["p"]), "%", _num(m["a"]), _num(m["b"]))),
    (_FRACTION, _fraction),
)


def percent_in_cell(value: object, number_format: str | None = None) -> bool:
    """The cell itself says it is a percentage: text such as '8%', or a number formatted as one."""
    if isinstance(value, str):
        return "%" in value and read_value(value).unit == "%"
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and is_percent_format(number_format)
    )


def is_plain_number(value: object) -> bool:
    """A number, or text that is only a number ('2017' in a CSV): a figure, or maybe a year."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int | float) or (isinstance(value, str) and bool(_PLAIN.match(value)))
