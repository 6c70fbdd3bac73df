"""Sign-in end to end: the dashboard with an OpenID Connect provider the test starts on
127.0.0.1 (tests/oidc), driven in headless Chromium. Anonymous visitors see only the sign-in
button; a viewer sees the pages but cannot upload or remove; an officer uploads; an admin
removes and restores, and sees each write in the audit trail. A command-line import while
the dashboard runs is handed to it, and the page shows it."""

from __future__ import annotations

import secrets
import subprocess
import sys

import pytest

from data.demo import write_snapshot
from tests.browser import OUTPUT, ROOT, free_port, needs_chromium, new_page, serve, settle, stop
from tests.oidc import sign_in, start_provider
from tests.workbooks import empty_database

pytestmark = needs_chromium
CLIENT_ID, CLIENT_SECRET = "dashboard", "test-secret"


@pytest.fixture(scope="module")
def signed_in_server(tmp_path_factory):
    """A dashboard with sign-in set up in its secrets file, on an empty database."""
    folder = tmp_path_factory.mktemp("signin")
    port = free_port()
    redirect = f"http://127.0.0.1:{port}/oauth2callback"
    with start_provider(CLIENT_ID, CLIENT_SECRET, redirect) as provider:
        secrets_file = folder / "secrets.toml"
        secrets_file.write_text(
            "[auth]\n"
            f'redirect_uri = "{redirect}"\n'
            f'cookie_secret = "{secrets.token_hex(16)}"\n'
            f'client_id = "{provider.client_id}"\n'
            f'client_secret = "{provider.client_secret}"\n'
            f'server_metadata_url = "{provider.metadata_url}"\n',
            encoding="utf-8",
        )
        db = empty_database(folder / "signin.duckdb")
        process, url = serve(db, port, "--secrets.files", str(secrets_file))
        yield url, db, folder
        stop(process)


def _signed_in(browser, url: str, login: str, path: str = "/"):
    page = new_page(browser, 1280, 720)
    page.goto(url + path)
    page.get_by_role("button", name="Sign in").click()
    sign_in(page, login)
    page.get_by_text(f"Signed in as {login}@example.test").wait_for()
    settle(page)
    return page


def test_an_anonymous_visitor_sees_only_the_sign_in(browser, signed_in_server):
    url, _, _ = signed_in_server
    for path in ("/", "/upload", "/data"):
        page = new_page(browser, 1280, 720)
        page.goto(url + path)
        page.get_by_role("button", name="Sign in").wait_for()
        settle(page)
        assert page.locator("input[type=file]").count() == 0
        assert page.get_by_text("Upload history").count() == 0
        assert page.locator("[data-testid='stSidebarNav']").count() == 0
        page.close()


def test_someone_with_no_role_is_told_to_ask_an_admin(browser, signed_in_server):
    url, _, _ = signed_in_server
    page = new_page(browser, 1280, 720)
    page.goto(url)
    page.get_by_role("button", name="Sign in").click()
    sign_in(page, "someone")
    page.get_by_text("you have no role on this dashboard yet").wait_for()
    assert page.locator("[data-testid='stSidebarNav']").count() == 0
    page.close()


def test_roles_in_the_browser(browser, signed_in_server, tmp_path):
    """In order: an officer uploads, a viewer can neither upload nor remove, an admin removes
    and restores, and the audit trail shows each write with who made it."""
    url, _, _ = signed_in_server
    plan = write_snapshot(tmp_path / "post_ofsted_action_plan_2018-02.xlsx", 1)

    officer = _signed_in(browser, url, "officer", "/upload")
    officer.get_by_role("link", name="Upload").first.click()
    officer.locator("input[type=file]").set_input_files(str(plan))
    officer.get_by_role("button", name="Confirm and load").click()
    officer.get_by_text(f"{plan.name}: actions, plan 'Post Ofsted Action Plan'").first.wait_for()
    officer.goto(url + "/data")
    officer.get_by_text("Upload history").wait_for()
    settle(officer)
    assert officer.get_by_text("Remove an upload").count() == 0  # officers do not remove
    officer.close()

    viewer = _signed_in(browser, url, "viewer", "/upload")
    viewer.get_by_role("link", name="Upload").first.click()
    viewer.get_by_text("Upload needs the officer role; you have the viewer role.").wait_for()
    assert viewer.locator("input[type=file]").count() == 0
    viewer.get_by_role("link", name="Data").first.click()
    viewer.get_by_text("Upload history").wait_for()
    settle(viewer)
    assert viewer.get_by_text("Remove an upload").count() == 0
    assert viewer.get_by_text("Audit trail").count() == 0
    viewer.screenshot(path=OUTPUT / "data_as_viewer.png", full_page=True)
    viewer.close()

    admin = _signed_in(browser, url, "admin")
    admin.get_by_role("link", name="Data").first.click()
    admin.get_by_text("Remove an upload (it goes to the bin)").click()
    admin.get_by_text("Yes, move upload 1").click()
    admin.get_by_role("button", name="Remove upload").click()
    admin.get_by_text("Moved upload 1 (post_ofsted_action_plan_2018-02.xlsx) to the bin").wait_for()
    admin.get_by_role("button", name="Restore the upload").click()
    admin.get_by_text("Restored upload 1 (post_ofsted_action_plan_2018-02.xlsx).").wait_for()
    settle(admin)
    admin.get_by_text("Audit trail").scroll_into_view_if_needed()
    admin.screenshot(path=OUTPUT / "data_as_admin.png", full_page=True)
    trail = admin.locator("[data-testid='stDataFrame']").last
    trail.scroll_into_view_if_needed()
    # the grid fills its cells once it is on screen
    admin.wait_for_function("e => e.textContent.includes('@')", arg=trail.element_handle())
    text = trail.text_content()  # the grid's cells, as a screen reader gets them
    for who, what in [
        ("officer@example.test", "upload"),
        ("admin@example.test", "upload removed"),
        ("admin@example.test", "upload restored"),
    ]:
        assert who in text and what in text, (who, what)
    admin.close()


def test_a_command_line_import_while_the_dashboard_runs_shows_on_the_next_view(
    browser, signed_in_server, tmp_path
):
    url, db, _ = signed_in_server
    page = _signed_in(browser, url, "viewer")  # the dashboard has its database open
    plan = write_snapshot(tmp_path / "post_ofsted_action_plan_2018-03.xlsx", 2)
    done = subprocess.run(
        [sys.executable, "-m", "loaders", "import", str(plan), "--db", str(db), "--wait", "60"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"{plan.name}: actions, plan 'Post Ofsted Action Plan'" in done.stdout
    page.get_by_role("link", name="Data").first.click()
    page.get_by_text(plan.name).first.wait_for(state="attached")  # a cell of the history grid
    assert page.get_by_text("Traceback").count() == 0
    page.close()
