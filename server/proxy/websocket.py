"""WebSocket relay: the browser's socket to the script's, message by message."""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Response
from simple_websocket import Client, ConnectionClosed, Server

from server.proxy.answers import proxy_answer
from server.proxy.origin import hostname_of, listener_port
from server.services.messages import Message

logger = logging.getLogger(__name__)


def is_websocket(environ: dict[str, Any]) -> bool:
    """Return True for a WebSocket upgrade request."""
    return environ.get("HTTP_UPGRADE", "").lower() == "websocket"


def same_origin(environ: dict[str, Any]) -> bool:
    """Return True when the upgrade comes from a page of this manager (or from no page).

    The rule of the manager's Socket.IO: a browser's Origin must be this scheme and host.
    """
    origin = environ.get("HTTP_ORIGIN")
    if origin is None:
        return True
    scheme, host = environ.get("wsgi.url_scheme", "http"), environ.get("HTTP_HOST", "")
    here = {f"{scheme}://{host}", f"{scheme}://{hostname_of(host)}:{listener_port(environ)}"}
    return origin.lower() in {item.lower() for item in here}


def subprotocols(environ: dict[str, Any]) -> list[str]:
    """Return the subprotocols the browser asked for, in its order."""
    raw = environ.get("HTTP_SEC_WEBSOCKET_PROTOCOL", "")
    return [item.strip() for item in raw.split(",") if item.strip()]


class _ScriptSocket(Client):
    """The relay's socket to the script, whose Host check wants the port in the header."""

    def handshake(self) -> None:
        """Send the handshake with ``Host: 127.0.0.1:<port>``."""
        self.host = f"{self.host}:{self.port}"  # connected already: only the header uses it
        super().handshake()


def relay_websocket(environ: dict[str, Any], target: str, headers: dict[str, str]) -> Response:
    """Accept the browser's WebSocket, connect to the script's, pump both ways until one ends.

    A foreign Origin is refused before anything reaches the script.
    """
    if not same_origin(environ):
        return proxy_answer(Message("WebSocket from another site refused."), 403)
    url = "ws" + target[len("http") :]
    query = environ.get("QUERY_STRING")
    if query:
        url += "?" + query
    headers = {k: v for k, v in headers.items() if k.lower() != "host"}  # the client sets it
    asked = subprotocols(environ)
    try:
        upstream = _ScriptSocket.connect(url, subprotocols=asked or None, headers=headers)
    except Exception as exc:  # the script refused or is gone: no upgrade
        logger.warning("websocket to %s failed: %s", url, exc)
        return proxy_answer(Message("The script's interface refused the WebSocket."), 502)
    chosen = [upstream.subprotocol] if upstream.subprotocol else None
    browser = Server(environ, subprotocols=chosen)
    pumps = [
        threading.Thread(target=_pump, args=(browser, upstream), daemon=True),
        threading.Thread(target=_pump, args=(upstream, browser), daemon=True),
    ]
    for pump in pumps:
        pump.start()
    for pump in pumps:
        pump.join()
    return _TakenOverResponse(browser.mode)


def _pump(source, sink) -> None:
    try:
        while True:
            sink.send(source.receive())
    except ConnectionClosed:
        pass
    except Exception:  # a broken side ends the relay
        logger.debug("websocket relay ended", exc_info=True)
    finally:
        for side in (source, sink):
            try:
                side.close()
            except Exception:  # already closed
                pass


class _TakenOverResponse(Response):
    """The socket now belongs to the WebSocket: tell the server not to write a response."""

    def __init__(self, mode: str) -> None:
        super().__init__()
        self._mode = mode

    def __call__(self, environ, start_response):
        if self._mode == "gunicorn":
            raise StopIteration()
        if self._mode == "werkzeug":
            return super().__call__(environ, start_response)
        return []
