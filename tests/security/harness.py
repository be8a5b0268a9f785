"""The security suite's harness: real managers on private homes, their users and groups.

A :class:`Manager` copies the suite's script groups (``tests/security/groups``) to a fresh
folder, makes the admin ``ADMIN`` with ``create-admin``, starts ``scriptsmanager --server``
on it and hands out logged-in :class:`~tests.security.clients.Client` objects; it knows
the ids of the catalog and starts runs and interfaces. The server listens on two origins:
``url`` (the manager) and ``interface_url`` (proxied script pages only, the port it
printed); a client reaches the latter through its ``interfaces``. :func:`running_manager` makes one
for a fixture, with the users of ``ACCOUNTS``, and stops it after.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from server.services.ports import can_bind
from tests.security.clients import Client
from tests.security.figures import FIGURES
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
NO_RUN = "00000000-0000-4000-8000-000000000000"  # an execution id no run has
RUN_TIMEOUT = 60  # a short script run to its end on a loaded machine
INTERFACE_TIMEOUT = 120  # an interface script started until its port answers


def free_port_block(size: int = PORT_BLOCK) -> int:
    """Return the first port of ``size`` consecutive ports that are free right now."""
    for _ in range(200):
        start = random.randrange(21000, 60000 - size)
        if all(can_bind(port) for port in range(start, start + size)):
            return start
    raise RuntimeError("no free block of ports")


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
            "INTERFACE_START_TIMEOUT": str(INTERFACE_TIMEOUT),  # the manager's own deadline
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
        self.interface_url = self.server.interface_url.rstrip("/")
        self.interface_port = int(self.interface_url.rsplit(":", 1)[1])
        assert self.interface_port != self.port, self.output()
        openapi = requests.get(self.url + "/api/openapi.json", timeout=60)
        FIGURES.learn_routes(openapi.json())

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
        client = Client(self.url, interface_base=self.interface_url)
        self.clients.append(client)
        return client

    def login(self, username: str, password: str = PASSWORD) -> Client:
        """Return a new client logged in as ``username``."""
        level = ACCOUNTS.get(username, "admin")
        client = Client(self.url, level, username, self.interface_url)
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
            self.catalog()
        return self._ids[key]

    def catalog(self) -> dict[tuple[str, str], int]:
        """Return every script the admin sees, (group folder, filename) -> id; keep the ids."""
        admin, found = self.admin(), {}
        for group in admin.get("/api/script-groups").json()["items"]:
            self._ids[f"group:{group['folder']}"] = group["id"]
            scripts = admin.get(f"/api/script-groups/{group['id']}/scripts").json()["items"]
            found.update({(group["folder"], s["filename"]): s["id"] for s in scripts})
        self._ids.update({f"script:{folder}:{name}": id_ for (folder, name), id_ in found.items()})
        return found

    def script_id(self, filename: str, folder: str = GROUP) -> int:
        """Return the id of a script of a group."""
        if f"script:{folder}:{filename}" not in self._ids:
            self.catalog()
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

    def finished(self, client: Client, execution_id: str,
                 timeout: float = RUN_TIMEOUT) -> dict[str, Any]:  # fmt: skip
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

        return wait_for(ready, INTERFACE_TIMEOUT, f"interface {filename} not ready")


@contextmanager
def running_manager(root: Path, admin: bool = True, env: dict[str, str] | None = None,
                    prepare=None) -> Iterator[Manager]:  # fmt: skip
    """Start a manager (with the users of ACCOUNTS when it has an admin); stop it after."""
    running = Manager(root, admin, env, prepare)
    try:
        if admin:
            running.create_users()
        yield running
    finally:
        running.stop()


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
