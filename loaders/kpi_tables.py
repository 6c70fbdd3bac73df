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

from loaders.councils import identify_area
from loaders.errors import LoadWarning
from loaders.interpret import Interpretation, MappingError, Question
from loaders.metric_sheet import Figure, IndicatorInfo, SheetMetrics, TargetFigure, answer_of
from loaders.metric_vocabulary import names_what_is_counted, says_percent, series_suffix, unit_of
from loaders.numbers import is_percent_format, is_plain_number, percent_in_cell, read_value
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


def from_sheets(
    results: list[SheetMetrics], own_area: str, interp: Interpretation | None = None,
    warnings: list[LoadWarning] | None = None,
) -> MetricTables:  # fmt: skip
    """Gather the figures of every sheet; figures with no area are the file's own council.
    What the councils table says of an area is decided in ``interp``, doubts warned."""
    warnings = warnings if warnings is not None else []
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
    area_table = _area_table(figures, own_area, interp, warnings)
    return MetricTables(figure_table, target_table, indicator_table, area_table)


def _area_table(
    figures: list[Figure], own_area: str, interp: Interpretation | None,
    warnings: list[LoadWarning],
) -> pa.Table:  # fmt: skip
    """Each area with its kind and code; a council the councils table knows (by its E-code,
    else its name) takes its 3-digit code from there, so neighbours join to it. Its region is
    left to the files that state one: a region taken from the table would replace the one a
    national data set gives ("London (Outer)", LAIT's) with the table's ("London")."""
    areas: dict[str, list[str | None]] = (
        {own_area: ["council", None]} if any(f.area is None for f in figures) else {}
    )
    for f in figures:
        if f.area is not None:
            known = areas.setdefault(f.area, [f.area_kind or "council", f.area_code])
            known[1] = known[1] or f.area_code
    old_codes = []
    for area, (kind, code) in areas.items():
        found = identify_area(code, area) if kind == "council" else None
        council = found.council if found else None
        old_codes.append(council.old_la_code if council else None)
        if found and found.contradiction:
            taken = (
                f"its council is taken from {found.evidence}" if council
                else "it is not joined to either council's neighbours"
            )  # fmt: skip
            warnings.append(
                LoadWarning(
                    f"area '{area}': {found.contradiction}; the file's code is kept and {taken}."
                )
            )
        if council and interp is not None:
            interp.decide(
                "area", f"area '{area}'",
                f"council {council.old_la_code} {council.la_name}",
                f"{found.evidence}, in the councils table",
            )  # fmt: skip
    return pa.table(
        {
            "area": list(areas),
            "kind": [kind for kind, _ in areas.values()],
            "code": [code for _, code in areas.values()],
            "old_code": old_codes,
            "region": [None] * len(areas),
        },
        schema=AREA_SCHEMA,
    )


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
    tables = from_sheets(results, own_area, ctx.interp if ctx else None, warnings)
    return tables, warnings


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
    targets = [t for result in results for t in result.targets]
    _split_series(figures, ctx)
    _units_from_names(figures)
    _check_units(figures, targets, ctx)
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
        # A unit column tells series apart where it names different units for one measure:
        # '%' on some rows and 'Persons' (what is counted: a count) on others.
        units: dict[str | None, set[str | None]] = defaultdict(set)
        for f in group:
            if "unit" in f.tags:
                units[f.tags.get("measure")].add(_unit_meaning(f.tags["unit"]))
        if any(len(us) > 1 and None not in us for us in units.values()):
            keys.append("unit")
        if not keys:
            continue
        for f in group:
            parts = [_suffix(k, f.tags[k]) for k in keys if k in f.tags]
            if parts:
                f.indicator = f"{name} ({', '.join(dict.fromkeys(parts))})"
        values = list(dict.fromkeys(f.tags[k] for f in group for k in keys if k in f.tags))
        ctx.interp.decide(
            "series", f"indicator '{name}'",
            "; ".join(dict.fromkeys(f.indicator for f in group)),
            f"its {' and '.join(keys)} ({', '.join(repr(v) for v in values)}) tells series apart",
        )  # fmt: skip


def _unit_meaning(text: str) -> str | None:
    """What a unit cell says of its figures: its unit, 'count' for what is counted
    ('Persons'), None for a word that is neither."""
    return unit_of(text) or ("count" if names_what_is_counted(text) else None)


def _suffix(key: str, text: str) -> str:
    """How a measure or unit names its series; a unit naming what is counted is a count."""
    return "count" if key == "unit" and names_what_is_counted(text) else series_suffix(text)


_BY_NAME = "the name '{}'"


def _units_from_names(figures: list[Figure]) -> None:
    """A series whose name says '%' ('Care leavers in EET (%)') is in %, where no cell,
    header or unit column says its unit."""
    for f in figures:
        if f.reading.unit is None and "%" in f.indicator:
            f.reading = replace(f.reading, unit="%")
            f.unit_from = _BY_NAME.format(f.indicator)


