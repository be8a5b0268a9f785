"""Black-box security suite: real ``scriptsmanager --server`` processes, real clients.

Fixtures (all opt-in, except the collector):

- ``shared_manager`` (session): a real server on a fresh home with the suite's script
  groups (``tests/security/groups``, plus the symbolic links of :func:`add_link_groups`),
  the admin ``admin`` made by ``create-admin`` and the users of ``ACCOUNTS`` made through
  ``POST /api/admin/users``.
- ``manager`` (module): the shared manager; a module that sets ``MANAGER_OPTIONS =
  {"admin": False, "env": {...}, "prepare": fn(groups, root)}`` gets a private one.
- ``browser`` (session): headless Debian Chromium, launched as tests/browser does.
- ``bad``: a :class:`BadInputs` tally; call ``bad.check(refused, detail)`` per bad input,
  then ``bad.assert_none()``.
- ``figures`` (session): the collector itself, for modules that count by hand.

The collector (hooks, always on) files each test under its module's ``SECURITY_CLASS``,
counts bad inputs tried and accepted, every 5xx answer seen by a :class:`Client` (a 5xx
fails the test that got it) and the (route, role) cells requested; the table is printed
at the end of the session.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from tests.support import RunningServer, free_port, start_server, stop_server, wait_for

HERE = Path(__file__).resolve().parent
SUITE_GROUPS = HERE / "groups"
ADMIN = "admin"
PASSWORD = "S3curity-Suite-Pass"
LEVELS = ("viewer", "operator", "developer", "admin")
ROLES = ("anonymous", *LEVELS)
# username -> level; ROLE_USERS picks the one that stands for each level in the matrix.
ACCOUNTS = {"vera": "viewer", "alice": "operator", "bob": "operator", "dave": "developer",
            "ada": "admin", "sacrifice": "viewer"}  # fmt: skip
ROLE_USERS = {"viewer": "vera", "operator": "alice", "developer": "dave", "admin": "ada"}
GROUP = "secgroup"
PORT_BLOCK = 20
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-sync",
    "--disable-component-update",
    "--no-first-run",
]
PAGE_TEMPLATES = (
    "/", "/login", "/setup", "/auth/window", "/groups/{group_id}", "/scripts/{script_id}",
    "/logs", "/logs/{execution_id}", "/account", "/admin/users", "/admin/interfaces",
    "/interfaces/{session_id}/", "/interfaces/{session_id}/app/{path}", "/socket.io/",
    "/assets/{path}",
)  # fmt: skip


# -- the collector -----------------------------------------------------------------------


@dataclass
class ClassFigures:
    """What one class of attacks tried and saw."""

    tests: set[str] = field(default_factory=set)
    tried: int = 0
    accepted: int = 0
    server_errors: int = 0
    cells: set[tuple[str, str]] = field(default_factory=set)


class Figures:
    """Counts per class; 5xx answers per test."""

    def __init__(self) -> None:
        self.classes: dict[str, ClassFigures] = {}
        self.current_class = "setup"
        self.current_test = ""
        self.errors: dict[str, list[str]] = {}
        self.templates: list[tuple[re.Pattern[str], str]] = []
        self._lock = threading.Lock()

    def begin(self, nodeid: str, security_class: str) -> None:
        """File what follows under a test and its class."""
        self.current_test, self.current_class = nodeid, security_class
        self.of(security_class).tests.add(nodeid)

    def of(self, name: str) -> ClassFigures:
        """Return the figures of a class (created on first use)."""
        return self.classes.setdefault(name, ClassFigures())

    def bad_input(self, accepted: bool) -> None:
        """Count one bad input of the current class."""
        with self._lock:
            figures = self.of(self.current_class)
            figures.tried += 1
            figures.accepted += int(accepted)

    def response(self, method: str, path: str, role: str, status: int, note: str = "") -> None:
        """Record one answer: its (route, role) cell and whether it was a 5xx."""
        with self._lock:
            figures = self.of(self.current_class)
            route = self.route_of(path)
            if route:
                figures.cells.add((f"{method} {route}", role))
            if status >= 500:
                figures.server_errors += 1
                line = f"{status} for {method} {path} as {role} {note}".rstrip()
                self.errors.setdefault(self.current_test, []).append(line)

    def learn_routes(self, openapi: dict[str, Any]) -> None:
        """Know the API's path templates (and the pages'), to name the cells."""
        if self.templates:
            return
        for template in [*openapi["paths"], *PAGE_TEMPLATES]:
            pattern = re.escape(template)
            pattern = re.sub(r"\\\{(path|filename)\\\}", ".+", pattern)
            pattern = re.sub(r"\\\{\w+\\\}", "[^/]+", pattern)
            self.templates.append((re.compile(f"^{pattern}$"), template))
        self.templates.sort(key=lambda item: item[1].count("{"))

    def route_of(self, path: str) -> str | None:
        """Return the template a path matches, None when it matches none."""
        bare = path.split("?", 1)[0]
        for pattern, template in self.templates:
            if pattern.match(bare):
                return template
        return None


FIGURES = Figures()


def pytest_runtest_setup(item: pytest.Item) -> None:
    """File the test under its module's SECURITY_CLASS (else a name made from the module)."""
    module = getattr(item, "module", None)
    name = getattr(module, "SECURITY_CLASS", None)
    if name is None and module is not None:
        name = module.__name__.rsplit(".", 1)[-1].removeprefix("test_").replace("_", " ")
    FIGURES.begin(item.nodeid, name or "other")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    """Fail a test that passed although a 5xx answer was seen while it ran."""
    outcome = yield
    report = outcome.get_result()
    errors = FIGURES.errors.get(item.nodeid)
    if call.when == "call" and errors and report.passed:
        report.outcome = "failed"
        report.longrepr = "server errors (5xx) seen:\n" + "\n".join(errors[:20])


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Print the figures table: per class, tests, bad inputs, accepted, 5xx, cells."""
    ran = {k: v for k, v in FIGURES.classes.items() if v.tests and k != "setup"}
    rows = {k: v for k, v in ran.items() if v.tried or v.cells}
    if not ran:
        return
    write = terminalreporter.write_line
    terminalreporter.section("security figures")
    header = f"{'class':<28} {'tests':>5} {'bad inputs':>10} {'accepted':>8} {'5xx':>5} "
    write(header + f"{'routes x roles':>14}")
    total = ClassFigures()
    for name, row in sorted(rows.items()):
        write(
            f"{name:<28} {len(row.tests):>5} {row.tried:>10} {row.accepted:>8} "
            f"{row.server_errors:>5} {len(row.cells):>14}"
        )
        total.tests |= row.tests
        total.tried, total.accepted = total.tried + row.tried, total.accepted + row.accepted
        total.server_errors += row.server_errors
        total.cells |= row.cells
    write(
        f"{'all classes':<28} {len(total.tests):>5} {total.tried:>10} {total.accepted:>8} "
        f"{total.server_errors:>5} {len(total.cells):>14}"
    )
    uncounted = sorted(set(ran) - set(rows))
    if uncounted:  # modules with their own clients (e.g. the Schemathesis fuzzing)
        write(f"not counted here (own clients): {', '.join(uncounted)}")


@pytest.fixture(scope="session")
def figures() -> Figures:
    """Return the collector."""
    return FIGURES


class BadInputs:
    """The bad inputs of one test: each is refused, or listed as accepted."""

    def __init__(self) -> None:
        self.accepted: list[str] = []
        self.tried = 0

    def check(self, refused: bool, detail: str) -> bool:
        """Count one bad input; remember it when it was accepted. Return ``refused``."""
        self.tried += 1
        FIGURES.bad_input(not refused)
        if not refused:
            self.accepted.append(detail)
        return refused

    def assert_none(self) -> None:
        """Fail when any bad input was accepted (and when none was tried)."""
        assert self.tried, "no bad input was tried"
        listed = "\n".join(self.accepted[:40])
        assert not self.accepted, f"{len(self.accepted)}/{self.tried} accepted:\n{listed}"


@pytest.fixture
def bad() -> BadInputs:
    """Return a fresh tally of bad inputs."""
    return BadInputs()


# -- clients -----------------------------------------------------------------------------


@dataclass
class RawResponse:
    """The answer to :meth:`Client.raw`."""

    status_code: int
    headers: dict[str, str]
    content: bytes


class Client:
    """A ``requests`` session as a browser holds it: cookies, CSRF token, exact paths."""

    def __init__(self, base: str, role: str = "anonymous", username: str | None = None) -> None:
        self.base = base.rstrip("/")
        self.role = role
        self.username = username
        self.http = requests.Session()
        self.http.trust_env = False  # 127.0.0.1 only, never through an environment proxy
        self.csrf = ""
        self.refresh_csrf()

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
        timeout: float = 30,
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
        FIGURES.response(method, path, self.role, response.status_code, note)
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
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            connection.request(method, path, body=body or None, headers=sent)
            answer = connection.getresponse()
            response = RawResponse(answer.status, dict(answer.getheaders()), answer.read())
        finally:
            connection.close()
        FIGURES.response(method, path, self.role, response.status_code, "(raw)")
        return response

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
        """Close the HTTP session."""
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
                         wait_timeout=10)  # fmt: skip

    def _recorder(self, name: str):
        def record(data: Any) -> None:
            with self._changed:
                self.events.append((name, data))
                self._changed.notify_all()

        return record

    def subscribe(self, execution_id: Any) -> None:
        """Ask for an execution's live log."""
        self.sio.emit("subscribe", {"execution_id": execution_id}, namespace="/logs")

    def wait_event(self, predicate, timeout: float = 10) -> tuple[str, Any] | None:
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


