"""Fuzzing every reader: a damaged, truncated or hostile file loads, or is refused with a
LoaderError, and never fails any other way.

Small valid seed files (CSV, .xlsx, .xls, Parquet) are mutated by byte flips, truncations,
insertions and repeats, and read through ``interpret_file`` in the contained worker (a
native abort there ends the worker, not the test run, and fails the example). Examples
are derandomized and no example database is kept, so every run tries the same files.
Each file that broke a reader is kept in tests/data/fuzz/ and read again by
``test_fuzz_reproducers``; each preflight check of a workbook (zip bombs, parts larger
than their directory says, strings longer than Excel holds, XML entity bombs) has its
own test with its message, read in a worker too small to survive the bomb.
"""

from __future__ import annotations

import functools
import io
import itertools
import logging
import struct
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders.errors import LoaderError, column_letter
from loaders.importer import interpret_file
from loaders.layouts.base import Options
from loaders.worker import WorkerFailed, run_contained
from tests.workbooks import simple_plan, write_csv, write_xls, write_xlsx

DATA = Path(__file__).parent / "data"
FUZZ = DATA / "fuzz"
# The worker reads each hostile workbook within this much memory: a reader that
# materialised the bomb instead of refusing it would fail its test rather than pass slowly.
SMALL_WORKER_MB = "1024"
FUZZ_SETTINGS = settings(
    max_examples=60,
    deadline=20_000,  # ms: a reader that stalls fails the example; a slow machine does not
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module", autouse=True)
def contained_worker():
    """The worker is started before the first example, so that its start-up counts against
    no example's deadline."""
    read_contained(*seeds()["csv"][0])


@pytest.fixture
def small_worker(monkeypatch):
    monkeypatch.setenv("DASHBOARD_WORKER_MEMORY_MB", SMALL_WORKER_MB)


# --- seed files ------------------------------------------------------------------------


def _kpi_rows() -> list[list]:
    return [
        ["Indicator", "Polarity", "2021/22", "2022/23", "2023/24"],
        ["Re-referrals within 12 months (%)", "Low", 21.5, 19.0, "#REF!"],
        ["Children in need per 10,000", "High", 312, 305.5, None],
        ["Care leavers in suitable accommodation", "High", "88%", "91%", "x"],
    ]


@functools.cache
def seeds() -> dict[str, list[tuple[bytes, str]]]:
    """Small valid files of every format the importer reads, as (bytes, file name). A file
    named lait_* is read with the LAIT dictionary loaded, so its figures are read too."""
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        plan = simple_plan()
        xlsx = write_xlsx(
            d / "plan.xlsx",
            {"Plan": plan, "KPIs": _kpi_rows()},
            fills={("Plan", "G6"): "00B050", ("Plan", "G7"): "FFC000"},
            merges={"Plan": ["A1:G1"]},
            formats={("KPIs", "C2"): "0.0%"},
        )
        xls = write_xls(
            d / "plan.xls", {"Plan": plan, "KPIs": _kpi_rows()}, fills={("Plan", 5, 6): "green"}
        )
        csv_plan = write_csv(d / "plan.csv", plan)
        csv_kpis = write_csv(d / "kpis.csv", _kpi_rows(), encoding="cp1252")
        lait_csv = io.BytesIO()
        pacsv.write_csv(pq.read_table(io.BytesIO(lait_parquet())), lait_csv)
        found = {
            "csv": [
                (csv_plan.read_bytes(), "plan.csv"),
                (b"\xef\xbb\xbf" + csv_kpis.read_bytes().replace(b"\r\n", b"\n"), "kpis.csv"),
                (_first_lines(DATA / "csww_indicators_2017_to_2025_trimmed.csv", 4), "dfe.csv"),
                (_first_lines(DATA / "lait_data_dictionary_trimmed.csv", 4), "dictionary.csv"),
                (b"".join(lait_csv.getvalue().splitlines(keepends=True)[:12]), "lait_bds.csv"),
            ],
            "xlsx": [(xlsx.read_bytes(), "plan.xlsx"), (inline_string_workbook(), "inline.xlsx")],
            "xls": [(xls.read_bytes(), "plan.xls")],
            "parquet": [(lait_parquet(), "lait_bds_long.parquet")],
        }
    return found


def _first_lines(path: Path, n: int) -> bytes:
    return b"".join(path.read_bytes().splitlines(keepends=True)[:n])


def inline_string_workbook() -> bytes:
    """A workbook written as some exporters write it: inline strings, an error cell."""
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<dimension ref="A1:C3"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Ref</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>Action</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>RAG</t></is></c></row>'
        '<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="inlineStr"><is><r><t>Audit </t></r>'
        '<r><t xml:space="preserve">files &amp; notes</t></r></is></c>'
        '<c r="C2" t="inlineStr"><is><t>Green</t></is></c></row>'
        '<row r="3"><c r="A3" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'
        "</sheetData></worksheet>"
    )
    return workbook_zip({"xl/worksheets/sheet1.xml": sheet.encode()})


