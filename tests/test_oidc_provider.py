"""The test OpenID provider (tests/oidc/provider.mjs) signs a browser in as Streamlit's
st.login would have it: Authlib's client with Streamlit's settings (scope "openid email
profile", prompt=select_account, PKCE S256, nonce), the code caught at a redirect URI on
127.0.0.1, and the claims read from the verified ID token, as st.user does."""

from __future__ import annotations

import json
import queue
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser import needs_chromium
from tests.oidc import sign_in, start_provider

CLIENT_ID = "dashboard-test"
CLIENT_SECRET = "not-a-real-secret"

pytestmark = needs_chromium


class _Callback(BaseHTTPRequestHandler):
    """The client's redirect URI: hands each request's query to the test."""

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path != "/oauth2callback":  # the browser's /favicon.ico, say
            self.send_error(404)
            return
        self.server.received.put(parse_qs(url.query))
        body = b"<!DOCTYPE html><title>Signed in</title><p>Signed in</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def callback():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Callback)
    server.received = queue.Queue()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, f"http://127.0.0.1:{server.server_address[1]}/oauth2callback"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def provider(callback):
    _, redirect_uri = callback
    with start_provider(CLIENT_ID, CLIENT_SECRET, redirect_uri) as op:
        yield op


def _client(provider, **client_kwargs):
    """Authlib's OAuth client, set up as Streamlit sets up the one behind st.login."""
    from authlib.integrations.base_client import (
        BaseApp,
        FrameworkIntegration,
        OAuth2Mixin,
        OpenIDMixin,
    )
    from authlib.integrations.requests_client import OAuth2Session

    class Client(OAuth2Mixin, OpenIDMixin, BaseApp):
        client_cls = OAuth2Session

    client = Client(
        FrameworkIntegration("default"),
        name="default",
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        server_metadata_url=provider.metadata_url,
        client_kwargs={
            "scope": "openid email profile",
            "prompt": "select_account",
            **client_kwargs,
        },
    )
    # Streamlit asks for PKCE with S256 whenever the provider offers it.
    if "S256" in (client.load_server_metadata().get("code_challenge_methods_supported") or []):
        client.client_kwargs["code_challenge_method"] = "S256"
    return client


def _sign_in_through_browser(browser, provider, callback, login, **client_kwargs):
    """The whole authorization-code flow; returns the ID token's verified claims."""
    server, redirect_uri = callback
    client = _client(provider, **client_kwargs)
    request = client.create_authorization_url(redirect_uri)
    query = parse_qs(urlsplit(request["url"]).query)
    assert query["prompt"] == ["select_account"]
    assert query["code_challenge_method"] == ["S256"]

    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(request["url"])
        sign_in(page, login)
        assert page.url.startswith(redirect_uri), page.url
        assert page.text_content("p") == "Signed in"
    finally:
        context.close()

    answer = server.received.get(timeout=10)
    assert "error" not in answer, answer
    assert answer["state"] == [request["state"]]
    assert answer["iss"] == [provider.issuer]
    token = client.fetch_access_token(
        redirect_uri=redirect_uri,
        code=answer["code"][0],
        code_verifier=request["code_verifier"],
    )
    return client.parse_id_token(token, nonce=request["nonce"])


def test_discovery(provider):
    with urllib.request.urlopen(provider.metadata_url, timeout=5) as response:
        metadata = json.load(response)
    assert (
        metadata["issuer"]
        == provider.issuer
        == f"http://127.0.0.1:{urlsplit(provider.issuer).port}"
    )
    assert metadata["authorization_endpoint"].startswith(provider.issuer + "/")
    assert "client_secret_basic" in metadata["token_endpoint_auth_methods_supported"]
    assert {"email", "name", "roles"} <= set(metadata["claims_supported"])


def test_officer_signs_in_with_the_officer_role(browser, provider, callback):
    # Authlib's default client authentication, as Streamlit uses: client_secret_basic.
    claims = _sign_in_through_browser(browser, provider, callback, "officer")
    assert claims["iss"] == provider.issuer
    assert claims["aud"] == CLIENT_ID
    assert claims["sub"] == "officer"
    assert claims["email"] == "officer@example.test"
    assert claims["email_verified"] is True
    assert claims["name"] == "Officer"
    assert claims["roles"] == ["officer"]


def test_a_login_outside_the_role_table_has_no_roles(browser, provider, callback):
    # The other accepted client authentication: the secret in the token request's body.
    claims = _sign_in_through_browser(
        browser, provider, callback, "someone", token_endpoint_auth_method="client_secret_post"
    )
    assert claims["sub"] == "someone"
    assert claims["email"] == "someone@example.test"
    assert claims["name"] == "Someone"
    assert claims["roles"] == []


def test_a_wrong_client_secret_is_refused(provider):
    from authlib.integrations.base_client import OAuthError

    client = _client(provider)
    client.client_secret = "wrong"
    with pytest.raises(OAuthError, match="invalid_client"):
        client.fetch_access_token(redirect_uri="http://127.0.0.1/unused", code="unused")
