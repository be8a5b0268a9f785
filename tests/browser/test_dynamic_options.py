"""A run form lists a field's options from a command, follows its dependency, shows failures."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_forms_and_tags import script_ids
from tests.browser.test_shell import log_in

pytestmark = pytest.mark.browser

CHECK = '''"""
ScriptsManager Metadata:
@display_name: Site check
@parameters: [
  {"name": "region", "type": "select", "options": ["europe", "moon"], "default": "europe"},
  {"name": "site", "type": "select", "required": true,
   "options_from": {"command": ["python", "_list_sites.py", "--region", "{region}"]}}
]
"""
print("checked")
'''


def option_texts(page, selector: str) -> list[str]:
    return page.locator(selector + " option").all_inner_texts()


def test_options_follow_the_region_and_a_failure_is_explained(page, live_server, shot):
    (live_server.groups / "data_tools" / "site_check.py").write_text(CHECK, encoding="utf-8")
    ids = script_ids(live_server)
    url = live_server.url
    log_in(page, url)
    page.goto(f"{url}scripts/{ids['site_report.py']}")
    site = page.locator("#param-site")
    expect(site.locator("option")).to_have_text(["Bergen", "Lyon", "Turin", "Valencia"])
    expect(page.locator("#sm-run-submit")).to_be_enabled()
    page.select_option("#param-site", "Turin")
    page.select_option("#param-region", "asia")
    expect(site.locator("option")).to_have_text(["Osaka", "Pune"])
    page.select_option("#param-site", "Pune")
    shot(page, "dynamic-options-asia")
    page.click("#sm-run-submit")
    expect(page.locator("#sm-console [data-console-status]")).to_have_text("Completed")
    expect(page.locator("#sm-console")).to_contain_text("Site: Pune (asia)")

    page.goto(f"{url}scripts/{ids['site_check.py']}")
    expect(page.locator("#param-site option")).to_have_text(["Bergen", "Lyon", "Turin", "Valencia"])
    page.select_option("#param-region", "moon")
    error = page.locator("[data-options-error-for=site]")
    expect(error).to_be_visible()
    expect(error).to_contain_text(
        "The options of site could not be listed: the command exited with status 2: "
        "unknown region 'moon'"
    )
    expect(error.locator("button")).to_have_text("Retry")
    expect(page.locator("#param-site")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#sm-run-submit")).to_be_disabled()
    shot(page, "dynamic-options-failure")
    with page.expect_response(re.compile(r".*/parameters/site/options.*")) as retried:
        error.locator("button").click()
    assert retried.value.status == 422
    page.select_option("#param-region", "europe")
    expect(error).to_be_hidden()
    expect(page.locator("#param-site option")).to_have_count(4)
    expect(page.locator("#sm-run-submit")).to_be_enabled()
