"""The DfE's LAIT benchmarking data set and its measure dictionary: reading the files.

The data set (641,070 rows) is read into Arrow text columns, never row by row; its figures
are made in ``loaders.lait_figures``. The dictionary has a few hundred rows, read in Python.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from loaders.errors import LoaderError
from loaders.readers.csv import decode_text, read_text_columns
from loaders.readers.sheet import Sheet, clean_value

PARQUET_MAGIC = b"PAR1"
# The data set's columns (lower case) and what the loader calls them; the first four are
# required, the rest are read when present.
DATASET_COLUMNS = {
    "short desc": "short",
    "years": "years",
    "la and regions": "area",
    "values": "value_text",
    "la number": "la_number",
    "region": "region",
    "data item": "data_item",
}
DATASET_REQUIRED = ("short desc", "years", "la and regions", "values")
# The dictionary's columns (lower case) and the measure_dictionary column each fills.
DICTIONARY_COLUMNS = {
    "measure_short": "measure_short",
    "measure": "measure",
    "measure_code": "measure_code",
    "topic": "topic",
    "polarity": "polarity_text",
    "y_axis_name": "unit",
    "dps": "dps",
    "year_type": "year_type",
    "no_quartile": "no_quartile",
    "description": "description",
}
DICTIONARY_REQUIRED = ("measure_short", "measure", "polarity")
# "Data Owner (DO) /Supplier and Contact Details": who publishes the measure.
SOURCE_HEADER_PREFIX = "data owner"
# How far down a sheet a header row is looked for (LAIT's Excel downloads put titles above).
HEADER_SEARCH_ROWS = 20
# The dictionary's Polarity: High and Low only. "-", NA and blank mean none, and anything
# else is stored as none too, with a warning, never guessed.
POLARITY = {"high": "higher", "low": "lower"}
NO_POLARITY = {"", "-", "na", "n/a"}
# R writes a missing dictionary cell as NA.
R_MISSING = {"", "NA"}


# --- reading the files -----------------------------------------------------------------


@dataclass
class DatasetFile:
    """The data set's rows as text columns named as in DATASET_COLUMNS, with where each
    came from; ``columns`` are the file's own header texts."""

    rows: pa.Table  # short, years, area, value_text, la_number, region, source_row, source_sheet
    columns: list[str]
    title_cells: int = 0  # non-blank cells above the header (an Excel download's titles)
    sheet: str | None = None


def is_parquet(content: bytes) -> bool:
    return content[:4] == PARQUET_MAGIC and content[-4:] == PARQUET_MAGIC


def parquet_columns(content: bytes) -> list[str] | None:
    try:
        return pq.read_schema(pa.BufferReader(content)).names
    except (pa.ArrowException, OSError, UnicodeDecodeError):
        return None


def find_header(
    sheets: list[Sheet], required: tuple[str, ...]
) -> tuple[Sheet, int, list[str]] | None:
    """The first sheet row (within HEADER_SEARCH_ROWS) naming every required column."""
    for sheet in sheets:
        for r, cells in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
            names = [str(c).strip() if c is not None else "" for c in cells]
            if all(col in (n.lower() for n in names) for col in required):
                return sheet, r, names
    return None


def _normalised(table: pa.Table, columns: list[str]) -> pa.Table:
    """The known columns, renamed, as text; "201.0" LA numbers as "201"."""
    out = {}
    for name, column in zip(columns, table.columns, strict=True):
        key = DATASET_COLUMNS.get(name.strip().lower())
        if key is None or key in out:
            continue
        if key == "la_number" and pa.types.is_floating(column.type):
            column = pc.cast(column, pa.int64(), safe=False)
        out[key] = column if pa.types.is_string(column.type) else pc.cast(column, pa.string())
    for key in DATASET_COLUMNS.values():
        if key not in out:
            out[key] = pa.nulls(table.num_rows, pa.string())
    return pa.table(out)


