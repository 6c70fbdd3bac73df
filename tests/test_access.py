"""Roles are checked at every write, every write leaves an audit row, removed uploads wait in
the bin, backups are consistent and restore in place, and the command line hands its work
to a running dashboard."""

from __future__ import annotations

import ast
import shutil
import threading
from functools import partial
from pathlib import Path

import pandas as pd
import pytest

from data import demo
from loaders import access, backup, cli, handoff, store
from loaders.access import Actor, NotAllowed
from loaders.bin import binned_uploads, empty_bin, remove_upload, restore_upload
from loaders.errors import DuplicateUpload, LoaderError
from loaders.importer import import_file
from loaders.indicators import set_indicator
from report import decks
from tests.helpers import running_dashboard
from tests.workbooks import simple_plan, write_xlsx

ROOT = Path(__file__).resolve().parent.parent
VIEWER = Actor("councillor@example.test", "viewer", "sign-in")
OFFICER = Actor("officer@example.test", "officer", "sign-in")
ADMIN = Actor("admin@example.test", "admin", "sign-in")
NOBODY = Actor("someone@example.test", None, "sign-in")


def _plan(tmp_path, name="plan.xlsx", as_of="Progress as at 4 January 2018"):
    return write_xlsx(tmp_path / name, {"Plan": simple_plan(as_of)})


def _trail(con) -> list[tuple[str, str, str]]:
    return [(row.who, row.action, row.target) for row in access.audit_trail(con).itertuples()][::-1]


@pytest.mark.parametrize("actor", [VIEWER, NOBODY])
def test_a_viewer_or_someone_with_no_role_cannot_upload(tmp_path, con, db_state, actor):
    before = db_state()
    with pytest.raises(NotAllowed) as refused:
        import_file(con, _plan(tmp_path), actor=actor)
    held = f"the {actor.role} role" if actor.role else "no role"
    assert str(refused.value) == (
        f"Upload needs the officer role; {actor.who} has {held}. Ask an admin to change your "
        "role on the Data page."
    )
    assert db_state() == before


def test_an_officer_uploads_but_only_an_admin_removes_and_restores(tmp_path, con):
    upload_id = import_file(con, _plan(tmp_path), actor=OFFICER).upload_id
    assert con.execute("SELECT uploaded_by FROM uploads").fetchone() == (OFFICER.who,)
    for write in (
        partial(remove_upload, con, upload_id, OFFICER),
        partial(empty_bin, con, OFFICER),
        partial(access.set_role, con, OFFICER, "x@example.test", "admin"),
        partial(demo.clear_demo, con, OFFICER),
    ):
        with pytest.raises(NotAllowed):
            write()
    remove_upload(con, upload_id, ADMIN)
    with pytest.raises(NotAllowed):
        restore_upload(con, upload_id, OFFICER)
    restore_upload(con, upload_id, ADMIN)
    assert _trail(con) == [
        (OFFICER.who, "upload", f"upload {upload_id}"),
        (ADMIN.who, "upload removed", f"upload {upload_id}"),
        (ADMIN.who, "upload restored", f"upload {upload_id}"),
    ]


def test_removed_uploads_wait_in_the_bin_and_come_back_as_they_were(tmp_path, con, db_state):
    import_file(con, _plan(tmp_path), actor=OFFICER)
    actions = con.execute("SELECT * FROM actions ORDER BY ALL").fetchall()
    content = con.execute("SELECT content FROM upload_files").fetchone()
    remove_upload(con, 1, ADMIN)
    assert con.execute("SELECT count(*) FROM actions").fetchone() == (0,)
    binned = binned_uploads(con)
    assert list(binned["file_name"]) == ["plan.xlsx"] and list(binned["removed_by"]) == [ADMIN.who]
    restore_upload(con, 1, ADMIN)
    assert con.execute("SELECT * FROM actions ORDER BY ALL").fetchall() == actions
    assert con.execute("SELECT content FROM upload_files").fetchone() == content
    assert binned_uploads(con).empty


def test_restoring_a_file_loaded_again_meanwhile_is_refused(tmp_path, con):
    path = _plan(tmp_path)
    import_file(con, path, actor=OFFICER)
    remove_upload(con, 1, ADMIN)
    import_file(con, path, actor=OFFICER)  # the same bytes again, as upload 2
    with pytest.raises(DuplicateUpload, match="loaded again as upload 2"):
        restore_upload(con, 1, ADMIN)


def test_emptying_the_bin_deletes_for_good_and_is_audited(tmp_path, con):
    import_file(con, _plan(tmp_path), actor=OFFICER)
    remove_upload(con, 1, ADMIN)
    assert empty_bin(con, ADMIN) == 1
    assert binned_uploads(con).empty
    assert con.execute("SELECT count(*) FROM bin_action_rows").fetchone() == (0,)
    row = access.audit_trail(con).iloc[0]
    assert (row["action"], row["target"], row["before"]) == (
        "bin emptied",
        "1 uploads",
        '[{"file_name": "plan.xlsx", "upload_id": 1}]',
    )


