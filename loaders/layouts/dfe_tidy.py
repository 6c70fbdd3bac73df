"""DfE explore-education-statistics tidy CSVs: time_period, time_identifier, geographic_level."""

from __future__ import annotations

from loaders.dfe import REQUIRED, read_dfe_csv
from loaders.layouts.base import Context, Evidence, Layout, ParsedFile, Source
from loaders.layouts.metrics_common import metrics_file


def detect(source: Source) -> Evidence | None:
    header = source.csv_header
    if header and all(col in header for col in REQUIRED):
        return Evidence(1.0, "columns " + ", ".join(REQUIRED))
    return None


def parse(source: Source, ctx: Context) -> ParsedFile:
    interp = ctx.interp
    # The reader records what each time_identifier means (or asks) and accounts for every
    # cell of the CSV in the interpretation, counted from the cells themselves.
    tables, warnings = read_dfe_csv(
        source.content, source.file_name, interp=interp, answers=ctx.answers
    )
    interp.headers = list(source.csv_header or [])
    interp.decide(
        "table", "every row", f"{tables.rows:,} figures", "DfE tidy columns " + ", ".join(REQUIRED)
    )
    for name, column in zip(
        tables.indicators["indicator"].to_pylist(),
        tables.indicators["description"].to_pylist(),
        strict=True,
    ):
        interp.decide("series", f"indicator '{name}'", "loaded", column or "DfE file")
    return metrics_file(source, tables, warnings, ctx)


LAYOUT = Layout(
    "dfe_tidy",
    "metrics",
    "a DfE explore-education-statistics CSV: time_period, time_identifier and geographic_level columns",
    detect,
    parse,
)
