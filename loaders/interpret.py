"""The interpretation of a file: every decision the loaders made about it, with its evidence.

Import, the Upload preview and ``python -m loaders explain`` all produce and show this one
structure. A decision that is not certain becomes a ``Question``; the import stops before
writing until the officer answers it (on the page, or in a ``--mapping`` file), and the
answers are kept as a layout for the next file laid out the same way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from loaders.errors import LoaderError, _where

# Answers that belong to one file (its date, its plan), never remembered as a layout.
PER_FILE_KEYS = ("as_of", "plan")
# How the Upload page and the CLI say why a cell in a table was not stored.
NOT_STORED_REASONS = {
    "blank": "blank",
    "missing": "missing-value marker (c, x, -, N/A ...)",
    "title": "title or heading",
    "note": "note",
    "key": "RAG key",
    "header": "header",
    "label": "label naming other figures",
    "ignored": "in a column the officer chose to ignore",
    "unreadable": "not a figure (warned)",
    "skipped": "in a row that could not be read (warned)",
    "redundant": "a total's 100% (its count is stored)",
    "unanswered": "waiting for an answer to a question",
}


@dataclass(frozen=True)
class Decision:
    """One thing the loaders decided about the file, and the cells that decided it."""

    topic: str  # kind, layout, table, column, unit, period, plan, as_of, series, ...
    subject: str  # what it is about: "column C", "indicator 'Referrals'"
    reading: str  # what was decided: "lead", "%", "2016/17"
    evidence: str  # where it came from: "header 'Lead officer'"
    certain: bool = True
    sheet: str | None = None
    row: int | None = None  # 0-based
    column: int | None = None  # 0-based

    @property
    def where(self) -> str:
        return _where(None, self.sheet, self.row, self.column)


@dataclass(frozen=True)
class Question:
    """A decision the loaders cannot make alone: the officer chooses one of ``choices``."""

    key: str  # stable within a layout, e.g. "column 'Plan'!C"; the mapping file's key
    prompt: str
    choices: tuple[str, ...]
    likely: str | None = None  # preselected on the page
    option: str = "--mapping"  # the command-line option that answers it
    cells: tuple[str, ...] = ()  # a few of the cells it is about, as written
    sheet: str | None = None
    row: int | None = None
    column: int | None = None
    free_text: bool = False  # any answer is allowed (a date, a name); choices are examples

    @property
    def where(self) -> str:
        return _where(None, self.sheet, self.row, self.column)

    def __str__(self) -> str:
        where = self.where
        text = f"{where}: {self.prompt}" if where else self.prompt
        if self.choices and not self.free_text:
            text += " Choices: " + "; ".join(f"'{c}'" for c in self.choices) + "."
        if self.cells:
            text += f" Cells: {'; '.join(self.cells[:5])}."
        return text


class Answers:
    """The officer's answers, by question key; remembers which ones the file asked for."""

    def __init__(self, values: dict[str, str] | None = None) -> None:
        self.values = {str(k): str(v) for k, v in (values or {}).items()}
        self.asked: set[str] = set()

    def get(self, key: str) -> str | None:
        self.asked.add(key)
        return self.values.get(key)

    def unused(self) -> list[str]:
        """Answers to questions this file never raised: a mapping that does not fit it."""
        return [k for k in self.values if k not in self.asked and k not in PER_FILE_KEYS]

    def structural(self) -> dict[str, str]:
        """The answers worth remembering for the next file of the same layout."""
        return {k: v for k, v in self.values.items() if k not in PER_FILE_KEYS and k in self.asked}


@dataclass
class Accounting:
    """Every cell of the tables found: stored, or not stored for a reason."""

    cells: int = 0
    stored: int = 0
    not_stored: Counter[str] = field(default_factory=Counter)

    def add(self, reason: str | None, n: int = 1) -> None:
        self.cells += n
        if reason is None:
            self.stored += n
        else:
            self.not_stored[reason] += n

    def merge(self, other: Accounting) -> None:
        self.cells += other.cells
        self.stored += other.stored
        self.not_stored.update(other.not_stored)

    def summary(self) -> str:
        reasons = ", ".join(
            f"{n:,} {NOT_STORED_REASONS.get(r, r)}" for r, n in self.not_stored.most_common() if n
        )
        text = f"{self.cells:,} cells in the tables found, {self.stored:,} stored"
        return f"{text}, not stored: {reasons}" if reasons else text

    def as_dict(self) -> dict[str, object]:
        reasons = {r: n for r, n in self.not_stored.items() if n}
        return {"cells": self.cells, "stored": self.stored, "not_stored": reasons}


