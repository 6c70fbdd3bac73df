"""An auditor's findings on how a plan's table is read: which rows are actions, which column
means what, refs, RAG columns and keys. Each test is one finding, as a small workbook."""

from __future__ import annotations

import datetime as dt

import pytest

from loaders.detect import NOT_READ, OLDER
from loaders.importer import parse_file
from loaders.interpret import QuestionsPending
from tests.workbooks import write_xlsx

AS_OF = dt.date(2024, 1, 31)
TITLE = ["Post Ofsted Action Plan"]
HEADER = ["Ref", "Action", "Lead", "Timescale", "RAG"]


def read(tmp_path, rows, name="plan.xlsx", answers=None, **kw):
    path = write_xlsx(tmp_path / name, {"Plan": rows}, **kw)
    return parse_file(path.read_bytes(), name, as_of=AS_OF, answers=answers)


def accounted(parsed) -> dict:
    acc = parsed.interpretation.accounting
    assert acc.cells == acc.stored + sum(acc.not_stored.values())
    return dict(acc.not_stored)


def columns(parsed) -> dict[str, str]:
    return {d.subject: d.reading for d in parsed.interpretation.decisions if d.topic == "column"}


# 1. Notes, totals and summary rows inside or below the table are never actions.


def test_notes_totals_and_a_key_label_below_the_table_are_not_actions(tmp_path):
    rows = [
        TITLE,
        [],
        HEADER,
        ["1.1", "Kinship assessments within 16 weeks", "HoS", "March 2024", "Green"],
        ["1.2", "Special guardianship support offer", "HoS", "Feb 2024", "Red"],
        [],
        [None, "Note: timescales for 1.2 revised at the Improvement Board."],
        [None, "Total actions: 2", None, None, "Complete: 0"],
        [None, "RAG status key"],
        [None, "On track to deliver within timescale", None, None, "Green"],
        [None, "Significant slippage or risk to delivery", None, None, "Red"],
    ]
    fills = {("Plan", "E10"): "00B050", ("Plan", "E11"): "FF0000"}
    parsed = read(tmp_path, rows, fills=fills)
    assert [a.ref for a in parsed.actions] == ["1.1", "1.2"]
    not_stored = accounted(parsed)
    assert not_stored["note"] == 3  # the note, the total and its "Complete: 0"
    assert not_stored["key"] == 5  # the key's label and its four cells


def test_an_overall_rag_row_is_a_summary_not_an_action(tmp_path):
    rows = [
        TITLE,
        [],
        ["Ref", "Recommendation", "Action", "Lead", "Timescale", "RAG"],
        ["1.1", "Rec 1: Supervision", "Supervision audit", "HoS", "March 2024", "Green"],
        ["1.2", None, "Team manager training", "HoS", "April 2024", "Red"],
        [None, None, "Overall RAG for recommendation 1", None, None, "Amber"],
    ]
    parsed = read(tmp_path, rows)
    assert [(a.ref, a.rag) for a in parsed.actions] == [("1.1", "Green"), ("1.2", "Red")]
    assert accounted(parsed)["note"] == 2
    [warning] = [w for w in parsed.warnings if "summary row" in w.message]
    assert "(Amber) is not stored" in warning.message and warning.row == 5


# 2. Several columns of one field: the current one is read; the others are accounted for.


def test_current_rag_is_read_and_previous_rag_is_not_stored(tmp_path):
    rows = [
        TITLE,
        [],
        ["Ref", "Action", "Lead", "Timescale", "Current RAG", "Previous RAG"],
        ["1.1", "Launch the practice model", "HoS", "December 2023", "Red", "Green"],
        ["1.2", "Audit", "HoS", "December 2023", None, "Amber"],
    ]
    parsed = read(tmp_path, rows)
    assert [a.rag for a in parsed.actions] == ["Red", "Not rated"]  # never the previous one
    assert accounted(parsed)[NOT_READ] == 2
    assert columns(parsed)["column F"] == "not stored"


