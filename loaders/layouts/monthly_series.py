"""Monthly time series (NHS-style): months down the side, measures across under one or two
header rows (a group such as "Referrals" over "Number" and "%"), a title block above and
notes below; often saved as .xls. Each measure and sub-column is an indicator."""

from __future__ import annotations

from dataclasses import dataclass

from loaders.errors import LoadWarning, column_letter
from loaders.layouts.base import Context, Evidence, Layout, ParsedFile, Source
from loaders.layouts.kpi_tables import finish
from loaders.metric_sheet import SheetReader, is_figure, mostly_figures
from loaders.metric_vocabulary import series_suffix, unit_label, unit_of
from loaders.metrics import parse_metric_sheet, unit_in_label
from loaders.periods import parse_period
from loaders.readers.sheet import Sheet
from loaders.text import cell_text

# A run of at least this many rows starting with a month makes a monthly series.
MIN_MONTHS = 3


@dataclass(frozen=True)
class Block:
    """Where one monthly series sits on its sheet (0-based rows and columns)."""

    top: int  # the first header row: the group row when there are two
    header: int  # the header row just above the months
    last: int  # the last row with figures
    month_col: int
    value_cols: tuple[int, ...]


def _month_col(cells: list[object]) -> int | None:
    """The column of a row's month, when the row starts with one and has figures after it."""
    first = next((c for c, v in enumerate(cells) if v is not None), None)
    if first is None:
        return None
    period = parse_period(cells[first])
    if period is None or period.type != "month":
        return None
    return first if any(is_figure(cells, c) for c in range(first + 1, len(cells))) else None


def _blank(cells: list[object]) -> bool:
    return all(v is None for v in cells)


def find_blocks(sheet: Sheet) -> list[Block]:
    """Every monthly series on a sheet: a run of month rows under a header of measures."""
    rows, blocks, r, floor = sheet.rows, [], 0, 0
    while r < len(rows):
        col = _month_col(rows[r])
        if col is None:
            r += 1
            continue
        months, k = [], r
        while k < len(rows) and (_blank(rows[k]) or _month_col(rows[k]) == col):
            if not _blank(rows[k]):
                months.append(k)
            k += 1
        block = _block(rows, months, col, floor) if len(months) >= MIN_MONTHS else None
        if block is not None:
            blocks.append(block)
            floor = block.last + 1
        r = months[-1] + 1
    return blocks


def _block(rows: list[list[object]], months: list[int], col: int, floor: int) -> Block | None:
    header = next((h for h in range(months[0] - 1, floor - 1, -1) if not _blank(rows[h])), None)
    if header is None:
        return None
    width = max(len(rows[r]) for r in [header, *months])
    values, texts = [], []
    for c in range(col + 1, width):
        if mostly_figures(rows, months, c):
            values.append(c)
        elif any(c < len(rows[r]) and rows[r][c] is not None for r in months):
            texts.append(c)
    if not values or texts:  # a text column: a long table with its period first, not a series
        return None
    above = header - 1
    two_rows = (
        above >= floor
        and not _blank(rows[above])
        and any(isinstance(v, str) for v in rows[above][col + 1 :])
    )
    last = months[-1]
    for r in range(last + 1, len(rows)):  # totals and other periods below the months
        if _blank(rows[r]) or not any(is_figure(rows[r], c) for c in values):
            break
        last = r
    return Block(above if two_rows else header, header, last, col, tuple(values))


def detect(source: Source) -> Evidence | None:
    if source.suffix not in (".xlsx", ".xlsm", ".xls", ".csv"):
        return None
    found = {s.name: blocks for s in source.sheets if (blocks := find_blocks(s))}
    if not found:
        return None
    source.memo["monthly_series"] = found
    name, blocks = next(iter(found.items()))
    first = blocks[0]
    return Evidence(
        0.8,
        f"months down the side of sheet '{name}' (from row {first.header + 2}) with "
        f"{len(first.value_cols)} measure columns across",
    )


