"""The security suite's clients: HTTP as a browser holds it, and Socket.IO on ``/logs``.

Every answer a :class:`Client` gets is recorded in :data:`~tests.security.figures.FIGURES`
(its (route, role) cell; a 5xx fails the test that got it).

A server listens on two origins: the manager's, and the interfaces' own (proxied script
pages, ``/interfaces/<session>/app/...``, are served there and nowhere else). A client's
:attr:`~Client.interfaces` is the same browser on the interfaces' origin: one cookie jar
(cookies are per host, so the session cookie reaches both ports), another port.
"""

from __future__ import annotations

import copy
import http.client
import re
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from tests.security.figures import FIGURES

# Paths of proxied script pages (served on the interfaces' own origin only).
PROXIED = re.compile(r"^/interfaces/[^/?#]+/app(/|$)")
NOT_HERE = b"Not found on this origin.\n"  # the body of a path served by the other origin
REQUEST_TIMEOUT = 60  # one request on a loaded machine
SOCKET_TIMEOUT = 60  # a Socket.IO connection, or an event awaited on it


def is_proxied(path: str) -> bool:
    """Return True for the path of a proxied script page."""
    return bool(PROXIED.match(path))


@dataclass
class RawResponse:
    """The answer to :meth:`Client.raw`."""

    status_code: int
    headers: dict[str, str]
    content: bytes