def read_parquet_dataset(content: bytes, file_name: str) -> DatasetFile:
    try:
        table = pq.read_table(pa.BufferReader(content))
        table.validate(full=True)  # text that is not UTF-8 is refused here, not met later
    except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:
        raise LoaderError(
            f"The Parquet file could not be read ({str(exc).splitlines()[0]}). Download it "
            "again from the LAIT repository.",
            file=file_name,
        ) from exc
    rows = _normalised(table, table.column_names)
    n = rows.num_rows
    rows = rows.append_column("source_row", pa.array(np.arange(1, n + 1, dtype=np.int32)))
    rows = rows.append_column("source_sheet", pa.nulls(n, pa.string()))
    return DatasetFile(rows, table.column_names)


def read_csv_dataset(content: bytes, file_name: str) -> DatasetFile:
    """Every cell as text exactly as written ("NA" stays "NA"); the header is line 1."""
    table, header = read_text_columns(content, file_name, blank_is_null=False)
    rows = _normalised(table, header)
    n = rows.num_rows
    rows = rows.append_column("source_row", pa.array(np.arange(2, n + 2, dtype=np.int32)))
    rows = rows.append_column("source_sheet", pa.nulls(n, pa.string()))
    return DatasetFile(rows, header)


def _cell_text(value: Any) -> str | None:
    """A workbook cell as the text LAIT would have written: 2016.0 as "2016", and other
    numbers in their shortest form that reads back as the same double."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def read_sheet_dataset(sheets: list[Sheet], file_name: str) -> DatasetFile:
    """The Excel form. The workbook reader has already made a Python value of every cell,
    so the columns are turned into text here, one column at a time."""
    found = find_header(sheets, DATASET_REQUIRED)
    if found is None:
        raise LoaderError(
            "No header row naming Short Desc, Years, LA and Regions and Values was found.",
            file=file_name,
        )
    sheet, r, names = found
    numbered = [
        (i, row)
        for i, row in enumerate(sheet.rows[r + 1 :], start=r + 2)
        if any(c is not None for c in row)
    ]
    width = len(names)
    columns = [
        pa.array([_cell_text(row[c]) if c < len(row) else None for _, row in numbered], pa.string())
        for c in range(width)
    ]
    rows = _normalised(pa.Table.from_arrays(columns, names=[f"c{i}" for i in range(width)]), names)
    n = rows.num_rows
    rows = rows.append_column("source_row", pa.array([i for i, _ in numbered], pa.int32()))
    rows = rows.append_column("source_sheet", pa.array([sheet.name] * n, pa.string()))
    titles = sum(c is not None for row in sheet.rows[:r] for c in row)
    return DatasetFile(rows, names, titles, sheet.name)


# --- the dictionary --------------------------------------------------------------------


@dataclass
class DictionaryFile:
    """The dictionary's rows as measure_dictionary columns, and what was not stored."""

    rows: pa.Table
    columns: list[str]
    sheet: Sheet
    header_row: int
    skipped: list[int]  # 0-based sheet rows lacking a Measure_short or Measure
    blank: int  # NA or empty cells in the stored columns
    unrecognised_polarity: dict[str, list[str]]  # as written -> measures


DICTIONARY_SCHEMA = pa.schema(
    [
        ("measure_short", pa.string()),
        ("measure", pa.string()),
        ("measure_code", pa.string()),
        ("topic", pa.string()),
        ("polarity", pa.string()),
        ("polarity_text", pa.string()),
        ("unit", pa.string()),
        ("dps", pa.int32()),
        ("year_type", pa.string()),
        ("no_quartile", pa.bool_()),
        ("description", pa.string()),
        ("source", pa.string()),
    ]
)


def _dictionary_text(value: Any) -> str | None:
    text = _cell_text(value)
    return None if text is None or text.strip() in R_MISSING else text.strip()


def polarity_of(text: str | None) -> str | None:
    return POLARITY.get((text or "").strip().lower())


