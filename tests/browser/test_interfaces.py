"""A person opens a shipped interface script, uses it through the wrapper, and closes it."""

from __future__ import annotations

import json
import re
import socket
import time

import psutil
import pytest
from playwright.sync_api import expect

from server.services.ports import can_bind
from tests.browser.test_catalog import create_user, open_script
from tests.browser.test_shell import log_in

pytestmark = pytest.mark.browser


def api_json(page, url: str) -> dict:
    page.goto(url)
    return json.loads(page.locator("body").inner_text())


def test_open_use_and_close_an_interface(page, live_server, shot):
    create_user(live_server, "ivy", "operator")
    url = live_server.url
    log_in(page, url, "ivy", "Us3r-Password!")
    open_script(page, url, "Thermal", "Heat")
    script_id = re.search(r"/scripts/(\d+)", page.url).group(1)
    page.click("#sm-run-submit")
    link = page.locator("#sm-console [data-console-interface]")
    expect(link).to_be_visible(timeout=30000)
    # The page opens the interface by itself when the browser allows a pop-up so long after
    # the click; otherwise the person clicks "Open interface".
    others = [p for p in page.context.pages if p is not page]
    if others:
        tab = others[0]
    else:
        with page.context.expect_page() as opened:
            link.click()
        tab = opened.value
    tab.wait_for_load_state()
    expect(tab.locator("#sm-interface-state")).to_have_text("Live")
    frame = tab.frame_locator("#sm-interface-frame")
    expect(frame.locator("#calculate")).to_be_visible(timeout=20000)
    frame.locator("#inside_temp_c").fill("21.5")
    frame.locator("#calculate").click()
    expect(frame.locator("#r-u")).not_to_have_text("")
    shot(tab, "interface-wrapper")
    config = (
        live_server.home / "data" / "script_groups" / "thermal_analysis" / "ivy"
        / "project_default" / "config.json"
    )  # fmt: skip
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not config.is_file():
        time.sleep(0.1)
    assert json.loads(config.read_text())["inside_temp_c"] == 21.5

    page.goto(url)
    expect(page.locator("#sm-interfaces-list li")).to_have_count(1)
    page.click("#sm-group-cards a:has-text('Thermal')")
    expect(page.locator("#sm-interfaces-list")).to_contain_text("Heat transfer")
    session = api_json(page, f"{url}api/scripts/{script_id}/interface-status")["items"][0]
    assert session["status"] == "ready"
    # Closing the tab sends the beacon: closed after a short grace, then reaped by the
    # clean-up. (run_before_unload: let the page unload as a person's closed tab does.)
    tab.close(run_before_unload=True)
    deadline = time.monotonic() + 60
    while api_json(page, f"{url}api/active-interfaces?mine=1")["items"]:
        assert time.monotonic() < deadline, "the interface is still open"
        time.sleep(0.5)
    run = api_json(page, f"{url}api/logs/execution/{session['execution_id']}")
    assert run["status"] == "terminated" and "tab closed" in run["debug_output"]
    assert can_bind(session["port"])  # nothing listens there any more
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", session["port"])) != 0
    children = [
        p for p in psutil.process_iter(["cmdline"])
        if "heat_transfer.py" in " ".join(p.info["cmdline"] or [])
    ]  # fmt: skip
    assert all(p.status() == psutil.STATUS_ZOMBIE for p in children)
