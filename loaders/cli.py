"""Command line: python -m loaders import|explain|uploads|remove|bin|restore-upload|
empty-bin|indicator|role|audit|backup|restore|fetch-benchmarks.

While the dashboard runs it holds the database, so each command is handed to it and run
there (loaders.handoff); otherwise the command opens the database itself, waiting its turn
while another command has it."""

from __future__ import annotations

import argparse
import contextvars
import datetime as dt
import io
import os
import sys
import time
from pathlib import Path

from loaders import access, backup, handoff, settings, store
from loaders.access import ROLES, Actor
from loaders.bin import binned_uploads, empty_bin, remove_upload, restore_upload
from loaders.errors import DatabaseBusy, LoaderError
from loaders.fetch import DICTIONARY_FILE, fetch_benchmarks
from loaders.importer import KINDS, import_file, interpret_path
from loaders.indicators import POLARITIES, set_indicator
from loaders.interpret import MappingError, QuestionsPending, dump_mapping, load_mapping

# Where output goes: this process's own streams, or the text handed back by the dashboard.
_OUT: contextvars.ContextVar = contextvars.ContextVar("out", default=None)
_ERR: contextvars.ContextVar = contextvars.ContextVar("err", default=None)


def _say(*parts: object) -> None:
    print(*parts, file=_OUT.get() or sys.stdout)