# Values that contradict their row: asked, never stored silently. The answer applies to
# every figure of the row or series in that unit: its benchmarks and its targets too.
def _check_units(figures: list[Figure], targets: list[TargetFigure], ctx: Context) -> None:
    lines: dict[tuple[str, str], list[Figure]] = defaultdict(list)
    for f in figures:
        lines[(f.source_sheet, f.line or f"'{f.indicator}'")].append(f)
    following: dict[int, list[TargetFigure]] = defaultdict(list)
    for t in targets:
        if t.follows is not None:
            following[id(t.follows)].append(t)
    for (sheet, line), group in lines.items():
        names = list(dict.fromkeys(f.indicator for f in group))
        for name in names:
            series = [f for f in group if f.indicator == name]
            aims = [t for f in series for t in following.get(id(f), ())]
            key = f"unit '{sheet}'!{line}" + (f" '{name}'" if len(names) > 1 else "")
            subject = f"{line[0].upper()}{line[1:]}" + (f" ('{name}')" if series[0].line else "")
            if not _counts_as_percent(series, aims, key, subject, ctx):
                _fraction_as_percent(series, aims, key, subject, ctx)


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _cell_number(value: object) -> float | None:
    """The number a cell holds as a number, or as text that is only a number (a CSV)."""
    if _number(value):
        return float(value)
    return read_value(value).value if is_plain_number(value) else None


Entry = Figure | TargetFigure  # a figure of a row, or its target


def _rescale(entry: Entry, value: float, unit: str | None, evidence: str | None) -> None:
    if isinstance(entry, TargetFigure):
        entry.target = value
        return
    entry.reading = replace(entry.reading, value=value, unit=unit)
    entry.unit_from = evidence


def _counts_as_percent(
    series: list[Figure], targets: list[TargetFigure], key: str, subject: str, ctx: Context
) -> bool:
    """Referrals 19 formatted 0% reads 1900%: a count, when the row says nothing of %."""
    numbers: list[Entry] = [e for e in [*series, *targets] if _number(e.cell)]
    formatted = [e for e in numbers if is_percent_format(e.number_format)]
    suspects = [
        e for e in formatted if float(e.cell).is_integer() and abs(e.cell) >= COUNT_AS_PERCENT_FROM
    ]
    if not suspects:
        return False
    percent_ids = {id(e) for e in formatted}
    plain = [e for e in numbers if id(e) not in percent_ids and float(e.cell).is_integer()]
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
                cells=_cells(series, targets),
                **_where(first),
            )
        )
        return True
    if _pick(answer, choices, ("count", "percent"), key) == 0:
        for e in formatted:
            _rescale(e, float(e.cell), None, None)
    ctx.interp.decide("unit", subject, answer, f"the answer to [{key}]", **_where(first))
    return True


def _fraction_as_percent(
    series: list[Figure], targets: list[TargetFigure], key: str, subject: str, ctx: Context
) -> None:
    """0.08 with no percent format in a row of percentages (or its target): 8%, or 0.08%?"""
    plain = [
        (e, number)
        for e in [*series, *targets]
        if (number := _cell_number(e.cell)) is not None and not is_percent_format(e.number_format)
    ]
    suspects = [e for e, number in plain if 0 < abs(number) < 1]
    if not suspects:
        return
    own = [f for f in series if percent_in_cell(f.cell, f.number_format) and f.reading.value]
    evidence = []
    if says_percent(series[0].base):
        evidence.append(f"the name '{series[0].base}' says it is a percentage")
    if own:
        evidence.append(f"other cells read {', '.join(f'{f.reading.value:g}%' for f in own[:3])}")
    told = [
        f.unit_from
        for f in suspects
        if isinstance(f, Figure) and f.reading.unit == "%" and f.unit_from
        and f.unit_from != _BY_NAME.format(f.indicator)  # the name is said above
    ]  # fmt: skip
    if told:
        evidence.append(f"{told[0]} says %")
    if not evidence:
        return
    first = suspects[0]
    value = _cell_number(first.cell)
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
                cells=_cells(series, targets),
                **_where(first),
            )
        )
        return
    scale = _pick(answer, choices, ("fraction", "as written"), key) == 0
    for e, number in plain:
        if abs(number) <= 1:
            _rescale(e, round(number * 100, 10) if scale else number, "%", f"the answer to [{key}]")
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


def _cells(series: list[Figure], targets: list[TargetFigure] = ()) -> tuple[str, ...]:
    figures = tuple(
        f"{f.source_column}{f.source_row}: {f.written}" for f in series if f.cell is not None
    )
    return figures + tuple(
        f"{t.source_column}{t.source_row}: {t.written} (target)" for t in targets
    )


def _where(f: Entry) -> dict[str, object]:
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
