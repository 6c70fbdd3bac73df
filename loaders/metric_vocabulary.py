"""Column names and labels of KPI tables: what each header cell in a metrics table means."""

from __future__ import annotations

import functools
import re

from loaders.detect import normalise_label

# Columns of long (tidy) KPI tables and of breakdown tables, as officers name them.
METRIC_VOCABULARY: dict[str, tuple[str, ...]] = {
    "indicator": (
        "indicator", "kpi", "metric", "performance indicator", "indicator name",
        "measure name", "kpi name", "pi", "description", "kpi description", "indicators",
        "measures", "performance measure",
    ),
    "period": (
        "period", "year", "quarter", "month", "time period", "reporting period", "date",
        "financial year", "reporting year", "academic year", "period label",
    ),
    "value": (
        "value", "figure", "result", "actual", "performance", "outturn", "score", "data",
        "actual value", "current value", "performance value",
    ),
    "target": ("target", "target value", "goal", "target figure"),
    "polarity": (
        "polarity", "good is", "good performance is", "better if", "direction",
        "higher or lower is better", "is higher better", "good",
    ),
    "area": (
        "area", "local authority", "la", "council", "la name", "geography", "authority", "area name",
        "geography name", "local authority name", "region name",
    ),
    "area_code": (
        "area code", "code", "la code", "new la code", "ons code", "geography code", "gss code",
        "local authority code", "area id", "la ons code",
    ),
    # What a figure is (Count, Percentage, "Per 10,000 aged 10-17"): tells series apart.
    "measure": ("measure", "measure type", "type of measure", "statistic", "value type"),
    "breakdown": (
        "breakdown", "team", "group", "category", "placement type", "type", "service",
        "staff group", "placement", "setting", "team name", "client group", "age group",
    ),
    "unit": ("unit", "units", "unit of measure"),
    "numerator": ("numerator",),
    "denominator": ("denominator", "cohort", "base"),
}  # fmt: skip
_FIELD_OF = {syn: field for field, syns in METRIC_VOCABULARY.items() for syn in syns}

# Labels of the sub-header under a year in two-row headers ("2016" over "Number" and "%").
UNIT_LABELS = {
    "number": None, "no": None, "count": None, "n": None, "total": None,
    "%": "%", "percent": "%", "percentage": "%", "rate": "%", "pct": "%",
}  # fmt: skip
# Units as written in a unit or measure column; a count is the unit "count". Anything else
# in a unit column ("Persons", "Children") says what is counted, and is not a unit.
UNITS = {
    **{word: "count" for word, unit in UNIT_LABELS.items() if unit is None},
    **{word: "%" for word, unit in UNIT_LABELS.items() if unit == "%" and word != "rate"},
    "numbers": "count", "per cent": "%", "proportion": "%",
    "£": "£", "gbp": "£", "pounds": "£", "£s": "£",
    "days": "days", "weeks": "weeks", "months": "months", "years": "years", "hours": "hours",
    "fte": "FTE",
}  # fmt: skip
# Unit words that could mean a percentage or a rate per 1,000, 10,000 or 100,000: asked.
AMBIGUOUS_UNITS = frozenset({"rate", "rates"})
# What a unit column holds when it says what is counted rather than a unit: not a unit.
COUNTED = frozenset(
    {"persons", "person", "people", "children", "child", "young people", "households",
     "families", "cases", "pupils", "individuals", "adults", "carers", "placements", "staff",
     "workers", "social workers", "episodes", "referrals", "assessments", "plans",
     "applications", "leavers", "care leavers", "boys", "girls", "males", "females"}
)  # fmt: skip
UNIT_CHOICES = ("%", "per 1,000", "per 10,000", "per 100,000", "not a unit")
_PER = re.compile(r"^(?:rate\s+)?per\s+(?P<n>\d[\d,]*)\b", re.I)
# Words in an indicator's name that say its figures are percentages.
_PERCENT_WORDS = re.compile(r"%|\b(percent|percentage|per cent|rate|proportion)\b", re.I)

REGIONS = (
    "north east", "north west", "yorkshire and the humber", "yorkshire and humber",
    "east midlands", "west midlands", "east of england", "london", "inner london",
    "outer london", "south east", "south west",
)  # fmt: skip
_SN = re.compile(
    r"\b(statistical neighbours?|stat neighbours?|sn|comparators?|similar (las|councils))\b", re.I
)
_ENGLAND = re.compile(r"\b(england|national)\b", re.I)
_REGION = re.compile(r"\b(region|regional|" + "|".join(REGIONS) + r")\b", re.I)
_TARGET = re.compile(r"\btarget\b", re.I)

