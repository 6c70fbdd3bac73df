"""Issue 10, part 4: an action whose timescale holds a date that cannot be read is stored as
'unreadable' and shown as "due date unreadable" with the timescale as written and its cell,
never counted as on time or not yet due; "TBC", "Ongoing" and blank are 'undated'."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

import queries
from loaders import store
from loaders.importer import import_file
from report import plans, slippage
from tests.workbooks import STANDARD_HEADER

D = dt.date
APP = str(Path(__file__).resolve().parent.parent / "app.py")
PLAN = "Post Ofsted Action Plan"

# (timescale as written, stored due date, status); one action each, rows 6 onwards.
TIMESCALES = [
    ("13/13/2018", None, "unreadable"),  # no 13th month
    ("31 Apr 2018", None, "unreadable"),  # no 31 April: never silently 30 April
    ("By 30 April", None, "unreadable"),  # no year: which April is a guess
    ("#REF!", None, "unreadable"),  # a broken formula
    ("04/2018", D(2018, 4, 30), "dated"),  # a month: its last day
    ("Q1 2018/19", D(2018, 6, 30), "dated"),  # a financial quarter: April to June 2018
    ("TBC", None, "undated"),
    ("Ongoing", None, "undated"),
    (None, None, "undated"),  # blank
]
FIRST_ROW = 6  # the header is on row 5 of the sheet


def _plan(path: Path, as_of: str = "30 June 2018") -> Path:
    """A plan with one action per timescale above; '#REF!' is a real Excel error cell."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Plan"
    for line in ("Anytown Children's Services", PLAN, f"Progress as at {as_of}", None):
        sheet.append([line])
    sheet.append(STANDARD_HEADER)
    for n, (timescale, _, _) in enumerate(TIMESCALES, 1):
        sheet.append(
            [f"1.{n}", "Improve supervision", f"Action {n}", "SH", timescale, None, "Amber"]
        )
    error = sheet.cell(FIRST_ROW + 3, 5)
    error.value, error.data_type = "#REF!", "e"
    book.save(path)
    return path


@pytest.fixture
def loaded(con, tmp_path):
    result = import_file(con, _plan(tmp_path / "plan.xlsx"))
    return con, result.upload_id


def _warnings(con, upload_id: int) -> list[str]:
    return con.execute("SELECT warnings FROM uploads WHERE upload_id = ?", [upload_id]).fetchone()[
        0
    ]


def test_each_timescale_is_stored_with_why_it_has_its_due_date(loaded):
    con, _ = loaded
    rows = con.execute(
        "SELECT timescale, due_date, due_date_status, timescale_cell FROM actions ORDER BY source_row"
    ).fetchall()
    assert [(t, d, s) for t, d, s, _ in rows] == TIMESCALES
    assert [cell for *_, cell in rows] == [f"E{FIRST_ROW + i}" for i in range(len(TIMESCALES))]


def test_every_timescale_that_gives_no_date_it_should_warns_naming_its_cell(loaded):
    con, upload_id = loaded
    warnings = _warnings(con, upload_id)
    for i, (timescale, _, status) in enumerate(TIMESCALES):
        cell = f"cell E{FIRST_ROW + i}"
        said = [w for w in warnings if cell in w]
        if timescale in ("13/13/2018", "31 Apr 2018", "By 30 April"):
            [warning] = said
            assert f"the timescale '{timescale}' cannot be read as a due date" in warning
            assert "shown as 'due date unreadable'" in warning
        elif timescale == "#REF!":
            [warning] = said
            assert "the cell holds the error #REF!" in warning
        elif timescale == "TBC":
            [warning] = said
            assert "loaded as undated" in warning
        else:  # a date read, recurring or blank: nothing to say
            assert said == [], timescale
        assert status in ("dated", "undated", "unreadable")


def test_unreadable_due_dates_are_neither_overdue_nor_on_time(loaded):
    con, _ = loaded
    rows = queries.slippage(con, PLAN)
    unreadable = rows[rows["due_date_status"] == "unreadable"]
    assert list(unreadable["timescale"]) == ["13/13/2018", "31 Apr 2018", "By 30 April", "#REF!"]
    assert not unreadable["overdue"].any() and unreadable["due_date"].isna().all()
    # the two dated actions, due before 30 June 2018, are overdue
    assert list(rows[rows["overdue"]]["timescale"]) == ["04/2018"]
    actions = queries.actions(con, PLAN, D(2018, 6, 30))
    assert list(actions["due_date_status"]) == [status for *_, status in TIMESCALES]