def workbook_zip(parts: dict[str, bytes], *, names: tuple[str, ...] = ("Plan",)) -> bytes:
    """A minimal .xlsx: the given parts plus the workbook, relationships and content types
    for one sheet per name (sheet n at xl/worksheets/sheet{n}.xml)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in {**package_parts(names), **parts}.items():
            archive.writestr(name, content)
    return out.getvalue()


def package_parts(names: tuple[str, ...] = ("Plan",)) -> dict[str, bytes]:
    """The parts that make a zip a workbook of these sheets, and a sheet for each."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    sheets = "".join(
        f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1)
    )
    targets = "".join(
        f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/'
        f'2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(names) + 1)
    )
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(names) + 1)
    )
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            f"{overrides}</Types>"
        ),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": f"<workbook {ns} {rel}><sheets>{sheets}</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships">{targets}'
            '<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
        ),
    }
    for i in range(1, len(names) + 1):
        parts[f"xl/worksheets/sheet{i}.xml"] = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')
    return {name: text.encode() for name, text in parts.items()}


def sheet_xml(rows: str) -> str:
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>"
    )


def lait_parquet() -> bytes:
    table = pq.read_table(DATA / "lait_bds_long_trimmed.parquet").slice(0, 40)
    out = io.BytesIO()
    pq.write_table(table, out, compression="snappy", row_group_size=16)
    return out.getvalue()


@functools.cache
def lait_reference() -> dict[str, pa.Table]:
    """The measure dictionary, as if loaded before, so a LAIT Parquet file is read through."""
    path = DATA / "lait_data_dictionary_trimmed.csv"
    parsed = interpret_file(path.read_bytes(), path.name)
    return {"measure_dictionary": parsed.extra_rows["measure_dictionary"]}


# --- mutations -------------------------------------------------------------------------

# Bytes and fragments a damaged or hostile file holds where it should not.
TOKENS = [
    b"\x00", b"\xff", b"\xe9", b"\x80", b"\r", b"\n", b"\r\n", b'"', b"'", b",", b";", b"\t",
    b"\xef\xbb\xbf", b"\xfe\xff", b"#REF!", b'"""', b"&amp;", b"&#0;", b"&#x110000;", b"&lol;",
    b"<", b">", b"</", b"/>", b"]]>", b"<![CDATA[", b"<!--", b"<is><t>", b"</t></is>",
    b"<si><t>", b' t="e"', b' t="s"', b' t="inlineStr"', b' r="XFD1048576"', b' r="A0"',
    b' r="A99999999999"', b' s="99999"', b"<v>99999999</v>", b"<v>-1</v>", b"<v>1e308</v>",
    b"<!DOCTYPE x [<!ENTITY a \"aaaa\">]>", b"PK\x03\x04", b"PAR1", b"\xd0\xcf\x11\xe0",
]  # fmt: skip


