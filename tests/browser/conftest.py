"""Browser fixtures (Playwright driving Debian's Chromium, never a downloaded browser).

- ``browser``: one headless Chromium per session; its contexts wait up to ``TIMEOUT_MS``.
- ``live_server``: a real ``scriptsmanager --server`` on a fresh home and a copy of the
  shipped script groups, with the admin ``admin`` / ``ADMIN_PASSWORD``.
- ``page``: a new page (own cookies) whose console errors fail the test.

Every wait is on a state (an element, a URL, a response), never on time; its deadline is
generous so that a loaded machine is slow, not failing: ``TIMEOUT_MS`` for Playwright
actions, navigations and ``expect`` assertions.
- ``shot``: ``shot(page, name)`` saves a screenshot under tests/artifacts/.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.chromium import TIMEOUT_MS
from tests.support import free_port, start_server, stop_server

ADMIN_PASSWORD = "Br0wser-Admin-Pass"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
expect.set_options(timeout=TIMEOUT_MS)
# Chromium logs this itself when Socket.IO reconnects to a server that has stopped (a test
# stops its server while the page is still open). Socket.IO retries by itself; a person
# whose server went away loses nothing to it. Only this message, on loopback, is ignored.
SOCKETIO_RECONNECT_REFUSED = re.compile(
    r"WebSocket connection to 'ws://127\.0\.0\.1:\d+/socket\.io/\?EIO=4&transport=websocket' "
    r"failed: Error in connection establishment: net::ERR_CONNECTION_REFUSED"
)


@pytest.fixture
def live_server(tmp_path, browser):
    home = tmp_path / "home"
    groups = tmp_path / "groups"
    shutil.copytree(Path(__file__).resolve().parents[2] / "script_groups", groups)
    environ = {
        **os.environ,
        "SCRIPTSMANAGER_HOME": str(home),
        "SCRIPT_GROUPS_PATH": str(groups),
        "INTERFACE_START_TIMEOUT": "120",  # a loaded machine starts an interface slowly
    }
    subprocess.run(
        [
            sys.executable,
            "-m",
            "desktop.launcher",
            "create-admin",
            "--username",
            "admin",
            "--password",
            ADMIN_PASSWORD,
        ],
        env=environ,
        check=True,
        capture_output=True,
        timeout=60,
    )
    server = start_server(home, free_port(), env=environ)
    server.groups = groups
    server.home = home
    yield server
    # Close the pages first: an open page's Socket.IO connection would hold the server's
    # graceful stop for its full timeout, and then reconnect to the stopped server.
    for context in list(browser.contexts):
        context.close()
    stop_server(server, signal.SIGTERM)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []

    def on_console(msg) -> None:
        # Expected 4xx answers (a wrong password) show as "Failed to load resource"; see
        # SOCKETIO_RECONNECT_REFUSED for the other message that is not an error of the page.
        if msg.type != "error" or msg.text.startswith("Failed to load resource"):
            return
        if SOCKETIO_RECONNECT_REFUSED.fullmatch(msg.text):
            return
        errors.append(msg.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], f"browser console errors: {errors}"


@pytest.fixture
def shot():
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
