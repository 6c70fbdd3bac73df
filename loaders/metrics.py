"""Turn one sheet of cells into KPI figures: wide, long and breakdown tables, several a sheet.

Every cell of a table found is marked as a figure or as not stored for a reason (header,
label, title, note, blank ...), so the import can account for each one; each choice on the
way is a decision with its evidence, and a choice that is not certain is a question.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from loaders.errors import LoaderError, cell_name, column_letter
from loaders.interpret import MappingError, Question
from loaders.metric_sheet import (
    Figure,
    IndicatorInfo,
    SheetMetrics,
    SheetReader,
    is_figure,
    mostly_figures,
    quoted,
)
from loaders.metric_vocabulary import (
    UNIT_CHOICES,
    area_code,
    area_kind_of_code,
    benchmark_area,
    is_ambiguous_unit,
    is_target_label,
    metric_field,
    names_what_is_counted,
    polarity_of,
    unit_label,
    unit_of,
)
from loaders.numbers import is_plain_number
from loaders.periods import Period, financial_year, financial_year_in, parse_period
from loaders.readers.sheet import Sheet
from loaders.text import cell_text

if TYPE_CHECKING:
    from loaders.layouts.base import Context

# A wide table needs this many period columns (or one beside a benchmark or target).
MIN_PERIOD_COLUMNS = 2
# How many rows below a would-be header are looked at to tell a header from a record.
PERIOD_LOOKAHEAD = 4
# How many rows below a header are sampled to tell a column of numbers from a column of
# labels ("Staff group" holding 26 and 15.5 is a measure, not part of a row's label).
COLUMN_SAMPLE_ROWS = 200


@dataclass
class _Column:
    """What one column of a table holds."""

    col: int
    period: Period | None = None
    area: str | None = None
    area_kind: str | None = None
    unit: str | None = None
    is_target: bool = False
    assumed: bool = False  # a benchmark column with no year, taken as the latest period


def unit_in_label(label: str) -> str | None:
    """The unit a header or indicator name implies: '%', 'rate' -> %, 'per 10,000', '£'."""
    per = re.search(r"\bper\s+[\d,]+", label, re.I)
    if per:
        return unit_of(per.group(0))
    if "%" in label or "percent" in label.lower() or "rate" in label.lower():
        return "%"
    if "£" in label:
        return "£"
    return None


class _SheetParser(SheetReader):
    def __init__(self, sheet: Sheet, ctx: Context | None = None) -> None:
        super().__init__(sheet, ctx)
        self.context: list[str] = []  # text lines since the last table: titles carry years
        self._year_seen: tuple[list[str] | None, int, int | None] = (None, 0, None)
        self.sheet_year: int | None = None
        self.end = 0
        self.last = 0  # the last row of the table being read that held figures

    def year(self) -> int | None:
        """The year the latest context line names, else the sheet's. Asked for every row, so
        only lines added since the last call are read (the context only grows or restarts)."""
        context = self.context
        seen_list, seen, found = self._year_seen
        if seen_list is not context or seen > len(context):
            seen, found = 0, None
        for line in reversed(context[seen:]):
            year = financial_year_in(line)
            if year is not None:
                found = year
                break
        self._year_seen = (context, len(context), found)
        return found if found is not None else self.sheet_year

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
                r = end
                continue
            line = " ".join(t for t in (cell_text(v) for v in cells) if t)
            self.context.append(line)
            self.pending.append(r)
            if self.sheet_year is None:
                self.sheet_year = financial_year_in(line)
            r += 1
        return self.finish()

    def _try_table(self, r: int) -> int | None:
        cells = self.sheet.rows[r]
        fields = _fields(cells)
        if {"period", "value"} <= fields.keys() and "indicator" not in fields:
            unnamed = self._unnamed_indicator(r, fields)
            if unnamed is not None:
                fields = {**fields, "indicator": unnamed}
        if {"indicator", "period", "value"} <= fields.keys():
            return self._long(r, fields)
        wide = self._wide_columns(r)
        if wide is not None:
            return self._wide(r, *wide)
        if "breakdown" in fields:
            return self._breakdown(r, fields)
        return None

    def _unnamed_indicator(self, r: int, fields: dict[str, int]) -> int | None:
        """A long table's header naming Period and Value but no indicator: a column with no
        header and text below may be its indicators. Asked, never assumed (the table is read
        only once the officer says so); None when there is no such column."""
        cells = self.sheet.rows[r]
        blank = [
            c for c in range(len(cells))
            if cells[c] is None and c not in fields.values()
            and any(isinstance(self.sheet.value(b, c), str) for b in range(r + 1, r + 4))
        ]  # fmt: skip
        if not blank:
            return None
        c = blank[0]
        key = f"indicator column '{self.sheet.name}'!{column_letter(c)}"
        answer = self.answer(key)
        if answer == "indicator":
            self.decide(
                "column", f"column {column_letter(c)}", "indicator", f"the answer to [{key}]",
                row=r, column=c,
            )  # fmt: skip
            return c
        if answer is None:
            sample = [cell_text(self.sheet.value(b, c)) for b in range(r + 1, r + 4)]
            self.ask(
                Question(
                    key,
                    f"Row {r + 1} heads a table with Period and Value columns, but column "
                    f"{column_letter(c)} has no header. Does it hold the indicator names?",
                    ("indicator", "no"),
                    likely="indicator",
                    cells=tuple(t for t in sample if t),
                    sheet=self.sheet.name,
                    row=r,
                    column=c,
                )
            )
            return c if self.ctx is None else None  # detecting: it is a table; reading: ask
        raise LoaderError(
            f"Row {r + 1} heads a table with Period and Value columns but no indicator column. "
            "Add a header such as 'Indicator' above the column of indicator names.",
            sheet=self.sheet.name,
            row=r,
        )

    # Where a table's rows end: at the next table, never at a sub-heading or spacer row.
    def _rows(
        self, start: int, value_cols: list[int], named: Callable[[int], bool] | None = None
    ) -> Iterator[int]:
        """Data rows of a table from ``start``; label-only rows become context (sub-headings
        when figures follow them, notes when none do) unless ``named`` says the row names a
        figure whose cell is blank. Sets self.end and self.last."""
        rows = self.sheet.rows
        self.context = []
        self.last = start - 1
        inner: list[int] = []
        r, after_blank = start, False
        while r < len(rows):
            cells = rows[r]
            if all(v is None for v in cells):
                r, after_blank = r + 1, True
                continue
            if self._starts_table(r, value_cols, named):
                break
            if not any(is_figure(cells, c) for c in value_cols) and not (named and named(r)):
                # A title or sub-heading. After a blank row it opens the next table unless
                # figures for this table's columns follow it.
                if after_blank and not self._figures_follow(r + 1, value_cols):
                    break
                label = " ".join(t for t in (cell_text(v) for v in cells) if t)
                self.context.append(label)
                inner.append(r)
                r, after_blank = r + 1, False
                continue
            after_blank = False
            for i in inner:
                self.mark_row(i, "title")
            inner = []
            self.last = r
            yield r
            r += 1
        for i in inner:
            self.mark_row(i, "note")
        self.end = r

    def _starts_table(
        self, r: int, value_cols: list[int], named: Callable[[int], bool] | None = None
    ) -> bool:
        """A header row: long-table fields, periods written as text, a unit sub-header
        below it, or words where this table has figures. A row ``named`` as a record of
        this table (an indicator and a period) is never a header over units: a record
        whose measure and unit read 'Percentage', '%' is not a sub-header."""
        cells = self.sheet.rows[r]
        if {"indicator", "period", "value"} <= _fields(cells).keys() or self._wide_columns(
            r, strict=True
        ) is not None:
            return True
        below = self.sheet.rows[r + 1] if r + 1 < len(self.sheet.rows) else None
        if below is not None and _unit_row(below) and not (named and named(r)):
            return True
        words = sum(
            1
            for c in value_cols
            if c < len(cells) and isinstance(cells[c], str) and not is_figure(cells, c)
        )
        return words >= 2

    def _figures_follow(self, r: int, value_cols: list[int]) -> bool:
        rows = self.sheet.rows
        while r < len(rows) and all(v is None for v in rows[r]):
            r += 1
        if r >= len(rows) or self._starts_table(r, value_cols):
            return False
        return any(is_figure(rows[r], c) for c in value_cols)

    def _columns(
        self, r: int, named: dict[int, str], data: list[int], taken: Collection[int] = ()
    ) -> list[int]:
        """Decide the named columns' roles and find the other text columns: labels that may
        tell series apart. Figures under an unknown header are left for ``close_table``."""
        header = self.sheet.rows[r]
        texts = []
        for c, value in enumerate(header):
            if (
                value is None
                or c in named
                or c in taken
                or mostly_figures(self.sheet.rows, data, c)
            ):
                continue
            texts.append(c)
            self.decide(
                "column", f"column {column_letter(c)}", "label (may tell series apart)",
                f"header '{cell_text(value)}', text in its cells", row=r, column=c,
            )  # fmt: skip
        for c, role in sorted(named.items()):
            self.decide("column", f"column {column_letter(c)}", role,
                        f"header '{cell_text(header[c])}'", row=r, column=c)  # fmt: skip
        return texts

    def _unit_column(
        self, r: int, c: int | None, data: list[int], role: str = "unit"
    ) -> dict[str, str | None]:
        """The unit each text of a unit (or measure) column names; texts of a unit column that
        are not units ('Persons', 'Children') say what is counted: they are not the unit."""
        if c is None:
            return {}
        texts = list(
            dict.fromkeys(t for t in (cell_text(self.sheet.value(d, c)) for d in data) if t)
        )
        units = {t: self._unit_of(t, r, c, role) for t in texts}
        where = {"row": r, "column": c}
        subject = f"column {column_letter(c)} '{cell_text(self.sheet.value(r, c))}'"
        if role == "measure":
            found = ", ".join(f"'{t}' {u or 'no unit'}" for t, u in units.items())
            self.decide("unit", subject, "measure: tells series apart", f"units {found}", **where)
            return units
        if any(units.values()):
            read = [t for t in texts if units[t]]
            self.decide("unit", subject, "the unit", f"values {quoted(read)} are units", **where)
        if not all(units.values()):
            not_units = [t for t in texts if not units[t]]
            self.decide(
                "unit", subject, "not the unit: what is counted",
                f"values {quoted(not_units)} are not units (%, count, per 10,000, £); they "
                "name what is counted", **where,
            )  # fmt: skip
        return units

    def _unit_of(self, text: str, r: int, c: int, role: str) -> str | None:
        """The unit a unit or measure cell names. 'Rate' (a percentage or per 10,000?) and, in
        a unit column, a word that is neither a unit nor what is counted ('Score') are asked."""
        if is_ambiguous_unit(text):
            return self._ambiguous_unit(text, r, c)
        unit = unit_of(text)
        if unit or role == "measure" or names_what_is_counted(text):
            return unit
        key = f"unit '{self.sheet.name}'!{column_letter(c)} '{text}'"
        choices = (f"'{text}' is the unit", f"'{text}' is what is counted, not a unit")
        answer = self.answer(key)
        if answer is None:
            self.ask(
                Question(
                    key,
                    f"Column {column_letter(c)} ('{cell_text(self.sheet.value(r, c))}') holds "
                    f"'{text}': is it the unit of the figures beside it, or what they count?",
                    choices,
                    sheet=self.sheet.name,
                    row=r,
                    column=c,
                )
            )
            return None
        if answer == choices[0] or ("unit" in answer.lower() and "not" not in answer.lower()):
            return " ".join(text.split())
        return None

    def _ambiguous_unit(self, text: str, r: int, c: int) -> str | None:
        """'Rate' could be a percentage or a rate per 10,000: asked, never assumed."""
        key = f"unit '{self.sheet.name}'!{column_letter(c)} '{text}'"
        answer = self.answer(key)
        if answer is None:
            header = cell_text(self.sheet.value(r, c))
            self.ask(
                Question(
                    key,
                    f"'{text}' in column {column_letter(c)} ('{header}') could be a percentage or "
                    "a rate per 1,000, 10,000 or 100,000. Which is it?",
                    UNIT_CHOICES,
                    sheet=self.sheet.name,
                    row=r,
                    column=c,
                )
            )
            return None
        if answer.strip().lower() == UNIT_CHOICES[-1]:
            return None
        unit = unit_of(answer)
        if unit is None:
            raise MappingError(
                f"The answer '{answer}' to [{key}] is not a unit; give one of {', '.join(UNIT_CHOICES)}."
            )
        return unit

    @staticmethod
    def _series_unit(
        unit_text: str | None, units: dict[str, str | None], measure: str | None,
        measures: dict[str, str | None],
    ) -> tuple[str | None, str | None]:  # fmt: skip
        """A row's unit and its evidence: its unit column if that names a unit, else its measure."""
        if unit_text and units.get(unit_text):
            return units[unit_text], f"the unit column ('{unit_text}')"
        if measure and measures.get(measure):
            return measures[measure], f"the measure '{measure}'"
        return None, None

    # Long tables: indicator, period, value and optional target, polarity, area, ...
    def _long(self, r: int, fields: dict[str, int]) -> int:
        rows, header = self.sheet.rows, self.sheet.rows[r]
        year = self.year()
        value_cols = [
            fields[n] for n in ("value", "target", "numerator", "denominator") if n in fields
        ]

        def named(row: int) -> bool:  # an indicator and a period: a figure, even if blank
            return self.sheet.value(row, fields["indicator"]) is not None and (
                parse_period(self.sheet.value(row, fields["period"]), year) is not None
            )

        data = list(self._rows(r + 1, value_cols, named))
        if "area_code" in fields and not any(
            area_code(self.sheet.value(d, fields["area_code"])) for d in data
        ):
            del fields["area_code"]  # a 'Code' column of something other than areas
        tag_cols = self._columns(r, {c: name for name, c in fields.items()}, data)
        units = self._unit_column(r, fields.get("unit"), data)
        measures = self._unit_column(r, fields.get("measure"), data, "measure")
        self.mark_row(r, "header")
        self.header_texts(r)
        periods: set[str] = set()
        for row in data:
            get = {name: self.sheet.value(row, c) for name, c in fields.items()}
            indicator = cell_text(get["indicator"])
            period = parse_period(get["period"], year)
            if not indicator or period is None:
                if not indicator:
                    self.warn(
                        "a figure with no indicator name; row skipped.", row, fields["indicator"]
                    )
                else:
                    self.warn(
                        f"period '{cell_text(get['period'])}' is not a period this loader reads; row "
                        "skipped. Write it like 2016/17, Q1 2016/17, Apr 2017 or 2017.",
                        row,
                        fields["period"],
                    )
                self.mark_row(row, "skipped")
                continue
            written = cell_text(get["period"]) or ""
            if written not in periods:
                periods.add(written)
                self.decide("period", f"'{written}'", period.label,
                            f"column {column_letter(fields['period'])}", row=row)  # fmt: skip
            info = self.out.info.setdefault(indicator, IndicatorInfo())
            info.polarity = polarity_of(get.get("polarity")) or info.polarity
            measure, unit_text = cell_text(get.get("measure")), cell_text(get.get("unit"))
            unit, unit_from = self._series_unit(unit_text, units, measure, measures)
            tags = {"measure": measure, "unit": unit_text}
            tags |= {
                cell_text(header[c]) or column_letter(c): cell_text(rows[row][c]) for c in tag_cols
            }
            code = area_code(get.get("area_code"))
            area, area_kind = _area_of(cell_text(get.get("area")) or code)
            figure = self.figure(
                indicator, period, row, fields["value"], unit=unit, unit_from=unit_from,
                area=area, area_kind=area_kind_of_code(code) or area_kind, area_code=code,
                breakdown=cell_text(get.get("breakdown")),
                tags={k: v for k, v in tags.items() if v},
            )  # fmt: skip
            for name in ("numerator", "denominator"):
                if name in fields:
                    value = self.mark_read(row, fields[name]).value
                    figure.reading = replace(figure.reading, **{name: value})
            if "target" in fields:
                self.target(indicator, period.label, row, fields["target"], figure)
            for c in [c for c in fields.values() if c not in value_cols] + tag_cols:
                self.mark(row, c, "label" if self.sheet.value(row, c) is not None else "blank")
        names = ", ".join(
            f"{n} ({column_letter(c)})" for n, c in sorted(fields.items(), key=lambda f: f[1])
        )
        self.close_table(r, max(self.last, r), "long table", f"header row {r + 1} names {names}")
        return self.end

    # Wide tables: a row per indicator (or breakdown) and a column per period.
    def _wide_columns(self, r: int, strict: bool = False) -> tuple[int, list[_Column]] | None:
        """The columns of a wide table whose header is row r; ``strict`` (inside another
        table) ignores numbers, even as text in a CSV: there they are figures, not years."""
        cells = self.sheet.rows[r]
        year = self.year()
        columns: list[_Column] = []
        bare_years: set[int] = set()  # period columns headed by a bare number (2017)
        label_col = None
        for c, value in enumerate(cells):
            if value is None or (strict and is_plain_number(value)):
                continue
            kind, period, bench, unit = _header_cell(value, year)
            if kind == "period":
                columns.append(_Column(c, period=period, unit=unit))
                if is_plain_number(value):
                    bare_years.add(c)
            elif kind == "benchmark":
                columns.append(_Column(c, period=period, area=bench[0], area_kind=bench[1]))
            elif kind == "target":
                columns.append(_Column(c, period=period, is_target=True))
            elif (
                kind == "text"
                and not columns
                and (
                    label_col is None
                    or (
                        metric_field(value) in ("indicator", "breakdown", "measure")
                        and metric_field(cells[label_col])
                        not in ("indicator", "breakdown", "measure")
                    )
                )
            ):
                label_col = c  # the first text before the periods, or the one headed Indicator
        if not strict:
            # A column whose cells below are periods themselves ("2015/16", "Q1 2016/17") is a
            # long table's Period column, and this row its first record, not a header.
            columns = [col for col in columns if not self._periods_below(r, col.col, year)]
            # Beside periods written as periods ("2015/16"), a bare number (1990) is a figure
            # of a record, not a year heading a column: headers write their years one way.
            # And bare years heading columns run in order (2015, 2016, 2017), never 2017, 1990.
            years = [col.period.start.year for col in columns if col.col in bare_years]
            steps = {b - a for a, b in itertools.pairwise(years)}
            ordered = steps <= set(range(1, 6)) or steps <= set(range(-5, 0))
            if not ordered or any(col.period and col.col not in bare_years for col in columns):
                columns = [col for col in columns if col.col not in bare_years]
        periods = [col for col in columns if col.period and not col.area and not col.is_target]
        beside_benchmark = not strict and periods and len(columns) > len(periods)
        if len(periods) < MIN_PERIOD_COLUMNS and not beside_benchmark:
            return None
        if not strict and not self._years_not_figures(r, label_col, periods):
            return None
        for col in columns:
            if col.period is None and not col.is_target:
                col.period, col.assumed = self._undated(r, col, periods, strict), True
        return (label_col if label_col is not None else 0), self._with_sub_header(r, columns)

    def _periods_below(self, r: int, c: int, year: int | None) -> bool:
        """Whether most text cells in the next rows of column c name periods."""
        below = [
            self.sheet.value(b, c)
            for b in range(r + 1, min(r + 1 + PERIOD_LOOKAHEAD, len(self.sheet.rows)))
        ]
        texts = [v for v in below if isinstance(v, str) and not is_plain_number(v)]
        named = sum(parse_period(v, year) is not None for v in texts)
        return bool(texts) and named * 2 > len(below)

    def _undated(self, r: int, col: _Column, periods: list[_Column], strict: bool) -> Period:
        """A benchmark column that names no year ('England'): asked which period it is for,
        the table's latest preselected."""
        options = sorted(
            {p.period.label: p.period for p in periods}.values(), key=lambda p: p.end, reverse=True
        )
        key = f"period '{self.sheet.name}'!{column_letter(col.col)}"
        answer = None if strict else self.answer(key)
        if answer is None:
            if not strict:
                label = cell_text(self.sheet.value(r, col.col))
                self.ask(
                    Question(
                        key,
                        f"Column {column_letter(col.col)} ('{label}') names no year. Which period "
                        "are its figures for?",
                        tuple(p.label for p in options),
                        likely=options[0].label,
                        cells=(f"{cell_name(r, col.col)}: {label}",),
                        sheet=self.sheet.name,
                        row=r,
                        column=col.col,
                    )
                )
            return options[0]
        found = next((p for p in options if p.label.lower() == answer.strip().lower()), None)
        found = found or parse_period(answer.strip(), self.year())
        if found is None:
            raise MappingError(
                f"The answer '{answer}' to [{key}] is not a period; give one such as {options[0].label}."
            )
        return found

    def _years_not_figures(self, r: int, label_col: int | None, periods: list[_Column]) -> bool:
        """Whole numbers such as 2016, 2017 after a label may be years heading the columns
        or a row of figures: certain only when the label is a column name or units follow."""
        cells = self.sheet.rows[r]
        label = cells[label_col] if label_col is not None else None
        if (
            not all(isinstance(cells[col.col], int | float) for col in periods)
            or label is None
            or metric_field(label) is not None
            or (r + 1 < len(self.sheet.rows) and _unit_row(self.sheet.rows[r + 1]))
        ):
            return True
        key = f"header '{self.sheet.name}'!row {r + 1}"
        choices = ("years heading the columns below", "figures")
        answer = self.answer(key)
        if answer is None:
            years = ", ".join(cell_text(cells[col.col]) or "" for col in periods)
            self.ask(
                Question(
                    key,
                    f"Row {r + 1} reads '{cell_text(label)}' then {years}: are these years heading "
                    f"the columns below, or figures for '{cell_text(label)}'?",
                    choices,
                    likely=choices[0],
                    cells=tuple(
                        f"{cell_name(r, c)}: {cell_text(v)}"
                        for c, v in enumerate(cells)
                        if v is not None
                    ),
                    sheet=self.sheet.name,
                    row=r,
                )
            )
            return True
        return not answer.strip().lower().startswith("figure")

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
        value_cols = [col.col for col in columns]
        side = {
            metric_field(v): c
            for c, v in enumerate(header)
            if metric_field(v) in ("polarity", "unit", "measure")
            and c not in value_cols
            and c != label_col
        }
        data = list(self._rows(r + (2 if two_row else 1), value_cols))
        named = {c: name for name, c in side.items()} | {
            label_col: "breakdown names" if breakdown_rows else "indicator names"
        }
        tag_cols = self._columns(r, named, data, value_cols)
        units = self._unit_column(r, side.get("unit"), data)
        measures = self._unit_column(r, side.get("measure"), data, "measure")
        for h in (r, r + 1) if two_row else (r,):
            self.mark_row(h, "header")
            self.header_texts(h)
        self._decide_wide_columns(r, columns, two_row)
        for row in data:
            cells = self.sheet.rows[row]
            label = cell_text(cells[label_col]) if label_col < len(cells) else None
            if not label:
                self.warn(
                    "figures with no indicator name beside them; row skipped.", row, label_col
                )
                self.mark_row(row, "skipped")
                continue
            for c in [label_col, *side.values(), *tag_cols]:
                self.mark(row, c, "label" if self.sheet.value(row, c) is not None else "blank")
            indicator, breakdown = (title, label) if breakdown_rows else (label, None)
            info = self.out.info.setdefault(indicator, IndicatorInfo())
            if "polarity" in side:
                info.polarity = (
                    polarity_of(self.sheet.value(row, side["polarity"])) or info.polarity
                )
            unit_text = cell_text(self.sheet.value(row, side["unit"])) if "unit" in side else None
            measure = (
                cell_text(self.sheet.value(row, side["measure"])) if "measure" in side else None
            )
            unit, unit_from = self._series_unit(unit_text, units, measure, measures)
            tags = {"measure": measure, "unit": unit_text}
            tags |= {
                cell_text(header[c]) or column_letter(c): cell_text(cells[c]) for c in tag_cols
            }
            row_figures: dict[str, Figure] = {}
            targets = []
            for col in columns:
                name = f"{indicator} (%)" if two_row and col.unit == "%" else indicator
                if col.is_target:
                    targets.append((name, col))
                    continue
                own_unit = unit or col.unit
                row_figures[name] = self.figure(
                    name, col.period, row, col.col, unit=own_unit,
                    unit_from=unit_from or (f"the header of column {column_letter(col.col)}" if col.unit else None),
                    area=col.area, area_kind=col.area_kind, breakdown=breakdown,
                    line=f"row {row + 1}", tags={k: v for k, v in tags.items() if v},
                )  # fmt: skip
            for name, col in targets:
                period_label = col.period.label if col.period else None
                self.target(name, period_label, row, col.col, row_figures.get(name))
        periods = list(dict.fromkeys(col.period.label for col in columns if col.period))
        self.close_table(
            r, max(self.last, r + (1 if two_row else 0)), "wide table",
            f"header row {r + 1} names periods {', '.join(periods[:6])}",
        )  # fmt: skip
        return self.end

    def _decide_wide_columns(self, r: int, columns: list[_Column], two_row: bool) -> None:
        for col in columns:
            label = cell_text(self.sheet.value(r, col.col)) or cell_text(
                self.sheet.value(r + 1, col.col)
            )
            if col.is_target:
                role = f"target {col.period.label}" if col.period else "standing target"
            elif col.area:
                role = f"{col.area} {col.period.label}" + (
                    " (latest period)" if col.assumed else ""
                )
            else:
                role = col.period.label
            if two_row:
                role += f", {col.unit if col.unit != 'number' else 'number'}"
            self.decide("period", f"column {column_letter(col.col)}", role, f"header '{label}'",
                        row=r, column=col.col)  # fmt: skip

    # Breakdown tables: a row per team or type, a column per measure (and maybe a year).
    def _breakdown(self, r: int, fields: dict[str, int]) -> int | None:
        rows, header = self.sheet.rows, self.sheet.rows[r]
        period_col = fields.get("period")
        sample = _sample(rows, r + 1)
        named = [c for c, v in enumerate(header) if metric_field(v) == "breakdown"]
        others = [
            c
            for c, v in enumerate(header)
            if v is not None and c not in named and c != period_col and metric_field(v) is None
        ]
        # Only text labels a row: a 'Staff group' column of 26 and 15.5 is a measure.
        counted = [c for c in named if mostly_figures(rows, sample, c)]
        measures = sorted(counted + [c for c in others if mostly_figures(rows, sample, c)])
        if not measures:
            return None
        label_cols = [c for c in named + others if c not in measures]
        fallback = self._title_period()
        year = self.year()
        data = list(self._rows(r + 1, measures))
        self.mark_row(r, "header")
        self.header_texts(r)
        for c in counted:
            self.decide(
                "column", f"column {column_letter(c)}", "a measure, not a label",
                f"header '{cell_text(header[c])}', but its cells are mostly numbers", row=r, column=c,
            )  # fmt: skip
        roles = {c: "breakdown label" for c in label_cols} | {c: "measure" for c in measures}
        if period_col is not None:
            roles[period_col] = "period"
        elif fallback is not None:
            self.decide("period", "the table", fallback.label, "its title", row=r)
        for c, role in sorted(roles.items()):
            self.decide("column", f"column {column_letter(c)}", role,
                        f"header '{cell_text(header[c])}'", row=r, column=c)  # fmt: skip
        for row in data:
            cells = rows[row]
            period = parse_period(cells[period_col], year) if period_col is not None else fallback
            if period is None:
                self.warn(
                    "no period for this row: add a Year column or a year in the table's title.",
                    row,
                    period_col,
                )
                self.mark_row(row, "skipped")
                continue
            parts = [
                cell_text(cells[c]) for c in label_cols if c < len(cells) and cells[c] is not None
            ]
            breakdown = " / ".join(p for p in parts if p) or None
            for c in [*label_cols, *([period_col] if period_col is not None else [])]:
                self.mark(row, c, "label" if self.sheet.value(row, c) is not None else "blank")
            for c in measures:
                measure = cell_text(header[c]) or column_letter(c)
                unit = unit_in_label(measure)
                self.figure(
                    measure, period, row, c, unit=unit,
                    unit_from=f"the header '{measure}'" if unit else None,
                    breakdown=breakdown, line=f"column {column_letter(c)}",
                )  # fmt: skip
        self.close_table(
            r, max(self.last, r), "breakdown table",
            f"header row {r + 1}: labels {', '.join(column_letter(c) for c in label_cols) or '-'}, "
            f"measures {', '.join(column_letter(c) for c in measures)}",
        )  # fmt: skip
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


