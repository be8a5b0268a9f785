"""A person logs in, switches theme and language, manages users and logs out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ADMIN_PASSWORD

pytestmark = pytest.mark.browser


def log_in(page, url: str, username: str = "admin", password: str = ADMIN_PASSWORD) -> None:
    page.goto(url + "login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#sm-login-submit")
    page.wait_for_url(url)


def test_login_theme_language_logout(page, live_server, shot):
    url = live_server.url
    page.goto(url)
    page.wait_for_url(re.compile(r".*/login\?next=/"))
    shot(page, "login")
    page.fill("#username", "admin")
    page.fill("#password", "wrong-password")
    page.click("#sm-login-submit")
    expect(page.locator("#sm-login-error")).to_have_text("Wrong user name or password.")

    log_in(page, url)
    expect(page.locator("h1")).to_have_text("Welcome, admin")
    html = page.locator("html")
    expect(html).to_have_attribute("data-bs-theme", "light")
    shot(page, "dashboard-light")

    with page.expect_response("**/api/user/preferences"):
        page.click("#sm-theme-toggle")
    expect(html).to_have_attribute("data-bs-theme", "dark")
    page.reload()
    expect(html).to_have_attribute("data-bs-theme", "dark")  # saved for the user
    shot(page, "dashboard-dark")

    page.click("#sm-language-menu")
    with page.expect_navigation():
        page.click("[data-sm-language=es]")
    expect(html).to_have_attribute("lang", "es")
    expect(page.locator("h1")).to_have_text("Bienvenido, admin")
    expect(page.locator(".nav-link.active")).to_have_text("Panel")

    page.click("#sm-user-menu")
    page.click("#sm-logout")
    page.wait_for_url(re.compile(r".*/login$"))
    page.goto(url)
    page.wait_for_url(re.compile(r".*/login\?next=/"))


def test_admin_creates_a_user_who_then_logs_in(browser, page, live_server, shot):
    url = live_server.url
    log_in(page, url)
    page.goto(url + "admin/users")
    page.wait_for_selector("#sm-users-body tr")
    page.click("#sm-user-new")
    page.fill("#user-username", "olivia")
    page.fill("#user-email", "olivia@example.com")
    page.select_option("#user-level", "operator")
    page.fill("#user-password", "short")
    page.click("#sm-user-form button[type=submit]")
    expect(page.locator("#sm-user-error")).to_contain_text("10 characters")
    page.fill("#user-password", "0livia-Operator")
    page.click("#sm-user-form button[type=submit]")
    page.wait_for_selector("#sm-users-body tr[data-user-id] >> text=olivia")
    page.wait_for_selector("#sm-user-modal", state="hidden")
    page.wait_for_selector(".modal-backdrop", state="detached")
    shot(page, "admin-users")

    other = browser.new_context().new_page()
    log_in(other, url, "olivia", "0livia-Operator")
    expect(other.locator("a[href='/admin/users']")).to_have_count(0)
    other.goto(url + "admin/users")
    expect(other.locator("main")).to_contain_text("403")
    other.context.close()


def test_first_run_page_creates_the_admin(page, tmp_path, shot):
    from tests.support import free_port, start_server, stop_server

    server = start_server(tmp_path / "fresh", free_port())
    try:
        without_token = page.request.get(server.url + "setup")
        assert without_token.status == 403 and "sm-setup-form" not in without_token.text()
        link = re.search(r"create the first one at (\S+)", server.output()).group(1)
        page.goto(link)
        shot(page, "setup")
        page.fill("#username", "founder")
        page.fill("#email", "founder@example.com")
        page.fill("#password", "F0under-Password")
        page.click("#sm-setup-form button[type=submit]")
        page.wait_for_url(server.url)
        expect(page.locator("#sm-user-menu")).to_contain_text("founder")
        assert not (tmp_path / "fresh" / "setup_token").exists()  # the link is spent
        assert "sm-setup-form" not in page.request.get(link).text()
    finally:
        stop_server(server)
