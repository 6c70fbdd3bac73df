"""Column names and labels of KPI tables: what each header cell in a metrics table means."""

from __future__ import annotations

import re

from loaders.detect import normalise_label

# Columns of long (tidy) KPI tables and of breakdown tables, as officers name them.
METRIC_VOCABULARY: dict[str, tuple[str, ...]] = {
    "indicator": (
        "indicator", "measure", "kpi", "metric", "performance indicator", "indicator name",
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
    "area": ("area", "local authority", "la", "council", "la name", "geography", "authority", "area name"),
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
    return _FIELD_OF.get(normalise_label(value))


def unit_label(value: object) -> tuple[bool, str | None]:
    """(is a unit sub-header, its unit) for cells such as 'Number' and '%'."""
    if not isinstance(value, str):
        return False, None
    text = value.strip().lower().rstrip(".")
    if text in UNIT_LABELS:
        return True, UNIT_LABELS[text]
    return False, None


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
