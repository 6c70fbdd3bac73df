"""Issue 10, 'nothing is lost': error cells, unreadable timescales, mixed encodings, NUL
bytes and copies of a file each load with a warning naming the cell, never silently."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
import xlwt

from loaders.actions import parse_action_sheet
from loaders.numbers import read_value
from loaders.readers import read_sheets
from loaders.readers.sheet import CellError
from loaders.snapshot import plan_from_file_name
from loaders.timescale import parse_timescale
from tests.workbooks import STANDARD_HEADER

D = dt.date
ERRORS = ["#REF!", "#DIV/0!", "#N/A", "#VALUE!", "#NAME?", "#NUM!", "#NULL!"]


def _xlsx_with_errors(path, rows, errors):
    """A workbook whose ``errors`` cells ((row, col) 1-based -> code) are Excel error values."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Plan"
    for row in rows:
        sheet.append(row)
    for (r, c), code in errors.items():
        cell = sheet.cell(r, c)
        cell.value = code
        cell.data_type = "e"
    book.save(path)
    return path.read_bytes()


@pytest.mark.parametrize("code", ERRORS)
def test_xlsx_error_cells_are_kept_not_blank(tmp_path, code):
    data = _xlsx_with_errors(tmp_path / "e.xlsx", [["Figure", "Other"], [None, 1]], {(2, 1): code})
    sheet = read_sheets(data, "e.xlsx")[0]
    value = sheet.value(1, 0)
    assert isinstance(value, CellError) and value == code


def test_an_error_beyond_the_values_is_still_read(tmp_path):
    data = _xlsx_with_errors(tmp_path / "e.xlsx", [["a"]], {(3, 4): "#REF!"})
    assert read_sheets(data, "e.xlsx")[0].value(2, 3) == "#REF!"


def test_xls_error_cells_are_kept(tmp_path):
    book = xlwt.Workbook()
    sheet = book.add_sheet("Plan")
    sheet.write(0, 0, "Figure")
    sheet.row(1).set_cell_error(0, "#DIV/0!")
    book.save(str(tmp_path / "e.xls"))
    value = read_sheets((tmp_path / "e.xls").read_bytes(), "e.xls")[0].value(1, 0)
    assert isinstance(value, CellError) and value == "#DIV/0!"


def _plan_rows():
    return [
        STANDARD_HEADER,
        ["1.1", "Improve supervision", None, "Head of Service", "April 18", "Begun", "Green"],
        ["1.2", None, "Train team managers", "SH", None, "Two sessions", None],
        ["1.3", None, "Audit files", "SH", "June 18", None, "Amber"],
    ]


def test_error_cells_in_a_plan_load_with_a_warning_naming_the_cell(tmp_path):
    data = _xlsx_with_errors(
        tmp_path / "plan.xlsx",
        _plan_rows(),
        {(2, 3): "#REF!", (3, 5): "#DIV/0!", (3, 7): "#N/A", (4, 4): "#NAME?"},
    )
    result = parse_action_sheet(read_sheets(data, "plan.xlsx")[0])
    actions = {a.ref: a for a in result.actions}
    # the action whose text is an error is loaded, not dropped or merged into another
    assert sorted(actions) == ["1.1", "1.2", "1.3"]
    assert actions["1.1"].action == "#REF!"
    assert actions["1.2"].rag == "Not rated"
    assert (actions["1.2"].timescale.due_date, actions["1.2"].timescale.kind) == (
        None,
        "unreadable",
    )
    assert actions["1.3"].lead == "#NAME?"
    by_cell = {(w.row, w.column): w.message for w in result.warnings}
    assert by_cell[(1, 2)].startswith("the cell holds the error #REF!; the action is loaded")
    assert by_cell[(2, 4)].startswith("the cell holds the error #DIV/0!; the action is loaded")
    assert "no due date" in by_cell[(2, 4)]
    assert by_cell[(2, 6)].startswith("the cell holds the error #N/A; loaded as Not rated")
    assert by_cell[(3, 3)].startswith("the cell holds the error #NAME?; it is loaded as written")
    assert len(result.warnings) == 4


def test_error_in_a_kpi_figure_is_not_a_figure(tmp_path):
    data = _xlsx_with_errors(
        tmp_path / "k.xlsx", [["Measure", "2017/18"], ["IHA", None]], {(2, 2): "#DIV/0!"}
    )
    reading = read_value(read_sheets(data, "k.xlsx")[0].value(1, 1))
    assert reading.value is None and reading.problem == "'#DIV/0!' is not a figure"


def test_csv_error_text_is_an_error_cell():
    sheet = read_sheets(b"Ref,Action\n1.1,#REF!\n", "p.csv")[0]
    assert isinstance(sheet.value(1, 1), CellError)


@pytest.mark.parametrize(
    ("text", "due", "kind"),
    [
        ("13/13/2018", None, "unreadable"),
        ("31 Apr 2018", None, "unreadable"),  # never silently 30 April
        ("By 30 April", None, "unreadable"),  # no year
        ("April 30th", None, "unreadable"),
        ("End of April", None, "unreadable"),
        ("04/2018", D(2018, 4, 30), "date"),
        ("Q1 2018/19", D(2018, 6, 30), "date"),  # financial quarter: Apr-Jun 2018
        ("Q4 2018-19", D(2019, 3, 31), "date"),
        ("Q2 18/19", D(2018, 9, 30), "date"),
        ("Q1 2018/20", None, "unreadable"),
        ("TBC", None, "undated"),
        ("March 2018: audit / 31 Apr 2018: review", None, "unreadable"),
        ("Staff may attend", None, "undated"),  # 'may' is not the month
        ("31 March 2018", D(2018, 3, 31), "date"),
        ("2023/24", D(2024, 3, 31), "financial year"),  # which ends on 31 March
    ],
)
def test_timescales_that_cannot_be_read(text, due, kind):
    parsed = parse_timescale(text)
    assert (parsed.text, parsed.due_date, parsed.kind) == (text, due, kind)


