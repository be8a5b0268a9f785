"""A person works on the Logs page: filters kept in the address, saved filters, bulk
deletion with a confirmation, and a star and a note on a run's page."""

from __future__ import annotations

import re
import zipfile

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ADMIN_PASSWORD
from tests.browser.test_admin_console import CONVERSION, Api
from tests.browser.test_shell import log_in

pytestmark = pytest.mark.browser
WIDE = {"width": 1366, "height": 900}


@pytest.fixture
def runs(live_server) -> dict:
    """Two finished unit conversions and a fin efficiency run of the admin, newest last."""
    admin = Api(live_server, "admin", ADMIN_PASSWORD)
    converter = admin.script_id("data_tools", "unit_converter.py")
    fin = admin.script_id("thermal_analysis", "fin_efficiency.py")
    first = admin.run_to_end(converter, CONVERSION)
    second = admin.run_to_end(converter, {**CONVERSION, "value": 20})
    third = admin.run_to_end(fin, {"length": 0.05})
    return {"converter": converter, "ids": [first, second, third], "api": admin}


def rows(page):
    return page.locator("#sm-log-rows tr")


def screenshots(page) -> None:
    """Save the Logs page at 1366 px: light, dark, and in French (/tmp/logs_page_*.png)."""
    page.set_viewport_size(WIDE)
    page.locator("#sm-log-rows input[data-bulk-run]").first.check()
    expect(page.locator("#sm-bulk-delete")).to_be_enabled()
    page.screenshot(path="/tmp/logs_page_light.png", full_page=True)
    with page.expect_response("**/api/user/preferences"):
        page.click("#sm-theme-toggle")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    page.screenshot(path="/tmp/logs_page_dark.png", full_page=True)
    page.click("#sm-theme-toggle")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")
    page.click("#sm-language-menu")
    with page.expect_navigation():
        page.click("[data-sm-language=fr]")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(rows(page)).to_have_count(2)
    page.click("#sm-presets-toggle")
    expect(page.locator("#sm-presets-list li")).to_have_count(1)
    page.screenshot(path="/tmp/logs_page_fr.png", full_page=True)
    page.keyboard.press("Escape")


def test_filters_stay_in_the_address_and_a_saved_filter_applies_them(page, live_server, runs):
    url = live_server.url
    note = {"starred": True, "note": "Matches the supplier's datasheet (checked by QA)."}
    runs["api"].send("PUT", f"api/logs/execution/{runs['ids'][1]}/mark", note)
    log_in(page, url)
    page.goto(url + "logs")
    expect(rows(page)).to_have_count(3)
    converter = str(runs["converter"])
    expect(page.locator(f"#filter-script option[value='{converter}']")).to_have_count(1)
    page.select_option("#filter-script", converter)
    expect(rows(page)).to_have_count(2)
    page.select_option("#filter-status", "failed")
    expect(page.locator("#sm-log-empty")).to_be_visible()
    page.select_option("#filter-status", "completed")
    expect(rows(page)).to_have_count(2)
    expect(page).to_have_url(re.compile(rf"/logs\?script_id={converter}&status=completed$"))

    page.reload()
    expect(page.locator("#filter-script")).to_have_value(converter)
    expect(page.locator("#filter-status")).to_have_value("completed")
    expect(rows(page)).to_have_count(2)

    page.click("#sm-presets-toggle")
    expect(page.locator("#sm-presets-empty")).to_be_visible()
    page.fill("#sm-preset-name", "Converter runs")
    page.press("#sm-preset-name", "Enter")
    expect(page.locator("#sm-presets-list li")).to_have_count(1)
    page.keyboard.press("Escape")
    page.click("#sm-filters-clear")
    expect(rows(page)).to_have_count(3)
    expect(page).to_have_url(re.compile(r"/logs$"))

    page.click("#sm-presets-toggle")
    page.click("#sm-presets-list button:text('Converter runs')")
    expect(rows(page)).to_have_count(2)
    expect(page.locator("#filter-script")).to_have_value(converter)
    expect(page).to_have_url(re.compile(rf"/logs\?script_id={converter}&status=completed$"))
    screenshots(page)


