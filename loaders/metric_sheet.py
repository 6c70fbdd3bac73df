"""The figures of a metrics sheet, and what every parser of one shares: each cell of a table
marked as a figure or as not stored for a reason, decisions recorded, questions asked."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from loaders.errors import LoadWarning, cell_name, column_letter
from loaders.interpret import Decision, Question
from loaders.numbers import Reading, read_value
from loaders.periods import Period, parse_period
from loaders.readers.sheet import Sheet
from loaders.text import cell_text

if TYPE_CHECKING:
    from loaders.layouts.base import Context

# Years inside header texts ("England 2015/16"): the layout's fingerprint ignores them.
_YEARS = re.compile(r"(?<!\d)(?:19|20)\d{2}(?:\s*[/-]\s*\d{2,4})?(?!\d)")
# Text rows that read as notes rather than titles: "Note:", "Source: ...", "* provisional".
_NOTE = re.compile(r"^\s*(notes?\b|sources?\b|\*|†|¹|\[\d|\(\d|\d{1,2}[.)]\s)", re.I)

Cell = tuple[int, int]


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
    column: int = 0  # 0-based
    area_code: str | None = None
    line: str | None = None  # the row or column its series runs along ("row 7"); None: long
    cell: object = None  # the cell as written
    number_format: str | None = None
    tags: dict[str, str] = field(default_factory=dict)  # texts that may tell series apart
    unit_from: str | None = None  # where a unit not written in the cell itself came from
    base: str = ""  # the indicator as the table names it, before series were told apart
    dropped: bool = False  # not stored after all: a duplicate, or an answered conflict

    def __post_init__(self) -> None:
        self.base = self.base or self.indicator

    @property
    def is_benchmark(self) -> bool:
        return self.area_kind in ("national", "region", "benchmark group")

    @property
    def ref(self) -> str:
        return f"'{self.source_sheet}'!{self.source_column}{self.source_row}"

    @property
    def written(self) -> str:
        return written(self.cell, self.number_format)

    @property
    def reason(self) -> str | None:
        """Why the cell is not stored (see loaders.interpret.NOT_STORED_REASONS), or None."""
        return "skipped" if self.dropped else reason_of(self.reading)


def written(cell: object, number_format: str | None) -> str:
    """A cell as written, with its number format when it has one."""
    text = cell_text(cell) if cell is not None else "blank"
    return f"{text} formatted {number_format}" if number_format else text


def reason_of(reading: Reading) -> str | None:
    """Why a cell read as ``reading`` is not stored: None (stored), missing, unreadable, blank."""
    if reading.value is not None:
        return None
    if reading.marker is not None:
        return "missing"
    return "unreadable" if reading.problem else "blank"


@dataclass
class TargetFigure:
    indicator: str
    period_label: str | None  # None: a standing target
    target: float
    source_sheet: str
    source_row: int
    source_column: str
    follows: Figure | None = None  # the figure of the same row: the target takes its name
    column: int = 0  # 0-based
    cell: object = None  # the cell as written: a unit answer for its row rescales it too
    number_format: str | None = None

    @property
    def written(self) -> str:
        return written(self.cell, self.number_format)


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
    cells: dict[Cell, str | None] = field(default_factory=dict)  # other cells: None = stored
    ranges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1


def quoted(texts: list[str], n: int = 4) -> str:
    shown = ", ".join(f"'{t}'" for t in texts[:n])
    return shown + (" ..." if len(texts) > n else "")


def answer_of(ctx: Context | None, key: str) -> str | None:
    """The officer's answer to a question; a blank answer (a mapping left to fill in) is none."""
    answer = (ctx.answers.get(key) or "") if ctx is not None else ""
    return answer.strip() or None