def csv_sheet(content: bytes, file_name: str) -> Sheet:
    """A CSV as one sheet of text cells, quoted as R's write.csv quotes (a doubled quote
    inside a quoted field is one quote): the dictionary's long texts are full of them."""
    text = decode_text(content, file_name)
    rows = [
        [clean_value(c) for c in record] for record in csv.reader(io.StringIO(text, newline=""))
    ]
    return Sheet(PurePath(file_name).stem, rows)


def read_dictionary(sheets: list[Sheet], file_name: str) -> DictionaryFile:
    """Each measure as the dictionary describes it (a few hundred rows, read in Python)."""
    found = find_header(sheets, DICTIONARY_REQUIRED)
    if found is None:
        raise LoaderError(
            "No header row naming Measure_short, Measure and Polarity was found.", file=file_name
        )
    sheet, r, names = found
    lower = [n.lower() for n in names]
    index = {col: lower.index(h) for h, col in DICTIONARY_COLUMNS.items() if h in lower}
    owner = next((i for i, h in enumerate(lower) if h.startswith(SOURCE_HEADER_PREFIX)), None)
    if owner is not None:
        index["source"] = owner
    records, skipped, blank, odd = [], [], 0, {}
    for offset, row in enumerate(sheet.rows[r + 1 :], start=r + 1):
        cells = {col: row[i] if i < len(row) else None for col, i in index.items()}
        if all(c is None for c in row):
            continue
        text = {col: _dictionary_text(v) for col, v in cells.items()}
        if text.get("measure_short") is None or text.get("measure") is None:
            skipped.append(offset)
            continue
        written = _cell_text(cells.get("polarity_text"))
        written = written.strip() if written and written.strip() else None
        text["polarity_text"] = written  # kept as written: High, Low, -, NA
        blank += sum(v is None for v in text.values())
        if written and written.lower() not in NO_POLARITY and polarity_of(written) is None:
            odd.setdefault(written, []).append(text["measure"])
        dps = text.get("dps")
        records.append(
            {
                **{col: text.get(col) for col in DICTIONARY_SCHEMA.names},
                "polarity": polarity_of(written),
                "polarity_text": written,
                "dps": int(float(dps)) if dps and re.fullmatch(r"\d+(\.0+)?", dps) else None,
                "no_quartile": (text.get("no_quartile") or "").upper() == "N",
            }
        )
    rows = pa.Table.from_pylist(records, schema=DICTIONARY_SCHEMA)
    return DictionaryFile(rows, names, sheet, r, skipped, blank, odd)


@dataclass(frozen=True)
class MeasureName:
    """The name and details one Measure_short loads under."""

    short: str
    indicator: str
    unit: str | None
    polarity: str | None
    description: str | None
    year_type: str | None
    others: tuple[str, ...] = ()  # the dictionary's other names for it


def measure_names(dictionary: list[dict[str, Any]]) -> dict[str, MeasureName]:
    """One name per Measure_short. LAIT lists a measure under two topics with two names
    (CLA / LAC Overall Absence); the longest name, then the first alphabetically, says
    most on its own and does not depend on the rows' order."""
    by_short: dict[str, list[dict[str, Any]]] = {}
    for row in dictionary:
        by_short.setdefault(row["measure_short"].strip(), []).append(row)
    names = {}
    for short, rows in by_short.items():
        best = min(rows, key=lambda row: (-len(row["measure"]), row["measure"]))
        others = tuple(sorted({row["measure"] for row in rows} - {best["measure"]}))
        names[short] = MeasureName(
            short, best["measure"], best["unit"], best["polarity"], best["description"],
            best["year_type"], others,
        )  # fmt: skip
    # Two short names under one measure name would merge two series: keep them apart.
    seen: dict[str, int] = {}
    for name in names.values():
        seen[name.indicator] = seen.get(name.indicator, 0) + 1
    for short, name in names.items():
        if seen[name.indicator] > 1:
            names[short] = MeasureName(
                short, f"{name.indicator} ({short})", name.unit, name.polarity,
                name.description, name.year_type, name.others,
            )  # fmt: skip
    return names
