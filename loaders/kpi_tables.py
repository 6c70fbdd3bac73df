"""A file's KPI figures settled and shaped like the store's tables, ready for one bulk insert.

Before anything is stored, the figures of every sheet are settled together: a measure or
unit that tells series apart names them; a value that contradicts its row (a count
formatted as a percentage, a rate typed as a fraction) is a question; two figures that
claim the same indicator, area, breakdown and period are told apart, or are a question.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from loaders.errors import LoadWarning
from loaders.interpret import Interpretation, MappingError, Question
from loaders.metric_sheet import Figure, IndicatorInfo, SheetMetrics, answer_of
from loaders.metric_vocabulary import says_percent, series_suffix, unit_of
from loaders.numbers import is_percent_format, percent_in_cell
from loaders.text import cell_text

if TYPE_CHECKING:
    from loaders.layouts.base import Context

# A whole number of at least this, formatted as a percentage, reads as a count slipped
# into a percent format (19 -> 1900%) when its row says nothing of percentages.
COUNT_AS_PERCENT_FROM = 2

FIGURE_SCHEMA = pa.schema(
    [
        ("indicator", pa.string()),
        ("area", pa.string()),
        ("breakdown", pa.string()),
        ("period_label", pa.string()),
        ("period_type", pa.string()),
        ("period_start", pa.date32()),
        ("period_end", pa.date32()),
        ("value", pa.float64()),
        ("unit", pa.string()),
        ("numerator", pa.float64()),
        ("denominator", pa.float64()),
        ("is_benchmark", pa.bool_()),
        ("missing", pa.string()),
        ("source_sheet", pa.string()),
        ("source_row", pa.int32()),
        ("source_column", pa.string()),
    ]
)
TARGET_SCHEMA = pa.schema(
    [
        ("indicator", pa.string()),
        ("period_label", pa.string()),
        ("period_end", pa.date32()),
        ("target", pa.float64()),
        ("source_sheet", pa.string()),
        ("source_row", pa.int32()),
        ("source_column", pa.string()),
    ]
)
INDICATOR_SCHEMA = pa.schema(
    [
        ("indicator", pa.string()),
        ("unit", pa.string()),
        ("polarity", pa.string()),
        ("description", pa.string()),
        ("source", pa.string()),
    ]
)
AREA_SCHEMA = pa.schema(
    [
        ("area", pa.string()),
        ("kind", pa.string()),
        ("code", pa.string()),
        ("old_code", pa.string()),
        ("region", pa.string()),
    ]
)


@dataclass
class MetricTables:
    """Everything a metrics file loads: figures, targets, indicator details and areas."""

    figures: pa.Table
    targets: pa.Table
    indicators: pa.Table
    areas: pa.Table

    @property
    def rows(self) -> int:
        return self.figures.num_rows

    def summary(self) -> str:
        figures = self.figures
        if not figures.num_rows:
            return "0 figures"
        observed = pc.sum(pc.is_valid(figures["value"])).as_py()
        missing = figures.num_rows - observed
        ends = figures["period_end"]
        first = figures["period_label"][pc.index(ends, pc.min(ends)).as_py()].as_py()
        last = figures["period_label"][pc.index(ends, pc.max(ends)).as_py()].as_py()
        return (
            f"{observed} figures ({missing} missing) for "
            f"{pc.count_distinct(figures['indicator']).as_py()} indicators, "
            f"{pc.count_distinct(figures['area']).as_py()} areas, periods {first} to {last}"
        )


def from_sheets(results: list[SheetMetrics], own_area: str) -> MetricTables:
    """Gather the figures of every sheet; figures with no area are the file's own council."""
    figures = [f for result in results for f in result.figures if not f.dropped]
    targets = [
        t
        for result in results
        for t in result.targets
        if t.follows is None or not t.follows.dropped
    ]
    periods = {f.period.label: f.period.end for f in figures}
    figure_table = pa.table(
        {
            "indicator": [f.indicator for f in figures],
            "area": [f.area or own_area for f in figures],
            "breakdown": [f.breakdown for f in figures],
            "period_label": [f.period.label for f in figures],
            "period_type": [f.period.type for f in figures],
            "period_start": [f.period.start for f in figures],
            "period_end": [f.period.end for f in figures],
            "value": [f.reading.value for f in figures],
            "unit": [f.reading.unit for f in figures],
            "numerator": [f.reading.numerator for f in figures],
            "denominator": [f.reading.denominator for f in figures],
            "is_benchmark": [f.is_benchmark for f in figures],
            "missing": [f.reading.marker for f in figures],
            "source_sheet": [f.source_sheet for f in figures],
            "source_row": [f.source_row for f in figures],
            "source_column": [f.source_column for f in figures],
        },
        schema=FIGURE_SCHEMA,
    )
    target_table = pa.table(
        {
            "indicator": [t.follows.indicator if t.follows else t.indicator for t in targets],
            "period_label": [t.period_label for t in targets],
            "period_end": [periods.get(t.period_label) for t in targets],
            "target": [t.target for t in targets],
            "source_sheet": [t.source_sheet for t in targets],
            "source_row": [t.source_row for t in targets],
            "source_column": [t.source_column for t in targets],
        },
        schema=TARGET_SCHEMA,
    )
    info = _indicator_info(results)
    indicator_table = pa.table(
        {
            "indicator": list(info),
            "unit": [d.unit for d in info.values()],
            "polarity": [d.polarity for d in info.values()],
            "description": [d.description for d in info.values()],
            "source": ["council return"] * len(info),
        },
        schema=INDICATOR_SCHEMA,
    )
    areas: dict[str, list[str | None]] = (
        {own_area: ["council", None]} if any(f.area is None for f in figures) else {}
    )
    for f in figures:
        if f.area is not None:
            known = areas.setdefault(f.area, [f.area_kind or "council", f.area_code])
            known[1] = known[1] or f.area_code
    area_table = pa.table(
        {
            "area": list(areas),
            "kind": [kind for kind, _ in areas.values()],
            "code": [code for _, code in areas.values()],
            "old_code": [None] * len(areas),
            "region": [None] * len(areas),
        },
        schema=AREA_SCHEMA,
    )
    return MetricTables(figure_table, target_table, indicator_table, area_table)


