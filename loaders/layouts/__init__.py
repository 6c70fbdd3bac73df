"""The registry of layouts: every way of laying out a file that the loaders can read.

The importer, the Upload page and ``python -m loaders explain`` choose a layout only
through ``choose``; a new layout is one module here (a detector and a parser) and one
line in ``LAYOUTS``. Earlier entries win ties.
"""

from __future__ import annotations

from loaders.layouts import (
    dfe_tidy,
    kpi_tables,
    lait,
    monthly_series,
    neighbours_lait,
    neighbours_model,
    neighbours_wide,
    plan_table,
    register,
)
from loaders.layouts.base import (
    Context,
    Evidence,
    Layout,
    Options,
    ParsedFile,
    Source,
)

LAYOUTS: tuple[Layout, ...] = (
    neighbours_model.LAYOUT,
    neighbours_wide.LAYOUT,
    neighbours_lait.LAYOUT,
    dfe_tidy.LAYOUT,
    lait.DATASET,
    lait.DICTIONARY,
    register.LAYOUT,
    plan_table.LAYOUT,
    monthly_series.LAYOUT,
    kpi_tables.LAYOUT,
)

__all__ = ["LAYOUTS", "Context", "Evidence", "Layout", "Options", "ParsedFile", "Source"]
