"""Hostile files end only the worker that reads them: refused with a located message, the
database unchanged, and the dashboard's process still answering."""

from __future__ import annotations

import logging
import pickle
import time

import openpyxl
import pytest

from loaders.errors import FileTooLarge, LoaderError, NoTableFound
from loaders.importer import import_file
from loaders.worker import WorkerFailed, run_contained
from tests.workbooks import simple_plan, write_xlsx


def corner_cell(path, ref: str):
    book = openpyxl.Workbook()
    book.active["A1"] = "Ref"
    book.active[ref] = "x"
    book.save(path)
    return path


@pytest.mark.parametrize(
    "ref, claimed", [("XFD1048576", "17,179,869,184"), ("XFD8192", "134,217,728")]
)
def test_a_workbook_claiming_billions_of_cells_is_refused_before_reading(
    tmp_path, con, db_state, ref, claimed
):
    path = corner_cell(tmp_path / "corner.xlsx", ref)
    before = db_state()
    with pytest.raises(FileTooLarge) as caught:
        import_file(con, path)
    assert str(caught.value).startswith(
        f"corner.xlsx, sheet 'Sheet': The workbook claims {claimed} cells (sheet 'Sheet' runs "
        f"from A1 to {ref}); the limit is 5,000,000"
    )
    assert db_state() == before
    # the process is still here, and the next file loads
    import_file(con, write_xlsx(tmp_path / "plan.xlsx", {"Plan": simple_plan()}))


def _balloon():
    return bytearray(3 * 2**30)  # 3 GB


def _spin():
    while True:
        pass


def _abort():
    import os

    os.abort()  # as a native reader's panic does


def _bug():
    raise KeyError("a reader's own bug")


def _refuse():
    raise NoTableFound("No table was found.", file="f.xlsx", sheet="Notes", row=3, column=2)


def test_a_reader_that_balloons_ends_only_its_worker(monkeypatch):
    monkeypatch.setenv("DASHBOARD_WORKER_MEMORY_MB", "512")
    with pytest.raises(WorkerFailed, match="needed more than 512 MB of memory"):
        run_contained(_balloon, file_name="big.xlsx")


def test_a_reader_that_hangs_is_stopped(monkeypatch):
    monkeypatch.setenv("DASHBOARD_WORKER_SECONDS", "1")
    start = time.monotonic()
    with pytest.raises(
        WorkerFailed, match=r"big\.xlsx: The file could not be read safely: it used"
    ):
        run_contained(_spin, file_name="big.xlsx")
    assert time.monotonic() - start < 20


def test_a_native_abort_is_a_located_refusal():
    with pytest.raises(WorkerFailed, match=r"stopped the reader \(SIGABRT\)"):
        run_contained(_abort, file_name="odd.xls")


def test_a_bug_is_logged_with_an_id_and_the_visitor_sees_only_the_id(caplog):
    with caplog.at_level(logging.ERROR), pytest.raises(WorkerFailed) as caught:
        run_contained(_bug, file_name="odd.xlsx")
    message = str(caught.value)
    assert "Traceback" not in message and "KeyError" not in message
    incident = message.split("(error ")[1].split(",")[0]
    assert any(incident in r.message and "KeyError" in r.message for r in caplog.records)


def test_a_loader_error_arrives_exactly_as_raised():
    with pytest.raises(NoTableFound) as caught:
        run_contained(_refuse, file_name="f.xlsx")
    assert (
        str(caught.value) == "f.xlsx, sheet 'Notes', cell C4 (row 4, column C): No table was found."
    )
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (copy.file, copy.sheet, copy.row, copy.column) == ("f.xlsx", "Notes", 3, 2)
    assert isinstance(copy, LoaderError)


def _pid():
    import os

    return os.getpid()


def test_one_worker_reads_file_after_file_and_a_crash_gets_a_fresh_one():
    first = run_contained(_pid, file_name="a.xlsx")
    assert run_contained(_pid, file_name="b.xlsx") == first  # warm: no fork per file
    with pytest.raises(WorkerFailed):
        run_contained(_abort, file_name="odd.xls")
    assert run_contained(_pid, file_name="c.xlsx") != first
