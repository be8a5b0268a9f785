"""The owners of recently used API tokens, kept in memory so a request needs no query.

It works like the session cache (server/services/session_cache.py), and is dropped the
same way: the moment the database writes that token or its owner (revocation, a role
change, deactivation, deletion), by any bulk update or delete of either table, and again
when that change commits. An entry is trusted only until the token's ``last_used_at`` is
due to be written again.
"""

from __future__ import annotations

from server.models import ApiToken, User
from server.services.session_cache import SessionCache

WATCHED_TABLES = {User.__tablename__, ApiToken.__tablename__}


class TokenCache(SessionCache):
    """Token digest -> the owner as last read, invalidated by writes to users and tokens."""

    watched_tables = WATCHED_TABLES
    pending_key = "token_cache.pending"

    def _keys_of(self, changed: set[object]) -> set[str | int]:
        """Return the keys that written rows invalidate: user ids and token digests."""
        keys: set[str | int] = {item.id for item in changed if isinstance(item, User)}
        keys |= {item.token_hash for item in changed if isinstance(item, ApiToken)}
        return keys
