"""A person reads a form's rules, sees the bad field marked, reads runs as typed, finds by tags."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import ADMIN_PASSWORD
from tests.browser.test_catalog import create_user
from tests.browser.test_shell import log_in

pytestmark = pytest.mark.browser

FORM = '''"""
ScriptsManager Metadata:
@display_name: Form check
@tags: conversion,forms
@parameters: [
  {"name": "count", "type": "int", "min": 1, "max": 100, "default": 5},
  {"name": "ratio", "type": "float", "min": 0, "max": 10, "step": 0.5, "default": 1},
  {"name": "flag", "type": "bool"},
  {"name": "shades", "type": "multiselect", "options": ["red", "green", "blue"]},
  {"name": "folder", "type": "path"}
]
"""
print("checked")
'''


def admin_api(server) -> requests.Session:
    """Return a requests session logged in as the admin (CSRF header set)."""
    session = requests.Session()
    token = session.get(server.url + "api/auth/csrf").json()["csrf_token"]
    login = session.post(
        server.url + "api/auth/login",
        json={"username": "admin", "password": ADMIN_PASSWORD},
        headers={"X-CSRFToken": token},
    )
    session.headers["X-CSRFToken"] = login.json()["csrf_token"]
    return session


def script_ids(server) -> dict[str, int]:
    """Rescan the groups and return every script's id by file name."""
    session = admin_api(server)
    assert session.post(server.url + "api/admin/discovery/scan").status_code == 200
    listed = session.get(server.url + "api/admin/scripts").json()["items"]
    return {item["filename"]: item["id"] for item in listed}


def test_rules_shown_bad_field_marked_and_values_read_as_typed(page, live_server, shot):
    (live_server.groups / "data_tools" / "form_check.py").write_text(FORM, encoding="utf-8")
    ids = script_ids(live_server)
    create_user(live_server, "devi", "developer")
    url = live_server.url
    log_in(page, url, "devi", "Us3r-Password!")
    page.goto(f"{url}scripts/{ids['form_check.py']}")
    expect(page.locator("[data-bounds-for=count]")).to_have_text("between 1 and 100")
    expect(page.locator("[data-bounds-for=ratio]")).to_have_text("between 0 and 10, step 0.5")
    expect(page.locator("#param-ratio")).to_have_attribute("step", "0.5")
    expect(page.locator("#param-count")).to_have_attribute("max", "100")
    page.fill("#param-folder", "../outside")
    page.click("#sm-run-submit")
    expect(page.locator("#param-folder")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("[data-error-for=folder]")).to_contain_text("inside the project folder")
    expect(page.locator("#sm-run-error")).to_be_hidden()
    shot(page, "form-bad-field")
    expect(page.locator("#meta-auto-open")).to_have_count(0)

    page.fill("#param-folder", "")
    page.check("#param-flag")
    page.check("#param-shades-0")
    page.check("#param-shades-2")
    page.click("#sm-run-submit")
    expect(page.locator("#sm-console [data-console-status]")).to_have_text("Completed")
    page.click("#sm-history-body a")
    page.wait_for_url(re.compile(r".*/logs/[0-9a-f-]{36}$"))
    page.click("[data-bs-target='#tab-parameters']")
    expect(page.locator("[data-param=flag]")).to_have_text("true")
    expect(page.locator("[data-param=shades]")).to_have_text("red,blue")
    expect(page.locator("[data-param=count]")).to_have_text("5")
    expect(page.locator("[data-param=ratio]")).to_have_text("1")
    shot(page, "log-parameters")
    with page.expect_response("**/api/user/preferences"):
        page.click("#sm-theme-toggle")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    shot(page, "log-parameters-dark")

    page.goto(f"{url}scripts/{ids['heat_transfer.py']}")
    expect(page.locator("#meta-auto-open")).to_have_count(1)
    page.goto(f"{url}scripts/{ids['form_check.py']}")
    expect(page.locator("[data-bounds-for=ratio]")).to_be_visible()
    expect(page.locator("#sm-history-body tr")).to_have_count(1)
    shot(page, "form-bounds-dark")


def test_tags_page_and_group_filter_and_versus_or(page, live_server, shot):
    url = live_server.url
    log_in(page, url)
    page.click("a[href='/tags']")
    page.wait_for_url(re.compile(r".*/tags"))
    choice = page.locator("#sm-tag-list label")
    expect(choice.filter(has_text="conversion")).to_contain_text("2")
    results = page.locator("#sm-tag-results .sm-tag-result")
    choice.filter(has_text="conversion").click()
    expect(results).to_have_count(2)
    choice.filter(has_text="units").click()
    expect(results).to_have_count(1)  # all of them: only the unit converter
    expect(page).to_have_url(re.compile(r"tags=conversion(%2C|,)units&mode=and"))
    shot(page, "tags-and")
    page.click("label[for=sm-tags-mode-or]")
    expect(results).to_have_count(2)
    expect(page).to_have_url(re.compile(r"mode=or"))
    shot(page, "tags-or")

    page.click("#sm-tag-results a:has-text('unit converter')")
    page.wait_for_url(re.compile(r".*/scripts/\d+$"))
    page.click(".breadcrumb a[href^='/groups/']")
    page.wait_for_url(re.compile(r".*/groups/\d+$"))
    items = page.locator(".sm-script-item:visible")
    expect(items).to_have_count(3)
    page.click("#sm-filter-tags")
    page.check("#sm-filter-tag-menu input[value=conversion]")
    page.check("#sm-filter-tag-menu input[value=csv]")
    expect(items).to_have_count(1)
    expect(page.locator("#sm-filter-tags")).to_have_text("conversion, csv")
    shot(page, "group-tags-and")
    page.select_option("#sm-filter-tag-mode", index=1)  # any of them
    expect(items).to_have_count(2)
    shot(page, "group-tags-or")
