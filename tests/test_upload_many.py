"""The Upload page with several files at once, the council it files KPI figures under, the
Data page's Undo after a removal, and both pages on a shared screen."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.demo import write_snapshot
from loaders import store
from tests.helpers import page_opener
from tests.workbooks import empty_database, simple_plan, write_xlsx

NO_AREA = [["Indicator", "2015/16", "2016/17"], ["Referrals", 79, 80]]
AREA_PROMPT = "The figures in this file name no council"


@pytest.fixture
def demo_db(demo_file, tmp_path) -> Path:
    """A copy of the demo database of the test's own, to write to."""
    return Path(shutil.copy(demo_file, tmp_path / "demo.duckdb"))


def upload(at: AppTest, *paths: Path) -> AppTest:
    files = [(p.name, p.read_bytes(), "application/octet-stream") for p in paths]
    at.file_uploader[0].set_value(files)
    return at.run()


def button(at: AppTest, label: str, nth: int = 0):
    return [b for b in at.button if b.label == label][nth]


def db_rows(db: Path, sql: str) -> list[tuple]:
    con = store.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def everything(db: Path) -> list[list[tuple]]:
    """Every row of every table, to assert a refused file changed nothing."""
    con = store.connect(db)
    try:
        tables = [
            r[0]
            for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()
        ]
        return [con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables]
    finally:
        con.close()


def summary_lines(at: AppTest) -> list[str]:
    return [line for m in at.markdown for line in m.value.splitlines() if line.startswith("- ")]


# The council the figures are for --------------------------------------------------------


def test_the_council_is_never_the_demos_and_is_the_setting_when_set(demo_db, monkeypatch):
    at = page_opener(monkeypatch, demo_db)("pages/upload.py")
    assert not at.exception
    assert at.text_input(key="upload_area").value == ""  # not Anytown, the demo's council
    at = page_opener(monkeypatch, demo_db, area="Leeds")("pages/upload.py")
    assert at.text_input(key="upload_area").value == "Leeds"


def test_the_council_chosen_for_the_dashboard_is_the_default(tmp_path, monkeypatch):
    db = empty_database(tmp_path / "own.duckdb")
    con = store.connect(db)
    store.set_state(con, "own_area", "Barnet")
    con.close()
    at = page_opener(monkeypatch, db)("pages/upload.py")
    assert at.text_input(key="upload_area").value == "Barnet"


def test_a_kpi_return_naming_no_council_asks_which_and_files_it_there(
    demo_db, monkeypatch, tmp_path
):
    at = page_opener(monkeypatch, demo_db)("pages/upload.py")
    at = upload(at, write_xlsx(tmp_path / "kpis.xlsx", {"KPIs": NO_AREA}))
    assert not at.exception
    assert at.subheader[0].value == "1 question before anything is saved"
    assert any(AREA_PROMPT in m.value for m in at.markdown)
    assert not [b for b in at.button if b.label == "Confirm and load"]
    next(t for t in at.text_input if t.label == "Answer to question 1").set_value("Leeds")
    button(at, "Apply the answers").click()
    at.run()
    assert not at.exception
    button(at, "Confirm and load").click()
    at.run()
    assert at.success[-1].value.startswith("kpis.xlsx: metrics, ")
    assert db_rows(
        demo_db,
        "SELECT DISTINCT area FROM kpi_values WHERE upload_id = (SELECT max(upload_id) FROM uploads)",
    ) == [("Leeds",)]
    assert db_rows(demo_db, "SELECT count(*) FROM layouts") == [(0,)]  # a council is per file


def test_a_kpi_return_loads_under_the_council_typed_above(demo_db, monkeypatch, tmp_path):
    at = page_opener(monkeypatch, demo_db)("pages/upload.py")
    at.text_input(key="upload_area").set_value("Leeds").run()
    at = upload(at, write_xlsx(tmp_path / "kpis.xlsx", {"KPIs": NO_AREA}))
    assert not any(AREA_PROMPT in m.value for m in at.markdown)
    button(at, "Confirm and load").click()
    at.run()
    assert db_rows(
        demo_db, "SELECT DISTINCT area FROM kpi_values WHERE indicator = 'Referrals'"
    ) == [("Leeds",)]


# Several files at once --------------------------------------------------------------------


