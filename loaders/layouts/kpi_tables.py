"""Council KPI returns: wide, long and breakdown tables on any sheet, several a sheet."""

from __future__ import annotations

from loaders import settings
from loaders.errors import LoadWarning
from loaders.kpi_tables import metric_tables
from loaders.layouts.base import Context, Evidence, Layout, ParsedFile, Source
from loaders.layouts.metrics_common import metrics_file
from loaders.metric_sheet import SheetMetrics
from loaders.metrics import parse_metric_sheet
from loaders.readers.sheet import Sheet

# Figures in a council's own file carry no area; without --area or DASHBOARD_AREA they go
# under this name, with a warning.
DEFAULT_OWN_AREA = "Our council"
# A detector reads this many rows of each sheet: a KPI table starts well within them.
DETECT_ROWS = 500


def _spreadsheet(source: Source) -> bool:
    return source.suffix in (".xlsx", ".xlsm", ".xls", ".csv")


def _top(sheet: Sheet) -> Sheet:
    """The first rows of a sheet: enough to see whether it holds a KPI table."""
    if len(sheet.rows) <= DETECT_ROWS:
        return sheet
    return Sheet(sheet.name, sheet.rows[:DETECT_ROWS], number_formats=sheet.number_formats)


def detect(source: Source) -> Evidence | None:
    if not _spreadsheet(source):
        return None
    found = [s.name for s in source.sheets if parse_metric_sheet(_top(s)) is not None]
    if not found:
        return None
    names = ", ".join(f"'{n}'" for n in found)
    return Evidence(0.6, f"KPI tables (indicators and periods) on sheet {names}")


def parse(source: Source, ctx: Context) -> ParsedFile:
    results, warnings = [], []
    for sheet in source.sheets:
        result = parse_metric_sheet(sheet, ctx)
        if result is not None:
            results.append(result)
        elif sheet.rows:
            warnings.append(LoadWarning("no KPI table found on this sheet; skipped.", sheet.name))
    return finish(source, ctx, results, warnings)


def finish(
    source: Source, ctx: Context, results: list[SheetMetrics], warnings: list[LoadWarning]
) -> ParsedFile:
    """What every layout of council KPI sheets does last: the area of figures that name
    none, settling the figures of all sheets together, and the file."""
    warnings = warnings + [w for result in results for w in result.warnings]
    own = ctx.options.area or settings.own_area()
    unnamed = any(f.area is None for r in results for f in r.figures)
    if own is None and unnamed:
        own = DEFAULT_OWN_AREA
        warnings.append(
            LoadWarning(
                f"the figures carry no area, and no council is set; they are loaded as "
                f"'{DEFAULT_OWN_AREA}'. Give --area NAME or set {settings.OWN_AREA.env}."
            )
        )
    if own and unnamed:
        ctx.interp.decide(
            "area", "figures with no area column", own, "--area / the council setting"
        )
    tables, settled = metric_tables(results, ctx, own or DEFAULT_OWN_AREA)
    return metrics_file(source, tables, warnings + settled, ctx)


LAYOUT = Layout(
    "kpi_tables",
    "metrics",
    "a KPI table: indicators down the side and periods such as 2016/17, Q1 or Apr-17 across "
    "the top; or Indicator, Period and Value columns; or a Team or Type column with a column "
    "per measure",
    detect,
    parse,
    ceiling=0.6,
)