@st.composite
def mutations(draw, seed: bytes) -> bytes:
    """The seed with one to four damages: flipped bits, odd bytes, cuts, inserts, repeats."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["flip", "set", "cut", "delete", "insert", "repeat"]))
        if op in ("flip", "set") and pos < len(data):
            if op == "flip":
                data[pos] ^= 1 << draw(st.integers(0, 7))
            else:
                data[pos] = draw(st.sampled_from([0, 0xFF, 0x7F, 0x80, 0x20, 0x3C, 0x22]))
        elif op == "cut":
            del data[pos:]
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 256))]
        elif op == "insert":
            data[pos:pos] = draw(st.sampled_from(TOKENS) | st.binary(min_size=1, max_size=16))
        else:
            piece = data[pos : pos + draw(st.integers(1, 64))]
            data[pos:pos] = piece * draw(st.integers(1, 64))
    return bytes(data)


def zip_parts(content: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def rezip(parts: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts:
            archive.writestr(name, content)
    return out.getvalue()


@st.composite
def damaged_parts(draw, seed: bytes) -> bytes:
    """A workbook whose zip is sound but one XML part is damaged (reaching the XML readers,
    which damaged zip bytes rarely do)."""
    parts = zip_parts(seed)
    index = draw(st.integers(0, len(parts) - 1))
    name, content = parts[index]
    parts[index] = (name, draw(mutations(content)))
    return rezip(parts)


# --- the property ----------------------------------------------------------------------


class _Crashes(logging.Handler):
    """The tracebacks the worker sends back when a reader fails other than by refusing."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.tracebacks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.tracebacks.append(record.getMessage())


def read_contained(content: bytes, file_name: str) -> tuple[str, str]:
    """How one file fared, read by ``interpret_file`` in the contained worker (the function
    itself is sent, so a fresh worker starts with nothing more to import): ("loaded", the
    layout), ("refused", the error) or ("crash", the traceback or how the worker died),
    the last being what this file looks for. A file named lait_* is read with the LAIT
    dictionary loaded, as if it had been imported first."""
    reference = lait_reference() if file_name.startswith("lait_") else {}
    crashes = _Crashes()
    worker_log = logging.getLogger("loaders.worker")
    worker_log.addHandler(crashes)
    try:
        parsed = run_contained(
            interpret_file, content, file_name,
            options=Options(reference=reference), file_name=file_name,
        )  # fmt: skip
    except WorkerFailed as exc:
        return "crash", "\n".join([str(exc), *crashes.tracebacks])
    except LoaderError as exc:
        return "refused", f"{type(exc).__name__}: {exc}"
    finally:
        worker_log.removeHandler(crashes)
    return "loaded", parsed.interpretation.layout


def assert_loads_or_refuses(content: bytes, file_name: str) -> tuple[str, str]:
    kind, detail = read_contained(content, file_name)
    assert kind != "crash", f"{file_name} ({len(content)} bytes) {detail}"
    return kind, detail


@pytest.mark.parametrize("index", range(5))
@FUZZ_SETTINGS
@given(data=st.data())
def test_damaged_csv_loads_or_is_refused(index, data):
    seed, name = seeds()["csv"][index]
    assert_loads_or_refuses(data.draw(mutations(seed)), name)


@pytest.mark.parametrize("index", [0, 1])
@FUZZ_SETTINGS
@given(data=st.data())
def test_damaged_xlsx_loads_or_is_refused(index, data):
    seed, name = seeds()["xlsx"][index]
    assert_loads_or_refuses(data.draw(mutations(seed)), name)


@pytest.mark.parametrize("index", [0, 1])
@FUZZ_SETTINGS
@given(data=st.data())
def test_xlsx_with_a_damaged_part_loads_or_is_refused(index, data):
    seed, name = seeds()["xlsx"][index]
    assert_loads_or_refuses(data.draw(damaged_parts(seed)), name)


@FUZZ_SETTINGS
@given(data=st.data())
def test_damaged_xls_loads_or_is_refused(data):
    seed, name = seeds()["xls"][0]
    assert_loads_or_refuses(data.draw(mutations(seed)), name)


@FUZZ_SETTINGS
@given(data=st.data())
def test_damaged_parquet_loads_or_is_refused(data):
    seed, name = seeds()["parquet"][0]
    assert_loads_or_refuses(data.draw(mutations(seed)), name)


def test_the_seeds_load():
    for files in seeds().values():
        for content, name in files:
            assert read_contained(content, name)[0] == "loaded", name


# --- files the fuzzing broke, kept ------------------------------------------------------

