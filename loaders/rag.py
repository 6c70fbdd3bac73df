"""The RAG scale: normalise officers' text and name fill colours as a person would."""

from __future__ import annotations

import colorsys
import re
from collections import Counter
from typing import TYPE_CHECKING
from xml.etree import ElementTree

if TYPE_CHECKING:
    from loaders.readers.sheet import Sheet

RAG_LEVELS: tuple[str, ...] = ("Complete", "Green", "Amber", "Red", "Not rated")
NOT_RATED = "Not rated"

_SYNONYMS = {
    "b": "Complete",
    "blue": "Complete",
    "complete": "Complete",
    "completed": "Complete",
    "done": "Complete",
    "achieved": "Complete",
    "closed": "Complete",
    "g": "Green",
    "green": "Green",
    "on track": "Green",
    "on target": "Green",
    "a": "Amber",
    "amber": "Amber",
    "y": "Amber",
    "yellow": "Amber",
    "orange": "Amber",
    "some slippage": "Amber",
    "slippage": "Amber",
    "r": "Red",
    "red": "Red",
    "off track": "Red",
    "at risk": "Red",
    "not on track": "Red",
    "not rated": NOT_RATED,
    "not yet rated": NOT_RATED,
    "n a": NOT_RATED,
    "na": NOT_RATED,
    "not started": NOT_RATED,
    "tbc": NOT_RATED,
    "none": NOT_RATED,
    "": NOT_RATED,
}
# Two-colour ratings ("Amber/Green", "R/A") take the worse colour: a panel should not be
# told an action is greener than its lead officer thinks.
_WORST_FIRST = ("Red", "Amber", "Green", "Complete")
_PREFIX = re.compile(
    r"^(rag|brag|status|rating|dca|(delivery\s+)?confidence(\s+assessment)?)\s*[:=-]?\s*", re.I
)
_SPLIT = re.compile(r"\s*[/\\&]\s*|\s+to\s+")
# Two colours joined by a dash or a space ("Amber-Red", "Green Amber", "A-R"): only bare
# colour words, so "Green - on track" stays a colour with its meaning.
_COLOUR = r"(green|amber|red|yellow|g|a|r)"
_TWO_COLOURS = re.compile(rf"^{_COLOUR}\s*(?:-|–|\s)\s*{_COLOUR}$", re.I)


def _clean(text: str) -> str:
    return " ".join(re.sub(r"[^a-z ]+", " ", text.lower()).split())


def normalise_rag(value: object) -> str | None:
    """One of RAG_LEVELS for recognised text (blank is Not rated); None for anything else."""
    if value is None:
        return NOT_RATED
    if not isinstance(value, str):
        return None
    text = _PREFIX.sub("", value.strip())
    cleaned = _clean(text)
    if cleaned in _SYNONYMS:
        return _SYNONYMS[cleaned]
    parts = [_SYNONYMS.get(_clean(p)) for p in _SPLIT.split(text) if _clean(p)]
    two = _TWO_COLOURS.match(text.strip().rstrip("."))
    if two:
        parts = [_SYNONYMS[two.group(1).lower()], _SYNONYMS[two.group(2).lower()]]
    if len(parts) > 1 and all(parts):
        return _worse(parts)
    # "Green - on track", "Red (at risk)": a leading RAG word wins.
    first = cleaned.split(" ")[0] if cleaned else ""
    if first in _SYNONYMS and len(first) > 1:
        return _SYNONYMS[first]
    for phrase in (
        "not on track",
        "off track",
        "on track",
        "at risk",
        "some slippage",
        "not started",
    ):
        if cleaned.startswith(phrase):
            return _SYNONYMS[phrase]
    return None


def _worse(levels: list[str]) -> str:
    return next(level for level in (*_WORST_FIRST, NOT_RATED) if level in levels)


# A rating withheld rather than given: the GMPP publishes "Exempt under Section 43" (FOI
# Act, commercial interests) in place of some projects' delivery confidence. Such a row is
# Not rated; its text is kept by the caller, never turned into a colour.
WITHHELD = re.compile(
    r"\b(exempt(ion)?|withheld|redacted|not\s+(published|disclosed|for\s+publication)|"
    r"commercially\s+sensitive|section\s*\d+|s\.?\s*43)\b",
    re.I,
)
WORSE_OF_TWO = "the worse of the two colours"