def test_two_outcome_columns_are_both_kept_and_older_progress_is_accounted(tmp_path):
    rows = [
        TITLE,
        [],
        [
            "Action",
            "Lead",
            "Timescale",
            "Progress update August 2023",
            "Progress update September 2023",
            "Evidence of impact",
            "Outcome / success measure",
            "RAG",
        ],
        ["Chair recruited", "QA", "Oct 2023", "Advert out", "Appointed", "71% -> 84%", "90%", "G"],
        ["Booking reviewed", "BSM", "Nov 2023", "Scoping", None, None, "Fewer delays", "A"],
    ]
    parsed = read(tmp_path, rows)
    first, second = parsed.actions
    assert first.outcome == "Evidence of impact: 71% -> 84%\nOutcome / success measure: 90%"
    assert first.progress == "Appointed" and second.progress == "Scoping"
    assert second.outcome == "Outcome / success measure: Fewer delays"
    assert accounted(parsed)[OLDER] == 1  # August's update beside September's


def test_two_rag_columns_the_headers_cannot_rank_are_a_question(tmp_path):
    rows = [TITLE, [], ["Ref", "Action", "RAG", "Status"], ["1.1", "Audit", "Green", "Red"]]
    with pytest.raises(QuestionsPending) as caught:
        read(tmp_path, rows)
    keys = {q.key for q in caught.value.interpretation.questions}
    assert keys == {"column 'RAG'", "column 'Status'"}
    parsed = read(tmp_path, rows, answers={"column 'Status'": "ignore", "column 'RAG'": "rag"})
    assert [a.rag for a in parsed.actions] == ["Green"]
    assert accounted(parsed)["ignored"] == 1


# 3. Lettered actions keep their recommendation's number.


def test_lettered_actions_under_a_merged_recommendation(tmp_path):
    rows = [
        TITLE,
        [],
        ["No", "Ofsted Recommendation", "Action", "Lead Officer", "Timescale", "RAG"],
        ["1", "Rec one text", "a) Recruit managers", "HoS", "March 2024", "Green"],
        [None, None, "b) Supervision policy", "HoS", "March 2024", "Green"],
        ["2", "Rec two text", "a) IHA pathway", "HoS", "March 2024", "Green"],
        [None, None, "b) Weekly tracking", "HoS", "March 2024", "Green"],
    ]
    parsed = read(tmp_path, rows, merges={"Plan": ["B4:B5", "B6:B7"]})
    assert [(a.recommendation_ref, a.ref) for a in parsed.actions] == [
        ("1", "1a"), ("1", "1b"), ("2", "2a"), ("2", "2b"),
    ]  # fmt: skip
    assert parsed.actions[1].action == "Supervision policy"


def test_a_no_column_and_a_letter_ref_column(tmp_path):
    rows = [
        TITLE,
        [],
        ["No", "Recommendation", "Ref", "Action", "Lead", "Timescale", "RAG"],
        ["1", "Rec 1 text", "a", "Action 1a", "HoS", "Dec 2023", "Green"],
        [None, None, "b", "Action 1b", "HoS", "Dec 2023", "Amber"],
        ["2", "Rec 2 text", "a", "Action 2a", "HoS", "Dec 2023", "Red"],
    ]
    parsed = read(tmp_path, rows)
    assert [a.ref for a in parsed.actions] == ["1a", "1b", "2a"]
    assert columns(parsed)["column A"] == "recommendation_ref"


