"""The one shape every reader returns: a sheet of cell values with fills, formats and merges."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Cell = tuple[int, int]  # 0-based (row, column)


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

    def value(self, row: int, col: int) -> Any:
        if row < len(self.rows) and col < len(self.rows[row]):
            return self.rows[row][col]
        return None

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def cell_count(self) -> int:
        return sum(len(r) for r in self.rows)


def clean_value(value: Any) -> Any:
    """Blank strings become None; text is kept as written (stripping happens in normalisers)."""
    if isinstance(value, str) and not value.strip():
        return None
    return value
