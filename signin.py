"""Sign-in for the pages: who the visitor is, their role, and the local mode.

With an identity provider in ``.streamlit/secrets.toml`` (``[auth]``, see the README),
every visitor signs in with Streamlit's ``st.login`` before any page is shown, and their
role comes from the roles table or the provider's ``roles`` claim (loaders.access).
Without one the dashboard is in local mode: it answers only on this computer, says so in
a banner, and whoever uses it there acts as admin.

Pages call ``actor()`` and pass it to every write; the write checks the role itself.
"""

from __future__ import annotations

import ipaddress

import streamlit as st

import ui
from loaders import access
from loaders.access import Actor


def identity_provider_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file, or one unreadable: no sign-in
        return False


def actor() -> Actor:
    """The visitor as the audit trail names them; call after ``gate()``."""
    if not identity_provider_configured():
        return access.LOCAL
    claims = st.user.to_dict()
    email = str(claims.get("email") or claims.get("preferred_username") or claims.get("sub"))
    return Actor(email, access.role_for(ui.connection(), email, claims), "sign-in")


def may(write: str) -> bool:
    return actor().may(write)


def gate(url_paths: list[str]) -> Actor:
    """Stop the page unless the visitor may see the dashboard; returns who they are.

    A visitor who may not is shown one page, whatever address they asked for (``url_paths``,
    the dashboard's pages), with no list of the pages."""
    refusal = _refusal()
    if refusal is None:
        return actor()
    pages = [st.Page(refusal, title="Improvement plan dashboard", default=True)]
    pages += [st.Page(refusal, title=path, url_path=path) for path in url_paths]
    st.navigation(pages, position="hidden").run()
    st.stop()


def _refusal():
    """What to show a visitor who may not see the dashboard (a page function), or None."""
    if not identity_provider_configured():
        return _not_this_computer if _from_another_computer(st.context.ip_address) else None
    if not st.user.is_logged_in:
        return _sign_in
    return _no_role if actor().role is None else None


def _not_this_computer() -> None:
    st.error(
        "This dashboard has no sign-in set up, so it answers only on the computer it runs "
        "on. Its administrator can set up sign-in (see the README's Sign-in section)."
    )


def _sign_in() -> None:
    st.title("Improvement plan dashboard")
    st.write("Sign in with your council account to see the dashboard.")
    st.button("Sign in", type="primary", icon=":material/login:", on_click=st.login)


def _no_role() -> None:
    st.title("Improvement plan dashboard")
    st.warning(
        f"You are signed in as {ui.literal(actor().who)}, but you have no role on this "
        "dashboard yet. Ask an admin to give you one (viewer, officer or admin)."
    )
    st.button("Sign out", on_click=st.logout)


def _from_another_computer(address: object) -> bool:
    """True for a visitor's IP address that is not this computer's (Streamlit gives None
    for 127.0.0.1 and ::1)."""
    if not isinstance(address, str):
        return False
    try:
        return not ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False  # not an IP address: a local socket


def banner(who: Actor) -> None:
    """Say who is signed in (and let them sign out), or that this is local mode."""
    if who.how == "local":
        st.info(
            "Local mode: no sign-in is set up, so this dashboard answers only on this "
            "computer, and whoever uses it here acts as admin. To share it, set up sign-in "
            "(see the README).",
            icon=":material/lock:",
        )
        return
    with st.sidebar:
        st.caption(f"Signed in as {ui.literal(who.who)} ({who.role})")
        st.button("Sign out", icon=":material/logout:", on_click=st.logout)


def role_note(write: str) -> None:
    """Say why a control is not offered, on a page a visitor may see but not change."""
    who = actor()
    st.caption(
        f"{write.capitalize()} needs the {access.WRITES[write]} role; you have the {who.role} role."
    )
