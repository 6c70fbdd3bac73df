"""Snapshots over time: latest, changes between snapshots, slippage, replacement and removal."""

from __future__ import annotations

import datetime as dt

import pytest

from loaders.bin import remove_upload
from loaders.errors import UnknownUpload
from loaders.importer import import_file
from tests.workbooks import write_xlsx

D = dt.date
HEADER = ["Ref", "Action", "Lead", "Timescale", "RAG"]


def plan(as_of: str, rows: list[list]) -> list[list]:
    return [["Post Ofsted Action Plan"], [f"Progress as at {as_of}"], HEADER, *rows]


JAN = plan(
    "31 January 2018",
    [
        ["1.1", "Audit files", "HoS", "Feb-18", "Green"],
        ["1.2", "Train managers", "PM", "March 18", "Amber"],
        ["1.3", "Report to SMT", "DCS", "Monthly", "Green"],
    ],
)
FEB = plan(
    "28 February 2018",
    [
        ["1.1", "Audit files", "HoS", "Feb-18", "Complete"],
        ["1.2", "Train managers", "PM", "May 18", "Red"],  # re-dated from March to May
        ["1.3", "Report to SMT", "DCS", "Monthly", "Green"],
    ],
)
MAR = plan(
    "31 March 2018",
    [
        ["1.1", "Audit files", "HoS", "Feb-18", "Complete"],
        ["1.2", "Train managers", "PM", "June 18", "Amber"],  # re-dated again
        ["1.3", "Report to SMT", "DCS", "Feb-18", "Amber"],  # now dated, and overdue
    ],
)


@pytest.fixture
def three_months(tmp_path, con):
    for name, rows in (("jan", JAN), ("feb", FEB), ("mar", MAR)):
        import_file(con, write_xlsx(tmp_path / f"{name}.xlsx", {"Plan": rows}))
    return con


def test_actions_latest_is_the_latest_snapshot(three_months):
    rows = three_months.execute(
        "SELECT ref, rag, as_of FROM actions_latest ORDER BY ref"
    ).fetchall()
    assert rows == [
        ("1.1", "Complete", D(2018, 3, 31)),
        ("1.2", "Amber", D(2018, 3, 31)),
        ("1.3", "Amber", D(2018, 3, 31)),
    ]
    assert three_months.execute("SELECT count(*) FROM actions").fetchone() == (9,)


def test_action_changes_pair_consecutive_snapshots(three_months):
    rows = three_months.execute(
        "SELECT ref, as_of_before, as_of_after, rag_before, rag_after, due_before, due_after "
        "FROM action_changes WHERE ref = '1.2' ORDER BY as_of_before"
    ).fetchall()
    assert rows == [
        ("1.2", D(2018, 1, 31), D(2018, 2, 28), "Amber", "Red", D(2018, 3, 31), D(2018, 5, 31)),
        ("1.2", D(2018, 2, 28), D(2018, 3, 31), "Red", "Amber", D(2018, 5, 31), D(2018, 6, 30)),
    ]
    assert three_months.execute("SELECT count(*) FROM action_changes").fetchone() == (6,)


def test_slippage(three_months):
    rows = three_months.execute(
        "SELECT ref, rag, due_date, first_due_date, days_redated, overdue, days_overdue "
        "FROM slippage ORDER BY ref"
    ).fetchall()
    assert rows == [
        ("1.1", "Complete", D(2018, 2, 28), D(2018, 2, 28), 0, False, 0),  # complete: never overdue
        ("1.2", "Amber", D(2018, 6, 30), D(2018, 3, 31), 91, False, 0),
        ("1.3", "Amber", D(2018, 2, 28), D(2018, 2, 28), 0, True, 31),
    ]


def test_same_plan_and_date_replaces_and_stays_recoverable(tmp_path, three_months):
    fixed = plan("31 March 2018", [["1.1", "Audit files", "HoS", "Feb-18", "Complete"]])
    result = import_file(three_months, write_xlsx(tmp_path / "mar-fixed.xlsx", {"Plan": fixed}))
    assert result.replaced == [3]
    assert three_months.execute("SELECT count(*) FROM actions_latest").fetchone() == (1,)
    # the replaced rows are still in the store, under their own upload
    assert three_months.execute(
        "SELECT count(*) FROM action_rows WHERE upload_id = 3"
    ).fetchone() == (3,)
    remove_upload(three_months, result.upload_id)
    assert three_months.execute("SELECT count(*) FROM actions_latest").fetchone() == (3,)


def test_remove_upload_removes_everything_derived(three_months):
    remove_upload(three_months, 3)
    assert three_months.execute("SELECT max(as_of) FROM actions").fetchone() == (D(2018, 2, 28),)
    assert three_months.execute(
        "SELECT count(*) FROM action_rows WHERE upload_id = 3"
    ).fetchone() == (0,)
    assert [
        r[0] for r in three_months.execute("SELECT upload_id FROM uploads ORDER BY 1").fetchall()
    ] == [1, 2]
    with pytest.raises(UnknownUpload, match="There is no upload 3"):
        remove_upload(three_months, 3)


def test_upload_keeps_original_bytes(tmp_path, three_months):
    content = three_months.execute(
        "SELECT content FROM upload_files WHERE upload_id = 1"
    ).fetchone()[0]
    assert content == (tmp_path / "jan.xlsx").read_bytes()
    row = three_months.execute(
        "SELECT file_name, kind, plan, as_of, rows, warnings FROM uploads WHERE upload_id = 1"
    ).fetchone()
    assert row == ("jan.xlsx", "actions", "Post Ofsted Action Plan", D(2018, 1, 31), 3, [])
