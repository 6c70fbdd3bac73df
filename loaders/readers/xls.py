"""Read legacy .xls: values through calamine, fills and merged cells through xlrd."""

from __future__ import annotations

import struct

import xlrd

from loaders.errors import LoadWarning, NotASpreadsheet, column_letter
from loaders.readers.sheet import Sheet
from loaders.readers.values import open_book, put_error, read_values

UNFORMATTED = (
    "The workbook's formatting could not be read (it may be damaged), so its values are "
    "read without fill colours, number formats, merged cells or error values. Check RAG "
    "ratings shown only by colour, or open it in Excel, save a fresh copy and upload that."
)


# Sector ids at or above this are markers (end of chain, free, a FAT or DIFAT sector).
MARKERS = 0xFFFFFFFA
END_OF_CHAIN, DIFAT_SECTOR = 0xFFFFFFFE, 0xFFFFFFFC
MINI_SECTOR, MINI_STREAM_CUTOFF = 64, 4096
# The BIFF records read before calamine: where the workbook's globals and each sheet begin
# and end, each sheet's name and position, the shared strings' count, a sheet's size.
BOF_RECORD, EOF_RECORD, SHEET_RECORD = 0x0809, 0x000A, 0x0085
SST_RECORD, DIMENSIONS_RECORD = 0x00FC, 0x0200
XLS_ROWS, XLS_COLUMNS = 65_536, 256
DAMAGED_CONTAINER = (
    "The workbook is damaged: its index of its own contents points outside the file or "
    "round in a loop. Open it in Excel, save a fresh copy (as .xlsx) and upload that."
)


def read_xls(data: bytes, file_name: str) -> list[Sheet]:
    _check_container(data, file_name)
    sheets = read_values(open_book(data, file_name), file_name)
    _add_formatting(data, sheets)
    return sheets


def _add_formatting(data: bytes, sheets: list[Sheet]) -> None:
    """Fill colours, number formats (a 0.935 shown as 93.5% is a percentage), merged
    ranges and error cells (calamine reads those as blank); an .xls xlrd cannot format
    (damaged, or written by a tool xlrd does not follow) still loads its values, all of
    them unformatted and said so, never some cells formatted and others not."""
    try:
        found = _formatting(data, {s.name for s in sheets})
    except Exception:
        if sheets:
            sheets[0].warnings.append(LoadWarning(UNFORMATTED, sheets[0].name))
        return
    for sheet in sheets:
        if sheet.name not in found:
            continue
        merged, errors, formats, fills = found[sheet.name]
        sheet.merged = merged
        sheet.number_formats.update(formats)
        sheet.fills.update(fills)
        for (r, c), code in errors.items():
            put_error(sheet, r, c, code)


def _formatting(data: bytes, names: set[str]) -> dict[str, tuple]:
    """Per sheet name: merged ranges, error cells, number formats and fills, read whole."""
    book = xlrd.open_workbook(
        file_contents=data, formatting_info=True, on_demand=True, logfile=_Discard()
    )
    found = {}
    for xs in book.sheets():
        if xs.name not in names:
            continue
        merged = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in xs.merged_cells]
        errors, formats, fills = {}, {}, {}
        for r in range(xs.nrows):
            for c in range(xs.row_len(r)):
                if xs.cell_type(r, c) == xlrd.XL_CELL_ERROR:
                    errors[(r, c)] = xlrd.error_text_from_code.get(xs.cell_value(r, c), "#N/A")
                xf = book.xf_list[xs.cell_xf_index(r, c)]
                number_format = book.format_map.get(xf.format_key)
                if number_format and number_format.format_str not in ("General", ""):
                    formats[(r, c)] = number_format.format_str
                if xf.background.fill_pattern != 1:  # 1 = solid
                    continue
                rgb = book.colour_map.get(xf.background.pattern_colour_index)
                if rgb:
                    fills[(r, c)] = "{:02X}{:02X}{:02X}".format(*rgb)
        found[xs.name] = (merged, errors, formats, fills)
    return found


class _Discard:
    """xlrd's log (it reports every oddity of a damaged file): not wanted."""

    def write(self, text: str) -> None:
        pass


class _Damaged(Exception):
    pass


def _check_container(data: bytes, file_name: str) -> None:
    """Refuse an .xls whose structure would make calamine ask for gigabytes (it sizes its
    buffers from numbers in the file, so a few flipped bytes abort it), before it reads:
    the compound file's sector chains must stay inside the file and never loop, the
    shared strings cannot number more than the bytes could hold, and every sheet's
    declared size must be within the 65,536 rows and 256 columns of an .xls."""
    try:
        stream = _workbook_stream(data)
        if stream is not None:
            _check_records(stream, file_name)
    except (_Damaged, struct.error, IndexError) as exc:
        raise NotASpreadsheet(DAMAGED_CONTAINER, file=file_name) from exc


