"""Read a .csv as one sheet of text cells: UTF-8 (with or without BOM), else Windows-1252."""

from __future__ import annotations

import csv
import io
from pathlib import PurePath

from loaders import settings
from loaders.errors import FileTooLarge, NotASpreadsheet
from loaders.readers.sheet import Sheet, clean_value


def decode_text(data: bytes, file_name: str) -> str:
    """Text of a CSV: UTF-8 first (BOM dropped), Windows-1252 for files saved by older Excel."""
    if b"\x00" in data[:4096]:
        raise NotASpreadsheet(
            "This file is not text, so it cannot be a CSV. If it is an Excel workbook, give it "
            "an .xlsx name; otherwise save it from Excel as 'CSV UTF-8'.",
            file=file_name,
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_csv(data: bytes, file_name: str) -> list[Sheet]:
    text = decode_text(data, file_name)
    # Only the delimiter is sniffed: the sniffer's guess at quoting, made from the first
    # lines, misreads a doubled quote further down and splits its row.
    try:
        delimiter = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    rows = []
    limit = settings.max_cells()
    cells = 0
    for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        cells += len(record)
        if cells > limit:
            raise FileTooLarge(
                f"The file has more than {limit:,} cells, beyond what the dashboard reads. "
                "Split it and upload the parts.",
                file=file_name,
            )
        rows.append([clean_value(v) for v in record])
    return [Sheet(PurePath(file_name).stem, rows)]
