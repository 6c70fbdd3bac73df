"""Read a .csv as one sheet of text cells: UTF-8 (with or without BOM), Windows-1252 lines."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from pathlib import PurePath

import pyarrow as pa
from pyarrow import csv as pacsv

from loaders import settings
from loaders.errors import FileTooLarge, LoadWarning, NotASpreadsheet
from loaders.readers.sheet import Sheet, as_error, clean_value

# Control bytes (NUL and the like, never in text) in a file's first 4 KB above which it is
# not text (UTF-16, a binary file) rather than a CSV with a stray NUL in a cell.
MAX_CONTROL_SHARE = 0.01
MIN_CONTROL_BYTES = 8
_CONTROL = bytes(range(9)) + bytes(range(14, 27)) + bytes(range(28, 32))


@dataclass
class Decoded:
    """A CSV's text and the physical lines (1-based) that needed mending to read it."""

    text: str
    cp1252_lines: list[int] = field(default_factory=list)
    nul_lines: list[int] = field(default_factory=list)


def decode_lines(data: bytes, file_name: str) -> Decoded:
    """A CSV's text, line by line: UTF-8 where it is valid (BOM dropped), Windows-1252 for
    lines that are not (a row pasted from an older file), NUL bytes removed."""
    sample = data[:4096]
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    if controls > max(MIN_CONTROL_BYTES, len(sample) * MAX_CONTROL_SHARE):
        raise NotASpreadsheet(
            "This file is not text, so it cannot be a CSV. If it is an Excel workbook, give it "
            "an .xlsx name; otherwise save it from Excel as 'CSV UTF-8'.",
            file=file_name,
        )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and "\x00" not in text:
        return Decoded(text)
    out = Decoded("")
    parts = []
    for number, line in enumerate(data.splitlines(keepends=True), start=1):
        if b"\x00" in line:
            line = line.replace(b"\x00", b"")
            out.nul_lines.append(number)
        try:
            parts.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            parts.append(line.decode("cp1252", errors="replace"))
            out.cp1252_lines.append(number)
    out.text = "".join(parts)
    return out


def decode_text(data: bytes, file_name: str) -> str:
    """Text of a CSV: UTF-8 (BOM dropped), with Windows-1252 for the lines that are not.
    Text with carriage returns and no newline (an old Mac CSV, or the first line of a file
    cut at its first newline) has them as newlines, so a reader that splits lines on
    newlines alone (io.StringIO) reads the records the CSV reader does; a carriage return
    in a file of newlines is a line break inside a quoted cell, and kept."""
    text = decode_lines(data, file_name).text
    return text.replace("\r", "\n") if "\n" not in text else text


def read_csv(data: bytes, file_name: str) -> list[Sheet]:
    decoded = decode_lines(data, file_name)
    text = decoded.text
    # Only the delimiter is sniffed: the sniffer's guess at quoting, made from the first
    # lines, misreads a doubled quote further down and splits its row.
    try:
        delimiter = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    rows = []
    limit = settings.max_cells()
    cells = 0
    # Each record's physical lines (a quoted cell may hold line breaks), to name its row.
    lines_of: list[range] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    last_line = 0
    too_many = FileTooLarge(
        f"The file has more than {limit:,} cells, beyond what the dashboard reads. "
        "Split it and upload the parts.",
        file=file_name,
    )
    try:
        for record in reader:
            cells += len(record)
            if cells > limit:
                raise too_many
            rows.append([_cell(v) for v in record])
            lines_of.append(range(last_line + 1, reader.line_num + 1))
            last_line = reader.line_num
    except csv.Error as exc:
        too_long = "field limit" in str(exc)
        what = f"a cell runs past {csv.field_size_limit():,} characters" if too_long else exc
        raise NotASpreadsheet(
            f'The CSV could not be read from here on ({what}). Most often a quote mark (") '
            "opens a cell and is never closed, so the rest of the file runs into that cell. "
            "Check the row in a text editor, or open the file in Excel and save it as "
            "'CSV UTF-8'.",
            file=file_name,
            row=len(rows),
        ) from exc
    # Every row as wide as the widest, as a workbook's sheet is read: a short line's
    # missing cells are blanks.
    width = max((len(row) for row in rows), default=0)
    if width * len(rows) > limit:
        raise too_many
    for row in rows:
        row.extend([None] * (width - len(row)))
    sheet = Sheet(PurePath(file_name).stem, rows)
    cp1252 = _rows_of(decoded.cp1252_lines, lines_of)
    if cp1252:
        sheet.warnings.append(
            LoadWarning(
                f"{_rows_label(cp1252)} {'is' if len(cp1252) == 1 else 'are'} not UTF-8, so "
                "read as Windows-1252 (the rest of the file is UTF-8). Check the accented letters and symbols such as £ there, and save "
                "the file as 'CSV UTF-8'.",
                sheet.name,
                cp1252[0],
            )
        )
    nul = _rows_of(decoded.nul_lines, lines_of)
    if nul:
        sheet.warnings.append(
            LoadWarning(
                f"{_rows_label(nul)} held NUL characters (invisible control bytes); they were "
                "removed. Check the text there reads as meant.",
                sheet.name,
                nul[0],
            )
        )
    return [sheet]


def _cell(value: str) -> object:
    """A CSV cell: blank is None, an exported Excel error ('#REF!') is kept as an error."""
    return as_error(value) or clean_value(value)


def _rows_label(rows: list[int]) -> str:
    """'Row 3' or 'Rows 3, 7': the spreadsheet rows a warning is about."""
    names = ", ".join(str(r + 1) for r in rows)
    return f"Row {names}" if len(rows) == 1 else f"Rows {names}"


def _rows_of(lines: list[int], lines_of: list[range]) -> list[int]:
    """The 0-based rows (records) the physical ``lines`` fall in."""
    wanted = set(lines)
    return [r for r, span in enumerate(lines_of) if wanted.intersection(span)]


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
    except pa.ArrowException as exc:  # not the file's shape: out of memory or threads
        raise FileTooLarge(
            f"The CSV could not be read ({str(exc).splitlines()[0]}): it needs more memory "
            "than the dashboard gives one file. Split it and upload the parts.",
            file=file_name,
        ) from exc
    return table, header
