"""A person schedules a script from the run form's values on the Schedules tab, sees its
next run, turns it off, finds it on the dashboard, and deletes it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_catalog import create_user, open_script
from tests.browser.test_presets import EXAMPLE, answer_next_dialog
from tests.browser.test_shell import log_in

pytestmark = pytest.mark.browser


def test_schedules_tab_and_dashboard_card(page, live_server, shot):
    create_user(live_server, "sam", "operator")
    url = live_server.url
    log_in(page, url, "sam", "Us3r-Password!")
    expect(page.locator("#sm-dashboard-schedules")).to_be_hidden()  # none yet
    open_script(page, url, "Data", "Unit")
    expect(page.locator("#sm-preset-examples option")).to_have_count(1)
    page.select_option("#sm-preset-select", EXAMPLE)  # the run form's values to schedule
    expect(page.locator("#param-value")).to_have_value("10")
    page.click("#sm-schedules-tab")
    expect(page.locator("#sm-schedules-empty")).to_be_visible()
    page.select_option("#sm-schedule-preset", "0 8 * * 1")
    expect(page.locator("#sm-schedule-cron")).to_have_value("0 8 * * 1")
    page.fill("#sm-schedule-timezone", "Europe/Rome")
    page.click("#sm-schedule-create")
    row = page.locator("#sm-schedules-body tr[data-schedule-id]")
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(0)).to_have_text("0 8 * * 1")
    expect(row.locator("td").nth(1)).to_have_text("Europe/Rome")
    expect(row.locator("td").nth(2)).not_to_have_text("—")
    expect(row.locator("[data-schedule-toggle]")).to_be_checked()
    expect(row.locator("td").nth(2)).to_contain_text("8:00")  # in the schedule's time zone
    expect(page.locator("#sm-schedules-empty")).to_be_hidden()
    expect(page.locator("#tab-schedules")).to_have_css("opacity", "1")  # faded in
    shot(page, "schedules-tab")

    schedule = page.request.get(url + "api/schedules").json()["items"][0]
    assert schedule["parameters"]["value"] == 10 and schedule["timezone"] == "Europe/Rome"

    page.locator("[data-schedule-toggle]").uncheck()
    expect(row.locator("td").nth(2)).to_have_text("Off")
    assert page.request.get(url + "api/schedules").json()["items"][0]["enabled"] is False

    page.goto(url)
    card = page.locator("#sm-dashboard-schedules")
    expect(card).to_be_visible()
    expect(card.locator("tbody tr")).to_have_count(1)
    expect(card.locator("tbody tr td").nth(0)).to_contain_text("0 8 * * 1")
    expect(card.locator("[data-schedule-toggle]")).not_to_be_checked()
    card.locator("[data-schedule-toggle]").check()
    expect(card.locator("tbody tr td").nth(1)).to_contain_text("8:00 AM (Europe/Rome)")
    shot(page, "schedules-dashboard")

    page.go_back()
    page.click("#sm-schedules-tab")
    expect(page.locator("[data-schedule-toggle]")).to_be_checked()
    answer_next_dialog(page)
    page.click("[data-schedule-delete]")
    expect(page.locator("#sm-schedules-body tr")).to_have_count(0)
    expect(page.locator("#sm-schedules-empty")).to_be_visible()
    assert page.request.get(url + "api/schedules").json()["items"] == []