class SheetReader:
    """What every metrics parser of a sheet shares: marking cells, deciding and asking."""

    def __init__(self, sheet: Sheet, ctx: Context | None = None) -> None:
        self.sheet = sheet
        self.ctx = ctx  # None while a detector only looks: nothing is decided or asked
        self.out = SheetMetrics(sheet.name)
        self.pending: list[int] = []  # text rows since the last table: its titles, or notes
        self.figure_cells: set[Cell] = set()

    def warn(self, message: str, row: int | None = None, col: int | None = None) -> None:
        self.out.warnings.append(LoadWarning(message, self.sheet.name, row, col))

    def decide(self, topic: str, subject: str, reading: object, evidence: str, **where) -> None:
        if self.ctx is not None:
            self.ctx.interp.decide(
                topic, subject, reading, evidence, sheet=self.sheet.name, **where
            )

    def ask(self, question: Question) -> None:
        if self.ctx is not None:
            self.ctx.interp.ask(question)

    def answer(self, key: str) -> str | None:
        return answer_of(self.ctx, key)

    def mark(self, r: int, c: int, reason: str | None) -> None:
        """Why cell (r, c) is not stored (None: stored); the first mark stands."""
        if (r, c) not in self.figure_cells:
            self.out.cells.setdefault((r, c), reason)

    def mark_row(self, r: int, reason: str) -> None:
        for c, value in enumerate(self.sheet.rows[r]):
            if value is not None:
                self.mark(r, c, reason)

    def read(self, r: int, c: int) -> Reading:
        reading = read_value(self.sheet.value(r, c), self.sheet.number_formats.get((r, c)))
        if reading.problem:
            self.warn(
                f"{reading.problem}; loaded as missing. Enter a number, a percentage or leave it blank.",
                r,
                c,
            )
        return reading

    def mark_read(self, r: int, c: int) -> Reading:
        """A cell stored with a figure (a target, a numerator): stored, blank or unreadable."""
        reading = self.read(r, c)
        self.mark(r, c, reason_of(reading))
        return reading

    def figure(
        self, indicator: str, period: Period, r: int, c: int, *, unit: str | None = None,
        unit_from: str | None = None, **details,
    ) -> Figure:  # fmt: skip
        """The figure in cell (r, c); ``unit`` applies where the cell does not say its own."""
        reading = self.read(r, c)
        if reading.unit is None and unit and unit != "number":
            reading = replace(reading, unit=unit)
        else:
            unit_from = None
        figure = Figure(
            indicator, details.pop("area", None), details.pop("area_kind", None),
            details.pop("breakdown", None), period, reading, self.sheet.name, r + 1,
            column_letter(c), column=c, cell=self.sheet.value(r, c),
            number_format=self.sheet.number_formats.get((r, c)), unit_from=unit_from, **details,
        )  # fmt: skip
        self.out.figures.append(figure)
        self.out.cells.pop((r, c), None)
        self.figure_cells.add((r, c))
        self.out.info.setdefault(indicator, IndicatorInfo())
        return figure

    def target(
        self, indicator: str, period_label: str | None, r: int, c: int, follows: Figure | None
    ) -> TargetFigure | None:
        reading = self.mark_read(r, c)
        if reading.value is None:
            return None
        target = TargetFigure(
            indicator, period_label, reading.value, self.sheet.name, r + 1, column_letter(c),
            follows, column=c, cell=self.sheet.value(r, c),
            number_format=self.sheet.number_formats.get((r, c)),
        )  # fmt: skip
        self.out.targets.append(target)
        return target

    def close_table(self, top: int, last: int, kind: str, evidence: str) -> None:
        """Account for a table's rectangle (rows top..last) and record it as a decision."""
        rows = self.sheet.rows
        for r in self.pending:
            line = " ".join(t for t in (cell_text(v) for v in rows[r]) if t)
            self.mark_row(r, "note" if _NOTE.match(line) else "title")
        self.pending = []
        cols = [c for r in range(top, last + 1) for c, v in enumerate(rows[r]) if v is not None]
        c0, c1 = min(cols), max(cols)
        unread: set[int] = set()
        for r in range(top, last + 1):
            for c in range(c0, c1 + 1):
                if (r, c) in self.figure_cells or (r, c) in self.out.cells:
                    continue
                if self.sheet.value(r, c) is None:
                    self.mark(r, c, "blank")
                elif is_figure(rows[r], c):
                    unread.add(c)
                    self.mark(r, c, "skipped")
                else:
                    self.mark(r, c, "note")
        for c in sorted(unread):
            label = cell_text(self.sheet.value(top, c)) or column_letter(c)
            self.warn(
                f"column {column_letter(c)} ('{label}') holds figures that are not loaded: its "
                "header is not a period, a benchmark, a target or a measure.",
                top,
                c,
            )
        self.out.ranges.append((top, c0, last, c1))
        self.out.tables += 1
        if self.ctx is not None:
            span = f"sheet '{self.sheet.name}' {cell_name(top, c0)}:{cell_name(last, c1)}"
            self.ctx.interp.tables.append(
                Decision("table", span, kind, evidence, sheet=self.sheet.name, row=top)
            )

    def header_texts(self, r: int) -> None:
        """A header row's texts for the layout's fingerprint; periods (which change from
        one upload to the next) are one '<period>' however many there are."""
        if self.ctx is None:
            return
        texts: list[str] = []
        for value in self.sheet.rows[r]:
            text = cell_text(value)
            if text is None:
                continue
            # any year will do to tell whether "Q1" or "YTD" names a period
            text = "<period>" if parse_period(value, 2000) is not None else text.lower()
            text = _YEARS.sub("<year>", text)  # "England 2015/16" is the same column next year
            if not (texts and texts[-1] == text == "<period>"):
                texts.append(text)
        self.ctx.interp.headers.extend(texts)

    def finish(self) -> SheetMetrics | None:
        for r in self.pending:
            self.mark_row(r, "note")
        self.pending = []
        return self.out if self.out.tables else None


def is_figure(cells: list[object], c: int) -> bool:
    """A number, a readable figure or a missing-value marker (not a word)."""
    if c >= len(cells) or cells[c] is None:
        return False
    reading = read_value(cells[c])
    return reading.value is not None or reading.marker is not None


def mostly_figures(rows: list[list[object]], sample: list[int], c: int) -> bool:
    """More of a column's non-blank cells are figures than words."""
    figures = words = 0
    for r in sample:
        if c < len(rows[r]) and rows[r][c] is not None:
            if is_figure(rows[r], c):
                figures += 1
            else:
                words += 1
    return figures > words
