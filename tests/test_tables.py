"""Table downloads: CSV and Excel that open safely, with RAG cells coloured and labelled."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from charts.tables import csv_bytes, escape_formula, excel_bytes
from charts.theme import RAG_COLOURS

ROWS = pd.DataFrame(
    {
        "Ref": ["1.1", "1.2", "1.3"],
        "Action": ['=HYPERLINK("http://evil")', "+44 helpline", "Audit files"],
        "Lead": ["@mention", "-", "HoS"],
        "RAG": ["Red", "Green", "Not rated"],
        "Days": [-5, 3, None],
    }
)


def test_formula_text_is_escaped_and_numbers_are_not():
    assert escape_formula("=1+1") == "'=1+1"
    assert escape_formula("@SUM(A1)") == "'@SUM(A1)"
    assert escape_formula(-5) == -5
    assert escape_formula("Audit") == "Audit"


def test_csv_never_starts_a_cell_with_a_formula():
    text = csv_bytes(ROWS).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+44 helpline" in text and "'@mention" in text
    assert ",-5.0\n" in text.replace("\r", "")  # a negative number stays a number


def test_excel_is_formatted_rag_coloured_and_formula_free():
    book = openpyxl.load_workbook(io.BytesIO(excel_bytes(ROWS, "Actions")))
    ws = book["Actions"]
    assert [c.value for c in ws[1]] == ["Ref", "Action", "Lead", "RAG", "Days"]
    assert ws["A1"].font.bold and ws.freeze_panes == "A2"
    assert ws["B2"].value == '=HYPERLINK("http://evil")' and ws["B2"].data_type == "s"
    assert ws["D2"].value == "Red"  # labelled in words
    assert ws["D2"].fill.fgColor.rgb == "FF" + RAG_COLOURS["Red"].lstrip("#").upper()
    assert ws["E2"].value == -5 and ws["E4"].value is None