DAMAGED_ZIP = (
    "The workbook is damaged or incomplete (it may have been cut short while copying or "
    "downloading). Open it in Excel, save a fresh copy and upload that."
)
OUTSIDE = (
    "The workbook is damaged: its index of its own contents points outside the file or "
    "round in a loop. Open it in Excel, save a fresh copy (as .xlsx) and upload that."
)
# Each file in tests/data/fuzz, named "<what broke>--<name it is read as>", and how it is
# read now: loaded through a layout, or refused with this message.
REPRODUCERS = {
    "csv-short-rows--kpis.csv": "loaded kpi_tables",
    "csv-bare-carriage-return--dfe.csv": (
        "refused NotASpreadsheet: dfe.csv: The CSV could not be read as a table (CSV parse "
        "error: Expected 31 columns, got 2: lost_fte,absence_rate_fte). Check it was saved as "
        "comma-separated values with one header row."
    ),
    "xlsx-bad-crc--plan.xlsx": f"refused NotASpreadsheet: plan.xlsx: {DAMAGED_ZIP}",
    "xlsx-bad-deflate--plan.xlsx": f"refused NotASpreadsheet: plan.xlsx: {DAMAGED_ZIP}",
    "xlsx-part-name-differs--plan.xlsx": f"refused NotASpreadsheet: plan.xlsx: {DAMAGED_ZIP}",
    "xlsx-zip-version--plan.xlsx": f"refused NotASpreadsheet: plan.xlsx: {DAMAGED_ZIP}",
    "xls-chain-assertion--plan.xls": f"refused NotASpreadsheet: plan.xls: {OUTSIDE}",
    "xls-fat-index--plan.xls": f"refused NotASpreadsheet: plan.xls: {OUTSIDE}",
    "xls-sector-outside-file--plan.xls": f"refused NotASpreadsheet: plan.xls: {OUTSIDE}",
    "xls-stream-of-gigabytes--plan.xls": f"refused NotASpreadsheet: plan.xls: {OUTSIDE}",
    "xls-directory-cut-short--plan.xls": (
        "refused NotASpreadsheet: plan.xls: The workbook is damaged and could not be read. "
        "Open it in Excel, save a fresh copy (as .xlsx) and upload that."
    ),
    "xls-dimensions-start-after-end--plan.xls": (
        "refused NotASpreadsheet: plan.xls, sheet 'Plan': The workbook is damaged: the sheet "
        "says it ends at G8, before it starts at A4194305. Open it in Excel, save a fresh "
        "copy (as .xlsx) and upload that."
    ),
    "xls-formatting-bof--plan.xls": "loaded plan_table",
    "xls-formatting-index--plan.xls": "loaded plan_table",
    # column names that are not UTF-8 cannot be read, so nothing names LAIT's columns
    "parquet-bad-utf8-column-name--lait_bds_long.parquet": (
        "refused NoTableFound: lait_bds_long.parquet: No table was found."
    ),
    "parquet-bad-utf8-value--lait_bds_long.parquet": (
        "refused LoaderError: lait_bds_long.parquet: The Parquet file could not be read "
        "(Column 2: In chunk 1: Invalid: Invalid UTF8 sequence at string index 13). Download "
        "it again from the LAIT repository."
    ),
}


def test_every_kept_file_is_listed():
    assert sorted(p.name for p in FUZZ.iterdir()) == sorted(REPRODUCERS)


@pytest.mark.parametrize("name", list(REPRODUCERS))
def test_fuzz_reproducers(name):
    """Each kept file is read as it is now (the whole message, or its opening sentence
    where the message goes on to list every layout)."""
    kind, detail = assert_loads_or_refuses((FUZZ / name).read_bytes(), name.split("--")[1])
    assert f"{kind} {detail}".startswith(REPRODUCERS[name])


@pytest.mark.parametrize("name", ["xls-formatting-bof--plan.xls", "xls-formatting-index--plan.xls"])
def test_an_xls_whose_formatting_is_damaged_loads_its_values_and_says_so(name):
    from loaders.readers import read_sheets
    from loaders.readers.xls import UNFORMATTED

    sheets = read_sheets((FUZZ / name).read_bytes(), "plan.xls")
    assert [str(w) for w in sheets[0].warnings] == [f"sheet 'Plan': {UNFORMATTED}"]
    assert all(not s.fills and not s.number_formats for s in sheets)


def test_a_csv_cell_that_never_ends_is_refused_at_its_row():
    unclosed = b'Ref,Action\n1,"Audit files\n' + b"x" * 140_000 + b"\n2,Train\n"
    assert read_contained(unclosed, "long.csv") == (
        "refused",
        "NotASpreadsheet: long.csv, row 2: The CSV could not be read from here on (a cell "
        'runs past 131,072 characters). Most often a quote mark (") opens a cell and is never '
        "closed, so the rest of the file runs into that cell. Check the row in a text editor, "
        "or open the file in Excel and save it as 'CSV UTF-8'.",
    )