class _MonthlyReader(SheetReader):
    def run(self, blocks: list[Block]) -> None:
        rows, r = self.sheet.rows, 0
        for block in blocks:
            self.pending += [k for k in range(r, block.top) if not _blank(rows[k])]
            self._block(block)
            r = block.last + 1
        self.pending += [k for k in range(r, len(rows)) if not _blank(rows[k])]

    def _columns(self, block: Block) -> dict[int, tuple[str, str | None, str]]:
        """Each value column's indicator, unit and the header cells that say so."""
        group_row = block.top if block.top < block.header else None
        # Merged group cells span their sub-columns; with none (a CSV) a group runs on
        # over the blank cells to its right.
        merged = {
            c: c0
            for r0, c0, r1, c1 in self.sheet.merged
            if group_row is not None and r0 <= group_row <= r1
            for c in range(c0, c1 + 1)
        }
        out, current = {}, None
        for c in range(block.month_col + 1, max(block.value_cols) + 1):
            if group_row is None:
                current = None
            elif merged:
                current = cell_text(self.sheet.value(group_row, merged.get(c, c)))
            else:
                current = cell_text(self.sheet.value(group_row, c)) or current
            sub = cell_text(self.sheet.value(block.header, c))
            if c not in block.value_cols:
                continue
            name, unit = _name(current, sub, column_letter(c))
            said = f"'{current}' over '{sub}'" if current and sub else f"'{current or sub}'"
            out[c] = (name, unit, said)
        return out

    def _block(self, block: Block) -> None:
        rows, name = self.sheet.rows, self.sheet.name
        columns = self._columns(block)
        for h in range(block.top, block.header + 1):
            self.mark_row(h, "header")
            self.header_texts(h)
        for c, (indicator, unit, said) in columns.items():
            self.decide("column", f"column {column_letter(c)}", f"'{indicator}' in {unit or 'numbers'}",
                        f"header {said}", row=block.header, column=c)  # fmt: skip
        years: set[int] = set()  # the financial years of the months read so far
        for r in range(block.header + 1, block.last + 1):
            if _blank(rows[r]):
                continue
            written = self.sheet.value(r, block.month_col)
            period = parse_period(written)
            if period is not None and period.type == "month":
                years.add(period.start.year - (period.start.month < 4))
            elif period is None and len(years) == 1:
                # "YTD" under the months of one financial year is that year's to date
                period = parse_period(written, context_year=min(years))
            if period is None:
                self.warn(
                    f"row '{cell_text(written)}' is not a month or other period; its figures are "
                    "not loaded.",
                    r,
                    block.month_col,
                )
                self.mark_row(r, "skipped")
                continue
            self.mark(r, block.month_col, "label")
            self.decide("period", f"row {r + 1}", period.label,
                        f"cell {column_letter(block.month_col)}{r + 1} '{cell_text(written)}'", row=r)  # fmt: skip
            for c, (indicator, unit, said) in columns.items():
                self.figure(
                    indicator, period, r, c, unit=unit, unit_from=f"the header {said}",
                    line=f"column {column_letter(c)}",
                )  # fmt: skip
        self.close_table(
            block.top, block.last, "monthly series",
            f"months down column {column_letter(block.month_col)} of sheet '{name}', "
            f"{len(columns)} measures across",
        )  # fmt: skip


def _name(group: str | None, sub: str | None, letter: str) -> tuple[str, str | None]:
    """A column's indicator and unit: 'Referrals' over '%' is 'Referrals (%)' in %; over
    'Number' it is 'Referrals', a count."""
    if group is None or sub is None:
        label = group or sub or f"column {letter}"
        return label, unit_in_label(label)
    is_unit, unit = unit_label(sub)
    if is_unit and unit is None:
        return group, None
    found = unit or unit_of(sub) or unit_in_label(group)
    return f"{group} ({series_suffix(sub)})", found if found != "count" else None


def parse(source: Source, ctx: Context) -> ParsedFile:
    found = source.memo.get("monthly_series") or {}
    results, warnings = [], []
    for sheet in source.sheets:
        blocks = found.get(sheet.name) or find_blocks(sheet)
        if blocks:
            reader = _MonthlyReader(sheet, ctx)
            reader.run(blocks)
            result = reader.finish()
        else:  # a workbook may hold KPI tables beside its monthly series
            result = parse_metric_sheet(sheet, ctx)
        if result is not None:
            results.append(result)
        elif sheet.rows:
            warnings.append(LoadWarning("no KPI table found on this sheet; skipped.", sheet.name))
    return finish(source, ctx, results, warnings)


LAYOUT = Layout(
    "monthly_series",
    "metrics",
    "a monthly series: months (Apr-17, April 2017 or dates) down the side and a column per "
    "measure across, under one or two header rows",
    detect,
    parse,
    ceiling=0.8,
)
