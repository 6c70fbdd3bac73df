"""Readers: what a cell holds and how it is shown reach the loaders the same from every format."""

from __future__ import annotations

import xlwt

from loaders.importer import parse_file
from loaders.readers import read_sheets


def test_xls_number_formats_are_read(tmp_path):
    book = xlwt.Workbook()
    ws = book.add_sheet("KPIs")
    percent = xlwt.easyxf(num_format_str="0.0%")
    ws.write(0, 0, "Indicator")
    ws.write(0, 1, "2015/16")
    ws.write(0, 2, "2016/17")
    ws.write(1, 0, "Immunisations up to date")
    ws.write(1, 1, 0.935, percent)
    ws.write(1, 2, 0.907, percent)
    path = tmp_path / "kpis.xls"
    book.save(str(path))
    [sheet] = read_sheets(path.read_bytes(), path.name)
    assert sheet.number_formats[(1, 1)] == "0.0%"
    assert (0, 0) not in sheet.number_formats  # General is not recorded
    parsed = parse_file(path.read_bytes(), path.name, area="Anytown")
    figures = parsed.metrics.figures.to_pylist()
    assert [(f["period_label"], f["value"], f["unit"]) for f in figures] == [
        ("2015/16", 93.5, "%"),
        ("2016/17", 90.7, "%"),
    ]


def test_csv_quoting_is_read_past_the_first_lines(tmp_path):
    """A doubled quote far down the file stays inside its cell (the sniffer only sees the top)."""
    rows = [f"{i},Action {i},Lead {i}" for i in range(600)]  # well over 8 KB, no quotes
    rows.append('600,"Review ""front door"" referrals, then report",QA Manager')
    path = tmp_path / "long.csv"
    path.write_text("Ref,Action,Lead\n" + "\n".join(rows) + "\n", encoding="utf-8")
    [sheet] = read_sheets(path.read_bytes(), path.name)
    assert sheet.rows[-1] == ["600", 'Review "front door" referrals, then report', "QA Manager"]
    assert {len(row) for row in sheet.rows} == {3}
