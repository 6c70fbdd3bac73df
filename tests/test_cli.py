"""The command line as an officer uses it: a summary line per file, non-zero exit on failure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from loaders.cli import main
from tests.workbooks import simple_plan, write_xlsx

ROOT = Path(__file__).resolve().parent.parent


def test_import_prints_a_summary_line_per_file(tmp_path, capsys):
    db = tmp_path / "cli.duckdb"
    good = write_xlsx(tmp_path / "plan.xlsx", {"Plan": simple_plan()})
    assert main(["import", str(good), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "plan.xlsx: actions, plan 'Post Ofsted Action Plan', as of 4 Jan 2018, 3 actions loaded "
        "(RAG: Complete 1, Green 1, Amber 1), 0 warning(s), upload 1; 31 cells in the tables "
        "found, 20 stored, not stored: 7 header, 3 title or heading, 1 blank"
    ]


def test_bad_file_exits_non_zero_and_others_still_load(tmp_path, capsys):
    db = tmp_path / "cli.duckdb"
    bad = tmp_path / "bad.xlsx"
    bad.write_text("hello")
    good = write_xlsx(tmp_path / "plan.xlsx", {"Plan": simple_plan()})
    assert main(["--db", str(db), "import", str(bad), str(good)]) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("Error: bad.xlsx: This is not an Excel workbook")
    assert "plan.xlsx: actions" in captured.out


def test_uploads_and_remove(tmp_path, capsys):
    db = tmp_path / "cli.duckdb"
    assert main(["uploads", "--db", str(db)]) == 0
    assert "No uploads yet" in capsys.readouterr().out
    main(
        [
            "import",
            str(write_xlsx(tmp_path / "plan.xlsx", {"Plan": simple_plan()})),
            "--db",
            str(db),
        ]
    )
    capsys.readouterr()
    assert main(["uploads", "--db", str(db)]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[1].split()[0] == "1" and listing[1].endswith(
        "Post Ofsted Action Plan / plan.xlsx"
    )
    assert main(["remove", "1", "--db", str(db)]) == 0
    assert capsys.readouterr().out == (
        "Moved upload 1 (plan.xlsx) and everything loaded from it to the bin; bring it back "
        "with: python -m loaders restore-upload 1\n"
    )
    assert main(["remove", "1", "--db", str(db)]) == 1
    assert "There is no upload 1" in capsys.readouterr().err
    assert main(["bin", "--db", str(db)]) == 0
    assert "Post Ofsted Action Plan / plan.xlsx" in capsys.readouterr().out
    assert main(["restore-upload", "1", "--db", str(db)]) == 0
    assert capsys.readouterr().out == "Restored upload 1 (plan.xlsx) from the bin.\n"
    assert main(["uploads", "--db", str(db)]) == 0
    assert capsys.readouterr().out.splitlines()[1].endswith("Post Ofsted Action Plan / plan.xlsx")
    assert main(["audit", "--db", str(db)]) == 0
    trail = [line.split("  ")[-2:] for line in capsys.readouterr().out.splitlines()]
    assert trail == [
        ["upload restored", "upload 1"],
        ["upload removed", "upload 1"],
        ["upload", "upload 1"],
    ]


def test_python_dash_m_loaders_runs(tmp_path):
    db = tmp_path / "m.duckdb"
    done = subprocess.run(
        [sys.executable, "-m", "loaders", "uploads", "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "No uploads yet" in done.stdout


def _hold(db, seconds: float) -> subprocess.Popen:
    """Another program holding the database file for a while, as another import does."""
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(db)!r}); print('ready', flush=True); time.sleep({seconds})"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout.readline().strip() == "ready"
    return holder


def test_a_command_waits_its_turn_for_the_database(tmp_path, capsys):
    db = tmp_path / "busy.duckdb"
    holder = _hold(db, 3)
    try:
        assert main(["uploads", "--db", str(db)]) == 0  # waits, then runs
        assert "No uploads yet" in capsys.readouterr().out
        assert holder.poll() is not None  # it ran only once the holder had let go
    finally:
        holder.kill()
        holder.wait()


def test_database_held_past_the_wait_is_a_clear_error(tmp_path, capsys):
    db = tmp_path / "busy.duckdb"
    holder = _hold(db, 30)
    try:
        assert main(["uploads", "--db", str(db), "--wait", "2"]) == 1
        assert "The database is in use by another program" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()
