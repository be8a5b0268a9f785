"""API tokens on the wire: ``Authorization: Bearer smt_...`` on the API, never on pages.

A request to an API path (``/api/...`` or ``/metrics``) that carries a Bearer header is a
token request from start to end:

- it opens no session: the session cookie is neither read nor written (see
  ``server/security/session_cookie.py``), so the token's owner is the only identity and
  a token never turns into a session;
- Flask-Login loads its user from the token (:func:`token_loader`), at the owner's
  current level; an unknown, expired or revoked token leaves it anonymous, and
  ``enforce_access`` then answers 401 whatever the route;
- it needs no CSRF token (:class:`SessionCSRF`): a browser never adds this header to a
  cross-site request, and without the session there is nothing a forged request could
  borrow.

Pages ignore the header: a page request with only a token is not signed in. So does
``/health``, which reads no account (and is answered while a restore swaps the data).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from flask import Request, request
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect

from server.services.errors import Forbidden

if TYPE_CHECKING:
    from server.services.api_tokens import TokenAuth, TokenUser

MACHINE_PATHS = ("/metrics",)
SCHEME = "bearer"
SESSION_ONLY = "session_only"  # attribute of views refused to tokens (read by the OpenAPI)


def is_api_path(path: str) -> bool:
    """Return True for the paths a token may call: the JSON API and /metrics."""
    return path.startswith("/api/") or path in MACHINE_PATHS


def bearer_token(asked: Request | None = None) -> str | None:
    """Return the secret of a Bearer header on an API path ("" when blank), else None."""
    asked = asked if asked is not None else request
    if not is_api_path(asked.path):
        return None
    scheme, _, secret = asked.headers.get("Authorization", "").strip().partition(" ")
    return secret.strip() if scheme.lower() == SCHEME else None


def token_loader(tokens: TokenAuth) -> Callable[[Request], TokenUser | None]:
    """Return Flask-Login's request loader: the owner of a valid Bearer token, else None."""

    def load(asked: Request) -> TokenUser | None:
        secret = bearer_token(asked)
        if secret is None:
            return None
        return tokens.authenticate(secret, asked.remote_addr)

    return load


def signed_by_token() -> bool:
    """Return True when this request's user was signed in by an API token."""
    return current_user.is_authenticated and getattr(current_user, "token_id", None) is not None


def session_only[View: Callable[..., Any]](view: View) -> View:
    """Refuse a view to API tokens (403): what it hands out would outlive the token's rules."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if signed_by_token():
            raise Forbidden("An API token cannot do this; sign in instead.")
        return view(*args, **kwargs)

    setattr(wrapper, SESSION_ONLY, True)
    return cast(View, wrapper)


class SessionCSRF(CSRFProtect):
    """CSRF protection of the session cookie; Bearer requests carry no session to protect."""

    def protect(self, apply_exemptions: bool = False) -> None:
        """Check the CSRF token, unless the request is a Bearer one (see the module)."""
        if bearer_token() is not None:
            return
        super().protect(apply_exemptions)
