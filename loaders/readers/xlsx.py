"""Read .xlsx/.xlsm: cell values through calamine (fast), fills and number formats from the XML.

calamine does not expose cell styles, and openpyxl's full cell-by-cell parse is several
times slower than the whole import is allowed to take, so styles are read here: the
stylesheet through openpyxl's own parser, and each cell's style index by one regular
expression pass over the sheet XML.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from xml.etree import ElementTree

from openpyxl.styles.numbers import BUILTIN_FORMATS
from openpyxl.styles.stylesheet import Stylesheet

from loaders import settings
from loaders.errors import FileTooLarge, NotASpreadsheet
from loaders.rag import resolve_colour, theme_colours
from loaders.readers.sheet import Sheet
from loaders.readers.values import add_error_cells, column_index, open_book, read_values

NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

# Row and cell start tags, with or without a namespace prefix, including self-closing
# empty cells (a fill-only RAG cell is written as <c r="G5" s="3"/>).
TAG = re.compile(rb"<(?:\w+:)?(row|c)\b([^>]*)>")
ATTR_R = re.compile(rb'\br="([A-Z]*)(\d+)"')
ATTR_S = re.compile(rb'\bs="(\d+)"')

# A workbook whose parts expand beyond this is refused before parsing (zip bombs, or
# sheets with millions of formatted cells) rather than exhausting memory.
MAX_UNCOMPRESSED_FACTOR = 40


def read_xlsx(data: bytes, file_name: str) -> list[Sheet]:
    """All sheets of an .xlsx/.xlsm, in workbook order."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise NotASpreadsheet(
            "The workbook is damaged or incomplete (it may have been cut short while copying "
            "or downloading). Open it in Excel, save a fresh copy and upload that.",
            file=file_name,
        ) from exc
    if "xl/workbook.xml" not in names:
        raise NotASpreadsheet(
            "This is a zip file but not an Excel workbook (a Word or other Office file?). "
            "Upload the .xlsx workbook itself.",
            file=file_name,
        )
    expanded = sum(info.file_size for info in archive.infolist())
    if expanded > settings.max_upload_bytes() * MAX_UNCOMPRESSED_FACTOR:
        raise FileTooLarge(
            f"The workbook expands to {expanded / 2**20:,.0f} MB, beyond what the dashboard reads. "
            "Delete unused sheets, rows and formatting, or split it, and upload again.",
            file=file_name,
        )
    try:
        paths = _sheet_paths(archive)
    except Exception as exc:
        raise NotASpreadsheet(
            "The workbook's list of sheets could not be read; it may be damaged. Open it in "
            "Excel, save a fresh copy and upload that.",
            file=file_name,
        ) from exc
    _check_declared_size(archive, paths, file_name)
    book = open_book(data, file_name)
    try:
        styles = _Styles(archive)
    except Exception as exc:
        raise NotASpreadsheet(
            "The workbook's formatting could not be read; it may be damaged. Open it in Excel, "
            "save a fresh copy and upload that.",
            file=file_name,
        ) from exc

    sheets = read_values(book, file_name)
    for sheet in sheets:
        path = paths.get(sheet.name)
        if path in names:
            xml = archive.read(path)  # once per sheet: its styles and its error cells
            styles.apply(xml, sheet)
            add_error_cells(xml, sheet)
    return sheets


# A sheet's declared size: <dimension ref="A1:XFD1048576"/> near the top of its XML.
DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?"')


def _check_declared_size(archive: zipfile.ZipFile, paths: dict[str, str], file_name: str) -> None:
    """Refuse a workbook whose sheets declare more cells than the limit, before any reader
    builds the grid (a 5 KB file can declare 17 billion cells)."""
    limit, total = settings.max_cells(), 0
    for name, path in paths.items():
        try:
            with archive.open(path) as part:
                head = part.read(4096)
        except (KeyError, OSError, zipfile.BadZipFile, RuntimeError):
            continue  # a missing or unreadable part is the reader's to report
        found = DIMENSION.search(head)
        if not found:
            continue
        # The reader lays every sheet out from A1, so the grid ends at the range's last cell.
        letters = found.group(3) or found.group(1)
        digits = found.group(4) or found.group(2)
        if not letters or not digits:
            continue
        total += int(digits) * (column_index(letters) + 1)
        if total > limit:
            last = f"{letters.decode()}{int(digits)}"
            raise FileTooLarge(
                f"The workbook claims {total:,} cells (sheet '{name}' runs from A1 to {last}); "
                f"the limit is {limit:,} (setting {settings.MAX_CELLS.env}). Delete unused rows, "
                "columns and formatting, or split the file, and upload again.",
                file=file_name,
                sheet=name,
            )


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> path of its XML part, via workbook.xml and its relationships."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{NS_PKG_REL}Relationship")}
    paths = {}
    for sheet in book.iter(f"{NS_MAIN}sheet"):
        target = targets.get(sheet.get(f"{NS_REL}id"), "")
        paths[sheet.get("name")] = (
            target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
        )
    return paths


class _Styles:
    """The workbook's cell formats: style index -> solid fill colour and number format."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.fill_of: dict[int, str] = {}
        self.format_of: dict[int, str] = {}
        if "xl/styles.xml" not in archive.namelist():
            return
        theme_xml = (
            archive.read("xl/theme/theme1.xml")
            if "xl/theme/theme1.xml" in archive.namelist()
            else None
        )
        theme = theme_colours(theme_xml)
        sheet = Stylesheet.from_tree(ElementTree.fromstring(archive.read("xl/styles.xml")))
        custom = {f.numFmtId: f.formatCode for f in (sheet.numFmts.numFmt if sheet.numFmts else [])}
        fills = list(sheet.fills)
        for index, xf in enumerate(sheet.cellXfs.xf):
            fill = fills[xf.fillId] if xf.fillId is not None and xf.fillId < len(fills) else None
            if getattr(fill, "patternType", None) == "solid":
                colour = resolve_colour(fill.fgColor, theme)
                if colour:
                    self.fill_of[index] = colour
            fmt_id = xf.numFmtId or 0
            fmt = custom.get(fmt_id) or BUILTIN_FORMATS.get(fmt_id)
            if fmt and fmt != "General":
                self.format_of[index] = fmt

    def apply(self, xml: bytes, sheet: Sheet) -> None:
        """Record the fill and number format of every styled cell of one sheet."""
        if not self.fill_of and not self.format_of:
            return
        row, col = 0, -1
        fill_of, format_of = self.fill_of, self.format_of
        fills, formats = sheet.fills, sheet.number_formats
        for match in TAG.finditer(xml):
            attrs = match.group(2)
            ref = ATTR_R.search(attrs)
            if match.group(1) == b"row":
                row = int(ref.group(2)) - 1 if ref else row + 1
                col = -1
                continue
            col = column_index(ref.group(1)) if ref and ref.group(1) else col + 1
            style = ATTR_S.search(attrs)
            if not style:
                continue
            index = int(style.group(1))
            if index in fill_of:
                fills[(row, col)] = fill_of[index]
            if index in format_of:
                formats[(row, col)] = format_of[index]
