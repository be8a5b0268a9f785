"""Interfaces as a shared workstation's admin expects them: closed seconds after their tab,
limits that count every interface, batch runs never listed, ``@flask_port`` honoured."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from server.app import create_app, shutdown_app
from server.services.ports import can_bind
from server.services.registry import EXTENSION_KEY
from tests.api.test_runs import wait_done
from tests.support import GroupWriter, JsonClient, free_port, make_settings, wait_for

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PASSWORD = "Lifecycle-Pass1"
BATCH = "import time\nfor i in range(600):\n    time.sleep(0.1)\n"


@pytest.fixture
def lifecycle(tmp_path):
    """A manager with default heartbeat settings, the plain template and a batch script."""
    start = free_port() % 1000 + 20000
    settings = make_settings(
        tmp_path / "home",
        port_range_start=start,
        port_range_end=start + 30,
        max_interfaces_per_user=1,
        interface_start_timeout=120,
    )
    writer = GroupWriter(settings.script_groups_path)
    writer.group("ui", required_level="operator")
    shutil.copy(FIXTURES / "spec_template.py", writer.root / "ui" / "template.py")
    shutil.copy(FIXTURES / "echo_interface.py", writer.root / "ui" / "echo_interface.py")
    writer.script("ui", "batch.py", "@description: a long batch run", BATCH)
    writer.script("ui", "pinned.py", f"@flask_port: {start + 7}", BATCH)
    app = create_app(settings)
    services = app.extensions[EXTENSION_KEY]
    from server.services.audit import Actor

    services.users.create("ann", "ann@example.com", PASSWORD, "operator", Actor.system())
    services.db.remove()
    client = JsonClient(app.test_client())
    login = client.post("/api/auth/login", {"username": "ann", "password": PASSWORD})
    assert login.status_code == 200
    gid = client.get("/api/script-groups").get_json()["items"][0]["id"]
    scripts = client.get(f"/api/script-groups/{gid}/scripts").get_json()["items"]
    ids = {s["filename"]: s["id"] for s in scripts}
    yield app, settings, client, ids
    shutdown_app(app)


def run(client: JsonClient, script_id: int) -> str:
    response = client.post(f"/api/scripts/{script_id}/execute", {"parameters": {}})
    assert response.status_code == 202, response.get_json()
    return response.get_json()["execution_id"]


def ready_session(client: JsonClient, script_id: int, execution_id: str) -> dict:
    def ready():
        items = client.get(f"/api/scripts/{script_id}/interface-status").get_json()["items"]
        return next(
            (s for s in items if s["execution_id"] == execution_id and s["status"] == "ready"),
            None,
        )

    return wait_for(ready, 120)


def test_a_closed_tab_frees_its_port_without_waiting_for_the_clean_up(lifecycle):
    _app, settings, client, ids = lifecycle
    assert settings.cleanup_interval == 300  # the default: the sweep is not what closes it
    execution_id = run(client, ids["echo_interface.py"])
    session = ready_session(client, ids["echo_interface.py"], execution_id)
    beacon = client.post(f"/api/interfaces/{session['session_id']}/beacon")
    assert beacon.status_code in (200, 204)
    assert wait_done(client, execution_id)["status"] == "terminated"
    assert wait_for(lambda: can_bind(session["port"]), 60)


def test_a_reload_within_the_grace_keeps_the_session(lifecycle):
    app, _settings, client, ids = lifecycle
    execution_id = run(client, ids["echo_interface.py"])
    session = ready_session(client, ids["echo_interface.py"], execution_id)
    sid = session["session_id"]
    client.post(f"/api/interfaces/{sid}/beacon")
    pinged = client.post(f"/api/scripts/{ids['echo_interface.py']}/ping-interface",
                         {"session_id": sid})  # fmt: skip
    assert pinged.status_code == 200
    services = app.extensions[EXTENSION_KEY]
    for _ in range(3):  # three sweeps pass, each after the grace would have ended
        with app.app_context():
            assert services.interfaces.sweep() == 0
            services.db.remove()
    assert services.executions.is_live(execution_id)


def test_batch_runs_are_never_listed_as_interfaces(lifecycle):
    app, _settings, client, ids = lifecycle
    execution_id = run(client, ids["batch.py"])
    assert app.extensions[EXTENSION_KEY].executions.is_live(execution_id)
    assert client.get("/api/active-interfaces").get_json()["items"] == []
    listed = client.get(f"/api/scripts/{ids['batch.py']}/interface-status").get_json()["items"]
    assert listed == []
    interface = run(client, ids["echo_interface.py"])  # the batch run holds no slot
    ready_session(client, ids["echo_interface.py"], interface)


def test_an_undeclared_interface_counts_against_the_limit(lifecycle):
    _app, _settings, client, ids = lifecycle
    first = run(client, ids["template.py"])  # the plain template: no @interface declared
    ready_session(client, ids["template.py"], first)
    refused = client.post(f"/api/scripts/{ids['echo_interface.py']}/execute", {"parameters": {}})
    assert refused.status_code == 409 and "most allowed" in refused.get_json()["error"]["message"]
    second = run(client, ids["template.py"])  # undeclared: stopped once it answers
    body = wait_done(client, second)
    assert body["status"] == "terminated" and "interfaces open" in body["debug_output"]
    active = client.get("/api/active-interfaces").get_json()["items"]
    assert [s["execution_id"] for s in active] == [first]


def test_flask_port_is_used_when_free_and_replaced_with_a_note_otherwise(lifecycle):
    _app, settings, client, ids = lifecycle
    wanted = settings.port_range_start + 7
    first = run(client, ids["pinned.py"])
    detail = client.get(f"/api/logs/execution/{first}").get_json()
    assert f"--port {wanted}" in " ".join(detail["environment"]["argv"])
    second = run(client, ids["pinned.py"])
    detail = client.get(f"/api/logs/execution/{second}").get_json()
    argv = detail["environment"]["argv"]
    assert argv[argv.index("--port") + 1] != str(wanted)
    assert f"port {wanted} (@flask_port) is taken" in detail["debug_output"]


def test_headers_named_in_connection_never_cross_the_proxy_either_way():
    from server.proxy.forwarding import downstream_headers, upstream_headers

    incoming = [
        ("Connection", "keep-alive, X-Private-Hop"),
        ("X-Private-Hop", "secret"),
        ("Keep-Alive", "timeout=5"),
        ("X-Kept", "yes"),
        ("Cookie", "scriptsmanager_session=abc; app=1"),
    ]
    sent = upstream_headers(incoming, 5555, "token", "/interfaces/s/app", "1.2.3.4", "http",
                            "127.0.0.1:5000")  # fmt: skip
    assert "X-Private-Hop" not in sent and "Keep-Alive" not in sent and "Connection" not in sent
    assert sent["X-Kept"] == "yes" and sent["Cookie"] == "app=1"
    assert sent["Host"] == "127.0.0.1:5555" and sent["X-Forwarded-Host"] == "127.0.0.1:5000"
    answer = [("Connection", "X-Script-Hop"), ("X-Script-Hop", "1"), ("X-Shown", "1")]
    back = downstream_headers(answer, 5555, "/interfaces/s/app")
    assert "X-Script-Hop" not in back and "Connection" not in back and back["X-Shown"] == "1"
