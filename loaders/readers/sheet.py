"""The one shape every reader returns: a sheet of cell values with fills, formats and merges."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from loaders.errors import LoadWarning

Cell = tuple[int, int]  # 0-based (row, column)

# Excel's own limits: no workbook Excel writes goes beyond them.
EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384
EXCEL_CELL_CHARS = 32_767


@dataclass
class Sheet:
    """One sheet's cells. ``rows[r][c]`` is spreadsheet row r+1, column c+1; blanks are None."""

    name: str
    rows: list[list[Any]]
    fills: dict[Cell, str] = field(default_factory=dict)  # resolved "RRGGBB" solid fills only
    number_formats: dict[Cell, str] = field(default_factory=dict)  # non-General formats only
    merged: list[tuple[int, int, int, int]] = field(
        default_factory=list
    )  # r0, c0, r1, c1 inclusive
    # What the reader changed to read the sheet (bytes decoded as Windows-1252, NULs
    # removed), each naming its rows, for the interpretation to show.
    warnings: list[LoadWarning] = field(default_factory=list)

    def value(self, row: int, col: int) -> Any:
        if row < len(self.rows) and col < len(self.rows[row]):
            return self.rows[row][col]
        return None

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def cell_count(self) -> int:
        return sum(len(r) for r in self.rows)


# The error values Excel shows in a cell whose formula failed.
ERROR_CODES = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
     "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#CONNECT!", "#BUSY!"}
)  # fmt: skip


class CellError(str):
    """An Excel error value ('#REF!'), kept as its text: never read as a blank cell.

    It is a ``str`` so every normaliser sees the text (a KPI reader finds '#REF!' is not a
    figure); readers of the cell's meaning test ``isinstance(value, CellError)`` to warn."""

    __slots__ = ()


def as_error(text: str) -> CellError | None:
    """The error a cell's text is, when it is exactly one of Excel's error values."""
    code = text.strip().upper()
    return CellError(code) if code in ERROR_CODES else None


def clean_value(value: Any) -> Any:
    """Blank strings become None; text is kept as written (stripping happens in normalisers)."""
    if isinstance(value, str) and not value.strip():
        return None
    return value
