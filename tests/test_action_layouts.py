"""Every layout feature of DOMAIN.md loads without the officer editing the file."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl.styles import Color

from loaders.errors import LoaderError
from loaders.interpret import QuestionsPending
from tests.workbooks import STANDARD_HEADER, simple_plan, write_csv, write_xls, write_xlsx

D = dt.date


def test_title_lines_give_plan_and_as_of(tmp_path, load):
    result, rows = load(write_xlsx(tmp_path / "plan.xlsx", {"Plan": simple_plan()}))
    assert result.parsed.plan == "Post Ofsted Action Plan"
    assert result.parsed.as_of == D(2018, 1, 4)
    assert list(rows["ref"]) == ["1.1", "1.2", "2.1"]
    assert list(rows["rag"]) == ["Green", "Amber", "Complete"]
    assert list(rows["source_row"]) == [6, 7, 8]
    assert list(rows["due_date"].dt.date[:2]) == [D(2018, 4, 30), D(2018, 2, 28)]
    assert rows["due_date"].isna().iloc[2]  # "Monthly" is recurring: no due date
    assert list(rows["timescale"]) == ["April 18", "Feb-18", "Monthly"]
    # recommendation text only on the first row of its recommendation: forward-filled
    assert list(rows["recommendation"]) == [
        "Improve supervision",
        "Improve supervision",
        "Strengthen PLO",
    ]
    assert list(rows["recommendation_ref"]) == ["1", "1", "2"]
    assert result.parsed.warnings == []


def test_command_line_plan_and_as_of_win(tmp_path, load):
    result, _ = load(
        write_xlsx(tmp_path / "x.xlsx", {"Plan": simple_plan()}),
        plan="ILACS plan",
        as_of=D(2018, 2, 1),
    )
    assert (result.parsed.plan, result.parsed.as_of) == ("ILACS plan", D(2018, 2, 1))


def test_plan_and_as_of_from_file_name_when_no_title(tmp_path, load):
    rows = simple_plan()[4:]
    result, _ = load(write_xlsx(tmp_path / "Improvement plan 2018-03-31.xlsx", {"Sheet1": rows}))
    assert result.parsed.plan == "Improvement plan"
    assert result.parsed.as_of == D(2018, 3, 31)


def test_no_date_anywhere_is_a_question_never_today(tmp_path, load, con, db_state):
    path = write_xlsx(tmp_path / "plan.xlsx", {"Sheet1": simple_plan()[4:]})
    before = db_state()
    with pytest.raises(QuestionsPending) as caught:
        load(path)
    assert [q.key for q in caught.value.interpretation.questions] == ["as_of"]
    assert "--as-of" in str(caught.value)
    assert db_state() == before
    result, _ = load(path, as_of=dt.date(2016, 9, 30))
    assert result.parsed.as_of == dt.date(2016, 9, 30)
    assert result.parsed.interpretation.questions == []


def test_an_implausible_as_of_is_refused_not_replaced(tmp_path, load, con, db_state):
    path = write_xlsx(tmp_path / "plan.xlsx", {"Sheet1": simple_plan()[4:]})
    before = db_state()
    with pytest.raises(LoaderError, match="not a plausible date"):
        load(path, as_of=dt.date(1900, 1, 31))
    assert db_state() == before


def test_repeated_header_rows_are_not_actions(tmp_path, load):
    sheet = simple_plan()
    sheet.insert(7, STANDARD_HEADER)  # the printed page repeats the header
    sheet.insert(7, [])
    _, rows = load(write_xlsx(tmp_path / "p.xlsx", {"Plan": sheet}))
    assert list(rows["ref"]) == ["1.1", "1.2", "2.1"]
    assert list(rows["recommendation"])[-1] == "Strengthen PLO"


def test_vertically_merged_recommendation(tmp_path, load):
    sheet = [
        ["Rec", "Recommendation", "Action", "Lead", "Timescale", "RAG"],
        ["1", "Ensure that supervision is regular", "1.1 Audit files", "HoS", "Mar-18", "G"],
        [None, None, "1.2 Train managers", "PM", "Jun-18", "A"],
        [None, None, "1.3 Report to SMT", "DCS", "Sept 18", "R"],
        ["2", "Improve PEPs", "2.1 Review PEP template", "VSH", "Dec 18", "B"],
    ]
    _, rows = load(
        write_xlsx(tmp_path / "m.xlsx", {"Plan": sheet}, merges={"Plan": ["A2:A4", "B2:B4"]}),
        as_of=D(2018, 1, 31),
    )
    assert list(rows["recommendation"]) == ["Ensure that supervision is regular"] * 3 + [
        "Improve PEPs"
    ]
    assert list(rows["recommendation_ref"]) == ["1", "1", "1", "2"]
    # refs written at the start of the action text are split off
    assert list(rows["ref"]) == ["1.1", "1.2", "1.3", "2.1"]
    assert list(rows["action"]) == [
        "Audit files",
        "Train managers",
        "Report to SMT",
        "Review PEP template",
    ]
    assert list(rows["rag"]) == ["Green", "Amber", "Red", "Complete"]
    assert list(rows["due_date"].dt.date) == [
        D(2018, 3, 31),
        D(2018, 6, 30),
        D(2018, 9, 30),
        D(2018, 12, 31),
    ]


def test_section_rows_keep_recurring_refs_apart(tmp_path, load):
    header = ["Ref", "Action", "Lead", "Timescale", "Progress", "RAG"]
    sheet = [
        ["Children's Services Improvement Plan"],
        ["Updated 31 May 2018"],
        ["Ofsted recommendation 1:"],
        ["Ensure that management oversight is recorded on every file"],
        header,
        ["1", "Issue practice standards", "PM", "Apr-18", "Done", "Complete"],
        ["2", "Audit oversight", "QA lead", "Jun-18", "Under way", "Green"],
        ["Service finding 2:"],
        ["Care leavers' pathway plans are not updated"],
        header,
        ["1", "Refresh pathway plan template", "Leaving care TM", "Jul-18", "", "Amber"],
    ]
    _, rows = load(write_xlsx(tmp_path / "s.xlsx", {"Plan": sheet}))
    assert list(rows["section"]) == ["Ofsted recommendation 1"] * 2 + ["Service finding 2"]
    assert list(rows["ref"]) == ["1", "2", "1"]
    assert list(rows["recommendation"]) == [
        "Ensure that management oversight is recorded on every file"
    ] * 2 + ["Care leavers' pathway plans are not updated"]
    assert list(rows["recommendation_ref"]) == ["1", "1", "2"]


def test_several_sheets_make_sections(tmp_path, load):
    ofsted = simple_plan()
    own = [
        ["Own findings"],
        STANDARD_HEADER,
        ["1.1", "Own finding", "Do it", "TM", "May 18", "", "R"],
    ]
    result, rows = load(
        write_xlsx(tmp_path / "w.xlsx", {"Ofsted recommendations": ofsted, "Own findings": own})
    )
    assert sorted(set(rows["section"])) == ["Ofsted recommendations", "Own findings"]
    # ref 1.1 occurs on both sheets and both load
    assert sorted(rows.loc[rows["ref"] == "1.1", "source_sheet"]) == [
        "Ofsted recommendations",
        "Own findings",
    ]
    assert result.parsed.rows == 4


def test_rag_key_is_not_actions_and_its_colours_are_used(tmp_path, load):
    sheet = simple_plan()
    for row in sheet[5:]:
        row[6] = None
    sheet += [
        [],
        ["Key"],
        [None, "Action complete"],
        [None, "On track"],
        [None, "Some slippage"],
        [None, "Off track"],
    ]
    # this workbook's own key uses a teal for "on track": hue bands alone would call it blue
    fills = {
        ("Plan", "A11"): "5B9BD5",
        ("Plan", "A12"): "00B0A0",
        ("Plan", "A13"): "FFC000",
        ("Plan", "A14"): "FF0000",
        ("Plan", "G6"): "00B0A0",
        ("Plan", "G7"): "FF0000",
        ("Plan", "G8"): "5B9BD5",
    }
    _, rows = load(write_xlsx(tmp_path / "k.xlsx", {"Plan": sheet}, fills=fills))
    assert list(rows["ref"]) == ["1.1", "1.2", "2.1"]
    assert list(rows["rag"]) == ["Green", "Red", "Complete"]


def test_rag_as_fill_only_including_theme_tints(tmp_path, load):
    sheet = simple_plan()
    sheet.append(["2.2", None, "Recruit agency social workers", "HoS", "Mar-18", "", None])
    sheet.append(["2.3", None, "Tracker for PLO", "HoS", "Mar-18", "", None])
    for row in sheet[5:]:
        row[6] = None
    fills = {
        ("Plan", "G6"): "92D050",  # Excel's standard light green
        ("Plan", "G7"): "FFC000",  # amber
        ("Plan", "G8"): Color(theme=8, tint=0.3999),  # accent5 (aqua in this theme) lightened
        ("Plan", "G9"): Color(theme=9, tint=-0.25),  # accent6 (orange) darkened: amber
        ("Plan", "G10"): "C00000",  # dark red
    }
    _, rows = load(write_xlsx(tmp_path / "f.xlsx", {"Plan": sheet}, fills=fills))
    assert list(rows["rag"]) == ["Green", "Amber", "Complete", "Amber", "Red"]


def test_rag_text_synonyms_and_unknown_value(tmp_path, load):
    values = ["green ", "G", "Yellow", "A", "R", "Blue", "Completed", "Purple"]
    sheet = [["Ref", "Action", "RAG"]] + [
        [f"1.{i}", f"Action {i}", v] for i, v in enumerate(values, 1)
    ]
    result, rows = load(write_xlsx(tmp_path / "t.xlsx", {"Plan": sheet}), as_of=D(2018, 1, 1))
    assert list(rows["rag"]) == [
        "Green",
        "Green",
        "Amber",
        "Amber",
        "Red",
        "Complete",
        "Complete",
        "Not rated",
    ]
    assert [str(w) for w in result.parsed.warnings] == [
        "sheet 'Plan', cell C9 (row 9, column C): RAG 'Purple' is not a RAG rating; loaded as "
        "Not rated. Use Complete, Green, Amber or Red (or B, G, A, R)."
    ]


def test_no_rag_column_loads_not_rated(tmp_path, load):
    sheet = [["Action", "Lead", "Timescale"], ["Audit files", "HoS", "April 18"]]
    result, rows = load(write_xlsx(tmp_path / "n.xlsx", {"Plan": sheet}), as_of=D(2018, 1, 1))
    assert list(rows["rag"]) == ["Not rated"]
    assert [str(w) for w in result.parsed.warnings] == [
        "sheet 'Plan': no RAG column; its actions are loaded as Not rated."
    ]


def test_lettered_actions_take_their_recommendation_number(tmp_path, load):
    sheet = [
        ["Recommendation", "Ref", "Action", "Lead", "RAG"],
        ["4. Improve return home interviews", "a)", "Commission a new provider", "HoS", "G"],
        [None, "b)", "Report take-up monthly", "PM", "A"],
    ]
    _, rows = load(write_xlsx(tmp_path / "l.xlsx", {"Plan": sheet}), as_of=D(2018, 1, 1))
    assert list(rows["ref"]) == ["4a", "4b"]
    assert list(rows["recommendation_ref"]) == ["4", "4"]


def test_costs_in_pounds_inside_text(tmp_path, load):
    sheet = [
        ["Ref", "Action", "Cost implications", "RAG"],
        ["1.1", "Agency cover", "Agency SW x 6 months £24,000", "G"],
        ["1.2", "Training", "In budget", "G"],
        ["1.3", "Consultant", "£1.5k per day, £3,000 travel", "G"],
    ]
    _, rows = load(write_xlsx(tmp_path / "c.xlsx", {"Plan": sheet}), as_of=D(2018, 1, 1))
    assert list(rows["cost_gbp"].fillna(-1)) == [24000.0, -1, 4500.0]
    assert list(rows["cost_text"]) == [
        "Agency SW x 6 months £24,000",
        "In budget",
        "£1.5k per day, £3,000 travel",
    ]


def test_timescale_forms(tmp_path, load):
    forms = [
        "April 18",
        dt.datetime(2018, 3, 1),  # a real Excel date shown as mmm-yy
        "December 2018: scorecard introduced.\nMarch 2019: impact at team level.\n"
        "September 2019: impact across the service.",
        "Quarterly: Reviewed",
        "Completed",
        "Dec 2016 with an audit in January 2017",
        None,
    ]
    sheet = [["Ref", "Action", "Timescale"]] + [[f"1.{i}", "x", v] for i, v in enumerate(forms, 1)]
    _, rows = load(
        write_xlsx(tmp_path / "d.xlsx", {"Plan": sheet}, formats={("Plan", "C3"): "mmm-yy"}),
        as_of=D(2018, 1, 1),
    )
    due = [None if v is None or v != v else v for v in rows["due_date"].dt.date]
    assert due == [D(2018, 4, 30), D(2018, 3, 31), D(2019, 9, 30), None, None, D(2017, 1, 31), None]
    assert rows["timescale"][1] == "Mar-18"
    milestones = rows["milestones"][2]
    assert [m["date"] for m in milestones] == [D(2018, 12, 31), D(2019, 3, 31), D(2019, 9, 30)]
    assert milestones[0]["text"].startswith("December 2018: scorecard")


def test_csv_utf8_bom_and_windows_1252(tmp_path, load):
    rows_in = [
        ["Ref", "Action", "Lead", "Cost", "RAG"],
        ["1.1", "Café review – phase 1", "SH", "£2,000", "Amber"],
    ]
    _, bom = load(
        write_csv(tmp_path / "bom.csv", rows_in, "utf-8-sig"), as_of=D(2018, 1, 1), plan="P1"
    )
    _, win = load(
        write_csv(tmp_path / "win.csv", rows_in, "cp1252"), as_of=D(2018, 1, 1), plan="P2"
    )
    for rows in (bom, win):
        assert list(rows["action"]) == ["Café review – phase 1"]
        assert list(rows["cost_gbp"]) == [2000.0]
        assert list(rows["rag"]) == ["Amber"]


def test_legacy_xls_with_fills(tmp_path, load):
    sheet = [["Ref", "Action", "RAG"], ["1.1", "Audit", None], ["1.2", "Train", "Red"]]
    path = write_xls(tmp_path / "old.xls", {"Plan": sheet}, fills={("Plan", 1, 2): "bright_green"})
    _, rows = load(path, as_of=D(2018, 1, 1))
    assert list(rows["rag"]) == ["Green", "Red"]


def test_progress_continuation_rows_join_the_action_above(tmp_path, load):
    sheet = [
        ["Ref", "Action", "Progress", "RAG"],
        ["1.1", "Audit", "• 20 files audited", "G"],
        [None, None, "• report to SMT in May", None],
        ["1.2", "Train", "Booked", "A"],
    ]
    _, rows = load(write_xlsx(tmp_path / "cont.xlsx", {"Plan": sheet}), as_of=D(2018, 1, 1))
    assert list(rows["progress"]) == ["• 20 files audited\n• report to SMT in May", "Booked"]


def test_xlsm_loads_like_xlsx(tmp_path, load):
    xlsx = write_xlsx(tmp_path / "p.xlsx", {"Plan": simple_plan()})
    xlsm = tmp_path / "macro plan.xlsm"
    xlsm.write_bytes(xlsx.read_bytes())
    _, rows = load(xlsm)
    assert list(rows["ref"]) == ["1.1", "1.2", "2.1"]


def test_monthly_update_columns_take_the_latest_filled(tmp_path, load):
    sheet = [
        [
            "Ref",
            "Action",
            "Original timescale",
            "Revised timescale",
            "Progress Jan 18",
            "Progress Feb 18",
            "RAG Jan",
            "RAG Feb",
        ],
        ["1.1", "Audit files", "Feb-18", "May-18", "Started", "Half done", "G", "A"],
        ["1.2", "Train", "March 18", None, "Booked", None, "G", None],
    ]
    _, rows = load(write_xlsx(tmp_path / "u.xlsx", {"Plan": sheet}), as_of=D(2018, 2, 28))
    assert list(rows["due_date"].dt.date) == [D(2018, 5, 31), D(2018, 3, 31)]
    assert list(rows["progress"]) == ["Half done", "Booked"]
    assert list(rows["rag"]) == ["Amber", "Green"]