def test_a_csv_with_old_mac_line_endings_loads():
    rows = [
        "Ref,Action,Lead officer,Timescale,RAG",
        "1.1,Audit files,Head of Service,April 18,Green",
    ]
    assert read_contained("\r".join(rows).encode() + b"\r", "plan.csv") == ("loaded", "plan_table")


def test_an_error_value_outside_excels_grid_is_refused_at_its_cell():
    far = '<row r="1"><c r="A1"><v>1</v></c><c r="XFE1" t="e"><v>#N/A</v></c></row>'
    assert read_contained(
        workbook(xl__worksheets__sheet1_xml=sheet_xml(far).encode()), "far.xlsx"
    ) == (
        "refused",
        "NotASpreadsheet: far.xlsx, sheet 'Plan', cell XFE1 (row 1, column XFE): The sheet has "
        "an error value (#N/A) outside Excel's 1,048,576 rows and 16,384 columns, so the "
        "workbook is damaged. Open it in Excel, save a fresh copy and upload that.",
    )


# --- each preflight check of a workbook, with its message ------------------------------

FRESH = "Open it in Excel, save a fresh copy and upload that."
TOO_LONG = (
    "the limit is 32,767, Excel's own for one cell. The file was not made by Excel or is "
    "damaged: open it in Excel, shorten the text if it is really that long, save a fresh "
    "copy and upload that."
)


def deflated(*pieces: tuple[bytes, int]) -> tuple[bytes, int, int]:
    """(raw deflate, inflated size, CRC-32) of each piece repeated n times, made without
    holding the whole: a piece is compressed once, flushed so its block stands alone, and
    the block repeated (a gigabyte of zeros deflates to a megabyte). The CRC of a part too
    large to be read to its end is left 0."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    blocks, size = [], sum(len(piece) * times for piece, times in pieces)
    crc = 0
    for piece, times in pieces:
        blocks.append((compressor.compress(piece) + compressor.flush(zlib.Z_FULL_FLUSH)) * times)
        for _ in range(times if size <= 2**26 else 0):
            crc = zlib.crc32(piece, crc)
    return b"".join(blocks) + compressor.flush(), size, crc


def raw_zip(parts: dict[str, tuple[bytes, int, int]]) -> bytes:
    """A zip of parts given as (deflated bytes, size, CRC), its directory declaring the size
    and CRC given: honest, or lying as a hostile file's does."""
    out, directory = io.BytesIO(), []
    for name, (data, size, crc) in parts.items():
        offset, encoded = out.tell(), name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data),
                              size, len(encoded), 0) + encoded + data)  # fmt: skip
        directory.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0,
                                     crc, len(data), size, len(encoded), 0, 0, 0, 0, 0,
                                     offset) + encoded)  # fmt: skip
    start, central = out.tell(), b"".join(directory)
    out.write(central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts),
                                    len(central), start, 0))  # fmt: skip
    return out.getvalue()


def workbook(**parts: tuple[bytes, int, int] | bytes) -> bytes:
    """A one-sheet workbook ('Plan') whose parts (named by path, '/' as '__', '.' as '_')
    are replaced or added as given: bytes, or already deflated."""
    named = {k.replace("__", "/").replace("_xml", ".xml"): v for k, v in parts.items()}
    files = {**package_parts(), **named}
    return raw_zip(
        {name: v if isinstance(v, tuple) else deflated((v, 1)) for name, v in files.items()}
    )


def refusal(content: bytes, file_name: str, seconds: float = 10) -> str:
    """The message a file is refused with, read in the worker, within ``seconds``."""
    start = time.monotonic()
    kind, detail = read_contained(content, file_name)
    assert kind == "refused", detail
    assert time.monotonic() - start < seconds
    return detail


GIGABYTE_OF_ZEROS = (bytes(2**20), 1024)