def _indicator_info(results: list[SheetMetrics]) -> dict[str, IndicatorInfo]:
    """Each series' details: its unit from its figures, its polarity and description from
    the row or table that named it. A later sheet fills gaps but never blanks what an
    earlier one said."""
    info: dict[str, IndicatorInfo] = {}
    for result in results:
        names = [(f.indicator, f.base, f.reading.unit) for f in result.figures if not f.dropped]
        names += [(t.indicator, t.indicator, None) for t in result.targets if t.follows is None]
        for name, base, unit in names:
            details = result.info.get(base) or IndicatorInfo()
            known = info.setdefault(name, IndicatorInfo())
            known.unit = known.unit or unit
            known.polarity = known.polarity or details.polarity
            known.description = known.description or details.description
    return info


def metric_tables(
    results: list[SheetMetrics], ctx: Context | None, own_area: str
) -> tuple[MetricTables, list[LoadWarning]]:
    """Settle every sheet's figures together, account for their cells, and shape them."""
    warnings = settle(results, ctx, own_area)
    if ctx is not None:
        account(ctx.interp, results)
    return from_sheets(results, own_area), warnings


def account(interp: Interpretation, results: list[SheetMetrics]) -> None:
    """Every cell of every table found: stored, or not stored for a reason."""
    for result in results:
        figure_cells = {(f.source_row - 1, f.column): f.reason for f in result.figures}
        for cell, reason in result.cells.items():
            if cell not in figure_cells:
                interp.accounting.add(reason)
        for reason in figure_cells.values():
            interp.accounting.add(reason)


