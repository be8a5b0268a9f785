"""The interfaces' own origin: script pages never run on the manager's origin.

In server mode the manager listens on a second port. Proxied pages
(``/interfaces/<session>/app/…``) are served there only, and nothing else is: a script's
JavaScript then shares no origin with the manager, so it can neither read the manager's
answers nor get a CSRF token, and the manager's Socket.IO refuses it. The session cookie
still reaches both ports (cookies are per host), so the proxy knows the user.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

PROXIED_PATH = re.compile(r"^/interfaces/[^/]+/app(/|$)")
NOT_HERE = b"Not found on this origin.\n"
_SLASHES = re.compile(r"/{2,}")


def is_proxied(path: str) -> bool:
    """Return True for a path of a proxied script page (``/interfaces/<session>/app/…``),
    however it is spelled: the router merges repeated slashes, so this does too."""
    return bool(PROXIED_PATH.match(_SLASHES.sub("/", path)))


def listener_port(environ: dict[str, Any]) -> int | None:
    """Return the local port the request came in on (the socket's, not the Host header's)."""
    for key in ("gunicorn.socket", "werkzeug.socket"):
        sock = environ.get(key)
        if sock is not None:
            try:
                return int(sock.getsockname()[1])
            except (OSError, IndexError, TypeError, ValueError):
                break
    try:
        return int(environ.get("SERVER_PORT", ""))
    except ValueError:
        return None


class InterfaceOriginSplit:
    """WSGI middleware: proxied pages on the interface port only, the rest elsewhere only."""

    def __init__(self, app: Callable, interface_port: int) -> None:
        self._app = app
        self._port = interface_port

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        """Pass a request on when it arrived where it belongs; 404 otherwise."""
        on_interface_port = listener_port(environ) == self._port
        proxied = is_proxied(environ.get("PATH_INFO", ""))
        if on_interface_port == proxied:
            return self._app(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain"),
                                         ("Content-Length", str(len(NOT_HERE)))])  # fmt: skip
        return [NOT_HERE]


def hostname_of(host: str) -> str:
    """Return a Host header's name without its port (an IPv6 address stays bracketed)."""
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0]


def interface_origin(scheme: str, host: str, port: int) -> str:
    """Return the origin of the interfaces for a request to the manager at ``host``."""
    return f"{scheme}://{hostname_of(host)}:{port}"
