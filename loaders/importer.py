"""Import one file: read, detect its kind, parse, then write it in one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from loaders import settings
from loaders.actions import Action, parse_action_sheet
from loaders.dfe import header_of, is_dfe_csv, read_dfe_csv
from loaders.errors import (
    DuplicateUpload,
    FileTooLarge,
    LoaderError,
    LoadWarning,
    NoTableFound,
    UnknownUpload,
)
from loaders.kpi_tables import MetricTables, from_sheets
from loaders.metrics import parse_metric_sheet
from loaders.neighbours import is_neighbour_model, read_neighbour_model
from loaders.plan_file import action_table, gather_actions, plan_and_as_of
from loaders.rag import RAG_LEVELS
from loaders.readers import Sheet, read_sheets
from loaders.store import UPLOAD_TABLES, find_duplicate, transaction

KINDS = ("auto", "actions", "metrics", "neighbours")
# Figures in a council's own file carry no area; without --area or DASHBOARD_AREA they go
# under this name, with a warning.
DEFAULT_OWN_AREA = "Our council"
# What each kind of file needs, for the message when none is found.
LOOKED_FOR = {
    "actions": (
        "an action plan: a header row naming an Action column and at least one of Lead, "
        "Timescale, Progress, RAG or Ref"
    ),
    "metrics": (
        "a KPI table: indicators down the side and periods such as 2016/17, Q1 or Apr-17 "
        "across the top; or Indicator, Period and Value columns; or a Team or Type column "
        "with a column per measure"
    ),
}


@dataclass
class ParsedFile:
    """Everything a file will load, before anything is written (the Upload page previews it)."""

    file_name: str
    content: bytes
    kind: str
    plan: str | None
    as_of: dt.date | None
    plan_source: str | None = None
    as_of_source: str | None = None
    actions: list[Action] = field(default_factory=list)
    metrics: MetricTables | None = None
    neighbours: pa.Table | None = None
    warnings: list[LoadWarning] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def rows(self) -> int:
        if self.neighbours is not None:
            return self.neighbours.num_rows
        return self.metrics.rows if self.metrics is not None else len(self.actions)

    def rag_counts(self) -> dict[str, int]:
        counts = Counter(a.rag for a in self.actions)
        return {level: counts[level] for level in RAG_LEVELS if counts[level]}


@dataclass
class ImportResult:
    upload_id: int
    parsed: ParsedFile
    replaced: list[int]

    def summary(self) -> str:
        p = self.parsed
        if p.neighbours is not None:
            councils = pc.count_distinct(p.neighbours["old_la_code"]).as_py()
            line = f"{p.file_name}: neighbours, statistical neighbours of {councils} councils"
        elif p.metrics is not None:
            line = f"{p.file_name}: metrics, {p.metrics.summary()}"
        else:
            rag = ", ".join(f"{level} {n}" for level, n in p.rag_counts().items()) or "none"
            line = (
                f"{p.file_name}: actions, plan '{p.plan}', as of {p.as_of:%-d %b %Y}, "
                f"{p.rows} actions loaded (RAG: {rag})"
            )
        line += f", {len(p.warnings)} warning(s), upload {self.upload_id}"
        if self.replaced:
            line += f"; replaces upload {', '.join(map(str, self.replaced))} for the same date"
        return line


def read_path(path: Path) -> bytes:
    """A file's bytes, refusing one over the size limit before reading it into memory."""
    limit = settings.max_upload_bytes()
    size = path.stat().st_size
    if size > limit:
        raise FileTooLarge(
            f"The file is {size / 2**20:,.1f} MB; the limit is {limit / 2**20:,.0f} MB "
            f"(setting {settings.MAX_UPLOAD_MB.env}). Delete unused sheets or rows, or split it.",
            file=path.name,
        )
    return path.read_bytes()