def body_text(response: requests.Response) -> str:
    """Return a response body as text, whatever its encoding."""
    return response.content.decode("utf-8", errors="replace")


# -- the API's operations ------------------------------------------------------------------

NO_RUN = "00000000-0000-4000-8000-000000000000"
LOGOUT = "POST /api/auth/logout"


@dataclass(frozen=True)
class Operation:
    """One method on one path of /api/openapi.json."""

    method: str
    template: str
    level: str
    has_body: bool

    @property
    def key(self) -> str:
        """Return "METHOD /template"."""
        return f"{self.method} {self.template}"

    def path(self, values: dict[str, Any]) -> str:
        """Return the path with each ``{name}`` replaced by ``values[name]`` (else 1)."""
        return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), 1)), self.template)


def operations(openapi: dict[str, Any]) -> list[Operation]:
    """Return every operation of the OpenAPI document, logout last."""
    found = [
        Operation(method.upper(), template, spec.get("x-required-level"), "requestBody" in spec)
        for template, methods in openapi["paths"].items()
        for method, spec in methods.items()
        if method.upper() in ("GET", "POST", "PUT", "DELETE", "PATCH")
    ]
    return sorted(found, key=lambda op: op.key == LOGOUT)


def valid_body(op: Operation, values: dict[str, Any], tag: str) -> Any:
    """Return a body that the operation would act on (used where acting is the failure)."""
    bodies: dict[str, Any] = {
        "POST /api/admin/users": {"username": f"made_{tag}", "email": f"made_{tag}@example.com",
                                  "password": PASSWORD, "user_level": "viewer"},
        "PUT /api/admin/users/{user_id}": {"email": f"changed_{tag}@example.com"},
        "POST /api/auth/login": {"username": "bob", "password": PASSWORD},
        "POST /api/auth/password": {"current_password": PASSWORD, "new_password": PASSWORD},
        "POST /api/auth/setup": {"username": f"boss_{tag}", "email": f"boss_{tag}@example.com",
                                 "password": PASSWORD},
        "POST /api/projects": {"project_name": f"made_{tag}", "group_id": values["group_id"]},
        "PUT /api/projects/{project_id}": {"description": f"changed {tag}"},
        "POST /api/data/{group_id}/{project_id}/{filename}": {"made": tag},
        "POST /api/docs/preview": {"markdown": "# x"},
        "POST /api/script-groups/{group_id}/conda": {"environment": None},
        "PUT /api/scripts/{script_id}/description-long": {"markdown": f"# {tag}", "language": "en"},
        "POST /api/scripts/{script_id}/execute": {"parameters": {"text": tag}},
        "PUT /api/scripts/{script_id}/metadata": {"category": f"c_{tag}"},
        "PUT /api/scripts/{script_id}/tags": {"tags": [f"t_{tag}"]},
        "POST /api/user/preferences": {"theme": "dark"},
        "POST /api/scripts/{script_id}/ping-interface": {"session_id": values["session_id"]},
        "POST /api/scripts/{script_id}/close-interface": {"session_id": values["session_id"]},
        "POST /api/admin/logs/export": {"format": "json"},
    }  # fmt: skip
    return bodies.get(op.key, {})


