"""The manager's session cookie, never re-sent by answers of the interface proxy.

Flask re-sends a permanent session's cookie on every answer, with the session as that
request loaded it. Proxied pages load many files at once; each of their answers would
write back an old copy of the session and could drop what a parallel request of the
manager's page had just stored (its CSRF secret). The proxy only reads the session.

Signing the cookie costs as much as a small query, so an unchanged session is re-sent at
most once a minute: often enough to slide a browser's expiry, rarely enough to be free.
"""

from __future__ import annotations

import time

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin

from server.proxy.origin import is_proxied

REFRESH_EVERY = 60  # seconds between re-sends of an unchanged permanent session
SENT_AT = "_sent"  # the session key holding when the cookie was last sent


class ManagerSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, read-only on proxied paths, refreshed once a minute."""

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        """Return False for answers of the interface proxy; True for a changed session, or
        for a permanent one last sent over a minute ago (stamped now)."""
        if is_proxied(request.path):
            return False
        now = int(time.time())
        stale = session.permanent and now - session.get(SENT_AT, 0) >= REFRESH_EVERY
        if session.modified or stale:
            session[SENT_AT] = now
            return True
        return False
