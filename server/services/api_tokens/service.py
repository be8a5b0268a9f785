"""Managing API tokens: a user makes, lists and revokes their own; an admin anyone's.

The secret is returned once, by :meth:`ApiTokens.create`, and only its digest is kept.
Revoking sets ``revoked_at``: the row stays for the audit trail and drops out of lists.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update

from server.database import Database
from server.models import ApiToken, User, utcnow
from server.services.api_tokens.secret import digest, new_secret, shown_part
from server.services.audit import Actor, AuditLog
from server.services.errors import Conflict, NotFound
from server.services.names import check_name

MAX_LIVE = 20  # tokens per user that are neither revoked nor expired
MAX_NAME = 100
DEFAULT_DAYS = 90
MAX_DAYS = 3650


class ApiTokens:
    """Create, list and revoke personal API tokens."""

    def __init__(self, db: Database, audit: AuditLog, limit: int = MAX_LIVE) -> None:
        self._db = db
        self._audit = audit
        self.limit = limit

    def create(
        self, user_id: int, name: str, expires_in_days: int | None, actor: Actor
    ) -> tuple[ApiToken, str]:
        """Make a token; return it with its secret (shown this once). Conflict past the limit."""
        name = check_name(name, MAX_NAME)
        now = utcnow()
        if self._live_count(user_id, now) >= self.limit:
            raise Conflict(
                "You can keep up to {limit} live API tokens; revoke one first.", limit=self.limit
            )
        secret = new_secret()
        expires = None if expires_in_days is None else now + timedelta(days=expires_in_days)
        token = ApiToken(user_id=user_id, name=name, token_hash=digest(secret),
                         prefix=shown_part(secret), created_at=now, expires_at=expires)  # fmt: skip
        self._db.session.add(token)
        self._db.session.flush()  # its id, for the audit event
        details = {"name": name, "prefix": token.prefix, "expires_at": _iso(expires)}
        self._audit.record(actor, "tokens.create", f"token:{token.id}", details)
        self._db.session.commit()
        return token, secret

    def list(self, user_id: int) -> list[ApiToken]:
        """Return a user's tokens that are not revoked (expired ones too), newest first."""
        query = select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        order = (ApiToken.created_at.desc(), ApiToken.id.desc())
        return list(self._db.session.scalars(query.order_by(*order)))

    def list_of(self, user_id: int, actor: Actor) -> list[ApiToken]:
        """Return another user's tokens for an admin (audited); NotFound for no such user."""
        if self._db.session.get(User, user_id) is None:
            raise NotFound("User {user_id} does not exist.", user_id=user_id)
        tokens = self.list(user_id)
        self._audit.record_foreign_read(actor, user_id, "tokens.admin_list", f"user:{user_id}")
        return tokens

    def revoke(self, user_id: int, token_id: int, actor: Actor) -> None:
        """Revoke one of the user's own tokens; NotFound for another user's, or none."""
        token = self._find(token_id)
        if token.user_id != user_id:
            raise NotFound("API token {token_id} does not exist.", token_id=token_id)
        self._revoke(token, actor, "user")

    def revoke_any(self, token_id: int, actor: Actor) -> ApiToken:
        """Revoke anyone's token (admins); NotFound when there is no such live token."""
        token = self._find(token_id)
        self._revoke(token, actor, "admin")
        return token

    def revoke_every(self) -> int:
        """Revoke every live token (after a restore: one revoked since must not come back)."""
        result = self._db.session.execute(
            update(ApiToken).where(ApiToken.revoked_at.is_(None)).values(revoked_at=utcnow())
        )
        return result.rowcount

    def _find(self, token_id: int) -> ApiToken:
        token = self._db.session.get(ApiToken, token_id)
        if token is None or token.revoked_at is not None:
            raise NotFound("API token {token_id} does not exist.", token_id=token_id)
        return token

    def _revoke(self, token: ApiToken, actor: Actor, scope: str) -> None:
        token.revoked_at = utcnow()
        details = {"name": token.name, "prefix": token.prefix, "owner_id": token.user_id}
        self._audit.record(actor, "tokens.revoke", f"token:{token.id}", details, scope=scope)
        self._db.session.commit()

    def _live_count(self, user_id: int, now: datetime) -> int:
        live = select(func.count()).where(
            ApiToken.user_id == user_id,
            ApiToken.revoked_at.is_(None),
            or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
        )
        return self._db.session.scalar(live) or 0


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() + "Z" if value else None
