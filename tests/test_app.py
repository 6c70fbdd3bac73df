"""The home page summarises what is loaded, and says how to load a plan when nothing is."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from data.demo import write_all
from loaders import store
from loaders.importer import import_file

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def test_empty_database_says_how_to_load(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(tmp_path / "empty.duckdb"))
    at = AppTest.from_file(APP).run(timeout=30)
    assert not at.exception
    assert "No action plan is loaded yet" in at.info[0].value


def test_loaded_plan_is_summarised(tmp_path, monkeypatch):
    db = tmp_path / "demo.duckdb"
    con = store.connect(db)
    for path in write_all(tmp_path / "demo"):
        import_file(con, path)
    con.close()
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    at = AppTest.from_file(APP).run(timeout=30)
    assert not at.exception
    table = at.dataframe[0].value
    assert table.to_dict("records") == [
        {"Plan": "Post Ofsted Action Plan", "As of": "30 Apr 2018", "Actions": 23, "Complete": 9,
         "Green": 8, "Amber": 5, "Red": 1, "Not rated": 0}
    ]  # fmt: skip
