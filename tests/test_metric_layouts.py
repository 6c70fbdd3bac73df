"""Metrics layouts that never store a guess: series told apart, slips and conflicts asked,
monthly series in every format, and every cell of every table accounted for."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders.errors import LoaderError, column_letter
from loaders.importer import import_file, interpret_file, parse_file
from loaders.interpret import QuestionsPending
from loaders.layouts import Options, ParsedFile
from loaders.readers import read_sheets
from tests.workbooks import write_csv, write_xlsx

AREA = "Anytown"


def interpret(path: Path, answers: dict[str, str] | None = None) -> ParsedFile:
    """How a file reads, questions and all, without refusing it."""
    return interpret_file(path.read_bytes(), path.name, options=Options(area=AREA), answers=answers)


def figures(parsed: ParsedFile) -> list[dict]:
    return parsed.metrics.figures.to_pylist()


def keyed(parsed: ParsedFile) -> dict[tuple, dict]:
    """Figures by (indicator, area, breakdown, period); each place claimed once."""
    out = {}
    for f in figures(parsed):
        key = (f["indicator"], f["area"], f["breakdown"], f["period_label"])
        assert key not in out, f"two figures claim {key}"
        out[key] = f
    return out


def write_xls(path: Path, rows: list[list], formats=None, merges=()) -> Path:
    """An .xls as Excel 97 saves one: dates with a date format, merged group headers.
    ``formats`` maps (row, col), 0-based, to a number format."""
    import xlwt

    book = xlwt.Workbook()
    ws = book.add_sheet("Data")
    merged = {(r0, c0): (r1, c1) for r0, c0, r1, c1 in merges}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            fmt = (formats or {}).get((r, c)) or ("mmm-yy" if isinstance(value, dt.date) else None)
            style = xlwt.easyxf(num_format_str=fmt) if fmt else xlwt.Style.default_style
            if (r, c) in merged:
                ws.write_merge(r, merged[(r, c)][0], c, merged[(r, c)][1], value, style)
            elif value is not None:
                ws.write(r, c, value, style)
    book.save(str(path))
    return path


def assert_accounted(path: Path, parsed: ParsedFile) -> None:
    """Every cell of each table found, and every other cell on its sheet, is accounted for
    once; the stored ones are the figures with a value and the targets."""
    interp = parsed.interpretation
    accounting = interp.accounting
    assert accounting.cells == accounting.stored + sum(accounting.not_stored.values())
    sheets = {s.name: s for s in read_sheets(path.read_bytes(), path.name)}
    cells: dict[str, set] = {}
    for table in interp.tables:
        name, first, last = re.fullmatch(
            r"sheet '(.+)' ([A-Z]+\d+):([A-Z]+\d+)", table.subject
        ).groups()
        (c0, r0), (c1, r1) = (_cell(first), _cell(last))
        cells.setdefault(name, set()).update(
            (r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
        )
    for name, found in cells.items():
        sheet = sheets[name]
        found.update(
            (r, c) for r, row in enumerate(sheet.rows) for c, v in enumerate(row) if v is not None
        )
    assert accounting.cells == sum(len(found) for found in cells.values())
    stored = sum(f["value"] is not None for f in figures(parsed)) + parsed.metrics.targets.num_rows
    assert accounting.stored == stored


def _cell(name: str) -> tuple[int, int]:
    letters, digits = re.fullmatch(r"([A-Z]+)(\d+)", name).groups()
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return col - 1, int(digits) - 1


# 1. Series told apart: a count and a rate of one indicator are two series.
TIDY = [
    ["Youth justice benchmarks, 2016/17"],
    ["Area code", "Area name", "Period", "Indicator", "Measure", "Unit", "Value"],
    ["E06000001", "Hartlepool", "2016/17", "Children in care", "Count", "Persons", 185],
    ["E06000001", "Hartlepool", "2016/17", "Children in care", "Per 10,000 aged 10-17", "Persons", 92.5],
    ["E12000001", "North East", "2016/17", "Children in care", "Count", "Persons", 4305],
    ["E12000001", "North East", "2016/17", "Children in care", "Per 10,000 aged 10-17", "Persons", "c"],
    ["E92000001", "England", "2016/17", "Children in care", "Count", "Persons", 72670],
    ["E92000001", "England", "2016/17", "Children in care", "Percentage", "Persons", 62.1],
    [],
    ["Source: council data team"],
]  # fmt: skip


def write_tidy(tmp_path: Path, suffix: str, rows=TIDY) -> Path:
    path = tmp_path / f"tidy.{suffix}"
    return write_csv(path, rows) if suffix == "csv" else write_xlsx(path, {"tidy": rows})


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_a_count_and_a_rate_of_one_indicator_are_two_series(tmp_path, suffix):
    path = write_tidy(tmp_path, suffix)
    parsed = interpret(path)
    assert parsed.interpretation.questions == []
    got = keyed(parsed)
    count = got[("Children in care (count)", "Hartlepool", None, "2016/17")]
    rate = got[("Children in care (per 10,000 aged 10-17)", "Hartlepool", None, "2016/17")]
    assert (count["value"], count["unit"], count["source_column"], count["source_row"]) == (
        185,
        "count",
        "G",
        3,
    )
    assert (rate["value"], rate["unit"], rate["source_row"]) == (92.5, "per 10,000", 4)
    suppressed = got[("Children in care (per 10,000 aged 10-17)", "North East", None, "2016/17")]
    assert suppressed["value"] is None and suppressed["missing"] == "c"
    assert got[("Children in care (%)", "England", None, "2016/17")]["unit"] == "%"
    assert len(got) == 6
    units = dict(
        zip(
            *parsed.metrics.indicators.select(["indicator", "unit"]).to_pydict().values(),
            strict=True,
        )
    )
    assert units == {
        "Children in care (count)": "count",
        "Children in care (per 10,000 aged 10-17)": "per 10,000",
        "Children in care (%)": "%",
    }
    areas = parsed.metrics.areas.to_pylist()
    assert [(a["area"], a["kind"], a["code"]) for a in areas] == [
        ("Hartlepool", "council", "E06000001"),
        ("North East", "region", "E12000001"),
        ("England", "national", "E92000001"),
    ]
    assert [f["is_benchmark"] for f in figures(parsed)] == [False, False, True, True, True, True]
    assert_accounted(path, parsed)


def test_persons_in_a_unit_column_is_what_is_counted_not_a_unit(tmp_path):
    parsed = interpret(write_tidy(tmp_path, "xlsx"))
    assert "Persons" not in {f["unit"] for f in figures(parsed)}
    [decision] = [d for d in parsed.interpretation.decisions if d.subject == "column F 'Unit'"]
    assert decision.reading == "not the unit: what is counted"
    assert "'Persons'" in decision.evidence


def test_a_unit_column_of_units_gives_the_unit_and_tells_series_apart(tmp_path):
    rows = [
        ["Indicator", "Period", "Unit", "Value"],
        ["Care leavers in education", "2016/17", "%", 54.2],
        ["Care leavers in education", "2016/17", "Number", 65],
        ["Care leavers in education", "2017/18", "%", 57],
    ]
    parsed = interpret(write_xlsx(tmp_path / "u.xlsx", {"KPIs": rows}))
    got = {(f["indicator"], f["period_label"]): (f["value"], f["unit"]) for f in figures(parsed)}
    assert got == {
        ("Care leavers in education (%)", "2016/17"): (54.2, "%"),
        ("Care leavers in education (number)", "2016/17"): (65, "count"),
        ("Care leavers in education (%)", "2017/18"): (57, "%"),
    }


def test_a_unit_column_word_that_is_neither_unit_nor_counted_is_asked(tmp_path):
    rows = [["Indicator", "Period", "Unit", "Value"], ["SDQ average", "2016/17", "Score", 13.2]]
    path = write_xlsx(tmp_path / "q.xlsx", {"KPIs": rows})
    [question] = interpret(path).interpretation.questions
    assert question.key == "unit 'KPIs'!C 'Score'"
    assert question.choices == ("'Score' is the unit", "'Score' is what is counted, not a unit")
    for answer, unit in zip(question.choices, ("Score", None), strict=True):
        assert [f["unit"] for f in figures(interpret(path, {question.key: answer}))] == [unit]


def test_measure_alone_names_the_indicators(tmp_path):
    rows = [
        ["Measure", "Period", "Value"],
        ["Referrals", "2016/17", 79],
        ["Referrals", "2017/18", 94],
    ]
    parsed = interpret(write_xlsx(tmp_path / "m.xlsx", {"KPIs": rows}))
    assert [(f["indicator"], f["value"]) for f in figures(parsed)] == [
        ("Referrals", 79),
        ("Referrals", 94),
    ]


# 2. Two figures never claim one place.
def test_rows_that_collide_are_told_apart_by_a_text_column(tmp_path):
    rows = [
        ["Indicator", "Period", "Sex", "Value"],
        ["Children in care", "2016/17", "Female", 80],
        ["Children in care", "2016/17", "Male", 105],
        ["Children in care", "2017/18", "Female", 82],
    ]
    parsed = interpret(write_xlsx(tmp_path / "s.xlsx", {"KPIs": rows}))
    assert parsed.interpretation.questions == []
    got = {(f["indicator"], f["period_label"]): f["value"] for f in figures(parsed)}
    assert got == {
        ("Children in care (female)", "2016/17"): 80,
        ("Children in care (male)", "2016/17"): 105,
        ("Children in care (female)", "2017/18"): 82,
    }


CONFLICT = [
    ["Indicator", "Period", "Value"],
    ["Referrals", "2016/17", 79],
    ["Contacts", "2016/17", 1666],
    ["Referrals", "2016/17", 81],
]
CONFLICT_KEY = f"conflict 'Referrals' {AREA} 2016/17"


def test_a_true_conflict_is_a_question_not_a_silent_choice(tmp_path, con):
    path = write_xlsx(tmp_path / "c.xlsx", {"KPIs": CONFLICT})
    [question] = interpret(path).interpretation.questions
    assert question.key == CONFLICT_KEY
    assert question.choices == (
        "keep the first (cell 'KPIs'!C2)",
        "keep the last (cell 'KPIs'!C4)",
        "skip both",
    )
    assert question.cells == ("'KPIs'!C2: 79", "'KPIs'!C4: 81")
    with pytest.raises(QuestionsPending, match=re.escape(CONFLICT_KEY)):
        import_file(con, path, area=AREA)
    assert con.execute("SELECT count(*) FROM kpi_rows").fetchone() == (0,)


@pytest.mark.parametrize(
    ("answer", "referrals"),
    [
        ("keep the first (cell 'KPIs'!C2)", [(79, "C2")]),
        ("keep the last", [(81, "C4")]),
        ("skip both", []),
    ],
)
def test_each_answer_to_a_conflict_is_applied(tmp_path, con, answer, referrals):
    path = write_xlsx(tmp_path / "c.xlsx", {"KPIs": CONFLICT})
    parsed = interpret(path, {CONFLICT_KEY: answer})
    assert parsed.interpretation.questions == []
    got = [
        (f["value"], f"{f['source_column']}{f['source_row']}")
        for f in figures(parsed)
        if f["indicator"] == "Referrals"
    ]
    assert got == referrals
    assert_accounted(path, parsed)
    assert parsed.interpretation.accounting.not_stored["skipped"] == 2 - len(referrals)
    import_file(con, path, area=AREA, answers={CONFLICT_KEY: answer})
    stored = con.execute("SELECT value FROM kpi_values WHERE indicator = 'Referrals'").fetchall()
    assert stored == [(v,) for v, _ in referrals]


def test_the_same_figure_twice_is_loaded_once_with_a_warning(tmp_path):
    rows = [
        ["Indicator", "Period", "Value"],
        ["Referrals", "2016/17", 79],
        ["Referrals", "2016/17", 79],
    ]
    parsed = interpret(write_xlsx(tmp_path / "d.xlsx", {"KPIs": rows}))
    assert parsed.interpretation.questions == []
    assert [f["source_row"] for f in figures(parsed)] == [2]
    assert [str(w) for w in parsed.warnings] == [
        "sheet 'KPIs', cell C3 (row 3, column C): the same figure as 'KPIs'!C2; loaded once."
    ]


# 3. A value that contradicts its row is a question.
CAMHS = [
    ["CAMHS Performance Data 2016-17"],
    ["Measure", "Q1", "Q2", "Q3", "Q4", "YTD"],
    ["Referrals", 19, 15, 18, 27, 79],
    ["Did not attend %", "8%", "2%", 0.1, "7.7%", "8%"],
    ["Direct contacts", 360, 279, 632, 395, 1666],
]
SLIPS = {("CAMHS", "B3"): "0%", ("CAMHS", "D3"): "0%"}
COUNT_KEY, FRACTION_KEY = "unit 'CAMHS'!row 3", "unit 'CAMHS'!row 4"


def write_camhs(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "camhs.xlsx", {"CAMHS": CAMHS}, formats=SLIPS)


def test_a_count_formatted_as_a_percentage_is_a_question(tmp_path):
    path = write_camhs(tmp_path)
    questions = {q.key: q for q in interpret(path).interpretation.questions}
    assert set(questions) == {COUNT_KEY, FRACTION_KEY}
    count = questions[COUNT_KEY]
    assert count.choices == ("these are counts (19)", "these are percentages (1900%)")
    assert count.likely == "these are counts (19)"
    assert count.cells[:2] == ("B3: 19 formatted 0%", "C3: 15")
    with pytest.raises(QuestionsPending, match=re.escape(COUNT_KEY)):
        parse_file(path.read_bytes(), path.name, area=AREA)


@pytest.mark.parametrize(
    ("answer", "q1", "q3", "unit"),
    [("these are counts (19)", 19, 18, None), ("these are percentages (1900%)", 1900, 1800, "%")],
)
def test_each_answer_about_a_count_formatted_as_a_percentage(tmp_path, answer, q1, q3, unit):
    answers = {COUNT_KEY: answer, FRACTION_KEY: "0.1 means 10%"}
    parsed = interpret(write_camhs(tmp_path), answers)
    assert parsed.interpretation.questions == []
    referrals = [f for f in figures(parsed) if f["indicator"] == "Referrals"]
    assert [f["value"] for f in referrals] == [q1, 15, q3, 27, 79]
    assert (referrals[0]["unit"], referrals[1]["unit"]) == (unit, None)


@pytest.mark.parametrize(("answer", "q3"), [("0.1 means 10%", 10.0), ("0.1 means 0.1%", 0.1)])
def test_a_rate_typed_as_a_fraction_is_a_question_and_each_answer_applies(tmp_path, answer, q3):
    path = write_camhs(tmp_path)
    question = {q.key: q for q in interpret(path).interpretation.questions}[FRACTION_KEY]
    assert question.choices == ("0.1 means 10%", "0.1 means 0.1%")
    assert question.likely == "0.1 means 10%"  # the row's other cells read 2% to 8%
    answers = {COUNT_KEY: "these are counts (19)", FRACTION_KEY: answer}
    dna = [f for f in figures(interpret(path, answers)) if f["indicator"] == "Did not attend %"]
    assert [(f["value"], f["unit"]) for f in dna] == [
        (8, "%"),
        (2, "%"),
        (q3, "%"),
        (7.7, "%"),
        (8, "%"),
    ]


def test_fractions_in_a_row_named_as_a_percentage_are_asked_even_with_no_percent_cells(tmp_path):
    rows = [["Indicator", "2015/16", "2016/17"], ["% of reviews on time", 0.925, 0.94]]
    [question] = interpret(write_xlsx(tmp_path / "f.xlsx", {"KPIs": rows})).interpretation.questions
    assert (question.key, question.likely) == ("unit 'KPIs'!row 2", "0.925 means 92.5%")


def test_percentages_and_counts_that_agree_with_their_rows_are_not_asked(tmp_path):
    rows = [
        ["Indicator", "2015/16", "2016/17"],
        ["Immunisations up to date", 0.935, 0.907],
        ["Referrals", 79, 81],
        ["SDQ average score", 14.5, 13.2],
    ]
    formats = {("KPIs", f"{c}2"): "0.0%" for c in "BC"}
    parsed = interpret(write_xlsx(tmp_path / "ok.xlsx", {"KPIs": rows}, formats=formats))
    assert parsed.interpretation.questions == []
    assert [f["value"] for f in figures(parsed)] == [93.5, 90.7, 79, 81, 14.5, 13.2]


def test_whole_numbers_heading_columns_after_a_label_are_a_question(tmp_path):
    rows = [["Children in care", 2016, 2017], ["Foster care", 120, 130]]
    path = write_xlsx(tmp_path / "y.xlsx", {"LAC": rows})
    [question] = interpret(path).interpretation.questions
    assert (
        question.key == "header 'LAC'!row 1"
        and question.likely == "years heading the columns below"
    )
    years = interpret(path, {question.key: "years heading the columns below"})
    assert [(f["indicator"], f["period_label"], f["value"]) for f in figures(years)] == [
        ("Foster care", "2016", 120),
        ("Foster care", "2017", 130),
    ]


def test_a_benchmark_column_that_names_no_year_is_asked_which_period(tmp_path):
    rows = [["Indicator", "2015/16", "2016/17", "England"], ["Caseload", 19, 18, 16]]
    path = write_xlsx(tmp_path / "e.xlsx", {"KPIs": rows})
    [question] = interpret(path).interpretation.questions
    assert (question.key, question.choices, question.likely) == (
        "period 'KPIs'!D", ("2016/17", "2015/16"), "2016/17",
    )  # fmt: skip
    england = [f for f in figures(interpret(path, {question.key: "2015/16"})) if f["is_benchmark"]]
    assert [(f["area"], f["period_label"], f["value"]) for f in england] == [
        ("England", "2015/16", 16)
    ]


def test_a_unit_that_could_be_a_percentage_or_a_rate_is_asked(tmp_path):
    rows = [
        ["Indicator", "Period", "Measure", "Value"],
        ["Children in care", "2016/17", "Count", 185],
        ["Children in care", "2016/17", "Rate", 62],
    ]
    path = write_xlsx(tmp_path / "r.xlsx", {"KPIs": rows})
    [question] = interpret(path).interpretation.questions
    assert question.key == "unit 'KPIs'!C 'Rate'" and "per 10,000" in question.choices
    got = {
        f["indicator"]: f["unit"] for f in figures(interpret(path, {question.key: "per 10,000"}))
    }
    assert got == {"Children in care (count)": "count", "Children in care (rate)": "per 10,000"}


# 4. A numeric column is a measure, never part of a row's label.
def test_a_breakdown_column_of_numbers_is_a_measure_not_a_label(tmp_path):
    rows = [
        ["Social worker stability by team 2017"],
        ["Team", "Year", "Staff group", "Leavers", "Stability %"],
        ["Court and permanence", 2017, 26, 6, 0.77],
        ["Leaving care", 2017, 15.5, 4, "56%"],
    ]
    path = write_xlsx(tmp_path / "b.xlsx", {"Churn": rows}, formats={("Churn", "E3"): "0%"})
    parsed = interpret(path)
    got = keyed(parsed)
    assert {f["breakdown"] for f in got.values()} == {"Court and permanence", "Leaving care"}
    assert got[("Staff group", AREA, "Leaving care", "2017")]["value"] == 15.5
    assert got[("Stability %", AREA, "Court and permanence", "2017")]["value"] == 77
    decision = next(d for d in parsed.interpretation.decisions if d.subject == "column C")
    assert decision.reading == "a measure, not a label"
    assert_accounted(path, parsed)


# 5. Monthly series, the same from .xls, .xlsx and .csv.
MONTHS = [dt.datetime(2017, m, 1) for m in range(4, 13)] + [
    dt.datetime(2018, m, 1) for m in (1, 2, 3)
]


def monthly_rows(dates: bool) -> list[list]:
    rows = [
        ["NHS Anytown CCG: children and young people's mental health services"],
        ["Monthly activity, April 2017 to March 2018"],
        [],
        [None, "Referrals", None, "First contacts", None, "Waiting list"],
        ["Month", "Number", "%", "Number", "%", "Number"],
    ]
    for i, month in enumerate(MONTHS):
        label = month if dates else (month.strftime("%b-%y") if i % 2 else month.strftime("%B %Y"))
        rows.append([label, 100 + i, 45.5 + i, 80 + i, "-" if i == 3 else 30 + i / 2, 500 - i])
    rows += [[], ["Notes:"], ["1. Figures for 2017-18 are provisional."], ["Source: NHS Digital"]]
    return rows


def write_monthly(tmp_path: Path, suffix: str) -> Path:
    path = tmp_path / f"monthly.{suffix}"
    if suffix == "csv":
        return write_csv(path, monthly_rows(dates=False))
    if suffix == "xls":
        return write_xls(path, monthly_rows(dates=True), merges=[(3, 1, 3, 2), (3, 3, 3, 4)])
    return write_xlsx(path, {"Data": monthly_rows(dates=True)}, merges={"Data": ["B4:C4", "D4:E4"]})


EXPECTED_MONTHLY = {
    "Referrals": [(100 + i, None) for i in range(12)],
    "Referrals (%)": [(45.5 + i, "%") for i in range(12)],
    "First contacts": [(80 + i, None) for i in range(12)],
    "First contacts (%)": [(None if i == 3 else 30 + i / 2, "%") for i in range(12)],
    "Waiting list": [(500 - i, None) for i in range(12)],
}


@pytest.mark.parametrize("suffix", ["xlsx", "xls", "csv"])
def test_a_monthly_series_reads_month_by_month_and_measure_by_measure(tmp_path, suffix):
    path = write_monthly(tmp_path, suffix)
    parsed = interpret(path)
    interp = parsed.interpretation
    assert (interp.layout, interp.questions, parsed.warnings) == ("monthly_series", [], [])
    rows = figures(parsed)
    for name, expected in EXPECTED_MONTHLY.items():
        series = [f for f in rows if f["indicator"] == name]
        assert [(f["value"], f["unit"]) for f in series] == expected
        assert [f["period_label"] for f in series] == [m.strftime("%b %Y") for m in MONTHS]
        assert {f["period_type"] for f in series} == {"month"}
    assert len(rows) == 60  # notes and titles are not figures
    assert rows[4]["missing"] is None and rows[18]["missing"] == "-"
    assert_accounted(path, parsed)
    assert interp.accounting.not_stored["note"] == 3


def test_a_monthly_series_gives_identical_figures_cell_by_cell_in_every_format(tmp_path):
    def cells(suffix):
        rows = figures(interpret(write_monthly(tmp_path, suffix)))
        return [{k: v for k, v in f.items() if k != "source_sheet"} for f in rows]

    xlsx = cells("xlsx")
    assert cells("xls") == xlsx
    assert cells("csv") == xlsx
    assert {(f["source_column"], f["source_row"]) for f in xlsx} == {
        (c, r) for c in "BCDEF" for r in range(6, 18)
    }


def test_a_year_to_date_row_under_one_years_months_is_that_years_to_date(tmp_path):
    """ "YTD" under April to September 2024 is 2024/25 to date, and the file is still as of
    September; a "Total" row names no period it is sure of, so it is warned of, not stored."""
    rows = [["CAMHS for looked-after children"], [], ["Month", "Referrals"]]
    rows += [[dt.datetime(2024, m, 1), 10 + m] for m in range(4, 10)]
    rows += [["YTD", 129], ["Total 2024-25", 129]]
    parsed = interpret(write_xlsx(tmp_path / "ytd.xlsx", {"CAMHS": rows}))
    ytd = [f for f in figures(parsed) if f["period_type"] == "ytd"]
    assert [(f["period_label"], f["value"]) for f in ytd] == [("2024/25 YTD", 129)]
    assert parsed.as_of == dt.date(2024, 9, 30)
    assert [w.row for w in parsed.warnings if "Total 2024-25" in w.message] == [10]
    # months of two financial years above it: whose year to date is it? Not stored.
    rows[4][0] = dt.datetime(2024, 3, 1)
    parsed = interpret(write_xlsx(tmp_path / "two_years.xlsx", {"CAMHS": rows}))
    assert not [f for f in figures(parsed) if f["period_type"] == "ytd"]
    assert any("'YTD' is not a month" in w.message for w in parsed.warnings)


def test_a_monthly_series_is_its_own_layout_and_others_still_read_as_kpi_tables(tmp_path):
    assert interpret(write_monthly(tmp_path, "xlsx")).interpretation.layout == "monthly_series"
    path = write_xlsx(tmp_path / "long.xlsx", {"KPIs": [["Period", "Indicator", "Value"], *[
        [m.strftime("%b-%y"), "Referrals", i] for i, m in enumerate(MONTHS)
    ]]})  # fmt: skip
    parsed = interpret(path)
    assert parsed.interpretation.layout == "kpi_tables"
    assert len(figures(parsed)) == 12


# 6. Accounting adds up for every fixture.
@pytest.mark.parametrize(
    "build",
    [
        lambda p: write_tidy(p, "xlsx"),
        lambda p: write_tidy(p, "csv"),
        lambda p: write_xlsx(p / "c.xlsx", {"KPIs": CONFLICT}),
        write_camhs,
        lambda p: write_monthly(p, "xls"),
        lambda p: write_xlsx(
            p / "two.xlsx",
            {
                "LAC": [
                    ["Looked after children by placement type"],
                    ["Placement type", 2016, None, 2017, None, "Comments"],
                    [None, "Number", "%", "Number", "%", None],
                    ["Foster care", 120, 0.6, 130, 0.62, "stable"],
                    ["Residential", 20, 0.1, 22, 0.105, None],
                    [],
                    ["Note: figures at 31 March"],
                ],
                "Targets": [
                    ["Indicator", "2015/16", "2016/17", "Target", "Polarity", "Change"],
                    ["Caseload", 19, 18, 16, "Lower is better", -1],
                    [None, 1, 2, None, None, None],
                ],
            },
        ),
    ],
)
def test_every_cell_of_every_table_is_accounted_for(tmp_path, build):
    path = build(tmp_path)
    assert_accounted(path, interpret(path))


def test_tables_columns_units_and_periods_are_decisions_with_evidence(tmp_path):
    interp = interpret(
        write_camhs(tmp_path), {COUNT_KEY: "counts", FRACTION_KEY: "fraction"}
    ).interpretation
    [table] = interp.tables
    assert (table.subject, table.reading) == ("sheet 'CAMHS' A2:F5", "wide table")
    said = {(d.topic, d.subject): (d.reading, d.evidence) for d in interp.decisions}
    assert said[("period", "column B")] == ("Q1 2016/17", "header 'Q1'")
    assert said[("unit", "indicator 'Did not attend %'")] == ("%", "cell B4 '8%'")
    assert said[("unit", "Row 3 ('Referrals')")][1] == f"the answer to [{COUNT_KEY}]"
    assert interp.headers[:2] == ["measure", "<period>"]


# 7. Any tidy table loads back exactly: every figure equal to the cell it came from.
INDICATORS = ["Children in care", "Care leavers in education", "Referrals", "SDQ average score"]
AREAS = {
    "Hartlepool": "E06000001",
    "Leeds": "E08000035",
    "North East": "E12000001",
    "England": "E92000001",
}
PERIODS = {
    "2015/16": "2015/16",
    "2016-17": "2016/17",
    "Q1 2016/17": "Q1 2016/17",
    "Apr-17": "Apr 2017",
    "2017": "2017",
}
MARKERS = ["c", "x", "z", ":", "-", "N/A", "low", "k", "u"]
VALUES = st.one_of(
    st.integers(-1000, 10**7),
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 3)),
    st.sampled_from(MARKERS),
    st.none(),
)
COLUMNS = ["Indicator", "Area code", "Area name", "Period", "Value"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    places=st.lists(
        st.tuples(st.sampled_from(INDICATORS), st.sampled_from(list(AREAS)), st.sampled_from(list(PERIODS))),
        min_size=1, max_size=25, unique=True,
    ),
    values=st.lists(VALUES, min_size=25, max_size=25),
    order=st.permutations(COLUMNS),
    title=st.booleans(),
    suffix=st.sampled_from(["xlsx", "csv"]),
)  # fmt: skip
def test_any_tidy_table_loads_back_exactly(places, values, order, title, suffix):
    records = [
        {"Indicator": i, "Area code": AREAS[a], "Area name": a, "Period": p, "Value": v}
        for (i, a, p), v in zip(places, values, strict=False)
    ]
    rows = [["Benchmarks from the data team"]] if title else []
    rows += [list(order)] + [[r[c] for c in order] for r in records]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"tidy.{suffix}"
        write_csv(path, rows) if suffix == "csv" else write_xlsx(path, {"tidy": rows})
        parsed = interpret(path)
        assert parsed.interpretation.questions == [] and parsed.warnings == []
        got = figures(parsed)
        assert len(got) == len(records)  # nothing missing, nothing extra
        value_col = column_letter(order.index("Value"))
        for f, record, r in zip(
            got, records, range(len(rows) - len(records) + 1, len(rows) + 1), strict=True
        ):
            written = record["Value"]
            assert (f["source_row"], f["source_column"]) == (r, value_col)
            assert (f["indicator"], f["area"], f["period_label"]) == (
                record["Indicator"], record["Area name"], PERIODS[record["Period"]],
            )  # fmt: skip
            if written is None or isinstance(written, str):
                assert f["value"] is None and f["missing"] == written
            else:
                assert f["value"] == float(written) and f["missing"] is None
        assert_accounted(path, parsed)


# 8. A corrupted tidy table is loaded exactly, asked about or refused: never stored wrong.
CORRUPT = st.sampled_from(["blank", "junk", "duplicate row", "bad period", "drop header"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    places=st.lists(
        st.tuples(st.sampled_from(INDICATORS), st.sampled_from(list(AREAS)), st.sampled_from(list(PERIODS))),
        min_size=2, max_size=12, unique=True,
    ),
    values=st.lists(st.integers(0, 5000), min_size=12, max_size=12),
    how=CORRUPT,
    where=st.tuples(st.integers(0, 11), st.integers(0, 4)),
    suffix=st.sampled_from(["xlsx", "csv"]),
)  # fmt: skip
def test_a_corrupted_tidy_table_is_never_stored_wrong(places, values, how, where, suffix):
    rows = [list(COLUMNS)] + [
        [i, AREAS[a], a, p, v] for (i, a, p), v in zip(places, values, strict=False)
    ]
    r, c = 1 + where[0] % (len(rows) - 1), where[1]
    if how == "blank":
        rows[r][c] = None
    elif how == "junk":
        rows[r][c] = "see note 3"
    elif how == "duplicate row":
        rows.insert(r, [*rows[r][:4], rows[r][4] + 1])  # same place, another value
    elif how == "bad period":
        rows[r][3] = "Spring"
    else:
        rows[0][c] = None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"tidy.{suffix}"
        write_csv(path, rows) if suffix == "csv" else write_xlsx(path, {"tidy": rows})
        try:
            parsed = interpret(path)
        except LoaderError:
            return  # refused with a message
    if parsed.interpretation.questions or parsed.metrics is None:
        return  # asked before anything is stored
    header = rows[0]
    claimed = set()
    for f in figures(parsed):
        row = rows[f["source_row"] - 1]
        col = next(i for i in range(5) if column_letter(i) == f["source_column"])
        written = row[col]
        # the figure is the very cell it cites, and that cell sits in the Value column
        assert header[col] == "Value"
        assert f["value"] == (float(written) if isinstance(written, int) else None)
        if header[0] == "Indicator":
            assert f["indicator"].startswith(str(row[0]))
        if header[2] == "Area name" and row[2] is not None:
            assert f["area"] == row[2]
        key = (f["indicator"], f["area"], f["breakdown"], f["period_label"])
        assert key not in claimed  # two figures never claim one place
        claimed.add(key)


def test_a_tidy_table_missing_its_indicator_header_is_not_read_as_a_wide_one(tmp_path):
    """Found by the property test: with 'Indicator' blanked, the first record looked like a
    wide header ('Q1 2016/17', 1990 as periods) and '2015/16' below it read as 12,593.75%."""
    rows = [[None, "Area code", "Area name", "Period", "Value"]] + [
        ["Children in care", "E06000001", "Hartlepool", period, value]
        for period, value in (("2015/16", 0), ("2016-17", 0), ("Q1 2016/17", 1990))
    ]
    path = write_xlsx(tmp_path / "tidy.xlsx", {"tidy": rows})
    [question] = interpret(path).interpretation.questions
    assert question.key == "indicator column 'tidy'!A" and question.likely == "indicator"
    answered = figures(interpret(path, {question.key: "indicator"}))
    assert [(f["indicator"], f["area"], f["period_label"], f["value"]) for f in answered] == [
        ("Children in care", "Hartlepool", "2015/16", 0.0),
        ("Children in care", "Hartlepool", "2016/17", 0.0),
        ("Children in care", "Hartlepool", "Q1 2016/17", 1990.0),
    ]
    with pytest.raises(LoaderError, match="no indicator column"):
        interpret(path, {question.key: "no"})


@pytest.mark.parametrize("text", ["2015/16", "19/4", "120 out of 116"])
def test_more_than_the_whole_is_not_a_share(text):
    from loaders.numbers import read_value

    reading = read_value(text)
    assert reading.value is None and "not a share of a whole" in reading.problem
