"""Checking an API token: the owner of a live token, at the owner's current level.

A token read within the last ``TOUCH_EVERY`` comes from memory (:class:`TokenCache`), so
a burst of requests costs one query. When the cache is due, the token's ``last_used_at``
is written (once a minute at most), and a ``tokens.use`` event is audited at most once
per ``audit_every`` per token.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import select

from server.database import Database
from server.models import ApiToken, User, utcnow
from server.services.api_tokens.cache import TokenCache
from server.services.api_tokens.secret import could_be_token, digest
from server.services.audit import Actor, AuditLog
from server.services.auth import SessionUser, session_user
from server.services.session_cache import CachedSession

TOUCH_EVERY = timedelta(seconds=60)
AUDIT_EVERY = timedelta(minutes=10)
NEVER = datetime.max  # the cache's expiry of a token without one


@dataclass(frozen=True)
class TokenUser(SessionUser):
    """The owner of the API token that signed one request; ``token`` (a session) is empty."""

    token_id: int


class TokenAuth:
    """Find the owner of a token secret, keeping ``last_used_at`` and the audit trail."""

    def __init__(self, db: Database, audit: AuditLog, audit_every: timedelta = AUDIT_EVERY) -> None:
        self._db = db
        self._audit = audit
        self.audit_every = audit_every
        self._audited: dict[int, datetime] = {}  # token id -> last tokens.use event
        self._lock = threading.Lock()
        self._cache = TokenCache()
        self._cache.watch(db.session_factory)

    def authenticate(self, secret: str, remote_addr: str | None) -> TokenUser | None:
        """Return the owner of a live token (active, at their current level); else None."""
        if not could_be_token(secret):
            return None
        key, now = digest(secret), utcnow()
        cached = self._cache.get(key)
        if cached and cached.expires_at > now and now - cached.last_seen < TOUCH_EVERY:
            return cast(TokenUser, cached.user)
        generation = self._cache.generation
        found = self._db.session.execute(
            select(ApiToken, User)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_hash == key)
        ).first()
        if found is None:
            return None
        token, owner = found
        expires = token.expires_at or NEVER
        if token.revoked_at is not None or expires <= now or not owner.is_active:
            return None
        user = session_user(owner, "", TokenUser, token_id=token.id)
        if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
            self._touch(token, user, now, remote_addr)  # the next request fills the cache
        else:
            self._cache.put(key, CachedSession(user, token.last_used_at, expires), generation)
        return user

    def _touch(self, token: ApiToken, user: TokenUser, now: datetime, remote_addr: str | None):
        token.last_used_at = now
        if self._use_is_news(token.id, now):
            details = {"name": token.name, "prefix": token.prefix}
            actor = Actor(user.id, user.username, remote_addr)
            self._audit.record(actor, "tokens.use", f"token:{token.id}", details)
        self._db.session.commit()

    def _use_is_news(self, token_id: int, now: datetime) -> bool:
        """Return True (and remember now) when the token's last use event is old enough."""
        with self._lock:
            last = self._audited.get(token_id)
            if last is not None and now - last < self.audit_every:
                return False
            self._audited = {k: v for k, v in self._audited.items() if now - v < self.audit_every}
            self._audited[token_id] = now
            return True