def test_views_list_them_with_the_timescale_as_written_and_its_cell(loaded):
    con, _ = loaded
    view = slippage.unreadable_due_dates(con, PLAN)
    assert list(view.table["Timescale as written"]) == [
        "13/13/2018", "31 Apr 2018", "By 30 April", "#REF!",
    ]  # fmt: skip
    assert list(view.table["Cell"]) == ["Plan!E6", "Plan!E7", "Plan!E8", "Plan!E9"]
    assert set(view.table["Due"]) == {"due date unreadable"}
    assert view.summary.startswith(
        "4 of 9 actions have a due date that cannot be read, so they are counted neither "
        "overdue nor on time: 1.1 (timescale '13/13/2018' in cell Plan!E6), 1.2 (timescale "
        "'31 Apr 2018' in cell Plan!E7), 1.3 (timescale 'By 30 April' in cell Plan!E8) and 1 other."
    )
    overdue = slippage.overdue(con, PLAN)
    assert overdue.summary.startswith("1 of 9 actions is overdue; the longest, 1.5 (SH)")
    assert "4 actions have a due date that cannot be read, so they may be overdue:" in (
        overdue.summary
    )
    overview = plans.overview(con, PLAN)
    assert "1 of 9 is overdue; 4 have a due date that cannot be read;" in overview.summary
    assert overview.table["Due date unreadable"].iloc[0] == "4"
    table = slippage.slippage_table(queries.slippage(con, PLAN))
    assert list(table["Due"]) == [
        *["due date unreadable"] * 4, "30 Apr 2018", "30 Jun 2018", "", "", "",
    ]  # fmt: skip


def test_a_plan_without_unreadable_dates_says_so_plainly(con, tmp_path):
    path = _plan(tmp_path / "plan.xlsx")
    book = openpyxl.load_workbook(path)
    for r in range(FIRST_ROW, FIRST_ROW + 4):
        book["Plan"].cell(r, 5).value = "March 2019"
    book.save(path)
    import_file(con, path)
    view = slippage.unreadable_due_dates(con, PLAN)
    assert view.table.empty
    assert view.summary == "The due date of every one of the 9 actions can be read."
    assert "cannot be read" not in slippage.overdue(con, PLAN).summary


def test_rows_loaded_before_the_status_was_kept_are_not_taken_for_on_time(loaded):
    con, _ = loaded
    con.execute("UPDATE action_rows SET due_date_status = NULL")
    statuses = dict(
        con.execute("SELECT coalesce(timescale, ''), due_date_status FROM actions").fetchall()
    )
    assert statuses["13/13/2018"] == statuses["#REF!"] == statuses["By 30 April"] == "unreadable"
    assert statuses["04/2018"] == "dated"
    assert statuses["TBC"] == statuses["Ongoing"] == statuses[""] == "undated"


def test_slippage_page_counts_and_lists_them(db_path, monkeypatch, tmp_path):
    con = store.connect(db_path)
    store.set_state(con, "demo_cleared", "1")
    import_file(con, _plan(tmp_path / "plan.xlsx"))
    con.close()
    monkeypatch.setenv("DASHBOARD_DB", str(db_path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/slippage.py")
    at.run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Due date unreadable"] == "4"
    said = [m.value.replace("\\", "") for m in at.markdown]
    assert any(
        s.startswith("4 of 9 actions have a due date that cannot be read") and "Plan!E6" in s
        for s in said
    )
    listed = next(d.value for d in at.dataframe if "Timescale as written" in d.value.columns)
    assert list(listed["Cell"]) == ["Plan!E6", "Plan!E7", "Plan!E8", "Plan!E9"]
    captions = [c.value.replace("\\", "") for c in at.caption]
    assert any("not shown: 4 actions whose due date cannot be read" in c for c in captions)


def test_action_table_on_the_progress_page_says_due_date_unreadable(db_path, monkeypatch, tmp_path):
    con = store.connect(db_path)
    store.set_state(con, "demo_cleared", "1")
    import_file(con, _plan(tmp_path / "plan.xlsx"))
    con.close()
    monkeypatch.setenv("DASHBOARD_DB", str(db_path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/rag_progress.py")
    at.run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert list(table["Due"][:4]) == ["due date unreadable"] * 4
    assert "due_date_status" not in table.columns
    # the Actions view's sentence, above its table
    texts = [c.value.replace("\\", "") for c in (*at.caption, *at.markdown)]
    assert any("4 have a due date that cannot be read" in c and "Plan!E6" in c for c in texts)