def test_two_files_load_each_with_its_own_line(tmp_path, monkeypatch):
    db = empty_database(tmp_path / "two.duckdb")
    at = page_opener(monkeypatch, db, area="Leeds")("pages/upload.py")
    plan = write_snapshot(tmp_path / "post_ofsted_action_plan_2018-04.xlsx", 3)
    kpis = write_xlsx(tmp_path / "kpis.xlsx", {"KPIs": NO_AREA})
    at = upload(at, plan, kpis)
    assert not at.exception
    assert [h.value for h in at.header] == [plan.name, kpis.name, "Each file's outcome"]
    assert at.text_input(key=f"plan_name_{hashlib.sha256(plan.read_bytes()).hexdigest()}")
    assert len([b for b in at.button if b.label == "Confirm and load"]) == 2
    button(at, "Confirm and load", 0).click()
    at.run()
    button(at, "Confirm and load", 1).click()  # the second file's
    at.run()
    assert not at.exception and not at.warning  # the first is loaded, not 'already loaded'
    lines = [s.value for s in at.success]
    assert any(v.startswith(f"{plan.name}: actions, plan 'Post Ofsted Action Plan'") for v in lines)
    assert any(v.startswith("kpis.xlsx: metrics, ") for v in lines)
    lines = summary_lines(at)
    assert len(lines) == 2 and all(": **Loaded**: " in line for line in lines)
    assert db_rows(db, "SELECT file_name FROM uploads ORDER BY upload_id") == [
        (plan.name,),
        ("kpis.xlsx",),
    ]


def test_every_ready_file_loads_with_one_button(tmp_path, monkeypatch):
    db = empty_database(tmp_path / "all.duckdb")
    at = page_opener(monkeypatch, db, area="Leeds")("pages/upload.py")
    first = write_xlsx(tmp_path / "first.xlsx", {"Plan": simple_plan()})
    rows = simple_plan("Progress as at 1 February 2018")
    rows[1] = ["Second plan"]
    second = write_xlsx(tmp_path / "second.xlsx", {"Plan": rows})
    at = upload(at, first, second)
    button(at, "Load all 2 ready files").click()
    at.run()
    assert not at.exception
    assert db_rows(db, "SELECT plan, as_of::VARCHAR FROM uploads ORDER BY upload_id") == [
        ("Post Ofsted Action Plan", "2018-01-04"),
        ("Second plan", "2018-02-01"),
    ]
    lines = [s.value for s in at.success]
    assert [line.split(":")[0] for line in lines if ": actions, " in line] == [
        "first.xlsx",
        "second.xlsx",
    ]
    assert not [b for b in at.button if b.label.startswith("Load all")]


def test_a_bad_file_is_refused_and_the_good_one_beside_it_loads(tmp_path, monkeypatch):
    db = empty_database(tmp_path / "mixed.duckdb")
    before = everything(db)
    at = page_opener(monkeypatch, db)("pages/upload.py")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    plan = write_xlsx(tmp_path / "plan.xlsx", {"Plan": simple_plan()})
    at = upload(at, bad, plan)
    assert not at.exception
    assert "bad.xlsx: This is not an Excel workbook" in at.error[0].value
    assert everything(db) == before  # reading writes nothing
    button(at, "Confirm and load").click()
    at.run()
    assert not at.exception
    lines = summary_lines(at)
    assert lines[0].startswith("- :material/block: **Refused**: bad.xlsx: This is not an Excel")
    assert lines[1].startswith("- :material/check_circle: **Loaded**: plan.xlsx: actions, ")
    assert db_rows(db, "SELECT file_name FROM uploads") == [("plan.xlsx",)]
    assert db_rows(db, "SELECT action, target FROM audit_log") == [("upload", "upload 1")]


def test_a_waiting_file_says_which_question_and_does_not_hold_up_the_other(tmp_path, monkeypatch):
    db = empty_database(tmp_path / "waiting.duckdb")
    at = page_opener(monkeypatch, db)("pages/upload.py")
    undated = write_xlsx(tmp_path / "undated.xlsx", {"Sheet1": simple_plan()[4:]})
    dated = write_xlsx(tmp_path / "dated.xlsx", {"Sheet1": simple_plan()})
    at = upload(at, undated, dated)
    button(at, "Confirm and load").click()
    at.run()
    lines = summary_lines(at)
    assert lines[0].startswith("- :material/help: **Waiting for an answer**: undated.xlsx: 1. ")
    assert "What date is this plan's progress as of?" in lines[0]
    assert lines[1].startswith("- :material/check_circle: **Loaded**: dated.xlsx: ")


