"""Mermaid diagrams in script docs: drawn in a sandboxed frame, under a CSP without
unsafe-eval, harmless with hostile labels, readable when broken or turned off."""

from __future__ import annotations

import os
import re
import signal

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.test_catalog import open_script
from tests.browser.test_shell import log_in
from tests.support import free_port, start_server, stop_server

pytestmark = pytest.mark.browser

FLOWCHART = (
    "flowchart LR\n  Read[Read the CSV] --> Check{Valid?}\n  Check -->|yes| Write[Write JSON]"
)
HOSTILE = (
    'flowchart TD\n  X["<img src=x onerror=window.pwned=1>"] --> Y["<b onmouseover=alert(1)>y</b>"]'
)
BROKEN = "flowchart TD\n  A --> B -->> ((("
DOC = "# Converter\n\nHow it flows:\n\n```mermaid\n{}\n```\n\nThe end.\n"
FRAME = "#sm-doc iframe.sm-diagram"
INERT_HANDLER_REPORT = (
    "Executing inline event handler violates the following Content Security Policy "
    "directive 'script-src 'self''"
)


def write_doc(server, *diagrams: str) -> None:
    """Make the Unit converter's English documentation show these diagrams."""
    blocks = "\n```\n\n```mermaid\n".join(diagrams)
    path = server.groups / "data_tools" / "docs" / "unit_converter.md"
    path.write_text(DOC.format(blocks), encoding="utf-8")


def open_docs(page, server) -> None:
    log_in(page, server.url)
    open_script(page, server.url, "Data", "Unit")
    page.click("button[data-bs-target='#tab-docs']")


def wait_until_sized(page, selector: str, index: int = 0) -> float:
    """Wait until the frame has been sized by its diagram; return its height in px."""
    frame = page.locator(selector).nth(index)
    expect(frame).to_have_attribute("style", re.compile(r"height: \d+(\.\d+)?px"))
    return frame.bounding_box()["height"]


def test_a_flowchart_is_drawn_in_a_sandboxed_frame(page, live_server, shot):
    write_doc(live_server, FLOWCHART)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_docs(page, live_server)
    with page.expect_response(re.compile(r"/docs/diagram$")) as frame_answer:
        app_answer = page.reload()
    page.click("button[data-bs-target='#tab-docs']")

    frame = page.frame_locator(FRAME).first
    expect(frame.locator("svg")).to_be_visible()
    expect(frame.locator("svg")).to_contain_text("Write JSON")
    assert page.locator(FRAME).first.get_attribute("sandbox") == "allow-scripts"
    assert wait_until_sized(page, FRAME) > 50
    svg = frame.locator("svg").bounding_box()
    box = page.locator(FRAME).first.bounding_box()
    assert svg["y"] + svg["height"] <= box["y"] + box["height"] + 1  # not clipped
    assert page.locator("#sm-doc pre.mermaid").count() == 0

    app_policy = app_answer.headers["content-security-policy"]
    frame_policy = frame_answer.value.headers["content-security-policy"]
    assert "unsafe-inline" not in app_policy
    assert "unsafe-eval" not in app_policy + frame_policy
    assert "default-src 'none'" in frame_policy and "frame-ancestors 'self'" in frame_policy
    assert dialogs == []
    page.locator("#tab-docs").screenshot(path="/tmp/diagram_light.png", animations="disabled")

    with page.expect_response("**/api/user/preferences"):
        page.click("#sm-theme-toggle")  # the diagram is drawn again in the dark theme
    expect(page.locator(FRAME)).to_have_count(1)
    expect(frame.locator("html")).to_have_attribute("data-theme", "dark")
    expect(frame.locator("svg")).to_be_visible()
    wait_until_sized(page, FRAME)
    page.locator("#tab-docs").screenshot(path="/tmp/diagram_dark.png", animations="disabled")
    shot(page, "diagram-docs-dark")


@pytest.fixture
def hostile_page(browser):
    """A page like ``page`` whose console errors fail the test, except one expected report.

    DOMPurify (inside Mermaid, strict mode) parses a label in an inert DOMParser document;
    Chromium reports an event-handler attribute there as a script-src violation although
    such a document never runs it. Any other console error still fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []

    def on_console(msg) -> None:
        text = msg.text
        if msg.type != "error" or text.startswith("Failed to load resource"):
            return
        if text.startswith(INERT_HANDLER_REPORT) and "'unsafe-inline'" in text:
            return
        errors.append(text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], f"browser console errors: {errors}"


def test_hostile_labels_run_nothing_and_errors_are_readable(hostile_page, live_server):
    page = hostile_page
    write_doc(live_server, HOSTILE, BROKEN)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_docs(page, live_server)
    expect(page.locator(FRAME)).to_have_count(2)

    hostile = page.frame_locator(FRAME).nth(0)
    expect(hostile.locator("svg")).to_be_visible()
    wait_until_sized(page, FRAME, 0)
    assert hostile.locator("#sm-diagram :is([onerror], [onmouseover], script)").count() == 0
    hostile.locator("svg").hover()
    frame_window = page.locator(FRAME).nth(0).content_frame
    assert frame_window.locator("html").evaluate("() => window.pwned") is None
    assert page.evaluate("() => window.pwned") is None

    broken = page.frame_locator(FRAME).nth(1)
    expect(broken.locator(".sm-diagram-heading")).to_have_text("This diagram could not be drawn:")
    expect(broken.locator(".sm-diagram-detail")).not_to_be_empty()
    expect(broken.locator(".sm-diagram-source")).to_have_text(BROKEN)
    assert wait_until_sized(page, FRAME, 1) > 50
    assert dialogs == []


def test_the_editor_preview_draws_and_redraws_diagrams(page, live_server):
    open_docs(page, live_server)
    page.click("#sm-doc-edit")
    page.fill("#sm-doc-source", DOC.format(FLOWCHART))
    preview = page.frame_locator("#sm-doc-preview iframe.sm-diagram")
    expect(preview.locator("svg")).to_contain_text("Read the CSV")
    page.fill("#sm-doc-source", DOC.format(FLOWCHART.replace("Read the CSV", "Load rows")))
    expect(preview.locator("svg")).to_contain_text("Load rows")
    expect(page.locator("#sm-doc-preview iframe.sm-diagram")).to_have_count(1)
    assert wait_until_sized(page, "#sm-doc-preview iframe.sm-diagram") > 50


@pytest.fixture
def server_without_diagrams(live_server, browser):
    """The live server's home, restarted with MERMAID_ENABLED=false."""
    stop_server(live_server, signal.SIGTERM)
    environ = {
        **os.environ,
        "SCRIPT_GROUPS_PATH": str(live_server.groups),
        "MERMAID_ENABLED": "false",
    }
    server = start_server(live_server.home, free_port(), env=environ)
    server.groups = live_server.groups
    yield server
    for context in list(browser.contexts):  # open pages would hold the graceful stop
        context.close()
    stop_server(server, signal.SIGTERM)


def test_with_diagrams_off_the_source_stays_code(page, server_without_diagrams):
    server = server_without_diagrams
    write_doc(server, FLOWCHART)
    open_docs(page, server)
    block = page.locator("#sm-doc pre.mermaid")
    expect(block).to_be_visible()
    expect(block).to_have_text(FLOWCHART)
    expect(page.locator("#sm-doc")).to_contain_text("The end.")
    assert page.locator("iframe").count() == 0
    assert requests.get(server.url + "docs/diagram", timeout=30).status_code == 404
