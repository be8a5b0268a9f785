"""The first admin: created only by whoever holds the one-time setup token.

Until an admin exists, the manager keeps a random token in ``<home>/setup_token``
(mode 0600, so only the account that runs the manager can read it) and prints a ready
link. The first-run page and ``POST /api/auth/setup`` accept the token once; any other
local user or page that reaches the port first gets nothing.
"""

from __future__ import annotations

import hmac
import os
import secrets
import threading
from pathlib import Path

from server.models import User
from server.services.audit import Actor
from server.services.errors import Conflict, Forbidden
from server.services.users import UserService

TOKEN_FILE = "setup_token"
WRONG_TOKEN = (
    "This setup link is missing or wrong. Use the link the server printed when it started "
    "(the token is in the setup_token file of its home folder)."
)


class FirstRun:
    """Keep the setup token while no admin exists and create the first admin with it."""

    def __init__(self, users: UserService, home: Path) -> None:
        self._users = users
        self.path = home / TOKEN_FILE
        self._lock = threading.Lock()

    def pending_token(self) -> str | None:
        """Return the setup token while no admin exists (created on first call), else None."""
        with self._lock:
            if self._users.has_admin():
                self.path.unlink(missing_ok=True)
                return None
            return self._read() or self._write()

    def accepts(self, token: str | None) -> bool:
        """Return True when ``token`` is the current setup token."""
        current = self._read()
        return bool(token and current and hmac.compare_digest(token, current))

    def create_admin(
        self, token: str | None, username: str, email: str, password: str, actor: Actor
    ) -> User:
        """Create the first admin and spend the token; Forbidden or Conflict otherwise."""
        with self._lock:
            if self._users.has_admin():
                raise Conflict("An admin already exists; log in instead.")
            if not self.accepts(token):
                raise Forbidden(WRONG_TOKEN)
            user = self._users.create(username, email, password, "admin", actor)
            self.path.unlink(missing_ok=True)
            return user

    def _read(self) -> str | None:
        try:
            return self.path.read_text(encoding="ascii").strip() or None
        except (OSError, UnicodeDecodeError):
            return None

    def _write(self) -> str:
        token = secrets.token_urlsafe(24)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.unlink(missing_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(token)
        os.replace(temporary, self.path)
        return token


def setup_link(base_url: str, token: str) -> str:
    """Return the first-run page's link for a manager at ``base_url``."""
    return f"{base_url.rstrip('/')}/setup?token={token}"
