"""Read a .csv as one sheet of text cells: UTF-8 (with or without BOM), else Windows-1252."""

from __future__ import annotations

import csv
import io
from pathlib import PurePath

import pyarrow as pa
from pyarrow import csv as pacsv

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


def read_text_columns(
    data: bytes, file_name: str, *, blank_is_null: bool
) -> tuple[pa.Table, list[str]]:
    """A large CSV as columns of text, every cell as written (Arrow's reader: published
    national files run to millions of cells), and its header, stripped. Quoted cells may
    hold line breaks; ``blank_is_null`` reads an empty cell as NULL rather than ''."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        data = decode_text(data, file_name).encode("utf-8")  # Windows-1252 files
    first = decode_text(data[:65536].split(b"\n", 1)[0], file_name)
    header = [c.strip() for c in next(csv.reader(io.StringIO(first)), [])]
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()),
                strings_can_be_null=blank_is_null,
            ),
        )
    except (pa.ArrowInvalid, ValueError) as exc:
        raise NotASpreadsheet(
            f"The CSV could not be read as a table ({str(exc).splitlines()[0]}). Check it was "
            "saved as comma-separated values with one header row.",
            file=file_name,
        ) from exc
    return table, header
