"""A person makes an API token on the account page, copies it (shown once), sees it
listed, uses it from a script's point of view, and revokes it."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.test_catalog import create_user
from tests.browser.test_shell import log_in

pytestmark = pytest.mark.browser


def test_a_token_is_made_copied_listed_and_revoked(page, live_server, shot):
    url = live_server.url
    create_user(live_server, "tomas", "operator")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url.rstrip("/"))
    log_in(page, url, "tomas", "Us3r-Password!")
    page.goto(url + "account")
    expect(page.locator("#sm-tokens-empty")).to_be_visible()

    page.fill("#sm-token-name", "Nightly report")
    page.select_option("#sm-token-expiry", "30")
    page.click("#sm-token-create")
    secret_box = page.locator("#sm-token-secret")
    expect(secret_box).to_have_value(re.compile(r"^smt_[A-Za-z0-9_-]{43}$"))
    secret = secret_box.input_value()
    rows = page.locator("#sm-tokens-list tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Nightly report")
    expect(rows.first).to_contain_text(secret[:10])
    expect(rows.first).to_contain_text("Not used yet")
    expect(rows.first).not_to_contain_text(secret[10:])
    page.click("#sm-token-copy")
    expect(page.locator("#sm-toasts")).to_contain_text("copied")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    shot(page, "api-tokens")

    bearer = {"Authorization": f"Bearer {secret}"}
    me = requests.get(url + "api/auth/user", headers=bearer, timeout=30)
    assert me.status_code == 200 and me.json()["user"]["username"] == "tomas"

    page.reload()
    expect(page.locator("#sm-token-new")).to_be_hidden()  # the secret is not shown again
    expect(rows.first).not_to_contain_text("Not used yet")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click(".sm-token-revoke")
    expect(rows).to_have_count(0)
    expect(page.locator("#sm-tokens-empty")).to_be_visible()
    assert requests.get(url + "api/auth/user", headers=bearer, timeout=30).status_code == 401
