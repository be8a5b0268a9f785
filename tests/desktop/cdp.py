"""A small DevTools-protocol client for the pages inside the desktop shell's windows.

Qt WebEngine serves the DevTools protocol when ``QTWEBENGINE_REMOTE_DEBUGGING`` is set;
Playwright cannot attach to it (no browser-context management), so the tests speak the
protocol directly: list the pages, evaluate JavaScript in one, take a screenshot. Each
command uses a fresh connection: a session that was open while its page navigated may
stop answering.
"""

from __future__ import annotations

import base64
import http.client
import itertools
import json
import time
import urllib.request
from typing import Any

import websocket

# Generous deadlines: Qt WebEngine on a loaded machine answers slowly, never wrongly.
CALL_TIMEOUT = 30.0
WAIT_TIMEOUT = 60.0
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def pages(port: int, attempts: int = 5, timeout: float = CALL_TIMEOUT) -> list[dict[str, Any]]:
    """Return the page targets (one per window) with their URL and title.

    A broken answer is asked again (at least ``attempts`` times, for up to ``timeout`` s).
    """
    deadline = time.monotonic() + timeout
    for attempt in itertools.count(1):
        try:
            with _DIRECT.open(f"http://127.0.0.1:{port}/json", timeout=CALL_TIMEOUT) as response:
                return [t for t in json.load(response) if t.get("type") == "page"]
        except (http.client.HTTPException, ConnectionError):
            # The list is rebuilt while a window closes; the next answer is whole again.
            if attempt >= attempts and time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    raise AssertionError("unreachable")


class Page:
    """One window's page, known by its DevTools target id."""

    def __init__(self, port: int, target: dict[str, Any]) -> None:
        self._port = port
        self.target_id = target["id"]

    @property
    def url(self) -> str:
        """Return the page's current URL."""
        return self._target()["url"]

    def _target(self) -> dict[str, Any]:
        for target in pages(self._port):
            if target["id"] == self.target_id:
                return target
        raise LookupError("this window is closed")

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one protocol command and return its result."""
        connection = websocket.create_connection(
            self._target()["webSocketDebuggerUrl"], timeout=CALL_TIMEOUT
        )
        try:
            connection.send(json.dumps({"id": 1, "method": method, "params": params}))
            while True:
                message = json.loads(connection.recv())
                if message.get("id") == 1:
                    break
        finally:
            connection.close()
        if "error" in message:
            raise RuntimeError(f"{method}: {message['error']}")
        return message["result"]

    def console_errors(self) -> list[str]:
        """Return the errors the page logged so far (console, CSP, failed loads): enabling
        the Log and Runtime domains replays what was logged before, and the answer to a
        last command arrives after the replay."""
        connection = websocket.create_connection(
            self._target()["webSocketDebuggerUrl"], timeout=CALL_TIMEOUT
        )
        errors: list[str] = []
        try:
            for number, method in enumerate(("Log.enable", "Runtime.enable"), start=1):
                connection.send(json.dumps({"id": number, "method": method}))
            connection.send(
                json.dumps({"id": 3, "method": "Runtime.evaluate", "params": {"expression": "1"}})
            )
            while (message := json.loads(connection.recv())).get("id") != 3:
                params = message.get("params", {})
                if (
                    message.get("method") == "Log.entryAdded"
                    and params["entry"]["level"] == "error"
                ):
                    errors.append(params["entry"]["text"])
                elif (
                    message.get("method") == "Runtime.consoleAPICalled"
                    and params["type"] == "error"
                ):
                    errors.append(" ".join(str(a.get("value", "")) for a in params["args"]))
                elif message.get("method") == "Runtime.exceptionThrown":
                    errors.append(params["exceptionDetails"].get("text", "exception"))
        finally:
            connection.close()
        return errors

    def evaluate(self, expression: str) -> Any:
        """Evaluate JavaScript (promises awaited) and return its JSON value."""
        result = self.call(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression!r} failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = WAIT_TIMEOUT) -> Any:
        """Evaluate until the value is truthy; return it (TimeoutError after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = self.evaluate(expression)
            except (RuntimeError, websocket.WebSocketException, OSError):
                value = None  # the page is between two documents
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"{expression!r} stayed false for {timeout} s")
            time.sleep(0.1)

    def navigate(self, path: str) -> None:
        """Load a path of the page's origin and wait until it is complete."""
        origin = self.evaluate("location.origin")
        self.call("Page.navigate", url=origin + path)
        loaded = f"location.pathname === {json.dumps(path)} && document.readyState === 'complete'"
        self.wait_for(loaded)

    def screenshot(self) -> bytes:
        """Return a PNG of the page."""
        return base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"])


def wait_for_page(port: int, match: str, timeout: float = WAIT_TIMEOUT) -> Page:
    """Return the first page whose URL contains ``match`` (TimeoutError after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            for target in pages(port):
                if match in target["url"]:
                    return Page(port, target)
        except OSError:
            pass  # not listening yet
        time.sleep(0.1)
    raise TimeoutError(f"no window shows a page matching {match!r}")