def _warn(*parts: object) -> None:
    print(*parts, file=_ERR.get() or sys.stderr)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2018-01-04") from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m loaders",
        description="Load action plans and service metrics from spreadsheets into DuckDB.",
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help=f"{settings.DB_PATH.help} Default: {settings.DB_PATH.env} or data/dashboard.duckdb.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import", help="Load one or more spreadsheets, one snapshot per file.")
    imp.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    imp.add_argument(
        "--plan", help="Plan name (default: the plan title in the sheet, else the file name)."
    )
    imp.add_argument(
        "--as-of",
        type=_date,
        help="Snapshot date YYYY-MM-DD (default: from the title lines or file name).",
    )
    imp.add_argument(
        "--kind", choices=KINDS, default="auto", help="What the file holds (default: detect)."
    )
    imp.add_argument(
        "--area",
        help="The council a KPI file's figures are for when it has no area column "
        f"(default: the {settings.OWN_AREA.env} setting).",
    )
    imp.add_argument(
        "--mapping",
        type=Path,
        metavar="FILE",
        help="Answers to the loader's questions (column roles, units, periods): a TOML file "
        "as `explain --write-mapping` or the Upload page saves it. Kept as the file's layout.",
    )
    exp = sub.add_parser(
        "explain",
        help="Show how a file would be read (layout, tables, column roles, units, periods, "
        "as-of date, the cells accounted for and any questions) without loading it.",
        parents=[],
    )
    exp.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    for option in ("--plan", "--area"):
        exp.add_argument(option, help=argparse.SUPPRESS)
    exp.add_argument("--as-of", type=_date, help=argparse.SUPPRESS)
    exp.add_argument("--kind", choices=KINDS, default="auto", help=argparse.SUPPRESS)
    exp.add_argument(
        "--mapping", type=Path, metavar="FILE", help="Answers to apply, as for import."
    )
    exp.add_argument(
        "--write-mapping",
        type=Path,
        metavar="FILE",
        help="Write the file's questions as a mapping, each with its likely answer, to edit "
        "and pass to import --mapping.",
    )
    sub.add_parser("uploads", help="List uploads.")
    rem = sub.add_parser("remove", help="Remove one upload and everything derived from it.")
    rem.add_argument("upload_id", type=int, metavar="UPLOAD_ID")
    ind = sub.add_parser(
        "indicator",
        help="Set an indicator's polarity, target or description (kept across imports).",
    )
    ind.add_argument("name", metavar="NAME")
    ind.add_argument("--polarity", choices=POLARITIES)
    ind.add_argument("--target", type=float)
    ind.add_argument("--description")
    sub.add_parser("bin", help="List the uploads in the bin (removed, not yet deleted).")
    res = sub.add_parser("restore-upload", help="Bring an upload back from the bin.")
    res.add_argument("upload_id", type=int, metavar="UPLOAD_ID")
    sub.add_parser("empty-bin", help="Delete everything in the bin for good.")
    role = sub.add_parser(
        "role", help="Give someone a role, overriding their sign-in claims (none: remove it)."
    )
    role.add_argument("email", metavar="EMAIL")
    role.add_argument("role", choices=[*ROLES, "none"])
    sub.add_parser("audit", help="Print the audit trail, newest first.")
    bak = sub.add_parser(
        "backup", help="Write a consistent copy of the database to a new file (safe while "
        "the dashboard runs)."
    )  # fmt: skip
    bak.add_argument("path", type=Path, metavar="PATH")
    rst = sub.add_parser(
        "restore", help="Replace the database's contents with a backup's (the audit trail "
        "is kept and records the restore)."
    )  # fmt: skip
    rst.add_argument("path", type=Path, metavar="PATH")
    fet = sub.add_parser(
        "fetch-benchmarks",
        help="Download the DfE's LAIT national data set and its dictionary, check them and "
        "load them in place of the previous national set (which goes to the bin).",
    )
    fet.add_argument(
        "url",
        nargs="?",
        metavar="URL",
        help="The http(s) address of the folder holding bds_long_0.parquet and "
        f"lait_data_dictionary.csv (default: the {settings.BENCHMARKS_URL.env} setting, "
        "else LAIT's repository).",
    )
    for p in sub.choices.values():
        p.add_argument("--db", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        p.add_argument(
            "--wait",
            type=float,
            default=600,
            metavar="SECONDS",
            help="How long to wait for the database when another command has it, or for the "
            "running dashboard to finish the command (default 600).",
        )
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    db = Path(args.db) if args.db else settings.db_path()
    actor = access.command_line()
    deadline = time.monotonic() + args.wait
    while True:
        if handoff.dashboard_alive(db):
            return _hand_to_dashboard(db, argv, actor, args.wait)
        try:
            con = store.connect(db)
            break
        except DatabaseBusy as exc:
            if time.monotonic() > deadline:
                _warn(f"Error: {exc}")
                return 1
            time.sleep(1)
        except LoaderError as exc:
            _warn(f"Error: {exc}")
            return 1
    try:
        return run(con, args, actor)
    finally:
        con.close()


def _hand_to_dashboard(db: Path, argv: list[str], actor: Actor, wait: float) -> int:
    request = {"argv": argv, "cwd": os.getcwd(), "who": actor.who}
    result = handoff.submit(db, request, timeout=wait)
    sys.stdout.write(result["out"])
    sys.stderr.write(result["err"])
    return result["status"]


def run(con, args: argparse.Namespace, actor: Actor) -> int:
    """Run one parsed command on an open connection, as ``actor``."""
    try:
        return COMMANDS[args.command](con, args, actor)
    except LoaderError as exc:
        _warn(f"Error: {exc}")
        return 1


def run_handed(con, request: dict) -> dict:
    """In the dashboard: run a command handed over by the command line (loaders.handoff),
    with relative paths read from where it was typed; returns its output and status."""
    out, err = io.StringIO(), io.StringIO()
    tokens = (_OUT.set(out), _ERR.set(err))
    try:
        try:
            args = build_parser().parse_args(request["argv"])
        except SystemExit as exc:  # argparse has written why to stderr
            return {"status": int(exc.code or 0), "out": "", "err": "Error: bad arguments\n"}
        for name, value in vars(args).items():
            setattr(args, name, _from(Path(request["cwd"]), value))
        actor = Actor(str(request["who"]), "admin", "command line")
        status = run(con, args, actor)
    finally:
        _OUT.reset(tokens[0])
        _ERR.reset(tokens[1])
    return {"status": status, "out": out.getvalue(), "err": err.getvalue()}


def _from(cwd: Path, value):
    if isinstance(value, Path):
        return value if value.is_absolute() else cwd / value
    if isinstance(value, list):
        return [_from(cwd, v) for v in value]
    return value


def _remove(con, args, actor: Actor) -> int:
    name = remove_upload(con, args.upload_id, actor)
    _say(
        f"Moved upload {args.upload_id} ({name}) and everything loaded from it to the bin; "
        f"bring it back with: python -m loaders restore-upload {args.upload_id}"
    )
    return 0


def _bin(con, args, actor: Actor) -> int:
    binned = binned_uploads(con)
    if binned.empty:
        _say("The bin is empty.")
    for row in binned.itertuples():
        _say(
            f"{row.upload_id:>4}  removed {row.removed_at:%Y-%m-%d %H:%M} by {row.removed_by}"
            f"  {row.kind:8}  {row.plan or ''} / {row.file_name}"
        )
    return 0


def _restore_upload(con, args, actor: Actor) -> int:
    name = restore_upload(con, args.upload_id, actor)
    _say(f"Restored upload {args.upload_id} ({name}) from the bin.")
    return 0


def _empty_bin(con, args, actor: Actor) -> int:
    _say(f"Deleted {empty_bin(con, actor)} uploads from the bin for good.")
    return 0


def _role(con, args, actor: Actor) -> int:
    role = None if args.role == "none" else args.role
    access.set_role(con, actor, args.email, role)
    _say(f"{args.email.strip().lower()}: {role or 'role from sign-in claims'}")
    return 0


def _audit(con, args, actor: Actor) -> int:
    for row in access.audit_trail(con).itertuples():
        _say(
            f"{row.done_at:%Y-%m-%d %H:%M:%S}  {row.who} ({row.role or 'no role'})  {row.action}  {row.target}"
        )
    return 0


def _backup(con, args, actor: Actor) -> int:
    written = backup.backup(con, args.path)
    _say(f"Wrote a backup of the database to {written}.")
    return 0


def _restore(con, args, actor: Actor) -> int:
    counts = backup.restore(con, args.path, actor)
    uploads = counts["after"]["upload_files"]
    _say(
        f"Restored {args.path.name}: {uploads} uploads (before the restore: {counts['before']['upload_files']})."
    )
    return 0


def _fetch_benchmarks(con, args, actor: Actor) -> int:
    refresh = fetch_benchmarks(con, args.url, actor=actor)
    kept = " and ".join(f"upload {upload_id}" for upload_id in refresh.kept)
    if refresh.up_to_date:
        _say(
            f"National figures are already up to date: the files at {refresh.base_url} are "
            f"loaded as {kept}; nothing was changed."
        )
        return 0
    if kept:
        _say(f"{DICTIONARY_FILE}: unchanged, already loaded as {kept}; kept.")
    for result in refresh.loaded:
        _say(result.summary())
        for warning in result.parsed.warnings:
            _say(f"  warning: {warning}")
    if refresh.binned:
        listed = ", ".join(f"upload {upload_id} ({name})" for upload_id, name in refresh.binned)
        _say(
            f"Moved the previous national set to the bin: {listed}; bring one back with: "
            "python -m loaders restore-upload UPLOAD_ID"
        )
    return 0


def _answers(args) -> dict[str, str] | None:
    if not args.mapping:
        return None
    try:
        text = args.mapping.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(
            f"The mapping file could not be read ({exc}).", file=args.mapping.name
        ) from exc
    return load_mapping(text, args.mapping.name)


def _import(con, args, actor: Actor) -> int:
    failed = 0
    answers = _answers(args)
    for path in args.paths:
        try:
            result = import_file(
                con,
                path,
                plan=args.plan,
                as_of=args.as_of,
                kind=args.kind,
                area=args.area,
                answers=answers,
                actor=actor,
            )
        except QuestionsPending as exc:
            _warn(f"Error: {exc}")
            _warn(
                f"  To answer: python -m loaders explain {path} --write-mapping mapping.toml, "
                "edit the answers, then import with --mapping mapping.toml."
            )
            failed += 1
            continue
        except LoaderError as exc:
            _warn(f"Error: {exc}")
            failed += 1
            continue
        _say(result.summary())
        for warning in result.parsed.warnings:
            _say(f"  warning: {warning}")
    return 1 if failed else 0


def _explain(con, args) -> int:
    """Print each file's interpretation; exit 1 when a file cannot be read or asks questions."""
    answers = _answers(args)
    status = 0
    for path in args.paths:
        try:
            parsed = interpret_path(
                con, path, plan=args.plan, as_of=args.as_of, kind=args.kind, area=args.area,
                answers=answers,
            )  # fmt: skip
        except LoaderError as exc:
            _warn(f"Error: {exc}")
            status = 1
            continue
        interp = parsed.interpretation
        for line in interp.lines():
            _say(line)
        for warning in parsed.warnings:
            _say(f"warning: {warning}")
        if interp.questions:
            status = 1
            if args.write_mapping:
                likely = {q.key: q.likely or "" for q in interp.questions}
                args.write_mapping.write_text(
                    dump_mapping(
                        {**(answers or {}), **likely},
                        f"Answers for files laid out like {path.name}; edit, then:\n"
                        f"python -m loaders import {path.name} --mapping {args.write_mapping.name}",
                    ),
                    encoding="utf-8",
                )
                _say(f"wrote the questions with their likely answers to {args.write_mapping}")
        _say()
    return status


def _indicator(con, args, actor: Actor) -> int:
    if args.polarity is None and args.target is None and args.description is None:
        _warn("Error: give at least one of --polarity, --target or --description.")
        return 2
    known = set_indicator(
        con, args.name, polarity=args.polarity, target=args.target,
        description=args.description, actor=actor,
    )  # fmt: skip
    row = con.execute(
        "SELECT polarity, target, description FROM indicators WHERE indicator = ?", [args.name]
    ).fetchone()
    _say(
        f"{args.name}: polarity {row[0] or 'not set'}, target {_number(row[1])}, description {row[2] or 'none'}"
    )
    if not known:
        _say(f"  note: no figures for '{args.name}' are loaded yet; the setting waits for them.")
    return 0


def _number(value: float | None) -> str:
    if value is None:
        return "not set"
    return f"{value:g}"


def _uploads(con) -> int:
    rows = con.execute(
        "SELECT upload_id, loaded_at, kind, plan, as_of, rows, len(warnings), file_name "
        "FROM uploads ORDER BY upload_id"
    ).fetchall()
    if not rows:
        _say("No uploads yet. Load one with: python -m loaders import PATH")
        return 0
    _say(
        f"{'id':>4}  {'loaded':16}  {'kind':8}  {'as of':11}  {'rows':>5}  {'warn':>4}  plan / file"
    )
    for upload_id, loaded_at, kind, plan, as_of, n, warns, name in rows:
        as_of_text = f"{as_of:%-d %b %Y}" if as_of else ""
        _say(
            f"{upload_id:>4}  {loaded_at:%Y-%m-%d %H:%M}  {kind:8}  {as_of_text:11}  {n:>5}  "
            f"{warns:>4}  {plan or ''} / {name}"
        )
    return 0


COMMANDS = {
    "import": _import,
    "explain": lambda con, args, actor: _explain(con, args),
    "uploads": lambda con, args, actor: _uploads(con),
    "remove": _remove,
    "bin": _bin,
    "restore-upload": _restore_upload,
    "empty-bin": _empty_bin,
    "indicator": _indicator,
    "role": _role,
    "audit": _audit,
    "backup": _backup,
    "restore": _restore,
    "fetch-benchmarks": _fetch_benchmarks,
}
