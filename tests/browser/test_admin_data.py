"""An admin gives a user a storage quota, sees every user's disk use on the data folders
page and resets a user's data; the user sees their use and the 80 % notice."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_catalog import create_user
from tests.browser.test_shell import log_in

pytestmark = pytest.mark.browser

PASSWORD = "Us3r-Password!"


def fill_folders(live_server, username: str) -> None:
    """Give the user 900 KB of data in two projects and a run log (86 % of 1 MB)."""
    data = live_server.home / "data"
    projects = data / "script_groups" / "data_tools" / username
    for name, size in (("project_default/results.bin", 600_000), ("trial/raw.bin", 250_000)):
        (projects / name).parent.mkdir(parents=True, exist_ok=True)
        (projects / name).write_bytes(b"\0" * size)
    log = data / "logs" / "executions" / username / "2026-01-05" / "execution_a.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_bytes(b"x" * 50_000)


def set_quota_in_the_user_form(page, url: str, username: str, mb: str, shot) -> None:
    page.goto(url + "admin/users")
    row = page.locator(f"#sm-users-body tr:has-text('{username}')")
    row.locator('[data-action="edit"]').click()
    expect(page.locator("#sm-user-modal")).to_be_visible()
    page.wait_for_function(  # the fade-in has ended
        "() => getComputedStyle(document.querySelector('#sm-user-modal')).opacity === '1'"
        " && getComputedStyle(document.querySelector('.modal-backdrop')).opacity === '0.5'"
    )
    page.fill("#user-quota", mb)
    shot(page, "admin_users_quota")
    page.click("#sm-user-form button[type=submit]")
    expect(page.locator("#sm-user-modal")).to_be_hidden()


def test_data_page_account_usage_and_the_80_percent_notice(page, live_server, shot, browser):
    url = live_server.url
    create_user(live_server, "quinn", "operator", PASSWORD)
    create_user(live_server, "rhea", "viewer", PASSWORD)
    fill_folders(live_server, "quinn")

    log_in(page, url)
    set_quota_in_the_user_form(page, url, "quinn", "1", shot)
    page.goto(url + "admin/data")
    expect(page.locator(".sm-admin-menu .active")).to_have_text("Data folders")
    quinn = page.locator('#sm-data-users-body tr[data-username="quinn"]')
    expect(quinn).to_have_attribute("data-state", "warning")
    expect(quinn).to_contain_text("878.9 KiB")
    expect(quinn).to_contain_text("1.0 MiB")
    expect(quinn).to_contain_text("Nearly full")
    expect(page.locator("#sm-data-projects-body tr")).to_have_count(2)
    expect(page.locator("#sm-data-projects-body tr").first).to_contain_text("project_default")
    shot(page, "admin_data")

    page.fill("#data-user", "rhe")
    expect(page.locator("#sm-data-users-body tr")).to_have_count(1)
    expect(page.locator("#sm-data-users-body tr")).to_contain_text("rhea")
    expect(page.locator("#sm-data-projects-body")).to_contain_text("No project folder")
    page.fill("#data-user", "")
    expect(quinn).to_be_visible()
    page.click("#sm-theme-toggle")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    shot(page, "admin_data_dark")
    page.click("#sm-theme-toggle")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")

    user_page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    log_in(user_page, url, "quinn", PASSWORD)
    notice = user_page.locator("#sm-storage-notice")
    expect(notice).to_have_attribute("data-state", "warning")
    expect(notice).to_contain_text("85 %")
    shot(user_page, "storage_banner")
    notice.locator("a").click()
    expect(user_page.locator("#sm-storage-text")).to_contain_text("878.9 KiB of 1.0 MiB")
    expect(user_page.locator("#sm-storage-state")).to_have_text("Nearly full")
    shot(user_page, "account_storage")
    user_page.click("#sm-theme-toggle")
    expect(user_page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    shot(user_page, "account_storage_dark")

    page.once("dialog", lambda dialog: dialog.accept())
    quinn.locator('[data-action="reset"]').click()
    expect(quinn).to_have_attribute("data-state", "ok")
    expect(page.locator("#sm-data-projects-body tr")).to_have_count(1)  # the empty-list row
    user_page.reload()
    expect(user_page.locator("#sm-storage-text")).to_contain_text("48.8 KiB of 1.0 MiB")
    expect(user_page.locator("#sm-storage-notice")).to_have_count(0)
    user_page.context.close()
