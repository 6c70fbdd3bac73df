"""Turn one sheet of cells into KPI figures: wide, long and breakdown tables, several a sheet."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from loaders.errors import LoadWarning, column_letter
from loaders.metric_vocabulary import (
    benchmark_area,
    is_target_label,
    metric_field,
    polarity_of,
    unit_label,
)
from loaders.numbers import Reading, read_value
from loaders.periods import Period, financial_year, financial_year_in, parse_period
from loaders.readers.sheet import Sheet
from loaders.text import cell_text

# A wide table needs this many period columns (or one beside a benchmark or target).
MIN_PERIOD_COLUMNS = 2
# How far below a breakdown table's header to look for the numbers that make it one.
BREAKDOWN_LOOKAHEAD = 3


@dataclass
class Figure:
    indicator: str
    area: str | None  # None: the file's own council
    area_kind: str | None
    breakdown: str | None
    period: Period
    reading: Reading
    source_sheet: str
    source_row: int  # 1-based
    source_column: str  # letter

    @property
    def is_benchmark(self) -> bool:
        return self.area_kind in ("national", "region", "benchmark group")


@dataclass
class TargetFigure:
    indicator: str
    period_label: str | None  # None: a standing target
    target: float
    source_sheet: str
    source_row: int
    source_column: str


@dataclass
class IndicatorInfo:
    unit: str | None = None
    polarity: str | None = None
    description: str | None = None


@dataclass
class SheetMetrics:
    sheet: str
    figures: list[Figure] = field(default_factory=list)
    targets: list[TargetFigure] = field(default_factory=list)
    info: dict[str, IndicatorInfo] = field(default_factory=dict)
    warnings: list[LoadWarning] = field(default_factory=list)
    tables: int = 0


@dataclass
class _Column:
    """What one column of a table holds."""

    col: int
    period: Period | None = None
    area: str | None = None
    area_kind: str | None = None
    unit: str | None = None
    measure: str | None = None  # breakdown tables: the measure this column is
    is_target: bool = False
    assumed: bool = False  # a benchmark column with no year, taken as the latest period


def _text(value: object) -> str | None:
    return cell_text(value) if value is not None else None


def _unit_in_label(label: str) -> str | None:
    if "%" in label or "percent" in label.lower() or "rate" in label.lower():
        return "%"
    if "£" in label:
        return "£"
    return None


class _SheetParser:
    def __init__(self, sheet: Sheet) -> None:
        self.sheet = sheet
        self.out = SheetMetrics(sheet.name)
        self.context: list[str] = []  # text lines since the last table: titles carry years
        self.sheet_year: int | None = None
        self.end = 0

    def warn(self, message: str, row: int | None = None, col: int | None = None) -> None:
        self.out.warnings.append(LoadWarning(message, self.sheet.name, row, col))

    def year(self) -> int | None:
        for line in reversed(self.context):
            found = financial_year_in(line)
            if found is not None:
                return found
        return self.sheet_year

    def title(self) -> str | None:
        return self.context[-1] if self.context else None

    def run(self) -> SheetMetrics | None:
        rows = self.sheet.rows
        r = 0
        while r < len(rows):
            cells = rows[r]
            if not any(v is not None for v in cells):
                r += 1
                continue
            end = self._try_table(r)
            if end is not None:
                self.out.tables += 1
                r = end
                continue
            texts = [t for t in (_text(v) for v in cells) if t]
            line = " ".join(texts)
            self.context.append(line)
            if self.sheet_year is None:
                self.sheet_year = financial_year_in(line)
            r += 1
        return self.out if self.out.tables else None

    def _try_table(self, r: int) -> int | None:
        cells = self.sheet.rows[r]
        named = ((metric_field(v), c) for c, v in reversed(list(enumerate(cells))))
        fields = {field: c for field, c in named if field}
        if {"indicator", "period", "value"} <= fields.keys():
            return self._long(r, fields)
        wide = self._wide_columns(r)
        if wide is not None:
            for col in wide[1]:
                if col.assumed:
                    label = _text(cells[col.col])
                    self.warn(
                        f"column '{label}' names no year; taken as {col.period.label}.", r, col.col
                    )
            return self._wide(r, *wide)
        if "breakdown" in fields:
            return self._breakdown(r, fields)
        return None

    # Where a table's rows end: at the next table, never at a sub-heading or spacer row.
    def _rows(self, start: int, value_cols: list[int]) -> Iterator[int]:
        """Data rows of a table from ``start``; label-only rows become context. Sets self.end."""
        rows = self.sheet.rows
        self.context = []
        r, after_blank = start, False
        while r < len(rows):
            cells = rows[r]
            if all(v is None for v in cells):
                r, after_blank = r + 1, True
                continue
            if self._starts_table(r, value_cols):
                break
            if not any(_is_figure(cells, c) for c in value_cols):
                # A title or sub-heading. After a blank row it opens the next table unless
                # figures for this table's columns follow it.
                if after_blank and not self._figures_follow(r + 1, value_cols):
                    break
                label = " ".join(t for t in (_text(v) for v in cells) if t)
                self.context.append(label)
                r, after_blank = r + 1, False
                continue
            after_blank = False
            yield r
            r += 1
        self.end = r

    def _starts_table(self, r: int, value_cols: list[int]) -> bool:
        """A header row: long-table fields, periods written as text, a unit sub-header
        below it, or words where this table has figures."""
        cells = self.sheet.rows[r]
        fields = {metric_field(v) for v in cells} - {None}
        if {"indicator", "period", "value"} <= fields or self._wide_columns(
            r, strict=True
        ) is not None:
            return True
        if r + 1 < len(self.sheet.rows) and _unit_row(self.sheet.rows[r + 1]):
            return True
        words = sum(
            1
            for c in value_cols
            if c < len(cells) and isinstance(cells[c], str) and not _is_figure(cells, c)
        )
        return words >= 2

    def _figures_follow(self, r: int, value_cols: list[int]) -> bool:
        rows = self.sheet.rows
        while r < len(rows) and all(v is None for v in rows[r]):
            r += 1
        if r >= len(rows) or self._starts_table(r, value_cols):
            return False
        return any(_is_figure(rows[r], c) for c in value_cols)

    # Long tables: indicator, period, value and optional target, polarity, area, ...
    def _long(self, r: int, fields: dict[str, int]) -> int:
        year = self.year()
        value_cols = [
            c
            for name, c in fields.items()
            if name in ("value", "target", "numerator", "denominator")
        ]
        for row in self._rows(r + 1, value_cols):
            cells = self.sheet.rows[row]
            get = {name: (cells[c] if c < len(cells) else None) for name, c in fields.items()}
            indicator = _text(get["indicator"])
            if not indicator:
                self.warn("a figure with no indicator name; row skipped.", row, fields["indicator"])
                continue
            period = parse_period(get["period"], year)
            if period is None:
                self.warn(
                    f"period '{_text(get['period'])}' is not a period this loader reads; row "
                    "skipped. Write it like 2016/17, Q1 2016/17, Apr 2017 or 2017.",
                    row,
                    fields["period"],
                )
                continue
            info = self.out.info.setdefault(indicator, IndicatorInfo())
            info.polarity = polarity_of(get.get("polarity")) or info.polarity
            reading = _with_unit(self._read(row, fields["value"]), _text(get.get("unit")))
            if "numerator" in fields or "denominator" in fields:
                reading = replace(
                    reading,
                    numerator=read_value(get.get("numerator")).value,
                    denominator=read_value(get.get("denominator")).value,
                )
            area, area_kind = _area_of(_text(get.get("area")))
            breakdown = _text(get.get("breakdown"))
            self._figure(
                indicator, area, area_kind, breakdown, period, reading, row, fields["value"]
            )
            if "target" in fields:
                self._target(indicator, period.label, row, fields["target"])
        return self.end

    # Wide tables: a row per indicator (or breakdown) and a column per period.
    def _wide_columns(self, r: int, strict: bool = False) -> tuple[int, list[_Column]] | None:
        """The columns of a wide table whose header is row r; ``strict`` (inside another
        table) ignores numbers, which there are figures rather than years."""
        cells = self.sheet.rows[r]
        year = self.year()
        columns: list[_Column] = []
        label_col = None
        for c, value in enumerate(cells):
            label = _text(value)
            if label is None or (strict and isinstance(value, int | float)):
                continue
            period = parse_period(value, year)
            if period is not None:
                columns.append(_Column(c, period=period, unit=_unit_in_label(label)))
                continue
            bench = benchmark_area(label)
            embedded = _period_in_label(label, year)
            if bench and not is_target_label(label):
                columns.append(_Column(c, period=embedded, area=bench[0], area_kind=bench[1]))
            elif is_target_label(label):
                columns.append(_Column(c, period=embedded, is_target=True))
            elif label_col is None and not columns:
                label_col = c
        periods = [col for col in columns if col.period and not col.area and not col.is_target]
        beside_benchmark = not strict and periods and len(columns) > len(periods)
        if len(periods) < MIN_PERIOD_COLUMNS and not beside_benchmark:
            return None
        latest = max((col.period for col in periods), key=lambda p: p.end)
        for col in columns:
            if col.period is None and not col.is_target:
                col.period, col.assumed = latest, True
        return (label_col if label_col is not None else 0), self._with_sub_header(r, columns)

    def _with_sub_header(self, r: int, columns: list[_Column]) -> list[_Column]:
        """Two-row headers: a year over 'Number' and '%' becomes one column per unit."""
        if r + 1 >= len(self.sheet.rows) or not _unit_row(self.sheet.rows[r + 1]):
            return columns
        units = {
            c: unit_label(v)[1] for c, v in enumerate(self.sheet.rows[r + 1]) if unit_label(v)[0]
        }
        by_col = {col.col: col for col in columns}
        expanded, current = [], None
        for c in range(min(by_col), max(units) + 1):
            current = by_col.get(c, current)
            if c in units and current is not None:
                expanded.append(replace(current, col=c, unit=units[c] or "number"))
        return expanded

    def _wide(self, r: int, label_col: int, columns: list[_Column]) -> int:
        header = self.sheet.rows[r]
        breakdown_rows = (
            metric_field(header[label_col] if label_col < len(header) else None) == "breakdown"
        )
        title = self.title() or self.sheet.name
        two_row = any(col.unit == "number" for col in columns)
        side = {
            metric_field(v): c
            for c, v in enumerate(header)
            if metric_field(v) in ("polarity", "unit")
        }
        value_cols = [col.col for col in columns]
        for row in self._rows(r + (2 if two_row else 1), value_cols):
            cells = self.sheet.rows[row]
            label = _text(cells[label_col]) if label_col < len(cells) else None
            if not label:
                self.warn(
                    "figures with no indicator name beside them; row skipped.", row, label_col
                )
                continue
            indicator, breakdown = (title, label) if breakdown_rows else (label, None)
            info = self.out.info.setdefault(indicator, IndicatorInfo())
            if "polarity" in side and side["polarity"] < len(cells):
                info.polarity = polarity_of(cells[side["polarity"]]) or info.polarity
            unit = (
                _text(cells[side["unit"]]) if "unit" in side and side["unit"] < len(cells) else None
            )
            for col in columns:
                name = f"{indicator} (%)" if two_row and col.unit == "%" else indicator
                if col.is_target:
                    self._target(name, col.period.label if col.period else None, row, col.col)
                    continue
                reading = _with_unit(
                    self._read(row, col.col), unit or (col.unit if col.unit != "number" else None)
                )
                self._figure(
                    name, col.area, col.area_kind, breakdown, col.period, reading, row, col.col
                )
        return self.end

    # Breakdown tables: a row per team or type, a column per measure (and maybe a year).
    def _breakdown(self, r: int, fields: dict[str, int]) -> int | None:
        rows, header = self.sheet.rows, self.sheet.rows[r]
        label_cols = [c for c, v in enumerate(header) if metric_field(v) == "breakdown"]
        period_col = fields.get("period")
        measures = [
            c
            for c, v in enumerate(header)
            if v is not None and c not in label_cols and c != period_col and metric_field(v) is None
        ]
        sample = rows[r + 1 : r + 1 + BREAKDOWN_LOOKAHEAD]
        numeric = [c for c in measures if any(_is_figure(row, c) for row in sample)]
        if not numeric:
            return None
        label_cols = sorted(label_cols + [c for c in measures if c not in numeric])
        fallback = self._title_period()
        year = self.year()
        for row in self._rows(r + 1, numeric):
            cells = rows[row]
            parts = [_text(cells[c]) for c in label_cols if c < len(cells) and cells[c] is not None]
            breakdown = " / ".join(p for p in parts if p) or None
            period = parse_period(cells[period_col], year) if period_col is not None else fallback
            if period is None:
                self.warn(
                    "no period for this row: add a Year column or a year in the table's title.",
                    row,
                    period_col,
                )
                continue
            for c in numeric:
                measure = _text(header[c]) or column_letter(c)
                reading = _with_unit(self._read(row, c), _unit_in_label(measure))
                self._figure(measure, None, None, breakdown, period, reading, row, c)
        return self.end

    def _title_period(self) -> Period | None:
        """The period a table's own title names ("... 2016-17", "... 2017"), else the sheet's."""
        for line in reversed(self.context):
            start = financial_year_in(line)
            if start is not None:
                return financial_year(start)
            for word in line.split():
                period = parse_period(word)
                if period is not None and period.type == "calendar_year":
                    return period
        return financial_year(self.sheet_year) if self.sheet_year is not None else None

    def _read(self, r: int, c: int) -> Reading:
        reading = read_value(self.sheet.value(r, c), self.sheet.number_formats.get((r, c)))
        if reading.problem:
            self.warn(
                f"{reading.problem}; loaded as missing. Enter a number, a percentage or leave it blank.",
                r,
                c,
            )
        return reading

    def _figure(self, indicator, area, area_kind, breakdown, period, reading, r, c) -> None:
        self.out.figures.append(
            Figure(
                indicator,
                area,
                area_kind,
                breakdown,
                period,
                reading,
                self.sheet.name,
                r + 1,
                column_letter(c),
            )
        )
        info = self.out.info.setdefault(indicator, IndicatorInfo())
        if info.unit is None and reading.unit:
            info.unit = reading.unit

    def _target(self, indicator: str, period_label: str | None, r: int, c: int) -> None:
        reading = self._read(r, c)
        if reading.value is not None:
            self.out.targets.append(
                TargetFigure(
                    indicator, period_label, reading.value, self.sheet.name, r + 1, column_letter(c)
                )
            )


def _area_of(name: str | None) -> tuple[str | None, str | None]:
    """An area column's value with its kind; England and the neighbour average by one name."""
    if name is None:
        return None, None
    bench = benchmark_area(name)
    if bench is None:
        return name, "council"
    return (name if bench[1] == "region" else bench[0]), bench[1]


def _period_in_label(label: str, year: int | None) -> Period | None:
    """The period inside a column label such as 'Statistical Neighbour Average 2015/16'."""
    start = financial_year_in(label)
    if start is not None:
        return financial_year(start)
    for word in reversed(label.replace("(", " ").replace(")", " ").split()):
        period = parse_period(word, year)
        if period is not None:
            return period
    return None


def _is_figure(cells: list[object], c: int) -> bool:
    """A number, a readable figure or a missing-value marker (not a word)."""
    if c >= len(cells) or cells[c] is None:
        return False
    reading = read_value(cells[c])
    return reading.value is not None or reading.marker is not None


def _unit_row(cells: list[object]) -> bool:
    """A sub-header of units ('Number', '%') under a row of years."""
    return sum(unit_label(v)[0] for v in cells) >= 2


def _with_unit(reading: Reading, unit: str | None) -> Reading:
    return replace(reading, unit=unit) if reading.unit is None and unit else reading


def parse_metric_sheet(sheet: Sheet) -> SheetMetrics | None:
    """The KPI figures on a sheet, or None when it holds no KPI table."""
    return _SheetParser(sheet).run()
