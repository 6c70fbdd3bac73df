"""The Upload page asks the loader's questions in place, and what is answered is what loads."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from loaders import store
from tests.test_interpret import plan_with_unknown_column
from tests.workbooks import empty_database, simple_plan, write_xlsx

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def upload_page(tmp_path, monkeypatch) -> tuple[AppTest, Path]:
    path = empty_database(tmp_path / "fresh.duckdb")
    monkeypatch.setenv("DASHBOARD_DB", str(path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/upload.py")
    return at.run(), path


def upload(at: AppTest, path: Path) -> AppTest:
    at.file_uploader[0].set_value((path.name, path.read_bytes(), "application/octet-stream"))
    return at.run()


def test_a_missing_date_is_asked_then_loaded(tmp_path, monkeypatch):
    at, db = upload_page(tmp_path, monkeypatch)
    at = upload(at, write_xlsx(tmp_path / "plan.xlsx", {"Sheet1": simple_plan()[4:]}))
    assert not at.exception
    assert at.subheader[0].value == "1 question before anything is saved"
    assert any("What date is this plan's progress as of?" in m.value for m in at.markdown)
    assert not [b for b in at.button if b.label == "Confirm and load"]
    at.date_input[0].set_value(dt.date(2016, 9, 30))
    at.button[0].click()  # Apply the answers
    at.run()
    assert not at.exception
    assert at.date_input(key="as_of").value == dt.date(2016, 9, 30)
    [confirm] = [b for b in at.button if b.label == "Confirm and load"]
    confirm.click()
    at.run()
    assert "as of 30 Sep 2016, 3 actions loaded" in at.success[-1].value
    con = store.connect(db)
    assert con.execute("SELECT as_of, layout FROM uploads").fetchall() == [
        (dt.date(2016, 9, 30), "plan_table")
    ]
    assert con.execute("SELECT count(*) FROM layouts").fetchone() == (0,)  # a date is per file
    con.close()


def test_a_column_answer_is_saved_as_a_layout(tmp_path, monkeypatch):
    at, db = upload_page(tmp_path, monkeypatch)
    at = upload(
        at, write_xlsx(tmp_path / "jan.xlsx", {"Plan": plan_with_unknown_column("4 Jan 2018")})
    )
    assert not at.exception
    assert at.selectbox[0].value == "ignore"  # the likely answer, preselected
    assert any("Cells: Audit report" in c.value for c in at.caption)
    at.selectbox[0].set_value("progress")
    at.button[0].click()
    at.run()
    [confirm] = [b for b in at.button if b.label == "Confirm and load"]
    confirm.click()
    at.run()
    assert not at.exception
    con = store.connect(db)
    assert [json.loads(a) for (a,) in con.execute("SELECT answers FROM layouts").fetchall()] == [
        {"column 'Evidence'": "progress"}
    ]
    assert con.execute("SELECT progress FROM actions WHERE ref = '1.1'").fetchone() == (
        "Audit report",
    )
    con.close()
    at.switch_page("pages/data.py")
    at.run()
    assert not at.exception
    assert any(
        m.value.startswith("Read as plan_table, with the answers of saved layout 1. ")
        and "stored; not stored: " in m.value
        for m in at.markdown
    )
    assert "column 'Evidence'" in at.text_area[0].value  # the layout's answers, editable
    at.switch_page("pages/upload.py")
    at.run()
    # next month's file: no questions, the saved layout is named
    at = upload(
        at, write_xlsx(tmp_path / "feb.xlsx", {"Plan": plan_with_unknown_column("1 Feb 2018")})
    )
    assert not at.exception
    assert "answers saved for this layout (layout 1) were applied" in at.caption[0].value
    assert [b for b in at.button if b.label == "Confirm and load"]


def test_two_dates_that_disagree_are_asked_with_the_titles_preselected(tmp_path, monkeypatch):
    """The title says October, the file name September: the officer is asked, the date box
    starting at the title's date, and nothing is loaded until they apply it."""
    at, db = upload_page(tmp_path, monkeypatch)
    rows = [["Improvement Plan"], ["Progress as at 31 October 2023"], [], *simple_plan()[4:]]
    at = upload(at, write_xlsx(tmp_path / "Improvement plan 2023-09-30.xlsx", {"Plan": rows}))
    assert not at.exception
    assert at.subheader[0].value == "1 question before anything is saved"
    assert at.date_input[0].value == dt.date(2023, 10, 31)
    assert not [b for b in at.button if b.label == "Confirm and load"]
    con = store.connect(db)
    assert con.execute("SELECT count(*) FROM uploads").fetchone() == (0,)
    con.close()
