"""A person fills the run form from an example, saves, reloads, runs, renames and deletes
their own preset, and sees which values of an outdated preset were left out."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.browser.test_catalog import create_user, open_script
from tests.browser.test_shell import log_in

pytestmark = pytest.mark.browser
EXAMPLE = "example:pressure_bar_to_psi"


def answer_next_dialog(page, text: str | None = None) -> None:
    """Accept the next prompt or confirmation (with ``text`` for a prompt)."""
    page.once("dialog", lambda dialog: dialog.accept(text) if text else dialog.accept())


def test_presets_fill_save_run_rename_and_delete(page, live_server, shot):
    create_user(live_server, "pia", "operator")
    url = live_server.url
    log_in(page, url, "pia", "Us3r-Password!")
    open_script(page, url, "Data", "Unit")
    expect(page.locator("#sm-preset-examples option")).to_have_count(1)
    expect(page.locator("#sm-preset-rename")).to_be_disabled()
    page.select_option("#sm-preset-select", EXAMPLE)
    expect(page.locator("#param-value")).to_have_value("10")
    expect(page.locator("#param-quantity")).to_have_value("pressure")
    expect(page.locator("#param-from_unit")).to_have_value("bar")
    expect(page.locator("#param-to_unit")).to_have_value("psi")
    expect(page.locator("#sm-preset-description")).to_contain_text("hydraulic test pressure")
    expect(page.locator("#sm-preset-stale")).to_be_hidden()
    shot(page, "presets")

    page.fill("#param-value", "3")
    page.fill("#param-to_unit", "kPa")
    answer_next_dialog(page, "My conversion")
    page.click("#sm-preset-save")
    expect(page.locator("#sm-preset-mine option")).to_have_text(["My conversion"])
    expect(page.locator("#sm-preset-rename")).to_be_enabled()

    page.reload()
    expect(page.locator("#sm-preset-mine option")).to_have_count(1)
    expect(page.locator("#param-value")).to_have_value("")
    page.select_option("#sm-preset-select", label="My conversion")
    expect(page.locator("#param-value")).to_have_value("3")
    expect(page.locator("#param-to_unit")).to_have_value("kPa")
    page.click("#sm-run-submit")
    expect(page.locator("#sm-console [data-console-status]")).to_have_text("Completed")
    expect(page.locator("#sm-console [data-console-output]")).to_contain_text("300")

    answer_next_dialog(page, "Three bar in kPa")
    page.click("#sm-preset-rename")
    expect(page.locator("#sm-preset-mine option")).to_have_text(["Three bar in kPa"])
    expect(page.locator("#sm-preset-select")).to_have_value(
        page.locator("#sm-preset-mine option").get_attribute("value")
    )
    page.click("#sm-theme-toggle")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    shot(page, "presets_dark")
    page.click("#sm-theme-toggle")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")

    answer_next_dialog(page)
    page.click("#sm-preset-delete")
    expect(page.locator("#sm-preset-mine option")).to_have_count(0)
    expect(page.locator("#sm-preset-select")).to_have_value("")
    expect(page.locator("#sm-preset-delete")).to_be_disabled()


def test_a_stale_preset_fills_what_still_fits_and_names_the_rest(page, live_server, shot):
    stale = {
        "script": "unit_converter.py",
        "name": "Old volume conversion",
        "parameters": {"value": 2, "quantity": "volume", "from_unit": "l", "gallons": True},
    }
    examples = live_server.groups / "data_tools" / "examples"
    (examples / "old_volume.json").write_text(json.dumps(stale), encoding="utf-8")
    url = live_server.url
    log_in(page, url)
    open_script(page, url, "Data", "Unit")
    expect(page.locator("#sm-preset-examples option")).to_have_count(2)
    page.select_option("#sm-preset-select", "example:old_volume")
    warning = page.locator("#sm-preset-stale")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("quantity, gallons")
    expect(page.locator("#param-value")).to_have_value("2")
    expect(page.locator("#param-from_unit")).to_have_value("l")
    expect(page.locator("#param-quantity")).to_have_value("length")  # its default
    shot(page, "presets_stale")
