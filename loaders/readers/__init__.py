"""Readers turn a file's bytes into sheets of cells; one narrow reader per format."""

from __future__ import annotations

from pathlib import PurePath

from loaders.errors import EmptyFile, NotASpreadsheet, PasswordProtected
from loaders.readers.sheet import Sheet

__all__ = ["SPREADSHEET_EXTENSIONS", "Sheet", "read_sheets"]

ZIP_MAGIC = b"PK\x03\x04"
# Compound File Binary: legacy .xls, and also how Excel wraps a password-protected .xlsx.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARKER = "EncryptionInfo".encode("utf-16-le")
SPREADSHEET_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".csv")


def read_sheets(data: bytes, file_name: str) -> list[Sheet]:
    """Read every sheet of a workbook (or the one table of a CSV) from its bytes."""
    ext = PurePath(file_name).suffix.lower()
    if ext not in SPREADSHEET_EXTENSIONS:
        raise NotASpreadsheet(
            f"'{ext or 'no extension'}' files are not read. Save it as .xlsx, .xlsm, .xls or .csv.",
            file=file_name,
        )
    if not data.strip():
        raise EmptyFile("The file is empty. Check you chose the right file.", file=file_name)
    if data.startswith(OLE_MAGIC) and ENCRYPTED_MARKER in data:
        raise PasswordProtected(
            "The workbook is password-protected. Open it in Excel, remove the password "
            "(File > Info > Protect Workbook > Encrypt with Password, clear it), save and upload again.",
            file=file_name,
        )
    if data.startswith(ZIP_MAGIC):
        from loaders.readers.xlsx import read_xlsx

        return read_xlsx(data, file_name)
    if data.startswith(OLE_MAGIC):
        from loaders.readers.xls import read_xls

        return read_xls(data, file_name)
    if ext == ".csv":
        from loaders.readers.csv import read_csv

        return read_csv(data, file_name)
    raise NotASpreadsheet(
        f"This is not an Excel workbook despite its '{ext}' name (it may be a web page, PDF or "
        "text saved with the wrong extension). Open it in Excel and save it as .xlsx.",
        file=file_name,
    )
