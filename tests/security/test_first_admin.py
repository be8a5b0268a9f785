"""Finding 1: the first admin is made only with the one-time setup token.

On a fresh server with no admin, ``<home>/setup_token`` (mode 0600) holds the token and
the console prints a ``.../setup?token=...`` link. Without the token (or with a wrong one)
``GET /setup`` shows no form (403) and ``POST /api/auth/setup`` answers 403; with it the
admin is created (201) and the token is spent.
"""

from __future__ import annotations

import re
import stat

from tests.security.clients import body_text
from tests.security.harness import PASSWORD
from tests.support import wait_for

SECURITY_CLASS = "first admin (finding 1)"
MANAGER_OPTIONS = {"admin": False}
BODY = {"username": "boss", "email": "boss@example.com", "password": PASSWORD}


def token_of(manager) -> str:
    """Return the setup token from the home folder."""
    path = manager.home / "setup_token"
    wait_for(path.is_file, 60, "no setup_token file")
    return path.read_text().strip()


def test_the_token_is_private_and_printed_as_a_link(manager):
    path = manager.home / "setup_token"
    token = token_of(manager)
    assert len(token) >= 16
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    link = re.compile(r"https?://[^\s/]+/setup\?token=" + re.escape(token) + r"(\s|$)")
    wait_for(lambda: link.search(manager.output()), 60, "no setup link on the console")


def test_no_token_no_form_and_no_admin(manager, bad):
    token, visitor = token_of(manager), manager.anonymous()
    queries = ["", "?token=", "?token=wrong", f"?token={token[:-1]}", f"?token={token}x",
               f"?token=%20{token}", f"?tok={token}", f"?token[]={token}", "?token=%00",
               f"?token={token.upper()}", f"?token={token[::-1]}"]  # fmt: skip
    for query in queries:
        if query.endswith(f"token={token}"):
            continue
        response = visitor.get("/setup" + query)
        text = body_text(response)
        refused = response.status_code == 403 and "sm-setup-form" not in text and token not in text
        bad.check(refused, f"GET /setup{query}: {response.status_code}")
    bodies = [{}, {"setup_token": ""}, {"setup_token": "wrong"}, {"setup_token": token[:-1]},
              {"setup_token": token + " "}, {"setup_token": " " + token},
              {"setup_token": token.upper()}, {"setup_token": token + "\n"}]  # fmt: skip
    for extra in bodies:
        if extra.get("setup_token") == token:
            continue
        response = visitor.post("/api/auth/setup", {**BODY, **extra})
        bad.check(response.status_code == 403, f"setup with {extra}: {response.status_code}")
    for extra in ({"setup_token": None}, {"setup_token": 1}, {"setup_token": [token]}):
        response = visitor.post("/api/auth/setup", {**BODY, **extra})
        bad.check(response.status_code in (400, 403), f"setup with {extra}: {response.status_code}")
    response = visitor.post("/api/auth/setup", BODY, headers={"X-Setup-Token": token})
    bad.check(response.status_code == 403, f"token in X-Setup-Token: {response.status_code}")
    # As a Bearer header it is an API token, and no valid one: 401 before anything else.
    response = visitor.post("/api/auth/setup", BODY, headers={"Authorization": f"Bearer {token}"})
    bad.check(response.status_code == 401, f"token in Authorization: {response.status_code}")
    response = visitor.post(f"/api/auth/setup?token={token}", BODY)
    bad.check(response.status_code == 403, f"token in the query: {response.status_code}")
    login = visitor.post("/api/auth/login", {"username": "boss", "password": PASSWORD})
    bad.check(login.status_code == 401, f"an admin was made without the token: {login.status_code}")
    bad.assert_none()


def test_the_token_makes_the_admin_once(manager, bad):
    token, visitor = token_of(manager), manager.anonymous()
    page = visitor.get(f"/setup?token={token}")
    assert page.status_code == 200 and "sm-setup-form" in page.text
    created = visitor.post("/api/auth/setup", {**BODY, "setup_token": token})
    assert created.status_code == 201, created.text
    again = visitor.post("/api/auth/setup", {**BODY, "username": "boss2", "setup_token": token})
    bad.check(again.status_code in (403, 409), f"second use: {again.status_code}")
    page = visitor.get(f"/setup?token={token}")
    bad.check("sm-setup-form" not in page.text, f"form shown after setup: {page.status_code}")
    bad.check(not (manager.home / "setup_token").exists(), "the token file is still there")
    assert manager.login("boss").get("/api/auth/user").json()["user"]["user_level"] == "admin"
    bad.assert_none()
