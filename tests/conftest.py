"""Shared fixtures.

- ``settings``: resolved settings on a fresh home under ``tmp_path`` (no environment).
- ``app``: a manager app on those settings (real SQLite database, migrated).
- ``client``: a :class:`JsonClient` on ``app`` that carries the CSRF header.
- ``make_user``: factory ``make_user(username=..., level=..., password=...)``.
- ``login``: ``login(user) -> JsonClient`` logged in as that user.
- ``admin``: an admin user (``admin.password`` holds its password).
- ``groups``: a :class:`GroupWriter` on the app's (initially empty) script-groups folder.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from server.app import create_app, shutdown_app
from server.services.audit import Actor
from server.services.registry import EXTENSION_KEY, Services
from server.services.registry import services as services_of
from server.settings import Settings, load_settings

DEFAULT_PASSWORD = "Corr3ct-Horse-Battery"


@dataclass
class TestUser:
    """A user created for a test, with the password it was given."""

    id: int
    username: str
    level: str
    password: str


class JsonClient:
    """A Flask test client that speaks JSON and sends the CSRF token on mutations."""

    def __init__(self, client: FlaskClient) -> None:
        self.raw = client
        self.csrf = client.get("/api/auth/csrf").get_json()["csrf_token"]

    def call(self, method: str, path: str, json: Any = None, csrf: bool = True, **kwargs):
        """Send a request; mutations carry X-CSRFToken unless ``csrf`` is False."""
        headers = dict(kwargs.pop("headers", {}))
        if csrf and method != "GET":
            headers["X-CSRFToken"] = self.csrf
        response = self.raw.open(path, method=method, json=json, headers=headers, **kwargs)
        body = response.get_json(silent=True)
        if isinstance(body, dict) and "csrf_token" in body:
            self.csrf = body["csrf_token"]
        return response

    def get(self, path: str, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs):
        return self.call("POST", path, json={} if json is None else json, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs):
        return self.call("PUT", path, json=json, **kwargs)

    def delete(self, path: str, **kwargs):
        return self.call("DELETE", path, **kwargs)


class GroupWriter:
    """Write script groups the way engineers do: folders, metadata.json, scripts."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def group(self, folder: str, **metadata: Any) -> Path:
        """Create or rewrite a group folder with its metadata.json."""
        path = self.root / folder
        path.mkdir(parents=True, exist_ok=True)
        body = {"name": folder.replace("_", " ").title(), "required_level": "operator", **metadata}
        (path / "metadata.json").write_text(json.dumps(body), encoding="utf-8")
        return path

    def script(
        self, folder: str, filename: str, header: str = "", code: str = "print('hi')\n"
    ) -> Path:
        """Write a script whose docstring holds ``header`` (the lines after the mark)."""
        source = f'"""\nScriptsManager Metadata:\n{header}\n"""\n{code}' if header else code
        path = self.root / folder / filename
        path.write_text(source, encoding="utf-8")
        return path


def make_settings(home: Path, **overrides: Any) -> Settings:
    """Return settings on a private home, ignoring the process environment."""
    defaults = {
        "secret_key": "test-secret-key",
        "script_groups_path": home.parent / "groups",
        "watch_script_groups": False,
        "conda_auto_detect": False,
    }
    return load_settings(environ={}, home=home, **{**defaults, **overrides})


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "home")


@pytest.fixture
def groups(settings: Settings) -> GroupWriter:
    return GroupWriter(settings.script_groups_path)


@pytest.fixture
def app(settings: Settings):
    application = create_app(settings)
    yield application
    shutdown_app(application)


@pytest.fixture
def services(app: Flask) -> Services:
    # No app context is kept pushed: requests of the test client must each get their own.
    return app.extensions[EXTENSION_KEY]


@pytest.fixture
def client(app: Flask) -> JsonClient:
    return JsonClient(app.test_client())


@pytest.fixture
def make_user(app: Flask):
    counter = itertools.count(1)

    def make(
        username: str | None = None, level: str = "operator", password: str = DEFAULT_PASSWORD
    ) -> TestUser:
        name = username or f"user{next(counter)}"
        with app.app_context():
            svc = services_of()
            user = svc.users.create(name, f"{name}@example.com", password, level, Actor.system())
            created = TestUser(user.id, user.username, level, password)
            svc.db.remove()
        return created

    return make


@pytest.fixture
def login(app: Flask):
    def log_in(user: TestUser) -> JsonClient:
        client = JsonClient(app.test_client())
        response = client.post(
            "/api/auth/login", {"username": user.username, "password": user.password}
        )
        assert response.status_code == 200, response.get_json()
        return client

    return log_in


@pytest.fixture
def admin(make_user) -> TestUser:
    return make_user("admin0", level="admin")
