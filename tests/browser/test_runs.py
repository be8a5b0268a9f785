"""A person runs a shipped script from its form, watches it live, finds it in the logs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_catalog import create_user, open_script
from tests.browser.test_shell import log_in

pytestmark = pytest.mark.browser


def test_run_a_batch_script_watch_it_find_it_and_download_it(page, live_server, shot):
    create_user(live_server, "opal", "operator")
    url = live_server.url
    log_in(page, url, "opal", "Us3r-Password!")
    open_script(page, url, "Data", "Unit")
    expect(page.locator("#param-value")).to_be_visible()
    page.fill("#param-value", "10")
    page.select_option("#param-quantity", "pressure")
    page.fill("#param-from_unit", "bar")
    page.fill("#param-to_unit", "psi")
    shot(page, "run-form")
    page.click("#sm-run-submit")
    expect(page.locator("#sm-console [data-console-status]")).to_have_text("Completed")
    expect(page.locator("#sm-console [data-console-output]")).to_contain_text("145.03")
    shot(page, "run-console")
    expect(page.locator("#sm-history-body tr")).to_have_count(1)

    page.fill("#param-from_unit", "furlong")
    page.click("#sm-run-submit")
    expect(page.locator("#sm-console [data-console-status]")).to_have_text("Failed")
    expect(page.locator("#sm-console .sm-line-stderr").first).to_be_visible()

    page.click("a[href='/logs']")
    expect(page.locator("#sm-log-rows tr")).to_have_count(2)
    page.fill("#filter-q", "furlong")
    expect(page.locator("#sm-log-rows tr")).to_have_count(1)
    shot(page, "logs-list")
    page.click("#sm-log-rows a")
    page.wait_for_url(re.compile(r".*/logs/[0-9a-f-]{36}$"))
    expect(page.locator("#sm-log-viewer")).to_contain_text("furlong")
    shot(page, "log-detail")
    with page.expect_download() as download_info:
        page.click("a:has-text('TXT')")
    path = download_info.value.path()
    assert "furlong" in Path(path).read_text(encoding="utf-8")


def test_a_slow_run_streams_live_and_can_be_stopped(page, live_server, tmp_path, shot):
    slow = live_server.groups / "data_tools" / "slow_counter.py"
    slow.write_text(
        '"""\nScriptsManager Metadata:\n@description: Counts slowly\n"""\n'
        "import time\nfor i in range(1000):\n    print('tick', i)\n    time.sleep(0.2)\n"
    )
    url = live_server.url
    log_in(page, url)
    page.goto(url)
    page.click("#sm-group-cards a:has-text('Data')")
    # Refresh once the group page has loaded (its script listens to the button), and go on
    # once the page it reloads has loaded: a click on the list before would race the reload.
    page.wait_for_url(re.compile(r".*/groups/\d+$"))
    with page.expect_navigation():
        page.click("#sm-refresh")
    page.click(".sm-script-item a:has-text('Slow counter')")
    page.click("#sm-run-submit")
    output = page.locator("#sm-console [data-console-output]")
    expect(output).to_contain_text("tick 3")
    expect(page.locator("#sm-console [data-console-status]")).to_have_text("Running")
    page.goto(url)
    expect(page.locator("#sm-running-list li")).to_have_count(1)
    page.click("#sm-running-list a")
    expect(page.locator("#sm-console [data-console-output]")).to_contain_text("tick 0")
    page.click("#sm-console [data-console-stop]")
    expect(page.locator("#sm-detail-status")).to_have_text("Terminated")