class Client:
    """A ``requests`` session as a browser holds it: cookies, CSRF token, exact paths."""

    def __init__(self, base: str, role: str = "anonymous", username: str | None = None,
                 interface_base: str | None = None) -> None:  # fmt: skip
        self.base = base.rstrip("/")
        self.role = role
        self.username = username
        self.interface_base = (interface_base or "").rstrip("/")
        self.origin = "manager"
        self.http = requests.Session()
        self.http.trust_env = False  # 127.0.0.1 only, never through an environment proxy
        self.csrf = ""
        self._twin: Client | None = None
        self.refresh_csrf()

    @property
    def interfaces(self) -> Client:
        """This client on the interfaces' own origin: the same cookie jar, the other port.

        It sends what this client sends (cookies, and the CSRF token it holds now); its
        answers are recorded under the same role.
        """
        if self.origin == "interfaces":
            return self
        assert self.interface_base, "this client knows no interface origin"
        if self._twin is None:
            twin = copy.copy(self)  # shares self.http, hence the cookies
            twin.base, twin.origin, twin._twin = self.interface_base, "interfaces", None
            self._twin = twin
        self._twin.csrf = self.csrf
        return self._twin

    def at(self, path: str) -> Client:
        """Return the client for the origin that serves ``path`` (proxied pages: interfaces)."""
        return self.interfaces if is_proxied(path) else self

    def refresh_csrf(self) -> str:
        """Fetch a CSRF token for this session."""
        self.csrf = self.get("/api/auth/csrf").json()["csrf_token"]
        return self.csrf

    def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: Any = None,
        files: Any = None,
        headers: dict[str, str] | None = None,
        csrf: bool = True,
        timeout: float = REQUEST_TIMEOUT,
        note: str = "",
    ) -> requests.Response:
        """Send ``path`` byte for byte (no dot-segment removal); mutations carry the token."""
        sent = {}
        if csrf and method not in ("GET", "HEAD", "OPTIONS") and self.csrf:
            sent["X-CSRFToken"] = self.csrf
        sent.update(headers or {})
        request = requests.Request(
            method, self.base + "/", headers=sent, json=json, data=data, files=files
        )
        prepared = self.http.prepare_request(request)
        prepared.url = self.base + path
        response = self.http.send(prepared, allow_redirects=False, timeout=timeout)
        FIGURES.response(method, path, self.role, response.status_code, self._note(note))
        if response.headers.get("Content-Type", "").startswith("application/json"):
            try:
                body = response.json()
            except ValueError:
                body = None
            if isinstance(body, dict) and isinstance(body.get("csrf_token"), str):
                self.csrf = body["csrf_token"]
        return response

    def raw(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> RawResponse:
        """Send ``path`` with http.client, unchanged (urllib3 re-encodes "\\" and "%2e")."""
        parts = urlsplit(self.base)
        sent = {"Cookie": self.cookie_header()} if self.http.cookies else {}
        if method not in ("GET", "HEAD", "OPTIONS") and self.csrf:
            sent["X-CSRFToken"] = self.csrf
        if body:
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(method, path, body=body or None, headers=sent)
            answer = connection.getresponse()
            response = RawResponse(answer.status, dict(answer.getheaders()), answer.read())
        finally:
            connection.close()
        FIGURES.response(method, path, self.role, response.status_code, self._note("(raw)"))
        return response

    def _note(self, note: str) -> str:
        """Return a note for the figures, naming the interfaces' origin when used."""
        return f"{note} (interface origin)".strip() if self.origin == "interfaces" else note

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        """Send a GET."""
        return self.send("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        """Send a POST (an empty JSON object when no body is given)."""
        if json is None and "data" not in kwargs and "files" not in kwargs:
            json = {}
        return self.send("POST", path, json=json, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        """Send a PUT."""
        return self.send("PUT", path, json=json, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        """Send a DELETE."""
        return self.send("DELETE", path, **kwargs)

    def ok(self, method: str, path: str, expected: int = 200, **kwargs: Any) -> Any:
        """Send and require ``expected``; return the JSON body."""
        response = self.send(method, path, **kwargs)
        assert response.status_code == expected, (method, path, response.status_code, response.text)
        return response.json() if response.content else None

    def cookie_header(self) -> str:
        """Return this session's cookies as a Cookie header."""
        return "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())

    def close(self) -> None:
        """Close the HTTP session (that of :attr:`interfaces` too: it is the same)."""
        self.http.close()


class LiveLogs:
    """A Socket.IO client on ``/logs`` with a logged-in client's cookies; records events."""

    def __init__(
        self,
        url: str,
        client: Client | None = None,
        headers: dict[str, str] | None = None,
        origin: str | None = None,
        transport: str = "websocket",
    ) -> None:
        import socketio

        self.events: list[tuple[str, Any]] = []
        self._changed = threading.Condition()
        extra = {"origin": origin} if origin and transport == "websocket" else {}
        self.sio = socketio.Client(reconnection=False, websocket_extra_options=extra)
        for name in ("log", "status", "error"):
            self.sio.on(name, self._recorder(name), namespace="/logs")
        sent = dict(headers or {})
        if client is not None:
            sent["Cookie"] = client.cookie_header()
        if origin and transport == "polling":
            sent["Origin"] = origin
        self.sio.connect(url, headers=sent, namespaces=["/logs"], transports=[transport],
                         wait_timeout=SOCKET_TIMEOUT)  # fmt: skip

    def _recorder(self, name: str):
        def record(data: Any) -> None:
            with self._changed:
                self.events.append((name, data))
                self._changed.notify_all()

        return record

    def subscribe(self, execution_id: Any) -> None:
        """Ask for an execution's live log."""
        self.sio.emit("subscribe", {"execution_id": execution_id}, namespace="/logs")

    def wait_event(self, predicate, timeout: float = SOCKET_TIMEOUT) -> tuple[str, Any] | None:
        """Wait for an event that matches ``predicate(name, data)``; None after ``timeout``."""
        with self._changed:
            found = self._changed.wait_for(
                lambda: next((e for e in self.events if predicate(*e)), None), timeout
            )
        return found or None

    def close(self) -> None:
        """Disconnect."""
        if self.sio.connected:
            self.sio.disconnect()


def connects(url: str, client: Client | None = None, **options: Any) -> bool:
    """Try a Socket.IO connection on ``/logs`` and close it; return True when it connected.

    ``options`` are those of :class:`LiveLogs` (``headers``, ``origin``, ``transport``); a
    connection the server refuses outright counts as not connected.
    """
    import socketio

    try:
        live = LiveLogs(url, client, **options)
    except socketio.exceptions.ConnectionError:
        return False
    connected = live.sio.connected
    live.close()
    return connected


def body_text(response: requests.Response) -> str:
    """Return a response body as text, whatever its encoding."""
    return response.content.decode("utf-8", errors="replace")


def origin_of(url: str) -> str:
    """Return scheme://host:port of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
