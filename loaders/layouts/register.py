"""Project and risk registers: a row per project or risk, with an owner and a rating.

The UK government's Major Projects Portfolio data (Department, Project Name, Delivery
Confidence Assessment, Project - Start Date, Project - End Date, Whole life cost £m ...)
and councils' risk registers (Ref, Risk, Owner, Likelihood, Impact, RAG, Controls, Review
date) load as a plan whose items are the rows: the name is the action, the owner or
department the lead, the end date the due date, the rating the RAG. Every other column is
kept, as text, in the item's progress or cost, so nothing the officer wrote is lost.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from loaders import snapshot
from loaders.actions import Action, SheetActions, find_rag_key
from loaders.detect import field_for_label, normalise_label
from loaders.errors import LoadWarning, column_letter
from loaders.interpret import Decision
from loaders.layouts.base import Context, Evidence, Layout, ParsedFile, Source
from loaders.layouts.plan_table import settle_plan_and_as_of
from loaders.plan_file import gather_actions
from loaders.rag import NOT_RATED, classify_colour, is_neutral_colour, rate_confidence
from loaders.readers.sheet import Sheet
from loaders.text import cell_text, pounds_in_text
from loaders.timescale import Timescale, parse_timescale, span

# A register's detector beats the generic action-plan table (0.7-0.9) and KPI tables (0.6):
# a header naming a project or risk, its owner and its rating is a register.
SCORE = 0.95
# Headers are looked for in this many rows at the top of a sheet.
DETECT_ROWS = 200
# Most of a header row's cells are text (column names), never figures or dates.
HEADER_MIN_TEXT_SHARE = 0.8
# A register's header names at least this many columns.
MIN_HEADER_CELLS = 3
# Headers quoted in an item's progress or cost text are cut to this length, without the
# explanations in brackets (units such as "(£m)" and "(%)" stay).
MAX_LABEL_CHARS = 60
_EXPLANATION = re.compile(r"\s*\((?![^)]*[£%])[^)]*(\)|$)")
# A single-cell row longer than this inside the table is a note, never a section heading.
MAX_SECTION_CHARS = 100

# Each column role and the header names that mean it exactly (normalised: lower case,
# punctuation as spaces). Roles with one column per item: name, ref, owner, department,
# rating, start, end; description, narrative and money take every column they name.
EXACT: dict[str, tuple[str, ...]] = {
    "name": (
        "project name", "project", "project title", "programme name", "programme",
        "programme title", "project programme name", "scheme", "scheme name", "risk",
        "risk title", "risk name", "risk summary", "name", "title",
    ),
    "ref": (
        "ref", "reference", "risk ref", "risk reference", "risk id", "risk no", "risk number",
        "id", "project id", "gmpp id", "no", "number", "ref no",
    ),
    "owner": (
        "sro", "senior responsible owner", "senior responsible officer", "owner", "risk owner",
        "project owner", "lead", "lead officer", "responsible officer", "accountable officer",
        "project manager", "responsible",
    ),
    "department": ("department", "dept", "directorate", "service", "service area", "organisation"),
    "rating": (
        "delivery confidence assessment", "delivery confidence", "dca", "rag", "rag status",
        "rag rating", "rating", "risk rating", "current rating", "confidence",
    ),
    "description": (
        "description", "description aims", "aims", "project description", "risk description",
        "description of risk", "cause", "causes", "consequence", "consequences", "effect",
        "summary", "scope", "purpose", "objectives",
    ),
    "narrative": (
        "narrative", "commentary", "comment", "comments", "update", "progress",
        "progress update", "latest update", "controls", "existing controls", "current controls",
        "mitigation", "mitigations", "mitigating actions", "further actions", "actions", "action",
    ),
    "start": ("start date", "project start date", "start", "date raised", "date identified"),
    "end": (
        "end date", "project end date", "end", "completion date", "target date",
        "target completion date", "due date", "review date", "next review date",
        "date of next review", "deadline", "planned end date", "forecast end date",
    ),
}  # fmt: skip
_EXACT = {name: role for role, names in EXACT.items() for name in names}
# Otherwise a phrase anywhere in the header, roles in this order: "Departmental narrative on
# the DCA" is a narrative, "Forecast end date" a date, "Whole life cost (£m)" money.
CONTAINS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (role, re.compile(rf"(?<!\w)({pattern})(?!\w)"))
    for role, pattern in (
        ("narrative", r"narrative|commentary|comments?|mitigat\w*|controls"),
        ("start", r"start"),
        ("end", r"end date|completion|target date|due date|review date|deadline"),
        ("money", r"£\w*|cost|costs|budget|baseline|forecast|spend|expenditure"),
        ("rating", r"delivery confidence|dca|rag|rating"),
        ("name", r"project name|programme name|project title|risk title|risk name|scheme name"),
        ("owner", r"sro|senior responsible|owner|responsible officer"),
        ("department", r"department|directorate"),
        ("description", r"description|aims"),
        ("ref", r"gmpp id|project id|risk id|risk ref"),
    )
)
SINGLE_ROLES = ("name", "ref", "owner", "department", "rating", "start", "end")
# Column headers that make a table a risk register even when it has an "Actions" column.
_RISK_WORDS = re.compile(r"\b(risk|likelihood|impact|probability|controls?|mitigat\w*)\b")
_NOTE = re.compile(r"^\s*(notes?|source|key|n\.?b\.?|please|figures|data|\*|†)\b", re.I)
_TOTAL = re.compile(r"^\s*(grand\s+)?total", re.I)
_SCALES = (
    (re.compile(r"£\s*(bn|billion|billions)\b"), 1e9, "£ billions"),
    (re.compile(r"£\s*(m|mn|million|millions)\b"), 1e6, "£ millions"),
    (re.compile(r"£\s*(k|000|thousand|thousands)\b"), 1e3, "£ thousands"),
)


def column_role(label: object) -> str | None:
    """The role a register header cell names, or None (a column kept as a detail)."""
    if not isinstance(label, str):
        return None
    return _text_role(label)


@functools.lru_cache(maxsize=8192)  # detection asks of every cell near the top of a sheet
def _text_role(label: str) -> str | None:
    text = normalise_label(label)
    if text in _EXACT:
        return _EXACT[text]
    for role, pattern in CONTAINS:
        if pattern.search(text):
            return role
    return None


def _rank(role: str, label: str) -> float:
    """Which of several columns naming one role an item takes (higher wins)."""
    text = normalise_label(label)
    later = 0.5 if re.search(r"\b(current|residual|latest|overall|revised|forecast)\b", text) else 0
    earlier = -1 if re.search(r"\b(previous|inherent|target|baseline|original)\b", text) else 0
    if role == "rating":
        return (2 if re.search(r"delivery confidence|dca|rag", text) else 1) + later + earlier
    if role == "end":
        kind = 1 if "review" in text else 2 if re.search(r"target|due|deadline", text) else 3
        return kind + later + (earlier if "target" not in text else 0)
    if role == "name":
        return 0 if text in ("name", "title") else 2 if " " in text else 1
    return 0


@dataclass
class RegisterHeader:
    """A register's header row: each column's label and role, and the one column per role."""

    row: int
    labels: dict[int, str]
    roles: dict[int, str]  # every labelled column: a role, "money" or "detail"
    pick: dict[str, int] = field(default_factory=dict)
    cost: int | None = None  # the money column taken as the item's cost in pounds


def _risk_described(roles: dict[int, str], labels: dict[int, str], words: str) -> None:
    """Many risk registers have no short name for a risk, only its description ("Risk ID,
    Risk Description, Risk Owner, ..."): there the description is the item's name. The
    leftmost description naming the risk is taken, else the leftmost description."""
    if "name" in roles.values() or not _RISK_WORDS.search(words):
        return
    described = [c for c, role in roles.items() if role == "description"]
    if described:
        risky = [c for c in described if "risk" in normalise_label(labels[c])]
        roles[min(risky or described)] = "name"


def find_header(r: int, cells: list[object]) -> RegisterHeader | None:
    """The register header this row is: a name, a rating and an owner or department column."""
    filled = [(c, v) for c, v in enumerate(cells) if v is not None]
    texts = [(c, v) for c, v in filled if isinstance(v, str)]
    if len(texts) < MIN_HEADER_CELLS or len(texts) < HEADER_MIN_TEXT_SHARE * len(filled):
        return None
    roles = {c: column_role(v) or "detail" for c, v in texts}
    labels = {c: " ".join(v.split()) for c, v in texts}
    words = " ".join(normalise_label(v) for v in labels.values())
    _risk_described(roles, labels, words)
    found = set(roles.values())
    if not ({"name", "rating"} <= found and found & {"owner", "department"}):
        return None
    if any(field_for_label(v) == "action" for v in labels.values()) and not _RISK_WORDS.search(
        words
    ):
        return None  # an action plan whose actions belong to projects: plan_table reads it
    header = RegisterHeader(r, labels, roles)
    for role in SINGLE_ROLES:
        cols = [c for c, rl in roles.items() if rl == role]
        if not cols:
            continue
        # The best-ranked column; ties go to the rightmost (a later quarter's rating), but
        # to the leftmost name (the item's own name comes before other names).
        best = max(cols, key=lambda c: (_rank(role, labels[c]), -c if role == "name" else c))
        header.pick[role] = best
        for c in cols:
            if c != best:
                roles[c] = "detail"
    money = [c for c, rl in roles.items() if rl == "money"]
    whole_life = [c for c in money if "whole life" in normalise_label(labels[c])]
    header.cost = (whole_life or money or [None])[0]
    return header


def detect(source: Source) -> Evidence | None:
    if source.suffix not in (".xlsx", ".xlsm", ".xls", ".csv"):
        return None
    for sheet in source.sheets:
        for r, cells in enumerate(sheet.rows[:DETECT_ROWS]):
            header = find_header(r, cells)
            if header is not None:
                named = ", ".join(
                    f"{role} '{header.labels[c]}'" for role, c in header.pick.items()
                    if role in ("name", "owner", "department", "rating")
                )  # fmt: skip
                return Evidence(
                    SCORE, f"a register header naming {named} (sheet '{sheet.name}', row {r + 1})"
                )
    return None


def _short_label(label: str | None) -> str | None:
    """A header as a label in an item's text: the GMPP's headers carry long explanations
    in brackets ("Financial Year Variance (%)", "IPA Delivery Confidence Assessment (A ...")."""
    if not label:
        return None
    text = _EXPLANATION.sub("", label).rstrip(" .:;,")
    return text if len(text) <= MAX_LABEL_CHARS else text[: MAX_LABEL_CHARS - 1].rstrip() + "…"


def _scale(label: str) -> tuple[float, str]:
    text = normalise_label(label)
    for pattern, factor, words in _SCALES:
        if pattern.search(text):
            return factor, words
    return 1.0, "pounds"


def _pounds(value: object, factor: float) -> float | None:
    """A money cell in pounds: a number in the column's unit, or text such as '£1.2m'."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value) * factor
    text = str(value).strip().replace(",", "").lstrip("£").strip()
    try:
        return float(text) * factor
    except ValueError:
        return pounds_in_text(value)


class _RegisterReader:
    """Reads one sheet's register table into items, accounting for every cell."""

    def __init__(self, sheet: Sheet, header: RegisterHeader, ctx: Context) -> None:
        self.sheet, self.header, self.ctx = sheet, header, ctx
        self.result = SheetActions(sheet.name, has_rag_column=True)
        self.width = max((len(row) for row in sheet.rows[header.row :]), default=0)
        self.ratings: dict[str, tuple[str, str, int, int]] = {}  # text -> level, how, r, c
        self.section: str | None = None
        self.pending_section: int = 0  # cells of a section row no item has followed yet
        _, self.key_colours = find_rag_key(sheet)

    def read(self, key_rows: set[int]) -> None:
        accounting = self.ctx.interp.accounting
        for r, cells in enumerate(self.sheet.rows):
            filled = [(c, v) for c, v in enumerate(cells) if v is not None]
            if r < self.header.row:
                if filled:
                    self.result.title_lines.append(" ".join(cell_text(v) or "" for _, v in filled))
                    accounting.add("title", len(filled))
                continue
            accounting.add("blank", max(self.width - len(filled), 0))
            if not filled:
                continue
            if r == self.header.row or self._is_repeat(r, cells):
                accounting.add("header", len(filled))
            elif r in key_rows:
                accounting.add("key", len(filled))
            elif self._text(cells, self.header.pick["name"]):
                self._item(r, cells)
                accounting.add(None, len(filled) + self.pending_section)
                self.pending_section = 0
            elif (reason := self._other_row(cells, filled)) == "section":
                # Stored as the section of the items below it; a note if none follows.
                self.pending_section += len(filled)
            else:
                accounting.add(reason, len(filled))
        if self.pending_section:
            accounting.add("note", self.pending_section)

    def _is_repeat(self, r: int, cells: list[object]) -> bool:
        again = find_header(r, cells)
        return again is not None and again.labels == self.header.labels

    def _text(self, cells: list[object], c: int | None) -> str | None:
        if c is None or c >= len(cells):
            return None
        return cell_text(cells[c])

    def _other_row(self, cells: list[object], filled: list) -> str | None:
        """A row with no name: more text for the item above, a section heading, or a note."""
        texts = [cell_text(v) or "" for _, v in filled]
        if any(_TOTAL.match(t) for t in texts):
            return "note"
        first = filled[0][0]
        if len(set(texts)) == 1 and (
            first <= min(self.header.labels) or first not in self.header.roles
        ):
            # One text at the table's left edge (or merged across it): a heading such as
            # "Strategic risks", or a note below the table.
            text = texts[0]
            if _NOTE.match(text) or len(text) > MAX_SECTION_CHARS:
                return "note"
            self.section = text
            return "section"
        if not self.result.actions or any(c not in self.header.roles for c, _ in filled):
            return "note"
        previous = self.result.actions[-1]
        extra = "\n".join(
            f"{_short_label(self.header.labels[c])}: {cell_text(v)}" for c, v in filled
        )
        previous.progress = f"{previous.progress}\n{extra}" if previous.progress else extra
        return None

    def _item(self, r: int, cells: list[object]) -> None:
        h, pick = self.header, self.header.pick
        owner, department = (
            self._text(cells, pick.get("owner")),
            self._text(cells, pick.get("department")),
        )
        lead = f"{owner} ({department})" if owner and department else owner or department
        level, written = self._rating(r, cells)
        narrative, details, outcome, costs = [], [], [], []
        groups = {"description": outcome, "narrative": narrative, "money": costs, "detail": details}
        counts = {role: sum(1 for rl in h.roles.values() if rl == role) for role in groups}
        for c, value in enumerate(cells):
            role = h.roles.get(c, "detail")
            text = cell_text(value, self.sheet.number_formats.get((r, c)))
            if role not in groups or text is None:
                continue
            label = _short_label(h.labels.get(c)) or f"Column {column_letter(c)}"
            alone = role in ("description", "narrative") and counts[role] == 1
            groups[role].append(text if alone else f"{label}: {text}")
        progress = ([f"Rating as written: {written}"] if written else []) + narrative + details
        factor = _scale(h.labels[h.cost])[0] if h.cost is not None else 1.0
        cost = cells[h.cost] if h.cost is not None and h.cost < len(cells) else None
        self.result.actions.append(
            Action(
                section=self.section, recommendation_ref=None, recommendation=None,
                ref=self._text(cells, pick.get("ref")), action=self._text(cells, pick["name"]) or "",
                lead=lead, timescale=self._timescale(r, cells), rag=level,
                progress="\n".join(progress) or None, outcome="\n".join(outcome) or None,
                cost_gbp=_pounds(cost, factor), cost_text="; ".join(costs) or None,
                source_sheet=self.sheet.name, source_row=r + 1,
            )
        )  # fmt: skip

    def _cell(self, r: int, cells: list[object], role: str) -> tuple[object, str | None]:
        c = self.header.pick.get(role)
        if c is None or c >= len(cells):
            return None, None
        return cells[c], self.sheet.number_formats.get((r, c))

    def _timescale(self, r: int, cells: list[object]) -> Timescale:
        """The end date as the due date; with a start date, both kept as milestones."""
        end = parse_timescale(*self._cell(r, cells, "end"))
        start = parse_timescale(*self._cell(r, cells, "start"))
        return span(start, end)

    def _rating(self, r: int, cells: list[object]) -> tuple[str, str | None]:
        """(RAG level, the rating as written when it is not simply that level)."""
        c = self.header.pick["rating"]
        value = cells[c] if c < len(cells) else None
        fill = self.sheet.fills.get((r, c))
        if value is None:
            if fill is None or is_neutral_colour(fill):
                return NOT_RATED, None
            level = self.key_colours.get(fill) or classify_colour(fill)
            if level is None:
                self._warn(
                    f"the fill colour #{fill[-6:]} is not a RAG colour; loaded as Not rated.", r, c
                )
            return level or NOT_RATED, None
        text = " ".join((cell_text(value) or "").split())
        read = rate_confidence(value if isinstance(value, str) else text)
        if read is None:
            self._warn(
                f"the rating '{text}' is not a RAG or delivery-confidence rating; loaded as Not "
                "rated, with the text kept in its progress.", r, c,
            )  # fmt: skip
            read = (NOT_RATED, "not a rating: not rated, the text kept in progress")
        self.ratings.setdefault(text, (*read, r, c))
        return read[0], None if text.lower() == read[0].lower() else text

    def _warn(self, message: str, r: int, c: int) -> None:
        self.result.warnings.append(LoadWarning(message, self.sheet.name, r, c))

    def decide(self) -> None:
        """Record the table, each column's role and each rating's reading."""
        interp, h, name = self.ctx.interp, self.header, self.sheet.name
        last = max((a.source_row for a in self.result.actions), default=h.row + 1)
        interp.tables.append(
            Decision("table", f"sheet '{name}'", f"rows {h.row + 1} to {last}", "a register header",
                     sheet=name, row=h.row)
        )  # fmt: skip
        interp.headers.append(" | ".join(h.labels.values()))
        reading = {
            "name": "action (the item's name)", "ref": "ref", "owner": "lead",
            "department": "lead" if "owner" not in h.pick else "lead, after the owner",
            "rating": "RAG", "start": "start date (a milestone)", "end": "due date",
            "description": "outcome", "narrative": "progress", "detail": "progress, as 'header: value'",
            "money": "cost text",
        }  # fmt: skip
        for c, role in sorted(h.roles.items()):
            text = reading[role]
            if role == "end" and "review" in h.labels[c].lower():
                text = "due date (the next review)"
            if c == h.cost:
                text = f"cost ({_scale(h.labels[c])[1]}, stored in pounds) and cost text"
            interp.decide("column", f"column {column_letter(c)}", text, f"header '{h.labels[c]}'",
                          sheet=name, row=h.row, column=c)  # fmt: skip
        for text, (level, how, r, c) in self.ratings.items():
            interp.decide("rating", f"'{text}'", level, how, sheet=name, row=r, column=c)


def parse(source: Source, ctx: Context) -> ParsedFile:
    parsed_sheets, warnings = [], []
    for sheet in source.sheets:
        header = next(
            (h for r, cells in enumerate(sheet.rows[:DETECT_ROWS]) if (h := find_header(r, cells))),
            None,
        )
        if header is None:
            if sheet.rows:
                warnings.append(
                    LoadWarning("no register table found on this sheet; skipped.", sheet.name)
                )
            continue
        reader = _RegisterReader(sheet, header, ctx)
        reader.read(find_rag_key(sheet)[0])
        reader.decide()
        parsed_sheets.append(reader.result)
    items, found = gather_actions(parsed_sheets)
    plan, plan_source, as_of, as_of_source = settle_plan_and_as_of(
        source, ctx, parsed_sheets, (snapshot.PLAN_WORD, _REGISTER_TITLE)
    )
    return ParsedFile(
        source.file_name, source.content, "actions", plan, as_of, plan_source, as_of_source,
        items, warnings=warnings + found,
    )  # fmt: skip


_REGISTER_TITLE = re.compile(r"\b(register|portfolio|projects|programmes?|risks)\b", re.I)


LAYOUT = Layout(
    "register",
    "actions",
    "a project or risk register: a header row naming a project or risk (Project name, Risk), "
    "its owner or department (SRO, Owner, Department) and its rating (RAG, Delivery "
    "Confidence Assessment)",
    detect,
    parse,
    ceiling=SCORE,
)
