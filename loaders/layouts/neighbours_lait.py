"""LAIT's statistical-neighbour workbook: a row per council, SN1..SN10 codes each with an SNP.

LAIT (the DfE's Local Authority Interactive Tool) loads ``sn_<month>_<year>.xlsx``: a header
row "LA num, LA Name, LA number, GOInd, GOReg, SN1, SNP, SN2, SNP ...", a row per council, and
under an "Old SNs:" line the former councils (Cumbria, Northamptonshire, pre-2019 Dorset ...)
that still have figures in LAIT.
"""

from __future__ import annotations

import re

from loaders.councils import by_code
from loaders.errors import LoaderError, LoadWarning, cell_name
from loaders.interpret import Decision
from loaders.layouts.base import Context, Evidence, Layout, ParsedFile, Source
from loaders.layouts.neighbours_wide import neighbours_file
from loaders.readers.sheet import Sheet

# The header row is looked for in this many rows at the top (LAIT puts two rows above it).
HEADER_ROWS = 20
CODE_HEADERS = ("la num", "la number", "la code")
NAME_HEADERS = ("la name", "la_name")
REGION_HEADERS = ("goreg", "region", "region_name")
CLOSENESS_HEADER = re.compile(r"^snp(\d*)$")  # LAIT writes "SNP" after each SNn
_SN = re.compile(r"^sn ?(\d+)$")  # SN1 (the DfE model writes SN_1)
_SN_IN_TEXT = re.compile(rb"(?i)(^|[,;\t\"])\s*sn ?1\s*([,;\t\"]|$)", re.M)


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _code(value: object) -> str | None:
    """A 3-digit council code from 301, 301.0 or "301"; None for anything else."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _text(value)
    return text if re.fullmatch(r"\d{3}", text) else None


def find_header(sheet: Sheet) -> tuple[int, dict[str, int], dict[int, int]] | None:
    """The header row, its code/name/region columns, and rank -> the SNn column."""
    for r, cells in enumerate(sheet.rows[:HEADER_ROWS]):
        texts = [_text(v).lower() for v in cells]
        ranks = {int(m[1]): c for c, t in enumerate(texts) if (m := _SN.match(t))}
        roles = {}
        for role, names in (
            ("code", CODE_HEADERS),
            ("name", NAME_HEADERS),
            ("region", REGION_HEADERS),
        ):
            column = next((c for c, t in enumerate(texts) if t in names), None)
            if column is not None:
                roles[role] = column
        if "code" in roles and "name" in roles and len(ranks) >= 5:
            return r, roles, ranks
    return None


def detect(source: Source) -> Evidence | None:
    if source.suffix not in (".xlsx", ".xlsm", ".xls", ".csv"):
        return None
    if source.suffix == ".csv" and not _SN_IN_TEXT.search(source.content[:65536]):
        return None  # no SN1 column near the top: not worth reading a large CSV into cells
    for sheet in source.sheets:
        found = find_header(sheet)
        if found is not None:
            r, roles, ranks = found
            return Evidence(
                1.0,
                f"LAIT's neighbour columns {_text(sheet.value(r, roles['code']))}, "
                f"{_text(sheet.value(r, roles['name']))} and SN1..SN{max(ranks)} "
                f"(sheet '{sheet.name}', row {r + 1})",
            )
    return None


def parse(source: Source, ctx: Context) -> ParsedFile:
    found = next(((s, h) for s in source.sheets if (h := find_header(s)) is not None), None)
    if found is None:
        raise LoaderError("No LAIT neighbour header row was found.", file=source.file_name)
    sheet, (top, roles, ranks) = found
    interp, accounting, warnings = ctx.interp, ctx.interp.accounting, []
    interp.headers = [_text(v) for v in sheet.rows[top] if _text(v)]
    closeness = {
        rank: column + 1
        for rank, column in ranks.items()
        if CLOSENESS_HEADER.match(_text(sheet.value(top, column + 1)).lower())
    }
    rows, former, heading = [], [], None
    for r, cells in enumerate(sheet.rows):
        if r <= top:
            accounting.add("title" if r < top else "header", sum(bool(_text(v)) for v in cells))
            continue
        code = _code(sheet.value(r, roles["code"]))
        if code is None:
            filled = sum(bool(_text(v)) for v in cells)
            accounting.add("blank", len(cells) - filled)
            accounting.add("title", filled)  # "Old SNs:" and other headings
            if filled:
                heading = next(_text(v) for v in cells if _text(v))
            continue
        name = _text(sheet.value(r, roles["name"]))
        region = _text(sheet.value(r, roles["region"])) if "region" in roles else ""
        if (council := by_code(code)) is not None and council.former:
            former.append(f"{name} ({code})")
        used = set()  # the cells stored: each neighbour's code and closeness
        for rank in sorted(ranks):
            neighbour = _code(sheet.value(r, ranks[rank]))
            if neighbour is None:
                if _text(sheet.value(r, ranks[rank])):
                    raise LoaderError(
                        f"'{_text(sheet.value(r, ranks[rank]))}' in cell "
                        f"{cell_name(r, ranks[rank])} is not a 3-digit council code (the SN{rank} "
                        "column).",
                        sheet=sheet.name,
                        row=r,
                        column=ranks[rank],
                    )
                continue
            if by_code(neighbour) is None:
                warnings.append(
                    LoadWarning(
                        f"council code {neighbour} is not a council of England known to the "
                        "loaders; stored as written.",
                        sheet.name,
                        r,
                        ranks[rank],
                    )
                )
            used.add(ranks[rank])
            close = _text(sheet.value(r, closeness[rank])) if rank in closeness else ""
            if close:
                used.add(closeness[rank])
            rows.append((code, name, region or None, rank, neighbour, close.capitalize() or None))
        for c, value in enumerate(cells):
            accounting.add(None if c in used else "label" if _text(value) else "blank")
    if former:
        interp.decide(
            "table",
            f"under '{heading}'" if heading else "rows",
            "former councils, loaded too",
            ", ".join(former),
            sheet=sheet.name,
        )
    councils = len({row[0] for row in rows})
    interp.tables.append(
        Decision(
            "table",
            f"sheet '{sheet.name}' from row {top + 2}",
            f"{councils} councils",
            f"header row {top + 1}",
            sheet=sheet.name,
            row=top,
        )
    )
    return neighbours_file(source, rows, warnings)


LAYOUT = Layout(
    "neighbours_lait",
    "neighbours",
    "LAIT's statistical-neighbour workbook: LA num, LA Name and SN1 to SN10 columns, a row "
    "per council",
    detect,
    parse,
)
