"""A person opens a shipped interface script, uses it through the wrapper, and closes it."""

from __future__ import annotations

import json
import re
import socket

import psutil
import pytest
from playwright.sync_api import expect

from server.services.ports import can_bind
from tests.browser.test_catalog import create_user, open_script
from tests.browser.test_shell import log_in
from tests.support import wait_for

pytestmark = pytest.mark.browser


def api_json(page, url: str) -> dict:
    page.goto(url)
    return json.loads(page.locator("body").inner_text())


def gone(process: psutil.Process) -> bool:
    """Return True for a process that has ended (a zombie, or reaped since it was listed)."""
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_open_use_and_close_an_interface(page, live_server, shot):
    create_user(live_server, "ivy", "operator")
    url = live_server.url
    log_in(page, url, "ivy", "Us3r-Password!")
    open_script(page, url, "Thermal", "Heat")
    script_id = re.search(r"/scripts/(\d+)", page.url).group(1)
    # The script declares @auto_open_interface and Playwright's Chromium allows pop-ups: the
    # page opens the interface in a tab by itself once it answers. Wait for that tab (not a
    # look at the pages right after the link shows: the tab may not be known yet, and a
    # second tab opened from the link would keep the session alive after this one closes).
    with page.context.expect_page() as opened:
        page.click("#sm-run-submit")
    tab = opened.value
    expect(page.locator("#sm-console [data-console-interface]")).to_be_visible()
    tab.wait_for_load_state()
    expect(tab.locator("#sm-interface-state")).to_have_text("Live")
    frame = tab.frame_locator("#sm-interface-frame")
    expect(frame.locator("#calculate")).to_be_visible()
    frame.locator("#inside_temp_c").fill("21.5")
    frame.locator("#calculate").click()
    expect(frame.locator("#r-u")).not_to_have_text("")
    shot(tab, "interface-wrapper")
    config = (
        live_server.home / "data" / "script_groups" / "thermal_analysis" / "ivy"
        / "project_default" / "config.json"
    )  # fmt: skip
    wait_for(config.is_file, message="the interface did not save its configuration")
    assert json.loads(config.read_text())["inside_temp_c"] == 21.5

    page.goto(url)
    expect(page.locator("#sm-interfaces-list li")).to_have_count(1)
    page.click("#sm-group-cards a:has-text('Thermal')")
    expect(page.locator("#sm-interfaces-list")).to_contain_text("Heat transfer")
    session = api_json(page, f"{url}api/scripts/{script_id}/interface-status")["items"][0]
    assert session["status"] == "ready"
    # Closing the tab sends the beacon: closed after a short grace, with the default
    # CLEANUP_INTERVAL (300 s). (run_before_unload: the page unloads as a closed tab does.)
    assert page.context.pages == [page, tab]  # no other tab keeps the session alive
    tab.close(run_before_unload=True)
    wait_for(
        lambda: not api_json(page, f"{url}api/active-interfaces?mine=1")["items"],
        message="the interface is still open",
        interval=0.5,
    )
    run = api_json(page, f"{url}api/logs/execution/{session['execution_id']}")
    assert run["status"] == "terminated" and "tab closed" in run["debug_output"]
    assert can_bind(session["port"])  # nothing listens there any more
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", session["port"])) != 0
    children = [
        p for p in psutil.process_iter(["cmdline"])
        if "heat_transfer.py" in " ".join(p.info["cmdline"] or [])
    ]  # fmt: skip
    assert all(gone(p) for p in children)