@pytest.mark.parametrize(
    ("written", "ref", "text"),
    [
        ("(a) Increase IRO capacity", "2a", "Increase IRO capacity"),
        ("a. Recommission RHI service", "2a", "Recommission RHI service"),
        ("b - RHI data in scorecard", "2b", "RHI data in scorecard"),
        ("ii) Practice standards", "2ii", "Practice standards"),
        ("(iii) Audit framework", "2iii", "Audit framework"),
        ("iv. Peer review", "2iv", "Peer review"),
        ("A new missing panel", None, "A new missing panel"),  # an article, not a letter
    ],
)
def test_letter_and_roman_styles_are_refs_and_leave_the_text(tmp_path, written, ref, text):
    rows = [
        TITLE,
        [],
        ["No", "Ofsted recommendation", "What we will do", "Lead", "By when", "RAG"],
        ["2", "Quality of return home interviews", written, "AD", "June 2024", "Green"],
        [None, None, "x) Last action", "AD", "June 2024", "Green"],
    ]
    parsed = read(tmp_path, rows, merges={"Plan": ["A4:A5", "B4:B5"]})
    first = parsed.actions[0]
    assert (first.ref if ref else None, first.action) == (ref, text)
    assert parsed.actions[1].ref == "2x" and parsed.actions[1].recommendation_ref == "2"


# 4. A RAG key laid along a row at the top.


def test_a_key_along_a_row_names_the_fills_and_is_not_title_text(tmp_path):
    rows = [
        ["Greyford Children's Services Improvement Plan", None, None, None, None, "Key"],
        [None, None, None, None, None, "Complete", "Green", "Amber", "Red"],
        [],
        ["No", "Recommendation", "Action", "Lead", "Timescale", "RAG"],
        ["1", "Workforce", "a) Reduce agency staff", "HR", "March 2025", None],
        [None, None, "b) Retention payment", "DCS", "April 2024", None],
    ]
    fills = {
        ("Plan", "F2"): "8EA9DB",
        ("Plan", "G2"): "A9D08E",
        ("Plan", "H2"): "FFD966",
        ("Plan", "I2"): "F4B084",  # orange by hue, but the workbook's key calls it Red
        ("Plan", "F5"): "8EA9DB",
        ("Plan", "F6"): "F4B084",
    }
    parsed = read(tmp_path, rows, fills=fills)
    assert [(a.ref, a.rag) for a in parsed.actions] == [("1a", "Complete"), ("1b", "Red")]
    assert accounted(parsed)["key"] == 5
    assert "Key" not in parsed.plan


# 5. A "Priority" column of levels is its own detail, never the recommendation.


def test_a_priority_column_of_levels_is_not_the_recommendation(tmp_path):
    rows = [
        TITLE,
        [],
        ["Ref", "Action", "Lead", "Timescale", "Priority", "RAG"],
        ["1.1", "Launch the practice model", "HoS", "December 2023", "High", "Amber"],
        ["1.2", "Audit", "HoS", "December 2023", "Low", "Green"],
    ]
    parsed = read(tmp_path, rows)
    assert [a.recommendation for a in parsed.actions] == [None, None]
    assert columns(parsed)["column E"] == "not stored"
    assert sum(n for r, n in accounted(parsed).items() if r.startswith("priority")) == 2


def test_a_priority_column_naming_priorities_is_the_recommendation(tmp_path):
    rows = [
        TITLE,
        [],
        ["Priority", "Action", "Lead", "Timescale", "RAG"],
        ["Priority 1: Early help", "Family hub model", "AD", "March 2024", "G"],
    ]
    parsed = read(tmp_path, rows)
    assert parsed.actions[0].recommendation == "Priority 1: Early help"


# 6. Common headers are known; a column under a merged label takes that label.


@pytest.mark.parametrize(
    "header",
    [
        ["Ref", "What are we going to do?", "By whom", "By when", "RAG"],
        ["Ref", "Activity", "Owner", "Due date", "Status"],
        ["Area of practice", "What are we going to do?", "By whom", "By when", "Update", "RAG"],
    ],
)
def test_common_plan_headers_are_read(tmp_path, header):
    row = ["1.1", "Launch the practice model", "HoS", "December 2023", "Amber"]
    if len(header) == 6:
        row = ["Assessment", "Launch the practice model", "HoS", "December 2023", "Done", "A"]
    parsed = read(tmp_path, [TITLE, [], header, row])
    [action] = parsed.actions
    assert (action.action, action.lead, action.rag) == ("Launch the practice model", "HoS", "Amber")
    assert action.timescale.due_date == dt.date(2023, 12, 31)


