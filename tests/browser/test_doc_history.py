"""A developer edits a document twice, compares the versions and restores the first one."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_catalog import create_user, open_script
from tests.browser.test_shell import log_in

pytestmark = pytest.mark.browser

FIRST = "# Converter notes\n\nFirst draft.\n"
SECOND = "# Converter notes\n\nSecond draft, reviewed.\n\nA paragraph added.\n"
SCREENSHOT = "/tmp/doc_history.png"


def save_document(page, markdown: str) -> None:
    """Edit the shown document in the editor and save it; return once it is shown."""
    page.click("#sm-doc-edit")
    expect(page.locator("#sm-doc-editor")).to_be_visible()
    page.fill("#sm-doc-source", markdown)
    page.click("#sm-doc-save")
    expect(page.locator("#sm-doc-editor")).to_be_hidden()
    expect(page.locator("#sm-doc")).to_contain_text(markdown.splitlines()[2])


def open_history(page):
    """Open the history panel; return its rows once they are listed."""
    page.click("#sm-doc-history")
    modal = page.locator("#sm-doc-history-modal")
    expect(modal).to_be_visible()
    return modal.locator("#sm-doc-history-rows tr")


def test_developer_compares_and_restores_document_versions(page, live_server):
    create_user(live_server, "hedda", "developer")
    url = live_server.url
    log_in(page, url, "hedda", "Us3r-Password!")
    open_script(page, url, "Data", "Unit")
    page.click("button[data-bs-target='#tab-docs']")
    expect(page.locator("#sm-doc h1")).to_have_text("Engineering unit converter")
    save_document(page, FIRST)
    save_document(page, SECOND)

    rows = open_history(page)
    expect(rows).to_have_count(3)  # what the file held, then the two edits
    expect(rows.nth(0)).to_contain_text("hedda")
    expect(rows.nth(2)).to_contain_text("Found on disk")
    rows.nth(0).locator("[data-action=diff]").click()
    diff = page.locator("#sm-doc-history-diff")
    expect(page.locator("#sm-doc-history-diff-title")).to_have_text(
        "Version 3 compared with version 2"
    )
    expect(diff.locator(".sm-diff-removed")).to_have_text([re.compile("First draft.")])
    expect(diff.locator(".sm-diff-added")).to_have_count(3)
    expect(diff.locator(".sm-diff-added").first).to_contain_text("Second draft, reviewed.")
    page.screenshot(path=SCREENSHOT)

    rows.nth(2).locator("[data-action=restore]").click()
    expect(page.locator("#sm-doc-history-confirm")).to_contain_text("Restore version 1?")
    page.click("#sm-doc-history-confirm-go")
    expect(page.locator("#sm-doc-history-modal")).to_be_hidden()
    expect(page.locator("#sm-doc h1")).to_have_text("Engineering unit converter")
    expect(page.locator("#sm-doc")).not_to_contain_text("Second draft")

    rows = open_history(page)
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text("Restored")
