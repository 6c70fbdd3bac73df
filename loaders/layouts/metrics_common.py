"""What every metrics layout does the same way: account for its figures, finish the file."""

from __future__ import annotations

import pyarrow.compute as pc

from loaders.errors import LoadWarning
from loaders.kpi_tables import MetricTables
from loaders.layouts.base import Context, ParsedFile, Source


def metrics_file(
    source: Source, tables: MetricTables, warnings: list[LoadWarning], ctx: Context
) -> ParsedFile:
    """The ParsedFile of a metrics layout; its as-of date is its latest period's end."""
    as_of = ctx.options.as_of
    if as_of is None and tables.rows:
        # a year to date ends with the year, not with the month the file reaches
        figures = tables.figures
        dated = figures.filter(pc.not_equal(figures["period_type"], "ytd"))
        as_of = pc.max((dated if dated.num_rows else figures)["period_end"]).as_py()
        ctx.interp.decide("as_of", "the file", as_of, "the end of its latest period")
    ctx.interp.as_of = as_of
    return ParsedFile(
        source.file_name, source.content, "metrics", None, as_of, metrics=tables, warnings=warnings
    )