@pytest.mark.parametrize(
    ("extra", "value", "due", "text"),
    [
        ("Revised date", "June 2024", dt.date(2024, 6, 30), "June 2024"),
        (
            "Milestones",
            "Dec 2023: draft; March 2024: launch",
            dt.date(2023, 12, 31),
            "December 2023\nMilestones: Dec 2023: draft; March 2024: launch",
        ),
    ],
)
def test_timescale_columns_ask_no_question(tmp_path, extra, value, due, text):
    rows = [
        TITLE,
        [],
        ["Ref", "Action", "Lead", "Timescale", extra, "RAG"],
        ["1.1", "Launch the practice model", "HoS", "December 2023", value, "Amber"],
    ]
    [action] = read(tmp_path, rows).actions
    assert (action.timescale.due_date, action.timescale.text) == (due, text)


def test_start_and_end_dates_are_due_at_the_end(tmp_path):
    rows = [
        TITLE,
        [],
        ["Ref", "Action", "Lead", "Start date", "End date", "RAG"],
        ["1.1", "Launch the practice model", "HoS", "April 2023", "March 2024", "Amber"],
        ["1.2", "Audit", "HoS", "April 2023", None, "Amber"],
    ]
    first, second = read(tmp_path, rows).actions
    assert (first.timescale.text, first.timescale.due_date) == (
        "April 2023 to March 2024",
        dt.date(2024, 3, 31),
    )
    assert second.timescale.due_date is None  # a start date is never a due date


def test_a_column_under_a_merged_header_takes_its_label(tmp_path):
    rows = [
        TITLE,
        [],
        ["Priority", "Action", "Lead", "Timescale", "Progress", None, "RAG"],
        [None, None, None, None, "Q1 update", "Q2 update", None],
        ["Priority 1: Early help", "Family hub model", "AD", "March 2024", "Agreed", "Open", "G"],
        [None, "Performance framework", "PL", "Q2 2023/24", "Draft", None, "B"],
        ["Priority", "Action", "Lead", "Timescale", "Progress", None, "RAG"],  # the next page
        [None, None, None, None, "Q1 update", "Q2 update", None],
        ["Priority 2: Edge of care", "Business case", "AD", "Dec-23", "Drafted", "Sent", "A"],
    ]
    merges = {"Plan": [f"{c}{r}:{c}{r + 1}" for r in (3, 7) for c in "ABCDG"] + ["E3:F3", "E7:F7"]}
    parsed = read(tmp_path, rows, merges=merges)
    assert [a.progress for a in parsed.actions] == ["Open", "Draft", "Sent"]
    assert "progress" in columns(parsed)["column F"]
    assert accounted(parsed)[OLDER] == 2  # Q1's update where Q2's is written
    assert parsed.interpretation.tables[0].evidence == "header row 3, repeated 1 times"


# 7. Two-colour ratings and a financial year alone.


def test_two_colour_ratings_are_kept_as_written_and_read_as_the_worse(tmp_path):
    rows = [
        TITLE,
        [],
        HEADER,
        ["1", "Audit", "HoS", "June 2024", "Amber/Green"],
        ["2", "Train", "HoS", "June 2024", "G/A"],
    ]
    parsed = read(tmp_path, rows)
    assert [(a.rag, a.progress) for a in parsed.actions] == [
        ("Amber", "RAG as written: Amber/Green"),
        ("Amber", "RAG as written: G/A"),
    ]
    ratings = {d.subject: (d.reading, d.evidence) for d in parsed.interpretation.decisions
               if d.topic == "rating"}  # fmt: skip
    assert ratings["'Amber/Green'"] == ("Amber", "the worse of the two colours")


def test_a_financial_year_alone_is_due_at_its_end(tmp_path):
    rows = [TITLE, [], HEADER, ["1", "Audit", "HoS", "2023/24", "Green"]]
    [action] = read(tmp_path, rows).actions
    assert action.timescale.due_date == dt.date(2024, 3, 31)
