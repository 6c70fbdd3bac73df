"""Import one file: read it, interpret it through the layout registry, ask what is unsure,
then write it in one transaction."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from loaders import access, settings
from loaders.access import Actor
from loaders.errors import (
    DuplicateUpload,
    FileTooLarge,
    LoaderError,
    NoTableFound,
)
from loaders.interpret import (
    PER_FILE_KEYS,
    Answers,
    Interpretation,
    MappingError,
    Question,
    QuestionsPending,
)
from loaders.layouts import LAYOUTS, Context, Evidence, Layout, Options, ParsedFile, Source
from loaders.plan_file import action_table
from loaders.store import (
    find_duplicate,
    reference_data,
    save_layout,
    saved_layout_map,
    transaction,
)
from loaders.worker import run_contained

__all__ = [
    "ImportResult",
    "ParsedFile",
    "import_file",
    "interpret_file",
    "parse_file",
    "write_parsed",
]

KINDS = ("auto", "actions", "metrics", "neighbours", "dictionary")
# Two layouts of different kinds whose evidence scores are this close both fit: the
# officer is asked which the file is.
AMBIGUOUS_MARGIN = 0.05
# When nothing fits, the message lists what these kinds look like (the others are
# particular published files, named by their own columns).
GENERAL_KINDS = ("actions", "metrics")


class NothingToStore(LoaderError):
    """A file that would store no action and no figure."""


class WrongKind(LoaderError):
    """A file that reads as another kind than the one asked for."""


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
        elif p.kind == "actions":
            rag = ", ".join(f"{level} {n}" for level, n in p.rag_counts().items()) or "none"
            line = (
                f"{p.file_name}: actions, plan '{p.plan}', as of {p.as_of:%-d %b %Y}, "
                f"{p.rows} actions loaded (RAG: {rag})"
            )
        else:
            line = f"{p.file_name}: {p.kind}, {p.summary or f'{p.rows} rows'} loaded"
        line += f", {len(p.warnings)} warning(s), upload {self.upload_id}"
        if self.replaced:
            line += f"; replaces upload {', '.join(map(str, self.replaced))} for the same date"
        if p.interpretation is not None:
            line += f"; {p.interpretation.accounting.summary()}"
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


SavedLayouts = Callable[[str], "tuple[int, dict[str, str]] | None"]


def interpret_file(
    content: bytes,
    file_name: str,
    *,
    kind: str = "auto",
    answers: dict[str, str] | None = None,
    options: Options | None = None,
    saved: SavedLayouts | None = None,
) -> ParsedFile:
    """Read a file and say how: the layout, each decision, the questions; writes nothing.

    ``answers`` are the officer's (a mapping file or the Upload page); ``saved`` finds the
    answers kept for a layout fingerprint, applied under the officer's own."""
    limit = settings.max_upload_bytes()
    if len(content) > limit:
        raise FileTooLarge(
            f"The file is {len(content) / 2**20:,.1f} MB; the limit is {limit / 2**20:,.0f} MB.",
            file=file_name,
        )
    if kind not in KINDS:
        raise LoaderError(f"Unknown kind '{kind}'; use one of {', '.join(KINDS)}.", file=file_name)
    options = options or Options()
    try:
        source = Source(content, file_name)
        layout, evidence, doubt = choose_layout(source, kind, answers or {})
        parsed = _parse(source, layout, evidence, doubt, answers or {}, options)
        interp = parsed.interpretation
        found = saved(interp.fingerprint) if saved else None
        if found is not None:
            layout_id, remembered = found
            if remembered:
                parsed = _parse(
                    Source(content, file_name), layout, evidence, doubt,
                    {**remembered, **(answers or {})}, options,
                )  # fmt: skip
            parsed.interpretation.layout_id = layout_id
        unused = [k for k in (answers or {}) if k in parsed.interpretation.unasked]
        if unused:
            raise MappingError(
                f"The mapping answers {', '.join(unused)}, which this file does not ask about "
                "(no such column or question). Check the mapping is for this file's layout; "
                "`python -m loaders explain FILE` lists the file's columns and questions.",
                file=file_name,
            )
        return parsed
    except LoaderError as exc:
        exc.located(file_name)
        raise


