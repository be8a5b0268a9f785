"""A person browses the catalog: groups, filters, documentation, edits and roles."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import ADMIN_PASSWORD
from tests.browser.test_shell import log_in

pytestmark = pytest.mark.browser


def create_user(server, username: str, level: str, password: str = "Us3r-Password!") -> None:
    """Create a user through the admin API of the running server."""
    session = requests.Session()
    token = session.get(server.url + "api/auth/csrf").json()["csrf_token"]
    login = session.post(
        server.url + "api/auth/login",
        json={"username": "admin", "password": ADMIN_PASSWORD},
        headers={"X-CSRFToken": token},
    )
    token = login.json()["csrf_token"]
    created = session.post(
        server.url + "api/admin/users",
        json={"username": username, "email": f"{username}@example.com", "password": password,
              "user_level": level},
        headers={"X-CSRFToken": token},
    )  # fmt: skip
    assert created.status_code == 201, created.text


def open_group(page, group: str) -> None:
    """Open a group from the dashboard; return once its page has loaded (its script runs)."""
    page.click(f"#sm-group-cards a:has-text('{group}')")
    page.wait_for_url(re.compile(r".*/groups/\d+$"))


def open_script(page, url: str, group: str, script: str) -> None:
    page.goto(url)
    open_group(page, group)
    page.click(f".sm-script-item a:has-text('{script}')")
    page.wait_for_url(re.compile(r".*/scripts/\d+$"))


def test_developer_edits_a_description_in_two_languages(page, live_server, shot):
    create_user(live_server, "devon", "developer")
    url = live_server.url
    log_in(page, url, "devon", "Us3r-Password!")
    expect(page.locator("#sm-group-cards .sm-group-card")).to_have_count(2)
    shot(page, "catalog-dashboard")
    open_group(page, "Thermal")  # the search box filters once the page's script runs
    expect(page.locator(".sm-script-item:visible")).to_have_count(2)
    page.fill("#sm-search", "fin")
    expect(page.locator(".sm-script-item:visible")).to_have_count(1)
    page.fill("#sm-search", "")
    shot(page, "catalog-group")

    page.click(".sm-script-item a:has-text('Fin')")
    page.wait_for_url(re.compile(r".*/scripts/\d+$"))  # loaded: the forms are wired
    page.click("button[data-bs-target='#tab-docs']")
    expect(page.locator("#sm-doc h1")).to_be_visible()
    expect(page.locator("#sm-doc .katex").first).to_be_visible()  # math rendered by KaTeX
    shot(page, "catalog-script-docs")
    page.click("#sm-meta-tab")
    page.fill("[data-field=description][data-language=en]", "Fin efficiency, edited")
    page.fill("[data-field=description][data-language=es]", "Eficiencia de aleta, editada")
    page.click("#sm-meta-form button[type=submit]")
    expect(page.locator("#sm-meta-result")).to_have_class(re.compile("alert-success"))
    shot(page, "catalog-script-metadata")

    page.reload()
    expect(page.locator("#sm-script-description")).to_have_text("Fin efficiency, edited")
    page.click("#sm-language-menu")
    with page.expect_navigation():
        page.click("[data-sm-language=es]")
    expect(page.locator("#sm-script-description")).to_have_text("Eficiencia de aleta, editada")


def test_operator_does_not_see_admin_scripts(page, live_server):
    create_user(live_server, "oscar", "operator")
    url = live_server.url
    log_in(page, url, "oscar", "Us3r-Password!")
    cards = page.locator("#sm-group-cards .sm-group-card")
    expect(cards).to_have_count(2)
    expect(page.locator("#sm-group-cards")).not_to_contain_text("System")
    page.goto(url + "api/script-groups")
    assert "system_admin" not in page.content()


def test_admin_sees_admin_scripts_and_history(page, live_server):
    url = live_server.url
    log_in(page, url)
    expect(page.locator("#sm-group-cards .sm-group-card")).to_have_count(3)
    open_script(page, url, "System", "System")
    page.click("#sm-meta-tab")
    page.fill("#meta-category", "maintenance")
    page.click("#sm-meta-form button[type=submit]")
    expect(page.locator("#sm-meta-history tr")).to_have_count(1)
    expect(page.locator("#sm-meta-history")).to_contain_text("maintenance")


def test_developer_edits_documentation_with_preview(page, live_server, shot):
    create_user(live_server, "dora", "developer")
    url = live_server.url
    log_in(page, url, "dora", "Us3r-Password!")
    open_script(page, url, "Data", "Unit")
    page.click("button[data-bs-target='#tab-docs']")
    page.click("[data-doc-language=it]")
    expect(page.locator("[data-doc-language=it]")).to_have_class(re.compile("active"))
    page.click("#sm-doc-edit")
    page.fill("#sm-doc-source", "# Convertitore\n\n$$E = mc^2$$\n\n<script>alert(1)</script>\n")
    expect(page.locator("#sm-doc-preview h1")).to_have_text("Convertitore")
    expect(page.locator("#sm-doc-preview .katex-display")).to_be_visible()
    shot(page, "catalog-doc-editor")
    page.click("#sm-doc-save")
    expect(page.locator("#sm-doc h1")).to_have_text("Convertitore")
    assert page.locator("#sm-doc script").count() == 0
