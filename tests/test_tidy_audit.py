"""Council tidy exports and KPI rows the audit found mis-read: a long table cut short by a
record that looked like a unit sub-header, series a unit column tells apart, fractions in a
rate series, councils' codes and regions, and a unit answer reaching targets and benchmarks."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.importer import import_file, interpret_file
from loaders.interpret import QuestionsPending
from loaders.layouts.base import Options
from tests.workbooks import write_csv, write_xlsx

HEADER = ["area_code", "area_name", "period", "indicator", "measure", "unit", "value"]
AREAS = [("E08000013", "St Helens"), ("E12000002", "North West"), ("E92000001", "England")]
FRACTION = "unit 'tidy'!'Children in care (%)'"


def tidy_rows(measure: bool = True, unit: bool = True) -> list[list]:
    """A council data team's export: a count and a rate of two indicators, suppressed counts
    ('c'), a fraction in the Percentage rows, three areas, two years."""
    rows = []
    for code, name in AREAS:
        for period in ("2023/24", "2024/25"):
            for indicator, kind, counted, value in (
                ("First time entrants", "Count", "Persons", 45),
                ("First time entrants", "Per 10,000 aged 10-17", "Persons", 251.3),
                ("Children in care", "Count", "Persons", "c"),
                ("Children in care", "Percentage", "%", 0.65),
            ):
                rows.append([code, name, period, indicator, kind, counted, value])
    keep = [
        i for i, h in enumerate(HEADER) if (measure or h != "measure") and (unit or h != "unit")
    ]
    return [[row[i] for i in keep] for row in [HEADER, *rows]]


def write(tmp_path: Path, fmt: str, rows: list[list], name: str = "tidy") -> Path:
    if fmt == "csv":
        return write_csv(tmp_path / f"{name}.csv", rows)
    return write_xlsx(tmp_path / f"{name}.xlsx", {name: rows})


def interpret(path: Path, answers: dict[str, str] | None = None, area: str | None = "Anytown"):
    return interpret_file(
        path.read_bytes(), path.name, answers=answers, options=Options(area=area)
    ).interpretation


def values(con, upload_id: int) -> dict[tuple[str, str, str], tuple]:
    rows = con.execute(
        "SELECT indicator, area, period_label, value, unit, missing FROM kpi_values "
        "WHERE upload_id = ?",
        [upload_id],
    ).fetchall()
    return {(i, a, p): (v, u, m) for i, a, p, v, u, m in rows}


# ---- 1. A long table runs to its last record, markers included ---------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_long_table_runs_past_records_whose_measure_and_unit_read_like_a_sub_header(
    tmp_path, con, fmt
):
    path = write(tmp_path, fmt, tidy_rows())
    interp = interpret(path)
    assert [t.subject for t in interp.tables] == ["sheet 'tidy' A1:G25"]
    assert [q.key for q in interp.questions] == [FRACTION]
    result = import_file(con, path, answers={FRACTION: "0.65 means 65%"})
    got = values(con, result.upload_id)
    assert len(got) == 24  # every record: 18 figures and 6 suppressed
    assert sum(m == "c" for _, _, m in got.values()) == 6
    assert got["Children in care (count)", "England", "2024/25"] == (None, "count", "c")
    assert got["Children in care (%)", "England", "2024/25"] == (65.0, "%", None)
    assert got["First time entrants (per 10,000 aged 10-17)", "St Helens", "2023/24"] == (
        251.3,
        "per 10,000",
        None,
    )
    assert not result.parsed.warnings


def test_a_record_with_no_figure_under_a_percentage_measure_is_still_a_record(tmp_path):
    rows = tidy_rows()
    rows[4][-1] = None  # St Helens 2023/24 Children in care, Percentage, %, (blank)
    interp = interpret(write(tmp_path, "csv", rows))
    assert [t.subject for t in interp.tables] == ["sheet 'tidy' A1:G25"]


def test_a_wide_table_runs_past_rows_whose_measure_and_unit_read_like_a_sub_header(tmp_path):
    rows = [
        ["Indicator", "Measure", "Unit", "2023/24", "2024/25"],
        ["First time entrants", "Count", "Persons", 45, 40],
        ["Children in care", "Percentage", "%", "65%", "60%"],
        ["Children in care", "Count", "Persons", 410, 415],
    ]
    interp = interpret(write(tmp_path, "csv", rows))
    assert [t.subject for t in interp.tables] == ["sheet 'tidy' A1:E4"]
    assert interp.accounting.stored == 6


# ---- 2. A unit column tells series apart; a fraction in a % series is asked ---------------


def test_a_unit_column_tells_a_count_from_a_percentage(tmp_path):
    interp = interpret(write(tmp_path, "csv", tidy_rows(measure=False)))
    series = [d for d in interp.decisions if d.topic == "series"]
    assert [d.reading for d in series] == ["Children in care (count); Children in care (%)"]
    keys = [q.key for q in interp.questions]
    assert FRACTION in keys
    assert not [k for k in keys if k.startswith("conflict 'Children in care")]
    # Two 'Persons' figures of one indicator: nothing tells them apart, so still asked.
    assert "conflict 'First time entrants' St Helens 2023/24" in keys


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_percentage_measure_typed_as_a_fraction_is_asked(tmp_path, con, fmt):
    path = write(tmp_path, fmt, tidy_rows(unit=False))
    with pytest.raises(QuestionsPending) as raised:
        import_file(con, path, area="Anytown")
    [question] = raised.value.interpretation.questions
    assert question.key == FRACTION
    assert question.choices == ("0.65 means 65%", "0.65 means 0.65%")
    assert "the measure 'Percentage' says %" in question.prompt
    result = import_file(con, path, answers={FRACTION: "0.65 means 65%"})
    assert values(con, result.upload_id)["Children in care (%)", "North West", "2023/24"] == (
        65.0,
        "%",
        None,
    )


# ---- 3. Councils take their 3-digit code (not a region); '%' in a name is the unit -------

NEIGHBOURS = [
    ["Rank", "St. Helens"],
    *[
        [i, name]
        for i, name in enumerate(["Wigan", "Halton", "Knowsley", "Sefton", "Wirral"], start=1)
    ],
]
CODED = [
    ["Area code", "Area", "Period", "Indicator", "Value"],
    ["E08000013", "St. Helens", "2024/25", "Care leavers in EET (%)", 10],
    ["E08000010", "Wigan", "2024/25", "Care leavers in EET (%)", 20],
    ["E06000006", "Halton", "2024/25", "Care leavers in EET (%)", 30],
    ["E08000011", "Knowsley", "2024/25", "Care leavers in EET (%)", None],
    ["E12000002", "North West", "2024/25", "Care leavers in EET (%)", 25],
]


def test_council_areas_take_their_codes_so_neighbours_average(tmp_path, con):
    import_file(con, write_csv(tmp_path / "sn.csv", NEIGHBOURS))
    import_file(con, write_csv(tmp_path / "coded.csv", CODED))
    areas = con.execute(
        "SELECT area, kind, code, old_code, region FROM areas ORDER BY area"
    ).fetchall()
    assert areas == [
        ("Halton", "council", "E06000006", "876", None),
        ("Knowsley", "council", "E08000011", "340", None),
        ("North West", "region", "E12000002", None, None),
        ("St. Helens", "council", "E08000013", "342", None),
        ("Wigan", "council", "E08000010", "359", None),
    ]
    assert con.execute(
        "SELECT area, value, neighbours_with_value, neighbours_in_data, unit "
        "FROM kpi_neighbour_average"
    ).fetchall() == [("St. Helens", 25.0, 2, 3, "%")]
    assert con.execute("SELECT indicator, unit FROM indicators").fetchall() == [
        ("Care leavers in EET (%)", "%")
    ]


def test_a_council_named_without_a_code_is_found_by_its_name(tmp_path, con):
    rows = [["Area", "Period", "Indicator", "Value"], ["Bristol, City of", "2024/25", "X", 1]]
    import_file(con, write_csv(tmp_path / "named.csv", rows))
    # the region is left to files that state one (LAIT's "London (Outer)" is not "London")
    assert con.execute("SELECT old_code, region FROM areas").fetchall() == [("801", None)]


def test_a_code_contradicting_the_councils_table_is_kept_and_warned(tmp_path, con):
    rows = [
        ["Area code", "Area", "Period", "Indicator", "Value"],
        ["E08000016", "Barnsley", "2024/25", "Referrals", 10],  # Barnsley's former code
        ["E08000013", "Wigan", "2024/25", "Referrals", 20],  # St Helens's code
    ]
    result = import_file(con, write_csv(tmp_path / "odd.csv", rows))
    assert con.execute(
        "SELECT area, code, old_code, region FROM areas ORDER BY area"
    ).fetchall() == [
        ("Barnsley", "E08000016", "370", None),
        ("Wigan", "E08000013", None, None),
    ]
    warned = [w.message for w in result.parsed.warnings]
    assert (
        "area 'Barnsley': its code E08000016 is not Barnsley's in the councils table "
        "(E08000038); the file's code is kept and its council is taken from its name "
        "(exact match to 'Barnsley')." in warned
    )
    assert (
        "area 'Wigan': its code E08000013 is St Helens's in the councils table, but its name "
        "is Wigan's; the file's code is kept and it is not joined to either council's "
        "neighbours." in warned
    )


# ---- 4. A unit answer applies to the row's target and benchmarks -------------------------

WIDE = [
    ["Indicator", "Polarity", "Target", "Apr-24", "May-24", "England"],
    ["CAMHS did not attend rate", "Lower is better", 0.1, 0.08, 0.06, 0.09],
    ["Care proceedings issued", "Lower is better", 4, 3, 5, 6],
]
PERCENT_FORMATS = {("KPIs", ref): "0%" for ref in ("C3", "D3", "E3", "F3")}
DNA = "unit 'KPIs'!row 2"
PROCEEDINGS = "unit 'KPIs'!row 3"


def test_a_fraction_answer_rescales_the_rows_target_and_benchmark(tmp_path, con):
    path = write_xlsx(tmp_path / "kpis.xlsx", {"KPIs": WIDE}, formats=PERCENT_FORMATS)
    answers = {DNA: "0.08 means 8%", PROCEEDINGS: "these are counts (4)"}
    interp = interpret(path)
    assert {q.key for q in interp.questions} == {DNA, PROCEEDINGS, "period 'KPIs'!F"}
    [dna] = [q for q in interp.questions if q.key == DNA]
    assert "C2: 0.1 (target)" in dna.cells
    answers["period 'KPIs'!F"] = "May 2024"
    result = import_file(con, path, area="Anytown", answers=answers)
    got = values(con, result.upload_id)
    assert got["CAMHS did not attend rate", "Anytown", "May 2024"] == (6.0, "%", None)
    assert got["CAMHS did not attend rate", "England", "May 2024"] == (9.0, "%", None)
    assert got["Care proceedings issued", "England", "May 2024"] == (6.0, None, None)
    targets = dict(con.execute("SELECT indicator, target FROM kpi_targets").fetchall())
    assert targets == {"CAMHS did not attend rate": 10.0, "Care proceedings issued": 4.0}
    rag = dict(
        con.execute("SELECT indicator, rag FROM kpi_latest WHERE area = 'Anytown'").fetchall()
    )
    assert rag == {"CAMHS did not attend rate": "Green", "Care proceedings issued": "Red"}


def test_a_fraction_target_beside_percent_figures_is_asked(tmp_path):
    rows = [["Indicator", "Target", "Apr-24", "May-24"], ["Stability", 0.9, 0.88, 0.91]]
    formats = {("KPIs", "C2"): "0%", ("KPIs", "D2"): "0%"}
    interp = interpret(write_xlsx(tmp_path / "t.xlsx", {"KPIs": rows}, formats=formats))
    [question] = interp.questions
    assert question.key == "unit 'KPIs'!row 2"
    assert question.choices == ("0.9 means 90%", "0.9 means 0.9%")
    assert question.likely == "0.9 means 90%"