def settle(results: list[SheetMetrics], ctx: Context | None, own_area: str) -> list[LoadWarning]:
    """Name series apart, check values against their rows, settle figures claiming one place.
    While detecting (no ctx) nothing is asked and nothing changes."""
    if ctx is None:
        return []
    figures = [f for result in results for f in result.figures]
    _split_series(figures, ctx)
    _check_units(figures, ctx)
    warnings = _settle_collisions(figures, ctx, own_area)
    _decide_units(figures, ctx.interp)
    return warnings


# Series told apart: a count and a rate of one indicator are two series.
def _split_series(figures: list[Figure], ctx: Context) -> None:
    by_name: dict[str, list[Figure]] = defaultdict(list)
    for f in figures:
        by_name[f.indicator].append(f)
    for name, group in by_name.items():
        keys = []
        if len({f.tags["measure"] for f in group if "measure" in f.tags}) > 1:
            keys.append("measure")
        # A unit column tells series apart where it names different units for one measure.
        units: dict[str | None, set[str]] = defaultdict(set)
        for f in group:
            if "unit" in f.tags:
                units[f.tags.get("measure")].add(f.tags["unit"])
        if any(len(us) > 1 and all(unit_of(u) for u in us) for us in units.values()):
            keys.append("unit")
        if not keys:
            continue
        for f in group:
            parts = [series_suffix(f.tags[k]) for k in keys if k in f.tags]
            if parts:
                f.indicator = f"{name} ({', '.join(parts)})"
        values = list(dict.fromkeys(f.tags[k] for f in group for k in keys if k in f.tags))
        ctx.interp.decide(
            "series", f"indicator '{name}'",
            "; ".join(dict.fromkeys(f.indicator for f in group)),
            f"its {' and '.join(keys)} ({', '.join(repr(v) for v in values)}) tells series apart",
        )  # fmt: skip


# Values that contradict their row: asked, never stored silently.
def _check_units(figures: list[Figure], ctx: Context) -> None:
    lines: dict[tuple[str, str], list[Figure]] = defaultdict(list)
    for f in figures:
        lines[(f.source_sheet, f.line or f"'{f.indicator}'")].append(f)
    for (sheet, line), group in lines.items():
        names = list(dict.fromkeys(f.indicator for f in group))
        for name in names:
            series = [f for f in group if f.indicator == name]
            key = f"unit '{sheet}'!{line}" + (f" '{name}'" if len(names) > 1 else "")
            subject = f"{line[0].upper()}{line[1:]}" + (f" ('{name}')" if series[0].line else "")
            if not _counts_as_percent(series, key, subject, ctx):
                _fraction_as_percent(series, key, subject, ctx)


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _counts_as_percent(series: list[Figure], key: str, subject: str, ctx: Context) -> bool:
    """Referrals 19 formatted 0% reads 1900%: a count, when the row says nothing of %."""
    numbers = [f for f in series if _number(f.cell)]
    formatted = [f for f in numbers if is_percent_format(f.number_format)]
    suspects = [
        f for f in formatted if float(f.cell).is_integer() and abs(f.cell) >= COUNT_AS_PERCENT_FROM
    ]
    if not suspects:
        return False
    percent_ids = {id(f) for f in formatted}
    plain = [f for f in numbers if id(f) not in percent_ids and float(f.cell).is_integer()]
    evidence = []
    if not says_percent(series[0].base):
        evidence.append(f"the name '{series[0].base}' says nothing of a percentage")
    if len(plain) * 2 > len(numbers):
        evidence.append("most of its cells are whole numbers with no percent format")
    if not evidence:
        return False
    first = suspects[0]
    count = cell_text(first.cell)
    choices = (f"these are counts ({count})", f"these are percentages ({count}00%)")
    answer = answer_of(ctx, key)
    if answer is None:
        ctx.interp.ask(
            Question(
                key,
                f"{subject}: {count} is formatted as a percentage, so it reads {count}00%, but "
                f"{' and '.join(evidence)}. Are these counts or percentages?",
                choices,
                likely=choices[0],
                cells=_cells(series),
                **_where(first),
            )
        )
        return True
    if _pick(answer, choices, ("count", "percent"), key) == 0:
        for f in formatted:
            f.reading = replace(f.reading, value=float(f.cell), unit=None)
            f.unit_from = None
    ctx.interp.decide("unit", subject, answer, f"the answer to [{key}]", **_where(first))
    return True