@pytest.mark.parametrize(
    "timescale", ["13/13/2018", "04/13", "TBC", "By 30 April", "31 Apr 2018", "Q3"]
)
def test_plan_reader_warns_on_an_unreadable_timescale(tmp_path, timescale):
    rows = _plan_rows()
    rows[1][2] = "Audit supervision files"
    rows[1][4] = timescale
    data = _xlsx_with_errors(tmp_path / "plan.xlsx", rows, {})
    result = parse_action_sheet(read_sheets(data, "plan.xlsx")[0])
    action = result.actions[0]
    assert action.timescale.due_date is None and action.timescale.text == timescale
    [warning] = [w for w in result.warnings if (w.row, w.column) == (1, 4)]
    assert warning.message.startswith(f"the timescale '{timescale}' cannot be read as a due date")


def test_readable_timescales_do_not_warn(tmp_path):
    rows = _plan_rows()
    rows[1][2] = "Audit supervision files"
    rows[2][4] = "Q1 2018/19"
    data = _xlsx_with_errors(tmp_path / "plan.xlsx", rows, {})
    result = parse_action_sheet(read_sheets(data, "plan.xlsx")[0])
    assert result.warnings == []
    assert result.actions[1].timescale.due_date == D(2018, 6, 30)


def test_csv_in_mixed_encodings_is_read_line_by_line():
    data = (
        b"Ref,Action,Lead\n"
        + "1.1,Café review – phase 1,SH\n".encode()
        + "1.2,Costs £2,000 for the café,BJ\n".encode("cp1252")
        + "1.3,Naïve plan,SH\n".encode()
    )
    sheet = read_sheets(data, "mixed.csv")[0]
    # UTF-8 rows are not misread as Windows-1252 ('Ã©'), and the Windows-1252 row is read
    assert sheet.value(1, 1) == "Café review – phase 1"
    assert sheet.value(2, 1) == "Costs £2"
    assert sheet.value(2, 2) == "000 for the café"
    assert sheet.value(3, 1) == "Naïve plan"
    [warning] = sheet.warnings
    assert (warning.sheet, warning.row) == ("mixed", 2)
    assert warning.message.startswith("Row 3 is not UTF-8, so read as Windows-1252")


def test_csv_rows_are_named_across_quoted_line_breaks():
    data = (
        b'Ref,Action\n1.1,"two\nlines"\n'
        + "1.2,caf\xe9\n".encode("latin-1")
        + "1.3,x\n1.4,d\xe9j\xe0\n".encode("cp1252")
    )
    sheet = read_sheets(data, "m.csv")[0]
    assert sheet.value(1, 1) == "two\nlines"
    assert [sheet.value(r, 1) for r in (2, 4)] == ["café", "déjà"]
    [warning] = sheet.warnings
    assert warning.message.startswith("Rows 3, 5 are not UTF-8")


def test_a_valid_utf8_csv_has_no_warnings():
    sheet = read_sheets("Ref,Action\n1.1,Café\n".encode("utf-8-sig"), "u.csv")[0]
    assert sheet.value(1, 1) == "Café" and sheet.warnings == []


def test_nul_bytes_in_cells_are_removed_with_a_warning():
    data = b"Ref,Action\n1.1,Audit\x00 files\n1.2,Train\n1.3,\x00\x00Review\n"
    sheet = read_sheets(data, "n.csv")[0]
    assert [sheet.value(r, 1) for r in (1, 2, 3)] == ["Audit files", "Train", "Review"]
    assert all("\x00" not in str(v) for row in sheet.rows for v in row)
    [warning] = sheet.warnings
    assert warning.row == 1
    assert warning.message.startswith("Rows 2, 4 held NUL characters")


def test_a_utf16_file_is_still_not_a_csv():
    from loaders.errors import NotASpreadsheet

    with pytest.raises(NotASpreadsheet, match="not text"):
        read_sheets("Ref,Action\n1.1,Audit\n".encode("utf-16"), "w.csv")


def test_copies_of_a_file_are_one_plan():
    names = [
        "X 2018-02.xlsx",
        "X 2018-02 (1).xlsx",
        "x 2018-02.xlsx",
        "Copy of X 2018-02.xlsx",
        "X Plan Feb 2018.xlsx",
        "X 2018-02 - Copy.xlsx",
        "X_plan_2018-03 (2).xlsx",
    ]
    assert {plan_from_file_name(n) for n in names} == {"X plan"}


@pytest.mark.parametrize(
    ("name", "plan"),
    [
        ("Improvement plan 2018-03-31.xlsx", "Improvement plan"),
        ("ILACS plan Jan18 v2.xlsx", "ILACS plan"),
        ("Copy of ILACS Plan March 2018 (3).xlsx", "ILACS plan"),
        ("post_ofsted_action_plan_2018-04.xlsx", "Post ofsted action plan"),
    ],
)
def test_plan_names_from_file_names(name, plan):
    assert plan_from_file_name(name) == plan