def rate_confidence(value: object) -> tuple[str, str] | None:
    """A RAG or five-point delivery-confidence rating as (RAG level, how it was read).

    "Amber/Red" -> ("Red", "the worse of the two colours"); "Exempt under section 43" ->
    ("Not rated", "the rating is withheld ..."); None for anything that is not a rating.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return NOT_RATED, "blank"
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    if not re.search(r"[a-z]", text, re.I) and re.search(r"\d", text):
        return None  # a score such as 16 is a figure, not a rating
    if WITHHELD.search(text):
        return NOT_RATED, "the rating is withheld, so it is not rated"
    level = normalise_rag(text)
    if level is None:
        return None
    if level == NOT_RATED:
        return level, "no rating given"
    body = _PREFIX.sub("", text).rstrip(".")
    two = _TWO_COLOURS.match(body)
    parts = [two.group(1), two.group(2)] if two else _SPLIT.split(body)
    if len({_SYNONYMS.get(_clean(p)) for p in parts if _clean(p)}) > 1:
        return level, WORSE_OF_TWO
    return level, "as written"


# Hue bands in degrees, as a person names colours: reds wrap round 0, orange and yellow
# read as amber, yellow-greens (Excel's 92D050 sits at 84) as green, cyans and blues as
# the "blue" of BRAG. Purples and pinks are not RAG colours.
HUE_BANDS: tuple[tuple[float, float, str], ...] = (
    (0, 16, "Red"),
    (16, 65, "Amber"),
    (65, 165, "Green"),
    (165, 255, "Complete"),
    (335, 360, "Red"),
)
# Below this saturation a colour is a grey (white, black and greys carry no RAG meaning).
MIN_SATURATION = 0.25
# Pale tints are still their colour (FFC7CE is Excel's "bad" red) unless near-white.
MAX_LIGHTNESS = 0.97
MIN_LIGHTNESS = 0.08


def _hls(rgb: str) -> tuple[float, float, float]:
    rgb = rgb.strip().lstrip("#")[-6:]
    r, g, b = (int(rgb[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return colorsys.rgb_to_hls(r, g, b)


def is_neutral_colour(rgb: str) -> bool:
    """White, black, greys and near-greys: a fill that says nothing about RAG."""
    _, lightness, saturation = _hls(rgb)
    return saturation < MIN_SATURATION or lightness > MAX_LIGHTNESS or lightness < MIN_LIGHTNESS


def classify_colour(rgb: str) -> str | None:
    """The RAG level a fill colour names, by hue band; None for greys, purples and pinks."""
    if is_neutral_colour(rgb):
        return None
    hue = _hls(rgb)[0] * 360
    for low, high, level in HUE_BANDS:
        if low <= hue < high:
            return level
    return None


def apply_tint(rgb: str, tint: float) -> str:
    """Excel's tint of a theme colour: lighten (tint > 0) or darken (tint < 0) in HLS."""
    h, lightness, s = _hls(rgb)
    lightness = lightness * (1 + tint) if tint < 0 else lightness * (1 - tint) + tint
    r, g, b = colorsys.hls_to_rgb(h, min(max(lightness, 0.0), 1.0), s)
    return "".join(f"{round(v * 255):02X}" for v in (r, g, b))


# Office 2013+ default theme, in the order cells refer to theme colours:
# lt1, dk1, lt2, dk2, accent1..accent6, hlink, folHlink.
DEFAULT_THEME = [
    "FFFFFF",
    "000000",
    "E7E6E6",
    "44546A",
    "4472C4",
    "ED7D31",
    "A5A5A5",
    "FFC000",
    "5B9BD5",
    "70AD47",
    "0563C1",
    "954F72",
]
_THEME_ORDER = (
    "lt1",
    "dk1",
    "lt2",
    "dk2",
    "accent1",
    "accent2",
    "accent3",
    "accent4",
    "accent5",
    "accent6",
    "hlink",
    "folHlink",
)
_DRAWING_NS = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def theme_colours(theme_xml: bytes | None) -> list[str]:
    """The workbook theme's colours in cell theme-index order (0 = lt1, 1 = dk1, ...)."""
    if not theme_xml:
        return list(DEFAULT_THEME)
    try:
        scheme = ElementTree.fromstring(theme_xml).find(f".//{_DRAWING_NS}clrScheme")
    except ElementTree.ParseError:
        return list(DEFAULT_THEME)
    if scheme is None:
        return list(DEFAULT_THEME)
    colours = []
    for index, name in enumerate(_THEME_ORDER):
        node = scheme.find(f"{_DRAWING_NS}{name}")
        value = None
        if node is not None and len(node):
            child = node[0]
            value = child.get("val") if child.tag.endswith("srgbClr") else child.get("lastClr")
        colours.append((value or DEFAULT_THEME[index]).upper())
    return colours


