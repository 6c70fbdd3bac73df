"""Command line: python -m loaders import|explain|uploads|remove|indicator."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
from pathlib import Path

from loaders import settings, store
from loaders.errors import LoaderError
from loaders.importer import KINDS, import_file, interpret_path, remove_upload
from loaders.indicators import POLARITIES, set_indicator
from loaders.interpret import MappingError, QuestionsPending, dump_mapping, load_mapping


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
    for p in (imp, exp, rem, ind, sub.choices["uploads"]):
        p.add_argument("--db", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        con = store.connect(args.db)
    except LoaderError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    try:
        if args.command == "import":
            return _import(con, args)
        if args.command == "explain":
            return _explain(con, args)
        if args.command == "uploads":
            return _uploads(con)
        if args.command == "indicator":
            return _indicator(con, args)
        name = remove_upload(con, args.upload_id)
        print(f"Removed upload {args.upload_id} ({name}) and everything loaded from it.")
        return 0
    except LoaderError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    finally:
        con.close()


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


def _import(con, args) -> int:
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
                uploaded_by=_user(),
                answers=answers,
            )
        except QuestionsPending as exc:
            print(f"Error: {exc}", file=sys.stderr)
            print(
                f"  To answer: python -m loaders explain {path} --write-mapping mapping.toml, "
                "edit the answers, then import with --mapping mapping.toml.",
                file=sys.stderr,
            )
            failed += 1
            continue
        except LoaderError as exc:
            print(f"Error: {exc}", file=sys.stderr)
            failed += 1
            continue
        print(result.summary())
        for warning in result.parsed.warnings:
            print(f"  warning: {warning}")
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
            print(f"Error: {exc}", file=sys.stderr)
            status = 1
            continue
        interp = parsed.interpretation
        for line in interp.lines():
            print(line)
        for warning in parsed.warnings:
            print(f"warning: {warning}")
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
                print(f"wrote the questions with their likely answers to {args.write_mapping}")
        print()
    return status


def _indicator(con, args) -> int:
    if args.polarity is None and args.target is None and args.description is None:
        print("Error: give at least one of --polarity, --target or --description.", file=sys.stderr)
        return 2
    known = set_indicator(
        con, args.name, polarity=args.polarity, target=args.target, description=args.description
    )
    row = con.execute(
        "SELECT polarity, target, description FROM indicators WHERE indicator = ?", [args.name]
    ).fetchone()
    print(
        f"{args.name}: polarity {row[0] or 'not set'}, target {_number(row[1])}, description {row[2] or 'none'}"
    )
    if not known:
        print(f"  note: no figures for '{args.name}' are loaded yet; the setting waits for them.")
    return 0


def _number(value: float | None) -> str:
    if value is None:
        return "not set"
    return f"{value:g}"


def _user() -> str | None:
    """Who ran the import, for the upload history."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def _uploads(con) -> int:
    rows = con.execute(
        "SELECT upload_id, loaded_at, kind, plan, as_of, rows, len(warnings), file_name "
        "FROM uploads ORDER BY upload_id"
    ).fetchall()
    if not rows:
        print("No uploads yet. Load one with: python -m loaders import PATH")
        return 0
    print(
        f"{'id':>4}  {'loaded':16}  {'kind':8}  {'as of':11}  {'rows':>5}  {'warn':>4}  plan / file"
    )
    for upload_id, loaded_at, kind, plan, as_of, n, warns, name in rows:
        as_of_text = f"{as_of:%-d %b %Y}" if as_of else ""
        print(
            f"{upload_id:>4}  {loaded_at:%Y-%m-%d %H:%M}  {kind:8}  {as_of_text:11}  {n:>5}  "
            f"{warns:>4}  {plan or ''} / {name}"
        )
    return 0
