"""The Host check: the manager answers only to the names it is known by.

A page on another site can point its own host name at 127.0.0.1 (DNS rebinding) and
then talk to the manager as if it were same-origin; refusing unknown Host headers,
before anything else runs (pages, API, Socket.IO, the interface proxy), closes that.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header
from werkzeug.sansio.utils import host_is_trusted

from server.resources import resource_path
from server.services.messages import Message, MessageCatalog
from server.settings import LANGUAGES

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")
WILDCARDS = ("", "0.0.0.0", "::", "[::]")
KNOWN_HOSTS_KEPT = 64  # Host header values whose verdict is remembered (the rest re-checked)
REFUSAL = "This host name is not one the manager answers to (see TRUSTED_HOSTS)."


def trusted_names(configured: str, bound_host: str | None = None) -> list[str]:
    """Return the loopback names, the configured ones and the address the server binds."""
    names = [*LOOPBACK_NAMES, *(n.strip() for n in configured.split(",") if n.strip())]
    if bound_host and bound_host not in WILDCARDS:
        names.append(bound_host)
    return list(dict.fromkeys(names))


class HostCheck:
    """WSGI middleware answering 400 to a request whose Host is not trusted."""

    def __init__(
        self, app: Callable, trusted: Iterable[str], messages: MessageCatalog | None = None
    ) -> None:
        self._app = app
        self._trusted = list(trusted)
        self._verdicts: dict[str | None, bool] = {}  # Host header -> trusted
        # No session is read before the check: the browser's Accept-Language picks the words.
        catalog = messages or MessageCatalog(resource_path("translations/messages"))
        self._bodies = {
            language: json.dumps(refusal(catalog, language)).encode() for language in LANGUAGES
        }

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        """Pass trusted requests on; refuse the others before any view sees them."""
        if self._is_trusted(environ.get("HTTP_HOST")):
            return self._app(environ, start_response)
        accepted = parse_accept_header(environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept)
        body = self._bodies[accepted.best_match(LANGUAGES) or "en"]
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        start_response("400 Bad Request", headers)
        return [body]

    def _is_trusted(self, host: str | None) -> bool:
        """Return Werkzeug's verdict on a Host header, remembered for the few values a
        manager sees (a flood of made-up names is checked each time, never stored)."""
        verdict = self._verdicts.get(host)
        if verdict is None:
            verdict = host_is_trusted(host, self._trusted)
            if len(self._verdicts) < KNOWN_HOSTS_KEPT:
                self._verdicts[host] = verdict
        return verdict


def refusal(catalog: MessageCatalog, language: str) -> dict[str, Any]:
    """Return the JSON error of an untrusted Host, in ``language``."""
    message = catalog.text(Message(REFUSAL), language)
    return {"error": {"code": "untrusted_host", "message": message}}