def parse_file(
    content: bytes,
    file_name: str,
    *,
    plan: str | None = None,
    as_of: dt.date | None = None,
    kind: str = "auto",
    area: str | None = None,
    today: dt.date | None = None,
) -> ParsedFile:
    """Read and interpret a file without touching the database."""
    limit = settings.max_upload_bytes()
    if len(content) > limit:
        raise FileTooLarge(
            f"The file is {len(content) / 2**20:,.1f} MB; the limit is {limit / 2**20:,.0f} MB.",
            file=file_name,
        )
    if kind not in KINDS:
        raise LoaderError(f"Unknown kind '{kind}'; use one of {', '.join(KINDS)}.", file=file_name)
    try:
        if kind in ("auto", "neighbours") and is_neighbour_model(header_of(content, file_name)):
            table = read_neighbour_model(content, file_name)
            return ParsedFile(file_name, content, "neighbours", None, None, neighbours=table)
        if kind != "actions" and content.strip() and is_dfe_csv(content, file_name):
            tables, warnings = read_dfe_csv(content, file_name)
            return _metrics_file(content, file_name, tables, warnings, as_of)
        sheets = read_sheets(content, file_name)
        if not any(sheet.rows for sheet in sheets):
            raise LoaderError("The workbook has no cells with values in it.", file=file_name)
        if kind != "metrics":
            parsed = _parse_actions(content, file_name, sheets, plan, as_of, today)
            if parsed is not None:
                return parsed
        if kind != "actions":
            parsed = _parse_metrics(content, file_name, sheets, as_of, area)
            if parsed is not None:
                return parsed
        names = ", ".join(f"'{s.name}'" for s in sheets)
        wanted = [LOOKED_FOR[k] for k in ("actions", "metrics") if kind in (k, "auto")]
        raise NoTableFound(
            f"No table was found (sheets looked at: {names}). The loader looks for "
            f"{'; or for '.join(wanted)}. Add a header row like that above the figures.",
            file=file_name,
            sheet=sheets[0].name if len(sheets) == 1 else None,
        )
    except LoaderError as exc:
        exc.located(file_name)
        raise


def _each_sheet(sheets: list[Sheet], parse, what: str) -> tuple[list, list[LoadWarning]]:
    """Parse every sheet; a sheet without such a table is skipped with a warning."""
    results, skipped = [], []
    for sheet in sheets:
        result = parse(sheet)
        if result is not None:
            results.append(result)
        elif sheet.rows:
            skipped.append(
                LoadWarning(f"no {what} table found on this sheet; skipped.", sheet.name)
            )
    return results, skipped


def _parse_actions(
    content, file_name, sheets: list[Sheet], plan, as_of, today
) -> ParsedFile | None:
    parsed_sheets, skipped = _each_sheet(sheets, parse_action_sheet, "action-plan")
    if not parsed_sheets:
        return None
    actions, warnings = gather_actions(parsed_sheets)
    plan, plan_source, as_of, as_of_source, dated = plan_and_as_of(
        parsed_sheets, file_name, plan, as_of, today
    )
    return ParsedFile(
        file_name, content, "actions", plan, as_of, plan_source, as_of_source, actions,
        warnings=skipped + warnings + dated,
    )  # fmt: skip


def _parse_metrics(content, file_name, sheets: list[Sheet], as_of, area) -> ParsedFile | None:
    results, warnings = _each_sheet(sheets, parse_metric_sheet, "KPI")
    if not results:
        return None
    warnings += [w for result in results for w in result.warnings]
    own = area or settings.own_area()
    if own is None and any(f.area is None for r in results for f in r.figures):
        own = DEFAULT_OWN_AREA
        warnings.append(
            LoadWarning(
                f"the figures carry no area, and no council is set; they are loaded as "
                f"'{DEFAULT_OWN_AREA}'. Give --area NAME or set {settings.OWN_AREA.env}."
            )
        )
    return _metrics_file(
        content, file_name, from_sheets(results, own or DEFAULT_OWN_AREA), warnings, as_of
    )


def _metrics_file(content, file_name, tables: MetricTables, warnings, as_of) -> ParsedFile:
    if as_of is None and tables.rows:
        as_of = pc.max(tables.figures["period_end"]).as_py()
    return ParsedFile(file_name, content, "metrics", None, as_of, metrics=tables, warnings=warnings)


