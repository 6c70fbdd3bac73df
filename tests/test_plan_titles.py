"""A plan's name and as-of date from its title lines and file name: the same plan each month,
the date the title gives, and a question (never a guess) where the dates disagree."""

from __future__ import annotations

import datetime as dt

import pytest

from loaders.importer import import_file, interpret_file
from loaders.layouts import Options
from tests.workbooks import write_xlsx

D = dt.date
TODAY = D(2024, 7, 1)
HEADER = ["Ref", "Action", "Lead", "Timescale", "RAG"]


def plan_rows(*titles: list, due: str = "Dec 2023", rag: str = "Green") -> list[list]:
    return [*titles, [], HEADER, ["1.1", "Audit supervision files", "HoS", due, rag]]


def read(path, **answers):
    """The file's interpretation, as the Upload page and ``explain`` show it."""
    parsed = interpret_file(
        path.read_bytes(), path.name, answers=answers, options=Options(today=TODAY)
    )
    return parsed, parsed.interpretation


@pytest.mark.parametrize(
    "title",
    [
        "Improvement Plan as at {date}",
        "Improvement Plan {date} update",
        "Improvement Plan – {date}",
        "Improvement Plan: progress as at {date}",
        "Improvement Plan version 3 – updated {date}",
        "Improvement Plan (as of {date})",
    ],
)
def test_a_dated_title_names_the_same_plan_every_month(tmp_path, title):
    dates = {
        "oct": ("31 October 2023", D(2023, 10, 31)),
        "nov": ("30 November 2023", D(2023, 11, 30)),
    }
    for month, (written, as_of) in dates.items():
        path = write_xlsx(
            tmp_path / f"{month}.xlsx", {"Plan": plan_rows([title.format(date=written)])}
        )
        parsed, interp = read(path)
        assert (parsed.plan, parsed.as_of, interp.questions) == ("Improvement Plan", as_of, [])
        [decision] = [d for d in interp.decisions if d.topic == "as_of"]
        assert "cell A1" in decision.evidence and decision.certain


def test_months_with_dated_titles_pair_so_slippage_shows(tmp_path, con):
    for month, written, due in (
        ("oct", "31 October 2023", "Dec 2023"),
        ("nov", "30 November 2023", "Mar 2024"),
    ):
        title = [f"Improvement Plan as at {written}"]
        import_file(
            con, write_xlsx(tmp_path / f"{month}.xlsx", {"Plan": plan_rows(title, due=due)})
        )
    assert con.execute("SELECT DISTINCT plan FROM uploads").fetchall() == [("Improvement Plan",)]
    assert con.execute("SELECT ref, days_redated FROM slippage").fetchall() == [("1.1", 91)]


@pytest.mark.parametrize(
    ("title", "as_of", "month_only"),
    [
        ("Children's Services Improvement Plan – 31 October 2023", D(2023, 10, 31), False),
        ("Post Ofsted Action Plan – June 2024", D(2024, 6, 30), True),  # a month: its last day
        ("Improvement Plan October 2023", D(2023, 10, 31), True),
    ],
)
def test_a_bare_date_on_the_plans_title_is_its_as_of_date(tmp_path, title, as_of, month_only):
    parsed, interp = read(write_xlsx(tmp_path / "plan.xlsx", {"Plan": plan_rows([title])}))
    assert (parsed.as_of, interp.questions) == (as_of, [])
    assert "Plan" in parsed.plan and str(as_of.year) not in parsed.plan
    [decision] = [d for d in interp.decisions if d.topic == "as_of"]
    assert decision.certain and "cell A1" in decision.evidence
    assert ("a month read as its last day" in decision.evidence) is month_only


def test_an_implausible_title_date_is_named_with_its_cell_and_asked(tmp_path):
    rows = plan_rows(["Children's Services Improvement Plan"], ["Updated: 30 November 2033"])
    parsed, interp = read(write_xlsx(tmp_path / "plan.xlsx", {"Plan": rows}))
    assert parsed.as_of is None  # never replaced by today
    [question] = interp.questions
    assert question.key == "as_of" and (question.row, question.column) == (1, 0)
    assert question.prompt.startswith("30 Nov 2033, in the title line in sheet 'Plan', cell A2")
    assert "is more than three months ahead" in question.prompt
    assert "No as-of date was found" not in question.prompt
    parsed, interp = read(write_xlsx(tmp_path / "plan.xlsx", {"Plan": rows}), as_of="2023-11-30")
    assert (parsed.as_of, interp.questions) == (D(2023, 11, 30), [])


