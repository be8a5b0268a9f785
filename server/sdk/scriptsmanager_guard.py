"""The interface guard: only the manager's windows, tabs and proxy reach a script's server.

Every request must carry the run's token (``SCRIPTSMANAGER_INTERFACE_TOKEN``): in the
``X-ScriptsManager-Token`` header (the manager's proxy), in the ``sm_token_<port>`` cookie,
or once in ``?sm_token=`` (a window opened by the manager), which sets that cookie and
redirects to the same URL without it. The Host header must name the loopback address and
the server's port, which stops DNS rebinding. Otherwise: 400 or 403.

The SDK's apps use it directly. For every other Flask/Werkzeug app a script starts, the
manager's ``sitecustomize`` calls :func:`patch_serving` as ``werkzeug.serving`` is
imported: from then on, ``run_simple`` and ``make_server`` (which ``Flask.run`` uses) serve
the app behind this guard. Standard library only; imported only when a script serves.
"""

from __future__ import annotations

import hmac
import inspect
from collections.abc import Callable, Iterable
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

TOKEN_ENV = "SCRIPTSMANAGER_INTERFACE_TOKEN"
TOKEN_HEADER = "HTTP_X_SCRIPTSMANAGER_TOKEN"
TOKEN_QUERY = "sm_token"
GUARDED = "scriptsmanager.guarded"  # set in environ once a request passed the guard


def matches(value: str | None, expected: str) -> bool:
    """Return True when ``value`` is the token (compared in constant time)."""
    if not value:
        return False
    return hmac.compare_digest(value.encode("utf-8", "replace"), expected.encode("utf-8"))


def cookie_name(port: int) -> str:
    """Return the name of the token cookie of the interface on ``port``."""
    return f"sm_token_{port}"


class InterfaceGuard:
    """WSGI middleware: the Host check and the token check in front of ``app``."""

    def __init__(self, app: Callable[..., Any], port: int, token: str | None) -> None:
        self.app = app
        self.port = int(port)
        self.token = token
        names = ("127.0.0.1", "localhost", "[::1]")
        self.hosts = {f"{name}:{self.port}" for name in names}
        if self.port == 80:
            self.hosts |= set(names)

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        """Answer 400/403 or a cookie-setting redirect; pass checked requests on."""
        if environ.get("HTTP_HOST", "").lower() not in self.hosts:
            return _plain(start_response, "400 Bad Request", "Bad Host header.\n")
        if self.token is None:
            return self.app(environ, start_response)
        valid = matches(environ.get(TOKEN_HEADER), self.token) or matches(
            _cookie(environ, cookie_name(self.port)), self.token
        )
        query = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        offered = [value for key, value in query if key == TOKEN_QUERY]
        if offered:
            from_query = any(matches(value, self.token) for value in offered)
            if from_query or valid:
                return self._redirect(environ, start_response, query, from_query)
        elif valid:
            environ[GUARDED] = True
            return self.app(environ, start_response)
        return _plain(start_response, "403 Forbidden", "Forbidden: missing or wrong token.\n")

    def _redirect(
        self, environ: dict[str, Any], start_response: Callable, query: list, set_cookie: bool
    ) -> Iterable[bytes]:
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        path = "/" + path.lstrip("/")  # never "//host": that would leave the site
        location = quote(path, safe="/!$&'()*+,;=:@-._~")
        kept = [(key, value) for key, value in query if key != TOKEN_QUERY]
        if kept:
            location += "?" + urlencode(kept)
        headers = [("Location", location), ("Cache-Control", "no-store")]
        if set_cookie:
            cookie = f"{cookie_name(self.port)}={self.token}; HttpOnly; SameSite=Strict; Path=/"
            headers.append(("Set-Cookie", cookie))
        return _plain(start_response, "302 Found", "", headers)


def guarded(app: Any, port: int, token: str | None) -> Any:
    """Return ``app`` behind the guard, unless it (or its ``wsgi_app``) already is."""
    if isinstance(app, InterfaceGuard) or isinstance(
        getattr(app, "wsgi_app", None), InterfaceGuard
    ):
        return app
    return InterfaceGuard(app, port, token)


def patch_serving(serving: Any, token: str) -> None:
    """Make ``werkzeug.serving``'s ``make_server`` and ``run_simple`` serve behind the guard."""
    for name, app_argument in (("make_server", "app"), ("run_simple", "application")):
        original = getattr(serving, name, None)
        if original is not None and not getattr(original, "_scriptsmanager", False):
            setattr(serving, name, _wrapping(original, app_argument, token))


def _wrapping(original: Callable, app_argument: str, token: str) -> Callable:
    signature = inspect.signature(original)

    def serve(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        port = bound.arguments["port"]
        bound.arguments[app_argument] = guarded(bound.arguments[app_argument], port, token)
        return original(*bound.args, **bound.kwargs)

    serve._scriptsmanager = True  # type: ignore[attr-defined]
    serve.__doc__ = original.__doc__
    return serve


def _cookie(environ: dict[str, Any], name: str) -> str | None:
    jar = SimpleCookie()
    try:
        jar.load(environ.get("HTTP_COOKIE", ""))
    except CookieError:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None else None


def _plain(
    start_response: Callable, status: str, text: str, extra: list | None = None
) -> Iterable[bytes]:
    body = text.encode()
    headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    start_response(status, headers + (extra or []))
    return [body]
