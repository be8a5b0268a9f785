"""CSRF: every mutating route refuses a request without this session's X-CSRFToken.

Each POST/PUT/DELETE of /api/openapi.json is sent by an admin (who passes every level
check) with a body it would act on, and a missing, empty, wrong, foreign (another
session's) or misnamed token, and as a cross-site form post. Every answer must be 400 or
403, and nothing may have changed. A Socket.IO connection from a foreign Origin is refused.
"""

from __future__ import annotations

import json

import pytest

from tests.security.clients import LiveLogs, connects
from tests.security.harness import ADMIN, PASSWORD
from tests.security.operations import operations, valid_body

SECURITY_CLASS = "CSRF"


@pytest.fixture(scope="module")
def setting(manager):
    admin = manager.login(ADMIN)
    foreign = manager.login("bob").csrf
    values = manager.values_for(admin)
    admin.ok("POST", f"/api/data/{values['group_id']}/{values['project_id']}/probe.json", 201,
             json={"before": True})  # fmt: skip
    ops = [
        op
        for op in operations(admin.get("/api/openapi.json").json())
        if op.method in ("POST", "PUT", "DELETE", "PATCH")
    ]
    return {"admin": admin, "foreign": foreign, "values": values, "ops": ops}


def variants(foreign: str) -> list[tuple[str, dict[str, str]]]:
    return [
        ("no token", {}),
        ("empty token", {"X-CSRFToken": ""}),
        ("wrong token", {"X-CSRFToken": "IjAwMDAi.aaaa.bbbb"}),
        ("another session's token", {"X-CSRFToken": foreign}),
        ("misnamed header", {"X-CSRF-Token": foreign, "X-XSRF-TOKEN": foreign}),
    ]


def test_every_mutation_without_this_sessions_token_is_refused(manager, setting, bad):
    admin, values = setting["admin"], setting["values"]
    assert len(setting["ops"]) >= 25
    for op in setting["ops"]:
        body = valid_body(op, values, "csrf")
        for label, headers in variants(setting["foreign"]):
            response = admin.send(op.method, op.path(values), json=body, headers=headers,
                                  csrf=False)  # fmt: skip
            bad.check(
                response.status_code in (400, 403), f"{op.key} {label}: {response.status_code}"
            )
        form = {key: json.dumps(value) for key, value in body.items()} if body else {"x": "1"}
        response = admin.send(op.method, op.path(values), data=form, csrf=False)
        bad.check(response.status_code in (400, 403), f"{op.key} form post: {response.status_code}")
    bad.assert_none()


def test_nothing_changed_and_the_session_is_alive(manager, setting, bad):
    admin, values = setting["admin"], setting["values"]
    group, project = values["group_id"], values["project_id"]
    users = [u["username"] for u in admin.get("/api/admin/users?per_page=200").json()["items"]]
    bad.check("made_csrf" not in users and "boss_csrf" not in users, f"users made: {users}")
    bad.check("bob" in users, "bob was deleted")
    projects = [p["project_name"] for p in admin.get("/api/projects").json()["items"]]
    bad.check("made_csrf" not in projects, f"projects made: {projects}")
    probe = admin.get(f"/api/data/{group}/{project}/probe.json")
    bad.check(probe.status_code == 200 and probe.json() == {"before": True}, "probe.json changed")
    runs = admin.get("/api/logs/execution").json()["items"]
    bad.check(all(r["parameters"].get("text") != "csrf" for r in runs), "a run was started")
    tags = admin.get(f"/api/scripts/{values['script_id']}/tags").json()
    bad.check("t_csrf" not in tags["user"], "tags changed")
    meta = admin.get(f"/api/scripts/{values['script_id']}/metadata").json()
    bad.check(meta["metadata"].get("category") != "c_csrf", "metadata changed")
    me = admin.get("/api/auth/user")
    bad.check(me.status_code == 200 and me.json()["user"]["username"] == ADMIN, "logged out")
    bad.check(manager.login("bob", PASSWORD) is not None, "bob's password changed")
    bad.assert_none()


def test_login_and_logout_need_the_token(manager, bad):
    visitor = manager.anonymous()
    for label, headers in variants("x")[:3]:
        response = visitor.send("POST", "/api/auth/login", json={"username": "bob",
                                "password": PASSWORD}, headers=headers, csrf=False)  # fmt: skip
        bad.check(response.status_code in (400, 403), f"login {label}: {response.status_code}")
    bad.check(visitor.get("/api/auth/user").status_code == 401, "logged in without a token")
    bob = manager.login("bob")
    for label, headers in variants("x")[:3]:
        response = bob.send("POST", "/api/auth/logout", headers=headers, csrf=False)
        bad.check(response.status_code in (400, 403), f"logout {label}: {response.status_code}")
    bad.check(bob.get("/api/auth/user").status_code == 200, "logged out without a token")
    bad.assert_none()


def test_socketio_from_a_foreign_origin_is_refused(manager, bad):
    bob = manager.login("bob")
    # the last: a script's page, on the interfaces' own origin
    foreign = ("http://evil.example", "null", f"http://127.0.0.1.evil.example:{manager.port}",
               f"http://localhost.evil.example:{manager.port}", "https://127.0.0.1",
               manager.interface_url)  # fmt: skip
    for transport in ("websocket", "polling"):
        for origin in foreign:
            connected = connects(manager.url, bob, origin=origin, transport=transport)
            bad.check(not connected, f"Socket.IO ({transport}) connected from Origin {origin}")
        same = LiveLogs(manager.url, bob, origin=manager.url, transport=transport)
        assert same.sio.connected
        same.close()
    bad.assert_none()
