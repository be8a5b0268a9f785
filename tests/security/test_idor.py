"""IDOR: what Alice owns (runs, logs, projects, data files, interfaces, tags) stays hers.

Bob (operator), Vera (viewer) and Dave (developer) try every route that names one of
Alice's objects; each answer must be 403 or 404 and carry none of her markers. Her proxied
interface pages are tried on the interfaces' own origin (401, 403 or 404 there) and on the
manager's (404: not served on this origin). Lists and searches must not show her objects.
An admin may read them (her interface pages on the interfaces' origin).
"""

from __future__ import annotations

import pytest

from tests.security.clients import NOT_HERE, LiveLogs, body_text, is_proxied

SECURITY_CLASS = "IDOR"
RUN_MARK = "ALICE-RUN-5c2a"
FILE_MARK = "ALICE-FILE-91de"
PROJECT = "alice-private-proj"
TAG = "alice-secret-tag"
OTHERS = ("bob", "vera", "dave")


@pytest.fixture(scope="module")
def alice_world(manager):
    """Alice's run, project with a data file, live interface session and personal tags."""
    alice = manager.login("alice")
    group = manager.group_id()
    created = alice.ok(
        "POST", "/api/projects", 201, json={"project_name": PROJECT, "group_id": group}
    )
    project = created["project"]["id"]
    alice.ok("POST", f"/api/data/{group}/{project}/notes.json", 201, json={"m": FILE_MARK})
    run = manager.run(alice, "echo_args.py", {"text": RUN_MARK}, project_id=project)
    assert manager.finished(alice, run)["status"] == "completed"
    script = manager.script_id("echo_args.py")
    alice.ok("PUT", f"/api/scripts/{script}/tags", json={"tags": [TAG]})
    session = manager.interface(alice)
    return {
        "alice": alice, "group": group, "project": project, "run": run, "script": script,
        "session": session, "iface_script": manager.script_id("iface.py"),
        "markers": [RUN_MARK, FILE_MARK, PROJECT, TAG],
    }  # fmt: skip


def foreign_requests(world) -> list[tuple[str, str, object]]:
    """Every request that names one of Alice's objects: (method, path, body)."""
    g, p, run = world["group"], world["project"], world["run"]
    sid, iface = world["session"]["session_id"], world["iface_script"]
    live = world["session"]["execution_id"]
    return [
        ("GET", f"/api/logs/execution/{run}", None),
        ("GET", f"/api/logs/execution/{run}/content", None),
        ("GET", f"/api/logs/execution/{run}/content?offset=0&length=4096", None),
        ("GET", f"/api/logs/execution/{run}/download?format=txt", None),
        ("GET", f"/api/logs/execution/{run}/download?format=json", None),
        ("GET", f"/api/logs/execution/{run}/download?format=csv", None),
        ("DELETE", f"/api/logs/execution/{run}", None),
        ("GET", f"/api/logs/project/{p}", None),
        ("GET", f"/logs/{run}", None),
        ("POST", f"/api/scripts/{world['script']}/stop", {"execution_id": run}),
        ("POST", f"/api/scripts/{iface}/stop", {"execution_id": live}),
        ("PUT", f"/api/projects/{p}", {"project_name": "stolen"}),
        ("PUT", f"/api/projects/{p}", {"description": "stolen"}),
        ("DELETE", f"/api/projects/{p}", None),
        ("POST", f"/api/projects/{p}/set-active", {}),
        ("GET", f"/api/data/{g}/{p}/files", None),
        ("GET", f"/api/data/{g}/{p}/notes.json", None),
        ("POST", f"/api/data/{g}/{p}/notes.json", {"m": "overwritten"}),
        ("POST", f"/api/data/{g}/{p}/new.json", {"m": "planted"}),
        ("DELETE", f"/api/data/{g}/{p}/notes.json", None),
        ("POST", f"/api/data/{g}/{p}/backup", {}),
        ("GET", f"/interfaces/{sid}/", None),
        ("GET", f"/interfaces/{sid}/app/", None),
        ("POST", f"/interfaces/{sid}/app/anything", {}),
        ("POST", f"/api/scripts/{iface}/ping-interface", {"session_id": sid}),
        ("POST", f"/api/scripts/{iface}/close-interface", {"session_id": sid}),
        ("POST", f"/api/interfaces/{sid}/beacon", {}),
        ("POST", f"/api/scripts/{iface}/open-interface", {}),
    ]


def leak_in(world, response) -> str | None:
    """Return the first of Alice's markers (or her interface's) an answer shows."""
    text = body_text(response)
    return next((m for m in [*world["markers"], "IFACE-OK"] if m in text), None)