# -- the manager -------------------------------------------------------------------------


def free_port_block(size: int = PORT_BLOCK) -> int:
    """Return the first port of ``size`` consecutive ports that are free right now."""
    for _ in range(200):
        start = random.randrange(21000, 60000 - size)
        if all(_bindable(port) for port in range(start, start + size)):
            return start
    raise RuntimeError("no free block of ports")


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class Manager:
    """One real manager on a private home, with its users and the suite's groups."""

    def __init__(self, root: Path, admin: bool = True, env: dict[str, str] | None = None,
                 prepare=None) -> None:  # fmt: skip
        self.root = root
        self.home = root / "home"
        self.groups = root / "groups"
        shutil.copytree(SUITE_GROUPS, self.groups)
        if prepare is not None:
            prepare(self.groups, root)
        self.port_start = free_port_block()
        self.port_end = self.port_start + PORT_BLOCK - 1
        self.env = {
            **os.environ,
            "SCRIPTSMANAGER_HOME": str(self.home),
            "SCRIPT_GROUPS_PATH": str(self.groups),
            "CONDA_AUTO_DETECT": "0",
            "CLEANUP_INTERVAL": "1",
            "PORT_RANGE_START": str(self.port_start),
            "PORT_RANGE_END": str(self.port_end),
            **(env or {}),
        }
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
            self.env.pop(name, None)
        if admin:
            subprocess.run(
                [sys.executable, "-m", "desktop.launcher", "create-admin", "--username", ADMIN,
                 "--password", PASSWORD],
                env=self.env, check=True, capture_output=True, timeout=60,
            )  # fmt: skip
        self.server: RunningServer | None = None
        self.clients: list[Client] = []
        self._ids: dict[str, Any] = {}
        self.start()

    # life

    def start(self) -> None:
        """Start (or start again) the server on this home."""
        self._ids.pop("admin-client", None)  # clients of a previous server talk to its port
        self.port = free_port()
        self.server = start_server(self.home, self.port, env=self.env)
        self.url = f"http://127.0.0.1:{self.port}"
        FIGURES.learn_routes(requests.get(self.url + "/api/openapi.json", timeout=10).json())

    def stop(self) -> None:
        """Close the clients and stop the server (by PID, SIGTERM)."""
        for client in self.clients:
            client.close()
        self.clients.clear()
        if self.server is not None and self.server.process.poll() is None:
            stop_server(self.server, signal.SIGTERM)

    def output(self) -> str:
        """Return what the server printed on its console."""
        return self.server.output() if self.server else ""

    # people

    def create_users(self) -> None:
        """Create the users of ACCOUNTS through POST /api/admin/users."""
        admin = self.login(ADMIN)
        for username, level in ACCOUNTS.items():
            body = {"username": username, "email": f"{username}@example.com",
                    "password": PASSWORD, "user_level": level}  # fmt: skip
            created = admin.post("/api/admin/users", body)
            assert created.status_code == 201, created.text
            self._ids[f"user:{username}"] = created.json()["user"]["id"]

    def anonymous(self) -> Client:
        """Return a new client that is not logged in."""
        client = Client(self.url)
        self.clients.append(client)
        return client

    def login(self, username: str, password: str = PASSWORD) -> Client:
        """Return a new client logged in as ``username``."""
        level = ACCOUNTS.get(username, "admin")
        client = Client(self.url, level, username)
        response = client.post("/api/auth/login", {"username": username, "password": password})
        assert response.status_code == 200, (username, response.status_code, response.text)
        self.clients.append(client)
        return client

    def as_role(self, role: str) -> Client:
        """Return a client for a role of the matrix (anonymous or a level)."""
        return self.anonymous() if role == "anonymous" else self.login(ROLE_USERS[role])

    def user_id(self, username: str) -> int:
        """Return a user's id."""
        if f"user:{username}" not in self._ids:
            items = self.admin().get("/api/admin/users?per_page=200").json()["items"]
            self._ids.update({f"user:{u['username']}": u["id"] for u in items})
        return self._ids[f"user:{username}"]

    def admin(self) -> Client:
        """Return the (one, cached) client of the admin made by create-admin."""
        if "admin-client" not in self._ids:
            self._ids["admin-client"] = self.login(ADMIN)
        return self._ids["admin-client"]

    def audit(self, action: str) -> list[dict[str, Any]]:
        """Return the audit events whose action starts with ``action`` (newest first)."""
        path = self.audit_path()
        answer = self.admin().get(f"{path}?action={action}&per_page=200")
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
        return answer.json()["items"]

    def audit_path(self) -> str:
        """Return the path of the audit-event list, as the OpenAPI document names it."""
        paths = self.admin().get("/api/openapi.json").json()["paths"]
        for path, methods in paths.items():
            operation = methods.get("get", {})
            if path.endswith("/audit") and operation.get("x-required-level") == "admin":
                return path
        raise AssertionError("no audit route in the OpenAPI document")

    # catalog

    def group_id(self, folder: str = GROUP) -> int:
        """Return the id of the group in ``folder``."""
        key = f"group:{folder}"
        if key not in self._ids:
            self.load_catalog()
        return self._ids[key]

    def load_catalog(self) -> None:
        """Learn every group's and script's id (as the admin sees them)."""
        for item in self.admin().get("/api/script-groups").json()["items"]:
            self._ids[f"group:{item['folder']}"] = item["id"]
            scripts = self.admin().get(f"/api/script-groups/{item['id']}/scripts").json()
            for script in scripts["items"]:
                self._ids[f"script:{item['folder']}:{script['filename']}"] = script["id"]

    def script_id(self, filename: str, folder: str = GROUP) -> int:
        """Return the id of a script of a group."""
        if f"script:{folder}:{filename}" not in self._ids:
            self.load_catalog()
        return self._ids[f"script:{folder}:{filename}"]

    def project_id(self, client: Client, folder: str = GROUP) -> int:
        """Return the default project of a client's user in a group (created on first use)."""
        items = client.get(f"/api/projects?group_id={self.group_id(folder)}").json()["items"]
        return next(p["id"] for p in items if p["is_default"])

    def data_folder(self, username: str, project: str = "project_default",
                    folder: str = GROUP) -> Path:  # fmt: skip
        """Return the data folder of a user's project."""
        return self.home / "data" / "script_groups" / folder / username / project

    def values_for(self, client: Client) -> dict[str, Any]:
        """Return real ids to put in paths for this client (its own where it has any)."""
        values: dict[str, Any] = {
            "group_id": self.group_id(),
            "script_id": self.script_id("echo_args.py"),
            "execution_id": NO_RUN,
            "session_id": "no-such-session",
            "user_id": self.user_id("sacrifice"),  # admin routes may delete or change it
            "filename": "probe.json",
            "name": "manager",
            "language": "en",
            "project_id": 1,
        }
        if client.username:
            values["project_id"] = self.project_id(client)
            runs = client.get("/api/logs/execution").json().get("items", [])
            if runs:
                values["execution_id"] = runs[0]["execution_id"]
        return values

    # runs

    def run(self, client: Client, filename: str, parameters: dict[str, Any] | None = None,
            project_id: int | None = None, files: dict[str, Any] | None = None,
            folder: str = GROUP) -> str:  # fmt: skip
        """Start a script and return its execution id."""
        path = f"/api/scripts/{self.script_id(filename, folder)}/execute"
        if files:
            form = {"parameters": json.dumps(parameters or {})}
            if project_id is not None:
                form["project_id"] = str(project_id)
            response = client.post(path, data=form, files=files)
        else:
            body: dict[str, Any] = {"parameters": parameters or {}}
            if project_id is not None:
                body["project_id"] = project_id
            response = client.post(path, body)
        assert response.status_code == 202, (filename, response.status_code, response.text)
        return response.json()["execution_id"]

    def finished(self, client: Client, execution_id: str, timeout: float = 30) -> dict[str, Any]:
        """Wait for a run to end; return its detail."""

        def ended():
            response = client.get(f"/api/logs/execution/{execution_id}")
            assert response.status_code == 200, (response.status_code, response.text[:500])
            detail = response.json()
            return detail if detail["status"] != "running" else None

        return wait_for(ended, timeout)

    def interface(self, client: Client, filename: str = "iface.py") -> dict[str, Any]:
        """Run an interface script and wait until its session is ready; return the session."""
        execution_id = self.run(client, filename)
        script = self.script_id(filename)

        def ready():
            items = client.get(f"/api/scripts/{script}/interface-status").json()["items"]
            mine = [s for s in items if s["execution_id"] == execution_id]
            return mine[0] if mine and mine[0]["status"] == "ready" else None

        return wait_for(ready, 30)


