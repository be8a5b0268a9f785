"""Browser fixtures (Playwright driving Debian's Chromium, never a downloaded browser).

- ``browser``: one headless Chromium per session.
- ``live_server``: a real ``scriptsmanager --server`` on a fresh home and a copy of the
  shipped script groups, with the admin ``admin`` / ``ADMIN_PASSWORD``.
- ``page``: a new page (own cookies) whose console errors fail the test.
- ``shot``: ``shot(page, name)`` saves a screenshot under tests/artifacts/.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import free_port, start_server, stop_server

ADMIN_PASSWORD = "Br0wser-Admin-Pass"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-sync",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; install Debian's chromium package")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(tmp_path):
    home = tmp_path / "home"
    groups = tmp_path / "groups"
    shutil.copytree(Path(__file__).resolve().parents[2] / "script_groups", groups)
    environ = {
        **os.environ,
        "SCRIPTSMANAGER_HOME": str(home),
        "SCRIPT_GROUPS_PATH": str(groups),
        "CLEANUP_INTERVAL": "1",  # closed tabs are reaped within seconds
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
    stop_server(server, signal.SIGTERM)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    # Expected 4xx answers (a wrong password) show as "Failed to load resource"; JS errors fail.
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
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