def test_two_runs_are_deleted_after_the_confirmation(page, live_server, runs):
    url = live_server.url
    first, second, third = runs["ids"]
    log_in(page, url)
    page.goto(url + "logs")
    expect(rows(page)).to_have_count(3)
    expect(page.locator("#sm-bulk-delete")).to_be_disabled()
    for execution_id in (first, third):
        page.check(f"input[data-bulk-run='{execution_id}']")
    expect(page.locator("#sm-bulk-count")).to_have_text("2 runs selected")
    page.click("#sm-bulk-export")
    expect(page.locator("#sm-bulk-question")).to_contain_text("Export 2 runs")
    with page.expect_download() as download:
        page.click("#sm-bulk-go")
    assert download.value.suggested_filename.startswith("runs_")
    with zipfile.ZipFile(download.value.path()) as archive:
        assert sorted(archive.namelist()) == sorted(
            [f"{first}.log", f"{third}.log", "runs.json", "runs.csv"]
        )
    expect(page.locator("#sm-bulk-result")).to_have_text("2 runs exported.")
    page.click("#sm-bulk-cancel")
    expect(page.locator("#sm-bulk-modal")).to_be_hidden()
    page.click("#sm-bulk-delete")
    expect(page.locator("#sm-bulk-question")).to_contain_text("Delete 2 runs")
    page.click("#sm-bulk-go")
    expect(page.locator("#sm-bulk-result")).to_have_text("2 runs deleted.")
    expect(page.locator("#sm-bulk-progress")).to_have_attribute("aria-valuenow", "100")
    page.click("#sm-bulk-cancel")
    expect(page.locator("#sm-bulk-modal")).to_be_hidden()
    expect(rows(page)).to_have_count(1)
    expect(page.locator(f"#sm-log-rows tr[data-execution-id='{second}']")).to_be_visible()
    expect(page.locator("#sm-bulk-count")).to_have_text("No runs selected")

    page.check("#sm-bulk-page")
    expect(page.locator("#sm-bulk-count")).to_have_text("1 run selected")
    expect(page.locator("#sm-bulk-all")).to_be_hidden()  # every match is on this page


def test_a_star_and_a_note_on_a_runs_page(page, live_server, runs, shot):
    url = live_server.url
    run = runs["ids"][1]
    log_in(page, url)
    page.goto(f"{url}logs/{run}")
    star = page.locator("#sm-run-star")
    expect(star).to_have_attribute("aria-pressed", "false")
    with page.expect_response(f"**/api/logs/execution/{run}/mark"):
        star.click()
    expect(star).to_have_attribute("aria-pressed", "true")
    page.fill("#sm-note-text", "Compare with the\nsupplier's table")
    expect(page.locator("#sm-note-count")).to_have_text("33 / 2000")
    page.click("#sm-note-save")
    expect(page.locator("#sm-note-saved")).to_have_text("Note saved.")
    shot(page, "run_marks")

    page.reload()
    expect(page.locator("#sm-note-text")).to_have_value("Compare with the\nsupplier's table")
    expect(star).to_have_attribute("aria-pressed", "true")
    page.goto(url + "logs")
    row = page.locator(f"#sm-log-rows tr[data-execution-id='{run}']")
    expect(row.locator(".sm-star")).to_have_attribute("aria-pressed", "true")
    expect(row.locator(".sm-note-excerpt")).to_have_text("Compare with the supplier's table")
    page.check("#filter-starred")
    expect(rows(page)).to_have_count(1)
    expect(page).to_have_url(re.compile(r"/logs\?starred=true$"))
    page.uncheck("#filter-starred")
    page.fill("#filter-q", "supplier")
    expect(rows(page)).to_have_count(1)