def _fraction_as_percent(series: list[Figure], key: str, subject: str, ctx: Context) -> None:
    """0.08 with no percent format in a row of percentages: 8%, or 0.08%?"""
    plain = [f for f in series if _number(f.cell) and not is_percent_format(f.number_format)]
    suspects = [f for f in plain if 0 < abs(f.cell) < 1]
    if not suspects:
        return
    own = [f for f in series if percent_in_cell(f.cell, f.number_format) and f.reading.value]
    evidence = []
    if says_percent(series[0].base):
        evidence.append(f"the name '{series[0].base}' says it is a percentage")
    if own:
        evidence.append(f"other cells read {', '.join(f'{f.reading.value:g}%' for f in own[:3])}")
    told = [f.unit_from for f in suspects if f.reading.unit == "%" and f.unit_from]
    if told:
        evidence.append(f"{told[0]} says %")
    if not evidence:
        return
    first = suspects[0]
    value = first.cell
    choices = (f"{value:g} means {round(value * 100, 10):g}%", f"{value:g} means {value:g}%")
    answer = answer_of(ctx, key)
    if answer is None:
        likely = 0
        typical = statistics.median(abs(f.reading.value) for f in own) if own else None
        if typical:
            scaled, kept = (abs(math.log(abs(v) / typical)) for v in (value * 100, value))
            likely = 0 if scaled <= kept else 1
        ctx.interp.ask(
            Question(
                key,
                f"{subject}: {value:g} has no percent format, but {' and '.join(evidence)}. "
                f"Is {value:g} a fraction ({round(value * 100, 10):g}%) or {value:g}%?",
                choices,
                likely=choices[likely],
                cells=_cells(series),
                **_where(first),
            )
        )
        return
    scale = _pick(answer, choices, ("fraction", "as written"), key) == 0
    for f in plain:
        if abs(f.cell) <= 1:
            number = round(f.cell * 100, 10) if scale else float(f.cell)
            f.reading = replace(f.reading, value=number, unit="%")
            f.unit_from = f"the answer to [{key}]"
    ctx.interp.decide("unit", subject, answer, f"the answer to [{key}]", **_where(first))


_MEANS = re.compile(r"^\s*(?P<a>[-\d.e+]+)\s+means\s+(?P<b>[-\d.e+]+)\s*%\s*$", re.I)


def _pick(answer: str, choices: tuple[str, ...], words: tuple[str, ...], key: str) -> int:
    """Which choice an answer means: the choice itself, or its word ('count', 'first')."""
    text = answer.strip().lower()
    for i, choice in enumerate(choices):
        if text == choice.lower():
            return i
    means = _MEANS.match(text)  # a remembered "0.08 means 8%" from an earlier file
    if means and len(choices) == 2:
        return 1 if float(means["a"]) == float(means["b"]) else 0
    for i, word in enumerate(words):
        if word in text:
            return i
    raise MappingError(
        f"The answer '{answer}' to [{key}] is not one of: {'; '.join(choices)}. "
        "Give one of those choices."
    )


def _cells(series: list[Figure]) -> tuple[str, ...]:
    return tuple(
        f"{f.source_column}{f.source_row}: {f.written}" for f in series if f.cell is not None
    )


def _where(f: Figure) -> dict[str, object]:
    return {"sheet": f.source_sheet, "row": f.source_row - 1, "column": f.column}


