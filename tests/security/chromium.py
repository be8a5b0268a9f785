"""Logging in through the real login page, for the security suite's browser tests."""

from __future__ import annotations

from tests.security.harness import PASSWORD, Manager


def log_in(page, manager: Manager, username: str, password: str = PASSWORD) -> None:
    """Log in through the login page as a person does, and wait for the dashboard."""
    page.goto(manager.url + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#sm-login-submit")
    page.wait_for_url(manager.url + "/")