def choose_layout(
    source: Source, kind: str, answers: dict[str, str]
) -> tuple[Layout, Evidence, Question | None]:
    """The layout that fits the file best, and a question when two kinds fit about as well."""
    wanted = _detect(source, [lay for lay in LAYOUTS if kind in ("auto", lay.kind)])
    if not wanted:
        fits = _detect(source, [lay for lay in LAYOUTS if kind not in ("auto", lay.kind)])
        if fits:
            layout, ev = fits[0]
            raise WrongKind(
                f"This file reads as {layout.kind} ({ev.text}), not as {kind}. Import it with "
                f"--kind {layout.kind} (or auto), or choose the right file.",
                file=source.file_name,
            )
        looked = "; or for ".join(
            layout.summary
            for layout in LAYOUTS
            if layout.kind == kind or (kind == "auto" and layout.kind in GENERAL_KINDS)
        )
        sheets = source.sheets if source.suffix != ".parquet" else []  # refuses unknown files
        if sheets and not any(sheet.rows for sheet in sheets):
            raise LoaderError("The workbook has no cells with values in it.", file=source.file_name)
        names = ", ".join(f"'{s.name}'" for s in sheets)
        raise NoTableFound(
            f"No table was found{f' (sheets looked at: {names})' if names else ''}. The loader "
            f"looks for {looked}. Add a header row like that above the figures.",
            file=source.file_name,
            sheet=sheets[0].name if len(sheets) == 1 else None,
        )
    best, evidence = wanted[0]
    rivals = [
        f for f in wanted[1:]
        if f[0].kind != best.kind and evidence.score - f[1].score < AMBIGUOUS_MARGIN
    ]  # fmt: skip
    if not rivals:
        return best, evidence, None
    choices = (best.kind, *dict.fromkeys(f[0].kind for f in rivals))
    answer = answers.get("kind")
    for layout, ev in [wanted[0], *rivals]:
        if answer == layout.kind:
            return layout, ev, None
    question = Question(
        "kind",
        "The file could be read two ways: "
        + "; ".join(f"as {layout.kind} ({ev.text})" for layout, ev in [wanted[0], *rivals])
        + ". Which is it?",
        choices,
        likely=best.kind,
        option="--kind",
    )
    return best, evidence, question


def _detect(source: Source, layouts: list[Layout]) -> list[tuple[Layout, Evidence]]:
    """The layouts that fit, best first (earlier ones win ties); one that could not come
    within the ambiguity margin of the best so far is not asked."""
    fits: list[tuple[Layout, Evidence]] = []
    for layout in sorted(layouts, key=lambda lay: -lay.ceiling):
        best = max((ev.score for _, ev in fits), default=None)
        if best is not None and layout.ceiling <= best - AMBIGUOUS_MARGIN:
            continue
        evidence = layout.detect(source)
        if evidence is not None:
            fits.append((layout, evidence))
    order = {layout.name: i for i, layout in enumerate(LAYOUTS)}
    return sorted(fits, key=lambda f: (-f[1].score, order[f[0].name]))


def _parse(source, layout, evidence, doubt, answers, options) -> ParsedFile:
    interp = Interpretation(source.file_name, kind=layout.kind, layout=layout.name)
    interp.decide("layout", "the file", layout.name, evidence.text)
    if doubt is not None:
        interp.ask(doubt)
    given = Answers(answers)
    parsed = layout.parse(source, Context(interp, given, options))
    # What the readers noticed (rows decoded as Windows-1252, NUL bytes removed) is said too.
    if "sheets" in source.__dict__:
        parsed.warnings = [w for sheet in source.sheets for w in sheet.warnings] + parsed.warnings
    interp.unasked = [k for k in given.unused() if k != "kind"]
    parsed.interpretation = interp
    return parsed


def parse_file(
    content: bytes,
    file_name: str,
    *,
    plan: str | None = None,
    as_of: dt.date | None = None,
    kind: str = "auto",
    area: str | None = None,
    today: dt.date | None = None,
    answers: dict[str, str] | None = None,
) -> ParsedFile:
    """Read and interpret a file without touching the database; questions stop it."""
    parsed = interpret_file(
        content, file_name, kind=kind, answers=answers,
        options=Options(plan=plan, as_of=as_of, area=area, today=today),
    )  # fmt: skip
    check_loadable(parsed)
    return parsed


