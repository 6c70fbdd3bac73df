"""Read .xlsx/.xlsm: cell values through calamine (fast), fills and number formats from the XML.

calamine does not expose cell styles, and openpyxl's full cell-by-cell parse is several
times slower than the whole import is allowed to take, so styles are read here: the
stylesheet through openpyxl's own parser, and each cell's style index by one regular
expression pass over the sheet XML.
"""

from __future__ import annotations

import copy
import io
import posixpath
import re
import zipfile
import zlib
from xml.etree import ElementTree

from openpyxl.styles.numbers import BUILTIN_FORMATS
from openpyxl.styles.stylesheet import Stylesheet

from loaders import settings
from loaders.errors import FileTooLarge, LoaderError, NotASpreadsheet
from loaders.rag import resolve_colour, theme_colours
from loaders.readers.sheet import EXCEL_CELL_CHARS, Sheet
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
# One part (a sheet's XML, the shared strings) may expand to this many bytes per cell the
# workbook may hold (a styled cell with a formula is well under 100 bytes), and never less
# than MIN_PART_BYTES: a sheet's XML is read whole, for its styles.
PART_BYTES_PER_CELL = 100
MIN_PART_BYTES = 64 * 2**20
# The XML of one string (a shared string or a cell's inline string) beyond which it cannot
# be a string Excel holds: 32,767 characters of at most a few bytes each, with formatting.
MAX_STRING_XML_BYTES = 2**20
XML_PARTS = (".xml", ".rels")
# Read before any other part: they name the sheets (and are parsed to do so).
WORKBOOK_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
CHUNK = 2**20
# A document type declaration defines entities that can expand a few bytes into gigabytes
# (an "XML bomb"); Excel never writes one.
DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY", b"<!doctype", b"<!entity")
# The start or end tag of a string item, any prefix: <si> in the shared strings, <is> in a
# cell with an inline string. Long enough to never straddle OVERLAP.
STRING_ITEM = re.compile(rb"<(/?)(?:[\w.-]{1,32}:)?(si|is)(?=[\s/>])")
STRING_HINTS = (b"<si", b"<is", b":si", b":is")
CLOSING_TAG = re.compile(rb"</(?:[\w.-]{1,32}:)?(?:si|is)\s*>")
OVERLAP = 512  # bytes kept between chunks: a tag split by a chunk, a cell tag before <is>
CELL_TAG = re.compile(rb"<(?:\w+:)?c\b([^>]*)>")
PHONETIC = re.compile(rb"<(?:[\w.-]+:)?rPh\b.*?</(?:[\w.-]+:)?rPh\s*>", re.S)
CDATA = re.compile(rb"<!\[CDATA\[(.*?)\]\]>", re.S)
MARKUP = re.compile(rb"<[^>]*>")
REFERENCE = re.compile(rb"&#?\w+;")

DAMAGED_ZIP = (
    "The workbook is damaged or incomplete (it may have been cut short while copying or "
    "downloading). Open it in Excel, save a fresh copy and upload that."
)
FRESH_COPY = "Open it in Excel, save a fresh copy and upload that."


