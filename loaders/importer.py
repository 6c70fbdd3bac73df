"""Import one file: read, detect, parse, then write it as one snapshot in one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from loaders import settings, snapshot
from loaders.actions import Action, parse_action_sheet
from loaders.errors import (
    DuplicateUpload,
    FileTooLarge,
    LoaderError,
    LoadWarning,
    NoTableFound,
    UnknownUpload,
)
from loaders.rag import RAG_LEVELS
from loaders.readers import read_sheets
from loaders.store import find_duplicate, transaction

KINDS = ("auto", "actions")


@dataclass
class ParsedFile:
    """Everything a file will load, before anything is written (the Upload page previews it)."""

    file_name: str
    content: bytes
    kind: str
    plan: str
    as_of: dt.date
    plan_source: str
    as_of_source: str
    actions: list[Action] = field(default_factory=list)
    warnings: list[LoadWarning] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def rows(self) -> int:
        return len(self.actions)

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
        rag = ", ".join(f"{level} {n}" for level, n in p.rag_counts().items()) or "none"
        line = (
            f"{p.file_name}: {p.kind}, plan '{p.plan}', as of {p.as_of:%-d %b %Y}, "
            f"{p.rows} actions loaded (RAG: {rag}), {len(p.warnings)} warning(s), "
            f"upload {self.upload_id}"
        )
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
        sheets = read_sheets(content, file_name)
        if not any(sheet.rows for sheet in sheets):
            raise LoaderError("The workbook has no cells with values in it.", file=file_name)
        return _parse_actions(content, file_name, sheets, plan, as_of, today)
    except LoaderError as exc:
        exc.located(file_name)
        raise


def _parse_actions(content, file_name, sheets, plan, as_of, today) -> ParsedFile:
    warnings: list[LoadWarning] = []
    parsed_sheets = []
    for sheet in sheets:
        result = parse_action_sheet(sheet)
        if result is None:
            if sheet.rows:
                warnings.append(
                    LoadWarning("no action-plan table found on this sheet; skipped.", sheet.name)
                )
            continue
        parsed_sheets.append(result)
    if not parsed_sheets:
        names = ", ".join(f"'{s.name}'" for s in sheets)
        raise NoTableFound(
            f"No action-plan table was found (sheets looked at: {names}). The loader looks for "
            "a header row naming an action column and at least one of Lead, Timescale, "
            "Progress, RAG or Ref. Add such a header row above the actions.",
            file=file_name,
            sheet=sheets[0].name if len(sheets) == 1 else None,
        )
    actions: list[Action] = []
    many = len(parsed_sheets) > 1
    for result in parsed_sheets:
        warnings.extend(result.warnings)
        if not result.actions:
            warnings.append(LoadWarning("a header row but no actions below it.", result.sheet))
        if not result.has_rag_column:
            warnings.append(
                LoadWarning("no RAG column; its actions are loaded as Not rated.", result.sheet)
            )
        for action in result.actions:
            if many:
                action.section = (
                    f"{result.sheet}: {action.section}" if action.section else result.sheet
                )
            actions.append(action)
    warnings.extend(_duplicate_refs(actions))

    titles = [line for result in parsed_sheets for line in result.title_lines]
    plan_source = "command line"
    if not plan:
        plan, plan_source = snapshot.plan_from_titles(titles), "title line"
    if not plan:
        plan, plan_source = snapshot.plan_from_file_name(file_name), "file name"
    as_of_source = "command line"
    if as_of is None:
        as_of, as_of_source = snapshot.as_of_from_titles(titles), "title line"
    if as_of is None:
        as_of, as_of_source = snapshot.as_of_from_file_name(file_name), "file name"
    if as_of is None:
        as_of, as_of_source = today or dt.date.today(), "today"
        warnings.append(
            LoadWarning(
                "no as-of date in the title lines or file name; used today's date. Add a line "
                "such as 'Progress as at 4 January 2018' or give the date when importing."
            )
        )
    return ParsedFile(
        file_name, content, "actions", plan, as_of, plan_source, as_of_source, actions, warnings
    )


def _duplicate_refs(actions: list[Action]) -> list[LoadWarning]:
    seen: dict[tuple[str | None, str], Action] = {}
    warnings = []
    for action in actions:
        if action.ref is None:
            continue
        key = (action.section, action.ref)
        if key in seen:
            first = seen[key]
            warnings.append(
                LoadWarning(
                    f"ref {action.ref} is used twice (also row {first.source_row} of sheet "
                    f"'{first.source_sheet}'); month-to-month tracking may pair the wrong actions.",
                    action.source_sheet,
                    action.source_row - 1,
                )
            )
        else:
            seen[key] = action
    return warnings


MILESTONE_TYPE = pa.list_(pa.struct([("date", pa.date32()), ("text", pa.string())]))


def _action_table(upload_id: int, parsed: ParsedFile) -> pa.Table:
    acts = parsed.actions
    columns = {
        "upload_id": pa.array([upload_id] * len(acts), pa.int32()),
        "plan": [parsed.plan] * len(acts),
        "section": [a.section for a in acts],
        "recommendation_ref": [a.recommendation_ref for a in acts],
        "recommendation": [a.recommendation for a in acts],
        "ref": [a.ref for a in acts],
        "action": [a.action for a in acts],
        "lead": [a.lead for a in acts],
        "timescale": [a.timescale.text for a in acts],
        "due_date": pa.array([a.timescale.due_date for a in acts], pa.date32()),
        "milestones": pa.array(
            [[{"date": m.date, "text": m.text} for m in a.timescale.milestones] for a in acts],
            MILESTONE_TYPE,
        ),
        "rag": [a.rag for a in acts],
        "progress": [a.progress for a in acts],
        "outcome": [a.outcome for a in acts],
        "cost_gbp": pa.array([a.cost_gbp for a in acts], pa.float64()),
        "cost_text": [a.cost_text for a in acts],
        "as_of": pa.array([parsed.as_of] * len(acts), pa.date32()),
        "source_sheet": [a.source_sheet for a in acts],
        "source_row": pa.array([a.source_row for a in acts], pa.int32()),
    }
    return pa.table(
        {k: v if isinstance(v, pa.Array) else pa.array(v, pa.string()) for k, v in columns.items()}
    )


def write_parsed(con: duckdb.DuckDBPyConnection, parsed: ParsedFile) -> ImportResult:
    """Write one parsed file as one snapshot, in one transaction; refuse a duplicate."""
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
        replaced = [
            r[0]
            for r in con.execute(
                "SELECT upload_id FROM action_snapshots WHERE plan = ? AND as_of = ?",
                [parsed.plan, parsed.as_of],
            ).fetchall()
        ]
        upload_id = con.execute(
            "INSERT INTO upload_files (file_name, sha256, kind, plan, as_of, loaded_at, rows, "
            "warnings, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING upload_id",
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
            ],
        ).fetchone()[0]
        con.register("incoming_actions", _action_table(upload_id, parsed))
        try:
            con.execute("INSERT INTO action_rows BY NAME SELECT * FROM incoming_actions")
        finally:
            con.unregister("incoming_actions")
    return ImportResult(upload_id, parsed, replaced)


def import_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    plan: str | None = None,
    as_of: dt.date | None = None,
    kind: str = "auto",
) -> ImportResult:
    """Import one file from disk; a LoaderError leaves the database exactly as it was."""
    try:
        content = read_path(path)
    except OSError as exc:
        raise LoaderError(
            f"The file could not be opened ({exc.strerror}).", file=path.name
        ) from exc
    parsed = parse_file(content, path.name, plan=plan, as_of=as_of, kind=kind)
    try:
        return write_parsed(con, parsed)
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
        con.execute("DELETE FROM action_rows WHERE upload_id = ?", [upload_id])
        con.execute("DELETE FROM upload_files WHERE upload_id = ?", [upload_id])
    return found[0]
