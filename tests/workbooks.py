"""Build fixture workbooks in code, so every layout feature is a few readable lines."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Color, PatternFill

Rows = list[list[Any]]


def fill(colour: str | Color) -> PatternFill:
    color = colour if isinstance(colour, Color) else Color(rgb="FF" + colour.lstrip("#")[-6:])
    return PatternFill(fill_type="solid", fgColor=color, bgColor=color)


def write_xlsx(
    path: Path,
    sheets: dict[str, Rows],
    *,
    fills: dict[tuple[str, str], str | Color] | None = None,
    merges: dict[str, list[str]] | None = None,
    formats: dict[tuple[str, str], str] | None = None,
) -> Path:
    """A workbook with the given rows per sheet; fills/formats keyed by (sheet, 'G5')."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(r, c, value)
        for ref in (merges or {}).get(name, []):
            ws.merge_cells(ref)
    for (name, ref), colour in (fills or {}).items():
        book[name][ref].fill = fill(colour)
    for (name, ref), number_format in (formats or {}).items():
        book[name][ref].number_format = number_format
    book.save(path)
    return path


def write_csv(path: Path, rows: Rows, encoding: str = "utf-8") -> Path:
    text = "\r\n".join(",".join(_csv_field(v) for v in row) for row in rows) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


def _csv_field(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    if any(ch in text for ch in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_xls(
    path: Path, sheets: dict[str, Rows], fills: dict[tuple[str, int, int], str] | None = None
) -> Path:
    """A legacy .xls (BIFF8) workbook; fills keyed by (sheet, row, col) 0-based, xlwt colour names."""
    import xlwt

    book = xlwt.Workbook()
    for name, rows in sheets.items():
        ws = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                colour = (fills or {}).get((name, r, c))
                if colour:
                    style = xlwt.easyxf(f"pattern: pattern solid, fore_colour {colour}")
                    ws.write(r, c, value, style)
                elif value is not None:
                    ws.write(r, c, value)
    book.save(str(path))
    return path


def encrypt(path: Path, password: str = "secret") -> Path:
    """Encrypt an .xlsx in place, as Excel's 'Encrypt with Password' does."""
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO(path.read_bytes())
    out = io.BytesIO()
    OOXMLFile(plain).encrypt(password, out)
    path.write_bytes(out.getvalue())
    return path


STANDARD_HEADER = [
    "Ref",
    "Recommendation",
    "Action",
    "Lead officer",
    "Timescale",
    "Progress update",
    "RAG",
]


def simple_plan(as_of_line: str = "Progress as at 4 January 2018") -> Rows:
    """A small plan with title lines, used where the layout itself is not under test."""
    return [
        ["Anytown Children's Services"],
        ["Post Ofsted Action Plan"],
        [as_of_line],
        [],
        STANDARD_HEADER,
        [
            "1.1",
            "Improve supervision",
            "Audit supervision files",
            "Head of Service",
            "April 18",
            "Audit begun",
            "Green",
        ],
        ["1.2", None, "Train team managers", "SH / BJ", "Feb-18", "Two sessions held", "Amber"],
        [
            "2.1",
            "Strengthen PLO",
            "Track pre-proceedings cases",
            "Legal lead",
            "Monthly",
            "Tracker live",
            "Complete",
        ],
    ]


def date(y: int, m: int, d: int) -> dt.date:
    return dt.date(y, m, d)


def empty_database(path: Path) -> Path:
    """A database as a council starting out has it: nothing loaded, the demo cleared."""
    from loaders import store

    con = store.connect(path)
    store.set_state(con, "demo_cleared", "1")
    con.close()
    return path