def test_every_kind_of_write_is_audited_with_before_and_after(tmp_path, con):
    import_file(con, _plan(tmp_path), actor=OFFICER)
    layout_id = con.execute(
        "INSERT INTO layouts (fingerprint, name, kind, layout, answers, saved_at) "
        "VALUES ('f', 'Old', 'actions', 'plan table', '{}', now()) RETURNING layout_id"
    ).fetchone()[0]
    store.update_layout(con, layout_id, "Monthly plan", {"column.F": "lead"}, OFFICER)
    store.delete_layout(con, layout_id, OFFICER)
    set_indicator(con, "Dental checks", target=90, actor=OFFICER)
    set_indicator(con, "Dental checks", target=95, actor=OFFICER)
    deck = decks.Deck("Panel", [decks.Slide("overdue", {"plan": "P"})])
    deck_id = decks.save(con, deck, OFFICER)
    decks.delete(con, deck_id, OFFICER)
    access.set_role(con, ADMIN, "Someone@Example.test", "officer")
    assert _trail(con) == [
        (OFFICER.who, "upload", "upload 1"),
        (OFFICER.who, "layout saved", f"layout {layout_id}"),
        (OFFICER.who, "layout deleted", f"layout {layout_id}"),
        (OFFICER.who, "indicator setting", "Dental checks"),
        (OFFICER.who, "indicator setting", "Dental checks"),
        (OFFICER.who, "deck saved", f"deck {deck_id}"),
        (OFFICER.who, "deck deleted", f"deck {deck_id}"),
        (ADMIN.who, "role changed", "someone@example.test"),
    ]
    trail = access.audit_trail(con).set_index("action")
    assert trail.loc["layout saved", ["before", "after"]].tolist() == [
        '{"answers": {}, "name": "Old"}',
        '{"answers": {"column.F": "lead"}, "name": "Monthly plan"}',
    ]
    assert trail.loc["indicator setting"].iloc[0][["before", "after"]].tolist() == [
        '{"description": null, "polarity": null, "target": 90.0}',
        '{"description": null, "polarity": null, "target": 95.0}',
    ]
    assert trail.loc["deck deleted", "before"] == (
        '{"name": "Panel", "slides": [["overdue", {"plan": "P"}, ""]]}'
    )
    assert trail.loc["role changed", "after"] == '"officer"'
    assert pd.isna(trail.loc["role changed", "before"])


def test_clearing_the_demo_moves_it_to_the_bin_and_says_so(con):
    ids = demo.load_demo(con)
    demo.clear_demo(con, ADMIN)
    assert sorted(binned_uploads(con)["upload_id"]) == ids
    actions = [a for who, a, _ in _trail(con) if who == ADMIN.who]
    assert actions == [*["upload removed"] * len(ids), "deck deleted", "demo cleared"]


def test_nothing_in_the_project_updates_or_deletes_audit_rows():
    sources = [*ROOT.glob("*.py"), *ROOT.glob("pages/*.py"), *ROOT.glob("loaders/**/*.py"),
               *ROOT.glob("report/*.py"), *ROOT.glob("data/*.py")]  # fmt: skip
    for source in sources:
        text = " ".join(source.read_text(encoding="utf-8").split()).lower()
        for verb in ("update audit_log", "delete from audit_log", "drop table audit_log"):
            assert verb not in text, f"{source.name} changes the audit trail: {verb}"


WRITES = {
    "write_parsed", "remove_upload", "restore_upload", "empty_bin", "set_indicator", "save",
    "delete", "update_layout", "delete_layout", "clear_demo", "set_role", "restore",
}  # fmt: skip


def test_every_write_on_a_page_names_who_is_writing():
    """The write functions default to the command line's actor, so a page that forgot to
    pass the visitor would write as an admin: every call in the pages names one."""
    for source in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", None))
            owner = getattr(getattr(node.func, "value", None), "id", "")
            if name not in WRITES or (name in {"save", "delete"} and owner != "decks"):
                continue
            actors = [a for a in [*node.args, *(k.value for k in node.keywords)]
                      if "actor" in ast.unparse(a) or ast.unparse(a) == "who"]  # fmt: skip
            assert actors, f"{source.name}:{node.lineno} calls {name} without the visitor"


@pytest.mark.parametrize(
    "claims, role",
    [
        ({"roles": ["viewer"]}, "viewer"),
        ({"roles": ["Dashboard.Officer", "Dashboard.Viewer"]}, "officer"),
        ({"roles": "Admin"}, "admin"),
        ({"roles": ["Finance.Approver"]}, None),
        ({}, None),
    ],
)
def test_roles_from_the_identity_providers_claims(claims, role):
    assert access.role_from_claims(claims) == role


