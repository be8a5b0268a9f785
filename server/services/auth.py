"""Logins as server-side sessions: create, load, refresh and revoke them.

A logged-in user may also hand a second window (a desktop shell's interface window) a
window ticket: single use, valid for a minute, exchanged for a session of the same user.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import NoReturn

from flask_login import UserMixin
from sqlalchemy import func, select, update

from server.database import Database
from server.models import AuthSession, User, utcnow
from server.services.audit import Actor, AuditLog
from server.services.errors import NotAuthenticated, Throttled
from server.services.passwords import Passwords
from server.services.session_cache import CachedSession, SessionCache
from server.services.throttle import LoginThrottle

TOUCH_EVERY = timedelta(seconds=60)
TICKET_LIFETIME = 60.0  # seconds
WRONG_CREDENTIALS = "Wrong user name or password."


@dataclass(frozen=True)
class SessionUser(UserMixin):
    """The logged-in user of one request, detached from the database session."""

    id: int
    username: str
    email: str
    user_level: str
    preferred_language: str
    preferred_theme: str
    token: str

    def get_id(self) -> str:
        """Return the session token, so that revoking the session logs the user out."""
        return self.token

    def to_dict(self) -> dict[str, object]:
        """Return the public fields (never the password hash or the token)."""
        return {
            "id": self.id,
            "username": self.username,
            "email": self.email,
            "user_level": self.user_level,
            "preferred_language": self.preferred_language,
            "preferred_theme": self.preferred_theme,
        }


class AuthService:
    """Check credentials, throttle failures and keep the session table."""

    def __init__(
        self,
        db: Database,
        passwords: Passwords,
        throttle: LoginThrottle,
        audit: AuditLog,
        lifetime_seconds: int,
    ) -> None:
        self._db = db
        self._passwords = passwords
        self._throttle = throttle
        self._audit = audit
        self._lifetime = timedelta(seconds=lifetime_seconds)
        self._tickets: dict[str, tuple[int, float]] = {}  # digest -> (user id, deadline)
        self._tickets_lock = threading.Lock()
        self._cache = SessionCache()
        self._cache.watch(db.session_factory)

    def login(
        self, username: str, password: str, remote_addr: str, user_agent: str | None
    ) -> SessionUser:
        """Open a session; raise Throttled or NotAuthenticated (same answer for unknown users)."""
        wait = self._throttle.retry_after(username, remote_addr)
        if wait:
            raise Throttled("Too many failed logins. Try again later.", retry_after=wait)
        session = self._db.session
        user = session.scalar(
            select(User).where(func.lower(User.username) == username.strip().lower())
        )
        valid = self._passwords.verify(user.password_hash if user else None, password)
        if not (user and valid and user.is_active):
            self._fail(username, remote_addr)
        self._throttle.reset(username, remote_addr)
        if self._passwords.needs_rehash(user.password_hash):
            user.password_hash = self._passwords.hash(password)
        user.last_login = utcnow()
        self._audit.record(Actor(user.id, user.username, remote_addr), "auth.login")
        return self._open_session(user, remote_addr, user_agent)

    def _fail(self, username: str, remote_addr: str) -> NoReturn:
        """Count and audit a failed login (and the lock it starts); raise NotAuthenticated."""
        actor = Actor(None, username[:50], remote_addr)
        lock = self._throttle.record_failure(username, remote_addr)
        self._audit.record(actor, "auth.login_failed", None, {})
        if lock is not None:
            details = {"scope": lock.scope, "seconds": lock.seconds, "address": remote_addr}
            self._audit.record(actor, "auth.login_locked", f"user:{username[:50]}", details,
                               scope="admin")  # fmt: skip
        self._db.session.commit()
        raise NotAuthenticated(WRONG_CREDENTIALS)

    def issue_ticket(self, user_id: int) -> str:
        """Return a one-time window ticket for a logged-in user."""
        ticket = secrets.token_urlsafe(32)
        now = time.monotonic()
        with self._tickets_lock:
            self._tickets = {k: v for k, v in self._tickets.items() if v[1] > now}
            self._tickets[_digest(ticket)] = (user_id, now + TICKET_LIFETIME)
        return ticket

    def redeem_ticket(self, ticket: str, remote_addr: str, user_agent: str | None) -> SessionUser:
        """Open a session for a ticket's user; NotAuthenticated when unknown, used or late."""
        with self._tickets_lock:
            entry = self._tickets.pop(_digest(ticket), None)
        user = self._db.session.get(User, entry[0]) if entry else None
        if entry is None or entry[1] < time.monotonic() or user is None or not user.is_active:
            raise NotAuthenticated("This window link has expired; open the interface again.")
        self._audit.record(Actor(user.id, user.username, remote_addr), "auth.window_ticket")
        return self._open_session(user, remote_addr, user_agent)

    def _open_session(self, user: User, remote_addr: str, user_agent: str | None) -> SessionUser:
        token = secrets.token_urlsafe(32)
        now = utcnow()
        self._db.session.add(
            AuthSession(
                token_hash=_digest(token),
                user_id=user.id,
                created_at=now,
                last_seen=now,
                expires_at=now + self._lifetime,
                remote_addr=remote_addr,
                user_agent=(user_agent or "")[:255],
            )
        )
        self._db.session.commit()
        return session_user(user, token)

    def load(self, token: str) -> SessionUser | None:
        """Return the user of a live session token, sliding its expiry; None otherwise.

        A session read within the last TOUCH_EVERY comes from memory (no query)."""
        digest, now = _digest(token), utcnow()
        cached = self._cache.get(digest)
        if cached and cached.expires_at > now and now - cached.last_seen < TOUCH_EVERY:
            return cached.user
        generation = self._cache.generation
        session = self._db.session
        record = session.scalar(select(AuthSession).where(AuthSession.token_hash == digest))
        if record is None or record.revoked_at is not None or record.expires_at <= now:
            return None
        user = record.user
        if not user.is_active:
            return None
        loaded = session_user(user, token)
        if now - record.last_seen >= TOUCH_EVERY:  # slide; the next request fills the cache
            record.last_seen = now
            record.expires_at = now + self._lifetime
            session.commit()
        else:
            entry = CachedSession(loaded, record.last_seen, record.expires_at)
            self._cache.put(digest, entry, generation)
        return loaded

    def end_every_session(self) -> int:
        """End every session (after a restore, the backup's sessions must not come back)."""
        result = self._db.session.execute(
            update(AuthSession).where(AuthSession.revoked_at.is_(None)).values(revoked_at=utcnow())
        )
        return result.rowcount

    def logout(self, token: str, actor: Actor) -> None:
        """Revoke one session."""
        self._db.session.execute(
            update(AuthSession)
            .where(AuthSession.token_hash == _digest(token), AuthSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        self._audit.record(actor, "auth.logout")
        self._db.session.commit()

    def revoke_all(self, user_id: int, keep_token: str | None = None) -> None:
        """Revoke every session of a user, except the caller's own when given."""
        query = update(AuthSession).where(
            AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None)
        )
        if keep_token:
            query = query.where(AuthSession.token_hash != _digest(keep_token))
        self._db.session.execute(query.values(revoked_at=utcnow()))
        self._db.session.commit()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def session_user[U: SessionUser](
    user: User, token: str, kind: type[U] = SessionUser, **extra: object
) -> U:
    """Return the detached request user of ``user`` (``kind``, with its ``extra`` fields)."""
    return kind(
        **extra,
        id=user.id,
        username=user.username,
        email=user.email,
        user_level=user.user_level,
        preferred_language=user.preferred_language,
        preferred_theme=user.preferred_theme,
        token=token,
    )