# Two figures never claim the same indicator, area, breakdown and period.
def _settle_collisions(figures: list[Figure], ctx: Context, own_area: str) -> list[LoadWarning]:
    warnings: list[LoadWarning] = []
    for _ in range(len(figures)):  # each pass names one group apart; it ends long before
        renamed = False
        for group in _collisions(figures):
            key = _telling_tag(group)
            if key is not None:
                name = group[0].indicator
                for f in figures:
                    if f.indicator == name and not f.dropped and key in f.tags:
                        f.indicator = f"{name} ({series_suffix(f.tags[key])})"
                ctx.interp.decide(
                    "series", f"indicator '{name}'", f"told apart by '{key}'",
                    f"{', '.join(f.ref for f in group)} claim one period; their '{key}' differs",
                )  # fmt: skip
                renamed = True
                break
            if len({(f.reading.value, f.reading.unit, f.reading.marker) for f in group}) == 1:
                for f in group[1:]:
                    f.dropped = True
                    warnings.append(
                        LoadWarning(
                            f"the same figure as {group[0].ref}; loaded once.",
                            f.source_sheet,
                            f.source_row - 1,
                            f.column,
                        )
                    )
        if not renamed:
            break
    for group in _collisions(figures):
        _conflict(group, ctx, own_area)
    return warnings


def _collisions(figures: list[Figure]) -> list[list[Figure]]:
    places: dict[tuple, list[Figure]] = defaultdict(list)
    for f in figures:
        if not f.dropped:
            places[(f.indicator, f.area, f.breakdown, f.period.label)].append(f)
    return [group for group in places.values() if len(group) > 1]


def _telling_tag(group: list[Figure]) -> str | None:
    """A text the colliding figures all have, different for each: it tells them apart."""
    for key in group[0].tags:
        values = [f.tags.get(key) for f in group]
        if None not in values and len(set(values)) == len(values):
            return key
    return None


def _conflict(group: list[Figure], ctx: Context, own_area: str) -> None:
    first, last = group[0], group[-1]
    where = (first.area or own_area) + (f" '{first.breakdown}'" if first.breakdown else "")
    key = f"conflict '{first.indicator}' {where} {first.period.label}"
    choices = (
        f"keep the first (cell {first.ref})",
        f"keep the last (cell {last.ref})",
        "skip both" if len(group) == 2 else "skip all",
    )
    answer = answer_of(ctx, key)
    if answer is None:
        cells = tuple(f"{f.ref}: {f.written}" for f in group)
        ctx.interp.ask(
            Question(
                key,
                f"{len(group)} figures claim '{first.indicator}' for {where}, "
                f"{first.period.label}: {'; '.join(cells)}. Which one is right?",
                choices,
                cells=cells,
                **_where(first),
            )
        )
        return
    keep = [first, last, None][_pick(answer, choices, ("first", "last", "skip"), key)]
    for f in group:
        f.dropped = f is not keep
    kept = f"kept {keep.ref}" if keep else "skipped all"
    ctx.interp.decide("conflict", key, kept, f"the answer to [{key}]", **_where(first))


def _decide_units(figures: list[Figure], interp: Interpretation) -> None:
    """Each series' unit, with the cell or header it came from."""
    series: dict[str, list[Figure]] = defaultdict(list)
    for f in figures:
        if not f.dropped:
            series[f.indicator].append(f)
    for name, group in series.items():
        found = next((f for f in group if f.reading.unit), None)
        if found is None:
            interp.decide(
                "unit", f"indicator '{name}'", "number", "no unit in its cells or headers"
            )
            continue
        evidence = (
            found.unit_from or f"cell {found.source_column}{found.source_row} '{found.written}'"
        )
        interp.decide("unit", f"indicator '{name}'", found.reading.unit, evidence,
                      sheet=found.source_sheet)  # fmt: skip
