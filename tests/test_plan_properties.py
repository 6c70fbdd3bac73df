"""Property tests: any plan written as xlsx or csv loads back exactly, and a corrupted one
is loaded exactly, asked about or refused, never stored wrong."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders.errors import LoaderError
from loaders.importer import interpret_file
from loaders.interpret import Answers
from tests.workbooks import write_csv, write_xlsx

HEADER = ["Ref", "Action", "Lead officer", "Timescale", "RAG"]
RAGS = {"Green": "Green", "Amber": "Amber", "Red": "Red", "Complete": "Complete", "B": "Complete"}
TIMESCALES = {
    "April 18": dt.date(2018, 4, 30),
    "Feb-18": dt.date(2018, 2, 28),
    "March 2019": dt.date(2019, 3, 31),
    "Monthly": None,
}
WORDS = st.sampled_from(
    ["Audit", "supervision", "files", "Train", "managers", "review", "PEPs", "track", "cases"]
)
TEXT = st.lists(WORDS, min_size=2, max_size=6).map(" ".join)
LEADS = st.sampled_from(["Head of Service", "SH / BJ", "QA Manager", "DCS", "Legal lead"])


@st.composite
def plans(draw) -> list[list]:
    """A plan's rows: a title with its date, a header, and actions with unique refs."""
    n = draw(st.integers(1, 12))
    rows = [["Post Ofsted Action Plan"], ["Progress as at 31 January 2018"], [], HEADER]
    for i in range(n):
        rows.append(
            [
                f"{i // 3 + 1}.{i % 3 + 1}",
                draw(TEXT),
                draw(LEADS),
                draw(st.sampled_from(list(TIMESCALES))),
                draw(st.sampled_from(list(RAGS))),
            ]
        )
    return rows


def written(rows: list[list], ext: str) -> tuple[bytes, str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"plan{ext}"
        (write_xlsx(path, {"Plan": rows}) if ext == ".xlsx" else write_csv(path, rows))
        return path.read_bytes(), path.name


def stored_as_written(parsed, rows: list[list]) -> None:
    """Every stored action is exactly the row it cites."""
    for action in parsed.actions:
        ref, text, lead, timescale, rag = rows[action.source_row - 1][:5]
        assert (action.ref, action.action, action.lead) == (ref, text, lead)
        assert action.timescale.text == timescale
        assert action.timescale.due_date == TIMESCALES.get(timescale)
        assert action.rag == RAGS.get(rag, "Not rated")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=plans(), ext=st.sampled_from([".xlsx", ".csv"]))
def test_a_plan_loads_back_exactly(rows, ext):
    content, name = written(rows, ext)
    parsed = interpret_file(content, name)
    assert parsed.interpretation.questions == []
    assert parsed.as_of == dt.date(2018, 1, 31)
    assert len(parsed.actions) == len(rows) - 4
    stored_as_written(parsed, rows)
    acc = parsed.interpretation.accounting
    assert acc.cells == acc.stored + sum(acc.not_stored.values())
    assert acc.stored == 5 * len(parsed.actions)  # each action's five cells
    assert acc.not_stored["title"] == 2 and acc.not_stored["header"] == 5


CORRUPTIONS = st.sampled_from(["blank cell", "junk text", "drop header cell", "extra column"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=plans(),
    ext=st.sampled_from([".xlsx", ".csv"]),
    how=CORRUPTIONS,
    where=st.tuples(st.integers(0, 20), st.integers(0, 4)),
)
def test_a_corrupted_plan_is_loaded_exactly_asked_or_refused(rows, ext, how, where):
    r = 4 + where[0] % (len(rows) - 4)
    c = where[1]
    if how == "blank cell":
        rows[r][c] = None
    elif how == "junk text":
        rows[r][c] = "??"
    elif how == "drop header cell":
        rows[3] = [*HEADER[:c], None, *HEADER[c + 1 :]]
    else:
        rows[3] = [*HEADER, "Notes"]
        rows[r] = [*rows[r], "see minutes"]
    content, name = written(rows, ext)
    try:
        parsed = interpret_file(content, name, answers=None)
    except LoaderError:
        return  # refused with a message: nothing stored
    if parsed.interpretation.questions:
        return  # asked: nothing stored until answered
    # Loaded: whatever was stored is exactly what its row says, for the columns still named.
    header = rows[3]
    for action in parsed.actions:
        row = rows[action.source_row - 1] + [None] * 5
        if header[1] == "Action":
            assert action.action == (row[1] or "")  # a blank text is blank, never borrowed
        if header[2] == "Lead officer":
            assert action.lead == row[2]
        if header[4] == "RAG":
            assert action.rag == RAGS.get(row[4], "Not rated")
        if header[0] == "Ref" and row[0] not in (None, "??"):
            assert action.ref == row[0]


def test_answers_object_records_what_was_asked():
    answers = Answers({"column 'X'": "ignore", "as_of": "2018-01-31"})
    assert answers.get("column 'X'") == "ignore"
    assert answers.unused() == []  # the per-file date is never "unused"
    assert answers.structural() == {"column 'X'": "ignore"}
