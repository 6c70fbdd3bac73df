"""Bad input: a plain message naming file, sheet, row and column, and the database untouched."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from loaders.errors import (
    DuplicateUpload,
    EmptyFile,
    FileTooLarge,
    LoaderError,
    NoTableFound,
    NotASpreadsheet,
    PasswordProtected,
)
from loaders.importer import import_file
from tests.workbooks import encrypt, simple_plan, write_xls, write_xlsx


@pytest.fixture
def loaded(tmp_path, con):
    """A database that already holds one plan, so 'unchanged' is a real check."""
    import_file(con, write_xlsx(tmp_path / "good.xlsx", {"Plan": simple_plan()}))
    return con


def rejects(con, db_state, path, error, message):
    before = db_state()
    with pytest.raises(error) as info:
        import_file(con, path, as_of=dt.date(2018, 1, 1))
    if isinstance(message, re.Pattern):
        assert message.fullmatch(str(info.value)), str(info.value)
    else:
        assert str(info.value) == message
    assert db_state() == before
    return info.value


def test_not_a_spreadsheet_despite_extension(tmp_path, loaded, db_state):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(b"%PDF-1.4 not really a workbook")
    rejects(
        loaded,
        db_state,
        path,
        NotASpreadsheet,
        "plan.xlsx: This is not an Excel workbook despite its '.xlsx' name (it may be a web "
        "page, PDF or text saved with the wrong extension). Open it in Excel and save it as .xlsx.",
    )


def test_empty_file(tmp_path, loaded, db_state):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    rejects(
        loaded,
        db_state,
        path,
        EmptyFile,
        "empty.csv: The file is empty. Check you chose the right file.",
    )


def test_truncated_workbook(tmp_path, loaded, db_state):
    good = write_xlsx(tmp_path / "full.xlsx", {"Plan": simple_plan()})
    path = tmp_path / "cut.xlsx"
    path.write_bytes(good.read_bytes()[:1500])
    rejects(
        loaded,
        db_state,
        path,
        NotASpreadsheet,
        "cut.xlsx: The workbook is damaged or incomplete (it may have been cut short while "
        "copying or downloading). Open it in Excel, save a fresh copy and upload that.",
    )


def test_password_protected(tmp_path, loaded, db_state):
    path = encrypt(write_xlsx(tmp_path / "locked.xlsx", {"Plan": simple_plan()}))
    rejects(
        loaded,
        db_state,
        path,
        PasswordProtected,
        "locked.xlsx: The workbook is password-protected. Open it in Excel, remove the password "
        "(File > Info > Protect Workbook > Encrypt with Password, clear it), save and upload again.",
    )


def test_sheet_with_no_recognisable_table(tmp_path, loaded, db_state):
    path = write_xlsx(
        tmp_path / "notes.xlsx", {"Notes": [["Minutes of the panel"], ["Apologies: none"]]}
    )
    rejects(
        loaded,
        db_state,
        path,
        NoTableFound,
        # every general layout says what it looks for (the registry's summaries)
        re.compile(
            re.escape("notes.xlsx, sheet 'Notes': No table was found (sheets looked at: 'Notes'). ")
            + "The loader looks for .*"
            + re.escape(
                "an action plan: a header row naming an Action column and at least one of "
                "Lead, Timescale, Progress, RAG or Ref; "
            )
            + ".*"
            + re.escape("Add a header row like that above the figures."),
            re.S,
        ),
    )


def test_file_far_too_large(tmp_path, loaded, db_state, monkeypatch):
    monkeypatch.setenv("DASHBOARD_MAX_UPLOAD_MB", "0.001")
    path = write_xlsx(tmp_path / "big.xlsx", {"Plan": simple_plan() * 20})
    size = path.stat().st_size / 2**20
    rejects(
        loaded,
        db_state,
        path,
        FileTooLarge,
        f"big.xlsx: The file is {size:,.1f} MB; the limit is 0 MB (setting "
        "DASHBOARD_MAX_UPLOAD_MB). Delete unused sheets or rows, or split it.",
    )


def test_too_many_cells(tmp_path, loaded, db_state, monkeypatch):
    monkeypatch.setenv("DASHBOARD_MAX_CELLS", "20")
    path = write_xlsx(tmp_path / "wide.xlsx", {"Plan": simple_plan()})
    rejects(
        loaded,
        db_state,
        path,
        FileTooLarge,
        # refused from the sheet's declared size, before any cell is read
        "wide.xlsx, sheet 'Plan': The workbook claims 56 cells (sheet 'Plan' runs from A1 to "
        "G8); the limit is 20 (setting DASHBOARD_MAX_CELLS). Delete unused rows, columns and "
        "formatting, or split the file, and upload again.",
    )


def test_too_many_cells_in_a_workbook_that_declares_no_size(
    tmp_path, loaded, db_state, monkeypatch
):
    monkeypatch.setenv("DASHBOARD_MAX_CELLS", "20")
    path = write_xls(tmp_path / "wide.xls", {"Plan": simple_plan()})  # .xls: counted as read
    rejects(
        loaded,
        db_state,
        path,
        FileTooLarge,
        "wide.xls, sheet 'Plan': The workbook has more than 20 cells, beyond what the dashboard "
        "reads. Delete unused rows and sheets, or split the file, and upload again.",
    )


def test_duplicate_of_a_loaded_file(tmp_path, loaded, db_state):
    path = tmp_path / "copy.xlsx"
    path.write_bytes((tmp_path / "good.xlsx").read_bytes())
    error = rejects(loaded, db_state, path, DuplicateUpload, str(_duplicate_message(loaded)))
    assert "already loaded on" in str(error)


def _duplicate_message(con):
    upload_id, name, loaded_at = con.execute(
        "SELECT upload_id, file_name, loaded_at FROM uploads"
    ).fetchone()
    return (
        f"copy.xlsx: This file was already loaded on {loaded_at:%-d %b %Y at %H:%M} as upload "
        f"{upload_id} ('{name}'); nothing was loaded again. To replace it, remove upload {upload_id} first."
    )


def test_unsupported_extension(tmp_path, loaded, db_state):
    path = tmp_path / "plan.pdf"
    path.write_bytes(b"%PDF")
    rejects(
        loaded,
        db_state,
        path,
        NotASpreadsheet,
        "plan.pdf: '.pdf' files are not read. Save it as .xlsx, .xlsm, .xls or .csv.",
    )


def test_failure_inside_the_write_rolls_back(tmp_path, loaded, db_state, monkeypatch):
    """A failure after the upload row is written leaves no half-loaded snapshot."""
    import loaders.importer as importer

    def broken(*args):
        raise LoaderError("simulated failure mid-write")

    monkeypatch.setattr(importer, "action_table", broken)
    path = write_xlsx(tmp_path / "other.xlsx", {"Plan": simple_plan("Progress as at 1 Feb 2018")})
    rejects(loaded, db_state, path, LoaderError, "other.xlsx: simulated failure mid-write")