def add_link_groups(groups: Path, root: Path) -> None:
    """Add scripts and a group that are symbolic links to files outside the groups folder.

    ``linkgroup/outside.py`` and the whole ``linkdir`` group point outside; running either
    would create ``<root>/outside/RAN-*``. ``linkgroup/victim.py`` starts as a plain file.
    """
    outside = root / "outside"
    (outside / "group").mkdir(parents=True)
    for name, path in (("outside", "outside.py"), ("victim", "victim.py"),
                       ("linkdir", "group/inner.py")):  # fmt: skip
        marker = outside / f"RAN-{name}"
        (outside / path).write_text(
            f"from pathlib import Path\nPath({str(marker)!r}).write_text('ran')\nprint('RAN')\n"
        )
    group = groups / "linkgroup"
    group.mkdir()
    (group / "metadata.json").write_text(json.dumps({"name": "Links", "required_level": "viewer"}))
    (group / "real.py").write_text("print('REAL')\n")
    (group / "victim.py").write_text("print('VICTIM')\n")
    (group / "outside.py").symlink_to(outside / "outside.py")
    (outside / "group" / "metadata.json").write_text(json.dumps({"name": "Linked dir"}))
    (groups / "linkdir").symlink_to(outside / "group", target_is_directory=True)


@pytest.fixture(scope="session")
def shared_manager(tmp_path_factory):
    """One manager for every module that needs nothing special."""
    running = Manager(tmp_path_factory.mktemp("shared"), prepare=add_link_groups)
    try:
        running.create_users()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def manager(request, tmp_path_factory):
    """The shared manager, or a private one for a module that sets MANAGER_OPTIONS."""
    options = getattr(request.module, "MANAGER_OPTIONS", None)
    if options is None:
        yield request.getfixturevalue("shared_manager")
        return
    admin = options.get("admin", True)
    running = Manager(
        tmp_path_factory.mktemp("security"), admin, options.get("env"), options.get("prepare")
    )
    try:
        if admin:
            running.create_users()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def browser():
    """Launch Debian's headless Chromium (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; install Debian's chromium package")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def log_in(page, manager: Manager, username: str, password: str = PASSWORD) -> None:
    """Log in through the login page as a person does, and wait for the dashboard."""
    page.goto(manager.url + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#sm-login-submit")
    page.wait_for_url(manager.url + "/")


def origin_of(url: str) -> str:
    """Return scheme://host:port of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