def read_xlsx(data: bytes, file_name: str) -> list[Sheet]:
    """All sheets of an .xlsx/.xlsm, in workbook order."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except Exception as exc:  # zipfile raises several unrelated types for a damaged directory
        raise NotASpreadsheet(DAMAGED_ZIP, file=file_name) from exc
    if "xl/workbook.xml" not in names:
        raise NotASpreadsheet(
            "This is a zip file but not an Excel workbook (a Word or other Office file?). "
            "Upload the .xlsx workbook itself.",
            file=file_name,
        )
    paths = _preflight(archive, file_name)
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
        except (KeyError, OSError, zipfile.BadZipFile, RuntimeError, zlib.error):
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


def _preflight(archive: zipfile.ZipFile, file_name: str) -> dict[str, str]:
    """Check every part of the zip before any reader materialises one, and return each
    sheet's part. Sizes come from the zip's directory (a zip bomb is refused unopened);
    then every XML part is streamed once, never read more than its directory says, and
    refused if it declares entities (an XML bomb) or holds a string longer than Excel's."""
    parts = [info for info in archive.infolist() if not info.is_dir()]
    infos = {info.filename: info for info in parts}
    if len(infos) < len(parts):  # two parts of one name: which one a reader takes is unknown
        raise NotASpreadsheet(DAMAGED_ZIP, file=file_name)
    total_limit = settings.max_upload_bytes() * MAX_UNCOMPRESSED_FACTOR
    expanded = sum(info.file_size for info in infos.values())
    if expanded > total_limit:
        raise FileTooLarge(
            f"The workbook expands to {expanded / 2**20:,.0f} MB, beyond what the dashboard reads. "
            "Delete unused sheets, rows and formatting, or split it, and upload again.",
            file=file_name,
        )
    part_limit = min(total_limit, max(MIN_PART_BYTES, settings.max_cells() * PART_BYTES_PER_CELL))
    for name, info in infos.items():
        if info.file_size > part_limit:
            raise FileTooLarge(
                f"The workbook's part '{name}' expands to {info.file_size / 2**20:,.0f} MB; the "
                f"limit for one part is {part_limit / 2**20:,.0f} MB. Delete unused rows, columns "
                "and formatting, or split the file, and upload again.",
                file=file_name,
            )
    for name in WORKBOOK_PARTS:
        if name in infos:
            _scan_part(archive, infos[name], file_name, None)
    try:
        paths = _sheet_paths(archive)
    except Exception as exc:
        raise NotASpreadsheet(
            "The workbook's list of sheets could not be read; it may be damaged. " + FRESH_COPY,
            file=file_name,
        ) from exc
    sheet_of = {path: sheet for sheet, path in paths.items()}
    for name, info in infos.items():
        if name not in WORKBOOK_PARTS and (name.lower().endswith(XML_PARTS) or name in sheet_of):
            _scan_part(archive, info, file_name, sheet_of.get(name))
    return paths


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, file_name: str):
    """A part's bytes, a chunk at a time, never more than its directory entry declares (a
    lying entry would let a reader inflate a few kilobytes into gigabytes), and checked
    against its CRC once read."""
    guard = copy.copy(info)
    guard.file_size = info.file_size + 1  # read one byte past the declared size, to see it
    guard.CRC = None  # checked here, after the size
    read, crc = 0, 0
    try:
        with archive.open(guard) as part:
            while chunk := part.read(CHUNK):
                read += len(chunk)
                if read > info.file_size:
                    raise NotASpreadsheet(
                        f"The workbook is damaged: its part '{info.filename}' holds more than the "
                        f"{info.file_size:,} bytes its zip directory records. " + FRESH_COPY,
                        file=file_name,
                    )
                crc = zlib.crc32(chunk, crc)
                yield chunk
    except LoaderError:
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError, NotImplementedError,
            ValueError) as exc:  # fmt: skip
        raise NotASpreadsheet(DAMAGED_ZIP, file=file_name) from exc
    if read != info.file_size or crc != info.CRC:
        raise NotASpreadsheet(DAMAGED_ZIP, file=file_name)


def _scan_part(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, file_name: str, sheet: str | None
) -> None:
    """Stream one XML part: refuse a document type declaration, and measure every string
    item (<si>, <is>) while holding no more than one item and a chunk."""
    scan = _StringItems(info.filename, {"file": file_name, "sheet": sheet})
    chunks = _chunks(archive, info, file_name)
    while True:
        chunk = next(chunks, None)
        scan.feed(chunk or b"", last=chunk is None)
        if chunk is None:
            break
    if scan.items > settings.max_cells():
        raise FileTooLarge(
            f"The workbook's shared strings hold {scan.items:,} strings; the limit is "
            f"{settings.max_cells():,} (setting {settings.MAX_CELLS.env}), as a workbook shows "
            "no more strings than it has cells. " + FRESH_COPY,
            file=file_name,
        )


