"""The DfE statistical-neighbour model: old_la_code, SN_1..SN_10 and their closeness."""

from __future__ import annotations

from loaders.layouts.base import Context, Evidence, Layout, ParsedFile, Source
from loaders.neighbours import is_neighbour_model, read_neighbour_model


def detect(source: Source) -> Evidence | None:
    if is_neighbour_model(source.csv_header):
        return Evidence(1.0, "columns old_la_code and SN_1..SN_10")
    return None


def parse(source: Source, ctx: Context) -> ParsedFile:
    table = read_neighbour_model(source.content, source.file_name)
    interp = ctx.interp
    interp.headers = list(source.csv_header or [])
    councils = len(set(table["old_la_code"].to_pylist()))
    interp.decide("table", "every row", f"{councils} councils", "a row per council, SN_n columns")
    width = len(source.csv_header or [])
    stored = table.num_rows + table["closeness"].drop_null().length()
    interp.accounting.add("header", width)
    interp.accounting.add(None, stored)  # each neighbour's code and closeness
    # The council's own code, name and region name the neighbours stored beside them.
    interp.accounting.add("label", councils * width - stored)
    return ParsedFile(source.file_name, source.content, "neighbours", None, None, neighbours=table)


LAYOUT = Layout(
    "neighbours_model",
    "neighbours",
    "the DfE statistical-neighbour model: old_la_code and SN_1 to SN_10 columns",
    detect,
    parse,
)
