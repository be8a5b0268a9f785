"""An admin takes a backup, sees its progress and result, and restores it after typing its id."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_shell import log_in

pytestmark = pytest.mark.browser


def test_back_up_then_restore_from_the_backups_page(page, live_server, shot):
    url = live_server.url
    log_in(page, url)
    page.goto(url + "admin/backups")
    expect(page.locator("#sm-backups-body")).to_contain_text("No backup yet.")
    expect(page.locator(".sm-admin-menu .active")).to_have_text("Backups")

    page.click("#sm-backup-now")
    row = page.locator("#sm-backups-body tr[data-backup-id]")
    expect(row).to_have_count(1)
    expect(row.locator('[data-col="status"]')).to_have_text("Complete")
    expect(page.locator('[data-status="last"]')).to_contain_text("Completed")
    backup_id = row.get_attribute("data-backup-id")
    shot(page, "admin_backups")

    marker = live_server.home / "data" / "after-backup.txt"
    marker.write_text("written after the backup")
    row.locator('[data-action="restore"]').click()
    go = page.locator("#sm-restore-go")
    expect(go).to_be_disabled()
    page.fill("#sm-restore-confirm", "not-the-id")
    expect(go).to_be_disabled()
    page.fill("#sm-restore-confirm", backup_id)
    expect(go).to_be_enabled()
    shot(page, "admin_backups_restore")
    go.click()
    # Done, the page reloads: every session ended with the restore, so to the login page.
    page.wait_for_url(re.compile(r".*/login\?next=/admin/backups"))
    assert not marker.exists()
    log_in(page, url)
    page.goto(url + "admin/backups")
    expect(page.locator('[data-status="last"]')).to_contain_text("Restore")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator('#sm-backups-body [data-action="delete"]').click()
    expect(page.locator("#sm-backups-body")).to_contain_text("No backup yet.")
