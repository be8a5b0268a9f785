"""A small DevTools-protocol client for the pages inside the desktop shell's windows.

Qt WebEngine serves the DevTools protocol when ``QTWEBENGINE_REMOTE_DEBUGGING`` is set;
Playwright cannot attach to it (no browser-context management), so the tests speak the
protocol directly: list the pages, evaluate JavaScript in one, take a screenshot.
"""

from __future__ import annotations

import base64
import itertools
import json
import time
import urllib.request
from typing import Any

import websocket

_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def pages(port: int) -> list[dict[str, Any]]:
    """Return the page targets (one per window) with their URL and title."""
    with _DIRECT.open(f"http://127.0.0.1:{port}/json", timeout=5) as response:
        return [t for t in json.load(response) if t.get("type") == "page"]


class Page:
    """One window's page."""

    def __init__(self, target: dict[str, Any]) -> None:
        self.url = target["url"]
        self._socket = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=10)
        self._ids = itertools.count(1)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one protocol command and return its result."""
        message_id = next(self._ids)
        self._socket.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            message = json.loads(self._socket.recv())
            if message.get("id") == message_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]

    def evaluate(self, expression: str) -> Any:
        """Evaluate JavaScript (promises awaited) and return its JSON value."""
        result = self.call(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression!r} failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 30.0) -> Any:
        """Evaluate until the value is truthy; return it (TimeoutError after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = self.evaluate(expression)
            except (RuntimeError, websocket.WebSocketTimeoutException):
                value = None  # the page is navigating
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"{expression!r} stayed false for {timeout} s")
            time.sleep(0.1)

    def navigate(self, path: str) -> None:
        """Load a path of the page's origin and wait until it is complete."""
        origin = self.evaluate("location.origin")
        self.call("Page.navigate", url=origin + path)
        self.wait_for(f"location.pathname === {json.dumps(path)} && document.readyState === 'complete'")

    def screenshot(self) -> bytes:
        """Return a PNG of the page."""
        return base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"])

    def close(self) -> None:
        """Close the protocol connection (not the window)."""
        self._socket.close()


def wait_for_page(port: int, match: str, timeout: float = 30.0) -> Page:
    """Return the first page whose URL contains ``match`` (TimeoutError after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            for target in pages(port):
                if match in target["url"]:
                    return Page(target)
        except OSError:
            pass  # not listening yet
        time.sleep(0.1)
    raise TimeoutError(f"no window shows a page matching {match!r}")
