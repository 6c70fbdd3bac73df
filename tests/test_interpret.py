"""The interpretation: decisions with evidence, questions instead of guesses, answers kept as
layouts, every cell accounted for, and refusals that leave the database as it was."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from loaders.cli import main
from loaders.importer import NothingToStore, WrongKind, import_file, parse_file
from loaders.interpret import MappingError, QuestionsPending, dump_mapping, load_mapping
from tests.workbooks import simple_plan, write_csv, write_xlsx

HEADER_WITH_EVIDENCE = ["Ref", "Action", "Lead officer", "Timescale", "Evidence", "RAG"]


def plan_with_unknown_column(title_date: str) -> list[list]:
    return [
        ["Anytown Children's Services"],
        ["Post Ofsted Action Plan"],
        [f"Progress as at {title_date}"],
        [],
        HEADER_WITH_EVIDENCE,
        ["1.1", "Audit supervision", "HoS", "April 18", "Audit report", "Green"],
        ["1.2", "Train managers", "PM", "Feb-18", None, "Amber"],
    ]


def test_every_cell_is_accounted_for(tmp_path):
    parsed = parse_file(
        write_xlsx(tmp_path / "p.xlsx", {"Plan": simple_plan()}).read_bytes(), "p.xlsx"
    )
    acc = parsed.interpretation.accounting
    assert acc.cells == acc.stored + sum(acc.not_stored.values())
    assert acc.not_stored["header"] == 7 and acc.not_stored["title"] == 3
    roles = {d.subject: d.reading for d in parsed.interpretation.decisions if d.topic == "column"}
    assert roles["column C"] == "action" and roles["column G"] == "rag"
    assert any(d.evidence == "header 'RAG'" for d in parsed.interpretation.decisions)
    [table] = parsed.interpretation.tables
    assert (table.subject, table.reading) == ("sheet 'Plan' A5:G8", "action plan, 3 actions")


def test_an_unknown_column_is_a_question_and_nothing_is_written(tmp_path, con, db_state):
    path = write_xlsx(tmp_path / "plan.xlsx", {"Plan": plan_with_unknown_column("4 Jan 2018")})
    before = db_state()
    with pytest.raises(QuestionsPending) as caught:
        import_file(con, path)
    question = caught.value.interpretation.questions[0]
    assert question.key == "column 'Evidence'"
    assert question.likely == "ignore" and "lead" in question.choices
    assert question.cells == ("Audit report",)
    assert (question.sheet, question.row, question.column) == ("Plan", 4, 4)
    assert db_state() == before


def test_answers_are_kept_as_a_layout_for_next_month(tmp_path, con):
    jan = write_xlsx(tmp_path / "jan.xlsx", {"Plan": plan_with_unknown_column("4 Jan 2018")})
    first = import_file(con, jan, answers={"column 'Evidence'": "progress"})
    assert first.parsed.actions[0].progress == "Audit report"
    layout_id = (
        first.parsed.interpretation.layout_id
        or con.execute(
            "SELECT layout_id FROM uploads WHERE upload_id = ?", [first.upload_id]
        ).fetchone()[0]
    )
    saved = con.execute("SELECT answers, kind, layout FROM layouts").fetchall()
    assert [(json.loads(a), k, layout) for a, k, layout in saved] == [
        ({"column 'Evidence'": "progress"}, "actions", "plan_table")
    ]
    feb = write_xlsx(tmp_path / "feb.xlsx", {"Plan": plan_with_unknown_column("1 Feb 2018")})
    second = import_file(con, feb)  # no questions: the saved layout answers them
    assert second.parsed.interpretation.layout_id == layout_id
    assert second.parsed.actions[0].progress == "Audit report"
    assert con.execute(
        "SELECT layout_id FROM uploads WHERE upload_id = ?", [second.upload_id]
    ).fetchone() == (layout_id,)


def test_ignored_columns_are_counted_not_stored(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", {"Plan": plan_with_unknown_column("4 Jan 2018")})
    parsed = parse_file(path.read_bytes(), path.name, answers={"column 'Evidence'": "ignore"})
    assert parsed.interpretation.accounting.not_stored["ignored"] == 1
    assert all(a.progress is None for a in parsed.actions)


def test_a_mapping_that_does_not_fit_names_what_it_answers(tmp_path, con, db_state):
    path = write_xlsx(tmp_path / "p.xlsx", {"Plan": simple_plan()})
    before = db_state()
    with pytest.raises(MappingError, match="column 'Notes'"):
        import_file(con, path, answers={"column 'Notes'": "ignore"})
    assert db_state() == before


def test_a_file_of_another_kind_is_refused_for_kind(tmp_path, con, db_state):
    path = write_xlsx(tmp_path / "p.xlsx", {"Plan": simple_plan()})
    before = db_state()
    with pytest.raises(WrongKind, match=r"reads as actions .* not as metrics"):
        import_file(con, path, kind="metrics")
    assert db_state() == before


def test_a_file_that_would_store_nothing_is_refused(tmp_path, con, db_state):
    header_only = [["Post Ofsted Action Plan as at 4 Jan 2018"], ["Ref", "Action", "Lead", "RAG"]]
    path = write_xlsx(tmp_path / "p.xlsx", {"Plan": header_only})
    before = db_state()
    with pytest.raises(NothingToStore, match="Nothing in this file would be stored"):
        import_file(con, path)
    assert db_state() == before


def test_recommendation_number_in_a_no_column_and_lettered_actions(tmp_path, con):
    rows = [
        ["Improvement plan, progress as at 30 September 2016"],
        ["No", "Recommendation", "Action", "Lead", "Timescale", "RAG"],
        [
            "1",
            "Strengthen management oversight",
            "a) Recruit two team managers",
            "HoS",
            "Dec 16",
            "G",
        ],
        [None, None, "b) Audit supervision monthly", "QA", "Monthly", "A"],
        [None, None, "c) Report to SMT", "DCS", "Mar 17", "R"],
        ["2", "Improve PEPs", "a) Review the PEP template", "VSH", "Jan 17", "G"],
        [None, None, "b) Train designated teachers", "VSH", "Feb 17", "B"],
    ]
    for path in (
        write_xlsx(tmp_path / "p.xlsx", {"Plan": rows}),
        write_csv(tmp_path / "p.csv", rows),
    ):
        parsed = parse_file(path.read_bytes(), path.name)
        assert [a.ref for a in parsed.actions] == ["1a", "1b", "1c", "2a", "2b"]
        assert [a.recommendation_ref for a in parsed.actions] == ["1", "1", "1", "2", "2"]
        assert parsed.actions[0].action == "Recruit two team managers"
        assert parsed.actions[4].action == "Train designated teachers"
        assert parsed.as_of == dt.date(2016, 9, 30)


def test_mapping_files_round_trip():
    answers = {"as_of": "2016-09-30", "column 'Evidence'": 'say "ignore"', "plan": "A plan"}
    assert load_mapping(dump_mapping(answers, "a comment")) == answers
    with pytest.raises(MappingError, match="not valid TOML"):
        load_mapping("answers = [", "m.toml")


def test_cli_explain_then_import_with_the_mapping(tmp_path, capsys):
    db = str(tmp_path / "cli.duckdb")
    path = write_xlsx(tmp_path / "plan.xlsx", {"Plan": plan_with_unknown_column("4 Jan 2018")})
    assert main(["import", str(path), "--db", db]) == 1
    err = capsys.readouterr().err
    assert "[column 'Evidence']" in err and "--mapping" in err
    mapping = tmp_path / "mapping.toml"
    assert main(["explain", str(path), "--db", db, "--write-mapping", str(mapping)]) == 1
    out = capsys.readouterr().out
    assert "layout: plan_table" in out and "column E" in out
    assert "question [column 'Evidence'] (answer with --mapping)" in out
    assert load_mapping(mapping.read_text()) == {"column 'Evidence'": "ignore"}
    assert main(["import", str(path), "--db", db, "--mapping", str(mapping)]) == 0
    assert "1 in a column the officer chose to ignore" in capsys.readouterr().out


def test_cli_as_of_answers_the_date_question(tmp_path, capsys):
    db = str(tmp_path / "cli.duckdb")
    path = write_xlsx(tmp_path / "plan.xlsx", {"Sheet1": simple_plan()[4:]})
    assert main(["import", str(path), "--db", db]) == 1
    assert "give --as-of" in capsys.readouterr().err
    assert main(["import", str(path), "--db", db, "--as-of", "2016-09-30"]) == 0
    assert "as of 30 Sep 2016" in capsys.readouterr().out
