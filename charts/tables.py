"""Tables as files for the panel pack: CSV and formatted Excel, safe to open.

Text starting with '=', '+', '-' or '@' (or a tab or carriage return) would run as a
formula when the file is opened in Excel, so such text (column names too) is written with
a leading apostrophe in CSV and as plain text cells in Excel: a downloaded file can never
run one.
"""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from charts.theme import RAG_COLOURS, text_colour_on

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_COLUMN_WIDTH = 60


def escape_formula(value: object) -> object:
    """Text that a spreadsheet would take for a formula, made inert; anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell(value: object) -> object:
    """A value openpyxl can write: lists and arrays as text, missing as blank."""
    if value is None or (
        not isinstance(value, list | tuple | dict)
        and not hasattr(value, "tolist")
        and pd.isna(value)
    ):
        return None
    if isinstance(value, list | tuple | dict) or hasattr(value, "tolist"):
        return str(value.tolist() if hasattr(value, "tolist") else value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _argb(colour: str) -> str:
    """'#a4161a' as Excel's opaque 'FFA4161A'."""
    return "FF" + colour.lstrip("#").upper()


def csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens pound signs and accents correctly."""
    safe = df.map(escape_formula)
    safe.columns = [escape_formula(str(c)) for c in df.columns]
    return safe.to_csv(index=False).encode("utf-8-sig")


def excel_bytes(
    df: pd.DataFrame, sheet: str = "Data", rag_columns: tuple[str, ...] = ("RAG", "rag")
) -> bytes:
    """A formatted workbook: bold header, frozen top row, sensible widths, RAG cells
    coloured and still labelled in words, and no cell ever a formula."""
    book = Workbook()
    ws = book.active
    ws.title = sheet[:31]
    ws.append([str(c) for c in df.columns])
    for cell in ws[1]:
        cell.data_type = "s"  # a column named '=HYPERLINK(...)' is a name, never a formula
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    rag_at = {i for i, c in enumerate(df.columns, start=1) if c in rag_columns}
    for row in df.itertuples(index=False):
        ws.append([_cell(v) for v in row])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text: '=SUM(...)' is shown, never run
            if cell.column in rag_at and cell.value in RAG_COLOURS:
                fill = RAG_COLOURS[cell.value]
                cell.fill = PatternFill("solid", fgColor=_argb(fill))
                cell.font = Font(color=_argb(text_colour_on(fill)), bold=True)
    for i, column in enumerate(df.columns, start=1):
        longest = max(
            [len(str(column))] + [len(str(v)) for v in df[column].head(200) if v is not None]
        )
        ws.column_dimensions[get_column_letter(i)].width = min(MAX_COLUMN_WIDTH, longest + 2)
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