class _StringItems:
    """The string items of one part, fed chunk by chunk. Only an item whose XML is longer
    than Excel's cell limit in bytes can hold more characters, so a chunk in which every
    stretch between two closing tags is shorter is passed at once (a split, at C speed);
    any other is read item by item, and a long item's characters counted."""

    def __init__(self, part: str, where: dict) -> None:
        self.part, self.where = part, where
        self.buf, self.base, self.done = b"", 0, 0  # unscanned tail, its offset, judged to
        self.opened: int | None = None  # offset of the item being read, in the part
        self.tag = b""  # its tag: si or is
        self.items = 0  # shared strings closed
        self.closes: set[bytes] = set()  # how this part spells its closing tags

    def feed(self, chunk: bytes, last: bool) -> None:
        buf = self.buf + chunk
        if any(declaration in buf for declaration in DECLARATIONS):
            raise NotASpreadsheet(
                f"The workbook's part '{self.part}' declares a document type (<!DOCTYPE>), "
                "which Excel never writes: its entities can expand a small file into gigabytes "
                "(an 'XML bomb'). " + FRESH_COPY,
                **self.where,
            )
        end = len(buf) if last else max(len(buf) - OVERLAP, 0)
        pos = max(self.done - self.base, 0)
        if self.opened is None and not any(hint in buf for hint in STRING_HINTS):
            keep = end
        elif self.opened is None and (passed := self._quick(buf, pos, last)) is not None:
            end = keep = passed
        else:
            keep = self._one_by_one(buf, pos, end)
        self.done = self.base + end
        self.buf, self.base = buf[keep:], self.base + keep

    def _quick(self, buf: bytes, pos: int, last: bool) -> int | None:
        """Where the chunk is judged to (just after its last closing tag) when no item in
        it can be too long; None when it must be read item by item."""
        if b"<!" in buf:  # a comment or CDATA section could hide a tag or fake one
            return None
        if not self.closes:
            self.closes = set(CLOSING_TAG.findall(buf))
        present = [close for close in self.closes if close in buf]
        if len(present) != 1:
            return None
        pieces = buf.split(present[0])
        if max(map(len, pieces[:-1]), default=0) > EXCEL_CELL_CHARS:
            return None
        if len(pieces[-1]) > EXCEL_CELL_CHARS and not last:
            return None  # an item may be running on into the next chunk
        if present[0].endswith(b"si>"):
            self.items += buf.count(present[0], pos)
        return len(buf) - len(pieces[-1])

    def _one_by_one(self, buf: bytes, pos: int, end: int) -> int:
        """Read the items starting before ``end``; where to keep the chunk from."""
        for match in STRING_ITEM.finditer(buf, pos):
            if match.start() >= end:
                break
            if not match.group(1):
                if self.opened is None and not _self_closing(buf, match.end()):
                    self.opened, self.tag = self.base + match.start(), match.group(2)
                continue
            if self.opened is not None:
                self._check(buf, self.opened - self.base, match.start())
                self.opened = None
            self.items += match.group(2) == b"si"
        start = end if self.opened is None else self.opened - self.base
        if len(buf) - start > MAX_STRING_XML_BYTES:
            self._refuse(None, buf, start)
        return max(start - OVERLAP, 0)  # the cell tag before an inline string stays

    def _check(self, buf: bytes, start: int, stop: int) -> None:
        if stop - start <= EXCEL_CELL_CHARS:
            return
        chars = _characters(buf[start:stop])
        if chars > EXCEL_CELL_CHARS:
            self._refuse(chars, buf, start)

    def _refuse(self, chars: int | None, buf: bytes, start: int):
        size = (
            f"holds {chars:,} characters"
            if chars
            else f"runs to more than {MAX_STRING_XML_BYTES // 2**20} MB"
        )
        limit = (
            f"the limit is {EXCEL_CELL_CHARS:,}, Excel's own for one cell. The file was not "
            "made by Excel or is damaged: open it in Excel, shorten the text if it is really "
            "that long, save a fresh copy and upload that."
        )
        if self.tag == b"si":
            raise FileTooLarge(
                f"The workbook's shared string {self.items + 1:,} {size}; {limit}", **self.where
            )
        where = self.where
        cells = list(CELL_TAG.finditer(buf, max(start - OVERLAP, 0), start))
        ref = ATTR_R.search(cells[-1].group(1)) if cells else None
        if ref and ref.group(1):
            where = {**where, "row": int(ref.group(2)) - 1, "column": column_index(ref.group(1))}
        raise FileTooLarge(f"The cell's text {size}; {limit}", **where)


def _self_closing(buf: bytes, after: int) -> bool:
    close = buf.find(b">", after)
    return close > 0 and buf[close - 1 : close] == b"/"


def _characters(xml: bytes) -> int:
    """The characters of a string item's text: its runs, without formatting or the
    phonetic guide; an entity such as &amp; is one character."""
    parts = CDATA.split(PHONETIC.sub(b"", xml))
    count = 0
    for index, part in enumerate(parts):
        if not index % 2:  # outside CDATA: markup dropped, each reference one character
            part = REFERENCE.sub(b"_", MARKUP.sub(b"", part))
        count += len(part.decode("utf-8", "replace"))
    return count


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
