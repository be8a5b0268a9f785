"""The personal desktop's own account: the OS user, signed in by the window itself.

The app on an engineer's workstation is personal: it runs as the OS user, so it opens on
the dashboard with no login. On first start the account is created as an admin named
after the OS user, with no password (its hash never verifies, so no one can log in as
it from the network). The shell hands its main window a one-time ticket in-process,
which the window's sign-in page exchanges for a session; the ticket never travels in a
URL. Server mode and ``--connect`` never enable this; ``DESKTOP_REQUIRE_LOGIN`` turns it
off on the desktop too.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select

from server.database import Database
from server.models import User
from server.services.audit import Actor, AuditLog
from server.services.auth import AuthService
from server.services.errors import NotAuthenticated, NotFound

NO_PASSWORD = "!desktop-account"  # not a hash: no password ever matches it
FALLBACK_NAME = "me"
SIGN_IN_REFUSED = "The desktop account is deactivated; an admin can reactivate it."
LOCAL = "127.0.0.1"


class DesktopAccount:
    """Create the OS user's account once and sign the desktop window in as it."""

    def __init__(self, db: Database, auth: AuthService, audit: AuditLog) -> None:
        self._db = db
        self._auth = auth
        self._audit = audit
        self._user_id: int | None = None

    @property
    def enabled(self) -> bool:
        """True once the personal desktop shell signs its window in (never in server mode)."""
        return self._user_id is not None

    def enable(self, os_username: str, default_language: str) -> User:
        """Find or create the account of ``os_username`` and sign windows in as it."""
        session = self._db.session
        user = session.scalar(select(User).where(User.is_desktop_account.is_(True)))
        if user is None:
            user = self._create(os_username, default_language)
        self._user_id = user.id
        return user

    def issue_ticket(self) -> str:
        """Return a one-time ticket for the main window's sign-in page."""
        if self._user_id is None:
            raise NotFound("The desktop sign-in is not enabled.")
        return self._auth.issue_ticket(self._user_id)

    def sign_in(self, ticket: str, user_agent: str | None):
        """Exchange a ticket for a session of the desktop account; NotAuthenticated when the
        ticket is unknown, used or late, or the account was deactivated."""
        if self._user_id is None:
            raise NotFound("The desktop sign-in is not enabled.")
        user = self._db.session.get(User, self._user_id)
        if user is None or not user.is_active:
            raise NotAuthenticated(SIGN_IN_REFUSED)
        return self._auth.redeem_ticket(ticket, LOCAL, user_agent)

    def _create(self, os_username: str, default_language: str) -> User:
        name = self._free_name(account_name(os_username))
        user = User(
            username=name,
            email=f"{name}@localhost",
            password_hash=NO_PASSWORD,
            user_level="admin",
            preferred_language=default_language,
            is_desktop_account=True,
        )
        session = self._db.session
        session.add(user)
        session.flush()
        actor = Actor(user.id, name, LOCAL)
        self._audit.record(
            actor, "users.create_desktop_account", f"user:{user.id}", {}, scope="admin"
        )
        session.commit()
        return user

    def _free_name(self, name: str) -> str:
        taken = {
            row.lower()
            for row in self._db.session.scalars(
                select(User.username).where(func.lower(User.username).like(f"{name.lower()}%"))
            )
        }
        candidates = [name, *(f"{name[:44]}-{n}" for n in range(2, 1000))]
        return next(c for c in candidates if c.lower() not in taken)


def account_name(os_username: str) -> str:
    """Return a valid user name for an OS user name (``DOMAIN\\first last`` → ``first.last``)."""
    base = os_username.rsplit("\\", 1)[-1].strip()
    name = re.sub(r"[^A-Za-z0-9._-]+", ".", base).strip("._-")[:50]
    return name if len(name) >= 2 else FALLBACK_NAME
