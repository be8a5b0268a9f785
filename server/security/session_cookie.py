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

from flask import Flask, Request, Response, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin

from server.proxy.origin import is_proxied
from server.security.bearer import bearer_token

REFRESH_EVERY = 60  # seconds between re-sends of an unchanged permanent session
SENT_AT = "_sent"  # the session key holding when the cookie was last sent


class ManagerSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, read-only on proxied paths, refreshed once a minute;
    none at all for Bearer (API token) requests."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """Return an empty session for a Bearer request (its cookie is not read), else the
        cookie's."""
        if bearer_token(request) is not None:
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Write nothing for a Bearer request: a token never sets or clears the cookie."""
        if bearer_token(request) is None:
            super().save_session(app, session, response)

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