def check_loadable(parsed: ParsedFile) -> None:
    """Refuse a file with unanswered questions, or one that would store nothing."""
    interp = parsed.interpretation
    if interp.questions:
        raise QuestionsPending(interp)
    accounted = interp.accounting
    if parsed.rows == 0 or (accounted.cells and not accounted.stored):
        raise NothingToStore(
            f"Nothing in this file would be stored ({interp.accounting.summary()}), so it was "
            f"not loaded. It was read as {interp.layout}; check it is the right file, or that "
            "its figures are not all blank or suppressed.",
            file=parsed.file_name,
        )


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
    con: duckdb.DuckDBPyConnection,
    parsed: ParsedFile,
    answers: dict[str, str] | None = None,
    *,
    actor: Actor | None = None,
) -> ImportResult:
    """Write one parsed file in one transaction; refuse a duplicate or an unready file.

    ``answers`` given by the officer are kept as the file's layout for next time. The
    actor (by default whoever runs the command line) must be allowed to upload."""
    actor = access.acting(actor, "upload")
    check_loadable(parsed)
    interp = parsed.interpretation
    uploaded_by = actor.who
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
        layout_id = interp.layout_id
        remembered = {k: v for k, v in (answers or {}).items() if k not in PER_FILE_KEYS}
        if remembered:
            layout_id = save_layout(con, interp, remembered, parsed.file_name, uploaded_by)
            access.record(con, actor, "layout saved", f"layout {layout_id}", None, remembered)
        upload_id = con.execute(
            "INSERT INTO upload_files (file_name, sha256, kind, plan, as_of, loaded_at, rows, "
            "warnings, content, uploaded_by, layout, layout_id, accounting) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING upload_id",
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
                interp.layout,
                layout_id,
                json.dumps(interp.accounting.as_dict()),
            ],
        ).fetchone()[0]
        if parsed.neighbours is not None:
            _insert(con, "neighbour_rows", upload_id, parsed.neighbours)
        elif parsed.metrics is not None:
            _insert(con, "kpi_rows", upload_id, parsed.metrics.figures)
            _insert(con, "kpi_target_rows", upload_id, parsed.metrics.targets)
            _insert(con, "indicator_file_info", upload_id, parsed.metrics.indicators)
            _insert(con, "area_rows", upload_id, parsed.metrics.areas)
        elif parsed.kind == "actions":
            table = action_table(upload_id, parsed.plan, parsed.as_of, parsed.actions)
            _insert(con, "action_rows", upload_id, table.drop_columns(["upload_id"]))
        for table_name, rows in parsed.extra_rows.items():
            _insert(con, table_name, upload_id, rows)
        access.record(
            con,
            actor,
            "upload",
            f"upload {upload_id}",
            None,
            {"file_name": parsed.file_name, "kind": parsed.kind, "plan": parsed.plan,
             "as_of": parsed.as_of, "rows": parsed.rows, "replaces": replaced},
        )  # fmt: skip
    return ImportResult(upload_id, parsed, replaced)


def import_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    plan: str | None = None,
    as_of: dt.date | None = None,
    kind: str = "auto",
    area: str | None = None,
    answers: dict[str, str] | None = None,
    actor: Actor | None = None,
) -> ImportResult:
    """Import one file from disk; a LoaderError leaves the database exactly as it was."""
    actor = access.acting(actor, "upload")  # before reading a file that would not be stored
    parsed = interpret_path(
        con, path, plan=plan, as_of=as_of, kind=kind, area=area, answers=answers
    )
    try:
        return write_parsed(con, parsed, answers, actor=actor)
    except LoaderError as exc:
        exc.located(path.name)
        raise


def interpret_path(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    plan: str | None = None,
    as_of: dt.date | None = None,
    kind: str = "auto",
    area: str | None = None,
    answers: dict[str, str] | None = None,
) -> ParsedFile:
    """A file on disk interpreted, in a contained worker, against this database's saved
    layouts and reference data."""
    try:
        content = read_path(path)
    except OSError as exc:
        raise LoaderError(
            f"The file could not be opened ({exc.strerror}).", file=path.name
        ) from exc
    return interpret_contained(
        con, content, path.name, kind=kind, answers=answers,
        options=Options(plan=plan, as_of=as_of, area=area),
    )  # fmt: skip


def interpret_contained(
    con: duckdb.DuckDBPyConnection,
    content: bytes,
    file_name: str,
    *,
    kind: str = "auto",
    answers: dict[str, str] | None = None,
    options: Options | None = None,
) -> ParsedFile:
    """``interpret_file`` in a worker with limits on memory and time (loaders.worker): a
    hostile file can end only its worker, never the dashboard. Saved layouts and reference
    data are read here, from the database, and handed to the worker."""
    options = options or Options()
    options.reference = reference_data(con)
    parsed = run_contained(
        _interpret_in_worker, content, file_name, kind, answers, options,
        saved_layout_map(con), file_name=file_name,
    )  # fmt: skip
    parsed.content = content  # not sent back: the dashboard has the bytes already
    return parsed


def _interpret_in_worker(content, file_name, kind, answers, options, saved) -> ParsedFile:
    parsed = interpret_file(
        content, file_name, kind=kind, answers=answers, options=options, saved=saved.get
    )
    parsed.content = b""
    return parsed
