"""Small text normalisers shared by the loaders: references, money and cell text."""

from __future__ import annotations

import datetime as dt
import re

_MONEY = re.compile(
    r"£\s*(?P<amount>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<scale>k|m|bn|million|thousand)?\b",
    re.I,
)
_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "bn": 1e9}


def pounds_in_text(value: object) -> float | None:
    """Total of the pound amounts written in a cell ("Agency SW x 6 months £24,000" -> 24000)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    amounts = [
        float(m["amount"].replace(",", "")) * _SCALE.get((m["scale"] or "").lower(), 1)
        for m in _MONEY.finditer(str(value))
    ]
    return sum(amounts) if amounts else None


def cell_text(value: object, number_format: str | None = None) -> str | None:
    """A cell as the officer sees it: numbers without a spurious '.0', dates as '4 Jan 2018'."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float):
        decimals = _fixed_decimals(number_format)
        if decimals is not None:
            return f"{value:.{decimals}f}"
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%-d %b %Y")
    text = str(value).strip()
    return text or None


def _fixed_decimals(number_format: str | None) -> int | None:
    """Decimal places a format such as '0.00' forces (so ref 1.10 is not shown as 1.1)."""
    if not number_format:
        return None
    match = re.fullmatch(r"0\.(0+)", number_format.strip())
    return len(match.group(1)) if match else None


# A reference written at the start of an action's text: "1.4 Action ...", "2.3: ...",
# "4a ...", "a) ...". A bare number ("6 agency social workers") is not a reference.
_LEADING_REF = re.compile(
    r"^\s*(?P<ref>\d{1,2}(?:\.\d{1,2}){1,2}[a-z]?|\d{1,2}[a-z](?=[\s.):])|\(?[a-z]\))[\s.:\-–)]*(?=\S)",
    re.I,
)
_LETTER_REF = re.compile(r"^\(?([a-z])\)?\.?$", re.I)
_NUMBER = re.compile(r"\d+")


def split_leading_ref(text: str) -> tuple[str | None, str]:
    """('1.4', 'Action ...') from '1.4 Action ...'; (None, text) when it starts with no ref."""
    match = _LEADING_REF.match(text)
    if not match:
        return None, text
    return match["ref"], text[match.end() :].strip()


def is_letter_ref(ref: str) -> bool:
    """A lettered action reference: 'a)', '(b)', 'c.'."""
    return bool(_LETTER_REF.match(ref.strip()))


def normalise_ref(ref: str | None, recommendation_ref: str | None) -> str | None:
    """Tidy a reference; a lettered action under recommendation 4 ('a)') becomes '4a'."""
    if ref is None:
        return None
    ref = ref.strip().rstrip(".:")
    letter = _LETTER_REF.match(ref)
    if letter:
        number = recommendation_number(recommendation_ref)
        return f"{number}{letter.group(1).lower()}" if number else letter.group(1).lower()
    return ref or None


def recommendation_number(text: str | None) -> str | None:
    """The first number in a recommendation reference or label ('Recommendation 4' -> '4')."""
    if not text:
        return None
    match = _NUMBER.search(text)
    return match.group(0) if match else None
