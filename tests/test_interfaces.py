"""Interfaces: ports, sessions, heartbeats, closing, limits and the reverse proxy."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import psutil
import pytest

from server.app import create_app, shutdown_app
from server.database import Database
from server.services.execution.process import port_answers, reached_listener
from server.services.ports import PortManager, can_bind
from tests.api.test_runs import wait_done
from tests.support import GroupWriter, JsonClient, create_admin, make_settings, wait_for

FIXTURES = Path(__file__).resolve().parent / "fixtures"


# -- ports -------------------------------------------------------------------------------


def test_twenty_parallel_allocations_never_share_a_port(tmp_path):
    url = f"sqlite:///{tmp_path / 'ports.db'}"
    first, second = Database(url), Database(url)
    first.migrate()
    managers = [PortManager(first, 5600, 5700, 3), PortManager(second, 5600, 5700, 3)]
    ports: list[int] = []
    lock = threading.Lock()

    def allocate(index: int) -> None:
        manager = managers[index % 2]  # two managers sharing one database
        port = manager.allocate(None, None, None)
        manager._db.remove()  # noqa: SLF001 - each thread ends its own session
        with lock:
            ports.append(port)

    threads = [threading.Thread(target=allocate, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ports) == 20 and len(set(ports)) == 20
    first.dispose()
    second.dispose()


def test_a_port_taken_by_another_process_is_skipped(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'ports.db'}")
    db.migrate()
    manager = PortManager(db, 5710, 5712, 2)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 5710))
        squatter.listen()
        assert manager.allocate(None, None, None) == 5711
    manager.release(5711)
    with pytest.raises(Exception, match="No free interface port"):
        full = PortManager(db, 5711, 5711, 1)
        full.allocate(None, None, None)
        full.allocate(None, None, None)
    db.dispose()


def test_a_probe_that_meets_itself_is_no_listener_and_leaves_the_port_bindable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.connect(("127.0.0.1", port))  # simultaneous open: connected to itself
        assert not reached_listener(probe)
    assert can_bind(port)  # as a script's server binds it: no TIME_WAIT left in the way
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", port))
        listener.listen()
        with socket.create_connection(("127.0.0.1", port)) as client:
            assert reached_listener(client)
        assert port_answers(port)


# -- sessions through the API ------------------------------------------------------------


@pytest.fixture
def interface_settings() -> dict:
    """Settings a test overrides (parametrize it): the timeout it is about."""
    return {}


@pytest.fixture
def interface_app(tmp_path, interface_settings):
    # Deadlines a loaded machine meets: an interface has two minutes to answer and is not
    # reaped for want of heartbeats during a test, unless the test is about that deadline.
    defaults = {
        "port_range_start": 5720,
        "port_range_end": 5760,
        "session_timeout": 600,
        "cleanup_interval": 1,
        "interface_start_timeout": 120,
        "max_interfaces_per_user": 2,
    }
    settings = make_settings(tmp_path / "home", **{**defaults, **interface_settings})
    writer = GroupWriter(settings.script_groups_path)
    writer.group("ui", required_level="operator")
    for name in ("echo_interface.py", "silent_interface.py"):
        shutil.copy(FIXTURES / name, writer.root / "ui" / name)
    app = create_app(settings)
    yield app, settings
    shutdown_app(app)


def client_for(app, username: str, level: str = "operator") -> JsonClient:
    from server.services.audit import Actor
    from server.services.registry import EXTENSION_KEY

    services = app.extensions[EXTENSION_KEY]
    services.users.create(
        username, f"{username}@example.com", "Interface-Pass1", level, Actor.system()
    )
    services.db.remove()
    client = JsonClient(app.test_client())
    assert (
        client.post(
            "/api/auth/login", {"username": username, "password": "Interface-Pass1"}
        ).status_code
        == 200
    )
    return client


def start_interface(client: JsonClient, filename: str = "echo_interface.py") -> tuple[int, dict]:
    gid = client.get("/api/script-groups").get_json()["items"][0]["id"]
    scripts = client.get(f"/api/script-groups/{gid}/scripts").get_json()["items"]
    sid = next(s["id"] for s in scripts if s["filename"] == filename)
    execution_id = client.post(f"/api/scripts/{sid}/execute", {"parameters": {}}).get_json()[
        "execution_id"
    ]

    def ready():
        items = client.get(f"/api/scripts/{sid}/interface-status").get_json()["items"]
        return next(
            (s for s in items if s["execution_id"] == execution_id and s["status"] == "ready"), None
        )

    return sid, wait_for(ready)


def test_the_proxy_forwards_requests_and_keeps_the_manager_private(interface_app):
    app, _settings = interface_app
    ann = client_for(app, "ann")
    _sid, session = start_interface(ann)
    prefix = f"/interfaces/{session['session_id']}/app"
    ann.raw.set_cookie("flavour_pref", "vanilla")
    echoed = ann.call(
        "POST", prefix + "/echo?x=1", data="payload", content_type="text/plain",
        headers={"X-Forwarded-For": "6.6.6.6", "X-Forwarded-Prefix": "/evil"},
    ).get_json()  # fmt: skip
    headers = echoed["headers"]
    assert (
        echoed["method"] == "POST" and echoed["path"] == "/echo?x=1" and echoed["body"] == "payload"
    )
    assert headers["Host"] == f"127.0.0.1:{session['port']}"
    assert headers["X-Forwarded-Prefix"] == prefix
    assert headers["X-Forwarded-For"] == "127.0.0.1"
    assert len(headers["X-Scriptsmanager-Token"]) >= 32
    assert "scriptsmanager_session" not in headers.get("Cookie", "")
    assert "flavour_pref=vanilla" in headers["Cookie"]
    redirect = ann.get(prefix + "/go")
    assert redirect.status_code == 302
    assert redirect.headers["Location"] == prefix + "/echo"
    assert f"Path={prefix}/" in redirect.headers["Set-Cookie"]
    # The script's own security headers pass; the proxy adds only where it may be framed.
    assert redirect.headers.get_all("Content-Security-Policy") == ["frame-ancestors 'self'"]
    big = ann.get(prefix + "/big")
    assert len(big.data) == 64 * 65536
    wrapper = ann.raw.get(f"/interfaces/{session['session_id']}/")
    assert wrapper.status_code == 200 and b'id="sm-interface-frame"' in wrapper.data


def test_other_users_and_unknown_sessions_get_nothing(interface_app):
    app, _settings = interface_app
    ann, bob = client_for(app, "ann"), client_for(app, "bob")
    root = client_for(app, "root", level="admin")
    _sid, session = start_interface(ann)
    prefix = f"/interfaces/{session['session_id']}"
    assert bob.get(prefix + "/app/echo").status_code == 404
    assert bob.raw.get(prefix + "/").status_code == 404
    assert bob.get("/interfaces/not-a-session/app/echo").status_code == 404
    assert root.get(prefix + "/app/echo").status_code == 200
    assert len(root.get("/api/active-interfaces").get_json()["items"]) == 1
    assert bob.get("/api/active-interfaces").get_json()["items"] == []


def test_close_ends_the_tree_and_frees_the_port(interface_app):
    app, _settings = interface_app
    ann = client_for(app, "ann")
    sid, session = start_interface(ann)
    pid = next(
        p.pid
        for p in psutil.process_iter(["cmdline"])
        if "echo_interface.py" in " ".join(p.info["cmdline"] or [])
    )
    reopened = ann.post(f"/api/scripts/{sid}/open-interface").get_json()["session"]
    assert reopened["session_id"] == session["session_id"]
    closed = ann.post(f"/api/scripts/{sid}/close-interface", {"session_id": session["session_id"]})
    assert closed.get_json()["session"]["status"] == "closed"
    assert wait_done(ann, session["execution_id"])["status"] == "terminated"
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == "zombie"
    assert wait_for(lambda: can_bind(session["port"]))
    assert ann.get(f"/interfaces/{session['session_id']}/app/echo").status_code == 404
    assert ann.post(f"/api/scripts/{sid}/open-interface").status_code == 409


@pytest.mark.parametrize("interface_settings", [{"session_timeout": 4}], ids=["timeout4s"])
def test_without_heartbeat_the_session_is_reaped(interface_app):
    app, settings = interface_app
    ann = client_for(app, "ann")
    sid, session = start_interface(ann)
    # Pings every half second keep it alive past SESSION_TIMEOUT (4 s): each one has seconds
    # to spare, however slowly the machine answers it.
    alive_until = time.monotonic() + settings.session_timeout + 1
    while time.monotonic() < alive_until:
        time.sleep(0.5)  # the heartbeat's rhythm, not a wait for something to happen
        assert (
            ann.post(
                f"/api/scripts/{sid}/ping-interface", {"session_id": session["session_id"]}
            ).status_code
            == 200
        )
    body = wait_done(ann, session["execution_id"])
    assert body["status"] == "terminated" and "no heartbeat" in body["debug_output"]
    assert (
        ann.post(
            f"/api/scripts/{sid}/ping-interface", {"session_id": session["session_id"]}
        ).status_code
        == 409
    )


def test_a_closed_tab_ends_the_session_after_its_grace(interface_app):
    from server.models import ScriptProcess, utcnow
    from server.services.registry import EXTENSION_KEY

    app, _settings = interface_app
    ann = client_for(app, "ann")
    _sid, session = start_interface(ann)
    beacon = ann.call(
        "POST",
        f"/api/interfaces/{session['session_id']}/beacon",
        data={"csrf_token": ann.csrf},
        content_type="multipart/form-data",
    )
    assert beacon.status_code == 204
    services = app.extensions[EXTENSION_KEY]
    record = (
        services.db.session.query(ScriptProcess)
        .filter_by(tab_session_id=session["session_id"])
        .one()
    )
    assert record.close_after is not None and record.close_after > utcnow()
    record.close_after = utcnow() - timedelta(seconds=1)
    services.db.session.commit()
    services.db.remove()
    body = wait_done(ann, session["execution_id"])
    assert "tab closed" in body["debug_output"]


def start_silent(client: JsonClient) -> tuple[int, str, Callable[[str], dict | None]]:
    """Run the interface that never listens; return (script id, execution id, a reader of
    its session in a given status)."""
    gid = client.get("/api/script-groups").get_json()["items"][0]["id"]
    scripts = client.get(f"/api/script-groups/{gid}/scripts").get_json()["items"]
    sid = next(s["id"] for s in scripts if s["filename"] == "silent_interface.py")
    execution_id = client.post(f"/api/scripts/{sid}/execute", {"parameters": {}}).get_json()[
        "execution_id"
    ]

    def session(status: str) -> dict | None:
        items = client.get(f"/api/scripts/{sid}/interface-status").get_json()["items"]
        return next(
            (s for s in items if s["execution_id"] == execution_id and s["status"] == status),
            None,
        )

    return sid, execution_id, session


@pytest.mark.parametrize("interface_settings", [{"interface_start_timeout": 3}], ids=["start3s"])
def test_a_declared_interface_that_never_answers_is_ended(interface_app):
    from server.services.registry import EXTENSION_KEY

    app, _settings = interface_app
    ann = client_for(app, "ann")
    _sid, execution_id, session = start_silent(ann)
    port = wait_for(lambda: session("starting"))["port"]
    body = wait_done(ann, execution_id)
    assert body["status"] == "terminated"
    assert f"the interface did not answer on port {port} within 3 s" in body["debug_output"]
    assert "the interface answers" not in body["debug_output"]
    assert session("starting") is None and session("ready") is None
    services = app.extensions[EXTENSION_KEY]
    assert port not in {allocation.port_number for allocation in services.ports.in_use()}
    services.db.remove()


def test_a_port_that_starts_listening_late_is_found(interface_app):
    app, _settings = interface_app
    ann = client_for(app, "ann")
    sid, execution_id, session = start_silent(ann)
    starting = wait_for(lambda: session("starting"))
    # Nothing listens on the run's port yet (the script never will): the test opens it now.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", starting["port"]))
        listener.listen()
        ready = wait_for(lambda: session("ready"), message="the late listener was not found")
        assert ready["session_id"] == starting["session_id"]
        ann.post(f"/api/scripts/{sid}/close-interface", {"session_id": ready["session_id"]})
    body = wait_done(ann, execution_id)
    assert f"the interface answers on port {starting['port']}" in body["debug_output"]


def test_interface_limits_answer_409(interface_app):
    app, _settings = interface_app
    ann = client_for(app, "ann")
    start_interface(ann)
    start_interface(ann)
    gid = ann.get("/api/script-groups").get_json()["items"][0]["id"]
    sid = ann.get(f"/api/script-groups/{gid}/scripts").get_json()["items"][0]["id"]
    third = ann.post(f"/api/scripts/{sid}/execute", {"parameters": {}})
    assert third.status_code == 409 and "most allowed" in third.get_json()["error"]["message"]


@pytest.fixture
def proxy_server(tmp_path):
    """A real ``--server`` with the plain echo and the SDK WebSocket interfaces; yields
    (server, logged-in requests session, start(filename) -> ready session)."""
    import os

    import requests

    from tests.support import free_port, start_server, stop_server

    groups = GroupWriter(tmp_path / "groups")
    groups.group("ui")
    for name in ("echo_interface.py", "sdk_ws_interface.py"):
        shutil.copy(FIXTURES / name, groups.root / "ui" / name)
    home = tmp_path / "home"
    env = {**os.environ, "SCRIPT_GROUPS_PATH": str(groups.root), "CONDA_AUTO_DETECT": "0",
           "PORT_RANGE_START": "5770", "PORT_RANGE_END": "5790",
           "INTERFACE_START_TIMEOUT": "120"}  # fmt: skip
    create_admin(home, env, "wes", "Interface-Pass1")
    server = start_server(home, free_port(), env=env)
    http = requests.Session()
    token = http.get(server.url + "api/auth/csrf").json()["csrf_token"]
    login = http.post(server.url + "api/auth/login", headers={"X-CSRFToken": token},
                      json={"username": "wes", "password": "Interface-Pass1"})  # fmt: skip
    token = login.json()["csrf_token"]
    gid = http.get(server.url + "api/script-groups").json()["items"][0]["id"]
    scripts = http.get(server.url + f"api/script-groups/{gid}/scripts").json()["items"]

    def start(filename: str) -> dict:
        sid = next(s["id"] for s in scripts if s["filename"] == filename)
        http.post(server.url + f"api/scripts/{sid}/execute", json={"parameters": {}},
                  headers={"X-CSRFToken": token})  # fmt: skip

        def ready():
            items = http.get(server.url + f"api/scripts/{sid}/interface-status").json()["items"]
            return next((s for s in items if s["status"] == "ready"), None)

        return wait_for(ready)

    try:
        yield server, http, start
    finally:
        http.close()
        stop_server(server)


UPGRADE = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
           "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}  # fmt: skip


def ws_address(server, session: dict) -> str:
    """Return the proxied /ws of a session, on the interfaces' own origin."""
    return (
        server.interface_url.replace("http", "ws", 1) + f"interfaces/{session['session_id']}/app/ws"
    )


