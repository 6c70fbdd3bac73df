"""Project and risk registers load as plans whose items are their rows (loaders.layouts.register)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from loaders.interpret import Answers, Interpretation
from loaders.layouts import LAYOUTS, Context, Options, Source, kpi_tables, plan_table, register
from loaders.rag import NOT_RATED
from tests.workbooks import simple_plan, write_csv, write_xlsx

D = dt.date
TODAY = D(2024, 6, 1)

GMPP_HEADER = [
    "Department", "Project Name", "Description / Aims", "Delivery Confidence Assessment",
    "Project - Start Date", "Project - End Date", "Financial Year Baseline (£m)",
    "Financial Year Forecast (£m)", "Whole life cost (£m)", "Year", "Departmental narrative",
]  # fmt: skip


def gmpp(as_of_line: str | None = "Data as at 30 September 2023") -> list[list]:
    """A register shaped like the GMPP data on gov.uk: five-point ratings, a withheld one,
    dd.mm.yy dates, money in £m and a year column."""
    return [
        ["Government Major Projects Portfolio data"],
        [as_of_line],
        [],
        GMPP_HEADER,
        ["DfE", "School Rebuilding Programme", "Rebuild 500 schools", "Amber/Red", "01.04.20",
         "31.03.30", 450.2, 470.1, 7100.5, 2023, "Contracting is behind plan."],
        ["DHSC", "New Hospital Programme", "40 new hospitals", "Exempt under section 43",
         "01.10.20", "31.03.35", 700, 650, 20000, 2023, None],
        ["MoJ", "Prison Estate Transformation", None, "Green/Amber", "01.04.16", "31.12.2025",
         100, 90, 1300, 2023, "On course."],
        ["DWP", "Universal Credit", "Replace six benefits", "Green", "01.04.11", "30.09.25", 50,
         51, 2500, 2023, None],
        ["HO", "Emergency Services Network", "Replace Airwave", "Red", "01.09.15", "31-12-2029",
         300, 280, 11000, 2023, "Re-planned."],
        [],
        ["Source: Infrastructure and Projects Authority"],
    ]  # fmt: skip


GMPP_EXPECTED = [
    # name, lead, due date, RAG, rating as written
    ("School Rebuilding Programme", "DfE", D(2030, 3, 31), "Red", "Amber/Red"),
    ("New Hospital Programme", "DHSC", D(2035, 3, 31), NOT_RATED, "Exempt under section 43"),
    ("Prison Estate Transformation", "MoJ", D(2025, 12, 31), "Amber", "Green/Amber"),
    ("Universal Credit", "DWP", D(2025, 9, 30), "Green", None),
    ("Emergency Services Network", "HO", D(2029, 12, 31), "Red", None),
]

RISK_HEADER = [
    "Ref", "Risk", "Risk description", "Risk owner", "Likelihood", "Impact", "Score", "RAG",
    "Controls", "Review date",
]  # fmt: skip


def risks() -> list[list]:
    """A council risk register: sections, RAG letters, one RAG held only as a fill colour."""
    return [
        ["Anytown Children's Services Risk Register"],
        ["Reviewed 31 January 2024"],
        RISK_HEADER,
        ["Strategic risks"],
        ["CS1", "Sufficiency of placements", "Too few local foster carers", "Director of CS", 4,
         4, 16, "R", "Recruitment campaign", "30.04.24"],
        ["CS2", "Social worker vacancies", None, "Head of Service", 3, 4, 12, "A/R",
         "Agency cover", "31/03/2024"],
        ["Operational risks"],
        ["CS3", "Case recording backlog", None, "Service Manager", 2, 3, 6, None, "Weekly audit",
         "31.05.24"],
        [None, None, None, None, None, None, None, None, "Dashboard in place", None],
        ["CS4", "Out-of-hours cover", None, "Service Manager", 1, 2, 2, "G", None, "30.06.24"],
        [],
        ["Note: scores are likelihood x impact."],
    ]  # fmt: skip


def context(file_name: str, **options) -> Context:
    return Context(
        Interpretation(file_name),
        Answers(options.pop("answers", None)),
        Options(today=TODAY, **options),
    )


def parse(path: Path, **options):
    source = Source(path.read_bytes(), path.name)
    ctx = context(path.name, **options)
    return register.parse(source, ctx), ctx.interp


def write(path: Path, rows: list[list]) -> Path:
    return write_csv(path, rows) if path.suffix == ".csv" else write_xlsx(path, {"GMPP": rows})


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_gmpp_register_loads_every_item(tmp_path, suffix):
    parsed, interp = parse(write(tmp_path / f"gmpp{suffix}", gmpp()))
    got = [(a.action, a.lead, a.timescale.due_date, a.rag) for a in parsed.actions]
    assert got == [(name, lead, due, rag) for name, lead, due, rag, _ in GMPP_EXPECTED]
    written = [
        a.progress.split("\n")[0] if (a.progress or "").startswith("Rating as") else None
        for a in parsed.actions
    ]
    assert written == [f"Rating as written: {w}" if w else None for *_, w in GMPP_EXPECTED]
    assert [a.source_row for a in parsed.actions] == [5, 6, 7, 8, 9]
    assert parsed.plan == "Government Major Projects Portfolio data"
    assert parsed.as_of == D(2023, 9, 30) and not interp.questions
    assert parsed.warnings == []


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_gmpp_ratings_are_decided_never_guessed(tmp_path, suffix):
    parsed, interp = parse(write(tmp_path / f"gmpp{suffix}", gmpp()))
    lines = list(interp.lines())
    assert any("'Amber/Red' -> Red (the worse of the two colours)" in line for line in lines)
    assert any("'Green/Amber' -> Amber (the worse of the two colours)" in line for line in lines)
    withheld = next(d for d in interp.decisions if d.subject == "'Exempt under section 43'")
    assert withheld.reading == NOT_RATED and "withheld" in withheld.evidence
    hospital = parsed.actions[1]
    assert hospital.rag == NOT_RATED and "Exempt under section 43" in hospital.progress


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_money_and_years_never_become_dates(tmp_path, suffix):
    parsed, _ = parse(write(tmp_path / f"gmpp{suffix}", gmpp()))
    schools = parsed.actions[0]
    assert schools.cost_gbp == pytest.approx(7100.5e6)  # whole life cost, £m as pounds
    assert "Financial Year Baseline (£m): 450.2" in schools.cost_text
    assert "Year: 2023" in schools.progress and "Contracting is behind plan." in schools.progress
    assert schools.outcome == "Rebuild 500 schools"
    # the start and end dates are the only dates: start and end as milestones, due at the end
    assert [m.date for m in schools.timescale.milestones] == [D(2020, 4, 1), D(2030, 3, 31)]
    assert schools.timescale.text == "01.04.20 to 31.03.30"


def test_same_register_as_csv_and_xlsx(tmp_path):
    from_xlsx, _ = parse(write(tmp_path / "gmpp.xlsx", gmpp()))
    from_csv, _ = parse(write(tmp_path / "gmpp.csv", gmpp()))

    def items(parsed):
        return [
            (a.action, a.lead, a.timescale, a.rag, a.progress, a.outcome, a.cost_gbp)
            for a in parsed.actions
        ]

    assert items(from_xlsx) == items(from_csv)


def test_every_cell_is_accounted_for(tmp_path):
    _, interp = parse(write(tmp_path / "gmpp.xlsx", gmpp()))
    acc = interp.accounting
    assert acc.cells == acc.stored + sum(acc.not_stored.values())
    # 5 items x 11 columns, less the 3 blank narrative/description cells
    assert acc.stored == 5 * 11 - 3
    assert acc.not_stored["header"] == 11 and acc.not_stored["title"] == 2
    assert acc.not_stored["note"] == 1  # the source line below the table
    assert interp.headers == [" | ".join(GMPP_HEADER)]
    roles = {d.subject: d.reading for d in interp.decisions if d.topic == "column"}
    assert roles["column B"].startswith("action") and roles["column A"] == "lead"
    assert roles["column F"] == "due date" and roles["column D"] == "RAG"
    assert roles["column I"].startswith("cost (£ millions")


def test_risk_register(tmp_path):
    path = write_xlsx(
        tmp_path / "risks.xlsx", {"Risks": risks()}, fills={("Risks", "H8"): "FFC000"}
    )
    parsed, interp = parse(path)
    got = [
        (a.ref, a.action, a.lead, a.rag, a.timescale.due_date, a.section) for a in parsed.actions
    ]
    assert got == [
        ("CS1", "Sufficiency of placements", "Director of CS", "Red", D(2024, 4, 30), "Strategic risks"),
        ("CS2", "Social worker vacancies", "Head of Service", "Red", D(2024, 3, 31), "Strategic risks"),  # A/R
        ("CS3", "Case recording backlog", "Service Manager", "Amber", D(2024, 5, 31), "Operational risks"),  # fill
        ("CS4", "Out-of-hours cover", "Service Manager", "Green", D(2024, 6, 30), "Operational risks"),
    ]  # fmt: skip
    cs1, _, cs3, _ = parsed.actions
    assert cs1.outcome == "Too few local foster carers"
    assert "Likelihood: 4" in cs1.progress and "Score: 16" in cs1.progress
    assert "Recruitment campaign" in cs1.progress
    assert "Dashboard in place" in cs3.progress  # the row below continues CS3
    assert (parsed.plan, parsed.as_of) == (
        "Anytown Children's Services Risk Register",
        D(2024, 1, 31),
    )
    assert any("'A/R' -> Red (the worse of the two colours)" in line for line in interp.lines())
    acc = interp.accounting
    assert acc.cells == acc.stored + sum(acc.not_stored.values())
    assert acc.not_stored["note"] == 1


def test_register_beats_the_generic_layouts(tmp_path):
    for path in (write(tmp_path / "gmpp.xlsx", gmpp()), write(tmp_path / "gmpp.csv", gmpp())):
        source = Source(path.read_bytes(), path.name)
        evidence = register.detect(source)
        assert evidence is not None and evidence.score == register.SCORE
        others = [ev.score for layout in (plan_table, kpi_tables) if (ev := layout.detect(source))]
        assert all(score < evidence.score for score in others)
        best = max(LAYOUTS, key=lambda layout: ((ev := layout.detect(source)) and ev.score) or 0)
        assert best is register.LAYOUT


def test_action_plans_are_not_registers(tmp_path):
    plan = write_xlsx(tmp_path / "plan.xlsx", {"Plan": simple_plan()})
    assert register.detect(Source(plan.read_bytes(), plan.name)) is None
    projects = write_csv(
        tmp_path / "p.csv",
        [["Project", "Action", "Lead", "RAG"], ["Hub", "Open it", "SH", "Green"]],
    )
    assert register.detect(Source(projects.read_bytes(), projects.name)) is None


def test_no_as_of_date_is_the_plan_tables_question(tmp_path):
    path = write(tmp_path / "register.xlsx", gmpp(as_of_line=None))
    parsed, interp = parse(path)
    assert parsed.as_of is None
    [question] = interp.questions
    assert (question.key, question.option, question.free_text) == ("as_of", "--as-of", True)
    parsed, interp = parse(path, answers={"as_of": "2023-09-30"})
    assert parsed.as_of == D(2023, 9, 30) and not interp.questions
    assert parsed.plan == "Government Major Projects Portfolio data"


def test_unknown_rating_is_not_rated_with_a_warning_naming_the_cell(tmp_path):
    rows = gmpp()
    rows[7][3] = "Reset"
    parsed, _ = parse(write(tmp_path / "gmpp.xlsx", rows))
    universal_credit = parsed.actions[3]
    assert (
        universal_credit.rag == NOT_RATED
        and "Rating as written: Reset" in universal_credit.progress
    )
    [warning] = parsed.warnings
    assert "Reset" in str(warning) and "D8" in str(warning)


# End to end, through the importer and the store ------------------------------------------


def test_register_imports_into_the_actions_view(tmp_path, load):
    result, rows = load(write(tmp_path / "gmpp.xlsx", gmpp()))
    assert result.parsed.interpretation.layout == "register"
    got = list(
        zip(rows["action"], rows["lead"], rows["due_date"].dt.date, rows["rag"], strict=True)
    )
    assert got == [(n, lead, due, rag) for n, lead, due, rag, _ in GMPP_EXPECTED]
    assert rows["progress"].iloc[0].startswith("Rating as written: Amber/Red")
    assert rows["cost_gbp"].iloc[0] == pytest.approx(7100.5e6)


def test_register_csv_imports_the_same(tmp_path, load):
    _, rows = load(write(tmp_path / "gmpp.csv", gmpp()), plan="GMPP")
    assert list(rows["rag"]) == [rag for *_, rag, _ in GMPP_EXPECTED]
    assert list(rows["due_date"].dt.date) == [due for _, _, due, _, _ in GMPP_EXPECTED]


def test_a_later_end_date_is_slippage(tmp_path, con, load):
    load(write(tmp_path / "gmpp 2023-09.xlsx", gmpp()), plan="GMPP")
    later = gmpp("Data as at 31 March 2024")
    later[4][5] = "31.03.32"  # School Rebuilding re-dated by two years
    load(write(tmp_path / "gmpp 2024-03.xlsx", later), plan="GMPP")
    slipped = con.execute(
        "SELECT action, days_redated FROM slippage WHERE plan = 'GMPP' AND days_redated > 0"
    ).fetchall()
    assert slipped == [("School Rebuilding Programme", (D(2032, 3, 31) - D(2030, 3, 31)).days)]


# The headers of the GMPP data as gov.uk publishes it (BEIS, 2021): long, with explanations.
GMPP_PUBLISHED_HEADER = [
    "GMPP ID Number", "Project Name", "Department", "Annual Report Category", "Description / Aims",
    "IPA Delivery Confidence Assessment (A Delivery Confidence Assessment of the project at a "
    "fixed point in time, using a five-point scale, Red – Amber/Red – Amber – Amber/Green – Green; "
    "definitions in the IPA Annual Report on Major Projects)",
    "Departmental commentary on actions planned or taken on the IPA RAG rating.",
    "Project - Start Date (Latest Approved Start Date)", "Project - End Date (Latest Approved End Date)",
    "Departmental narrative on schedule, including any deviation from planned schedule (if necessary)",
    "Financial Year Baseline (£m) (including Non-Government Costs)",
    "Financial Year Forecast (£m) (including Non-Government Costs)", "Financial Year Variance (%)",
    "Departmental narrative on budget/forecast variance for 2020/21 (if variance is more than 5%)",
    "TOTAL Baseline Whole Life Costs (£m) (including Non-Government Costs)",
    "Departmental Narrative on Budgeted Whole Life Costs",
]  # fmt: skip


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_gmpp_as_published(tmp_path, suffix):
    rows = [
        GMPP_PUBLISHED_HEADER,
        ["BIS_0014_1415-Q3", "New Polar Research Vessel", "BEIS", "Infrastructure and Construction",
         "Replace two polar research vessels", "Amber/Green", "No contingency remains.", "2014-05-01",
         "2022-12-31", "On schedule.", 10.5, 11.2, "6.7%", "Timing of payments.", 200.0, "In budget."],
    ]  # fmt: skip
    parsed, interp = parse(write(tmp_path / f"BEIS GMPP data 2021-03{suffix}", rows))
    [vessel] = parsed.actions
    assert (vessel.ref, vessel.action, vessel.lead) == (
        "BIS_0014_1415-Q3",
        "New Polar Research Vessel",
        "BEIS",
    )
    assert (vessel.rag, vessel.timescale.due_date) == ("Amber", D(2022, 12, 31))
    assert vessel.cost_gbp == pytest.approx(200e6)
    assert "Financial Year Variance (%): 6.7%" in vessel.progress
    assert "Financial Year Baseline (£m): 10.5" in vessel.cost_text
    assert vessel.progress.startswith("Rating as written: Amber/Green")
    assert parsed.as_of == D(2021, 3, 31) and not interp.questions  # from the file name


def test_a_risk_named_only_by_its_description(tmp_path):
    """Many risk registers have no short title: "Risk ID, Risk Description, Risk Owner,
    Likelihood, Impact, ..." The description is then the risk's name, not a reason to refuse."""
    header = ["Risk ID", "Risk Description", "Risk Owner", "Likelihood", "Impact", "Risk Score",
              "RAG", "Review Date", "Mitigating actions"]  # fmt: skip
    rows = [
        ["Directorate Risk Register"], ["Reviewed as at 15 March 2024"], [], header,
        ["CS01", "Placement sufficiency", "Director", 4, 5, 20, "Red", "30.04.24", "Strategy"],
        ["CS02", "Social worker retention", "Head of Workforce", 4, 4, 16, "Amber", "31.05.24",
         "Recruitment campaign"],
    ]  # fmt: skip
    parsed, _ = parse(write_xlsx(tmp_path / "risks.xlsx", {"Risk Register": rows}))
    got = [(a.ref, a.action, a.lead, a.rag, a.timescale.due_date) for a in parsed.actions]
    assert got == [
        ("CS01", "Placement sufficiency", "Director", "Red", D(2024, 4, 30)),
        ("CS02", "Social worker retention", "Head of Workforce", "Amber", D(2024, 5, 31)),
    ]
    assert "Recruitment campaign" in parsed.actions[1].progress


