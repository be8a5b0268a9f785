"""The personal desktop on a real X display: the OS user is signed in with no login page,
a failed start is shown in the branded loading view, and a login can be required."""

from __future__ import annotations

import getpass
import json

import pytest
import requests

from server.services.desktop_account import account_name
from tests.desktop.cdp import wait_for_page
from tests.desktop.harness import desktop_env, launch, start_desktop, stop_desktop
from tests.desktop.test_windows import MAIN_TITLE
from tests.support import free_port, wait_for

pytestmark = pytest.mark.desktop


def test_the_window_opens_on_the_dashboard_as_the_os_user(desktop):
    main = desktop.signed_in()
    user = main.evaluate("document.querySelector('#sm-user-menu').textContent")
    assert account_name(getpass.getuser()) in user
    assert main.evaluate("!!document.getElementById('sm-logout')") is False
    assert main.console_errors() == []
    main.call("Page.navigate", url=desktop.url + "login")
    main.wait_for("location.pathname === '/' && document.readyState === 'complete'")


def test_the_window_signs_in_again_after_its_session_ends(desktop):
    main = desktop.signed_in()
    main.evaluate("SM.api.post('/api/auth/logout').then(() => true)")
    main.call("Page.navigate", url=desktop.url + "logs")
    main.wait_for("location.pathname === '/' && !!document.querySelector('.sm-group-card')")


def test_another_local_user_gets_no_login_for_the_desktop_account(desktop):
    desktop.signed_in()
    browser = requests.Session()
    browser.trust_env = False
    page = browser.get(desktop.url + "login", timeout=30)
    assert page.url.endswith("/desktop/sign-in")  # no login form for anyone
    token = browser.get(desktop.url + "api/auth/csrf", timeout=30).json()["csrf_token"]
    headers = {"X-CSRFToken": token}
    name = account_name(getpass.getuser())
    for path, body in (
        ("api/auth/desktop", {"ticket": "guessed"}),
        ("api/auth/login", {"username": name, "password": "anything-at-all"}),
    ):
        answer = browser.post(desktop.url + path, json=body, headers=headers, timeout=30)
        assert answer.status_code == 401, answer.text
    assert browser.get(desktop.url + "api/auth/user", timeout=30).status_code == 401


def test_a_manager_that_cannot_start_is_explained_in_the_window(xdisplay, desktop_home):
    config = json.loads((desktop_home / "config.json").read_text())
    # A database inside a file: no account, root included, can create it.
    config["database"] = {"url": f"sqlite:///{desktop_home}/config.json/db.sqlite"}
    (desktop_home / "config.json").write_text(json.dumps(config))
    log = desktop_home / "failed.log"
    port = free_port()
    process = launch([], desktop_env(xdisplay, desktop_home, port), log)
    try:
        wait_for(lambda: "did not start" in log.read_text(), timeout=90)
        page = wait_for_page(port, "")
        page.wait_for("!!document.querySelector('#sm-start-error')")
        shown = page.evaluate("document.body.innerText")
        assert "ScriptsManager" in shown and "config.json" in shown
        assert MAIN_TITLE in xdisplay.windows()
        xdisplay.close_window(MAIN_TITLE)
        assert process.wait(60) == 1
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(30)


def test_a_login_can_be_required_on_the_desktop(xdisplay, desktop_home):
    config = json.loads((desktop_home / "config.json").read_text())
    config["security"] = {"desktop_require_login": True}
    (desktop_home / "config.json").write_text(json.dumps(config))
    app = start_desktop(xdisplay, desktop_home)
    try:
        main = app.log_in()  # the admin of the home, with its password
        user = main.evaluate("document.querySelector('#sm-user-menu').textContent")
        assert "admin" in user
        assert main.evaluate("!!document.getElementById('sm-logout')") is True
    finally:
        stop_desktop(app)
