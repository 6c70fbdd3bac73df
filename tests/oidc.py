"""A real OpenID Connect provider for the tests: tests/oidc/provider.mjs (the npm package
oidc-provider, installed by `npm ci`, which `make test` runs) on a free port of 127.0.0.1.

    with start_provider("dashboard", "secret", "http://127.0.0.1:8501/oauth2callback") as op:
        op.metadata_url  # for [auth] server_metadata_url in the dashboard's secrets

Any login signs in, with any password; `viewer`, `officer` and `admin` carry that role in
the ID token's `roles` claim, every other login none (see provider.mjs).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "oidc" / "provider.mjs"
STARTUP_SECONDS = 20


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def start_provider(
    client_id: str, client_secret: str, redirect_uri: str | list[str]
) -> Iterator[Provider]:
    """Run the provider with one client until the block ends; the process is always stopped."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("Node.js is needed for the test OpenID provider")
    if not (ROOT / "node_modules" / "oidc-provider").is_dir():
        raise RuntimeError("oidc-provider is not installed: run `npm ci` (make test does)")
    redirect_uris = [redirect_uri] if isinstance(redirect_uri, str) else list(redirect_uri)
    port = _free_port()
    # The client's secret goes through the environment, not the command line.
    env = {
        **os.environ,
        "OIDC_PORT": str(port),
        "OIDC_CLIENT_ID": client_id,
        "OIDC_CLIENT_SECRET": client_secret,
        "OIDC_REDIRECT_URIS": " ".join(redirect_uris),
    }
    provider = Provider(f"http://127.0.0.1:{port}", client_id, client_secret)
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [node, str(SCRIPT)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            _wait_until_ready(process, provider.metadata_url, log)
            yield provider
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_ready(process: subprocess.Popen, metadata_url: str, log) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(metadata_url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    log.seek(0)
    output = log.read().decode(errors="replace")[-2000:]
    raise RuntimeError(f"the test OpenID provider did not start:\n{output}")


def sign_in(page, login: str, password: str = "any password") -> None:
    """On the provider's login form, sign in as `login` (Playwright page).

    Returns once the browser has left the form, normally for the client's redirect URI.
    """
    page.wait_for_selector('input[name="login"]')
    page.fill('input[name="login"]', login)
    if page.locator('input[name="password"]').count():
        page.fill('input[name="password"]', password)
    with page.expect_navigation():
        page.click('button[type="submit"]')
    # The provider grants at once; should it still ask for consent, give it.
    if page.locator('input[name="prompt"][value="consent"]').count():
        with page.expect_navigation():
            page.click('button[type="submit"]')