def resolve_colour(color: object, theme: list[str]) -> str | None:
    """An openpyxl Color as 'RRGGBB': RGB, theme with tint, or indexed; None when automatic."""
    from openpyxl.styles.colors import COLOR_INDEX

    if color is None:
        return None
    kind = getattr(color, "type", None)
    tint = getattr(color, "tint", 0.0) or 0.0
    if kind == "rgb":
        rgb = color.rgb if isinstance(color.rgb, str) else None
        if not rgb or rgb.upper() == "00000000":
            return None
        base = rgb[-6:].upper()
    elif kind == "theme":
        index = color.theme
        if index is None or not 0 <= index < len(theme):
            return None
        base = theme[index]
    elif kind == "indexed":
        index = color.indexed
        if index is None or index >= 64 or index >= len(COLOR_INDEX):
            return None  # 64 and 65 are the system foreground and background
        base = COLOR_INDEX[index][-6:]
    else:
        return None
    return apply_tint(base, tint) if tint else base


# A workbook's own RAG key: coloured cells beside their meanings, down a column or along a
# row. Meanings written beside a colour, for keys that do not use the RAG words:
KEY_PHRASES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "Red",
        re.compile(
            r"\b(off track|not on track|at risk|significant|not achieved|concern|no progress)\b",
            re.I,
        ),
    ),
    ("Complete", re.compile(r"\b(complete[d]?|achieved|closed|done|finished)\b", re.I)),
    ("Amber", re.compile(r"\b(slippage|slipp|too early|partial|delay|some progress|minor)", re.I)),
    ("Green", re.compile(r"\b(on track|on target|good progress|on schedule)\b", re.I)),
)
# Key cells are short: a RAG key entry is a colour name and a few words of meaning.
MAX_KEY_WORDS = 12
MAX_KEY_CHARS = 100
# "Key", "RAG key:", "RAG status key", "Key to RAG ratings".
KEY_LABEL = re.compile(
    r"^\s*(?:b?rag\s+(?:(?:status|rating)\s+)?)?key(?:\s+to\s+(?:the\s+)?(?:b?rag|ratings?|"
    r"colours?)(?:\s+ratings?)?)?\s*:?\s*$",
    re.I,
)
_KEY_ENTRY = re.compile(r"^\s*(b|g|a|r|blue|green|amber|red|yellow)\s*[=:\-–]\s*\S", re.I)
# A key along a row has at least this many entries, or fewer under or beside a "Key" label.
MIN_ROW_KEY_ENTRIES = 3

Cell = tuple[int, int]


def key_meaning(text: str) -> str | None:
    """The RAG level a key entry describes ("Blue = action completed" -> Complete)."""
    words = text.split()
    if not words or len(words) > MAX_KEY_WORDS:
        return None
    entry = _KEY_ENTRY.match(text)
    if entry:
        return normalise_rag(entry.group(1))
    level = normalise_rag(text)
    if level and level != NOT_RATED:
        return level
    for level, pattern in KEY_PHRASES:
        if pattern.search(text):
            return level
    return None


def find_rag_key(sheet: Sheet) -> tuple[set[int], dict[str, str]]:
    """Rows that are wholly a RAG key (never actions) and the key's colour -> RAG mapping."""
    cells, colours = find_key_cells(sheet)
    rows = {r for r, _ in cells}
    whole = {
        r
        for r in rows
        if all((r, c) in cells for c, v in enumerate(sheet.rows[r]) if v is not None)
    }
    return whole, colours


def find_key_cells(sheet: Sheet) -> tuple[set[Cell], dict[str, str]]:
    """The cells of a RAG key (its label, entries and swatches) and its colour -> RAG mapping.

    A key down a column takes whole rows ("Blue | Complete"); a key along a row ("Key" above
    four coloured cells "Complete", "Green", "Amber", "Red") takes only its own cells, so a
    title beside it is still a title."""
    cells: set[Cell] = set()
    colours: dict[str, str] = {}
    # A key along a row gives each meaning its own colour: a row with fewer colours is none.
    coloured = Counter(r for (r, _), fill in sheet.fills.items() if not is_neutral_colour(fill))
    for r, row in enumerate(sheet.rows):
        _key_row(sheet, r, row, cells, colours)
        if coloured[r] >= 2:
            _key_along_row(sheet, r, row, cells, colours)
    # A "Key" label beside other text (a title) whose entries start just below it.
    for r, c in list(cells):
        for cc in (c - 1, c, c + 1):
            above = sheet.value(r - 1, cc) if r > 0 and cc >= 0 else None
            if isinstance(above, str) and KEY_LABEL.match(above):
                cells.add((r - 1, cc))
    return cells, colours