def _insert(con: duckdb.DuckDBPyConnection, table: str, upload_id: int, rows: pa.Table) -> None:
    """Bulk-insert Arrow rows into a store table, stamped with their upload."""
    if not rows.num_rows:
        return
    rows = rows.append_column("upload_id", pa.array([upload_id] * rows.num_rows, pa.int32()))
    con.register("incoming", rows)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming")
    finally:
        con.unregister("incoming")


def write_parsed(
    con: duckdb.DuckDBPyConnection, parsed: ParsedFile, uploaded_by: str | None = None
) -> ImportResult:
    """Write one parsed file in one transaction; refuse a duplicate."""
    with transaction(con):
        duplicate = find_duplicate(con, parsed.sha256)
        if duplicate:
            upload_id, name, loaded_at = duplicate
            raise DuplicateUpload(
                f"This file was already loaded on {loaded_at:%-d %b %Y at %H:%M} as upload "
                f"{upload_id} ('{name}'); nothing was loaded again. To replace it, remove "
                f"upload {upload_id} first.",
                file=parsed.file_name,
            )
        replaced = []
        if parsed.kind == "actions":
            replaced = [
                r[0]
                for r in con.execute(
                    "SELECT upload_id FROM action_snapshots WHERE plan = ? AND as_of = ?",
                    [parsed.plan, parsed.as_of],
                ).fetchall()
            ]
        upload_id = con.execute(
            "INSERT INTO upload_files (file_name, sha256, kind, plan, as_of, loaded_at, rows, "
            "warnings, content, uploaded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING upload_id",
            [
                parsed.file_name,
                parsed.sha256,
                parsed.kind,
                parsed.plan,
                parsed.as_of,
                dt.datetime.now().replace(microsecond=0),
                parsed.rows,
                [str(w) for w in parsed.warnings],
                parsed.content,
                uploaded_by,
            ],
        ).fetchone()[0]
        if parsed.neighbours is not None:
            _insert(con, "neighbour_rows", upload_id, parsed.neighbours)
        elif parsed.metrics is not None:
            _insert(con, "kpi_rows", upload_id, parsed.metrics.figures)
            _insert(con, "kpi_target_rows", upload_id, parsed.metrics.targets)
            _insert(con, "indicator_file_info", upload_id, parsed.metrics.indicators)
            _insert(con, "area_rows", upload_id, parsed.metrics.areas)
        else:
            table = action_table(upload_id, parsed.plan, parsed.as_of, parsed.actions)
            _insert(con, "action_rows", upload_id, table.drop_columns(["upload_id"]))
    return ImportResult(upload_id, parsed, replaced)


def import_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    plan: str | None = None,
    as_of: dt.date | None = None,
    kind: str = "auto",
    area: str | None = None,
    uploaded_by: str | None = None,
) -> ImportResult:
    """Import one file from disk; a LoaderError leaves the database exactly as it was."""
    try:
        content = read_path(path)
    except OSError as exc:
        raise LoaderError(
            f"The file could not be opened ({exc.strerror}).", file=path.name
        ) from exc
    parsed = parse_file(content, path.name, plan=plan, as_of=as_of, kind=kind, area=area)
    try:
        return write_parsed(con, parsed, uploaded_by)
    except LoaderError as exc:
        exc.located(path.name)
        raise


def remove_upload(con: duckdb.DuckDBPyConnection, upload_id: int) -> str:
    """Delete one upload and every row derived from it; returns its file name."""
    with transaction(con):
        found = con.execute(
            "SELECT file_name FROM upload_files WHERE upload_id = ?", [upload_id]
        ).fetchone()
        if not found:
            raise UnknownUpload(
                f"There is no upload {upload_id}. List uploads to see their numbers."
            )
        for table in UPLOAD_TABLES:
            con.execute(f"DELETE FROM {table} WHERE upload_id = ?", [upload_id])
        con.execute("DELETE FROM upload_files WHERE upload_id = ?", [upload_id])
    return found[0]
