"""The manager's session cookie, never re-sent by answers of the interface proxy.

Flask re-sends a permanent session's cookie on every answer, with the session as that
request loaded it. Proxied pages load many files at once; each of their answers would
write back an old copy of the session and could drop what a parallel request of the
manager's page had just stored (its CSRF secret). The proxy only reads the session.
"""

from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin

from server.proxy.origin import is_proxied


class ManagerSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, read-only on proxied paths."""

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        """Return False for answers of the interface proxy, else Flask's rule."""
        if is_proxied(request.path):
            return False
        return super().should_set_cookie(app, session)
