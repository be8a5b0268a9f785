"""Shared fixtures.

- ``settings``: resolved settings on a fresh home under ``tmp_path`` (no environment).
- ``app``: a manager app on those settings (real SQLite database, migrated; a PostgreSQL
  database of its own under ``python -m tests.postgres``).
- ``client``: a :class:`JsonClient` on ``app`` that carries the CSRF header.
- ``make_user``: factory ``make_user(username=..., level=..., password=...)``.
- ``login``: ``login(user) -> JsonClient`` logged in as that user.
- ``admin``: an admin user (``admin.password`` holds its password).
- ``groups``: a :class:`GroupWriter` on the app's (initially empty) script-groups folder.
- ``browser``: one headless Debian Chromium for the whole session (Playwright's sync API
  runs one instance per process, so the browser and security suites share it).

On Windows the tests that need Linux are skipped with their reason (``LINUX_ONLY``).
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from server.app import create_app, shutdown_app
from server.services.audit import Actor
from server.services.registry import EXTENSION_KEY, Services
from server.services.registry import services as services_of
from server.settings import Settings
from tests.chromium import patient_chromium
from tests.support import (
    TEST_DATABASE_VARIABLE,
    GroupWriter,
    JsonClient,
    fresh_database,
    make_settings,
)

DEFAULT_PASSWORD = "Corr3ct-Horse-Battery"

# Test ids (prefixes) that need Linux, with the reason shown when they are skipped.
POSIX_STOP = "stops a child with SIGTERM/SIGINT and expects the POSIX outcome"
LINUX_ONLY = {
    "tests/desktop/": "runs the desktop windows on Xvfb with openbox and wmctrl",
    "tests/backups/test_live_kill.py": "kills the server's process group (os.killpg, POSIX)",
    "tests/security/test_crash_reap.py": "kills the manager's process group (os.killpg, POSIX)",
    "tests/test_celery_backend.py": "a Redis server and SIGKILLed workers (POSIX signals)",
    "tests/test_cli.py::test_server_serves_and_stops_cleanly": "gunicorn; " + POSIX_STOP,
    "tests/sdk/test_sdk.py::test_sigterm_stops_cleanly": POSIX_STOP,
    "tests/sdk/test_sdk.py::test_sigint_also_stops_cleanly": POSIX_STOP,
    "tests/sdk/test_sdk.py::test_sigterm_raises_terminated_in_a_batch_script": (
        "sends SIGTERM to the test process itself, which Windows ends at once"
    ),
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """On Windows, skip the tests listed in LINUX_ONLY; under ``python -m tests.postgres``,
    those marked ``sqlite_only``."""
    postgres = bool(os.environ.get(TEST_DATABASE_VARIABLE))
    sqlite_only = pytest.mark.skip(reason="SQLite only (this run is against PostgreSQL)")
    for item in items:
        if postgres and "sqlite_only" in item.keywords:
            item.add_marker(sqlite_only)
        if sys.platform != "win32":
            continue
        for prefix, reason in LINUX_ONLY.items():
            if item.nodeid.startswith(prefix):
                item.add_marker(pytest.mark.skip(reason=f"Linux only: {reason}"))
                break


@dataclass
class TestUser:
    """A user created for a test, with the password it was given."""

    id: int
    username: str
    level: str
    password: str


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    """Settings on a fresh home; with SCRIPTSMANAGER_TEST_DATABASE_URL (``python -m
    tests.postgres``), a database of the test's own on that PostgreSQL server."""
    with fresh_database() as database_url:
        extra = {"database_url": database_url} if database_url else {}
        yield make_settings(tmp_path / "home", **extra)


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


@pytest.fixture(scope="session")
def browser():
    with patient_chromium() as chromium:
        yield chromium