def _fields(cells: list[object]) -> dict[str, int]:
    """The long-table fields a header row names (the first column of each wins); a Measure
    column with no Indicator column names the indicators."""
    named = ((metric_field(v), c) for c, v in reversed(list(enumerate(cells))))
    fields = {name: c for name, c in named if name}
    if "indicator" not in fields and "measure" in fields:
        fields["indicator"] = fields.pop("measure")
    return fields


def _area_of(name: str | None) -> tuple[str | None, str | None]:
    """An area column's value with its kind; England and the neighbour average by one name."""
    if name is None:
        return None, None
    bench = benchmark_area(name)
    if bench is None:
        return name, "council"
    return (name if bench[1] == "region" else bench[0]), bench[1]


@functools.lru_cache(maxsize=8192)
def _header_cell(
    value: object, year: int | None
) -> tuple[str, Period | None, tuple[str, str] | None, str | None]:
    """What a header cell names: (kind, period, benchmark area, unit), kind one of period,
    benchmark, target and text. Cached: every row of a table is checked for a header."""
    label = cell_text(value)
    if label is None:
        return "blank", None, None, None
    period = parse_period(value, year)
    if period is not None:
        return "period", period, None, unit_in_label(label)
    if is_target_label(label):
        return "target", _period_in_label(label, year), None, None
    bench = benchmark_area(label)
    if bench:
        return "benchmark", _period_in_label(label, year), bench, None
    return "text", None, None, None


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


def _sample(rows: list[list[object]], start: int) -> list[int]:
    """Rows below a header, up to the first blank row: enough to tell what a column holds."""
    out = []
    for r in range(start, min(len(rows), start + COLUMN_SAMPLE_ROWS)):
        if all(v is None for v in rows[r]):
            break
        out.append(r)
    return out


def _unit_row(cells: list[object]) -> bool:
    """A sub-header of units ('Number', '%') under a row of years: words only, so a record
    whose measure and unit columns read 'Percentage' and '%' beside its figure is not one."""
    return sum(unit_label(v)[0] for v in cells) >= 2 and not any(
        is_figure(cells, c) for c in range(len(cells))
    )


def parse_metric_sheet(sheet: Sheet, ctx: Context | None = None) -> SheetMetrics | None:
    """The KPI figures on a sheet, or None when it holds no KPI table."""
    return _SheetParser(sheet, ctx).run()