def test_a_zip_bomb_is_refused_from_its_directory(small_worker):
    bomb = workbook(xl__worksheets__sheet1_xml=deflated(GIGABYTE_OF_ZEROS))
    assert len(bomb) < 2 * 2**20  # a gigabyte inside, two megabytes uploaded
    assert refusal(bomb, "bomb.xlsx") == (
        "FileTooLarge: bomb.xlsx: The workbook's part 'xl/worksheets/sheet1.xml' expands to "
        "1,024 MB; the limit for one part is 477 MB. Delete unused rows, columns and "
        "formatting, or split the file, and upload again."
    )


def test_parts_that_expand_beyond_the_limit_together_are_refused(small_worker):
    parts = {f"xl/media/image{i}.png": deflated((bytes(2**20), 450)) for i in range(5)}
    bomb = raw_zip({**{n: deflated((c, 1)) for n, c in package_parts().items()}, **parts})
    assert refusal(bomb, "bomb.xlsx") == (
        "FileTooLarge: bomb.xlsx: The workbook expands to 2,250 MB, beyond what the dashboard "
        "reads. Delete unused sheets, rows and formatting, or split it, and upload again."
    )


def test_a_part_larger_inside_than_its_directory_says_is_refused_unread(small_worker):
    data, _, _ = deflated(GIGABYTE_OF_ZEROS)
    liar = workbook(xl__worksheets__sheet1_xml=(data, 2_000, 0))
    assert refusal(liar, "liar.xlsx") == (
        "NotASpreadsheet: liar.xlsx: The workbook is damaged: its part "
        "'xl/worksheets/sheet1.xml' holds more than the 2,000 bytes its zip directory records. "
        + FRESH
    )


def shared_strings(*texts: str) -> bytes:
    items = "".join(f"<si><t>{text}</t></si>" for text in texts)
    return (
        f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{items}</sst>'
    ).encode()


def referring_sheet(count: int) -> bytes:
    cells = "".join(f'<c r="{column_letter(i)}1" t="s"><v>{i}</v></c>' for i in range(count))
    return sheet_xml(f'<row r="1">{cells}</row>').encode()


def test_a_shared_string_longer_than_excel_holds_is_refused(small_worker):
    content = workbook(
        xl__sharedStrings_xml=shared_strings("Ref", "x" * 40_000),
        xl__worksheets__sheet1_xml=referring_sheet(2),
    )
    assert refusal(content, "long.xlsx") == (
        f"FileTooLarge: long.xlsx: The workbook's shared string 2 holds 40,000 characters; {TOO_LONG}"
    )


def test_a_shared_string_of_excels_longest_loads():
    """Characters are counted, not bytes: '&amp;' is one, 'é' is one."""
    text = "&amp;é" * (32_767 // 2) + "x"
    content = workbook(
        xl__sharedStrings_xml=shared_strings("Ref", text),
        xl__worksheets__sheet1_xml=referring_sheet(2),
    )
    from loaders.readers import read_sheets

    [sheet] = read_sheets(content, "long.xlsx")
    assert len(sheet.rows[0][1]) == 32_767


def test_a_shared_string_of_hundreds_of_megabytes_is_refused_unread(small_worker):
    sst = deflated((b"<sst><si><t>", 1), (b"x" * 2**20, 400), (b"</t></si></sst>", 1))
    content = workbook(xl__sharedStrings_xml=sst, xl__worksheets__sheet1_xml=referring_sheet(1))
    assert refusal(content, "long.xlsx") == (
        f"FileTooLarge: long.xlsx: The workbook's shared string 1 runs to more than 1 MB; {TOO_LONG}"
    )


def test_more_shared_strings_than_cells_allowed_are_refused(small_worker, monkeypatch):
    monkeypatch.setenv("DASHBOARD_MAX_CELLS", "50")
    content = workbook(
        xl__sharedStrings_xml=shared_strings(*(f"s{i}" for i in range(60))),
        xl__worksheets__sheet1_xml=referring_sheet(1),
    )
    assert refusal(content, "many.xlsx") == (
        "FileTooLarge: many.xlsx: The workbook's shared strings hold 60 strings; the limit is "
        "50 (setting DASHBOARD_MAX_CELLS), as a workbook shows no more strings than it has "
        "cells. " + FRESH
    )


def test_an_inline_string_longer_than_excel_holds_is_refused_at_its_cell(small_worker):
    rows = '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="B2" t="inlineStr">'
    content = workbook(
        xl__worksheets__sheet1_xml=sheet_xml(
            rows + "<is><t>" + "y" * 40_000 + "</t></is></c></row>"
        ).encode()
    )
    assert refusal(content, "long.xlsx") == (
        "FileTooLarge: long.xlsx, sheet 'Plan', cell B2 (row 2, column B): The cell's text "
        f"holds 40,000 characters; {TOO_LONG}"
    )


def test_an_inline_string_of_hundreds_of_megabytes_is_refused_unread(small_worker):
    head = sheet_xml('<row r="3"><c r="C3" t="inlineStr"><is><t>').split("</t>")[0]
    sheet = deflated(
        (head.encode(), 1), (b"z" * 2**20, 400), (b"</t></is></c></row></sheetData></worksheet>", 1)
    )
    assert refusal(workbook(xl__worksheets__sheet1_xml=sheet), "long.xlsx") == (
        "FileTooLarge: long.xlsx, sheet 'Plan', cell C3 (row 3, column C): The cell's text runs "
        f"to more than 1 MB; {TOO_LONG}"
    )


def _laugh(level: int) -> str:
    return f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">'


# The "billion laughs": nine entities, each ten of the one before, a gigabyte of "lol".
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">'
    + "".join(_laugh(level) for level in range(1, 10))
    + "]>"
)


