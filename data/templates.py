"""Blank templates officers can download, fill in and upload without edits to the layout."""

from __future__ import annotations

import io

import openpyxl
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

ACTION_HEADER = ["Rec", "Recommendation", "Ref", "Action", "Lead officer", "Timescale", "Progress update", "Cost implications", "RAG"]  # fmt: skip
KPI_HEADER = ["Indicator", "Period", "Value", "Target", "Polarity", "Area", "Breakdown"]
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")


def _save(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _header(ws, row: list[str]) -> None:
    ws.append(row)
    for cell in ws[ws.max_row]:
        cell.font = BOLD
        cell.fill = HEADER_FILL


def action_plan_template() -> bytes:
    """An action plan with title lines, the header and one example action to overwrite."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Action plan"
    ws.append(["Children's Services"])
    ws.append(["Post Ofsted Action Plan"])
    ws.append(["Progress as at 1 January 2026"])
    ws.append([])
    _header(ws, ACTION_HEADER)
    ws.append([1, "Write the inspectors' recommendation here", "1.1", "Write the action here",
               "Head of Service", "March 26", "Progress so far", "In budget", "Green"])  # fmt: skip
    rag = DataValidation(
        type="list", formula1='"Complete,Green,Amber,Red,Not rated"', allow_blank=True
    )
    ws.add_data_validation(rag)
    rag.add("I6:I500")
    ws.append([])
    ws.append(["RAG: Complete = done; Green = on track; Amber = some slippage; Red = off track."])
    for column, width in zip("ABCDEFGHI", (6, 40, 6, 50, 20, 14, 50, 20, 10), strict=True):
        ws.column_dimensions[column].width = width
    return _save(book)


def kpi_template() -> bytes:
    """A long-format KPI return: one row per indicator and period, with two examples."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "KPIs"
    _header(ws, KPI_HEADER)
    ws.append(
        ["Immunisations up to date", "2025/26", "93.5%", "95%", "Higher is better", None, None]
    )
    ws.append(
        [
            "Average caseload per social worker",
            "Q1 2025/26",
            17.2,
            18,
            "Lower is better",
            None,
            None,
        ]
    )
    polarity = DataValidation(
        type="list", formula1='"Higher is better,Lower is better,Neutral"', allow_blank=True
    )
    ws.add_data_validation(polarity)
    polarity.add("E2:E1000")
    for column, width in zip("ABCDEFG", (40, 14, 10, 10, 18, 20, 20), strict=True):
        ws.column_dimensions[column].width = width
    return _save(book)