def test_the_roles_table_overrides_the_claims(con):
    assert access.role_for(con, "a@example.test", {"roles": ["admin"]}) == "admin"
    access.set_role(con, ADMIN, "A@example.test ", "viewer")
    assert access.role_for(con, "a@example.test", {"roles": ["admin"]}) == "viewer"
    access.set_role(con, ADMIN, "a@example.test", None)
    assert access.role_for(con, "a@example.test", {"roles": ["admin"]}) == "admin"
    with pytest.raises(LoaderError, match="not an e-mail address"):
        access.set_role(con, ADMIN, "nobody", "viewer")


def test_a_backup_restores_in_place_keeping_the_audit_trail(tmp_path, con):
    import_file(con, _plan(tmp_path), actor=OFFICER)
    copy = backup.backup(con, tmp_path / "nightly.duckdb")
    with pytest.raises(LoaderError, match="never overwrites"):
        backup.backup(con, copy)
    import_file(con, _plan(tmp_path, "feb.xlsx", "Progress as at 4 February 2018"), actor=OFFICER)
    remove_upload(con, 1, ADMIN)
    counts = backup.restore(con, copy, ADMIN)
    assert counts["after"]["upload_files"] == 1 and counts["before"]["upload_files"] == 1
    assert [r[0] for r in con.execute("SELECT file_name FROM uploads").fetchall()] == ["plan.xlsx"]
    assert binned_uploads(con).empty
    assert [a for _, a, _ in _trail(con)] == [
        "upload",
        "upload",
        "upload removed",
        "database restored",
    ]
    # ids are never given twice: the next upload is 3, after the two the database has seen
    nxt = import_file(
        con, _plan(tmp_path, "mar.xlsx", "Progress as at 4 March 2018"), actor=OFFICER
    )
    assert nxt.upload_id == 3


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, con, db_state):
    before = db_state()
    text = tmp_path / "notes.duckdb"
    text.write_text("not a database", encoding="utf-8")
    with pytest.raises(LoaderError, match="is not a dashboard backup"):
        backup.restore(con, text, ADMIN)
    with pytest.raises(NotAllowed):
        backup.restore(con, text, OFFICER)
    assert db_state() == before


def test_the_command_line_hands_its_import_to_a_running_dashboard(tmp_path, capsys):
    """While a dashboard holds the database, `python -m loaders import` is run by it."""
    db = tmp_path / "dash.duckdb"
    with running_dashboard(db) as dashboard:
        path = _plan(tmp_path)
        assert cli.main(["import", str(path), "--db", str(db)]) == 0
        assert "plan.xlsx: actions, plan 'Post Ofsted Action Plan'" in capsys.readouterr().out
        # the dashboard's own connection sees it at once
        assert dashboard.execute("SELECT count(*) FROM uploads").fetchone() == (1,)
        assert cli.main(["import", str(path), "--db", str(db)]) == 1
        assert "already loaded" in capsys.readouterr().err
        assert access.audit_trail(dashboard)["how"].tolist() == ["command line"]
    assert not handoff.dashboard_alive(db)


def test_the_watcher_outlives_its_folder_and_ends_with_its_database(tmp_path):
    db = tmp_path / "gone.duckdb"
    store.connect(db).close()
    watcher = handoff.Watcher(db, lambda request: {})
    watcher.start()
    beat = handoff.requests_folder(db) / "dashboard.alive"
    for _ in range(50):
        if beat.exists():
            break
        threading.Event().wait(0.1)
    shutil.rmtree(handoff.requests_folder(db))  # someone tidies the folder away
    threading.Event().wait(handoff.HEARTBEAT_SECONDS * 2)
    assert watcher.is_alive() and handoff.dashboard_alive(db)
    db.unlink()
    watcher.join(5)
    assert not watcher.is_alive()


def test_a_command_that_runs_long_still_has_a_living_dashboard(tmp_path, monkeypatch):
    """The heartbeat goes on while the watcher runs a slow import (CI once judged the
    dashboard stopped halfway through one)."""
    monkeypatch.setattr(handoff, "ALIVE_WITHIN", 1.0)
    monkeypatch.setattr(handoff, "HEARTBEAT_SECONDS", 0.2)
    db = tmp_path / "slow.duckdb"
    store.connect(db).close()

    def slow(request):
        threading.Event().wait(3 * handoff.ALIVE_WITHIN)
        return {"status": 0, "out": "done\n", "err": ""}

    watcher = handoff.Watcher(db, slow)
    watcher.start()
    try:
        for _ in range(50):
            if handoff.dashboard_alive(db):
                break
            threading.Event().wait(0.1)
        assert handoff.submit(db, {"argv": []}, timeout=30) == {
            "status": 0,
            "out": "done\n",
            "err": "",
        }
    finally:
        watcher.stop()
        watcher.join(5)
