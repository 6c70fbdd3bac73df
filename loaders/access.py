"""Who may do what, and the audit trail of every write.

Three roles, each allowed what the one before it is: a *viewer* (councillors: every page,
decks to present, downloads), an *officer* (uploads, indicator settings, decks, layouts) and
an *admin* (removing and restoring uploads, emptying the bin, roles, clearing the demo).

Every write names its actor. The write function checks the actor's role itself, on the
server, whatever the page showed, and appends its audit row in the same transaction as
the write, so the two land together or not at all. Nothing in the app updates or deletes
an audit row.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from collections.abc import Mapping
from dataclasses import dataclass

import duckdb
import pandas as pd

from loaders.errors import LoaderError

ROLES = ("viewer", "officer", "admin")

# Every kind of write, what it is called in the audit trail, and the role it needs.
WRITES = {
    "upload": "officer",
    "layout saved": "officer",
    "layout deleted": "officer",
    "indicator setting": "officer",
    "indicator link": "officer",
    "deck saved": "officer",
    "deck deleted": "officer",
    "upload removed": "admin",
    "upload restored": "admin",
    "bin emptied": "admin",
    "demo cleared": "admin",
    "role changed": "admin",
    "database restored": "admin",
}


class NotAllowed(LoaderError):
    """The actor's role does not allow this write."""


@dataclass(frozen=True)
class Actor:
    who: str  # an e-mail address from sign-in, or who ran the command
    role: str | None  # None: signed in, but given no role
    how: str  # "sign-in", "local", "command line" or "dashboard"

    def may(self, write: str) -> bool:
        needed = WRITES[write]
        return self.role in ROLES and ROLES.index(self.role) >= ROLES.index(needed)


def command_line() -> Actor:
    """Whoever runs ``python -m loaders`` on the server: they hold the database file itself."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown user"
    return Actor(f"{user} (command line)", "admin", "command line")


# The dashboard with no identity provider: it answers only on this computer (app.py).
LOCAL = Actor("local user (this computer)", "admin", "local")
# The dashboard itself, loading its demo into an empty database on first run.
DEMO = Actor("Built-in demo", "admin", "dashboard")


def require(actor: Actor, write: str) -> None:
    """Refuse a write the actor's role does not allow, saying who may."""
    if not actor.may(write):
        held = f"the {actor.role} role" if actor.role else "no role"
        raise NotAllowed(
            f"{write.capitalize()} needs the {WRITES[write]} role; {actor.who} has {held}. "
            "Ask an admin to change your role on the Data page."
        )


def acting(actor: Actor | None, write: str) -> Actor:
    """The actor of a write (by default whoever runs the command line), once allowed it."""
    actor = actor or command_line()
    require(actor, write)
    return actor


def record(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    write: str,
    target: str,
    before: object = None,
    after: object = None,
) -> None:
    """Append one audit row; call inside the write's own transaction."""
    con.execute(
        "INSERT INTO audit_log (done_at, who, role, how, action, target, before, after) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            dt.datetime.now().replace(microsecond=0),
            actor.who,
            actor.role,
            actor.how,
            write,
            target,
            _json(before),
            _json(after),
        ],
    )


def _json(value: object) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, default=str)


def audit_trail(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every audit row, newest first."""
    return con.execute(
        "SELECT audit_id, done_at, who, role, how, action, target, before, after "
        "FROM audit_log ORDER BY audit_id DESC"
    ).fetch_df()


# ---- roles -------------------------------------------------------------------------------


def role_from_claims(claims: Mapping[str, object]) -> str | None:
    """The highest role named in the identity provider's ``roles`` claim (a list or one
    value). Microsoft Entra ID app roles such as ``Dashboard.Admin`` count by their last part."""
    value = claims.get("roles")
    named = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    found = {str(v).rsplit(".", 1)[-1].strip().lower() for v in named}
    return next((role for role in reversed(ROLES) if role in found), None)


def role_for(
    con: duckdb.DuckDBPyConnection, email: str, claims: Mapping[str, object]
) -> str | None:
    """A signed-in user's role: the roles table where an admin set one, else the claims."""
    row = con.execute("SELECT role FROM roles WHERE email = ?", [_email(email)]).fetchone()
    return row[0] if row else role_from_claims(claims)


def _email(email: str) -> str:
    return email.strip().lower()


def set_role(con: duckdb.DuckDBPyConnection, actor: Actor, email: str, role: str | None) -> None:
    """Give someone a role (overriding their sign-in claims), or remove the entry (None)."""
    from loaders.store import transaction

    actor = acting(actor, "role changed")
    email = _email(email)
    if "@" not in email:
        raise LoaderError(
            f"'{email}' is not an e-mail address. Type the address they sign in with."
        )
    if role is not None and role not in ROLES:
        raise LoaderError(f"'{role}' is not a role; use one of {', '.join(ROLES)}.")
    with transaction(con):
        old = con.execute("SELECT role FROM roles WHERE email = ?", [email]).fetchone()
        con.execute("DELETE FROM roles WHERE email = ?", [email])
        if role is not None:
            con.execute(
                "INSERT INTO roles (email, role, set_by, set_at) VALUES (?, ?, ?, ?)",
                [email, role, actor.who, dt.datetime.now().replace(microsecond=0)],
            )
        record(con, actor, "role changed", email, old[0] if old else None, role)


def roles_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT email, role, set_by, set_at FROM roles ORDER BY email").fetch_df()