def test_the_same_file_twice_is_read_once(tmp_path, monkeypatch):
    db = empty_database(tmp_path / "twice.duckdb")
    at = page_opener(monkeypatch, db)("pages/upload.py")
    plan = write_xlsx(tmp_path / "plan.xlsx", {"Plan": simple_plan()})
    copy = tmp_path / "copy of plan.xlsx"
    copy.write_bytes(plan.read_bytes())
    at = upload(at, plan, copy)
    assert not at.exception
    assert len([b for b in at.button if b.label == "Confirm and load"]) == 1
    assert summary_lines(at)[-1] == (
        "- :material/block: **Refused**: copy of plan.xlsx: the same file as plan.xlsx."
    )


def test_another_file_alone_shows_its_own_plan_name(tmp_path, monkeypatch):
    db = empty_database(tmp_path / "alone.duckdb")
    at = page_opener(monkeypatch, db)("pages/upload.py")
    at = upload(at, write_xlsx(tmp_path / "first.xlsx", {"Plan": simple_plan()}))
    assert at.text_input(key="plan_name").value == "Post Ofsted Action Plan"
    rows = simple_plan()
    rows[1] = ["Second plan"]
    at = upload(at, write_xlsx(tmp_path / "second.xlsx", {"Plan": rows}))
    assert at.text_input(key="plan_name").value == "Second plan"


# Removing an upload, and Undo ------------------------------------------------------------


def test_a_removal_says_what_went_and_undo_brings_it_back(demo_db, monkeypatch):
    [(target, name)] = db_rows(
        demo_db, "SELECT upload_id, file_name FROM uploads WHERE as_of = '2018-04-30'"
    )
    at = page_opener(monkeypatch, demo_db)("pages/data.py")
    at.selectbox(key="remove_upload").set_value(target).run()
    at.checkbox(key=f"remove_sure_{target}").check().run()
    button(at, "Remove upload").click()
    at.run()
    assert not at.exception
    assert at.success[0].value == (
        f"Moved upload {target} ({name}) to the bin: Action plan, plan 'Post Ofsted Action "
        "Plan', as of 30 Apr 2018, 23 actions."
    )
    assert target not in [u for (u,) in db_rows(demo_db, "SELECT upload_id FROM uploads")]
    # the choice moved on with nothing ticked
    chosen = at.selectbox(key="remove_upload").value
    assert chosen != target and not at.checkbox(key=f"remove_sure_{chosen}").value
    assert button(at, "Remove upload").disabled
    at.run()  # the message and its Undo stay while the page is open
    button(at, "Undo").click()
    at.run()
    assert not at.exception
    assert at.success[0].value.startswith(f"Restored upload {target} ({name}): Action plan, ")
    assert target in [u for (u,) in db_rows(demo_db, "SELECT upload_id FROM uploads")]
    assert not [b for b in at.button if b.label == "Undo"]
    assert db_rows(demo_db, "SELECT action FROM audit_log ORDER BY audit_id DESC LIMIT 2") == [
        ("upload restored",),
        ("upload removed",),
    ]


def test_restoring_from_the_bin_ends_the_undo(demo_db, monkeypatch):
    at = page_opener(monkeypatch, demo_db)("pages/data.py")
    target = at.selectbox(key="remove_upload").value
    at.checkbox(key=f"remove_sure_{target}").check().run()
    button(at, "Remove upload").click()
    at.run()
    assert button(at, "Undo")
    button(at, "Restore the upload").click()
    at.run()
    assert at.success[0].value.startswith(f"Restored upload {target} (")
    assert not [b for b in at.button if b.label == "Undo"]


# On a shared screen ------------------------------------------------------------------------


def test_upload_and_data_pages_offer_nothing_to_click_on_a_projector(demo_db, monkeypatch):
    app = page_opener(monkeypatch, demo_db)
    at = app("pages/upload.py", present="1")
    assert not at.exception
    assert not at.file_uploader and not at.text_input
    assert "for officers" in at.markdown[0].value
    assert at.get("page_link")[0].proto.label == "Exit presentation mode"
    at = app("pages/data.py", present="1")
    assert not at.exception
    assert len(at.table[0].value) == 6  # what is loaded
    assert not at.button and not at.checkbox and not at.selectbox and not at.download_button
    assert not any("Refresh them with" in m.value for m in at.markdown)
    assert [p.proto.label for p in at.get("page_link")] == ["Exit presentation mode"]
