"""KPI figures as Arrow tables shaped like the store's tables, ready for one bulk insert."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from loaders.metrics import IndicatorInfo, SheetMetrics

FIGURE_SCHEMA = pa.schema(
    [
        ("indicator", pa.string()),
        ("area", pa.string()),
        ("breakdown", pa.string()),
        ("period_label", pa.string()),
        ("period_type", pa.string()),
        ("period_start", pa.date32()),
        ("period_end", pa.date32()),
        ("value", pa.float64()),
        ("unit", pa.string()),
        ("numerator", pa.float64()),
        ("denominator", pa.float64()),
        ("is_benchmark", pa.bool_()),
        ("missing", pa.string()),
        ("source_sheet", pa.string()),
        ("source_row", pa.int32()),
        ("source_column", pa.string()),
    ]
)
TARGET_SCHEMA = pa.schema(
    [
        ("indicator", pa.string()),
        ("period_label", pa.string()),
        ("period_end", pa.date32()),
        ("target", pa.float64()),
        ("source_sheet", pa.string()),
        ("source_row", pa.int32()),
        ("source_column", pa.string()),
    ]
)
INDICATOR_SCHEMA = pa.schema(
    [
        ("indicator", pa.string()),
        ("unit", pa.string()),
        ("polarity", pa.string()),
        ("description", pa.string()),
        ("source", pa.string()),
    ]
)
AREA_SCHEMA = pa.schema(
    [
        ("area", pa.string()),
        ("kind", pa.string()),
        ("code", pa.string()),
        ("old_code", pa.string()),
        ("region", pa.string()),
    ]
)


@dataclass
class MetricTables:
    """Everything a metrics file loads: figures, targets, indicator details and areas."""

    figures: pa.Table
    targets: pa.Table
    indicators: pa.Table
    areas: pa.Table

    @property
    def rows(self) -> int:
        return self.figures.num_rows

    def summary(self) -> str:
        figures = self.figures
        if not figures.num_rows:
            return "0 figures"
        observed = pc.sum(pc.is_valid(figures["value"])).as_py()
        missing = figures.num_rows - observed
        ends = figures["period_end"]
        first = figures["period_label"][pc.index(ends, pc.min(ends)).as_py()].as_py()
        last = figures["period_label"][pc.index(ends, pc.max(ends)).as_py()].as_py()
        return (
            f"{observed} figures ({missing} missing) for "
            f"{pc.count_distinct(figures['indicator']).as_py()} indicators, "
            f"{pc.count_distinct(figures['area']).as_py()} areas, periods {first} to {last}"
        )


def from_sheets(results: list[SheetMetrics], own_area: str) -> MetricTables:
    """Gather the figures of every sheet; figures with no area are the file's own council."""
    figures = [f for result in results for f in result.figures]
    targets = [t for result in results for t in result.targets]
    periods = {f.period.label: f.period.end for f in figures}
    figure_table = pa.table(
        {
            "indicator": [f.indicator for f in figures],
            "area": [f.area or own_area for f in figures],
            "breakdown": [f.breakdown for f in figures],
            "period_label": [f.period.label for f in figures],
            "period_type": [f.period.type for f in figures],
            "period_start": [f.period.start for f in figures],
            "period_end": [f.period.end for f in figures],
            "value": [f.reading.value for f in figures],
            "unit": [f.reading.unit for f in figures],
            "numerator": [f.reading.numerator for f in figures],
            "denominator": [f.reading.denominator for f in figures],
            "is_benchmark": [f.is_benchmark for f in figures],
            "missing": [f.reading.marker for f in figures],
            "source_sheet": [f.source_sheet for f in figures],
            "source_row": [f.source_row for f in figures],
            "source_column": [f.source_column for f in figures],
        },
        schema=FIGURE_SCHEMA,
    )
    target_table = pa.table(
        {
            "indicator": [t.indicator for t in targets],
            "period_label": [t.period_label for t in targets],
            "period_end": [periods.get(t.period_label) for t in targets],
            "target": [t.target for t in targets],
            "source_sheet": [t.source_sheet for t in targets],
            "source_row": [t.source_row for t in targets],
            "source_column": [t.source_column for t in targets],
        },
        schema=TARGET_SCHEMA,
    )
    info: dict[str, IndicatorInfo] = {}
    for result in results:  # a later sheet fills gaps but never blanks what an earlier one said
        for name, details in result.info.items():
            known = info.setdefault(name, IndicatorInfo())
            known.unit = known.unit or details.unit
            known.polarity = known.polarity or details.polarity
            known.description = known.description or details.description
    indicator_table = pa.table(
        {
            "indicator": list(info),
            "unit": [d.unit for d in info.values()],
            "polarity": [d.polarity for d in info.values()],
            "description": [d.description for d in info.values()],
            "source": ["council return"] * len(info),
        },
        schema=INDICATOR_SCHEMA,
    )
    areas = {own_area: "council"} if any(f.area is None for f in figures) else {}
    for f in figures:
        if f.area is not None:
            areas.setdefault(f.area, f.area_kind or "council")
    area_table = pa.table(
        {
            "area": list(areas),
            "kind": list(areas.values()),
            "code": [None] * len(areas),
            "old_code": [None] * len(areas),
            "region": [None] * len(areas),
        },
        schema=AREA_SCHEMA,
    )
    return MetricTables(figure_table, target_table, indicator_table, area_table)
