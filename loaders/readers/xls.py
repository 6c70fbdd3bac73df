"""Read legacy .xls: values through calamine, fills and merged cells through xlrd."""

from __future__ import annotations

import xlrd

from loaders.readers.sheet import Sheet
from loaders.readers.values import open_book, put_error, read_values


def read_xls(data: bytes, file_name: str) -> list[Sheet]:
    sheets = read_values(open_book(data, file_name), file_name)
    _add_formatting(data, sheets)
    return sheets


def _add_formatting(data: bytes, sheets: list[Sheet]) -> None:
    """Fill colours, number formats (a 0.935 shown as 93.5% is a percentage), merged
    ranges and error cells (calamine reads those as blank); an .xls xlrd cannot format
    still loads its values."""
    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception:
        return
    by_name = {s.name: s for s in sheets}
    for xs in book.sheets():
        sheet = by_name.get(xs.name)
        if sheet is None:
            continue
        sheet.merged = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in xs.merged_cells]
        for r in range(xs.nrows):
            for c in range(xs.row_len(r)):
                if xs.cell_type(r, c) == xlrd.XL_CELL_ERROR:
                    code = xlrd.error_text_from_code.get(xs.cell_value(r, c), "#N/A")
                    put_error(sheet, r, c, code)
                xf = book.xf_list[xs.cell_xf_index(r, c)]
                number_format = book.format_map.get(xf.format_key)
                if number_format and number_format.format_str not in ("General", ""):
                    sheet.number_formats[(r, c)] = number_format.format_str
                if xf.background.fill_pattern != 1:  # 1 = solid
                    continue
                rgb = book.colour_map.get(xf.background.pattern_colour_index)
                if rgb:
                    sheet.fills[(r, c)] = "{:02X}{:02X}{:02X}".format(*rgb)