def test_a_title_and_file_name_that_disagree_are_a_question(tmp_path):
    rows = plan_rows(["Improvement Plan"], ["Progress update: October 2023"])
    path = write_xlsx(tmp_path / "Improvement plan 2023-09-30.xlsx", {"Plan": rows})
    parsed, interp = read(path)
    assert parsed.as_of is None
    [question] = interp.questions
    assert (question.key, question.option) == ("as_of", "--as-of")
    assert (question.choices, question.likely) == (("2023-10-31", "2023-09-30"), "2023-10-31")
    assert (
        "cell A2 ('Progress update: October 2023', a month read as its last day)" in question.prompt
    )
    assert "says 31 Oct 2023" in question.prompt and "says 30 Sep 2023" in question.prompt
    assert "Improvement plan 2023-09-30.xlsx" in question.prompt
    parsed, interp = read(path, as_of="2023-09-30")
    assert (parsed.as_of, interp.questions) == (D(2023, 9, 30), [])


@pytest.mark.parametrize(
    ("file_name", "title", "as_of"),
    [
        ("Improvement plan 2023-10.xlsx", "Progress update: October 2023", D(2023, 10, 31)),
        ("Improvement plan 2023-10-15.xlsx", "Progress update: October 2023", D(2023, 10, 15)),
        ("Improvement plan Oct 2023.xlsx", "Updated 16 October 2023", D(2023, 10, 16)),
    ],
)
def test_a_title_and_file_name_that_agree_are_one_date(tmp_path, file_name, title, as_of):
    rows = plan_rows(["Improvement Plan"], [title])
    parsed, interp = read(write_xlsx(tmp_path / file_name, {"Plan": rows}))
    assert (parsed.as_of, interp.questions) == (as_of, [])
    [decision] = [d for d in interp.decisions if d.topic == "as_of"]
    assert "the title line" in decision.evidence and "the file name" in decision.evidence


def test_a_year_range_is_part_of_the_plans_name(tmp_path):
    rows = plan_rows(
        ["Lakeside Council Children's Services"],
        ["Ofsted ILACS inspection 12 – 23 June 2023"],
        ["Improvement Plan 2023 – 2025"],
        ["Updated: 4 October 2023"],
    )
    parsed, interp = read(write_xlsx(tmp_path / "plan.xlsx", {"Plan": rows}))
    assert (parsed.plan, parsed.as_of, interp.questions) == (
        "Improvement Plan 2023 – 2025",
        D(2023, 10, 4),
        [],
    )


def test_a_rag_key_beside_the_title_is_not_part_of_the_name(tmp_path):
    rows = [
        ["Greyford Children's Services Improvement Plan", None, None, None, None, "Key"],
        [
            "Date of update:",
            dt.datetime(2024, 2, 16),
            None,
            None,
            None,
            "Complete",
            "Green",
            "Amber",
        ],
        [],
        HEADER,
        ["1.1", "Audit supervision files", "HoS", "Dec 2023", "Green"],
    ]
    parsed, interp = read(write_xlsx(tmp_path / "plan.xlsx", {"Plan": rows}))
    assert (parsed.plan, parsed.as_of) == (
        "Greyford Children's Services Improvement Plan",
        D(2024, 2, 16),
    )
    [decision] = [d for d in interp.decisions if d.topic == "as_of"]
    assert "cell B2" in decision.evidence


@pytest.mark.parametrize(
    "file_name",
    ["X 2018-02.xlsx", "X 2018-02 (1).xlsx", "x 2018-02.xlsx", "Copy of X 2018-02.xlsx"],
)
def test_copies_of_one_file_are_one_plan_and_date(tmp_path, file_name):
    rows = [HEADER, ["1.1", "Audit supervision files", "HoS", "Dec 2018", "Green"]]
    parsed, interp = read(write_xlsx(tmp_path / file_name, {"Sheet1": rows}))
    assert (parsed.plan, parsed.as_of, interp.questions) == ("X plan", D(2018, 2, 28), [])