def _workbook_stream(data: bytes) -> bytes | None:
    """The Workbook stream, after checking every chain that leads to a stream."""

    def u32s(offset: int, n: int) -> tuple[int, ...]:
        return struct.unpack_from(f"<{n}I", data, offset)

    shift, mini_shift = struct.unpack_from("<HH", data, 30)
    if shift not in (9, 12) or mini_shift != 6:
        return None  # not a compound file calamine reads: it says so itself
    size = 1 << shift
    count = -(-(len(data) - size) // size)  # sectors after the header, the last maybe short

    def sector(sid: int) -> tuple[int, ...]:
        if sid >= count:
            raise _Damaged
        return u32s(size + sid * size, min(size, len(data) - size - sid * size) // 4)

    def chain(start: int, table: list[int], limit: int) -> list[int]:
        sids, seen = [], set()
        while start != END_OF_CHAIN:
            if start >= limit or start >= len(table) or start in seen:
                raise _Damaged
            seen.add(start)
            sids.append(start)
            start = table[start]
        return sids

    def read(sids: list[int], store: bytes, unit: int, offset: int) -> bytes:
        return b"".join(store[offset + s * unit : offset + (s + 1) * unit] for s in sids)

    dir_sectors, fat_sectors, dir_start = u32s(40, 3)
    mini_fat_start, mini_fat_sectors, difat_start = u32s(60, 3)
    if max(dir_sectors, fat_sectors, mini_fat_sectors) * size > len(data):
        raise _Damaged
    if u32s(62, 1)[0] * 4 > 2**28:  # calamine sizes a table by these bytes too
        raise _Damaged
    difat, sid, seen = list(u32s(76, 109)), difat_start, set()
    while sid < MARKERS:  # further FAT sector ids, in a chain of DIFAT sectors
        if sid in seen:
            raise _Damaged
        seen.add(sid)
        *ids, sid = sector(sid)
        difat += ids
    fat = [entry for sid in difat if sid < DIFAT_SECTOR for entry in sector(sid)]
    directory = read(chain(dir_start, fat, count), data, size, size)
    entries = [directory[i : i + 128] for i in range(0, len(directory) - 127, 128)]
    if not entries:
        return None  # no root: calamine says the workbook is empty
    lengths = [
        struct.unpack_from("<I" if size == 512 else "<Q", entry, 120)[0] for entry in entries
    ]
    if any(n > len(data) for n in lengths):
        raise _Damaged
    mini_fat, mini_stream = [], b""  # small streams live in the mini stream, if there is one
    if mini_fat_sectors:
        mini_fat = [e for sid in chain(mini_fat_start, fat, count) for e in sector(sid)]
        root = struct.unpack_from("<I", entries[0], 116)[0]
        mini_stream = read(chain(root, fat, count), data, size, size)[: lengths[0]]
    minis = -(-len(mini_stream) // MINI_SECTOR)
    streams = {}
    for entry, length in zip(entries[1:], lengths[1:], strict=True):
        if entry[66] != 2:  # not a stream
            continue
        start = struct.unpack_from("<I", entry, 116)[0]
        if 0 < length < MINI_STREAM_CUTOFF:
            content = read(chain(start, mini_fat, minis), mini_stream, MINI_SECTOR, 0)
        elif length:
            content = read(chain(start, fat, count), data, size, size)
        else:
            content = b""
        name = entry[:64].decode("utf-16-le", "replace").split("\x00")[0]  # as calamine reads it
        streams.setdefault(name, content[:length])
    return streams.get("Workbook", streams.get("Book"))


def _records(stream: bytes, pos: int):
    """(type, data) of each BIFF record from ``pos`` to the substream's end."""
    while pos + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, pos)
        yield kind, stream[pos + 4 : pos + 4 + size]
        if kind == EOF_RECORD:
            return
        pos += 4 + size


def _check_records(stream: bytes, file_name: str) -> None:
    sheets, biff8 = [], True
    for kind, data in _records(stream, 0):
        if kind == BOF_RECORD:
            biff8 = struct.unpack_from("<H", data)[0] in (0x0600, 0)
        elif kind == SHEET_RECORD:
            cch, at = data[6], 8 if biff8 else 7
            wide = biff8 and data[7] & 1
            name = data[at : at + cch * (2 if wide else 1)].decode(
                "utf-16-le" if wide else "latin-1", "replace"
            )
            sheets.append((struct.unpack_from("<I", data)[0], name))
        elif kind == SST_RECORD and struct.unpack_from("<i", data, 4)[0] > len(stream) // 3:
            raise _Damaged  # more strings than bytes to hold them (three at least each)
    for pos, name in sheets:
        for kind, data in _records(stream, pos):
            if kind == DIMENSIONS_RECORD:
                _check_dimensions(data, name, file_name)


def _check_dimensions(data: bytes, sheet: str, file_name: str) -> None:
    """A sheet's declared first and last-plus-one row and column, as calamine sizes it."""
    if len(data) == 14:
        first_row, end_row, first_col, end_col = struct.unpack_from("<IIHH", data)
    elif len(data) == 10:
        first_row, end_row, first_col, end_col = struct.unpack_from("<HHHH", data)
    else:
        return  # calamine refuses it itself
    if end_row < 1 or end_col < 1:
        return  # read as one cell
    if first_row <= end_row <= XLS_ROWS and first_col <= end_col <= XLS_COLUMNS:
        return
    first, last = (
        f"{column_letter(first_col)}{first_row + 1}",
        f"{column_letter(end_col - 1)}{end_row}",
    )
    where = (
        f"outside the {XLS_ROWS:,} rows and {XLS_COLUMNS} columns an .xls holds"
        if end_row > XLS_ROWS or end_col > XLS_COLUMNS
        else f"before it starts at {first}"
    )
    raise NotASpreadsheet(
        f"The workbook is damaged: the sheet says it ends at {last}, {where}. Open it "
        "in Excel, save a fresh copy (as .xlsx) and upload that.",
        file=file_name,
        sheet=sheet,
    )