def test_a_registers_name_leaves_out_its_date(tmp_path):
    """ "Risk Register as at 31 March 2024" and next quarter's "... as at 30 June 2024" are
    one register, as of the date its title gives."""
    rows = [["Children's Services Risk Register as at 31 March 2024"], [], RISK_HEADER,
            ["CS1", "Sufficiency", None, "Director", 4, 4, 16, "R", None, "30.04.24"]]  # fmt: skip
    parsed, _ = parse(write_xlsx(tmp_path / "risks.xlsx", {"Risks": rows}))
    assert (parsed.plan, parsed.as_of) == ("Children's Services Risk Register", D(2024, 3, 31))


def test_a_registers_title_date_is_its_as_of(tmp_path):
    """ "Government Major Projects Portfolio data, September 2019": the portfolio's name, as
    of the end of September 2019, with no question."""
    rows = [["Government Major Projects Portfolio data, September 2019"], [],
            ["Project Name", "Department", "Delivery Confidence Assessment"],
            ["Road scheme", "DfT", "Amber/Red"]]  # fmt: skip
    parsed, interp = parse(write_xlsx(tmp_path / "gmpp.xlsx", {"GMPP": rows}))
    assert (parsed.plan, parsed.as_of) == (
        "Government Major Projects Portfolio data",
        D(2019, 9, 30),
    )
    assert interp.questions == []