def test_websockets_pass_through_the_proxy_of_a_real_server(proxy_server):
    import requests
    from simple_websocket import Client

    server, http, start = proxy_server
    ws_url = ws_address(server, start("echo_interface.py"))
    cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    socket_ = Client.connect(ws_url, headers={"Cookie": cookie})
    try:
        socket_.send("hello")
        assert socket_.receive(timeout=60) == "echo:hello"
    finally:
        socket_.close()
    anonymous = requests.get(
        ws_url.replace("ws", "http", 1), headers=UPGRADE, timeout=60, allow_redirects=False
    )
    assert anonymous.status_code == 401  # refused before reaching the script


def test_an_sdk_websocket_gets_its_host_and_subprotocol_and_foreign_origins_are_refused(
    proxy_server,
):
    from simple_websocket import Client

    server, http, start = proxy_server
    session = start("sdk_ws_interface.py")
    ws_url = ws_address(server, session)
    cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    own_origin = server.interface_url.rstrip("/")
    for origin in ("http://evil.example", server.url.rstrip("/")):  # the manager's is foreign too
        refused = http.get(
            ws_url.replace("ws", "http", 1), headers={**UPGRADE, "Origin": origin}, timeout=60
        )
        assert refused.status_code == 403
    socket_ = Client.connect(
        ws_url, subprotocols=["chat.v1"], headers={"Cookie": cookie, "Origin": own_origin}
    )
    try:
        assert socket_.subprotocol == "chat.v1"
        socket_.send("hi")
        assert socket_.receive(timeout=60) == "sdk:chat.v1:hi"
    finally:
        socket_.close()
    home = Path(server.log_path).parent  # the script notes every upgrade that reached it
    noted = next(home.glob("data/script_groups/ui/wes/project_default/upgrades.txt")).read_text()
    assert noted.splitlines() == [f"{own_origin} 127.0.0.1:{session['port']}"]


