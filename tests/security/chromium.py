"""Debian's Chromium for the security suite's browser tests, and logging in through it."""

from __future__ import annotations

import os
import shutil

from tests.security.harness import PASSWORD, Manager

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-sync",
    "--disable-component-update",
    "--no-first-run",
]


def log_in(page, manager: Manager, username: str, password: str = PASSWORD) -> None:
    """Log in through the login page as a person does, and wait for the dashboard."""
    page.goto(manager.url + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#sm-login-submit")
    page.wait_for_url(manager.url + "/")
