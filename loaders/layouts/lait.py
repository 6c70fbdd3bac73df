"""The DfE's LAIT benchmarking data set (Parquet, CSV or its Excel download) and its
measure dictionary (lait_data_dictionary.csv), which names the data set's measures."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from loaders import lait, lait_figures
from loaders.errors import LoaderError, LoadWarning
from loaders.interpret import Interpretation, Question
from loaders.kpi_tables import INDICATOR_SCHEMA, TARGET_SCHEMA, MetricTables
from loaders.layouts.base import Context, Evidence, Layout, ParsedFile, Source
from loaders.layouts.metrics_common import metrics_file

SOURCE = "DfE LAIT"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
UNKNOWN_KEY = "lait unknown measures"
SKIP, AS_SHORT = "skip them", "load under their short names"
# What each of the data set's columns is, said in the interpretation.
COLUMN_ROLES = {
    "short": "the measure, named by the dictionary's Measure for this Measure_short",
    "years": "the period; the label is kept exactly as written",
    "area": "the area",
    "value_text": "the figure (full precision); missing-value markers kept as written",
    "la_number": "the council's 3-digit code; 970 is England, 980-990 regions",
    "region": "a council's region",
    "data_item": "not used: the dictionary's Measure names the measure",
}
NO_DICTIONARY = (
    "The LAIT data set names its measures by short codes that only the LAIT measure "
    "dictionary explains, and no dictionary has been loaded. Load lait_data_dictionary.csv "
    "first, then this file (on the command line: import lait_data_dictionary.csv "
    "lait_bds_long.parquet)."
)


def detect_dataset(source: Source) -> Evidence | None:
    wanted = "Short Desc, Years, LA and Regions and Values"
    if lait.is_parquet(source.content):
        columns = lait.parquet_columns(source.content) or []
        if all(c in [n.strip().lower() for n in columns] for c in lait.DATASET_REQUIRED):
            return Evidence(1.0, f"a Parquet file with LAIT's columns {wanted}")
        return None
    header = source.csv_header
    if header is not None:
        if all(c in header for c in lait.DATASET_REQUIRED):
            return Evidence(1.0, f"LAIT's columns {wanted}")
        return None
    if source.suffix in WORKBOOK_SUFFIXES:
        found = lait.find_header(source.sheets, lait.DATASET_REQUIRED)
        if found is not None:
            sheet, row, _ = found
            return Evidence(1.0, f"LAIT's columns {wanted} (sheet '{sheet.name}', row {row + 1})")
    return None


def read_dataset(source: Source) -> lait.DatasetFile:
    if lait.is_parquet(source.content):
        return lait.read_parquet_dataset(source.content, source.file_name)
    if source.csv_header is not None:
        return lait.read_csv_dataset(source.content, source.file_name)
    return lait.read_sheet_dataset(source.sheets, source.file_name)


def _shape(label: str) -> str:
    return re.sub(r"\d", "9", label)


def parse_dataset(source: Source, ctx: Context) -> ParsedFile:
    interp = ctx.interp
    reference = ctx.options.reference.get("measure_dictionary")
    if reference is None or reference.num_rows == 0:
        raise LoaderError(NO_DICTIONARY, file=source.file_name)
    data = read_dataset(source)
    rows = data.rows
    interp.headers = list(data.columns)
    names = lait.measure_names(reference.to_pylist())
    shorts = {s.strip() for s in pc.unique(rows["short"]).to_pylist() if s and s.strip()}
    unknown = sorted(shorts - set(names))
    warnings: list[LoadWarning] = []
    if unknown and _answer_unknown(ctx, unknown) == AS_SHORT:
        for short in unknown:
            names[short] = lait.MeasureName(short, short, None, None, None, None)
    areas = lait_figures.area_table(rows)
    result = lait_figures.figures(rows, names, areas)
    figures = result.figures
    present = set(pc.unique(figures["indicator"]).to_pylist())
    loaded = [n for n in names.values() if n.indicator in present]
    tables = MetricTables(figures, TARGET_SCHEMA.empty_table(), _indicator_info(loaded), areas)

    interp.decide(
        "table",
        "every row" if data.sheet is None else f"sheet '{data.sheet}'",
        f"{rows.num_rows:,} rows: {len(loaded)} measures, {areas.num_rows} areas",
        "LAIT's long layout, one row per measure, year and area",
    )
    _decide_columns(interp, data)
    _decide_measures(interp, loaded)
    _decide_periods(interp, result, names)
    kinds = Counter(areas["kind"].to_pylist())
    interp.decide(
        "area",
        "LA and Regions",
        f"{kinds['council']} councils, {kinds['region']} regions, {kinds['national']} national",
        "LA Number: 970 England, above it regions (London, Inner and Outer London among them), "
        "below it councils, former councils included",
    )
    warnings += _warnings(rows, result, unknown)
    _account(interp, data, result)
    return metrics_file(source, tables, warnings, ctx)


def _indicator_info(names: list[lait.MeasureName]) -> pa.Table:
    """What the indicators view shows of each measure: the dictionary's unit (its y-axis
    name), polarity and description."""
    return pa.table(
        {
            "indicator": [n.indicator for n in names],
            "unit": [n.unit for n in names],
            "polarity": [n.polarity for n in names],
            "description": [n.description for n in names],
            "source": [SOURCE] * len(names),
        },
        schema=INDICATOR_SCHEMA,
    )


def _answer_unknown(ctx: Context, unknown: list[str]) -> str:
    answer = ctx.answers.get(UNKNOWN_KEY)
    if answer is None:
        ctx.interp.ask(
            Question(
                UNKNOWN_KEY,
                f"{len(unknown)} measure(s) in the file are not in the LAIT measure dictionary, "
                "so they have no name, polarity or unit. Skip them, or load them under their "
                "short names?",
                (SKIP, AS_SHORT),
                likely=SKIP,
                cells=tuple(unknown[:5]),
            )
        )
        return SKIP
    if answer not in (SKIP, AS_SHORT):
        raise LoaderError(
            f"The answer to '{UNKNOWN_KEY}' must be '{SKIP}' or '{AS_SHORT}', not '{answer}'."
        )
    ctx.interp.decide("series", f"{len(unknown)} measures not in the dictionary", answer,
                      "the officer's answer")  # fmt: skip
    return answer


def _decide_columns(interp: Interpretation, data: lait.DatasetFile) -> None:
    for i, column in enumerate(data.columns):
        key = lait.DATASET_COLUMNS.get(column.strip().lower())
        role = COLUMN_ROLES.get(key, "not used")
        interp.decide("column", f"column '{column}'", role, "LAIT's column name",
                      sheet=data.sheet, column=i)  # fmt: skip


def _decide_measures(interp: Interpretation, loaded: list[lait.MeasureName]) -> None:
    for n in loaded:
        polarity = {"higher": "higher is better", "lower": "lower is better"}.get(
            n.polarity or "", "no polarity"
        )
        evidence = "the dictionary's Measure for this Measure_short"
        if n.others:
            evidence += "; also named " + " / ".join(f"'{o}'" for o in n.others)
        if n.indicator == n.short:
            evidence = "not in the dictionary: loaded under its short name"
        reading = f"'{n.indicator}' ({polarity}; {n.unit or 'no unit'})"
        interp.decide("series", f"measure '{n.short}'", reading, evidence)


def _decide_periods(interp: Interpretation, result: lait_figures.Figures, names: dict) -> None:
    """One decision per Year_Type and shape of label ("9999/99", "9999 (prov)")."""
    seen = set()
    for short, years in sorted(result.pairs, key=lambda p: (p[1], p[0])):
        name = names.get(short)
        key = lait_figures.year_key(name.year_type) if name else None
        if name is None or (key, _shape(years)) in seen:
            continue
        seen.add((key, _shape(years)))
        basis = lait_figures.year_basis(name.year_type)
        evidence = (
            f"the dictionary's Year_Type '{name.year_type}': {basis.meaning}"
            if basis
            else "no Year_Type in the dictionary: '2016/17' read as a financial year, "
            "'2016' as a calendar year"
        )
        period = result.periods.get((years, key))
        reading = (
            f"{period.type} {period.start:%-d %b %Y} to {period.end:%-d %b %Y}"
            if period
            else "names no year: not loaded"
        )
        interp.decide("period", f"Years '{years}'", reading, evidence, certain=basis is not None)


def _rows_text(rows: pa.Table, found: np.ndarray) -> str:
    picked = rows.take(pa.array(found)).to_pylist()
    return "; ".join(
        f"row {r['source_row']} '{r['value_text']}' ({r['short']}, {r['area']}, {r['years']})"
        for r in picked
    )


def _warnings(
    rows: pa.Table, result: lait_figures.Figures, unknown: list[str]
) -> list[LoadWarning]:
    warnings = []
    if n := result.count(lait_figures.UNREADABLE):
        warnings.append(LoadWarning(
            f"{n:,} Values cells are neither figures nor missing-value markers and were not "
            f"loaded, e.g. {_rows_text(rows, result.rows_of(lait_figures.UNREADABLE, 3))}."
        ))  # fmt: skip
    if n := result.count(lait_figures.UNDATED):
        undated = rows.take(pa.array(result.rows_of(lait_figures.UNDATED)))
        labels = undated.group_by(["short", "years"]).aggregate([("source_row", "count")])
        top = labels.sort_by([("source_row_count", "descending")]).slice(0, 5).to_pylist()
        listed = ", ".join(
            f"'{r['years']}' of {r['short']} ({r['source_row_count']} rows)" for r in top
        )
        warnings.append(LoadWarning(
            f"{n:,} rows have a Years label that names no year and were not loaded: {listed}."
        ))  # fmt: skip
    if n := result.count(lait_figures.UNKNOWN):
        warnings.append(LoadWarning(
            f"{n:,} rows of {len(unknown)} measure(s) not in the dictionary were not loaded: "
            f"{', '.join(unknown[:5])}."
        ))  # fmt: skip
    if n := result.count(lait_figures.INCOMPLETE):
        warnings.append(LoadWarning(
            f"{n:,} rows lack a Short Desc, Years or LA and Regions and were not loaded, e.g. "
            f"{_rows_text(rows, result.rows_of(lait_figures.INCOMPLETE, 3))}."
        ))  # fmt: skip
    return warnings


# What the accounting calls each Values cell that was not stored, by its status.
NOT_STORED = {"missing": "missing", "blank": "blank", "unreadable": "unreadable",
              "incomplete": "skipped", "unknown": "skipped", "undated": "skipped"}  # fmt: skip


def _account(interp: Interpretation, data: lait.DatasetFile, result: lait_figures.Figures) -> None:
    """The header, each Values cell by what became of it, and the row's other cells, which
    name the figure beside them."""
    acc = interp.accounting
    acc.add("header", len(data.columns))
    acc.add("title", data.title_cells)
    for code, status in enumerate(lait_figures.STATUSES):
        acc.add(NOT_STORED.get(status), result.count(code))
    acc.add("label", data.rows.num_rows * (len(data.columns) - 1))


# --- the dictionary --------------------------------------------------------------------


def detect_dictionary(source: Source) -> Evidence | None:
    evidence = "a LAIT measure dictionary: columns Measure_short, Measure and Polarity"
    header = source.csv_header
    if header is not None:
        return (
            Evidence(1.0, evidence) if all(c in header for c in lait.DICTIONARY_REQUIRED) else None
        )
    if source.suffix in WORKBOOK_SUFFIXES:
        found = lait.find_header(source.sheets, lait.DICTIONARY_REQUIRED)
        if found is not None:
            return Evidence(1.0, f"{evidence} (sheet '{found[0].name}', row {found[1] + 1})")
    return None


def parse_dictionary(source: Source, ctx: Context) -> ParsedFile:
    interp = ctx.interp
    # The project's CSV reader guesses the quoting from the first lines, which in this file
    # hold no doubled quotes; the dictionary is read as R wrote it.
    sheets = (
        [lait.csv_sheet(source.content, source.file_name)]
        if source.csv_header is not None
        else source.sheets
    )
    d = lait.read_dictionary(sheets, source.file_name)
    interp.headers = list(d.columns)
    sheet = d.sheet.name if source.suffix in WORKBOOK_SUFFIXES else None
    rows = d.rows
    names = lait.measure_names(rows.to_pylist())
    info = _indicator_info(list(names.values()))
    interp.decide("table", "every row", f"{rows.num_rows} measures ({len(names)} short names)",
                  "a header row naming Measure_short, Measure and Polarity", sheet=sheet,
                  row=d.header_row)  # fmt: skip
    lower = [c.strip().lower() for c in d.columns]
    for i, column in enumerate(d.columns):
        target = lait.DICTIONARY_COLUMNS.get(lower[i])
        if target is None and lower[i].startswith(lait.SOURCE_HEADER_PREFIX):
            target = "source"
        reading = {"polarity_text": "polarity as written, and higher (High) or lower (Low)"}.get(
            target or "", target or "not stored"
        )
        interp.decide("column", f"column '{column}'", reading, "its header",
                      sheet=sheet, column=i)  # fmt: skip
    written = Counter(rows["polarity_text"].to_pylist())
    for text, n in written.most_common():
        reading = lait.polarity_of(text) or "no polarity (never ranked, banded or coloured)"
        interp.decide("polarity", f"Polarity '{text}' ({n} measures)", reading,
                      "High and Low only; '-', NA and blank say none")  # fmt: skip
    for n in names.values():
        if n.others:
            others = " / ".join(f"'{o}'" for o in n.others)
            interp.decide("series", f"measure '{n.short}'", f"'{n.indicator}'",
                          f"also named {others}: the longest name, then the first "
                          "alphabetically, says most on its own")  # fmt: skip
    warnings = [
        LoadWarning(f"Polarity '{text}' is not High or Low; {', '.join(measures[:3])} "
                    "stored with no polarity.")
        for text, measures in d.unrecognised_polarity.items()
    ]  # fmt: skip
    if d.skipped:
        listed = ", ".join(str(r + 1) for r in d.skipped[:5])
        warnings.append(LoadWarning(f"{len(d.skipped)} rows have no Measure_short or Measure and "
                                    f"were not loaded (rows {listed}).", sheet))  # fmt: skip
    width = len(d.columns)
    stored_width = sum(
        1 for h in lower
        if h in lait.DICTIONARY_COLUMNS or h.startswith(lait.SOURCE_HEADER_PREFIX)
    )  # fmt: skip
    acc = interp.accounting
    acc.add("header", width)
    acc.add("title", sum(c is not None for row in d.sheet.rows[: d.header_row] for c in row))
    acc.add(None, rows.num_rows * stored_width - d.blank)
    acc.add("blank", d.blank)
    acc.add("note", rows.num_rows * (width - stored_width))  # chart titles, dates, methodology
    acc.add("skipped", len(d.skipped) * width)
    polarised = rows.num_rows - rows["polarity"].null_count
    return ParsedFile(
        source.file_name, source.content, "dictionary", None, None, warnings=warnings,
        extra_rows={"measure_dictionary": rows, "indicator_file_info": info},
        summary=f"{rows.num_rows} measures ({polarised} with a polarity)",
    )  # fmt: skip


DATASET = Layout(
    "lait_dataset",
    "metrics",
    "the DfE LAIT data set: Short Desc, Years, LA and Regions and Values columns "
    "(Parquet, CSV or Excel)",
    detect_dataset,
    parse_dataset,
)
DICTIONARY = Layout(
    "lait_dictionary",
    "dictionary",
    "the LAIT measure dictionary: Measure_short, Measure and Polarity columns",
    detect_dictionary,
    parse_dictionary,
)
