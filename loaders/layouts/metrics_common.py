"""What every metrics layout does the same way: account for its figures, finish the file."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from loaders.errors import LoadWarning
from loaders.interpret import Interpretation
from loaders.kpi_tables import MetricTables
from loaders.layouts.base import Context, ParsedFile, Source


def account_figures(interp: Interpretation, figures: pa.Table, *, cells: int, header: int) -> None:
    """Account for a tidy table's cells: each figure stored or missing, the header, and the
    other cells of each row (area, period, filters), which name the figures beside them."""
    stored = pc.sum(pc.is_valid(figures["value"])).as_py() or 0
    missing = pc.sum(pc.is_valid(figures["missing"])).as_py() or 0
    blank = figures.num_rows - stored - missing
    interp.accounting.add("header", header)
    interp.accounting.add(None, stored)
    interp.accounting.add("missing", missing)
    interp.accounting.add("blank", blank)
    interp.accounting.add("label", max(cells - header - figures.num_rows, 0))


def metrics_file(
    source: Source, tables: MetricTables, warnings: list[LoadWarning], ctx: Context
) -> ParsedFile:
    """The ParsedFile of a metrics layout; its as-of date is its latest period's end."""
    as_of = ctx.options.as_of
    if as_of is None and tables.rows:
        as_of = pc.max(tables.figures["period_end"]).as_py()
        ctx.interp.decide("as_of", "the file", as_of, "the end of its latest period")
    ctx.interp.as_of = as_of
    return ParsedFile(
        source.file_name, source.content, "metrics", None, as_of, metrics=tables, warnings=warnings
    )
