"""What every layout shares: the file being read, what it was read as, and the layout itself.

A layout is a detector (the file -> evidence that it is laid out this way, or None) and a
parser (the file and the officer's answers -> a ParsedFile whose Interpretation says how
every decision was made). ``loaders.layouts`` lists them; nothing else chooses a layout.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import pyarrow as pa

from loaders.errors import LoadWarning
from loaders.interpret import Answers, Interpretation
from loaders.rag import RAG_LEVELS


class Source:
    """One uploaded file: its bytes, read into cells at most once, whichever layouts look."""

    def __init__(self, content: bytes, file_name: str) -> None:
        self.content = content
        self.file_name = file_name
        self.suffix = PurePath(file_name).suffix.lower()
        self.memo: dict[str, Any] = {}  # detectors keep what they parsed for their parser

    @functools.cached_property
    def sheets(self):
        """Every sheet's cells (raises a located LoaderError for unreadable files)."""
        from loaders.readers import read_sheets

        return read_sheets(self.content, self.file_name)

    @functools.cached_property
    def csv_header(self) -> list[str] | None:
        """The column names (stripped, lower case) of a .csv file; None for any other."""
        if self.suffix != ".csv":
            return None
        from loaders.readers.csv import decode_text

        first = self.content[:65536].split(b"\n", 1)[0]
        try:
            text = decode_text(first, self.file_name)
        except Exception:
            return None
        return [c.strip().lower() for c in next(csv.reader(io.StringIO(text)), [])]


@dataclass
class Options:
    """What the officer said about the file, besides the answers: from the CLI or the page."""

    plan: str | None = None
    as_of: dt.date | None = None
    area: str | None = None
    today: dt.date | None = None
    reference: dict[str, Any] = field(default_factory=dict)  # data already in the store


@dataclass
class Context:
    """What a parser is given: the interpretation to fill in, the answers, the options."""

    interp: Interpretation
    answers: Answers
    options: Options


@dataclass(frozen=True)
class Evidence:
    """Why a detector thinks a file is laid out its way; ``score`` from 0 to 1."""

    score: float
    text: str


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
    actions: list = field(default_factory=list)
    metrics: Any = None  # loaders.kpi_tables.MetricTables
    neighbours: pa.Table | None = None
    warnings: list[LoadWarning] = field(default_factory=list)
    interpretation: Interpretation | None = None
    extra_rows: dict[str, pa.Table] = field(default_factory=dict)  # store table -> rows
    summary: str | None = None  # what a file of extra rows loads, said in the import line

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def rows(self) -> int:
        if self.neighbours is not None:
            return self.neighbours.num_rows
        if self.metrics is not None:
            return self.metrics.rows
        if self.actions:
            return len(self.actions)
        return sum(t.num_rows for t in self.extra_rows.values())

    def rag_counts(self) -> dict[str, int]:
        counts = Counter(a.rag for a in self.actions)
        return {level: counts[level] for level in RAG_LEVELS if counts[level]}


@dataclass(frozen=True)
class Layout:
    """One way files are laid out: its kind of data, how to recognise it, how to read it."""

    name: str
    kind: str  # actions, metrics, neighbours, dictionary
    summary: str  # what it looks for, said to an officer when nothing fits
    detect: Callable[[Source], Evidence | None]
    parse: Callable[[Source, Context], ParsedFile]
    # The highest score ``detect`` can give: a layout that could not rival the best found
    # so far is not asked (so a plan is not also parsed as KPI tables to be told apart).
    ceiling: float = 1.0
