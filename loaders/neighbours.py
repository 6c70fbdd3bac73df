"""The DfE statistical-neighbour model: each council's ten most similar councils.

Joined to figures on the 3-digit old_la_code, never on names ("St Helens" here is
"St. Helens" in the statistics files).
"""

from __future__ import annotations

import csv
import io
import re

import pyarrow as pa

from loaders.errors import LoaderError
from loaders.readers.csv import decode_text

NEIGHBOUR_SCHEMA = pa.schema(
    [
        ("old_la_code", pa.string()),
        ("la_name", pa.string()),
        ("region", pa.string()),
        ("rank", pa.int32()),
        ("neighbour_old_code", pa.string()),
        ("closeness", pa.string()),
    ]
)
_SN_COLUMN = re.compile(r"^sn_(\d+)$")


def is_neighbour_model(header: list[str] | None) -> bool:
    return bool(header) and "old_la_code" in header and any(_SN_COLUMN.match(c) for c in header)


def read_neighbour_model(content: bytes, file_name: str) -> pa.Table:
    """One row per council and neighbour, closest first."""
    reader = csv.DictReader(io.StringIO(decode_text(content, file_name)))
    reader.fieldnames = [name.strip().lower() for name in reader.fieldnames or []]
    ranks = sorted(int(m[1]) for name in reader.fieldnames if (m := _SN_COLUMN.match(name)))
    rows = []
    try:
        for line, record in enumerate(reader, start=2):
            rows += _neighbours_of(record, line, ranks, file_name)
    except csv.Error as exc:  # a quote never closed, a cell past the CSV module's limit
        line = reader.line_num + 1  # the line the unreadable record starts on
        raise LoaderError(
            f"The CSV could not be read from line {line} on ({exc}). Most often a quote "
            "mark opens a cell and never closes; save the file again from Excel as CSV.",
            file=file_name,
            row=line - 1,
        ) from exc
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in NEIGHBOUR_SCHEMA]
    return pa.table(
        dict(zip(NEIGHBOUR_SCHEMA.names, columns, strict=True)), schema=NEIGHBOUR_SCHEMA
    )


def _neighbours_of(record: dict, line: int, ranks: list[int], file_name: str) -> list[tuple]:
    """One council's row of the model as (code, name, region, rank, neighbour, closeness)."""
    code = (record.get("old_la_code") or "").strip()
    if not code.isdigit():
        raise LoaderError(
            f"old_la_code '{code}' on line {line} is not a 3-digit council code. Check the "
            "file is the DfE statistical neighbour model, one council per row.",
            file=file_name,
            row=line - 1,
        )
    name = (record.get("la_name") or "").strip()
    region = (record.get("region_name") or "").strip() or None
    return [
        (code, name, region, rank, neighbour, (record.get(f"sn_{rank}p") or "").strip() or None)
        for rank in ranks
        if (neighbour := (record.get(f"sn_{rank}") or "").strip())
    ]