def test_a_session_held_by_a_window_is_never_reaped(interface_app):
    from server.models import ScriptProcess, utcnow
    from server.services.registry import EXTENSION_KEY

    app, _settings = interface_app
    ann = client_for(app, "ann")
    sid, session = start_interface(ann)
    interfaces = app.extensions[EXTENSION_KEY].interfaces
    db = app.extensions[EXTENSION_KEY].db
    interfaces.hold(session["session_id"])
    with db.job() as job:
        job.query(ScriptProcess).filter_by(tab_session_id=session["session_id"]).update(
            {"last_ping": utcnow() - timedelta(hours=1)}
        )
    with db.job():
        assert interfaces.sweep() == 0
    items = ann.get(f"/api/scripts/{sid}/interface-status").get_json()["items"]
    assert items[0]["status"] == "ready"

    interfaces.release(session["session_id"])

    body = wait_done(ann, session["execution_id"])
    assert body["status"] == "terminated" and "no heartbeat" in body["debug_output"]


def test_a_run_that_ends_closes_its_session(interface_app):
    app, _settings = interface_app
    ann = client_for(app, "ann")
    sid, session = start_interface(ann)
    stopped = ann.post(f"/api/scripts/{sid}/stop", {"execution_id": session["execution_id"]})
    assert stopped.status_code == 200
    wait_done(ann, session["execution_id"])
    items = ann.get(f"/api/scripts/{sid}/interface-status").get_json()["items"]
    assert items[0]["status"] == "closed"
    assert ann.get("/api/active-interfaces").get_json()["items"] == []
