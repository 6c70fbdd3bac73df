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
# "4a ...", and letters or roman numerals marked as such: "a)", "(a)", "a.", "a -", "ii)",
# "(iii)", "iv.". A bare number ("6 agency social workers") or a bare letter ("A new
# panel", "I will") is not a reference: a letter needs its bracket, full stop or dash.
_ROMAN = r"(?:viii|vii|iii|ii|iv|vi|ix|xii|xi|i|v|x)"
_MARK = rf"(?:[a-z]|{_ROMAN})"
_LEADING_REF = re.compile(
    r"^\s*(?:(?P<ref>\d{1,2}(?:\.\d{1,2}){1,2}[a-z]?|\d{1,2}[a-z](?=[\s.):])"
    rf"|\(?{_MARK}\))|(?P<dotted>{_MARK})(?:\.|\s+[-–])(?=\s))[\s.:\-–)]*(?=\S)",
    re.I,
)
_LETTER_REF = re.compile(rf"^\(?({_MARK})\)?\.?$", re.I)
_NUMBER = re.compile(r"\d+")


def split_leading_ref(text: str) -> tuple[str | None, str]:
    """('1.4', 'Action ...') from '1.4 Action ...'; (None, text) when it starts with no ref."""
    match = _LEADING_REF.match(text)
    if not match:
        return None, text
    return match["ref"] or match["dotted"], text[match.end() :].strip()


def is_letter_ref(ref: str) -> bool:
    """A lettered action reference: 'a)', '(b)', 'c.', or a roman numeral: 'ii)', '(iv)'."""
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


# Rows inside a table that are no action, by their text: a note ("Note: ...", "N.B."),
# a total or count ("Total actions: 3"), a recommendation's overall rating ("Overall RAG for
# recommendation 1"). Only when the row has no ref, lead or timescale of its own.
NOTE_ROW = re.compile(
    r"^\s*(?:notes?\s*[:.\-–]|n\.\s?b\.?(?=\s)|nb\s*[:.\-–]|please\s+note\b|†)", re.I
)
TOTAL_ROW = re.compile(
    r"^\s*(?:(?:grand\s+|sub-?\s*)?totals?(?:\s+(?:actions?|number|count))?\s*(?:[:=]|\d|$)|"
    r"(?:number|no\.?|count)\s+of\s+actions\b|"
    r"summary\s*(?::|of\s+(?:progress|actions|ratings?|b?rag)\b))",
    re.I,
)
SUMMARY_ROW = re.compile(
    r"^\s*overall\s+(?:b?rag|rating|status|position|progress)\b|\b(?:b?rag|rating|status)\s+"
    r"(?:rating\s+)?for\s+(?:the\s+|this\s+)?(?:recommendation|section|priority|theme)\b",
    re.I,
)
# A "Priority" column of these ranks actions; it names no recommendation. (A bare number may
# be a recommendation's: such a column stays the recommendation, as its header says.)
PRIORITY_LEVEL = re.compile(
    r"^\s*(?:(?:very\s+)?(?:high|medium|med|low)|critical|urgent|h|m|l|p[1-5])\s*$", re.I
)


def is_note_or_total(text: str) -> bool:
    """A note ("Note: ...", "N.B.") or a total ("Total actions: 3")."""
    return bool(NOTE_ROW.match(text) or TOTAL_ROW.match(text))