@pytest.mark.parametrize(
    "part, where",
    [
        ("xl/workbook.xml", "bomb.xlsx"),
        ("xl/sharedStrings.xml", "bomb.xlsx"),
        ("xl/worksheets/sheet1.xml", "bomb.xlsx, sheet 'Plan'"),
    ],
)
def test_an_xml_entity_bomb_is_refused(small_worker, part, where):
    original = package_parts().get(part, shared_strings("&lol9;")).decode()
    content = workbook(**{part.replace("/", "__").replace(".xml", "_xml"): (
        LAUGHS + original.replace("<v>1</v>", "<v>&lol9;</v>")
    ).encode()})  # fmt: skip
    assert refusal(content, "bomb.xlsx") == (
        f"NotASpreadsheet: {where}: The workbook's part '{part}' declares a document type "
        "(<!DOCTYPE>), which Excel never writes: its entities can expand a small file into "
        f"gigabytes (an 'XML bomb'). {FRESH}"
    )


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(
    lengths=st.lists(
        st.sampled_from([0, 1, 300, 32_766, 32_767, 32_768, 50_000]), min_size=1, max_size=6
    ),
    prefix=st.sampled_from(["", "x:"]),
    rich=st.booleans(),
    cuts=st.lists(st.integers(1, 400_000), max_size=8),
)
def test_shared_strings_are_measured_wherever_the_chunks_fall(lengths, prefix, rich, cuts):
    """Each string's characters (two bytes each here), in one run or two, whether the
    part arrives whole or cut anywhere: refused at the first one over Excel's limit."""
    from loaders.errors import FileTooLarge
    from loaders.readers.xlsx import _StringItems

    def item(n: int) -> str:
        text, p = "é" * n, prefix
        runs = [text[: n // 2], text[n // 2 :]] if rich else [text]
        body = "".join(f"<{p}r><{p}t>{run}</{p}t></{p}r>" if rich else f"<{p}t>{run}</{p}t>"
                       for run in runs)  # fmt: skip
        return f"<{p}si>{body}</{p}si>"

    xmlns = "xmlns:x" if prefix else "xmlns"
    xml = (
        f'<{prefix}sst {xmlns}="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + "".join(item(n) for n in lengths)
        + f"</{prefix}sst>"
    ).encode()
    points = sorted({0, len(xml), *(c for c in cuts if c < len(xml))})
    scan = _StringItems("xl/sharedStrings.xml", {"file": "s.xlsx", "sheet": None})
    too_long = [i for i, n in enumerate(lengths, 1) if n > 32_767]
    try:
        for start, stop in itertools.pairwise(points):
            scan.feed(xml[start:stop], last=False)
        scan.feed(b"", last=True)
    except FileTooLarge as exc:
        first = too_long[0] if too_long else None
        assert exc.message.startswith(
            f"The workbook's shared string {first} holds {lengths[first - 1]:,} characters;"
        ), exc.message
    else:
        assert not too_long
        assert scan.items == len(lengths)