POLARITY_WORDS = {
    "higher is better": "higher", "high is good": "higher", "higher": "higher", "high": "higher",
    "up": "higher", "lower is better": "lower", "low is good": "lower", "lower": "lower",
    "low": "lower", "down": "lower", "neutral": "neutral", "n a": "neutral", "none": "neutral",
}  # fmt: skip


def metric_field(value: object) -> str | None:
    """The long-table field a header cell names, or None."""
    if not isinstance(value, str) or len(value) > 60:
        return None
    return _field_of(value)


@functools.lru_cache(maxsize=8192)  # every row of a table is checked for a header
def _field_of(text: str) -> str | None:
    return _FIELD_OF.get(normalise_label(text))


def unit_label(value: object) -> tuple[bool, str | None]:
    """(is a unit sub-header, its unit) for cells such as 'Number' and '%'."""
    if not isinstance(value, str):
        return False, None
    text = value.strip().lower().rstrip(".")
    if text in UNIT_LABELS:
        return True, UNIT_LABELS[text]
    return False, None


def unit_of(value: object) -> str | None:
    """The unit a unit or measure cell names ('%', 'count', 'per 10,000', '£'), or None."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower().rstrip(".")
    per = _PER.match(text)
    if per:
        return f"per {int(per['n'].replace(',', '')):,}"
    return UNITS.get(text)


def is_ambiguous_unit(value: object) -> bool:
    return isinstance(value, str) and value.strip().lower().rstrip(".") in AMBIGUOUS_UNITS


def names_what_is_counted(value: object) -> bool:
    """'Persons', 'Children': a unit column saying what is counted, which is not a unit."""
    return isinstance(value, str) and " ".join(value.lower().split()) in COUNTED


def says_percent(name: str | None) -> bool:
    """An indicator name that says its figures are percentages ('DNA rate', 'Stability %');
    'rate per 10,000' is a rate but not a percentage."""
    return (
        bool(name)
        and bool(_PERCENT_WORDS.search(name))
        and not re.search(r"\bper\s+\d", name, re.I)
    )


def series_suffix(value: str) -> str:
    """How a measure or unit names its series: 'Percentage' -> '%', 'Count' -> 'count'."""
    if unit_of(value) == "%":
        return "%"
    text = " ".join(value.split())
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


# ONS area codes: the first three characters say what kind of area it is.
AREA_CODE_KINDS = {
    "E06": "council", "E07": "council", "E08": "council", "E09": "council", "E10": "council",
    "W06": "council", "S12": "council", "N09": "council",
    "E12": "region", "E13": "region",
    "E92": "national", "W92": "national", "S92": "national", "N92": "national",
}  # fmt: skip
_AREA_CODE = re.compile(r"^[ENSW]\d{8}$")


def area_code(value: object) -> str | None:
    """An ONS area code as written ('E09000002'), or None."""
    text = value.strip().upper() if isinstance(value, str) else None
    return text if text and _AREA_CODE.match(text) else None


def area_kind_of_code(code: str | None) -> str | None:
    """council, region or national from an ONS code's prefix; None for other codes."""
    return AREA_CODE_KINDS.get(code[:3]) if code else None


def benchmark_area(label: str) -> tuple[str, str] | None:
    """(area, kind) a benchmark column names: statistical neighbours, a region, or England."""
    if _SN.search(label):
        return "Statistical neighbours", "benchmark group"
    if _ENGLAND.search(label):
        return "England", "national"
    match = _REGION.search(label)
    if match:
        word = match.group(1).lower()
        if word in ("region", "regional"):
            return "Region", "region"
        return word.title().replace(" And ", " and ").replace(" The ", " the ").replace(
            " Of ", " of "
        ), "region"
    return None


def is_target_label(label: str) -> bool:
    return bool(_TARGET.search(label))


def polarity_of(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = normalise_label(value.replace("↑", " higher ").replace("↓", " lower "))
    if text in POLARITY_WORDS:
        return POLARITY_WORDS[text]
    for words, polarity in POLARITY_WORDS.items():
        if len(words) > 4 and words in text:
            return polarity
    return None
