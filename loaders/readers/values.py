"""Cell values of every sheet through calamine, within the workbook cell limit."""

from __future__ import annotations

import io
import re

import python_calamine as calamine

from loaders import settings
from loaders.errors import FileTooLarge, NotASpreadsheet, PasswordProtected
from loaders.readers.sheet import EXCEL_COLUMNS, EXCEL_ROWS, CellError, Sheet, clean_value

DAMAGED = (
    "The workbook is damaged and could not be read. Open it in Excel, save a fresh copy "
    "(as .xlsx) and upload that."
)
PASSWORD = "The workbook is password-protected. Remove the password in Excel and upload again."

# An error cell in sheet XML: <c r="B4" t="e"><f>1/0</f><v>#DIV/0!</v></c>. calamine reads
# error cells as blank, so they are found here.
_ERROR_CELL = re.compile(
    rb'<(?:\w+:)?c\b(?=[^>]*\bt="e")[^>]*\br="([A-Z]+)(\d+)"[^>]*(?<!/)>(.*?)</(?:\w+:)?c>', re.S
)
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")


def _reader_failed(exc: BaseException) -> bool:
    """Whether calamine failed on the file: an exception, or a panic in its Rust code (a
    PanicException, which is not an Exception) that a damaged file can cause."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def open_book(data: bytes, file_name: str) -> calamine.CalamineWorkbook:
    try:
        return calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except calamine.PasswordError as exc:
        raise PasswordProtected(PASSWORD, file=file_name) from exc
    except BaseException as exc:  # calamine raises several unrelated types for corrupt parts
        if not _reader_failed(exc):
            raise
        raise NotASpreadsheet(DAMAGED, file=file_name) from exc


def read_values(book: calamine.CalamineWorkbook, file_name: str) -> list[Sheet]:
    """Every sheet in workbook order, from cell A1, with merged ranges where recorded."""
    sheets, cells, limit = [], 0, settings.max_cells()
    for name in book.sheet_names:
        try:
            cal = book.get_sheet_by_name(name)
            cells += (cal.height or 0) * (cal.width or 0)
            if cells > limit:
                raise FileTooLarge(
                    f"The workbook has more than {limit:,} cells, beyond what the dashboard "
                    "reads. Delete unused rows and sheets, or split the file, and upload again.",
                    file=file_name,
                    sheet=name,
                )
            rows = cal.to_python(skip_empty_area=False)
            merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in (cal.merged_cell_ranges or [])]
        except FileTooLarge:
            raise
        except BaseException as exc:
            if not _reader_failed(exc):
                raise
            raise NotASpreadsheet(DAMAGED, file=file_name, sheet=name) from exc
        sheets.append(Sheet(name, [[clean_value(v) for v in row] for row in rows], merged=merged))
    return sheets


def put_error(sheet: Sheet, r: int, c: int, code: str) -> None:
    """Set a cell calamine read as blank to the error it holds. One outside the grid
    calamine read widens the grid (every row as long, as calamine gives them), within the
    cell limit; one outside any grid Excel has is damage."""
    if not (0 <= r < EXCEL_ROWS and 0 <= c < EXCEL_COLUMNS):
        raise NotASpreadsheet(
            f"The sheet has an error value ({code[:20]}) outside Excel's {EXCEL_ROWS:,} rows and "
            f"{EXCEL_COLUMNS:,} columns, so the workbook is damaged. Open it in Excel, save a "
            "fresh copy and upload that.",
            sheet=sheet.name,
            row=r if r >= 0 else None,
            column=c if c >= 0 else None,
        )
    if r >= len(sheet.rows) or c >= len(sheet.rows[r]):
        height, width = max(len(sheet.rows), r + 1), max(sheet.width, c + 1)
        limit = settings.max_cells()
        if height * width > limit:
            raise FileTooLarge(
                f"The sheet has an error value so far out that it would hold more than "
                f"{limit:,} cells, beyond what the dashboard reads. Delete unused rows and "
                "columns, or split the file, and upload again.",
                sheet=sheet.name,
                row=r,
                column=c,
            )
        for row in sheet.rows:
            row.extend([None] * (width - len(row)))
        sheet.rows.extend([None] * width for _ in range(height - len(sheet.rows)))
    row = sheet.rows[r]
    if row[c] is None:
        row[c] = CellError(code)


def add_error_cells(xml: bytes, sheet: Sheet) -> None:
    """Error cells of one .xlsx sheet, from its XML (read once, with its styles)."""
    if b't="e"' not in xml:
        return
    for match in _ERROR_CELL.finditer(xml):
        value = _VALUE.search(match.group(3))
        code = value.group(1).decode("utf-8", "replace").strip() if value else "#N/A"
        put_error(sheet, int(match.group(2)) - 1, column_index(match.group(1)), code)


def column_index(letters: bytes) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ch - 64
    return index - 1