@dataclass
class Interpretation:
    """How the loaders read one file: the layout, its tables, each decision, what is unsure."""

    file_name: str
    kind: str | None = None
    layout: str | None = None
    tables: list[Decision] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    accounting: Accounting = field(default_factory=Accounting)
    headers: list[str] = field(default_factory=list)  # header texts, for the fingerprint
    plan: str | None = None
    as_of: dt.date | None = None
    layout_id: int | None = None  # the saved layout whose answers were applied
    unasked: list[str] = field(default_factory=list)  # answers given to no question

    def decide(self, topic: str, subject: str, reading: object, evidence: str, **kw) -> None:
        self.decisions.append(Decision(topic, subject, str(reading), evidence, **kw))

    def ask(self, question: Question) -> None:
        if all(q.key != question.key for q in self.questions):
            self.questions.append(question)

    @property
    def fingerprint(self) -> str:
        """The layout's identity: its kind, layout and header texts, not its figures."""
        text = "\x1f".join([self.kind or "", self.layout or "", *self.headers])
        return hashlib.sha256(text.lower().encode()).hexdigest()[:16]

    def lines(self) -> Iterable[str]:
        """The interpretation as plain text, one decision a line (for ``explain``)."""
        yield f"file: {self.file_name}"
        yield f"kind: {self.kind or 'not recognised'}; layout: {self.layout or '-'}; fingerprint {self.fingerprint}"
        if self.layout_id is not None:
            yield f"saved layout {self.layout_id} applied"
        for table in self.tables:
            yield f"table: {table.subject} -> {table.reading} ({table.evidence})"
        if self.plan is not None:
            yield f"plan: {self.plan}"
        if self.as_of is not None:
            yield f"as of: {self.as_of:%-d %b %Y}"
        for d in self.decisions:
            mark = "" if d.certain else " [not certain]"
            where = f"{d.where}: " if d.where else ""
            yield f"{d.topic}: {where}{d.subject} -> {d.reading} ({d.evidence}){mark}"
        yield f"accounting: {self.accounting.summary()}"
        for q in self.questions:
            yield f"question [{q.key}] (answer with {q.option}): {q}"


class QuestionsPending(LoaderError):
    """The file can be read only once the officer answers the loaders' questions."""

    def __init__(self, interpretation: Interpretation) -> None:
        self.interpretation = interpretation
        questions = interpretation.questions
        options = sorted({q.option for q in questions})
        listed = " ".join(f"({i}) [{q.key}] {q}" for i, q in enumerate(questions, 1))
        super().__init__(
            f"Nothing was loaded: {len(questions)} question(s) need an answer first. {listed} "
            f"Answer on the Upload page, or give {' or '.join(options)}.",
            file=interpretation.file_name,
        )


class MappingError(LoaderError):
    """A mapping file that cannot be read or does not fit the file."""


def load_mapping(text: str, file_name: str = "mapping") -> dict[str, str]:
    """A mapping file (TOML) as answers: ``plan``, ``as_of`` and an ``[answers]`` table."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(
            f"The mapping is not valid TOML ({exc}). Write it as the Upload page saves it.",
            file=file_name,
        ) from exc
    answers = {str(k): str(v) for k, v in (data.get("answers") or {}).items()}
    for key in PER_FILE_KEYS:
        if key in data:
            answers[key] = str(data[key])
    return answers


def dump_mapping(answers: dict[str, str], comment: str = "") -> str:
    """Answers in the mapping file's form (what ``load_mapping`` reads back)."""
    lines = [f"# {line}" for line in comment.splitlines()]
    for key in PER_FILE_KEYS:
        if key in answers:
            lines.append(f"{key} = {_toml_string(answers[key])}")
    rest = {k: v for k, v in answers.items() if k not in PER_FILE_KEYS}
    if rest:
        lines.append("")
        lines.append("[answers]")
        lines += [f"{_toml_string(k)} = {_toml_string(v)}" for k, v in sorted(rest.items())]
    return "\n".join(lines) + "\n"


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
