"""Typed loader errors and warnings, each carrying where the problem is and what to change."""

from __future__ import annotations

from dataclasses import dataclass


def column_letter(col: int) -> str:
    """Spreadsheet column letters for a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_name(row: int, col: int) -> str:
    """A1-style name for a 0-based (row, col)."""
    return f"{column_letter(col)}{row + 1}"


def _where(file: str | None, sheet: str | None, row: int | None, column: int | None) -> str:
    parts = []
    if file:
        parts.append(file)
    if sheet:
        parts.append(f"sheet '{sheet}'")
    if row is not None and column is not None:
        parts.append(
            f"cell {cell_name(row, column)} (row {row + 1}, column {column_letter(column)})"
        )
    elif row is not None:
        parts.append(f"row {row + 1}")
    elif column is not None:
        parts.append(f"column {column_letter(column)}")
    return ", ".join(parts)


class LoaderError(Exception):
    """A file that cannot be loaded, with where (0-based row/column) and a sentence to act on."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column

    def __reduce__(self):
        # Pickled whole (message, file, sheet, row, column and any extra state), so an error
        # raised in the contained worker arrives in the dashboard exactly as raised.
        return (_restore_error, (type(self), self.__dict__.copy()))

    def located(self, file: str) -> LoaderError:
        """Fill in the file name when the raiser did not know it."""
        if not self.file:
            self.file = file
        return self

    def __str__(self) -> str:
        where = _where(self.file, self.sheet, self.row, self.column)
        return f"{where}: {self.message}" if where else self.message


def _restore_error(cls: type[LoaderError], state: dict) -> LoaderError:
    error = cls.__new__(cls)
    Exception.__init__(error, state.get("message"))
    error.__dict__.update(state)
    return error


class NotASpreadsheet(LoaderError):
    """Bytes that no reader recognises (a renamed PDF, a corrupt or truncated workbook)."""


class EmptyFile(LoaderError):
    """A file of zero bytes or with no cells at all."""


class PasswordProtected(LoaderError):
    """An encrypted workbook."""


class FileTooLarge(LoaderError):
    """A file over the configured size or cell limit."""


class NoTableFound(LoaderError):
    """No sheet holds a table the loaders recognise."""


class DuplicateUpload(LoaderError):
    """The same bytes were loaded before."""


class UnknownUpload(LoaderError):
    """An upload id that is not in the database."""


class DatabaseBusy(LoaderError):
    """Another process holds the database file."""


@dataclass(frozen=True)
class LoadWarning:
    """Something loaded with a caveat the officer should know about, with its cell."""

    message: str
    sheet: str | None = None
    row: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = _where(None, self.sheet, self.row, self.column)
        return f"{where}: {self.message}" if where else self.message