def test_other_users_cannot_reach_alices_objects(manager, alice_world, bad):
    for username in OTHERS:
        other = manager.login(username)
        for method, path, body in foreign_requests(alice_world):
            if is_proxied(path):  # served on the interfaces' origin only
                response = other.interfaces.send(method, path, json=body)
                leak = leak_in(alice_world, response)
                refused = response.status_code in (401, 403, 404) and leak is None
                bad.check(refused, f"{username} {method} {path} (interface origin): "
                                   f"{response.status_code} {leak or ''}")  # fmt: skip
                response = other.send(method, path, json=body)
                leak = leak_in(alice_world, response)
                refused = response.status_code == 404 and response.content == NOT_HERE
                bad.check(refused and leak is None, f"{username} {method} {path} (manager "
                          f"origin): {response.status_code} {leak or ''}")  # fmt: skip
                continue
            response = other.send(method, path, json=body)
            leak = leak_in(alice_world, response)
            refused = response.status_code in (403, 404) and leak is None
            if path.endswith("/open-interface") and response.status_code == 409 and not leak:
                refused = True  # "you have no open interface": nothing of Alice's
            bad.check(refused, f"{username} {method} {path}: {response.status_code} {leak or ''}")
    alice = alice_world["alice"]
    # nothing changed for Alice
    g, p = alice_world["group"], alice_world["project"]
    assert alice.get(f"/api/data/{g}/{p}/notes.json").json() == {"m": FILE_MARK}
    assert alice.get(f"/api/logs/execution/{alice_world['run']}").status_code == 200
    status = alice.get(f"/api/scripts/{alice_world['iface_script']}/interface-status").json()
    sid = alice_world["session"]["session_id"]
    assert any(s["session_id"] == sid and s["status"] == "ready" for s in status["items"])
    assert "IFACE-OK" in alice.interfaces.get(f"/interfaces/{sid}/app/").text
    bad.assert_none()


def test_lists_and_searches_show_nothing_of_alices(manager, alice_world, bad):
    script, iface = alice_world["script"], alice_world["iface_script"]
    lists = [
        "/api/logs/execution", f"/api/logs/search?q={RUN_MARK}", f"/api/logs/script/{script}",
        "/api/logs/execution?q=" + RUN_MARK, "/api/executions/running",
        "/api/executions/running?all=1", f"/api/projects?group_id={alice_world['group']}",
        "/api/projects", "/api/active-interfaces", "/api/active-interfaces?mine=0",
        f"/api/scripts/{iface}/interface-status", f"/api/scripts/{script}/tags", "/api/user/tags",
        f"/api/scripts/search-tags?tags={TAG}", f"/api/scripts/{script}", "/api/logs/stats",
        f"/api/script-groups/{alice_world['group']}/scripts", "/logs", "/",
    ]  # fmt: skip
    secrets = [*alice_world["markers"], alice_world["run"], alice_world["session"]["session_id"]]
    for username in OTHERS:
        other = manager.login(username)
        for path in lists:
            response = other.get(path)
            text = body_text(response)
            leak = next((m for m in secrets if m in text), None)
            bad.check(leak is None and response.status_code < 500, f"{username} {path}: {leak}")
    bad.assert_none()


def test_live_logs_of_alice_are_refused_to_others(manager, alice_world, bad):
    for username in OTHERS:
        live = LiveLogs(manager.url, manager.login(username))
        try:
            for execution in (alice_world["run"], alice_world["session"]["execution_id"]):
                live.subscribe(execution)
                # the contract's answer is an ``error`` event naming the execution
                refusal = live.wait_event(lambda name, data, ex=execution: name == "error"
                                          and isinstance(data, dict)
                                          and data.get("execution_id") == ex)  # fmt: skip
                bad.check(refusal is not None, f"{username}: no error event for {execution}")
            names = [name for name, _ in live.events]
            leaked = any(RUN_MARK in str(data) for _, data in live.events)
            bad.check("log" not in names and "status" not in names and not leaked,
                      f"{username} got {names}")  # fmt: skip
        finally:
            live.close()
    bad.assert_none()


def test_admins_may_read_alices_objects(manager, alice_world):
    admin = manager.admin()
    g, p, run = alice_world["group"], alice_world["project"], alice_world["run"]
    assert RUN_MARK in admin.get(f"/api/logs/execution/{run}").json()["output"]
    assert admin.get(f"/api/data/{g}/{p}/notes.json").json() == {"m": FILE_MARK}
    files = admin.get(f"/api/data/{g}/{p}/files").json()["items"]
    assert [f["name"] for f in files] == ["notes.json"]
    sid = alice_world["session"]["session_id"]
    wrapper = admin.get(f"/interfaces/{sid}/")
    assert wrapper.status_code == 200
    # the wrapper frames the page on the interfaces' origin, which serves it to the admin
    assert f"{manager.interface_url}/interfaces/{sid}/app/" in wrapper.text
    page = admin.interfaces.get(f"/interfaces/{sid}/app/")
    assert page.status_code == 200 and "IFACE-OK" in page.text, (page.status_code, page.text)
    answer = admin.interfaces.post(f"/interfaces/{sid}/app/anything", {})
    assert answer.status_code == 200 and answer.json()["path"] == "anything", answer.text
    # ... and the manager's origin does not
    assert admin.get(f"/interfaces/{sid}/app/").status_code == 404
    listed = admin.get("/api/active-interfaces").json()["items"]
    assert sid in [s["session_id"] for s in listed]
    uid = manager.user_id("alice")
    assert PROJECT in admin.get(f"/api/admin/users/{uid}/projects").text
    assert run in admin.get(f"/api/admin/logs/user/{uid}").text