def _key_row(sheet: Sheet, r: int, row: list, cells: set[Cell], colours: dict[str, str]) -> None:
    """A row that is one entry of a key down a column (or its label), and nothing else."""
    texts = [(c, v) for c, v in enumerate(row) if isinstance(v, str)]
    if not texts or len(texts) > 6 or any(not isinstance(v, str) for v in row if v is not None):
        return
    if len(texts) == 1 and KEY_LABEL.match(texts[0][1]):
        cells.add((r, texts[0][0]))
        return
    if any(len(v) > MAX_KEY_CHARS for _, v in texts):
        return  # body text, never a key entry
    labelled = len(texts) > 1 and KEY_LABEL.match(texts[0][1])
    if not all(key_meaning(v) for _, v in texts[1 if labelled else 0 :]):
        return
    if len(texts) == 1 and (r, texts[0][0]) not in sheet.fills and not _row_has_fill(sheet, r):
        return  # one bare word such as "Complete" is not a key without a colour
    cells.update((r, c) for c, _ in texts)
    for c, text in texts:
        meaning = key_meaning(text)
        for colour in _fills_near(sheet, r, c):
            colours.setdefault(colour, meaning)


def _key_along_row(
    sheet: Sheet, r: int, row: list, cells: set[Cell], colours: dict[str, str]
) -> None:
    """Key entries side by side in a row, each beside (or in) its own colour."""
    entries = [
        (c, meaning)
        for c, v in enumerate(row)
        if isinstance(v, str) and len(v) <= MAX_KEY_CHARS and (meaning := key_meaning(v))
    ]
    runs: list[list[tuple[int, str]]] = []
    for entry in entries:
        if runs and entry[0] - runs[-1][-1][0] <= 2:
            runs[-1].append(entry)
        else:
            runs.append([entry])
    for run in runs:
        if len(run) < 2 or len({meaning for _, meaning in run}) < 2:
            continue
        swatches = _swatches(sheet, r, run)
        if swatches is None:
            continue
        first, last = run[0][0], run[-1][0]
        labels = [
            (rr, c)
            for rr, c in [(r, first - 1), (r, first - 2), *((r - 1, c) for c in range(first - 1, last + 2))]
            if c >= 0 and isinstance(sheet.value(rr, c), str) and KEY_LABEL.match(sheet.value(rr, c))
        ]  # fmt: skip
        if len(run) < MIN_ROW_KEY_ENTRIES and not labels:
            continue
        cells.update((r, c) for c, _ in run)
        cells.update(swatches)
        cells.update(labels[:1])
        for (_, meaning), swatch in zip(run, swatches, strict=True):
            colours.setdefault(sheet.fills[swatch], meaning)


def _swatches(sheet: Sheet, r: int, run: list[tuple[int, str]]) -> list[Cell] | None:
    """Each entry's colour cell: the entry itself, or the cell on the same side of every
    entry; a key gives each meaning its own colour."""
    for side in (0, -1, 1):
        cells = [(r, c + side) for c, _ in run]
        fills = [sheet.fills.get(cell) for cell in cells]
        if any(f is None or is_neutral_colour(f) for f in fills) or len(set(fills)) < len(fills):
            continue
        if side and any(sheet.value(*cell) is not None for cell in cells):
            continue  # a swatch beside its meaning is an empty coloured cell
        return cells
    return None


def _row_has_fill(sheet: Sheet, r: int) -> bool:
    return any(row == r for row, _ in sheet.fills)


def _fills_near(sheet: Sheet, r: int, c: int) -> list[str]:
    """The coloured cell a key entry describes: itself, or the cell just left or right."""
    return [
        sheet.fills[(r, cc)]
        for cc in (c, c - 1, c + 1)
        if (r, cc) in sheet.fills and not is_neutral_colour(sheet.fills[(r, cc)])
    ][:1]
